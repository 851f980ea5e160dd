# expect-stats: resumes_passed>1000
# Resuming a generator suspended in `yield from` or `await` resumes the one
# at the end of the chain, passing the delegating ones without running
# their code (helpers::suspend::resume_through): values sent down the chain
# and yielded up it, return values handed up several levels (each level
# continuing after its SEND), exceptions raised at the bottom and unwound
# through the passed levels (caught in the middle, or escaping with a
# traceback through every level), chains longer than the levels passed at
# once, what the running bottom sees of the passed levels (f_back, f_lasti,
# f_lineno, gi_running, gi_yieldfrom, getgeneratorstate, sys.exc_info()
# inside a handler of a passed level, "generator already executing"),
# throw() and close() into a chain, coroutine chains driven by send() and by
# asyncio, the recursion limit, and a profile or trace function installed
# by the bottom while levels are passed. Also the same test of "suspended
# in an await" where GET_AWAITABLE refuses a coroutine awaited already,
# on code quickened (RESUME_QUICK) and not.
import asyncio
import inspect
import sys
import traceback


def leaf(n, log):
    for i in range(n):
        got = yield i
        if got is not None:
            log.append(("leaf got", got))
    return ("leaf done", n)


def middle(depth, n, log):
    if depth == 0:
        result = yield from leaf(n, log)
    else:
        result = yield from middle(depth - 1, n, log)
    log.append(("level", depth, "got", result))
    return (depth, result)


def run_chain(depth, n):
    log = []
    g = middle(depth, n, log)
    values = [next(g)]
    try:
        i = 0
        while True:
            values.append(g.send(i * 10 if i % 2 else None))
            i += 1
    except StopIteration as stop:
        result = stop.value
    print("chain", depth, values, len(log), log[:2], log[-2:])
    depth_of = 0
    while isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], tuple):
        depth_of += 1
        result = result[1]
    print("  nested result depth", depth_of, result)


for depth in (0, 1, 2, 5, 31, 32, 33, 70):
    run_chain(depth, 4)


def tree(lo, hi):
    if lo >= hi:
        return
    mid = (lo + hi) // 2
    yield from tree(lo, mid)
    yield mid
    yield from tree(mid + 1, hi)


print("tree", sum(tree(0, 3000)), list(tree(0, 20)))


def raiser(kind):
    yield 1
    if kind == "value":
        raise ValueError("from the bottom")
    if kind == "stop":
        raise StopIteration("leaks")
    yield 2


def catcher(kind):
    try:
        r = yield from raiser(kind)
    except ValueError as e:
        print("  caught in the middle:", repr(e))
        yield "after catch"
        return "caught"
    return r


def outer_of(kind, levels):
    def level(k):
        if k == 0:
            return (yield from catcher(kind))
        return (yield from level(k - 1))
    return level(levels)


for kind in ("value", "stop", "none"):
    g = outer_of(kind, 6)
    out = []
    try:
        for v in g:
            out.append(v)
        print(kind, out)
    except Exception as e:
        print(kind, out, type(e).__name__, e, repr(e.__cause__))


def bare_raise(levels):
    def bottom():
        yield "first"
        1 / 0

    def level(k):
        if k == 0:
            yield from bottom()
        else:
            yield from level(k - 1)
    return level(levels)


g = bare_raise(4)
next(g)
try:
    next(g)
except ZeroDivisionError:
    traceback.print_exc(file=sys.stdout)


# What the running bottom sees of the levels above it.
def observer(chain):
    yield "started"
    frame = sys._getframe()
    names = []
    while frame is not None and frame.f_code.co_name in ("observer", "observing"):
        names.append((frame.f_code.co_name, frame.f_lasti, frame.f_lineno))
        frame = frame.f_back
    print("  frames", names)
    top = chain[0]
    print("  top running", top.gi_running, inspect.getgeneratorstate(top), top.gi_yieldfrom)
    print("  exc_info", repr(sys.exc_info()[1]))
    try:
        next(top)
    except ValueError as e:
        print("  reentered:", e)
    yield "observed"


