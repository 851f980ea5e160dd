"""Runs many generated programs in one process: ``batch.py RESULTS PROGRAM...``

Starting a process costs more than running a program (with every function
compiled at its first call, pyjit compiles a few hundred functions of the
standard library first), so ``run.py`` runs programs in batches.  Each
program is compiled from its file (so tracebacks name it and show its
lines, as when it runs alone) and executed as ``__main__`` in fresh globals,
with stdout captured.  An exception that escapes it is printed into its
output as CPython prints it at exit, without this runner's frame.

RESULTS gets one JSON line per program, written as soon as it finishes so
that a crash shows which program was running: ``program``, ``output``,
``uncaught`` (whether an exception escaped) and, when pyjit is loaded,
``compiled`` and ``osr_entries`` (what pyjit compiled and entered while the
program ran, for the report; never compared).
"""

import builtins
import contextlib
import gc
import io
import json
import sys
import traceback


def pyjit_counters():
    pyjit = sys.modules.get("pyjit")
    if pyjit is None or not pyjit.is_enabled():
        return None
    stats = pyjit.stats()
    return {"compiled": stats["compiled"], "osr_entries": stats["osr_entries"]}


def run_program(path):
    with open(path, encoding="utf-8") as f:
        code = compile(f.read(), path, "exec")
    namespace = {"__name__": "__main__", "__file__": path, "__builtins__": builtins}
    output = io.StringIO()
    uncaught = False
    with contextlib.redirect_stdout(output):
        try:
            exec(code, namespace)
        except BaseException as exc:  # noqa: B036 -- whatever escapes is the program's result
            uncaught = True
            sys.stdout.flush()
            traceback.print_exception(type(exc), exc, exc.__traceback__.tb_next, file=output)
    return output.getvalue(), uncaught


def main(argv):
    results_path, programs = argv[0], argv[1:]
    with open(results_path, "w", encoding="utf-8") as results:
        for path in programs:
            before = pyjit_counters()
            output, uncaught = run_program(path)
            record = {"program": path, "output": output, "uncaught": uncaught}
            after = pyjit_counters()
            if before is not None:
                record.update({key: after[key] - before[key] for key in after})
            results.write(json.dumps(record) + "\n")
            results.flush()
            # Garbage of one program is collected before the next starts.
            gc.collect()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
