# Calls of Python functions compiled after the specialising interpreter saw
# them call a Python function: the runtime pushes the callee's frame and
# enters its native code (direct-calls). Each site warms up with
# one callee (a function, a method loaded by LOAD_METHOD), then meets every
# guard's failure: another function at the site, a builtin, a bound method
# object, a callable instance, a callee with defaults (also sites warmed
# with one, whose defaults the caller binds), `*args` or a generator (also
# a compiled generator function the site recorded, and a coroutine
# function, whose objects the site makes), its `__code__` replaced, tracing
# switched on. The frames it
# pushes are observed: the caller's f_lasti and the callee's line numbers,
# tracebacks through them, a frame object kept alive after the call, locals()
# in the callee, finalizers run when the callee's locals are released,
# closures and cells, recursion to RecursionError and the recursion limit
# changed inside a call; a site that calls up to four functions in turn
# (and a fifth), one of them with its __code__ replaced.
# threshold: 30
import dis
import sys
import traceback


def opname(frame, lasti):
    return dis.opname[frame.f_code.co_code[lasti]]


def add(a, b):
    return a + b


def sub(a, b):
    return a - b


def with_default(a, b=100):
    return a * b


def collecting(*args):
    return sum(args)


def generating(a, b):
    yield a
    yield b


class Box:
    def __init__(self, value):
        self.value = value

    def plus(self, other):
        return self.value + other

    def pair(self, a, b):
        return (self.value, a, b)

    def __call__(self, a, b):
        return ("called", a, b)


def site(f, a, b):
    return f(a, b)


def method_site(box, other):
    return box.plus(other)


def loop(f, n):
    total = 0
    for i in range(n):
        total = f(total, i)
    return total


def show(label, call):
    try:
        print(label, call())
    except Exception as error:
        print(label, "raised", type(error).__name__, error)
        traceback.print_exc(file=sys.stdout)


for turn in range(40):
    site(add, turn, 1)
    method_site(Box(turn), 2)
    loop(add, 5)

show("add", lambda: site(add, 2, 3))
show("method", lambda: method_site(Box(10), 5))
show("loop", lambda: loop(add, 1000))
show("another function", lambda: site(sub, 2, 3))
show("back to add", lambda: site(add, "a", "b"))
show("builtin", lambda: site(max, 2, 3))
show("bound method", lambda: site(Box(7).pair, 4, 5))
show("callable instance", lambda: site(Box(0), 1, 2))
show("defaults", lambda: site(with_default, 3, 4))
show("varargs", lambda: site(collecting, 3, 4))
show("generator", lambda: list(site(generating, 3, 4)))
show("method of a subclass", lambda: method_site(type("Sub", (Box,), {"plus": lambda self, o: ("sub", o)})(1), 2))
show("method raising", lambda: method_site(Box("x"), 2))
show("callee raising", lambda: site(add, 1, "x"))


# The callee sees its caller stopped after the CALL, and its own lines
# (quiet while they warm up).
quiet = True


def where(a, b):
    caller = sys._getframe(1)
    if not quiet:
        print("  caller at", opname(caller, caller.f_lasti), "line", caller.f_lineno,
              "callee line", sys._getframe().f_lineno)
    return a


for turn in range(40):
    site(where, 1, 2)
quiet = False
show("positions", lambda: site(where, 1, 2))

# A frame object that outlives the call, and locals() in the callee.
kept = []


def keep_frame(a, b):
    kept.append(sys._getframe())
    return a + b


def with_locals(a, b):
    c = a * b
    return sorted(locals().items())


for turn in range(40):
    site(keep_frame, turn, 1)
    site(with_locals, turn, 2)
show("kept frame", lambda: (site(keep_frame, 5, 6), kept[-1].f_locals, kept[-1].f_back is None or kept[-1].f_back.f_code.co_name))
show("locals", lambda: site(with_locals, 3, 4))
del kept[:]


# Finalizers of the callee's locals run as its frame is cleared.
class Finalized:
    def __del__(self):
        caller = sys._getframe(1)
        if not quiet:
            print("  finalized in", caller.f_code.co_name, "at", opname(caller, caller.f_lasti))


def drops(a, b):
    temporary = Finalized()
    return a


quiet = True
for turn in range(40):
    site(drops, 1, 2)
quiet = False
show("finalizer", lambda: site(drops, 1, 2))


# Closures: cells made in the callee's frame and free variables read from the function.
def make_counter(start):
    count = start

    def step(a, b):
        nonlocal count
        count += a + b
        return count

    return step


step = make_counter(10)
for turn in range(40):
    site(step, 1, 1)
show("closure", lambda: site(step, 5, 5))


def cells(a, b):
    inner = lambda: a + b
    return inner()


