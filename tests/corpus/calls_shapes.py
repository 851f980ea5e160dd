# Call shapes: PRECALL/CALL with positional args, KW_NAMES keywords,
# defaults (positional and kw-only), positional-only, *args / **kwargs
# collection, LOAD_METHOD + CALL on methods, bound methods stored in
# variables, builtins (C functions, METH_O/FASTCALL/VARARGS), classes
# (__new__/__init__), callable objects (__call__), functools.partial,
# staticmethod/classmethod, nested calls as arguments, recursion through
# call shapes, and many-argument calls.
import functools
import operator


def positional(a, b, c):
    return "positional(%r, %r, %r)" % (a, b, c)


def defaults(a, b=2, c=(3,), d=None):
    return "defaults(%r, %r, %r, %r)" % (a, b, c, d)


def kwonly(a, *, key, flag=False):
    return "kwonly(%r, key=%r, flag=%r)" % (a, key, flag)


def posonly(a, b, /, c, *, d=4):
    return "posonly(%r, %r, %r, d=%r)" % (a, b, c, d)


def varargs(*args):
    return "varargs%r" % (args,)


def varkw(**kwargs):
    return "varkw(%s)" % ", ".join("%s=%r" % kv for kv in kwargs.items())


def everything(a, b=0, /, c=1, *args, d, e=5, **kwargs):
    return "everything(a=%r b=%r c=%r args=%r d=%r e=%r kwargs=%r)" % (a, b, c, args, d, e, kwargs)


def mutable_default(item, bucket=[]):
    bucket.append(item)
    return list(bucket)


def many(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19):
    return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15 + a16 + a17 + a18 + a19


class Shape:
    created = 0

    def __new__(cls, *args, **kwargs):
        Shape.created += 1
        return super().__new__(cls)

    def __init__(self, name, sides=0):
        self.name = name
        self.sides = sides

    def describe(self, prefix="", *, upper=False):
        text = "%s%s with %d sides" % (prefix, self.name, self.sides)
        return text.upper() if upper else text

    @classmethod
    def square(cls):
        return cls("square", sides=4)

    @staticmethod
    def unit(n):
        return n * 1

    def __repr__(self):
        return "Shape(%r, %r)" % (self.name, self.sides)


class Multiplier:
    def __init__(self, k):
        self.k = k

    def __call__(self, x, *rest, scale=1):
        return (x * self.k + sum(rest)) * scale


def calls():
    out = [
        positional(1, 2, 3),
        positional(1, c=3, b=2),
        positional(c="c", a="a", b="b"),
        defaults(1),
        defaults(1, 5),
        defaults(1, d="dd"),
        defaults(a=0, c=[]),
        kwonly(1, key="k"),
        kwonly(a=2, flag=True, key=None),
        posonly(1, 2, 3),
        posonly(1, 2, c=3, d=5),
        varargs(),
        varargs(1, "two", [3]),
        varkw(),
        varkw(x=1, y=2),
        everything(1, d=4),
        everything(1, 2, 3, 4, 5, d=6, z=7, e=8),
        mutable_default(1),
        mutable_default(2),
        mutable_default(3, []),
        many(*range(20)),
        many(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, a19=100),
    ]
    return out


def methods_and_objects():
    s = Shape("triangle", 3)
    describe = s.describe
    square_factory = Shape.square
    unit = Shape.unit
    m = Multiplier(3)
    out = [
        s.describe(),
        s.describe("a "),
        s.describe(prefix="the ", upper=True),
        describe("stored: "),
        Shape.describe(s, "unbound: "),
        square_factory(),
        Shape.square().describe(),
        unit(7),
        s.unit(8),
        m(2),
        m(2, 10, 20, scale=2),
        Multiplier(0.5)(4),
        m.__call__(1),
        Shape.created,
    ]
    return out


def builtins_and_partials():
    p = functools.partial(positional, 1, c="C")
    p2 = functools.partial(p, "B")
    k = functools.partial(kwonly, key="preset")
    add5 = functools.partial(operator.add, 5)
    getter = operator.itemgetter(1, 0)
    attr = operator.attrgetter("name")
    caller = operator.methodcaller("describe", "mc: ")
    out = [
        p("b"), p2(), p(b="kb"), k(0), k(0, key="override"), add5(10),
        getter("xy"), attr(Shape("hex", 6)), caller(Shape("oct", 8)),
        len("abc"), abs(-2), max(1, 5, 3), max([4, 2], key=lambda v: -v), min("bca"),
        sorted([3, 1, 2], reverse=True), divmod(17, 5), pow(2, 10), pow(2, 10, 1000),
        round(2.5), round(3.14159, 2), isinstance(1, (str, int)), getattr(s := Shape("z"), "name"),
        int("ff", 16), int("12"), float("1.5"), str(12), list(range(3)), dict(a=1, b=2),
        "-".join(map(str, [1, 2, 3])), list(zip("ab", [1, 2], strict=True)),
        list(map(lambda x, y: x * y, [1, 2], [3, 4])), list(filter(None, [0, 1, 2, 0])),
        dict.fromkeys("ab", 0), type("Dyn", (), {"x": 1}).x, print is print, s.name,
    ]
    return out


def nested_calls():
    def f(x):
        return x + 1

    def g(x, y=0):
        return x * 2 + y

    return g(f(g(f(1), y=f(2))), y=g(g(1)))


def higher_order(fn, *args, **kwargs):
    return fn(*args, **kwargs)


def recurse_with_kwargs(n, *, acc=0, **extra):
    if n == 0:
        return acc, extra
    return recurse_with_kwargs(n - 1, acc=acc + n, **extra, **{"level%d" % n: n} if n % 3 == 0 else {})


for line in calls():
    print(line)
for line in methods_and_objects():
    print(line)
print(builtins_and_partials())
print(nested_calls())
print(higher_order(positional, 1, 2, c=3), higher_order(varkw, a=1), higher_order(len, "four"))
print(recurse_with_kwargs(7))
print(functools.reduce(lambda a, b: a * b, range(1, 10)))
