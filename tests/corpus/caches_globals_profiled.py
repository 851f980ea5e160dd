# LOAD_GLOBAL sites the interpreter specialised (LOAD_GLOBAL_MODULE,
# LOAD_GLOBAL_BUILTIN) compile to entries pinned by the dicts' keys
# versions and the name's position, so globals stored in a hot loop keep
# their sites cached; then globals deleted and added, a builtin shadowed
# and unshadowed, builtins changed, and the same code run with copied
# globals (keys with the same version, other values) and with a dict
# subclass as globals.
# threshold: 30
# expect-stats: compiled>3
import builtins
import types

COUNTER = 0
STEP = 1


def tick(n):
    global COUNTER
    for _ in range(n):
        COUNTER += STEP
    return COUNTER


def measure(items):
    return len(items) + STEP


def read_step():
    try:
        return STEP
    except NameError as error:
        return f"NameError: {error}"


def read_len():
    try:
        return len([1, 2, 3])
    except NameError as error:
        return f"NameError: {error}"


class Tracing(dict):
    def __getitem__(self, key):
        return super().__getitem__(key)


def main():
    global STEP, COUNTER
    for _ in range(40):
        tick(3)
        measure([1])
        read_step()
        read_len()
    print("warm", tick(5), measure([1, 2]), read_step(), read_len())
    STEP = 10
    print("stored", tick(2), measure([]), read_step())
    del globals()["STEP"]
    print("deleted", read_step())
    globals()["STEP"] = 7
    print("restored", read_step(), measure([1]))
    globals()["NEW_NAME"] = 1
    print("keys grew", read_step(), tick(1), read_len())
    globals()["len"] = lambda items: 100
    print("builtin shadowed", read_len(), measure([1]))
    del globals()["len"]
    print("shadow removed", read_len(), measure([1]))
    real_len = builtins.len
    builtins.len = lambda items: -1
    print("builtin replaced", read_len())
    builtins.len = real_len
    del builtins.len
    try:
        print("builtin deleted", read_len())
    finally:
        builtins.len = real_len
    print("builtin back", read_len())
    copied = dict(globals())
    copied["STEP"] = 1000
    clone = types.FunctionType(read_step.__code__, copied)
    print("copied globals", clone(), read_step())
    odd = Tracing(globals())
    odd["STEP"] = -5
    print("dict subclass globals", types.FunctionType(read_step.__code__, odd)(), read_step())
    COUNTER = 0
    for _ in range(5):
        tick(2)
    print("counter", COUNTER)


main()
