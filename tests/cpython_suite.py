#!/usr/bin/env python3
"""Run CPython's own regression suite under pyjit and compare it, test case by
test case, with a plain (no JIT) run.

Each selected test module ("test_grammar", "test.test_asyncio.test_tasks", ...)
is run with ``regrtest`` (the machinery behind ``python -m test``) in its own
process, twice:

* plain: the interpreter as is;
* pyjit: the same command line and environment plus the pyjit variables
  (default ``PYJIT_ENABLE=1 PYJIT_THRESHOLD=0``).

Per-test-case results are collected by a small hook that the child process
installs on regrtest's result class (test.libregrtest.testresult.
RegressionTestResult) before calling regrtest's ``main()`` -- exactly what
``python -m test <module>`` does.  Every start/outcome is appended to an events
file as it happens, so a module that segfaults or hangs under the JIT still
yields the results of the tests that ran before, and the name of the test that
was running when it died.  (regrtest's ``--junit-xml`` was considered and not
used: the XML is written only when the run finishes, so a crash loses
everything; failing subtests produce an anonymous <testcase/>; and
setUpClass/setUpModule errors are not recorded at all.)

Outcomes per test id: pass, fail, error, skip, xfail (expected failure), xpass
(unexpected success), crash (started, never finished: the process died),
noresult.  A test whose subtests failed is 'fail' (or 'error').  Each module
test_x also gets a pseudo test id ``test_x::<module>`` whose outcome is
regrtest's verdict for the file (PASSED, FAILED, ENV_CHANGED, SKIPPED,
RESOURCE_DENIED, DID_NOT_RUN, UNCAUGHT_EXC, ...), or ``timeout`` /
``crash:SIGSEGV`` (killed by a signal, even after the tests finished) /
``exit:N`` (died without a verdict).  When a run crashes or times out, the
tests it interrupted or never reached are not listed one by one: the
module-level difference names the test that was running, with the
faulthandler traceback.

Usage examples (from the repository root).  The harness itself only needs the
standard library.  The interpreter under test is --python; by default the
interpreter running the script when that is a 3.11 virtualenv's (so
``$VENV/bin/python tests/cpython_suite.py`` tests $VENV, which must have pyjit
and its startup hook installed), else /work/venv/bin/python::

    PY=/work/venv/bin/python
    # language-core modules (tests/cpython_suite_modules.txt), plain results cached
    $PY tests/cpython_suite.py --ci --jobs 2 --baseline /tmp/cpython_suite_ci.json
    # whole suite, markdown for TESTING.md (table limited to interesting modules)
    $PY tests/cpython_suite.py --all --jobs 2 --baseline /tmp/cpython_suite_all.json \\
        --markdown /tmp/cpython_suite.md --only-diffs
    # a few modules
    $PY tests/cpython_suite.py --modules test_grammar,test_scope
    # self-test of the harness: the "pyjit" run is a second plain run
    $PY tests/cpython_suite.py --ci --pyjit-env ''
    # (equivalently: CPYTHON_SUITE_PYJIT_ENV= $PY tests/cpython_suite.py --ci)

Both runs get the same regrtest arguments (--randseed=1, -u only if
--resources is given) and the same environment (PYTHONHASHSEED=1234, PYTHON*
variables other than PYTHONPATH dropped, inherited PYJIT_* dropped); the pyjit
run adds only the --pyjit-env variables.  When PYJIT_ENABLE is set, the child
checks that a pyjit module really got imported (otherwise the run is reported
as a PROBLEM) and records pyjit.stats() after the test file has run.  Logs and
event files of every run are kept in --workdir.

Exit status: 0 if every test case (and every module verdict) has the same
outcome in both runs, ignoring differences listed in --allow FILE, and the
pyjit run had no crash/timeout that the plain run did not also have; 1
otherwise (also when the JIT was requested but pyjit was not loaded in the
child); 2 on usage/harness errors.

--allow FILE: one entry per line, ``PATTERN  cause...``; PATTERN is a test id
or an fnmatch glob over test ids (``test.test_sys.SysModuleTest.*``), or a
module pseudo id (``test_x::<module>``) which also covers a crash/timeout of
that module.  Blank lines and lines starting with '#' are ignored.
"""

import argparse
import concurrent.futures
import datetime
import fnmatch
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PYTHON = "/work/venv/bin/python"
DEFAULT_MODULE_LIST = os.path.join(HERE, "cpython_suite_modules.txt")
DEFAULT_PYJIT_ENV = "PYJIT_ENABLE=1 PYJIT_THRESHOLD=0"
DEFAULT_HASHSEED = "1234"
DEFAULT_RANDSEED = "1"
BASELINE_FORMAT = 1

OUTCOMES = ("pass", "fail", "error", "skip", "xfail", "xpass", "crash",
            "noresult")
# Pseudo-outcome for a test id present in one run only.
MISSING = "missing"


