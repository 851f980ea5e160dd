# Recursion deeper than compiled frames' C stack allows: CPython 3.11's
# interpreter runs Python-to-Python calls without using C stack, so with a
# raised recursion limit (main thread) or in a thread with a small stack it
# recurses on to the recursion limit. pyjit's compiled levels use C stack;
# when a thread's C stack runs low, the frame starting there runs in the
# interpreter with pyjit's hook taken out, so the recursion below goes on
# as it would without pyjit; compiled code runs again once it returns.
# Covers the main thread at 100,000 levels, a thread with a 256 KiB stack,
# the recursion limit still reached there (RecursionError and its depth),
# a child forked from such a thread (it runs on that thread's stack, not on
# the main thread's, which pyjit estimates from `__libc_stack_end`), and
# compiled calls afterwards.
import os
import sys
import threading


def down(n):
    if n == 0:
        return 0
    return down(n - 1) + 1


def deepest(n):
    try:
        return deepest(n + 1)
    except RecursionError:
        return n


sys.setrecursionlimit(120_000)
print(down(100_000))
print(down(50))

results = []


def in_small_thread():
    results.append(down(900))
    sys.setrecursionlimit(1_000)
    results.append(deepest(0))
    sys.setrecursionlimit(120_000)


threading.stack_size(256 * 1024)
worker = threading.Thread(target=in_small_thread)
worker.start()
worker.join()
print(results)


def fork_and_recurse():
    pid = os.fork()
    if pid == 0:
        sys.setrecursionlimit(1_000)
        print("child", down(500), deepest(0), flush=True)
        sys.setrecursionlimit(120_000)
        print("child deep", down(20_000), flush=True)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    print("child exit status", os.waitstatus_to_exitcode(status))


forker = threading.Thread(target=fork_and_recurse)
forker.start()
forker.join()
print(sum(down(i) for i in range(100)))
