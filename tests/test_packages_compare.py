"""benchmarks/packages.py's outcome comparison (the package suites themselves
need PyPI and half an hour, see TESTING.md): every outcome pytest writes to
its JUnit file is read as what it is, and every kind of difference between
a plain and a pyjit run is listed."""

import importlib.util
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "packages.py"

spec = importlib.util.spec_from_file_location("packages", SCRIPT)
packages = importlib.util.module_from_spec(spec)
spec.loader.exec_module(packages)

SUITE = '''
import pytest

@pytest.fixture
def broken():
    raise RuntimeError("fixture")

@pytest.fixture
def broken_teardown():
    yield
    raise RuntimeError("teardown")

def test_passes():
    pass

def test_fails():
    assert 1 == 2, "one is not two"

def test_errors(broken):
    pass

def test_fails_and_errors_in_teardown(broken_teardown):
    assert False

def test_skipped():
    pytest.skip("not here")

@pytest.mark.xfail(reason="known")
def test_xfails():
    assert False

@pytest.mark.parametrize("n", [1, 2])
def test_param(n):
    pass

class TestGroup:
    def test_method(self):
        pass
'''


def run_pytest(tmp_path):
    (tmp_path / "test_kinds.py").write_text(SUITE)
    junit = tmp_path / "junit.xml"
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                    "--junitxml", str(junit), "test_kinds.py"],
                   cwd=tmp_path, capture_output=True, timeout=120)
    return packages.read_outcomes(str(junit))


def test_junit_outcomes_are_read_as_pytest_reports_them(tmp_path):
    outcomes = {test_id: outcome for test_id, (outcome, _) in run_pytest(tmp_path).items()}
    assert outcomes == {
        "test_kinds::test_passes": "passed",
        "test_kinds::test_fails": "failed",
        "test_kinds::test_errors": "error",
        "test_kinds::test_fails_and_errors_in_teardown": "failed+error",
        "test_kinds::test_skipped": "skipped",
        "test_kinds::test_xfails": "xfailed",
        "test_kinds::test_param[1]": "passed",
        "test_kinds::test_param[2]": "passed",
        "test_kinds.TestGroup::test_method": "passed",
    }


def test_messages_are_the_first_line_of_the_failure(tmp_path):
    _, message = run_pytest(tmp_path)["test_kinds::test_fails"]
    assert message.startswith("AssertionError: one is not two")


def run(outcomes):
    return {"outcomes": {t: (o, "msg " + t) for t, o in outcomes.items()}}


def test_every_kind_of_difference_is_listed():
    plain = [run({"same": "passed", "changed": "passed", "only_plain": "skipped",
                  "flaky": "passed"})]
    jit = [run({"same": "passed", "changed": "failed", "only_jit": "passed", "flaky": "passed"}),
           run({"same": "passed", "changed": "failed", "only_jit": "passed", "flaky": "error"})]
    found = packages.differences({packages.CPYTHON: plain, packages.PYJIT: jit}, packages.PYJIT)
    assert found == [
        ("changed", "passed", "failed", "msg changed"),
        ("flaky", "passed", "passed / error", "msg flaky"),
        ("only_jit", "absent", "passed", "msg only_jit"),
        ("only_plain", "skipped", "absent", "msg only_plain"),
    ]
    assert packages.differences({packages.CPYTHON: plain, packages.PYJIT: plain},
                                packages.PYJIT) == []
