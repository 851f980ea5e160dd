# Methods and descriptors: LOAD_METHOD on functions / classmethods /
# staticmethods / builtin methods, properties (getter/setter/deleter, raising
# errors), data vs non-data descriptors, __set_name__-free descriptors,
# __getattr__ fallback, __getattribute__ override, __setattr__/__delattr__
# hooks, and bound methods stored in variables.


class Celsius:
    def __init__(self, degrees):
        self._c = degrees

    @property
    def celsius(self):
        return self._c

    @celsius.setter
    def celsius(self, value):
        if value < -273.15:
            raise ValueError("below absolute zero: %r" % (value,))
        self._c = value

    @celsius.deleter
    def celsius(self):
        print("  deleting celsius")
        del self._c

    @property
    def fahrenheit(self):
        return self._c * 9 / 5 + 32

    @property
    def broken(self):
        return self._missing_attribute


class Typed:
    """Data descriptor (defines __get__ and __set__)."""

    def __init__(self, name, kind):
        self.name = name
        self.kind = kind

    def __get__(self, obj, objtype=None):
        if obj is None:
            return "Typed<%s>" % self.name
        return obj.__dict__.get(self.name, "unset-" + self.name)

    def __set__(self, obj, value):
        if not isinstance(value, self.kind):
            raise TypeError("%s must be %s, got %s"
                            % (self.name, self.kind.__name__, type(value).__name__))
        obj.__dict__[self.name] = value

    def __delete__(self, obj):
        obj.__dict__.pop(self.name, None)
        print("  deleted", self.name)


class Lazy:
    """Non-data descriptor: the instance dict wins after the first access."""

    def __init__(self, fn):
        self.fn = fn
        self.calls = 0

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        self.calls += 1
        value = self.fn(obj)
        obj.__dict__[self.fn.__name__] = value
        return value


class Record:
    count = Typed("count", int)
    label = Typed("label", str)

    def __init__(self, n):
        self.n = n

    @Lazy
    def expensive(self):
        return self.n * 100

    def method(self, k):
        return self.n + k

    @classmethod
    def make(cls, n):
        return cls(n)

    @staticmethod
    def helper(a, b):
        return a * b

    def __repr__(self):
        return "Record(%r)" % (self.n,)


class Dynamic:
    known = "class attribute"

    def __init__(self):
        self.real = "instance attribute"

    def __getattr__(self, name):
        if name.startswith("dyn_"):
            return "dynamic:" + name[4:]
        raise AttributeError("%r has no %r (custom)" % (type(self).__name__, name))


class Watched:
    def __init__(self):
        object.__setattr__(self, "log", [])

    def __setattr__(self, name, value):
        self.log.append("set %s=%r" % (name, value))
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        self.log.append("del %s" % name)
        object.__delattr__(self, name)

    def __getattribute__(self, name):
        if name == "secret":
            raise AttributeError("secret is hidden")
        return object.__getattribute__(self, name)


def properties():
    t = Celsius(100)
    out = [t.celsius, t.fahrenheit]
    t.celsius = 37
    out.append(t.fahrenheit)
    try:
        t.celsius = -300
    except ValueError as e:
        out.append("setter raised: %s" % e)
    try:
        t.fahrenheit = 1
    except AttributeError as e:
        out.append("read-only: %s" % e)
    try:
        t.broken
    except AttributeError as e:
        out.append("getter raised: %s" % e)
    del t.celsius
    try:
        t.celsius
    except AttributeError as e:
        out.append("after delete: %s" % e)
    return out


def descriptors():
    r = Record(3)
    out = [Record.count, r.count]
    r.count = 5
    r.label = "five"
    out += [r.count, r.label]
    try:
        r.count = "not an int"
    except TypeError as e:
        out.append(str(e))
    del r.count
    out.append(r.count)
    out.append(r.expensive)
    out.append(r.expensive)
    out.append(Record.__dict__["expensive"].calls)
    return out


def methods():
    r = Record.make(10)
    bound = r.method
    out = [r.method(1), bound(2), Record.method(r, 3), Record.helper(4, 5), r.helper(6, 7)]
    make = Record.make
    out.append(make(99))
    out.append(bound.__self__)
    out.append(bound.__func__.__name__)
    # builtin methods, looked up and stored
    data = [3, 1, 2]
    push = data.append
    for v in (9, 8):
        push(v)
    data.sort()
    out.append(data)
    join = ", ".join
    out.append(join(["a", "b", "c"]))
    # calling a method through the class without self
    try:
        Record.method(1)
    except TypeError as e:
        out.append(str(e))
    return out


def dynamic():
    d = Dynamic()
    out = [d.known, d.real, d.dyn_thing, getattr(d, "dyn_other")]
    try:
        d.missing
    except AttributeError as e:
        out.append(str(e))
    out.append(getattr(d, "missing", "fallback"))
    out.append(hasattr(d, "dyn_x"))
    return out


def watched():
    w = Watched()
    w.a = 1
    w.b = [w.a]
    del w.a
    try:
        w.secret
    except AttributeError as e:
        w.log.append("get secret: %s" % e)
    try:
        del w.nothing
    except AttributeError as e:
        w.log.append("del missing: %s" % e)
    return w.log


def caller(fn):
    try:
        return fn()
    except Exception as e:
        return "caller caught %s: %s" % (type(e).__name__, e)


for fn in (properties, descriptors, methods, dynamic, watched):
    print(fn.__name__)
    for item in caller(fn):
        print("  ", item)
print(caller(lambda: Celsius(1).broken))
print(caller(lambda: Dynamic().not_dynamic))
print(caller(lambda: setattr(Record(1), "label", 42)))
