#!/usr/bin/env python3
"""Test suites of popular pure-Python packages under plain CPython and pyjit:
the same outcome for every test, and the wall time (item 9 of the issue
"Foundations for speed": geometric mean of the default state's wall-time
ratios <= 1.1x, none over 1.3x; item 19 of the issue "Never crash, never
hang, never differ": outcomes compared test by test).

Stdlib only. For each package (pinned version, sdist from PyPI) the runner
downloads the sdist with the interpreter's own pip, unpacks it, installs the
suite's pinned test dependencies and a pinned pytest with ``pip install
--target`` into directories under ``--workdir`` (nothing goes into the
interpreter's environment), and runs the suite from the unpacked tree with
``PYTHONPATH`` = the tree, the trees of the listed packages it uses, its test
dependencies, pytest and ``benchmarks/pytest_plugins`` (suites using
hypothesis run without its deadlines: see ``untimed_hypothesis.py``). Each
run writes a JUnit XML file (kept under
``WORKDIR/results``), from which every test case's outcome is read: passed,
failed, error, skipped or xfailed (pytest's JUnit format records an xpassed
test as passed). The states, interleaved over ``--rounds`` rounds (the order
reversed every other round) after one unrecorded plain run that writes the
``__pycache__`` all states then share:

- ``cpython``: plain CPython (no ``PYJIT_*`` variable);
- ``pyjit-t0``: ``PYJIT_ENABLE=1 PYJIT_THRESHOLD=0``, every function compiled
  at its first call;
- ``pyjit``: ``PYJIT_ENABLE=1``, pyjit's default settings.

The report has per package the median whole-process wall time of each state
and its ratio to plain, peak RSS, what pyjit compiled, the outcome counts of
each state, and every test whose outcome in a pyjit state differs from plain
(outcomes of all rounds; a test whose outcome varies between rounds of one
state shows both). The exit status is 1 when any outcome differs.

Why these packages: pure Python (no C extension to dilute the JIT's share;
markupsafe runs its pure fallback), widely used, suites shipped in the sdist
that need only PyPI, and between them most of the language: iterators and
generators (more-itertools), small functional helpers (toolz), module and
import machinery (six), class generation with ``exec``, descriptors and
hypothesis (attrs), date arithmetic with freezegun and hypothesis
(python-dateutil), Unicode tables (idna), version and marker parsing
(packaging), a parser combinator library (pyparsing), a grab bag of
utilities and their doctests (boltons), a text-processing pipeline with
regular expressions (markdown), string escaping (markupsafe), a template
compiler generating Python code (jinja2), and command-line parsing (click).

    /path/to/venv/bin/python benchmarks/packages.py [--packages six,toolz]
        [--states cpython,pyjit-t0,pyjit] [--rounds 3] [--output report.md]

The outcome comparison of TESTING.md (all packages, all three states, one
round, about half an hour on two cores) and the speed report
benchmarks/PACKAGES.md:

    /path/to/venv/bin/python benchmarks/packages.py --rounds 1 --output report.md
    /path/to/venv/bin/python benchmarks/packages.py --states cpython,pyjit \
        --output benchmarks/PACKAGES.md

The interpreter (``--python``, default this one) needs pyjit and pip.
Downloads, unpacked trees, dependencies and results go under ``--workdir``
(default /work/pkgbench).
"""

import argparse
import collections
import json
import math
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from typing import NamedTuple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import LoadMeter, load_avg, publish, refresh_pyjit_bytecode, report_header, run_child  # noqa: E402


class Package(NamedTuple):
    version: str
    import_dirs: tuple    # directories of the unpacked sdist that go on PYTHONPATH
    tests: tuple          # pytest arguments naming what to run, relative to the tree
    pytest_args: tuple = ()
    test_deps: tuple = ()  # pinned requirements, installed with pip --target
    uses: tuple = ()      # other PACKAGES whose source trees go on PYTHONPATH
    env: tuple = ()       # (name, value) pairs set for the suite


# Suites using hypothesis run with benchmarks/pytest_plugins/untimed_hypothesis.py:
# no deadlines (at threshold 0 they time compiling), the same examples in
# every run, no example database.
HYPOTHESIS = ("hypothesis==6.112.1", "sortedcontainers==2.4.0")
UNTIMED_HYPOTHESIS = ("-p", "untimed_hypothesis")
PLUGINS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytest_plugins")

