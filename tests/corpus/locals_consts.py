# Constants and fast locals: LOAD_CONST of every constant kind, LOAD_FAST /
# STORE_FAST / DELETE_FAST, LOAD_FAST_CHECK-style unbound reads and the
# UnboundLocalError raised by them (caught locally, by a caller, uncaught).


def constants():
    a = None
    b = True
    c = False
    d = 0
    e = -17
    f = 2 ** 100
    g = 3.25
    h = -0.0
    i = 1e300
    j = 2j
    k = "text"
    l = b"bytes"
    m = (1, "two", 3.0, None)
    n = frozenset({1, 2, 3})
    o = ...
    p = ()
    q = ((1, 2), (3, (4, 5)))
    return [a, b, c, d, e, f, g, h, i, j, k, l, m, sorted(n), o, p, q]


def many_locals(x):
    v0 = x
    v1 = v0 + 1
    v2 = v1 * 2
    v3 = v2 - v0
    v4 = v3 // 2
    v5 = v4 % 7
    v6 = v5 ** 2
    v7 = -v6
    v8 = v7 + v1 + v2 + v3
    v9 = (v0, v1, v2, v3, v4, v5, v6, v7, v8)
    return v9


def swap_and_rebind(a, b):
    a, b = b, a
    a, b, c = b, a, a
    c = c * 2
    a = a + c
    return a, b, c


def delete_then_read(flag):
    x = 10
    if flag:
        del x
    return x


def delete_then_rebind():
    x = [1, 2]
    y = x
    del x
    x = "rebound"
    return x, y


def conditional_binding(n):
    if n > 0:
        result = "positive"
    elif n < 0:
        result = "negative"
    return result


def handled_locally():
    try:
        del_me = 1
        del del_me
        print("reading del_me:", del_me)
    except UnboundLocalError as e:
        print("handled locally:", e)
    try:
        return never_bound  # noqa: F821 -- assigned below, so it is local
    except UnboundLocalError as e:
        print("handled locally:", type(e).__name__, e)
        never_bound = "late"
    return never_bound


def double_delete():
    z = 3
    del z
    try:
        del z
    except UnboundLocalError as e:
        print("second del:", e)
    z = 4
    return z


def shadowed_argument(value):
    if value is None:
        del value
    return value


def loop_variable_after_empty_loop(items):
    for item in items:
        pass
    return item


def caller(fn, *args):
    try:
        return fn(*args)
    except NameError as e:  # UnboundLocalError is a NameError subclass
        return "caller caught %s: %s" % (type(e).__name__, e)


print(constants())
print(many_locals(5))
print(many_locals(-3))
print(swap_and_rebind("a", "b"))
print(swap_and_rebind(1, 2))
print(caller(delete_then_read, False))
print(caller(delete_then_read, True))
print(delete_then_rebind())
print(caller(conditional_binding, 1))
print(caller(conditional_binding, -1))
print(caller(conditional_binding, 0))
print(handled_locally())
print(double_delete())
print(caller(shadowed_argument, 5))
print(caller(shadowed_argument, None))
print(caller(loop_variable_after_empty_loop, [1, 2, 3]))
print(caller(loop_variable_after_empty_loop, []))
for _ in range(3):
    print(caller(delete_then_read, True) == caller(delete_then_read, True))

# Uncaught at the end: traceback and exit code 1 are compared.
print(conditional_binding(0))
