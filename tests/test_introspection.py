"""Seeing generated code: ``pyjit.ir`` and ``pyjit.dis``.

Functions are compiled in this process (threshold 0, in both code paths).
"""

import platform
import re
import textwrap

import pytest

import pyjit
from pyjit._pyjit import native_code


def add_and_scale(x, y):
    total = x + y
    return total * 3


def not_called(x):
    return x


def generator():
    yield 1


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
    assert "(i64, i64) -> i64" in text
    assert re.search(r"^ *block0\(v\d+: i64, v\d+: i64\):", text, re.M)
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
        list(generator())
    finally:
        pyjit.disable()
        pyjit.config(threshold=settings["threshold"])
    with pytest.raises(ValueError, match="generator is not compiled: generator"):
        pyjit.ir(generator)
    with pytest.raises(ValueError, match="generator is not compiled: generator"):
        pyjit.dis(generator)
