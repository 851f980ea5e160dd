# Allocations failing (CPython's _testcapi.set_nomemory, as test_capi's
# test_set_nomemory uses it) while compiled code catches the MemoryError:
# making the frame object for the traceback entry can fail too, and then a
# MemoryError must still be pending (PyEval_GetFrame alone cleared it, and
# the handler found no exception: SIGSEGV).
import _testcapi


class C:
    pass


def run():
    for outer in range(1, 4):
        start = 10 * outer
        for j in range(100):
            if j == 0:
                if outer != 3:
                    _testcapi.set_nomemory(start)
                else:
                    _testcapi.set_nomemory(start, start + 1)
            try:
                C()
            except MemoryError:
                if outer != 3:
                    _testcapi.remove_mem_hooks()
                print("MemoryError", outer, j)
                _testcapi.remove_mem_hooks()
                break


run()
for outer in range(1, 4):
    start = 10 * outer
    for j in range(100):
        if j == 0:
            _testcapi.set_nomemory(start)
        try:
            C()
        except MemoryError:
            _testcapi.remove_mem_hooks()
            print("MemoryError at module level", outer, j)
            break
