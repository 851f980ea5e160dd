#!/usr/bin/env python3
"""pyjit benchmark runner: plain CPython vs pyjit on pyperformance benchmarks.

Three states per benchmark, interleaved in the same rounds: plain CPython,
pyjit on with nothing compiled (the threshold is never reached: the cost of
the hook alone) and pyjit at its default settings (or ``--threshold N``).

Stdlib only.  The *target* interpreter (``--python``) must have ``pyperf`` and
``pyperformance`` installed (and ``pyjit`` for real measurements); this script
itself can run under any Python >= 3.8.

For every benchmark (and every sub-benchmark of the scripts that define
several, e.g. deepcopy and logging):

1. One calibration process under plain CPython
   (``run_benchmark.py --worker --calibrate-loops``) discovers the
   sub-benchmark names and the number of loops per timed value.
2. ``--rounds`` rounds, each running one child process per state, the order
   rotating from round to round so that slow machine drift cancels out.  Each child is a pyperf *worker*
   (``run_benchmark.py --worker --worker-task T -l LOOPS -w W -n N -o x.json``):
   it times W warmup values and N values in that single process, with the same
   loop count in every state.  The child is reaped with ``os.wait4`` which
   gives its peak RSS (``ru_maxrss``); pyjit children also get
   ``PYJIT_STATS_OUT`` and write their JIT statistics as JSON at exit.
3. Results go to ``BENCHMARKS.md`` (rewritten after every benchmark, so an
   interrupted run still leaves a partial report) and a raw JSON file.

See benchmarks/README.md.
"""

import argparse
import ast
import datetime
import json
import math
import os
import platform
import resource
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(SCRIPT_DIR)

# The benchmark set, in the order they are run and reported.
DEFAULT_BENCHMARKS = [
    "nbody", "float", "spectral_norm", "fannkuch", "richards", "chaos",
    "raytrace", "nqueens", "go", "deltablue", "hexiom", "json_dumps",
    "unpack_sequence", "generators", "coroutines", "deepcopy", "pyflate",
    "regex_v8", "logging", "async_tree", "async_tree_io", "async_tree_memoization",
    "async_tree_cpu_io_mixed",
]
# The benchmarks whose geometric mean the optimizing-tier issue sets a target for: all
# but the async_tree family, which the generators-and-async issue judges on its own.
OPTIMIZING_TIER_SET = [b for b in DEFAULT_BENCHMARKS if not b.startswith("async_tree")]

# The three states every benchmark runs in, interleaved in the same rounds:
CPYTHON = "cpython"     # plain CPython, no PYJIT_* variable
NOCOMPILE = "nocompile"  # pyjit on, threshold never reached: the cost of the hook alone
PYJIT = "pyjit"         # pyjit at its default settings (or --threshold N)
MODES = (CPYTHON, NOCOMPILE, PYJIT)
JIT_MODES = (NOCOMPILE, PYJIT)
NOTHING_COMPILED_THRESHOLD = 1000000000

DASH = "—"
STDERR_TAIL_LINES = 200
STDOUT_TAIL_LINES = 40


# --------------------------------------------------------------------------
# small helpers

def log(msg=""):
    print(msg, flush=True)


def fmt_time(seconds):
    if seconds is None:
        return DASH
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if seconds >= scale or unit == "ns":
            v = seconds / scale
            if v >= 100:
                return "%.0f %s" % (v, unit)
            if v >= 10:
                return "%.1f %s" % (v, unit)
            return "%.2f %s" % (v, unit)
    return DASH  # pragma: no cover


def fmt_mib(kib):
    if kib is None:
        return DASH
    return "%.1f MiB" % (kib / 1024.0)


def fmt_num(x):
    if x is None:
        return DASH
    if isinstance(x, float) and not x.is_integer():
        return "%.1f" % x
    return "%d" % x


