# expect-stats: exceptions_caught>0
# Exception chaining and raising: RAISE_VARARGS with 0/1/2 args, `raise X
# from Y`, `raise X from None` (__suppress_context__), implicit __context__
# from raising inside a handler, context cycles being broken, re-raising a
# stored exception object (traceback accumulates), raising classes vs
# instances, raising non-exceptions (TypeError), with_traceback, and an
# uncaught chained exception whose full "During handling ..." / "The above
# exception was the direct cause ..." report is compared at the end.
import traceback


class ConfigError(Exception):
    def __init__(self, key, reason):
        super().__init__("bad config key %r: %s" % (key, reason))
        self.key = key


def describe(e):
    parts = []
    seen = 0
    while e is not None and seen < 6:
        tag = "%s(%s)" % (type(e).__name__, e)
        if e.__cause__ is not None:
            parts.append(tag + " <-cause-")
            e = e.__cause__
        elif e.__context__ is not None and not e.__suppress_context__:
            parts.append(tag + " <-context-")
            e = e.__context__
        else:
            parts.append(tag + (" [context suppressed]" if e.__suppress_context__ else ""))
            e = None
        seen += 1
    return " ".join(parts)


def explicit_cause():
    try:
        int("not a number")
    except ValueError as e:
        raise ConfigError("port", "not an int") from e


def suppressed_context():
    try:
        {}["key"]
    except KeyError:
        raise AttributeError("clean message") from None


def implicit_context():
    try:
        1 / 0
    except ZeroDivisionError:
        [][1]


def cause_is_class():
    raise RuntimeError("with class cause") from KeyError


def bad_raises():
    out = []
    for thing in (42, "string", object, None):
        try:
            raise thing
        except TypeError as e:
            out.append(str(e))
    try:
        raise ValueError("x") from 5
    except TypeError as e:
        out.append(str(e))
    try:
        raise  # nothing active
    except RuntimeError as e:
        out.append(str(e))
    return out


def raise_class_and_instance():
    out = []
    for exc in (KeyError, KeyError("inst"), StopIteration, ConfigError("k", "why")):
        try:
            raise exc
        except Exception as e:
            out.append("%s %r args=%r" % (type(e).__name__, str(e), e.args))
    return out


def reraise_stored():
    saved = None
    try:
        raise ValueError("saved")
    except ValueError as e:
        saved = e
    counts = []
    for _ in range(3):
        try:
            raise saved
        except ValueError as e:
            n, tb = 0, e.__traceback__
            while tb is not None:
                n += 1
                tb = tb.tb_next
            counts.append(n)
    return counts


def context_cycle():
    try:
        try:
            raise KeyError("a")
        except KeyError as a:
            try:
                raise ValueError("b")
            except ValueError as b:
                raise a from None
    except KeyError as final:
        return describe(final), final.__context__ is not None


def with_traceback_usage():
    try:
        1 / 0
    except ZeroDivisionError as e:
        tb = e.__traceback__
    try:
        raise RuntimeError("new").with_traceback(tb)
    except RuntimeError as e:
        frames = traceback.extract_tb(e.__traceback__)
        return [(f.name, f.line) for f in frames]


def run(fn):
    try:
        fn()
    except Exception as e:
        return describe(e)


def formatted(fn):
    try:
        fn()
    except Exception:
        return traceback.format_exc()


for fn in (explicit_cause, suppressed_context, implicit_context, cause_is_class):
    print(fn.__name__, "->", run(fn))
print(bad_raises())
print(raise_class_and_instance())
print(reraise_stored())
print(context_cycle())
print(with_traceback_usage())
print(formatted(explicit_cause))
print(formatted(implicit_context))


def load_settings(raw):
    try:
        return {"port": int(raw)}
    except ValueError as e:
        raise ConfigError("port", "parse failed") from e


def start_server(raw):
    try:
        settings = load_settings(raw)
    except ConfigError:
        raise RuntimeError("server failed to start")
    return settings


print(start_server("8080"))
start_server("eighty")
