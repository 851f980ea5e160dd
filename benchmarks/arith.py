#!/usr/bin/env python3
"""Int and float arithmetic loops: plain CPython against pyjit at default
settings (``PYJIT_ENABLE=1``).

Stdlib only. Each workload runs in its own process, timed inside it (the
whole call, compilation included, since pyjit compiles as it goes); the
variants alternate, in a rotating order, for ``--rounds`` rounds, and the
table shows the median per variant and the ratio plain / pyjit (above 1:
pyjit is faster).

    /path/to/venv/bin/python benchmarks/arith.py [--rounds N]

Use a virtualenv's python, not a shim in front of the interpreter.
"""

import argparse
import os
import statistics
import subprocess
import sys

WORKLOADS = {
    # Floats: + - * / and compares, as in the n-body benchmark.
    "nbody": """
def advance(steps, dt):
    x1, y1, vx1, vy1, m1 = 0.0, 0.0, 0.01, 0.02, 1.0
    x2, y2, vx2, vy2, m2 = 1.0, 0.5, -0.01, 0.0, 0.001
    energy = 0.0
    i = 0
    while i < steps:
        dx = x1 - x2
        dy = y1 - y2
        d2 = dx * dx + dy * dy + 0.01
        mag = dt / (d2 * d2)
        vx1 -= dx * m2 * mag
        vy1 -= dy * m2 * mag
        vx2 += dx * m1 * mag
        vy2 += dy * m1 * mag
        x1 += dt * vx1
        y1 += dt * vy1
        x2 += dt * vx2
        y2 += dt * vy2
        if d2 > 4.0:
            energy += 0.5 * m2 * (vx2 * vx2 + vy2 * vy2)
        i += 1
    return x1 + y2 + energy

def run():
    return advance(1000000, 0.001)
""",
    # Ints: + * and compares, all within the compact range but the sum.
    "sum_of_squares": """
def sum_of_squares(n):
    total = 0
    i = 0
    while i < n:
        total += i * i % 1000
        i += 1
    return total

def run():
    return sum_of_squares(3000000)
""",
    # Float compares as values and in branches.
    "mandelbrot": """
def escape(cr, ci, limit):
    zr = zi = 0.0
    n = 0
    while n < limit and zr * zr + zi * zi <= 4.0:
        zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
        n += 1
    return n

def run():
    total = 0
    y = -1.0
    while y < 1.0:
        x = -2.0
        while x < 0.5:
            total += escape(x, y, 100)
            x += 0.005
        y += 0.01
    return total
""",
}

TIMER = """
import time
{source}
started = time.perf_counter()
result = run()
print(time.perf_counter() - started, result)
"""

VARIANTS = {
    "cpython": {},
    "pyjit": {"PYJIT_ENABLE": "1"},
}


def run_once(python, source, extra_env):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYJIT_")}
    env.update(extra_env)
    out = subprocess.run([python, "-c", TIMER.format(source=source)], env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[0]), out[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    names = list(VARIANTS)
    print("%-16s %12s %12s %8s" % ("workload", "cpython s", "pyjit s", "ratio"))
    for workload, source in WORKLOADS.items():
        times = {name: [] for name in names}
        results = set()
        for round_ in range(args.rounds):
            order = names[round_ % len(names):] + names[:round_ % len(names)]
            for name in order:
                seconds, result = run_once(args.python, source, VARIANTS[name])
                times[name].append(seconds)
                results.add(result)
        if len(results) != 1:
            sys.exit("%s: the variants disagree: %s" % (workload, sorted(results)))
        plain, jit = (statistics.median(times[name]) for name in names)
        print("%-16s %12.3f %12.3f %7.2fx" % (workload, plain, jit, plain / jit))


if __name__ == "__main__":
    main()
