# An unbound local read by the second instruction of a pair that CPython
# 3.11 fuses once the code is warm (LOAD_CONST__LOAD_FAST,
# LOAD_FAST__LOAD_FAST, STORE_FAST__LOAD_FAST): the interpreter reports the
# UnboundLocalError at the pair's first instruction (the traceback's carets
# point at it); pyjit reported it at the instruction that read the local
# until the lowering followed the pairs (issue 11 item 16). Found by the
# differential fuzzer (tests/fuzz) in five programs of its first versions, the
# local deleted in an earlier turn of a loop or in a branch.
import traceback


class Box:
    def __init__(self, x):
        self.x = x


def const_then_local(box, turns):
    for turn in range(turns):
        if 3.0 <= (0.5 - box.x):
            return turn
        if turn == 1:
            del box
    return -1


def local_then_local(a, b, turns):
    for turn in range(turns):
        total = a + b
        if turn == 1:
            del b
    return total


def store_then_local(a, turns):
    for turn in range(turns):
        a = turn
        print(turn, b)
        b = a
    return a


for function, args in ((const_then_local, (Box(1), 1)), (local_then_local, (1, 2, 1)),
                       (store_then_local, (0, 0))):
    for _ in range(20):  # warm: CPython quickens the code
        function(*args)
    try:
        function(*args[:-1], 3)
    except UnboundLocalError:
        traceback.print_exc()
