# threshold: 30
# Operators and subscripts with a constant operand (constant-operands): a
# small int or a float that LOAD_CONST pushed is taken as its value when
# compiling, on either side, in every fast path it fits (int, float, mixed)
# and not in those it rules out. Each function warms up with one type and
# then meets every other: floats, ints past one digit and past one machine
# word, bools, int and float subclasses, strs and lists (the generic path),
# zero divisors (ZeroDivisionError and its traceback), signed zeros, NaN
# and infinities; constants that are not small ints (big ints, bools,
# strs) stay run-time operands; and a constant index of a list or tuple in
# range, out of range (IndexError), negative, and of a dict or a str; the
# same as the operand of an instruction after others with paths that
# merge (an augmented subscript's index, which COPY and SWAP move; a
# constant left operand of a call's result), and along paths that join (a
# conditional index: not known). An
# unboxed result meeting an operand of the other type (an int result times
# a float, a float result plus an int) gets no fast path that needs it to
# be of that type.
import math
import traceback

WARM = 40  # calls before the types change: past `# threshold: 30`


def plus_one(x):
    return x + 1


def one_minus(x):
    return 1 - x


def times_two(x):
    return x * 2


def times_half(x):
    return x * 0.5


def half_of(x):
    return 0.5 * x


def over_two(x):
    return x / 2


def over_zero(x):
    return x / 0


def floor_over_three(x):
    return x // 3, x % 3


def modulo_zero(x):
    return x % 0


def minus_neg_zero(x):
    return x - -0.0


def shifted(x):
    return (x << 3) | 5, x >> 1, x & 0xFF, x ^ 7


def powered(x):
    return x ** 2, x ** 0.5


def big_constants(x):
    return x + 2 ** 40, x * 10 ** 20, x - 1073741824


def bool_constant(x):
    return x + True, x * False


def chained(x, n):
    return (x * 0.5) + n, (n + 1) * x, (n - 2) / x


def below_ten(x):
    if x < 10:
        return "below"
    return "not below"


def compared(x):
    return x == 0, x != 0.0, 3 <= x, x > 2.5, 1.5 >= x


def counted(n):
    total = 0
    i = 0
    while i < n:
        total = total + i * 3 - 1
        i += 1
    return total


def accumulated(n):
    total = 0.0
    for i in range(n):
        total = total * 0.5 + i / 4
    return total


def first_items(seq):
    return seq[0], seq[2]


def last_item(seq):
    return seq[-1]


def store_first(items, value):
    items[0] = value
    items[3] = value
    return items


def bump_items(items, x):
    items[0] += x
    items[2] *= x
    items[-1] -= 1
    return items


def plus_call(x):
    return 1 + abs(x), 2.5 * abs(x), (x, -x)[0 if x else 1] - 1


class Int(int):
    def __add__(self, other):
        return "Int.__add__(%r)" % (other,)

    def __lt__(self, other):
        return "Int.__lt__"


class Float(float):
    def __mul__(self, other):
        return "Float.__mul__(%r)" % (other,)


class Seq(list):
    def __getitem__(self, index):
        return "Seq[%r]" % (index,)


def show(label, function, *args):
    try:
        result = function(*args)
    except Exception as error:
        print(label, type(error).__name__, error)
        traceback.print_exc(limit=2)
        return
    if isinstance(result, float) and math.isnan(result):
        result = "nan"
    print(label, repr(result), type(result).__name__)


def warm(function, value):
    for _ in range(WARM):
        try:
            function(value)
        except ZeroDivisionError:
            pass


OTHERS = [
    7, -7, 0, 2 ** 29, 2 ** 30, -(2 ** 30), 2 ** 62, 2 ** 64, -(2 ** 70), True, False,
    2.5, -0.0, 0.0, float("nan"), float("inf"), -float("inf"), 1e308,
    Int(5), Float(1.5), "s", [1],
]

for function, warm_value in [
    (plus_one, 3), (plus_one, 3.5), (one_minus, 4), (one_minus, 4.25),
    (times_two, 6), (times_two, 1.5), (times_half, 8), (times_half, 0.75),
    (half_of, 9), (half_of, 2.5), (over_two, 5), (over_two, 5.5),
    (over_zero, 1), (over_zero, 1.5), (floor_over_three, 10), (modulo_zero, 4),
    (minus_neg_zero, 0.0), (minus_neg_zero, 3), (shifted, 12), (powered, 1.5),
    (big_constants, 1), (bool_constant, 2), (below_ten, 4), (below_ten, 4.5),
    (compared, 2), (compared, 2.75),
]:
    warm(function, warm_value)
    for other in OTHERS:
        if function is shifted and not isinstance(other, int):
            continue
        show("%s(%r)" % (function.__name__, other), function, other)

print(counted(50), counted(0))
print(accumulated(60))
warm(counted, 40)
warm(accumulated, 40)
print(counted(100), accumulated(100))

for x, n in [(1.5, 2), (2, 3), (0.25, -4)]:
    for _ in range(WARM):
        chained(x, n)
for x, n in [(1.5, 2), (3, 4.5), (2.5, 2 ** 40), (0.0, 1), (0, 2), (True, 1), ("s", 1), (1.5, "n")]:
    show("chained(%r, %r)" % (x, n), chained, x, n)

for sequence in [[10, 20, 30], (1.5, 2.5, 3.5)]:
    warm(first_items, sequence)
    warm(last_item, sequence)
for sequence in [[1, 2, 3, 4], (4, 5, 6), [1], (), {0: "a", 2: "b"}, "xyz", Seq([1, 2, 3]), range(5)]:
    show("first_items(%r)" % (sequence,), first_items, sequence)
    show("last_item(%r)" % (sequence,), last_item, sequence)
for _ in range(WARM):
    store_first([0, 0, 0, 0], 1)
for items, value in [([5, 6, 7, 8], 2.5), ([5, 6], 1), ((5, 6, 7, 8), 1), ({}, "v"), (Seq([1, 2, 3, 4]), 0)]:
    show("store_first(%r, %r)" % (items, value), store_first, items, value)
for _ in range(WARM):
    bump_items([1, 2, 3, 4], 2)
    bump_items([1.5, 2.5, 3.5], 0.5)
    plus_call(3)
    plus_call(-2.5)
for items, x in [([5, 6, 7, 8], 3), ([0.5, 1.5, 2.5], 2.0), ([5, 6, 7], 2 ** 64), (["a", "b", "c"], "d"),
                 ([5, 6], 1), ((5, 6, 7), 1), ({0: 1, 2: 2, -1: 3}, 4), (Seq([1, 2, 3]), 1), ([1, [2], 3], [4])]:
    show("bump_items(%r, %r)" % (items, x), bump_items, items, x)
for x in [7, -7, 0, 2 ** 64, 0.0, -2.5, float("nan"), True, Int(3), Float(-1.5), "s"]:
    show("plus_call(%r)" % (x,), plus_call, x)
