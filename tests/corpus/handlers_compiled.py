# expect-stats: exceptions_caught>0
# Exception handlers running compiled: the unwinding itself (stack cut to the
# handler's depth, with the items above released top down, as a __del__ log
# shows; the raising instruction's index pushed for cleanup handlers), errors
# raised while arguments of a call are on the stack, in a for loop's
# iterator (the iterator released when the handler is outside the loop, kept
# when inside), in handlers and in finally blocks, break / continue / return
# through finally, re-raises meeting an outer handler of the same function,
# __exit__ raising or suppressing, invalid except clauses, sys.exc_info()
# while handling and after, and tracebacks of exceptions that went through
# compiled handlers before escaping.
import sys
import traceback

LOG = []


class Noisy:
    def __init__(self, name):
        self.name = name

    def __del__(self):
        LOG.append("del " + self.name)


def fail(*args, **kwargs):
    raise ValueError("fail%r" % (args,))


def error_with_call_args():
    try:
        return fail(Noisy("a"), Noisy("b"), key=Noisy("c"))
    except ValueError as e:
        LOG.append("caught " + str(e)[:8])
        return "handled"


def error_in_iterator():
    def items():
        yield 1
        yield 2
        raise KeyError("in iterator")

    seen = []
    try:
        for item in items():
            seen.append(item)
    except KeyError as e:
        seen.append(repr(e))
    return seen


def handler_inside_loop(values):
    out = []
    for v in values:
        try:
            out.append(10 // v)
        except ZeroDivisionError:
            out.append("zero")
            continue
        except TypeError:
            out.append("type")
            break
        finally:
            out.append("f")
    else:
        out.append("else")
    return out


def return_in_finally():
    try:
        raise RuntimeError("swallowed")
    finally:
        return "finally wins"


def error_in_handler():
    try:
        try:
            {}["missing"]
        except KeyError:
            [][1]
    except IndexError as e:
        return repr(e), repr(e.__context__)


def reraise_to_outer():
    try:
        try:
            raise OSError("inner")
        except ValueError:
            return "wrong"
    except OSError as e:
        return "outer got " + str(e)


def finally_reraises():
    log = []
    try:
        try:
            raise LookupError("through finally")
        finally:
            log.append("finally ran")
    except LookupError as e:
        log.append(str(e))
    return log


class Exit:
    def __init__(self, suppress, raise_in_exit=False):
        self.suppress = suppress
        self.raise_in_exit = raise_in_exit

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        LOG.append("exit %s" % (kind.__name__ if kind else None))
        if self.raise_in_exit:
            raise ArithmeticError("from exit")
        return self.suppress


def with_statements():
    out = []
    with Exit(True):
        raise ValueError("suppressed")
    out.append("after suppressed")
    try:
        with Exit(False):
            raise ValueError("propagated")
    except ValueError as e:
        out.append(str(e))
    try:
        with Exit(False, raise_in_exit=True):
            raise ValueError("replaced")
    except ArithmeticError as e:
        out.append("%s (context %r)" % (e, e.__context__))
    return out


def invalid_except():
    try:
        try:
            1 / 0
        except "not a class":
            return "no"
    except TypeError as e:
        return str(e)


def exc_info_states():
    states = [sys.exc_info()[0]]
    try:
        raise NameError("n")
    except NameError:
        states.append(sys.exc_info()[0].__name__)
        try:
            raise AttributeError("a")
        except AttributeError:
            states.append(sys.exc_info()[0].__name__)
        states.append(sys.exc_info()[0].__name__)
    states.append(sys.exc_info()[0])
    return states


def deep(n):
    try:
        if n == 0:
            raise ValueError("bottom")
        return deep(n - 1)
    except KeyError:
        return "never"
    finally:
        LOG.append("unwound %d" % n)


def escaping_traceback():
    try:
        deep(3)
    except ValueError:
        return traceback.format_exc()


def cleanup_order():
    try:
        return (Noisy("x"), Noisy("y"), 1 / 0)
    except ZeroDivisionError:
        return "order"


for round_ in range(3):
    print(error_with_call_args(), error_in_iterator())
    print(handler_inside_loop([1, 0, 5, "s", 2]), handler_inside_loop([2, 0]))
    print(return_in_finally(), error_in_handler(), reraise_to_outer())
    print(finally_reraises(), with_statements(), invalid_except())
    print(exc_info_states(), cleanup_order())
    print(escaping_traceback())
    print(LOG)
    LOG.clear()
deep(2)
