# STORE_ATTR and LOAD_METHOD sites the interpreter kept generic (3.11
# specialises a site for one type, and gives up on owners it cannot
# handle): compiled code keeps one inline-cache entry per type, up to
# four. The sites warm up on owners that make the interpreter give up (an
# instance attribute shadowing the method, a __setattr__ override), then
# meet three classes in turn, a fourth and a fifth (an entry is evicted), a
# class with __slots__, instances with a dict of their own (the method
# found on the type, and shadowed by an instance attribute), a class whose
# method is replaced and whose attribute becomes a property after
# compiling, a __setattr__ override, and attributes and methods deleted.
# threshold: 30


class Base:
    def __init__(self, n):
        self.n = n
        self.total = 0

    def step(self, k):
        return self.n + k


class A(Base):
    pass


class B(Base):
    def __init__(self, n):
        self.extra = "b"
        super().__init__(n)

    def step(self, k):
        return self.n * k


class C(Base):
    def __init__(self, n):
        self.total = 100
        self.n = n

    def step(self, k):
        return -k


class D(Base):
    pass


class E(B):
    pass


class Slotted:
    __slots__ = ("n", "total")

    def __init__(self, n):
        self.n = n
        self.total = 0

    def step(self, k):
        return ("slotted", k)


class OwnDict(Base):
    def __init__(self, n, shadow):
        self.__dict__ = {"n": n, "total": 0}
        if shadow:
            self.step = lambda k: ("shadowed", k)


class Watched(Base):
    def __setattr__(self, name, value):
        object.__setattr__(self, name, (name, value) if name == "total" else value)


class Odd(Base):
    def __init__(self, n):
        super().__init__(n)
        self.step = lambda k: ("odd", k)

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)


def work(obj, k):
    obj.total = obj.step(k)
    return obj.total


def run(objs, rounds):
    out = []
    for r in range(rounds):
        for obj in objs:
            out.append(work(obj, r))
    return out


odd = Odd(0)
print("odd", [work(odd, k) for k in range(40)][-1])
warm = [A(1), B(2), C(3)]
print("warm", run(warm, 20)[-6:])
print("more types", run([A(4), B(5), C(6), D(7), E(8)], 3))
print("slots", run([Slotted(1), A(2)], 3))
print("own dicts", run([OwnDict(1, False), OwnDict(2, True), B(3)], 3))
print("setattr", run([Watched(5), C(1)], 2))


def replaced(self, k):
    return ("replaced", k)


A.step = replaced
print("method replaced", run([A(1), B(2)], 2))


def get_total(self):
    return self._total


def set_total(self, value):
    self._total = ("property", value)


B.total = property(get_total, set_total)
print("property", run([B(1), E(2), A(3)], 2))
c = C(9)
del c.total
print("deleted", run([c], 1))
del C.step
print("inherited again", run([C(1)], 1))
del Base.step
try:
    run([C(1)], 1)
except AttributeError as e:
    print("no method", type(e).__name__, e)
print("after", run(warm[:2], 2))
