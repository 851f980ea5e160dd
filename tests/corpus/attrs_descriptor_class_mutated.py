# A class attribute whose class is mutable (not Py_TPFLAGS_IMMUTABLETYPE)
# can become a descriptor later without the owner's version changing: an
# attribute cache must not keep skipping it (CPython's specializer refuses
# such attributes, MUTABLE). Loads and stores of instance attributes
# shadowing it, and the attribute read from the class. CPython's
# test_opcache test_descriptor_added_after_optimization.
class Descriptor:
    pass


class C:
    x = Descriptor()
    y = Descriptor()

    def __init__(self):
        self.x = 1


def load(o):
    return o.x


def store(o, value):
    o.x = value


def load_class():
    return C.y


o = C()
for i in range(1100):
    assert load(o) == 1
    store(o, 1)
    load_class()
print(load(o), type(load_class()).__name__)
Descriptor.__get__ = lambda self, instance, owner: ("got", instance is None)
Descriptor.__set__ = lambda self, instance, value: print("set", value)
print(load(o), load_class())
store(o, 5)
print(o.__dict__)
del Descriptor.__set__
store(o, 6)
print(load(o), o.__dict__)
del Descriptor.__get__
print(load(o), type(load_class()).__name__)
