# expect-delegated: tracing active, profiling active
# sys.setprofile and cProfile over code that was already compiled: profile
# events 'call' / 'return' / 'c_call' / 'c_return' / 'c_exception' (with
# the function names, in order), returns caused by exceptions, profiling
# turned off again (compiled execution resumes), and cProfile / pstats call
# counts (only counts, sorted by name -- never times).
import cProfile
import pstats
import sys

EVENTS = []


def profiler(frame, event, arg):
    if event.startswith("c_"):
        EVENTS.append("%s %s" % (event, getattr(arg, "__name__", "?")))
    elif frame.f_code.co_filename == __file__:
        EVENTS.append("%s %s" % (event, frame.f_code.co_name))


def leaf(x):
    return len(str(x)) + abs(-x)


def branch(n):
    return [leaf(i) for i in range(n)]


def fails():
    return int("not a number")


def guarded():
    try:
        return fails()
    except ValueError:
        return "guarded"


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


print(branch(3), guarded(), fib(10))  # compiled, unprofiled
sys.setprofile(profiler)
branch(2)
guarded()
sys.setprofile(None)
for e in EVENTS:
    print("  ", e)
EVENTS.clear()
print(sys.getprofile(), branch(2))

profile = cProfile.Profile()
profile.enable()
fib(12)
branch(5)
for _ in range(3):
    guarded()
profile.disable()
stats = pstats.Stats(profile)
rows = []
for (filename, lineno, name), (cc, nc, tt, ct, callers) in stats.stats.items():
    if filename == __file__:
        rows.append((name, lineno, nc, cc))
    elif filename == "~" and name in ("<built-in method builtins.len>", "<built-in method builtins.abs>"):
        rows.append((name, 0, nc, cc))
for row in sorted(rows):
    print("%-40s line %3d ncalls=%d primitive=%d" % row)


def profiled_failure():
    sys.setprofile(profiler)
    try:
        return fails()
    finally:
        sys.setprofile(None)
        for e in EVENTS:
            print("  ", e)


profiled_failure()
