#!/usr/bin/env python3
"""Import-time cost of the code cache: an import-heavy start-up under plain CPython and
under pyjit without a cache, with a cache that has no entries for the imported code, and
with a cache that holds every function of every imported module.

The start-up imports what an asyncio web service imports from the standard library
(asyncio, logging, json, http, email, ssl, urllib, ...) and the pure-Python packages of
this virtualenv that such a service uses (uvicorn, h11, click, packaging, pygments:
those that are installed). Every mode is a fresh ``python -c "import ..."`` process;
the modes alternate in a rotating order for ``--rounds`` rounds, and the table shows
medians and the ratios of medians from the same run.

- "no matching entries": a cache precompiled from this repository's example app;
  the issue's target is at most 3 % over pyjit without a cache.
- "every function": ``pyjit precompile`` of every module file the start-up imports
  (every function in them, not only those that run); target at most 10 % over plain
  CPython. Its row also shows how many code objects ran (recorded in a separate
  process with ``PYJIT_RECORD_OUT``) and how many of them were attached from the cache
  (``pyjit.stats()`` of the timed processes, checked in every one).
- "trained": the same files precompiled with ``--train`` on the start-up itself: the
  functions the JIT compiled in it (at its default threshold: those that ran often
  enough), each compiled with the profile the training run recorded.

Writes the "Import-time cost with a code cache" section of BENCHMARKS.md (``--output``;
``-`` prints it only).

    /path/to/venv/bin/python benchmarks/import_time.py [--rounds N] [--output FILE]

Use a virtualenv's python: a shim in front of the interpreter would be timed too.
"""

import argparse
import importlib.util
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import LoadMeter, load_avg, refresh_pyjit_bytecode, report_header  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
HEADING = "## Import-time cost with a code cache"
STDLIB = [
    "asyncio", "concurrent.futures", "contextvars", "logging", "logging.handlers", "json", "http.server",
    "http.client", "http.cookies", "email.message", "email.mime.multipart", "email.utils", "urllib.parse",
    "urllib.request", "ssl", "socket", "selectors", "typing", "dataclasses", "enum", "uuid", "base64",
    "hashlib", "hmac", "secrets", "datetime", "decimal", "argparse", "tempfile", "shutil", "mimetypes",
    "ipaddress", "traceback", "inspect", "signal", "zlib", "gzip",
]
PACKAGES = ["uvicorn", "h11", "click", "packaging.version", "pygments.lexers.python"]
NOTHING_COMPILED = {"PYJIT_THRESHOLD": "1000000000", "PYJIT_OSR": "0"}


def run(cmd, env, check=True):
    started = time.perf_counter()
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if check and result.returncode != 0:
        raise SystemExit(f"failed ({result.returncode}): {' '.join(map(str, cmd))}\n{result.stderr[-2000:]}")
    return elapsed, result


