# Calls of the math module's functions compiled after the specialising
# interpreter profiled them as builtins of one argument (math-functions):
# sqrt, fabs, sin, cos, tan, atan and exp, by their global names and as
# module attributes, on floats and small ints, boxed and computed by an
# operator (unboxed), with their results taken by operators and stored.
# Each site warms up, then meets every way out of the inline path: NaN,
# infinities, a negative square root, an overflowing exp (the errors and
# their tracebacks), signed zeros, a big int, a bool, subclasses of float
# and int, an object with __float__, a str, the name rebound to another
# builtin and to a Python function, the module's function replaced, the
# recursion limit, and tracing switched on.
# threshold: 30
import math
import sys
import traceback
from math import atan, cos, exp, fabs, sin, sqrt, tan


def norm(x, y, z):
    return sqrt(x * x + y * y + z * z)


def boxed(value):
    return sqrt(value)


def attribute(value):
    return math.sqrt(value) + math.fabs(value)


def trig(i):
    return sin(i) * 3 + cos(i) / 2 - tan(i * 0.25) + atan(i)


def growth(value):
    result = exp(value)
    return result, fabs(-value)


def show(label, compute):
    try:
        print(label, repr(compute()))
    except Exception as error:
        print(label, "raised", type(error).__name__, error)
        traceback.print_exc(file=sys.stdout)


total = 0.0
for i in range(60):
    total += norm(i * 0.5, i, 2.0) + boxed(float(i)) + boxed(i) + attribute(i * 1.5)
    total += trig(i) + trig(i * 0.1) + growth(i * 0.01)[0]
print("warm", repr(total))

show("norm of ints", lambda: norm(3, 4, 12))
show("nan", lambda: boxed(float("nan")))
show("inf", lambda: boxed(float("inf")))
show("negative", lambda: boxed(-1.0))
show("negative zero", lambda: (boxed(-0.0), growth(-0.0)))
show("sin of inf", lambda: trig(float("inf")))
show("exp overflow", lambda: growth(1000.0))
show("exp underflow", lambda: growth(-1000.0))
show("big int", lambda: boxed(10 ** 40))
show("small int limit", lambda: (boxed(2 ** 30 - 1), boxed(-(2 ** 30))))
show("bool", lambda: boxed(True))


class Real(float):
    pass


class Whole(int):
    pass


class Convertible:
    def __float__(self):
        print("  __float__ called")
        return 6.25


show("float subclass", lambda: boxed(Real(2.25)))
show("int subclass", lambda: boxed(Whole(49)))
show("__float__", lambda: attribute(Convertible()))
show("str", lambda: boxed("four"))
show("no argument value", lambda: boxed(None))

sqrt = abs
show("rebound to abs", lambda: boxed(-2.0))
sqrt = lambda value: ("python sqrt", value)
show("rebound to a function", lambda: boxed(9.0))
sqrt = math.sqrt
show("bound again", lambda: boxed(9.0))

original = math.sqrt
math.sqrt = lambda value: ("replaced", value)
show("module function replaced", lambda: attribute(4.0))
math.sqrt = original
show("module function restored", lambda: attribute(4.0))


def deep(level):
    return boxed(float(level)) + deep(level + 1)


limit = sys.getrecursionlimit()
sys.setrecursionlimit(80)
try:
    deep(0)
except RecursionError as error:
    print("recursion", error)
sys.setrecursionlimit(limit)


def tracer(frame, event, arg):
    if event == "call" and frame.f_code.co_name == "boxed":
        print("  traced call of", frame.f_code.co_name)
    return None


def traced_loop():
    values = []
    for step in range(3):
        if step == 1:
            sys.settrace(tracer)
        values.append(boxed(step + 0.5))
    sys.settrace(None)
    return values


for _ in range(40):
    boxed(1.0)
show("tracing", traced_loop)
