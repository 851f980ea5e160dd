# Another co_extra user (PEP 523's per-code extras) registered after pyjit,
# with a free function written in Python as CPython's test_code does.
# CPython's code_dealloc calls the free function of every index below the
# size of a code object's extras array, also for empty slots; when pyjit
# gave every code object it ran an array sized for all indices given out,
# this free function ran (with NULL) for every such code object that died,
# and once freed it crashed the process at shutdown. Covers: code objects
# only pyjit keeps state for (the free function is never called), a code
# object pyjit ran that the other user then sets an extra on (the array
# grows again, both extras are kept, the function still runs), and the
# other user's extra freed exactly once with its value.
import ctypes
import gc

freefunc = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
RequestCodeExtraIndex = ctypes.pythonapi._PyEval_RequestCodeExtraIndex
RequestCodeExtraIndex.argtypes = (freefunc,)
RequestCodeExtraIndex.restype = ctypes.c_ssize_t
SetExtra = ctypes.pythonapi._PyCode_SetExtra
SetExtra.argtypes = (ctypes.py_object, ctypes.c_ssize_t, ctypes.c_void_p)
SetExtra.restype = ctypes.c_int
GetExtra = ctypes.pythonapi._PyCode_GetExtra
GetExtra.argtypes = (ctypes.py_object, ctypes.c_ssize_t, ctypes.POINTER(ctypes.c_void_p))
GetExtra.restype = ctypes.c_int

freed = []


def on_free(pointer):
    freed.append(pointer)


FREE_FUNC = freefunc(on_free)
FREE_INDEX = RequestCodeExtraIndex(FREE_FUNC)


def extra_of(code):
    value = ctypes.c_void_p()
    assert GetExtra(code, FREE_INDEX, ctypes.byref(value)) == 0
    return value.value


def make(i):
    namespace = {}
    exec("def f(x):\n    total = 0\n    for k in range(x):\n        total += k * %d\n    return total\n" % i, namespace)
    return namespace["f"]


results = []
for i in range(20):
    f = make(i)
    results.append(f(10))
    results.append(extra_of(f.__code__))
    del f
gc.collect()
print("results", results)
print("free function calls after 20 functions ran and died:", freed)

g = make(7)
print("before", g(5), extra_of(g.__code__))
assert SetExtra(g.__code__, FREE_INDEX, 1234) == 0
print("after set", g(6), extra_of(g.__code__), g(7))
del g
gc.collect()
print("free function calls after the function with an extra died:", freed)
