# Calls from compiled code to Python functions that push the callee's frame
# themselves (runtime::direct) and run it natively or in the interpreter:
# positional calls, methods, closures, frames that escape (sys._getframe,
# tracebacks, locals()), exceptions through several levels, recursion to
# RecursionError on the main thread and in threads with small stacks (one
# too small to compile on), and every case that takes the generic path
# instead (keywords, keyword-only parameters, wrong argument counts,
# generators, tracing). Defaults, *args and **kwargs are bound by the direct
# path for positional calls, also made with f(*args). Classes made by
# object.__new__ with a Python __init__ are constructed without type_call.
# Positional calls that bind (with defaults) enter the callee's compiled code
# without the runtime (helpers::frames::enter_compiled): locals whose
# finalizers run as its frame is popped (and see the caller as the running
# frame), exceptions leaving it, defaults, and calls it declines (too few or
# too many arguments, tracing, RecursionError, a full data-stack chunk).
# expect-stats: direct_calls>1000
import sys
import threading
import traceback


def add(a, b):
    return a + b


def loop(n):
    total = 0
    for i in range(n):
        total = add(total, i)
    return total


class Counter:
    def __init__(self):
        self.count = 0

    def bump(self, by):
        self.count = self.count + by
        return self.count


def make_adder(k):
    def adder(x):
        return x + k
    return adder


def escape(a):
    return sys._getframe()


def local_names(a, b):
    c = a * b
    return sorted(locals().items())


def fail(depth):
    if depth == 0:
        raise ValueError("bottom")
    return fail(depth - 1)


def depth(n):
    return 0 if n == 0 else 1 + depth(n - 1)


class Noisy:
    def __init__(self, name):
        self.name = name

    def __del__(self):
        print("released", self.name, "while", sys._getframe(1).f_code.co_name, "runs")


def holds_noisy(n, fail):
    keep = Noisy("local %d" % n)
    if fail:
        raise KeyError(n)
    return n


def bound_and_plain_methods():
    # A bound method object takes the generic path (it unpacks it); the same
    # function called plainly enters its native code without the runtime.
    c = Counter()
    bump = c.bump
    return [bump(i) for i in range(3)], [Counter.bump(c, i) for i in range(3)], c.count


def defaults_changing():
    results = []
    for defaults in [(10,), (20,), None, (1, 2), (7,)]:
        with_default.__defaults__ = defaults
        try:
            results.append([with_default(i) for i in range(3)])
        except TypeError as e:
            results.append(str(e))
    with_default.__defaults__ = (10,)
    return results


def finalizers_on_return():
    results = []
    for i in range(3):
        try:
            results.append(holds_noisy(i, i == 1))
        except KeyError as e:
            results.append("KeyError %s" % e)
    return results


def with_default(a, b=10):
    return a + b


def many(a, b=2, c=3, *rest, **options):
    return a, b, c, rest, options


def star_only(*args):
    return args


def keyword_only(a, *, k=5):
    return a + k


class Plain:
    def __init__(self, x, y=2, *more):
        self.x, self.y, self.more = x, y, more

    def __repr__(self):
        return f"Plain({self.x}, {self.y}, {self.more})"


class Failing:
    def __init__(self, x):
        raise KeyError(x)


class ReturnsValue:
    def __init__(self):
        return 5


class WithNew:
    def __new__(cls, x):
        obj = super().__new__(cls)
        obj.made_by = "new"
        return obj

    def __init__(self, x):
        self.x = x


class ListChild(list):
    def __init__(self, x):
        super().__init__([x, x])


class Meta(type):
    def __call__(cls, *args):
        return ("metaclass call", args)


class WithMeta(metaclass=Meta):
    def __init__(self, x):
        self.x = x


class NoInit:
    pass


class Slots:
    __slots__ = ("a",)

    def __init__(self, a):
        self.a = a


def construct_all():
    out = [Plain(1), Plain(1, 3), Plain(1, 3, 4, 5), WithNew(2).made_by, ListChild(3), WithMeta(4), Slots(5).a]
    out.append(type(NoInit()).__name__)
    for cls, args in ((Failing, (1,)), (ReturnsValue, ()), (NoInit, (1,)), (Plain, ())):
        try:
            cls(*args)
        except (KeyError, TypeError) as e:
            out.append(f"{type(e).__name__}: {e}")
    return out


