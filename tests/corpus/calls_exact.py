# Exact calls (helpers::frames::enter_exact): compiled code calls a
# compiled function passing exactly its positional parameters, which
# call_positional enters from the site's record without the general path.
# Reaches its paths: plain calls and method calls, functions with no
# parameters, cells and free variables, frames of many locals, frames
# that escape (sys._getframe, tracebacks) or gain a locals dict (locals()),
# finalizers that run and raise while the frame is cleared, and the
# declines (another argument count after __code__ is swapped, defaults,
# tracing and profiling switched on inside a callee, RecursionError at a low
# limit, data-stack chunks filled by deep recursion).
# expect-stats: direct_calls>1000
import sys


def add(a, b):
    return a + b


def none():
    return 7


def with_cell(a):
    def inner():
        return a * 2
    return inner() + a


def sixteen(a, b):
    c0 = c1 = c2 = c3 = c4 = c5 = c6 = c7 = a
    c8 = c9 = c10 = c11 = c12 = c13 = b
    return a + b + c0 + c7 + c13


def seventeen(a, b):
    c0 = c1 = c2 = c3 = c4 = c5 = c6 = c7 = a
    c8 = c9 = c10 = c11 = c12 = c13 = c14 = b
    return a + b + c0 + c7 + c14


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y

    def dot(self, other):
        return self.x * other.x + self.y * other.y


class Noisy:
    def __init__(self, name, fail=False):
        self.name, self.fail = name, fail

    def __del__(self):
        print("released", self.name, "under", sys._getframe(1).f_code.co_name)
        if self.fail:
            raise ValueError("finalizer of " + self.name)


def holds(name, fail):
    keep = Noisy(name, fail)
    return len(keep.name)


def holds_with_locals(name):
    keep = Noisy(name)
    return sorted(locals())


saved = []


def escapes(a):
    saved.append(sys._getframe())
    return a


def raises(a):
    if a > 2:
        raise KeyError(a)
    return a


def depth(n):
    return 0 if n == 0 else 1 + depth(n - 1)


def wide(n, a):
    # Big frames: the recursion crosses data-stack chunks.
    b0 = b1 = b2 = b3 = b4 = b5 = b6 = b7 = b8 = b9 = a
    return a if n == 0 else wide(n - 1, a + b9) + b0


def with_default(a, b=5):
    return a + b


def swapped(a, b):
    return a - b


def calls(n):
    total = 0
    p = Point(1, 2)
    for i in range(n):
        total += add(i, 1) + none() + with_cell(i) + sixteen(i, 1) + seventeen(1, i)
        total += p.dot(p) + Point.dot(p, p)
    return total


def profiled(frame, event, arg):
    if event in ("call", "return") and frame.f_code.co_name == "add":
        print("profile", event, frame.f_code.co_name)


def traced(frame, event, arg):
    if event == "call":
        print("trace call", frame.f_code.co_name)
    return None


def switch_tracing_on(a):
    sys.settrace(traced)
    return a


def unraisable(info):
    print("unraisable", type(info.exc_value).__name__, info.exc_value)


def main():
    sys.unraisablehook = unraisable
    for _ in range(3):
        print("calls", calls(200))
    print("finalizers", [holds("a%d" % i, False) for i in range(2)])
    print("finalizer raising", holds("bad", True))
    print("locals dict", holds_with_locals("with locals"), holds_with_locals("again"))
    print("escaped", [escapes(i) for i in range(3)], [f.f_locals for f in saved], saved[0].f_back.f_code.co_name)
    for i in range(5):
        try:
            print("raises", raises(i))
        except KeyError as e:
            tb = e.__traceback__
            while tb.tb_next:
                tb = tb.tb_next
            print("KeyError", e, tb.tb_frame.f_code.co_name, tb.tb_lineno, tb.tb_frame.f_locals)
    print("defaults", [with_default(i) for i in range(3)], [with_default(i, i) for i in range(3)])
    print("depth", depth(500), "wide", wide(400, 1))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(120)
    try:
        depth(200)
    except RecursionError as e:
        print("RecursionError", e)
    sys.setrecursionlimit(limit)
    print("depth again", depth(50))
    print("before swap", [swapped(5, i) for i in range(3)])
    swapped.__code__ = (lambda a, b, c: a * b * c).__code__
    try:
        print(swapped(5, 1))
    except TypeError as e:
        print("TypeError", e)
    print("after swap", swapped(5, 1, 2))
    swapped.__code__ = none.__code__
    print("no parameters", swapped())
    sys.setprofile(profiled)
    print("profiled", add(1, 2))
    sys.setprofile(None)
    print("traced", switch_tracing_on(1), add(2, 3))
    sys.settrace(None)
    print("untraced", add(3, 4), calls(3))


main()
