# threshold: 30
# Calls of method objects (bound methods LOAD_METHOD did not unpack: stored
# in variables and attributes, classmethods, super() methods) made from
# compiled code: the window is unpacked as CPython's CALL unpacks it and
# the function entered as a function called directly is
# (helpers::calls::call_positional_general). Defaults, wrong argument
# counts, generator methods, a trace function set in the hot loop, the
# caller's f_lasti and line seen from the callee, tracebacks through the
# call, and a method object whose weak reference reports its release.
# expect-stats: native_calls>1000
import sys
import weakref


class Base:
    def __init__(self, scale):
        self.scale = scale

    def times(self, value, extra=0):
        return value * self.scale + extra

    @classmethod
    def make(cls, scale):
        return cls(scale)

    def where(self):
        caller = sys._getframe(1)
        return caller.f_code.co_name, caller.f_lineno, caller.f_lasti

    def numbers(self, count):
        for i in range(count):
            yield i * self.scale

    def fail(self, value):
        return 1 / value


class Derived(Base):
    def __init__(self, scale):
        super().__init__(scale + 1)

    def times(self, value, extra=0):
        return super().times(value, extra) + 1


def stored(objects, rounds):
    total = 0
    for _ in range(rounds):
        for obj in objects:
            times = obj.times
            total += times(2) + times(3, 1)
            total += Derived.make(2).scale
            total += sum(obj.numbers(3))
    return total


def errors(obj):
    results = []
    method = obj.times
    for call in (lambda: method(), lambda: method(1, 2, 3), lambda: method("a", "b")):
        try:
            results.append(call())
        except TypeError as error:
            results.append(str(error))
    fail = obj.fail
    try:
        fail(0)
    except ZeroDivisionError as error:
        tb = error.__traceback__
        lines = []
        while tb is not None:
            lines.append((tb.tb_frame.f_code.co_name, tb.tb_lineno - tb.tb_frame.f_code.co_firstlineno))
            tb = tb.tb_next
        results.append(lines)
    return results


def positions(obj):
    where = obj.where
    first = where()
    second = where()
    return first[0], first[1] - positions.__code__.co_firstlineno, second[2] - first[2]


def traced(obj):
    events = []

    def trace(frame, event, arg):
        if frame.f_code.co_name == "times":
            events.append((event, frame.f_code.co_qualname))
        return None

    method = obj.times
    for i in range(40):
        if i == 35:
            sys.settrace(trace)
        method(i)
    sys.settrace(None)
    return events


def released():
    notes = []
    obj = Base(3)
    for _ in range(3):
        method = obj.times
        ref = weakref.ref(method, lambda r: notes.append("released"))
        notes.append(method(1))
        del method
        notes.append(ref() is None)
    return notes


def main():
    objects = [Base(2), Derived(3)]
    for _ in range(40):
        stored(objects, 1)
        errors(objects[1])
        positions(objects[0])
        released()
    print("stored", stored(objects, 200))
    print("errors", errors(objects[1]))
    print("positions", positions(objects[0]))
    print("traced", traced(objects[1]))
    print("released", released())


main()
