# LOAD_METHOD sites the interpreter specialised for instances that keep a
# combined dict of their own (LOAD_METHOD_WITH_DICT): compiled code finds
# the method on the type when the instance's dict lacks the name, probing
# the dict's index table as CPython's lookup does. The site warms up on
# one instance, then meets others with their keys in other orders, and
# every way out: the name in the instance's dict (as the same str object
# and as an equal one built at run time), tables with deleted entries, a
# non-str key, too many keys for one-byte indices, a split dict, no dict
# at all, a dict subclass, the method replaced and shadowed by a property,
# and tracing.
# threshold: 30
import sys


class Node:
    def __init__(self, value, *names):
        self.__dict__ = {"value": value}
        for name in names:
            self.__dict__[name] = name

    def get(self):
        return ("get", self.value)


class Sub(Node):
    def get(self):
        return ("Sub.get", self.value)


def call_get(node):
    return node.get()


def call_all(nodes):
    return [call_get(node) for node in nodes]


warm = Node(0, "a", "b")
print("warm", [call_get(warm) for _ in range(40)][-1])

orders = [Node(1, "x"), Node(2, "b", "a", "c"), Node(3, *("k%d" % i for i in range(20)))]
print("other dicts", call_all(orders * 2))

shadowed = Node(4)
shadowed.get = lambda: "instance attribute, same str object"
built = Node(5)
built.__dict__["".join(["g", "e", "t"])] = lambda: "instance attribute, equal str"
print("shadowed", call_all([shadowed, built, warm]))

holes = Node(6, *("h%d" % i for i in range(30)))
for i in range(0, 30, 2):
    delattr(holes, "h%d" % i)
print("deleted entries", call_get(holes), len(vars(holes)))
del shadowed.get
print("shadow deleted", call_get(shadowed))

general = Node(7)
general.__dict__[1] = "int key"
wide = Node(8, *("w%d" % i for i in range(200)))
print("general keys, wide", call_all([general, wide]))


class Plain:
    def __init__(self, value):
        self.value = value

    get = Node.get


split = Plain(9)
vars(split)
print("split dict, values, subclass", call_all([split, Plain(10), Sub(11)]))
fresh = Node.__new__(Node)
try:
    call_get(fresh)
except AttributeError as error:
    print("no dict yet", error)


class LoggingDict(dict):
    def __contains__(self, key):
        print("LoggingDict.__contains__ is not what attribute lookup calls")
        return super().__contains__(key)


odd = Node(12)
odd.__dict__ = LoggingDict(value=12)
print("dict subclass", call_get(odd))

original = Node.get
Node.get = lambda self: ("replaced", self.value)
print("method replaced", call_all([warm, orders[0]]))
Node.get = property(lambda self: lambda: ("property", self.value))
print("property", call_all([warm, orders[1]]))
Node.get = original

calls = []
sys.settrace(lambda frame, event, arg: calls.append(event) or None)
print("traced", call_get(warm))
sys.settrace(None)
print("events", calls)
print("again", call_all(orders))
