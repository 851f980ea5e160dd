#!/usr/bin/env python3
"""Do pyperformance's benchmarks compute the same results under pyjit?

For each benchmark this runs its workload once, in a child process, under
plain CPython and under pyjit with every function compiled at its first call
(``PYJIT_ENABLE=1 PYJIT_THRESHOLD=0``, and ``PYJIT_VIA_OBJECT=1`` with
``--via-object``), and compares what the two runs observed.  Usage:

    python benchmarks/check_results.py [--quick] [--via-object | --cache DIR] [--python PY] [NAME ...]

``--python`` is the interpreter under test (default: the one running this
script); it needs pyperformance (for the benchmark files), and pyjit for
the pyjit runs.
Exit status 1 if any benchmark differs, fails, or was not compiled.

How a benchmark runs (``--child``): its ``run_benchmark.py`` is executed as
a module (not as ``__main__``), so its definitions run; the checker then
installs its observers; then the file's own ``if __name__ == "__main__":``
block runs, with a stand-in ``pyperf`` module whose ``Runner`` calls each
benchmark function once (``loops=1``) with the arguments the block passes,
parsing the command line given in ``BENCHMARKS`` (smaller sizes where the
benchmark has parameters).  So the workload is the benchmark's own code.

What is compared (every observation is a canonical text: containers and
object attributes walked structurally, addresses removed, large data hashed):

* ``bench_func`` return values, and every argument after the call (state the
  workload mutated, e.g. logging's stream);
* the caller's local variables at every ``pyperf.perf_counter()`` call (the
  timed loops end with one, so e.g. spectral_norm's vectors, hexiom's
  solution, raytrace's canvas, pyflate's decompressed bytes and
  unpack_sequence's unpacked names are seen); the fake clock counts calls,
  so the timings themselves are deterministic and compared too;
* the module's data globals at the end (nbody's bodies, richards' task
  area, deltablue's planner, go's counters) and ``random``'s state;
* per-benchmark observers listed in ``BENCHMARKS`` (results of
  ``json.dumps``, of ``copy.deepcopy`` and of every regex call, written
  image files, ...);
* stdout, stderr and the exit status of the child.

The pyjit run must also show ``stats()["compiled"] > 0`` and ``failed == 0``,
and every code object of the benchmark's file that ran (module body, class
bodies, functions, lambdas, comprehensions) must report ``compiled`` in
``pyjit.info()``.

``--cache DIR``: the pyjit runs load their code from an ahead-of-time cache
instead.  After the plain CPython runs, the checker makes a key unless
``DIR/key`` exists (``pyjit cache keygen DIR/key``) and runs ``pyjit precompile`` on every
Python file the plain runs imported (the benchmark files, this checker and
the standard library modules they use), with a training run of this
checker's own child for every selected benchmark, into ``DIR/cache``.  The
pyjit runs then add ``PYJIT_CACHE=DIR/cache``, ``PYJIT_TRUSTED_KEYS=DIR/key.pub``
and ``PYJIT_CACHE_STRICT=1``, and must show ``cache_hits > 0`` and every
code object of the benchmark's file that ran and has a cache entry reporting
``source == "cache"`` (the training run, at threshold 16, caches what the JIT
compiled in it; the body of the ``__main__`` block, which the checker compiles
on its own, has none).  Run-time compiles (``stats()["compiled"]``) are
reported: code the training run did not compile, and code no precompiled file
holds (pyjit's own start-up, frozen modules, code made by ``exec`` such as
dataclasses' ``__init__``); the live functions among them are listed at the end.
"""

import argparse
import ast
import hashlib
import io
import json
import os
import re
import sys

SCRIPT = os.path.abspath(__file__)

