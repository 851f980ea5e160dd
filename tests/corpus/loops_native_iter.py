# FOR_ITER calling the iterator's tp_iternext directly: list, tuple, range
# (small and big bounds) and other iterators; lists mutated while iterated
# (append, clear, del, pop, slice assignment); iterators partly consumed
# before the loop and reused after it (an exhausted list iterator stays
# exhausted when the list grows); break / continue / else; nested loops;
# exceptions raised in the loop body, caught in the function and outside it
# (traceback lines); subclasses of list and tuple overriding __iter__;
# generators and __getitem__ sequences; sys.settrace switched on from a
# call inside a hot loop, and from an iterator's __next__ (which also sets
# the loop frame's f_trace); and an uncaught exception from a loop at the end.
import sys
import traceback


def total(iterable):
    result = 0
    for x in iterable:
        result += x
    return result


def mutate_append(items):
    seen = []
    for x in items:
        seen.append(x)
        if x < 3:
            items.append(x + 10)
    return seen, items


def mutate_clear(items):
    seen = []
    for x in items:
        seen.append(x)
        if x == 2:
            items.clear()
    return seen, items


def mutate_del(items):
    seen = []
    for x in items:
        seen.append(x)
        if x % 2 == 0:
            del items[0]
    return seen, items


def mutate_pop_and_slice(items):
    seen = []
    for x in items:
        seen.append(x)
        if x == 1:
            items.pop()
        elif x == 2:
            items[1:] = [20, 30, 40]
    return seen, items


def partly_consumed():
    items = [1, 2, 3, 4, 5]
    it = iter(items)
    first = next(it)
    rest = []
    for x in it:
        rest.append(x)
        if x == 3:
            break
    after_break = [x for x in it]
    items.append(6)
    revived = next(it, "still exhausted")
    return first, rest, after_break, revived


def tuple_iterator_reused():
    it = iter((10, 20, 30, 40))
    out = []
    for x in it:
        out.append(x)
        if x == 20:
            break
    for x in it:
        out.append(-x)
    out.append(next(it, "end"))
    return out


def break_continue_else(items):
    out = []
    for x in items:
        if x == 2:
            continue
        if x == 7:
            out.append("break")
            break
        out.append(x)
    else:
        out.append("else")
    return out


def nested(rows):
    out = []
    for row in rows:
        for cell in row:
            if cell < 0:
                break
            out.append(cell)
        else:
            out.append("|")
            continue
        out.append("neg")
    return out


def ranges():
    out = [total(range(10)), total(range(10, 0, -3)), total(range(0))]
    big = 2**64
    out.append(total(range(big, big + 5)))
    out.append(total(range(-big, -big - 6, -2)))
    out.append(total(range(2**62, 2**62 + 3)))
    return out


def fails_in_body(items):
    result = 0
    for x in items:
        result += 100 // x
    return result


def catches_in_loop(items):
    out = []
    for x in items:
        try:
            out.append(100 // x)
        except ZeroDivisionError as e:
            out.append(str(e))
    return out


class ReversedList(list):
    def __iter__(self):
        return iter(list(reversed(self)))


class CountingTuple(tuple):
    def __iter__(self):
        for i, x in enumerate(tuple.__iter__(self)):
            yield (i, x)


class Squares:
    def __getitem__(self, i):
        if i >= 4:
            raise IndexError(i)
        return i * i


def gen(n):
    for i in range(n):
        yield i * 3


def collect(iterable):
    out = []
    for x in iterable:
        out.append(x)
    return out


events = []


def tracer(frame, event, arg):
    if frame.f_code.co_name == "traced_callee":
        events.append((event, frame.f_lineno - traced_callee.__code__.co_firstlineno))
    return tracer


def traced_callee(x):
    y = x + 1
    return y


def switch_tracing(i):
    if i == 500:
        sys.settrace(tracer)
    elif i == 503:
        sys.settrace(None)


def hot_loop_with_tracing(items):
    acc = 0
    for i in items:
        switch_tracing(i)
        acc += traced_callee(i)
    return acc


class TracingIterator:
    def __init__(self):
        self.i = 0

    def __iter__(self):
        return self

    def __next__(self):
        self.i += 1
        if self.i == 3:
            sys._getframe(1).f_trace = loop_tracer
            sys.settrace(loop_tracer)
        if self.i > 5:
            raise StopIteration
        return self.i


loop_events = []


def loop_tracer(frame, event, arg):
    loop_events.append((frame.f_code.co_name, event, frame.f_lineno - loop_traced_by_next.__code__.co_firstlineno))
    return loop_tracer


def loop_traced_by_next():
    acc = 0
    for x in TracingIterator():
        acc += x
    sys.settrace(None)
    return acc


def main():
    print(total([1, 2, 3]), total((4, 5, 6)), total([]), total(()), total({7: 0, 8: 0}))
    print(total(list(range(1000))), total(tuple(range(1000))))
    print(mutate_append([1, 2, 5]))
    print(mutate_clear([1, 2, 3, 4]))
    print(mutate_del([0, 1, 2, 3, 4, 5, 6]))
    print(mutate_pop_and_slice([1, 2, 3, 4, 5]))
    print(partly_consumed())
    print(tuple_iterator_reused())
    print(break_continue_else([1, 2, 3]), break_continue_else([1, 2, 7, 8]), break_continue_else([]))
    print(nested([[1, 2], [3, -1, 4], [], (5, 6)]))
    print(ranges())
    try:
        fails_in_body([5, 4, 0, 3])
    except ZeroDivisionError:
        traceback.print_exc(file=sys.stdout)
    print(catches_in_loop((1, 0, 2, 0)))
    print(collect(ReversedList([1, 2, 3])), total(ReversedList([4, 5])))
    print(collect(CountingTuple("ab")))
    print(collect(Squares()), collect(gen(4)), collect("xyz"), collect({3, 1}))
    print(collect(iter([9, 8])), collect(reversed([1, 2])), collect(zip([1, 2], (3, 4))))
    print(hot_loop_with_tracing(list(range(1000))), events)
    print(loop_traced_by_next(), loop_events[:12])
    fails_in_body((1, 2, 0))


main()
