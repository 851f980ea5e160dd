# len() and isinstance() compiled after the specialising interpreter
# profiled them (PRECALL_NO_KW_LEN / PRECALL_NO_KW_ISINSTANCE, inline in
# direct-builtin-calls): exact lists, tuples and dicts, other sized objects
# (str, set, a class with __len__ that fails, returns a negative number or a
# huge one), isinstance of the exact class, of subclasses, with tuples of
# classes, with __instancecheck__ and with a bad second argument; the global
# `len` rebound to another callable (the guard fails); errors reported at
# the PRECALL (tb_lasti and the caller's f_lasti seen from __len__), and a
# finalizer run by releasing the argument.
# threshold: 30
import dis
import sys
import traceback


class Sized:
    def __init__(self, n):
        self.n = n

    def __len__(self):
        caller = sys._getframe(1)
        print("  __len__ seen at", dis.opname[caller.f_code.co_code[caller.f_lasti]])
        if self.n == "fail":
            raise KeyError("no length")
        return self.n


class Meta(type):
    def __instancecheck__(cls, instance):
        print("  __instancecheck__", type(instance).__name__)
        return instance == 42


class Checked(metaclass=Meta):
    pass


class Base:
    pass


class Derived(Base):
    pass


class Finalized:
    def __len__(self):
        return 3

    def __del__(self):
        print("  del Finalized")


def length(x):
    return len(x)


def is_base(x, cls):
    return isinstance(x, cls)


def run(label, function, *args):
    try:
        print(label, function(*args))
    except Exception as error:
        tb = error.__traceback__.tb_next
        print(label, type(error).__name__, error, dis.opname[tb.tb_frame.f_code.co_code[tb.tb_lasti]])


for i in range(40):
    length([1, 2, 3])
    is_base(Base(), Base)

for value in ([], [1] * 300, (1, 2), (), {1: 2, 3: 4}, {}, "abc", {1, 2}, range(7), b"xy", Sized(5), Sized(0)):
    run("len", length, value)
run("len fail", length, Sized("fail"))
run("len negative", length, Sized(-1))
run("len huge", length, Sized(2**70))
run("len not sized", length, 5)
run("len finalized", length, Finalized())
for x, cls in ((Base(), Base), (Derived(), Base), (Base(), Derived), (1, int), (True, int),
               (1, (str, int)), ("s", (bytes, list)), (42, Checked), (41, Checked), (Base, type)):
    run("isinstance", is_base, x, cls)
run("isinstance bad", is_base, 1, 2)
run("isinstance bad tuple", is_base, 1, (int, 2))

len = lambda x: "shadowed"
run("len shadowed", length, [1])
del len
isinstance = print
run("isinstance shadowed", is_base, 1, int)
del isinstance
run("len restored", length, [1, 2])
run("isinstance restored", is_base, 1, int)
