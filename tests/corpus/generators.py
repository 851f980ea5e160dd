# Generators (compiled, resumed in native code) driven from
# compiled functions: yield, yield from (delegating send/throw/close and the
# return value), send() before start (TypeError), throw() handled and
# unhandled inside the generator, close() running finally blocks and
# GeneratorExit, return value in StopIteration, StopIteration raised inside
# a generator turning into RuntimeError (PEP 479), generator expressions,
# infinite generators with itertools, a generator-based pipeline, generator
# frame state (gi_running / gi_frame / gi_suspended), and re-entrancy errors.
import itertools

LOG = []


def counter(n):
    i = 0
    while i < n:
        received = yield i
        if received is not None:
            LOG.append("counter got %r" % (received,))
            i = received
        else:
            i += 1
    return "counter finished at %d" % i


def delegator():
    result = yield from counter(3)
    LOG.append("delegate result: %s" % result)
    extra = yield from [100, 200]
    LOG.append("list delegate result: %r" % (extra,))
    return "delegator done"


def resilient():
    while True:
        try:
            value = yield
            LOG.append("resilient got %r" % (value,))
        except ValueError as e:
            LOG.append("resilient handled %s" % e)
            yield "recovered"
        finally:
            LOG.append("resilient finally")


def with_cleanup():
    try:
        yield 1
        yield 2
    except GeneratorExit:
        LOG.append("GeneratorExit seen")
        raise
    finally:
        LOG.append("cleanup ran")


def ignores_close():
    try:
        yield 1
    except GeneratorExit:
        yield "refusing to close"


def leaks_stopiteration():
    yield 1
    raise StopIteration("explicit")


def fib():
    a, b = 0, 1
    while True:
        yield a
        a, b = b, a + b


def pipeline(lines):
    stripped = (line.strip() for line in lines)
    nonempty = (line for line in stripped if line)
    numbered = ((i, line) for i, line in enumerate(nonempty, 1))
    for i, line in numbered:
        if line.startswith("#"):
            continue
        yield "%d:%s" % (i, line.upper())


def self_driving():
    me = yield "started"
    try:
        next(me)
    except ValueError as e:
        yield "re-entrancy: %s" % e


def drive_counter():
    gen = counter(10)
    out = [next(gen), next(gen), gen.send(7), next(gen), next(gen)]
    try:
        next(gen)
    except StopIteration as e:
        out.append("StopIteration value=%r" % (e.value,))
    out.append(list(gen))
    return out


def drive_delegator():
    gen = delegator()
    out = [next(gen), gen.send(2), next(gen), next(gen)]
    try:
        next(gen)
    except StopIteration as e:
        out.append(e.value)
    return out


def drive_throw_close():
    out = []
    r = resilient()
    next(r)
    r.send("hello")
    out.append(r.throw(ValueError("bad input")))
    out.append(next(r))
    try:
        r.throw(KeyError("fatal"))
    except KeyError as e:
        out.append("propagated %r" % (e,))
    out.append("suspended after error: %s" % (r.gi_frame is None,))
    c = with_cleanup()
    out.append(next(c))
    c.close()
    c.close()  # closing twice is fine
    ic = ignores_close()
    next(ic)
    try:
        ic.close()
    except RuntimeError as e:
        out.append("RuntimeError: %s" % e)
    out.append(list(ic))  # finish it so finalization has nothing to report
    fresh = counter(3)
    try:
        fresh.send("too early")
    except TypeError as e:
        out.append("TypeError: %s" % e)
    try:
        list(leaks_stopiteration())
    except RuntimeError as e:
        out.append("RuntimeError: %s (cause %r)" % (e, e.__cause__))
    return out


def state_inspection():
    gen = counter(2)
    states = [gen.gi_running, gen.gi_suspended, gen.gi_frame.f_lineno]
    next(gen)
    states += [gen.gi_suspended, gen.gi_frame.f_lineno, gen.gi_code.co_name]
    list(gen)
    states += [gen.gi_frame, gen.gi_suspended]
    sd = self_driving()
    next(sd)
    states.append(sd.send(sd))
    return states


def itertools_usage():
    return (list(itertools.islice(fib(), 15)),
            list(itertools.takewhile(lambda x: x < 30, fib())),
            [k + str(len(list(g))) for k, g in itertools.groupby("aaabccdd")],
            list(itertools.chain(counter(2), "xy", fib.__name__[:1])),
            sum(itertools.compress(range(10), itertools.cycle([1, 0]))))


def consume(gen):
    total = 0
    for v in gen:
        total += v
    return total


def exploding():
    yield 1
    yield 2
    raise OSError("generator exploded")


print(drive_counter())
print(drive_delegator())
print(drive_throw_close())
print(state_inspection())
print(itertools_usage())
print(list(pipeline(["a", "", "  # comment", " b ", "c"])))
for line in LOG:
    print(" log:", line)
try:
    consume(exploding())
except OSError as e:
    print("caller caught:", e)
print(consume(exploding()))
