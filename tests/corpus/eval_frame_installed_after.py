# A frame evaluator installed after pyjit's (here CPython's test recorder,
# _testinternalcapi.set_eval_frame_record) sees every frame: compiled
# callers stop calling compiled callees directly while pyjit's evaluator is
# not the interpreter's (plain calls, *args, constructors, __getitem__),
# and resume once it is back. CPython's test_capi Test_Pep523API.
import _testinternalcapi


def leaf(x):
    return x + 1


def rest(*args):
    return len(args)


class Point:
    def __init__(self, x):
        self.x = x


class Box:
    def __getitem__(self, key):
        return key


def caller(i):
    return leaf(i) + rest(i, i) + Point(i).x + Box()[i]


for i in range(50):
    caller(i)
calls = []
_testinternalcapi.set_eval_frame_record(calls)
try:
    for i in range(3):
        caller(i)
finally:
    _testinternalcapi.set_eval_frame_default()
print(calls)
print(caller(5))
