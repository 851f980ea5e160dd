# Class bodies: LOAD_BUILD_CLASS, class body execution order and LOAD_NAME /
# STORE_NAME in class namespaces, metaclasses (__prepare__, __new__,
# __init__, __call__), __init_subclass__ with keyword arguments,
# __set_name__, zero-argument super() in methods / classmethods /
# staticmethod-free nested classes / __init_subclass__, the __class__ cell
# (read explicitly), super() failures (RuntimeError), class-level
# comprehension scoping, classes created inside functions (closures over
# function locals), and errors in class bodies and metaclasses.

ORDER = []


class RecordingDict(dict):
    def __setitem__(self, key, value):
        if not key.startswith("__"):
            ORDER.append(key)
        super().__setitem__(key, value)


class Meta(type):
    @classmethod
    def __prepare__(mcls, name, bases, **kwargs):
        ORDER.append("prepare %s kwargs=%r" % (name, sorted(kwargs)))
        return RecordingDict()

    def __new__(mcls, name, bases, ns, **kwargs):
        ORDER.append("new %s" % name)
        cls = super().__new__(mcls, name, bases, dict(ns))
        cls.created_by = mcls.__name__
        return cls

    def __init__(cls, name, bases, ns, **kwargs):
        ORDER.append("init %s" % name)
        super().__init__(name, bases, ns)

    def __call__(cls, *args, **kwargs):
        ORDER.append("call %s%r" % (cls.__name__, args))
        instance = super().__call__(*args, **kwargs)
        instance.via_meta = True
        return instance


class Managed(metaclass=Meta, flavor="x"):
    b = 1
    a = 2

    def method(self):
        return "managed"

    c = a + b


class Field:
    def __set_name__(self, owner, name):
        self.owner = owner.__name__
        self.name = name
        ORDER.append("set_name %s.%s" % (owner.__name__, name))

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return "%s.%s of %s" % (self.owner, self.name, type(obj).__name__)


class PluginBase:
    registry = []

    def __init_subclass__(cls, /, name=None, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.plugin_name = name or cls.__name__.lower()
        PluginBase.registry.append(cls.plugin_name)


class Alpha(PluginBase, name="first"):
    field_one = Field()
    field_two = Field()


class Beta(PluginBase):
    pass


class Animal:
    def __init__(self, name):
        self.name = name

    def speak(self):
        return "%s makes a sound" % self.name

    @classmethod
    def create(cls, name):
        return cls(name)

    def who(self):
        return __class__.__name__  # the __class__ cell: the defining class


class Dog(Animal):
    def __init__(self, name, breed):
        super().__init__(name)
        self.breed = breed

    def speak(self):
        return super().speak() + " (woof, %s)" % self.breed

    @classmethod
    def create(cls, name):
        inst = super().create.__func__(cls, name) if False else None
        return inst or cls(name, "mutt")

    def who(self):
        return "%s < %s" % (__class__.__name__, super().who())

    class Collar:
        def __init__(self, color):
            self.color = color

        def describe(self):
            return "collar %s (%s)" % (self.color, __class__.__qualname__)

    class FancyCollar(Collar):
        def describe(self):
            return "fancy " + super().describe()


class Puppy(Dog):
    def speak(self):
        base = super().speak
        return base() + " [puppy]"


def super_errors():
    out = []

    def no_args_function():
        return super()

    try:
        no_args_function()
    except RuntimeError as e:
        out.append("RuntimeError: %s" % e)

    class C:
        def static_like():
            return super()

        def lost_self(self):
            del self
            return super().__repr__()

    try:
        C.static_like()
    except RuntimeError as e:
        out.append("RuntimeError: %s" % e)
    try:
        C().lost_self()
    except RuntimeError as e:
        out.append("RuntimeError: %s" % e)
    try:
        super(int, "str")
    except TypeError as e:
        out.append("TypeError: %s" % e)
    return out


def make_class(greeting):
    prefix = greeting.upper()

    class Greeter:
        greeting_attr = prefix  # reads the enclosing cell (LOAD_CLASSDEREF)

        def greet(self, who):
            return "%s, %s!" % (prefix, who)

    return Greeter


class Scoping:
    values = [1, 2, 3]
    factor = 10
    doubled = [v * 2 for v in values]         # outermost iterable: class scope
    try:
        scaled = [v * factor for v in values]  # body: cannot see `factor`
    except NameError as e:
        scaled = "NameError: %s" % e
    del factor


def body_errors():
    out = []
    try:
        class Broken:
            x = 1
            y = undefined_name_in_class  # noqa: F821
    except NameError as e:
        out.append("class body: %s" % e)
    try:
        class Bad(5):
            pass
    except TypeError as e:
        out.append("bad base: %s" % e)
    try:
        class Conflict(int, str):
            pass
    except TypeError as e:
        out.append("layout: %s" % e)

    class FailingMeta(type):
        def __new__(mcls, name, bases, ns):
            raise ValueError("metaclass refused %s" % name)

    try:
        class Refused(metaclass=FailingMeta):
            pass
    except ValueError as e:
        out.append(str(e))
    try:
        class Kw(PluginBase, unknown_kw=1):
            pass
    except TypeError as e:
        out.append("init_subclass: %s" % e)
    return out


print(Managed.created_by, Managed.c, Managed().via_meta, Managed().method())
print(ORDER)
ORDER.clear()
a = Alpha()
print(a.field_one, a.field_two, Alpha.plugin_name, Beta.plugin_name, PluginBase.registry, ORDER)
d = Dog("Rex", "lab")
print(d.speak(), "|", Dog.create("Fido").breed, "|", d.who(), "|", Animal("x").who())
print(Puppy("Bit", "pug").speak())
print(Dog.Collar("red").describe(), "|", Dog.FancyCollar("gold").describe())
print(super_errors())
G = make_class("hello")
print(G().greet("world"), G.greeting_attr, G.__qualname__)
print(Scoping.doubled, Scoping.scaled, hasattr(Scoping, "factor"))
print(body_errors())
print([c.__name__ for c in Puppy.__mro__])


class Incomplete(metaclass=Meta):
    ready = True
    missing = also_undefined_in_class  # noqa: F821
