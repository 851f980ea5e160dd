# expect-stats: native_resumes>50
# Async generators as native code (ASYNC_GEN_WRAP wraps each value they
# yield): async for over them in compiled coroutines, awaits between
# yields, asend / athrow / aclose driven by hand and by asyncio, values
# kept on the stack across a yield, try/finally and GeneratorExit on
# aclose, StopIteration and StopAsyncIteration raised inside (RuntimeError),
# an exception thrown in and caught, async comprehensions, ag_running and
# ag_frame, sys.set_asyncgen_hooks (firstiter and the finalizer of an async
# generator dropped while suspended), and yielding None and the wrapper's
# own kind of values (other async generators' values, tuples, None).
import asyncio
import sys


async def ticker(n, log):
    try:
        for i in range(n):
            await asyncio.sleep(0)
            received = yield i * 10
            if received is not None:
                log.append("ticker got %r" % (received,))
    finally:
        log.append("ticker finally at n=%d" % n)


async def pairs(n):
    async for value in ticker(n, []):
        yield value, [value, (yield None)]


async def raises_stop(kind):
    yield 1
    raise kind("inside")


async def catcher():
    while True:
        try:
            yield "ready"
        except KeyError as e:
            yield "caught %s" % e
            return


async def consume():
    log = []
    total = 0
    async for value in ticker(5, log):
        total += value
    print("total", total, log)
    print([item async for item in pairs(3)])
    print({v async for v in ticker(4, log) if v % 20 == 0})
    for kind in (StopIteration, StopAsyncIteration):
        try:
            async for _ in raises_stop(kind):
                pass
        except RuntimeError as e:
            print("RuntimeError:", e)
    gen = ticker(10, log)
    print(await gen.asend(None), await gen.asend("hello"), await gen.__anext__())
    await gen.aclose()
    print(log[-2:])
    gen = catcher()
    print(await gen.__anext__())
    print(await gen.athrow(KeyError("thrown")))
    try:
        await gen.__anext__()
    except StopAsyncIteration:
        print("catcher finished")
    gen = ticker(3, log)
    await gen.__anext__()
    print("running", gen.ag_running, gen.ag_frame.f_code.co_name)
    try:
        await gen.athrow(ValueError("escapes"))
    except ValueError as e:
        print("ValueError:", e, log[-1])


asyncio.run(consume())

events = []


def firstiter(agen):
    events.append("firstiter %s" % agen.ag_code.co_name)


def finalizer(agen):
    events.append("finalizer %s" % agen.ag_code.co_name)
    closing = agen.aclose()
    try:
        closing.send(None)
    except StopIteration:
        events.append("closed %s" % agen.ag_code.co_name)


async def hooked():
    try:
        yield "first"
        yield "second"
    finally:
        events.append("hooked finally")


def drive_by_hand():
    old = sys.get_asyncgen_hooks()
    sys.set_asyncgen_hooks(firstiter=firstiter, finalizer=finalizer)
    try:
        for _ in range(3):
            gen = hooked()
            step = gen.__anext__()
            try:
                step.send(None)
            except StopIteration as e:
                events.append("yielded %s" % e.value)
            del gen, step
    finally:
        sys.set_asyncgen_hooks(*old)


drive_by_hand()
print(events)


async def many(n):
    for i in range(n):
        yield (i, None) if i % 2 else None


async def summarize():
    counts = []
    for n in range(0, 40, 7):
        counts.append(sum([1 async for _ in many(n)]))
    print(counts)


asyncio.run(summarize())