PACKAGES = {
    "more-itertools": Package("10.5.0", (".",), ("tests",)),
    "toolz": Package("1.0.0", (".",), ("toolz/tests",)),
    # test_move_items[dbm_ndbm] fails in every state on an interpreter built
    # without _dbm (the development machine's).
    "six": Package("1.16.0", (".",), ("test_six.py",)),
    "attrs": Package("24.2.0", ("src",), ("tests",), UNTIMED_HYPOTHESIS,
                     HYPOTHESIS + ("pympler==1.1", "cloudpickle==3.0.0")),
    # Its conftest marks tests no_cover, a marker of pytest-cov (not
    # installed), and its configuration makes warnings errors.
    "python-dateutil": Package(
        "2.9.0.post0", ("src",), ("tests",),
        UNTIMED_HYPOTHESIS + ("-W", "ignore::pytest.PytestUnknownMarkWarning"),
        HYPOTHESIS + ("freezegun==1.5.1", "attrs==24.2.0", "six==1.16.0")),
    "idna": Package("3.10", (".",), ("tests",)),
    "packaging": Package("24.1", ("src",), ("tests",), test_deps=("pretend==1.0.9",)),
    "pyparsing": Package("3.1.4", (".",), ("tests",), test_deps=("railroad-diagrams==3.0.1",),
                         uses=("jinja2", "markupsafe")),
    "boltons": Package("24.1.0", (".",), ("--doctest-modules", "boltons", "tests")),
    # Markdown's suite is written for unittest: test_legacy.py makes every
    # warning an error when imported, so it is collected last (else pytest's
    # collection warnings about unittest helper classes stop the run). The
    # code highlighting tests run only when PYGMENTS_VERSION names the
    # installed Pygments (markdown's tox.ini pins 2.7.1).
    "markdown": Package("3.7", (".",),
                        ("tests/test_apis.py", "tests/test_extensions.py", "tests/test_meta.py",
                         "tests/test_syntax", "tests/test_legacy.py"),
                        test_deps=("PyYAML==6.0.2", "Pygments==2.7.1"),
                        env=(("PYGMENTS_VERSION", "2.7.1"),)),
    # From source, unbuilt: markupsafe's C speedups are absent and its pure
    # Python implementation runs (here and under jinja2 and pyparsing).
    "markupsafe": Package("2.1.5", ("src",), ("tests",)),
    "jinja2": Package("3.1.4", ("src",), ("tests",), uses=("markupsafe",)),
    "click": Package("8.1.7", ("src",), ("tests",)),
}
# pytest itself, pinned so that outcomes do not depend on the interpreter's
# environment (it comes last on PYTHONPATH: packaging's own tree wins).
PYTEST = ("pytest==8.3.3", "pluggy==1.5.0", "iniconfig==2.0.0", "packaging==24.1")

CPYTHON, PYJIT_T0, PYJIT = "cpython", "pyjit-t0", "pyjit"
STATE_ENV = {
    CPYTHON: {},
    PYJIT_T0: {"PYJIT_ENABLE": "1", "PYJIT_THRESHOLD": "0"},
    PYJIT: {"PYJIT_ENABLE": "1"},
}
STATE_TITLE = {CPYTHON: "plain CPython", PYJIT_T0: "pyjit threshold 0", PYJIT: "pyjit default"}
# The speed targets of "Foundations for speed", on the default state.
TARGET_GEOMEAN, TARGET_MAX = 1.1, 1.3
OUTCOMES = ("passed", "failed", "error", "skipped", "xfailed")


def log(msg):
    print(msg, flush=True)


def normalized(name):
    return re.sub(r"[-_.]+", "_", name).lower()


def fetch(python, name, version, workdir):
    """The unpacked sdist of name==version, downloaded and unpacked once."""
    sdists = os.path.join(workdir, "sdists")
    tree_root = os.path.join(workdir, "src")
    os.makedirs(sdists, exist_ok=True)
    os.makedirs(tree_root, exist_ok=True)
    # Sdist names differ in case and separators (MarkupSafe-2.1.5.tar.gz).
    stem = normalized("%s-%s" % (name, version))

    def find():
        return next((os.path.join(sdists, f) for f in os.listdir(sdists)
                     if f.endswith(".tar.gz") and normalized(f[:-len(".tar.gz")]) == stem), None)

    archive = find()
    if archive is None:
        subprocess.run([python, "-m", "pip", "download", "--quiet", "--no-binary", ":all:",
                        "--no-deps", "-d", sdists, "%s==%s" % (name, version)], check=True)
        archive = find()
    tree = os.path.join(tree_root, os.path.basename(archive)[:-len(".tar.gz")])
    if not os.path.isdir(tree):
        with tarfile.open(archive) as tar:
            tar.extractall(tree_root, filter="data")
    return tree


