# Compiled callers call compiled functions with *args, **kwargs and
# keyword-only parameters directly (helpers::calls::call_positional): the arguments
# after the parameters go to a new tuple, **kwargs gets a new empty dict,
# defaults fill the rest (keyword-only ones from __kwdefaults__, also after
# it changes, and by the generic path when its keys are not all exact strs,
# whose comparisons can run code and raise), and calls that need more (keywords, too few arguments, a
# keyword-only parameter without default) take the generic path with
# CPython's errors. A keyword-only default is read from the __kwdefaults__
# entry at the parameter's position when that entry holds the parameter's
# very name (the dict the compiler makes), else looked up: entries out of
# order, a deleted entry there, an equal but distinct str key, a split dict.
# Covers locals(), frames, a captured *args (a cell), generators, recursion
# and methods.
import sys


class EqualsEverything(str):
    """A str key equal to any name but "b", whose comparison raises."""

    def __hash__(self):
        return str.__hash__(self)

    def __eq__(self, other):
        if other == "b":
            raise KeyError("compared with b")
        return True


def star(*args):
    return args


def first_and_rest(a, b=2, *rest):
    return a, b, rest


def keywords(a, **kwargs):
    kwargs["seen"] = a
    return sorted(kwargs.items())


def both(x, *args, **kwargs):
    return x, args, kwargs, sorted(locals())


def captured(*args):
    def inner():
        return args
    return inner()


def frame_view(a, *args, **kw):
    f = sys._getframe()
    return f.f_code.co_varnames[: f.f_code.co_argcount + 2], {k: v for k, v in f.f_locals.items() if k != "f"}


def gen(*items):
    for item in items:
        yield item * 2


def total(n, *acc):
    if n == 0:
        return sum(acc)
    return total(n - 1, n, *acc)


def keyword_only(a, *, b=2, c=[]):
    c.append(a)
    return a, b, len(c)


def keyword_required(a, *, b):
    return a, b


def keyword_and_rest(a, *args, b=1, **kwargs):
    return a, args, b, kwargs


class Attributes:
    pass


def kwdefaults_not_in_place():
    """Dicts whose entry at a parameter's position is not its default."""
    names = ["b", "c"]
    rebuilt_b, rebuilt_c = ("".join(list(name)) for name in names)
    with_deleted = {"gone": 0, "b": "after a deleted entry", "c": []}
    del with_deleted["gone"]
    attributes = Attributes()
    attributes.b, attributes.c = "split b", []
    for kwdefaults in (
        {"c": [], "b": "reordered"},
        with_deleted,
        {rebuilt_b: "equal, not identical, b", rebuilt_c: []},
        attributes.__dict__,
    ):
        keyword_only.__kwdefaults__ = kwdefaults
        print(keyword_only(10), keyword_only(11, b="given"))


class Logger:
    def log(self, message, *args, **kwargs):
        return message % args if args else message, kwargs

    def debug(self, message, *args, **kwargs):
        return self.log(message, *args, **kwargs)


def driver():
    print(star(), star(1), star(1, 2, 3))
    print(first_and_rest(1), first_and_rest(1, 5), first_and_rest(1, 5, 6, 7))
    print(keywords(1), keywords(2, z=3))
    print(both(1), both(1, 2, 3), both(1, 2, k=4))
    print(captured(), captured(4, 5))
    print(frame_view(1), frame_view(1, 2, 3))
    print(list(gen()), list(gen(1, 2)))
    print(total(5))
    logger = Logger()
    for i in range(3):
        print(logger.debug("plain"), logger.debug("%s-%s", i, i + 1), logger.debug("kw", extra=i))
    print(keyword_only(1), keyword_only(2, b=3), keyword_and_rest(1), keyword_and_rest(1, 2, b=5, z=6))
    keyword_only.__kwdefaults__ = {"b": "new", "c": []}
    print(keyword_only(3))
    keyword_only.__kwdefaults__ = {"b": "only b"}
    try:
        keyword_only(4)
    except TypeError as error:
        print("TypeError", error)
    keyword_only.__kwdefaults__ = None
    try:
        keyword_only(5)
    except TypeError as error:
        print("TypeError", error)
    # Keys other than exact strs: the defaults are looked up by the generic
    # path, whose comparisons run the key's __eq__.
    keyword_only.__kwdefaults__ = {"b": "str key", 7: "int key", EqualsEverything("c"): []}
    print(keyword_only(6), keyword_only(7))
    keyword_only.__kwdefaults__ = {EqualsEverything("b"): "raises"}
    try:
        keyword_only(8)
    except KeyError as error:
        print("KeyError", error)
    kwdefaults_not_in_place()
    keyword_only.__kwdefaults__ = {"b": 2, "c": []}
    a = star(1, 2)
    b = star(1, 2)
    print(a == b, a is not b)
    for call in (lambda: first_and_rest(), lambda: keywords(), lambda: both(), lambda: keywords(1, 2),
                 lambda: keyword_required(1), lambda: keyword_only()):
        try:
            call()
        except TypeError as error:
            print("TypeError", error)


driver()
driver()
