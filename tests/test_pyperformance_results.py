"""pyperformance's benchmarks give the same results under pyjit
(`benchmarks/check_results.py --quick`, in both code paths, and a few from
a precompiled cache in strict mode with `--cache`), and the checker's
comparison really flags what it is meant to flag."""

import importlib.util
import pathlib
import re
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


def needs_pyperformance():
    if importlib.util.find_spec("pyperformance") is None:
        pytest.skip("pyperformance is not installed in %s (tests/run.sh installs it)"
                    % sys.executable)


@pytest.mark.parametrize("mode_args", [[], ["--via-object"]], ids=["jit", "object"])
def test_quick_benchmarks_match_cpython(mode_args):
    needs_pyperformance()
    proc = subprocess.run([sys.executable, str(CHECKER), "--quick", *mode_args],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr


CACHED_SUBSET = ["richards", "nqueens", "deepcopy"]


def test_benchmarks_from_a_strict_cache_match_cpython(tmp_path):
    """Precompiled with a training run, signed, loaded in strict mode: the
    same results, and every benchmark code object that ran came from the
    cache (richards: classes and methods; nqueens: generators and
    generator expressions; deepcopy: a dataclass, whose generated __init__
    is not)."""
    needs_pyperformance()
    proc = subprocess.run([sys.executable, str(CHECKER), "--cache", str(tmp_path / "cache"),
                           *CACHED_SUBSET], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PYJIT_CACHE_STRICT=1" in proc.stdout
    # Entries compiled with the training run's profiles are among those checked.
    profiled = re.search(r"\((\d+) of (\d+) entries profile-guided\)", proc.stdout)
    assert profiled and int(profiled.group(1)) > 20, proc.stdout
    for name in CACHED_SUBSET:
        row = next(line for line in proc.stdout.splitlines() if line.startswith("| %s " % name))
        assert "| same " in row, row


def test_strict_mode_fails_the_run_on_an_untrusted_cache(tmp_path):
    """The cache runs really are strict: the same cache checked against
    another key stops the benchmark process, and the comparison fails."""
    needs_pyperformance()
    plain = check.run_benchmark(sys.executable, "nbody", None, 600)
    pyjit_env = {"PYJIT_ENABLE": "1", "PYJIT_THRESHOLD": "0"}
    loading, _ = check.build_cache(sys.executable, ["nbody"], plain.result["module_files"],
                                   str(tmp_path / "cache"), pyjit_env)
    other_key = tmp_path / "other" / "key"
    other_key.parent.mkdir()
    subprocess.run([sys.executable, "-m", "pyjit", "cache", "keygen", str(other_key)],
                   check=True, capture_output=True)
    trusted = check.run_benchmark(sys.executable, "nbody", {**pyjit_env, **loading}, 600)
    assert check.compare(plain, trusted, cached=True) == []
    untrusted = check.run_benchmark(sys.executable, "nbody",
                                    {**pyjit_env, **loading, "PYJIT_TRUSTED_KEYS": str(other_key) + ".pub"},
                                    600)
    assert untrusted.returncode != 0
    problems = check.compare(plain, untrusted, cached=True)
    assert any(p.startswith("exit status") for p in problems), problems


def test_cache_audit_flags_a_run_without_the_cache(tmp_path):
    """The cache checks fail on a real run that compiled everything at run
    time: `compare(..., cached=True)` of nbody run without PYJIT_CACHE, its
    audit told that the cache has an entry for every code object of the file."""
    needs_pyperformance()
    from pyjit import _pyjit

    path = check.benchmark_file("nbody")
    with open(path, "rb") as source:
        module = compile(source.read(), path, "exec", dont_inherit=True)
    keys = tmp_path / "keys.txt"
    keys.write_text("".join(_pyjit.code_key(code) + "\n" for code in check.code_objects(module)))
    plain = check.run_benchmark(sys.executable, "nbody", None, 600)
    jit_env = {"PYJIT_ENABLE": "1", "PYJIT_THRESHOLD": "0", check.CACHED_KEYS_VARIABLE: str(keys)}
    jit = check.run_benchmark(sys.executable, "nbody", jit_env, 600)
    assert check.compare(plain, jit) == []
    problems = check.compare(plain, jit, cached=True)
    assert any("nothing was loaded from the cache" in p for p in problems), problems
    assert any("not loaded from the cache" in p and "advance" in p for p in problems), problems


def observation(label, digest, count=1):
    return {"label": label, "count": count, "digest": digest, "preview": "..."}


def make_run(observations, stdout=b"", stats=None, not_compiled=(), not_from_cache=()):
    result = {"observations": observations}
    if stats is not None:
        result["stats"] = stats
        compiled = 3 - len(not_compiled)
        result["audit"] = {"ran": 3, "compiled": compiled, "from_cache": compiled - len(not_from_cache),
                           "delegated": {}, "not_compiled": list(not_compiled),
                           "not_from_cache": list(not_from_cache)}
    return check.Run(0, stdout, b"", result, 0.0)


GOOD_STATS = {"compiled": 10, "failed": 0, "cache_hits": 0}
CACHED_STATS = {"compiled": 2, "failed": 0, "cache_hits": 40}
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


def test_compare_accepts_a_cached_run():
    jit = make_run([observation("energy", "aa"), observation("state", "bb")], stats=CACHED_STATS)
    assert check.compare(PLAIN, jit, cached=True) == []


@pytest.mark.parametrize("jit,expected", [
    (make_run([observation("energy", "aa"), observation("state", "bb")],
              stats={"compiled": 2, "failed": 0, "cache_hits": 0}),
     "nothing was loaded from the cache"),
    (make_run([observation("energy", "aa"), observation("state", "bb")], stats=CACHED_STATS,
              not_from_cache=["advance (line 78): source jit"]),
     "not loaded from the cache"),
    (make_run([observation("energy", "aa"), observation("state", "XX")], stats=CACHED_STATS),
     "state differs"),
], ids=["no-hits", "run-time-compile", "digest"])
def test_compare_flags_cache_problems(jit, expected):
    problems = check.compare(PLAIN, jit, cached=True)
    assert any(expected in p for p in problems), problems
