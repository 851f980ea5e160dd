"""Inline caches of LOAD_GLOBAL, LOAD_ATTR, STORE_ATTR and LOAD_METHOD: each
site runs ROUNDS times with stable types (compiled, its cache filled),
then sees every way the cached answer can go stale."""

import builtins
import math
import sys

ROUNDS = 40
SCALE = 3


def globals_and_builtins(n):
    return [SCALE * i + len("ab") + abs(-i) for i in range(n)]


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def norm2(self):
        return self.x * self.x + self.y * self.y


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self):
        self.a = 1


class WithProperty(Point):
    @property
    def x(self):
        return 42

    @x.setter
    def x(self, value):
        self.__dict__["shadow"] = value


class Doubling:
    def __setattr__(self, name, value):
        object.__setattr__(self, name, value * 2)


class Fallback:
    def __init__(self):
        self.x = 1
        self.y = 2

    def __getattr__(self, name):
        return lambda: f"fallback {name}"


def read_points(points):
    out = []
    for p in points:
        try:
            out.append((p.x, p.y, p.norm2(), math.pi))
        except AttributeError as e:
            out.append(f"AttributeError: {e}")
    return out


def write_points(points, n):
    for p in points:
        for i in range(n):
            p.y = i
            p.x = p.x + 1
    return [(p.x, p.y) for p in points]


def read_slots(objs):
    out = []
    for o in objs:
        try:
            out.append((o.a, o.b))
        except AttributeError as e:
            out.append(f"AttributeError: {e}")
    return out


def write_slots(objs, n):
    for o in objs:
        for i in range(n):
            o.b = i
            o.a = o.a + 1 if hasattr(o, "a") else 0
    return read_slots(objs)


class ReadOnlySlot:
    __slots__ = ()
    a = property(lambda self: 1)
    b = 2


def fresh_points(n, reverse):
    out = []
    for i in range(n):
        p = Point.__new__(Point)
        if reverse:
            p.y = -i
            p.x = i
        else:
            p.x = i
            p.y = -i
        out.append(p)
    return [list(vars(p).items()) for p in out]


class Reordered:
    """Instance values in another order than Point's: another type at the same sites."""

    def __init__(self, x, y):
        self.y = y
        self.x = x

    def norm2(self):
        return "Reordered.norm2"


class Materialized:
    def __init__(self, x):
        # A dict of its own (combined, not sharing the class's keys).
        self.__dict__ = {"x": x, "y": x + 1}


def read_dicts(objs):
    out = []
    for o in objs:
        try:
            out.append((o.x, o.y))
        except AttributeError as e:
            out.append(f"AttributeError: {e}")
    return out


def write_dicts(objs, n):
    out = []
    for o in objs:
        for i in range(n):
            try:
                o.x = i
                o.y = o.x + 1
            except AttributeError as e:
                out.append(f"AttributeError: {e}")
        out.append(sorted(vars(o).items()) if hasattr(o, "__dict__") else (o.x, o.y))
    return out


class LoggingDict(dict):
    def __setitem__(self, key, value):
        print("LoggingDict.__setitem__ is not what object.__setattr__ calls")
        super().__setitem__(key, value)


def module_functions(module, x):
    try:
        return module.sqrt(x), module.floor(x)
    except AttributeError as e:
        return f"AttributeError: {e}"


def methods_of_builtins(n):
    items = []
    for i in range(n):
        items.append(i)
    return items, "-".join(str(i) for i in items).upper()


