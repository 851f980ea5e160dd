"""pytest configuration for the pyjit test-suite.

The differential runner (``tests/test_differential.py``) is configured through
environment variables (see that module's docstring); this file registers
markers, switches Cranelift's IR verifier on for every pyjit run the tests
start (``PYJIT_VERIFY=1``), and prints the effective configuration in the
report header.
"""

import os
import shlex
import sys


def pytest_configure(config):
    # Every pyjit run the tests start checks the IR it compiles (Cranelift's
    # verifier, off by default because it costs compile time). Runners pass
    # PYJIT_* variables on to pyjit runs only, never to the CPython baseline.
    os.environ.setdefault("PYJIT_VERIFY", "1")
    config.addinivalue_line(
        "markers",
        "differential: a corpus program run under CPython and under pyjit, outputs compared",
    )
    config.addinivalue_line(
        "markers",
        "mode_jit: differential run with the in-memory JIT path",
    )
    config.addinivalue_line(
        "markers",
        "mode_object: differential run with PYJIT_VIA_OBJECT=1 (object file + own loader)",
    )


def pytest_report_header(config):
    override = os.environ.get("PYJIT_DIFF_PYJIT_CMD")
    if override:
        cmd = shlex.split(override)
        stats = os.environ.get("PYJIT_DIFF_CHECK_STATS", "") not in ("", "0")
    else:
        cmd = [sys.executable, "-m", "pyjit"]
        stats = True
    return [
        "pyjit differential: baseline=%s pyjit=%s stats-checks=%s"
        % (sys.executable, " ".join(cmd), "on" if stats else "off"),
    ]
