# threshold: 30
# Leaf functions with arithmetic and subscripts run by their frameless
# variant (frameless-calls): int and float arithmetic on parameters,
# attributes and globals kept unboxed and boxed once, as the result (a
# cached small int, a new int, a new float), list and tuple items read by
# index; and every case the variant gives back to the framed code, which
# must then do it once: ints past one machine word, division by zero
# (ZeroDivisionError and its traceback), a float power, operands of other
# types (str concatenation, a class with __add__ printing each call), an
# index out of range (IndexError), a negative index, a dict and a str
# subscripted, a sequence of another type, and a list or attribute an
# argument holds alone, released after the call; and while tracemalloc
# traces, which must see each result made in the leaf's frame.
# expect-stats: frameless_calls>1000
import sys
import traceback
import tracemalloc

SIZE = 9


def eval_a(i, j):
    return 1.0 / ((i + j) * (i + j + 1) // 2 + i + 1)


def to_pos(x, y):
    return y * SIZE + x


def scaled(value, factor):
    return value * factor - 0.5


def halves(value):
    return value // 2, value % 2


def item(sequence, index):
    return sequence[index]


def pick(table, row, column):
    return table[row][column] + table[column][row]


def power(base, exponent):
    return base ** exponent


def divide(a, b):
    return a / b


class Cell:
    def __init__(self, cells, position):
        self.cells = cells
        self.position = position

    def neighbour(self, offset):
        return self.cells[self.position + offset]

    def weight(self):
        return self.position * 2 + 1


class Loud:
    def __init__(self, value):
        self.value = value

    def __add__(self, other):
        print("  add", self.value, other, "line", sys._getframe(1).f_lineno)
        return self.value + other

    def __mul__(self, other):
        print("  mul", self.value, other, "line", sys._getframe(1).f_lineno)
        return Loud(self.value * other)


class Tracked(list):
    def __del__(self):
        print("  del tracked list, caller", sys._getframe(1).f_code.co_name)


def hot(rounds):
    total = 0.0
    count = 0
    cells = list(range(20))
    table = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    cell = Cell(cells, 5)
    for n in range(rounds):
        for i in range(5):
            total += eval_a(i, n % 7)
            count += to_pos(i, n % 9) + halves(n)[1]
            total += scaled(i, 0.25) + scaled(n, 3)
            count += item(cells, i) + item((1, 2, 3), i % 3) + pick(table, i % 3, 2)
            count += cell.neighbour(i) + cell.weight()
    return round(total, 6), count


def given_back():
    results = []
    results.append(to_pos(2 ** 62, 3))
    results.append(to_pos(3, 2 ** 62))
    results.append(scaled(10 ** 20, 10 ** 20))
    results.append(halves(-(2 ** 70)))
    results.append(halves(7.5))
    results.append(to_pos("a", "b"))
    try:
        eval_a(-1, 0)
    except ZeroDivisionError:
        results.append(traceback.format_exc().splitlines()[-3:])
    try:
        divide(1.0, 0.0)
    except ZeroDivisionError as error:
        results.append(str(error))
    results.append(divide(7, 2))
    results.append(power(2.0, 0.5))
    results.append(power(3, 4))
    results.append(scaled(2, 3))
    results.append(item("text", 1))
    results.append(item({"a": 1}, "a"))
    results.append(item(range(10), 3))
    results.append(item([1, 2, 3], -1))
    try:
        item([1, 2, 3], 3)
    except IndexError:
        results.append(traceback.format_exc().splitlines()[-3:])
    try:
        item((1, 2), 2 ** 40)
    except IndexError as error:
        results.append(str(error))
    results.append(to_pos(2, Loud(1)))
    results.append(scaled(2.5, 4))
    results.append(Cell(Tracked([7, 8, 9]), 1).neighbour(1))
    results.append(item(Tracked([4, 5]), 0))
    results.append(Cell([1, 2], 0).weight())
    try:
        Cell([1, 2], 0).neighbour(5)
    except IndexError as error:
        results.append(str(error))
    return results


def traced_results():
    tracemalloc.start()
    try:
        results = [scaled(2.5, 4.0), to_pos(10 ** 6, 10 ** 6), eval_a(3, 4)]
        # A float from the free list made before tracemalloc started has no traceback.
        made = [tracemalloc.get_object_traceback(result) for result in results]
        return [where and [frame.lineno for frame in where] for where in made]
    finally:
        tracemalloc.stop()


def main():
    for _ in range(40):
        hot(1)
    print("hot", hot(300))
    for _ in range(40):
        given_back()
    print("given back", given_back())
    print("loud", to_pos(1, Loud(5)))
    print("traced", traced_results())


main()
