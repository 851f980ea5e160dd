# Subscripts and slices: BINARY_SUBSCR, STORE_SUBSCR, DELETE_SUBSCR,
# BUILD_SLICE (2 and 3 args) on lists, tuples, strings, bytes, dicts,
# ranges and custom __getitem__/__setitem__/__delitem__/__missing__/
# __class_getitem__/__index__; KeyError / IndexError / TypeError messages.


class Grid:
    def __init__(self):
        self.cells = {}
        self.log = []

    def __getitem__(self, key):
        self.log.append("get %r" % (key,))
        if isinstance(key, slice):
            return "slice(%r, %r, %r)" % (key.start, key.stop, key.step)
        if key not in self.cells:
            raise KeyError(key)
        return self.cells[key]

    def __setitem__(self, key, value):
        self.log.append("set %r" % (key,))
        self.cells[key] = value

    def __delitem__(self, key):
        self.log.append("del %r" % (key,))
        del self.cells[key]


class DefaultingDict(dict):
    def __missing__(self, key):
        return "missing:%s" % (key,)


class Index:
    def __init__(self, v):
        self.v = v

    def __index__(self):
        return self.v


class Generic:
    def __class_getitem__(cls, item):
        return "%s[%s]" % (cls.__name__, getattr(item, "__name__", item))


def list_ops():
    xs = list(range(10))
    out = [xs[0], xs[-1], xs[3:7], xs[::3], xs[::-2], xs[-3:], xs[:-8], xs[Index(2)]]
    xs[0] = "zero"
    xs[-1] = "last"
    xs[2:5] = ["a", "b"]
    xs[::2] = list("ABCDE")[: len(xs[::2])]
    del xs[1]
    del xs[::3]
    out.append(xs)
    ys = [1, 2, 3]
    ys[1:1] = [10, 11]
    ys[len(ys):] = [99]
    del ys[:2]
    out.append(ys)
    return out


def tuple_str_bytes_range():
    t = (1, 2, 3, 4, 5)
    s = "hello world"
    b = b"bytes!"
    r = range(0, 100, 7)
    return [t[1], t[1:3], t[::-1], s[0], s[-5:], s[::2], b[0], b[1:3], r[3], r[2:5], r[-1],
            memoryview(b)[2], bytearray(b"xyz")[1]]


def dict_ops():
    d = {"a": 1, (1, 2): "tuple key", 3: "int key", None: "none key", 2.5: "float"}
    out = [d["a"], d[(1, 2)], d[3], d[None], d[2.5], d[1, 2]]
    d["b"] = 2
    d[(1, 2)] = "replaced"
    del d[None]
    out.append(sorted(map(repr, d)))
    dd = DefaultingDict(x=1)
    out += [dd["x"], dd["y"], len(dd)]
    return out


def custom_container():
    g = Grid()
    g[0, 0] = "origin"
    g["k"] = "v"
    out = [g[0, 0], g["k"], g[1:2], g[::3], g[1:2:3]]
    del g["k"]
    try:
        g["k"]
    except KeyError as e:
        out.append("KeyError %s" % e)
    out.append(g.log)
    out.append(Generic[int])
    out.append(Generic["x"])
    return out


def augmented_subscripts():
    counts = {}
    for word in "a b a c b a".split():
        counts[word] = counts.get(word, 0) + 1
    grid = [[0] * 3 for _ in range(3)]
    for i in range(3):
        grid[i][i] += i + 1
        grid[i][-1] -= 1
    nested = {"k": [1, 2, {"deep": 10}]}
    nested["k"][2]["deep"] *= 3
    nested["k"][0:2] = []
    return sorted(counts.items()), grid, nested


def errors():
    pair = [1, 2]
    five = 5
    nothing = None
    cases = [
        lambda: [1, 2, 3][3],
        lambda: [1, 2, 3][-4],
        lambda: (1,)[5],
        lambda: "abc"[10],
        lambda: {}["missing"],
        lambda: {"a": 1}[("t", 1)],
        lambda: pair["x"],
        lambda: pair[1.0],
        lambda: (1, 2)[None:"x"],
        lambda: five[0],
        lambda: nothing["key"],
        lambda: {[1]: 2},
        lambda: {}[[1, 2]],
        lambda: range(3)[3],
        lambda: b"ab"[2],
        lambda: Grid()["nothing"],
        lambda: "abc".__getitem__(slice(None, None, 0)),
    ]
    out = []
    for case in cases:
        try:
            case()
        except (IndexError, KeyError, TypeError, ValueError) as e:
            out.append("%s: %s" % (type(e).__name__, e))
    return out


def store_errors():
    out = []
    t = (1, 2)
    try:
        t[0] = 5
    except TypeError as e:
        out.append(str(e))
    s = "abc"
    try:
        s[0] = "x"
    except TypeError as e:
        out.append(str(e))
    lst = [1, 2, 3]
    try:
        lst[5] = 0
    except IndexError as e:
        out.append(str(e))
    try:
        del lst[7]
    except IndexError as e:
        out.append(str(e))
    try:
        lst[::2] = [1, 2, 3]
    except ValueError as e:
        out.append(str(e))
    d = {}
    try:
        del d["gone"]
    except KeyError as e:
        out.append("KeyError %s" % e)
    try:
        del t[0]
    except TypeError as e:
        out.append(str(e))
    return out


def lookup(mapping, key):
    return mapping[key]


def caller(mapping, key):
    try:
        return lookup(mapping, key)
    except LookupError as e:
        return "caller caught %s: %s" % (type(e).__name__, e)


print(list_ops())
print(tuple_str_bytes_range())
print(dict_ops())
print(custom_container())
print(augmented_subscripts())
for line in errors():
    print(line)
print(store_errors())
print(caller({"a": 1}, "a"), caller({"a": 1}, "b"), caller([1], 3), caller("xy", -1))
inventory = {"apples": 3, "pears": 0}
print(lookup(inventory, "apples"))
print(lookup(inventory, "bananas"))
