#!/usr/bin/env python3
"""Loops over lists, tuples and ranges and list/tuple subscripts: plain
CPython against pyjit at its default settings (``PYJIT_ENABLE=1``), or
against any other interpreters given with ``--python NAME=PATH``.

Stdlib only. Each workload runs in its own process per variant, the
variants alternating in a rotating order for ``--rounds`` rounds; each
process times the workload ``--repeat`` times after one warm-up run and
reports its best. The table shows the median of the bests over rounds and
its ratio to the first variant's median.

    /path/to/venv/bin/python benchmarks/iter_subscr.py [--rounds N] [--repeat N]
        [--python NAME=PATH ...]

Use a virtualenv's python: a shim in front of the interpreter would be timed too.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time


def iterate_list(items):
    count = 0
    for _ in range(20):
        for x in items:
            count = x
        for x in tuple(items):
            count = x
    return count


def iterate_range(n):
    last = 0
    for _ in range(10):
        for i in range(n):
            last = i
    return last


def subscript_list(items):
    n = len(items)
    last = None
    for _ in range(10):
        for i in range(n):
            last = items[i]
            items[i] = items[n - 1 - i]
            items[n - 1 - i] = last
    return last


def fannkuch(n):
    count = list(range(1, n + 1))
    max_flips = 0
    m = n - 1
    r = n
    perm1 = list(range(n))
    perm = list(range(n))
    perm1_ins = perm1.insert
    perm1_pop = perm1.pop
    while 1:
        while r != 1:
            count[r - 1] = r
            r -= 1
        if perm1[0] != 0 and perm1[m] != m:
            perm = perm1[:]
            flips_count = 0
            k = perm[0]
            while k:
                perm[:k + 1] = perm[k::-1]
                flips_count += 1
                k = perm[0]
            if flips_count > max_flips:
                max_flips = flips_count
        while r != n:
            perm1_ins(r, perm1_pop(0))
            count[r] -= 1
            if count[r] > 0:
                break
            r += 1
        else:
            return max_flips


WORKLOADS = {
    "iterate_list": lambda: iterate_list(list(range(100_000))),
    "iterate_range": lambda: iterate_range(200_000),
    "subscript_list": lambda: subscript_list(list(range(100_000))),
    "fannkuch(9)": lambda: fannkuch(9),
}


def time_workload(name, repeat):
    run = WORKLOADS[name]
    run()
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def measure(python, env, name, repeat):
    here = os.path.abspath(__file__)
    out = subprocess.run(
        [python, here, "--child", name, "--repeat", str(repeat)],
        env=env, check=True, capture_output=True, text=True,
    ).stdout
    return float(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--python", action="append", default=[], metavar="NAME=PATH",
                        help="extra pyjit variants (PYJIT_ENABLE=1 with that interpreter)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(time_workload(args.child, args.repeat))
        return
    plain = {k: v for k, v in os.environ.items() if not k.startswith("PYJIT_")}
    variants = [("CPython", sys.executable, plain), ("pyjit default", sys.executable, dict(plain, PYJIT_ENABLE="1"))]
    for spec in args.python:
        name, _, path = spec.partition("=")
        variants.append((name, path, dict(plain, PYJIT_ENABLE="1")))
    print(f"python: {sys.executable}; {args.rounds} rounds, best of {args.repeat} per process")
    header = " | ".join(f"{name} | {name} / {variants[0][0]}" for name, _, _ in variants[1:])
    print(f"| workload | {variants[0][0]} | {header} |")
    print("|---" * (2 * len(variants)) + "|")
    for workload in WORKLOADS:
        times = {name: [] for name, _, _ in variants}
        for round_ in range(args.rounds):
            order = variants[round_ % len(variants):] + variants[:round_ % len(variants)]
            for name, python, env in order:
                times[name].append(measure(python, env, workload, args.repeat))
        medians = {name: statistics.median(values) for name, values in times.items()}
        base = medians[variants[0][0]]
        cells = " | ".join(f"{medians[name] * 1e3:.1f} ms | {medians[name] / base:.2f}x" for name, _, _ in variants[1:])
        print(f"| {workload} | {base * 1e3:.1f} ms | {cells} |", flush=True)


if __name__ == "__main__":
    main()
