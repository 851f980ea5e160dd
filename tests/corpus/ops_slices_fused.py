# BUILD_SLICE run as one with the subscript, store or delete after it
# (optimization slice-subscripts): exact lists, tuples and strs sliced by
# ints or None without a slice object, at every kind of bound (None,
# negative, past either end, beyond a C ssize_t, multi-digit) and step (1,
# other, negative, huge, zero); the objects CPython hands back (a tuple or
# str taken whole, the empty tuple and str, new lists of the same size);
# everything else through a real slice object (bools and __index__ bounds,
# subclasses with their own __getitem__/__setitem__, bytes, ranges, user
# classes that keep the slice); errors with their tracebacks and lines,
# caught in the function and escaping it; stores of lists, tuples,
# generators and the list itself, extended-slice stores and deletes; a
# container whose last reference the subscript holds; one site that meets
# lists, tuples, strs and others in turn.
import sys
import traceback


BOUNDS = (None, 0, 1, 2, -1, -2, 5, -7, 2**40, -2**40, 10**30, -10**30)
STEPS = (None, 1, 2, 3, -1, -2, -3, 10**30, -10**30)


def cut(seq, a, b):
    return seq[a:b]


def cut_step(seq, a, b, c):
    return seq[a:b:c]


def heads_and_tails(seq):
    return seq[:], seq[1:], seq[:-1], seq[::-1], seq[::2], seq[-3:], seq[:100]


for seq in ([1, 2, 3, 4, 5], (1, 2, 3, 4, 5), "hello", [], (), "", "h\xe9llo\u20ac\U0001f600", [None] * 3):
    rows = []
    for a in BOUNDS:
        for b in BOUNDS:
            rows.append(cut(seq, a, b))
    print(type(seq).__name__, len(rows), rows[:6], rows[-6:], sum(len(r) for r in rows))
    rows = []
    for a in BOUNDS[:6]:
        for b in BOUNDS[:6]:
            for c in STEPS:
                rows.append(cut_step(seq, a, b, c))
    print(type(seq).__name__, len(rows), rows[::25], sum(len(r) for r in rows))
    print(heads_and_tails(seq))


EMPTY_TUPLE, EMPTY_STR = tuple(), str()


def identities(t, s, items):
    return (t[:] is t, t[0:len(t)] is t, t[::1] is t, s[:] is s, s[0:] is s, s[::1] is s,
            t[3:1] is EMPTY_TUPLE, s[5:2] is EMPTY_STR, t[len(t):] is EMPTY_TUPLE, s[len(s):] is EMPTY_STR,
            items[:] is items, items[:] == items, type(items[::-1]) is list,
            sys.getsizeof(items[::2]) == sys.getsizeof([0] * len(items[::2])))


for t, s in (((1, 2, 3), "abc"), ((), ""), ((1,), "x"), (tuple(range(50)), "y" * 50)):
    print(identities(t, s, list(t)))


class Index:
    def __init__(self, value):
        self.value = value

    def __index__(self):
        print("  __index__", self.value)
        return self.value


class KeepsSlices:
    def __init__(self):
        self.seen = []

    def __getitem__(self, key):
        self.seen.append(key)
        return key

    def __setitem__(self, key, value):
        self.seen.append((key, value))

    def __delitem__(self, key):
        self.seen.append(("del", key))


class MyList(list):
    def __getitem__(self, key):
        print("  MyList.__getitem__", key)
        return list.__getitem__(self, key)

    def __setitem__(self, key, value):
        print("  MyList.__setitem__", key, value)
        list.__setitem__(self, key, value)


class MyStr(str):
    pass


class MyTuple(tuple):
    pass


def through_objects(seq, a, b):
    return seq[a:b], seq[a:b:1], seq[b:a:-1]


for seq, a, b in ((list(range(6)), True, 4), ([1, 2, 3], Index(1), Index(-1)), ((1, 2, 3), False, True),
                  ("abcdef", Index(2), None), (MyList([1, 2, 3, 4]), 1, 3), (MyStr("abcdef"), 1, 4),
                  (MyTuple((1, 2, 3)), 0, 2), (b"bytes!", 1, 4), (bytearray(b"array"), 1, 3),
                  (range(10), 2, 8), (memoryview(b"view"), 1, 3)):
    result = through_objects(seq, a, b)
    print(type(seq).__name__, [bytes(r) if isinstance(r, memoryview) else r for r in result], [type(r).__name__ for r in result])

