# timeout: 20
# Signals interrupting compiled code: `while True:` / `for` loops with no
# calls in their body must still reach the eval-breaker so that Python
# signal handlers run.  A SIGALRM handler (signal.setitimer) raising a custom
# exception out of a tight loop, an itimer handler raising KeyboardInterrupt
# (signal.alarm is set and cancelled too),
# a handler that only counts (repeating itimer, disabled by the handler),
# signal.raise_signal(SIGINT) with the default handler, a signal
# interrupting time.sleep, the handler's frame.f_back being the interrupted
# function, and finally an uncaught KeyboardInterrupt raised into a
# `while True:` loop (traceback and the -SIGINT exit status are compared).
# Every print flushes, so a run that hangs shows how far it got.
import itertools
import signal
import time
import traceback


class Timeout(Exception):
    pass


def raise_timeout(signum, frame):
    raise Timeout("SIGALRM interrupted %s" % frame.f_code.co_name)


def raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt("alarm in %s" % frame.f_code.co_name)


def spin_while():
    n = 0
    while True:
        n += 1


def spin_for():
    total = 0
    for i in itertools.count():
        total += i


def spin_nested():
    while True:
        for j in range(10):
            j = j * 2


def interrupted_lines(fn, with_lines=True):
    signal.signal(signal.SIGALRM, raise_timeout)
    signal.setitimer(signal.ITIMER_REAL, 0.05)
    try:
        fn()
    except Timeout as e:
        frames = traceback.extract_tb(e.__traceback__)
        # A loop with a single back-edge is always interrupted on the same
        # line; nested loops have two candidate lines, so print names only.
        return "%s | frames: %s" % (e, [(f.name, f.lineno) if with_lines else f.name
                                        for f in frames])
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


HITS = []


def counting_handler(signum, frame):
    HITS.append(signum)
    if len(HITS) == 3:
        signal.setitimer(signal.ITIMER_REAL, 0)


def wait_for_three_hits():
    signal.signal(signal.SIGALRM, counting_handler)
    signal.setitimer(signal.ITIMER_REAL, 0.02, 0.02)
    spins = 0
    while len(HITS) < 3:
        spins += 1
    return "hits=%d signals=%s" % (len(HITS), sorted(set(signal.Signals(s).name for s in HITS)))


def alarm_keyboard_interrupt():
    signal.signal(signal.SIGALRM, raise_keyboard_interrupt)
    signal.alarm(30)
    remaining = signal.alarm(0)  # cancels it again; 1 s granularity is too slow here
    signal.setitimer(signal.ITIMER_REAL, 0.05)
    try:
        spin_while()
    except KeyboardInterrupt as e:
        return "KeyboardInterrupt caught: %s (alarm remaining > 0: %s)" % (e, remaining > 0)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def default_sigint():
    try:
        signal.raise_signal(signal.SIGINT)
        return "not interrupted?!"
    except KeyboardInterrupt as e:
        return "default SIGINT handler raised %s%r" % (type(e).__name__, e.args)


def interrupted_sleep():
    signal.signal(signal.SIGALRM, raise_timeout)
    signal.setitimer(signal.ITIMER_REAL, 0.05)
    try:
        time.sleep(10)
        return "slept?!"
    except Timeout as e:
        return "sleep interrupted: %s" % e


def handler_sees_caller():
    seen = []

    def record(signum, frame):
        seen.append(frame.f_code.co_name)
        raise Timeout("stop")

    signal.signal(signal.SIGALRM, record)
    signal.setitimer(signal.ITIMER_REAL, 0.05)
    try:
        spin_nested()
    except Timeout:
        pass
    return seen


print(interrupted_lines(spin_while), flush=True)
print(interrupted_lines(spin_for), flush=True)
print(interrupted_lines(spin_nested, with_lines=False), flush=True)
print(wait_for_three_hits(), flush=True)
print(alarm_keyboard_interrupt(), flush=True)
print(default_sigint(), flush=True)
print(interrupted_sleep(), flush=True)
print(handler_sees_caller(), flush=True)
signal.signal(signal.SIGALRM, raise_keyboard_interrupt)
signal.setitimer(signal.ITIMER_REAL, 0.05)
print("spinning until interrupted", flush=True)
spin_while()
