# Float results passed on known to be unboxed
# (Optimization::KnownFloatResults): BINARY_OP sites the interpreter
# specialised for two floats, compiled after that warm-up, whose results
# the next operator takes. After the warm-up each copy meets what leaves
# the float path: float subclasses (the generic path makes an exact float,
# which is unboxed), ints (an int result, so the frame continues in the
# interpreter after the instruction, with an unboxed float below it on the
# stack), an object whose operator returns a string, one whose operator
# raises (traceback lines), a bool, a negative base's fractional power
# (a complex result), a generator's yields and return, tracemalloc tracing (every result made
# where the interpreter makes it), and loops that meet other numbers and
# objects halfway: short ones, and long ones (plain, nested, inside `try`)
# whose frame the interpreter continues after an int result until loop
# tiering has it continue natively from a loop header again, until the
# code is compiled again without the speculation.
# threshold: 30
# expect-stats: deopts>0
import tracemalloc

WARM = 40

SOURCE = """
def square_sum(x, y, z):
    return x * x + y * y + z * z


def scaled(x, y):
    return (x - y) * 0.5 + x * y


def nested(x, y):
    total = x + 1.0
    return total * (x * y - (y - x) * 2.0)


def in_loop(values):
    total = 0.0
    for v in values:
        total = total + (v * v - v)
    return total


def in_loop_known(values):
    total = 0.0
    for v in values:
        total = total + (v * 2.0 - v) * 0.5
    return total


def grid(rows):
    total = 0.0
    for row in rows:
        for v in row:
            total = total + v * v
        total = total * 0.5 - 1.0
    return total


def guarded(values):
    total = 0.0
    try:
        for v in values:
            total = total + (v * v - v)
    except TypeError as error:
        return "guarded: %s after %r" % (error, total)
    return total


def pairs(x, y):
    yield x * y + 1.0
    yield (x - y) * 2.0 + x * x
    return x * x - y


def compare(x, y):
    return x * y < y - x


def power(x, y):
    return (x * y) ** 0.5 * 2.0 - (x - y) ** 2.0
"""


class MyFloat(float):
    pass


class Odd:
    def __init__(self, v):
        self.v = v

    def __mul__(self, other):
        return "odd*%r" % (other,)

    def __rmul__(self, other):
        return "%r*odd" % (other,)

    def __add__(self, other):
        return "odd+%r" % (other,)

    __radd__ = __add__

    def __sub__(self, other):
        return self.v - other

    def __rsub__(self, other):
        return other - self.v

    def __lt__(self, other):
        return True

    __gt__ = __lt__


class Raising:
    def __mul__(self, other):
        raise ValueError("no product")

    __rmul__ = __mul__

    def __sub__(self, other):
        raise ArithmeticError("no difference")

    __rsub__ = __sub__


def fresh(label):
    namespace = {}
    exec(compile(SOURCE, "<%s>" % label, "exec"), namespace)
    return namespace


def warmed(label):
    ops = fresh(label)
    for i in range(WARM):
        x, y = 0.25 * i + 0.5, 1.5 - 0.125 * i
        ops["square_sum"](x, y, x - y)
        ops["scaled"](x, y)
        ops["nested"](x, y)
        ops["in_loop"]([x, y, 2.5])
        ops["in_loop_known"]([x, y, 2.5])
        ops["grid"]([[x, y], [2.5]])
        ops["guarded"]([x, y, 2.5])
        ops["compare"](x, y)
        list(ops["pairs"](x, y))
        ops["power"](x, abs(y) + 1.0)
    return ops


def attempt(label, function, *args):
    try:
        print(label, repr(function(*args)))
    except Exception as error:
        innermost = error.__traceback__
        while innermost.tb_next:
            innermost = innermost.tb_next
        print(label, type(error).__name__, error, "at line", innermost.tb_lineno)


def show_all(label, ops, *cases):
    for case in cases:
        attempt(label + " square_sum", ops["square_sum"], *case)
        attempt(label + " scaled", ops["scaled"], *case[:2])
        attempt(label + " nested", ops["nested"], *case[:2])
        attempt(label + " compare", ops["compare"], *case[:2])
        attempt(label + " power", ops["power"], *case[:2])
        attempt(label + " pairs", lambda *args: list(ops["pairs"](*args)), *case[:2])


def main():
    floats = warmed("floats")
    show_all("floats", floats, (1.5, -2.25, 0.0), (-0.0, 0.0, -0.0), (1e308, 1e308, 1e-320),
             (float("nan"), float("inf"), -1.0))
    show_all("subclass", warmed("subclass"), (MyFloat(1.5), 2.0, MyFloat(-3.0)), (MyFloat(0.5), MyFloat(0.25), 1.0))
    show_all("ints", warmed("ints"), (3, 4, 5), (2, 0.5, 7), (1.5, 2, 3), (True, False, True))
    show_all("big ints", warmed("big"), (10**20, 3, 2**70), (2**40, 2**40, 1.0))
    show_all("odd", warmed("odd"), (Odd(1.0), 2.0, 3.0), (2.0, Odd(3.0), Odd(4.0)))
    show_all("raising", warmed("raising"), (Raising(), 1.0, 2.0), (1.0, Raising(), 2.0), (1.0, 2.0, Raising()))
    loops = warmed("loops")
    attempt("loop floats", loops["in_loop"], [0.5, 1.5, -2.0])
    attempt("loop int halfway", loops["in_loop"], [0.5, 1.5, 3, 4.5, 2**65, 0.25])
    attempt("loop odd", loops["in_loop"], [0.5, Odd(1.0)])
    attempt("loop again", loops["in_loop"], [0.5, 1.5, -2.0])
    attempt("known loop floats", loops["in_loop_known"], [0.5, 1.5, -2.0])
    attempt("known loop ints", loops["in_loop_known"], [0.5, 1, 3, 2**65, 0.25])
    attempt("known loop odd", loops["in_loop_known"], [0.5, Odd(1.0), 2.0])
    attempt("known loop raising", loops["in_loop_known"], [0.5, Raising(), 2.0])
    long = warmed("long loops")
    tail = [0.25] * 200_000
    attempt("long loop int early", long["in_loop"], [0.5, 3] + tail)
    attempt("long loop ints in blocks", long["in_loop"], ([0.5] * 20_000 + [3]) * 24)
    attempt("long loop odd late", long["in_loop"], tail + [3, Odd(1.0)] + tail)
    attempt("long nested int", long["grid"], [[0.5] * 1000] * 50 + [[0.5, 2, 0.25]] + [[0.75] * 1000] * 150)
    attempt("long nested ints", long["grid"], [[0.5] * 5000 + [i] for i in range(30)])
    attempt("long guarded int", long["guarded"], [0.5, 3] + tail)
    attempt("long guarded odd", long["guarded"], tail + [3, Odd(1.0)] + tail)
    attempt("long loop after", long["in_loop"], [0.5, 3] + tail)
    storm = warmed("storm")
    print("storm", [storm["scaled"](i, 3) for i in range(40)], [storm["nested"](i, 2) for i in range(40)][-3:])
    print("storm square_sum", sum(storm["square_sum"](i, i + 1, 2) for i in range(40)))
    show_all("after storm", storm, (1.5, -2.25, 0.75), (3, 4, 5))
    traced = warmed("traced")
    tracemalloc.start()
    try:
        show_all("traced", traced, (1.5, -2.25, 0.75), (3, 4, 5))
        attempt("traced loop", traced["in_loop"], [0.5, 1.5, 3])
    finally:
        tracemalloc.stop()
    show_all("after tracing", traced, (1.5, -2.25, 0.75))


main()
