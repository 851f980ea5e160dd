# Builtin calls whose arguments are locals or constants (borrowed-operands
# with direct-builtin-calls): the C function gets them without references
# of their own on the fast path, and the generic path, where a guard fails,
# gives them references before the call consumes the window. The reference
# counts of the arguments must move exactly as under CPython: not at all
# for a call that keeps nothing, by one for each reference the callee keeps
# (a Python function bound to the builtin's name, a list subclass's
# append), and not at all when the call raises.
# threshold: 30
import sys


class Token:
    def __repr__(self):
        return "Token()"


def calls(token, table):
    total = len(table)
    total += isinstance(token, Token)
    total += id(token) != 0
    total += table.get(token, 0)
    return total


def appends(items, token):
    items.append(token)
    items.append("constant")
    return len(items)


def measure(label, call, *objects):
    before = [sys.getrefcount(o) for o in objects]
    try:
        result = call()
    except Exception as error:
        result = "raised %s: %s" % (type(error).__name__, error)
    moved = [sys.getrefcount(o) - b for o, b in zip(objects, before)]
    print(label, result, "references moved by", moved)


token = Token()
table = {token: 5}
for turn in range(60):
    calls(token, table)
    appends([], token)
measure("warm", lambda: calls(token, table), token, table)
measure("warm appends", lambda: appends([], token), token)

kept = []


def keep(value, *rest):
    kept.append(value)
    return 1


len = keep
measure("len rebound to a function that keeps its argument", lambda: calls(token, table), token, table)
isinstance = keep
measure("isinstance rebound too", lambda: calls(token, table), token, table)
id = keep
measure("id rebound too", lambda: calls(token, table), token, table)
print("kept", kept)
del len, isinstance, id
kept.clear()
measure("builtins back", lambda: calls(token, table), token, table)


class Table(dict):
    def get(self, key, default=None):
        kept.append(key)
        return 2


measure("dict subclass overriding get", lambda: calls(token, Table(table)), token)
print("kept", kept)
kept.clear()


class Items(list):
    def append(self, value):
        kept.append(value)


measure("list subclass overriding append", lambda: appends(Items(), token), token)
print("kept", kept)
kept.clear()
measure("unhashable key", lambda: calls([1], table), table)
measure("len of an int", lambda: calls(token, 3), token)
measure("appends to a tuple", lambda: appends((), token), token)
