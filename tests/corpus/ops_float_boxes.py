# Floats that compiled arithmetic makes inline from the interpreter's float
# free list (codegen::ops::numeric::new_float): with the list holding
# floats, drained by many live results and refilled as temporaries die, and
# with tracemalloc tracing, when new floats must be made by
# PyFloat_FromDouble so that tracemalloc sees where each was made: the
# line of the instruction that made it (an int's too), which compiled code
# stores before each call it makes (Lowering::position_for_calls).
import tracemalloc


def series(n):
    total = 0.0
    x = 1.5
    for i in range(n):
        total = total + x * 0.5 - x / 3.0
        x = x + 0.25
    return total


def fresh(a, b):
    product = a * b
    return product + 1.0


def fresh_int(a, b):
    product = a * b
    return product + 10**12


def made_first(x):
    return x * 2.0


def line_made(obj):
    traceback = tracemalloc.get_object_traceback(obj)
    return traceback[0].lineno if traceback else None


def compare_all(values, limit):
    return [v < limit for v in values]


def main():
    print("series", series(1000))
    keep = [fresh(float(i), 2.0) for i in range(500)]
    print("many live", sum(keep), keep[:3], keep[-1])
    del keep
    print("list full", series(50), compare_all([fresh(1.0, 2.0), 7.5, -0.0], 3.0))
    # Drain the free list (no float temporaries die here), so that the next
    # float is allocated, and traced, at made_first; freed, its memory goes
    # back to the list, and the float made next in fresh reuses it: CPython
    # moves the trace to fresh's line.
    drain = [i * 1.5 for i in range(300)]
    tracemalloc.start(1)
    first = made_first(2.0)
    first_line = line_made(first)
    del first
    value = fresh(3.0, 4.0)
    value_line = line_made(value)
    big = fresh_int(3, 4)
    big_line = line_made(big)
    tracemalloc.stop()
    print("traced", len(drain), value, first_line, value_line, big, big_line)
    print("after tracing", series(20), fresh(-2.0, 0.5))


main()
