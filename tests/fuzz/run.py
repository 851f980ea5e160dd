"""Differential fuzzing of pyjit: generated programs under CPython and pyjit.

    python tests/fuzz/run.py --seed 1 --count 100000 --rotate --jobs 2 --report fuzz-report.md

Programs ``start`` to ``start + count - 1`` of ``seed`` (``generator.py``)
are written to files and run in batches (``batch.py``: one process runs
many programs, each with its own output) under plain CPython and under
pyjit in each configuration:

    threshold0-jit      PYJIT_THRESHOLD=0: every function compiled at its first call
    threshold0-object   the same through object files and pyjit's loader (PYJIT_VIA_OBJECT=1)
    default-jit         default settings: compiled when hot, loops entered natively
    default-object      default settings, PYJIT_VIA_OBJECT=1

Every batch runs in every configuration, or with ``--rotate`` batch number
k in configuration k modulo their number (a quarter of the cost each).  A
program's output (stdout, and the traceback of an exception that escapes
it) must be the same as CPython's; a pyjit process that dies (signal,
timeout) is a crash of the program it was running, and the rest of the
batch goes on in a new process; pyjit's stats for the batch must show no
failed compile (and, at threshold 0, a compile).  Runs are set up as in
``tests/test_differential.py`` (``PYTHONHASHSEED=0``, the same program
paths in both runs, other ``PYJIT_*`` variables passed on to pyjit runs).

Each program that diverges is run alone (a process of its own, as ``python
PROGRAM``, the helpers of ``fuzz_support.py`` inlined) and, when it still
diverges, reduced by deleting statements while it does; the result is a
self-contained program under ``WORKDIR/findings/`` ready to become a corpus
program.  The report (``--report``, Markdown) lists programs run per
configuration, compiles, divergences, crashes and time.

``PYJIT_FUZZ_PYJIT_CMD`` (or ``--pyjit-cmd``) replaces the pyjit command
(default ``sys.executable -m pyjit``); with it the stats checks are off, as
in the differential tests.
"""

import argparse
import ast
import collections
import concurrent.futures
import difflib
import json
import os
import pathlib
import re
import shlex
import shutil
import sys
import tempfile
import threading
import time

FUZZ_DIR = pathlib.Path(__file__).resolve().parent
sys.path[:0] = [str(FUZZ_DIR), str(FUZZ_DIR.parent)]

import generator  # noqa: E402
import test_differential as differential  # noqa: E402

CONFIGS = {
    "threshold0-jit": {"PYJIT_THRESHOLD": "0"},
    "threshold0-object": {"PYJIT_THRESHOLD": "0", "PYJIT_VIA_OBJECT": "1"},
    "default-jit": {},
    "default-object": {"PYJIT_VIA_OBJECT": "1"},
}
BATCH_SCRIPT = FUZZ_DIR / "batch.py"
SUPPORT_MODULE = FUZZ_DIR / "fuzz_support.py"
SUPPORT_IMPORT = "from fuzz_support import *"
# A batch process may take START_TIMEOUT plus PROGRAM_TIMEOUT per program
# (a program takes well under a second, its process's start-up a few).
START_TIMEOUT = 60.0
PROGRAM_TIMEOUT = 5.0
DIFF_LINES = 40


def program_name(seed, index):
    return "p_%d_%d" % (seed, index)


# --------------------------------------------------------------------------
# running processes


