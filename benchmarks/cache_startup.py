"""Warm-cache measurements: what `pyjit precompile` buys at start-up.

For a few pyperformance benchmarks, under plain CPython, a cold JIT and a warm cache
(the benchmark, pyperf and the standard library precompiled with one training run of
all of them, loaded in strict mode):

- first iteration: wall time of a fresh process running one iteration
  (`run_benchmark.py --debug-single-value`: start-up, imports, compiles, one run);
- steady state: pyperf's mean with `--fast` (workers inherit the mode's environment);
- run-time compiles and cache hits of the warm-cache first-iteration process.

And the import-time cost of the cache: a fresh process importing a set of large stdlib
packages with the JIT on, without a cache, with a cache that has no entries for them,
and with one that has (precompiled, trained on that import).

    /path/to/venv/bin/python benchmarks/cache_startup.py [--bench nbody,richards] [--output FILE]

Needs pyjit, pyperf and pyperformance in that venv. Writes a Markdown report (default
benchmarks/CACHE.md). Times are medians of --repeat runs.
"""

import argparse
import json
import os
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


def run(cmd, env, ok=(0,)):
    started = time.perf_counter()
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode not in ok:
        raise SystemExit(f"failed ({result.returncode}): {' '.join(map(str, cmd))}\n{result.stderr[-2000:]}")
    return elapsed, result


def pyjit(*args, ok=(0,)):
    return run([PY, "-m", "pyjit", *map(str, args)], os.environ, ok)


def mode_envs(cache, pub, stats):
    base = {k: v for k, v in os.environ.items() if not k.startswith("PYJIT_")}
    jit = dict(base, PYJIT_ENABLE="1", PYJIT_STATS_OUT=str(stats))
    return {
        "cpython": base,
        "cold JIT": jit,
        "warm cache": dict(jit, PYJIT_CACHE=str(cache), PYJIT_TRUSTED_KEYS=str(pub), PYJIT_CACHE_STRICT="1"),
    }


def median_time(cmd, env, repeat):
    return statistics.median(run(cmd, env)[0] for _ in range(repeat))


def steady_state(script, env, tmp):
    out = tmp / "pyperf.json"
    out.unlink(missing_ok=True)
    inherit = ",".join(k for k in env if k.startswith("PYJIT_")) or "PATH"
    run([PY, script, "--fast", "--inherit-environ", inherit, "-o", out], env)
    data = json.loads(out.read_text())
    values = [v for bench in data["benchmarks"] for r in bench["runs"] for v in r.get("values", [])]
    return statistics.mean(values)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", default="nbody,richards,float,chaos,json_dumps")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", default=str(Path(__file__).with_name("CACHE.md")))
    args = parser.parse_args()
    benches = args.bench.split(",")
    scripts = {b: BENCH_DIR / f"bm_{b}" / "run_benchmark.py" for b in benches}
    stdlib = sysconfig.get_paths()["stdlib"]
    pyperf_dir = Path(__import__("pyperf").__file__).parent
    tmp = Path(tempfile.mkdtemp(prefix="pyjit-cache-bench-"))
    try:
        pyjit("cache", "keygen", tmp / "k.key")
        pub = tmp / "k.key.pub"
        train = " && ".join(f"{PY} {s} --debug-single-value > /dev/null" for s in scripts.values())
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
        envs = mode_envs(tmp / "cache", pub, stats)

        rows = []
        for bench, script in scripts.items():
            first = {m: median_time([PY, script, "--debug-single-value"], env, args.repeat) for m, env in envs.items()}
            run([PY, script, "--debug-single-value"], envs["warm cache"])
            warm = json.loads(stats.read_text())
            steady = {m: steady_state(script, env, tmp) for m, env in envs.items()}
            rows.append((bench, first, steady, warm["compiled"], warm["cache_hits"]))
            print(bench, first, steady, file=sys.stderr)

        # Import cost: a cache with no entries for the imported modules (the sample app's).
        app = Path(__file__).resolve().parent.parent / "examples" / "container" / "app"
        pyjit("precompile", app, "--out", tmp / "empty", "--key", tmp / "k.key")
        imports = {}
        for label, cache in (("no cache", None), ("cache without entries for them", tmp / "empty"),
                             ("cache with entries for them", tmp / "cache")):
            env = dict(envs["cold JIT"])
            if cache:
                env.update(PYJIT_CACHE=str(cache), PYJIT_TRUSTED_KEYS=str(pub))
            imports[label] = median_time([PY, "-c", IMPORTS], env, args.repeat * 2)
        imports["plain CPython"] = median_time([PY, "-c", IMPORTS], envs["cpython"], args.repeat * 2)
        # The lookup alone: run-time compiling off, so the only difference is keying each
        # code object once and searching the index.
        for label, cache in (("no cache, compiling off", None), ("cache without entries, compiling off", tmp / "empty")):
            env = dict(envs["cold JIT"], PYJIT_THRESHOLD="1000000000")
            if cache:
                env.update(PYJIT_CACHE=str(cache), PYJIT_TRUSTED_KEYS=str(pub))
            imports[label] = median_time([PY, "-c", IMPORTS], env, args.repeat * 2)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    ms = lambda s: f"{s * 1000:.0f} ms"  # noqa: E731
    lines = [
        "# Warm code cache",
        "",
        f"Written by `benchmarks/cache_startup.py` on {time.strftime('%Y-%m-%d')} "
        f"({os.cpu_count()} CPUs, shared machine: other builds may have been running).",
        f"Cache: the benchmarks, pyperf and the stdlib, one training run of all of them "
        f"({precompile_time:.0f} s): `{summary}`",
        "",
        "| benchmark | first iteration: CPython | cold JIT | warm cache | steady state: CPython | cold JIT | warm cache | warm: run-time compiles | warm: cache hits |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for bench, first, steady, compiled, hits in rows:
        lines.append(
            f"| {bench} | {ms(first['cpython'])} | {ms(first['cold JIT'])} | {ms(first['warm cache'])} "
            f"| {ms(steady['cpython'])} | {ms(steady['cold JIT'])} | {ms(steady['warm cache'])} | {compiled} | {hits} |"
        )
    lines += [
        "",
        "First iteration is the wall time of a whole process (start-up, imports, compiles, one",
        "iteration); steady state is pyperf's mean per iteration (`--fast`). Run-time compiles in",
        "the warm-cache process are code objects with no entry: checked for nbody, a `<lambda>`",
        "made by `exec` and a function of psutil (imported by pyperf, not precompiled here).",
        "",
        f"## Import-time cost (`python -c \"{IMPORTS}\"`, JIT on)",
        "",
        "| | time |",
        "|---|---:|",
    ]
    lines += [f"| {label} | {ms(t)} |" for label, t in imports.items()]
    Path(args.output).write_text("\n".join(lines) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
