"""Seeing generated code: ``pyjit.ir``, ``pyjit.dis``, ``pyjit.graph``, ``PYJIT_PERF_MAP=1``
and gdb's JIT interface.

Functions are compiled in this process (threshold 0, in both code paths); the perf map
runs in a child process of its own, which also forks, since the map is per process.
"""

import dis
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import textwrap
import time

import pytest

import pyjit
from pyjit._pyjit import native_code


def add_and_scale(x, y):
    total = x + y
    return total * 3


def not_called(x):
    return x


def unusual():
    pass


def jump_back_into_skipped_code():
    """CPython's compiler never jumps backward into code that straight-line
    flow skipped, so pyjit does not compile it, but the interpreter runs it:
    RESUME, JUMP_FORWARD to the JUMP_BACKWARD, which goes back to
    `return None`."""
    op = dis.opmap
    code = bytes([op["RESUME"], 0, op["JUMP_FORWARD"], 2, op["LOAD_CONST"], 0, op["RETURN_VALUE"], 0,
                  op["JUMP_BACKWARD"], 3])
    unusual.__code__ = unusual.__code__.replace(co_code=code, co_consts=(None,))
    return unusual


@pytest.fixture(params=[False, True], ids=["jit", "object"])
def compiled(request):
    """Compiles a function by calling it with the JIT on (threshold 0), through the
    cranelift-jit path or the object-file path."""
    settings = pyjit.config()

    def compile_by_calling(f, *args):
        pyjit.config(threshold=0, via_object=request.param)
        pyjit.enable()
        try:
            f(*args)
        finally:
            pyjit.disable()
            pyjit.config(threshold=settings["threshold"], via_object=settings["via_object"])
        assert pyjit.info(f)["compiled"], pyjit.info(f)
        return f

    return compile_by_calling


def fresh_function(source, name):
    """A new function object and code object (compiled state is per code object)."""
    namespace = {}
    exec(compile(textwrap.dedent(source), "<introspection test>", "exec"), namespace)
    return namespace[name]


ADD_AND_SCALE = """
def add_and_scale(x, y):
    total = x + y
    return total * 3
"""


def test_ir_shows_the_signature_blocks_and_runtime_calls(compiled):
    f = compiled(fresh_function(ADD_AND_SCALE, "add_and_scale"), 2, 3)
    text = pyjit.ir(f)
    assert text.startswith("function "), text[:200]
    # tstate, frame and the code's data block (inline caches).
    assert "(i64, i64, i64) -> i64" in text
    assert re.search(r"^ *block0\(v\d+: i64, v\d+: i64, v\d+: i64\):", text, re.M)
    assert re.search(r"^ *block\d+ cold:", text, re.M)
    # External functions are named by their symbols, and the function calls them.
    binary_op = re.search(r"(fn\d+) = %pyjit_binary_op sig\d+", text)
    assert binary_op, text
    assert re.search(rf"call {binary_op[1]}\(", text)
    # Instructions carry their bytecode offset in code units (STORE_FAST total is at 10).
    assert re.search(r"^@0005 ", text, re.M)
    assert pyjit.ir(f.__code__) == text


def test_dis_annotates_machine_code_with_bytecode_and_lines(compiled):
    f = compiled(fresh_function(ADD_AND_SCALE, "add_and_scale"), 2, 3)
    if platform.machine() not in ("x86_64", "AMD64"):
        with pytest.raises(RuntimeError, match="x86-64 only"):
            pyjit.dis(f)
        return
    text = pyjit.dis(f)
    native = native_code(f)
    assert text.splitlines()[0] == (
        f"; add_and_scale (<introspection test>:2): {native['size']} bytes at {native['address']:#x}")
    # The lines are those of the source above: `def` is line 2.
    for heading in ("; 0 RESUME 0  (line 2)", "; 2 LOAD_FAST x  (line 3)",
                    "; 6 BINARY_OP +  (line 3)", "; 16 BINARY_OP *  (line 4)",
                    "; 20 RETURN_VALUE  (line 4)"):
        assert heading in text.splitlines(), (heading, text)
    assert re.search(r"^  +0  push rbp$", text, re.M), text
    assert re.search(r"^  +[0-9a-f]+  call rax$", text, re.M), text
    # The address of each runtime function called is named.
    assert re.search(r"^  +[0-9a-f]+  mov rax,[0-9A-F]+h  ; pyjit_binary_op$", text, re.M), text
    # The headings follow the code: BINARY_OP + comes after LOAD_FAST y and before
    # the code of STORE_FAST total.
    order = [text.index(h) for h in ("; 4 LOAD_FAST y", "; 6 BINARY_OP +", "; 10 STORE_FAST total")]
    assert order == sorted(order)
    # Offsets cover the live code from 0 to its size.
    offsets = [offset for offset, _, _ in native["instructions"]]
    assert offsets[0] == 0 and offsets == sorted(offsets) and offsets[-1] < native["size"]