for turn in range(40):
    site(cells, turn, 1)
show("cells", lambda: site(cells, 7, 8))

# A generator function with native code, recorded by the site: the call
# makes the generator, it does not run the code.
for turn in range(40):
    list(site(generating, turn, 1))
show("compiled generator", lambda: list(site(generating, 5, 6)))
show("generator then function", lambda: (list(site(generating, 1, 2)), site(add, 1, 2)))


# Callees whose last parameters take their defaults: bound from the
# function's __defaults__ at each call (replaced, shortened, removed), a
# mutable default shared between calls, a method's default, and too few
# arguments for the defaults there are.
def one_site(f, a):
    return f(a)


def defaulted(a, b=10, c=[]):
    c.append(a)
    return a + b, len(c)


class Scaled:
    def times(self, a, factor=3):
        return a * factor


def method_one_site(box, a):
    return box.times(a)


for turn in range(40):
    one_site(defaulted, turn)
    method_one_site(Scaled(), turn)
show("defaults bound", lambda: (one_site(defaulted, 1), one_site(defaulted, 2)))
show("method default", lambda: method_one_site(Scaled(), 5))
defaulted.__defaults__ = (100, [])
show("defaults replaced", lambda: one_site(defaulted, 1))
defaulted.__defaults__ = ([],)
show("too few defaults", lambda: one_site(defaulted, 1))
defaulted.__defaults__ = None
show("defaults removed", lambda: one_site(defaulted, 1))
defaulted.__defaults__ = (7, [])
show("defaults back", lambda: one_site(defaulted, 1))


# Coroutines made at the site too; and generators the runtime leaves to the
# interpreter to make: more cells than it makes itself, and coroutines
# while their origin is tracked (computed from the frames that made them).
async def coroutine(a, b):
    return a * b


def many_cells(a, b):
    c, d, e, f, g, h, i = range(7)
    yield (lambda: a + b + c + d + e + f + g + h + i)()


def drive(coro):
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value


for turn in range(40):
    list(site(many_cells, turn, 1))
show("generator with many cells", lambda: list(site(many_cells, 2, 3)))
for turn in range(40):
    drive(site(coroutine, turn, 2))
show("coroutine", lambda: drive(site(coroutine, 6, 7)))
sys.set_coroutine_origin_tracking_depth(2)
tracked = site(coroutine, 3, 3)
sys.set_coroutine_origin_tracking_depth(0)
print("coroutine origin", [(line, name) for _, line, name in tracked.cr_origin], drive(tracked))

# `__code__` replaced while the site has it recorded.
for turn in range(40):
    site(add, 1, 1)
add_code = add.__code__
add.__code__ = sub.__code__
show("code replaced", lambda: site(add, 10, 3))
add.__code__ = (lambda a, b, c: a).__code__
show("code with another arity", lambda: site(add, 10, 3))
add.__code__ = add_code
show("code restored", lambda: site(add, 10, 3))


# Recursion through the site to RecursionError, at CPython's depth.
def recurse(n, _):
    return site(recurse, n + 1, None)


depth = []


def deepest(n, _):
    depth.append(n)
    return site(deepest, n + 1, None)


try:
    site(recurse, 0, None)
except RecursionError as error:
    print("recursion", error)
try:
    site(deepest, 0, None)
except RecursionError:
    print("deepest", depth[-1])


def limit_changed(a, b):
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(limit + 50)
    sys.setrecursionlimit(limit)
    return limit > 0


for turn in range(40):
    site(limit_changed, 1, 2)
show("limit changed in a call", lambda: site(limit_changed, 1, 2))


# Tracing switched on: the calls run traced, in the interpreter.
def tracer(frame, event, arg):
    if event == "call":
        print("  trace call", frame.f_code.co_name)
    return None


for turn in range(40):
    site(add, 1, 2)
sys.settrace(tracer)
show("traced", lambda: site(sub, 5, 1))
sys.settrace(None)
show("untraced", lambda: site(sub, 5, 1))


# A site that calls several functions in turn keeps a record of each (up to
# four), the latest first: a fifth pushes the oldest out, and a function
# whose __code__ is replaced no longer matches its record.
def mul(a, b):
    return a * b


def mod(a, b):
    return a % b + 1


def rotate(functions, n):
    total = 1
    for i in range(n):
        total = site(functions[i % len(functions)], total, i + 1) % 1000003
    return total


for count in (2, 4, 5):
    show(f"rotating {count}", lambda: rotate([add, sub, mul, mod, with_default][:count], 400))
saved = mul.__code__
mul.__code__ = sub.__code__
show("code replaced", lambda: rotate([add, sub, mul, mod], 100))
mul.__code__ = saved
show("code restored", lambda: rotate([add, sub, mul, mod], 100))