keeper = KeepsSlices()
print(through_objects(keeper, 1, 2), keeper.seen, keeper.seen[0] == slice(1, 2))


def store(target, a, b, value):
    target[a:b] = value
    return target


def store_step(target, a, b, c, value):
    target[a:b:c] = value
    return target


def delete(target, a, b, c=None):
    del target[a:b:c]
    return target


print(store([1, 2, 3, 4, 5], 1, 3, ["a", "b", "c"]))
print(store([1, 2, 3, 4, 5], -2, None, ("x",)))
print(store([1, 2, 3, 4, 5], 10**30, -10**30, (i * i for i in range(3))))
print(store([1, 2, 3], 4, 1, "zz"))
items = [1, 2, 3]
print(store(items, None, None, items), store(items, 1, 2, items))
print(store_step([0] * 6, None, None, 2, "abc"), store_step([0] * 6, None, None, -1, range(6)))
print(store_step([0] * 6, 1, 4, 1, "xyzw"), store_step(list(range(5)), None, None, None, []))
print(delete(list(range(10)), 2, 5), delete(list(range(10)), None, None, 3), delete(list(range(10)), -3, None, -1))
print(delete(list(range(10)), 5, 2), delete([], None, None))
print(store(MyList([1, 2, 3]), 0, 1, [7]), delete(bytearray(b"abcdef"), 1, 3))
keeper = KeepsSlices()
store(keeper, 1, None, "v")
delete(keeper, None, 2, -1)
print(keeper.seen)

for call in (lambda: cut([1, 2], "a", 1), lambda: cut("ab", 1.5, None), lambda: cut_step([1, 2], 0, 1, 0),
             lambda: cut_step((1, 2), None, None, "s"), lambda: store((1, 2), 0, 1, [3]), lambda: store("ab", 0, 1, "c"),
             lambda: store([1, 2], 0, 1, 5), lambda: store_step([1, 2, 3], None, None, 2, [1, 2, 3]),
             lambda: delete((1, 2), 0, 1), lambda: delete("abc", None, None), lambda: cut(None, 1, 2),
             lambda: cut([1], Index("no"), 1), lambda: store([1, 2], Index(0), Index(1), iter(lambda: 1 / 0, 2))):
    try:
        call()
    except Exception:
        traceback.print_exc(file=sys.stdout)


def spread_over_lines(seq, a, b):
    return (seq[
        a:
        b
    ])


for a in (1, "one"):
    try:
        print(spread_over_lines([1, 2, 3], a, 2))
    except TypeError:
        traceback.print_exc(file=sys.stdout)


def caught(rows, bounds):
    out = []
    for row, (a, b) in zip(rows, bounds):
        try:
            out.append(row[a:b])
        except TypeError as error:
            out.append(str(error))
        except ValueError as error:
            out.append(("value", str(error)))
    return out


print(caught([[1, 2, 3], (4, 5), "six", {7: 8}, [9]], [(0, 2), (None, 1), ("x", 2), (0, 1), (Index(0), Index(1))]))


class Noisy:
    def __init__(self, name):
        self.name = name

    def __del__(self):
        print("  del", self.name)


def fresh():
    return [Noisy("a"), Noisy("b"), Noisy("c")]


def last_reference():
    head = fresh()[:1]
    print("  kept", [n.name for n in head])
    middle = tuple(fresh())[1:2]
    print("  kept", [n.name for n in middle])
    del head, middle
    print("  released")


last_reference()


def one_site(values):
    return [v[1:3] for v in values]


print(one_site([[1, 2, 3, 4], (1, 2, 3, 4), "1234", b"1234", MyList([1, 2, 3, 4]), range(4), KeepsSlices()]))
print(one_site(["ab", [1], (), "abcd" * 3]))


def in_loop(n):
    data = list(range(20))
    text = "abcdefghijklmnopqrstuvwxyz"
    total = 0
    for i in range(n):
        window = data[i % 7:i % 7 + 5]
        total += sum(window) + len(text[i % 5:-(i % 3) - 1]) + len(data[::-(i % 4 + 1)])
        data[i % 3:i % 3 + 2] = data[i % 5:i % 5 + 2]
    return total, data


print(in_loop(200))