class Runner:
    """Runs batches and single programs under CPython (config None) or
    pyjit (a name of CONFIGS), set up as the differential tests do."""

    def __init__(self, pyjit_cmd=None):
        """`pyjit_cmd` (argv) replaces ``python -m pyjit``, as does
        PYJIT_FUZZ_PYJIT_CMD (shlex syntax)."""
        if pyjit_cmd is None and os.environ.get("PYJIT_FUZZ_PYJIT_CMD"):
            pyjit_cmd = shlex.split(os.environ["PYJIT_FUZZ_PYJIT_CMD"])
        self.pyjit_cmd = pyjit_cmd or [sys.executable, "-m", "pyjit"]
        self.check_stats = pyjit_cmd is None

    def command_and_env(self, config, stats_path):
        env = differential._base_env()
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(FUZZ_DIR), env.get("PYTHONPATH")]))
        if config is None:
            return [sys.executable], env
        env.update(differential._passthrough_pyjit_vars())
        env.update(CONFIGS[config])
        env["PYJIT_STATS_OUT"] = stats_path
        return list(self.pyjit_cmd), env

    def run(self, config, argv, cwd, timeout):
        """Runs `argv` (after the interpreter) and returns (RunResult, stats
        dict or None)."""
        stats_path = os.path.join(cwd, "stats-%s.json" % (config or "cpython"))
        command, env = self.command_and_env(config, stats_path)
        result = differential.run_program(command + argv, env, cwd, timeout)
        stats = None
        if config is not None and os.path.exists(stats_path):
            with open(stats_path, encoding="utf-8") as f:
                stats = json.load(f)
            os.unlink(stats_path)
        return result, stats

    def run_batch(self, config, programs, cwd):
        """Runs `programs` (paths) in as few processes as it takes: when a
        process dies, the program it was running is given its status and
        the rest run in a new process.  Returns ({path: record}, [stats],
        [stdout and stderr of each process that finished])."""
        records, all_stats, streams = {}, [], []
        results_path = os.path.join(cwd, "results-%s.jsonl" % (config or "cpython"))
        remaining = list(programs)
        while remaining:
            timeout = START_TIMEOUT + PROGRAM_TIMEOUT * len(remaining)
            result, stats = self.run(config, [str(BATCH_SCRIPT), results_path] + remaining, cwd, timeout)
            if result.returncode == 0:
                all_stats.append(stats)
            done = read_results(results_path)
            records.update(done)
            remaining = remaining[len(done):]
            if remaining:
                records[remaining[0]] = {"died": "timed out" if result.timed_out
                                         else "exit status %s" % differential._status(result.returncode),
                                         "stderr": differential._tail(result.stderr, 3000)}
                remaining = remaining[1:]
            else:
                streams.append(differential._decode(result.stdout + result.stderr))
        return records, all_stats, streams

    def run_alone(self, config, path, cwd):
        """Runs one program as ``python PATH``: (stdout, stderr, exit status)
        or None when it timed out."""
        result, _ = self.run(config, [str(path)], cwd, START_TIMEOUT + PROGRAM_TIMEOUT)
        if result.timed_out:
            return None
        return result.stdout, result.stderr, result.returncode


def read_results(path):
    records = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.endswith("\n"):
                    record = json.loads(line)
                    records[record["program"]] = record
        os.unlink(path)
    return records


# --------------------------------------------------------------------------
# comparing


def compare(expected, actual):
    """What differs between a program's CPython and pyjit records: None,
    or (kind, text)."""
    if "died" in actual:
        return "crash", "pyjit %s\n%s" % (actual["died"], actual["stderr"])
    if expected["uncaught"] != actual["uncaught"] or expected["output"] != actual["output"]:
        diff = difflib.unified_diff(expected["output"].splitlines(keepends=True),
                                    actual["output"].splitlines(keepends=True), "cpython", "pyjit", n=2)
        lines = list(diff)
        text = "".join(lines[:DIFF_LINES]) + ("...[%d more diff lines]\n" % (len(lines) - DIFF_LINES)
                                              if len(lines) > DIFF_LINES else "")
        return "divergence", text
    return None


def without_addresses(streams):
    """A batch's output with object addresses masked: a process's own output
    outside the programs' (say, the default unraisable hook's `Exception
    ignored in: <generator object f at 0x...>` for a generator collected
    later) names objects by address, which differs from process to process."""
    return [re.sub(r"0x[0-9a-f]+", "0x?", stream) for stream in streams]


def stats_problems(config, stats, runner):
    problems = []
    if not runner.check_stats:
        return problems
    if stats is None:
        return ["pyjit wrote no stats (was the JIT on?)"]
    if stats.get("failed"):
        problems.append("%d compile(s) failed" % stats["failed"])
    if CONFIGS[config].get("PYJIT_THRESHOLD") == "0" and stats.get("compiled", 0) < 1:
        problems.append("nothing was compiled")
    return problems


class Finding:
    """A program (or batch) on which pyjit and CPython differ."""

    def __init__(self, kind, config, programs, text):
        self.kind = kind  # divergence, crash, stats, process output, baseline
        self.config = config
        self.programs = programs  # paths (one for a program's finding, all for a batch's)
        self.text = text
        self.alone = None  # whether it diverged run alone as well
        self.reduced = None  # path of the reduced program

    def summary(self):
        where = pathlib.Path(self.programs[0]).stem if len(self.programs) == 1 else "batch of %d from %s" % (
            len(self.programs), pathlib.Path(self.programs[0]).stem)
        alone = {None: "", True: ", diverges alone", False: ", only in its batch"}[self.alone]
        return "%s: %s [%s]%s%s" % (self.kind, where, self.config or "cpython", alone,
                                     ", reduced: %s" % self.reduced if self.reduced else "")


