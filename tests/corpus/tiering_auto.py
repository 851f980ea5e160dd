# The default tiering policy (threshold auto): functions are compiled once
# their frames have spent as long in the interpreter as compiling them is
# expected to cost. A small function called many times and a recursive one
# get there during the program; results, exceptions raised from the
# compiled code and tracebacks stay CPython's.
# threshold: auto
# expect-delegated: the import system (frozen importlib)
# expect-stats: native_calls>1000, background_compiles>0


def step(x, y):
    return (x * 31 + y) % 1_000_003


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def checked(value):
    if value < 0:
        raise ValueError(f"negative: {value}")
    return value


acc = 0
for i in range(200_000):
    acc = step(acc, i)
print(acc)
print(fib(22))
for value in range(5000, -2, -1):
    try:
        checked(value)
    except ValueError as e:
        print("caught", e)
checked(-5)
