"""Warm-cache measurements: what `pyjit precompile` buys at start-up.

For a few pyperformance benchmarks, under plain CPython, a cold JIT and a warm cache
(the benchmark, pyperf and the standard library precompiled with one training run of
all of them, loaded in strict mode):

- first iteration: wall time of a fresh process running one iteration
  (`run_benchmark.py --worker --debug-single-value`: start-up, imports, compiles, one run);
- steady state: median value of `--processes` pyperf worker processes
  (`--worker -l LOOPS -w 1 -n 3`, loops calibrated once under CPython);
- cache hits and run-time compiles of the warm-cache first-iteration process.

Every benchmark process is a pyperf *worker*, which runs the benchmark in that very
process. Without `--worker`, `run_benchmark.py` (even with `--debug-single-value`) is a
pyperf manager that spawns the worker with a clean environment (only PATH, HOME,
PYTHONPATH, ... and the names given by `--inherit-environ`), so no PYJIT_* variable
would reach the code being timed. To prove that each mode reached it, every process
also gets PYJIT_STATS_OUT (in the CPython mode too, where nothing may write it), and
the script stops unless: CPython processes wrote no stats, cold-JIT processes compiled
something and had no cache hits, warm-cache processes had cache hits.

And the import-time cost of the cache: a fresh process importing a set of large stdlib
packages with the JIT on, without a cache, with a cache that has no entries for them,
and with one that has (precompiled, trained on that import).

    /path/to/venv/bin/python benchmarks/cache_startup.py [--bench nbody,richards] [--output FILE]

Needs pyjit, pyperf and pyperformance in that venv. Writes a Markdown report (default
benchmarks/CACHE.md). Times are medians of --repeat runs, the modes interleaved.
"""

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import pyperformance

PY = sys.executable
BENCH_DIR = Path(pyperformance.__file__).parent / "data-files" / "benchmarks"
IMPORTS = "import asyncio, email.mime.multipart, http.server, xml.dom.minidom, unittest, argparse, json, decimal"
MODES = ("cpython", "cold JIT", "warm cache")


def run(cmd, env, ok=(0,)):
    started = time.perf_counter()
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode not in ok:
        raise SystemExit(f"failed ({result.returncode}): {' '.join(map(str, cmd))}\n{result.stderr[-2000:]}")
    return elapsed, result


def pyjit(*args, ok=(0,)):
    return run([PY, "-m", "pyjit", *map(str, args)], os.environ, ok)


def mode_envs(cache, pub):
    base = {k: v for k, v in os.environ.items() if not k.startswith("PYJIT_")}
    jit = dict(base, PYJIT_ENABLE="1")
    return {
        "cpython": base,
        "cold JIT": jit,
        "warm cache": dict(jit, PYJIT_CACHE=str(cache), PYJIT_TRUSTED_KEYS=str(pub), PYJIT_CACHE_STRICT="1"),
    }


def run_checked(cmd, mode, env, stats):
    """Run one benchmark process in a mode; return (wall time, its pyjit stats or None).

    Stops the whole run if the mode did not reach the process (see the module doc).
    """
    stats.unlink(missing_ok=True)
    elapsed, _ = run(cmd, dict(env, PYJIT_STATS_OUT=str(stats)))
    written = json.loads(stats.read_text()) if stats.exists() else None
    if mode == "cpython":
        problem = written is not None and "pyjit ran in the CPython mode"
    elif written is None:
        problem = "no pyjit stats written: the JIT did not run in the benchmark process"
    elif mode == "cold JIT":
        problem = (written["compiled"] == 0 and "the cold JIT compiled nothing") or (
            written["cache_hits"] and "cache hits without a cache")
    else:
        problem = written["cache_hits"] == 0 and "no cache hits with the warm cache"
    if problem:
        raise SystemExit(f"{mode}: {problem}: {shlex.join(map(str, cmd))}")
    return elapsed, written


def rotations(rounds):
    """The mode order of each round, rotating so each mode runs first equally often."""
    for rnd in range(rounds):
        shift = rnd % len(MODES)
        yield MODES[shift:] + MODES[:shift]


