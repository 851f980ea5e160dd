# A realistic numeric program: float-heavy loops (Newton's method, numeric
# integration with Simpson's rule, a tiny 2D physics simulation with fixed
# time steps, matrix inversion by Gauss-Jordan with partial pivoting and a
# singular-matrix error), integer number theory (extended gcd, modular
# inverse, Miller-Rabin with fixed bases, big-int factorials and digit
# sums), fractions.Fraction and decimal.Decimal arithmetic, complex roots
# of a quadratic, statistics on fixed data, math domain errors (ValueError)
# and an uncaught singular-matrix error at the end.
import cmath
import fractions
import math
import statistics
from decimal import Decimal, getcontext


def newton_sqrt(x, tol=1e-12):
    if x < 0:
        raise ValueError("negative input %r" % (x,))
    guess = x if x > 1 else 1.0
    steps = 0
    while abs(guess * guess - x) > tol * max(1.0, x):
        guess = 0.5 * (guess + x / guess)
        steps += 1
    return guess, steps


def simpson(f, a, b, n=200):
    h = (b - a) / n
    total = f(a) + f(b)
    for i in range(1, n):
        total += (4 if i % 2 else 2) * f(a + i * h)
    return total * h / 3


def simulate(steps=500, dt=0.01):
    x, y, vx, vy = 0.0, 10.0, 3.0, 0.0
    bounces = 0
    for _ in range(steps):
        vy -= 9.81 * dt
        x += vx * dt
        y += vy * dt
        if y < 0:
            y = -y
            vy = -vy * 0.8
            bounces += 1
    return round(x, 6), round(y, 6), round(vy, 6), bounces


class SingularMatrix(ArithmeticError):
    pass


def invert(m):
    n = len(m)
    a = [list(map(float, row)) + [1.0 if i == j else 0.0 for j in range(n)]
         for i, row in enumerate(m)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        if abs(a[pivot][col]) < 1e-12:
            raise SingularMatrix("matrix is singular at column %d" % col)
        a[col], a[pivot] = a[pivot], a[col]
        p = a[col][col]
        a[col] = [v / p for v in a[col]]
        for r in range(n):
            if r != col:
                factor = a[r][col]
                a[r] = [rv - factor * cv for rv, cv in zip(a[r], a[col])]
    return [[round(v, 9) for v in row[n:]] for row in a]


def egcd(a, b):
    if b == 0:
        return a, 1, 0
    g, x, y = egcd(b, a % b)
    return g, y, x - (a // b) * y


def modinv(a, m):
    g, x, _ = egcd(a, m)
    if g != 1:
        raise ValueError("%d has no inverse mod %d" % (a, m))
    return x % m


def is_probable_prime(n):
    if n < 2:
        return False
    for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for a in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def fractions_and_decimals():
    h = sum(fractions.Fraction(1, k) for k in range(1, 21))
    getcontext().prec = 40
    d = Decimal(1) / Decimal(7)
    e = sum(Decimal(1) / math.factorial(k) for k in range(30))
    getcontext().prec = 28
    return (h, float(h), str(d), str(e)[:35], fractions.Fraction("3.1415926535").limit_denominator(1000),
            Decimal("1.10") + Decimal("2.205"), Decimal("7.5").quantize(Decimal("1")),
            round(Decimal("2.675"), 2), fractions.Fraction(3, 4) ** 2, fractions.Fraction(1, 3) + 0.5)


def quadratic(a, b, c):
    disc = cmath.sqrt(b * b - 4 * a * c)
    return (-b + disc) / (2 * a), (-b - disc) / (2 * a)


def math_errors():
    out = []
    for label, fn in [("sqrt(-1)", lambda: math.sqrt(-1)), ("log(0)", lambda: math.log(0)),
                      ("acos(2)", lambda: math.acos(2)), ("exp(1000)", lambda: math.exp(1000)),
                      ("factorial(-1)", lambda: math.factorial(-1)),
                      ("factorial(2.5)", lambda: math.factorial(2.5)),
                      ("newton(-4)", lambda: newton_sqrt(-4)), ("modinv(6, 9)", lambda: modinv(6, 9)),
                      ("Fraction(1, 0)", lambda: fractions.Fraction(1, 0)),
                      ("Decimal('x')", lambda: Decimal("x")),
                      ("mean([])", lambda: statistics.mean([]))]:
        try:
            out.append("%s = %r" % (label, fn()))
        except (ValueError, OverflowError, TypeError, ZeroDivisionError, ArithmeticError,
                statistics.StatisticsError) as e:
            out.append("%s -> %s: %s" % (label, type(e).__name__, e))
    return out


print([newton_sqrt(v) for v in (2.0, 10.0, 0.25, 1e10)])
print(round(simpson(math.sin, 0, math.pi), 10), round(simpson(lambda t: t * t, 0, 3), 10),
      round(simpson(math.exp, 0, 1) - (math.e - 1), 12))
print(simulate())
print(invert([[4, 7], [2, 6]]))
print(invert([[2, -1, 0], [-1, 2, -1], [0, -1, 2]]))
print(egcd(240, 46), modinv(17, 3120), pow(17, -1, 3120))
print([n for n in range(90, 140) if is_probable_prime(n)],
      is_probable_prime(2 ** 61 - 1), is_probable_prime(2 ** 61 + 1))
f1000 = math.factorial(1000)
print(len(str(f1000)), sum(map(int, str(f1000))), f1000 % (10 ** 9 + 7))
print(fractions_and_decimals())
print(quadratic(1, 2, 5), quadratic(1, -3, 2))
data = [2.5, 3.5, 1.0, 4.0, 4.0, 7.25, 0.5, 3.0]
print(statistics.mean(data), statistics.median(data), statistics.mode(data),
      round(statistics.pstdev(data), 10), round(statistics.variance(data), 10))
print(math.fsum([0.1] * 10), sum([0.1] * 10), math.isclose(sum([0.1] * 10), 1.0),
      math.hypot(3, 4), math.copysign(2, -0.0), math.gcd(12, 18, 30), math.lcm(4, 6),
      math.comb(30, 12), math.perm(10, 3), math.prod(range(1, 15)), (0.1).hex(),
      float.fromhex("0x1.8p1"), (2.5).as_integer_ratio(), int.from_bytes(b"\x01\x02", "big"),
      (1025).to_bytes(2, "little"), divmod(-17, 5), -17 // 5, -17 % 5, math.floor(-2.5))
for line in math_errors():
    print(line)
print(invert([[1, 2, 3], [2, 4, 6], [1, 0, 1]]))