# ---------------------------------------------------------------------------
# The code run in the child process (passed with -c).  It records every test
# event into an events file, then runs regrtest exactly like
# ``python -m test`` (test/__main__.py) does.  Paths are baked into the code
# (not passed in the environment) so that both runs have an identical
# environment apart from the pyjit variables.
# ---------------------------------------------------------------------------
CHILD_CODE = r'''
def _cpython_suite_install(events_path):
    import os, sys, json, time, traceback
    from unittest.case import _SubTest
    from test.libregrtest import testresult as tr_mod
    from test.libregrtest import results as results_mod

    getpid, os_open, os_write, os_close = os.getpid, os.open, os.write, os.close
    dumps, mono = json.dumps, time.monotonic
    main_pid = getpid()
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT

    def emit(rec):
        if getpid() != main_pid:        # forked child of a test
            return
        try:
            rec["t"] = mono()
            data = (dumps(rec, default=repr) + "\n").encode("utf-8", "backslashreplace")
            fd = os_open(events_path, flags, 0o644)
            try:
                os_write(fd, data)
            finally:
                os_close(fd)
        except BaseException:
            pass

    def jit_modules():
        return sorted(m for m in list(sys.modules) if "pyjit" in m.lower())

    def tid(test):
        try:
            return str(test.id())
        except BaseException:
            try:
                return str(test)
            except BaseException:
                return "<unprintable test>"

    def fmt(err):
        try:
            et, ev, tb = err
            msg = "".join(traceback.format_exception_only(et, ev))
            full = "".join(traceback.format_exception(et, ev, tb))
        except BaseException as exc:
            msg = full = "<cannot format exception: %r>" % (exc,)
        if len(full) > 8000:
            full = full[:2000] + "\n[...]\n" + full[-6000:]
        return msg[:4000], full

    def result(test, outcome, err=None, reason=None):
        if isinstance(test, _SubTest):
            rec = {"e": "sub", "id": tid(test.test_case), "sub": tid(test), "o": outcome}
        else:
            rec = {"e": "result", "id": tid(test), "o": outcome}
        if err is not None:
            rec["msg"], rec["tb"] = fmt(err)
        if reason is not None:
            rec["msg"] = str(reason)[:2000]
        emit(rec)

    R = tr_mod.RegressionTestResult

    def hook(name, record):
        orig = getattr(R, name)
        def method(self, *args):
            try:
                record(*args)
            except BaseException:
                pass
            return orig(self, *args)
        method.__name__ = name
        setattr(R, name, method)

    def on_sub(test, subtest, err):
        if err is None:
            return
        outcome = "fail" if issubclass(err[0], test.failureException) else "error"
        result(subtest, outcome, err)

    hook("startTest", lambda test: emit({"e": "start", "id": tid(test)}))
    hook("stopTest", lambda test: emit({"e": "stop", "id": tid(test)}))
    hook("addSuccess", lambda test: result(test, "pass"))
    hook("addFailure", lambda test, err: result(test, "fail", err))
    hook("addError", lambda test, err: result(test, "error", err))
    hook("addSkip", lambda test, reason: result(test, "skip", reason=reason))
    hook("addExpectedFailure", lambda test, err: result(test, "xfail", err))
    hook("addUnexpectedSuccess", lambda test: result(test, "xpass"))
    hook("addSubTest", on_sub)

    orig_accumulate = results_mod.TestResults.accumulate_result
    def accumulate_result(self, res, runtests):
        rec = {"e": "module", "name": str(res.test_name), "state": str(res.state),
               "duration": res.duration, "pyjit_modules": jit_modules()}
        mod = sys.modules.get("pyjit")
        if mod is not None and hasattr(mod, "stats"):
            try:
                rec["jit_stats"] = json.loads(dumps(mod.stats(), default=repr))
            except BaseException as exc:
                rec["jit_stats_error"] = repr(exc)
        emit(rec)
        return orig_accumulate(self, res, runtests)
    results_mod.TestResults.accumulate_result = accumulate_result

    emit({"e": "hello", "pid": main_pid, "version": sys.version,
          "executable": sys.executable, "pyjit_modules": jit_modules(),
          "pyjit_env": {k: v for k, v in os.environ.items() if k.startswith("PYJIT_")}})

_cpython_suite_install(__EVENTS_PATH__)
del _cpython_suite_install
from test.libregrtest.main import main
main(_add_python_opts=True)
'''


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Running one module
# ---------------------------------------------------------------------------
class Config:
    def __init__(self, args):
        self.python = args.python
        self.timeout = args.timeout
        self.workdir = args.workdir
        self.regrtest_args = []
        if args.randseed != "random":
            # regrtest seeds `random` before each test file with this.
            self.regrtest_args += ["--randseed=%s" % args.randseed]
        if args.resources:
            self.regrtest_args += ["-u", args.resources]
        self.regrtest_args += args.regrtest_arg or []
        self.hashseed = args.hashseed
        self.pyjit_env = parse_env(args.pyjit_env)
        # Both runs get this environment; the pyjit run adds pyjit_env.
        # PYTHON* variables change what some tests see (PYTHONUNBUFFERED
        # fails test_cmd_line, PYTHONDONTWRITEBYTECODE test_compileall), so
        # they are dropped unless --keep-python-env; PYTHONPATH is kept (it
        # may be how pyjit is made importable).
        base = {}
        self.dropped_env = []
        for k, v in os.environ.items():
            if k.startswith("PYJIT_") or k == "PYTHONHASHSEED":
                continue
            if (k.startswith("PYTHON") and k != "PYTHONPATH"
                    and not args.keep_python_env):
                self.dropped_env.append(k)
                continue
            base[k] = v
        if self.hashseed != "random":
            base["PYTHONHASHSEED"] = self.hashseed
        self.base_env = base
        self.cwd = os.path.join(self.workdir, "cwd")
        os.makedirs(self.cwd, exist_ok=True)

    def env_for(self, mode):
        env = dict(self.base_env)
        if mode == "pyjit":
            env.update(self.pyjit_env)
        return env

    def jit_requested(self):
        return self.pyjit_env.get("PYJIT_ENABLE", "0") not in ("", "0")