def main():
    points = [Point(1, 2), Point(3, 4)]
    for _ in range(ROUNDS):
        globals_and_builtins(3)
        read_points(points)
        write_points([Point(0, 0)], 2)
        read_slots([Slotted()])
        fresh_points(2, False)
        read_dicts([Materialized(1), Materialized(2)])
        write_dicts([Materialized(1), Materialized(2)], 2)
        write_slots([Slotted()], 2)
        methods_of_builtins(3)
        module_functions(math, 2.25)

    print("globals", globals_and_builtins(4))
    global SCALE
    SCALE = 5
    print("global rebound", globals_and_builtins(4))
    del SCALE
    try:
        globals_and_builtins(1)
    except NameError as e:
        print("NameError:", e)
    builtins.SCALE = 7
    print("from builtins", globals_and_builtins(2))
    globals()["len"] = lambda s: 100
    print("builtin shadowed", globals_and_builtins(2))
    del globals()["len"]
    print("shadow removed", globals_and_builtins(2))
    del builtins.SCALE
    SCALE = 3

    print("points", read_points(points))
    # Two and three types at one site: the first two entries are checked by
    # generated code, the rest by the slow path; then the second type changes.
    mixed = [Point(1, 2), Reordered(3, 4), Point(5, 6), Reordered(7, 8)]
    for _ in range(ROUNDS):
        read_points(mixed)
        write_points(mixed, 1)
    print("two types", read_points(mixed), write_points(mixed, 2))
    print("three types", read_points(mixed + [WithProperty(1, 1)] + mixed))
    # More types at one site than its four entries: generated code checks
    # all four, the fifth type takes the slow path and evicts the oldest.
    kinds = [type(f"Kind{i}", (Point,), {})(i, i + 1) for i in range(5)]
    for _ in range(ROUNDS):
        read_points(kinds)
        write_points(kinds, 1)
    print("five types", read_points(kinds), write_points(kinds[::-1], 2))
    Reordered.norm2 = lambda self: "replaced in the second entry"
    print("second type's method replaced", read_points(mixed))
    del Reordered.norm2
    print("second type's method deleted", read_points(mixed))
    Reordered.norm2 = lambda self: self.x - self.y
    print("back", read_points(mixed[::-1]))
    print("property subclass", read_points([WithProperty(1, 2)] + points))
    shadowed = Point(5, 6)
    shadowed.__dict__["norm2"] = lambda: "instance attribute wins"
    print("method shadowed by instance", read_points([shadowed] + points))
    Point.norm2 = lambda self: -1
    print("method replaced on class", read_points(points))
    del Point.norm2
    print("method deleted", read_points(points))
    Point.norm2 = lambda self: self.x + self.y
    late = Point(1, 1)
    late.z = 3
    print("keys grew", read_points([late] + points))
    unshared = Point(1, 2)
    del unshared.x
    print("attribute deleted", read_points([unshared]))
    unshared.x = 9
    print("attribute restored", read_points([unshared]))
    materialized = Point(7, 8)
    vars(materialized)
    print("dict materialized", read_points([materialized]))
    print("__getattr__ class", read_points([Fallback()]))
    # STORE_ATTR into an instance's own dict, then instances without one, a
    # dict subclass as __dict__, and the class growing a property and a
    # __setattr__ after the site cached it.
    print("dict stores", write_dicts([Materialized(3), Materialized(4)], 3))
    print("dict stores, values instances", write_dicts([Point(1, 2), Materialized(5)], 2))
    odd = Materialized(6)
    odd.__dict__ = LoggingDict(odd.__dict__)
    print("dict subclass", write_dicts([odd, Materialized(7)], 2))
    Materialized.y = property(lambda self: "property", lambda self, v: print("property set", v))
    print("property added", write_dicts([Materialized(8)], 1))
    del Materialized.y
    Materialized.__setattr__ = lambda self, name, v: print("__setattr__", name, v)
    print("__setattr__ added", write_dicts([Materialized(9)], 1))
    del Materialized.__setattr__
    print("__setattr__ removed", write_dicts([Materialized(10)], 2))
    math.pi = 3
    print("module attribute rebound", read_points(points[:1]))
    del math.pi
    print("module attribute deleted", read_points(points[:1]))
    math.pi = 3.141592653589793

    # LOAD_METHOD on a module: its dict's version pins the function.
    print("module functions", module_functions(math, 6.25))
    real_sqrt = math.sqrt
    math.sqrt = lambda x: "patched sqrt"
    print("module function rebound", module_functions(math, 6.25))
    del math.sqrt
    print("module function deleted", module_functions(math, 6.25))
    math.sqrt = real_sqrt
    import types
    fake = types.ModuleType("fake")
    fake.sqrt = lambda x: "fake sqrt"
    fake.__getattr__ = lambda name: (lambda x: "module __getattr__ for " + name)
    print("another module at the site", module_functions(fake, 1.0), module_functions(math, 4.0))

    class SubModule(types.ModuleType):
        def floor(self, x):
            return "method of a module subclass"
    sub = SubModule("sub")
    sub.sqrt = lambda x: "sub sqrt"
    print("module subclass", module_functions(sub, 1.0), module_functions(math, 9.0))
    print("first stores keep insertion order", fresh_points(3, False), fresh_points(3, True))
    print("writes", write_points([Point(1, 2), Point(3, 4)], 3))
    missing = Point(5, 0)
    del missing.y
    print("write to deleted attribute", write_points([missing], 2))
    doubled = Doubling()
    doubled.x = 1
    doubled.y = 2
    print("__setattr__ class", write_points([doubled], 2))
    print("data descriptor", write_points([WithProperty(1, 2)], 1))

    s = Slotted()
    print("slots", read_slots([s, s]))
    s.b = 3
    print("slot set", read_slots([s]))
    del s.a
    print("slot deleted", read_slots([s]))
    print("slots on other type", read_slots([Point(1, 2)]))
    print("slot writes", write_slots([Slotted(), Slotted()], 3))
    cleared = Slotted()
    del cleared.a
    print("slot write after delete", write_slots([cleared], 2))
    try:
        write_slots([ReadOnlySlot()], 1)
    except AttributeError as e:
        print("AttributeError:", e)
    print("slot writes to other types", write_slots([Point(1, 2), Slotted()], 2))

    print("instance dicts", read_dicts([Materialized(3), Materialized(4)]))
    grown = Materialized(5)
    for i in range(20):
        setattr(grown, f"extra{i}", i)
    del grown.x
    print("dict grown, attribute deleted", read_dicts([grown, Materialized(6)]))
    grown.x = 7
    print("attribute back at another position", read_dicts([grown]))
    import types

    class WithXY:
        x, y = "class x", "class y"

    error = ValueError()
    error.x, error.y = 1, 2
    holder = types.ModuleType("holder")
    holder.x, holder.y = 3, 4
    print("objects without a managed dict", read_dicts([WithXY, error, types.SimpleNamespace(x=5, y=6), holder, 7]))
    before = Materialized(8)
    Materialized.y = property(lambda self: "property wins")
    print("data descriptor added to the class", read_dicts([before]))
    del Materialized.y
    print("builtin methods", methods_of_builtins(4))
    list.__dict__  # read-only; builtin types cannot change
    print("done", file=sys.stderr)
