"""The ``pyjit`` command: ``python`` with the JIT switched on.

``pyjit script.py``, ``pyjit -m module`` and ``pyjit -c code`` re-execute the
interpreter with ``PYJIT_ENABLE=1``, so the program runs exactly as under
``python`` (same ``sys.argv``, ``__main__``, exit codes and tracebacks, no
extra frames), and child processes started with ``sys.executable`` inherit
the JIT.
"""

import os
import sys

USAGE = """\
usage: pyjit [python options] [-c cmd | -m mod | file | -] [args]
       pyjit --version | --help

Runs Python with the pyjit JIT compiler switched on. Every option and
argument is passed to the interpreter ({python}).

Environment:
  PYJIT_THRESHOLD=N   calls before a function is compiled (0: at first call)
  PYJIT_LEVEL=0..2    optimisation level
  PYJIT_VIA_OBJECT=1  compile through object files and pyjit's own loader
  PYJIT_STATS_OUT=F   write pyjit.stats() as JSON to F at exit
  PYJIT_DISABLE=1     never switch the JIT on
"""


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if args[:1] in (["--help"], ["-h"]):
        print(USAGE.format(python=sys.executable))
        return 0
    if args[:1] == ["--version"]:
        from importlib.metadata import version

        print(f"pyjit {version('pyjit')} (Python {sys.version.split()[0]})")
        return 0
    env = dict(os.environ, PYJIT_ENABLE="1")
    os.execve(sys.executable, [sys.executable, *args], env)


if __name__ == "__main__":
    sys.exit(main())
