"""Differential tests: every program in ``tests/corpus/`` must behave exactly
the same under plain CPython and under pyjit.

For each ``tests/corpus/*.py`` (files whose name starts with ``_`` are helper
modules, not programs) and each mode (``jit``, ``object``) the program is run

* as ``sys.executable PROG`` (the baseline), and
* as ``sys.executable -m pyjit PROG`` with ``PYJIT_THRESHOLD=0`` (every
  function compiled at its first call) and ``PYJIT_STATS_OUT`` set; in mode
  ``object`` also with ``PYJIT_VIA_OBJECT=1``.

Both runs get ``PYTHONHASHSEED=0``, ``PYTHONDONTWRITEBYTECODE=1``,
``PYTHONIOENCODING=utf-8`` (unless set), no stdin,
a fresh empty temporary working directory and a timeout; PROG is the same
absolute path in both runs, so tracebacks are byte-identical.  stdout, stderr
and the exit status are compared exactly; a difference fails the test with a
unified diff of the differing stream.  Then the stats JSON written by pyjit
must show ``compiled >= 1`` and ``failed == 0``, and every delegation reason
must be allowed (see below).

Program header (comment lines at the top of a corpus file):

``# expect-delegated: R1, R2``
    delegations with these reasons are allowed (by default none is: every
    code object must compile).  Comma-separated; without a comma the value is split
    on whitespace (and the whole value is accepted as one reason too).  A
    reason R is allowed by an entry E when R == E or R starts with ``E:`` or
    ``E (``.  ``*`` allows every reason.
``# args: a b c``
    command-line arguments for the program (shlex syntax), given to both runs.
``# expect-stats: KEY>N, KEY=N``
    conditions on pyjit's stats in the pyjit run (e.g. ``exceptions_caught>0``
    shows that handlers ran compiled).
``# threshold: N`` or ``# threshold: auto``
    ``PYJIT_THRESHOLD`` for the pyjit run instead of 0, for programs about
    tiering (e.g. a loop in a function called once, entered natively at its
    loop header).
``# timeout: SECONDS``
    per-run timeout for this program (if ``PYJIT_DIFF_TIMEOUT`` is set and
    larger, that is used instead).

Environment variables:

``PYJIT_DIFF_PYJIT_CMD``
    replaces the pyjit command (default ``<sys.executable> -m pyjit``), shlex
    syntax; the program path and arguments are appended.  Setting it to plain
    python self-tests the runner and the corpus (each program must then give
    the same output twice).  With an override the stats assertions are
    skipped unless ``PYJIT_DIFF_CHECK_STATS=1``.
``PYJIT_DIFF_CHECK_STATS``
    ``1`` forces the stats assertions even with ``PYJIT_DIFF_PYJIT_CMD``.
``PYJIT_DIFF_TIMEOUT``
    per-run timeout in seconds (default 60; see also ``# timeout:``).
``PYJIT_DIFF_KEEP``
    if set, the temporary directories of failing runs are kept and their
    paths printed.
other ``PYJIT_*`` (e.g. ``PYJIT_LEVEL``)
    passed on to the pyjit run only (never to the baseline); the variables
    the runner sets itself (``PYJIT_THRESHOLD``, ``PYJIT_STATS_OUT``,
    ``PYJIT_VIA_OBJECT``) and ``PYJIT_ENABLE`` / ``PYJIT_DISABLE`` are not.

Select programs with ``-k``: test ids are ``test_program[<name>-<mode>]``,
e.g. ``-k ops_binary`` or ``-k "ops_ and object"``.  Every parameter carries
the markers ``differential`` and ``mode_jit`` / ``mode_object``.
"""

import difflib
import json
import os
import re
import pathlib
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile

import pytest

CORPUS_DIR = pathlib.Path(__file__).resolve().parent / "corpus"

DEFAULT_ALLOWED_REASONS = ()

MODES = {
    "jit": {},
    "object": {"PYJIT_VIA_OBJECT": "1"},
}

