# IS_OP and CONTAINS_OP followed by a conditional jump (fused-compare-jump:
# the jump takes the test's condition, no bool is made): `is`, `is not`,
# `in` and `not in`, forward jumps both ways, the backward jump at the
# bottom of a `while` loop, operands the test releases (a finalizer runs
# before the branch, as in the interpreter), tests in a conditional
# expression's branches, a __contains__ that raises or returns a non-bool,
# results stored rather than tested, and a trace function switched on
# inside such a loop.
import sys

SENTINEL = object()


class Noisy:
    def __init__(self, name):
        self.name = name

    def __del__(self):
        print("  del", self.name)


def make(name):
    return Noisy(name)


def forward(a, b):
    out = []
    if a is b:
        out.append("same")
    else:
        out.append("different")
    if a is not b:
        out.append("not same")
    if not (a is b):
        out.append("negated")
    return out


def released_first(name):
    if make(name) is SENTINEL:
        print("  sentinel")
    else:
        print("  branch after", name)
    if make(name + "'") is not SENTINEL:
        print("  not sentinel")


class Node:
    def __init__(self, value, next=None):
        self.value = value
        self.next = next


def walk(node, stop):
    total = 0
    while node is not stop:
        total += node.value
        node = node.next
    return total


def chain(n):
    head = None
    for i in range(n):
        head = Node(i, head)
    return head


def joined(a, b, c, flag):
    if (a is b) if flag else (c is a):
        return "yes"
    return "no"


def stored(a, b):
    same = a is b
    differ = a is not b
    return same, differ, type(same).__name__


def traced_walk(node):
    events = []

    def tracer(frame, event, arg):
        if frame.f_code is traced_walk.__code__ and event == "line":
            events.append(frame.f_lineno - traced_walk.__code__.co_firstlineno)
        return tracer

    steps = 0
    while node is not None and node.next is not None:
        if steps == 2:
            sys.settrace(tracer)
            sys._getframe().f_trace = tracer
        steps += 1
        node = node.next
    sys.settrace(None)
    return steps, events


class Odd:
    def __contains__(self, item):
        if item == "boom":
            raise KeyError(item)
        return item % 2  # an int: `in` makes it a bool


def membership(item, container):
    out = []
    if item in container:
        out.append("in")
    else:
        out.append("out")
    if item not in container:
        out.append("not in")
    return out, item in container, item not in container


def first_missing(seen):
    n = 0
    while n in seen:
        n += 1
    return n


def raising_contains(container):
    try:
        if "boom" in container:
            print("  unreachable")
    except KeyError as e:
        print("  KeyError", e, e.__traceback__.tb_lineno - raising_contains.__code__.co_firstlineno)


def main():
    x, y = [], []
    for _ in range(3):
        print(forward(x, x), forward(x, y), forward(None, None), forward(1, True))
    for i in range(3):
        released_first("n%d" % i)
    head = chain(30)
    stop = head.next.next.next
    for _ in range(3):
        print(walk(head, None), walk(head, stop), walk(stop, stop))
    for flag in (True, False):
        print(joined(x, x, y, flag), joined(x, y, x, flag), joined(x, y, y, flag))
    print(stored(x, x), stored(x, y))
    print(traced_walk(chain(6)))
    for _ in range(3):
        print(membership(2, [1, 2]), membership(3, (1, 2)), membership("a", "xay"), membership(3, Odd()),
              membership(4, Odd()), membership(1, {1: 2}))
        print(first_missing({0, 1, 2, 5}), first_missing([]), first_missing(range(7)))
        raising_contains(Odd())


main()
