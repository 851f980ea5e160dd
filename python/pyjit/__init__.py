"""pyjit: a Cranelift JIT compiler for CPython 3.11.

    import pyjit
    pyjit.enable()            # compile hot functions from now on
    pyjit.info(f)             # was f compiled? if not, why?
    pyjit.stats()             # process-wide counters
    pyjit.ir(f), pyjit.dis(f) # f's compiled code: Cranelift IR, annotated machine code
    pyjit.optimizations()     # (number, name, description) of each optimization

The same switch without code changes: ``pyjit app.py``, ``python -X pyjit app.py`` or
``PYJIT_ENABLE=1``.
"""

import os as _os
import sys as _sys

# Annotations name these only for type checkers (mypy takes TYPE_CHECKING as true):
# importing them would add milliseconds to every start-up with the JIT on.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import CodeType

if _sys.implementation.name != "cpython" or _sys.version_info[:2] != (3, 11):
    raise ImportError(
        "pyjit supports CPython 3.11 only; this is "
        f"{_sys.implementation.name} {_sys.version_info.major}.{_sys.version_info.minor}"
    )


def _in_subinterpreter():
    try:
        interpreters = __import__("_xxsubinterpreters")
    except ImportError:
        return False
    return interpreters.get_current() != interpreters.get_main()


try:
    from pyjit import _pyjit
except ImportError:
    # Site runs the start-up hook in every subinterpreter too, and would print
    # this error at each one's start.
    if not _in_subinterpreter():
        raise
    from pyjit import _subinterpreter

    _sys.modules["pyjit._pyjit"] = _subinterpreter
    from pyjit import _pyjit

# Exit status of a process with an invalid PYJIT_* setting or -X pyjit option.
SETTING_EXIT_STATUS = 2


def _stop(message):
    """Ends the process over an invalid setting (README, "Configuration"): one line on
    stderr, exit status 2, before the program runs when the startup hook imports pyjit."""
    _sys.stderr.write(f"pyjit: error: {message}\n")
    _sys.stderr.flush()
    frame = _sys._getframe()
    while frame is not None:
        if frame.f_globals.get("__name__") == "site":
            # site.py turns SystemExit into a fatal error with a traceback.
            _sys.stdout.flush()
            _os._exit(SETTING_EXIT_STATUS)
        frame = frame.f_back
    raise SystemExit(SETTING_EXIT_STATUS)


# The PYJIT_* variables and the -X pyjit* options are read when the extension loads.
if _pyjit.SETTING_ERROR is not None:
    _stop(_pyjit.SETTING_ERROR)

from pyjit._pyjit import config, disable, enable, info, ir, is_enabled, optimizations, stats  # noqa: E402

__all__ = ["config", "dis", "disable", "enable", "graph", "info", "ir", "is_enabled", "optimizations", "stats"]


def dis(f: "Callable[..., object] | CodeType") -> str:
    """The machine code of ``f`` (a compiled function or code object) as it runs,
    disassembled, with a line ``; OFFSET OPNAME ARG  (line N)`` before the code of each
    bytecode instruction and the symbol each address loaded refers to. Code generated
    for no instruction in particular (register moves, constants) stays under the
    instruction before it. Raises ValueError when ``f`` is not compiled (with the
    reason), RuntimeError elsewhere than on x86-64. A leaf function's frameless variant
    (optimization ``frameless-calls``) follows its code."""
    # The implementation is imported when it is used: keeping it out of this
    # module keeps every start-up with the JIT on from unmarshalling it.
    from pyjit._introspect import disassembly

    return disassembly(f)


def graph(f: "Callable[..., object] | CodeType") -> str:
    """The control-flow graph of ``f``'s bytecode (a function or code object) in Graphviz
    DOT (``dot -Tsvg``): a node per basic block listing its instructions, each one the
    interpreter specialises with what its profile recorded there, as the compiler reads
    it (for compiled code, the profile its compile read) — the specialised form (the
    types seen), ``generic`` (it kept failing to specialise), ``not run`` (quickened
    but never reached since) or ``nothing`` (not quickened: nothing observed); edges
    for fall-through, jumps (taken or not) and exception handlers (dashed); and
    whether ``f`` runs compiled, with its optimizations, in the graph's label."""
    from pyjit._introspect import code_of, graph as code_graph

    return code_graph(code_of(f))


def _write_at_exit(variable, option, write):
    """Calls ``write(path)`` at exit for the path ``-X option=PATH`` gives, else the
    environment variable ``variable`` (any bytes), if set. A path that cannot be written
    gets one warning line."""
    given = _sys._xoptions.get(option)
    if isinstance(given, str):
        path, variable = _os.fsencode(given), f"-X {option}"
    else:
        path = _os.environb.get(_os.fsencode(variable))
    if not path:
        return
    # Imported only when needed: it is not yet at start-up.
    import atexit

    def write_or_warn():
        try:
            write(path)
        except OSError as error:
            reason = error.strerror or str(error)
            _sys.stderr.write(f"pyjit: warning: {variable}={_os.fsdecode(path)!r}: cannot write it: {reason}\n")

    atexit.register(write_or_warn)


def _write_stats(path):
    import json

    with open(path, "w", encoding="utf-8") as out:
        json.dump(stats(), out)


def _append_recorded(path):
    """``pyjit precompile --train``: add a line per code object compiled to ``path``, its
    key and, if the interpreter profiled it, its profile (one append per process, so
    concurrent processes do not mix lines)."""
    from pyjit._pyjit import recorded

    data = "".join(f"{key} {profile}".rstrip() + "\n" for key, profile in recorded()).encode("ascii")
    with open(path, "ab") as out:
        out.write(data)


_started = False


def _startup():
    """Run by the ``pyjit_startup.pth`` hook when ``PYJIT_ENABLE`` is set or a ``-X pyjit*``
    option given, at most once per process: site.py runs a virtualenv's ``.pth`` files
    twice."""
    global _started
    if _started or not _pyjit.ENABLE_AT_STARTUP:
        return
    _started = True
    _write_at_exit("PYJIT_STATS_OUT", "pyjit-stats-out", _write_stats)
    _write_at_exit("PYJIT_RECORD_OUT", "pyjit-record-out", _append_recorded)
    enable()
