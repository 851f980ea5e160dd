# Structural pattern matching: literal, capture, wildcard, value (dotted
# name), sequence (fixed length, star, nested), mapping (with **rest,
# GET_LEN / MATCH_KEYS / MATCH_MAPPING), class patterns (positional via
# __match_args__, keyword, builtins int/str/float with self-matching),
# guards (incl. guards with side effects and raising guards), or-patterns,
# as-patterns, MATCH_SEQUENCE rejecting str/bytes, and errors from bad
# __match_args__ / too many positional sub-patterns.
import enum


class Color(enum.Enum):
    RED = 1
    GREEN = 2


class Point:
    __match_args__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y


class Circle:
    __match_args__ = ("center", "radius")

    def __init__(self, center, radius):
        self.center = center
        self.radius = radius


class NoMatchArgs:
    def __init__(self):
        self.a = 1


class BadMatchArgs:
    __match_args__ = "not a tuple"


class Consts:
    LIMIT = 10


def literal(v):
    match v:
        case 0:
            return "zero"
        case 1 | 2 | 3:
            return "small"
        case -1:
            return "minus one"
        case 1.5:
            return "one and a half"
        case "hello":
            return "greeting"
        case b"raw":
            return "bytes"
        case True:
            return "true (never reached for 1)"
        case None:
            return "none"
        case Consts.LIMIT:
            return "the limit"
        case Color.RED:
            return "red"
        case _:
            return "other %r" % (v,)


def sequence(v):
    match v:
        case []:
            return "empty"
        case [x]:
            return "one: %r" % (x,)
        case [x, y] if x == y:
            return "pair of equals %r" % (x,)
        case [x, y]:
            return "pair %r %r" % (x, y)
        case [0, *rest]:
            return "starts with zero, rest %r" % (rest,)
        case [first, *_, last] if len(v) > 4:
            return "long %r..%r" % (first, last)
        case [(a, b), [c, *d]]:
            return "nested a=%r b=%r c=%r d=%r" % (a, b, c, d)
        case [*init, "end"]:
            return "ends with end after %r" % (init,)
        case _:
            return "other sequence %r" % (v,)


def mapping(v):
    match v:
        case {"type": "user", "name": str(name), **rest}:
            return "user %s extra=%r" % (name, sorted(rest))
        case {"type": "point", "x": 0 | 0.0, "y": y}:
            return "on y axis at %r" % (y,)
        case {"type": kind} if kind.startswith("x"):
            return "x-kind %s" % kind
        case {}:
            return "some mapping with %d keys" % len(v)
        case _:
            return "not a mapping"


def classes(v):
    match v:
        case Point(0, 0):
            return "origin"
        case Point(x, 0) | Point(0, x):
            return "on an axis at %r" % (x,)
        case Point(x=x, y=y) if x == y:
            return "diagonal %r" % (x,)
        case Circle(Point(x, y), radius=r) if r > 10:
            return "big circle at (%r, %r)" % (x, y)
        case Circle(center=Point() as c, radius=r):
            return "circle r=%r at x=%r" % (r, c.x)
        case int(n) if n < 0:
            return "negative int %d" % n
        case bool(b):
            return "bool %r" % b
        case int() | float() as number:
            return "number %r" % (number,)
        case str() as s:
            return "string of length %d" % len(s)
        case (1, 2) | [3, 4] as seq:
            return "sequence %r" % (seq,)
        case {"k": Point(x=px)}:
            return "mapping with point x=%r" % (px,)
        case NoMatchArgs(a=1):
            return "keyword-only class pattern"
        case Color(value=2):
            return "green by value"
        case _:
            return "unmatched %s" % type(v).__name__


CALLS = []


def guard_side_effects(v):
    def note(tag):
        CALLS.append(tag)
        return False

    match v:
        case [x, *_] if note("first guard %r" % (x,)):
            return "never"
        case [x, y, *_] if note("second guard %r" % (y,)):
            return "never"
        case [*_]:
            return "fell through"
        case _:
            return "not a sequence"


def raising_guard(v):
    match v:
        case {"div": d} if 10 / d > 1:
            return "big quotient"
        case _:
            return "default"


def match_errors():
    out = []
    for subject, fn in [(Point(1, 2), lambda s: too_many_positional(s)),
                        (NoMatchArgs(), lambda s: positional_without_match_args(s)),
                        (BadMatchArgs(), lambda s: bad_match_args(s)),
                        ({"div": 0}, raising_guard)]:
        try:
            out.append(fn(subject))
        except (TypeError, ZeroDivisionError) as e:
            out.append("%s: %s" % (type(e).__name__, e))
    return out


def too_many_positional(s):
    match s:
        case Point(a, b, c):
            return "three"
    return "no match"


def positional_without_match_args(s):
    match s:
        case NoMatchArgs(a):
            return "positional %r" % (a,)
    return "no match"


def bad_match_args(s):
    match s:
        case BadMatchArgs(x):
            return "matched %r" % (x,)
    return "no match"


def command(line):
    match line.split():
        case ["go", ("north" | "south" | "east" | "west") as direction]:
            return "moving " + direction
        case ["pick", "up", *items] if items:
            return "picking " + ", ".join(items)
        case ["quit" | "exit"]:
            return "bye"
        case [verb, *_]:
            return "unknown verb " + verb
        case []:
            return "empty command"


for v in [0, 2, -1, 1.5, "hello", b"raw", True, None, 10, Color.RED, Color.GREEN, 99, 1.0]:
    print("literal", repr(v), "->", literal(v))
for v in [[], [1], (2, 2), [1, 2], [0, 5, 6], list(range(6)), [(1, 2), [3, 4, 5]], ["a", "end"],
          [1, 2, 3], "str is not a sequence", (x for x in [])]:
    print("sequence ->", sequence(v) if not hasattr(v, "send") else "generator skipped")
for v in [{"type": "user", "name": "ann", "age": 3, "id": 9}, {"type": "user", "name": 5},
          {"type": "point", "x": 0, "y": 7}, {"type": "xray"}, {"type": "y"}, {}, [("type", 1)]]:
    print("mapping ->", mapping(v))
for v in [Point(0, 0), Point(3, 0), Point(0, 4), Point(5, 5), Point(1, 2), Circle(Point(1, 2), 11),
          Circle(Point(7, 8), 1), -4, 4, True, 2.5, "abc", (1, 2), [3, 4], {"k": Point(9, 0)},
          NoMatchArgs(), Color.GREEN, None]:
    print("classes ->", classes(v))
print(guard_side_effects([1, 2, 3]), guard_side_effects("x"), CALLS)
print(match_errors())
for line in ["go north", "go up", "pick up sword shield", "pick up", "exit", "dance now", ""]:
    print(repr(line), "->", command(line))
try:
    raising_guard({"div": 0})
except ZeroDivisionError as e:
    print("caller caught:", e)
print(classes(BadMatchArgs()))
print(bad_match_args(BadMatchArgs()))
