# Code that warmed up natively and that the interpreter then takes over in
# the middle of a frame (here to run `except*`) runs unquickened: CPython
# 3.11 quickens a code object only inside its own warm-up counter
# (`_PyCode_Quicken`, not exported), and compiled code that brings the
# counter to zero cannot. So an unbound local read by the second
# instruction of a LOAD_CONST/LOAD_FAST pair in the `finally` block is
# reported at the LOAD_FAST, where warm CPython reports it at the pair's
# LOAD_CONST. Found by the differential fuzzer (seed 2, program 73636).
# known-difference: issue 11 item 16 (code warmed natively runs unquickened in the interpreter), open
import traceback


def f(items):
    try:
        for i in items:
            pass
        items[5]
    except* ValueError:
        pass
    finally:
        total = 1e16 + abs(1e16 + i)
    return total


for k in range(12):
    try:
        f([])
    except Exception as error:
        if k in (0, 11):
            traceback.print_exc()
