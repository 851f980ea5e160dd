# expect-stats: exceptions_caught>0
# with statements: BEFORE_WITH, the normal-exit call of __exit__(None, None,
# None), PUSH_EXC_INFO / WITH_EXCEPT_START on exceptions (suppressed by a
# truthy __exit__ result, propagated otherwise), exceptions raised by
# __enter__ and by __exit__, nested and multi-item with, return / break /
# continue leaving a with block, contextlib.contextmanager (generator
# based), contextlib.suppress / ExitStack / nullcontext, and an uncaught
# exception propagating through a with block at the end.
import contextlib

LOG = []


class Resource:
    def __init__(self, name, suppress=False, fail_enter=False, fail_exit=False):
        self.name = name
        self.suppress = suppress
        self.fail_enter = fail_enter
        self.fail_exit = fail_exit

    def __enter__(self):
        LOG.append("enter %s" % self.name)
        if self.fail_enter:
            raise OSError("cannot open %s" % self.name)
        return self.name.upper()

    def __exit__(self, exc_type, exc, tb):
        LOG.append("exit %s (%s%s)" % (self.name, exc_type.__name__ if exc_type else "None",
                                       ": %s" % exc if exc else ""))
        if self.fail_exit:
            raise RuntimeError("exit of %s failed" % self.name)
        return self.suppress


class TruthyExit:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return "non-empty string is truthy"


class NotAContextManager:
    pass


class OnlyEnter:
    def __enter__(self):
        return 1


def flush(label):
    print(label, LOG)
    LOG.clear()


def normal():
    with Resource("a") as value:
        LOG.append("body sees %s" % value)
    with Resource("b"):
        pass
    return "normal done"


def suppressed():
    with Resource("s", suppress=True):
        LOG.append("before raise")
        raise KeyError("suppressed key")
    LOG.append("after suppressed block")
    with TruthyExit():
        1 / 0
    return "suppressed done"


def propagated():
    try:
        with Resource("p"):
            raise ValueError("propagates")
    except ValueError as e:
        LOG.append("handler got %s" % e)
    return "propagated done"


def nested_and_multi():
    with Resource("outer"), Resource("inner", suppress=True) as inner_value:
        LOG.append("multi body %s" % inner_value)
        raise IndexError("inner swallows")
    with Resource("o2", suppress=True):
        with Resource("i2"):
            raise TypeError("outer swallows")
    return "nested done"


def enter_and_exit_failures():
    try:
        with Resource("ok"), Resource("bad", fail_enter=True):
            LOG.append("never")
    except OSError as e:
        LOG.append("enter failure: %s" % e)
    try:
        with Resource("x", fail_exit=True):
            raise ValueError("original")
    except RuntimeError as e:
        LOG.append("exit failure: %s; context: %r" % (e, e.__context__))
    try:
        with Resource("y", fail_exit=True):
            pass
    except RuntimeError as e:
        LOG.append("exit failure on normal path: %s" % e)
    return "failures done"


def protocol_errors():
    out = []
    for obj in (NotAContextManager(), OnlyEnter(), 5):
        try:
            with obj:
                pass
        except TypeError as e:
            out.append(str(e))
    return out


def leaving_blocks():
    results = []
    for i in range(4):
        with Resource("loop%d" % i):
            if i == 1:
                continue
            if i == 3:
                break
            results.append(i)
    results.append(return_from_with())
    return results


def return_from_with():
    with Resource("ret"):
        return "returned from inside with"


@contextlib.contextmanager
def tag(name, swallow=()):
    LOG.append("<%s>" % name)
    try:
        yield name * 2
    except swallow as e:
        LOG.append("swallowed %s" % type(e).__name__)
    finally:
        LOG.append("</%s>" % name)


@contextlib.contextmanager
def bad_generator():
    yield 1
    yield 2


def contextlib_forms():
    with tag("p") as t:
        LOG.append("inside %s" % t)
    with tag("q", swallow=(KeyError,)):
        raise KeyError("k")
    try:
        with tag("r", swallow=(KeyError,)):
            raise ValueError("not swallowed")
    except ValueError as e:
        LOG.append("propagated %s" % e)
    with contextlib.suppress(ZeroDivisionError, KeyError):
        {}["missing"]
    with contextlib.ExitStack() as stack:
        for n in ("e1", "e2", "e3"):
            stack.enter_context(Resource(n))
        stack.callback(LOG.append, "callback ran")
    with contextlib.nullcontext("nc") as v:
        LOG.append(v)
    try:
        with bad_generator():
            pass
    except RuntimeError as e:
        LOG.append("bad generator: %s" % e)
    return "contextlib done"


def write_report(items):
    with Resource("report"):
        with tag("section"):
            for item in items:
                LOG.append(10 // item)


print(normal())
flush("normal")
print(suppressed())
flush("suppressed")
print(propagated())
flush("propagated")
print(nested_and_multi())
flush("nested")
print(enter_and_exit_failures())
flush("failures")
print(protocol_errors())
print(leaving_blocks())
flush("leaving")
print(contextlib_forms())
flush("contextlib")
try:
    write_report([1, 2, 0])
except ZeroDivisionError as e:
    print("caller caught:", e)
flush("report")
try:
    write_report([5, 0])
finally:
    flush("final")
