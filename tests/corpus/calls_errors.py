# Call errors and star calls: CALL_FUNCTION_EX with *args / **kwargs (lists,
# tuples, generators, dicts, custom mappings with keys()/__getitem__),
# duplicate keyword arguments ("got multiple values for keyword argument"),
# non-iterable * / non-mapping ** messages, non-string keyword names, and
# every argument-binding TypeError (missing, unexpected, too many,
# positional-only passed by keyword, kw-only missing), calling non-callables,
# errors raised inside __init__ / __call__; builtins and method descriptors
# called from warmed-up code (the specialised-call path) with good and bad
# arguments; an uncaught one at the end.
import functools


def f(a, b, c=3):
    return (a, b, c)


def g(*args, **kwargs):
    return args, sorted(kwargs.items())


def kwo(*, x, y=2):
    return (x, y)


def po(a, b, /):
    return (a, b)


def big(a, b, c, d, *, e, f):
    return (a, b, c, d, e, f)


class Mapping:
    def keys(self):
        return ["b", "c"]

    def __getitem__(self, k):
        return k.upper()


class BadInit:
    def __init__(self, value):
        if value < 0:
            raise ValueError("negative value %d" % value)
        self.value = value


class NoArgs:
    pass


class Callable:
    def __call__(self, x):
        return x * 2


def star_calls():
    args = [1, 2]
    kwargs = {"c": 30}
    return [
        f(*args),
        f(*args, **kwargs),
        f(*(1,), *[2], c=4),
        f(*"xy"),
        f(*(i for i in range(3))),
        f(1, *(), **{}, b=5),
        f(**{"a": 1, "b": 2}),
        f(**Mapping(), a=0),
        g(*range(3), *[9], **{"k": 1}, **{"j": 2}, z=0),
        g(**{"weird key": 1, "": 2}),
        kwo(**{"x": 1}),
        po(*[1, 2]),
        big(1, *[2, 3], 4, **{"e": 5}, f=6),
        Callable()(*[21]),
        functools.partial(f, *[1], **{"c": 9})(2),
    ]


def call_errors():
    five, text, nothing = 5, "abc", None
    cases = [
        ("missing one", lambda: f(1)),
        ("missing two", lambda: f()),
        ("too many", lambda: f(1, 2, 3, 4)),
        ("unexpected kw", lambda: f(1, 2, d=4)),
        ("multiple values", lambda: f(1, 2, a=5)),
        ("dup in **", lambda: f(1, **{"b": 2}, b=3)),
        ("dup two **", lambda: g(**{"k": 1}, **{"k": 2})),
        ("dup literal+**", lambda: g(k=1, **{"k": 2})),
        ("kw-only missing", lambda: kwo()),
        ("kw-only positional", lambda: kwo(1)),
        ("pos-only by kw", lambda: po(1, b=2)),
        ("pos-only missing", lambda: po(1)),
        ("big missing kw", lambda: big(1, 2, 3, 4)),
        ("big missing all", lambda: big()),
        ("star non-iterable", lambda: f(*5)),
        ("star None", lambda: f(*None)),
        ("dstar non-mapping", lambda: f(**[1, 2])),
        ("dstar non-str key", lambda: g(**{1: 2})),
        ("not callable int", lambda: five()),
        ("not callable str", lambda: text("x")),
        ("not callable None", lambda: nothing()),
        ("not callable instance", lambda: NoArgs()()),
        ("class takes no args", lambda: NoArgs(1)),
        ("class kw", lambda: NoArgs(x=1)),
        ("init missing", lambda: BadInit()),
        ("init raises", lambda: BadInit(-5)),
        ("callable wrong args", lambda: Callable()(1, 2)),
        ("builtin too many", lambda: len([], [])),
        ("builtin no kw", lambda: len(obj=[])),
        ("builtin bad type", lambda: len(5)),
        ("method missing", lambda: "abc".split(1, 2, 3)),
        ("int() bad base", lambda: int("z", 99)),
        ("lambda args", lambda: (lambda x: x)()),
        ("method self", lambda: Mapping.keys()),
        ("bound method extra", lambda: Mapping().keys(1)),
        ("partial dup", lambda: functools.partial(f, a=1)(1, 2)),
    ]
    out = []
    for label, fn in cases:
        try:
            out.append("%s = %r" % (label, fn()))
        except (TypeError, ValueError) as e:
            out.append("%s -> %s: %s" % (label, type(e).__name__, e))
    return out


class MyList(list):
    pass


def warm_builtin_calls(round_):
    # Called more than the interpreter's warm-up count, so the later rounds
    # run in warmed-up code, where calls take the specialised paths.
    cases = [
        lambda: len([1, 2]),
        lambda: len(5),
        lambda: getattr(round_),
        lambda: isinstance(1, int),
        lambda: sorted([3, 1, 2], key=lambda v: -v),
        lambda: sorted([3, 1], bad=1),
        lambda: [5, 6].index(6),
        lambda: [5, 6].index(7),
        lambda: MyList([5, 6]).index(5),
        lambda: list.index((5, 6), 5),
        lambda: str.join(5, []),
        lambda: "a b".split(sep=" "),
    ]
    out = []
    for case in cases:
        try:
            out.append(repr(case()))
        except (TypeError, ValueError) as e:
            out.append("%s: %s" % (type(e).__name__, e))
    return out


def handled_here():
    try:
        return f(1, 2, 3, 4, 5)
    except TypeError as e:
        return "handled in same function: %s" % e


def inner_raises(n):
    return BadInit(n).value


def middle(n):
    return inner_raises(n) + 1


def outer(values):
    results = []
    for v in values:
        try:
            results.append(middle(v))
        except ValueError as e:
            results.append("outer caught %s" % e)
    return results


for line in star_calls():
    print(line)
for line in call_errors():
    print(line)
for round_ in range(12):
    warm = warm_builtin_calls(round_)
    if round_ in (0, 11):
        print(round_, warm)
print(handled_here())
print(outer([1, -2, 3]))
args = ("a",)
print(f(*args, **{"b": "b", "c": "c"}))
print(f(*args, **{"b": "b", "a": "again"}))
