# Lambdas and comprehensions: list/set/dict comprehensions and generator
# expressions (each its own code object: LIST_APPEND / SET_ADD / MAP_ADD,
# the implicit .0 iterator argument), nested comprehensions, conditions,
# closures over loop variables and enclosing locals, comprehension scoping
# (the loop variable does not leak, class-body scoping), lambdas with
# defaults / *args / **kwargs / closures, immediately-invoked lambdas,
# exceptions raised in comprehensions (traceback shows <listcomp>), and
# walrus := inside comprehensions binding in the enclosing scope.


def basics(n):
    squares = [i * i for i in range(n)]
    evens = {i for i in range(n) if i % 2 == 0}
    table = {i: chr(97 + i) for i in range(n)}
    total = sum(i for i in range(n))
    pairs = [(i, j) for i in range(3) for j in range(i)]
    matrix = [[r * c for c in range(3)] for r in range(3)]
    flat = [x for row in matrix for x in row if x]
    transposed = [[row[i] for row in matrix] for i in range(3)]
    strs = [s.upper() for s in "a b c".split() if s != "b"]
    cond = ["even" if i % 2 == 0 else "odd" for i in range(4)]
    return squares, sorted(evens), table, total, pairs, matrix, flat, transposed, strs, cond


def closures_in_comprehensions(k):
    scaled = [x * k for x in range(4)]
    adders = [lambda y, x=x: x + y for x in range(3)]
    late = [lambda: x for x in range(3)]
    nested = [[x + y + k for y in range(2)] for x in range(2)]
    return scaled, [f(10) for f in adders], [f() for f in late], nested


def no_leak():
    x = "outer"
    [x for x in range(3)]
    result = [x for _ in range(2)]
    return x, result


def walrus():
    data = [3, 8, 1, 9, 4]
    big = [y for x in data if (y := x * 2) > 6]
    last = y  # noqa: F821 -- bound by the walrus in the comprehension
    running = 0
    sums = [running := running + v for v in data]
    return big, last, sums, running


def generators():
    gen = (i * 3 for i in range(5))
    first = next(gen)
    rest = list(gen)
    exhausted = list(gen)
    lazily = (1 / x for x in [1, 0])
    value = next(lazily)
    try:
        next(lazily)
    except ZeroDivisionError as e:
        err = str(e)
    return first, rest, exhausted, value, err, any(x > 3 for x in range(5)), all(x < 3 for x in [1, 2])


def lambdas():
    add = lambda a, b=10: a + b  # noqa: E731
    star = lambda *args, **kw: (args, sorted(kw.items()))  # noqa: E731
    compose = lambda f, g: lambda x: f(g(x))  # noqa: E731
    inc_then_double = compose(lambda x: x * 2, lambda x: x + 1)
    counter = [0]
    bump = lambda: counter.__setitem__(0, counter[0] + 1) or counter[0]  # noqa: E731
    bump()
    bump()
    fact = lambda n: 1 if n <= 1 else n * fact(n - 1)  # noqa: E731
    return [add(1), add(1, 2), star(1, 2, z=3), inc_then_double(5), counter[0],
            (lambda x: x ** 2)(7), sorted(["bb", "a", "ccc"], key=lambda s: -len(s)),
            list(map(lambda p: p[0] * p[1], [(2, 3), (4, 5)])), fact(10),
            add.__name__, (lambda: 0).__qualname__]


class Config:
    base = 10
    names = ["a", "b"]
    # Only the outermost iterable is evaluated in class scope; the body
    # cannot see class variables.
    upper = [n.upper() for n in names]
    try:
        scaled = [base * i for i in range(2)]
    except NameError as e:
        scaled_error = str(e)


def errors_in_comprehensions():
    out = []
    try:
        [1 // x for x in [1, 0]]
    except ZeroDivisionError as e:
        out.append("listcomp: %s" % e)
    try:
        {k: v for k, v in [(1, 2), (3,)]}
    except ValueError as e:
        out.append("dictcomp: %s" % e)
    try:
        {[x] for x in range(2)}
    except TypeError as e:
        out.append("setcomp: %s" % e)
    try:
        [x for x in 5]
    except TypeError as e:
        out.append("iter: %s" % e)
    try:
        sum(int(s) for s in ["1", "x"])
    except ValueError as e:
        out.append("genexp: %s" % e)
    return out


def parse_all(rows):
    return {name: [int(v) for v in values.split(",")] for name, values in rows}


print(basics(6))
print(closures_in_comprehensions(100))
print(no_leak())
print(walrus())
print(generators())
print(lambdas())
print(Config.upper, Config.scaled_error, hasattr(Config, "scaled"))
print(errors_in_comprehensions())
print(parse_all([("a", "1,2"), ("b", "3")]))
try:
    parse_all([("a", "1,x")])
except ValueError as e:
    print("caller caught:", e)
print(parse_all([("ok", "4"), ("bad", "5,,6")]))
