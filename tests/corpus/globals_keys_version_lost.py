# LOAD_GLOBAL sites the interpreter specialised (LOAD_GLOBAL_MODULE and
# LOAD_GLOBAL_BUILTIN, cached by keys version) after the module adds a
# global: CPython takes the keys version away, and the sites fall back to
# entries pinned by dict versions (helpers::caches::load_global). Values
# rebound, builtins shadowed by a global and unshadowed again, a global
# deleted (NameError) and restored, and keys added between every call.
# threshold: 30
import builtins


def helper():
    return 1


CONSTANT = 10


def reader():
    return helper() + len("abc") + CONSTANT


for _ in range(40):
    reader()
NEW_GLOBAL = 1
print("after a new global", [reader() for _ in range(5)])
CONSTANT = 20
print("rebound", reader(), reader())
len = lambda s: 100  # noqa: E731
print("builtin shadowed", reader(), reader())
del len
print("shadow removed", reader(), reader())
builtins.len, saved = (lambda s: -1), builtins.len
print("builtin replaced", reader())
builtins.len = saved
del CONSTANT
try:
    reader()
except NameError as e:
    print("deleted:", e)
CONSTANT = 5
print("restored", reader())
for k in range(20):
    globals()["g%d" % k] = k
    CONSTANT = k
    print("keys added", k, reader(), reader())
