# The traceback module on frames and tracebacks produced by compiled code:
# traceback.extract_stack / format_stack / print_stack (to stdout),
# format_exc / print_exc / format_exception / TracebackException with the
# 3.11 caret lines, tb_lineno / tb_frame / tb_next walking, traceback
# line numbers of multi-line statements and of exceptions raised in nested
# calls, in loops, in lambdas and in comprehensions, sys.exc_info inside
# handlers, and sys.excepthook-style printing of an exception to stdout.
import sys
import traceback


def stack_names():
    return [(f.name, f.lineno, f.line) for f in traceback.extract_stack()]


def nested_stack():
    return stack_names()


def printed_stack():
    traceback.print_stack(file=sys.stdout, limit=3)


def format_stack_inner():
    return "".join(traceback.format_stack(limit=2))


def fail_deep(n):
    if n == 0:
        values = {"a": 1}
        return values["a"] + values["b"]
    return fail_deep(n - 1)


def multi_line_failure(data):
    return (
        data["x"]
        + data[
            "y"
        ]
    )


def failing_lambda():
    f = lambda v: v.upper() + 1  # noqa: E731
    return f("s")


def failing_in_loop():
    total = 0
    for i in range(5):
        total += 10 // (3 - i)
    return total


def walk_tb(tb):
    out = []
    while tb is not None:
        out.append((tb.tb_frame.f_code.co_name, tb.tb_lineno))
        tb = tb.tb_next
    return out


def capture(fn, *args):
    try:
        fn(*args)
    except Exception as e:
        etype, value, tb = sys.exc_info()
        assert value is e and etype is type(e)
        return walk_tb(tb), traceback.format_exc()


def exception_apis():
    try:
        fail_deep(2)
    except KeyError as e:
        te = traceback.TracebackException.from_exception(e)
        lines = list(te.format())
        only = traceback.format_exception_only(type(e), e)
        summary = [(fs.name, fs.lineno) for fs in te.stack]
        print("".join(traceback.format_exception(e)), end="")
        traceback.print_exc(file=sys.stdout, limit=2)
        return len(lines), only, summary


print(stack_names()[-1:])
print(nested_stack()[-2:])
printed_stack()
print(format_stack_inner(), end="")
for fn, args in [(fail_deep, (3,)), (multi_line_failure, ({"x": 1},)), (failing_lambda, ()),
                 (failing_in_loop, ())]:
    frames, text = capture(fn, *args)
    print(frames)
    print(text, end="")
print(exception_apis())
try:
    multi_line_failure({"x": "a", "y": 1})
except TypeError:
    traceback.print_exc(file=sys.stdout)
print("now uncaught:")
failing_in_loop()