def parse_env(text):
    env = {}
    for item in shlex.split(text or ""):
        if "=" not in item:
            raise SystemExit("--pyjit-env: expected KEY=VALUE, got %r" % item)
        k, v = item.split("=", 1)
        if not k.startswith("PYJIT_"):
            log("warning: --pyjit-env sets non-PYJIT variable %s" % k)
        env[k] = v
    return env


def safe_name(module):
    return module.replace("/", "_")


def run_module(cfg, module, mode):
    """Run one test module in a child process; return its result record."""
    rundir = os.path.join(cfg.workdir, mode)
    os.makedirs(rundir, exist_ok=True)
    events_path = os.path.join(rundir, safe_name(module) + ".events.jsonl")
    log_path = os.path.join(rundir, safe_name(module) + ".log")
    for p in (events_path,):
        if os.path.exists(p):
            os.unlink(p)
    code = CHILD_CODE.replace("__EVENTS_PATH__", repr(events_path))
    cmd = [cfg.python, "-c", code, module] + cfg.regrtest_args
    timed_out = False
    start = time.monotonic()
    with open(log_path, "wb") as logf:
        logf.write(("# %s run: %s -c <hook> %s\n" % (
            mode, cfg.python, " ".join(shlex.quote(a) for a in [module] + cfg.regrtest_args))).encode())
        logf.flush()
        with _ACTIVE_LOCK:
            if _STOPPING:
                raise KeyboardInterrupt
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=logf,
                                    stderr=subprocess.STDOUT, env=cfg.env_for(mode),
                                    cwd=cfg.cwd, start_new_session=True)
            _ACTIVE.add(proc)
        try:
            rc = proc.wait(timeout=cfg.timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            # regrtest enables faulthandler: SIGABRT makes it dump the
            # tracebacks of all threads into the log before dying.
            _killpg(proc.pid, signal.SIGABRT)
            try:
                rc = proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                _killpg(proc.pid, signal.SIGKILL)
                rc = proc.wait()
            _killpg(proc.pid, signal.SIGKILL)   # leftover children of the test
        except BaseException:                   # KeyboardInterrupt/SIGTERM
            _killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
        finally:
            with _ACTIVE_LOCK:
                _ACTIVE.discard(proc)
    wall = time.monotonic() - start
    if _STOPPING:
        # Killed by us on Ctrl-C/SIGTERM: not a result (and must not be
        # cached in the baseline).
        raise KeyboardInterrupt
    rec = parse_events(events_path)
    rec.update(module=module, mode=mode, returncode=rc, timeout=timed_out,
               wall=round(wall, 2), log=log_path)
    rec["signal"] = _signame(-rc) if rc is not None and rc < 0 else None
    rec["outcome"] = module_outcome(rec)
    if rec["outcome"] not in ("PASSED",):
        rec["log_tail"] = log_tail(log_path)
    if rec["timeout"] or rec["signal"] or rec["state"] is None:
        rec["crash_excerpt"] = crash_excerpt(log_path)
    return rec


# Child processes run in their own session (so that a timeout can kill the
# whole process group); on Ctrl-C/SIGTERM we kill them ourselves.
_ACTIVE = set()
_ACTIVE_LOCK = threading.Lock()
_STOPPING = False


def kill_active():
    global _STOPPING
    with _ACTIVE_LOCK:
        _STOPPING = True
        procs = list(_ACTIVE)
    for proc in procs:
        _killpg(proc.pid, signal.SIGKILL)


def _killpg(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _signame(num):
    try:
        return signal.Signals(num).name
    except ValueError:
        return "signal %d" % num


def log_tail(path, lines=25, maxchars=4000):
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - 64 * 1024))
            data = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    tail = "\n".join(data.splitlines()[-lines:])
    return tail[-maxchars:]


def crash_excerpt(path, max_frames=8):
    """The faulthandler dump (fatal error line + innermost frames) from a log."""
    try:
        with open(path, "rb") as f:
            lines = f.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return ""
    starts = [i for i, l in enumerate(lines)
              if l.startswith(("Fatal Python error", "Timeout (", "Traceback (most recent"))]
    if not starts:
        return ""
    i = starts[-1]
    out = [lines[i]]
    frames = 0
    for l in lines[i + 1:]:
        if l.startswith(("Current thread", "Thread 0x")):
            out.append(l)
            frames = 0
        elif l.startswith("  File "):
            frames += 1
            if frames <= max_frames:
                out.append(l)
            elif frames == max_frames + 1:
                out.append("  ...")
        elif l.strip() and not l.startswith("Extension modules"):
            out.append(l)
        if len(out) > 60:
            break
    return "\n".join(out)


