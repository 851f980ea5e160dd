# Functions whose first call happens while the interpreter finalizes: a
# weakref callback and a __del__ run by the last garbage collection, each
# calling a function that never ran before (compiled then, at threshold 0,
# and named for perf and debuggers with the interpreter half torn down).
import os
import weakref


def doubled(n):
    return n * 2


def on_collect(ref):
    os.write(1, b"weakref callback: %d\n" % doubled(21))


class Finalized:
    def __del__(self):
        os.write(1, b"__del__: %d\n" % sum(doubled(i) for i in range(4)))


class Node:
    pass


node = Node()
node.self = node
node.finalized = Finalized()
watch = weakref.ref(node, on_collect)
del node
print("main done")
