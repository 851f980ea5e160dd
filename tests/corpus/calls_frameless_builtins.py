# threshold: 30
# Leaf functions whose only calls are of len and isinstance, which compiled
# code makes inline for lists, tuples and dicts and for an object of exactly
# the class, also run without a frame (frameless-calls; see
# bytecode::calls_only_inline_builtins). Everything else gives the call back
# to the framed code: len of a str and of an object with __len__ (which
# prints, raises, or returns a big number), a length above the cached small
# ints, a subclass or a tuple of classes for isinstance, a metaclass with
# __instancecheck__, a module global named len shadowing the builtin and
# then deleted, a trace function set inside the hot loop. A function that
# also calls another builtin keeps its frame. Results, exceptions and
# tracebacks are the interpreter's.
# expect-stats: frameless_calls>1000
import sys
import traceback


class Board:
    def __init__(self, cells):
        self.cells = cells

    def done(self, i):
        return len(self.cells[i]) == 1

    def size(self):
        return len(self.cells)

    def is_board(self, other):
        return isinstance(other, Board)

    def absolute(self, i):
        return abs(len(self.cells[i]) - 2)


class SubBoard(Board):
    pass


class Loud:
    def __init__(self, length):
        self.length = length

    def __len__(self):
        print("  len of Loud, line", sys._getframe(1).f_lineno)
        if self.length < 0:
            raise ValueError("negative length")
        return self.length


class Meta(type):
    def __instancecheck__(cls, instance):
        print("  instancecheck of", type(instance).__name__)
        return True


class Anything(metaclass=Meta):
    pass


def empty(items):
    return len(items) == 0


def kind(value, cls):
    return isinstance(value, cls)


def one_round(board, counts):
    for i in range(len(board.cells)):
        if board.done(i):
            counts[0] += 1
        counts[1] += board.absolute(i)
    counts[2] += board.size()
    if board.is_board(board):
        counts[3] += 1
    if empty(()) and not empty({1: 2}):
        counts[4] += 1


def hot(board, rounds):
    counts = [0, 0, 0, 0, 0]
    for _ in range(rounds):
        one_round(board, counts)
    return counts


def given_back():
    results = []
    board = Board([[1], (2, 3), {4: 5}, "x", "yz", Loud(1), list(range(300))])
    for i in range(len(board.cells)):
        results.append(board.done(i))
    results.append(board.is_board(SubBoard([])))
    results.append(board.is_board(3))
    results.append(kind(board, (int, Board)))
    results.append(kind(3, Anything))
    results.append(kind(True, int))
    results.append(empty(Loud(0)))
    results.append(empty(Loud(2 ** 40)))
    for bad in (Loud(-1), 7):
        try:
            empty(bad)
        except (ValueError, TypeError):
            results.append(traceback.format_exc().splitlines()[-4:])
    return results


def shadowed():
    global len
    results = [empty([])]
    len = lambda items: 1
    results.append(empty([]))
    del len
    results.append(empty([]))
    return results


def one_check(board, i, results):
    results.append(board.done(i % len(board.cells)))
    results.append(empty(board.cells))


def traced(board, rounds):
    calls = []

    def tracer(frame, event, arg):
        if event == "call" and frame.f_code.co_name in ("done", "empty"):
            calls.append((frame.f_code.co_name, frame.f_lineno))
        return None

    results = []
    for i in range(rounds):
        if i == rounds // 2:
            sys.settrace(tracer)
        one_check(board, i, results)
    sys.settrace(None)
    return results.count(True), len(results), calls[:4], len(calls)


def main():
    board = Board([[1], [1, 2], (3,), (), {1: 2}, {}])
    print("hot", hot(board, 300))
    print("given back", given_back())
    print("shadowed", shadowed())
    print("hot again", hot(board, 100))
    print("traced", traced(board, 200))
    print("absolute", [board.absolute(i) for i in range(len(board.cells))])


main()
