# Helper module of the corpus programs on calls made without a frame
# (calls_trivial_bodies.py, calls_frameless_leaves.py): what a profile
# function, a trace function, the recursion limit and finalizers see of them.
import sys


class Tracked:
    """An object whose finalizer prints where it runs."""

    def __init__(self, name):
        self.name = name

    def __del__(self):
        caller = sys._getframe(1)
        print("  del", self.name, "in", caller.f_code.co_name, "line", caller.f_lineno)


def observed_events(switch, step, profiled, traced):
    """Runs `step(i)` 60 times, with a profile function set for the 51st to
    53rd and a trace function for the 54th to 56th when `switch` is true;
    returns the events they saw in code named in `profiled` and `traced`."""
    events = []

    def profile(frame, event, arg):
        if frame.f_code.co_name in profiled:
            events.append((event, frame.f_code.co_name, arg if event == "return" else None))

    def trace(frame, event, arg):
        if frame.f_code.co_name in traced:
            events.append(("trace " + event, frame.f_code.co_name, frame.f_lineno))
        return trace

    for i in range(60):
        if switch and i == 50:
            sys.setprofile(profile)
        if switch and i == 53:
            sys.setprofile(None)
            sys.settrace(trace)
        if switch and i == 56:
            sys.settrace(None)
        step(i)
    return events


def deepest(descend):
    """The deepest `descend(depth)` that returns under a recursion limit of
    120 (the call past the limit raises RecursionError)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(120)
    try:
        reached = None
        for depth in range(60, 130):
            try:
                descend(depth)
                reached = depth
            except RecursionError:
                break
        return reached
    finally:
        sys.setrecursionlimit(limit)


def report(step, profiled, traced, leaf):
    """Prints what `observed_events` sees of `step` and the depth `deepest`
    reaches recursing down to a call of `leaf`, each after 40 runs that
    compile the code."""
    def descend(depth):
        if depth == 0:
            return leaf(depth)
        return descend(depth - 1)

    for _ in range(40):
        observed_events(False, step, profiled, traced)
    print("events", observed_events(True, step, profiled, traced))
    for _ in range(40):
        descend(3)
    print("recursion limit", deepest(descend))
