"""``pyjit precompile`` and ``pyjit cache``: the command-line side of the code cache.

The Python part finds source files and compiles them with CPython's own compiler (so
the bytecode is exactly what the runtime will see); compiling to native code, signing
and writing the cache happen in the extension module, with the same lowering as the
run-time JIT.
"""

import argparse
import os
import stat
import subprocess
import sys
import tempfile
import time

from pyjit import _pyjit

SKIP_DIRS = {"__pycache__", "node_modules"}


def find_sources(paths):
    """The .py files under ``paths`` (files are taken as given), sorted, skipping hidden
    directories, ``__pycache__`` and virtual environments. A path that is neither a
    regular file nor a directory (a FIFO, a device) is an error."""
    found = []
    for path in paths:
        if os.path.isfile(path):
            found.append(path)
            continue
        if not os.path.exists(path):
            raise FileNotFoundError(f"{path}: no such file or directory")
        if not os.path.isdir(path):
            raise ValueError(f"{path}: not a regular file or directory")
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(
                d
                for d in dirs
                if not d.startswith(".")
                and d not in SKIP_DIRS
                and not os.path.exists(os.path.join(root, d, "pyvenv.cfg"))
            )
            found.extend(os.path.join(root, f) for f in sorted(files) if f.endswith(".py"))
    return found


def code_objects(module_code):
    """``module_code`` and every code object nested in its constants."""
    pending = [module_code]
    while pending:
        code = pending.pop()
        yield code
        pending.extend(c for c in code.co_consts if isinstance(c, type(module_code)))


