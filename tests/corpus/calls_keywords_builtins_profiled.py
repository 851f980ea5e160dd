# Builtins called with an argument array and keyword names
# (PRECALL_BUILTIN_FAST_WITH_KEYWORDS, PRECALL_METHOD_DESCRIPTOR_FAST_WITH_KEYWORDS),
# type(o), str(o), tuple(o) (PRECALL_NO_KW_TYPE_1 / _STR_1 / _TUPLE_1) and
# classes called through their vectorcall slot (PRECALL_BUILTIN_CLASS),
# compiled after the specialising interpreter profiled them
# (direct-builtin-calls): with and without keywords, then every guard's
# failure (a str subclass as `self`, the global rebound to a Python
# function, to another builtin), errors raised by the C function (bad
# arguments, __str__ raising, a non-iterable) reported at the PRECALL, and
# the caller's f_lasti seen from a key function and from __str__.
# threshold: 30
import dis
import re
import sys

PATTERN = re.compile(r"(\w+)-(\d+)")


def where():
    caller = sys._getframe(2)
    return dis.opname[caller.f_code.co_code[caller.f_lasti]]


VERBOSE = False


def key(x):
    if VERBOSE:
        print("  key sees", where())
    return -x


class Loud:
    def __init__(self, fail):
        self.fail = fail

    def __str__(self):
        print("  __str__ sees", where())
        if self.fail:
            raise ValueError("no str")
        return "loud"


class MyStr(str):
    pass


def search(text):
    return PATTERN.search(text)


def search_at(text, pos):
    return PATTERN.search(text, pos=pos)


def split(text, separator="-"):
    return text.split(separator, 1)


def split_keyword(text):
    return text.split("-", maxsplit=1)


def order(items, reverse):
    return sorted(items, key=key, reverse=reverse)


def kinds(x):
    return type(x), str(x), tuple(x) if isinstance(x, (list, str)) else None


def run(label, function, *args):
    try:
        print(label, function(*args))
    except Exception as error:
        tb = error.__traceback__.tb_next
        print(label, type(error).__name__, error, dis.opname[tb.tb_frame.f_code.co_code[tb.tb_lasti]])


for i in range(40):
    search("ab-12")
    search_at("ab-12 cd-34", 3)
    split("a-b-c")
    split_keyword("a-b-c")
    order([3, 1, 2], False)
    kinds([1, 2])

VERBOSE = True
run("search", search, "xy-99 z")
run("search none", search, "nothing")
run("search bad", search, 5)
run("search_at", search_at, "ab-12 cd-34", 4)
run("search_at bad", search_at, "ab-12", "x")
run("split", split, "p-q-r")
run("split subclass", split, MyStr("s-t-u"))
run("split bad", split, 5)
run("split empty separator", split, "a", "")
run("split_keyword", split_keyword, "v-w-x")
run("order", order, [5, 7, 6], True)
run("order bad", order, [1, "a"], False)
run("kinds list", kinds, [1, 2, 3])
run("kinds str", kinds, "ab")
run("kinds int", kinds, 7)
run("kinds loud", kinds, Loud(False))
run("kinds loud fails", kinds, Loud(True))


def tuple_of(x):
    return tuple(x)


def build(n, text):
    return list(range(n)), int(text, base=16), dict(n=n), set()


for i in range(40):
    tuple_of([1])
    build(3, "ff")
run("build", build, 4, "10")
run("build bad", build, 2, "xyz")
run("build bad range", build, "2", "1")
run("tuple_of gen", tuple_of, (i * i for i in range(4)))
run("tuple_of bad", tuple_of, 5)

sorted = lambda items, key, reverse: "shadowed"
run("order shadowed", order, [1, 2], False)
del sorted
str = repr
run("kinds shadowed", kinds, "q")
del str


class range:
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter([self.n] * 2)


run("build shadowed", build, 5, "1")
del range
dict = lambda **kwargs: sorted(kwargs)
run("build shadowed dict", build, 1, "1")
del dict
run("order restored", order, [2, 3], False)
run("build restored", build, 2, "a")
