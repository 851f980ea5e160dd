# Attributes: LOAD_ATTR / STORE_ATTR / DELETE_ATTR on instances, classes,
# modules, __slots__, builtin types; AttributeError messages (including the
# "Did you mean" suggestion added by the C-level exception display) caught
# locally, by a caller, and uncaught at the end.
import io
import math
import sys


def displayed(e):
    buf = io.StringIO()
    real = sys.stderr
    sys.stderr = buf
    try:
        sys.__excepthook__(type(e), e, e.__traceback__)
    finally:
        sys.stderr = real
    return buf.getvalue().splitlines()[-1]


class Point:
    dimensions = 2

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __repr__(self):
        return "Point(%r, %r)" % (self.x, self.y)


class Slotted:
    __slots__ = ("alpha", "beta")

    def __init__(self):
        self.alpha = 1

    def __repr__(self):
        return "Slotted(alpha=%r)" % (getattr(self, "alpha", "<unset>"),)


def instance_attrs():
    p = Point(1, 2)
    p.x += 10
    p.z = "dynamic"
    total = p.x + p.y
    keys = sorted(vars(p))
    del p.z
    return p, total, keys, hasattr(p, "z"), p.dimensions


def class_attrs():
    Point.dimensions = 3
    p = Point(0, 0)
    seen = p.dimensions
    p.dimensions = "instance shadows class"
    shadow = p.dimensions
    del p.dimensions
    back = p.dimensions
    Point.dimensions = 2
    return seen, shadow, back, Point.dimensions


def slotted():
    s = Slotted()
    out = [s.alpha]
    try:
        out.append(s.beta)
    except AttributeError as e:
        out.append("unset slot: %s" % e)
    s.beta = "b"
    out.append(s.beta)
    del s.beta
    try:
        s.gamma = 3
    except AttributeError as e:
        out.append("no slot: %s" % e)
    try:
        del s.beta
    except AttributeError as e:
        out.append("double del: %s" % e)
    return out


def module_and_builtin_attrs():
    r = [math.pi, math.floor(2.5), "abc".upper(), (3).bit_length(), 1.5.is_integer()]
    r.append([].append.__name__)
    r.append(sys.maxsize > 2 ** 31)
    r.append(int.__name__)
    r.append(Point.__init__.__qualname__)
    r.append(Point.__name__)
    r.append(type(Point(1, 1)).__name__)
    return r


def missing_attr_messages():
    out = []
    p = Point(1, 2)
    cases = [
        lambda: p.xx,              # instance: did you mean 'x'?
        lambda: p.dimension,       # class attribute suggestion
        lambda: Point.nope,        # type object
        lambda: math.sine,         # module attribute
        lambda: "s".uper(),        # builtin type method
        lambda: (1).real_part,
        lambda: None.anything,
        lambda: Slotted().betaa,
    ]
    for case in cases:
        try:
            case()
        except AttributeError as e:
            out.append(displayed(e))
    return out


def set_attr_errors():
    out = []
    for target, name in [(1, "x"), ("s", "y"), (None, "z"), (object(), "w")]:
        try:
            setattr(target, name, 1)
        except AttributeError as e:
            out.append(str(e))
    try:
        int.new_attribute = 5
    except TypeError as e:
        out.append(str(e))
    p = Point(1, 2)
    try:
        del p.never_there
    except AttributeError as e:
        out.append(str(e))
    return out


def getattr_forms():
    p = Point(5, 6)
    return (getattr(p, "x"), getattr(p, "missing", "default"),
            getattr(Point, "dimensions"), hasattr(p, "y"), hasattr(p, "q"))


def caller(fn):
    try:
        return fn()
    except AttributeError as e:
        return "caller caught: %s" % e


def reads_missing():
    return Point(3, 4).magnitude


print(instance_attrs())
print(class_attrs())
print(slotted())
print(module_and_builtin_attrs())
for line in missing_attr_messages():
    print(line)
print(set_attr_errors())
print(getattr_forms())
print(caller(reads_missing))
print(caller(lambda: Point(1, 1).y))

# Uncaught: the displayed message includes the suggestion.
p = Point(7, 8)
print(p.yy)
