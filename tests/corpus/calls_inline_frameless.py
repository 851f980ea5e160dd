# Calls that need no frame made from the caller's code
# (inline-frameless-calls; see codegen/lowering/frameless_call.rs): the
# callees run once at module level, so that they are compiled (and their
# names noted) before the functions calling them are. Methods and globals
# whose frameless variant or trivial body (a parameter, self or a
# constant returned) runs them; a variant that gives the call back (an
# attribute missing: the AttributeError's traceback; an int operand where
# floats were seen); a site whose method is another function of the same
# name (another class, a method replaced on the class, an attribute of the
# instance holding a function, a __code__ replaced); arguments that do not
# bind exactly (a default taken); a trivial global of no parameters; a
# trace function set while the calls run; a frameless variant that calls a
# trivial method (Checked.plus), and the calls it gives back (another class
# whose method of that name raises: its traceback; the method replaced).
# Results, reference counts, trace events and tracebacks are the
# interpreter's.
# expect-stats: frameless_calls>500, trivial_calls>500
import sys
import traceback


class Vector:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def dot(self, other):
        return self.x * other.x + self.y * other.y

    def first(self):
        return self.x

    def itself(self):
        return self

    def is_vector(self):
        return True

    def second_of(self, a, b):
        return b

    def scaled_x(self, factor=2):
        return self.x * factor


class Other:
    def first(self):
        return "other"

    def itself(self):
        return ["not", "self"]


def double(x):
    return x * 2


def same(x):
    return x


def nothing():
    return 7


class Checked:
    """Methods whose frameless variant calls a trivial method (compiled
    after it): the variant takes its value; a class whose method of that
    name raises, and the method replaced, give the call back."""

    def __init__(self, x):
        self.x = x

    def must_be_checked(self):
        return self

    def plus(self, other):
        other.must_be_checked()
        return self.x + other.x


class Unchecked:
    x = 100

    def must_be_checked(self):
        raise TypeError("not checked: %r" % self.x)


v = Vector(1.5, 2.5)
w = Vector(3, 4)
for callee in (v.dot, w.dot):
    callee(v)
v.first(), v.itself(), v.is_vector(), v.second_of(1, 2), v.scaled_x(), double(3), same(4), nothing()
c, d = Checked(1.25), Checked(2)
c.must_be_checked()
c.plus(d)


def methods(n):
    total = 0.0
    marker = object()
    for i in range(n):
        total += v.dot(w) + w.dot(v) + v.first()
        if v.itself() is not v or not v.is_vector() or v.second_of(i, marker) is not marker:
            print("wrong", i)
        total += double(i) + same(i) + nothing()
    return total


def give_backs(objects):
    results = []
    for obj in objects:
        try:
            results.append(v.dot(obj))
        except AttributeError:
            traceback.print_exc(file=sys.stdout)
    return results


def other_functions(objects):
    return [(obj.first(), type(obj.itself()).__name__) for obj in objects]


def defaults(n):
    return [v.scaled_x() + v.scaled_x(i) for i in range(n)]


def counts(n):
    marker = object()
    before = sys.getrefcount(marker)
    for _ in range(n):
        same(marker)
        v.second_of(marker, marker)
        v.itself()
    return sys.getrefcount(marker) - before


def checked(n, others):
    total = 0
    for i in range(n):
        for other in others:
            try:
                total += c.plus(other)
            except TypeError:
                traceback.print_exc(file=sys.stdout)
    return total


print(checked(300, [d, c]), checked(2, [d, Unchecked(), c]))
Checked.must_be_checked = lambda self: print("replaced") or self
print(checked(2, [d]))
print(methods(600))
print(counts(600), sys.getrefcount(v) > 1)
print(give_backs([w, Vector(5, 6), Vector(7.0, 8), object(), w]))
print(other_functions([v, Other(), w]))
print(defaults(5))

# The method replaced on the class, then an attribute of the instance that
# shadows it with a plain function, then the function's code replaced.
Vector.first = lambda self: -1
print(other_functions([v, w]), methods(3))
v.first = lambda: 100
print(v.first(), methods(3))
del v.first
Vector.is_vector = lambda self: False
print(methods(2))
double.__code__ = (lambda x: x * 3).__code__
print(methods(2))


def tracer(frame, event, arg):
    if event == "call" and frame.f_code.co_name in ("dot", "same", "itself"):
        print("call", frame.f_code.co_name)
    return None


sys.settrace(tracer)
print(methods(1))
sys.settrace(None)
print(methods(1))
