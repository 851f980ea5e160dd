# Calls with keyword arguments from compiled code, bound by the direct path
# (runtime::direct::bind_keywords), also those with a ** dict
# (helpers::calls::call_with_tuple) as CPython's initialize_locals binds
# them: keywords to positional and keyword-only parameters, defaults of
# both kinds, *args beside keywords, methods, recursion, and every case the
# direct path declines for the generic path to raise or bind: a parameter
# given twice, unknown names, positional-only parameters named by keyword,
# missing arguments, **kwargs collecting keywords, keyword defaults replaced
# or removed between calls, and more parameters than a direct call binds.
# Classes are constructed with keywords too, also when a finalizer run by
# the instance's allocation replaces __init__ with a callable that is no
# function (runtime::direct::init_through_slot).
# expect-stats: direct_calls>33000
import gc
import traceback


def point(x, y=2, z=3):
    return (x, y, z)


def options(a, *, scale=10, offset):
    return a * scale + offset


def collect(a, *rest, flag=False):
    return (a, rest, flag)


def only_positional(a, b=1, /, c=2):
    return (a, b, c)


def with_kwargs(a, **extra):
    return (a, sorted(extra.items()))


def depth(n, *, step=1):
    if n <= 0:
        return 0
    return 1 + depth(n - step, step=step)


def fails(value, *, message):
    raise ValueError(message + str(value))


class Shape:
    def __init__(self, *, width, height=1):
        self.width = width
        self.height = height

    def area(self, *, scale=1):
        return self.width * self.height * scale

    def resized(self, width=None, height=None):
        return Shape(width=width or self.width, height=height or self.height)


class Target:
    def __init__(self, x, *, size=1):
        self.made = ("function", x, size)


class CallableInit:
    def __call__(self, instance, x, *, size=1):
        instance.made = ("callable", x, size)

    def __get__(self, instance, owner):
        return lambda *args, **kwargs: self(instance, *args, **kwargs)


class Swapper:
    def __del__(self):
        Target.__init__ = CallableInit()


def make_target(i):
    return Target(i, size=i + 1).made


def init_replaced_while_allocating():
    out = [make_target(0)]
    cycle = [Swapper()]
    cycle.append(cycle)
    del cycle
    gc.set_threshold(1)
    out.append(make_target(1))
    gc.set_threshold(700)
    out.append(make_target(2))
    return out


many_names = ", ".join(f"p{i}=0" for i in range(70))
exec(f"def many({many_names}):\n    return p0 + p69\n")


def loop(n):
    total = 0
    for i in range(n):
        total += point(i, z=1)[2] + point(x=i, y=i)[1] + options(i, offset=1)
        total += options(i, scale=2, offset=-1) + collect(i, i, flag=True)[0]
        total += only_positional(i, c=5)[2] + Shape(width=i).area(scale=2)
        total += point(*args, **point_kwargs)[1] + options(i, **option_kwargs)
        total += collect(*args, flag=1)[0] + point(**{"x": i, "z": 2})[2]
    return total


args = (1,)
point_kwargs = {"y": 5}
option_kwargs = {"offset": 3, "scale": 2}


def unpacked_dicts():
    out = []
    cases = (
        ((1,), {"y": 2, "z": 3}),
        ((), {"z": 3, "x": 1}),
        ((1, 2), {"x": 3}),
        ((1,), {"w": 3}),
        ((1,), {1: 2}),
        ((1,), {"y": 2, **{f"k{i}": i for i in range(40)}}),
    )
    for positional, keywords in cases:
        try:
            out.append(point(*positional, **keywords))
        except TypeError as error:
            out.append(str(error))
    out.append(with_kwargs(*(1,), **{"b": 2}))
    out.append(options(*[4], **{"offset": 1}))
    return out


def call_and_report(label, function, *args, **kwargs):
    try:
        print(label, function(*args, **kwargs))
    except TypeError as error:
        print(label, "TypeError:", error)


def declined():
    out = []
    for attempt in range(3):
        raising = (
            lambda: point(1, x=2),
            lambda: point(1, w=2),
            lambda: only_positional(1, b=2),
            lambda: options(1, scale=2),
            lambda: point(y=1),
        )
        for call in raising:
            try:
                out.append(call())
            except TypeError as error:
                out.append(str(error))
        out.append(with_kwargs(1, b=2, c=3))
        out.append(with_kwargs(a=1))
        out.append(collect(1, 2, 3, flag=attempt))
        out.append(many(p69=attempt, p0=1))
    return out


def kwdefaults_change():
    out = []
    for round_ in range(4):
        if round_ == 1:
            options.__kwdefaults__ = {"scale": 100}
        elif round_ == 2:
            options.__kwdefaults__ = None
        elif round_ == 3:
            options.__kwdefaults__ = {"scale": 10}
        try:
            out.append(options(2, offset=round_))
        except TypeError as error:
            out.append(str(error))
    return out


def main():
    print("loop", loop(3000))
    print("declined", declined())
    print("unpacked dicts", unpacked_dicts())
    print("kwdefaults", kwdefaults_change())
    print("init replaced", init_replaced_while_allocating())
    print("depth", depth(300, step=1), depth(301, step=3))
    shape = Shape(width=3, height=4)
    print("methods", shape.area(), shape.area(scale=3), shape.resized(height=9).area())
    for i in range(2):
        try:
            fails(i, message="bad ")
        except ValueError:
            traceback.print_exc()
    call_and_report("positional-only by keyword", only_positional, a=1)
    call_and_report("missing keyword-only", options, 1)


main()
