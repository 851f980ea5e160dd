# threshold: 5000
# The interpreter and C call every Python function the hook has seen
# through pyjit's vectorcall (`direct::call`), which pushes the callee's
# frame itself and runs it where its tier says; below the threshold, in the
# interpreter. These are the programs about calls, closures, generators,
# coroutines, recursion and frames, run with most functions interpreted
# (the few called more than 5000 times compile): positional calls binding exactly
# (the plain path), defaults, keywords, *args and **kwargs, calls from C,
# argument errors, cells and free variables, generators and coroutines
# made by such calls, deep recursion and the recursion limit; then the
# caller's f_lasti as a callee sees it and as a traceback records it (past
# the CALL's inline cache when CALL calls a Python function, as CPython's
# inline call leaves it; on the CALL when C code calls it or the arguments
# do not bind).
# expect-stats: direct_calls>1000
import functools
import os
import runpy
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = [
    "calls_shapes.py",
    "calls_from_c.py",
    "calls_keywords.py",
    "calls_varargs_direct.py",
    "closures_cells.py",
    "generators.py",
    "generators_created.py",
    "async_coroutines.py",
    "recursion.py",
    "calls_errors.py",
]

for name in PROGRAMS:
    print(f"== {name}")
    sys.stdout.flush()
    try:
        runpy.run_path(os.path.join(HERE, name), run_name="__main__")
    except Exception:
        # Some end with the exception they are about, uncaught.
        traceback.print_exc(file=sys.stdout)


def caller_lasti():
    return sys._getframe(1).f_lasti


def caller_lasti_with(a, b=2, *rest, key=None, **extra):
    return sys._getframe(1).f_lasti


class Probe:
    def __init__(self):
        self.seen = sys._getframe(1).f_lasti

    def method(self, x):
        return sys._getframe(1).f_lasti

    def __eq__(self, other):
        return sys._getframe(1).f_lasti


def raises():
    raise ValueError("from the callee")


def lasti_sites():
    probe = Probe()
    bound = probe.method
    seen = [
        caller_lasti(),
        caller_lasti_with(1),
        caller_lasti_with(1, 2, 3, key=4, more=5),
        probe.method(1),
        bound(2),
        Probe().seen,
        probe == 1,
        list(map(lambda _: sys._getframe(1).f_lasti, [0]))[0],
        sorted([2, 1], key=lambda _: sys._getframe(1).f_lasti)[0],
        functools.partial(caller_lasti)(),
        caller_lasti(*()),
    ]
    for call in (lambda: raises(), lambda: caller_lasti(1), lambda: caller_lasti_with()):
        try:
            call()
        except (ValueError, TypeError) as error:
            seen.append((type(error).__name__, error.__traceback__.tb_next.tb_lasti))
    return seen


# The first call of a function reaches it through the hook, which cannot
# tell the call site (CPython passes it no arguments' address): pyjit's
# vectorcall takes the calls after it.
lasti_sites()
for _ in range(3):
    print("lasti", lasti_sites())
