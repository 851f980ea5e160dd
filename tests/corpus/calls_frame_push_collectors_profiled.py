# Calls that push the frame of a function with *args or **kwargs in the
# caller's code (inline-frame-push): when the positional arguments match
# the parameters exactly, the caller binds an empty tuple and a new dict
# (the last thing it does before the frame is pushed). Each site warms up
# calling one such function, then meets: extra positional arguments and
# too few (the runtime path), keyword-only parameters, functions with only
# *args or only **kwargs, a generator function, a method and a class whose
# __init__ collects, the dict mutated and kept (each call gets a new one),
# locals() and a frame kept alive, an exception and its traceback through
# the frame, recursion to RecursionError, tracing switched on, and a
# finalizer that runs while the dict is made (a collection it triggers).
# threshold: 30
import gc
import sys
import traceback


EMPTY = tuple()


def both(a, b, *args, **kwargs):
    kwargs["seen"] = len(kwargs)
    return (a, b, args, args is EMPTY, kwargs)


def only_args(a, *args):
    return (a, args)


def only_kwargs(a, **kwargs):
    kwargs[a] = a
    return kwargs


def with_kwonly(a, *args, key="k"):
    return (a, args, key)


def gen(a, *args, **kwargs):
    yield a
    yield (args, kwargs)


class Logger:
    def __init__(self, *args, **kwargs):
        self.init = (args, kwargs)

    def debug(self, msg, *args, **kwargs):
        if msg == "raise":
            raise ValueError("debug failed: %r %r" % (args, kwargs))
        return self.enabled(msg, args, kwargs)

    def enabled(self, msg, args, kwargs):
        return (msg, args, sorted(kwargs))


def call_both(x):
    return both(x, x + 1)


def call_only_args(x):
    return only_args(x)


def call_only_kwargs(x):
    return only_kwargs(x)


def call_debug(logger, msg):
    return logger.debug(msg)


def call_any(f, x):
    return f(x)


def make_logger():
    return Logger()


kept = []
for i in range(40):
    kept.append(call_both(i))
    call_only_args(i)
    call_only_kwargs("k%d" % (i % 3))
    call_debug(Logger(), "m")
    call_any(only_args, i)
    make_logger()
print("warm", kept[-1], len({id(k[4]) for k in kept[-5:]}))
print("only", call_only_args(7), call_only_kwargs("z"))
print("debug", call_debug(Logger(), "hello"))
print("construct", make_logger().init)
print("kwonly", call_any(with_kwonly, 1))
print("generator", list(call_any(gen, 2)))
print("extra args", call_any(lambda *a: a, 3), both(1, 2, 3, 4, k=5))
try:
    call_any(both, 1)
except TypeError as e:
    print("too few", e)
try:
    call_debug(Logger(), "raise")
except ValueError:
    print("".join(traceback.format_exc().splitlines(True)[-4:]), end="")


def frame_keeper(a, *args, **kwargs):
    return sys._getframe(), locals()


frame, names = call_any(frame_keeper, 5)
print("locals", names, frame.f_locals["args"], frame.f_code.co_name)


def deep(n, *args, **kwargs):
    return deep(n + 1)


try:
    call_any(deep, 0)
except RecursionError as e:
    print("recursion", type(e).__name__)

events = []


def tracer(frame, event, arg):
    if event == "call":
        events.append(frame.f_code.co_name)
    return None


sys.settrace(tracer)
call_both(1)
call_debug(Logger(), "traced")
sys.settrace(None)
print("traced", events)


class Finalized:
    def __del__(self):
        print("finalized during a call", sys._getframe(1).f_code.co_name)


def cycle():
    a = Finalized()
    a.self = a


gc.collect()
threshold = gc.get_threshold()
gc.set_threshold(1)
cycle()
print("collect", call_both(3)[4])
gc.set_threshold(*threshold)
gc.collect()
