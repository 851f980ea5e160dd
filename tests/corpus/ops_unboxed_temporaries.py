# Arithmetic temporaries kept unboxed between operators
# (Optimization::UnboxedTemporaries, Lowering::push_number), compiled after
# the specialising interpreter profiled them: int and float chains, ints
# that outgrow one digit (boxed, then taken by the next operator as an
# object), generic results (strings, big ints, floats, subclasses) in a
# slot profiled for ints, an unboxed operand of the wrong kind, true and
# floor division and power of unboxed operands (ZeroDivisionError text),
# signed zeros, NaN and infinities, small-int identity, every kind of
# instruction that needs the object (attributes, methods, subscripts, calls,
# containers, truth tests, identity, unary operators, f-strings, returns,
# yields), exceptions raised while an unboxed temporary is below on the
# stack (caught in the same function, caught by the caller, in a generator),
# conditional expressions and comparison chains after one, tracemalloc
# tracing (numbers then made where the interpreter makes them), and list
# and tuple subscripts and stores by an unboxed index (negative, out of
# range, more than one digit, a float, a dict or another container).
# threshold: 30
import math
import sys
import tracemalloc


class MyInt(int):
    pass


class MyFloat(float):
    pass


class Missing:
    missing = 1


def eval_a(i, j):
    return 1.0 / ((i + j) * (i + j + 1) // 2 + i + 1)


def int_chain(a, b, c):
    return (a * b + c) * (a - c) // 7 - (b % 5) * (a + 1)


def float_chain(x, y, z):
    return x * x + y * y - z / (x + 0.5) * (y - z)


def mixed_chain(i, x):
    return (i + 1) * x + (i * i) / 3


def power_chain(x, y):
    return (x * 2.0) ** (y + 0.5) - (x + y) ** 2.0


def floor_chain(a, b):
    return (a - b) // (b + 1) + (a * b) % (a - 3)


def compare_chain(a, b, c):
    if a * b < c + 1:
        first = "less"
    else:
        first = "not less"
    second = a + b == c * 2
    third = (a * 0.5) >= (b - c)
    return first, second, third


def needs_object(a, b, items):
    results = []
    results.append((a + b).bit_length())
    results.append((a * 1.5).real)
    results.append(items[a - b])
    items[a - b + 1] = a * b
    results.append(items[a - b + 1])
    results.append([a * b, a + b, a * 0.25])
    results.append(str(a * b))
    results.append(f"{a * b}:{a / 4}")
    results.append(-(a * b))
    results.append(not a - a)
    results.append((a - a) is None)
    results.append((a * b) in {a * b, 3})
    results.append(abs(a - b * 3))
    if a - a:
        results.append("true")
    else:
        results.append("false")
    results.append(a * b if a > b else a + b)
    results.append(a + (b if a > 2 else -b) * 2)
    results.append(0 < a + b < 100)
    return results


def small_identity(a, b, five, big, bigger, zero):
    return (a + b) is five, (a * b) is big, (a * b + 1) is bigger, (a - a) is zero


def raises_below(a, b, table, key):
    try:
        return a * b + table[key]
    except KeyError as e:
        return ("caught", repr(e), a * b - 1)


def raises_uncaught(a, b, table, key):
    return a * b + (a + b) * table[key]


def divides(a, b, c, d):
    return (a * b) + (a + b) / (c - d)


def divides_float(x, y, z):
    return x * 2.0 + (x + y) / (y - z)


def floor_by_zero(a, b, c):
    return (a + b) // (a - c)


def mod_by_zero(a, b, c):
    return (a * b) % (b - c)


def attribute_below(a, b, obj):
    return (a + b) * 2 + obj.missing


def call_below(a, b, f):
    return (a * b) + f(a) * 2


def gen_below(a, b, n):
    for k in range(n):
        yield (a * b + k) * (yield a + k)


def float_specials(x, y):
    return (x * -1.0) * 0.0, (x - x) * -1.0, (x * y) - (x * y), (x / y) * 2.0


def traced(a, b, x):
    return (a * b + 1) * (a - b), (x * 2.5 + 1.0) * (x - 0.5)


def subscripts(seq, i, j, value):
    got = seq[i + j], seq[i * j - 1], seq[j - i]
    seq[i + 1] = value * 2
    seq[i * j] = seq[j + 1] * 3
    return got, seq[i + 1], seq[i * j]


def subscript_float(seq, i):
    return seq[i * 0.5]


def show(label, value):
    if isinstance(value, float) and not math.isnan(value):
        value = repr(value)
    print(label, value)


def attempt(label, f, *args):
    try:
        show(label, f(*args))
    except Exception as e:
        print(label, type(e).__name__, e)
        tb = e.__traceback__
        while tb.tb_next:
            tb = tb.tb_next
        print("   at", tb.tb_frame.f_code.co_name, tb.tb_lineno)


def warm_up():
    # Profiled on small ints and floats before the threshold compiles them.
    for n in range(40):
        eval_a(n, n + 1)
        int_chain(n + 3, 5, 2)
        float_chain(n + 0.5, 2.5, 1.25)
        mixed_chain(n, 0.5)
        power_chain(n + 1.0, 1.5)
        floor_chain(n + 10, 3)
        compare_chain(n, 2, 5)
        needs_object(n + 5, 3, list(range(100)))
        small_identity(2, 3, 5, 256, 257, 0)
        raises_below(n, 2, {"k": 1}, "k")
        raises_uncaught(n, 2, {"k": 1}, "k")
        divides(n, 2, 1, 2)
        divides_float(n + 1.0, 2.0, 3.0)
        floor_by_zero(n + 3, 1, 2)
        mod_by_zero(n + 1, 2, 3)
        attribute_below(n, 1, Missing())
        call_below(n, 2, abs)
        float_specials(n + 1.0, 2.0)
        traced(n, 2, n + 0.5)
        subscripts(list(range(20)), 2, 3, n)


def main():
    attempt("eval_a", lambda: [eval_a(i, j) for i in range(4) for j in range(4)])
    warm_up()
    for i, j in [(0, 0), (3, 7), (-5, 2), (40000, 40000), (2**29, 2**29), (-2**29, 1), (2**40, 1)]:
        attempt(f"eval_a {i} {j}", eval_a, i, j)
    for args in [(7, 5, 2), (-7, 5, 9), (2**20, 2**20, 3), (2**29, 2**29, -2**29), (2**62, 3, 1),
                 (MyInt(4), 5, 2), (True, 5, 2), (2.5, 5, 2), (7, 5.0, 2)]:
        attempt(f"int_chain {args}", int_chain, *args)
    attempt("int_chain str", int_chain, "ab", 3, "c")
    attempt("int_chain list", int_chain, [1], 2, [3])
    for args in [(1.5, 2.5, 0.75), (-0.0, 0.0, 1.0), (1e308, 1e308, 1.0), (float("nan"), 1.0, 2.0),
                 (float("inf"), 2.0, 3.0), (MyFloat(1.5), 2.0, 3.0), (3, 4, 5), (2**70, 1.0, 2.0)]:
        attempt(f"float_chain {args}", float_chain, *args)
    for args in [(3, 0.5), (2**29, 0.25), (2**31, 1.5), (-7, -0.0), (5, 2), (MyInt(3), 1.0)]:
        attempt(f"mixed_chain {args}", mixed_chain, *args)
    for args in [(1.5, 2.0), (-3.0, 0.5), (0.0, 1.0), (1e200, 3.0), (2, 3), (float("nan"), 1.0)]:
        attempt(f"power_chain {args}", power_chain, *args)
    for args in [(17, 4), (-17, 4), (17, -4), (3, 0), (4, -1), (2**29, -2**29), (10**20, 7), (7.5, 2)]:
        attempt(f"floor_chain {args}", floor_chain, *args)
    for args in [(3, 4, 5), (3, 4, 20), (1.5, 2, 1), (2**30, 2**30, 1), ("a", 2, "aa"), (3, 4.0, 7)]:
        attempt(f"compare_chain {args}", compare_chain, *args)
    attempt("needs_object", needs_object, 9, 4, list(range(100)))
    attempt("needs_object float", needs_object, 9.0, 4, list(range(100)))
    attempt("small_identity", small_identity, 2, 3, 5, 256, 257, 0)
    attempt("small_identity big", small_identity, 200, 56, 5, 256, 257, 0)
    attempt("small_identity neg", small_identity, -2, 7, 5, 256, 257, 0)
    attempt("raises_below hit", raises_below, 6, 7, {"k": 1}, "k")
    attempt("raises_below miss", raises_below, 6, 7, {"k": 1}, "x")
    attempt("raises_below big", raises_below, 2**29, 2**29, {}, "x")
    attempt("raises_uncaught", raises_uncaught, 6, 7, {}, "x")
    attempt("raises_uncaught float", raises_uncaught, 6.5, 7, {}, "x")
    attempt("divides", divides, 6, 7, 3, 3)
    attempt("divides_float", divides_float, 6.0, 7.0, 7.0)
    attempt("floor_by_zero", floor_by_zero, 6, 7, 6)
    attempt("mod_by_zero", mod_by_zero, 6, 7, 7)
    attempt("attribute_below", attribute_below, 6, 7, sys.flags)
    attempt("call_below", call_below, 6, 7, abs)
    attempt("call_below raises", call_below, 6, 7, lambda v: 1 / (v - v))
    g = gen_below(3, 4, 3)
    attempt("gen first", next, g)
    attempt("gen send", g.send, 10)
    attempt("gen send", g.send, 20)
    attempt("gen throw", g.throw, ValueError("thrown"))
    attempt("float_specials", float_specials, 1.5, 2.0)
    attempt("float_specials neg", float_specials, -0.0, -2.0)
    attempt("float_specials inf", float_specials, float("inf"), float("inf"))
    for args in [(list(range(20)), 2, 3, 7), (list(range(20)), 3, 2, 1), (list(range(20)), 5, 1, 0),
                 (list(range(6)), 2, 3, 5), (list(range(20)), 2**29, 2**29, 1), (list(range(20)), -2, 3, 4),
                 (tuple(range(20)), 2, 3, 1), ({5: "five", 0: "zero", 1: "one", 3: "three", 6: "six", 4: "four"}, 2, 3, 1),
                 ("abcdefghij", 2, 3, 1), (list(range(20)), 2.0, 3, 1), (list(range(20)), True, 3, 1)]:
        attempt(f"subscripts {type(args[0]).__name__} {args[1:]}", subscripts, *args)
    attempt("subscript_float", subscript_float, list(range(20)), 4)
    tracemalloc.start()
    attempt("traced", traced, 7, 3, 1.25)
    attempt("traced big", traced, 2**29, 3, 1e300)
    tracemalloc.stop()
    attempt("traced after", traced, 7, 3, 1.25)


main()