def star_calls(values):
    # CALL_FUNCTION_EX of Python functions: positional tuples go direct.
    out = [add(*values[:2]), with_default(*values[:1]), many(*values), star_only(*values),
           many(*values, **{}), add(*list(values[:2])), add(*(v for v in values[:2]))]
    for bad in [values[:1], values[:5]]:
        try:
            add(*bad)
        except TypeError as e:
            out.append("TypeError: %s" % e)
    try:
        keyword_only(*values[:2])
    except TypeError as e:
        out.append("TypeError: %s" % e)
    out.append(keyword_only(*values[:1], **{"k": 9}))
    out.append(list(gen(*values[:1])))
    return out


def gen(n):
    yield from range(n)


def traced_inner(x):
    return x * 2


def main():
    print("loop", loop(2000))
    print("star calls", star_calls((1, 2, 3, 4, 5)), star_calls([6, 7, 8, 9, 10])[:3])
    c = Counter()
    print("methods", [c.bump(i) for i in range(5)][-1], c.count)
    adder = make_adder(7)
    print("closure", [adder(i) for i in range(3)])
    f = escape(5)
    print("escaped frame", f.f_locals, f.f_back.f_code.co_name, f.f_lineno, f.f_code.co_name)
    print("locals", local_names(3, 4))
    try:
        fail(5)
    except ValueError as e:
        frames = [(fr.f_code.co_name, line) for fr, line in traceback.walk_tb(e.__traceback__)]
        print("traceback", frames)
        print("f_back of the last frame", list(traceback.walk_tb(e.__traceback__))[-1][0].f_back.f_code.co_name)
    print("depth", depth(300))
    print("finalizers", finalizers_on_return())
    print("bound and plain methods", bound_and_plain_methods())
    print("defaults changing", defaults_changing())
    try:
        depth(10 ** 6)
    except RecursionError as e:
        print("RecursionError:", e)
    print("depth again", depth(100))
    print("defaults and keywords", with_default(1), with_default(1, 2), with_default(a=1, b=3), add(*(1, 2)))
    print("generator", list(gen(4)))
    for _ in range(3):
        print("construct", construct_all())
    Plain.__init__ = lambda self, x, y=0, *more: setattr(self, "x", -x)
    print("__init__ replaced", Plain(7).x)
    try:
        Failing(9)
    except KeyError:
        traceback.print_exc(file=sys.stdout)
    for _ in range(3):
        print("bound", many(1), many(1, 5), many(1, 5, 6), many(1, 5, 6, 7, 8), star_only(), star_only(1, 2))
    print("keyword-only", keyword_only(1), keyword_only(1, k=2))
    for bad in ((), (1, 2, 3)):
        try:
            keyword_only(*bad)
        except TypeError as e:
            print("TypeError:", e)
    try:
        add(1)
    except TypeError as e:
        print("TypeError:", e)
    swapped = add
    swapped.__code__ = (lambda a, b: a * b).__code__
    print("code swapped", swapped(3, 4))

    def tracer(frame, event, arg):
        if event == "call":
            print("trace", frame.f_code.co_name)
        return None
    sys.settrace(tracer)
    traced_inner(1)
    sys.settrace(None)
    print("after tracing", traced_inner(2))

    def fresh_depth(n):
        return 0 if n == 0 else fresh_depth(n - 1) + 1

    # In a 256 KiB thread compiled recursion meets RecursionError; a 64 KiB
    # thread is too small to compile on: code first run there stays
    # interpreted (Cranelift would overflow it), and its recursion too ends
    # in RecursionError, not a crash.
    for stack_kib, recurse, shallow in [(256, depth, 200), (64, fresh_depth, 20)]:
        print("thread of %d KiB" % stack_kib, recursion_in_thread(stack_kib, recurse, shallow))


def recursion_in_thread(stack_kib, recurse, shallow):
    results = []

    def run():
        try:
            recurse(10 ** 6)
        except RecursionError:
            results.append("RecursionError")
        results.append(recurse(shallow))
    threading.stack_size(stack_kib * 1024)
    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    threading.stack_size(0)
    return results

main()