LEAF = """
class Box:
    def __init__(self, size):
        self.size = size
        self.hidden = False

def is_big(box, limit):
    return box.size > limit and not box.hidden
"""


def test_a_leaf_functions_frameless_variant_follows_its_code(compiled):
    namespace = {}
    exec(compile(textwrap.dedent(LEAF), "<introspection test>", "exec"), namespace)
    f = compiled(namespace["is_big"], namespace["Box"](5), 3)
    assert "frameless-calls" in pyjit.info(f)["optimizations"]
    ir = pyjit.ir(f)
    framed, variant = ir.split("\n; frameless variant (frameless-calls)\n")
    assert framed.startswith("function ") and variant.startswith("function "), ir
    # The variant calls nothing: whatever would, gives the call back.
    assert " call " in framed and " call " not in variant
    if platform.machine() not in ("x86_64", "AMD64"):
        return
    native = native_code(f)
    frameless = native["frameless"]
    assert frameless["frameless"] is None and frameless["address"] != native["address"]
    lines = pyjit.dis(f).splitlines()
    heading = f"; its frameless variant (frameless-calls): {frameless['size']} bytes at {frameless['address']:#x}"
    after = lines[lines.index(heading):]
    assert "; 4 LOAD_ATTR size  (line 8)" in after and "; 2 LOAD_FAST box  (line 8)" in after
    assert not any(re.search(r"  call ", line) for line in after), after


HANDLER_IN_THE_MIDDLE = """
def guarded(values):
    try:
        total = sum(values)
    except TypeError:
        total = -1
    total = total * 2
    return total
"""


def test_code_reached_only_through_slow_paths_follows_the_hot_code(compiled):
    """Blocks that only slow paths reach (here the except clause, entered from the
    exit of a raising call) are laid out with the slow paths after every block the
    entry reaches directly: the return's code comes before them, and so does at
    least one releasing call's dealloc (a cold block of its own)."""
    f = compiled(fresh_function(HANDLER_IN_THE_MIDDLE, "guarded"), [1, 2])
    assert f([None]) == -2
    if platform.machine() not in ("x86_64", "AMD64"):
        return
    text = pyjit.dis(f)
    handler = text.index("; 36 PUSH_EXC_INFO")
    assert text.index("; 84 RETURN_VALUE") < handler, text
    assert text.index("; _Py_Dealloc") < handler, text


UNPACK_PAIR = """
def difference(pair):
    first, second = pair
    return second - first
"""


def test_generic_paths_of_profiled_fast_paths_follow_the_hot_code(compiled):
    """Where the interpreter specialised an instruction before pyjit compiled it, the
    generic path its fast path's guards go to is laid out after the hot code: here the
    unpacking helper UNPACK_SEQUENCE calls for anything but a tuple or list of two."""
    f = fresh_function(UNPACK_PAIR, "difference")
    for _ in range(20):
        f((1, 3))
    f = compiled(f, (1, 3))
    assert f([5, 2]) == -3
    assert f(iter((4, 10))) == 6
    if platform.machine() not in ("x86_64", "AMD64"):
        return
    text = pyjit.dis(f)
    assert text.index("RETURN_VALUE") < text.index("; pyjit_unpack"), text


CALL_PAIR = """
def add(a, b):
    return a + b

def call_add(a, b):
    return add(a, b) * 2
"""


