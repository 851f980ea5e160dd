# Globals and builtins: LOAD_GLOBAL (module dict, builtins), STORE_GLOBAL,
# DELETE_GLOBAL, globals changing between calls of a compiled function
# (cache invalidation), shadowing builtins in the module and in the builtins
# module itself, NameError messages with "Did you mean" suggestions
# (printed through traceback formatting), and an uncaught NameError.
import builtins
import io
import sys

counter = 0
CONFIG = {"mode": "initial"}


def bump(n=1):
    global counter
    counter += n
    return counter


def read_config():
    return CONFIG["mode"], len(CONFIG)


def set_config(mode):
    global CONFIG
    CONFIG = {"mode": mode, "extra": True}


def create_global(name_value):
    global created_later
    created_later = name_value


def read_created():
    return created_later  # noqa: F821


def delete_created():
    global created_later
    del created_later


def uses_len(x):
    return len(x)


def uses_print_builtin():
    return abs(-5), max(3, 9, 2), min("b", "a"), sum(range(10)), repr(None)


def global_vs_local_same_name():
    counter = "local shadow"  # noqa: F841
    return counter, globals()["counter"]


def format_name_error(fn):
    try:
        fn()
    except NameError as e:
        # In 3.11 suggestions are added only by the C-level display
        # (sys.__excepthook__), which inspects the traceback's frames.
        buf = io.StringIO()
        real_stderr = sys.stderr
        sys.stderr = buf
        try:
            sys.__excepthook__(type(e), e, e.__traceback__)
        finally:
            sys.stderr = real_stderr
        last = buf.getvalue().splitlines()[-1]
        return "str=%r | displayed=%r | name=%r" % (str(e), last, e.name)
    return "no error"


def typo_global():
    return countr  # noqa: F821  (did you mean 'counter'?)


def typo_builtin():
    return lenn("abc")  # noqa: F821  (did you mean 'len'?)


def typo_local():
    my_variable = 3  # noqa: F841
    return my_variabel  # noqa: F821


def totally_unknown():
    return zzqqxx_nothing_like_it  # noqa: F821


def delete_missing_global():
    global never_defined_global
    try:
        del never_defined_global
    except NameError as e:
        print("delete missing global ->", e)


print(bump(), bump(2), bump(), counter)
print(read_config())
set_config("changed")
print(read_config())
CONFIG = {"mode": "module-level rebind"}
print(read_config())

try:
    read_created()
except NameError as e:
    print("caller caught:", e)
create_global("hello")
print(read_created())
delete_created()
try:
    read_created()
except NameError as e:
    print("after delete:", e)
try:
    delete_created()
except NameError as e:
    print("double delete:", e)
create_global("again")
print(read_created())

print(uses_len([1, 2, 3]))
# Shadow a builtin at module level, then remove the shadow.
def len(x):  # noqa: E302
    return "shadowed len of %r" % (x,)
print(uses_len([1, 2, 3]))  # noqa: E305
del len
print(uses_len([1, 2, 3]))
# Patch the builtins module itself.
real_abs = builtins.abs
builtins.abs = lambda v: "patched abs(%r)" % (v,)
print(uses_print_builtin())
builtins.abs = real_abs
print(uses_print_builtin())
# Delete a builtin temporarily.
real_repr = builtins.repr
del builtins.repr
try:
    uses_print_builtin()
except NameError as e:
    print("builtin removed ->", e)
builtins.repr = real_repr
print(uses_print_builtin())

print(global_vs_local_same_name())
print(format_name_error(typo_global))
print(format_name_error(typo_builtin))
print(format_name_error(typo_local))
print(format_name_error(totally_unknown))
delete_missing_global()

for i in range(3):
    create_global(i)
    print("loop", read_created(), bump(10))

print(sorted(k for k in globals() if not k.startswith("__"))[:8])


def final():
    counter_value = counter
    return countr + counter_value  # noqa: F821


final()