# argv: the benchmark's own command line (smaller sizes than its defaults);
# relative paths are in the child's fresh working directory.
# observers: names of functions in this file that install extra observers.
# self_check: what the benchmark verifies itself (raising or printing).
BENCHMARKS = {
    "nbody": dict(argv=["--iterations", "2000"], observers=["observe_nbody_energy"]),
    "float": dict(),
    "spectral_norm": dict(),
    "fannkuch": dict(),
    "richards": dict(self_check="run() returns False on wrong hold/qpkt counts"),
    "chaos": dict(argv=["--width", "128", "--height", "128", "--iterations", "3000",
                        "--filename", "chaos.ppm"],
                  observers=["observe_written_files"]),
    "raytrace": dict(argv=["--width", "40", "--height", "40",
                           "--filename", "raytrace.ppm"],
                     observers=["observe_written_files"]),
    "nqueens": dict(observers=["observe_nqueens_solutions"]),
    "go": dict(),
    "deltablue": dict(self_check="prints 'Chain test failed' / 'Projection N failed'"),
    "hexiom": dict(argv=["--level", "10"],
                   self_check="raises AssertionError on a wrong solution"),
    "json_dumps": dict(observers=["observe_json_dumps"]),
    "unpack_sequence": dict(),
    "generators": dict(observers=["observe_generators_traversal"],
                       self_check="asserts list(tree(range(10))) == list(range(10))"),
    "deepcopy": dict(observers=["observe_deepcopy"]),
    "pyflate": dict(self_check="raises on a wrong MD5 of the decompressed data"),
    "regex_v8": dict(observers=["observe_regex_calls"]),
    "logging": dict(self_check="raises on a wrong number of logged lines"),
}

# The --quick subset: all but generators, whose observation walks a
# 100,000-node tree twice (15 s of the 60 s a full run takes).
QUICK = [name for name in BENCHMARKS if name != "generators"]



# --------------------------------------------------------------------------
# canonical text of a value (child side)

ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
ATOMS = {type(None), bool, int, float, complex}
HASH_OVER = 256


class Fragment(str):
    """Literal text in the canonical walk (as opposed to a str value)."""


def _digest(data):
    return hashlib.sha256(data).hexdigest()[:16]


_SLOTS = {}


def _slots(value):
    """Names of the slot attributes `value` has (cached per type)."""
    klass = type(value)
    names = _SLOTS.get(klass)
    if names is None:
        names = []
        for base in klass.__mro__:
            slots = base.__dict__.get("__slots__", ())
            names.extend([slots] if isinstance(slots, str) else slots)
        names = _SLOTS[klass] = [n for n in names if n not in ("__dict__", "__weakref__")]
    return [n for n in names if hasattr(value, n)] if names else names


def canonical(root):
    """A deterministic text for `root`: the same value under CPython and
    pyjit gives the same text.  Iterative, so deep object graphs (linked
    tasks, constraint graphs) do not hit the recursion limit; a container or
    object met again is written as a back-reference."""
    import array
    import random
    import types

    named = (types.FunctionType, types.BuiltinFunctionType, type)
    out = []
    seen = {}
    alive = []
    stack = [root]
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is Fragment:
            out.append(value)
            continue
        if kind in ATOMS:
            out.append(repr(value))
            continue
        if kind in (str, bytes, bytearray):
            raw = value.encode("utf-8", "surrogatepass") if kind is str else bytes(value)
            if len(raw) > HASH_OVER:
                out.append("%s[%d]:%s" % (kind.__name__, len(value), _digest(raw)))
            else:
                out.append(repr(value))
            continue
        if isinstance(value, named):
            out.append("<%s %s>" % (kind.__name__, value.__qualname__))
            continue
        if kind is types.MethodType:
            out.append("<method %s>" % value.__func__.__qualname__)
            continue
        if kind is types.ModuleType:
            out.append("<module %s>" % value.__name__)
            continue
        if id(value) in seen:
            out.append("@%d" % seen[id(value)])
            continue
        seen[id(value)] = len(seen)
        # Keep the value alive so its id is not reused during the walk.
        alive.append(value)
        children = None
        if kind is list or kind is tuple:
            children = [Fragment(kind.__name__ + "[")]
            for item in value:
                children += [item, Fragment(",")]
            children.append(Fragment("]"))
        elif kind is dict:
            children = [Fragment("dict{")]
            for key, item in value.items():
                children += [key, Fragment(":"), item, Fragment(",")]
            children.append(Fragment("}"))
        elif isinstance(value, (set, frozenset)):
            items = sorted(canonical(item) for item in value)
            out.append("%s{%s}" % (kind.__name__, ",".join(items)))
        elif isinstance(value, array.array):
            out.append("array(%s)[%d]:%s" % (value.typecode, len(value), _digest(value.tobytes())))
        elif isinstance(value, (io.StringIO, io.BytesIO)):
            children = [Fragment(kind.__name__ + "("), value.getvalue(), Fragment(")")]
        elif isinstance(value, re.Pattern):
            out.append("re.compile(%r, %d)" % (value.pattern, value.flags))
        elif isinstance(value, re.Match):
            children = [Fragment("Match("), value.span(), value.groups(), Fragment(")")]
        elif isinstance(value, random.Random):
            children = [Fragment("Random("), value.getstate(), Fragment(")")]
        else:
            attrs = getattr(value, "__dict__", None)
            slots = _slots(value)
            if attrs is None and not slots:
                out.append(ADDRESS.sub(" at 0x?", repr(value)))
            else:
                attrs = dict(attrs or {})
                attrs.update((name, getattr(value, name)) for name in slots)
                children = [Fragment("%s(" % kind.__qualname__), attrs, Fragment(")")]
        if children:
            stack.extend(reversed(children))
    return "".join(out)


