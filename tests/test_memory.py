"""Native code and per-function data are freed when the code object dies.

`tests/memory_churn.py` runs under pyjit with every function compiled at its
first call: each iteration compiles 11 fresh code objects (exec of fresh
module source with a class, methods, a closure, a nested function and a
comprehension, plus an eval'd lambda) and drops them.  RSS is read after a
warm-up and again after many more iterations.

The bound: the growth, divided by the number of functions compiled in that
phase, stays under BOUND_PER_FUNCTION.  Native code that is not freed costs at
least one page per function (cranelift-jit maps at least a page of code per
module; pyjit's object loader maps one per object), four times the bound;
freed code costs about nothing (measured on 16,500 functions: 28 KB in all,
under 2 bytes each, in both code paths).  The control run keeps every function alive, so its native code stays
mapped: its growth per function must exceed the bound, which shows that this
probe sees retained native code at all.
"""

import json
import os
import pathlib
import subprocess
import sys

import pytest

CHURN = pathlib.Path(__file__).resolve().parent / "memory_churn.py"

BOUND_PER_FUNCTION = 1024
FUNCTIONS_PER_ITERATION = 11
WARMUP = 200
ITERATIONS = 1500
CONTROL_ITERATIONS = 400

MODES = {"jit": {}, "object": {"PYJIT_VIA_OBJECT": "1"}}


def run_churn(mode, iterations, *extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYJIT_")}
    env.update(PYJIT_ENABLE="1", PYJIT_THRESHOLD="0", **MODES[mode])
    proc = subprocess.run(
        [sys.executable, str(CHURN), str(WARMUP), str(iterations), *extra],
        env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    before, after = report["counters_after_warmup"], report["counters_at_end"]
    assert before is not None, "pyjit is not importable in %s" % sys.executable
    compiled = after["compiled"] - before["compiled"]
    assert after["failed"] == 0, report
    # Not vacuous: every fresh code object of the measured phase was compiled.
    assert compiled >= FUNCTIONS_PER_ITERATION * iterations, report
    growth = report["rss_at_end"] - report["rss_after_warmup"]
    return growth, compiled, report


@pytest.mark.parametrize("mode", sorted(MODES))
def test_dropped_functions_keep_rss_flat(mode):
    growth, compiled, report = run_churn(mode, ITERATIONS)
    per_function = growth / compiled
    assert per_function < BOUND_PER_FUNCTION, (
        "RSS grew by %d bytes over %d compiled-and-dropped functions "
        "(%.0f bytes each, bound %d): native code or per-function data leaks\n%s"
        % (growth, compiled, per_function, BOUND_PER_FUNCTION, json.dumps(report)))


def test_control_kept_functions_exceed_the_bound():
    growth, compiled, report = run_churn("jit", CONTROL_ITERATIONS, "--keep")
    per_function = growth / compiled
    assert per_function > BOUND_PER_FUNCTION, (
        "with every function kept alive RSS grew only %.0f bytes per compiled "
        "function (bound %d): the probe does not see native code\n%s"
        % (per_function, BOUND_PER_FUNCTION, json.dumps(report)))
