# Calls of builtin functions and method descriptors compiled after the
# specialising interpreter profiled them (direct-builtin-calls): each site
# warms up with the callable it was specialised for (METH_O and
# METH_FASTCALL builtins: abs, divmod; METH_NOARGS/METH_O/METH_FASTCALL method
# descriptors, list.append as a statement), then meets every guard's
# failure: the global rebound to a Python function, to a builtin of another
# kind and to a bound method, a list subclass as `self`, a descriptor of
# another type, a method found on the instance. Errors raised by the C
# function (tracebacks and tb_lasti at the PRECALL), a callback's f_lasti,
# a finalizer run by releasing an argument, RecursionError at the same
# depth through a METH_O builtin that calls back, and the recursion limit
# changed by a METH_O builtin (`sys.setrecursionlimit`), which moves the
# recursion budget the call is counted in while keeping the depth.
# threshold: 30
import dis
import sys
import traceback


def opname(frame, lasti):
    return dis.opname[frame.f_code.co_code[lasti]]


class Hashed:
    def __init__(self, value):
        self.value = value

    def __hash__(self):
        caller = sys._getframe(1)
        print("  hash seen at", opname(caller, caller.f_lasti))
        return hash(self.value)

    def __eq__(self, other):
        return isinstance(other, Hashed) and other.value == self.value

    def __repr__(self):
        return "Hashed(%r)" % self.value


class Finalized:
    def __repr__(self):
        return "Finalized()"

    def __del__(self):
        caller = sys._getframe(1)
        print("  finalized at", opname(caller, caller.f_lasti))


class Deep:
    def __init__(self, inner):
        self.inner = inner

    def __abs__(self):
        return abs(self.inner) + 1


class Appending(list):
    pass


def builtin_o(values):
    total = 0
    for value in values:
        total += abs(value)
    return total


def builtin_fast(pairs):
    best = []
    for a, b in pairs:
        best.append(divmod(a, b))
    return best


def descriptors(items, mapping, text):
    out = []
    for item in items:
        out.append(item)
        out.append(mapping.get(item, -1))
        out.append(text.upper())
    out.append(",".join(["a", "b"]))
    return out


def releases(make):
    return {}.get(make(), -1)


def show(label, call):
    try:
        print(label, call())
    except Exception as error:
        # The entry of the function called by the lambda.
        frame_tb = error.__traceback__.tb_next.tb_next
        where = opname(frame_tb.tb_frame, frame_tb.tb_lasti) if frame_tb else "-"
        print(label, "raised", type(error).__name__, error, "at", where)
        traceback.print_exc(file=sys.stdout)


for turn in range(40):
    builtin_o([1, -2, 3.5])
    builtin_fast([(7, 2), (4, 3)])
    descriptors([1, 2], {1: "one"}, "abc")
    releases(int)

show("abs ints", lambda: builtin_o([1, -2, 3]))
show("abs object", lambda: builtin_o([Deep(-4)]))
show("abs str", lambda: builtin_o([1, "x"]))
abs = lambda value: value * 10
show("abs rebound to Python", lambda: builtin_o([1, 2]))
abs = len
show("abs rebound to len", lambda: builtin_o([[1, 2], "abc"]))
abs = [7].count
show("abs rebound to a bound builtin method", lambda: builtin_o([7, 8]))
abs = divmod
show("abs rebound to a FASTCALL builtin", lambda: builtin_o([1]))
del abs
show("abs restored", lambda: builtin_o([-5]))

show("divmod", lambda: builtin_fast([(19, 9), (8, 2)]))
show("divmod mixed", lambda: builtin_fast([(1, "a")]))
show("divmod by zero", lambda: builtin_fast([(1, 0)]))
divmod = min
show("divmod rebound to min (METH_VARARGS)", lambda: builtin_fast([(1, 9)]))
divmod = lambda a, b: (a, b)
show("divmod rebound to Python", lambda: builtin_fast([(1, 9)]))
del divmod

show("descriptors", lambda: descriptors([3, 1], {1: "x", 3: "y"}, "Text"))
show("descriptors subclass self", lambda: descriptors([1], {1: "x"}, "t"))
show("descriptors hashed key", lambda: descriptors([Hashed(1)], {Hashed(1): "h"}, "q"))
show("descriptors finalized argument", lambda: descriptors([Finalized()], {}, "f"))
show("temporary released by the call", lambda: releases(Finalized))
show("descriptors unhashable", lambda: descriptors([[1]], {}, "u"))
show("descriptors str subclass", lambda: descriptors([1], {}, type("S", (str,), {})("sub")))
show("descriptors bytes", lambda: descriptors([1], {}, b"bytes"))


class Mapping(dict):
    def get(self, key, default=None):
        return ("own get", key)


show("descriptors overridden get", lambda: descriptors([2], Mapping(), "m"))


class WithAttribute:
    def __init__(self):
        self.upper = lambda: "instance upper"


show("descriptors instance attribute", lambda: descriptors([2], {}, WithAttribute()))

limit = sys.getrecursionlimit()
sys.setrecursionlimit(120)
nested = 0
for depth in range(200):
    nested = Deep(nested)
show("abs at the recursion limit", lambda: builtin_o([nested]))
sys.setrecursionlimit(limit)


def recursion_depth():
    # The depth CPython reports when it refuses a limit below it.
    limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(1)
    except RecursionError as error:
        return int(str(error).split("depth ")[1].split(":")[0])
    finally:
        sys.setrecursionlimit(limit)


def set_limit(new_limit):
    sys.setrecursionlimit(new_limit)


start = recursion_depth()
for step in range(60):
    set_limit(limit + 500 + step)
    if recursion_depth() != start:
        print("depth moved by", recursion_depth() - start, "at step", step)
        break
set_limit(limit)
print("depth after limit changes:", recursion_depth() - start)
