#!/usr/bin/env python3
"""Costs of pyjit outside compiled code, against the targets of the issue
"Foundations for speed" (item 7).

Stdlib only. Measures, with the interpreter given by ``--python``:

- start-up: ``python -c pass`` plain, with ``PYJIT_ENABLE=1`` (target <= 1.1x)
  and through the ``pyjit`` console script next to that interpreter
  (which re-executes it with ``PYJIT_ENABLE=1``; target <= 2.2x);
- imports: ``python -c "import asyncio, json, email, argparse, decimal"``
  plain and with ``PYJIT_ENABLE=1`` (target <= 1.3x);
- the same start-up and imports with nothing compiled (no target: they split
  the cost of loading pyjit and of its hook from what the default threshold
  compiles);
- call-heavy code with the JIT on and nothing compiled
  (``PYJIT_ENABLE=1 PYJIT_THRESHOLD=1000000000 PYJIT_OSR=0``): recursive ``fib(25)`` and
  a method-call loop, timed inside the process, best of ``--repeat``
  (target <= 1.2x): the cost of the PEP 523 hook and pyjit's per-call
  bookkeeping on code that runs in the interpreter;
- peak RSS (``ru_maxrss`` from ``os.wait4``) of every one of those processes.

Every measurement alternates processes of the variants being compared, in a
rotating order, for ``--rounds`` rounds; the table shows medians over rounds
and the ratio of the pyjit median to the plain median of the same run.

    /path/to/venv/bin/python benchmarks/overhead.py [--python PY] [--rounds N] [--output FILE]

Use a virtualenv's python: a shim in front of the interpreter (such as
/usr/bin/python3 on the development machine, ~50 ms) would be timed too.
"""

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import LoadMeter, load_avg, nproc, publish, refresh_pyjit_bytecode, report_header, run_child  # noqa: E402

IMPORTS = "import asyncio, json, email, argparse, decimal"
NOTHING_COMPILED = "1000000000"  # a threshold no function reaches here

# Runs in the measured process: times the call-heavy workloads and reports
# whether pyjit was active and what it compiled, so a mode that did not reach
# the process (or compiled something) shows in the output instead of skewing it.
CALL_HEAVY = r"""
import json, sys, time

def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

class Counter:
    def __init__(self):
        self.total = 0
    def add(self, x):
        self.total += x
        return self.total

def method_loop(n=300_000):
    c = Counter()
    for i in range(n):
        c.add(i)
    return c.total

def best_of(repeat, func, *args):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        func(*args)
        best = min(best, time.perf_counter() - t0)
    return best

repeat = int(sys.argv[1])
result = {"fib(25)": best_of(repeat, fib, 25), "method calls": best_of(repeat, method_loop)}
pyjit = sys.modules.get("pyjit")
result["pyjit_enabled"] = bool(pyjit and pyjit.is_enabled())
result["pyjit_compiled"] = pyjit.stats()["compiled"] if pyjit else None
print(json.dumps(result))
"""


def run_timed(cmd, env):
    """Wall time of one run of cmd (output discarded)."""
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit("failed (exit %d): %s\n%s" % (
            proc.returncode, shlex.join(cmd), proc.stderr.decode(errors="replace")[-2000:]))
    return wall


def run_for_rss(cmd, env):
    """(peak RSS in KiB, stdout) of one run of cmd, launched by run.py's
    run_child so that the figure is the child's own and not this runner's."""
    with tempfile.TemporaryDirectory() as tmp:
        out, err = os.path.join(tmp, "out"), os.path.join(tmp, "err")
        res = run_child(cmd, env, tmp, 600, out, err)
        if res.exitcode != 0:
            with open(err, errors="replace") as f:
                raise SystemExit("failed (exit %d): %s\n%s" % (
                    res.exitcode, shlex.join(cmd), f.read()[-2000:]))
        with open(out) as f:
            return res.maxrss_kib, f.read()


def interleaved(run, variants, rounds):
    """run(cmd, env) for each variant once per round, rotating the order.

    variants: {label: (cmd, env)}. Returns {label: [result per round]}.
    One unrecorded run per variant first, so that the first recorded process
    does not pay for cold disk caches.
    """
    labels = list(variants)
    for label in labels:
        run(*variants[label])
    results = {label: [] for label in labels}
    for rnd in range(rounds):
        shift = rnd % len(labels)
        for label in labels[shift:] + labels[:shift]:
            results[label].append(run(*variants[label]))
    return results


