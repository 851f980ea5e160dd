# The body of ops_typed_arith*.py: BINARY_OP and COMPARE_OP on exact ints
# and floats, alike and mixed (the inline fast paths; for ints also the
# bitwise operators and shifts), and on everything
# that must leave them: big ints, bools, subclasses, NaN, signed zeros,
# zero divisors, the recursion limit, and types that change after the
# functions were compiled.
import math
import sys

WARM = 40  # calls before the types change: past `# threshold: 30`


# Each label compiles its own copy of these, so that each copy's profile
# shows the types it warmed up with.
OPS_SOURCE = """
def add(a, b): return a + b
def sub(a, b): return a - b
def mul(a, b): return a * b
def truediv(a, b): return a / b
def floordiv(a, b): return a // b
def mod(a, b): return a % b
def power(a, b): return a ** b


def iadd(a, b):
    a += b
    return a


def isub(a, b):
    a -= b
    return a


def imul(a, b):
    a *= b
    return a


def itruediv(a, b):
    a /= b
    return a


def ifloordiv(a, b):
    a //= b
    return a


def imod(a, b):
    a %= b
    return a


def band(a, b): return a & b
def bor(a, b): return a | b
def bxor(a, b): return a ^ b
def lshift(a, b): return a << b
def rshift(a, b): return a >> b


def iand(a, b):
    a &= b
    return a


def ilshift(a, b):
    a <<= b
    return a


def irshift(a, b):
    a >>= b
    return a




# Compares used as values (no jump follows).
def lt(a, b): return a < b
def le(a, b): return a <= b
def eq(a, b): return a == b
def ne(a, b): return a != b
def gt(a, b): return a > b
def ge(a, b): return a >= b


# Compares a conditional jump follows (fused with the jump).
def if_lt(a, b):
    if a < b:
        return "lt"
    return "not lt"


def if_le(a, b):
    if a <= b:
        return "le"
    return "not le"


def if_eq(a, b):
    if a == b:
        return "eq"
    return "not eq"


def if_ne(a, b):
    if not a != b:
        return "not ne"
    return "ne"


def if_gt(a, b):
    return "gt" if a > b else "not gt"


def if_ge(a, b):
    while a >= b:
        return "ge"
    return "not ge"
"""
BINARY_NAMES = ["add", "sub", "mul", "truediv", "floordiv", "mod", "iadd", "isub", "imul", "itruediv",
                "ifloordiv", "imod"]
BITWISE_NAMES = ["band", "bor", "bxor", "iand"]
SHIFT_NAMES = ["lshift", "rshift", "ilshift", "irshift"]
COMPARE_NAMES = ["lt", "le", "eq", "ne", "gt", "ge", "if_lt", "if_le", "if_eq", "if_ne", "if_gt", "if_ge"]


def fresh_ops(label):
    namespace = {}
    exec(compile(OPS_SOURCE, "<%s ops>" % label, "exec"), namespace)
    return namespace


OPS = fresh_ops("shared")
add, sub, mul, floordiv, mod, power = (OPS[name] for name in ["add", "sub", "mul", "floordiv", "mod", "power"])


def chained(a, b, c):
    return a < b <= c, a == b != c, (a > b) == (b > c)


def show(value):
    if isinstance(value, float) and value == 0.0:
        return "%r(sign %r)" % (value, math.copysign(1.0, value))
    return repr(value)


def attempt(f, *args):
    try:
        return show(f(*args))
    except Exception as e:
        return "%s: %s" % (type(e).__name__, e)


def table(title, functions, pairs):
    print("==", title)
    for f in functions:
        print(f.__name__, " ".join(attempt(f, a, b) for a, b in pairs))


def warm(functions, a, b):
    for _ in range(WARM):
        for f in functions:
            attempt(f, a, b)


class MyInt(int):
    def __add__(self, other):
        return "MyInt(%d).__add__(%r)" % (int(self), other)

    def __lt__(self, other):
        return "MyInt.__lt__ (truthy)"


class MyFloat(float):
    def __sub__(self, other):
        return MyFloat(float(self) - other + 100.0)

    def __lt__(self, other):
        print("  MyFloat.__lt__", float(self), other)
        return float(self) > other


class PlainInt(int):
    pass


class PlainFloat(float):
    pass


COMPACT = 2 ** 30 - 1
INTS = [(7, 2), (-7, 2), (7, -2), (-7, -2), (6, 3), (-6, 3), (0, 5), (5, 0), (-1, 3), (1, -3),
        (COMPACT, COMPACT), (-COMPACT, COMPACT), (COMPACT, -1), (-COMPACT, -1), (COMPACT, 2)]
NAN = float("nan")
INF = float("inf")
FLOATS = [(1.5, 0.25), (-2.5, 4.0), (0.0, -0.0), (-0.0, -0.0), (-0.0, 0.0), (1.0, 0.0), (0.0, 0.0),
          (-1.0, -0.0), (NAN, 1.0), (1.0, NAN), (NAN, NAN), (INF, INF), (-INF, INF), (1e308, 10.0),
          (1.0, -INF), (-0.0, 5.0), (3.0, 3.0)]
MIXED = [(1, 2.5), (2.5, 1), (2 ** 31, 1.0), (True, True), (True, 2), (1.5, False), (2 ** 100, 3),
         (-(2 ** 30), 1), (2 ** 30, -1), (MyInt(3), 4), (4, MyInt(3)), (MyFloat(2.0), 1.0),
         (1.0, MyFloat(2.0)), (PlainInt(5), 2), (PlainFloat(0.5), 0.25), ("ab", "cd"), ([1], [2]),
         (1, "a"), (None, 1), (5, 0.0), (2.5, 0), (-0.0, 3), (0, -5), (1, NAN), (NAN, 2), (3, 3.0),
         (COMPACT, 0.5), (-COMPACT, -0.25), (0.1, -COMPACT), (-7, INF), (2 ** 53 + 1, 1.0)]