def test_profiled_python_calls_enter_the_callees_native_code_directly(compiled):
    """A call site the interpreter saw call a Python function enters the callee's native
    code through the runtime's shared frame push (direct-calls; inline-frame-push is for
    inline-construct's __init__ alone), and the callee is entered as often as it is
    called."""
    caller = fresh_function(CALL_PAIR, "call_add")
    callee = caller.__globals__["add"]
    for _ in range(20):
        caller(1, 2)
    compiled(callee, 1, 2)
    caller = compiled(caller, 1, 2)
    applied = pyjit.info(caller)["optimizations"]
    assert "direct-calls" in applied and "inline-frame-push" not in applied
    entries = pyjit.info(callee)["native_entries"]
    pyjit.enable()
    try:
        assert [caller(i, 1) for i in range(5)] == [2, 4, 6, 8, 10]
        assert caller("a", "b") == "abab"
    finally:
        pyjit.disable()
    assert pyjit.info(callee)["native_entries"] == entries + 6
    if platform.machine() not in ("x86_64", "AMD64"):
        return
    assert "; pyjit_call_positional" in pyjit.dis(caller)


def test_calls_from_c_enter_native_code_through_the_functions_vectorcall(compiled):
    """Once a function's code runs natively, calls of it from C (here `sorted`'s key and
    `map`) and from the interpreter enter the native code through the vectorcall pyjit
    gives the function, without the frame-evaluation hook: they count as call entries;
    with pyjit switched off the vectorcall hands every call to CPython's."""
    negate = fresh_function("def negate(x):\n    return -x\n", "negate")
    negate = compiled(negate, 1)
    pyjit.enable()
    try:
        negate(2)
        entries = pyjit.info(negate)["call_entries"]
        assert sorted(range(5), key=negate) == [4, 3, 2, 1, 0]
        assert list(map(negate, [1, 2])) == [-1, -2]
    finally:
        pyjit.disable()
    assert pyjit.info(negate)["call_entries"] == entries + 7
    assert list(map(negate, [3])) == [-3]
    assert pyjit.info(negate)["call_entries"] == entries + 7


def test_not_compiled_functions_raise_with_the_reason():
    with pytest.raises(ValueError, match="not_called is not compiled: never called with pyjit enabled"):
        pyjit.ir(not_called)
    with pytest.raises(ValueError, match="not compiled"):
        pyjit.dis(not_called)
    with pytest.raises(TypeError, match=r"pyjit.ir\(\) takes a function or a code object"):
        pyjit.ir(42)


def test_code_left_to_the_interpreter_raises_with_the_reason():
    settings = pyjit.config()
    pyjit.config(threshold=0)
    pyjit.enable()
    try:
        assert jump_back_into_skipped_code()() is None
    finally:
        pyjit.disable()
        pyjit.config(threshold=settings["threshold"])
    reason = "unusual is not compiled: backward jump into code not reached by forward flow"
    with pytest.raises(ValueError, match=reason):
        pyjit.ir(unusual)
    with pytest.raises(ValueError, match=reason):
        pyjit.dis(unusual)


LOOP_WITH_HANDLER = """
def loop_with_handler(items, limit):
    total = 0
    for x in items:
        if x > limit:
            total += x * 2
        else:
            try:
                total += 10 // x
            except ZeroDivisionError:
                total -= 1
    return total
"""


def graph_parts(text):
    """The DOT text's label, nodes (name -> instruction lines) and edges."""
    assert text.startswith("digraph pyjit {\n") and text.endswith("}\n"), text
    label = re.search(r'^  label="(.*)"; labelloc=t;$', text, re.M).group(1)
    nodes = {name: body.split("\\l")[:-1] for name, body in re.findall(r'^  (b\d+) \[label="\{(.*)\}"\];$', text, re.M)}
    edges = re.findall(r"^  (b\d+) -> (b\d+)(?: \[(.*)\])?;$", text, re.M)
    return label, nodes, edges


