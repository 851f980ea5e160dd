# threshold: 30
# Calls of compiled functions whose whole body returns a parameter or a
# constant take the value without a frame (optimization trivial-calls, in
# helpers::frames::enter_exact): methods returning self, predicates
# returning a constant, functions returning an argument, bound exactly.
# Every way the frame could be observed or the call could differ sends it
# through the frame: defaults filling parameters, wrong argument counts,
# keyword arguments, a method replaced on the class, a function whose
# __code__ is replaced (by a trivial body returning something else and by
# one that does work), a profile function and a trace function set inside
# the hot loop (each sees its call and return events), and the recursion
# limit (the call that would go past it raises RecursionError). Arguments
# the call releases run their finalizers where the interpreter runs them.
# expect-stats: trivial_calls>1000
import sys

import _frame_observers


class Shape:
    def must_be_shape(self):
        return self

    def is_point(self):
        return False

    def pick(self, first, second):
        return second

    def label(self):
        return "shape"


class Point(Shape):
    def is_point(self):
        return True


def identity(value):
    return value


def nothing():
    return None


def pair():
    return (1, 2)


def with_default(value, other=5):
    return other


def classify(shapes, rounds):
    points = 0
    labels = []
    for _ in range(rounds):
        for shape in shapes:
            if shape.must_be_shape().is_point():
                points += 1
            labels.append(shape.pick(identity(shape.label()), nothing()))
    return points, labels.count(None), pair(), with_default(1), with_default(1, 2)


def call_errors():
    results = []
    for call in (lambda: identity(), lambda: identity(1, 2), lambda: Shape().pick(1),
                 lambda: identity(value=3), lambda: Shape.must_be_shape(7)):
        try:
            results.append(call())
        except TypeError as error:
            results.append(str(error))
    return results


def replaced():
    shape = Shape()
    results = [shape.label()]
    original = Shape.label
    Shape.label = lambda self: "lambda"
    results.append(shape.label())
    Shape.label = original
    results.append(shape.label())
    saved = identity.__code__
    identity.__code__ = nothing.__code__.replace(co_argcount=1, co_varnames=("value",), co_nlocals=1)
    results.append(identity(4))
    identity.__code__ = with_default.__code__.replace(co_argcount=1)
    try:
        results.append(identity(4))
    except UnboundLocalError as error:
        results.append(type(error).__name__)
    identity.__code__ = saved
    results.append(identity(4))
    return results


def finalizers(tracked):
    shape = Shape()
    for i in range(40):
        kept = shape.pick(_frame_observers.Tracked("first %d" % i) if tracked and i > 37 else i, i)
        returned = identity(_frame_observers.Tracked("returned %d" % i) if tracked and i > 37 else i)
        if tracked:
            print("  after line", sys._getframe().f_lineno, kept, getattr(returned, "name", returned))
        del returned


def main():
    for _ in range(40):
        classify([Shape(), Point()], 1)
    print("classify", classify([Shape(), Point(), Shape()], 500))
    print("errors", call_errors())
    for _ in range(40):
        replaced()
    print("replaced", replaced())
    shape = Point()

    def step(i):
        identity(i)
        shape.is_point()
        shape.must_be_shape()

    _frame_observers.report(step, ("identity", "is_point"), ("identity", "must_be_shape"), identity)
    for _ in range(40):
        finalizers(False)
    finalizers(True)


main()
