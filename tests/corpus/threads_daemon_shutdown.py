# threshold: auto
# expect-delegated: the import system (frozen importlib)
# expect-stats: native_calls>100
# Daemon threads still running Python code when the interpreter shuts
# down: CPython 3.11 ends each with pthread_exit when it next takes the
# GIL, a forced unwind through every frame on its stack, pyjit's too (the
# frame-evaluation hook, a function's vectorcall, compiled code and the
# runtime functions it calls), which must let it pass: the process exits
# with status 0 and nothing on stderr. Forty threads loop over file I/O,
# short sleeps and calls of Python functions, as CPython's
# test_threading.ThreadJoinOnShutdown.test_4_daemon_threads does; at the
# default threshold, where the threads' loops run under the hook (an
# abort there ended 6 of 8 runs before the fix).
import os
import random
import sys
import threading
import time

thread_has_run = set()


def chunk(in_f):
    return in_f.read(200)


def random_io():
    while True:
        with open(os.__file__, "rb") as in_f:
            stuff = chunk(in_f)
            with open(os.devnull, "wb") as null_f:
                null_f.write(stuff)
                time.sleep(random.random() / 1995)
        thread_has_run.add(threading.current_thread())


def main():
    count = 0
    for _ in range(40):
        new_thread = threading.Thread(target=random_io)
        new_thread.daemon = True
        new_thread.start()
        count += 1
    while len(thread_has_run) < count:
        time.sleep(0.001)
    print("every thread ran")
    sys.exit(0)


main()
