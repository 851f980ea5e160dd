# LOAD_NAME, STORE_NAME, DELETE_NAME, LOAD_GLOBAL, LOAD_CLASSDEREF and
# IMPORT_STAR with namespaces that are not exact dicts, as ceval.c reads
# them: globals of a dict subclass are read as a plain dict by LOAD_NAME
# (no __getitem__ or __missing__) but through __getitem__ by LOAD_GLOBAL;
# locals that are any mapping (exec's locals, a class body's namespace from
# __prepare__) and builtins that are not a dict go through the mapping
# protocol, KeyError meaning "not here" and other errors propagating.
import builtins


class Logged(dict):
    def __getitem__(self, key):
        print("  getitem", key)
        return super().__getitem__(key)

    def __missing__(self, key):
        print("  missing", key)
        raise KeyError(key)


class Failing(dict):
    def __getitem__(self, key):
        if key == "boom":
            raise RuntimeError("lookup of boom failed")
        return super().__getitem__(key)


class Namespace:
    """A mapping that is not a dict at all."""

    def __init__(self, **items):
        self.items = dict(items)

    def __getitem__(self, key):
        print("  ns getitem", key)
        return self.items[key]

    def __setitem__(self, key, value):
        print("  ns setitem", key)
        self.items[key] = value

    def __delitem__(self, key):
        print("  ns delitem", key)
        del self.items[key]


def run(source, globals_, locals_=None):
    code = compile(source, "<namespaces>", "exec")
    try:
        if locals_ is None:
            exec(code, globals_)
        else:
            exec(code, globals_, locals_)
    except Exception as e:
        print("  raised", type(e).__name__, e)


def function_using_global():
    return (x, len)


def main():
    print("LOAD_NAME, globals a dict subclass:")
    run("print('  x =', x)\nprint('  len is builtin', len is builtins.len)\nprint(y)", Logged(x=1, builtins=builtins), {})
    print("LOAD_NAME, locals a mapping:")
    run("print('  v =', v)\nprint('  x =', x)\nw = 5\ndel w\ndel missing_name", {"x": 2}, Namespace(v=3))
    print("LOAD_NAME, lookup error propagates:")
    run("print(boom)", {}, Failing())
    print("LOAD_GLOBAL, globals a dict subclass:")
    run("def f():\n    return x, len\nprint('  f() =', f()[0])\ndef g():\n    return nothere\ng()", Logged(x=4))
    print("LOAD_CLASSDEREF through a __prepare__ namespace:")
    run(
        "class Meta(type):\n"
        "    @classmethod\n"
        "    def __prepare__(mcls, name, bases):\n"
        "        return Namespace()\n"
        "    def __new__(mcls, name, bases, ns):\n"
        "        return super().__new__(mcls, name, bases, dict(ns.items))\n"
        "def outer():\n"
        "    value = 'from cell'\n"
        "    class C(metaclass=Meta):\n"
        "        seen = value\n"
        "    return C.seen\n"
        "print('  C.seen =', outer())\n",
        {"Namespace": Namespace},
    )
    print("IMPORT_STAR into a mapping:")
    run("from keyword import *\nprint('  iskeyword stored', iskeyword('if'))", {}, Namespace())
    print("builtins not a dict:")
    run("print('  x =', x)\nprint(nowhere)", {"__builtins__": Namespace(x=6, print=print)}, {})
    global x
    x = 7
    print("function globals:", function_using_global()[0])


main()