def test_graph_shows_blocks_edges_and_the_profile_the_compiler_reads():
    f = fresh_function(LOOP_WITH_HANDLER, "loop_with_handler")
    for _ in range(20):  # warm: the interpreter quickens and specialises it
        assert f([1, 2, 3, 50, 60], 40) == 238
    label, nodes, edges = graph_parts(pyjit.graph(f))
    assert label.startswith("loop_with_handler (<introspection test>:2): interpreted: ")
    lines = [line for body in nodes.values() for line in body]
    # Every instruction once, in its block.
    assert [line.split()[0] for line in lines] == [str(i.offset) for i in dis.get_instructions(f)]
    profiled = dict(re.findall(r"^(\d+) .*  \[(.+)\]$", "\n".join(lines), re.M))
    assert profiled == {str(offset): observed for offset, observed in pyjit._pyjit.profile(f).items()}
    assert {"COMPARE_OP_INT_JUMP", "BINARY_OP_ADD_INT", "BINARY_OP_MULTIPLY_INT", "generic", "not run"} <= set(profiled.values())
    labels = {label for _, _, label in edges}
    assert {'label="taken"', 'label="not taken"', 'label="jump"', 'style=dashed, label="exception"'} <= labels
    assert all(source in nodes and target in nodes for source, target, _ in edges)
    # Compiled now: the graph shows the profile that compile read.
    settings = pyjit.config()
    pyjit.config(threshold=0)
    pyjit.enable()
    try:
        assert f([1, 2, 3, 50, 60], 40) == 238
    finally:
        pyjit.disable()
        pyjit.config(threshold=settings["threshold"])
    label, _, _ = graph_parts(pyjit.graph(f))
    assert label.startswith("loop_with_handler (<introspection test>:2): compiled (jit), optimizations: "), label
    assert pyjit._pyjit.profile(f) == {int(offset): observed for offset, observed in profiled.items()}


def test_graph_of_compiled_code_names_its_optimizations_and_the_empty_profile(compiled):
    f = compiled(fresh_function(ADD_AND_SCALE, "add_and_scale"), 2, 3)
    label, nodes, _ = graph_parts(pyjit.graph(f.__code__))
    assert re.fullmatch(r"add_and_scale \(<introspection test>:2\): compiled \((jit|cache)\), optimizations: .*inline-arithmetic.*", label), label
    # Compiled at its first call: the interpreter never quickened it.
    assert set(pyjit._pyjit.profile(f).values()) == {"nothing"}
    assert len(nodes) == 1
    with pytest.raises(TypeError, match=r"pyjit.graph\(\) takes a function or a code object"):
        pyjit._pyjit.profile(42)


GDB_PROGRAM = """
import os, pyjit
pyjit.config(threshold=0)
pyjit.enable()

def crash_here(n):
    if n == 0:
        os.abort()
    return crash_here(n - 1)

crash_here(2)
"""


def test_gdb_backtraces_name_compiled_functions(tmp_path):
    gdb = shutil.which("gdb")
    if gdb is None:
        pytest.skip("gdb is not installed")
    program = tmp_path / "crash.py"
    program.write_text(GDB_PROGRAM)
    command = [gdb, "-nx", "-q", "-batch", "-ex", "run", "-ex", "bt", "--args", sys.executable, str(program)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYJIT_")}
    output = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env).stdout
    if "SIGABRT" not in output:
        pytest.skip(f"gdb cannot run a program here: {output[-300:]}")
    # The three frames of the recursion, each native code named as in the perf map.
    assert len(re.findall(rf"in pyjit:crash_here \({re.escape(str(program))}:6\) \(\)", output)) == 3, output


PERF_MAP_PROGRAM = """
import json, os, sys
import pyjit
from pyjit._pyjit import native_code

def parent_function(x):
    return x + 1

def child_function(x):
    return x * 2

parent_function(1)
read_end, write_end = os.pipe()
pid = os.fork()
if pid == 0:
    child_function(2)
    entry = native_code(child_function)
    variant = entry["frameless"]
    os.write(write_end, json.dumps([os.getpid(), entry["address"], entry["size"],
                                    variant["address"], variant["size"]]).encode())
    os._exit(0)
os.close(write_end)
child = json.loads(os.read(read_end, 1000))
os.waitpid(pid, 0)
entry = native_code(parent_function)
variant = entry["frameless"]
print(json.dumps({"parent": [os.getpid(), entry["address"], entry["size"], variant["address"], variant["size"]],
                  "child": child}))
"""


