# Loop tiering: each function below is called once (and the threshold is
# never reached by calls), so its loop starts in the interpreter and, being
# long, continues in compiled code at a loop header (on-stack replacement).
# Covers headers with an empty value stack (while), one iterator (for), two
# (nested for), a list iterator partly consumed when the frame moves, cells
# and free variables, a frame object and f_locals taken before and after the
# move, an exception raised in native code after it (traceback lines), a
# loop inside try (no entry there: the frame stays in the interpreter), and
# a method using super(), and a linked list walked by a loop that 3.11 never
# quickens (it counts only JUMP_BACKWARD), whose method calls, unprofiled,
# enter their callees' native code directly (direct-calls).
# threshold: 1000000000
# expect-stats: osr_entries>8
# timeout: 240
import sys

N = 1_500_000


def float_loop(n):
    total = 0.0
    for i in range(n):
        total += i * 0.5
    return total


def while_loop(n):
    i = 0
    acc = 0
    while i < n:
        acc += i ^ (i >> 3)
        i += 1
    return acc


def nested(n):
    s = 0
    for i in range(n // 100):
        for j in range(100):
            s += i - j
    return s


def list_consumer(items):
    seen = 0
    last = None
    for item in items:
        seen += 1
        last = item
    return seen, last


def with_cells(n):
    counter = 0

    def bump(k):
        return counter + k

    for i in range(n):
        counter += 1
    return bump(1), counter


def frames_and_locals(n):
    frame = sys._getframe()
    before = sorted(frame.f_locals)
    x = 0
    for i in range(n):
        x += 1
    after = sorted(frame.f_locals)
    return before, after, frame.f_lineno, x


def raises_after_move(n):
    values = [1.0] * 4
    for i in range(n):
        values[i % 4] += 1.0
    return values[n]


def loop_in_try(n):
    total = 0
    try:
        for i in range(n):
            total += i
    except ZeroDivisionError:
        total = -1
    return total


class Base:
    def run(self, n):
        return n


class Derived(Base):
    def run(self, n):
        acc = 0
        for i in range(n):
            acc += i & 7
        return super().run(acc)


def generator_driver(n):
    gen = (i * 2 for i in range(n))
    total = 0
    for value in gen:
        total += value
    return total


class Node:
    def __init__(self, value, link):
        self.value = value
        self.link = link

    def weight(self):
        return self.value & 7

    def next(self):
        return self.link


class HeavyNode(Node):
    def weight(self):
        return self.value * 3


def linked(n):
    head = None
    for i in range(n):
        head = (HeavyNode if i % 3 == 0 else Node)(i, head)
    return head


def walk(node):
    # `while node is not None` ends in POP_JUMP_BACKWARD_IF_NOT_NONE.
    total = 0
    while node is not None:
        total += node.weight()
        node = node.next()
    return total


print(walk(linked(N // 3)))
print(float_loop(N))
print(while_loop(N))
print(nested(N))
print(list_consumer(list(range(N))))
print(with_cells(N))
print(frames_and_locals(N))
print(loop_in_try(N))
print(Derived().run(N))
print(generator_driver(N))
try:
    raises_after_move(N)
except IndexError as e:
    tb = e.__traceback__
    while tb.tb_next:
        tb = tb.tb_next
    print("IndexError", e, tb.tb_lineno, tb.tb_frame.f_code.co_name)
raises_after_move(N)
