"""The package's types (README, "Python API"): ``py.typed`` and the extension module's
stubs (``python/pyjit/_pyjit.pyi``), checked against the module itself with
``mypy.stubtest`` and used by a program that ``mypy --strict`` accepts; a call the
stubs forbid is reported. Needs mypy (CI installs it)."""

import subprocess
import sys
from pathlib import Path

import pytest

import pyjit

pytest.importorskip("mypy")

PACKAGE = Path(pyjit.__file__).parent
USAGE = Path(__file__).parent / "typing" / "api_usage.py"
PYTEST_PLUGIN = Path(__file__).parent.parent / "pyjit.data" / "purelib" / "pyjit_pytest.py"


def mypy(*args, module="mypy"):
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, timeout=600)


def test_the_package_is_typed():
    assert (PACKAGE / "py.typed").is_file() and (PACKAGE / "_pyjit.pyi").is_file()


def test_the_stubs_match_the_extension_module():
    process = mypy("pyjit._pyjit", module="mypy.stubtest")
    assert process.returncode == 0, process.stdout + process.stderr


def test_the_package_and_a_program_using_it_type_check():
    process = mypy("--strict", "--no-incremental", str(USAGE))
    assert process.returncode == 0, process.stdout + process.stderr
    process = mypy("--no-incremental", "-p", "pyjit")
    assert process.returncode == 0, process.stdout + process.stderr
    process = mypy("--strict", "--no-incremental", str(PYTEST_PLUGIN))
    assert process.returncode == 0, process.stdout + process.stderr


def test_a_call_the_stubs_forbid_is_reported(tmp_path):
    program = tmp_path / "wrong.py"
    program.write_text("import pyjit\npyjit.config(threshold='soon')\npyjit.info(42)\n")
    process = mypy("--strict", "--no-incremental", str(program))
    assert process.returncode == 1, process.stdout
    assert process.stdout.count("error:") == 2, process.stdout
