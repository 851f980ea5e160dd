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
       pyjit precompile PATH... [--out DIR] [--key KEY] [--train CMD] [--jobs N]
       pyjit cache ls|info|verify|export|sign|gc|keygen ...
       pyjit --version | --help

Runs Python with the pyjit JIT compiler switched on. Every option and
argument is passed to the interpreter ({python}).

Environment:
  PYJIT_THRESHOLD=auto|N  compile by time spent interpreting (default), or
                      after N calls (0: at first call)
  PYJIT_LEVEL=0..2    optimisation level
  PYJIT_VIA_OBJECT=1  compile through object files and pyjit's own loader
  PYJIT_STATS_OUT=F   write pyjit.stats() as JSON to F at exit
  PYJIT_CACHE=DIR     attach native code from the code cache in DIR
  PYJIT_TRUSTED_KEYS  public key files (':'-separated) a cache may be signed by
  PYJIT_CACHE_STRICT=1  a refused cache stops the process (exit status 3)
  PYJIT_OPT_OFF=LIST  switch optimizations off (numbers or names, or all;
                      see pyjit.optimizations())
  PYJIT_DISABLE=1     never switch the JIT on
Each variable also works as an -X option, which overrides it: PYJIT_OPT_OFF=LIST
as -X pyjit-opt-off=LIST, PYJIT_CACHE_STRICT=1 as -X pyjit-cache-strict, and so
on; python -X pyjit app.py switches the JIT on as pyjit app.py does.
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
    if args[:1] in (["precompile"], ["cache"]):
        from pyjit import precompile

        command = precompile.precompile_main if args[0] == "precompile" else precompile.cache_main
        return command(args[1:])
    env = dict(os.environ, PYJIT_ENABLE="1")
    # The -X options this interpreter was given (pyjit's among them) carry over.
    xoptions = [f"-X{name}" if value is True else f"-X{name}={value}" for name, value in sys._xoptions.items()]
    os.execve(sys.executable, [sys.executable, *xoptions, *args], env)


if __name__ == "__main__":
    sys.exit(main())