def install(python, requirements, workdir, label):
    """A directory holding exactly `requirements` (pinned, no dependencies
    resolved: every one is listed), installed once with pip --target."""
    target = os.path.join(workdir, "deps", label)
    marker = os.path.join(target, ".requirements")
    wanted = "\n".join(requirements)
    if os.path.exists(marker):
        with open(marker) as f:
            if f.read() == wanted:
                return target
    # Other pins, or an install that was interrupted: start again.
    shutil.rmtree(target, ignore_errors=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "--no-deps", "--target", target] + list(requirements), check=True)
    with open(marker, "w") as f:
        f.write(wanted)
    return target


class Suite(NamedTuple):
    name: str
    spec: Package
    tree: str
    pythonpath: str
    results: str  # directory of this package's JUnit files


def prepare(python, name, workdir, runner_deps):
    spec = PACKAGES[name]
    tree = fetch(python, name, spec.version, workdir)
    path = [os.path.join(tree, d) for d in spec.import_dirs]
    for used in spec.uses:
        used_tree = fetch(python, used, PACKAGES[used].version, workdir)
        path += [os.path.join(used_tree, d) for d in PACKAGES[used].import_dirs]
    if spec.test_deps:
        path.append(install(python, spec.test_deps, workdir, "%s-%s" % (name, spec.version)))
    path += [runner_deps, PLUGINS]
    results = os.path.join(workdir, "results", "%s-%s" % (name, spec.version))
    os.makedirs(results, exist_ok=True)
    return Suite(name, spec, tree, os.pathsep.join(path), results)


def read_outcomes(junit_path):
    """{test id: (outcome, message)} of every test case in a JUnit XML file."""
    kinds, messages = {}, {}
    for case in ElementTree.parse(junit_path).iter("testcase"):
        # pytest writes a second element with the same name for an error in
        # teardown after a failure: one test case, outcome "failed+error".
        test_id = "%s::%s" % (case.get("classname"), case.get("name"))
        found = kinds.setdefault(test_id, [])
        for child in case:
            if child.tag == "failure":
                found.append("failed")
            elif child.tag == "error":
                found.append("error")
            elif child.tag == "skipped":
                found.append("xfailed" if child.get("type") == "pytest.xfail" else "skipped")
            else:
                continue
            if test_id not in messages:
                messages[test_id] = (child.get("message") or "").strip().split("\n")[0][:160]
    return {t: ("+".join(k) or "passed", messages.get(t, "")) for t, k in kinds.items()}


