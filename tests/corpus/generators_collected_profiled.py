# tuple(), list() and set() of a generator, called from compiled code at
# sites the interpreter specialised (PRECALL_NO_KW_TUPLE_1,
# PRECALL_BUILTIN_CLASS): the generator's items are collected by resuming
# it natively. Each site warms up, then meets: a generator that raises
# midway (its traceback), one that raises StopIteration (PEP 479), one
# already running (ValueError), finished and closed ones, one that
# returns a value, items whose __hash__ prints (interleaved with the
# generator's own prints, as set() adds each item when it arrives), an
# unhashable item, an item whose __hash__ raises, non-generator iterables,
# other classes at the class site, the names rebound, tracing, and deep
# recursion through generators.
# threshold: 30
# expect-stats: generators_collected>50
import sys
import traceback


def squares(n):
    return tuple(i * i for i in range(n))


def evens(n):
    return list(i for i in range(n) if i % 2 == 0)


def residues(n, m):
    return set(i % m for i in range(n))


def collect(cls, iterable):
    return cls(iterable)


for n in range(40):
    warm = (squares(n), evens(n), residues(n, 7), collect(list, (c for c in "ab")), sorted(collect(set, (c for c in "ab"))))
print("warm", warm)


def raising(n):
    for i in range(n):
        if i == 3:
            raise KeyError(i)
        yield i


for cls in (tuple, list, set):
    try:
        collect(cls, raising(10))
    except KeyError:
        traceback.print_exc(file=sys.stdout)


def stop_iteration():
    yield 1
    raise StopIteration("inside")


for cls in (tuple, list, set):
    try:
        collect(cls, stop_iteration())
    except RuntimeError as error:
        print(cls.__name__, "RuntimeError", error, repr(error.__cause__))


def reentrant():
    yield 1
    yield tuple(me)


me = reentrant()
try:
    tuple(me)
except ValueError as error:
    print("ValueError", error)

finished = (i for i in range(3))
print("first", collect(list, finished), "again", collect(tuple, finished), collect(set, finished))
closed = (i for i in range(3))
next(closed)
closed.close()
print("closed", collect(tuple, closed))


def returns_value():
    yield "x"
    return "ignored"


print("return value", collect(tuple, returns_value()), collect(list, returns_value()), collect(set, returns_value()))


class Noisy:
    def __init__(self, value):
        self.value = value

    def __hash__(self):
        print("hash", self.value)
        return hash(self.value)

    def __eq__(self, other):
        return isinstance(other, Noisy) and other.value == self.value

    def __repr__(self):
        return "Noisy(%r)" % self.value


def noisy(n):
    for i in range(n):
        print("make", i)
        yield Noisy(i % 2)


print("interleaved", sorted(collect(set, noisy(4)), key=lambda x: x.value))
try:
    collect(set, ([i] for i in range(2)))
except TypeError as error:
    print("unhashable", error)


class BadHash:
    def __hash__(self):
        raise ArithmeticError("no hash")


try:
    collect(set, (BadHash() for _ in range(2)))
except ArithmeticError as error:
    print("bad hash", error)

print("other iterables", collect(tuple, [1, 2]), collect(list, iter((3, 4))), sorted(collect(set, "aab")), collect(tuple, {5: 6}))
print("other classes", collect(frozenset, (i for i in range(3))), collect(dict, ((i, i) for i in range(2))))
print("str", collect(str, (i for i in range(2)))[:20])

tuple, list = list, tuple
print("rebound", squares(4), evens(5))
tuple, list = list, tuple
del tuple, list
print("restored", squares(4), evens(5))

calls = []
sys.settrace(lambda frame, event, arg: calls.append(event) or None)
print("traced", squares(3), residues(5, 2))
sys.settrace(None)
print("events", len(calls))


def nested(depth):
    if depth == 0:
        return ()
    return tuple(x for x in (depth,) + nested(depth - 1))


print("nested", len(nested(200)))
try:
    nested(100000)
except RecursionError:
    print("RecursionError")
print("after", squares(5), evens(5), residues(10, 3))
