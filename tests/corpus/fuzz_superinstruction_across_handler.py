# A superinstruction pair across the end of a `try` body: the STORE_FAST
# ends the body (protected by the `finally`), the LOAD_FAST of an unbound
# local starts the `finally` block's normal-path copy (protected by
# nothing). Warm CPython runs them as STORE_FAST__LOAD_FAST: the traceback
# shows the STORE_FAST's line, but the handler is looked up at the
# LOAD_FAST, so the `finally` block does not run again. pyjit handles the
# error as CPython does and reports it at the LOAD_FAST's line. Found by the
# differential fuzzer (seed 2, program 57536), which also showed that
# reporting it at the first instruction with that instruction's handler ran
# the `finally` block a second time.
# known-difference: issue 11 item 16 (superinstruction across a handler boundary reported at its second instruction), open
import traceback


def f(flag, value):
    try:
        if flag:
            unbound = 1
        else:
            value = abs(value)
    finally:
        G2 = -unbound
    return G2


for k in range(50):
    f(True, k)
try:
    f(False, 5)
except UnboundLocalError:
    traceback.print_exc()
