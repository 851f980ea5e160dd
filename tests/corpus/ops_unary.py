# Unary operators: UNARY_NEGATIVE, UNARY_POSITIVE, UNARY_INVERT, UNARY_NOT and
# truth testing (POP_JUMP_IF_TRUE/FALSE, JUMP_IF_*_OR_POP via and/or) on
# builtins and on classes with __neg__/__pos__/__invert__/__bool__/__len__,
# including __bool__ returning a non-bool, __len__ returning a negative
# number, and "bad operand type for unary" TypeErrors; truth of exact ints,
# lists, tuples, dicts and None as locals and as temporaries (read inline),
# and of an int subclass with its own __bool__.


class Vec:
    def __init__(self, *c):
        self.c = c

    def __neg__(self):
        return Vec(*[-x for x in self.c])

    def __pos__(self):
        return Vec(*[abs(x) for x in self.c])

    def __invert__(self):
        return Vec(*reversed(self.c))

    def __bool__(self):
        return any(self.c)

    def __repr__(self):
        return "Vec%r" % (self.c,)


class Sized:
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n


class BadBool:
    def __bool__(self):
        return "yes"


class RaisingBool:
    def __bool__(self):
        raise RuntimeError("no truth for you")


class NoTruthMethods:
    pass


def builtins_unary():
    vals = [0, 5, -5, True, False, 2 ** 70, -(2 ** 70), 0.0, -0.0, 2.5, float("inf"), 1 + 2j, 0j]
    out = []
    for v in vals:
        row = [repr(-v), repr(+v), repr(not v)]
        try:
            row.append(repr(~v))
        except TypeError as e:
            row.append("~ TypeError: %s" % e)
        out.append(" ".join(row))
    return out


def truthiness():
    vals = [None, 0, 1, "", "x", [], [0], (), {}, {0: 0}, set(), 0.0, 0j, range(0), range(1),
            b"", Vec(0, 0), Vec(0, 1), Sized(0), Sized(3), NoTruthMethods()]
    out = []
    for v in vals:
        flags = ""
        flags += "T" if v else "F"
        flags += "n" if not v else "y"
        if v:
            flags += "1"
        while v:
            flags += "w"
            break
        flags += "a" if (v and True) else "b"
        flags += "o" if (v or False) else "p"
        out.append(flags)
    return out


def short_circuit():
    calls = []

    def t(name, value):
        calls.append(name)
        return value

    r1 = t("a", 0) and t("b", 1)
    r2 = t("c", 1) and t("d", 2)
    r3 = t("e", 0) or t("f", "")
    r4 = t("g", [1]) or t("h", 1)
    r5 = t("i", 1) and t("j", 0) or t("k", "fallback")
    r6 = not (t("l", None) or t("m", 0))
    return [r1, r2, r3, r4, r5, r6], calls


def custom_unary():
    v = Vec(1, -2, 3)
    return [-v, +v, ~v, not v, not Vec(0), bool(Vec()), -(-v)]


def errors():
    out = []
    cases = [
        ("-'s'", lambda: -"s"),
        ("+[1]", lambda: +[1]),
        ("~1.5", lambda: ~1.5),
        ("-None", lambda: -None),
        ("~{}", lambda: ~{}),
        ("+Sized", lambda: +Sized(1)),
        ("not BadBool", lambda: not BadBool()),
        ("if RaisingBool", lambda: "t" if RaisingBool() else "f"),
        ("not RaisingBool", lambda: not RaisingBool()),
        ("len -1", lambda: not Sized(-1)),
        ("len huge", lambda: bool(Sized(2 ** 70))),
        ("and RaisingBool", lambda: RaisingBool() and 1),
        ("or BadBool", lambda: BadBool() or 1),
    ]
    for label, fn in cases:
        try:
            out.append("%s = %r" % (label, fn()))
        except (TypeError, ValueError, OverflowError, RuntimeError) as e:
            out.append("%s -> %s: %s" % (label, type(e).__name__, e))
    return out


def check(flag):
    if flag:
        return "truthy"
    return "falsy"


def caller(value):
    try:
        return check(value)
    except RuntimeError as e:
        return "caller caught: %s" % e


class Falsy(int):
    def __bool__(self):
        return False


def nothing():
    return None


def int_and_none_truth(big):
    # Held by a local (borrowed) and as temporaries (owned, the last
    # reference to a big int released).
    out = []
    for v in [0, 1, -1, 255, 2 ** 30, -(2 ** 62), big, -big, None, Falsy(7), Falsy(0)]:
        out.append((not v, "t" if v else "f", v and 1, v or 2))
    for v in [0, 3, big]:
        out.append((not (v + big), not (v - v), "t" if v * big else "f", not nothing(), "n" if nothing() else "s"))
    return out


for line in builtins_unary():
    print(line)
print(truthiness())
print(short_circuit())
print(custom_unary())
for line in errors():
    print(line)
print(caller(1), caller(RaisingBool()), caller(Sized(0)))
print(int_and_none_truth(2 ** 70))
print(check(BadBool()))

