# UnboundLocalError read by the second instruction of a pair that CPython
# 3.11's quickening turns into a superinstruction (LOAD_FAST__LOAD_FAST,
# STORE_FAST__LOAD_FAST, LOAD_CONST__LOAD_FAST): once the code is warm
# (eight calls or loop turns), the interpreter reports the error at the
# first instruction of the pair (its line and tb_lasti); before that, at
# the second. Chains of pairable instructions alternate (the second half
# of a pair is not dispatched, so the one after it starts the next pair),
# and a jump to the second of a pair dispatches it on its own.
import sys


def report(f, *args):
    for call in range(12):
        try:
            f(*args)
        except UnboundLocalError as e:
            tb = e.__traceback__.tb_next
            print(f.__name__, call, tb.tb_lineno, tb.tb_lasti, e)


def store_then_load(flag):
    if flag:
        late = 1
    early = 2
    return late + early


def load_then_load(flag):
    if flag:
        second = 1
    first = 0
    return (first,
            second)


def const_then_load(flag):
    if flag:
        value = 1
    return (7,
            value)


def chain(flag):
    if flag:
        c = 3
    a = b = 1
    total = (a,
             b,
             c)
    return total


def loop_header(n, flag):
    if flag:
        limit = n
    i = 0
    while i < limit:
        i += 1
    return i


def own_line_each(flag):
    if flag:
        x = 1
    y = 2
    z = \
        x
    return y + z


def handler_between(flag):
    if flag:
        v = 1
    w = 5
    try:
        return v + w
    except UnboundLocalError:
        return "caught"


for f, args in [
    (store_then_load, (False,)),
    (load_then_load, (False,)),
    (const_then_load, (False,)),
    (chain, (False,)),
    (loop_header, (3, False)),
    (own_line_each, (False,)),
]:
    report(f, *args)
print([handler_between(False) for _ in range(10)])
print(loop_header(5, True), chain(True), own_line_each(True))
own_line_each(False)
