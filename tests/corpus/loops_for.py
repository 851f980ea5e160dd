# for loops: GET_ITER / FOR_ITER over lists, tuples, strings, ranges
# (incl. negative steps and big bounds), dicts and their views, sets (of
# ints), generators, custom iterators (__iter__/__next__), the old
# __getitem__ protocol, iterators that raise part-way, break / continue /
# else, nested loops with break out of the inner one, return from inside a
# loop, mutation of a list while iterating, and non-iterable errors.


class Countdown:
    def __init__(self, start):
        self.current = start

    def __iter__(self):
        return self

    def __next__(self):
        if self.current <= 0:
            raise StopIteration
        self.current -= 1
        return self.current + 1


class Squares:
    def __getitem__(self, i):
        if i >= 5:
            raise IndexError("done")
        return i * i


class Faulty:
    def __init__(self, fail_at):
        self.fail_at = fail_at
        self.i = 0

    def __iter__(self):
        return self

    def __next__(self):
        self.i += 1
        if self.i == self.fail_at:
            raise RuntimeError("iterator failed at %d" % self.i)
        if self.i > 5:
            raise StopIteration
        return self.i


class BadIter:
    def __iter__(self):
        return 42


def gen(n):
    for i in range(n):
        yield i * 10


def basics():
    out = []
    for x in [1, 2, 3]:
        out.append(x)
    for ch in "hey":
        out.append(ch)
    for t in (None, True):
        out.append(t)
    for i in range(10, 0, -3):
        out.append(i)
    for i in range(2 ** 64, 2 ** 64 + 2):
        out.append(i)
    for k in {"one": 1, "two": 2}:
        out.append(k)
    for k, v in {"one": 1, "two": 2}.items():
        out.append((k, v))
    for v in {"one": 1, "two": 2}.values():
        out.append(v)
    for s in {3, 1, 2}:
        out.append(s)
    for g in gen(3):
        out.append(g)
    for c in Countdown(3):
        out.append(c)
    for sq in Squares():
        out.append(sq)
    for i, ch in enumerate("ab", start=1):
        out.append((i, ch))
    for a, b in zip([1, 2, 3], "xyz"):
        out.append(a * b)
    for r in reversed([1, 2, 3]):
        out.append(r)
    for _ in range(0):
        out.append("never")
    return out


def control_flow():
    out = []
    for i in range(10):
        if i % 2:
            continue
        if i == 8:
            break
        out.append(i)
    else:
        out.append("else-not-reached")
    for i in range(3):
        out.append(i)
    else:
        out.append("else-reached")
    for i in []:
        pass
    else:
        out.append("else-empty")
    for i in range(3):
        for j in range(3):
            if j == i:
                break
            out.append((i, j))
        else:
            out.append("inner-else")
    for i in range(5):
        try:
            if i == 1:
                continue
            if i == 3:
                break
            out.append("body %d" % i)
        finally:
            out.append("finally %d" % i)
    return out


def find_first(items, pred):
    for item in items:
        if pred(item):
            return item
    return None


def mutate_while_iterating():
    lst = [1, 2, 3, 4, 5, 6]
    seen = []
    for x in lst:
        seen.append(x)
        if x % 2 == 0:
            lst.remove(x)
    d = {"a": 1}
    try:
        for k in d:
            d["b"] = 2
    except RuntimeError as e:
        seen.append(str(e))
    s = {1}
    try:
        for k in s:
            s.add(k + 1)
    except RuntimeError as e:
        seen.append(str(e))
    return seen, lst


def loop_variable_leaks():
    for i in range(4):
        pass
    for j, k in [(1, 2)]:
        pass
    return i, j, k


def errors():
    out = []
    for label, iterable in [("int", 5), ("None", None), ("BadIter", BadIter()),
                            ("float", 1.5)]:
        try:
            for _ in iterable:
                pass
        except TypeError as e:
            out.append("%s -> %s" % (label, e))
    total = 0
    try:
        for v in Faulty(3):
            total += v
    except RuntimeError as e:
        out.append("faulty after total=%d: %s" % (total, e))
    return out


def sum_iter(it):
    total = 0
    for v in it:
        total += v
    return total


def caller():
    try:
        return sum_iter(Faulty(4))
    except RuntimeError as e:
        return "caller caught: %s" % e


print(basics())
print(control_flow())
print(find_first(range(100), lambda v: v * v > 50), find_first("abc", str.isdigit))
print(mutate_while_iterating())
print(loop_variable_leaks())
for line in errors():
    print(line)
print(sum_iter(Faulty(99)), sum_iter(gen(5)), sum_iter(Squares()), caller())
# module-level loops too
acc = []
for n in Countdown(4):
    if n == 2:
        continue
    acc.append(n)
else:
    acc.append("done")
print(acc)
print(sum_iter(Faulty(2)))