# Shift counts around the inline paths' limits (<< up to 32, >> any
# non-negative count) on one-digit, bigger and other operands.
SHIFTS = [(1, 0), (1, 1), (1, 32), (1, 33), (-1, 32), (-1, 33), (COMPACT, 32), (-COMPACT, 32),
          (COMPACT, 33), (5, -1), (-5, 1), (-5, 2), (-1, 100), (COMPACT, 63), (-COMPACT, 64), (7, 200),
          (-7, 200), (0, 1000), (2 ** 40, 3), (-(2 ** 40), 3), (True, 1), (1, True), (True, True),
          (PlainInt(8), 1), (MyInt(3), 2), (1.0, 1), (1, 1.0), (-(2 ** 30), 1), (2 ** 30, 1)]


def checksum(data):
    # Bitwise temporaries that stay one digit, and a hash leaving it.
    total = 0
    for byte in data:
        total = ((total << 5) ^ (total >> 27) ^ byte) & 0xFFFFFFF
    small = 0
    for byte in data:
        small = (small | byte) & ~(byte >> 1)
    return total, small


def float_loop(n, step):
    total = 0.0
    i = 0
    while i < n:
        total = total + step * 1.5 - 0.25
        total /= 1.0001
        i += 1
    return total


def int_loop(n):
    # The sum leaves the compact range part way.
    total = 0
    i = 0
    while i < n:
        total += i * i - i // 3 + i % 7
        i += 1
    return total


def temporaries(a, b, c, d):
    # (a*b) and (c*d) are temporaries only this code holds: reusable.
    return (a * b) + (c * d) - (a * a)


def small_ints():
    five, neg5, big, neg6 = int("5"), int("-5"), int("257"), int("-6")
    return [add(2, 3) is five, sub(0, 5) is neg5, add(200, 57) is big, sub(0, 6) is neg6,
            mul(-1, 5) is neg5, floordiv(11, 2) is five, mod(-1, 6) is five, add(250, 6) is int("256")]


def recurse_compare(n):
    below = n < 0
    if below:
        return 0
    return recurse_compare(n + 1)


def recursion_limit():
    try:
        recurse_compare(0)
    except RecursionError as e:
        tb = e.__traceback__
        while tb.tb_next is not None:
            tb = tb.tb_next
        print("RecursionError:", e, "at line", tb.tb_lineno - recurse_compare.__code__.co_firstlineno)


def ratio(a, b):
    return a / b


def report(a, b):
    return "ratio %r" % ratio(a, b)


def main():
    # Each shape warms up, compiles, then meets every other shape.
    for label, pairs in [("ints", INTS), ("floats", FLOATS), ("mixed", MIXED)]:
        ops = fresh_ops(label)
        binary = [ops[name] for name in BINARY_NAMES]
        compares = [ops[name] for name in COMPARE_NAMES]
        warm(binary + compares, *pairs[0])
        table(label + " binary", binary, INTS + FLOATS + MIXED)
        table(label + " compare", compares, INTS + FLOATS + MIXED)
    for label, pairs in [("ints", INTS), ("mixed", MIXED)]:
        ops = fresh_ops("bitwise " + label)
        bitwise = [ops[name] for name in BITWISE_NAMES]
        shifts = [ops[name] for name in SHIFT_NAMES]
        warm(bitwise + shifts, *pairs[0])
        table("bitwise " + label, bitwise, INTS + FLOATS + MIXED)
        table("shifts " + label, shifts, SHIFTS)
    for _ in range(WARM):
        checksum(b"warm")
    print("checksum", checksum(bytes(range(256)) * 4), checksum(b""))
    for args in [(1, 2, 3), (1.0, 2.0, 2.0), (3, 2, 1), (NAN, NAN, NAN), (1, 1.0, 2), (2 ** 40, 2 ** 40, 1)] * WARM:
        result = chained(*args)
    for args in [(1, 2, 3), (1.0, 2.0, 2.0), (3, 2, 1), (NAN, NAN, NAN), (1, 1.0, 2), (2 ** 40, 2 ** 40, 1),
                 (MyInt(1), 2, 3), ("a", "b", "b")]:
        print("chained", args, chained(*args))
    print("power", [power(2, 10), power(2.0, 0.5), power(-8, 2)])
    for n in range(WARM):
        float_loop(3, 0.5)
        int_loop(3)
    print("float_loop", float_loop(2000, 0.5), float_loop(10, 2), float_loop(5, MyFloat(1.0)))
    print("int_loop", int_loop(3000), int_loop(10), int_loop(0))
    values = [1.5, 2.5, -0.0]
    for _ in range(WARM):
        temporaries(1.5, 2.0, 3.0, 4.0)
    print("temporaries", temporaries(1.5, 2.0, 3.0, 4.0), temporaries(*values, 2.0), values,
          show(temporaries(-0.0, 1.0, 0.0, 1.0)), temporaries(3, 4, 5, 6), temporaries(1.5, 2, 3, 4.5))
    x = 2.5
    print("same operand", mul(x, x), add(x, x), x, values[0] * values[0], values)
    for _ in range(WARM):
        small_ints()
    print("small ints", small_ints())
    recursion_limit()
    for _ in range(WARM):
        report(1.0, 2.0)
    print(report(3.0, 4.0))
    sys.stdout.flush()
    print(report(1.0, -0.0))
