# LOAD_ATTR sites meeting attributes of the instance's type
# (helpers::caches::type_attribute_entry): class
# constants, methods (a new bound method each read), properties, class and
# static methods, getters and members of builtin types, read through the
# slow path's type-attribute entry. The entry must stop answering when the
# instance shadows the name (an instance value of that name, a __dict__
# made and written), when the class or a base changes (the attribute
# replaced, deleted, a property set over it, __getattr__ or
# __getattribute__ added), and must never answer for another class at the
# same site. Descriptors of mutable classes, a property whose getter
# removes it from its class, a getter of one builtin type planted in
# another class (its TypeError) and an __slots__ class are reached too.
import sys
import traceback


class Encoder:
    separator = ", "
    scale = 2

    def __init__(self, width):
        self.width = width

    def default(self, value):
        return value * self.scale

    @property
    def area(self):
        return self.width * self.width

    @classmethod
    def kind(cls):
        return cls.__name__

    @staticmethod
    def helper(value):
        return -value


class Sub(Encoder):
    separator = "; "


def read_separator(obj):
    return obj.separator


def read_default(obj):
    return obj.default


def read_area(obj):
    return obj.area


def read_kind(obj):
    return obj.kind


def read_helper(obj):
    return obj.helper


def run_reads(obj, n):
    out = []
    for i in range(n):
        out.append(read_separator(obj))
        method = read_default(obj)
        out.append(method(i))
        out.append(read_area(obj))
        out.append(read_kind(obj)())
        out.append(read_helper(obj)(i))
    return out


e = Encoder(3)
print(run_reads(e, 400)[-5:])
print(run_reads(Sub(4), 400)[-5:])

# Bound methods are new objects bound to the instance they were read from.
m1, m2 = read_default(e), read_default(e)
print(m1 == m2, m1 is m2, m1.__self__ is e, m1.__func__ is Encoder.default)

# The instance gains an instance value of the same name: the shared keys grow.
shadowed = Encoder(5)
for _ in range(300):
    read_separator(shadowed)
shadowed.separator = "own"
print(read_separator(shadowed), read_separator(Encoder(1)))
shadowed.default = lambda value: ("own default", value)
print(read_default(shadowed)(7), read_default(Encoder(1))(7))


# A class whose instances are given a __dict__ and then a name in it.
class Plain:
    constant = "class"


p = Plain()
for _ in range(300):
    read_separator_plain = p.constant
print(read_separator_plain)


def read_constant(obj):
    return obj.constant


for _ in range(300):
    read_constant(p)
d = p.__dict__
print(read_constant(p))
d["constant"] = "instance dict"
print(read_constant(p), read_constant(Plain()))

# The class changes: the constant replaced, deleted, a property over it.
q = Plain()
for _ in range(300):
    read_constant(q)
Plain.constant = "replaced"
print(read_constant(q))
del Plain.constant
try:
    read_constant(q)
except AttributeError:
    traceback.print_exc(file=sys.stdout)
Plain.constant = property(lambda self: "property")
print(read_constant(q))
Plain.__getattr__ = lambda self, name: "from __getattr__"
del Plain.constant
print(read_constant(q))
Plain.__getattribute__ = lambda self, name: "from __getattribute__"
print(read_constant(q))


# A base's method replaced while a subclass's instances read it.
class Base:
    def method(self):
        return "base"


class Derived(Base):
    pass


def read_method(obj):
    return obj.method


dv = Derived()
for _ in range(300):
    read_method(dv)()
Base.method = lambda self: "replaced in base"
print(read_method(dv)())
Derived.method = lambda self: "own in derived"
print(read_method(dv)(), read_method(Base())())


# Properties: one that raises, one whose getter deletes it from its class.
class Tricky:
    @property
    def fails(self):
        raise ValueError("getter failed")

    @property
    def vanishing(self):
        del Tricky.vanishing
        return "last read"


def read_fails(obj):
    return obj.fails


t = Tricky()
for _ in range(3):
    try:
        read_fails(t)
    except ValueError:
        traceback.print_exc(file=sys.stdout)


def read_vanishing(obj):
    return obj.vanishing


t2 = Tricky()
print(read_vanishing(t2))
try:
    read_vanishing(t2)
except AttributeError as exc:
    print("AttributeError", exc)


# Descriptors of mutable classes are looked up every time: one gains
# __set__ and so precedence over the instance's value.
class Described:
    def __get__(self, obj, objtype=None):
        return "described"


class Holder:
    attr = Described()


def read_attr(obj):
    return obj.attr


h = Holder()
for _ in range(300):
    read_attr(h)
h.__dict__["attr"] = "instance"
print(read_attr(h))
Described.__set__ = lambda self, obj, value: None
print(read_attr(h))


# A getter of a builtin type planted in another class checks its instance.
class Planted:
    f_back = type(sys._getframe()).f_back


def read_f_back(obj):
    return obj.f_back


for _ in range(3):
    try:
        read_f_back(Planted())
    except TypeError:
        traceback.print_exc(file=sys.stdout)


# Getters and members of builtin types: frames, code objects, functions.
def frame_walk(n):
    frame = sys._getframe()
    names = []
    for _ in range(n):
        names.append(frame.f_code.co_name)
        names.append(frame.f_lineno > 0)
        names.append(read_default.__name__)
    return names[-3:], frame.f_back.f_code.co_name


print(frame_walk(500))


# __slots__ instances have no dict to shadow a constant.
class Slotted:
    __slots__ = ("x",)
    label = "slotted"

    def __init__(self):
        self.x = 1


def read_label(obj):
    return obj.label


s = Slotted()
print([read_label(s) for _ in range(300)][-1])
Slotted.label = "relabelled"
print(read_label(s))
try:
    s.label = "no"
except AttributeError as exc:
    print("AttributeError", exc)


# One site, several classes in turn.
class A:
    name = "A"


class B:
    name = "B"

    def __init__(self):
        self.other = 1


class C:
    def __init__(self):
        self.name = "C's own"


def read_name(obj):
    return obj.name


objs = [A(), B(), C(), A(), B()]
print([read_name(o) for o in objs * 100][-5:])
