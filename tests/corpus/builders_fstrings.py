# Builders: BUILD_TUPLE / BUILD_LIST / BUILD_SET / BUILD_MAP /
# BUILD_CONST_KEY_MAP / BUILD_STRING / BUILD_SLICE, LIST_EXTEND / SET_UPDATE /
# DICT_UPDATE / DICT_MERGE / LIST_TO_TUPLE, star-unpacking inside literals,
# {**a, **b}, FORMAT_VALUE with !s/!r/!a conversions, format specs (static,
# nested and dynamic), self-documenting f"{x=}", custom __format__ and
# __repr__ / __str__ raising; unhashable keys, bad format specs.
import decimal


class Fancy:
    def __init__(self, v):
        self.v = v

    def __format__(self, spec):
        return "<Fancy %s|%s>" % (self.v, spec or "no-spec")

    def __repr__(self):
        return "Fancy(%r)" % (self.v,)

    def __str__(self):
        return "fancy-%s" % (self.v,)


class BadRepr:
    def __repr__(self):
        raise RuntimeError("repr failed")

    def __str__(self):
        return 42  # wrong type


def literals(a, b, c):
    t = (a, b, c)
    lst = [a, b, c, a]
    st = {a, b, a}
    d = {"x": a, "y": b}                 # BUILD_CONST_KEY_MAP
    d2 = {a: "a", b: "b", (a, b): "ab"}  # BUILD_MAP with computed keys
    empty = ((), [], {}, set())
    nested = [[a, [b, (c,)]], {"k": {"k2": [a]}}]
    return t, lst, sorted(st, key=repr), d, d2, empty, nested


def star_literals(xs, ys, mapping):
    t = (*xs, *ys)
    lst = [0, *xs, 99, *ys, *"ab"]
    st = {*xs, *ys}
    merged = {**mapping, "extra": 1, **{"a": "overridden"}}
    single = (*xs,)
    gen = [*(i * i for i in range(4))]
    return t, lst, sorted(st, key=repr), merged, single, gen, [*range(3), *{5: 0}]


def dict_merge_order():
    a = {"k1": 1, "k2": 2}
    b = {"k2": 20, "k3": 30}
    out = [{**a, **b}, {**b, **a}, {"k2": "literal", **a}, {**a, "k2": "literal"}]
    out.append(dict(a, **b))
    out.append({**{}, **{}})
    return out


def fstrings(n, x, s):
    width, prec = 10, 3
    parts = [
        f"plain {n} {x} {s}",
        f"conv {s!r} {s!s} {'é'!a} {s!r:>8}",
        f"int {n:5d}|{n:<5}|{n:^5}|{n:+}|{n:x}|{n:#o}|{n:b}|{n:,}|{n * 1000000:_}",
        f"float {x:.2f}|{x:10.3e}|{x:%}|{x:g}|{x:08.2f}|{-x:+.1f}",
        f"dynamic {x:{width}.{prec}f}|{s:*^{width}}|{n:{'>' if n else '<'}6}",
        f"expr {n + 1} {s.upper()} {[i for i in range(3)]} {n if n > 3 else 'small'}",
        f"braces {{literal}} {{{n}}}",
        f"self-doc {n=} {x = :.1f} {s=!s}",
        f"nested {f'{n:03}'} {f'{s!r}'}",
        f"fancy {Fancy(1)} {Fancy(2):spec} {Fancy(3)!r} {Fancy(4)!s}",
        f"decimal {decimal.Decimal('1.2345'):.2f}",
        f"dict {({'a': 1})['a']} tuple {(1, 2)} none {None} bool {True:d}",
        f"{n}{x}{s}",
        f"",
        f"{''}",
    ]
    return parts


def formatting_builtins():
    return [format(255, "08b"), format(3.14159, ".3"), format("s", ">4"), format(12345678, ","),
            "{} {!r} {:>5} {name}".format(1, "r", "w", name="kw"),
            "{0}{1}{0}".format("a", "b"), "{:{}}".format("x", 4), str.format("{.real}", 3),
            "%s|%r" % (Fancy(1), Fancy(2)), repr("quote's"), ascii("ünï"), str(b"x"),
            "{x[0]}-{x[1]}".format(x=[7, 8])]


def errors():
    out = []
    cases = [
        ("unhashable in set", lambda: {[1]}),
        ("unhashable dict key", lambda: {"ok": 1, {}: 2}),
        ("unhashable const-key", lambda: {(1, [2]): 3}),
        ("bad spec int", lambda: f"{5:q}"),
        ("bad spec str", lambda: f"{'s':d}"),
        ("bad spec float", lambda: f"{1.5:,d}"),
        ("spec on object", lambda: f"{object():>10}"),
        ("repr raises", lambda: f"{BadRepr()!r}"),
        ("str wrong type", lambda: f"{BadRepr()}"),
        ("star non-iterable", lambda: [*5]),
        ("dict merge non-mapping", lambda: {**[1, 2]}),
        ("set star unhashable", lambda: {*[[1]]}),
        ("format missing arg", lambda: "{} {}".format(1)),
        ("format bad key", lambda: "{name}".format(nom=1)),
    ]
    for label, fn in cases:
        try:
            out.append("%s = %r" % (label, fn()))
        except (TypeError, ValueError, RuntimeError, IndexError, KeyError) as e:
            out.append("%s -> %s: %s" % (label, type(e).__name__, e))
    return out


def render(template_value, spec):
    return f"[{template_value:{spec}}]"


def report(rows):
    return [render(v, s) for v, s in rows]


print(literals(1, "two", 3.0))
print(star_literals([1, 2], (3, 4), {"a": 1, "b": 2}))
print(dict_merge_order())
for line in fstrings(42, 3.14159, "hi"):
    print(line)
for line in fstrings(0, -0.5, "é"):
    print(line)
print(formatting_builtins())
for line in errors():
    print(line)
try:
    report([(1, "03"), ("x", "d")])
except ValueError as e:
    print("caller caught:", e)
print(report([(1, "03"), (2.5, ".3f"), ("s", ">3")]))
print(report([(1, "03"), ([1], ">5")]))
