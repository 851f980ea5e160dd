# expect-stats: eager_awaits>100
# `await f(...)` of compiled coroutine functions, which compiled code runs
# without making the coroutine object unless it suspends (eager-await):
# a coroutine that returns at once (recursively, and with a value kept on
# the caller's stack across the await), one that raises (its traceback
# and the caller's position in it, at the await), one that raises
# StopIteration (PEP 479's RuntimeError), one caught by the caller's
# handler, one that suspends (the coroutine object made then: the caller's
# cr_await, its frame object the one the coroutine saved, a handled
# exception kept across the suspension, asyncio tasks, sleep, gather,
# cancellation while suspended, wait_for timeouts, an async generator's
# awaits), the caller's frame and
# position seen from inside (sys._getframe(1), f_lasti, f_lineno,
# traceback.extract_stack), frame objects that outlive the coroutine
# (f_locals, f_back), frame.clear() of the running frame, callees bound
# with defaults, *args and keyword-only defaults, and arguments that do
# not bind (the TypeError at the call), callees that need the coroutine
# object first (closures, keywords, generator-based coroutines, objects
# with __await__, a class), methods, one that
# changes the types it works on (its native code leaving for the
# interpreter part-way), a trace function set inside a callee, deep
# recursion to RecursionError, and sys.set_coroutine_origin_tracking_depth.
import asyncio
import sys
import traceback
import types


def drive(coro):
    """Runs `coro` to its end by hand; returns (yielded values, result)."""
    yielded = []
    try:
        while True:
            yielded.append(coro.send(None))
    except StopIteration as stop:
        return yielded, stop.value


async def fib(n):
    if n <= 1:
        return n
    return await fib(n - 1) + await fib(n - 2)


async def add_one(x):
    return x + 1


async def kept_on_stack(values):
    total = 0
    for v in values:
        total = total * 10 + await add_one(v)
    return [await add_one(total), await add_one(-1)]


async def fails(kind):
    if kind == "value":
        raise ValueError("bad value")
    if kind == "stop":
        raise StopIteration("inside")
    if kind == "key":
        return {}["missing"]
    return kind


async def awaits_failure(kind):
    result = await fails(kind)
    return ("returned", result)


async def catches(kind):
    try:
        return await fails(kind)
    except ValueError as error:
        return ("caught", str(error))
    except RuntimeError as error:
        return ("runtime", str(error), repr(error.__cause__))


class Yield:
    """An awaitable that suspends once, yielding `value`."""

    def __init__(self, value):
        self.value = value

    def __await__(self):
        sent = yield self.value
        return ("sent", sent)


saved_frames = []


async def suspends(tag):
    saved_frames.append(sys._getframe())
    before = tag * 2
    got = await Yield(tag)
    return (before, got)


async def awaits_suspending(tag):
    first = await suspends(tag)
    second = await add_one(tag)
    return (first, second)


async def suspends_in_handler():
    try:
        raise KeyError("handled")
    except KeyError:
        await Yield("in handler")
        return repr(sys.exc_info()[1])


async def awaits_handler():
    return await suspends_in_handler()


def show_suspension():
    coro = awaits_suspending(7)
    print("first yield", coro.send(None))
    awaited = coro.cr_await
    print("cr_await", type(awaited).__name__, awaited.cr_code.co_name if awaited is not None else None)
    print("awaited frame is the saved one", awaited.cr_frame is saved_frames[-1])
    print("awaited frame locals", sorted(saved_frames[-1].f_locals.items()))
    print("awaited suspended", awaited.cr_suspended, awaited.cr_running)
    try:
        coro.send("resume")
    except StopIteration as stop:
        print("result", stop.value)
    print("awaited frame after", awaited.cr_frame)
    print("handler", drive(awaits_handler()))
    coro = awaits_suspending(8)
    coro.send(None)
    try:
        coro.throw(ValueError("thrown in"))
    except ValueError as error:
        print("thrown", error)
        print_traceback(error)
    coro = awaits_suspending(9)
    coro.send(None)
    coro.close()
    print("closed", coro.cr_frame, coro.cr_await)


def print_traceback(error):
    for summary in traceback.extract_tb(error.__traceback__):
        print("  ", summary.name, summary.lineno, summary.line)
    print("  lasti", [tb.tb_lasti for tb in walk_tb(error.__traceback__)])


def walk_tb(tb):
    while tb is not None:
        yield tb
        tb = tb.tb_next


async def caller_seen_from_inside():
    caller = sys._getframe(1)
    stack = [(s.name, s.lineno, s.line) for s in traceback.extract_stack(limit=3)]
    return caller.f_code.co_name, caller.f_lasti, caller.f_lineno, stack


async def looks_at_its_caller():
    seen = await caller_seen_from_inside()
    return seen