def imported_files(python, statement, env):
    """The source files of the modules `statement` imports (those loaded from .py files)."""
    probe = statement + "\nimport sys, json\nprint(json.dumps(sorted({m.__file__ for m in list(sys.modules.values()) "\
        "if (getattr(m, '__file__', None) or '').endswith('.py')})))"
    return json.loads(run([python, "-c", probe], env)[1].stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--output", default=str(REPO / "BENCHMARKS.md"))
    args = parser.parse_args()
    started = time.time()
    python = args.python
    refresh_pyjit_bytecode(python)
    pyjit = str(Path(python).with_name("pyjit"))
    base = {k: v for k, v in os.environ.items() if not k.startswith("PYJIT_")}
    packages = [p for p in PACKAGES if importlib.util.find_spec(p.split(".")[0]) is not None]
    statement = "import " + ", ".join(STDLIB + packages)

    tmp = Path(tempfile.mkdtemp(prefix="pyjit-imports-"))
    try:
        run([pyjit, "cache", "keygen", tmp / "k.key"], base)
        trust = {"PYJIT_TRUSTED_KEYS": str(tmp / "k.key.pub")}
        files = imported_files(python, statement, base)
        _, built = run([pyjit, "precompile", *files, "--out", tmp / "every", "--key", tmp / "k.key"], base)
        every_summary = built.stdout.splitlines()[0]
        _, built = run([pyjit, "precompile", *files, "--out", tmp / "trained", "--key", tmp / "k.key",
                        "--train", f"{shlex.quote(python)} -c {shlex.quote(statement)}"], base)
        trained_summary = built.stdout.splitlines()[0]
        run([pyjit, "precompile", REPO / "examples" / "container" / "app", "--out", tmp / "other",
             "--key", tmp / "k.key"], base)
        jit = dict(base, PYJIT_ENABLE="1")
        modes = {
            "plain CPython": base,
            "pyjit, no cache": jit,
            "pyjit, cache with no matching entries": dict(jit, PYJIT_CACHE=str(tmp / "other"), **trust),
            "pyjit, cache with every function": dict(jit, PYJIT_CACHE=str(tmp / "every"), **trust),
            "pyjit, cache trained on the start-up": dict(jit, PYJIT_CACHE=str(tmp / "trained"), **trust),
            "pyjit, nothing compiled, no cache": dict(jit, **NOTHING_COMPILED),
            "pyjit, nothing compiled, cache with no matching entries":
                dict(jit, PYJIT_CACHE=str(tmp / "other"), **trust, **NOTHING_COMPILED),
        }
        # How many code objects the start-up runs: the keys a recording process writes
        # (it records what it compiles: at threshold 0, every code object that runs).
        record = tmp / "ran.keys"
        run([python, "-c", statement], dict(jit, PYJIT_RECORD_OUT=str(record), PYJIT_THRESHOLD="0"))
        ran = len(record.read_text().splitlines())

        meter, load_at_start = LoadMeter(), load_avg()
        times = {mode: [] for mode in modes}
        stats = {mode: [] for mode in modes}
        names = list(modes)
        for round_ in range(args.rounds):
            for mode in names[round_ % len(names):] + names[:round_ % len(names)]:
                env = dict(modes[mode])
                if mode != "plain CPython":
                    env["PYJIT_STATS_OUT"] = str(tmp / "stats.json")
                elapsed, _ = run([python, "-c", statement], env)
                times[mode].append(elapsed)
                if mode != "plain CPython":
                    stats[mode].append(json.loads((tmp / "stats.json").read_text()))
        other_cpus, _ = meter.read()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    # Every timed process of a cache mode must show the cache at work (or not).
    for mode, runs in stats.items():
        if not runs:
            continue
        hits = {s["cache_hits"] for s in runs}
        attaches = "every function" in mode or "trained" in mode
        if attaches and 0 in hits:
            raise SystemExit(f"{mode}: a process attached nothing from the cache: {runs}")
        if not attaches and hits != {0}:
            raise SystemExit(f"{mode}: cache hits where none were expected: {hits}")

    median = {mode: statistics.median(t) for mode, t in times.items()}
    plain, nocache = median["plain CPython"], median["pyjit, no cache"]
    ms = lambda s: f"{s * 1000:.1f} ms"  # noqa: E731

    def row(mode, against, against_name, target):
        ratio = median[mode] / against
        last = stats[mode][-1] if stats[mode] else None
        counts = "—" if last is None else f"{last['cache_keyed']} / {last['cache_hits']} / {last['compiled']}"
        in_cache = "—" if not stats[mode] else ms(statistics.median(s["cache_time_ns"] for s in stats[mode]) / 1e9)
        met = "" if target is None else (" yes" if ratio <= target else " **no**")
        goal = "—" if target is None else f"≤ {target:.2f}x{met}"
        return (f"| {mode} | {ms(median[mode])} | {ms(min(times[mode]))} | {ratio:.3f}x {against_name} "
                f"| {goal} | {counts} | {in_cache} |")

    lines = [HEADING, ""]
    lines += report_header("", started, python, other_cpus, load_at_start)[2:]
    lines += [
        f"- Start-up: `python -c \"{statement}\"` ({len(STDLIB)} stdlib modules and "
        f"{len(packages)} packages; {len(files)} module files; {ran} code objects run in it)",
        f"- Cache with every function: `pyjit precompile` of those {len(files)} files: `{every_summary}`",
        f"- Trained cache: the same with `--train` on the start-up: `{trained_summary}`",
        "- Cache with no matching entries: `pyjit precompile examples/container/app`",
        f"- {args.rounds} processes per mode, modes alternating in a rotating order; median and best wall time "
        "of a whole process",
        "",
        "| mode | median | best | ratio (medians, same run) | target | keyed / attached from the cache / "
        "compiled | time in the cache |",
        "|---|---:|---:|---:|---|---:|---:|",
        row("plain CPython", plain, "plain", None),
        row("pyjit, no cache", plain, "plain", None),
        row("pyjit, cache with no matching entries", nocache, "pyjit, no cache", 1.03),
        row("pyjit, cache with every function", plain, "plain", 1.10),
        row("pyjit, cache trained on the start-up", plain, "plain", 1.10),
        row("pyjit, nothing compiled, no cache", plain, "plain", None),
        row("pyjit, nothing compiled, cache with no matching entries", median["pyjit, nothing compiled, no cache"],
            "nothing compiled, no cache", 1.03),
        "",
        "Keyed: code objects whose key was computed to search the cache (only those of a shape some",
        "entry has); attached: cache hits; compiled: run-time compiles; from `pyjit.stats()` of the",
        "last process of the mode. Time in the cache: `pyjit.stats()[\"cache_time_ns\"]` (opening",
        "the cache, keying, reading, hash-checking and linking entries), median over the mode's",
        "processes. Cached code is attached when a code object first runs, so functions that",
        "never run cost nothing.",
    ]
    section = "\n".join(lines) + "\n"
    print(section)
    if args.output != "-":
        write_section(Path(args.output), section)
        print(f"wrote {args.output}")


def write_section(path, section):
    """Replaces this script's section of `path` (or adds it before the compile-cost section,
    or at the end)."""
    text = path.read_text() if path.exists() else ""
    start = text.find("\n" + HEADING + "\n")
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start + 1] + section + (text[end:] if end >= 0 else "")
    else:
        at = text.find("\n## Compile cost\n")
        text = text[:at + 1] + section + text[at:] if at >= 0 else text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


if __name__ == "__main__":
    main()