def parse_events(path):
    """Turn the events file into {"tests": {id: {...}}, ...}."""
    tests = {}
    counts = {}
    current = None          # key of the test started and not yet stopped
    hello = None
    modinfo = None

    def new_key(test_id):
        n = counts.get(test_id, 0) + 1
        counts[test_id] = n
        return test_id if n == 1 else "%s #%d" % (test_id, n)

    def entry_for(test_id):
        if current is not None and tests[current]["id"] == test_id:
            return tests[current]
        key = new_key(test_id)
        tests[key] = {"id": test_id, "o": None}
        return tests[key]

    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.readlines()
    except OSError:
        lines = []
    for line in lines:
        try:
            ev = json.loads(line)
        except ValueError:
            continue            # torn last line of a killed process
        kind = ev.get("e")
        if kind == "hello":
            hello = ev
        elif kind == "start":
            key = new_key(ev["id"])
            tests[key] = {"id": ev["id"], "o": None, "started": True}
            current = key
        elif kind == "stop":
            if current is not None and tests[current]["id"] == ev["id"]:
                tests[current]["stopped"] = True
                current = None
        elif kind == "result":
            ent = entry_for(ev["id"])
            if ent["o"] is None or ent["o"] == "pass":
                ent["o"] = ev["o"]
                if "msg" in ev:
                    ent["msg"] = ev["msg"]
                if "tb" in ev:
                    ent["tb"] = ev["tb"]
        elif kind == "sub":
            ent = entry_for(ev["id"])
            subs = ent.setdefault("subs", [])
            if len(subs) < 20:
                subs.append({"sub": ev["sub"], "o": ev["o"], "msg": ev.get("msg", ""),
                             "tb": ev.get("tb", "")})
            ent["nsubs_" + ev["o"]] = ent.get("nsubs_" + ev["o"], 0) + 1
        elif kind == "module":
            modinfo = ev
    crashed_in = None
    for key, ent in tests.items():
        if ent["o"] in (None, "pass"):
            if ent.get("nsubs_error"):
                ent["o"] = "error"
            elif ent.get("nsubs_fail"):
                ent["o"] = "fail"
        if ent["o"] is None:
            if ent.get("started") and not ent.get("stopped"):
                ent["o"] = "crash"
                crashed_in = key
            else:
                ent["o"] = "noresult"
        if ent["o"] in ("fail", "error") and "msg" not in ent and ent.get("subs"):
            first = ent["subs"][0]
            ent["msg"] = "[subtest %s] %s" % (first["sub"], first["msg"])
            ent["tb"] = first["tb"]
        for k in ("started", "stopped", "id"):
            ent.pop(k, None)
        if ent["o"] == "pass":
            ent.pop("subs", None)
        elif ent["o"] == "skip":
            ent.pop("tb", None)
    return {
        "tests": tests,
        "state": modinfo["state"] if modinfo else None,
        "jit_stats": (modinfo or {}).get("jit_stats"),
        "jit_stats_error": (modinfo or {}).get("jit_stats_error"),
        "pyjit_modules": (modinfo or hello or {}).get("pyjit_modules"),
        "pyjit_env_seen": (hello or {}).get("pyjit_env"),
        "hook_ran": hello is not None,
        "crashed_in": crashed_in,
    }


# Exit codes regrtest itself uses (test/libregrtest/results.py).
REGRTEST_EXIT_CODES = (0, 2, 3, 4, 5)


def module_outcome(rec):
    if rec["timeout"]:
        return "timeout"
    if rec["signal"]:
        # Also when regrtest had already recorded its verdict: then the
        # process died afterwards (at exit/finalization).
        return "crash:" + rec["signal"]
    if rec["state"] is None:
        return "exit:%s" % rec["returncode"]
    if rec["returncode"] not in REGRTEST_EXIT_CODES:
        return "%s+exit:%s" % (rec["state"], rec["returncode"])
    return rec["state"]


def counts_of(rec):
    c = {}
    for ent in rec["tests"].values():
        c[ent["o"]] = c.get(ent["o"], 0) + 1
    return c


# ---------------------------------------------------------------------------
# Baseline cache
# ---------------------------------------------------------------------------
class Baseline:
    def __init__(self, path, meta, refresh):
        self.path = path
        self.meta = meta
        self.modules = {}
        self.lock = threading.Lock()
        if path and os.path.exists(path) and not refresh:
            try:
                with open(path, encoding="utf-8") as f:
                    data = json.load(f)
            except (OSError, ValueError) as exc:
                log("baseline %s unreadable (%s); recomputing" % (path, exc))
                data = None
            if data is not None:
                if data.get("meta") == meta:
                    self.modules = data.get("modules", {})
                else:
                    log("baseline %s was made with different settings; recomputing\n"
                        "  cached:  %s\n  current: %s" % (path, data.get("meta"), meta))

    def get(self, module):
        return self.modules.get(module)

    def put(self, module, rec):
        if not self.path:
            return
        with self.lock:
            self.modules[module] = rec
            tmp = self.path + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump({"meta": self.meta, "modules": self.modules}, f)
            os.replace(tmp, self.path)


# ---------------------------------------------------------------------------
# Allow list
# ---------------------------------------------------------------------------
def load_allow(path):
    entries = []
    if not path:
        return entries
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 1)
            entries.append({"pattern": parts[0],
                            "cause": parts[1] if len(parts) > 1 else "(no cause given)",
                            "line": lineno, "used": 0})
    return entries


def match_allow(entries, test_id):
    for e in entries:
        if e["pattern"] == test_id or fnmatch.fnmatchcase(test_id, e["pattern"]):
            e["used"] += 1
            return e
    return None


# ---------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------
def module_key(module):
    return "%s::<module>" % module


def broken(rec):
    return rec["timeout"] or rec["signal"] is not None or rec["state"] is None


