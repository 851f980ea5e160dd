# LOAD_ATTR sites that expect instance values (nothing profiled them: every
# function here is compiled at its first call) meeting instances that keep
# a dict of their own instead: attributes set in another order than the
# type's shared keys hold, more of them than shared keys take, a dict
# assigned to __dict__, a __dict__ looked at. The slow path then keeps a
# dict-hint entry for the type; it must stop answering when the attribute
# is deleted, moved in the dict, shadowed by a data descriptor the class
# gains, or the instance's dict is replaced, and must never answer for an
# instance of another class or one that keeps values.


class Node:
    def __init__(self, first, *rest):
        if first:
            self.a = 1
            self.b = 2
        else:
            self.b = 20
            self.a = 10
        for i, value in enumerate(rest):
            setattr(self, "extra%d" % i, value)


def read_a(node):
    return node.a


def read_both(node):
    return node.a + node.b


def read_many(nodes):
    return [read_a(n) * 100 + node_b(n) for n in nodes]


def node_b(node):
    return node.b


plain = Node(True)
swapped = Node(False)
wide = Node(False, *range(40))
print([read_a(n) for n in (plain, swapped, wide, swapped, plain, wide)])
print(read_many([swapped, plain, wide] * 3), read_both(swapped), read_both(wide))

del swapped.a
try:
    read_a(swapped)
except AttributeError as error:
    print("AttributeError", error)
swapped.a = 11
print(read_a(swapped), read_both(swapped), list(vars(swapped)))

# The same key at another place of the dict.
moved = Node(False)
print(read_a(moved))
del moved.b
moved.b = 21
print(read_a(moved), node_b(moved), list(vars(moved)))

replaced = Node(False)
print(read_a(replaced))
replaced.__dict__ = {"b": 5, "a": 6}
print(read_a(replaced), read_both(replaced))
replaced.__dict__ = {"a": 7, 1: "not a str key"}
print(read_a(replaced))
looked_at = Node(True)
print(vars(looked_at), read_a(looked_at))


class Other(Node):
    pass


other = Other(False)
print(read_a(other), read_a(swapped), read_a(other), read_a(plain))

Node.a = property(lambda self: "property a")
print([read_a(n) for n in (plain, swapped, wide, other)])
del Node.a
print([read_a(n) for n in (plain, swapped, wide, other)])
Node.a = "class a"
print([read_a(n) for n in (plain, swapped, wide, other, Node.__new__(Node))])


class Shadow:
    def __get__(self, obj, owner):
        return "non-data descriptor"


Node.b = Shadow()
print([node_b(n) for n in (plain, swapped, wide, Node.__new__(Node))])
Shadow.__set__ = lambda self, obj, value: None
print([node_b(n) for n in (plain, swapped, wide)])


def loop(nodes, rounds):
    total = 0
    for _ in range(rounds):
        for n in nodes:
            total += n.extra0 + n.extra39 if hasattr(n, "extra39") else len(str(n.a))
    return total


print(loop([wide, Node(False, *range(40)), plain], 50))
