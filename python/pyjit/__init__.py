"""pyjit: a Cranelift JIT compiler for CPython 3.11.

    import pyjit
    pyjit.enable()            # compile hot functions from now on
    pyjit.info(f)             # was f compiled? if not, why?
    pyjit.stats()             # process-wide counters
    pyjit.ir(f)               # f's compiled code as Cranelift IR

The same switch without code changes: ``pyjit app.py`` or ``PYJIT_ENABLE=1``.
"""

import sys as _sys

if _sys.implementation.name != "cpython" or _sys.version_info[:2] != (3, 11):
    raise ImportError(
        "pyjit supports CPython 3.11 only; this is "
        f"{_sys.implementation.name} {_sys.version_info.major}.{_sys.version_info.minor}"
    )

from pyjit._pyjit import config, disable, enable, info, ir, is_enabled, stats  # noqa: E402

__all__ = ["config", "disable", "enable", "info", "ir", "is_enabled", "stats"]


def _write_stats_at_exit(path):
    import atexit
    import json

    def write():
        with open(path, "w", encoding="utf-8") as out:
            json.dump(stats(), out)

    atexit.register(write)


def _append_recorded_keys_at_exit(path):
    """``pyjit precompile --train``: add the keys of the code objects that ran to
    ``path`` (one append per process, so concurrent processes do not mix lines)."""
    import atexit

    from pyjit._pyjit import recorded_keys

    def write():
        data = "".join(f"{key}\n" for key in recorded_keys()).encode("ascii")
        with open(path, "ab") as out:
            out.write(data)

    atexit.register(write)


def _startup():
    """Run by the ``pyjit_startup.pth`` hook when ``PYJIT_ENABLE=1``."""
    import os

    path = os.environ.get("PYJIT_STATS_OUT")
    if path:
        _write_stats_at_exit(path)
    path = os.environ.get("PYJIT_RECORD_OUT")
    if path:
        _append_recorded_keys_at_exit(path)
    enable()