# --------------------------------------------------------------------------
# reducing


def standalone_source(source):
    """`source` with the helpers it imports inlined, so that it runs as
    ``python PROGRAM`` from any directory (a corpus program)."""
    with open(SUPPORT_MODULE, encoding="utf-8") as f:
        helpers = f.read().split('"""', 2)[2].strip()  # after the module docstring
    return source.replace(SUPPORT_IMPORT, "# helpers of tests/fuzz/fuzz_support.py\n" + helpers)


def statement_spans(lines):
    """(first line index, end line index, indent) of every statement of the
    program `lines` (None if it is not valid), outermost first."""
    try:
        tree = ast.parse("\n".join(lines) + "\n")
    except SyntaxError:
        return None
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt):
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            spans.append((node.col_offset, first - 1, node.end_lineno))
    return [(first, end, indent) for indent, first, end in sorted(spans)]


def reduce_lines(lines, still_fails, deadline):
    """Deletes statements (with the statements inside them), outermost
    first, or replaces them by ``pass``, while `still_fails` holds, until a
    pass over all of them keeps none or the deadline passes."""
    changed = True
    while changed and time.monotonic() < deadline:
        changed = False
        position = 0
        while time.monotonic() < deadline:
            spans = statement_spans(lines)
            if position >= len(spans):
                break
            first, end, indent = spans[position]
            for replacement in ([], [" " * indent + "pass"]):
                candidate = lines[:first] + replacement + lines[end:]
                if candidate != lines and statement_spans(candidate) is not None and still_fails(candidate):
                    lines, changed = candidate, True
                    break
            else:
                position += 1
    without_blank_lines = [line for line in lines if line.strip()]
    return without_blank_lines if still_fails(without_blank_lines) else lines


def pyjit_only_lines(baseline, jit):
    """The lines of pyjit's stdout and stderr that CPython's lack (as many
    times as they appear more often)."""
    if baseline is None or jit is None:
        return set()
    lines = collections.Counter((jit[0] + jit[1]).splitlines())
    lines.subtract((baseline[0] + baseline[1]).splitlines())
    return {line for line, count in lines.items() if count > 0}


class Reducer:
    """Runs diverging programs alone and reduces them: the first `limit`
    found (many findings are often one bug)."""

    def __init__(self, runner, workdir, time_limit, limit):
        self.runner = runner
        self.workdir = pathlib.Path(workdir)
        self.time_limit = time_limit
        self.left = limit
        self.lock = threading.Lock()

    def take(self):
        """Whether one more finding is to be reduced."""
        with self.lock:
            self.left -= 1
            return self.left >= 0

    def outcome(self, config, path, cwd):
        """(kind, baseline, pyjit) of running `path` alone (both runs at
        once): kind None when they agree, 'baseline' when CPython did not
        finish."""
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            runs = [pool.submit(self.runner.run_alone, c, path, cwd) for c in (None, config)]
            baseline, jit = [run.result() for run in runs]
        if baseline is None:
            return "baseline", None, None
        if jit is None or jit[2] < 0:
            return "crash", baseline, jit
        return (None if jit == baseline else "divergence"), baseline, jit

    def reduce(self, finding, source):
        """Runs the finding's program alone (helpers inlined); if it still
        diverges, reduces it and writes it to findings/. Sets
        finding.alone and finding.reduced."""
        name = pathlib.Path(finding.programs[0]).stem
        cwd = self.workdir / "reduce" / ("%s-%s" % (name, finding.config))
        cwd.mkdir(parents=True, exist_ok=True)
        path = cwd / (name + ".py")
        lines = standalone_source(source).splitlines()
        # A divergence at default settings is looked for at threshold 0 first, where
        # what is compiled does not depend on timing.
        configs = [finding.config]
        if finding.config.startswith("default-"):
            configs.insert(0, finding.config.replace("default-", "threshold0-"))
        for config in configs:
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            kind, baseline, jit = self.outcome(config, path, cwd)
            if kind == finding.kind:
                break
        else:
            finding.alone = False
            return
        signature = pyjit_only_lines(baseline, jit)

        def still_fails(candidate):
            # The same kind of failure, and (for a divergence) a line of
            # pyjit's output of the original is still there and still
            # pyjit's alone: the reduction keeps to this bug, not another.
            path.write_text("\n".join(candidate) + "\n", encoding="utf-8")
            kind, baseline, jit = self.outcome(config, path, cwd)
            return kind == finding.kind and (kind == "crash" or pyjit_only_lines(baseline, jit) & signature)

        finding.alone = True
        reduced = reduce_lines(lines, still_fails, time.monotonic() + self.time_limit)
        path.write_text("\n".join(reduced) + "\n", encoding="utf-8")
        _, baseline, jit = self.outcome(config, path, cwd)
        findings_dir = self.workdir / "findings"
        findings_dir.mkdir(exist_ok=True)
        target = findings_dir / ("%s-%s.py" % (name, config))
        header = ["# %s of pyjit (%s) found by tests/fuzz/run.py: %s, reduced" % (finding.kind, config, name)]
        if baseline and jit:
            header += ["# " + l for l in differential._diff("stdout+stderr", baseline[0] + baseline[1],
                                                            jit[0] + jit[1]).splitlines()[:DIFF_LINES]]
        target.write_text("\n".join(header + reduced) + "\n", encoding="utf-8")
        finding.reduced = str(target)


