# Invalidation of anything a compiler might cache or specialise: a hot
# function keeps running while the world changes underneath it -- a method
# replaced on the class, an instance attribute shadowing a method, a class
# attribute turned into a property, __class__ reassignment, a base class's
# method changed (MRO lookup), __getattr__ added to a class later, a global
# function rebound, a builtin shadowed then unshadowed via the module dict,
# a module attribute monkeypatched, the type of a local changing between
# int / float / str / custom on the same bytecode, dict-to-subclass swaps,
# and __eq__/__hash__ added to a class after instances were used as keys.
import math


class Shape:
    def area(self):
        return 0

    def describe(self):
        return "%s with area %s" % (type(self).__name__, self.area())


class Square(Shape):
    def __init__(self, s):
        self.s = s

    def area(self):
        return self.s * self.s


class Circle(Shape):
    def __init__(self, r):
        self.r = r

    def area(self):
        return round(math.pi * self.r * self.r, 2)


def hot_area(objs):
    return [o.area() for o in objs]


def hot_describe(o):
    return o.describe()


def helper(x):
    return x + 1


def calls_helper(values):
    return [helper(v) for v in values]


def uses_builtin(values):
    return [abs(v) for v in values]


def uses_module(x):
    return math.sqrt(x)


def polymorphic_add(a, b):
    return a + b


def attr_reader(o):
    return o.value


results = []
squares = [Square(2), Square(3)]
results.append(hot_area(squares))
Square.area = lambda self: -self.s
results.append(hot_area(squares))
del Square.area                       # falls back to Shape.area
results.append(hot_area(squares))
Shape.area = lambda self: "base changed"
results.append(hot_area(squares))
squares[0].area = lambda: "instance attribute"
results.append(hot_area(squares))
print(results)

s = Square(5)
Square.area = lambda self: self.s * self.s
print(hot_describe(s))
s.__class__ = Circle
s.r = 1
print(hot_describe(s))
Shape.describe = lambda self: "patched describe of %s" % type(self).__name__
print(hot_describe(s), hot_describe(Square(1)))


class Thing:
    value = "class value"


t = Thing()
print(attr_reader(t))
t.value = "instance value"
print(attr_reader(t))
del t.value
Thing.value = property(lambda self: "property value")
print(attr_reader(t))
del Thing.value
try:
    attr_reader(t)
except AttributeError as e:
    print("AttributeError:", e)
Thing.__getattr__ = lambda self, name: "__getattr__ for %s" % name
print(attr_reader(t))

print(calls_helper([1, 2]))
helper = lambda x: x * 100  # noqa: E731
print(calls_helper([1, 2]))
globals()["helper"] = lambda x: -x
print(calls_helper([1, 2]))
del globals()["helper"]
try:
    calls_helper([1])
except NameError as e:
    print("NameError:", e)

print(uses_builtin([-1, 2]))
globals()["abs"] = lambda v: "shadowed abs"
print(uses_builtin([-1, 2]))
del globals()["abs"]
print(uses_builtin([-1, 2]))

print(uses_module(16.0))
real_sqrt = math.sqrt
math.sqrt = lambda x: "patched sqrt(%s)" % x
print(uses_module(16.0))
math.sqrt = real_sqrt
print(uses_module(16.0))


class Weird:
    def __radd__(self, other):
        return "Weird.__radd__(%r)" % (other,)


for a, b in [(1, 2), (1.5, 2), ("a", "b"), ([1], [2]), (2 ** 80, 1), (1, Weird()), (True, True),
             ((1,), (2,)), (1, 2)]:
    print(repr(polymorphic_add(a, b)))


class Key:
    def __init__(self, v):
        self.v = v


k1, k2 = Key(1), Key(1)
d = {k1: "k1"}
print(k2 in d)
Key.__eq__ = lambda self, other: isinstance(other, Key) and self.v == other.v
Key.__hash__ = lambda self: hash(self.v)
d2 = {k1: "k1"}
print(k2 in d2, d2[k2])


class Counter(dict):
    def __missing__(self, key):
        return 0


def tally(mapping, words):
    for w in words:
        mapping[w] = mapping[w] + 1
    return sorted(mapping.items())


print(tally(Counter(), "a b a".split()))
try:
    tally({}, "a b a".split())
except KeyError as e:
    print("KeyError:", e)
Shape.area = lambda self: 1 / 0
del Square.area
hot_area([Square(1)])
