# FOR_ITER over range and list iterators taken inline (optimization
# inline-for-iter): ranges up, down, empty, by large steps and at the ends
# of a C long (and past them, where range makes another iterator type); the
# loop variable's int reused only while nothing else holds it (kept in a
# list, in another local, in a closure's cell, a small int's identity,
# tracemalloc tracing); a range iterator shared with next() inside the
# loop and resumed after a break; lists changed while iterated (appended,
# shrunk, cleared, replaced items), list and tuple iterators exhausted and
# asked again, tuples of objects whose last reference the loop holds,
# list subclasses, iterators of other types at the same site, and the
# loops inside generators and comprehensions.
import sys
import tracemalloc


def total(iterable):
    t = 0
    for x in iterable:
        t = (t + x) & 0xFFFFFFFF
    return t


for r in (range(10), range(0), range(5, 0), range(1000, 1100, 7), range(100, -100, -13),
          range(-2**62, -2**62 + 5), range(2**62, 2**62 + 3),
          range(sys.maxsize - 3, sys.maxsize), range(-sys.maxsize - 1, -sys.maxsize + 2),
          range(2**63, 2**63 + 3), range(0, 2**31 * 5, 2**31), range(2**30 - 3, 2**30 + 3), range(-2**30 - 2, -2**30 + 2)):
    print(r, total(r), list(r)[:4])


def kept(n):
    out = []
    previous = None
    olds = []
    for i in range(250, 250 + n):
        out.append(i)
        if previous is not None:
            olds.append(previous)
        previous = i
    return out, olds, previous


out, olds, previous = kept(20)
print(out, olds[-3:], previous, len(set(map(id, out))) == len(out))


def identity():
    seen = []
    for i in range(250, 262):
        if i <= 256:
            seen.append(i is int(str(i)))
    return seen


print(identity())


def closures():
    fns = []
    for i in range(1000, 1004):
        fns.append(lambda: i)
    cells = []
    for j in range(2000, 2003):
        def get():
            return j
        cells.append(get())
    return [f() for f in fns], cells


print(closures())


def deleted():
    out = []
    for i in range(300, 306):
        out.append(i * 2)
        del i
    return out


print(deleted())


def shared():
    it = iter(range(1000, 1020))
    pairs = []
    for a in it:
        b = next(it, None)
        pairs.append((a, b))
        if a >= 1010:
            break
    rest = [x for x in it]
    return pairs, rest


print(shared())


def lists():
    data = [1, 2, 3]
    seen = []
    for x in data:
        seen.append(x)
        if x < 6:
            data.append(x + 3)
    shrink = list(range(10))
    taken = []
    for x in shrink:
        taken.append(x)
        if shrink:
            shrink.pop()
    cleared = [1, 2, 3, 4]
    got = []
    for x in cleared:
        got.append(x)
        cleared.clear()
    replaced = ["a", "b", "c"]
    changed = []
    for i, x in enumerate(replaced):
        changed.append(x)
        if i + 1 < len(replaced):
            replaced[i + 1] = x.upper()
    return seen, taken, got, changed


print(lists())


def exhausted():
    it = iter([1, 2])
    first = [x for x in it]
    again = [x for x in it]
    second = 0
    for x in it:
        second += 1
    return first, again, second, next(it, "done")


print(exhausted())


def tuples():
    t = (1, "two", 3.0, None, (4,))
    seen = [x for x in t]
    it = iter(t)
    pairs = []
    for a in it:
        pairs.append((a, next(it, "end")))
    after = list(it)
    made = []
    for obj in tuple([object() for _ in range(3)] + [[5]]):
        made.append(type(obj).__name__)
    return seen, pairs, after, made, sum(x for x in (10, 20, 30))


print(tuples())


class MyList(list):
    def __iter__(self):
        return iter(list.__iter__(self))


class Countdown:
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return self

    def __next__(self):
        if self.n <= 0:
            raise StopIteration
        self.n -= 1
        return self.n


def mixed(things):
    out = []
    for thing in things:
        row = []
        for x in thing:
            row.append(x)
        out.append(row)
    return out


print(mixed([range(3), [4, 5], MyList([6, 7]), (8, 9), "ab", Countdown(3), {10: 0}, range(11, 14),
             iter([15]), reversed([16, 17])]))


def raising():
    class Boom:
        def __iter__(self):
            return self

        def __next__(self):
            raise ValueError("boom")

    try:
        for x in Boom():
            pass
    except ValueError as e:
        return repr(e)


print(raising())


def generator(n):
    for i in range(n, n + 5):
        yield i * 3
    for x in [7, 8]:
        yield x


print(list(generator(1000)), sum(i * i for i in range(2000, 2100)), [x for x in range(-3, 3)])


def loop_else(stop):
    for i in range(10):
        if i == stop:
            break
    else:
        return "no break", i
    return "break", i


print(loop_else(4), loop_else(99))


def traced_numbers():
    tracemalloc.start()
    try:
        out = []
        for i in range(5000, 5005):
            out.append(i + 0)
        return out
    finally:
        tracemalloc.stop()


print(traced_numbers())


def nested(n):
    acc = 0
    for i in range(n):
        for j in range(i, n):
            for k in [i, j, 2000 + i]:
                acc = (acc + i * j + k) % 1000003
    return acc


print(nested(40))
