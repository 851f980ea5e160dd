# locals() / globals() / vars() / dir() inside compiled functions: the
# locals() dict is the frame's f_locals and is refreshed on every call
# (rebinding, deletion, cells and free variables included), writes to it do
# not change fast locals, globals() is the module dict (writes do change
# globals), vars(obj), dir() without arguments, locals() inside class
# bodies, comprehensions, lambdas and nested functions, and eval()/exec()
# using the implicit locals of a function.

module_value = "module"


def snapshots():
    a = 1
    first = locals()
    first_copy = dict(first)
    b = 2
    a = "rebound"
    second = locals()
    same_dict = first is second
    del b
    third = locals()
    return sorted(first_copy), sorted(second), same_dict, sorted(third), third["a"]


def writes_do_not_leak():
    x = 1
    locals()["x"] = 99
    locals()["brand_new"] = 5
    return x, "brand_new" in locals()


def cells_and_frees():
    cell = "cell value"
    plain = "plain"

    def inner():
        free_copy = cell
        return sorted(locals().items())

    outer_locals = sorted(locals())
    return outer_locals, inner()


def globals_access():
    g = globals()
    g["created_via_globals"] = "yes"
    value = created_via_globals  # noqa: F821
    g["module_value"] = "changed via globals()"
    return value, module_value, "snapshots" in g, g is globals()


def vars_and_dir(obj):
    local_one = 1
    local_two = 2
    names = dir()
    v = vars()
    return names, sorted(v), sorted(vars(obj))


class Thing:
    cls_attr = 1
    body_locals = sorted(k for k in locals() if not k.startswith("__"))

    def __init__(self):
        self.p = 1
        self.q = 2


def comprehension_locals():
    outer = "o"
    inside = [sorted(locals()) for _ in range(1)][0]
    lam = (lambda arg: sorted(locals()))("x")
    return inside, lam


def eval_exec_with_locals():
    n = 10
    s = "text"
    r1 = eval("n * 2 + len(s)")
    ns = {"n": n}
    exec("m = n + 1", globals(), ns)
    exec("n = 999")  # writes into the locals() snapshot, not the fast local
    return r1, ns, n, locals().get("m", "no m")


def args_in_locals(a, b=2, *args, c=3, **kwargs):
    return sorted(locals().items())


def loop_locals():
    seen = []
    for i in range(3):
        seen.append(sorted(locals()))
    return seen[0], seen[-1]


def deleted_then_locals():
    tmp = "gone soon"
    del tmp
    snapshot = locals()
    try:
        return tmp  # noqa: F821
    except UnboundLocalError as e:
        return sorted(snapshot), str(e)


print(snapshots())
print(writes_do_not_leak())
print(cells_and_frees())
print(globals_access(), module_value)
print(vars_and_dir(Thing()))
print(Thing.body_locals)
print(comprehension_locals())
print(eval_exec_with_locals())
print(args_in_locals(1))
print(args_in_locals(1, 5, 6, 7, c=8, d=9))
print(loop_locals())
print(deleted_then_locals())
print(sorted(k for k in locals() if not k.startswith("__"))[:6])
print(vars(42))
