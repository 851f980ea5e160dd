# expect-stats: native_resumes>20
# Coroutines and async code (compiled; async generators are left to the
# interpreter), driven by
# compiled functions: async def / await chains, asyncio.run, gather and
# TaskGroup-free task scheduling with deterministic ordering (no timing:
# sleep(0) only), async with / async for with custom __aenter__/__aexit__ /
# __aiter__/__anext__, async generators (asend / athrow / aclose), async
# comprehensions, exceptions propagating through awaits and across tasks,
# cancellation, a coroutine driven by hand with send()/throw() (no event
# loop), "coroutine was never awaited"-free code, and an uncaught exception
# from asyncio.run at the end.
import asyncio
import types

LOG = []


async def add(a, b):
    await asyncio.sleep(0)
    return a + b


async def chain(n):
    total = 0
    for i in range(n):
        total = await add(total, i)
    return total


async def failing(msg):
    await asyncio.sleep(0)
    raise ValueError(msg)


async def worker(name, steps):
    for i in range(steps):
        LOG.append("%s step %d" % (name, i))
        await asyncio.sleep(0)
    return name.upper()


class AsyncResource:
    def __init__(self, name, suppress=False):
        self.name = name
        self.suppress = suppress

    async def __aenter__(self):
        LOG.append("aenter %s" % self.name)
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, et, e, tb):
        LOG.append("aexit %s %s" % (self.name, et.__name__ if et else None))
        return self.suppress


class Ticker:
    def __init__(self, n):
        self.n = n

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.n == 0:
            raise StopAsyncIteration
        self.n -= 1
        await asyncio.sleep(0)
        return self.n


async def agen(limit):
    try:
        for i in range(limit):
            received = yield i
            if received:
                LOG.append("agen received %r" % (received,))
    finally:
        LOG.append("agen finally")


async def main():
    out = [await add(1, 2), await chain(5)]
    results = await asyncio.gather(worker("a", 2), worker("b", 3), add(10, 20))
    out.append(results)
    gathered = await asyncio.gather(failing("boom"), add(1, 1), return_exceptions=True)
    out.append([repr(r) for r in gathered])
    try:
        await asyncio.gather(add(0, 0), failing("gather fail"))
    except ValueError as e:
        out.append("gather raised: %s" % e)
    async with AsyncResource("r1") as r:
        out.append(r.name)
    async with AsyncResource("r2", suppress=True):
        raise KeyError("swallowed by aexit")
    try:
        async with AsyncResource("r3"):
            raise KeyError("propagated by aexit")
    except KeyError as e:
        out.append("aexit propagated %r" % (e,))
    out.append([v async for v in Ticker(3)])
    out.append({v: v * v async for v in Ticker(2)})
    out.append([await add(v, 100) for v in range(2)])
    async for v in Ticker(2):
        out.append("ticker %d" % v)
    g = agen(5)
    out.append(await g.__anext__())
    out.append(await g.asend("hello"))
    try:
        await g.athrow(RuntimeError("into agen"))
    except RuntimeError as e:
        out.append("athrow propagated: %s" % e)
    g2 = agen(3)
    out.append(await g2.__anext__())
    await g2.aclose()
    out.append([x async for x in agen(3)])
    task = asyncio.ensure_future(worker("t", 100))
    await asyncio.sleep(0)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        out.append("task cancelled: %s" % task.cancelled())
    t2 = asyncio.ensure_future(failing("task failure"))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    out.append("task exception: %r" % (t2.exception(),))
    try:
        await asyncio.wait_for(worker("w", 1), timeout=100)
    except asyncio.TimeoutError:
        out.append("timeout?!")
    return out


def drive_by_hand():
    @types.coroutine
    def suspend(value):
        received = yield value
        return received

    async def inner():
        a = await suspend("first")
        try:
            b = await suspend("second")
        except ZeroDivisionError as e:
            b = "handled %s" % e
        c = await suspend("third")
        return [a, b, c]

    coro = inner()
    out = [coro.send(None), coro.send("A"), coro.throw(ZeroDivisionError("zde"))]
    try:
        coro.send("C")
    except StopIteration as e:
        out.append(e.value)
    coro2 = inner()
    coro2.send(None)
    coro2.close()
    out.append(coro2.cr_frame)
    return out


def run_async(fn, *args):
    return asyncio.run(fn(*args))


print(run_async(main))
for line in LOG:
    print(" log:", line)
print(drive_by_hand())
try:
    run_async(failing, "caught by caller")
except ValueError as e:
    print("caller caught:", e)
run_async(failing, "uncaught from asyncio.run")
