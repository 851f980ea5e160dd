# A function made from module-level code (not CO_OPTIMIZED: its names are
# LOAD_NAME/STORE_NAME) runs with its globals as its locals dict, as
# _PyFunction_Vectorcall passes them; also a coroutine compiled with
# PyCF_ALLOW_TOP_LEVEL_AWAIT (CPython's test_builtin
# test_compile_top_level_await). Called from compiled code, these went
# through pyjit's direct call path, whose frame had no locals dict
# ("SystemError: no locals when loading 'asyncio'").
import ast
import asyncio
from types import FunctionType


def run():
    namespace = {"asyncio": asyncio, "a": 0}
    plain = compile("b = a + 1\nprint('b is', b, sorted(k for k in locals() if len(k) == 1))", "<plain>", "exec")
    FunctionType(plain, namespace)()
    print(namespace["b"])
    sources = ("a = await asyncio.sleep(0, result=1)", "a = [x async for x in arange(2)][1]")
    namespace["arange"] = arange
    for source in sources:
        namespace["a"] = 0
        code = compile(source, "?", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        asyncio.run(FunctionType(code, namespace)())
        print(source, "->", namespace["a"])
    try:
        FunctionType(compile("print(undefined_name)", "<bad>", "exec"), namespace)()
    except NameError as error:
        print("NameError", error)


async def arange(n):
    for i in range(n):
        yield i


run()
