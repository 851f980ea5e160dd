# Borrowed stack items: LOAD_FAST of a bound local and LOAD_CONST push a
# reference the stack does not own, which BINARY_OP, COMPARE_OP, IS_OP,
# BINARY_SUBSCR, STORE_SUBSCR, LOAD_ATTR, STORE_ATTR and the conditional
# jumps use as it is, and every other
# instruction first turns into an owned one. Each case below would free an
# object too early, leak one, or let a float be reused in place if that
# bookkeeping went wrong: reference counts are printed before and after,
# objects whose only reference is a local are rebound mid-expression, and
# every consumer also fails (exceptions leave the frame with borrowed items
# below the failing instruction's operands).
import sys


class Tracked:
    def __init__(self, name, value=0):
        self.name = name
        self.value = value

    def __del__(self):
        print("  del", self.name)

    def __add__(self, other):
        return Tracked(self.name + "+", self.value + getattr(other, "value", other))

    def __lt__(self, other):
        return self.value < getattr(other, "value", other)

    def __getitem__(self, index):
        if index > 5:
            raise IndexError(index)
        return self.value + index


class Slots:
    __slots__ = ("a", "b")


def float_not_reused(text):
    # x's only reference is the local: a borrowed operand must never be
    # overwritten in place as a sole owned float may be.
    x = float(text)
    y = x * 2.0
    z = x + x
    w = (x - 1.0) * 3.0
    return x, y, z, w


def int_ops(n):
    total = 0
    for i in range(n):
        total = total + i * 2 - (i // 3) % 5
        if i < n - 1 and total > 10**6:
            total = 0
    big = 2**62
    return total, big + big, big * 4, -big - big


def rebinding_mid_expression():
    x = Tracked("x1", 1)
    y = x.value + (x := Tracked("x2", 2)).value
    print("y", y, "x", x.name)
    a, b = Tracked("a", 10), Tracked("b", 20)
    a, b = b, a
    print("swapped", a.name, b.name)
    c = Tracked("c", 3)
    c = c + c
    print("c", c.name, c.value)
    return y


def compare_chains(a, b, c):
    return a < b < c, a < b > c, a is b, a is not c, b == b


def refcounts():
    obj = Tracked("counted", 5)
    before = sys.getrefcount(obj)
    for i in range(200):
        _ = obj.value + i
        _ = obj < 7
        _ = obj is None
        _ = obj[2]
        obj.value = obj.value
    after = sys.getrefcount(obj)
    print("refcount unchanged:", before == after)
    del obj


def failing_consumers():
    obj = Tracked("fails", 1)
    s = Slots()
    items = [1, 2, 3]
    pairs = [
        lambda: obj + None,
        lambda: obj < "text",
        lambda: obj[9],
        lambda: items[7],
        lambda: obj.missing,
        lambda: s.a,
    ]
    for case in pairs:
        try:
            case()
        except (TypeError, IndexError, AttributeError) as error:
            print(type(error).__name__, error)
    for i in range(3):
        try:
            value = items[i] + obj.value - (1 if i else None)
        except TypeError as error:
            print("caught", error)
        else:
            print("value", value)
    before = sys.getrefcount(obj)
    for _ in range(50):
        try:
            obj + None
        except TypeError:
            pass
        try:
            obj.nothing_here
        except AttributeError:
            pass
    print("refcount after failures unchanged:", sys.getrefcount(obj) == before)


def store_attrs():
    s = Slots()
    t = Tracked("store", 0)
    for i in range(5):
        s.a = i
        s.b = s.a * 2
        t.value = t.value + s.b
    print("stored", s.a, s.b, t.value)
    value = Tracked("stored-value", 9)
    t.other = value
    del value
    print("kept alive by the attribute:", t.other.name)
    t.other = None


def subscripts(seq, text):
    total = 0
    for i in range(len(seq)):
        total += seq[i]
    return total, text[1], seq[-1]


class BadBool:
    def __bool__(self):
        raise ValueError("no truth value")


def truth_and_none(values):
    count = 0
    for v in values:
        if v:
            count += 1
        if v is None:
            count += 10
        if v is not None and not v:
            count += 100
        while v:
            v = None
    return count


def truth_fails():
    bad = BadBool()
    before = sys.getrefcount(bad)
    for _ in range(20):
        try:
            if bad:
                print("unreachable")
        except ValueError as error:
            message = str(error)
    print(message, "refcount unchanged:", sys.getrefcount(bad) == before)


def store_subscripts():
    items = [0] * 4
    table = {}
    value = Tracked("in-list", 1)
    before = sys.getrefcount(value)
    for i in range(4):
        items[i] = value
        table[i] = value
        key = i
        items[key] = i
    print("after stores", items, sorted(table), sys.getrefcount(value) - before)
    try:
        items[10] = value
    except IndexError as error:
        print("IndexError", error)
    table.clear()
    print("refcount back:", sys.getrefcount(value) == before)


def main():
    print(float_not_reused("1.5"))
    print(float_not_reused("-0.0"))
    print(int_ops(1000))
    print(rebinding_mid_expression())
    print(compare_chains(1, 2, 3), compare_chains(3, 2, 1), compare_chains(1.0, 1.0, 0.5))
    refcounts()
    failing_consumers()
    store_attrs()
    print(subscripts([1, 2, 3, 4], "abc"), subscripts((5, 6), "xyz"))
    print(truth_and_none([0, 1, None, "", "x", [], [0]]))
    truth_fails()
    store_subscripts()
    print("done")


main()
