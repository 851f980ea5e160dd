"""pyperformance's benchmarks give the same results under pyjit
(`benchmarks/check_results.py --quick`, in both code paths), and the
checker's comparison really flags what it is meant to flag."""

import importlib.util
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHECKER = ROOT / "benchmarks" / "check_results.py"


def load_checker():
    spec = importlib.util.spec_from_file_location("check_results", CHECKER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check = load_checker()


@pytest.mark.parametrize("mode_args", [[], ["--via-object"]], ids=["jit", "object"])
def test_quick_benchmarks_match_cpython(mode_args):
    if importlib.util.find_spec("pyperformance") is None:
        pytest.skip("pyperformance is not installed in %s (tests/run.sh installs it)"
                    % sys.executable)
    proc = subprocess.run([sys.executable, str(CHECKER), "--quick", *mode_args],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def observation(label, digest, count=1):
    return {"label": label, "count": count, "digest": digest, "preview": "..."}


def make_run(observations, stdout=b"", stats=None, not_compiled=()):
    result = {"observations": observations}
    if stats is not None:
        result["stats"] = stats
        result["audit"] = {"ran": 3, "compiled": 3 - len(not_compiled), "delegated": {},
                           "not_compiled": list(not_compiled)}
    return check.Run(0, stdout, b"", result, 0.0)


GOOD_STATS = {"compiled": 10, "failed": 0}
PLAIN = make_run([observation("energy", "aa"), observation("state", "bb")])


def test_compare_accepts_identical_results():
    jit = make_run([observation("energy", "aa"), observation("state", "bb")], stats=GOOD_STATS)
    assert check.compare(PLAIN, jit) == []


@pytest.mark.parametrize("jit,expected", [
    (make_run([observation("energy", "aa"), observation("state", "XX")], stats=GOOD_STATS),
     "state differs"),
    (make_run([observation("energy", "aa"), observation("state", "bb", count=2)], stats=GOOD_STATS),
     "state differs"),
    (make_run([observation("energy", "aa")], stats=GOOD_STATS),
     "only under cpython"),
    (make_run([observation("energy", "aa"), observation("state", "bb")], stdout=b"r",
              stats=GOOD_STATS),
     "stdout differs"),
    (make_run([observation("energy", "aa"), observation("state", "bb")]),
     "pyjit was not loaded"),
    (make_run([observation("energy", "aa"), observation("state", "bb")],
              stats={"compiled": 10, "failed": 1}),
     "1 compile(s) failed"),
    (make_run([observation("energy", "aa"), observation("state", "bb")], stats=GOOD_STATS,
              not_compiled=["advance (line 78): too big"]),
     "ran in the interpreter"),
], ids=["digest", "count", "missing", "stdout", "not-loaded", "failed", "not-compiled"])
def test_compare_flags_differences(jit, expected):
    problems = check.compare(PLAIN, jit)
    assert any(expected in p for p in problems), problems


def test_compare_flags_a_baseline_that_ran_pyjit():
    baseline = make_run([observation("energy", "aa")], stats=GOOD_STATS)
    jit = make_run([observation("energy", "aa")], stats=GOOD_STATS)
    assert check.compare(baseline, jit) == ["pyjit was loaded in the plain CPython run"]


def test_canonical_tells_values_apart_and_is_stable():
    class Body:
        def __init__(self, x):
            self.x = x
            self.me = self

    assert check.canonical([0.1 + 0.2]) != check.canonical([0.3])
    assert check.canonical(Body(1.0)) == check.canonical(Body(1.0))
    assert check.canonical(Body(1.0)) != check.canonical(Body(1.5))
    # Addresses in reprs are removed, so two runs can agree.
    assert check.canonical(object()) == check.canonical(object())
