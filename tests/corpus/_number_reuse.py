# The body of ops_number_reuse*.py: numbers that compiled arithmetic reuses
# instead of making new ones (codegen::ops::numeric::box_float, box_int;
# without a profile helpers::operators::int_into_local and float_into_local):
# the float or int in the local a result is stored to when the local holds
# its only reference, and sole-reference float operands; never an object
# anything else can see (aliases, containers, locals() snapshots), never a
# subclass, never while tracemalloc traces, never where the result is a
# cached small int or needs another digit. And `float ** number` through
# libm's pow, with every case that float_pow treats specially left to it.
# A float result stored to a list item is written into the float there
# when only the list holds it (codegen::ops::numeric::reuse_stored_float):
# never one an alias, a local or another item still holds, never a
# subclass or an int, never while tracemalloc traces. Attribute stores of
# float results (instance values and slots), which always make a new
# float, check the same cases.
import tracemalloc


class Half(float):
    pass


def accumulate(n):
    x = 1.0
    total = 0.0
    for i in range(n):
        x = x * 1.0001
        total += x
        x = x - 0.00005
    return x, total


def aliases():
    x = 2.0
    alias = x
    x = x * 3.0
    kept = [x]
    x = x + 1.0
    x = x * x
    snapshot = locals()
    x = x - 0.5
    return x, alias, kept, snapshot["x"], locals()["x"]


def targets(a, b):
    fresh = a * b
    number = 7
    number = number * a
    text = "text"
    text = a - b
    sub = Half(1.0)
    sub = a + b
    return fresh, number, text, sub, type(sub).__name__


def shared_with_caller(values):
    x = values[0]
    x = x * 2.0
    return x


def int_counters(n):
    x = 1000
    alias = x
    small = 200
    for i in range(n):
        x = x + 7
        x = x - 3
    kept = [x]
    x = x * 2
    down = 300
    down = down - 100
    negative = -1000
    negative = negative * 3
    wide = 2**30 - 1
    wide = wide + 1
    big = 2**40
    big = n - 5000
    zero = 5000
    zero = zero - 5000
    return x, alias, kept, down, down is small, negative, wide, big, zero, zero is int("0")


def generator(n):
    x = 0.5
    for i in range(n):
        x = x * 2.0
        yield x


def traced_line(x):
    y = x * 2.0
    y = y * 2.0
    return tracemalloc.get_object_traceback(y)[0].lineno


class Values:
    def __init__(self, x):
        self.x = x


class Slots:
    __slots__ = ("x", "y")

    def __init__(self, x):
        self.x = x


def scale_values(owner, d):
    owner.x /= d
    owner.x = owner.x * d + 0.5
    return owner.x


def scale_slots(owner, d):
    owner.x /= d
    owner.x = owner.x * d + 0.5
    return owner.x


def scale_items(items, d):
    items[0] /= d
    items[1] = items[1] * d - items[0]
    items[-1] += d
    return items


def attribute_stores():
    plain, slotted = Values(3.0), Slots(3.0)
    results = [scale_values(plain, 4.0), scale_slots(slotted, 4.0)]
    alias, slot_alias = plain.x, slotted.x
    results += [scale_values(plain, 0.5), scale_slots(slotted, 0.5), alias, slot_alias]
    for owner in (Values(Half(6.0)), Values(6), Slots(Half(6.0)), Slots(6), Values(-0.0)):
        results.append((scale_values(owner, 2.0) if isinstance(owner, Values) else scale_slots(owner, 2.0),
                        type(owner.x).__name__))
    unset = Slots(1.0)
    unset.y = 2.5
    unset.y = unset.y * 2.0
    results.append(unset.y)
    return results


def normalize(owner):
    # The locals keep the attributes' floats: each store makes a new one.
    x = owner.x
    owner.x /= 2.0
    return x, owner.x


def item_stores():
    items = [3.0, 1.5, 7.0]
    results = [list(scale_items(items, 2.0))]
    first = items[0]
    results.append((list(scale_items(items, 4.0)), first))
    shared = 2.0 * 1.25
    twice = [shared, shared, 9.0]
    del shared
    results.append(list(scale_items(twice, 0.5)))
    mixed = [Half(4.0), 5, 6.0]
    results.append([(item, type(item).__name__) for item in scale_items(mixed, 2.0)])
    return results


def traced_attribute(owner):
    owner.x = owner.x * 2.0
    return owner.x


def traced_item(items):
    items[0] = items[0] * 2.0
    return items[0]


def powers(base, exponent):
    try:
        return base**exponent
    except (OverflowError, ZeroDivisionError, ValueError) as e:
        return f"{type(e).__name__}: {e}"


def pow_loop(n):
    total = 0.0
    for i in range(1, n):
        d = i * 0.01
        total += d ** -1.5 + d**2 + d**0.5
    return total


def main(warm_up=0):
    """Runs every case, after `warm_up` silent rounds (which let the
    specialising interpreter profile the functions first)."""
    for _ in range(warm_up):
        run_cases(lambda *args: None)
    run_cases(print)


def run_cases(report):
    report("accumulate", accumulate(2000))
    report("aliases", aliases())
    report("targets", targets(1.5, 0.25))
    values = [4.0]
    report("int counters", int_counters(100))
    report("shared with caller", shared_with_caller(values), values)
    report("generator", list(generator(8)))
    # Temporaries' and locals' floats are reused only while tracemalloc
    # does not trace: traced, each result is a new float made on its line
    # (the free list drained first: floats taken from it are not traced).
    drain = [i * 1.5 for i in range(300)]
    tracemalloc.start(1)
    line = traced_line(3.0)
    tracemalloc.stop()
    report("traced line", line - traced_line.__code__.co_firstlineno, len(drain))
    report("attribute stores", attribute_stores())
    report("normalize", normalize(Values(5.0)), normalize(Slots(5.0)))
    report("item stores", item_stores())
    drains = [drain]
    for store, place in ((traced_attribute, Values(1.5)), (traced_item, [2.5])):
        store(place)
        drains.append([i * 1.5 for i in range(300)])
        tracemalloc.start(1)
        line = tracemalloc.get_object_traceback(store(place))[0].lineno
        tracemalloc.stop()
        report("traced store", store.__name__, line - store.__code__.co_firstlineno, len(drains))
    cases = [
        (2.0, 3), (2.0, 0.5), (4.0, -1.5), (2.0, -1074.0), (1e-300, 2.0),
        (1e300, 2.0), (10.0, 400.0), (-8.0, 1 / 3), (-2.0, 2.0), (0.0, -1.0),
        (0.0, 2.0), (-0.0, 3.0), (float("inf"), 2.0), (float("-inf"), 3.0),
        (float("nan"), 0.0), (float("nan"), 2.0), (2.0, float("nan")),
        (1.0, float("inf")), (0.5, float("inf")), (2.0, float("-inf")),
        (1.0, float("nan")), (2.0, True), (3, 2.0), (2.0, 10**400), (Half(2.0), 2.0),
        (2.0, Half(3.0)), (1.5, 0), (1.5, -3), (2.0, 1023), (2.0, 1024),
    ]
    for base, exponent in cases:
        report("pow", repr(base), repr(exponent) if not isinstance(exponent, int) or abs(exponent) < 10**6 else "big", powers(base, exponent))
    report("pow loop", pow_loop(300))