def observing(k, chain):
    if k == 0:
        yield from observer(chain)
    elif k == 2:
        try:
            raise KeyError("handled by level 2")
        except KeyError:
            yield from observing(k - 1, chain)
    else:
        yield from observing(k - 1, chain)


chain = []
top = observing(4, chain)
chain.append(top)
print(next(top))
print("top suspended", inspect.getgeneratorstate(top), type(top.gi_yieldfrom).__name__)
print(next(top))
print("after", top.gi_frame.f_lasti == top.gi_frame.f_lasti, inspect.getgeneratorstate(top))
print(list(top))


# throw() and close() into a chain whose levels were passed before.
def closing_leaf(log):
    try:
        while True:
            try:
                yield "tick"
            except KeyError as e:
                log.append(("leaf handled", str(e)))
    finally:
        log.append("leaf closed")


def closing_level(k, log):
    try:
        if k == 0:
            yield from closing_leaf(log)
        else:
            yield from closing_level(k - 1, log)
    finally:
        log.append(("level closed", k))


log = []
g = closing_level(5, log)
for _ in range(3):
    next(g)
print(g.throw(KeyError("thrown")))
print(next(g))
g.close()
print(log)


# The recursion limit with a chain that only passing resumes.
def deep(k):
    if k == 0:
        yield "bottom"
        yield "again"
    else:
        yield from deep(k - 1)


limit = sys.getrecursionlimit()
sys.setrecursionlimit(200)
try:
    g = deep(120)
    print(next(g), next(g))
    try:
        g = deep(400)
        next(g)
    except RecursionError as e:
        print("RecursionError", e)
finally:
    sys.setrecursionlimit(limit)


# Coroutine chains, driven by send() and by asyncio.
class Suspend:
    def __await__(self):
        got = yield "suspended"
        return got


async def co_bottom(i):
    got = await Suspend()
    return ("bottom", i, got)


async def co_level(k, i):
    if k == 0:
        return await co_bottom(i)
    return await co_level(k - 1, i)


c = co_level(6, 1)
print(c.send(None), c.cr_await is not None)
try:
    c.send("sent value")
except StopIteration as stop:
    print("coroutine returned", stop.value)


async def sleeper(k, i):
    if k == 0:
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        if i == 3:
            raise LookupError("task %d" % i)
        return i
    return await sleeper(k - 1, i)


async def main():
    results = await asyncio.gather(*(sleeper(5, i) for i in range(6)), return_exceptions=True)
    print("gather", [r if isinstance(r, int) else repr(r) for r in results])
    task = asyncio.ensure_future(sleeper(4, 0))
    await asyncio.sleep(0)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        print("cancelled", task.cancelled())


asyncio.run(main())


# A profile or trace function installed by the bottom while levels are
# passed sees the levels yield, return and continue.
events = []


def profile(frame, event, arg):
    if frame.f_code.co_name.startswith("traced"):
        events.append((event, frame.f_code.co_name, frame.f_lineno))


def traced_bottom(install):
    yield 1
    if install == "profile":
        sys.setprofile(profile)
    elif install == "trace":
        sys.settrace(lambda frame, event, arg: None)
        sys._getframe().f_trace = None
    yield 2
    return "bottom returned"


def traced_level(k, install):
    if k == 0:
        result = yield from traced_bottom(install)
    else:
        result = yield from traced_level(k - 1, install)
    yield result


for install in ("profile", "trace"):
    events.clear()
    g = traced_level(3, install)
    print(install, next(g), next(g), next(g))
    sys.setprofile(None)
    sys.settrace(None)
    print(events)


# A coroutine suspended in an await cannot be awaited again, whether its
# code is quickened yet (after enough warm-up) or not.
class Step:
    def __await__(self):
        yield "step"


async def stepper(turns):
    for _ in range(turns):
        await Step()
    await Step()


async def awaiter(coro):
    return await coro


for turns in (0, 20):
    c = stepper(turns)
    for _ in range(turns + 1):
        c.send(None)
    try:
        awaiter(c).send(None)
        print("awaited twice", turns)
    except RuntimeError as e:
        print("RuntimeError", turns, e)
    c.close()
