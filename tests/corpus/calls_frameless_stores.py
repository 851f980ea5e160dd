# threshold: 30
# Leaf methods that store attributes (setters, and plain __init__ also in
# the constructions compiled code makes itself) run without a frame
# (frameless-calls; see Lowering::store_attribute): stores over
# attributes other references keep alive, over ints, floats and strs only
# the attribute held (released at the return), over missing attributes
# (instance values: the insertion order vars() shows; slots), swaps and
# chained stores. Every store made before the variant gives the call back
# is undone, so the framed code runs the whole body once: a later store or
# load meeting a class no inline cache has met, an old value of another
# type whose finalizer prints what the object holds at that moment, a
# stored unboxed number, an instance whose __dict__ was materialized, a
# class with __setattr__, a slot missing from __slots__ (its traceback), a
# trace function set in the hot loop; and an __init__ that returns a
# value. Results, attribute order, reference counts, finalizer lines and
# tracebacks are the interpreter's.
# expect-stats: frameless_calls>1000
import sys
import traceback


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def move(self, x, y):
        self.x = x
        self.y = y
        return self

    def tag(self, label):
        self.label = label

    def swap(self):
        self.x, self.y = self.y, self.x

    def both(self, value):
        self.x = self.y = value

    def link(self, other, value):
        self.x = value
        other.y = value
        return other.x

    def shift(self, other, value):
        self.x = self.y
        self.y = value
        other.y = value

    def mark(self, other, value):
        self.y = value
        self.mark = value
        other.y = value

    def shifted(self, dx):
        self.x = dx
        self.y = self.x + 1.5


class Slotted:
    __slots__ = ("a", "b")

    def fill(self, a, b):
        self.a = a
        self.b = b

    def wrong(self, c):
        self.a = c
        self.c = c


class Other:
    def __init__(self):
        self.x = "other"
        self.y = "other"


def fresh_other():
    # A class of its own each time: no inline cache has met it.
    class Fresh(Other):
        pass

    return Fresh()


class Base:
    def __init__(self, base):
        self.base = base


def fresh_base(base):
    class FreshBase(Base):
        pass

    return FreshBase(base)


class Scaled:
    def __init__(self, a, source):
        self.a = a
        self.b = source.base


class Returns:
    def __init__(self, value):
        self.value = value
        return value


def make_scaled(a, source):
    return Scaled(a, source)


def make_returns(value):
    try:
        return type(Returns(value)).__name__
    except TypeError as e:
        return str(e)


class Loud:
    def __init__(self, name, watched):
        self.name = name
        self.watched = watched

    def __del__(self):
        line = sys._getframe(1).f_lineno
        print("  del", self.name, "sees", getattr(self.watched, "x", None), "line", line)


class Guarded(Point):
    def __setattr__(self, name, value):
        print("  setattr", name, value)
        object.__setattr__(self, name, value)


def hot(rounds):
    p = Point(0, 0)
    s = Slotted()
    total = 0
    for i in range(rounds):
        p.move(i, str(i))
        p.move(i * 1.5, p.y)
        p.both(i)
        p.swap()
        s.fill(i, [i])
        total += p.x + s.a + len(s.b)
    fresh = [Point(i, -i) for i in range(5)]
    for q in fresh:
        q.tag("t" + str(q.x))
    empty = Slotted()
    empty.fill(1, 2)
    return total, vars(p), [vars(q) for q in fresh], list(vars(fresh[0])), empty.a, empty.b


def shift_into(point, other, value):
    point.shift(other, value)
    return point.x


def mark_into(point, other, value):
    point.mark(other, value)
    return tuple(vars(point).items())


def link_into(point, other, value):
    return point.link(other, value)


def given_back():
    # The stores are made by compiled callers (each called past the
    # threshold first), which run a leaf's frameless variant.
    results = []
    p = Point(1, 2)
    for i in range(200):
        target = Point(i, i) if i % 50 else fresh_other()
        results.append(link_into(p, target, i))
    results.append((vars(p), vars(target)))
    q = Point(0, 0)
    q.tag("first")
    del q.label
    for i in range(3):
        link_into(q, fresh_other(), i)
    results.append(list(vars(q)))
    for i in range(100):
        made = make_scaled(i, Base(-i) if i % 10 else fresh_base(-i))
        if i % 10 == 0:
            results.append((tuple(vars(made).items()), len(vars(made))))
    results.append([make_returns(None if i % 40 else i) for i in range(100)][::20])
    kept = object()
    before = sys.getrefcount(kept)
    for i in range(100):
        b = Point(i, i + 1)
        x = shift_into(b, Point(0, 0) if i % 10 else fresh_other(), kept)
        if i % 10 == 0:
            results.append((x, b.y is kept))
    del b
    results.append(("references", sys.getrefcount(kept) - before))
    for i in range(100):
        a = Point(1.5 * i, "s" + str(i))
        items = mark_into(a, Point(0, 0) if i % 10 else fresh_other(), i)
        if i % 10 == 0:
            results.append(items)
    watched = Point(0, 0)
    for i in range(60):
        watched.move(i, i)
    watched.move(7, Loud("old y", watched))
    watched.move(8, 9)
    for i in range(40):
        watched.shifted(i)
    results.append(vars(watched))
    d = Point(1, 1)
    d.__dict__["z"] = 3
    for i in range(3):
        d.move(i, i + 1)
    results.append(vars(d))
    g = Guarded(0, 0)
    g.move(4, 5)
    results.append(vars(g))
    s = Slotted()
    for i in range(3):
        try:
            s.wrong(i)
        except AttributeError:
            traceback.print_exc(file=sys.stdout)
    results.append(s.a)
    return results


def traced(rounds):
    events = []

    def tracer(frame, event, arg):
        if event == "call" and frame.f_code.co_name == "move":
            events.append(frame.f_lineno)
        return None

    p = Point(0, 0)
    for i in range(rounds):
        if i == rounds // 2:
            sys.settrace(tracer)
        p.move(i, i)
    sys.settrace(None)
    return vars(p), len(events)


def main():
    print("hot", hot(300))
    print("given back", given_back())
    print("hot again", hot(100))
    print("traced", traced(200))


main()