HEADER_KEYS = ("expect-delegated", "expect-stats", "args", "timeout", "known-difference", "threshold")


# --------------------------------------------------------------------------
# configuration


def _pyjit_cmd():
    override = os.environ.get("PYJIT_DIFF_PYJIT_CMD")
    if override:
        return shlex.split(override), True
    return [sys.executable, "-m", "pyjit"], False


def _check_stats():
    _, overridden = _pyjit_cmd()
    if not overridden:
        return True
    return os.environ.get("PYJIT_DIFF_CHECK_STATS", "") not in ("", "0")


def _timeout_for(header):
    """Per-run timeout: the program's `# timeout:` header if it has one
    (raised to PYJIT_DIFF_TIMEOUT when that is set and larger), otherwise
    PYJIT_DIFF_TIMEOUT, otherwise 60 s."""
    env = os.environ.get("PYJIT_DIFF_TIMEOUT")
    env_value = float(env) if env else None
    if header["timeout"] is not None:
        return max(header["timeout"], env_value or 0.0)
    return env_value if env_value is not None else 60.0


# --------------------------------------------------------------------------
# corpus and headers


def corpus_programs():
    return sorted(
        p for p in CORPUS_DIR.glob("*.py") if not p.name.startswith("_")
    )


def parse_header(path):
    """Return {'expect-delegated': [...], 'args': [...], 'timeout': float|None}.

    Only the leading block of comment (and blank) lines is read."""
    header = {"expect-delegated": [], "expect-stats": [], "args": [], "timeout": None,
              "known-difference": None, "threshold": None}
    with open(path, encoding="utf-8") as f:
        for line in f:
            stripped = line.strip()
            if not stripped:
                continue
            if not stripped.startswith("#"):
                break
            body = stripped[1:].strip()
            key, sep, value = body.partition(":")
            key = key.strip().lower()
            if not sep or key not in HEADER_KEYS:
                continue
            value = value.strip()
            if key == "expect-delegated":
                if "," in value:
                    items = [v.strip() for v in value.split(",")]
                else:
                    items = value.split()
                    if len(items) > 1:
                        items.append(value)
                header[key].extend(i for i in items if i)
            elif key == "expect-stats":
                for condition in value.split(","):
                    match = re.fullmatch(r"\s*(\w+)\s*([>=])\s*(\d+)\s*", condition)
                    if not match:
                        raise ValueError("%s: bad expect-stats condition %r" % (path, condition))
                    header[key].append((match[1], match[2], int(match[3])))
            elif key == "args":
                header[key].extend(shlex.split(value))
            elif key == "timeout":
                header[key] = float(value)
            elif key == "threshold":
                header[key] = value if value == "auto" else str(int(value))
            elif key == "known-difference":
                header[key] = value
    return header


def reason_allowed(reason, allowed):
    for entry in allowed:
        if entry == "*" or reason == entry:
            return True
        if reason.startswith(entry + ":") or reason.startswith(entry + " ("):
            return True
    return False


# --------------------------------------------------------------------------
# running


class RunResult:
    def __init__(self, argv, cwd, returncode, stdout, stderr, timed_out):
        self.argv = argv
        self.cwd = cwd
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.timed_out = timed_out


def _base_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYJIT_")}
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.setdefault("PYTHONIOENCODING", "utf-8")
    # Interpreter-behaviour switches that would make a run differ from a
    # plain `python prog.py` are removed for both runs.
    for k in ("PYTHONINSPECT", "PYTHONSTARTUP", "PYTHONBREAKPOINT",
              "PYTHONTRACEMALLOC", "PYTHONPROFILEIMPORTTIME",
              "PYTHONASYNCIODEBUG", "PYTHONDEVMODE", "PYTHONWARNINGS",
              "PYTHONOPTIMIZE", "PYTHONUNBUFFERED", "PYTHONVERBOSE",
              "PYTHONFAULTHANDLER", "PYTHONNODEBUGRANGES"):
        env.pop(k, None)
    return env


