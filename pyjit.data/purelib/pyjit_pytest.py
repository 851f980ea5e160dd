"""The pytest plugin: ``pytest --pyjit`` runs a test session with the JIT switched on,
``--pyjit-threshold=N`` also sets the compile threshold (``auto``, the default, or a
call count: 0 compiles every function at its first call), and the terminal summary
then reports what pyjit did: functions compiled and their compile time, code left to
the interpreter and why, exits from native code.

Installed as the ``pyjit`` entry point of ``pytest11``, so pytest loads it (also as
``-p pyjit`` where plugin autoloading is off) and it acts only when asked. A module of
its own beside the package: loading it imports no pyjit, which it does only when asked.
"""

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("pyjit", "pyjit JIT compiler")
    group.addoption("--pyjit", action="store_true", default=False, help="run the tests with the pyjit JIT switched on")
    group.addoption(
        "--pyjit-threshold",
        metavar="N",
        default=None,
        help="compile a function after N calls in the interpreter ('auto': by time spent there, the default); implies --pyjit",
    )


def _wanted(config: pytest.Config) -> bool:
    return bool(config.getoption("pyjit")) or config.getoption("pyjit_threshold") is not None


def pytest_configure(config: pytest.Config) -> None:
    if not _wanted(config):
        return
    import pyjit

    threshold = config.getoption("pyjit_threshold")
    if threshold is not None:
        if threshold != "auto" and not threshold.isdigit():
            raise pytest.UsageError(f"--pyjit-threshold={threshold!r}: must be 'auto' or a non-negative integer")
        pyjit.config(threshold=threshold if threshold == "auto" else int(threshold))
    pyjit.enable()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    if not _wanted(config):
        return
    import pyjit

    stats = pyjit.stats()
    settings = pyjit.config()
    write = terminalreporter.write_line
    terminalreporter.write_sep("-", "pyjit")
    write(
        f"{stats['compiled']} functions compiled in {stats['compile_time_ns'] / 1e6:.1f} ms "
        f"(threshold {settings['threshold']}; {stats['background_compiles']} on the compiler thread), "
        f"{stats['failed']} failed"
    )
    write(
        f"native code entered {stats['native_calls']} times, {stats['osr_entries']} frames moved in at a loop; "
        f"{stats['deopts']} exits to the interpreter"
    )
    if stats["delegated"]:
        write(f"{stats['delegated']} code objects left to the interpreter:")
        reasons = sorted(stats["delegated_reasons"].items(), key=lambda item: (-item[1], item[0]))
        for reason, count in reasons:
            write(f"  {count:6d}  {reason}")
