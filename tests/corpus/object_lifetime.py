# Object lifetime under exact reference counting: __del__ must run at the
# same points as in CPython -- `del` of a local, rebinding a local, function
# return, temporaries dying right after use, overwritten list/dict slots,
# loop variables being rebound, exception objects (and the frames their
# tracebacks keep alive) released at the end of an except block, objects
# kept alive by a pending return value in finally, sys.getrefcount of
# locals, weakref callbacks / WeakValueDictionary / weakref.finalize,
# cycles collected by gc.collect(), generators closed on deletion, and one
# module global finalized at interpreter shutdown.
import gc
import sys
import weakref

EVENTS = []


class Tracked:
    def __init__(self, name):
        self.name = name
        EVENTS.append("new %s" % name)

    def __del__(self):
        EVENTS.append("del %s" % self.name)

    def touch(self):
        EVENTS.append("touch %s" % self.name)
        return self.name


class Noisy:
    """Prints directly from __del__ (interleaving with other output)."""

    def __init__(self, name):
        self.name = name

    def __del__(self):
        print("  Noisy.__del__(%s)" % self.name)


def flush(title):
    print(title, EVENTS)
    EVENTS.clear()


def delete_local():
    a = Tracked("a")
    EVENTS.append("before del")
    del a
    EVENTS.append("after del")


def rebind_local():
    x = Tracked("first")
    x = Tracked("second")
    EVENTS.append("rebound")
    x = None
    EVENTS.append("set to None")


def dies_at_return():
    t = Tracked("local")
    t.touch()
    return "returning"


def returned_object():
    return Tracked("returned")


def temporaries():
    EVENTS.append(Tracked("temp1").touch())
    n = len([Tracked("in-list")])
    EVENTS.append("after list len=%d" % n)
    Tracked("discarded")
    EVENTS.append("after discarded")


def containers():
    lst = [Tracked("l0"), Tracked("l1")]
    lst[0] = None
    EVENTS.append("slot 0 overwritten")
    d = {"k": Tracked("dv")}
    d.pop("k")
    EVENTS.append("popped")
    lst.clear()
    EVENTS.append("cleared")


def loop_rebinding():
    for i in range(3):
        item = Tracked("loop%d" % i)
    EVENTS.append("loop done")


def raiser():
    inner = Tracked("in-raising-frame")
    raise ValueError("boom")


def exception_lifetime():
    try:
        raiser()
    except ValueError:
        EVENTS.append("in handler")
    EVENTS.append("after handler")
    try:
        raiser()
    except ValueError as e:
        saved = e
    EVENTS.append("exception saved")
    del saved
    EVENTS.append("saved deleted")


def fail(msg):
    raise KeyError(msg)


def partial_expression_unwinding():
    # Values already pushed on the value stack must be released when the
    # exception unwinds (before the handler runs).
    try:
        [Tracked("stack0"), Tracked("stack1"), fail("mid-list")]
    except KeyError:
        EVENTS.append("handler 1")
    try:
        f"{Tracked('fstring-part').name}{fail('mid-fstring')}"
    except KeyError:
        EVENTS.append("handler 2")
    try:
        for item in [Tracked("iterated")]:
            fail("in loop body")
    except KeyError:
        EVENTS.append("handler 3")
    try:
        with_call_args(Tracked("arg0"), fail("mid-args"))
    except KeyError:
        EVENTS.append("handler 4")


def with_call_args(a, b):
    return a, b


def finally_keeps_return_value():
    try:
        return Tracked("retval").name
    finally:
        EVENTS.append("in finally")


def refcounts():
    obj = object()
    base = sys.getrefcount(obj)
    alias = obj
    one_more = sys.getrefcount(obj)
    lst = [obj, obj]
    three_more = sys.getrefcount(obj)
    del alias, lst
    back = sys.getrefcount(obj)
    return one_more - base, three_more - base, back - base


def weakrefs():
    out = []
    t = Tracked("weak-target")
    r = weakref.ref(t, lambda ref: out.append("callback, ref() is %r" % (ref(),)))
    out.append("alive: %s" % r().name)
    del t
    out.append("after del: %r" % (r(),))
    cache = weakref.WeakValueDictionary()
    k = Tracked("cached")
    cache["k"] = k
    out.append("cache keys %r" % (sorted(cache.keys()),))
    k = None
    out.append("cache keys %r" % (sorted(cache.keys()),))
    f_target = Tracked("finalized")
    weakref.finalize(f_target, out.append, "finalize ran")
    del f_target
    out.append("end")
    return out


def cycles():
    gc.collect()
    a = Tracked("cycle-a")
    b = Tracked("cycle-b")
    a.other = b
    b.other = a
    del a, b
    EVENTS.append("cycle unreachable")
    found = gc.collect()
    EVENTS.append("collected something: %s" % (found > 0))


def gen_with_cleanup():
    holder = Tracked("gen-local")
    try:
        yield 1
        yield 2
    finally:
        EVENTS.append("generator finally")


def generator_lifetime():
    g = gen_with_cleanup()
    next(g)
    EVENTS.append("suspended")
    del g
    EVENTS.append("generator deleted")


def noisy_sequence():
    print("  start")
    n = Noisy("one")
    n = Noisy("two")
    print("  rebound")
    del n
    print("  end")


for fn in (delete_local, rebind_local, dies_at_return, temporaries, containers, loop_rebinding,
           exception_lifetime, partial_expression_unwinding, finally_keeps_return_value,
           cycles, generator_lifetime):
    EVENTS.append("result %r" % (fn(),))
    flush(fn.__name__)
r = returned_object()
EVENTS.append("caller holds %s" % r.name)
del r
flush("returned_object")
print(refcounts())
print(weakrefs())
flush("weakrefs")
noisy_sequence()
survivor = Noisy("module global, finalized at shutdown")
print("end of program")
