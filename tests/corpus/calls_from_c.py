# Python functions called by C code and by the interpreter (which, with a
# frame-evaluation hook installed, calls every Python function through its
# vectorcall and so through the hook): builtins taking callables (sorted,
# map, filter, min, functools.reduce), bound methods, slot methods
# (__init__, __eq__, __lt__, __hash__, __len__, __getitem__,
# __iter__/__next__), properties, functools.partial with keywords,
# f(*args, **kwargs), threads, defaults, keyword-only parameters, *args and
# **kwargs; wrong argument counts and unknown keywords (the TypeError's
# message), generators, tracing (the events), a function whose __code__ is
# replaced. Frames seen from inside (sys._getframe, tracebacks through C),
# exceptions raised through C and recursion through C are compared too.
import functools
import sys
import threading
import traceback


def square(x):
    return x * x


def add(a, b=10, *, c=100):
    return a + b + c


def collect(*args, **kwargs):
    return args, sorted(kwargs.items())


def caller_name(_):
    return sys._getframe(1).f_code.co_name


def by_builtins():
    values = list(range(300))
    print(sum(map(square, values)))
    print(sorted(values, key=lambda v: -v)[:5])
    print(list(filter(lambda v: v % 7 == 0, values))[:5])
    print(min(values, key=lambda v: (v - 150) ** 2))
    print(functools.reduce(add, values))
    print(list(map(add, values[:3], values[3:6])))
    print(list(map(caller_name, [0])))


class Point:
    def __init__(self, x, y=0):
        self.x = x
        self.y = y

    def __eq__(self, other):
        return isinstance(other, Point) and (self.x, self.y) == (other.x, other.y)

    def __lt__(self, other):
        return (self.x, self.y) < (other.x, other.y)

    def __hash__(self):
        return hash((self.x, self.y))

    def __repr__(self):
        return "Point(%d, %d)" % (self.x, self.y)

    @property
    def norm(self):
        return self.x * self.x + self.y * self.y

    def moved(self, dx):
        return Point(self.x + dx, self.y)


class Countdown:
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i >= self.n:
            raise IndexError(i)
        return self.n - i

    def __iter__(self):
        return self

    def __next__(self):
        if self.n == 0:
            raise StopIteration
        self.n -= 1
        return self.n


def by_slots():
    points = list(map(Point, range(50, 0, -1), range(50)))
    print(sorted(points)[:3], max(points))
    print(len({p for p in points} | {Point(1, 49)}), Point(3, 4) in points)
    print(sum(p.norm for p in points))
    print(list(map(points[0].moved, [1, 2, 3])))
    print(len(Countdown(7)), list(Countdown(5)), Countdown(4)[1])
    print(sorted(Countdown(6)), tuple(iter(Countdown(3))))


def by_partials_and_unpacking():
    with_keyword = functools.partial(add, b=1)
    print([with_keyword(i) for i in range(5)])
    print(functools.partial(add, c=0)(1, 2), functools.partial(collect, 1, k=2)(3, j=4))
    args, kwargs = (1, 2), {"c": 3}
    print(add(*args, **kwargs), collect(*args, **kwargs), add(**{"a": 5}))


def by_threads():
    results = []

    def work(n):
        results.append(sum(map(square, range(n))))

    threads = [threading.Thread(target=work, args=(n,)) for n in (10, 20, 30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(sorted(results))


def declined():
    for call in (
        lambda: list(map(add, [])),
        lambda: list(map(square, [1], [2])),
        lambda: functools.partial(add, d=1)(1),
        lambda: functools.partial(square, x=1, y=2)(),
        lambda: sorted([1, 2], key=add.__get__(1)),
    ):
        try:
            print(call())
        except TypeError as error:
            print("TypeError:", error)

    def countdown(n):
        while n:
            yield n
            n -= 1

    print([list(g) for g in map(countdown, range(4))])


def raise_through_c():
    def key(v):
        if v == 7:
            raise ValueError("no sevens")
        return v

    try:
        sorted(range(10), key=key)
    except ValueError:
        lines = traceback.format_exc().splitlines()
        print("\n".join(line for line in lines if not line.startswith("    ")))


def deep(n):
    return sum(map(deep, [n - 1])) + 1 if n else 0


def recursion_through_c():
    print(deep(100))
    try:
        deep(100000)
    except RecursionError as error:
        print("RecursionError:", error)


def traced():
    events = []

    def tracer(frame, event, arg):
        if frame.f_code.co_filename == __file__:
            events.append((event, frame.f_code.co_name, frame.f_lineno))
        return tracer

    sys.settrace(tracer)
    try:
        list(map(square, [1, 2]))
        sorted([Point(1), Point(0)])
    finally:
        sys.settrace(None)
    print(events)


def code_replaced():
    def first(x):
        return ("first", x)

    def second(x):
        return ("second", x)

    print(list(map(first, [1, 2])))
    first.__code__ = second.__code__
    print(list(map(first, [3, 4])))


def main():
    for _ in range(3):
        by_builtins()
        by_slots()
        by_partials_and_unpacking()
        declined()
    by_threads()
    raise_through_c()
    recursion_through_c()
    traced()
    code_replaced()


main()
