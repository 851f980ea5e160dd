# Binary operators (BINARY_OP, every oparg) on int, bool, float, complex and
# big ints, including the int/float fast paths, mixed-type promotion,
# overflow into big ints, ZeroDivisionError, OverflowError, ValueError
# (negative shift) and TypeError messages (operators int or float lacks:
# float &, @).  Two exact ints or two exact floats the inline paths leave
# go to the type's number slot.  Errors are caught locally, by a caller,
# and one ZeroDivisionError is left uncaught at the end.

OPS = [
    ("+", lambda a, b: a + b),
    ("-", lambda a, b: a - b),
    ("*", lambda a, b: a * b),
    ("/", lambda a, b: a / b),
    ("//", lambda a, b: a // b),
    ("%", lambda a, b: a % b),
    ("**", lambda a, b: a ** b),
    ("<<", lambda a, b: a << b),
    (">>", lambda a, b: a >> b),
    ("&", lambda a, b: a & b),
    ("|", lambda a, b: a | b),
    ("^", lambda a, b: a ^ b),
    ("@", lambda a, b: a @ b),
]

OPERANDS = [
    0, 1, -7, 3, True,
    2 ** 62, -(2 ** 63), 2 ** 64 + 5,
    0.0, -2.25, 1e308, float("inf"), float("nan"),
    1 + 2j, 0j,
]


def apply(sym, fn, a, b):
    try:
        r = fn(a, b)
    except TypeError:
        return "TypeError"
    except (ZeroDivisionError, OverflowError, ValueError) as e:
        return "%s: %s" % (type(e).__name__, e)
    if isinstance(r, int) and abs(r) > 10 ** 40:
        return "int with %d digits, hash %d" % (len(str(abs(r))), r % 1000003)
    return repr(r)


def table():
    for sym, fn in OPS:
        print("operator", sym)
        for a in OPERANDS:
            row = []
            for b in OPERANDS:
                if sym in ("**", "<<") and isinstance(b, int) and abs(b) > 100:
                    continue  # avoid gigantic results
                row.append(apply(sym, fn, a, b))
            print(" ", repr(a), "|", " ; ".join(row))


def int_fast_paths():
    total = 0
    acc = 1
    for i in range(1, 200):
        total += i * i - (i // 3) + (i % 7)
        acc = (acc * 31 + i) % 1000000007
        total ^= i << 3
        total |= i & 5
    big = 1
    for i in range(1, 60):
        big *= i
    small = 2 ** 62
    overflow = small + small  # leaves the machine-word range
    neg = -small - small - small
    return total, acc, big, overflow, neg, overflow - small - small, -(2 ** 63) - 1


def float_paths():
    x = 0.0
    for i in range(1, 100):
        x += 1.0 / i
        x -= 0.001 * i
        x *= 1.0001
    return (x, 7.5 // 2, -7.5 // 2, 7.5 % 2, -7.5 % 2, 7.5 % -2, 2.0 ** 0.5, (-8.0) ** (1 / 3),
            10 / 4, 10 // 4, -10 // 4, -10 % 4, 10 % -4, divmod(-7, 2), divmod(7.5, -2),
            0.1 + 0.2, 1e16 + 1.0, 3 * 0.1, int(1e20), round(2.675, 2))


def division_errors():
    out = []
    for a, b in [(1, 0), (1.0, 0), (1, 0.0), (0, 0), (1 + 1j, 0), (10 ** 50, 0)]:
        for name, fn in [("/", lambda x, y: x / y), ("//", lambda x, y: x // y),
                         ("%", lambda x, y: x % y), ("divmod", divmod)]:
            try:
                out.append("%s -> %r" % (name, fn(a, b)))
            except ZeroDivisionError as e:
                out.append("%s -> ZeroDivisionError: %s" % (name, e))
            except TypeError as e:
                out.append("%s -> TypeError: %s" % (name, e))
    try:
        0 ** -1
    except ZeroDivisionError as e:
        out.append("0 ** -1 -> %s" % e)
    try:
        0.0 ** -1
    except ZeroDivisionError as e:
        out.append("0.0 ** -1 -> %s" % e)
    return out


def other_errors():
    out = []
    cases = [
        ("1 << -1", lambda: 1 << -1),
        ("1 >> -1", lambda: 1 >> -1),
        ("2.0 ** 10000", lambda: 2.0 ** 10000),
        ("1e308 * 10 (inf, no error)", lambda: 1e308 * 10),
        ("(-8) ** 0.5", lambda: (-8) ** 0.5),
        ("1.5 << 1", lambda: 1.5 << 1),
        ("1 & 2.0", lambda: 1 & 2.0),
        ("1j // 2", lambda: 1j // 2),
        ("1j % 2", lambda: 1j % 2),
        ("1 @ 2", lambda: 1 @ 2),
        ("int(1e400)", lambda: int(float("inf"))),
        ("pow(2, -1, 5)", lambda: pow(2, -1, 5)),
        ("pow(2, 3, 0)", lambda: pow(2, 3, 0)),
        ("10 ** -2", lambda: 10 ** -2),
        ("True + True", lambda: True + True),
        ("True & False", lambda: True & False),
        ("True ^ True", lambda: True ^ True),
        ("False | True", lambda: False | True),
    ]
    for label, fn in cases:
        try:
            out.append("%s = %r" % (label, fn()))
        except (ValueError, OverflowError, TypeError, ZeroDivisionError) as e:
            out.append("%s -> %s: %s" % (label, type(e).__name__, e))
    return out


def divide(a, b):
    return a / b


def mean(values):
    return divide(sum(values), len(values))


def caller(values):
    try:
        return mean(values)
    except ZeroDivisionError as e:
        return "caller caught: %s" % e


table()
print(int_fast_paths())
print(float_paths())
for line in division_errors():
    print(line)
for line in other_errors():
    print(line)
print(caller([1, 2, 3, 4]), caller([]))
print(mean([]))
