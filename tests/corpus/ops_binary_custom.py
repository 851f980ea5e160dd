# Binary operators dispatching to user classes: __add__/__radd__ and every
# other forward/reflected pair, NotImplemented fallback to the reflected
# method, the "subclass overrides reflected method first" rule, in-place
# methods (__iadd__ ...) and their fallback to the binary method, operator
# methods that raise, and TypeError when both sides return NotImplemented.

NAMES = ["add", "sub", "mul", "matmul", "truediv", "floordiv", "mod", "pow",
         "lshift", "rshift", "and", "or", "xor"]


class Traced:
    """Every forward and reflected operator returns a description."""

    def __init__(self, tag):
        self.tag = tag

    def __repr__(self):
        return "T(%s)" % self.tag


def _make(name, reflected):
    def method(self, other):
        if other == "decline":
            return NotImplemented
        if reflected:
            return "%r.__r%s__(%r)" % (self, name, other)
        return "%r.__%s__(%r)" % (self, name, other)
    return method


for _n in NAMES:
    setattr(Traced, "__%s__" % _n, _make(_n, False))
    setattr(Traced, "__r%s__" % _n, _make(_n, True))


class Money:
    def __init__(self, cents, currency="EUR"):
        self.cents = cents
        self.currency = currency

    def __repr__(self):
        return "Money(%d %s)" % (self.cents, self.currency)

    def __add__(self, other):
        if isinstance(other, Money):
            if other.currency != self.currency:
                raise ValueError("currency mismatch: %s vs %s" % (self.currency, other.currency))
            return Money(self.cents + other.cents, self.currency)
        if isinstance(other, int):
            return Money(self.cents + other, self.currency)
        return NotImplemented

    def __radd__(self, other):
        if other == 0:  # makes sum() work
            return self
        return self.__add__(other)

    def __mul__(self, factor):
        if isinstance(factor, (int, float)):
            return Money(round(self.cents * factor), self.currency)
        return NotImplemented

    __rmul__ = __mul__

    def __neg__(self):
        return Money(-self.cents, self.currency)

    def __sub__(self, other):
        return self + (-other)


class Base:
    def __add__(self, other):
        return "Base.__add__"

    def __radd__(self, other):
        return "Base.__radd__"


class Derived(Base):
    def __radd__(self, other):
        return "Derived.__radd__"


class DerivedNoOverride(Base):
    pass


class Accumulator:
    def __init__(self):
        self.items = []

    def __iadd__(self, other):
        self.items.append(other)
        return self

    def __add__(self, other):
        new = Accumulator()
        new.items = self.items + [other]
        return new

    def __repr__(self):
        return "Acc%r" % (self.items,)


class OnlyBinary:
    def __init__(self, v):
        self.v = v

    def __add__(self, other):
        return OnlyBinary(self.v + other)

    def __repr__(self):
        return "OnlyBinary(%r)" % (self.v,)


class IaddReturnsNotImplemented(OnlyBinary):
    def __iadd__(self, other):
        return NotImplemented


class Exploding:
    def __add__(self, other):
        raise RuntimeError("__add__ exploded")

    def __rsub__(self, other):
        raise KeyError("rsub")


def forward_and_reflected():
    t = Traced("a")
    ops = [
        lambda x, y: x + y, lambda x, y: x - y, lambda x, y: x * y, lambda x, y: x @ y,
        lambda x, y: x / y, lambda x, y: x // y, lambda x, y: x % y, lambda x, y: x ** y,
        lambda x, y: x << y, lambda x, y: x >> y, lambda x, y: x & y, lambda x, y: x | y,
        lambda x, y: x ^ y,
    ]
    for op in ops:
        print(" ", op(t, 1), "|", op(1, t), "|", op(t, Traced("b")))
        try:
            op(t, "decline")
        except TypeError as e:
            print("   both declined:", e)


def dispatch_rules():
    print(" ", Base() + Derived())               # subclass reflected first
    print(" ", Base() + DerivedNoOverride())     # same method -> forward
    print(" ", 1 + Derived(), Derived() + 1)
    print(" ", Money(100) + Money(50), Money(100) + 5, 5 + Money(1))
    print(" ", sum([Money(1), Money(2), Money(3)]))
    print(" ", Money(10) * 3, 2 * Money(7), Money(10) * 0.25, Money(9) - Money(4))
    try:
        Money(1) + Money(1, "USD")
    except ValueError as e:
        print("  ValueError:", e)
    try:
        Money(1) + "str"
    except TypeError as e:
        print("  TypeError:", e)
    try:
        "str" * Money(1)
    except TypeError as e:
        print("  TypeError:", e)


def inplace():
    acc = Accumulator()
    alias = acc
    acc += 1
    acc += "two"
    print(" ", acc, alias, acc is alias)
    ob = OnlyBinary(1)
    alias = ob
    ob += 10           # falls back to __add__, rebinding
    print(" ", ob, alias, ob is alias)
    ir = IaddReturnsNotImplemented(5)
    ir += 1            # __iadd__ declines -> __add__
    print(" ", ir)
    t = Traced("x")
    t += 1             # no __iadd__ -> __add__
    print(" ", t)
    t = Traced("y")
    t **= 2
    print(" ", t)
    n = 5
    n -= Traced("z")   # int.__isub__ missing, int.__sub__ declines -> __rsub__
    print(" ", n)


def raising_operators():
    for label, fn in [("add", lambda: Exploding() + 1), ("rsub", lambda: 1 - Exploding()),
                      ("radd-missing", lambda: 1 + Exploding())]:
        try:
            fn()
        except (RuntimeError, KeyError, TypeError) as e:
            print("  %s -> %s: %s" % (label, type(e).__name__, e))


def total(items):
    result = 0
    for item in items:
        result = result + item
    return result


print("forward_and_reflected")
forward_and_reflected()
print("dispatch_rules")
dispatch_rules()
print("inplace")
inplace()
print("raising_operators")
raising_operators()
print(total([Money(5), Money(6)]))
try:
    total([Money(5), Money(6, "GBP")])
except ValueError as e:
    print("caller caught:", e)
print(total([1, 2, Exploding()]))
