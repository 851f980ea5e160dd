# UNPACK_SEQUENCE of eight or more items into locals, run as one call
# (optimization unpack-to-locals): the same objects stored again (no
# reference count touched), other objects, temporary sequences, stores that
# free old values with finalizers (which see the frame's locals, its line and
# the reference counts of the items not stored yet, and mutate the list being
# unpacked), the sequence's own local stored into, a local named twice,
# unbound and deleted locals, targets on several lines, lists, subclasses,
# iterators, strings, wrong lengths and non-iterables.
# expect-stats: unchanged_stores>1000
import sys


class Tracked:
    def __init__(self, name, on_del=None, show_locals=True):
        self.name = name
        self.on_del = on_del
        # Reading f_locals makes a dict that keeps every local alive.
        self.show_locals = show_locals

    def __repr__(self):
        return "Tracked(%s)" % self.name

    def __del__(self):
        caller = sys._getframe(1)
        if self.show_locals:
            print("  del", self.name, "at line", caller.f_lineno,
                  "locals", sorted(k for k, v in caller.f_locals.items() if isinstance(v, Tracked)))
        else:
            print("  del", self.name, "at line", caller.f_lineno)
        if self.on_del is not None:
            self.on_del()


def same_objects(t, n):
    total = 0
    for _ in range(n):
        a, b, c, d, e, f, g, h = t
        a, b, c, d, e, f, g, h = t
        total += a + h
    return total, a, b, c, d, e, f, g, h


def alternating(t, u, n):
    seen = []
    for i in range(n):
        a, b, c, d, e, f, g, h, i2, j = t if i % 2 else u
        seen.append(a + j)
    return seen[-4:], a, j


def temporaries(n):
    for i in range(n):
        a, b, c, d, e, f, g, h = tuple(Tracked("t%d.%d" % (i, k)) for k in range(8))
    print("  last", a, h)


def shared_with_frees():
    keep = tuple(Tracked("new%d" % k) for k in range(8))
    a, b, c, d, e, f, g, h = [Tracked("old%d" % k, show_locals=k == 0) for k in range(8)]
    print("  stored once")
    a, b, c, d, e, f, g, h = keep
    print("  refcounts", [sys.getrefcount(x) for x in keep])
    return a, h


def finalizer_sees_refcounts():
    items = tuple(Tracked("item%d" % k) for k in range(8))

    def show():
        print("    item refcounts", [sys.getrefcount(x) for x in items])

    a = b = c = d = e = f = g = h = None
    d = Tracked("old-d", show)
    a, b, c, d, e, f, g, h = items
    del items
    return a, h


def list_mutated_by_finalizer():
    lst = [Tracked("l%d" % k) for k in range(8)]

    def mutate():
        lst[7] = Tracked("replacement")
        lst.append("more")

    a, b, c, d, e, f, g, h = [None] * 8
    c = Tracked("old-c", mutate)
    a, b, c, d, e, f, g, h = lst
    print("  h is", h, "list ends with", lst[7], len(lst))


def own_local(t):
    a, b, c, d, e, f, g, t = t
    return a, g, t


def own_local_only_reference():
    t = tuple(Tracked("own%d" % k) for k in range(8))
    a, b, c, d, e, f, g, t = t
    return a, t


def named_twice(t):
    a, a, b, c, d, e, f, b = t
    return a, b, c, d, e, f


def unbound_and_deleted(t, delete):
    if delete:
        a, b, c, d, e, f, g, h = t
        del c, g
    a, b, c, d, e, f, g, h = t
    return a, c, g, h


def several_lines(t):
    (a, b, c, d,
     e, f, g, h) = t
    return a, e


def several_lines_frees():
    a, b, c, d, e, f, g, h = [Tracked("sl%d" % k, show_locals=False) for k in range(8)]
    keep = tuple(range(8))
    (a, b, c, d,
     e, f, g, h) = keep


class MyTuple(tuple):
    pass


class MyList(list):
    pass


def generic(seq):
    try:
        a, b, c, d, e, f, g, h = seq
    except (ValueError, TypeError) as exc:
        return type(exc).__name__, str(exc)
    return a, b, g, h


def raising_finalizer():
    class Bad:
        def __del__(self):
            raise RuntimeError("from __del__")

    previous_hook = sys.unraisablehook
    sys.unraisablehook = lambda u: print("  unraisable", type(u.exc_value).__name__, u.exc_value)
    a, b, c, d, e, f, g, h = [Bad()] + [0] * 7
    a, b, c, d, e, f, g, h = tuple(range(8))
    sys.unraisablehook = previous_hook
    return a, h


def unpack_error_traceback(seq):
    a, b, c, d, e, f, g, h = seq
    return a


t8 = tuple(range(100, 108))
print(same_objects(t8, 2000))
print(alternating(tuple(range(10)), tuple(range(10, 20)), 1000))
print(alternating(list(range(10)), list(range(10, 20)), 10))
temporaries(3)
print(shared_with_frees())
print(finalizer_sees_refcounts())
list_mutated_by_finalizer()
print(own_local(tuple(range(8))))
print(own_local_only_reference())
print(named_twice(tuple("abcdefgh")))
print(unbound_and_deleted(tuple(range(8)), False))
print(unbound_and_deleted(tuple(range(8)), True))
print(several_lines(t8))
several_lines_frees()
for seq in (MyTuple(range(8)), MyList(range(8)), iter(range(8)), "abcdefgh", range(8),
            dict.fromkeys("ABCDEFGH"), (x * 2 for x in range(8)), tuple(range(7)),
            list(range(9)), iter(range(3)), 8, None, (x for x in range(20))):
    print(generic(seq))
print(raising_finalizer())
try:
    unpack_error_traceback(list(range(5)))
except ValueError as exc:
    tb = exc.__traceback__
    while tb.tb_next:
        tb = tb.tb_next
    print("ValueError", exc, "at line", tb.tb_lineno)
