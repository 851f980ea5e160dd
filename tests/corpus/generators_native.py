# threshold: 3
# expect-stats: native_resumes>100
# Generators run as native code, resumed from where they were suspended,
# including generators that started in the interpreter (the threshold counts
# resumptions too, so the first ones are interpreted, later ones native) and
# generators that go back to the interpreter mid-run: throw() into a native
# suspension, a guard failing inside the generator body (int arithmetic that
# meets a float, then a str), and an exception unwinding through a frame with
# an active handler. Also: values kept on the stack across a yield (inside
# an expression, a call's arguments, a for loop's iterator), cells and free
# variables of generators (closures created inside, MAKE_CELL before the
# generator exists), yield inside try/finally and with, yield from a chain
# of native generators with send/throw/close forwarded, a yield-from target
# that is a plain iterator without send, gi_frame / f_lineno / f_locals /
# gi_yieldfrom / getgeneratorstate while suspended and while running,
# "generator already executing", recursion through generators, tracebacks
# from inside a native generator, and a frame that CPython's gen_throw
# moves past its `yield from` itself.
import inspect
import sys
import traceback


def accumulate(values):
    total = 0
    for v in values:
        total = total + v
        yield total


print(list(accumulate(range(10))))
print(list(accumulate([1, 2, 3.5, 4])))
try:
    print(list(accumulate([1, 2, "x"])))
except TypeError as e:
    print("TypeError:", e)


def stack_across_yield(n):
    # The list being built and the call's first argument stay on the value
    # stack while the generator is suspended.
    got = []
    for i in range(n):
        got.append((yield i))
    return got, max(1, (yield "mid"), 3), [10, (yield "in a list"), 30]


g = stack_across_yield(3)
print(next(g))
print(g.send("a"), g.send("b"))
print(g.send("c"))
print(g.send(7))
try:
    g.send(20)
except StopIteration as e:
    print("returned", e.value)


def with_cells(n):
    scale = n
    funcs = []
    for i in range(n):
        funcs.append(lambda x, i=i: x * scale + i)
        yield funcs[-1](10)
    scale = 100
    yield [f(1) for f in funcs]


print(list(with_cells(4)))


def outer_closure(k):
    def gen():
        for i in range(3):
            yield i + k
    return gen


print(list(outer_closure(10)()), list(outer_closure(20)()))


class Resource:
    def __init__(self, name):
        self.name = name

    def __enter__(self):
        print("enter", self.name)
        return self

    def __exit__(self, *exc):
        print("exit", self.name, exc[0].__name__ if exc[0] else None)
        return False


def guarded(n):
    with Resource("r%d" % n):
        try:
            for i in range(n):
                yield i
        finally:
            print("finally", n)


for n in range(5):
    print(list(guarded(n)))
g = guarded(3)
print(next(g), next(g))
g.close()
g = guarded(3)
print(next(g))
try:
    g.throw(KeyError("thrown"))
except KeyError as e:
    print("escaped", e)


def catcher():
    count = 0
    while True:
        try:
            value = yield count
            count += 1
            if value == "raise":
                raise ValueError("inside")
        except ValueError as e:
            print("caught", e, count)
            count += 100


g = catcher()
for step in [None, None, None, None, "raise", None, "raise"]:
    print(g.send(step) if step or inspect.getgeneratorstate(g) != "GEN_CREATED" else next(g))
print(g.throw(ValueError("thrown in")))
print(next(g))
g.close()
print(inspect.getgeneratorstate(g))


def leaf(n):
    received = []
    for i in range(n):
        got = yield i
        received.append(got)
    return received


def middle(n):
    got = yield from leaf(n)
    more = yield from iter([7, 8])
    return got, more


def top(n):
    result = yield from middle(n)
    print("top got", result)
    return "top"


for round_ in range(4):
    g = top(3)
    out = [next(g)]
    try:
        while True:
            out.append(g.send(len(out)) if len(out) < 3 else next(g))
    except StopIteration as e:
        print(round_, out, e.value)

