# Helper module imported by corpus programs (not a program itself: the runner
# skips files whose name starts with "_").  Its functions are compiled too.

LOADED = []
LOADED.append("module body ran")

GREETING = "hello from helper"


def add(a, b):
    return a + b


def fail(message):
    raise LookupError("helper failed: " + message)


class Thing:
    def __init__(self, n):
        self.n = n

    def double(self):
        return Thing(self.n * 2)

    def __repr__(self):
        return "Thing(%r)" % (self.n,)


def _private():
    return "private"


__all__ = ["add", "Thing", "GREETING"]