class Observations:
    """Named streams of canonical texts, each kept as a count, a running
    hash and a preview of its first text."""

    def __init__(self):
        self.streams = {}

    def add(self, label, value):
        text = canonical(value)
        stream = self.streams.get(label)
        if stream is None:
            stream = self.streams[label] = {"count": 0, "hash": hashlib.sha256(),
                                            "preview": text[:160]}
        stream["count"] += 1
        stream["hash"].update(text.encode("utf-8", "surrogatepass") + b"\0")

    def as_json(self):
        return [{"label": label, "count": s["count"], "digest": s["hash"].hexdigest()[:16],
                 "preview": s["preview"]} for label, s in self.streams.items()]


OBSERVED = Observations()


# --------------------------------------------------------------------------
# the stand-in for pyperf (child side)

class OneShotRunner:
    """Replaces pyperf.Runner: each benchmark function runs once, and its
    result and arguments are observed."""

    argv = []

    def __init__(self, *args, **kwargs):
        self.metadata = {}
        self.argparser = argparse.ArgumentParser(prog="run_benchmark.py")

    def parse_args(self, args=None):
        self.args = self.argparser.parse_args(self.argv)
        return self.args

    def bench_func(self, name, func, *args, inner_loops=None, metadata=None):
        OBSERVED.add("%s: return value" % name, func(*args))
        OBSERVED.add("%s: arguments after the call" % name, args)

    def bench_time_func(self, name, func, *args, inner_loops=None, metadata=None):
        OBSERVED.add("%s: return value" % name, func(1, *args))
        OBSERVED.add("%s: arguments after the call" % name, args)


class CountingClock:
    """Replaces pyperf.perf_counter: returns the number of calls so far
    (deterministic timings) and observes the caller's local variables."""

    def __init__(self):
        self.calls = 0

    def __call__(self):
        caller = sys._getframe(1)
        OBSERVED.add("locals of %s at perf_counter()" % caller.f_code.co_name,
                     dict(caller.f_locals))
        self.calls += 1
        return float(self.calls)


class RecordingProxy:
    """Stands for `target` (a module or an object): the calls named in
    `methods` are forwarded and their results observed; everything else is
    the target's."""

    def __init__(self, label, target, methods):
        self._label = label
        self._target = target
        for name in methods:
            setattr(self, name, self._recording(name))

    def _recording(self, name):
        method = getattr(self._target, name)
        label = "%s.%s()" % (self._label, name)

        def call(*args, **kwargs):
            result = method(*args, **kwargs)
            OBSERVED.add(label, result)
            return result
        return call

    def __getattr__(self, name):
        return getattr(self._target, name)


# --------------------------------------------------------------------------
# per-benchmark observers: called with the module after its definitions ran
# and before its __main__ block; may return a function to call at the end.

def observe_nbody_energy(module):
    return lambda: OBSERVED.add("report_energy() at the end", module.report_energy())


def observe_written_files(module):
    workdir = os.getcwd()

    def written():
        for name in sorted(os.listdir(workdir)):
            with open(os.path.join(workdir, name), "rb") as f:
                OBSERVED.add("file %s" % name, f.read())
    return written