def first_iteration(script, envs, stats, repeat):
    """{mode: median wall time}, {mode: stats of the last process} of one-iteration processes."""
    cmd = [PY, script, "--worker", "--debug-single-value"]
    times = {m: [] for m in MODES}
    last_stats = {}
    for order in rotations(repeat):
        for mode in order:
            elapsed, last_stats[mode] = run_checked(cmd, mode, envs[mode], stats)
            times[mode].append(elapsed)
    return {m: statistics.median(t) for m, t in times.items()}, last_stats


def steady_state(script, envs, stats, tmp, processes):
    """{mode: median value (s per iteration)} of pyperf worker processes, same loops."""
    out = tmp / "pyperf.json"
    out.unlink(missing_ok=True)
    run([PY, script, "--worker", "--calibrate-loops", "-o", out], envs["cpython"])
    loops = json.loads(out.read_text())["metadata"]["calibrate_loops"]
    values = {m: [] for m in MODES}
    for order in rotations(processes):
        for mode in order:
            out.unlink(missing_ok=True)
            cmd = [PY, script, "--worker", "-l", str(loops), "-w", "1", "-n", "3", "-o", out]
            run_checked(cmd, mode, envs[mode], stats)
            data = json.loads(out.read_text())
            values[mode] += [v for b in data["benchmarks"] for r in b["runs"] for v in r.get("values", [])]
    return {m: statistics.median(v) for m, v in values.items()}, loops


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", default="nbody,richards,float,chaos")
    parser.add_argument("--repeat", type=int, default=3,
                        help="first-iteration processes per mode (imports: twice as many)")
    parser.add_argument("--processes", type=int, default=3,
                        help="steady-state worker processes per mode")
    parser.add_argument("--output", default=str(Path(__file__).with_name("CACHE.md")))
    args = parser.parse_args()
    command = shlex.join([PY, *sys.argv])
    benches = args.bench.split(",")
    scripts = {b: BENCH_DIR / f"bm_{b}" / "run_benchmark.py" for b in benches}
    stdlib = sysconfig.get_paths()["stdlib"]
    pyperf_dir = Path(__import__("pyperf").__file__).parent
    tmp = Path(tempfile.mkdtemp(prefix="pyjit-cache-bench-"))
    try:
        pyjit("cache", "keygen", tmp / "k.key")
        pub = tmp / "k.key.pub"
        # --worker: the training run must run the benchmark in the recorded process.
        train = " && ".join(f"{PY} {s} --worker --debug-single-value > /dev/null" for s in scripts.values())
        train += f" && {PY} -c '{IMPORTS}'"
        started = time.perf_counter()
        _, built = pyjit(
            "precompile", *[s.parent for s in scripts.values()], pyperf_dir, stdlib,
            "--out", tmp / "cache", "--key", tmp / "k.key", "--train", train,
            ok=(0, 1),  # 1: the stdlib's test suite has files with deliberate syntax errors
        )
        precompile_time = time.perf_counter() - started
        summary = built.stdout.splitlines()[0]
        stats = tmp / "stats.json"
        envs = mode_envs(tmp / "cache", pub)

        rows = []
        for bench, script in scripts.items():
            first, first_stats = first_iteration(script, envs, stats, args.repeat)
            steady, loops = steady_state(script, envs, stats, tmp, args.processes)
            rows.append((bench, first, steady, loops, first_stats))
            print(bench, first, steady, {m: st and (st["compiled"], st["cache_hits"])
                                         for m, st in first_stats.items()}, file=sys.stderr)

        # Import cost: a cache with no entries for the imported modules (the sample app's).
        app = Path(__file__).resolve().parent.parent / "examples" / "container" / "app"
        pyjit("precompile", app, "--out", tmp / "empty", "--key", tmp / "k.key")
        import_envs = {}
        for label, cache in (("no cache", None), ("cache without entries for them", tmp / "empty"),
                             ("cache with entries for them", tmp / "cache")):
            import_envs[label] = dict(envs["cold JIT"])
            if cache:
                import_envs[label].update(PYJIT_CACHE=str(cache), PYJIT_TRUSTED_KEYS=str(pub))
        import_envs["plain CPython"] = envs["cpython"]
        # The lookup alone: run-time compiling off, so the only difference is keying each
        # code object once and searching the index.
        for label, cache in (("no cache, compiling off", None), ("cache without entries, compiling off", tmp / "empty")):
            import_envs[label] = dict(envs["cold JIT"], PYJIT_THRESHOLD="1000000000")
            if cache:
                import_envs[label].update(PYJIT_CACHE=str(cache), PYJIT_TRUSTED_KEYS=str(pub))
        import_times = {label: [] for label in import_envs}
        for _ in range(args.repeat * 2):  # interleaved, like the benchmark modes
            for label, env in import_envs.items():
                import_times[label].append(run([PY, "-c", IMPORTS], env)[0])
        imports = {label: statistics.median(t) for label, t in import_times.items()}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    ms = lambda s: f"{s * 1000:.0f} ms"  # noqa: E731
    lines = [
        "# Warm code cache",
        "",
        f"Written by `benchmarks/cache_startup.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} "
        f"({os.cpu_count()} CPUs, load average at the end {' '.join('%.2f' % x for x in os.getloadavg())}; "
        "shared machine: other builds were running, expect noise).",
        "",
        f"Command: `{command}`",
        "",
        f"Cache: the benchmarks, pyperf and the stdlib, one training run of all of them "
        f"({precompile_time:.0f} s): `{summary}`",
        "",
        "| benchmark | first iteration: CPython | cold JIT | warm cache | steady state: CPython | cold JIT | warm cache "
        "| loops / value | cold JIT: run-time compiles | warm cache: cache hits | warm cache: run-time compiles |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for bench, first, steady, loops, first_stats in rows:
        cold, warm = first_stats["cold JIT"], first_stats["warm cache"]
        lines.append(
            f"| {bench} | {ms(first['cpython'])} | {ms(first['cold JIT'])} | {ms(first['warm cache'])} "
            f"| {ms(steady['cpython'])} | {ms(steady['cold JIT'])} | {ms(steady['warm cache'])} | {loops} "
            f"| {cold['compiled']} | {warm['cache_hits']} | {warm['compiled']} |"
        )
    lines += [
        "",
        "First iteration: median wall time of a whole process (start-up, imports, compiles, one",
        f"iteration: `run_benchmark.py --worker --debug-single-value`), {args.repeat} processes per mode.",
        f"Steady state: median value (time per iteration) of {args.processes} worker processes per mode",
        "(`--worker -l LOOPS -w 1 -n 3`, loops calibrated under CPython), 3 values each. The modes",
        "alternate in rotating order. Compiles and cache hits are `pyjit.stats()` of the last",
        "first-iteration process of that mode (`PYJIT_STATS_OUT`); every process of every mode was",
        "checked: no stats written under CPython, compiles and no cache hits under the cold JIT,",
        "cache hits with the warm cache. Cold JIT and warm cache use pyjit's default threshold.",
        "",
        "The first-iteration figures and cache counts in this file before 2026-12-01 were invalid:",
        "`run_benchmark.py --debug-single-value` is a pyperf manager that runs the benchmark in a",
        "worker process with a clean environment (pyperf passes on only PATH, HOME, PYTHONPATH, ...",
        "and names given to `--inherit-environ`), so the timed iteration ran in plain CPython in",
        "every mode and the cache hits counted were the manager's. The training command had the",
        "same problem, so the cache held only the code the manager ran at import (for richards:",
        "the module and class bodies and one `__init__`, 16 entries, against 50 when trained",
        "with `--worker`), and the warm-cache steady state (whose workers did get the",
        "variables) compiled the timed functions at run time like a cold JIT.",
        "",
        f"## Import-time cost (`python -c \"{IMPORTS}\"`, JIT on)",
        "",
        f"Median of {args.repeat * 2} processes per row, rows interleaved.",
        "",
        "| | time |",
        "|---|---:|",
    ]
    lines += [f"| {label} | {ms(t)} |" for label, t in imports.items()]
    Path(args.output).write_text("\n".join(lines) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
