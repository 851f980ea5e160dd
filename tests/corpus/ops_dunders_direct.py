# Binary operators that compiled code calls directly on instances of a
# class defining them as Python functions (optimization direct-dunders),
# and every case where CPython's slot dispatch does more and the generic
# path runs: same-type and int/float right operands, NotImplemented ending
# in CPython's TypeError (binary and in place) or in the right operand's
# own slot (an int subclass), methods with defaults, raising methods,
# reflected methods of the right operand's class, subclasses whose
# reflected method goes first, sequence slots that take over after
# NotImplemented, methods that are not functions, __class__ assigned by the
# method, methods replaced and deleted, in-place methods, tracing, and
# recursion to the limit.
# expect-stats: dunder_calls>100
import sys


class Vec:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __repr__(self):
        return "Vec(%r, %r)" % (self.x, self.y)

    def __add__(self, other):
        return Vec(self.x + other.x, self.y + other.y)

    def __sub__(self, other):
        return Vec(self.x - other.x, self.y - other.y)

    def __mul__(self, factor):
        if isinstance(factor, (int, float)):
            return Vec(self.x * factor, self.y * factor)
        return NotImplemented

    def __matmul__(self, other):
        return self.x * other.x + self.y * other.y

    def __truediv__(self, other):
        return Vec(self.x / other, self.y / other)

    def __floordiv__(self, other):
        return Vec(self.x // other, self.y // other)

    def __mod__(self, other):
        return Vec(self.x % other, self.y % other)

    def __and__(self, other):
        return "and"

    def __or__(self, other):
        return "or"

    def __xor__(self, other):
        return "xor"

    def __lshift__(self, other):
        return "lshift %r" % (other,)

    def __rshift__(self, other):
        return "rshift %r" % (other,)

    def __pow__(self, other):
        return "pow %r" % (other,)


def attempt(label, operation):
    try:
        print(label, operation())
    except Exception as e:
        print(label, type(e).__name__, e)


def same_type(n):
    a, b = Vec(1, 2), Vec(3, 5)
    total = Vec(0, 0)
    for i in range(n):
        total = total + (b - a) * i
        total -= a
        total += b
    print("same type", total, a @ b, a & b, a | b, a ^ b, a << b, a >> b, a ** 2)
    print("numbers", a * 2, a * 0.5, a / 2, a // 2, a % 2, a << 3, a >> 1.5)
    attempt("vec * vec", lambda: a * b)
    attempt("vec * str", lambda: a * "s")
    attempt("vec * list", lambda: a * [1])
    attempt("vec - str", lambda: a - "s")
    attempt("vec + str", lambda: a + "s")
    attempt("vec + int", lambda: a + 1)
    attempt("int + vec", lambda: 1 + a)


class Declines:
    def __init__(self, tag):
        self.tag = tag

    def __sub__(self, other):
        return NotImplemented

    def __mul__(self, other):
        return NotImplemented

    def __add__(self, other):
        return NotImplemented


def not_implemented():
    d = Declines(1)
    for label, operation in [
        ("same -", lambda: d - Declines(2)),
        ("int -", lambda: d - 3),
        ("float *", lambda: d * 2.5),
        ("same +", lambda: d + d),
    ]:
        attempt(label, operation)

    def inplace():
        e = Declines(3)
        e -= Declines(4)
        return e

    def inplace_mul():
        e = Declines(3)
        e *= 7
        return e

    attempt("in place -=", inplace)
    attempt("in place *=", inplace_mul)


class Count(int):
    def __sub__(self, other):
        if other == 0:
            return "Count.__sub__"
        return NotImplemented

    def __mul__(self, other):
        return NotImplemented


def int_subclass():
    c = Count(10)
    print("int subclass", c - 0, c - 3, c * 4, type(c - 3).__name__)
    attempt("int subclass same type", lambda: c - Count(1))


class Items(list):
    def __add__(self, other):
        return NotImplemented

    def __mul__(self, other):
        return NotImplemented


def sequence_fallbacks():
    items = Items([1, 2])
    attempt("list subclass +", lambda: items + Items([3]))
    attempt("list subclass *", lambda: items * 2)
    items += [4]
    items *= 2
    print("list subclass in place", items, type(items).__name__)


class Reflects:
    def __rsub__(self, other):
        return "Reflects.__rsub__"


class VecChild(Vec):
    def __rsub__(self, other):
        return "VecChild.__rsub__"

    def __radd__(self, other):
        return "VecChild.__radd__"


def reflected():
    d = Declines(0)
    v = Vec(1, 1)
    print("reflected", d - Reflects(), v - VecChild(2, 2), v + VecChild(5, 5))
    attempt("no reflected", lambda: d - object())


class Callables:
    __add__ = staticmethod(lambda a, b: "staticmethod")
    __sub__ = lambda self, other, extra=10: ("defaults", other, extra)
    __mul__ = print

    def __call__(self, *args):
        return "called"


class WithCallable:
    __add__ = Callables()


def not_functions():
    c = Callables()
    attempt("staticmethod", lambda: c + 1)
    print("defaults", c - 1)
    attempt("builtin", lambda: c * 1)
    attempt("callable object", lambda: WithCallable() + 1)


class Shifty:
    def __sub__(self, other):
        self.__class__ = Declines
        return NotImplemented


def class_assigned():
    attempt("class assigned", lambda: Shifty() - Shifty())


class Mutable:
    def __add__(self, other):
        return "first"


def replaced_and_deleted():
    m = Mutable()
    print("before", m + m)
    Mutable.__add__ = lambda self, other: "second"
    print("replaced", m + m)
    del Mutable.__add__
    attempt("deleted", lambda: m + m)
    Mutable.__add__ = lambda self, other: "third"
    print("restored", m + m)


class InPlace:
    def __init__(self):
        self.log = []

    def __isub__(self, other):
        self.log.append("isub")
        return self

    def __sub__(self, other):
        return "sub"

    def __add__(self, other):
        return "add"


def in_place():
    p = InPlace()
    p -= 1
    q = p
    q += 1
    print("in place", p.log, q, p - 1)


class Raises:
    def __add__(self, other):
        raise ValueError("cannot add %r" % (other,))


def raising():
    try:
        Raises() + 5
    except ValueError as e:
        tb = e.__traceback__
        lines = []
        while tb is not None:
            lines.append((tb.tb_frame.f_code.co_name, tb.tb_lineno))
            tb = tb.tb_next
        print("raised", e, lines)


def traced():
    events = []

    def tracer(frame, event, arg):
        if event == "call":
            events.append(frame.f_code.co_name)
        return None

    a = Vec(1, 1)
    sys.settrace(tracer)
    try:
        a - a
        a * 3
    finally:
        sys.settrace(None)
    print("traced", events)


class Deep:
    depth = 0

    def __add__(self, other):
        Deep.depth += 1
        return self + other


def recursion():
    Deep.depth = 0
    try:
        Deep() + 1
    except RecursionError as e:
        print("recursion", type(e).__name__, Deep.depth)


same_type(50)
not_implemented()
int_subclass()
sequence_fallbacks()
reflected()
not_functions()
class_assigned()
replaced_and_deleted()
in_place()
raising()
traced()
recursion()
