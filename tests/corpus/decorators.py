# Decorators: plain function decorators, decorators with arguments
# (decorator factories), stacked decorators (application order), class
# decorators, functools.wraps metadata, decorators that replace a function
# with a non-function (a callable object), memoisation with lru_cache and a
# hand-written cache, decorators raising at decoration time and at call
# time, method decorators (with self), property/classmethod stacking, and
# a retry decorator that catches and re-raises.
import functools

TRACE = []


def traced(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        TRACE.append("call %s%r" % (fn.__name__, args))
        result = fn(*args, **kwargs)
        TRACE.append("return %s -> %r" % (fn.__name__, result))
        return result
    return wrapper


def repeat(times):
    def decorator(fn):
        def wrapper(*args):
            return [fn(*args) for _ in range(times)]
        wrapper.times = times
        return wrapper
    return decorator


def tag(label):
    def decorator(fn):
        def wrapper(*args):
            return "<%s>%s</%s>" % (label, fn(*args), label)
        return wrapper
    return decorator


def register(registry):
    def decorator(obj):
        registry[obj.__name__] = obj
        return obj
    return decorator


def validate_positive(fn):
    def wrapper(n):
        if n < 0:
            raise ValueError("%s got negative %d" % (fn.__name__, n))
        return fn(n)
    return wrapper


def must_be_documented(fn):
    if not fn.__doc__:
        raise TypeError("%s has no docstring" % fn.__name__)
    return fn


class CountCalls:
    def __init__(self, fn):
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.calls = 0

    def __call__(self, *args):
        self.calls += 1
        return self.fn(*args)


def memo(fn):
    cache = {}

    def wrapper(n):
        if n not in cache:
            cache[n] = fn(n)
        return cache[n]
    wrapper.cache = cache
    return wrapper


def retry(attempts, on=(Exception,)):
    def decorator(fn):
        @functools.wraps(fn)
        def wrapper(*args):
            last = None
            for i in range(attempts):
                try:
                    return fn(*args)
                except on as e:
                    TRACE.append("attempt %d failed: %s" % (i + 1, e))
                    last = e
            raise RuntimeError("gave up after %d attempts" % attempts) from last
        return wrapper
    return decorator


REGISTRY = {}


@traced
def add(a, b):
    """Add two numbers."""
    return a + b


@repeat(3)
def hello(name):
    return "hi " + name


@tag("b")
@tag("i")
def styled(text):
    return text


@register(REGISTRY)
class Plugin:
    pass


@register(REGISTRY)
def plugin_function():
    return "plugin"


@validate_positive
@traced
def sqrt_floor(n):
    r = 0
    while (r + 1) * (r + 1) <= n:
        r += 1
    return r


@CountCalls
def square(x):
    """Square it."""
    return x * x


@memo
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


@functools.lru_cache(maxsize=None)
def lfib(n):
    return n if n < 2 else lfib(n - 1) + lfib(n - 2)


FLAKY_STATE = {"calls": 0}


@retry(3, on=(ConnectionError,))
def flaky(succeed_on):
    FLAKY_STATE["calls"] += 1
    if FLAKY_STATE["calls"] < succeed_on:
        raise ConnectionError("call %d refused" % FLAKY_STATE["calls"])
    return "connected on call %d" % FLAKY_STATE["calls"]


def singleton(cls):
    instances = {}

    @functools.wraps(cls, updated=())
    def get(*args):
        if cls not in instances:
            instances[cls] = cls(*args)
        return instances[cls]
    return get


@singleton
class Settings:
    def __init__(self, value):
        self.value = value


def add_repr(cls):
    def __repr__(self):
        fields = ", ".join("%s=%r" % kv for kv in sorted(vars(self).items()))
        return "%s(%s)" % (type(self).__name__, fields)
    cls.__repr__ = __repr__
    return cls


@add_repr
class Item:
    def __init__(self, name, qty):
        self.name = name
        self.qty = qty

    @property
    @traced
    def total(self):
        return self.qty * 2

    @classmethod
    @traced
    def make(cls, name):
        return cls(name, 1)

    @staticmethod
    @validate_positive
    def check(n):
        return n


print(add(2, 3), add.__name__, add.__doc__, add.__wrapped__(5, 5))
print(hello("bob"), hello.times)
print(styled("x"))
print(sorted(REGISTRY), REGISTRY["plugin_function"]())
print(sqrt_floor(50))
try:
    sqrt_floor(-4)
except ValueError as e:
    print("caught:", e)
print(square(3), square(4), square.calls, square.__name__, square.__doc__)
print(fib(60), len(fib.cache), lfib(80), lfib.cache_info().hits)
print(flaky(2), FLAKY_STATE)
FLAKY_STATE["calls"] = 0
try:
    flaky(10)
except RuntimeError as e:
    print("caught:", e, "| cause:", repr(e.__cause__))
s1, s2 = Settings(1), Settings(2)
print(s1 is s2, s1.value, Settings.__name__)
it = Item.make("widget")
print(it, it.total, Item.check(5))
try:
    Item.check(-1)
except ValueError as e:
    print("caught:", e)
for line in TRACE:
    print("trace:", line)
try:
    @must_be_documented
    def undocumented():
        pass
except TypeError as e:
    print("decoration-time error:", e)


@must_be_documented
def documented():
    """Yes."""
    return "documented ok"


print(documented())


@must_be_documented
def also_undocumented():
    return None
