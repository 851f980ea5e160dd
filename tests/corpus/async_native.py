# expect-stats: native_resumes>20
# Coroutines as native code, each error path of await / async with /
# async for with CPython's messages: an object that is not awaitable,
# __await__ returning a coroutine or a non-iterator, the result of
# __aenter__ / __aexit__ not awaitable, a coroutine awaited while another
# await of it is suspended, a reused coroutine, __anext__ missing or
# returning something not awaitable (with the cause chained) or deleted
# from the class mid-loop, an exception
# other than StopAsyncIteration from __anext__, a generator-based coroutine
# (types.coroutine) awaited and driven by yield from, a coroutine driven by
# hand with send()/throw()/close(), and values kept on the stack across an
# await.
import asyncio
import types


class Awaitable:
    def __init__(self, result):
        self.result = result

    def __await__(self):
        yield
        return self.result


class AwaitReturnsCoroutine:
    def __await__(self):
        async def inner():
            pass
        coro = inner()
        coro.close()
        return coro


class AwaitReturnsList:
    def __await__(self):
        return [1, 2]


class EnterNotAwaitable:
    def __aenter__(self):
        return 42

    async def __aexit__(self, *exc):
        return False


class ExitNotAwaitable:
    async def __aenter__(self):
        return self

    def __aexit__(self, *exc):
        return "no"


class Manager:
    def __init__(self, log, swallow=False):
        self.log = log
        self.swallow = swallow

    async def __aenter__(self):
        self.log.append("enter")
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, kind, value, tb):
        self.log.append("exit %s" % (kind.__name__ if kind else None))
        await asyncio.sleep(0)
        return self.swallow


class Countdown:
    def __init__(self, n, fail_at=None):
        self.n = n
        self.fail_at = fail_at

    def __aiter__(self):
        return self

    async def __anext__(self):
        await asyncio.sleep(0)
        if self.n == self.fail_at:
            raise KeyError("anext failed at %d" % self.n)
        if self.n <= 0:
            raise StopAsyncIteration
        self.n -= 1
        return self.n


class NoAnext:
    def __aiter__(self):
        return self


class Vanishing:
    def __aiter__(self):
        return self

    async def __anext__(self):
        return "once"


class BadAnext:
    def __aiter__(self):
        return self

    def __anext__(self):
        return 5


@types.coroutine
def generator_based(x):
    got = yield ("gen-based", x)
    return got


async def add(a, b):
    await asyncio.sleep(0)
    return a + b


async def stack_across_await(n):
    # The list and the tuple under construction stay on the value stack.
    return [n, await add(n, 1), await add(n, 2)], (await add(1, 1), n)


async def errors():
    log = []
    for value in (5, AwaitReturnsCoroutine(), AwaitReturnsList()):
        try:
            await value
        except TypeError as e:
            log.append("TypeError: %s" % e)
    for manager in (EnterNotAwaitable(), ExitNotAwaitable()):
        try:
            async with manager:
                log.append("body ran")
        except TypeError as e:
            log.append("TypeError: %s" % e)
    for iterable in (NoAnext(), BadAnext(), 3):
        try:
            async for _ in iterable:
                pass
        except TypeError as e:
            log.append("TypeError: %s (cause %r)" % (e, e.__cause__))
    try:
        async for item in Vanishing():
            log.append("got %s" % item)
            del Vanishing.__anext__
    except TypeError as e:
        log.append("TypeError: %s" % e)
    coro = add(1, 2)
    await coro
    try:
        await coro
    except RuntimeError as e:
        log.append("RuntimeError: %s" % e)
    return log


async def waits_on(coro):
    return await coro


async def awaited_twice():
    blocker = asyncio.Event()

    async def slow():
        await blocker.wait()
        return "slow done"

    shared = slow()
    first = asyncio.ensure_future(waits_on(shared))
    await asyncio.sleep(0)
    try:
        await shared
    except RuntimeError as e:
        print("RuntimeError:", e)
    blocker.set()
    print(await first)


async def main():
    print(await stack_across_await(10))
    print(await Awaitable("custom awaitable"))
    for line in await errors():
        print(line)
    log = []
    async with Manager(log) as m:
        log.append("inside %s" % type(m).__name__)
    try:
        async with Manager(log):
            raise ValueError("boom")
    except ValueError:
        log.append("ValueError propagated")
    async with Manager(log, swallow=True):
        raise ValueError("swallowed")
    print(log)
    print([x async for x in Countdown(4)])
    try:
        async for x in Countdown(5, fail_at=2):
            print("got", x)
    except KeyError as e:
        print("KeyError:", e)
    total = 0
    for _ in range(50):
        async for x in Countdown(3):
            total += await add(x, 1)
    print("total", total)
    await awaited_twice()
    print(await asyncio.gather(*(add(i, i) for i in range(5))))


asyncio.run(main())


async def by_hand():
    got = await generator_based(1)
    try:
        await generator_based(2)
    except ZeroDivisionError as e:
        return ("thrown", got, str(e))
    return "not reached"


coro = by_hand()
print(coro.send(None))
print(coro.send("sent back"))
try:
    coro.throw(ZeroDivisionError("by hand"))
except StopIteration as e:
    print("returned", e.value)
coro = by_hand()
coro.send(None)
coro.close()
print("closed", coro.cr_frame)