def process_costs(variants, rounds, rss_rounds):
    """{label: (median wall, median peak RSS KiB, best wall)}: wall times from
    direct launches (the clean-RSS launch adds a few ms), RSS from separate runs."""
    walls = interleaved(run_timed, variants, rounds)
    rss = interleaved(run_for_rss, variants, rss_rounds)
    return {label: (statistics.median(walls[label]),
                    statistics.median(r[0] for r in rss[label]),
                    min(walls[label])) for label in variants}


def clean_env():
    return {k: v for k, v in os.environ.items() if not k.startswith("PYJIT_")}


def fmt_ms(seconds):
    return "%.1f ms" % (seconds * 1e3)


def fmt_mib(kib):
    return "%.1f MiB" % (kib / 1024)


class Table:
    def __init__(self):
        self.rows = []

    def add(self, what, command, plain, pyjit, target):
        """plain, pyjit: (median seconds, peak RSS KiB, best seconds) of each side."""
        (plain, rss_plain, best_plain), (pyjit, rss_pyjit, best_pyjit) = plain, pyjit
        ratio = pyjit / plain
        verdict = "—" if target is None else ("yes" if ratio <= target else "**no**")
        self.rows.append([
            what, "`%s`" % command, fmt_ms(plain), fmt_ms(pyjit), "**%.2fx**" % ratio,
            "%.2fx" % (best_pyjit / best_plain), "—" if target is None else "≤ %.1fx" % target, verdict,
            fmt_mib(rss_plain), fmt_mib(rss_pyjit), "%.2fx" % (rss_pyjit / rss_plain)])
        print("  %-34s %9s %9s %6.2fx (target %s)  rss %s -> %s" % (
            what, fmt_ms(plain), fmt_ms(pyjit), ratio,
            "—" if target is None else "%.1fx" % target, fmt_mib(rss_plain),
            fmt_mib(rss_pyjit)), flush=True)

    def markdown(self):
        header = ["what", "pyjit command", "plain CPython", "pyjit", "pyjit / plain",
                  "best / best", "target", "met", "peak RSS plain", "peak RSS pyjit", "RSS ratio"]
        lines = ["| " + " | ".join(header) + " |",
                 "|---|---|" + "---:|" * 5 + "---|" + "---:|" * 3]
        lines += ["| " + " | ".join(r).replace("\n", " ") + " |" for r in self.rows]
        return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter with pyjit installed (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=20,
                        help="processes per variant for start-up and imports (default 20)")
    parser.add_argument("--rss-rounds", type=int, default=3,
                        help="extra processes per variant measuring the peak RSS of "
                             "start-up and imports (default 3)")
    parser.add_argument("--call-rounds", type=int, default=5,
                        help="processes per variant for the call-heavy code (default 5)")
    parser.add_argument("--repeat", type=int, default=5,
                        help="timings per workload inside each call-heavy process; "
                             "the best counts (default 5)")
    parser.add_argument("--output", help="also write the markdown report to this file")
    args = parser.parse_args()

    # Not os.path.realpath: a venv's python is a symlink whose location is what
    # makes it the venv's interpreter.
    python = os.path.abspath(args.python)
    refresh_pyjit_bytecode(python)
    pyjit_script = os.path.join(os.path.dirname(python), "pyjit")
    if not os.path.exists(pyjit_script):
        raise SystemExit("no pyjit console script next to %s" % python)
    plain = clean_env()
    jit_on = dict(plain, PYJIT_ENABLE="1")
    nothing_compiled = dict(jit_on, PYJIT_THRESHOLD=NOTHING_COMPILED, PYJIT_OSR="0")

    meter = LoadMeter()
    load_at_start = load_avg()
    started = time.time()
    table = Table()

    print("start-up (%d rounds)" % args.rounds, flush=True)
    costs = process_costs({
        "plain": ([python, "-c", "pass"], plain),
        "enable": ([python, "-c", "pass"], jit_on),
        "script": ([pyjit_script, "-c", "pass"], plain),
        "hook": ([python, "-c", "pass"], nothing_compiled),
    }, args.rounds, args.rss_rounds)
    table.add("start-up, JIT on", "PYJIT_ENABLE=1 python -c pass",
              costs["plain"], costs["enable"], 1.1)
    # No target: the share of loading pyjit, without what start-up compiles.
    table.add("start-up, JIT on, nothing compiled",
              "PYJIT_ENABLE=1 PYJIT_THRESHOLD=%s PYJIT_OSR=0 python -c pass" % NOTHING_COMPILED,
              costs["plain"], costs["hook"], None)
    table.add("start-up, `pyjit` command", "pyjit -c pass",
              costs["plain"], costs["script"], 2.2)

    print("imports (%d rounds)" % args.rounds, flush=True)
    costs = process_costs({
        "plain": ([python, "-c", IMPORTS], plain),
        "enable": ([python, "-c", IMPORTS], jit_on),
        "hook": ([python, "-c", IMPORTS], nothing_compiled),
    }, args.rounds, args.rss_rounds)
    table.add("stdlib imports, JIT on", 'PYJIT_ENABLE=1 python -c "%s"' % IMPORTS,
              costs["plain"], costs["enable"], 1.3)
    # No target of its own: separates the hook's share of the row above from
    # the compiling that the default threshold triggers during imports.
    table.add("stdlib imports, JIT on, nothing compiled",
              'PYJIT_ENABLE=1 PYJIT_THRESHOLD=%s PYJIT_OSR=0 python -c "%s"' % (NOTHING_COMPILED, IMPORTS),
              costs["plain"], costs["hook"], None)

    print("call-heavy code, nothing compiled (%d rounds, best of %d)"
          % (args.call_rounds, args.repeat), flush=True)
    cmd = [python, "-c", CALL_HEAVY, str(args.repeat)]
    runs = interleaved(run_for_rss, {"plain": (cmd, plain), "hook": (cmd, nothing_compiled)},
                       args.call_rounds)
    reports = {label: [json.loads(out) for _, out in rs] for label, rs in runs.items()}
    # The comparison means nothing unless the JIT was on in exactly one side
    # and compiled nothing there.
    assert not any(r["pyjit_enabled"] for r in reports["plain"]), "pyjit on in plain runs"
    assert all(r["pyjit_enabled"] for r in reports["hook"]), "pyjit off in JIT-on runs"
    compiled = max(r["pyjit_compiled"] for r in reports["hook"])
    assert compiled == 0, "%d functions compiled at threshold %s" % (compiled, NOTHING_COMPILED)
    for workload in ("fib(25)", "method calls"):
        table.add("%s, JIT on, nothing compiled" % workload,
                  "PYJIT_ENABLE=1 PYJIT_THRESHOLD=%s PYJIT_OSR=0 python -c <%s>" % (NOTHING_COMPILED, workload),
                  *[(statistics.median(r[workload] for r in reports[label]),
                     statistics.median(rss for rss, _ in runs[label]),
                     min(r[workload] for r in reports[label]))
                    for label in ("plain", "hook")], 1.2)

    other_cpus, _ = meter.read()
    report = "\n".join(report_header("Overhead outside compiled code", started, python, other_cpus, load_at_start) + [
        "- Method: start-up and imports are whole-process wall times, median of %d "
        "processes per variant, variants alternating in rotating order; the call-heavy "
        "rows are in-process best of %d per process, median of %d processes per variant "
        "(`fib(25)` recursive; `method calls`: 300,000 calls of a one-line method). "
        "The ratio is of the medians; best / best is of the fastest process (or in-process "
        "timing) of each side, which outside load can only slow down. "
        "Peak RSS: median `ru_maxrss` of %d further processes per variant for start-up "
        "and imports, of the timed processes for the call-heavy rows, each launched so "
        "that the figure is the process's own (see `spawn_clean_rss` in `run.py`). `python` is the interpreter "
        "above, `pyjit` the console script next to it." % (
            args.rounds, args.repeat, args.call_rounds, args.rss_rounds),
        "",
        table.markdown(),
        "",
    ])
    publish(report, args.output)


if __name__ == "__main__":
    main()
