"""Seeing generated code: ``pyjit.ir``.

Functions are compiled in this process (threshold 0, in both code paths).
"""

import re
import textwrap

import pytest

import pyjit


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


def test_not_compiled_functions_raise_with_the_reason():
    with pytest.raises(ValueError, match="not_called is not compiled: never called with pyjit enabled"):
        pyjit.ir(not_called)
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
