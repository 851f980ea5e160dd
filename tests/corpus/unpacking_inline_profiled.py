# UNPACK_SEQUENCE inline: functions compile at their 30th call, after the
# interpreter specialised their unpacks for two-tuples, tuples or lists,
# then meet the other sequence kinds, wrong lengths (ValueError text),
# subclasses, iterators, strings and non-iterables; items keep their own
# references (reference counts and finalizers are printed).
# threshold: 30
import sys

WARM = 40


class Tracked:
    def __init__(self, name):
        self.name = name

    def __del__(self):
        print("  del", self.name)


class MyTuple(tuple):
    def __iter__(self):
        print("  MyTuple.__iter__")
        return super().__iter__()


class MyList(list):
    pass


def two(pair):
    a, b = pair
    return a, b


def three(triple):
    x, y, z = triple
    return z, y, x


def nested(rows):
    total = 0
    for (a, b), [c, d] in rows:
        total += a * d - b * c
    return total


def attempt(f, arg):
    try:
        return f(arg)
    except (ValueError, TypeError) as error:
        return "%s: %s" % (type(error).__name__, error)


def main():
    for _ in range(WARM):
        two((1, 2))
        three([1, 2, 3])
        nested([((1, 2), [3, 4]), ((5, 6), [7, 8])])
    cases = [(1, 2), [3, 4], "ab", MyTuple((5, 6)), MyList([7, 8]), iter((9, 10)), range(2),
             (1, 2, 3), [1], (), 5, None, {"k": 1, "j": 2}]
    for case in cases:
        print("two", attempt(two, case))
        print("three", attempt(three, case if not isinstance(case, tuple) or len(case) != 2 else case + (0,)))
    print("nested", nested([((1, 2), [3, 4]), ([5, 6], (7, 8)), ("ab", "cd")][:2]))
    print("nested bad", attempt(nested, [((1, 2), [3, 4, 5])]))
    item = Tracked("item")
    pair = (item, Tracked("other"))
    before = sys.getrefcount(item)
    for _ in range(100):
        a, b = two(pair)
    del a, b
    print("refcount unchanged:", sys.getrefcount(item) == before)
    del pair
    print("pair dropped")
    del item
    print("done")


main()