def read_source(path):
    """The bytes of the regular file ``path``. Opened without blocking, so that a FIFO or
    a device named like a source file is refused (OSError) rather than waited on."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    with open(fd, "rb") as source:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError("not a regular file")
        os.set_blocking(fd, True)
        return source.read()


def compile_sources(files, optimize, report):
    """Compiles each file; returns its code objects. Syntax errors are reported with file
    and line, and the file is skipped."""
    codes, failed = [], 0
    for path in files:
        try:
            module = compile(read_source(path), path, "exec", dont_inherit=True, optimize=optimize)
        except (SyntaxError, ValueError) as error:
            line = getattr(error, "lineno", None)
            report(f"{path}:{line or 1}: {type(error).__name__}: {getattr(error, 'msg', error)}")
            failed += 1
            continue
        except OSError as error:
            report(f"{path}: {error.strerror or error}")
            failed += 1
            continue
        codes.extend(code_objects(module))
    return codes, failed


def run_training(command, report):
    """Runs ``command`` (a shell command line) with the JIT on and recording; returns the
    keys of the code objects compiled in it and in its Python child processes, each with
    the profile its interpreter recorded (hex; "" for none; of the last process that
    profiled the code object, when several compiled it)."""
    with tempfile.TemporaryDirectory(prefix="pyjit-train-") as tmp:
        record = os.path.join(tmp, "keys")
        env = dict(os.environ, PYJIT_ENABLE="1", PYJIT_RECORD_OUT=record)
        report(f"training: {command}")
        status = subprocess.run(command, shell=True, env=env).returncode
        if status != 0:
            raise RuntimeError(f"the training command exited with status {status}")
        try:
            with open(record, encoding="ascii") as lines:
                compiled = {}
                for line in lines:
                    key, _, profile = line.strip().partition(" ")
                    if key and (profile or key not in compiled):
                        compiled[key] = profile
                return compiled
        except FileNotFoundError:
            raise RuntimeError(
                "the training command ran no Python process with pyjit "
                "(it must run the Python pyjit is installed in)"
            ) from None


def code_key(code):
    """The cache key of ``code``, or None when it cannot be computed (``_pyjit.precompile``
    reports such a code object with its file and function, and leaves it out)."""
    try:
        return _pyjit.code_key(code)
    except Exception:
        return None


def compiled_in_training(code, compiled):
    """Whether the training run compiled ``code`` (``compiled``: what ``run_training``
    returns); a code object without a key is kept, to be reported."""
    key = code_key(code)
    return key is None or key in compiled


class Progress:
    """A progress bar on a terminal, a few plain lines otherwise."""

    def __init__(self, stream):
        self.stream = stream
        self.tty = stream.isatty()
        self.last_tenth = -1

    def __call__(self, done, total):
        if self.tty:
            width = 30
            filled = width * done // max(total, 1)
            self.stream.write(f"\rcompiling [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            if done == total:
                self.stream.write("\n")
            self.stream.flush()
        elif done * 10 // max(total, 1) > self.last_tenth:
            self.last_tenth = done * 10 // max(total, 1)
            print(f"compiled {done}/{total}", file=self.stream, flush=True)


def precompile_main(argv):
    parser = argparse.ArgumentParser(
        prog="pyjit precompile",
        description="Compile Python sources ahead of time into a signed native-code cache.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="Python files or directories")
    parser.add_argument("--out", default=".pyjit-cache", metavar="DIR", help="cache directory (default .pyjit-cache)")
    parser.add_argument("--key", metavar="KEY_FILE", help="secret key to sign with (default: the per-user key)")
    parser.add_argument("--train", metavar="CMD", help="cache only what the JIT compiles running this command")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N", help="compile threads")
    parser.add_argument(
        "--optimize", type=int, choices=(0, 1, 2), default=sys.flags.optimize,
        help="bytecode optimization level, as python -O/-OO (default: this interpreter's)",
    )
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")

    def report(line):
        print(line, file=sys.stderr, flush=True)

    started = time.monotonic()
    try:
        files = find_sources(args.paths)
        codes, failed = compile_sources(files, args.optimize, report)
        not_run = 0
        profiles = None
        if args.train:
            profiles = run_training(args.train, report)
            kept = [code for code in codes if compiled_in_training(code, profiles)]
            not_run = len(codes) - len(kept)
            codes = kept
        summary = _pyjit.precompile(codes, args.out, args.key, args.jobs, Progress(sys.stderr), profiles)
    except (OSError, RuntimeError, ValueError) as error:
        report(f"pyjit precompile: error: {error}")
        return 1
    for message in summary["errors"]:
        report(f"{message} (left out of the cache)")
    skipped = dict(summary["skipped"])
    if not_run:
        skipped["not compiled in the training run"] = not_run
    if summary["errors"]:
        skipped["errors (see above)"] = len(summary["errors"])
    print(
        f"pyjit precompile: {len(files)} files ({failed} with errors), "
        f"{len(codes) + not_run} functions, {summary['compiled']} compiled, "
        f"{sum(skipped.values())} skipped, {summary['bytes']} bytes, "
        f"{time.monotonic() - started:.1f}s -> {summary['path']}"
    )
    for reason, count in sorted(skipped.items(), key=lambda item: -item[1]):
        print(f"  skipped {count}: {reason}")
    return 1 if failed or summary["errors"] else 0


def cache_main(argv):
    if argv[:1] in (["-h"], ["--help"]):
        print(_pyjit.CACHE_USAGE)
        return 0
    if not argv:
        # A usage error, as python and other commands report one: on stderr, status 2.
        print(_pyjit.CACHE_USAGE, file=sys.stderr)
        return 2
    try:
        if argv[0] == "gc":
            return cache_gc(argv[1:])
        return _pyjit.cache_command(argv)
    except (OSError, ValueError) as error:
        print(f"pyjit cache: error: {error}", file=sys.stderr)
        return 2


def cache_gc(argv):
    parser = argparse.ArgumentParser(
        prog="pyjit cache gc", description="Drop cache entries no longer reachable from a source tree."
    )
    parser.add_argument("cache", metavar="PATH")
    parser.add_argument("sources", nargs="+", metavar="SOURCE")
    parser.add_argument("--key", metavar="KEY_FILE", help="secret key to re-sign with (default: the per-user key)")
    parser.add_argument("--optimize", type=int, choices=(0, 1, 2), default=sys.flags.optimize)
    args = parser.parse_args(argv)
    codes, _ = compile_sources(find_sources(args.sources), args.optimize, lambda line: print(line, file=sys.stderr))
    keys = {code_key(code) for code in codes} - {None}
    return _pyjit.cache_gc(args.cache, sorted(keys), args.key)