def compare(plain, jit, allow, cfg):
    """Return the comparison record for one module."""
    diffs = []
    not_reached = 0
    mk = module_key(plain["module"])
    if plain["outcome"] != jit["outcome"]:
        msg = ""
        if jit["outcome"] == "timeout" or jit["outcome"].startswith(("crash", "exit")) \
                or "+exit:" in jit["outcome"]:
            where = jit.get("crashed_in")
            if where:
                where = "while running %s\n" % where
            elif jit["state"] is not None:
                where = "after the test file finished (regrtest verdict %s)\n" % jit["state"]
            msg = (where or "") + (
                jit.get("crash_excerpt") or jit.get("log_tail") or "")
        elif jit.get("log_tail"):
            msg = jit["log_tail"]
        diffs.append({"id": mk, "plain": plain["outcome"], "pyjit": jit["outcome"],
                      "msg": msg, "module_level": True})
    keys = list(plain["tests"])
    keys += [k for k in jit["tests"] if k not in plain["tests"]]
    for key in keys:
        p = plain["tests"].get(key)
        j = jit["tests"].get(key)
        po = p["o"] if p else MISSING
        jo = j["o"] if j else MISSING
        if po == jo:
            continue
        if (jo in (MISSING, "crash") and broken(jit)
                or po in (MISSING, "crash") and broken(plain)):
            # Consequence of the crash/timeout, which is reported (and
            # allowed or not) once, as the module-level difference, with
            # the name of the test that was running.
            not_reached += 1
            continue
        ent = j if jo not in ("pass", MISSING) else (p or {})
        diffs.append({"id": key, "plain": po, "pyjit": jo,
                      "msg": ent.get("msg", ""), "tb": ent.get("tb", "")})
    problems = []
    if cfg.jit_requested() and not jit.get("pyjit_modules") and jit.get("hook_ran"):
        problems.append(
            "pyjit was requested (%s) but no pyjit module was loaded in the child "
            "process: the startup hook did not run in %s. Check that "
            "`PYJIT_ENABLE=1 %s -c 'import sys; print(\"pyjit\" in sys.modules)'` "
            "prints True (pyjit's startup .pth must be installed in that environment), "
            "or pass --python" % (
                " ".join("%s=%s" % kv for kv in sorted(cfg.pyjit_env.items())),
                cfg.python, cfg.python))
    if not jit.get("hook_ran"):
        problems.append("the child process did not start the test harness hook "
                        "(see %s)" % jit["log"])
    for d in diffs:
        a = match_allow(allow, d["id"])
        d["allowed"] = a["cause"] if a else None
    bad = [d for d in diffs if not d["allowed"]]
    return {"module": plain["module"], "diffs": diffs, "not_reached": not_reached,
            "problems": problems, "ok": not bad and not problems}


# ---------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------
def interesting(p, j, c):
    return bool(c["diffs"] or c["problems"] or p["outcome"] != "PASSED"
                or j["outcome"] != "PASSED")


def fmt_counts(c):
    main = "%d/%d/%d/%d" % (c.get("pass", 0), c.get("fail", 0), c.get("error", 0),
                            c.get("skip", 0))
    extra = ["%s %d" % (k, c[k]) for k in ("xfail", "xpass", "crash", "noresult")
             if c.get(k)]
    return main + (" +" + ",".join(extra) if extra else "")


def first_lines(text, n=4, width=200):
    out = []
    for line in (text or "").strip().splitlines()[:n]:
        out.append(line if len(line) <= width else line[:width] + "...")
    return out


def last_frame(tb):
    """The innermost 'File ..., line N, in f' line of a traceback, if any."""
    frames = [l.strip() for l in (tb or "").splitlines() if l.strip().startswith("File ")]
    own = [f for f in frames if "/unittest/" not in f]
    frames = own or frames
    return frames[-1] if frames else None


def jit_summary(stats):
    if not isinstance(stats, dict):
        return ""
    parts = []
    for k in ("compiled", "failed", "deopts", "delegated"):
        v = stats.get(k)
        if isinstance(v, (int, float)):
            parts.append("%s=%s" % (k, v))
    return " ".join(parts)


def build_report(cfg, args, modules, results, comps, wall_total):
    plain_time = sum(results[m]["plain"]["wall"] for m in modules)
    jit_time = sum(results[m]["pyjit"]["wall"] for m in modules if results[m].get("pyjit"))
    ndiff = sum(len([d for d in c["diffs"] if not d["allowed"]]) for c in comps.values())
    nallowed = sum(len([d for d in c["diffs"] if d["allowed"]]) for c in comps.values())
    ncases = sum(len(results[m]["plain"]["tests"]) for m in modules)
    problems = [(m, p) for m in modules for p in comps[m]["problems"]]
    ok = all(c["ok"] for c in comps.values())
    agg = {}
    reasons = {}
    for m in modules:
        st = results[m]["pyjit"].get("jit_stats")
        if isinstance(st, dict):
            for k, v in st.items():
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    agg[k] = agg.get(k, 0) + v
            dr = st.get("delegated_reasons")
            if isinstance(dr, dict):
                for k, v in dr.items():
                    if isinstance(v, (int, float)):
                        reasons[k] = reasons.get(k, 0) + v
    return {
        "generated": datetime.datetime.now().isoformat(timespec="seconds"),
        "python": cfg.python,
        "version": args._version,
        "pyjit_env": " ".join("%s=%s" % kv for kv in sorted(cfg.pyjit_env.items())) or "(none)",
        "regrtest_args": cfg.regrtest_args,
        "hashseed": cfg.hashseed,
        "modules": modules,
        "plain_time": plain_time,
        "pyjit_time": jit_time,
        "wall_total": wall_total,
        "ndiff": ndiff,
        "nallowed": nallowed,
        "ncases": ncases,
        "problems": problems,
        "ok": ok,
        "jit_totals": agg,
        "delegated_reasons": reasons,
        "only_diffs": args.only_diffs,
    }


