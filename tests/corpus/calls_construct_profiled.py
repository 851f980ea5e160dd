# Classes constructed by compiled code itself (inline-construct), at call
# sites of globals the specialising interpreter ran and kept generic: the
# instance made and __init__'s native code entered from the caller's code
# with its frame pushed there, defaults taken, the result checked to be
# None. Each site warms up, then meets every way out: the global rebound to
# another class and to a function, the class changed (__init__ replaced on
# it and on a base, __init__.__code__ replaced, __defaults__ replaced), a
# finalizer that runs during the allocation replacing __init__, __init__ a
# generator function, returning a value, raising (with its traceback), too
# many and too few arguments, deep recursion through constructors (the C
# stack check levels, full data-stack chunks, the RecursionError), and
# tracing switched on.
# threshold: 30
# expect-stats: inline_constructs>5000
import sys
import traceback

from _construct_cases import Base, Derived, Point, describe, finalizer_during_allocation


class Other:
    def __init__(self, value):
        self.other = value


def points(n):
    return [Point(i, i + 1) for i in range(n)] + [Point(i) for i in range(n)]


def deriveds(n):
    return [Derived(i) for i in range(n)]


def kept_records():
    for _ in range(40):
        made = points(100)
    print(sum(p.x + p.y for p in made), describe(made), describe(made[100:]))


def changed_classes():
    global Derived
    for _ in range(40):
        made = deriveds(20)
    print(describe(made))

    def doubled(self, value):
        self.value = 2 * value

    Derived.__init__ = doubled
    print(describe(deriveds(20)))
    del Derived.__init__
    print(describe(deriveds(20)))

    def tripled(self, value):
        self.value = 3 * value

    original = Base.__init__
    Base.__init__ = tripled
    print(describe(deriveds(20)))
    Base.__init__ = original

    def negated(self, value):
        self.value = -value

    saved = Base.__init__.__code__
    Base.__init__.__code__ = negated.__code__
    print(describe(deriveds(20)))
    Base.__init__.__code__ = saved
    print(describe(deriveds(20)))

    saved_defaults = Point.__init__.__defaults__
    Point.__init__.__defaults__ = (-1,)
    print(describe(points(3)[3:]))
    Point.__init__.__defaults__ = None
    try:
        points(3)
    except TypeError as error:
        print("TypeError:", error)
    Point.__init__.__defaults__ = saved_defaults

    saved_class = Derived
    for replacement in (Other, lambda value: ("function", value), saved_class):
        Derived = replacement
        made = deriveds(20)
        print(made[:2] if isinstance(made[0], tuple) else describe(made))


class Returns:
    def __init__(self, value):
        self.value = value
        if value == 70:
            return value


class Raises:
    def __init__(self, value):
        if value == 70:
            raise ValueError("seventy")
        self.value = value


class Generates:
    def __init__(self, value):
        yield value


def returns(n):
    return [Returns(i) for i in range(n)]


def raises(n):
    return [Raises(i) for i in range(n)]


def generates():
    return Generates(1)


def arguments(n, extra):
    return [Base(i, *extra) for i in range(n)]


def failing():
    for make in (returns, raises):
        for _ in range(40):
            make(10)
        try:
            make(80)
        except (TypeError, ValueError):
            lines = traceback.format_exc().splitlines()
            print("\n".join(line for line in lines if not line.startswith("    ")))
    errors = set()
    for _ in range(60):
        try:
            generates()
        except TypeError as error:
            errors.add(str(error))
    print(errors)
    for _ in range(40):
        arguments(10, ())
    for extra in ((1,), (1, 2)):
        try:
            arguments(10, extra)
        except TypeError as error:
            print("TypeError:", error)


class Nested:
    def __init__(self, depth):
        self.child = Nested(depth - 1) if depth else None


def chain(depth):
    n, node = 0, Nested(depth)
    while node:
        n, node = n + 1, node.child
    return n


def recursion():
    print([chain(depth) for depth in range(0, 400, 7)])
    try:
        Nested(100000)
    except RecursionError as error:
        print("RecursionError:", error)
    print(chain(300))


def traced():
    events = []

    def tracer(frame, event, arg):
        if frame.f_code.co_name == "__init__" and event in ("call", "return"):
            events.append((event, frame.f_lineno))
        return tracer

    points(40)
    sys.settrace(tracer)
    try:
        made = points(2)
    finally:
        sys.settrace(None)
    print(describe(made), events)


def main():
    kept_records()
    changed_classes()
    print(finalizer_during_allocation())
    failing()
    recursion()
    traced()


main()
