# expect-delegated: tracing active, profiling active
# Tracing and profiling switched on while compiled frames are running: by a
# call (like pdb.set_trace(), which also sets f_trace on the caller), by an
# attribute access (a property), by an operator (__add__), and followed by an
# exception raised and caught in the same frame, or escaping it. The frames
# that were running get exactly the events CPython gives them: line events
# only where f_trace was set, return and exception events, no call events.
import sys

EVENTS = []


def tracer(frame, event, arg):
    if frame.f_code.co_filename != __file__ or frame.f_code.co_name == "tracer":
        return None
    line = frame.f_lineno - frame.f_code.co_firstlineno
    detail = arg[0].__name__ if event == "exception" else ""
    EVENTS.append("%s %s+%d %s" % (event, frame.f_code.co_name, line, detail))
    return tracer


def profiler(frame, event, arg):
    if frame.f_code.co_filename == __file__ and event in ("call", "return"):
        EVENTS.append("%s %s" % (event, frame.f_code.co_name))


def dump(title):
    sys.settrace(None)
    sys.setprofile(None)
    print(title)
    for e in EVENTS:
        print("  ", e)
    EVENTS.clear()


def set_trace_like_pdb():
    caller = sys._getframe(1)
    caller.f_trace = tracer
    sys.settrace(tracer)


def debugged(n):
    total = 0
    set_trace_like_pdb()
    for i in range(n):
        total += i
    return total


class Switch:
    @property
    def on(self):
        sys.settrace(tracer)
        return 1

    def __add__(self, other):
        sys.setprofile(profiler)
        return other


def by_property_then_caught():
    s = Switch()
    x = s.on
    try:
        [][x]
    except IndexError:
        x = "caught"
    return x


def by_property_then_escapes():
    s = Switch()
    x = s.on
    return {}[x]


def by_operator(n):
    s = Switch()
    y = s + n
    z = helper(y)
    return z


def helper(v):
    return v * 2


def outer():
    return by_operator(3) + 1


for round_ in range(2):
    print(debugged(3))
    dump("debugged")
    print(by_property_then_caught())
    dump("by_property_then_caught")
    try:
        by_property_then_escapes()
    except KeyError as e:
        print("KeyError", e)
    dump("by_property_then_escapes")
    print(outer())
    dump("outer")
