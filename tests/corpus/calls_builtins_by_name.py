# Calls of len, isinstance, type, str and tuple that nothing profiled (this
# program runs compiled from the first call), made as the interpreter's
# specialised PRECALL once the code is warm because the callable is a
# global of that name (builtin-calls-by-name): the caller's f_lasti seen
# from __len__, __instancecheck__, __str__ and a generator while the code is
# cold (the CALL makes the call) and warm (the PRECALL does); the global
# rebound in the module, shadowed by a module global of another kind, the
# builtin replaced in `builtins`, a function run with other globals; shapes
# the interpreter does not specialise (other argument counts, keywords, a
# conditional expression in the argument, the builtin reached through a
# local or an attribute); errors with their tracebacks; a len() at the
# recursion limit in warm code (which counts no recursion level).
import builtins
import dis
import sys
import traceback

seen = []


def caller_position():
    caller = sys._getframe(2)
    seen.append(dis.opname[caller.f_code.co_code[caller.f_lasti]][0])


class Sized:
    def __init__(self, n):
        self.n = n

    def __len__(self):
        caller_position()
        if self.n == "fail":
            raise KeyError("no length")
        return self.n


class Meta(type):
    def __instancecheck__(cls, instance):
        caller_position()
        return instance == 42


class Checked(metaclass=Meta):
    pass


class Shown:
    def __str__(self):
        caller_position()
        return "shown"


def items(n):
    caller = sys._getframe(2)
    seen.append(dis.opname[caller.f_code.co_code[caller.f_lasti]][0])
    yield from range(n)


def each_builtin(x):
    return (len(x), isinstance(42, Checked), type(x).__name__, str(Shown()), tuple(items(2)))


for call in range(12):
    seen.clear()
    print(call, each_builtin(Sized(call)), "".join(seen))


def lengths(*objects):
    return [len(o) for o in objects]


class ListOfThree(list):
    def __len__(self):
        return 3


print(lengths([], [1, 2], (1,), {1: 2}, "abc", b"ab", {1, 2, 3}, frozenset(), range(7), ListOfThree(), Sized(5)))
for bad in (Sized(-1), Sized(2**70), Sized("fail"), Sized(1.5), 5, None):
    try:
        print(lengths(bad))
    except Exception as e:
        print(type(e).__name__, e)


def kinds(x):
    return isinstance(x, int), isinstance(x, (str, bytes)), isinstance(x, Checked), type(x), str(x), tuple(x) if isinstance(x, (list, str)) else None


for x in (1, True, "ab", b"", [1, 2], 42, 2.5):
    print(kinds(x))
for args in ((1, 5), (1, (int, 5))):
    try:
        print(isinstance(*args))

        def bad_isinstance():
            return isinstance(1, 5)
        print(bad_isinstance())
    except TypeError as e:
        print("TypeError", e)


class Unshowable:
    def __str__(self):
        raise ValueError("cannot show")


def failing_generator():
    yield 1
    raise RuntimeError("stopped")


def show(x):
    return str(x)


def collect(x):
    return tuple(x)


for f, arg in ((show, Unshowable()), (collect, failing_generator()), (collect, 5)):
    try:
        f(arg)
    except Exception:
        traceback.print_exc(file=sys.stdout)


def shapes(x):
    results = []
    for attempt in (lambda: len(), lambda: len(x, x), lambda: isinstance(x), lambda: str(b"ab", "ascii"),
                    lambda: str(object=x), lambda: tuple(), lambda: type("T", (), {}).__name__,
                    lambda: len(x if x else "abc"), lambda: builtins.len(x)):
        try:
            results.append(attempt())
        except TypeError as e:
            results.append(str(e))
    size = len
    results.append(size(x))
    return results


print(shapes([1]), shapes([]))


def measured(x):
    return len([x] * x), str(x), isinstance(x, int), type(x), tuple([x])


print([measured(i) for i in range(10)][-1])
len = lambda x: "module len"
str = lambda x: "module str"
print(measured(3))
del len
str = 5
try:
    print(measured(4))
except TypeError as e:
    print("TypeError", e)
del str
print(measured(5))
original_isinstance, original_type = builtins.isinstance, builtins.type
builtins.isinstance = lambda x, cls: "patched isinstance"
builtins.type = lambda x: "patched type"
try:
    print(measured(6))
finally:
    builtins.isinstance, builtins.type = original_isinstance, original_type
print(measured(7))
other_globals = {"__builtins__": builtins, "len": lambda x: -1}
exec("def elsewhere(x):\n    return len(x), tuple(x)\n", other_globals)
print([other_globals["elsewhere"]("ab") for _ in range(10)][-1])


def at_the_limit(depth, objects):
    if depth > 0:
        return at_the_limit(depth - 1, objects)
    try:
        return len(objects)
    except RecursionError as e:
        return type(e).__name__


def deepest():
    # Deeper and deeper until the recursion or the call fails.
    depth = 1
    while True:
        try:
            result = at_the_limit(depth, [1, 2, 3])
        except RecursionError:
            return "the recursion failed first"
        if result != 3:
            return "the call failed first: " + result
        depth += 1


limit = sys.getrecursionlimit()
sys.setrecursionlimit(120)
try:
    print(deepest())
finally:
    sys.setrecursionlimit(limit)
