# Unpacking: UNPACK_SEQUENCE (tuple/list fast paths and generic iterators),
# UNPACK_EX (starred targets at every position), nested targets, unpacking
# into attributes/subscripts/globals/cells, for-loop targets, swaps (SWAP /
# COPY), and the ValueError / TypeError messages for wrong counts and
# non-iterables -- caught locally, by a caller and uncaught at the end.


class Box:
    pass


class Countdown:
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        n = self.n
        while n > 0:
            yield n
            n -= 1


shared = None


def basic():
    a, b = 1, 2
    c, d, e = [3, 4, 5]
    f, g = "xy"
    h, i = {"k1": 0, "k2": 0}
    j, k, l = range(3)
    m, n = Countdown(2)
    (o, p), q = (6, 7), 8
    [r, [s, t]] = [9, (10, 11)]
    u, = [12]
    (v,) = (13,)
    return a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v


def starred():
    first, *rest = [1, 2, 3, 4]
    *init, last = (1, 2, 3, 4)
    head, *middle, tail = "abcdef"
    a, b, *empty = [1, 2]
    *only, = range(3)
    x, *ys, z = Countdown(5)
    (p, *q), *r = [1, 2, 3], 4, 5
    return first, rest, init, last, head, middle, tail, a, b, empty, only, x, ys, z, p, q, r


def into_targets():
    global shared
    box = Box()
    d = {}
    lst = [0, 0, 0]
    cell = None

    def read_cell():
        return cell

    box.x, d["k"], lst[1], shared, cell = "attr", "item", "slot", "global", "cell"
    box.y, *lst[0:1] = 1, 2, 3
    return box.x, box.y, d, lst, shared, read_cell()


def swaps():
    a, b, c = 1, 2, 3
    a, b = b, a
    a, b, c = c, a, b
    lst = [10, 20, 30]
    lst[0], lst[2] = lst[2], lst[0]
    i = 0
    i, lst[i] = 1, "set"   # order of evaluation: i is rebound before lst[i]
    return a, b, c, lst, i


def loops():
    out = []
    for k, v in sorted({"b": 2, "a": 1}.items()):
        out.append(k * v)
    for i, (x, y) in enumerate([(1, 2), (3, 4)]):
        out.append(i + x * y)
    for first, *rest in ["abc", "de", "f"]:
        out.append((first, rest))
    return out


def errors():
    cases = [
        ("too many values", lambda: unpack2([1, 2, 3])),
        ("not enough values", lambda: unpack2([1])),
        ("empty", lambda: unpack2([])),
        ("too many from str", lambda: unpack2("abc")),
        ("too many from iterator", lambda: unpack2(iter(range(5)))),
        ("not enough from generator", lambda: unpack2(Countdown(1))),
        ("not iterable int", lambda: unpack2(5)),
        ("not iterable None", lambda: unpack2(None)),
        ("starred not enough", lambda: unpack_ex([1])),
        ("starred not enough 2", lambda: unpack_ex((1, 2))),
        ("starred not iterable", lambda: unpack_ex(3.5)),
        ("dict too many", lambda: unpack2({1: 0, 2: 0, 3: 0})),
        ("nested", lambda: unpack_nested([1, [2]])),
    ]
    out = []
    for label, fn in cases:
        try:
            out.append("%s = %r" % (label, fn()))
        except (ValueError, TypeError) as e:
            out.append("%s -> %s: %s" % (label, type(e).__name__, e))
    return out


def unpack2(seq):
    a, b = seq
    return a, b


def unpack_ex(seq):
    a, *b, c, d = seq
    return a, b, c, d


def unpack_nested(seq):
    a, (b, c) = seq
    return a, b, c


def local_handler():
    try:
        x, y = (1, 2, 3)
    except ValueError as e:
        return "handled locally: %s" % e
    return x, y


def parse_pairs(lines):
    result = {}
    for line in lines:
        key, value = line.split("=")
        result[key] = value
    return result


print(basic())
print(starred())
print(into_targets())
print(swaps())
print(loops())
for line in errors():
    print(line)
print(local_handler())
print(parse_pairs(["a=1", "b=2"]))
try:
    parse_pairs(["a=1", "broken"])
except ValueError as e:
    print("caller caught:", e)
print(parse_pairs(["x=1", "y=2=3"]))