def observe_nqueens_solutions(module):
    # bench_n_queens discards the solutions; enumerate them once more.
    return lambda: OBSERVED.add("list(n_queens(8))", list(module.n_queens(8)))


def observe_json_dumps(module):
    module.json = RecordingProxy("json", module.json, ["dumps"])


def observe_generators_traversal(module):
    return lambda: OBSERVED.add("list(tree(range(1000)))", list(module.tree(range(1000))))


def observe_deepcopy(module):
    module.copy = RecordingProxy("copy", module.copy, ["deepcopy"])


def observe_regex_calls(module):
    module.re = RecordingProxy("re", module.re, ["search", "match", "sub", "split"])
    module.regexs = [RecordingProxy("regexs[%d]" % i, pattern, ["search", "sub", "split"])
                     for i, pattern in enumerate(module.regexs)]


# --------------------------------------------------------------------------
# child

def benchmark_file(name):
    # find_spec locates pyperformance without importing it (400 functions
    # the pyjit run would compile for nothing).
    import importlib.util
    package = importlib.util.find_spec("pyperformance").submodule_search_locations[0]
    return os.path.join(package, "data-files", "benchmarks", "bm_" + name, "run_benchmark.py")


def split_main_block(tree):
    """The body of the module's `if __name__ == "__main__":` block."""
    for node in tree.body:
        if (isinstance(node, ast.If) and isinstance(node.test, ast.Compare)
                and isinstance(node.test.left, ast.Name) and node.test.left.id == "__name__"
                and isinstance(node.test.comparators[0], ast.Constant)
                and node.test.comparators[0].value == "__main__"):
            return ast.Module(body=node.body, type_ignores=[])
    raise ValueError("no `if __name__ == '__main__':` block")


def imported_files():
    """The Python source files of the modules imported so far (what
    ``--cache`` precompiles)."""
    files = set()
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path and path.endswith(".py") and os.path.isfile(path):
            files.add(os.path.abspath(path))
    return sorted(files)


def code_objects(code):
    yield code
    for const in code.co_consts:
        if isinstance(const, type(code)):
            yield from code_objects(const)


def runs_once(code):
    """Whether `pyjit precompile` leaves `code` out: a module or class body
    without a loop (it runs once per import)."""
    import dis
    import inspect

    return not code.co_flags & inspect.CO_OPTIMIZED and not any(
        "JUMP_BACKWARD" in ins.opname for ins in dis.get_instructions(code))


# The file listing the keys the code cache holds, one per line, in --cache runs.
CACHED_KEYS_VARIABLE = "CHECK_RESULTS_CACHED_KEYS"


def compile_audit(codes, cache_exempt):
    """How pyjit ran each code object of the benchmark file that ran, and
    which compiled ones did not come from the code cache although it has an
    entry for them (`cache_exempt` and the bodies precompile leaves out are
    not counted there; code the training run did not compile has no entry,
    and is compiled at run time as without a cache)."""
    import pyjit
    from pyjit import _pyjit

    cached_keys = set()
    if os.environ.get(CACHED_KEYS_VARIABLE):
        with open(os.environ[CACHED_KEYS_VARIABLE], encoding="ascii") as lines:
            cached_keys = {line.strip() for line in lines}

    audit = {"ran": 0, "compiled": 0, "from_cache": 0, "not_compiled": [],
             "not_from_cache": []}
    for code in codes:
        info = pyjit.info(code)
        if not info["runs"]:
            continue
        audit["ran"] += 1
        where = "%s (line %d)" % (code.co_qualname, code.co_firstlineno)
        if info["compiled"]:
            audit["compiled"] += 1
            if info["source"] == "cache":
                audit["from_cache"] += 1
            elif code is not cache_exempt and not runs_once(code) and _pyjit.code_key(code) in cached_keys:
                audit["not_from_cache"].append("%s: source %s" % (where, info["source"]))
        else:
            audit["not_compiled"].append("%s: %s" % (where, info["reason"]))
    return audit


