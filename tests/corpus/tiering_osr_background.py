# Loop tiering with the automatic threshold: the compile a long loop asks
# for runs on the compiler thread while the frame goes on in the
# interpreter, and a later loop sample moves the frame into the finished
# code at a loop header. The function is called once, so only that move
# makes it native; its result, and an exception raised after the move
# (traceback line), stay CPython's.
# threshold: auto
# expect-delegated: the import system (frozen importlib)
# expect-stats: osr_entries>0, background_compiles>0
# timeout: 240


def mix(n):
    acc = 0
    for i in range(n):
        acc = (acc * 33 + (i ^ (i >> 2))) % 1_000_000_007
    if acc > 0:
        raise ArithmeticError(f"mixed {n} values into {acc}")
    return acc


try:
    mix(3_000_000)
except ArithmeticError as e:
    print(e)
print(mix(0))
mix(2_000_000)