def median_or_none(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def rel_stdev(xs):
    if len(xs) < 2:
        return None
    mean = statistics.fmean(xs) if hasattr(statistics, "fmean") else statistics.mean(xs)
    if mean <= 0:
        return None
    return statistics.stdev(xs) / mean


def exitcode_from_status(status):
    if hasattr(os, "waitstatus_to_exitcode"):
        return os.waitstatus_to_exitcode(status)
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def describe_exit(rec):
    if rec.get("timed_out"):
        return "timeout"
    code = rec.get("exitcode")
    if code is not None and code < 0:
        try:
            return "killed by %s" % signal.Signals(-code).name
        except ValueError:
            return "killed by signal %d" % -code
    return "exit %s" % code


def tail(path, nlines):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return ""
    lines = data.decode("utf-8", "replace").splitlines()
    return "\n".join(lines[-nlines:])


def rel(path):
    """Path relative to the repository root when inside it (for the report)."""
    path = os.path.abspath(path)
    try:
        r = os.path.relpath(path, REPO_ROOT)
    except ValueError:
        return path
    return path if r.startswith("..") else r


# --------------------------------------------------------------------------
# running one child process

class ChildResult:
    def __init__(self):
        self.cmd = None
        self.exitcode = None
        self.timed_out = False
        self.wall = None
        self.maxrss_kib = None
        self.stdout_path = None
        self.stderr_path = None


_subreaper = None


def become_subreaper():
    """Make orphaned descendants of this process our children (Linux prctl).

    Returns False where that is not possible (then peak RSS is not clean).
    """
    global _subreaper
    if _subreaper is None:
        _subreaper = False
        try:
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            PR_SET_CHILD_SUBREAPER = 36
            _subreaper = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
        except (OSError, AttributeError):
            pass
    return _subreaper


def spawn_clean_rss(cmd, env, cwd, stdout, stderr):
    """Start cmd so that its ru_maxrss is its own; return (pid, process group).

    A child's ru_maxrss (wait4) is not its own peak: exec keeps the peak of
    the memory image it replaces, and a forked child's image starts as a copy
    of its parent's, so every child of this runner reports at least the
    runner's own RSS (measured: a 300 MiB parent made `/bin/true` report
    310 MiB). So a small /bin/sh forks the command in the background (a new
    process whose image is a copy of the shell's, a few MiB) and execs echo
    to print its pid; as a subreaper we inherit the command when the shell
    exits and reap it with wait4. `exec echo` instead of the echo builtin
    keeps the shell from reaping the command itself if it exits quickly.
    The launch adds ~5 ms to the measured wall time.
    """
    pid_read, pid_write = os.pipe()
    try:
        shell = subprocess.Popen(
            ["/bin/sh", "-c", '"$@" %d>&- & exec echo $! >&%d' % (pid_write, pid_write),
             "sh"] + list(cmd),
            env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
            pass_fds=(pid_write,), start_new_session=True)
    finally:
        os.close(pid_write)
    with os.fdopen(pid_read) as f:
        line = f.readline()
    shell.wait()
    if not line.strip():
        raise OSError("cannot start %s" % shlex.join(cmd))
    return int(line), shell.pid  # the command stays in the shell's new session


def run_child(cmd, env, cwd, timeout, stdout_path, stderr_path):
    """Run cmd, reap it with os.wait4 to get its own rusage (peak RSS)."""
    res = ChildResult()
    res.cmd = cmd
    res.stdout_path = stdout_path
    res.stderr_path = stderr_path
    clean_rss = become_subreaper()
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        t0 = time.perf_counter()
        if clean_rss:
            pid, group = spawn_clean_rss(cmd, env, cwd, out, err)
        else:
            pid = group = subprocess.Popen(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                           stdout=out, stderr=err, start_new_session=True).pid
        fired = []

        def on_timeout():
            fired.append(True)
            try:
                os.killpg(group, signal.SIGKILL)
            except OSError:
                pass

        timer = threading.Timer(timeout, on_timeout)
        timer.daemon = True
        timer.start()
        try:
            while True:
                try:
                    _, status, rusage = os.wait4(pid, 0)
                    break
                except InterruptedError:  # pragma: no cover (PEP 475 retries)
                    continue
        except BaseException:
            # Ctrl+C or similar: do not leave the child running.
            try:
                os.killpg(group, signal.SIGKILL)
            except OSError:
                pass
            try:
                os.wait4(pid, 0)
            except ChildProcessError:
                pass
            raise
        finally:
            timer.cancel()
        res.wall = time.perf_counter() - t0
    res.exitcode = exitcode_from_status(status)
    res.timed_out = bool(fired)
    res.maxrss_kib = rusage.ru_maxrss  # KiB on Linux
    return res


# --------------------------------------------------------------------------
# pyperf JSON (parsed by hand so this script does not need pyperf)

def read_pyperf_json(path):
    """Return a list of dicts {name, loops, warmups, values, calibrate_loops}."""
    with open(path) as f:
        data = json.load(f)
    top_meta = data.get("metadata", {})
    out = []
    for bench in data.get("benchmarks", []):
        meta = dict(top_meta)
        meta.update(bench.get("metadata", {}))
        warmups, values = [], []
        for run in bench.get("runs", []):
            rmeta = dict(meta)
            rmeta.update(run.get("metadata", {}))
            meta = rmeta
            warmups.extend(v for _, v in run.get("warmups", []))
            values.extend(run.get("values", []))
        out.append({
            "name": meta.get("name"),
            "loops": meta.get("loops"),
            "calibrate_loops": meta.get("calibrate_loops"),
            "inner_loops": meta.get("inner_loops") or 1,
            "warmups": warmups,
            "values": values,
        })
    return out


# --------------------------------------------------------------------------
# environment discovery

def probe(python, code, env=None, timeout=120):
    try:
        p = subprocess.run([python, "-c", code], env=env, timeout=timeout,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, str(exc)
    if p.returncode != 0:
        return None, p.stderr.decode("utf-8", "replace").strip()
    return p.stdout.decode("utf-8", "replace").strip(), None


PYJIT_PROBE = """
import pyjit
v = getattr(pyjit, "__version__", None)
if v is None:
    try:
        import importlib.metadata as m
        v = m.version("pyjit")
    except Exception:
        v = "version unknown"
print(v, "from", pyjit.__file__)
"""


def refresh_pyjit_bytecode(python):
    """Writes the cached bytecode of `python`'s pyjit package where it is missing or
    stale, as `pip install` leaves it. A package copied into place while
    PYTHONDONTWRITEBYTECODE=1 is set would otherwise be compiled from source in every
    process (about 2 ms), which every start-up figure would then include."""
    refresh = ("import compileall, importlib.util, os\n"
               "spec = importlib.util.find_spec('pyjit')\n"
               "spec and compileall.compile_dir(os.path.dirname(spec.origin), quiet=1)\n")
    subprocess.run([python, "-c", refresh], env=base_env(), check=False)


def base_env():
    """Environment for children: ours minus every PYJIT_* variable."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PYJIT_")}


def mode_env(mode, threshold, stats_path):
    """threshold: PYJIT_THRESHOLD of the PYJIT mode, None for pyjit's default."""
    env = base_env()
    if mode in JIT_MODES:
        env["PYJIT_ENABLE"] = "1"
        env["PYJIT_STATS_OUT"] = stats_path
    if mode == NOCOMPILE:
        env["PYJIT_THRESHOLD"] = str(NOTHING_COMPILED_THRESHOLD)
        env["PYJIT_OSR"] = "0"
    elif mode == PYJIT and threshold is not None:
        env["PYJIT_THRESHOLD"] = str(threshold)
    return env


def mode_variables(mode, cfg):
    """The PYJIT_* settings of a state, for the report (not the stats file)."""
    env = mode_env(mode, cfg["threshold"], "")
    return " ".join("%s=%s" % (k, env[k]) for k in sorted(env)
                    if k.startswith("PYJIT_") and k != "PYJIT_STATS_OUT") or "no PYJIT_*"


def mode_label(mode, cfg):
    if mode == CPYTHON:
        return "CPython"
    if mode == NOCOMPILE:
        return "pyjit, nothing compiled"
    if cfg["threshold"] is None:
        return "pyjit default"
    return "pyjit threshold %d" % cfg["threshold"]


def find_benchmarks_dir(python):
    out, err = probe(python, "import os, pyperformance; "
                             "print(os.path.dirname(os.path.abspath(pyperformance.__file__)))")
    if out is None:
        return None, err
    d = os.path.join(out.splitlines()[-1], "data-files", "benchmarks")
    if not os.path.isdir(d):
        return None, "%s does not exist" % d
    return d, None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def nproc():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        return os.cpu_count()


class LoadMeter:
    """CPU used by *other* processes (not this runner or its children).

    Busy time of the whole machine from /proc/stat minus our own CPU time
    (self + reaped children), divided by wall time: the average number of CPUs
    that something else kept busy, which makes timings unreliable.
    """

    def __init__(self):
        self.t0 = time.perf_counter()
        self.busy0, self.steal0 = self._machine()
        self.own0 = self._own()

    @staticmethod
    def _machine():
        try:
            with open("/proc/stat") as f:
                v = [int(x) for x in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None, None
        v += [0] * (8 - len(v))
        tck = os.sysconf("SC_CLK_TCK")
        user, nice, system, _idle, _iowait, irq, softirq, steal = v[:8]
        return (user + nice + system + irq + softirq) / tck, steal / tck

    @staticmethod
    def _own():
        total = 0.0
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
            ru = resource.getrusage(who)
            total += ru.ru_utime + ru.ru_stime
        return total

    def read(self):
        """(other processes' CPUs, stolen CPUs), averaged since creation."""
        wall = time.perf_counter() - self.t0
        busy, steal = self._machine()
        if busy is None or self.busy0 is None or wall <= 0:
            return None, None
        other = (busy - self.busy0) - (self._own() - self.own0)
        return max(other, 0.0) / wall, (steal - self.steal0) / wall


def load_avg():
    try:
        return "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        return "?"


def mem_total():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return "%.1f GiB" % (int(line.split()[1]) / 1024.0 / 1024.0)
    except (OSError, ValueError):
        pass
    return "unknown"


def report_header(title, started, python, other_cpus, load_at_start):
    """The first lines of a side report (OVERHEAD.md, PACKAGES.md): title,
    this process's command line and duration, date and commit, machine, and
    the background load measured while it ran."""
    return [
        "## %s" % title,
        "",
        "- Command: `%s` (%.0f s)" % (shlex.join([sys.executable] + sys.argv), time.time() - started),
        "- Date: %s; commit %s" % (
            datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            git_info()),
        "- Machine: %s CPUs, %s; interpreter `%s`" % (nproc(), cpu_model(), python),
        "- Background load: other processes kept %.2f of %s CPUs busy on average "
        "(load average at start %s)%s" % (
            other_cpus or 0.0, nproc(), load_at_start,
            " — **the machine was not idle: expect noisy timings**"
            if (other_cpus or 0) > 0.2 else ""),
    ]


def publish(report, output):
    """Prints a side report and writes it to `output` if given."""
    print()
    print(report)
    if output:
        with open(output, "w") as f:
            f.write(report)


def git_info():
    def git(*args):
        try:
            p = subprocess.run(["git", "-C", REPO_ROOT] + list(args),
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError:
            return None
        return p.stdout.decode().strip() if p.returncode == 0 else None

    head = git("rev-parse", "--short=12", "HEAD")
    if head is None:
        return "no commit yet"
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return head + (" (with uncommitted changes)" if dirty else "")


# --------------------------------------------------------------------------
# the run

class Row:
    """One reported line: a (sub-)benchmark of one benchmark script."""

    def __init__(self, bench, name, task, loops, inner_loops=1):
        self.bench = bench
        self.name = name
        self.task = task
        self.loops = loops
        self.inner_loops = inner_loops
        self.runs = {m: [] for m in MODES}   # list of per-process dicts
        self.error = None                     # harness/calibration error
        self.aborted = {m: None for m in MODES}
        self.other_load = None                # CPUs used by other processes

    # per-process record: ok, exitcode, timed_out, values, first, wall,
    # maxrss_kib, stats, log

    def ok_runs(self, mode):
        return [r for r in self.runs[mode] if r["ok"]]

    def failed_runs(self, mode):
        return [r for r in self.runs[mode] if not r["ok"]]

    def summary(self, mode):
        ok = self.ok_runs(mode)
        values = [v for r in ok for v in r["values"]]
        s = {
            "n_ok": len(ok),
            "n_failed": len(self.failed_runs(mode)),
            "median": statistics.median(values) if values else None,
            "rel_stdev": rel_stdev(values),
            "best": min(values) if values else None,
            "first": median_or_none([r["first"] for r in ok]),
            "maxrss_kib": median_or_none([r["maxrss_kib"] for r in ok]),
            "wall": median_or_none([r["wall"] for r in ok]),
        }
        stats = [r["stats"] for r in ok if r.get("stats") is not None]
        s["n_stats"] = len(stats)

        def stat(key):
            return median_or_none([st.get(key) for st in stats
                                   if isinstance(st.get(key), (int, float))])

        for key in ("compiled", "failed", "deopts", "delegated", "compile_time_ns"):
            s[key] = stat(key)
        reasons = {}
        for st in stats:
            dr = st.get("delegated_reasons")
            if isinstance(dr, dict):
                for k, v in dr.items():
                    if isinstance(v, (int, float)):
                        reasons[k] = reasons.get(k, 0) + v
        s["delegated_reasons"] = {k: v / len(stats) for k, v in reasons.items()} if stats else {}
        return s

    def paired_ratios(self, mode):
        """mode/CPython per round, from the medians of that round's processes."""
        c = {r["round"]: r for r in self.ok_runs(CPYTHON)}
        out = []
        for j in self.ok_runs(mode):
            if j["round"] in c:
                out.append(statistics.median(j["values"]) /
                           statistics.median(c[j["round"]]["values"]))
        return out

    def ratios(self, mode):
        """(median paired ratio, (q1, q3) or None, best/best ratio) of mode to CPython."""
        pr = self.paired_ratios(mode)
        med = statistics.median(pr) if pr else None
        quart = None
        if len(pr) >= 4:
            q = statistics.quantiles(pr, n=4, method="inclusive")
            quart = (q[0], q[2])
        elif len(pr) >= 2:
            quart = (min(pr), max(pr))
        cv = [v for r in self.ok_runs(CPYTHON) for v in r["values"]]
        jv = [v for r in self.ok_runs(mode) for v in r["values"]]
        best = min(jv) / min(cv) if cv and jv else None
        return med, quart, best

    def status(self, cfg):
        if self.error:
            return "ERROR: " + self.error
        parts = []
        for mode in MODES:
            label = mode_label(mode, cfg)
            nf = len(self.failed_runs(mode))
            n = len(self.runs[mode])
            if nf:
                kinds = set(describe_exit(r) for r in self.failed_runs(mode))
                parts.append("**FAILED** under %s %d/%d (%s; log `%s`)" % (
                    label, nf, n, ", ".join(sorted(kinds)),
                    rel(self.failed_runs(mode)[0]["log"])))
            if self.aborted[mode]:
                parts.append("%s rounds stopped: %s" % (label, self.aborted[mode]))
            elif n < cfg["rounds"]:
                parts.append("%s incomplete: %d/%d rounds" % (label, n, cfg["rounds"]))
        if cfg["pyjit_installed"]:
            # A state that did not reach the benchmark process would be
            # reported as a timing of the wrong thing: say so in the row.
            for mode in JIT_MODES:
                if not self.ok_runs(mode):
                    continue
                js = self.summary(mode)
                if not js["n_stats"]:
                    parts.append("%s: no pyjit stats written (JIT not enabled?)"
                                 % mode_label(mode, cfg))
                elif mode == PYJIT and js["compiled"] == 0:
                    parts.append("%s compiled nothing" % mode_label(mode, cfg))
                elif mode == NOCOMPILE and js["compiled"]:
                    parts.append("**%s compiled %s functions**" % (
                        mode_label(mode, cfg), fmt_num(js["compiled"])))
        return "; ".join(parts) if parts else "ok"


def benchmark_command(bdir, name):
    """The script and arguments that run benchmark `name`, as pyperformance
    does: `bm_NAME/run_benchmark.py`, or a variant declared by a
    `bm_*/bm_NAME.toml` beside the script it shares (the async_tree family),
    with that file's `extra_opts`; None when there is neither."""
    script = os.path.join(bdir, "bm_" + name, "run_benchmark.py")
    manifest = os.path.join(bdir, "bm_" + name, "pyproject.toml")
    if not os.path.isfile(script):
        manifest = None
        for entry in sorted(os.listdir(bdir)):
            candidate = os.path.join(bdir, entry, "bm_%s.toml" % name)
            if os.path.isfile(candidate):
                script = os.path.join(bdir, entry, "run_benchmark.py")
                manifest = candidate
                break
        if manifest is None or not os.path.isfile(script):
            return None
    return [script] + manifest_extra_opts(manifest)


def manifest_extra_opts(path):
    """The `extra_opts` list of a pyperformance benchmark manifest ([] when
    it has none); read by hand so this script needs no TOML parser."""
    if not os.path.isfile(path):
        return []
    with open(path) as f:
        for line in f:
            key, _, value = line.partition("=")
            if key.strip() == "extra_opts":
                return [str(opt) for opt in ast.literal_eval(value.strip())]
    return []


def calibrate(bench, command, cfg, tmpdir):
    """Discover sub-benchmarks and their loop counts under plain CPython."""
    out_json = os.path.join(tmpdir, "%s.calibrate.json" % bench)
    cmd = [cfg["python"], *command, "--worker", "--calibrate-loops",
           "--min-time", repr(cfg["min_time"]), "-o", out_json]
    res = run_child(cmd, base_env(), tmpdir, cfg["timeout"],
                    out_json + ".stdout", out_json + ".stderr")
    if res.exitcode != 0 or not os.path.exists(out_json):
        logf = save_log(cfg, "%s.calibrate" % bench, res, None)
        return None, "calibration failed (exit %s, log `%s`)" % (res.exitcode, rel(logf))
    rows = []
    for task, b in enumerate(read_pyperf_json(out_json)):
        loops = b["calibrate_loops"] or b["loops"] or 1
        rows.append(Row(bench, b["name"] or bench, task, int(loops), int(b["inner_loops"])))
    if not rows:
        return None, "calibration produced no benchmark"
    return rows, None


def save_log(cfg, stem, res, env_extra):
    os.makedirs(cfg["log_dir"], exist_ok=True)
    path = os.path.join(cfg["log_dir"], stem + ".log")
    with open(path, "w") as f:
        f.write("command: %s\n" % " ".join(shlex.quote(a) for a in res.cmd))
        if env_extra:
            f.write("extra environment: %s\n" % " ".join(
                "%s=%s" % kv for kv in sorted(env_extra.items())))
        f.write("exit: %s\n" % describe_exit({"exitcode": res.exitcode,
                                               "timed_out": res.timed_out}))
        f.write("wall time: %.2f s\n" % (res.wall or 0))
        f.write("\n----- stderr (last %d lines) -----\n" % STDERR_TAIL_LINES)
        f.write(tail(res.stderr_path, STDERR_TAIL_LINES))
        f.write("\n\n----- stdout (last %d lines) -----\n" % STDOUT_TAIL_LINES)
        f.write(tail(res.stdout_path, STDOUT_TAIL_LINES))
        f.write("\n")
    return path


def run_one(row, mode, rnd, command, cfg, tmpdir):
    stem = "%s.%s.round%d" % (row.name, mode, rnd)
    out_json = os.path.join(tmpdir, stem + ".json")
    stats_path = os.path.join(tmpdir, stem + ".stats.json")
    for p in (out_json, stats_path):
        if os.path.exists(p):
            os.unlink(p)
    cmd = [cfg["python"], *command, "--worker", "--worker-task", str(row.task),
           "-l", str(row.loops), "-w", str(cfg["warmups"]), "-n", str(cfg["values"]),
           "-o", out_json]
    env = mode_env(mode, cfg["threshold"], stats_path)
    res = run_child(cmd, env, tmpdir, cfg["timeout"],
                    os.path.join(tmpdir, stem + ".stdout"),
                    os.path.join(tmpdir, stem + ".stderr"))
    rec = {"round": rnd, "exitcode": res.exitcode, "timed_out": res.timed_out,
           "wall": res.wall, "maxrss_kib": res.maxrss_kib, "values": [],
           "warmups": [], "first": None, "stats": None, "log": None, "ok": False}
    problem = None
    if res.exitcode == 0:
        try:
            benches = [b for b in read_pyperf_json(out_json) if b["values"]]
        except (OSError, ValueError) as exc:
            benches, problem = [], "no pyperf output: %s" % exc
        if benches:
            b = benches[-1]
            rec["values"] = b["values"]
            rec["warmups"] = b["warmups"]
            rec["first"] = (b["warmups"] or b["values"])[0]
            rec["ok"] = True
        elif problem is None:
            problem = "pyperf output has no values"
    if mode in JIT_MODES and os.path.exists(stats_path):
        try:
            with open(stats_path) as f:
                rec["stats"] = json.load(f)
        except (OSError, ValueError) as exc:
            rec["stats_error"] = str(exc)
    if not rec["ok"]:
        extra = {k: v for k, v in env.items() if k.startswith("PYJIT_")}
        rec["log"] = save_log(cfg, stem, res, extra)
        if problem:
            with open(rec["log"], "a") as f:
                f.write("\nrunner: %s\n" % problem)
    row.runs[mode].append(rec)
    return rec


def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    if not xs:
        return None
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


# --------------------------------------------------------------------------
# report

def md_escape(s):
    return str(s).replace("|", "\\|")


def write_report(path, rows, cfg, done, total, elapsed, interrupted=False):
    L = []
    add = L.append
    add("# pyjit benchmarks")
    add("")
    add("Generated by `benchmarks/run.py`; do not edit by hand, re-run it instead "
        "(see `benchmarks/README.md`).")
    add("")
    if done < total:
        add("> **Partial report%s: %d of %d benchmarks done.**" % (
            " (run interrupted)" if interrupted else "", done, total))
        add("")
    add("- Command: `%s`" % cfg["command"])
    add("- Date: %s (run took %s)" % (cfg["date"], "%.0f s" % elapsed))
    add("- Machine: %s CPUs (nproc), %s, %s RAM, %s" % (
        cfg["nproc"], cfg["cpu_model"], cfg["mem_total"], cfg["kernel"]))
    add("- Python: %s (`%s`)" % (cfg["python_version"], cfg["python"]))
    other, steal = cfg.get("other_load"), cfg.get("steal")
    if other is not None:
        warn = ""
        if other > 0.2 or (steal or 0) > 0.05:
            warn = " — **the machine was not idle: expect noisy timings**"
        add("- Background load: other processes kept %.2f of %s CPUs busy on average "
            "during the run (CPU steal %.2f); load average at start %s%s" % (
                other, cfg["nproc"], steal or 0.0, cfg["load_start"], warn))
    if cfg["pyjit_installed"]:
        add("- pyjit: %s, repository commit %s" % (cfg["pyjit_info"], cfg["git"]))
    else:
        add("- pyjit: **not installed — self-test run: the \"pyjit\" columns are plain "
            "CPython with `PYJIT_*` variables set, so ratios only show noise**")
    if cfg.get("pyjit_warning"):
        add("- **Warning:** %s" % cfg["pyjit_warning"])
    add("- pyperformance %s, pyperf %s; benchmark scripts from `%s`" % (
        cfg["pyperformance_version"], cfg["pyperf_version"], cfg["benchmarks_dir"]))
    states = ", ".join("%s (`%s`)" % (mode_label(m, cfg), mode_variables(m, cfg))
                       for m in MODES)
    add("- Settings: states %s; %d round(s) = %d process(es) per state per "
        "benchmark, interleaved; %d warmup value(s) + %d timed value(s) per process; "
        "loops per value calibrated once under CPython (min time %.3g s)%s" % (
            states, cfg["rounds"], cfg["rounds"], cfg["warmups"], cfg["values"],
            cfg["min_time"], "; **--quick smoke test: numbers are noisy**" if cfg["quick"] else ""))
    add("- Elsewhere: start-up, import and nothing-compiled call overhead in "
        "`benchmarks/OVERHEAD.md` (`benchmarks/overhead.py`), the warm code cache in "
        "`benchmarks/CACHE.md`, package test suites in `benchmarks/PACKAGES.md`")
    add("")

    add("## Timings")
    add("")
    jit = mode_label(PYJIT, cfg)
    hook = mode_label(NOCOMPILE, cfg)
    hdr = ["Benchmark", "CPython", hook, "%s / CPython" % hook, jit, "%s / CPython" % jit,
           "best / best (%s)" % jit, "CPython 1st value", "%s 1st value" % jit, "Status"]
    add("| " + " | ".join(hdr) + " |")
    add("|" + "|".join(["---"] + ["---:"] * (len(hdr) - 2) + ["---"]) + "|")
    ratios = {m: [] for m in JIT_MODES}
    tier_ratios = []
    bests = []

    def tcell(summary):
        if summary["median"] is None:
            return "**FAILED**" if summary["n_failed"] else DASH
        sd = summary["rel_stdev"]
        return fmt_time(summary["median"]) + ("" if sd is None else " ±%.0f%%" % (sd * 100))

    for row in rows:
        sums = {m: row.summary(m) for m in MODES}
        cells = [row.name, tcell(sums[CPYTHON])]
        for mode in JIT_MODES:
            ratio, quart, best = row.ratios(mode)
            rcell = DASH
            if ratio is not None:
                ratios[mode].append(ratio)
                if mode == PYJIT and row.bench in OPTIMIZING_TIER_SET:
                    tier_ratios.append(ratio)
                rcell = "**%.2fx**" % ratio + (" (%.2f–%.2f)" % quart if quart else "")
            cells += [tcell(sums[mode]), rcell]
        best = row.ratios(PYJIT)[2]
        if best is not None:
            bests.append(best)
        cells += [DASH if best is None else "%.2fx" % best,
                  fmt_time(sums[CPYTHON]["first"]), fmt_time(sums[PYJIT]["first"]),
                  row.status(cfg)]
        add("| " + " | ".join(md_escape(x) for x in cells) + " |")
    add("")
    for mode in JIT_MODES:
        gm = geomean(ratios[mode])
        line = "Geometric mean over %d row(s) measured in both states: %s / CPython %s" % (
            len(ratios[mode]), mode_label(mode, cfg), DASH if gm is None else "**%.3fx**" % gm)
        if mode == PYJIT:
            gb = geomean(bests)
            line += ", best / best %s" % (DASH if gb is None else "%.3fx" % gb)
        add(line + ".")
        add("")
    gt = geomean(tier_ratios)
    add("Geometric mean over the %d row(s) of the optimizing tier's benchmark set (every row "
        "but the async_tree ones): %s / CPython %s." % (
            len(tier_ratios), jit, DASH if gt is None else "**%.3fx**" % gt))
    add("")

    add("## JIT statistics and memory")
    add("")
    hdr = (["Benchmark", "iterations / value", "compile time", "compiled", "delegated",
            "failed", "deopts"]
           + ["peak RSS %s" % mode_label(m, cfg) for m in MODES]
           + ["RSS ratio %s" % jit]
           + ["process wall %s" % mode_label(m, cfg) for m in MODES]
           + ["other load", "top delegation reasons"])
    add("| " + " | ".join(hdr) + " |")
    add("|" + "|".join(["---"] + ["---:"] * (len(hdr) - 2) + ["---"]) + "|")
    for row in rows:
        sums = {m: row.summary(m) for m in MODES}
        c, j = sums[CPYTHON], sums[PYJIT]
        ct = j["compile_time_ns"]
        rss_ratio = (j["maxrss_kib"] / c["maxrss_kib"]
                     if c["maxrss_kib"] and j["maxrss_kib"] else None)
        reasons = sorted(j["delegated_reasons"].items(), key=lambda kv: -kv[1])[:3]
        iters = row.loops * row.inner_loops
        cells = ([row.name,
                  "%d" % iters if iters else DASH,
                  DASH if ct is None else fmt_time(ct * 1e-9),
                  fmt_num(j["compiled"]), fmt_num(j["delegated"]),
                  fmt_num(j["failed"]), fmt_num(j["deopts"])]
                 + [fmt_mib(sums[m]["maxrss_kib"]) for m in MODES]
                 + [DASH if rss_ratio is None else "%.2fx" % rss_ratio]
                 + [fmt_time(sums[m]["wall"]) for m in MODES]
                 + [DASH if row.other_load is None else "%.2f CPU" % row.other_load,
                    ", ".join("%s (%s)" % (k, fmt_num(v)) for k, v in reasons) or DASH])
        add("| " + " | ".join(md_escape(x) for x in cells) + " |")
    add("")

    add("## How to read this")
    add("")
    add("""- **States**: every benchmark ran in three states, each in its own fresh
  processes: plain **CPython** (no `PYJIT_*` variable); **pyjit, nothing
  compiled** (`PYJIT_ENABLE=1 PYJIT_THRESHOLD=%d PYJIT_OSR=0`: the hook is installed and
  counts calls, but no function reaches the threshold, so this is the cost of
  pyjit on code it does not compile); and **%s** (`PYJIT_ENABLE=1`%s). Each
  round ran one process per state back to back, the order rotating from round
  to round (C N J, N J C, J C N, …) so drift of the machine hits all alike.
- **time columns**: median over all timed values of all processes of that
  state, as time per benchmark iteration (pyperf's value: the time of one
  timed batch divided by its number of iterations, shown in the second
  table as "iterations / value" = loops × the benchmark's inner loops). `±N%%` is the relative
  standard deviation of those values.
- **X / CPython**: per round, the ratio of that state's process median to the
  same round's CPython process median; the column shows the median of the
  rounds' ratios, with the 25th–75th percentile of them in parentheses
  (min–max for 2–3 rounds). **Below 1.00x pyjit is faster**, above 1.00x it
  is slower. If the parenthesised range contains 1.00, the difference is
  within the noise of this machine.
- **best / best**: fastest value of the third state over fastest CPython value. Outside
  load only ever slows a value down, so on a busy machine this is often the
  steadier estimate for deterministic CPU-bound code; a large gap between
  this and the median ratio means the run was noisy (or that pyjit's speed
  varies, e.g. through deoptimization).
- **1st value**: median over processes of the first value each process timed
  (its first warmup). Under pyjit this includes compiling the hot code, so
  (1st value − steady median) × iterations / value approximates the warm-up
  cost. It is an average over that many iterations, not a single one.
- **Status**: `ok`, or how many processes of a state exited non-zero
  or timed out, with the log file holding the command and the tail of its
  stderr. A benchmark failing under pyjit is a JIT bug even if timings exist
  for the other rounds. It also flags a state that did not reach the
  benchmark process (no stats file), a third state that compiled nothing and
  a nothing-compiled state that compiled something.
- **compile time, compiled, delegated, failed, deopts**: from the
  `PYJIT_STATS_OUT` JSON (`pyjit.stats()` at exit) of each process of the
  third state, median over processes; compile time is the total time spent
  compiling in one process (it includes pyperf's and the stdlib's code that
  reached the threshold). Top delegation reasons are mean counts per process.
- **peak RSS**: median over processes of the child's `ru_maxrss` (from
  `os.wait4`), i.e. the peak resident memory of the whole benchmark process;
  the runner launches each one so that this is the process's own figure and
  not inflated by the runner's memory (see `spawn_clean_rss`).
- **process wall**: median wall-clock time of one child process (startup,
  imports, warmups, timed values, exit, and ~5 ms of launching), which shows
  total compile overhead.
- **other load**: average number of CPUs that processes other than this
  runner and its children kept busy while that row was measured (from
  `/proc/stat` minus our own CPU time); anything above ~0.2 means the timings
  of that row were disturbed, and "Background load" in the header gives the
  same for the whole run.""" % (
        NOTHING_COMPILED_THRESHOLD, jit,
        "" if cfg["threshold"] is None else " `PYJIT_THRESHOLD=%d`" % cfg["threshold"]))
    add("")
    for heading in KEPT_HEADINGS:
        kept = kept_section(path, heading)
        if kept:
            add(kept)
            add("")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(L))
    os.replace(tmp, path)


# The last sections of BENCHMARKS.md, written by benchmarks/import_time.py and
# benchmarks/compile_cost.py.
KEPT_HEADINGS = ("## Import-time cost with a code cache", "## Compile cost")


def kept_section(path, heading):
    """The existing report's section from `heading` to the next section, which
    another script writes and this one carries over; "" if there is none."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return ""
    start = text.find("\n" + heading + "\n")
    if start < 0:
        return ""
    end = text.find("\n## ", start + 1)
    return text[start + 1:end if end >= 0 else len(text)].rstrip("\n")


def write_json(path, rows, cfg, elapsed, done, total):
    data = {"config": {k: v for k, v in cfg.items()}, "elapsed_s": elapsed,
            "done": done, "total": total, "rows": []}
    for row in rows:
        data["rows"].append({
            "benchmark": row.bench, "name": row.name, "task": row.task,
            "loops": row.loops, "inner_loops": row.inner_loops,
            "paired_ratios": {m: row.paired_ratios(m) for m in JIT_MODES}, "other_load": row.other_load, "error": row.error, "status": row.status(cfg),
            "summary": {m: row.summary(m) for m in MODES},
            "runs": row.runs,
        })
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=1, default=str)
    os.replace(tmp, path)


# --------------------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Run pyperformance benchmarks under plain CPython and under "
                    "pyjit (interleaved) and write BENCHMARKS.md.")
    p.add_argument("--python", default=sys.executable,
                   help="interpreter to benchmark; needs pyperf + pyperformance "
                        "(and pyjit) installed (default: %(default)s)")
    p.add_argument("--bench", default=None,
                   help="comma-separated benchmark names (default: all %d: %s)"
                        % (len(DEFAULT_BENCHMARKS), ",".join(DEFAULT_BENCHMARKS)))
    p.add_argument("--rounds", type=int, default=None,
                   help="processes per mode per benchmark (default 10, --quick 1)")
    p.add_argument("--warmups", type=int, default=None,
                   help="warmup values per process (default 1)")
    p.add_argument("--values", type=int, default=None,
                   help="timed values per process (default 5, --quick 2)")
    p.add_argument("--min-time", type=float, default=None,
                   help="min seconds per value when calibrating loops "
                        "(default 0.1, --quick 0.05)")
    p.add_argument("--threshold", type=int, default=None,
                   help="PYJIT_THRESHOLD for the third state instead of pyjit's "
                        "default (0: compile every function at its first call, "
                        "the mode of earlier reports)")
    p.add_argument("--quick", action="store_true",
                   help="smoke test: 1 round, 1 warmup + 2 values, short calibration")
    p.add_argument("--output", default=os.path.join(REPO_ROOT, "BENCHMARKS.md"),
                   help="markdown report (default: %(default)s)")
    p.add_argument("--json", default=None,
                   help="raw results JSON (default: <log-dir>/results.json)")
    p.add_argument("--log-dir", default=os.path.join(SCRIPT_DIR, "logs"),
                   help="where failure logs go (default: %(default)s)")
    p.add_argument("--timeout", type=float, default=None,
                   help="seconds before a child process is killed "
                        "(default 900, --quick 300)")
    p.add_argument("--benchmarks-dir", default=None,
                   help="directory holding bm_*/run_benchmark.py (default: found "
                        "in the --python interpreter's pyperformance package)")
    p.add_argument("--allow-missing-pyjit", action="store_true",
                   help="self-test: run even if pyjit is not importable; the "
                        "pyjit side is then plain CPython")
    p.add_argument("--keep-tmp", action="store_true",
                   help="keep the temporary directory with all child outputs")
    args = p.parse_args(argv)

    def default(name, normal, quick):
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else normal)

    default("rounds", 10, 1)
    default("warmups", 1, 1)
    default("values", 5, 2)
    default("min_time", 0.1, 0.05)
    default("timeout", 900.0, 300.0)
    if args.rounds < 1 or args.values < 1 or args.warmups < 0:
        p.error("--rounds and --values must be >= 1, --warmups >= 0")
    if args.threshold is not None and args.threshold < 0:
        p.error("--threshold must be >= 0")
    names = DEFAULT_BENCHMARKS
    if args.bench:
        names = [n.strip() for n in args.bench.split(",") if n.strip()]
        names = [n[3:] if n.startswith("bm_") else n for n in names]
        if not names:
            p.error("--bench: empty list")
    args.names = names
    return args


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    python = shutil.which(args.python) or args.python
    python = os.path.abspath(python) if os.sep in python else python
    refresh_pyjit_bytecode(python)

    started = time.time()
    cfg = {
        "command": " ".join(shlex.quote(a) for a in [sys.executable, sys.argv[0]] + argv),
        "cwd": os.getcwd(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "python": python,
        "threshold": args.threshold,
        "rounds": args.rounds,
        "warmups": args.warmups,
        "values": args.values,
        "min_time": args.min_time,
        "timeout": args.timeout,
        "quick": args.quick,
        "log_dir": os.path.abspath(args.log_dir),
        "nproc": nproc(),
        "cpu_model": cpu_model(),
        "mem_total": mem_total(),
        "kernel": "%s %s" % (platform.system(), platform.release()),
        "git": git_info(),
        "load_start": load_avg(),
    }

    ver, err = probe(python, "import sys, platform; print(platform.python_implementation(), "
                             "sys.version.replace(chr(10), ' '))", env=base_env())
    if ver is None:
        sys.exit("error: cannot run %s: %s" % (python, err))
    cfg["python_version"] = ver
    versions, err = probe(python, "import pyperf, importlib.metadata as m; "
                                  "print(pyperf.__version__, m.version('pyperformance'))",
                          env=base_env())
    if versions is None:
        sys.exit("error: %s lacks pyperf/pyperformance (pip install pyperformance pyperf):\n%s"
                 % (python, err))
    cfg["pyperf_version"], cfg["pyperformance_version"] = versions.split()[:2]

    if args.benchmarks_dir:
        bdir = os.path.abspath(args.benchmarks_dir)
    else:
        bdir, err = find_benchmarks_dir(python)
        if bdir is None:
            sys.exit("error: cannot find pyperformance benchmarks: %s" % err)
    cfg["benchmarks_dir"] = bdir
    scripts = {}
    for name in args.names:
        command = benchmark_command(bdir, name)
        if command is None:
            sys.exit("error: unknown benchmark %r (no bm_%s/run_benchmark.py and no "
                     "bm_*/bm_%s.toml under %s)" % (name, name, name, bdir))
        scripts[name] = command

    info, err = probe(python, PYJIT_PROBE, env=base_env())
    cfg["pyjit_installed"] = info is not None
    cfg["pyjit_info"] = info
    if info is None:
        if not args.allow_missing_pyjit:
            sys.exit("error: `import pyjit` fails under %s:\n%s\n(use "
                     "--allow-missing-pyjit for a self-test of this runner)" % (python, err))
        log("pyjit is NOT installed: self-test mode, the pyjit side is plain CPython")
    else:
        # Check that the startup hook honours PYJIT_ENABLE/PYJIT_STATS_OUT.
        with tempfile.TemporaryDirectory() as d:
            sp = os.path.join(d, "stats.json")
            out, err = probe(python, "pass", env=mode_env(PYJIT, args.threshold, sp))
            if out is None:
                cfg["pyjit_warning"] = "`python -c pass` fails with PYJIT_ENABLE=1: %s" % (
                    err.splitlines()[-1] if err else "?")
            elif not os.path.exists(sp):
                cfg["pyjit_warning"] = ("PYJIT_ENABLE=1 python -c pass wrote no "
                                        "PYJIT_STATS_OUT file: is the startup hook installed?")
        if cfg.get("pyjit_warning"):
            log("WARNING: " + cfg["pyjit_warning"])

    json_path = args.json or os.path.join(cfg["log_dir"], "results.json")
    os.makedirs(cfg["log_dir"], exist_ok=True)
    # Drop failure logs of earlier runs so that the directory matches the report.
    for f in os.listdir(cfg["log_dir"]):
        if f.endswith(".log") and (".round" in f or f.endswith(".calibrate.log")):
            os.unlink(os.path.join(cfg["log_dir"], f))
    out_dir = os.path.dirname(os.path.abspath(args.output))
    os.makedirs(out_dir, exist_ok=True)

    log("pyjit benchmarks: %d benchmark(s), %d round(s), states: %s; python %s"
        % (len(args.names), args.rounds, ", ".join(mode_label(m, cfg) for m in MODES), python))
    log("report: %s   logs: %s" % (args.output, cfg["log_dir"]))

    tmpdir = tempfile.mkdtemp(prefix="pyjit-bench-")
    run_meter = LoadMeter()

    def update_load():
        cfg["other_load"], cfg["steal"] = run_meter.read()

    rows = []
    done = 0
    interrupted = False
    try:
        for bi, name in enumerate(args.names, 1):
            t_bench = time.time()
            sub_rows, err = calibrate(name, scripts[name], cfg, tmpdir)
            if sub_rows is None:
                r = Row(name, name, 0, 0)
                r.error = err
                rows.append(r)
                log("[%2d/%d] %s: %s" % (bi, len(args.names), name, err))
                done += 1
                continue
            for row in sub_rows:
                rows.append(row)
                row_meter = LoadMeter()
                for rnd in range(1, args.rounds + 1):
                    # Rotate the order so that each state runs first, second
                    # and third equally often and slow drift hits all alike.
                    shift = (rnd - 1) % len(MODES)
                    order = MODES[shift:] + MODES[:shift]
                    for mode in order:
                        if row.aborted[mode]:
                            continue
                        rec = run_one(row, mode, rnd, scripts[name], cfg, tmpdir)
                        if rec["ok"]:
                            msg = "%s ×%d" % (fmt_time(statistics.median(rec["values"])),
                                              row.loops)
                        else:
                            msg = "FAILED (%s) -> %s" % (describe_exit(rec), rel(rec["log"]))
                        st = rec.get("stats") or {}
                        extra = ""
                        if st:
                            ct = st.get("compile_time_ns")
                            extra = "  compiled=%s delegated=%s compile=%s" % (
                                st.get("compiled"), st.get("delegated"),
                                fmt_time(ct * 1e-9) if isinstance(ct, (int, float)) else "?")
                        log("[%2d/%d] %-16s round %2d/%d %-9s %-22s rss %-9s wall %s%s" % (
                            bi, len(args.names), row.name, rnd, args.rounds, mode, msg,
                            fmt_mib(rec["maxrss_kib"]), fmt_time(rec["wall"]), extra))
                        if rec["timed_out"]:
                            row.aborted[mode] = "timed out after %.0f s" % args.timeout
                    if all(row.aborted[m] for m in MODES):
                        break
                    if not row.ok_runs(CPYTHON) and row.failed_runs(CPYTHON):
                        row.error = "benchmark fails under plain CPython (log `%s`)" % rel(
                            row.failed_runs(CPYTHON)[0]["log"])
                        break
                row.other_load = row_meter.read()[0]
            done += 1
            elapsed = time.time() - started
            update_load()
            write_report(args.output, rows, cfg, done, len(args.names), elapsed)
            write_json(json_path, rows, cfg, elapsed, done, len(args.names))
            log("       %s done in %.0f s" % (name, time.time() - t_bench))
    except KeyboardInterrupt:
        interrupted = True
        log("\ninterrupted: writing a partial report")
    finally:
        if args.keep_tmp:
            log("child outputs kept in %s" % tmpdir)
        else:
            shutil.rmtree(tmpdir, ignore_errors=True)

    elapsed = time.time() - started
    update_load()
    write_report(args.output, rows, cfg, done, len(args.names), elapsed, interrupted)
    write_json(json_path, rows, cfg, elapsed, done, len(args.names))
    n_fail = sum(1 for r in rows if r.error or any(r.failed_runs(m) for m in MODES))
    log("wrote %s and %s in %.0f s; %d row(s) with failures"
        % (args.output, json_path, elapsed, n_fail))
    if interrupted:
        return 130
    return 1 if n_fail else 0


if __name__ == "__main__":
    sys.exit(main())
