#!/usr/bin/env python3
"""Test suites of popular pure-Python packages under plain CPython and pyjit
(item 9 of the issue "Foundations for speed"; target: geometric mean of the
wall-time ratios <= 1.1x).

Stdlib only. For each package (pinned version, sdist from PyPI) the runner
downloads the sdist with the interpreter's own pip, unpacks it, and runs its
pytest suite from the unpacked tree (``PYTHONPATH`` points at it: nothing is
installed, the interpreter's environment stays as it is) in two states,
interleaved over ``--rounds`` rounds:

- plain CPython (no ``PYJIT_*`` variable);
- pyjit at its default settings (``PYJIT_ENABLE=1``).

It reports per package the median whole-process wall time of each state,
their ratio, the pytest counts (passed / failed / skipped / errors) of each
state, peak RSS and what pyjit compiled. One unrecorded run per state comes
first (it also writes the ``__pycache__`` both states then share).

Why these packages: pure Python (no C extension to dilute the JIT's share),
their test suites ship in the sdist and need nothing but pytest, so the run
needs only PyPI and stays small; they are widely used and lean on different
things: more-itertools on iterators and generators, toolz on small
functional helpers and dict manipulation, six on module attribute
machinery and imports.

    /path/to/venv/bin/python benchmarks/packages.py [--packages six,toolz] [--rounds 3]

The interpreter (``--python``, default this one) needs pyjit and pytest.
Downloads and unpacked trees go under ``--workdir`` (default /work/pkgbench).
"""

import argparse
import json
import math
import os
import re
import shlex
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import LoadMeter, load_avg, nproc, publish, report_header, run_child  # noqa: E402

# name -> (pinned version, directory of the unpacked sdist to put on
# PYTHONPATH, test paths relative to the unpacked sdist, extra pytest args)
PACKAGES = {
    "more-itertools": ("10.5.0", ".", ["tests"], []),
    "toolz": ("1.0.0", ".", ["toolz/tests"], []),
    # test_move_items[dbm_ndbm] fails in both states on an interpreter built
    # without _dbm (the development machine's); kept, the counts must match.
    "six": ("1.16.0", ".", ["test_six.py"], []),
}
STATES = ("cpython", "pyjit")
TARGET = 1.1

# pytest's last line, e.g. "== 3 failed, 1020 passed, 2 skipped in 3.21s =="
COUNT_RE = re.compile(r"(\d+) (passed|failed|skipped|errors?|xfailed|xpassed)")


def log(msg):
    print(msg, flush=True)


def fetch(python, name, version, workdir):
    """The unpacked sdist of name==version, downloaded and unpacked once."""
    sdists = os.path.join(workdir, "sdists")
    tree_root = os.path.join(workdir, "src")
    os.makedirs(sdists, exist_ok=True)
    os.makedirs(tree_root, exist_ok=True)
    normalized = name.replace("-", "_")
    candidates = ["%s-%s.tar.gz" % (n, version) for n in (name, normalized)]
    archive = next((os.path.join(sdists, c) for c in candidates
                    if os.path.exists(os.path.join(sdists, c))), None)
    if archive is None:
        subprocess.run([python, "-m", "pip", "download", "--quiet", "--no-binary", ":all:",
                        "--no-deps", "-d", sdists, "%s==%s" % (name, version)], check=True)
        archive = next(os.path.join(sdists, c) for c in candidates
                       if os.path.exists(os.path.join(sdists, c)))
    tree = os.path.join(tree_root, os.path.basename(archive)[:-len(".tar.gz")])
    if not os.path.isdir(tree):
        with tarfile.open(archive) as tar:
            tar.extractall(tree_root, filter="data")
    return tree