def run_suite(python, suite, state, label, scratch, timeout):
    """One pytest run; returns a record with wall time, RSS, outcomes, pyjit stats."""
    junit = os.path.join(suite.results, "%s.xml" % label)
    stats_path = os.path.join(scratch, "stats.json")
    for stale in (junit, stats_path):
        if os.path.exists(stale):
            os.unlink(stale)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYJIT_")}
    env.update(STATE_ENV[state])
    env.update(suite.spec.env)
    env["PYTHONPATH"] = suite.pythonpath
    if state != CPYTHON:
        env["PYJIT_STATS_OUT"] = stats_path
    # -p no:cacheprovider: no .pytest_cache written between runs, so every
    # run starts from the same state.
    cmd = ([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml", junit]
           + list(suite.spec.pytest_args) + list(suite.spec.tests))
    out, err = os.path.join(scratch, "out"), os.path.join(scratch, "err")
    res = run_child(cmd, env, suite.tree, timeout, out, err)
    with open(out, errors="replace") as f:
        lines = f.read().strip().splitlines()
    summary = lines[-1] if lines else ""
    if res.timed_out:
        summary = "timed out after %d s" % timeout
    elif res.exitcode < 0:
        summary = "killed by signal %d" % -res.exitcode
    stats = None
    if os.path.exists(stats_path):
        with open(stats_path) as f:
            stats = json.load(f)
    if state != CPYTHON and stats is None and res.exitcode >= 0:
        raise SystemExit("pyjit wrote no stats for %s: the JIT did not run" % shlex.join(cmd))
    return {"wall": res.wall, "rss_kib": res.maxrss_kib,
            "outcomes": read_outcomes(junit) if os.path.exists(junit) else {},
            "summary": summary, "stats": stats}


def outcomes_of(runs):
    """{test id: (outcomes of all runs joined, first non-empty message)}."""
    seen = collections.defaultdict(list)
    messages = {}
    for run in runs:
        for test_id, (outcome, message) in run["outcomes"].items():
            if outcome not in seen[test_id]:
                seen[test_id].append(outcome)
            if message and test_id not in messages:
                messages[test_id] = message
    return {t: (" / ".join(o), messages.get(t, "")) for t, o in seen.items()}


def differences(runs, state):
    """[(test id, plain outcomes, state outcomes, message)] where they differ;
    a test that one side does not have at all is "absent"."""
    plain, other = outcomes_of(runs[CPYTHON]), outcomes_of(runs[state])
    found = []
    for test_id in sorted(set(plain) | set(other)):
        p, o = plain.get(test_id, ("absent", "")), other.get(test_id, ("absent", ""))
        if p[0] != o[0]:
            found.append((test_id, p[0], o[0], o[1] or p[1]))
    return found


def fmt_counts(runs):
    """Outcome counts of the last run, and whether rounds disagree."""
    counts = collections.Counter(o for o, _ in runs[-1]["outcomes"].values())
    text = " / ".join("%d %s" % (counts[k], k) for k in OUTCOMES if counts[k])
    for kind in sorted(set(counts) - set(OUTCOMES)):
        text += " / %d %s" % (counts[kind], kind)
    if not counts:
        text = "no result (%s)" % runs[-1]["summary"]
    if len({json.dumps(r["outcomes"], sort_keys=True) for r in runs}) > 1:
        text += " (**varies between rounds**)"
    return text


def geomean(values):
    return math.exp(sum(map(math.log, values)) / len(values))


def report(rows, states, rounds, python, started, other_cpus, load_at_start):
    jit_states = [s for s in states if s != CPYTHON]
    speed_header = ["package"] + [STATE_TITLE[s] for s in states]
    speed_header += ["%s / plain" % STATE_TITLE[s] for s in jit_states]
    speed_header += ["peak RSS %s" % STATE_TITLE[s] for s in states]
    speed_header += ["compiled / failed / compile time (%s)" % STATE_TITLE[s]
                     for s in jit_states]
    speed = ["| " + " | ".join(speed_header) + " |",
             "|---|" + "---:|" * (len(speed_header) - 1)]
    outcome_header = (["package", "tests", "test cases (plain)"]
                      + [STATE_TITLE[s] for s in states]
                      + ["differences (%s)" % STATE_TITLE[s] for s in jit_states])
    outcome = ["| " + " | ".join(outcome_header) + " |",
               "|---|---|---:|" + "---|" * len(states) + "---:|" * len(jit_states)]
    ratios = {s: [] for s in jit_states}
    listed = []
    for suite, runs in rows:
        title = "%s %s" % (suite.name, suite.spec.version)
        wall = {s: statistics.median(r["wall"] for r in runs[s]) for s in states}
        rss = {s: statistics.median(r["rss_kib"] for r in runs[s]) for s in states}
        cells = [title] + ["%.2f s" % wall[s] for s in states]
        for s in jit_states:
            ratios[s].append(wall[s] / wall[CPYTHON])
            cells.append("**%.2fx**" % ratios[s][-1])
        cells += ["%.1f MiB" % (rss[s] / 1024) for s in states]
        for s in jit_states:
            stats = [r["stats"] for r in runs[s] if r["stats"]]
            cells.append("%d / %d / %.2f s" % (
                statistics.median(st["compiled"] for st in stats),
                statistics.median(st["failed"] for st in stats),
                statistics.median(st["compile_time_ns"] for st in stats) / 1e9)
                if stats else "no stats")
        speed.append("| " + " | ".join(cells) + " |")

        found = {s: differences(runs, s) for s in jit_states}
        cells = [title, "`%s`" % " ".join(suite.spec.tests),
                 "%d" % len(outcomes_of(runs[CPYTHON]))]
        cells += [fmt_counts(runs[s]) for s in states]
        cells += ["**%d**" % len(found[s]) if found[s] else "0" for s in jit_states]
        outcome.append("| " + " | ".join(cells) + " |")
        for s in jit_states:
            listed += ["- %s, %s: `%s`: %s → **%s**%s" % (
                title, STATE_TITLE[s], test_id, p, o, " (%s)" % msg if msg else "")
                for test_id, p, o, msg in found[s]]

    lines = report_header("Package test suites", started, python, other_cpus, load_at_start) + [
        "- Method: `python -m pytest -q -p no:cacheprovider --junitxml FILE TESTS` in the "
        "unpacked sdist (pinned pytest %s; `PYTHONPATH` = the tree, the trees it uses, its "
        "pinned test dependencies, pytest, `benchmarks/pytest_plugins`; hypothesis without "
        "deadlines); states %s; whole-process wall time, median of "
        "%d run(s) per state, states alternating, after one unrecorded plain run. Outcomes "
        "per test case from the JUnit files." % (
            PYTEST[0].split("==")[1],
            ", ".join("%s (%s)" % (STATE_TITLE[s], " ".join(
                "`%s=%s`" % kv for kv in STATE_ENV[s].items()) or "no `PYJIT_*` variable")
                for s in states), rounds),
        "",
        "\n".join(speed),
        "",
    ]
    if PYJIT in ratios:
        worst = max(ratios[PYJIT])
        met = geomean(ratios[PYJIT]) <= TARGET_GEOMEAN and worst <= TARGET_MAX
        lines += ["Geometric mean of %s / plain over %d package(s): **%.2fx**, highest %.2fx "
                  "(target: geomean ≤ %.1fx, none over %.1fx: %s)." % (
                      STATE_TITLE[PYJIT], len(ratios[PYJIT]), geomean(ratios[PYJIT]), worst,
                      TARGET_GEOMEAN, TARGET_MAX, "met" if met else "**not met**"), ""]
    if PYJIT_T0 in ratios:
        lines += ["Geometric mean of %s / plain: %.2fx." % (
            STATE_TITLE[PYJIT_T0], geomean(ratios[PYJIT_T0])), ""]
    lines += ["\n".join(outcome), ""]
    lines += (["Tests whose outcome differs from plain CPython:", ""] + listed if listed
              else ["No test's outcome differs from plain CPython."])
    return "\n".join(lines) + "\n", bool(listed)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--packages", default=",".join(PACKAGES),
                        help="comma-separated (default: %(default)s)")
    parser.add_argument("--states", default=",".join(STATE_ENV),
                        help="comma-separated, %s first (default: %%(default)s)" % CPYTHON)
    parser.add_argument("--rounds", type=int, default=3,
                        help="recorded runs per state per package (default 3)")
    parser.add_argument("--timeout", type=int, default=3600,
                        help="seconds per pytest run (default %(default)s)")
    parser.add_argument("--workdir", default="/work/pkgbench",
                        help="downloads, unpacked sdists, dependencies, JUnit files "
                        "(default %(default)s)")
    parser.add_argument("--output", help="also write the markdown report here")
    args = parser.parse_args()
    python = os.path.abspath(args.python)  # not realpath: keep the venv's python
    refresh_pyjit_bytecode(python)
    workdir = os.path.abspath(args.workdir)
    names = [n.strip() for n in args.packages.split(",") if n.strip()]
    states = [s.strip() for s in args.states.split(",") if s.strip()]
    for n in names:
        if n not in PACKAGES:
            raise SystemExit("unknown package %r (known: %s)" % (n, ", ".join(PACKAGES)))
    if states[:1] != [CPYTHON] or len(states) < 2 or not set(states) <= set(STATE_ENV):
        raise SystemExit("--states: %s first, then one or more of %s" % (
            CPYTHON, ", ".join(STATE_ENV)))

    meter = LoadMeter()
    load_at_start = load_avg()
    started = time.time()
    runner_deps = install(python, PYTEST, workdir, "pytest")
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for name in names:
            suite = prepare(python, name, workdir, runner_deps)
            log("%s %s: %s" % (name, suite.spec.version, suite.tree))
            # Unrecorded: byte-compiles the tree, warms the disk cache.
            run_suite(python, suite, CPYTHON, "warmup", scratch, args.timeout)
            runs = {s: [] for s in states}
            for rnd in range(args.rounds):
                for state in (states if rnd % 2 == 0 else states[::-1]):
                    rec = run_suite(python, suite, state, "%s-%d" % (state, rnd + 1),
                                    scratch, args.timeout)
                    runs[state].append(rec)
                    log("  round %d %-8s %7.2f s  %s" % (rnd + 1, state, rec["wall"],
                                                         rec["summary"]))
            rows.append((suite, runs))

    other_cpus, _ = meter.read()
    text, differ = report(rows, states, args.rounds, python, started, other_cpus, load_at_start)
    publish(text, args.output)
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
