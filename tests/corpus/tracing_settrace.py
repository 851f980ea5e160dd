# expect-delegated: tracing active
# sys.settrace: 'call' / 'line' / 'return' / 'exception' events for functions
# that were already compiled before tracing started (they must fall back to
# traced execution), per-frame local trace functions, f_trace_lines = False,
# f_trace_opcodes, a trace function that stops tracing part-way, tracing
# with exceptions caught in the traced function, sys.gettrace, threading-
# free settrace(None) restoring normal (compiled) execution afterwards, and
# a trace function that modifies a local through frame.f_locals (fast-locals
# write-back when tracing).
import sys

EVENTS = []


def rel(frame):
    return frame.f_lineno - frame.f_code.co_firstlineno


def tracer(frame, event, arg):
    if frame.f_code.co_filename != __file__:
        return None
    name = frame.f_code.co_name
    if event == "return":
        EVENTS.append("%s %s+%d -> %r" % (event, name, rel(frame), arg))
    elif event == "exception":
        EVENTS.append("%s %s+%d %s" % (event, name, rel(frame), arg[0].__name__))
    else:
        EVENTS.append("%s %s+%d" % (event, name, rel(frame)))
    return tracer


def target(n):
    total = 0
    for i in range(n):
        if i % 2:
            total += i
        else:
            total -= 1
    return total


def raises_and_catches():
    try:
        {}["k"]
    except KeyError:
        result = "caught"
    return result


def calls_other(x):
    y = target(x)
    return y * 2


def dump(title):
    print(title)
    for e in EVENTS:
        print("  ", e)
    EVENTS.clear()


def run_traced(fn, *args):
    sys.settrace(tracer)
    try:
        return fn(*args)
    finally:
        sys.settrace(None)


# Warm up: compiled (untraced) execution first.
print(target(5), raises_and_catches(), calls_other(3))
print(run_traced(target, 4))
dump("target")
print(run_traced(raises_and_catches))
dump("raises_and_catches")
print(run_traced(calls_other, 2))
dump("calls_other")


def call_only_tracer(frame, event, arg):
    if frame.f_code.co_filename == __file__:
        EVENTS.append("%s %s" % (event, frame.f_code.co_name))
    return None  # no local tracing -> no line events


print(run_traced.__name__, sys.gettrace())
sys.settrace(call_only_tracer)
calls_other(1)
sys.settrace(None)
dump("call-only tracer")


def no_lines_tracer(frame, event, arg):
    if frame.f_code.co_filename == __file__:
        frame.f_trace_lines = False
        EVENTS.append("%s %s" % (event, frame.f_code.co_name))
        return no_lines_tracer
    return None


sys.settrace(no_lines_tracer)
target(3)
sys.settrace(None)
dump("f_trace_lines=False")


def opcode_tracer(frame, event, arg):
    if frame.f_code.co_name != "tiny":
        return None
    frame.f_trace_opcodes = True
    if event == "opcode":
        EVENTS.append("opcode at offset %d" % frame.f_lasti)
    return opcode_tracer


def tiny(a):
    return a + 1


sys.settrace(opcode_tracer)
tiny(1)
sys.settrace(None)
print("opcode events:", len(EVENTS) > 0, EVENTS == sorted(EVENTS, key=lambda s: int(s.split()[-1])))
EVENTS.clear()


def self_disabling(frame, event, arg):
    if frame.f_code.co_filename != __file__:
        return None
    EVENTS.append("%s %s+%d" % (event, frame.f_code.co_name, rel(frame)))
    if event == "line" and rel(frame) >= 3:
        sys.settrace(None)
        return None
    return self_disabling


sys.settrace(self_disabling)
target(6)
sys.settrace(None)
dump("self-disabling")


def local_changer(frame, event, arg):
    if frame.f_code.co_name == "modified" and event == "line" and rel(frame) == 2:
        frame.f_locals["value"] = "changed by tracer"
    return local_changer


def modified():
    value = "original"
    return value


sys.settrace(local_changer)
print(modified())
sys.settrace(None)
print(modified(), target(5), sys.gettrace())


def index_into(data, i):
    value = data[i]
    return value


def traced_failure():
    sys.settrace(tracer)
    try:
        return index_into([1, 2], 5)
    finally:
        # Switch tracing off before the exception leaves: the tracer reads
        # __file__, which CPython removes from __main__ once the script ends,
        # and would otherwise run for atexit callbacks.
        sys.settrace(None)
        dump("traced_failure")


traced_failure()