# --------------------------------------------------------------------------
# the run


class Summary:
    def __init__(self, seed, start, count, configs, rotate):
        self.seed, self.start, self.count = seed, start, count
        self.configs, self.rotate = configs, rotate
        self.runs = {config: 0 for config in configs}  # programs run per configuration
        self.compiled_programs = {config: 0 for config in configs}  # programs during which something compiled
        self.compiled = {config: 0 for config in configs}
        self.osr_entries = {config: 0 for config in configs}
        self.delegated = {}
        self.uncaught = 0
        self.findings = []
        self.seconds = 0.0
        self.lock = threading.Lock()

    def report(self):
        lines = ["# pyjit differential fuzzing", "",
                 "seed %d, programs %d to %d (%d), %s" % (
                     self.seed, self.start, self.start + self.count - 1, self.count,
                     "each batch in one configuration in turn (--rotate)" if self.rotate
                     else "every program in every configuration"),
                 "",
                 "| configuration | programs run | programs that compiled code | functions compiled | loop entries |",
                 "|---|---:|---:|---:|---:|"]
        for config in self.configs:
            lines.append("| %s | %d | %d | %d | %d |" % (config, self.runs[config], self.compiled_programs[config],
                                                         self.compiled[config], self.osr_entries[config]))
        total = sum(self.runs.values())
        lines += ["", "program runs under pyjit: %d; programs ending in an uncaught exception: %d" % (
                      total, self.uncaught),
                  "delegated to the interpreter: %s" % (json.dumps(self.delegated, sort_keys=True)
                                                        if self.delegated else "none"),
                  "time: %.0f s (%.1f program runs per second)" % (self.seconds, total / max(self.seconds, 1e-9)),
                  "", "findings: %d" % len(self.findings)]
        for finding in self.findings:
            lines += ["", "## " + finding.summary(), "", "```", finding.text.rstrip(), "```"]
        return "\n".join(lines) + "\n"