_RUNNER_OWNED = ("PYJIT_THRESHOLD", "PYJIT_STATS_OUT", "PYJIT_VIA_OBJECT",
                 "PYJIT_ENABLE", "PYJIT_DISABLE")


def _passthrough_pyjit_vars():
    return {k: v for k, v in os.environ.items()
            if k.startswith("PYJIT_") and not k.startswith("PYJIT_DIFF_")
            and k not in _RUNNER_OWNED}


def run_program(argv, env, cwd, timeout):
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    timed_out = False
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            proc.kill()
        stdout, stderr = proc.communicate()
    return RunResult(argv, cwd, proc.returncode, stdout, stderr, timed_out)


def _decode(data):
    return data.decode("utf-8", errors="backslashreplace")


def _diff(name, expected, actual):
    exp = _decode(expected).splitlines(keepends=True)
    act = _decode(actual).splitlines(keepends=True)
    lines = list(difflib.unified_diff(
        exp, act, fromfile=name + " (cpython)", tofile=name + " (pyjit)", n=3))
    out = []
    for line in lines:
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)


def _tail(data, limit=4000):
    text = _decode(data)
    if len(text) > limit:
        text = "...[%d chars cut]...\n" % (len(text) - limit) + text[-limit:]
    return text


def _status(code):
    if code is not None and code < 0:
        try:
            return "%d (%s)" % (code, signal.Signals(-code).name)
        except ValueError:
            pass
    return str(code)


def _describe(label, res):
    return "%s: argv=%s cwd=%s exit=%s%s\n--- stdout (tail) ---\n%s\n--- stderr (tail) ---\n%s" % (
        label, " ".join(map(shlex.quote, res.argv)), res.cwd, _status(res.returncode),
        " (TIMED OUT)" if res.timed_out else "",
        _tail(res.stdout), _tail(res.stderr))


# --------------------------------------------------------------------------
# the test


def _params():
    params = []
    for prog in corpus_programs():
        for mode in MODES:
            params.append(pytest.param(
                prog, mode, id="%s-%s" % (prog.stem, mode),
                marks=[pytest.mark.differential,
                       getattr(pytest.mark, "mode_" + mode)],
            ))
    return params


def test_corpus_not_empty():
    assert corpus_programs(), "no programs in %s" % CORPUS_DIR


