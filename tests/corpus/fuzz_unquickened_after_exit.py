# Code that warms up natively and that the interpreter then takes over in
# the middle of a frame (here to run `except*`) must run quickened, as it
# would under CPython: an unbound local read by the second instruction of a
# LOAD_CONST/LOAD_FAST pair in the `finally` block is reported at the pair's
# LOAD_CONST (the traceback's carets). Compiled code that brings `co_warmup`
# to zero quickens the code itself (`abi::quicken`; CPython's
# `_PyCode_Quicken` is not exported). Found by the differential fuzzer
# (seed 2, program 73636).
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