def compiled_at_run_time():
    """`file:line qualname` of the live functions' code objects (nested ones
    included) that were compiled in this process rather than loaded from the
    code cache."""
    import gc
    import types

    import pyjit

    found = set()
    seen = set()
    for obj in gc.get_objects():
        if not isinstance(obj, types.FunctionType):
            continue
        for code in code_objects(obj.__code__):
            if id(code) in seen:
                continue
            seen.add(id(code))
            if pyjit.info(code)["source"] == "jit":
                found.add("%s:%d %s" % (code.co_filename, code.co_firstlineno, code.co_qualname))
    return sorted(found)


def run_child(name, out_path):
    import random
    import types

    spec = BENCHMARKS[name]
    random.seed(0)
    OneShotRunner.argv = spec.get("argv", [])
    # The benchmarks use only these two names of pyperf; a stand-in module
    # also spares the pyjit run from compiling pyperf's 900 functions.
    pyperf = types.ModuleType("pyperf")
    pyperf.Runner = OneShotRunner
    pyperf.perf_counter = CountingClock()
    sys.modules["pyperf"] = pyperf

    path = benchmark_file(name)
    with open(path, "rb") as f:
        source = f.read()
    # The whole file, compiled as `pyjit precompile` and an import compile it
    # (so its code objects have cache entries); run under the module's own
    # name, its `__main__` block is skipped.
    module_code = compile(source, path, "exec", dont_inherit=True)
    main_code = compile(split_main_block(ast.parse(source, path)), path, "exec", dont_inherit=True)
    module = types.ModuleType("bm_" + name)
    module.__file__ = path
    sys.modules[module.__name__] = module
    exec(module_code, module.__dict__)
    finishers = [globals()[observer](module) for observer in spec.get("observers", [])]
    exec(main_code, module.__dict__)
    for finish in finishers:
        if finish:
            finish()
    data_globals = {k: v for k, v in vars(module).items()
                    if not k.startswith("__") and not isinstance(
                        v, (types.ModuleType, types.FunctionType, type, RecordingProxy))}
    OBSERVED.add("module data globals at the end", data_globals)
    OBSERVED.add("random.getstate() at the end", random.getstate())

    result = {"observations": OBSERVED.as_json(), "module_files": imported_files()}
    if "pyjit" in sys.modules:
        import pyjit
        result["stats"] = pyjit.stats()
        # The main block's own body is left out of the cache audit: it is
        # compiled here from part of the file, so no cache entry matches it.
        codes = list(code_objects(module_code)) + list(code_objects(main_code))
        result["audit"] = compile_audit(codes, cache_exempt=main_code)
        # Also in runs without a cache, so that --cache's training run caches it.
        result["compiled_at_run_time"] = compiled_at_run_time()
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(result, f)


# --------------------------------------------------------------------------
# parent

class Run:
    def __init__(self, returncode, stdout, stderr, result, seconds):
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.result = result
        self.seconds = seconds


CHILD_ENV = dict(PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1", PYTHONIOENCODING="utf-8")


def run_benchmark(python, name, pyjit_env, timeout):
    # Imported here, not at the top: the child does not need them, and the
    # pyjit child would compile their hundreds of functions.
    import shutil
    import subprocess
    import tempfile
    import time

    env = {k: v for k, v in os.environ.items() if not k.startswith("PYJIT_")}
    env.update(CHILD_ENV)
    if pyjit_env is not None:
        env.update(pyjit_env)
    workdir = tempfile.mkdtemp(prefix="pyjit-check-%s-" % name)
    out_path = workdir + ".json"
    started = time.monotonic()
    try:
        proc = subprocess.run([python, SCRIPT, "--child", name, "--out", out_path],
                              cwd=workdir, env=env, capture_output=True, timeout=timeout)
        returncode, stdout, stderr = proc.returncode, proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as e:
        returncode, stdout, stderr = "timeout", e.stdout or b"", e.stderr or b""
    seconds = time.monotonic() - started
    result = None
    if os.path.exists(out_path):
        with open(out_path, encoding="utf-8") as f:
            result = json.load(f)
        os.remove(out_path)
    shutil.rmtree(workdir, ignore_errors=True)
    return Run(returncode, stdout, stderr, result, seconds)


def _tail(data, lines=25):
    return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])


