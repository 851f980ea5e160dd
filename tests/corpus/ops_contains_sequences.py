# CONTAINS_OP on exact lists and tuples, which compiled code searches
# itself where comparing needs no call: exact ints (one digit and several,
# equal ones as distinct objects), exact strs (equal ones built at run
# time), objects whose types keep object's identity comparison; and where
# it must call: int against float and bool, int and str subclasses, __eq__
# defined (called in CPython's order, raising, and shrinking the list being
# searched), NaN, other containers; `not in`; and at the recursion limit,
# where CPython's comparison raises RecursionError.
import sys


class Plain:
    pass


class Equals:
    log = []

    def __init__(self, name, equal=False):
        self.name = name
        self.equal = equal

    def __eq__(self, other):
        Equals.log.append(self.name)
        return self.equal


class Raises:
    def __eq__(self, other):
        raise ValueError("no comparing")


class Shrinks:
    def __init__(self, victim):
        self.victim = victim

    def __eq__(self, other):
        self.victim.clear()
        return False


class MyInt(int):
    def __eq__(self, other):
        Equals.log.append("MyInt")
        return int(self) == other


class MyStr(str):
    pass


def contains(item, seq):
    return (item in seq, item not in seq)


def search():
    big = 2 ** 70
    plain = [Plain(), Plain()]
    word = "".join(["wo", "rd"])
    cases = [
        (3, [1, 2, 3]), (3, (1, 2, 3)), (4, [1, 2, 3]), (-5, [5, -5]), (0, [-0, 1]),
        (big, [1, 2 ** 70]), (-big, (2 ** 70, -(2 ** 70))), (big + 1, [big]),
        (1, [1.0]), (2, (2.5, 2.0)), (1, [True]), (True, [1]), (MyInt(4), [4]), (4, [MyInt(4)]),
        (word, ["w", "word"]), (word, ("x",)), (MyStr("a"), ["a"]), ("a", [MyStr("a")]), ("a", [b"a"]),
        (plain[1], plain), (Plain(), plain), (plain[0], (plain[1], plain[0])),
        (float("nan"), [float("nan")]), (None, [0, "", None]), (None, [0, ""]),
        ((1, 2), [(1, 2)]), ([], [[]]), (3, []), (3, ()),
    ]
    return [contains(item, seq) for item, seq in cases]


def with_eq():
    Equals.log.clear()
    a, b, c = Equals("a"), Equals("b", True), Equals("c")
    out = [contains(b, [a, b]), contains(Plain(), [a, c]), contains(c, [a, b, c]), 5 in [a, MyInt(5)]]
    return out, Equals.log[:]


def errors():
    out = []
    try:
        Plain() in [1, Raises()]
    except ValueError as e:
        out.append(str(e))
    victim = [Plain(), Plain(), Plain()]
    victim.insert(1, Shrinks(victim))
    out.append((Plain() in victim, len(victim)))
    return out


OBJ = Plain()
OBJS = [Plain(), Plain()]


def dive(n):
    try:
        OBJ in OBJS
    except RecursionError:
        return ("contains raised", n)
    try:
        return dive(n + 1)
    except RecursionError:
        return ("call raised", n)


for i in range(3):
    result = search()
print(result)
print(with_eq())
print(errors())
base = dive(0)[1]
sys.setrecursionlimit(sys.getrecursionlimit() + 7)
deeper = dive(0)
print(deeper[0], deeper[1] - base)