def text_report(rep, results, comps, allow):
    out = []
    w = out.append
    w("CPython regression suite under pyjit")
    w("python: %s (%s)" % (rep["python"], rep["version"]))
    w("pyjit env: %s   regrtest args: %s   PYTHONHASHSEED=%s" % (
        rep["pyjit_env"], " ".join(rep["regrtest_args"]) or "(none)", rep["hashseed"]))
    w("")
    namew = max([len(m) for m in rep["modules"]] + [6])
    hdr = "%-*s  %-22s %-22s %5s  %8s %8s  %s" % (
        namew, "module", "plain p/f/e/s", "pyjit p/f/e/s", "diffs", "plain s", "pyjit s",
        "status / jit stats")
    w(hdr)
    w("-" * len(hdr))
    for m in rep["modules"]:
        p, j, c = results[m]["plain"], results[m]["pyjit"], comps[m]
        if rep["only_diffs"] and interesting(p, j, c) is False:
            continue
        nd = len([d for d in c["diffs"] if not d["allowed"]])
        na = len(c["diffs"]) - nd
        status = "ok" if c["ok"] else "DIFF"
        if j["outcome"] != "PASSED" or p["outcome"] != "PASSED":
            status += " [%s/%s]" % (p["outcome"], j["outcome"])
        if na:
            status += " (%d allowed)" % na
        js = jit_summary(j.get("jit_stats"))
        w("%-*s  %-22s %-22s %5d  %8.1f %8.1f  %s%s" % (
            namew, m, fmt_counts(counts_of(p)), fmt_counts(counts_of(j)), nd,
            p["wall"], j["wall"], status, ("  " + js) if js else ""))
    w("")
    any_diff = False
    for m in rep["modules"]:
        c = comps[m]
        if not c["diffs"] and not c["problems"]:
            continue
        if not any_diff:
            w("Differences (plain -> pyjit):")
            any_diff = True
        w("  %s:" % m)
        for p in c["problems"]:
            w("    PROBLEM: %s" % p)
        for d in c["diffs"]:
            w("    %s: %s -> %s%s" % (d["id"], d["plain"], d["pyjit"],
                                     "   [allowed: %s]" % d["allowed"] if d["allowed"] else ""))
            lines = first_lines(d.get("msg"), 8 if d.get("module_level") else 4)
            fr = last_frame(d.get("tb"))
            if fr:
                lines.append("at " + fr)
            for line in lines:
                w("        " + line)
        if c["not_reached"]:
            w("    (%d test cases interrupted or not reached because of the crash/timeout)"
              % c["not_reached"])
    if not any_diff:
        w("No differences.")
    unused = [e for e in allow if not e["used"]]
    if unused:
        w("")
        w("Allow-list entries that matched nothing:")
        for e in unused:
            w("  line %d: %s" % (e["line"], e["pattern"]))
    if rep["jit_totals"]:
        w("")
        w("pyjit stats summed over modules: " + " ".join(
            "%s=%s" % kv for kv in sorted(rep["jit_totals"].items())))
        if rep["delegated_reasons"]:
            top = sorted(rep["delegated_reasons"].items(), key=lambda kv: -kv[1])[:15]
            w("top delegated reasons: " + ", ".join("%s: %s" % kv for kv in top))
    w("")
    w("%d modules, %d test cases (plain), %d differences (+%d allowed), %d problems" % (
        len(rep["modules"]), rep["ncases"], rep["ndiff"], rep["nallowed"], len(rep["problems"])))
    w("module run time: plain %.1f s, pyjit %.1f s (sum over modules); wall %.1f s" % (
        rep["plain_time"], rep["pyjit_time"], rep["wall_total"]))
    w("RESULT: %s" % ("OK (same outcomes)" if rep["ok"] else "DIFFERENCES"))
    return "\n".join(out)


def md_escape(s):
    return s.replace("|", "\\|").replace("\n", " ")


def markdown_report(rep, results, comps):
    out = []
    w = out.append
    w("## CPython regression suite under pyjit")
    w("")
    w("Generated %s by `tests/cpython_suite.py`; python `%s` (%s); pyjit env `%s`; "
      "regrtest args `%s`; `PYTHONHASHSEED=%s`." % (
          rep["generated"], rep["python"], rep["version"].split()[0], rep["pyjit_env"],
          " ".join(rep["regrtest_args"]) or "(none)", rep["hashseed"]))
    w("")
    w("**%s**: %d modules, %d test cases, %d differences (+%d allowed), %d problems. "
      "Plain %.1f s, pyjit %.1f s (summed module run time)." % (
          "OK" if rep["ok"] else "DIFFERENCES", len(rep["modules"]), rep["ncases"],
          rep["ndiff"], rep["nallowed"], len(rep["problems"]), rep["plain_time"],
          rep["pyjit_time"]))
    w("")
    w("Counts are pass/fail/error/skip.")
    w("")
    w("| module | plain | pyjit | diffs | plain s | pyjit s | status | jit stats |")
    w("|---|---|---|---:|---:|---:|---|---|")
    for m in rep["modules"]:
        p, j, c = results[m]["plain"], results[m]["pyjit"], comps[m]
        if rep["only_diffs"] and interesting(p, j, c) is False:
            continue
        nd = len([d for d in c["diffs"] if not d["allowed"]])
        na = len(c["diffs"]) - nd
        status = "ok" if c["ok"] else "**DIFF**"
        if j["outcome"] != "PASSED" or p["outcome"] != "PASSED":
            status += " (%s / %s)" % (p["outcome"], j["outcome"])
        if na:
            status += " %d allowed" % na
        w("| %s | %s | %s | %d | %.1f | %.1f | %s | %s |" % (
            m, fmt_counts(counts_of(p)), fmt_counts(counts_of(j)), nd, p["wall"], j["wall"],
            status, jit_summary(j.get("jit_stats"))))
    w("")
    diffs = [(m, d) for m in rep["modules"] for d in comps[m]["diffs"]]
    probs = rep["problems"]
    if diffs or probs:
        w("### Differences")
        w("")
        for m, p in probs:
            w("- `%s`: PROBLEM: %s" % (m, p))
        for m, d in diffs:
            w("- `%s`: %s → **%s**%s" % (d["id"], d["plain"], d["pyjit"],
                                         " (allowed: %s)" % d["allowed"] if d["allowed"] else ""))
            lines = first_lines(d.get("msg"), 8 if d.get("module_level") else 4)
            fr = last_frame(d.get("tb"))
            if fr:
                lines.append("at " + fr)
            if lines:
                w("")
                w("  ```")
                for line in lines:
                    w("  " + line.replace("```", "'''"))
                w("  ```")
        w("")
    if rep["jit_totals"]:
        w("pyjit stats summed over modules: " + ", ".join(
            "%s=%s" % kv for kv in sorted(rep["jit_totals"].items())))
        if rep["delegated_reasons"]:
            w("")
            w("Top delegated reasons:")
            w("")
            for k, v in sorted(rep["delegated_reasons"].items(), key=lambda kv: -kv[1])[:20]:
                w("- %s: %s" % (md_escape(str(k)), v))
        w("")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------
