# Process exit paths: SystemExit raised from deep inside compiled code and
# caught (code / args), sys.exit with int / None / str / other objects,
# SystemExit passing through finally blocks and with-statements (which
# must run), `except Exception` not catching SystemExit, atexit handlers
# (run in LIFO order, one of them raising -- "Exception ignored in atexit
# callback" with its traceback on stderr), buffered stdout flushed at exit,
# and finally sys.exit("message") from a nested call: the message goes to
# stderr and the exit status is 1.
import atexit
import contextlib
import sys


def deep_exit(code, depth=3):
    if depth == 0:
        sys.exit(code)
    try:
        deep_exit(code, depth - 1)
    finally:
        print("  finally at depth", depth)


def catch_exit(code):
    try:
        deep_exit(code)
    except SystemExit as e:
        return "SystemExit code=%r args=%r" % (e.code, e.args)


def not_caught_by_exception():
    try:
        try:
            sys.exit(7)
        except Exception:
            return "wrongly caught"
    except BaseException as e:
        return "BaseException handler got %s(%r)" % (type(e).__name__, e.code)


@contextlib.contextmanager
def announce(name):
    print("  enter", name)
    try:
        yield
    finally:
        print("  exit", name)


def exit_through_with():
    try:
        with announce("ctx"):
            raise SystemExit(3)
    except SystemExit as e:
        return "through with: %r" % (e.code,)


def handler_a():
    print("atexit handler a (registered first, runs last)")


def handler_b(label, *, suffix=""):
    print("atexit handler b:", label + suffix)


class FailingHandler:
    """A callable object, so that the "Exception ignored" report shows a
    deterministic repr instead of a function address."""

    def __call__(self):
        raise RuntimeError("atexit handler failed")

    def __repr__(self):
        return "<FailingHandler>"


def nested_exit():
    def inner():
        sys.exit("fatal: configuration missing")
    try:
        inner()
    finally:
        print("cleanup before exiting")


for code in (0, 1, 42, None, "text", [1, 2]):
    print(catch_exit(code))
print(not_caught_by_exception())
print(exit_through_with())
atexit.register(handler_a)
atexit.register(FailingHandler())
atexit.register(handler_b, "args", suffix="!")
sys.stdout.write("unflushed output without newline... ")
nested_exit()
print("never printed")
