"""The pytest plugin (README, "The pytest plugin"): a sample project's tests run with the
JIT on under ``--pyjit`` and ``--pyjit-threshold=N`` (also named with ``-p pyjit`` where
plugin autoloading is off), the terminal summary reports what pyjit did, a bad
threshold is a usage error, and without the options the session runs as before."""

import os
import re
import subprocess
import sys
import textwrap

import pytest

SAMPLE = textwrap.dedent(
    """
    import sys

    def fib(n):
        return n if n < 2 else fib(n - 1) + fib(n - 2)

    def test_fib():
        assert fib(18) == 2584

    def test_jit_state():
        jit = sys.modules.get("pyjit")
        print("JIT", bool(jit and jit.is_enabled()), jit and jit.config()["threshold"])
    """
)


@pytest.fixture
def project(tmp_path):
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    return tmp_path


def pytest_in(project, *args, autoload=True):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYJIT_", "PYTEST_"))}
    if not autoload:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    command = [sys.executable, "-m", "pytest", "-s", "-p", "no:cacheprovider", *args, "test_sample.py"]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=300)


def summary(output):
    """The lines of the plugin's summary section, or None without one."""
    match = re.search(r"^-+ pyjit -+\n(.*?)^=+", output, re.S | re.M)
    return match.group(1).splitlines() if match else None


@pytest.mark.parametrize("args,autoload", [(["--pyjit-threshold=0"], True), (["-p", "pyjit", "--pyjit-threshold=0"], False)])
def test_the_session_runs_with_the_jit_and_reports_it(project, args, autoload):
    process = pytest_in(project, *args, autoload=autoload)
    assert process.returncode == 0, process.stdout + process.stderr
    assert "JIT True 0" in process.stdout
    lines = summary(process.stdout)
    assert lines, process.stdout
    compiled = int(re.match(r"(\d+) functions compiled in [\d.]+ ms \(threshold 0;", lines[0]).group(1))
    assert compiled > 0 and re.match(r"native code entered \d+ times", lines[1]), lines


def test_pyjit_alone_uses_the_default_threshold(project):
    process = pytest_in(project, "--pyjit")
    assert process.returncode == 0 and "JIT True auto" in process.stdout, process.stdout + process.stderr
    assert summary(process.stdout)


def test_without_the_options_nothing_changes(project):
    process = pytest_in(project)
    # pyjit not even imported.
    assert process.returncode == 0 and "JIT False None" in process.stdout, process.stdout + process.stderr
    assert summary(process.stdout) is None


def test_a_bad_threshold_is_a_usage_error(project):
    process = pytest_in(project, "--pyjit-threshold=soon")
    assert process.returncode == pytest.ExitCode.USAGE_ERROR
    assert "--pyjit-threshold='soon': must be 'auto' or a non-negative integer" in process.stderr
