"""What compiling costs: a stdlib-heavy workload and generated functions of
growing size, each compiled by pyjit at the first call (PYJIT_THRESHOLD=0).

    .venv/bin/python benchmarks/compile_cost.py [--sizes 1000,2000,4000,8000]

Every measurement runs in a fresh subprocess of this interpreter with
PYJIT_ENABLE=1 PYJIT_THRESHOLD=0, which reports pyjit.stats() (and, for the
workload, every live function's compile time from pyjit.info) as JSON. The
output is a markdown block for the "Compile cost" section of BENCHMARKS.md.
Needs only the standard library and pyjit.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import textwrap

# Imports and exercises a slice of the standard library, then reports what
# pyjit compiled. Runs in the subprocess.
WORKLOAD = r'''
import argparse, decimal, difflib, email, email.message, email.parser, email.policy
import io, json, pprint, textwrap, unittest, gc, resource, time

started = time.perf_counter()
data = {"name": "x" * 20, "items": list(range(50)), "nested": [{"a": i, "b": str(i)} for i in range(20)]}
for _ in range(3):
    assert json.loads(json.dumps(data, indent=2, sort_keys=True)) == data

message = email.message.EmailMessage()
message["Subject"] = "compile cost"
message["From"] = "a@example.com"
message["To"] = "b@example.com, c@example.com"
message.set_content("Hello\n" * 10)
message.add_attachment(b"\0\1\2" * 100, maintype="application", subtype="octet-stream", filename="x.bin")
parsed = email.parser.BytesParser(policy=email.policy.default).parsebytes(message.as_bytes())
assert parsed["Subject"] == "compile cost"

parser = argparse.ArgumentParser(prog="demo")
parser.add_argument("--count", type=int, default=1)
parser.add_argument("files", nargs="*")
sub = parser.add_subparsers(dest="command")
sub.add_parser("run").add_argument("--fast", action="store_true")
assert parser.parse_args(["--count", "3", "run", "--fast"]).count == 3
parser.format_help()

decimal.getcontext().prec = 40
total = sum(decimal.Decimal(i) / 7 for i in range(1, 50))
str(total.sqrt())

a = [f"line {i}\n" for i in range(200)]
b = [line.replace("1", "one") for line in a]
list(difflib.unified_diff(a, b))
difflib.SequenceMatcher(None, "".join(a), "".join(b)).ratio()

textwrap.fill(" ".join(["word"] * 300), width=40)
textwrap.dedent("    a\n    b\n")
pprint.pformat({"k%d" % i: list(range(i)) for i in range(30)})

class Sample(unittest.TestCase):
    def test_add(self):
        self.assertEqual(1 + 1, 2)
    def test_raises(self):
        with self.assertRaises(ZeroDivisionError):
            1 / 0
    def test_dict(self):
        self.assertDictEqual({"a": 1}, {"a": 1})

suite = unittest.defaultTestLoader.loadTestsFromTestCase(Sample)
unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(suite)
wall = time.perf_counter() - started

import pyjit
times = []
for obj in gc.get_objects():
    if type(obj).__name__ == "function":
        info = pyjit.info(obj)
        if info["compiled"]:
            times.append(info["compile_time_ns"])
status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
print(json.dumps({
    "stats": pyjit.stats(),
    "live_compile_times_ns": times,
    "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "final_rss_kib": int(status["VmRSS"].split()[0]),
    "wall_s": wall,
}))
'''

# A function of N simple statements, compiled at its first call.
GENERATED = r'''
import json, sys, pyjit
n = int(sys.argv[1])
lines = ["def generated():"] + [f"    v{i} = {i}" for i in range(10)]
lines += [f"    v{i % 10} = v{(i + 1) % 10} + {i}" for i in range(n)]
lines.append("    return v0")
namespace = {}
exec("\n".join(lines), namespace)
namespace["generated"]()
info = pyjit.info(namespace["generated"])
print(json.dumps({"info": info, "stats": pyjit.stats()}))
'''


def run_child(source, *args, extra_env=None):
    env = dict(os.environ, PYJIT_ENABLE="1", PYJIT_THRESHOLD="0")
    env.update(extra_env or {})
    result = subprocess.run(
        [sys.executable, "-c", source, *args], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"compile_cost: the subprocess failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def ms(ns):
    return f"{ns / 1e6:.3f}"


def phase_rows(stats):
    phases = stats.get("compile_phase_ns")
    if not phases:
        return ["(this pyjit reports no `compile_phase_ns`)"]
    total = sum(phases.values()) or 1
    return [f"| {name} | {ms(ns)} | {100 * ns / total:.0f} % |" for name, ns in phases.items()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,2000,4000,8000", help="statement counts of the generated functions")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    workload = run_child(WORKLOAD)
    stats = workload["stats"]
    compiled = stats["compiled"]
    live = sorted(workload["live_compile_times_ns"])
    out = [
        "```",
        f"$ {os.path.relpath(sys.executable)} benchmarks/compile_cost.py --sizes {args.sizes}",
        f"# {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
        "PYJIT_ENABLE=1 PYJIT_THRESHOLD=0",
        "```",
        "",
        "Stdlib workload (json, email, argparse, decimal, difflib, textwrap, pprint, unittest):",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| functions compiled | {compiled} |",
        f"| delegated / failed | {sum(stats['delegated'].values()) if isinstance(stats['delegated'], dict) else stats['delegated']} / {stats['failed']} |",
        f"| total compile time | {ms(stats['compile_time_ns'])} ms |",
        f"| mean per compiled function | {ms(stats['compile_time_ns'] / max(compiled, 1))} ms |",
        f"| median per function (the {len(live)} still alive) | {ms(statistics.median(live)) if live else '-'} ms |",
        f"| native bytes (mean per function) | {stats['native_bytes']} ({stats['native_bytes'] // max(compiled, 1)}) |",
        f"| peak / final RSS | {workload['peak_rss_kib'] / 1024:.1f} / {workload['final_rss_kib'] / 1024:.1f} MiB |",
        f"| workload wall time | {workload['wall_s']:.2f} s |",
        "",
        "| phase | total ms | share |",
        "|---|---:|---:|",
        *phase_rows(stats),
        "",
        "Generated function of N statements `vA = vB + k`, compiled at its first call:",
        "",
        "| N | compile ms | µs per statement | native bytes |",
        "|---:|---:|---:|---:|",
    ]
    for n in sizes:
        info = run_child(GENERATED, str(n))["info"]
        if not info["compiled"]:
            out.append(f"| {n} | not compiled: {info['reason']} | | |")
            continue
        ns = info["compile_time_ns"]
        out.append(f"| {n} | {ms(ns)} | {ns / 1e3 / n:.1f} | {info['native_size']} |")
    print("\n".join(out))


if __name__ == "__main__":
    main()
