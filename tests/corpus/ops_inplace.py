# In-place operators (BINARY_OP with the INPLACE_* opargs) on locals,
# globals, cells, attributes and subscripts; mutable (list, set, dict,
# bytearray) vs immutable (int, str, tuple, frozenset) left operands and
# aliasing; errors raised half-way through an augmented assignment.

g = 10


class Holder:
    def __init__(self):
        self.n = 1
        self.items = [1]
        self.text = "t"


def ints_and_floats():
    x = 7
    x += 3
    x -= 1
    x *= 4
    x //= 5
    x %= 4
    x **= 3
    x <<= 2
    x >>= 1
    x &= 0b1110
    x |= 0b10001
    x ^= 0b111
    y = 2.5
    y += 1
    y /= 2
    y //= 0.5
    y **= 0.5
    z = 1
    for _ in range(70):
        z *= 3         # crosses into big ints
    z //= 3 ** 65
    return x, y, z


def every_operator_in_place():
    """Each in-place operator on two big ints and on two floats (which the
    inline paths leave to the types' number slots), and the ones float lacks."""
    rows = []
    for a, b in ((3 ** 45, 7 ** 20), (-(2 ** 70), 2 ** 33 + 1), (2.5, -0.75)):
        x = a; x += b; rows.append(x)
        x = a; x -= b; rows.append(x)
        x = a; x *= b; rows.append(x)
        x = a; x /= b; rows.append(x)
        x = a; x //= b; rows.append(x)
        x = a; x %= b; rows.append(x)
        x = a; x **= 2; rows.append(x)
        for name, shift in (("<<=", 3), (">>=", 5)):
            try:
                x = a
                if name == "<<=":
                    x <<= shift
                else:
                    x >>= shift
                rows.append(x)
            except TypeError as error:
                rows.append(str(error))
        for name in ("&=", "|=", "^=", "@="):
            try:
                x = a
                if name == "&=":
                    x &= b
                elif name == "|=":
                    x |= b
                elif name == "^=":
                    x ^= b
                else:
                    x @= b
                rows.append(x)
            except TypeError as error:
                rows.append(str(error))
    return rows


def immutables_rebind():
    s = "ab"
    alias = s
    s += "cd"
    s *= 2
    t = (1,)
    talias = t
    t += (2, 3)
    t *= 2
    fs = frozenset({1})
    falias = fs
    fs |= {2}
    return s, alias, t, talias, sorted(fs), sorted(falias), s is alias, t is talias


def mutables_in_place():
    lst = [1]
    alias = lst
    lst += [2, 3]
    lst += (4,)
    lst += "ab"
    lst *= 2
    st = {1, 2, 3}
    salias = st
    st |= {9}
    st &= {1, 2, 9}
    st -= {1}
    st ^= {2, 7}
    d = {"a": 1}
    dalias = d
    d |= {"b": 2}
    d |= [("c", 3)]
    ba = bytearray(b"xy")
    ba += b"z"
    ba *= 2
    return lst, alias is lst, sorted(st), salias is st, d, dalias is d, ba


def targets():
    global g
    g += 5
    h = Holder()
    h.n += 41
    h.items += [2]
    h.text *= 3
    d = {"k": 1, "lst": [0]}
    d["k"] += 1
    d["lst"] += [1]
    d["new"] = d.get("new", 0) + 1
    m = [[1, 2], [3, 4]]
    m[1][0] *= 10
    m[-1][-1] -= 100
    counter = 0

    def bump():
        nonlocal counter
        counter += 1
        counter **= 2

    bump()
    bump()
    return g, h.n, h.items, h.text, d, m, counter


def tuple_item_gotcha():
    t = ([1],)
    try:
        t[0] += [2]
    except TypeError as e:
        # The list was extended before the store failed.
        return "TypeError: %s; t is now %r" % (e, t)


def errors():
    out = []
    x = 1
    try:
        x += "a"
    except TypeError as e:
        out.append(str(e))
    s = "a"
    try:
        s -= "a"
    except TypeError as e:
        out.append(str(e))
    lst = [1]
    try:
        lst += 5
    except TypeError as e:
        out.append(str(e))
    n = 1
    try:
        n //= 0
    except ZeroDivisionError as e:
        out.append(str(e))
    h = Holder()
    try:
        h.missing += 1
    except AttributeError as e:
        out.append(str(e))
    d = {}
    try:
        d["missing"] += 1
    except KeyError as e:
        out.append("KeyError %s" % e)
    try:
        undefined_local += 1  # noqa: F821
    except UnboundLocalError as e:
        out.append(str(e))
    return out


def accumulate(values):
    total = 0
    for v in values:
        total += v
    return total


print(ints_and_floats())
print(every_operator_in_place())
print(immutables_rebind())
print(mutables_in_place())
print(targets())
print(tuple_item_gotcha())
for line in errors():
    print(line)
print(accumulate(range(100)), accumulate([0.5] * 7), accumulate([[1], [2]]) if False else None)
try:
    accumulate([1, 2, "3"])
except TypeError as e:
    print("caller caught:", e)
print(accumulate([1, None]))
