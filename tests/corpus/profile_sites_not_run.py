# Sites the warm-up never reached: each function is compiled after the
# specialising interpreter ran only its first branch, so every adaptive
# instruction of the other branch is still unrun in the profile and gets the
# generic path only (no fast path, no inline cache). Those branches then run
# compiled: arithmetic on ints, floats, strings and mixed numbers (true
# division and a division by zero included), compares feeding a jump and
# stored, attribute loads, stores and method calls on instances, slots and
# modules, globals and builtins (a missing one raising NameError),
# subscripts and unpacking of lists, tuples and dicts, with the errors each
# raises reported at the right line.
# threshold: 20
import math
import traceback

SCALE = 3


class Point:
    def __init__(self, *coordinates):
        self.x, self.y = coordinates

    def norm(self):
        return math.hypot(self.x, self.y)


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self, a):
        self.a = a


def arithmetic(warm, a, b):
    if warm:
        return 0
    total = a + b
    difference = a - b
    product = a * b * SCALE
    quotient = a / b
    less = a < b
    if a >= b:
        less = not less
    return total, difference, product, quotient, less


def attributes(warm, point, slotted):
    if warm:
        return None
    point.x = point.x + 1
    point.z = point.y * 2
    slotted.b = slotted.a
    return point.x, point.z, point.norm(), slotted.b, math.pi > 3, len(str(point.x))


def subscripts(warm, items, mapping):
    if warm:
        return None
    first, second = items[0], items[-1]
    items[0] = second
    left, right = mapping["pair"]
    mapping["sum"] = left + right
    return first, second, items, mapping, undefined_global if items[0] is None else min(items)


for _ in range(40):
    arithmetic(True, 1, 2)
    attributes(True, None, None)
    subscripts(True, None, None)

for a, b in [(7, 2), (2.5, 0.5), (3, 1.5), ("ab", "cd"), (2**70, 3), (1, 0), ("x", 1)]:
    try:
        print("arithmetic", a, b, arithmetic(False, a, b))
    except Exception:
        traceback.print_exc(limit=-1)

for point, slotted in [(Point(1, 2), Slotted(5)), (Point(1.5, -2.0), Slotted("s")), (None, Slotted(1)), (Point(0, 0), Slotted.__new__(Slotted))]:
    try:
        print("attributes", attributes(False, point, slotted))
    except Exception:
        traceback.print_exc(limit=-1)

for items, mapping in [([1, 2, 3], {"pair": (4, 5)}), ((1, 2), {"pair": [1, 2]}), ([1, None], {"pair": "ab"}), ([], {}), ([1], {"pair": (1, 2, 3)})]:
    try:
        print("subscripts", subscripts(False, items, mapping))
    except Exception:
        traceback.print_exc(limit=-1)
