# threshold: 30
# Truth tests (if, while, not, and/or, conditional expressions) of the
# values compiled code answers inline: True, False, None, and exact ints
# (zero, negative, past one digit), lists, tuples and dicts, empty or not,
# borrowed from locals or owned temporaries released by the test; and of
# everything that takes PyObject_IsTrue: strs, floats, sets, subclasses of
# int, list, tuple and dict with their own __bool__ or __len__, objects
# whose __bool__ or __len__ raises or returns a bad value, inside a leaf
# function (its frameless variant) and in loops.
import traceback


class Falsy(int):
    def __bool__(self):
        return False


class Long(list):
    def __len__(self):
        return 0


class Pair(tuple):
    def __bool__(self):
        return False


class Counted(dict):
    def __len__(self):
        return 1


class Plain:
    def __repr__(self):
        return "Plain()"


class Raises:
    def __bool__(self):
        raise ValueError("no truth")


class BadLen:
    def __len__(self):
        return -1


class NotBool:
    def __bool__(self):
        return 1


VALUES = [
    True, False, None, 0, 1, -1, 2 ** 40, -(2 ** 70), [], [0], (), (None,), {}, {0: 0},
    "", "x", 0.0, -0.0, 1.5, set(), {1}, Falsy(3), Long([1]), Pair((1,)), Counted(), Plain(),
]
ERRORS = [Raises(), BadLen(), NotBool()]


def leaf(v):
    return 1 if v else 0


def negated(v):
    return not v


def either(v, w):
    return v or w


def both(v, w):
    return v and w


def counted(values):
    n = 0
    for v in values:
        if v:
            n += 1
    return n


def fresh(size):
    return [0] * size


def owned(size):
    hits = 0
    for i in range(size):
        if fresh(i % 3):
            hits += 1
        if (i % 2, ) if i % 3 else ():
            hits += 10
        if {i: i} if i % 4 else {}:
            hits += 100
    return hits


def drained(items):
    rounds = 0
    while items:
        items.pop()
        rounds += 1
    return rounds


def show(label, function, *args):
    try:
        print(label, repr(function(*args)))
    except Exception as error:
        print(label, type(error).__name__, error)
        traceback.print_exc(limit=2)


for _ in range(40):
    for value in VALUES:
        leaf(value)
        negated(value)
    counted(VALUES)
for value in VALUES + ERRORS:
    show("leaf(%r)" % (type(value).__name__,), leaf, value)
    show("negated(%r)" % (type(value).__name__,), negated, value)
    show("either", either, value, "w")
    show("both", both, value, "w")
print(counted(VALUES), counted(VALUES * 3))
show("counted errors", counted, VALUES + ERRORS)
print(owned(50), owned(200))
print(drained(list(range(100))), drained([]))
