# Generator and coroutine objects of compiled code, made by pyjit without
# the interpreter (RETURN_GENERATOR, helpers::suspend::create_generator):
# called from compiled code and from the interpreter, with defaults,
# keyword-only parameters, *args and **kwargs bound; the new object's
# frame (no f_back, f_lasti, f_lineno, f_locals before the first resume),
# state, names (also after the function's were changed), code, size,
# weak references and garbage collection, free variables copied first
# (generator expressions) and cells made first (arguments and locals that
# closures use), async generators and their hooks; and the cases left to
# the interpreter: more cells than pyjit makes, coroutine origin tracking,
# and the recursion limit reached.
# expect-stats: generators_created>10
import asyncio
import gc
import inspect
import sys
import weakref


def counter(start, stop=3, *extra, step=1, **options):
    value = start
    while value < stop:
        yield value, extra, options
        value += step


async def add(a, b=10):
    return a + b


def closing_over(n):
    def inner():
        return n

    yield inner()
    yield n


def cells_and_free_variables(a, b):
    total = a + b
    yield lambda: (a, total, TEN)
    yield [lambda: a + b + total]


def many_cells(c0, c1, c2, c3, c4, c5, c6, c7, c8):
    yield lambda: c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8


async def awaiting_with_a_cell(x):
    return (lambda: x * 2)()


TEN = 10


async def pairs(n):
    for i in range(n):
        yield i


def describe(generator):
    frame = next(getattr(generator, name) for name in ("gi_frame", "cr_frame", "ag_frame") if hasattr(generator, name))
    return (
        type(generator).__name__,
        generator.__name__,
        generator.__qualname__,
        frame.f_back,
        frame.f_lasti,
        frame.f_lineno - frame.f_code.co_firstlineno,
        sorted(frame.f_locals.items(), key=repr),
        sys.getsizeof(generator),
        gc.is_tracked(generator),
    )


def from_compiled_code():
    made = counter(1, 5, "x", step=2, flag=True)
    print("generator", describe(made), inspect.getgeneratorstate(made))
    print("  values", list(made), inspect.getgeneratorstate(made))
    coroutine = add(1)
    print("coroutine", describe(coroutine), inspect.getcoroutinestate(coroutine))
    try:
        coroutine.send(None)
    except StopIteration as stop:
        print("  returned", stop.value, inspect.getcoroutinestate(coroutine))
    alive = counter(0)
    reference = weakref.ref(alive)
    del alive
    print("weakly referenced, collected:", reference() is None)
    print("closure", list(closing_over(4)), describe(closing_over(5)))
    made = cells_and_free_variables(1, 2)
    print("cells", describe(made), [f() if callable(f) else f[0]() for f in made])
    print("nine cells", next(many_cells(*range(9)))(), describe(many_cells(*range(9))))
    print("coroutine with a cell", asyncio.run(awaiting_with_a_cell(21)))
    scale, offset = 3, 0.5
    print("generator expressions", sum(x * scale for x in range(5)), list(x + offset for x in (1, 2)))
    def scaled(values):
        for value in values:
            yield value * scale + offset
    print("free variables", list(scaled([1, 2])), describe(scaled([])))
    async def collect():
        return [i async for i in pairs(3)]
    print("async generator", asyncio.run(collect()), describe(pairs(2)))
    seen = []
    hooks = sys.get_asyncgen_hooks()
    sys.set_asyncgen_hooks(firstiter=lambda agen: seen.append(("first", agen.__name__)), finalizer=lambda agen: seen.append("finalizer"))
    hooked = pairs(2)
    step = hooked.asend(None)
    try:
        step.send(None)
    except StopIteration as stop:
        seen.append(("yielded", stop.value))
    del hooked, step
    gc.collect()
    sys.set_asyncgen_hooks(*hooks)
    print("async generator hooks", seen)


from_compiled_code()
print("from the interpreter", describe(counter(7, 9)), list(counter(7, 9)))

counter.__name__ = "renamed"
counter.__qualname__ = "Outer.renamed"
renamed = counter(0, 2)
print("renamed", renamed.__name__, renamed.__qualname__, renamed.gi_code is counter.__code__, list(renamed))

sys.set_coroutine_origin_tracking_depth(2)
tracked = add(2)
print("origin", [(name, line > 0, function) for name, line, function in tracked.cr_origin])
tracked.close()
sys.set_coroutine_origin_tracking_depth(0)
untracked = add(3)
print("no origin", untracked.cr_origin)
untracked.close()


def recurse(depth):
    try:
        counter(depth)
    except RecursionError as error:
        return depth, error
    return recurse(depth + 1)


sys.setrecursionlimit(400)
depth, error = recurse(0)
print("RecursionError at a depth of", depth, error)