def build_cache(python, names, files, cache_dir, pyjit_env):
    """`pyjit precompile` of `files` into `cache_dir`/cache, signed with
    `cache_dir`/key (made if missing), trained on the children of `names` run with
    `pyjit_env` (at threshold 16); returns the environment that loads that cache in
    strict mode, and precompile's summary."""
    import shlex
    import subprocess
    import tempfile

    os.makedirs(cache_dir, exist_ok=True)
    key = os.path.join(cache_dir, "key")
    cache = os.path.join(cache_dir, "cache")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYJIT_")}
    if not os.path.exists(key):
        subprocess.run([python, "-m", "pyjit", "cache", "keygen", key], env=env, check=True,
                       stdout=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory(prefix="pyjit-check-train-") as workdir:
        # Trained with a threshold past the interpreter's warm-up (8 calls), so that
        # what the benchmark calls often is profiled and cached profile-guided, and the
        # strict run below checks that code too.
        training_env = {**CHILD_ENV, **pyjit_env, "PYJIT_THRESHOLD": "16"}
        settings = " ".join("%s=%s" % kv for kv in sorted(training_env.items()))
        train = " && ".join(
            "mkdir %s && (cd %s && env %s %s %s --child %s --out %s)" % (
                shlex.quote(name), shlex.quote(name), settings, shlex.quote(python),
                shlex.quote(SCRIPT), name, shlex.quote(os.path.join(workdir, name + ".json")))
            for name in names)
        proc = subprocess.run([python, "-m", "pyjit", "precompile", *files, "--out", cache,
                               "--key", key, "--train", train],
                              cwd=workdir, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit("pyjit precompile failed (exit %d):\n%s%s"
                         % (proc.returncode, proc.stdout, proc.stderr[-3000:]))
    listing = subprocess.run([python, "-m", "pyjit", "cache", "ls", cache], env=env, capture_output=True,
                             text=True, check=True).stdout.splitlines()
    keys = os.path.join(cache_dir, "keys.txt")
    with open(keys, "w", encoding="ascii") as out:
        out.write("".join(line.split()[0] + "\n" for line in listing))
    loading = dict(PYJIT_CACHE=cache, PYJIT_TRUSTED_KEYS=key + ".pub", PYJIT_CACHE_STRICT="1",
                   **{CACHED_KEYS_VARIABLE: keys})
    profiled = sum(line.endswith("  profiled") for line in listing)
    return loading, "%s (%d of %d entries profile-guided)" % (proc.stdout.splitlines()[0], profiled, len(listing))


def compare(plain, jit, cached=False):
    """Problems found (empty when pyjit matches CPython and compiled the
    benchmark, from the code cache when `cached`)."""
    problems = []
    if plain.returncode != 0 or plain.result is None:
        return ["the plain CPython run failed (exit %s):\n%s" % (plain.returncode, _tail(plain.stderr))]
    if "stats" in plain.result:
        return ["pyjit was loaded in the plain CPython run"]
    if jit.returncode != plain.returncode:
        problems.append("exit status: cpython %s, pyjit %s\n%s"
                        % (plain.returncode, jit.returncode, _tail(jit.stderr)))
    for stream in ("stdout", "stderr"):
        if getattr(plain, stream) != getattr(jit, stream):
            problems.append("%s differs:\n--- cpython\n%s\n--- pyjit\n%s"
                            % (stream, _tail(getattr(plain, stream)), _tail(getattr(jit, stream))))
    if jit.result is None:
        return problems or ["the pyjit run wrote no result"]
    expected = {o["label"]: o for o in plain.result["observations"]}
    actual = {o["label"]: o for o in jit.result["observations"]}
    for label in list(expected) + [l for l in actual if l not in expected]:
        a, b = expected.get(label), actual.get(label)
        if a is None or b is None:
            problems.append("observation %r only under %s" % (label, "pyjit" if a is None else "cpython"))
        elif (a["count"], a["digest"]) != (b["count"], b["digest"]):
            problems.append("%s differs: cpython %d x %s %s | pyjit %d x %s %s"
                            % (label, a["count"], a["digest"], a["preview"][:80],
                               b["count"], b["digest"], b["preview"][:80]))
    stats = jit.result.get("stats")
    audit = jit.result.get("audit")
    if stats is None:
        problems.append("pyjit was not loaded in the pyjit run")
    else:
        if cached:
            if stats["cache_hits"] < 1:
                problems.append("nothing was loaded from the cache")
            if audit["not_from_cache"]:
                problems.append("benchmark code compiled at run time, not loaded from the cache:\n  "
                                + "\n  ".join(audit["not_from_cache"]))
        elif stats["compiled"] < 1:
            problems.append("nothing was compiled")
        if stats["failed"]:
            problems.append("%d compile(s) failed" % stats["failed"])
        if audit["not_compiled"]:
            problems.append("benchmark code that ran in the interpreter:\n  "
                            + "\n  ".join(audit["not_compiled"]))
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="benchmarks (default: all)")
    parser.add_argument("--quick", action="store_true", help="only the quick subset: " + ", ".join(QUICK))
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--via-object", action="store_true", help="pyjit runs with PYJIT_VIA_OBJECT=1")
    mode.add_argument("--cache", metavar="DIR",
                      help="precompile into DIR (with a training run) and run pyjit from that cache, strict")
    parser.add_argument("--python", default=sys.executable, help="interpreter under test")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per child run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.out)
        return 0

    names = args.names or (QUICK if args.quick else list(BENCHMARKS))
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error("unknown benchmark(s): %s" % ", ".join(unknown))
    pyjit_env = {"PYJIT_ENABLE": "1", "PYJIT_THRESHOLD": "0"}
    if args.via_object:
        pyjit_env["PYJIT_VIA_OBJECT"] = "1"

    plain_runs = {name: run_benchmark(args.python, name, None, args.timeout) for name in names}
    if args.cache:
        files = sorted({path for run in plain_runs.values()
                        for path in (run.result or {}).get("module_files", [])})
        loading, summary = build_cache(args.python, names, files, args.cache, pyjit_env)
        print(summary)
        pyjit_env.update(loading)

    print("python: %s   pyjit: %s" % (args.python, " ".join("%s=%s" % kv for kv in pyjit_env.items())))
    if args.cache:
        header = ("benchmark", "result", "observations", "code objects run/from cache", "cache hits",
                  "run-time compiles", "failed", "cpython s", "pyjit s", "the benchmark's own check")
    else:
        header = ("benchmark", "result", "observations", "code objects run/compiled", "compiled",
                  "failed", "cpython s", "pyjit s", "the benchmark's own check")
    rows = []
    failures = {}
    jit_runs = {}
    for name in names:
        plain = plain_runs[name]
        jit = jit_runs[name] = run_benchmark(args.python, name, pyjit_env, args.timeout)
        problems = compare(plain, jit, cached=bool(args.cache))
        stats = (jit.result or {}).get("stats") or {}
        audit = (jit.result or {}).get("audit") or {}
        code_objects_cell = "%s/%s" % (audit.get("ran", "-"),
                                       audit.get("from_cache" if args.cache else "compiled", "-"))
        counters = ("cache_hits", "compiled", "failed") if args.cache else ("compiled", "failed")
        rows.append((name, "DIFFERENT" if problems else "same",
                     str(len((plain.result or {}).get("observations", []))), code_objects_cell,
                     *(str(stats.get(counter, "-")) for counter in counters),
                     "%.1f" % plain.seconds, "%.1f" % jit.seconds,
                     BENCHMARKS[name].get("self_check", "none")))
        print("  ".join(rows[-1]), flush=True)
        if problems:
            failures[name] = problems
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    print()
    for row in [header] + rows:
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths)) + " |")
    if args.cache:
        print("\nCode compiled at run time (live functions not loaded from the cache):")
        for name, run in jit_runs.items():
            compiled = (run.result or {}).get("compiled_at_run_time", [])
            print("  %s: %s" % (name, "; ".join(compiled) or "none"))
    for name, problems in failures.items():
        print("\n== %s differs under pyjit:\n- %s" % (name, "\n- ".join(problems)))
    print("\n%d of %d benchmarks give the same results under pyjit" % (len(names) - len(failures), len(names)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