class Fuzzer:
    def __init__(self, runner, workdir, jobs, reduce_seconds, reduce_limit=0, log=print):
        self.runner = runner
        self.workdir = pathlib.Path(workdir).resolve()
        self.jobs = jobs
        self.reducer = Reducer(runner, self.workdir, reduce_seconds, reduce_limit) if reduce_limit else None
        self.log = log

    def run(self, seed, start, count, configs, batch_size, rotate):
        summary = Summary(seed, start, count, configs, rotate)
        started = time.monotonic()
        batches = [(n, first, min(batch_size, start + count - first))
                   for n, first in enumerate(range(start, start + count, batch_size))]
        done = [0]

        def one(batch):
            n, first, size = batch
            batch_configs = [configs[n % len(configs)]] if rotate else configs
            self.run_batch(summary, seed, first, size, batch_configs)
            with summary.lock:
                done[0] += size
                self.log("%d/%d programs, %d findings, %.0f s" % (done[0], count, len(summary.findings),
                                                                time.monotonic() - started))

        with concurrent.futures.ThreadPoolExecutor(self.jobs) as pool:
            for future in [pool.submit(one, batch) for batch in batches]:
                future.result()
        summary.findings.sort(key=lambda f: (f.programs[0], f.config or ""))
        summary.seconds = time.monotonic() - started
        return summary

    def run_batch(self, summary, seed, first, size, configs):
        cwd = self.workdir / ("batch-%d-%d" % (seed, first))
        cwd.mkdir(parents=True, exist_ok=True)
        sources = {}
        for index in range(first, first + size):
            path = cwd / (program_name(seed, index) + ".py")
            sources[str(path)] = generator.program_source(seed, index)
            path.write_text(sources[str(path)], encoding="utf-8")
        programs = list(sources)
        baseline, _, baseline_streams = self.runner.run_batch(None, programs, str(cwd))
        findings = [Finding("baseline", None, [p], "CPython %s\n%s" % (baseline[p]["died"], baseline[p]["stderr"]))
                    for p in programs if "died" in baseline[p]]
        healthy = [p for p in programs if "died" not in baseline[p]]
        with summary.lock:
            summary.uncaught += sum(baseline[p]["uncaught"] for p in healthy)
        for config in configs:
            records, stats, streams = self.runner.run_batch(config, programs, str(cwd))
            new = []
            for path in healthy:
                difference = compare(baseline[path], records[path])
                if difference:
                    new.append(Finding(difference[0], config, [path], difference[1]))
            died = len(healthy) < len(programs) or any(f.kind == "crash" for f in new)
            if without_addresses(streams) != without_addresses(baseline_streams) and not died:
                new.append(Finding("process output", config, programs, differential._diff(
                    "batch stdout and stderr", "".join(baseline_streams).encode(), "".join(streams).encode())))
            for s in stats:
                problems = stats_problems(config, s, self.runner)
                if problems:
                    new.append(Finding("stats", config, programs, "; ".join(problems)))
            if self.reducer:
                for finding in new:
                    if len(finding.programs) == 1 and finding.kind in ("divergence", "crash") and self.reducer.take():
                        self.reducer.reduce(finding, sources[finding.programs[0]])
            findings += new
            with summary.lock:
                summary.runs[config] += len(healthy)
                for record in records.values():
                    if record.get("compiled"):
                        summary.compiled_programs[config] += 1
                    summary.compiled[config] += record.get("compiled", 0)
                    summary.osr_entries[config] += record.get("osr_entries", 0)
                for s in filter(None, stats):
                    for reason, number in s.get("delegated_reasons", {}).items():
                        summary.delegated[reason] = summary.delegated.get(reason, 0) + number
        with summary.lock:
            summary.findings += findings
        if not findings:
            shutil.rmtree(cwd, ignore_errors=True)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=int, default=0, help="first program index")
    parser.add_argument("--count", type=int, default=1000, help="number of programs")
    parser.add_argument("--configs", default=",".join(CONFIGS),
                        help="comma-separated configurations (default: all: %(default)s)")
    parser.add_argument("--rotate", action="store_true",
                        help="run each batch in one configuration, taking them in turn")
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--workdir", help="where programs and findings go (default: a new temporary directory)")
    parser.add_argument("--report", help="write the report (Markdown) here")
    parser.add_argument("--reduce", type=int, default=5, metavar="N",
                        help="run the first N diverging programs alone and reduce them (default %(default)s)")
    parser.add_argument("--reduce-seconds", type=float, default=900,
                        help="time to spend reducing each (default %(default)s)")
    parser.add_argument("--pyjit-cmd", help="replaces the pyjit command (as PYJIT_FUZZ_PYJIT_CMD)")
    args = parser.parse_args(argv)
    args.configs = args.configs.split(",")
    unknown = [c for c in args.configs if c not in CONFIGS]
    if unknown:
        parser.error("unknown configuration(s) %s; known: %s" % (", ".join(unknown), ", ".join(CONFIGS)))
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    workdir = args.workdir or tempfile.mkdtemp(prefix="pyjit-fuzz-")
    os.makedirs(workdir, exist_ok=True)
    fuzzer = Fuzzer(Runner(shlex.split(args.pyjit_cmd) if args.pyjit_cmd else None), workdir, args.jobs, args.reduce_seconds, args.reduce,
                    log=lambda line: print(line, file=sys.stderr, flush=True))
    summary = fuzzer.run(args.seed, args.start, args.count, args.configs, args.batch_size, args.rotate)
    report = summary.report()
    if args.report:
        pathlib.Path(args.report).write_text(report, encoding="utf-8")
    print(report)
    print("work directory: %s" % workdir)
    return 1 if summary.findings else 0


if __name__ == "__main__":
    sys.exit(main())
