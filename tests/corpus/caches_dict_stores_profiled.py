# STORE_ATTR sites the interpreter specialised for instances that keep a
# combined dict of their own (STORE_ATTR_WITH_HINT): compiled code stores
# over the hinted entry of the dict itself. Each site warms up, then meets
# every way out: the name at another place of another instance's dict,
# the name deleted, a dict that the GC does not track given a container
# (and an int, which keeps it untracked), a dict subclass as __dict__, a
# dict with a non-str key, an instance without a dict, the class growing a
# property and a __setattr__, and an old value whose finalizer reads the
# attribute back. Each store gives the dict a new PEP 509 version.
# threshold: 30
import ctypes
import gc
import sys

# PyDictObject: ob_refcnt, ob_type, ma_used, then ma_version_tag.
VERSION_OFFSET = 3 * ctypes.sizeof(ctypes.c_ssize_t)


def dict_version(d):
    return ctypes.c_uint64.from_address(id(d) + VERSION_OFFSET).value


class Node:
    def __init__(self, a):
        self.__dict__ = {"a": a, "b": None}


class Padded(Node):
    pass


def set_both(node, n):
    node.a = n
    node.b = (n, "pair")
    return node


def set_a(node, value):
    node.a = value


def warm(nodes, rounds):
    for n in range(rounds):
        for node in nodes:
            set_both(node, n)
            set_a(node, n + 1)
    return [sorted(vars(node).items()) for node in nodes]


nodes = [Node(i) for i in range(4)]
print("warm", warm(nodes, 20))

# Versions: a new one at every store, never one seen before.
seen = set()
node = nodes[0]
for value in range(5):
    before = dict_version(vars(node))
    set_a(node, value)
    after = dict_version(vars(node))
    print("version changed", after != before, after not in seen, node.a)
    seen.update((before, after))

# The name at another place of the dict: the hint moves, and back.
other = Node(0)
other.__dict__ = {"pad": 1, "b": 2, "a": 3}
for node in (other, nodes[1], other, nodes[1]):
    set_a(node, "moved")
    print("moved", sorted(vars(node).items()))

# The name deleted, then set again (at the end of the dict).
deleted = Node(5)
del deleted.a
set_a(deleted, "back")
print("deleted and set", list(vars(deleted).items()))
set_a(deleted, "again")
print("set again", list(vars(deleted).items()))

# A dict the GC does not track: an int keeps it untracked, a tuple of a
# list starts tracking it.
fresh = Node(1)
print("fresh dict tracked", gc.is_tracked(vars(fresh)))
set_a(fresh, 7)
print("after an int", gc.is_tracked(vars(fresh)), fresh.a)
set_a(fresh, ([],))
print("after a container", gc.is_tracked(vars(fresh)), fresh.a)


class LoggingDict(dict):
    def __setitem__(self, key, value):
        print("LoggingDict.__setitem__ is not what object.__setattr__ calls")
        super().__setitem__(key, value)


odd = Node(2)
odd.__dict__ = LoggingDict(a=1, b=2)
set_a(odd, "subclass")
print("dict subclass", type(vars(odd)).__name__, sorted(vars(odd).items()))

general = Node(3)
general.__dict__ = {"a": 1, 5: "int key"}
set_a(general, "general keys")
print("general keys", general.a, vars(general)[5])

bare = Node.__new__(Node)
set_a(bare, "no dict yet")
print("no dict", vars(bare))

padded = Padded(4)
set_a(padded, "subclass instance")
print("subclass instance", vars(padded))


class Noisy:
    def __init__(self, owner):
        self.owner = owner

    def __del__(self):
        print("finalizer sees", self.owner.a)


holder = Node(0)
set_a(holder, Noisy(holder))
set_a(holder, "replaced")
print("after finalizer", holder.a)

Node.a = property(lambda self: "property a", lambda self, value: print("property set", value))
set_a(nodes[2], "through the property")
print("property", nodes[2].a, vars(nodes[2])["a"])
del Node.a
Node.__setattr__ = lambda self, name, value: print("__setattr__", name, value)
set_a(nodes[3], "through __setattr__")
del Node.__setattr__
set_a(nodes[3], "plain again")
print("after", sorted(vars(nodes[3]).items()))

# Tracing switched on over a warm site.
calls = []
sys.settrace(lambda frame, event, arg: calls.append(event) or None)
set_a(nodes[0], "traced")
sys.settrace(None)
print("traced", nodes[0].a, calls)
print("final", warm(nodes, 2))