def run_perf_map_program(tmp_path, **settings):
    """Runs PERF_MAP_PROGRAM with the JIT on and `settings`; returns its program path and
    report, and the perf map lines of its parent and child process (None: no map written
    while it ran; a map left by an earlier process whose pid was the same, which perf
    tools leave behind in /tmp, does not count)."""
    program = tmp_path / "perf_program.py"
    program.write_text(PERF_MAP_PROGRAM)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYJIT_")}
    env.update(PYJIT_ENABLE="1", PYJIT_THRESHOLD="0", **settings)
    # A second's margin: file times come from a coarser clock than time.time().
    started = time.time() - 1
    proc = subprocess.run([sys.executable, str(program)], env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    maps = {}
    for process, (pid, *_) in report.items():
        path = f"/tmp/perf-{pid}.map"
        if os.path.exists(path) and os.stat(path).st_mtime >= started:
            with open(path, encoding="utf-8") as lines:
                maps[process] = [line.rstrip("\n").split(" ", 2) for line in lines]
            os.unlink(path)
        else:
            maps[process] = None
    return program, report, maps


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_perf_map_names_compiled_code_per_process(tmp_path):
    program, report, maps = run_perf_map_program(tmp_path, PYJIT_PERF_MAP="1")
    for process, qualname, line, other in (("parent", "parent_function", 6, "child_function"),
                                           ("child", "child_function", 9, "parent_function")):
        _, address, size, variant_address, variant_size = report[process]
        names = [name for _, _, name in maps[process]]
        assert all(name.startswith("pyjit:") for name in names)
        # The functions are leaves: their frameless variants are named apart.
        for name, code_address, code_size in ((f"pyjit:{qualname} ({program}:{line})", address, size),
                                              (f"pyjit:{qualname} ({program}:{line}) [frameless]",
                                               variant_address, variant_size)):
            [(start, length)] = [(int(start, 16), int(length, 16)) for start, length, listed in maps[process]
                                 if listed == name]
            assert start == code_address and length == code_size
        assert not any(name.startswith(f"pyjit:{other} ({program}:") for name in names)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_perf_map_is_off_by_default(tmp_path):
    _, _, maps = run_perf_map_program(tmp_path)
    assert maps == {"parent": None, "child": None}


CACHED_PROGRAM = """
import json, os
import pyjit
from pyjit._pyjit import native_code
from cached import triple

triple(2)
native = native_code(triple)
with open("/proc/self/maps") as maps:
    mapping = [line.split(maxsplit=5)[5:] for line in maps
               if int(line.split("-")[0], 16) <= native["address"] < int(line.split()[0].split("-")[1], 16)]
print(json.dumps({"pid": os.getpid(), "source": pyjit.info(triple)["source"], "mapping": mapping,
                  "address": native["address"], "size": native["size"],
                  "dis": pyjit.dis(triple), "ir": pyjit.ir(triple)}))
"""


def test_cache_loaded_code_is_listed_and_mapped(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "cached.py").write_text("def triple(x):\n    return x * 3\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYJIT_")}

    def run(*args, **settings):
        proc = subprocess.run([sys.executable, *map(str, args)], cwd=source, capture_output=True, text=True,
                              env=dict(env, **settings), timeout=300)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout

    run("-m", "pyjit", "cache", "keygen", tmp_path / "ci.key")
    run("-m", "pyjit", "precompile", source, "--out", tmp_path / "cache", "--key", tmp_path / "ci.key")
    report = json.loads(run("-c", CACHED_PROGRAM, PYJIT_ENABLE="1", PYJIT_THRESHOLD="1000000",
                            PYJIT_CACHE=str(tmp_path / "cache"), PYJIT_TRUSTED_KEYS=f"{tmp_path / 'ci.key.pub'}",
                            PYJIT_PERF_MAP="1"))
    path = f"/tmp/perf-{report['pid']}.map"
    with open(path, encoding="utf-8") as lines:
        entries = [line.rstrip("\n").split(" ", 2) for line in lines]
    os.unlink(path)
    assert report["source"] == "cache"
    [(start, length)] = [(int(start, 16), int(length, 16)) for start, length, name in entries
                         if name == f"pyjit:triple ({source / 'cached.py'}:1)"]
    assert start == report["address"] and length == report["size"]
    assert "; 6 BINARY_OP *  (line 2)" in report["dis"].splitlines()
    assert "%pyjit_binary_op" in report["ir"]
    # perf reads the map only for anonymous memory: with it on, code is mapped anonymously;
    # otherwise functions share chunks of a memory file.
    assert report["mapping"] == [[]]
    report = json.loads(run("-c", CACHED_PROGRAM, PYJIT_ENABLE="1", PYJIT_THRESHOLD="1000000",
                            PYJIT_CACHE=str(tmp_path / "cache"), PYJIT_TRUSTED_KEYS=f"{tmp_path / 'ci.key.pub'}"))
    assert report["source"] == "cache"
    assert report["mapping"] == [["/memfd:pyjit-code (deleted)\n"]]