def state_env(state, tree, import_dir, stats_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYJIT_")}
    env["PYTHONPATH"] = os.path.join(tree, import_dir)
    if state == "pyjit":
        env["PYJIT_ENABLE"] = "1"
        env["PYJIT_STATS_OUT"] = stats_path
    return env


def run_suite(python, state, tree, spec, scratch):
    """One pytest run; returns a record with wall time, RSS, counts, pyjit stats."""
    _version, import_dir, tests, extra = spec
    stats_path = os.path.join(scratch, "stats.json")
    if os.path.exists(stats_path):
        os.unlink(stats_path)
    # -p no:cacheprovider: no .pytest_cache written between runs, so every
    # run starts from the same state.
    cmd = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"] + extra + tests
    out, err = os.path.join(scratch, "out"), os.path.join(scratch, "err")
    res = run_child(cmd, state_env(state, tree, import_dir, stats_path), tree, 1800, out, err)
    with open(out, errors="replace") as f:
        lines = f.read().strip().splitlines()
    summary = lines[-1] if lines else ""
    counts = {}
    for number, kind in COUNT_RE.findall(summary):
        counts[kind.rstrip("s") if kind.startswith("error") else kind] = int(number)
    stats = None
    if os.path.exists(stats_path):
        with open(stats_path) as f:
            stats = json.load(f)
    if state == "pyjit" and stats is None:
        raise SystemExit("pyjit wrote no stats for %s: the JIT did not run" % shlex.join(cmd))
    return {"wall": res.wall, "rss_kib": res.maxrss_kib, "exit": res.exitcode,
            "counts": counts, "summary": summary, "stats": stats, "cmd": cmd}


def fmt_counts(counts):
    keys = ("passed", "failed", "error", "skipped", "xfailed", "xpassed")
    return " / ".join("%d %s" % (counts[k], k) for k in keys if counts.get(k)) or "no result"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--packages", default=",".join(PACKAGES),
                        help="comma-separated (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="recorded runs per state per package (default 3)")
    parser.add_argument("--workdir", default="/work/pkgbench",
                        help="downloads and unpacked sdists (default %(default)s)")
    parser.add_argument("--output", help="also write the markdown report here")
    args = parser.parse_args()
    python = os.path.abspath(args.python)  # not realpath: keep the venv's python
    names = [n.strip() for n in args.packages.split(",") if n.strip()]
    for n in names:
        if n not in PACKAGES:
            raise SystemExit("unknown package %r (known: %s)" % (n, ", ".join(PACKAGES)))

    meter = LoadMeter()
    load_at_start = load_avg()
    started = time.time()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for name in names:
            spec = PACKAGES[name]
            tree = fetch(python, name, spec[0], args.workdir)
            log("%s %s: %s" % (name, spec[0], tree))
            for state in STATES:  # unrecorded: byte-compiles, warms the disk cache
                run_suite(python, state, tree, spec, scratch)
            runs = {s: [] for s in STATES}
            for rnd in range(args.rounds):
                order = STATES if rnd % 2 == 0 else STATES[::-1]
                for state in order:
                    rec = run_suite(python, state, tree, spec, scratch)
                    runs[state].append(rec)
                    log("  round %d %-7s %6.2f s  %s" % (rnd + 1, state, rec["wall"], rec["summary"]))
            rows.append((name, spec, runs))

    other_cpus, _ = meter.read()
    header = ["package", "tests", "plain CPython", "pyjit", "pyjit / plain",
              "results plain", "results pyjit", "peak RSS plain", "peak RSS pyjit",
              "compiled / compile time (pyjit)"]
    lines = ["| " + " | ".join(header) + " |",
             "|---|---|---:|---:|---:|---|---|---:|---:|---:|"]
    ratios = []
    for name, spec, runs in rows:
        wall = {s: statistics.median(r["wall"] for r in runs[s]) for s in STATES}
        rss = {s: statistics.median(r["rss_kib"] for r in runs[s]) for s in STATES}
        ratio = wall["pyjit"] / wall["cpython"]
        ratios.append(ratio)
        # Counts of the last run of each state; any run whose counts differ
        # from another's is a finding, so say so instead of hiding it.
        results = {}
        for s in STATES:
            distinct = {json.dumps(r["counts"], sort_keys=True) for r in runs[s]}
            results[s] = fmt_counts(runs[s][-1]["counts"]) + (
                " (**varies between runs**)" if len(distinct) > 1 else "")
        if runs["cpython"][-1]["counts"] != runs["pyjit"][-1]["counts"]:
            results["pyjit"] += " (**differs from plain**)"
        stats = [r["stats"] for r in runs["pyjit"]]
        compiled = statistics.median(st["compiled"] for st in stats)
        compile_s = statistics.median(st["compile_time_ns"] for st in stats) / 1e9
        lines.append("| " + " | ".join([
            "%s %s" % (name, spec[0]), "`%s`" % " ".join(spec[2]),
            "%.2f s" % wall["cpython"], "%.2f s" % wall["pyjit"], "**%.2fx**" % ratio,
            results["cpython"], results["pyjit"],
            "%.1f MiB" % (rss["cpython"] / 1024), "%.1f MiB" % (rss["pyjit"] / 1024),
            "%d / %.2f s" % (compiled, compile_s)]) + " |")
    geomean = math.exp(sum(map(math.log, ratios)) / len(ratios))

    report = "\n".join(report_header("Package test suites", started, python, other_cpus, load_at_start) + [
        "- Method: `python -m pytest -q -p no:cacheprovider TESTS` in the unpacked sdist "
        "(`PYTHONPATH` = that tree); plain CPython vs `PYJIT_ENABLE=1` (default settings); "
        "whole-process wall time, median of %d runs per state, states alternating, after "
        "one unrecorded run of each." % args.rounds,
        "",
        "\n".join(lines),
        "",
        "Geometric mean of pyjit / plain over %d package(s): **%.2fx** (target ≤ %.1fx: %s)." % (
            len(ratios), geomean, TARGET, "met" if geomean <= TARGET else "**not met**"),
        "",
    ])
    publish(report, args.output)


if __name__ == "__main__":
    main()
