# Frame introspection from compiled code: sys._getframe(0/1/2) and its
# f_code.co_name / co_qualname / f_lineno / f_lasti / f_back chain,
# inspect.currentframe / inspect.stack / inspect.getouterframes, reading a
# caller's f_locals while it is suspended in a call, frames of methods,
# lambdas, comprehensions and class bodies, sys._getframe with a too-large
# depth (ValueError), and frame objects kept alive after their function
# returned.
import inspect
import os
import sys


def where(depth=1):
    f = sys._getframe(depth)
    return "%s:%d" % (f.f_code.co_name, f.f_lineno)


def chain(limit=8):
    names = []
    f = sys._getframe(1)
    while f is not None and len(names) < limit:
        names.append("%s@%d" % (f.f_code.co_name, f.f_lineno))
        f = f.f_back
    return names


def level3():
    here = sys._getframe(0)
    caller = sys._getframe(1)
    callers_caller = sys._getframe(2)
    return [here.f_code.co_name, caller.f_code.co_name, callers_caller.f_code.co_name,
            here.f_back is caller, caller.f_back is callers_caller,
            here.f_lineno, caller.f_lineno, callers_caller.f_lineno,
            caller.f_lasti, callers_caller.f_lasti,
            caller.f_locals.get("marker"), sorted(callers_caller.f_locals)]


def level2():
    marker = "level2-local"
    return level3()


def level1():
    outer_value = 41
    outer_value += 1
    return level2()


def line_numbers():
    first = where()
    x = 1
    second = where()
    if x:
        third = where()
    values = [where() for _ in range(1)]
    return first, second, third, values


class Widget:
    def method(self):
        return sys._getframe(0).f_code.co_qualname, chain(4)

    @classmethod
    def cm(cls):
        return inspect.currentframe().f_code.co_qualname

    @property
    def prop(self):
        return where(1), sys._getframe(0).f_code.co_name

    class_body_frame = sys._getframe(0).f_code.co_name


def inspect_api():
    frame = inspect.currentframe()
    stack = inspect.stack()
    info = inspect.getframeinfo(frame)
    outer = inspect.getouterframes(frame)
    return ([(s.function, s.lineno, s.code_context[0].strip() if s.code_context else None)
             for s in stack[:3]],
            (info.function, info.lineno, os.path.basename(info.filename)),
            [o.function for o in outer][:3])


def caller_locals_snapshot():
    a = 1
    b = "two"
    snap1 = peek_caller_locals()
    a = 100
    del b
    c = [3]
    snap2 = peek_caller_locals()
    return snap1, snap2


def peek_caller_locals():
    f = sys._getframe(1)
    return sorted((k, v) for k, v in f.f_locals.items() if not k.startswith("snap"))


def keep_frame():
    local_value = "kept alive"
    return sys._getframe(0)


def lambdas_and_comprehensions():
    lam = (lambda: sys._getframe(0).f_code.co_name)()
    comp = [sys._getframe(0).f_code.co_name for _ in range(1)][0]
    gen_parent = list(sys._getframe(1).f_code.co_name for _ in range(1))[0]
    dict_comp = {k: sys._getframe(0).f_code.co_name for k in "a"}
    return lam, comp, gen_parent, dict_comp


def too_deep():
    try:
        sys._getframe(10000)
    except ValueError as e:
        return "ValueError: %s" % e


def code_attributes():
    code = sys._getframe(0).f_code
    return (code.co_name, code.co_argcount, code.co_varnames[:3], code.co_firstlineno,
            os.path.basename(code.co_filename), code.co_flags & 0x20 == 0)


def recursive_depth(n):
    if n == 0:
        depth = 0
        f = sys._getframe(0)
        while f.f_code.co_name == "recursive_depth":
            depth += 1
            f = f.f_back
        return depth, f.f_code.co_name
    return recursive_depth(n - 1)


print(level1())
print(line_numbers())
w = Widget()
print(w.method(), Widget.cm(), w.prop, Widget.class_body_frame)
print(inspect_api())
print(caller_locals_snapshot())
kept = keep_frame()
print(kept.f_code.co_name, kept.f_locals["local_value"], kept.f_lineno,
      kept.f_back.f_code.co_name if kept.f_back is not None else None)
print(lambdas_and_comprehensions())
print(too_deep())
print(code_attributes())
print(recursive_depth(25))
print(chain())
print(where(0), sys._getframe().f_code.co_name, sys._getframe().f_back)
