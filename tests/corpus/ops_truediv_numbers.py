# threshold: 30
# True division's one fast path for every pair of numbers (each operand an
# exact float or a one-digit int, read as a double): each pair after code
# warmed up on floats, on ints and on a mix; operands only the division
# holds (a float it may write its result into, an int it must not: a call's
# result of 1000 or 12345 is no cached small int), constants of either
# type, unboxed temporaries, zero divisors of each type (the generic path's
# two messages), signed zeros, and what leaves the path (big ints, bools,
# subclasses).
from _typed_arith import WARM, attempt, show


SOURCE = """
def divide(a, b):
    return a / b


def divide_in_place(a, b):
    a /= b
    return a


def sole_operands(s, xs):
    # int(s), float(s) and len(xs) are new objects only the division holds.
    return (int(s) / 2.0, 2.0 / int(s), len(xs) / 4, int(s) / int(s), float(s) / len(xs),
            float(s) / 3, (float(s) * 1.0) / int(s))


def constants(x):
    return x / 2, x / 2.0, 2 / x, 2.0 / x, -0.0 / x, x / -1


def temporaries(a, b, c):
    return (a * b) / (b + c), (a + 1) / (c - 1), (a / b) / (c / b)
"""


class PlainInt(int):
    pass


class PlainFloat(float):
    pass


PAIRS = [(7, 2), (-7, 2), (1, 3), (0, -5), (2 ** 30 - 1, 3), (-(2 ** 30 - 1), -1), (5, 0), (0, 0),
         (1.5, 0.25), (-0.0, 2.0), (0.0, -1.0), (1.0, 0.0), (-1.0, -0.0), (float("inf"), 2.0),
         (float("nan"), 1.0), (3, 0.5), (0.5, 3), (-4, -0.0), (0.0, 7), (6, 0.0), (2 ** 53 + 1, 1.0),
         (2 ** 40, 3), (3, 2 ** 40), (True, 2), (2.0, False), (PlainInt(9), 2), (3.0, PlainFloat(1.5)),
         ("a", 1), (1, None)]


def main():
    for label, pair in [("floats", (1.5, 0.5)), ("ints", (7, 2)), ("mixed", (7, 0.5))]:
        namespace = {}
        exec(compile(SOURCE, "<%s>" % label, "exec"), namespace)
        divide, divide_in_place = namespace["divide"], namespace["divide_in_place"]
        sole_operands, constants, temporaries = (namespace[name] for name in
                                                 ["sole_operands", "constants", "temporaries"])
        xs = list(range(1000))
        for _ in range(WARM):
            divide(*pair)
            divide_in_place(*pair)
            sole_operands("12345", xs)
            constants(pair[0])
            temporaries(pair[0], pair[1], 3.5)
        print("==", label)
        print("divide", " ".join(attempt(divide, a, b) for a, b in PAIRS))
        print("in place", " ".join(attempt(divide_in_place, a, b) for a, b in PAIRS))
        print("sole", sole_operands("12345", xs), sole_operands("-7", xs), attempt(sole_operands, "0", xs))
        print("after", 12345, int("12345") + 1, len(xs), 1000 + int("1"))
        for x in [3, 2.5, -0.0, 0, 0.0, 2 ** 40, True]:
            print("constants", show(x), attempt(constants, x))
        for args in [(1.5, 2.0, 3.0), (3, 4, 5), (1, 2.5, 2), (0.0, 1, 1), (2 ** 31, 2, 3)]:
            print("temporaries", args, attempt(temporaries, *args))


main()
