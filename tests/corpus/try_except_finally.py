# expect-stats: exceptions_caught>0
# try/except/else/finally: exception table lookups, CHECK_EXC_MATCH with
# classes / tuples / base classes, else blocks, finally on every exit path
# (fall-through, return, break, continue, exception), return inside finally
# overriding a return or swallowing an exception, nested handlers,
# exceptions raised inside handlers and inside finally, bare `raise`
# re-raising the current exception, the `as` name being deleted after the
# handler, sys.exc_info() in nested handlers, and exception matching errors.
import sys


class AppError(Exception):
    pass


class DbError(AppError):
    pass


def classify(exc):
    try:
        raise exc
    except (KeyError, IndexError) as e:
        return "lookup:%s" % type(e).__name__
    except ZeroDivisionError:
        return "zero"
    except AppError as e:
        return "app:%s:%s" % (type(e).__name__, e)
    except Exception as e:
        return "other:%s" % type(e).__name__
    finally:
        LOG.append("classify finally %s" % type(exc).__name__)


LOG = []


def else_and_finally(x):
    try:
        r = 10 / x
    except ZeroDivisionError:
        LOG.append("except")
        r = None
    else:
        LOG.append("else")
        r = r * 2
    finally:
        LOG.append("finally")
    return r


def return_in_finally():
    try:
        return "from try"
    finally:
        return "from finally"  # noqa: B012


def finally_swallows():
    try:
        raise ValueError("lost")
    finally:
        return "finally swallowed the exception"  # noqa: B012


def finally_sees_return_value():
    x = "initial"
    try:
        return x
    finally:
        x = "changed in finally"  # does not affect the returned value
        LOG.append(x)


def loops_with_finally():
    out = []
    for i in range(5):
        try:
            if i == 1:
                continue
            if i == 3:
                break
            out.append(i)
        finally:
            out.append("f%d" % i)
    while True:
        try:
            try:
                break
            finally:
                out.append("inner finally")
        finally:
            out.append("outer finally")
    return out


def nested_handlers():
    out = []
    try:
        try:
            raise KeyError("inner")
        except KeyError:
            out.append("inner handler: %s" % (sys.exc_info()[0].__name__,))
            try:
                raise ValueError("nested")
            except ValueError:
                out.append("nested handler: %s" % (sys.exc_info()[0].__name__,))
            out.append("back in inner handler: %s" % (sys.exc_info()[0].__name__,))
            raise
    except KeyError as e:
        out.append("outer got %r" % (e,))
    out.append("after all: %r" % (sys.exc_info(),))
    return out


def handler_raises():
    try:
        try:
            1 / 0
        except ZeroDivisionError:
            raise RuntimeError("raised in handler")
    except RuntimeError as e:
        return "%s (context: %s)" % (e, type(e.__context__).__name__)


def finally_raises():
    try:
        try:
            raise KeyError("original")
        finally:
            raise OSError("from finally")
    except OSError as e:
        return "%s (context: %r)" % (e, e.__context__)


def as_name_deleted():
    e = "before"
    try:
        raise ValueError("x")
    except ValueError as e:  # noqa: F841
        pass
    try:
        return e  # noqa: F821
    except UnboundLocalError as err:
        return "as-name unbound after handler: %s" % err


def reraise_after_logging(fn):
    try:
        return fn()
    except Exception:
        LOG.append("logging %s" % sys.exc_info()[0].__name__)
        raise


def bad_except_clause():
    try:
        try:
            raise ValueError("v")
        except "not a class":  # TypeError when matched
            pass
    except TypeError as e:
        return "TypeError: %s" % e


def except_with_dynamic_tuple(types):
    try:
        raise IndexError("dyn")
    except types as e:
        return "matched %s" % type(e).__name__
    except Exception as e:
        return "fallback %s" % type(e).__name__


def deep_finally_chain(n):
    if n == 0:
        raise AppError("bottom")
    try:
        return deep_finally_chain(n - 1)
    finally:
        LOG.append("unwind %d" % n)


def exception_groups():
    out = []
    try:
        raise ExceptionGroup("many", [ValueError("v1"), TypeError("t1"), ValueError("v2")])
    except* ValueError as eg:
        out.append("values: %s" % [str(x) for x in eg.exceptions])
    except* TypeError as eg:
        out.append("types: %s" % [str(x) for x in eg.exceptions])
    try:
        try:
            raise ExceptionGroup("outer", [KeyError("k"), ExceptionGroup("inner", [OSError("o")])])
        except* OSError:
            out.append("handled OSError part")
    except ExceptionGroup as eg:
        out.append("rest: %s %r" % (eg.message, [type(x).__name__ for x in eg.exceptions]))
    try:
        raise ValueError("naked")
    except* ValueError as eg:
        out.append("naked wrapped: %s %r" % (type(eg).__name__, eg.exceptions))
    return out


print([classify(e) for e in [KeyError(1), IndexError(), ZeroDivisionError(), DbError("db"),
                             AppError("app"), OSError(), StopIteration()]])
print(LOG); LOG.clear()
print(else_and_finally(5), else_and_finally(0), LOG); LOG.clear()
print(return_in_finally(), finally_swallows(), finally_sees_return_value(), LOG); LOG.clear()
print(loops_with_finally())
print(nested_handlers())
print(handler_raises())
print(finally_raises())
print(as_name_deleted())
try:
    reraise_after_logging(lambda: {}["gone"])
except KeyError as e:
    print("caller caught re-raised:", repr(e), LOG)
LOG.clear()
print(bad_except_clause())
print(except_with_dynamic_tuple((KeyError, IndexError)), except_with_dynamic_tuple(()),
      except_with_dynamic_tuple(LookupError))
try:
    deep_finally_chain(4)
except AppError as e:
    print("caller caught:", e, LOG)
LOG.clear()
print(exception_groups())
reraise_after_logging(lambda: [][0])
