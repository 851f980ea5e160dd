# Classes constructed from compiled code with the __init__ their call site
# recorded (helpers::calls::CallSite::constructor): records kept while the
# class is unchanged and made again when it changes (__init__ replaced on
# the class or on a base, __init__.__code__ replaced, a finalizer that runs
# during the allocation replacing __init__), sites alternating between
# classes and between classes and functions, classes made and freed at one
# site, defaults, __init__ raising or returning a value, recursion.
# expect-stats: recorded_constructs>1000
import traceback

from _construct_cases import Base, Derived, Point, describe, finalizer_during_allocation


def make(cls, n):
    return [cls(i) for i in range(n)]


def kept_records():
    points = [Point(i, i + 1) for i in range(2000)]
    print(sum(p.x + p.y for p in points), describe(points))


def replaced_init():
    print(describe(make(Derived, 20)))

    def doubled(self, value):
        self.value = 2 * value

    Derived.__init__ = doubled
    print(describe(make(Derived, 20)))
    del Derived.__init__
    print(describe(make(Derived, 20)))

    def tripled(self, value):
        self.value = 3 * value

    original = Base.__init__
    Base.__init__ = tripled
    print(describe(make(Derived, 20)))
    Base.__init__ = original

    def negated(self, value):
        self.value = -value

    saved = Base.__init__.__code__
    Base.__init__.__code__ = negated.__code__
    print(describe(make(Derived, 20)))
    Base.__init__.__code__ = saved
    print(describe(make(Derived, 20)))


def function(value):
    return ("function", value)


class Other:
    def __init__(self, value):
        self.other = value


def alternating():
    results = []
    for i in range(300):
        for callee in (Point, Other, function, Derived):
            results.append(callee(i))
    print(len(results), describe(results[-4:-2]), results[-2])


def fresh_classes():
    total = 0
    for i in range(300):
        class Fresh:
            def __init__(self, value, offset=i):
                self.value = value + offset

        total += make(Fresh, 3)[2].value
        del Fresh
    print(total)


class Returns:
    def __init__(self, value):
        self.value = value
        if value == 7:
            return value


class Raises:
    def __init__(self, value):
        if value == 7:
            raise ValueError("seven")
        self.value = value


def failing():
    for cls in (Returns, Raises):
        try:
            make(cls, 10)
        except (TypeError, ValueError):
            lines = traceback.format_exc().splitlines()
            print("\n".join(line for line in lines if not line.startswith("    ")))


class Nested:
    def __init__(self, depth):
        self.child = Nested(depth - 1) if depth else None


def recursion():
    n, node = 0, Nested(50)
    while node:
        n, node = n + 1, node.child
    print(n)
    try:
        Nested(100000)
    except RecursionError as error:
        print("RecursionError:", error)


def main():
    kept_records()
    replaced_init()
    print(finalizer_during_allocation())
    alternating()
    fresh_classes()
    failing()
    recursion()


main()
