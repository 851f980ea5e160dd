# A superinstruction pair across the end of a `try` body: the STORE_FAST
# ends the body (protected by the `finally`), the LOAD_FAST of an unbound
# local starts the `finally` block's normal-path copy (protected by
# nothing, or by an outer handler). Warm CPython runs them as
# STORE_FAST__LOAD_FAST: the traceback (line, `tb_lasti`) and a pushed
# `lasti` show the STORE_FAST, but the handler is looked up at the
# LOAD_FAST, so the inner `finally` block does not run again. Found by the
# differential fuzzer (seed 2, program 57536), which also showed that
# reporting it at the first instruction with that instruction's handler ran
# the `finally` block a second time.
import sys
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


def caught_outside(flag, value):
    try:
        try:
            if flag:
                unbound = 1
            else:
                value = abs(value)
        finally:
            G2 = -unbound
    except UnboundLocalError as error:
        tb = error.__traceback__
        print("caught", tb.tb_lineno, tb.tb_lasti, tb.tb_frame.f_lineno, sys._getframe().f_lineno)
        traceback.print_exc()
        return None
    return G2


def finally_outside(flag, value):
    try:
        try:
            if flag:
                unbound = 1
            else:
                value = abs(value)
        finally:
            G2 = -unbound
    finally:
        print("outer finally", sys.exc_info()[0])
    return G2


for k in range(50):
    f(True, k)
    caught_outside(True, k)
    finally_outside(True, k)
for function in (f, caught_outside, finally_outside):
    try:
        function(False, 5)
    except UnboundLocalError as error:
        tb = error.__traceback__.tb_next
        print(function.__name__, tb.tb_lineno, tb.tb_lasti, tb.tb_frame.f_lineno)
        traceback.print_exc()
