# threshold: 30
# Calls of compiled leaf functions (loads of parameters, constants,
# globals and attributes, compares, not, is, and/or and conditional jumps;
# no loop, call or store) that bind their parameters exactly run a second
# compilation of them without a frame (optimization frameless-calls, in
# helpers::frames::enter_exact). Wherever its inline fast paths end it gives
# the call back to the framed code having done nothing, so everything that
# runs code, raises or needs the frame happens once, with the frame: a
# missing attribute (AttributeError and its traceback), an attribute of a
# new type or a replaced class attribute (cache misses), a property, the
# truth of an int, a list and an object with __bool__, a compare calling
# __eq__, a global deleted (NameError) and rebound, a profile and a trace
# function set inside the hot loop, the recursion limit, and arguments the
# call releases running their finalizers where the interpreter runs them.
# A leaf whose calls keep being given back stops being tried; its results
# stay the same.
# expect-stats: frameless_calls>1000
import sys
import traceback

import _frame_observers

FORWARD = 1
LIMIT = 10


class Direction:
    FORWARD = 1
    BACKWARD = 2


class Task:
    def __init__(self, holding, waiting, pending, direction=1):
        self.holding = holding
        self.waiting = waiting
        self.pending = pending
        self.direction = direction
        self.first = "first"
        self.second = "second"

    def holding_or_waiting(self):
        return self.holding or (not self.pending and self.waiting)

    def waiting_with_packet(self):
        return self.pending and self.waiting and not self.holding

    def input(self):
        if self.direction == Direction.FORWARD:
            return self.first
        return self.second

    def output(self):
        if self.direction == FORWARD:
            return self.second
        return self.first

    def is_unset(self):
        return self.pending is None

    def below_limit(self, value):
        return value < LIMIT


class Loud:
    def __init__(self, name):
        self.name = name

    def __bool__(self):
        print("  bool of", self.name, "line", sys._getframe(1).f_lineno)
        return True

    def __eq__(self, other):
        print("  eq of", self.name, "line", sys._getframe(1).f_lineno)
        return True

    __hash__ = object.__hash__


class Slotted:
    __slots__ = ("holding", "waiting", "pending")

    def __init__(self):
        self.holding = False
        self.waiting = True
        self.pending = False


class WithProperty(Task):
    @property
    def pending(self):
        print("  property read")
        return False

    @pending.setter
    def pending(self, value):
        pass


def is_positive(value):
    return value > 0


def same(first, second):
    return first is second


def first_name(task):
    return task.first


def hot(tasks, rounds):
    counts = [0, 0, 0, 0, 0, 0]
    for _ in range(rounds):
        for task in tasks:
            if task.holding_or_waiting():
                counts[0] += 1
            if task.waiting_with_packet():
                counts[1] += 1
            if task.input() == "first":
                counts[2] += 1
            if task.output() == "first":
                counts[3] += 1
            if task.is_unset() or same(task, task):
                counts[4] += 1
            if task.below_limit(counts[4] % 20) and is_positive(counts[4]):
                counts[5] += 1
    return counts


def tasks():
    return [Task(False, True, False), Task(True, False, True, 2), Task(False, True, True), Task(False, False, None)]


def given_back():
    results = []
    task = Task(False, True, False)
    results.append(task.holding_or_waiting())
    task.holding = 0
    task.pending = []
    results.append(task.holding_or_waiting())
    task.pending = Loud("pending")
    results.append(task.waiting_with_packet())
    task.direction = Loud("direction")
    results.append(task.input())
    results.append(Slotted().__class__.__name__)
    results.append(Task.holding_or_waiting(Slotted()))
    results.append(WithProperty(False, True, False).holding_or_waiting())
    del task.first
    try:
        first_name(task)
    except AttributeError:
        results.append(traceback.format_exc().splitlines()[-3:])
    saved = Direction.FORWARD
    Direction.FORWARD = 2
    results.append(Task(False, False, False, 2).input())
    Direction.FORWARD = saved
    global LIMIT
    saved_limit = LIMIT
    del LIMIT
    try:
        Task(False, False, False).below_limit(3)
    except NameError as error:
        results.append(str(error))
    LIMIT = 2.5
    results.append(Task(False, False, False).below_limit(3))
    LIMIT = saved_limit
    results.append(is_positive(2.5))
    results.append(is_positive(-(10 ** 30)))
    try:
        is_positive("text")
    except TypeError as error:
        results.append(str(error))
    return results


def always_given_back(rounds):
    loud = Task(Loud("holding"), False, False)
    quiet = Task([1], False, False)
    results = []
    for i in range(rounds):
        results.append(bool(quiet.holding_or_waiting()))
        if i % 100 == 0:
            results.append(loud.holding_or_waiting() is loud.holding)
    return results.count(True), len(results)


def finalizers(tracked):
    for i in range(40):
        task = Task(False, True, False)
        if tracked and i > 37:
            task.first = _frame_observers.Tracked("first %d" % i)
        kept = same(_frame_observers.Tracked("argument %d" % i) if tracked and i > 37 else i, i)
        name = first_name(task)
        if tracked:
            print("  after line", sys._getframe().f_lineno, kept, getattr(name, "name", name))
        del task
        del name


def main():
    for _ in range(40):
        hot(tasks(), 1)
    print("hot", hot(tasks(), 400))
    for _ in range(40):
        given_back()
    print("given back", given_back())
    print("always given back", always_given_back(400))
    task = Task(False, True, False)

    def step(i):
        is_positive(i)
        same(task, i)
        task.input()
        task.output()

    _frame_observers.report(step, ("is_positive", "input"), ("same", "output"), is_positive)
    for _ in range(40):
        finalizers(False)
    finalizers(True)


main()
