"""Class attributes through LOAD_ATTR and LOAD_METHOD on classes: each site
runs ROUNDS times on stable classes (compiled, its cache filled), then sees
every way the cached answer can go stale or must not be cached."""

ROUNDS = 40


class Direction:
    NONE = 0
    FORWARD = 1
    BACKWARD = -1


class Strength:
    REQUIRED = 0
    STRONG = 1
    WEAK = 5

    def __init__(self, level):
        self.level = level

    @staticmethod
    def stronger(a, b):
        return a.level < b.level

    @classmethod
    def named(cls, level):
        return cls(level)

    def weaker_than(self, other):
        return self.level > other.level

    @property
    def doubled(self):
        return self.level * 2


class Derived(Strength):
    EXTRA = "extra"


class Meta(type):
    FORWARD = "from the metaclass"
    label = property(lambda cls: "meta property of " + cls.__name__)


class WithMeta(metaclass=Meta):
    FORWARD = "class value, shadowed? no: the class wins over a plain metaclass attribute"


def read_direction(n):
    total = 0
    for _ in range(n):
        total += Direction.FORWARD - Direction.BACKWARD + Direction.NONE
    return total


def read_forward(cls):
    return cls.FORWARD


def call_on_class(a, b):
    return (
        Strength.stronger(a, b),
        Strength.weaker_than(a, b),
        Strength.named(3).level,
        Derived.stronger(b, a),
        Derived.EXTRA,
        Strength.doubled.__class__.__name__,
    )


def class_levels():
    return (Strength.REQUIRED, Strength.STRONG, Strength.WEAK, Derived.WEAK, Derived.EXTRA)


def dunder_names():
    return (Direction.__name__, Strength.__doc__, Derived.__mro__[1].__name__, WithMeta.label)


def main():
    a, b = Strength(1), Strength(2)
    for _ in range(ROUNDS):
        read_direction(3)
        read_forward(Direction)
        call_on_class(a, b)
        class_levels()
        dunder_names()
    print("read", read_direction(10))
    print("call", call_on_class(a, b))
    print("levels", class_levels())
    print("dunders", dunder_names())

    Direction.FORWARD = 10
    print("rebound on the class", read_direction(2))
    del Direction.NONE
    try:
        read_direction(1)
    except AttributeError as e:
        print("AttributeError:", e)
    Direction.NONE = 100
    print("set again", read_direction(1))

    Strength.WEAK = 50
    print("base class changed", class_levels())
    Derived.WEAK = 500
    print("subclass shadows", class_levels())
    del Derived.WEAK
    print("shadow removed", class_levels())

    Strength.stronger = staticmethod(lambda a, b: "replaced")
    print("static method replaced", call_on_class(a, b))
    Strength.weaker_than = lambda self, other: "plain function"
    print("method replaced", call_on_class(a, b))
    Strength.named = classmethod(lambda cls, level: cls(level * 10))
    print("class method replaced", call_on_class(a, b))

    print("polymorphic", [read_forward(cls) for cls in (Direction, WithMeta, Direction)])
    Derived.FORWARD = "derived"
    print("several classes", [read_forward(cls) for cls in (Direction, Derived, WithMeta, type("Made", (Derived,), {}))])
    print("metaclass", read_forward(WithMeta), WithMeta.label)
    Meta.FORWARD = "metaclass changed"
    print("metaclass changed", read_forward(WithMeta))
    del WithMeta.FORWARD
    print("class attribute gone, the metaclass's shows", read_forward(WithMeta))
    print("instances too", read_forward(Strength(4)) if hasattr(Strength, "FORWARD") else "no FORWARD")
    try:
        read_forward(Strength)
    except AttributeError as e:
        print("AttributeError:", e)
    try:
        read_forward(5)
    except AttributeError as e:
        print("AttributeError:", e)
    Direction.__name__ = "Renamed"
    print("dunders after rename", dunder_names())
    print("done")
