"""Creates, calls and drops fresh functions in a loop and reports RSS.

Run by tests/test_memory.py under pyjit with every function compiled at its
first call; usable by hand too:

    PYJIT_ENABLE=1 PYJIT_THRESHOLD=0 python tests/memory_churn.py WARMUP ITERATIONS [--keep]

Every iteration execs module source that no earlier iteration used (the
iteration number is a constant in every function), so every code object is
new and gets its own native code: the module body, a class body and two
methods, a closure factory and its closure, a nested function with a list
comprehension, and a lambda made by `eval`.  The namespace is then dropped
(the class makes reference cycles, so the collector runs every GC_EVERY
iterations), and with it the code objects and their native code.

`--keep` keeps every namespace alive instead: the code objects never die, so
their native code and per-function data must stay; that run shows how much
RSS one iteration costs when nothing is freed.

Prints one JSON object: RSS after the warm-up and at the end, and pyjit's
counters at both points.
"""

import gc
import json
import os
import sys

GC_EVERY = 50

SOURCE = """
class Shape{i}:
    def __init__(self, side):
        self.side = side + {i}

    def area(self):
        return self.side * self.side


def make_adder{i}(n):
    def add(x):
        return x + n + {i}
    return add


def squares{i}(x):
    def row(y):
        return [y * k for k in range(3)]
    return sum(row(x))


result = make_adder{i}(1)(2) + Shape{i}(3).area() + squares{i}(4)
"""


def expected_result(i):
    return (1 + 2 + i) + (3 + i) ** 2 + 4 * 3


def rss_bytes():
    with open("/proc/self/statm") as statm:
        resident_pages = int(statm.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


def counters():
    try:
        import pyjit
    except ImportError:
        return None
    stats = pyjit.stats()
    return {key: stats[key] for key in ("compiled", "failed", "native_bytes")}


def churn(i, kept):
    namespace = {}
    exec(compile(SOURCE.format(i=i), "<churn %d>" % i, "exec"), namespace)
    scale = eval("lambda v: v * %d" % (i + 1))
    if namespace["result"] != expected_result(i) or scale(2) != 2 * (i + 1):
        raise AssertionError("iteration %d computed a wrong result" % i)
    if kept is not None:
        kept.append((namespace, scale))


def run(first, count, kept):
    for i in range(first, first + count):
        churn(i, kept)
        if i % GC_EVERY == 0:
            gc.collect()
    gc.collect()


def main():
    warmup, iterations = int(sys.argv[1]), int(sys.argv[2])
    kept = [] if "--keep" in sys.argv[3:] else None
    run(0, warmup, kept)
    report = {"rss_after_warmup": rss_bytes(), "counters_after_warmup": counters()}
    run(warmup, iterations, kept)
    report.update(rss_at_end=rss_bytes(), counters_at_end=counters(),
                  iterations=iterations)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
