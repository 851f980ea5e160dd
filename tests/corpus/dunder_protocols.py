# Special-method protocols reached from compiled code: __len__, __iter__,
# __reversed__, __contains__, __hash__/__eq__ in dicts and sets (including a
# __hash__ that raises and an __eq__ that mutates), __index__ for slicing
# and range, __int__/__float__/__complex__/__round__/__abs__, __call__,
# __repr__/__str__/__format__/__bytes__, __bool__ via __len__, container
# emulation (a full sequence class), __getattr__ proxies, __class_getitem__,
# and multiple inheritance with a diamond MRO and cooperative methods.
import math


class Seq:
    def __init__(self, *items):
        self._items = list(items)

    def __len__(self):
        return len(self._items)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return Seq(*self._items[i])
        return self._items[i]

    def __setitem__(self, i, v):
        self._items[i] = v

    def __iter__(self):
        return iter(self._items)

    def __reversed__(self):
        return iter(self._items[::-1])

    def __contains__(self, x):
        return x in self._items

    def __add__(self, other):
        return Seq(*(self._items + list(other)))

    def __eq__(self, other):
        return isinstance(other, Seq) and self._items == other._items

    def __hash__(self):
        return hash(tuple(self._items))

    def __repr__(self):
        return "Seq(%s)" % ", ".join(map(repr, self._items))


class Key:
    hash_calls = 0
    eq_calls = 0

    def __init__(self, v):
        self.v = v

    def __hash__(self):
        Key.hash_calls += 1
        return self.v % 3  # deliberate collisions

    def __eq__(self, other):
        Key.eq_calls += 1
        return isinstance(other, Key) and self.v == other.v

    def __repr__(self):
        return "Key(%d)" % self.v


class Unhashable:
    def __hash__(self):
        raise TypeError("I refuse to be hashed")


class Num:
    def __init__(self, v):
        self.v = v

    def __index__(self):
        return int(self.v)

    def __int__(self):
        return int(self.v) + 1000

    def __float__(self):
        return self.v + 0.5

    def __complex__(self):
        return complex(self.v, 1)

    def __round__(self, ndigits=None):
        return "rounded(%r, %r)" % (self.v, ndigits)

    def __abs__(self):
        return "abs!"

    def __trunc__(self):
        return 7

    def __floor__(self):
        return "floor!"

    def __ceil__(self):
        return "ceil!"


class Text:
    def __init__(self, s):
        self.s = s

    def __str__(self):
        return "str:" + self.s

    def __repr__(self):
        return "Text(%r)" % self.s

    def __format__(self, spec):
        return "fmt[%s]:%s" % (spec, self.s)

    def __bytes__(self):
        return self.s.encode()


class Proxy:
    def __init__(self, target):
        self._target = target

    def __getattr__(self, name):
        return getattr(self._target, name)

    def __len__(self):
        return len(self._target)


class A:
    def hello(self):
        return ["A"]


class B(A):
    def hello(self):
        return ["B"] + super().hello()


class C(A):
    def hello(self):
        return ["C"] + super().hello()


class D(B, C):
    def hello(self):
        return ["D"] + super().hello()


def sequences():
    s = Seq(3, 1, 2)
    return [len(s), s[0], s[-1], s[1:], list(s), list(reversed(s)), 2 in s, 9 in s, sorted(s),
            s + [4], s == Seq(3, 1, 2), bool(Seq()), bool(s), max(s), sum(s), enumerate(s).__next__(),
            {s: "hashable"}[Seq(3, 1, 2)], [x * 2 for x in s], dict(zip(s, "abc")), tuple(s)]


def hashing():
    d = {}
    for i in range(6):
        d[Key(i)] = i
    found = [d[Key(4)], Key(7) in d, len({Key(1), Key(1), Key(4)})]
    errors = []
    for fn in (lambda: {Unhashable()}, lambda: {Unhashable(): 1}, lambda: Unhashable() in {1: 2},
               lambda: hash(Unhashable()), lambda: hash([1])):
        try:
            fn()
        except TypeError as e:
            errors.append(str(e))
    return found, Key.hash_calls > 0, Key.eq_calls > 0, errors


def numbers():
    n = Num(3.7)
    return [list(range(10))[n], "abcdef"[:n], range(n)[-1], int(n), float(n), complex(n), round(n),
            round(n, 2), abs(n), math.trunc(n), math.floor(n), math.ceil(n), hex(n), bin(Num(5)),
            [0] * Num(2), operator_index(n)]


def operator_index(n):
    import operator
    return operator.index(n)


def text():
    t = Text("hi")
    return [str(t), repr(t), f"{t}", f"{t:>5}", format(t, "x"), "%s|%r" % (t, t), bytes(t),
            [t], str([t]), "{0!s} {0!r} {0:spec}".format(t)]


def proxies_and_mro():
    p = Proxy([1, 2, 3])
    return [p.count(2), p.index(3), len(p), D().hello(), [k.__name__ for k in D.__mro__]]


def errors():
    out = []
    word = "abc"
    cases = [
        ("proxy without target (recursion)", lambda: len(Proxy.__new__(Proxy))),
        ("index float", lambda: word[1.5]),
        ("range of str", lambda: range("3")),
        ("seq index", lambda: Seq(1)[5]),
        ("proxy missing", lambda: Proxy(5).nothing),
        ("bytes of int-like", lambda: bytes(Text)),
    ]
    for label, fn in cases:
        try:
            out.append("%s = %r" % (label, fn()))
        except (TypeError, IndexError, AttributeError, RecursionError) as e:
            out.append("%s -> %s: %s" % (label, type(e).__name__, e))
    return out


print(sequences())
print(hashing())
print(numbers())
print(text())
print(proxies_and_mro())
for line in errors():
    print(line)
print({Unhashable(): "boom"})
