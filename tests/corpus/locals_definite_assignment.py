# Fast locals read with and without the unbound-local check: the analysis
# proves a local bound on every path (arguments, stores before the read on
# all branches, loop-carried stores) and drops the check there; reads that
# can see an unbound local (one branch only, after del, in a handler that
# can run before the store, a loop that may not run) keep it and raise the
# same UnboundLocalError as CPython. Stores release the value they replace:
# without the NULL test where the local is proved bound, with it elsewhere,
# and the replaced value's finalizer runs at the store either way.


def bound_on_all_paths(flag):
    if flag:
        x = 1
    else:
        x = 2
    return x + flag


def bound_on_one_path(flag):
    if flag:
        y = 1
    return y


def deleted(value):
    z = value
    del z
    return z


def deleted_then_stored(value):
    z = value
    del z
    z = value * 2
    return z


def stored_in_loop(n):
    for i in range(n):
        last = i
    return last


def handler_before_store(fail):
    try:
        if fail:
            raise ValueError("early")
        w = 5
    except ValueError:
        return w
    return w


def handler_after_store(fail):
    w = 0
    try:
        w = 1
        if fail:
            raise ValueError
    except ValueError:
        return ("caught", w)
    return w


def while_with_break(n):
    i = 0
    while True:
        if i >= n:
            found = i
            break
        i += 1
    return found


def varargs(*args, key=None, **kwargs):
    return args, key, kwargs


def closure_cell(flag):
    if flag:
        cell = "set"

    def inner():
        return cell

    return inner()


def nested_unbound_after_loop(n):
    while n > 0:
        n -= 1
        value = n
    return value


class Noisy:
    def __init__(self, name):
        self.name = name

    def __del__(self):
        print("released", self.name)


def stores_over_bound_and_unbound(n):
    for i in range(n):
        if i == 2:
            del kept
        kept = Noisy(f"kept {i}")
        kept = Noisy(f"replaced {i}")
        first, second = Noisy(f"first {i}"), Noisy(f"second {i}")
        first, second = second, first
    return kept.name, first.name, second.name


for call in [
    lambda: bound_on_all_paths(True),
    lambda: bound_on_all_paths(False),
    lambda: bound_on_one_path(True),
    lambda: bound_on_one_path(False),
    lambda: deleted(3),
    lambda: deleted_then_stored(3),
    lambda: stored_in_loop(4),
    lambda: stored_in_loop(0),
    lambda: handler_before_store(True),
    lambda: handler_before_store(False),
    lambda: handler_after_store(True),
    lambda: handler_after_store(False),
    lambda: while_with_break(3),
    lambda: varargs(1, 2, key=3, other=4),
    lambda: closure_cell(True),
    lambda: closure_cell(False),
    lambda: nested_unbound_after_loop(2),
    lambda: nested_unbound_after_loop(0),
    lambda: stores_over_bound_and_unbound(4),
    lambda: stores_over_bound_and_unbound(0),
]:
    try:
        print(call())
    except (UnboundLocalError, NameError) as e:
        print(type(e).__name__, e, e.__traceback__.tb_next.tb_lineno)
