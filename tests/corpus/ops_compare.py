# Comparisons: COMPARE_OP (all six, int/float/str fast paths, mixed types),
# chained comparisons (with the middle operand evaluated once and
# short-circuiting), IS_OP, CONTAINS_OP on builtins and through
# __contains__ / __iter__ / __getitem__ fallbacks, custom rich comparisons
# with NotImplemented and reflection, NaN, TypeError for unorderable types,
# and comparison methods that raise.
import functools


class Version:
    def __init__(self, *parts):
        self.parts = parts

    def __eq__(self, other):
        if not isinstance(other, Version):
            return NotImplemented
        return self.parts == other.parts

    def __lt__(self, other):
        if not isinstance(other, Version):
            return NotImplemented
        return self.parts < other.parts

    def __le__(self, other):
        if not isinstance(other, Version):
            return NotImplemented
        return self.parts <= other.parts

    def __hash__(self):
        return hash(self.parts)

    def __repr__(self):
        return "V" + ".".join(map(str, self.parts))


@functools.total_ordering
class Score:
    def __init__(self, v):
        self.v = v

    def __eq__(self, other):
        return self.v == getattr(other, "v", other)

    def __lt__(self, other):
        return self.v < getattr(other, "v", other)

    def __repr__(self):
        return "Score(%r)" % (self.v,)


class Loud:
    """Records the order in which comparison methods are tried."""
    log = []

    def __init__(self, name):
        self.name = name

    def __eq__(self, other):
        Loud.log.append("%s.__eq__" % self.name)
        return NotImplemented

    def __gt__(self, other):
        Loud.log.append("%s.__gt__" % self.name)
        return NotImplemented

    def __lt__(self, other):
        Loud.log.append("%s.__lt__" % self.name)
        return NotImplemented

    __hash__ = None


class Bag:
    def __init__(self, *items):
        self.items = items

    def __contains__(self, x):
        return x in self.items or x == "magic"


class IterOnly:
    def __iter__(self):
        return iter([1, 2, 3])


class GetitemOnly:
    def __getitem__(self, i):
        if i >= 4:
            raise IndexError(i)
        return i * 10


class RaisingEq:
    def __eq__(self, other):
        raise ValueError("cannot compare RaisingEq")

    __hash__ = object.__hash__


class Counter:
    def __init__(self, v):
        self.v = v
        self.evaluations = 0

    def get(self):
        self.evaluations += 1
        return self.v


def builtin_comparisons():
    pairs = [(1, 2), (2, 2), (3, 2), (1, 1.0), (1.5, 1), (-0.0, 0.0), ("a", "b"), ("b", "ab"),
             ("", "a"), ((1, 2), (1, 3)), ([1, 2], [1, 2, 0]), (2 ** 70, 2 ** 70 + 1),
             (True, 1), (None, None), ({1, 2}, {1, 2, 3}), ({1: 2}, {1: 2}), (b"a", b"a"),
             (1 + 0j, 1), (float("nan"), float("nan"))]
    out = []
    for a, b in pairs:
        row = []
        for fn in (lambda x, y: x < y, lambda x, y: x <= y, lambda x, y: x == y,
                   lambda x, y: x != y, lambda x, y: x > y, lambda x, y: x >= y):
            try:
                row.append("T" if fn(a, b) else "F")
            except TypeError:
                row.append("E")
        out.append("%r ? %r: %s" % (a, b, "".join(row)))
    return out


def chained():
    c = Counter(5)
    out = [1 < c.get() < 10, c.evaluations]
    out += [10 < c.get() < 20, c.evaluations]   # short-circuits before the 2nd compare
    out += [1 < 2 < 3 < 4 < 5, 1 < 2 > 3 < 4, 1 == 1.0 == True, 3 > 2 == 2 > 1]
    x = 7
    out += [0 <= x < 10, 0 <= x < 5, x is x is not None, x in [7] not in [[8]]]
    return out


def identity_and_membership():
    a = [1, 2]
    b = a
    c = [1, 2]
    out = [a is b, a is c, a is not c, a == c, None is None, type(a) is list,
           3 in a, 1 in a, 1 not in a, "ell" in "hello", "" in "", "x" not in "abc",
           2 in {1: 0, 2: 0}, 2 in {2}, (1, 2) in [(1, 2)], 5 in range(10), 10 in range(10),
           1.0 in [1], float("nan") in [float("nan")]]
    nan = float("nan")
    out.append(nan in [nan])   # identity shortcut in list containment
    out += [3 in Bag(3), "magic" in Bag(), 4 not in Bag(3), 2 in IterOnly(), 7 in IterOnly(),
            20 in GetitemOnly(), 25 in GetitemOnly()]
    return out


def custom_comparisons():
    v1, v2 = Version(1, 2), Version(1, 10)
    out = [v1 < v2, v1 <= v2, v1 == Version(1, 2), v1 != v2, v2 > v1, v2 >= v1,
           v1 == (1, 2), v1 != "x", sorted([v2, v1, Version(0, 9)]), max(v1, v2),
           v1 in {Version(1, 2)}]
    s = [Score(3), Score(1), Score(2)]
    out += [sorted(s), Score(2) >= Score(2), Score(1) > 0, Score(5) == 5, 5 == Score(5)]
    Loud.log.clear()
    out.append(Loud("a") == Loud("b"))
    out.append(Loud("a") != Loud("b"))
    try:
        Loud("a") < Loud("b")
    except TypeError as e:
        out.append("TypeError: %s" % e)
    out.append(Loud.log)
    return out


def comparison_errors():
    out = []
    cases = [
        ("1 < 'a'", lambda: 1 < "a"),
        ("[] > ()", lambda: [] > ()),
        ("None <= 0", lambda: None <= 0),
        ("1j < 2j", lambda: 1j < 2j),
        ("{} < {}", lambda: {} < {}),
        ("Version < int", lambda: Version(1) < 3),
        ("int in int", lambda: 1 in 5),
        ("str in str (int)", lambda: 1 in "abc"),
        ("list in set", lambda: [1] in {1, 2}),
        ("RaisingEq == 1", lambda: RaisingEq() == 1),
        ("RaisingEq in list", lambda: RaisingEq() in [1, 2]),
        ("1 in [RaisingEq]", lambda: 1 in [RaisingEq()]),
        ("sorted mixed", lambda: sorted([3, "a", 1])),
    ]
    for label, fn in cases:
        try:
            out.append("%s = %r" % (label, fn()))
        except (TypeError, ValueError) as e:
            out.append("%s -> %s: %s" % (label, type(e).__name__, e))
    return out


def branchy(a, b):
    if a < b:
        return "lt"
    elif a == b:
        return "eq"
    elif a > b:
        return "gt"
    return "unordered"


def caller(a, b):
    try:
        return branchy(a, b)
    except TypeError as e:
        return "caller caught: %s" % e


for line in builtin_comparisons():
    print(line)
print(chained())
print(identity_and_membership())
print(custom_comparisons())
for line in comparison_errors():
    print(line)
print([caller(1, 2), caller(2, 2), caller(3, 2), caller(float("nan"), 1), caller("a", 1)])
print(branchy(Version(1), Version(2)))
print(branchy(Version(1), None))
