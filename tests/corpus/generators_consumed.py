# threshold: 30
# expect-stats: direct_resumes>1000
# tuple(), set(), any(), all(), sum() and str.join() of a generator, which
# compiled code makes by resuming a compiled generator's native code
# directly (direct-resume: the call sites warm enough for the interpreter
# to specialise them, `tuple` by identity, `set` as a class with a
# vectorcall slot, the others as builtin C functions): generator
# expressions and generator functions, empty, with a return value
# (dropped) and ending by an exception part-way (the items taken so far
# released, last first for tuple() and join(), as their finalizers show;
# its traceback through the generator), a StopIteration raised inside
# (PEP 479's RuntimeError and its cause), an item that cannot be hashed, a
# generator already part-consumed, exhausted, or running (the generator
# consuming itself), one of interpreted code (whose resumptions CPython
# makes), other classes at the same site (list, frozenset, a set subclass,
# which get their own construction), any() and all() stopping early (the
# generator left suspended) and a __bool__ raising, sum() through its int,
# float and generic phases (bools, ints past a C long, an int subclass
# whose __radd__ the float phase does not call, NaN, -0.0, Fractions,
# strs), join() of a non-str item, a trace function set while generators
# are consumed (its events), and tuple and set rebound to other callables.
import sys
import traceback


class Noisy:
    def __init__(self, n):
        self.n = n

    def __del__(self):
        print("  released", self.n)

    def __hash__(self):
        return self.n

    def __eq__(self, other):
        return isinstance(other, Noisy) and other.n == self.n

    def __repr__(self):
        return "Noisy(%d)" % self.n


class Unhashable:
    __hash__ = None

    def __repr__(self):
        return "Unhashable()"


def returns_value(n):
    for i in range(n):
        yield i * i
    return "dropped"


def raises_stop(n):
    yield from range(n)
    raise StopIteration("inside")


def fails_after(n):
    for i in range(n):
        yield Noisy(i)
    raise ValueError("failed after %d" % n)


def unhashable_third():
    yield 1
    yield 2
    yield Unhashable()
    yield 4


def consumes_itself():
    yield 1
    yield tuple(me)


def from_expressions(n, offset):
    squares = tuple(i * i for i in range(n))
    residues = set((i + offset) % 5 for i in range(n))
    pairs = tuple((i, j) for i in range(n) for j in range(i) if (i + j) % 3 == 0)
    empty = tuple(x for x in ())
    return squares, sorted(residues), pairs, empty, empty == ()


def from_functions(n):
    return tuple(returns_value(n)), sorted(set(returns_value(n)))


def partly_consumed(n):
    g = returns_value(n)
    first = next(g, None)
    rest = tuple(g)
    again = tuple(g)
    return first, rest, again, set(g)


def report(consume, make):
    try:
        print("  value", consume(make()))
    except Exception as e:
        cause = type(e.__cause__).__name__ if e.__cause__ else None
        print("  %s(%s) from %s" % (type(e).__name__, e, cause))
        names = []
        tb = e.__traceback__
        while tb is not None:
            names.append(tb.tb_frame.f_code.co_name)
            tb = tb.tb_next
        print("  frames", names)


def failures(consume):
    report(consume, lambda: raises_stop(3))
    report(consume, lambda: fails_after(3))
    report(consume, unhashable_third)
    report(consume, lambda: (1 // x for x in (2, 1, 0)))


def each_class(classes, n):
    # One site, the class changing: the interpreter specialised it for a
    # class with a vectorcall slot.
    out = []
    for cls in classes:
        out.append(cls(i * 2 for i in range(n)))
    return out


class MySet(set):
    pass


class Loud(int):
    def __radd__(self, other):
        print("  Loud.__radd__", other)
        return int(self) + other


class Falsy:
    def __init__(self, fails):
        self.fails = fails

    def __bool__(self):
        if self.fails:
            raise LookupError("no truth")
        return False


def announced(items):
    try:
        yield from items
    finally:
        print("  closed after", items)


def reductions(n):
    from fractions import Fraction
    ints = sum(i for i in range(n))
    floats = sum(i * 0.5 for i in range(n))
    mixed = sum((i if i % 2 else i + 0.25) for i in range(n))
    bools = sum(i % 3 == 0 for i in range(n))
    big = sum(x for x in (2 ** 62, 2 ** 62, 2 ** 62, -1))
    fractions = sum(Fraction(1, i + 1) for i in range(n))
    signed_zero = sum(x for x in (-0.0,))
    words = "-".join(str(i) for i in range(n))
    checks = any(i > 3 for i in range(n)), all(i < 6 for i in range(n)), any(x for x in ()), all(x for x in ())
    return ints, floats, mixed, bools, big, fractions, signed_zero, words, checks


def odd_sums():
    print("  ", sum(x for x in (1.5, Loud(2))))
    print("  ", sum(x for x in (Loud(2), 1.5)))
    print("  ", sum(x for x in (float("nan"), 1)))
    print("  ", sum(x for x in (1, 2 ** 70, 0.5)))
    print("  ", sum(x for x in (0.5, 2 ** 70, 1)))
    print("  ", sum(x for x in (0.5, 3, 2.5)))


for round_ in range(60):
    expressions = from_expressions(round_ % 9, round_)
    functions = from_functions(round_ % 6)
    partly = partly_consumed(round_ % 5)
    classes = each_class((set, set, set), round_ % 4)
    reduced = reductions(round_ % 8)
print(expressions)
print(functions)
print(partly)
print(classes)
print(reduced)
odd_sums()

print("failures of sum(), any() and join()")
report(lambda g: sum(g), lambda: (x for x in (1, 2.5, "three")))
report(lambda g: sum(g), lambda: fails_after(2))
report(lambda g: any(g), lambda: (Falsy(i == 2) for i in range(4)))
report(lambda g: all(g), lambda: (Falsy(True) for i in range(4)))
report(lambda g: "".join(g), lambda: (x for x in ("a", 1, "b")))
report(lambda g: ",".join(g), lambda: (str(x) for x in fails_after(2)))

print("any() and all() stop early")
early = announced([0, 0, 5, 0])
print("  any", any(early))
print("  left", next(early))
early = None
later = announced([1, 1, 0, 1])
print("  all", all(later))
later = None

print("failures of tuple()")
failures(lambda g: tuple(g))
print("failures of set()")
failures(lambda g: sorted(set(g)))
print("failures of sum()")
failures(lambda g: sum(g))
print("failures of join()")
failures(lambda g: "+".join(str(x) for x in g))

me = consumes_itself()
try:
    print(tuple(me))
except ValueError as e:
    print("ValueError", e)

print("other classes at a set() site")
for round_ in range(3):
    print(each_class((set, list, frozenset, MySet, tuple), 4))

print("an interpreted generator")
exec("def interpreted(n):\n    yield from range(n)\n", globals())
for round_ in range(40):
    consumed = (tuple(interpreted(4)), sorted(set(interpreted(5))))
print(consumed)


def traced(frame, event, arg):
    if frame.f_code.co_name == "<genexpr>":
        print("  trace", event, frame.f_lineno)
    return traced


print("traced")
sys.settrace(traced)
print(from_expressions(3, 1))
sys.settrace(None)

print("rebound")
tuple = list
set = sorted
print(from_expressions(4, 2))
del tuple, set
print(from_expressions(4, 2))

try:
    tuple(1 / x for x in (1, 0))
except ZeroDivisionError:
    traceback.print_exc(file=sys.stdout)
