# threshold: 30
# Functions with locals of their own, loops and calls get a frameless
# variant too when some path returns through instructions the variant runs
# (bytecode::returns_frameless): the variant stores locals (borrowed, never
# reused for a number) and gives the call back wherever the path meets
# anything else, which the framed code then runs once: a call of another
# function (a recursive find, as in a union-find), a raise (its traceback),
# a loop's backward jump (also after a compare that would fuse with it), a
# local read while unbound (UnboundLocalError), a number stored in a local,
# an old attribute value taken into a local and then replaced. Functions
# with cells, and generators, keep their frames. Results, reference counts
# and tracebacks are the interpreter's.
# expect-stats: frameless_calls>1000
import sys
import traceback


class Node:
    def __init__(self, parent, rank):
        self.parent = parent
        self.rank = rank

    def find(self, compress):
        root = self.parent
        if root is not self:
            root = root.find(compress)
            if compress:
                self.parent = root
        return root

    def lookup(self, table, i):
        item = table[i]
        if item is None:
            raise KeyError(i)
        return item

    def swap_out(self, value):
        old = self.rank
        self.rank = value
        return old

    def scaled(self, factor):
        product = self.rank * factor
        return product

    def rebound(self, other):
        other = other.parent
        return other.rank


def pick(flag, value):
    if flag:
        chosen = value
    return chosen


def count_down(n):
    total = 0
    while n > 0:
        total = total + n
        n = n - 1
    return total


def first_even(n):
    i = 0
    while i < n:
        if i % 7 == 6:
            return i
        i += 1
    return -1


def with_cell(x):
    def inner():
        return x

    return inner() if x else x


def numbers(n):
    if n < 0:
        return
    yield n


def hot(rounds):
    roots = [Node(None, i) for i in range(4)]
    for r in roots:
        r.parent = r
    chain = Node(roots[0], 9)
    table = [None, "one", "two", (3,)]
    found = []
    total = 0
    for i in range(rounds):
        found.append(roots[i % 4].find(False).rank)
        total += len(roots[1].lookup(table, 1 + i % 3))
        total += count_down(0) + first_even(0) + pick(True, i)
        total += roots[2].rebound(roots[3])
    found.append(chain.find(True).rank)
    return total, found[-6:], chain.parent is roots[0]


def call_find(node, compress):
    return node.find(compress)


def call_lookup(node, table, i):
    return node.lookup(table, i)


def call_pick(flag, value):
    return pick(flag, value)


def call_swap_out(node, value):
    return node.swap_out(value)


def call_scaled(node, factor):
    return node.scaled(factor)


def given_back():
    # The calls are made by compiled callers (each called past the threshold
    # first), which run a function's frameless variant.
    results = []
    roots = [Node(None, i) for i in range(3)]
    for r in roots:
        r.parent = r
    leaves = [Node(roots[i % 3], i) for i in range(100)]
    for i in range(100):
        results.append(call_find(leaves[i] if i % 10 == 9 else roots[i % 3], i % 2 == 0).rank)
    node = Node(None, 0)
    node.parent = node
    table = [None, 1]
    for i in range(50):
        results.append(call_lookup(node, table, 1))
        results.append(call_pick(True, i))
    for i in range(3):
        try:
            call_lookup(node, table, 0)
        except KeyError:
            traceback.print_exc(file=sys.stdout)
        try:
            call_pick(False, i)
        except UnboundLocalError:
            traceback.print_exc(file=sys.stdout)
    results.append([count_down(n) for n in range(40)][-3:])
    results.append([first_even(n) for n in range(40)][-3:])
    kept = [object() for _ in range(3)]
    before = [sys.getrefcount(k) for k in kept]
    for i in range(120):
        node.rank = "r" + str(i)
        results.append(call_swap_out(node, kept[i % 3]))
        node.rank = [i]
        results.append(call_swap_out(node, i))
    results.append([sys.getrefcount(k) - b for k, b in zip(kept, before)])
    for i in range(80):
        node.rank = i * 0.5
        results.append(call_scaled(node, 2))
    results.append([with_cell(i) for i in range(40)][-2:])
    results.append([list(numbers(i)) for i in range(40)][-2:])
    return results[:8], results[-12:], len(results)


def main():
    print("hot", hot(300))
    print("given back", given_back())
    print("hot again", hot(100))


main()
