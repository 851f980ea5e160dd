# Binary operators on non-numeric builtins: str concatenation / repetition /
# %-formatting, list and tuple concatenation and repetition, set algebra,
# dict union, bytes and bytearray; the TypeError messages for unsupported
# operand types ("can only concatenate str (not "int") to str", "can't
# multiply sequence by non-int of type 'float'", ...), MemoryError-free
# OverflowError for huge repetition, and str % errors.


def show(label, fn):
    try:
        r = fn()
    except (TypeError, ValueError, OverflowError, KeyError, MemoryError) as e:
        print("%-28s -> %s: %s" % (label, type(e).__name__, e))
    else:
        print("%-28s = %r" % (label, r))


def strings():
    a, b, n = "abc", "XY", 3
    show("str + str", lambda: a + b)
    show("str * int", lambda: a * n)
    show("int * str", lambda: n * b)
    show("str * 0", lambda: a * 0)
    show("str * -2", lambda: a * -2)
    show("str * True", lambda: a * True)
    show("str + int", lambda: a + n)
    show("int + str", lambda: n + a)
    show("str * float", lambda: a * 2.0)
    show("str * str", lambda: a * b)
    show("str - str", lambda: a - b)
    show("str / int", lambda: a / 2)
    show("str % tuple", lambda: "%s-%d-%.2f-%r-%x-%o-%e" % ("s", 42, 3.14159, "r", 255, 8, 12345.678))
    show("str % dict", lambda: "%(name)s is %(age)d" % {"name": "Ann", "age": 7})
    show("str % single", lambda: "value: %s" % [1, 2])
    show("str % too few", lambda: "%s %s" % ("only one",))
    show("str % too many", lambda: "%s" % (1, 2))
    show("str % bad type", lambda: "%d" % "x")
    show("str % missing key", lambda: "%(k)s" % {})
    show("str % bad char", lambda: "%y" % 1)
    show("str % percent", lambda: "100%% of %s" % "it")
    show("str % width", lambda: "[%5s|%-5s|%05d|%+d]" % ("r", "l", 42, 7))
    show("str * huge", lambda: "ab" * (2 ** 62))
    s = ""
    for i in range(5):
        s += str(i)   # the in-place concatenation fast path
        s = s + "-"
    show("accumulated", lambda: s)


def sequences():
    lst, tup = [1, 2], (3, 4)
    show("list + list", lambda: lst + [5])
    show("list * int", lambda: lst * 3)
    show("int * list", lambda: 2 * lst)
    show("tuple + tuple", lambda: tup + (5,))
    show("tuple * int", lambda: tup * 2)
    show("list + tuple", lambda: lst + tup)
    show("tuple + list", lambda: tup + lst)
    show("list * float", lambda: lst * 1.5)
    show("list - list", lambda: lst - lst)
    show("list * -1", lambda: lst * -1)
    show("range + range", lambda: range(2) + range(3))
    show("bytes + bytes", lambda: b"ab" + b"cd")
    show("bytes * int", lambda: b"ab" * 3)
    show("bytes + str", lambda: b"ab" + "cd")
    show("bytes % tuple", lambda: b"%s=%d" % (b"k", 5))
    show("bytearray + bytes", lambda: bytearray(b"x") + b"y")
    show("list * huge", lambda: [None] * (2 ** 62))
    show("tuple of lists *", lambda: ([0],) * 3)


def sets_and_dicts():
    s1, s2 = {1, 2, 3, 4}, {3, 4, 5}
    show("set | set", lambda: sorted(s1 | s2))
    show("set & set", lambda: sorted(s1 & s2))
    show("set - set", lambda: sorted(s1 - s2))
    show("set ^ set", lambda: sorted(s1 ^ s2))
    show("frozenset | set", lambda: sorted(frozenset(s1) | s2))
    show("type(fs | set)", lambda: type(frozenset(s1) | s2).__name__)
    show("set + set", lambda: s1 + s2)
    show("set | list", lambda: s1 | [1])
    show("keys & set", lambda: sorted({1: 0, 2: 0}.keys() & {2, 3}))
    show("keys | list", lambda: sorted({1: 0}.keys() | [5]))
    d1, d2 = {"a": 1, "b": 2}, {"b": 20, "c": 30}
    show("dict | dict", lambda: d1 | d2)
    show("dict | list", lambda: d1 | [("x", 1)])
    show("dict + dict", lambda: d1 + d2)
    show("dict.items() - set", lambda: sorted(d1.items() - {("a", 1)}))


def mixed_errors():
    show("None + 1", lambda: None + 1)
    show("1 + None", lambda: 1 + None)
    show("[] + None", lambda: [] + None)
    show("object() * 2", lambda: object() * 2)
    show("{} - {}", lambda: {} - {})
    show("len + 1", lambda: len + 1)
    show("type + type", lambda: int + str)
    show("str | None", lambda: str | None)
    show("list[int] | None", lambda: repr(list[int] | None))


def concat(prefix, value):
    return prefix + value


def label_all(values):
    return [concat("item-", v) for v in values]


strings()
sequences()
sets_and_dicts()
mixed_errors()
try:
    label_all(["a", "b", 3])
except TypeError as e:
    print("caller caught:", e)
print(label_all(["x", "y"]))
print(label_all(["ok", 4.5]))
