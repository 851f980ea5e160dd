"""Helpers every generated program imports (``from fuzz_support import *``).

They live in a module of their own so that a process running many programs
compiles them once, not once per program.  ``tests/fuzz/run.py`` inlines
this file into a program that becomes a corpus program, so the corpus stays
self-contained.
"""

import contextlib
import sys
import traceback

__all__ = ["FOLD", "fold", "copied", "Reporter", "Ctx", "managed", "drive_generator"]

FOLD = 2**72


def fold(v):
    """Keeps ints from growing without bound (other values pass)."""
    if type(v) is int and not -FOLD < v < FOLD:
        return v % FOLD
    return v


def copied(arguments):
    """`arguments` with lists and dicts copied: a driver loop's call gets
    its own, so that what one call appends does not make the next call's
    loops longer (which would grow without bound over thousands of calls)."""
    return tuple(a.copy() if type(a) in (list, dict) else a for a in arguments)


class Reporter:
    """Prints a driver loop's result or exception when it differs from the
    previous one under the same label, so that long loops print little, and
    the traceback of the first few exceptions of each label."""

    TRACEBACKS = 3

    def __init__(self):
        self.last = {}
        self.tracebacks = {}

    def value(self, label, k, value):
        text = repr(value)
        if self.last.get(label) != text:
            self.last[label] = text
            print(label, k, text)

    def error(self, label, k, exc):
        text = "%s: %s" % (type(exc).__name__, exc)
        if self.last.get(label) != text:
            self.last[label] = text
            print(label, k, "raised", text)
            shown = self.tracebacks.get(label, 0)
            if shown < self.TRACEBACKS:
                self.tracebacks[label] = shown + 1
                traceback.print_exception(exc, file=sys.stdout)


class Ctx:
    """A context manager that prints what it sees and suppresses it
    (`suppress` True), lets it through (False) or raises itself (None)."""

    def __init__(self, name, suppress):
        self.name = name
        self.suppress = suppress

    def __enter__(self):
        print("enter", self.name)
        return len(self.name)

    def __exit__(self, kind, value, tb):
        print("exit", self.name, kind.__name__ if kind else None, value)
        if self.suppress is None:
            raise RuntimeError("exit of %s fails" % self.name)
        return self.suppress


@contextlib.contextmanager
def managed(tag):
    print("acquire", tag)
    try:
        yield tag * 2
    except ArithmeticError as exc:
        print("managed swallows", type(exc).__name__)
    finally:
        print("release", tag)


def drive_generator(gen):
    """next, send, throw and close on a generator: what each gave."""
    seen = [next(gen)]
    try:
        seen.append(gen.send(5))
        seen.append(gen.throw(ValueError("thrown")))
    except (StopIteration, ValueError) as exc:
        seen.append(repr(exc))
    gen.close()
    return seen
