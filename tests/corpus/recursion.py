# Recursion: ordinary recursive algorithms, deep recursion that hits the
# recursion limit (the RecursionError message and the exact depth reached,
# counted in a global, must match CPython), recovery after a RecursionError
# (the same depth is reachable again), sys.setrecursionlimit up and down
# (and the "limit is too low" error), mutual recursion, recursion through
# methods / __getattr__ / builtins calling back into Python (sorted key,
# map), try/finally in every frame while unwinding, and an uncaught
# RecursionError whose "[Previous line repeated N more times]" traceback is
# compared at the end.
import sys

depth = 0
unwound = 0


def fact(n):
    return 1 if n <= 1 else n * fact(n - 1)


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def ackermann(m, n):
    if m == 0:
        return n + 1
    if n == 0:
        return ackermann(m - 1, 1)
    return ackermann(m - 1, ackermann(m, n - 1))


def hanoi(n, src, dst, via, moves):
    if n:
        hanoi(n - 1, src, via, dst, moves)
        moves.append((src, dst))
        hanoi(n - 1, via, dst, src, moves)
    return moves


def dive():
    global depth
    depth += 1
    dive()


def dive_with_finally():
    global depth, unwound
    depth += 1
    try:
        dive_with_finally()
    finally:
        unwound += 1


def is_even(n):
    global depth
    depth += 1
    return True if n == 0 else is_odd(n - 1)


def is_odd(n):
    global depth
    depth += 1
    return False if n == 0 else is_even(n - 1)


class Node:
    def __init__(self, child=None):
        self.child = child

    def count(self):
        global depth
        depth += 1
        return 1 + (self.child.count() if self.child else 0)


class Loop:
    def __getattr__(self, name):
        global depth
        depth += 1
        return getattr(self, "x" + name)


def via_builtin(n):
    global depth
    depth += 1
    return sorted([n], key=via_builtin)


def measure(fn, *args):
    global depth
    depth = 0
    try:
        fn(*args)
    except RecursionError as e:
        return "RecursionError(%s) at depth %d" % (e, depth)
    return "completed at depth %d" % depth


print(fact(30), fib(18), ackermann(2, 3), len(hanoi(8, "A", "C", "B", [])))
print("limit", sys.getrecursionlimit())
first = measure(dive)
second = measure(dive)
print(first)
print("same depth again:", first == second)
unwound = 0
print(measure(dive_with_finally), "unwound frames:", unwound)
print(measure(is_even, 10 ** 6))
print(measure(is_even, 10))
chain = None
for _ in range(5000):
    chain = Node(chain)
print(measure(chain.count))
print(measure(lambda: Loop().attr))
print(measure(via_builtin, 1))


def depth_under_limit(limit):
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)
    try:
        return measure(dive)
    finally:
        sys.setrecursionlimit(old)


for limit in (50, 200, 2500):
    print("limit %d:" % limit, depth_under_limit(limit))


def set_limit_too_low():
    def go_deep(n):
        if n == 0:
            try:
                sys.setrecursionlimit(10)
            except RecursionError as e:
                return "RecursionError: %s" % e
            return "limit changed?!"
        return go_deep(n - 1)
    return go_deep(30)


print(set_limit_too_low(), sys.getrecursionlimit())
try:
    sys.setrecursionlimit(0)
except ValueError as e:
    print("ValueError:", e)


def runaway(n):
    return runaway(n + 1) + 1


sys.setrecursionlimit(120)
runaway(0)