# Module selection
# ---------------------------------------------------------------------------
def read_module_list(path):
    mods = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                mods.append(line.split()[0])
    return mods


def default_python():
    """$CPYTHON_SUITE_PYTHON; else this interpreter if it is a 3.11 venv's
    (so that ``$VENV/bin/python tests/cpython_suite.py`` tests $VENV, where
    pyjit and its startup hook are installed); else /work/venv/bin/python."""
    env = os.environ.get("CPYTHON_SUITE_PYTHON")
    if env:
        return env
    if sys.version_info[:2] == (3, 11) and sys.prefix != sys.base_prefix and sys.executable:
        return sys.executable
    if os.path.exists(DEFAULT_PYTHON):
        return DEFAULT_PYTHON
    return sys.executable


def list_all_tests(python, env, cwd):
    out = subprocess.run([python, "-m", "test", "--list-tests"], env=env, cwd=cwd,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         timeout=600)
    if out.returncode != 0:
        raise SystemExit("python -m test --list-tests failed:\n" + out.stderr)
    return [l.strip() for l in out.stdout.splitlines() if l.strip().startswith("test")]


def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="See the module docstring (head -70 %s) for details." % __file__)
    sel = ap.add_mutually_exclusive_group(required=True)
    sel.add_argument("--ci", action="store_true",
                     help="run the modules listed in tests/cpython_suite_modules.txt")
    sel.add_argument("--all", action="store_true",
                     help="run every module of `python -m test --list-tests`")
    sel.add_argument("--modules", help="comma-separated list of test modules")
    ap.add_argument("--module-list", default=DEFAULT_MODULE_LIST,
                    help="module list file for --ci (default: %(default)s)")
    ap.add_argument("--exclude", default="",
                    help="comma-separated modules (fnmatch patterns) to leave out")
    ap.add_argument("--python", default=default_python(),
                    help="interpreter under test (default: $CPYTHON_SUITE_PYTHON; else "
                         "the interpreter running this script when it is a 3.11 "
                         "virtualenv's; else %s): %%(default)s" % DEFAULT_PYTHON)
    ap.add_argument("--jobs", "-j", type=int, default=1,
                    help="module processes run in parallel (default: %(default)s)")
    ap.add_argument("--timeout", type=float, default=600.0,
                    help="per-module timeout in seconds, each run (default: %(default)s)")
    ap.add_argument("--pyjit-env",
                    default=os.environ.get("CPYTHON_SUITE_PYJIT_ENV", DEFAULT_PYJIT_ENV),
                    help="KEY=VALUE ... added to the environment of the pyjit run "
                         "(default: $CPYTHON_SUITE_PYJIT_ENV if set, else %r); "
                         "'' makes the pyjit run a second plain run (harness self-test)"
                         % DEFAULT_PYJIT_ENV)
    ap.add_argument("--resources", "-u", default="",
                    help="regrtest -u resources for both runs (default: none)")
    ap.add_argument("--regrtest-arg", action="append", metavar="ARG",
                    help="extra regrtest argument for both runs (repeatable)")
    ap.add_argument("--hashseed", default=DEFAULT_HASHSEED,
                    help="PYTHONHASHSEED for both runs, 'random' to leave it unset "
                         "(default: %(default)s)")
    ap.add_argument("--randseed", default=DEFAULT_RANDSEED,
                    help="regrtest --randseed for both runs (regrtest calls random.seed() "
                         "with it before the tests); 'random' to let regrtest pick "
                         "(default: %(default)s)")
    ap.add_argument("--keep-python-env", action="store_true",
                    help="pass PYTHON* environment variables (other than PYTHONPATH, "
                         "always passed) to the test processes; by default they are "
                         "dropped (e.g. PYTHONUNBUFFERED makes test_cmd_line fail)")
    ap.add_argument("--baseline", help="JSON cache of plain results; reused when it was "
                    "made with the same python/arguments, updated otherwise")
    ap.add_argument("--refresh-baseline", action="store_true",
                    help="ignore cached plain results (and rewrite --baseline)")
    ap.add_argument("--plain-only", action="store_true",
                    help="only run (or load) the plain runs, e.g. to fill --baseline")
    ap.add_argument("--allow", help="file of known differences: 'TEST_ID_OR_GLOB  cause'")
    ap.add_argument("--markdown", help="write the report as markdown to this file")
    ap.add_argument("--json", dest="json_out", help="write all results as JSON to this file")
    ap.add_argument("--workdir", help="directory for logs and event files "
                    "(default: a new directory under $TMPDIR)")
    ap.add_argument("--only-diffs", action="store_true",
                    help="in the tables, list only modules with differences or whose "
                         "regrtest verdict is not PASSED in either run")
    ap.add_argument("--list", action="store_true", help="print the selected modules and exit")
    args = ap.parse_args(argv)

    if not os.path.exists(args.python):
        ap.error("interpreter %s not found" % args.python)
    if args.jobs < 1:
        ap.error("--jobs must be >= 1")
    if args.workdir is None:
        args.workdir = tempfile.mkdtemp(prefix="cpython_suite_")
    args.workdir = os.path.abspath(args.workdir)
    os.makedirs(args.workdir, exist_ok=True)
    cfg = Config(args)

    if args.ci:
        modules = read_module_list(args.module_list)
    elif args.all:
        modules = list_all_tests(cfg.python, cfg.env_for("plain"), cfg.cwd)
    else:
        modules = [m.strip() for m in args.modules.split(",") if m.strip()]
    excl = [p.strip() for p in args.exclude.split(",") if p.strip()]
    modules = [m for m in modules if not any(fnmatch.fnmatchcase(m, p) for p in excl)]
    seen = set()
    modules = [m for m in modules if not (m in seen or seen.add(m))]
    if args.list:
        try:
            print("\n".join(modules))
        except BrokenPipeError:
            pass
        return 0
    if not modules:
        ap.error("no modules selected")

    version = subprocess.run([cfg.python, "-c", "import sys; print(sys.version)"],
                             env=cfg.env_for("plain"), stdout=subprocess.PIPE, text=True,
                             cwd=cfg.cwd).stdout.strip()
    args._version = version.replace("\n", " ")
    meta = {"format": BASELINE_FORMAT, "python": os.path.abspath(cfg.python),
            "version": args._version, "regrtest_args": cfg.regrtest_args,
            "hashseed": cfg.hashseed, "timeout": cfg.timeout,
            "python_env": sorted("%s=%s" % (k, v) for k, v in cfg.base_env.items()
                                 if k.startswith("PYTHON"))}
    baseline = Baseline(args.baseline, meta, args.refresh_baseline)
    allow = load_allow(args.allow)

    if cfg.dropped_env:
        log("dropping from the test environment: %s (use --keep-python-env to keep)"
            % " ".join(sorted(cfg.dropped_env)))
    log("cpython_suite: %d modules, python %s, jobs=%d, timeout=%ss, pyjit env: %s, "
        "workdir %s" % (
        len(modules), cfg.python, args.jobs, cfg.timeout,
        " ".join("%s=%s" % kv for kv in sorted(cfg.pyjit_env.items())) or "(none: self-test)",
        args.workdir))

    results = {m: {} for m in modules}
    tasks = []
    for m in modules:
        cached = baseline.get(m)
        if cached is not None:
            results[m]["plain"] = cached
        else:
            tasks.append((m, "plain"))
        if not args.plain_only:
            tasks.append((m, "pyjit"))
    ncached = sum(1 for m in modules if "plain" in results[m])
    if ncached:
        log("  %d plain results taken from %s" % (ncached, args.baseline))

    t0 = time.monotonic()
    done = [0]
    lock = threading.Lock()

    def work(task):
        m, mode = task
        rec = run_module(cfg, m, mode)
        if mode == "plain":
            baseline.put(m, rec)
        with lock:
            done[0] += 1
            results[m][mode] = rec
            extra = ""
            if rec["outcome"] != "PASSED":
                extra = " [%s]" % rec["outcome"]
            log("  [%d/%d] %-40s %-5s %7.1fs  %s%s" % (
                done[0], len(tasks), m, mode, rec["wall"], fmt_counts(counts_of(rec)), extra))
        return rec

    def on_sigterm(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_sigterm)
    ex = None
    try:
        if args.jobs == 1:
            for t in tasks:
                work(t)
        else:
            ex = concurrent.futures.ThreadPoolExecutor(args.jobs)
            for f in concurrent.futures.as_completed([ex.submit(work, t) for t in tasks]):
                f.result()
            ex.shutdown()
    except KeyboardInterrupt:
        log("interrupted; killing running test processes")
        kill_active()
        if ex is not None:
            ex.shutdown(wait=True, cancel_futures=True)
        return 2
    wall_total = time.monotonic() - t0

    if args.plain_only:
        total = 0.0
        for m in modules:
            r = results[m]["plain"]
            total += r["wall"]
            print("%-45s %7.1fs  %-22s %s" % (m, r["wall"], fmt_counts(counts_of(r)),
                                                r["outcome"]))
        print("total plain module time %.1f s (wall %.1f s)" % (total, wall_total))
        return 0

    comps = {m: compare(results[m]["plain"], results[m]["pyjit"], allow, cfg)
             for m in modules}
    rep = build_report(cfg, args, modules, results, comps, wall_total)
    print(text_report(rep, results, comps, allow))
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(markdown_report(rep, results, comps))
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as f:
            json.dump({"report": rep, "comparisons": comps, "results": results}, f, indent=1)
    log("logs and events: %s" % args.workdir)
    return 0 if rep["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