g = top(5)
next(g)
next(g)
print(type(g.gi_yieldfrom).__name__, g.gi_yieldfrom.gi_yieldfrom.gi_frame.f_lineno)
try:
    g.throw(IndexError("deep"))
except IndexError as e:
    print("IndexError through the chain:", e)
g = top(1)
next(g)
next(g)
try:
    g.send("not None")
except AttributeError as e:
    print("AttributeError:", e)
g = top(5)
next(g)
g.close()
print("closed chain", inspect.getgeneratorstate(g))


def absorbs():
    try:
        yield "absorbing"
    except RuntimeError as e:
        print("absorbed", e)
    return "absorber done"


def delegates_throw():
    # gen.throw() ends the subgenerator, which returns: CPython itself moves
    # this frame to the end of its `yield from` and resumes it there.
    result = yield from absorbs()
    print("after yield from:", result)
    yield "next"


for _ in range(4):
    g = delegates_throw()
    print(next(g), g.throw(RuntimeError("into the chain")))


def introspect():
    frame = sys._getframe()
    x = 1
    yield frame.f_lineno
    y = x + 1
    yield sorted(frame.f_locals)
    yield inspect.getgeneratorstate(me)
    yield frame.f_back.f_code.co_name
    yield y


for _ in range(3):
    me = introspect()
    print(list(me))
me = introspect()
next(me)
print(me.gi_frame.f_lineno, me.gi_running, me.gi_suspended, sorted(me.gi_frame.f_locals))


def reentrant():
    yield next(self_ref)


self_ref = reentrant()
try:
    next(self_ref)
except ValueError as e:
    print("ValueError:", e)


def tree(depth):
    if depth == 0:
        yield depth
        return
    yield depth
    yield from tree(depth - 1)
    yield from tree(depth - 1)


print(sum(tree(8)), len(list(tree(6))))


def deep(n):
    if n:
        yield from deep(n - 1)
    else:
        yield sys._getframe().f_back.f_code.co_name


print(list(deep(50)))


def fails_later(n):
    for i in range(n):
        yield 10 // (n - 1 - i)


for attempt in range(3):
    try:
        print(list(fails_later(4)))
    except ZeroDivisionError:
        print("".join(traceback.format_exc().splitlines(True)[-4:]), end="")


def bad_stop():
    yield 1
    raise StopIteration("inner")


for _ in range(4):
    try:
        list(bad_stop())
    except RuntimeError as e:
        print("RuntimeError:", e, "from", repr(e.__cause__))


def loop_over(make):
    got = []
    try:
        for item in make():
            got.append(item)
    except RuntimeError as e:
        got.append("RuntimeError: %s (from %r)" % (e, e.__cause__))
    return got


def returns_value():
    yield 1
    return "ignored by for"


for _ in range(4):
    print(loop_over(bad_stop), loop_over(returns_value))


def exhausted():
    return
    yield


def from_exhausted():
    g = exhausted()
    list(g)
    result = yield from g
    yield ("exhausted receiver returned", result)


def from_itself():
    yield from me_too


for _ in range(3):
    print(list(from_exhausted()))
    me_too = from_itself()
    try:
        next(me_too)
    except ValueError as e:
        print("ValueError:", e)


def make_generators(k):
    # Compiled code creating generators: positional arguments with a
    # default left out, a closure's cells, and too few arguments (CPython's
    # TypeError).
    def counting(start, step=1):
        offset = k
        yield start + offset
        yield start + step + offset

    made = [counting(i) for i in range(3)] + [counting(10, 5)]
    try:
        counting()
    except TypeError as e:
        made.append(str(e))
    return [list(g) if not isinstance(g, str) else g for g in made]


for k in range(5):
    print(make_generators(k))


def genexpr_users(rows):
    return (sum(x * x for x in row) for row in rows), any(x > 5 for x in rows[0]), max(len(r) for r in rows)


sums, has_big, longest = genexpr_users([[1, 2, 3], [4, 5, 6, 7], [8]])
print(list(sums), has_big, longest)
print("".join(ch.upper() for ch in "native generators" if ch != " "))
print(dict((k, v) for k, v in zip("abc", range(3))))