@pytest.mark.parametrize("program,mode", _params())
def test_program(program, mode, request):
    header = parse_header(program)
    if header["known-difference"]:
        # A documented gap (README, Limitations): expected to differ, and the
        # test fails as soon as it no longer does, so the note gets removed.
        request.applymarker(pytest.mark.xfail(reason=header["known-difference"], strict=True))
    timeout = _timeout_for(header)
    pyjit_cmd, _ = _pyjit_cmd()
    check_stats = _check_stats()
    keep = bool(os.environ.get("PYJIT_DIFF_KEEP"))

    work = tempfile.mkdtemp(prefix="pyjit-diff-%s-%s-" % (program.stem, mode))
    ok = False
    try:
        base_cwd = os.path.join(work, "cpython")
        jit_cwd = os.path.join(work, "pyjit")
        os.mkdir(base_cwd)
        os.mkdir(jit_cwd)
        stats_path = os.path.join(work, "stats.json")

        prog_args = [str(program)] + header["args"]

        base_env = _base_env()
        base = run_program([sys.executable] + prog_args, base_env, base_cwd, timeout)
        if base.timed_out:
            pytest.fail("baseline CPython run timed out after %ss\n%s"
                        % (timeout, _describe("cpython", base)), pytrace=False)

        jit_env = _base_env()
        jit_env.update(_passthrough_pyjit_vars())
        jit_env["PYJIT_THRESHOLD"] = header["threshold"] or "0"
        jit_env["PYJIT_STATS_OUT"] = stats_path
        jit_env.update(MODES[mode])
        jit = run_program(pyjit_cmd + prog_args, jit_env, jit_cwd, timeout)

        problems = []
        if jit.timed_out:
            problems.append("pyjit run timed out after %ss (baseline exit=%s)"
                            % (timeout, base.returncode))
        if base.returncode != jit.returncode:
            problems.append("exit status differs: cpython=%s pyjit=%s"
                            % (_status(base.returncode), _status(jit.returncode)))
        for stream in ("stdout", "stderr"):
            a, b = getattr(base, stream), getattr(jit, stream)
            if a != b:
                problems.append("%s differs:\n%s" % (
                    stream, _diff("%s %s" % (program.name, stream), a, b)))
        if problems:
            if stats_path and os.path.exists(stats_path):
                with open(stats_path, encoding="utf-8", errors="replace") as f:
                    problems.append("pyjit stats: " + f.read())
            if jit.timed_out or base.returncode != jit.returncode:
                context = _describe("pyjit", jit)
            else:
                context = "pyjit: argv=%s" % " ".join(map(shlex.quote, jit.argv))
            pytest.fail("%s [%s]: pyjit differs from CPython\n\n%s\n\n%s"
                        % (program.name, mode, "\n\n".join(problems), context),
                        pytrace=False)

        if not check_stats:
            ok = True
            return

        if not os.path.exists(stats_path):
            pytest.fail("%s [%s]: output matched CPython, but pyjit wrote no stats file "
                        "(PYJIT_STATS_OUT=%s) -- was the JIT enabled?\n%s"
                        % (program.name, mode, stats_path, _describe("pyjit", jit)),
                        pytrace=False)
        with open(stats_path, encoding="utf-8") as f:
            raw = f.read()
        try:
            stats = json.loads(raw)
        except ValueError as e:
            pytest.fail("stats file is not JSON (%s): %r" % (e, raw[:2000]),
                        pytrace=False)
        check_stats_json(stats, header, program.name, mode)
        ok = True
    finally:
        if ok or not keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("kept run directory: %s" % work)


def check_stats_json(stats, header, name, mode):
    """Fail (without a Python traceback) unless the stats satisfy the rules."""
    where = "%s [%s]" % (name, mode)
    problems = []
    if not isinstance(stats, dict):
        pytest.fail("%s: stats is not a JSON object: %r" % (where, stats), pytrace=False)
    for key in ("compiled", "failed", "deopts", "delegated"):
        if not isinstance(stats.get(key), int):
            problems.append("stats[%r] missing or not an int" % key)
    reasons = stats.get("delegated_reasons")
    if not isinstance(reasons, dict):
        problems.append("stats['delegated_reasons'] missing or not an object")
        reasons = {}
    if isinstance(stats.get("compiled"), int) and stats["compiled"] < 1:
        problems.append("nothing was compiled (compiled=%d)" % stats["compiled"])
    if isinstance(stats.get("failed"), int) and stats["failed"] != 0:
        problems.append("%d compile(s) failed" % stats["failed"])
    for key, relation, bound in header["expect-stats"]:
        value = stats.get(key)
        holds = isinstance(value, int) and (value > bound if relation == ">" else value == bound)
        if not holds:
            problems.append("expected stats[%r] %s %d, got %r" % (key, relation, bound, value))
    allowed = list(DEFAULT_ALLOWED_REASONS)
    allowed += [r for r in header["expect-delegated"] if r not in allowed]
    bad = {r: n for r, n in reasons.items() if n and not reason_allowed(r, allowed)}
    if bad:
        problems.append("unexpected delegations (reason -> count):\n%s\nallowed reasons: %s"
                        % ("\n".join("  %s -> %s" % (r, n) for r, n in sorted(bad.items())),
                           ", ".join(allowed)))
    if problems:
        pytest.fail("%s: pyjit output matched CPython, but:\n- %s\n\nstats: %s"
                    % (where, "\n- ".join(problems), json.dumps(stats, sort_keys=True)),
                    pytrace=False)