async def keeps_its_frame(x):
    frame = sys._getframe()
    y = x * 3
    return frame


async def frame_outlives():
    frame = await keeps_its_frame(5)
    return sorted(frame.f_locals), frame.f_back, frame.f_lineno, frame.f_code.co_name


async def clears_itself():
    try:
        sys._getframe().clear()
    except RuntimeError as error:
        return str(error)
    return "cleared"


async def with_default(x, y=10):
    return x + y


async def with_varargs(x, *rest, scale=2, **options):
    return (x, rest, scale, sorted(options))


async def kwonly_required(x, *, needed):
    return x + needed


async def binding_errors():
    results = []
    for call in (lambda: with_default(), lambda: kwonly_required(1), lambda: with_default(1, 2, 3)):
        try:
            await call()
        except TypeError as error:
            results.append(str(error))
    try:
        await with_default()
    except TypeError as error:
        results.append(str(error))
        results.append([tb.tb_lasti for tb in walk_tb(error.__traceback__)])
    return results


def make_closure():
    captured = [1]

    async def closure(x):
        captured.append(x)
        return sum(captured)
    return closure


closure = make_closure()


class Methods:
    def __init__(self, base):
        self.base = base

    async def method(self, x):
        return self.base + x


@types.coroutine
def generator_based(x):
    yield ("generator based", x)
    return x * 2


class AwaitableClass:
    def __await__(self):
        return (yield "class")


async def other_callees():
    results = [await with_default(1), await with_default(1, 2), await with_default(x=3, y=4)]
    results += [await with_varargs(1), await with_varargs(1, 2, 3), await with_varargs(x=1, scale=3, other=4)]
    results.append(await binding_errors())
    results.append(await closure(5))
    results.append(await Methods(100).method(1))
    results.append(await generator_based(21))
    results.append(await AwaitableClass())
    return results


async def typed(a, b):
    return a + b


async def changes_types():
    results = []
    for a, b in [(1, 2), (1.5, 2), ("x", "y"), ([1], [2]), (2**70, 1), (3, 4)]:
        results.append(await typed(a, b))
    return results


trace_events = []


def tracer(frame, event, arg):
    if frame.f_code.co_name in ("traced_callee", "sets_trace", "traced_after"):
        trace_events.append((frame.f_code.co_name, event))
    return tracer


async def traced_after():
    return 1


async def traced_callee():
    sys.settrace(tracer)
    value = 2
    return value


async def sets_trace():
    first = await traced_callee()
    second = await traced_after()
    sys.settrace(None)
    return first + second


async def deep(n):
    if n == 0:
        return 0
    return await deep(n - 1) + 1


async def origin():
    return await add_one(1)


async def sleeps_then(i):
    await asyncio.sleep(0)
    return i * 10


async def agen():
    for i in range(3):
        yield await add_one(i)
        yield await sleeps_then(i)


async def main_tasks():
    async def leaf(i):
        await asyncio.sleep(0)
        return i

    async def middle(i):
        return await leaf(i) + await add_one(i)

    results = await asyncio.gather(*(middle(i) for i in range(5)))
    results.append([x async for x in agen()])

    async def slow():
        await asyncio.sleep(10)

    async def waits_slow():
        return await slow()

    task = asyncio.ensure_future(waits_slow())
    await asyncio.sleep(0)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        results.append("cancelled")
    try:
        await asyncio.wait_for(waits_slow(), 0.01)
    except asyncio.TimeoutError:
        results.append("timed out")
    return results


def main():
    # A second round: every callee is compiled by then, and runs eagerly.
    for round in range(2):
        print("round", round)
        for _ in range(3):
            print("fib", drive(fib(15)))
            print("stack", drive(kept_on_stack([1, 2, 3])))
        for kind in ["value", "stop", "key", "fine"]:
            try:
                print(kind, drive(awaits_failure(kind)))
            except Exception as error:
                print(kind, type(error).__name__, error, repr(error.__cause__))
                print_traceback(error)
            print(kind, drive(catches(kind)) if kind != "key" else "skipped")
        show_suspension()
        print("caller", drive(looks_at_its_caller()))
        print("frame outlives", drive(frame_outlives()))
        print("clear", drive(clears_itself()))
        print("others", drive(other_callees()))
        print("types", drive(changes_types()))
        print("trace", drive(sets_trace()), trace_events)
        limit = sys.getrecursionlimit()
        print("deep", drive(deep(limit // 4)))
        try:
            drive(deep(limit * 2))
        except RecursionError as error:
            print("recursion", type(error).__name__)
        sys.set_coroutine_origin_tracking_depth(2)
        print("origin", drive(origin()))
        sys.set_coroutine_origin_tracking_depth(0)
        print("tasks", asyncio.run(main_tasks()))


main()
