# Function objects: MAKE_FUNCTION with defaults / kw-defaults / annotations /
# closures, functions defined in loops, mutating __defaults__ and
# __kwdefaults__ after the function has been compiled, replacing __code__
# at run time (callers must run the new code), function attributes,
# __globals__ of functions created with types.FunctionType over another
# namespace, __name__/__qualname__ renaming (visible in tracebacks and
# error messages), recursion through a rebound name, and annotations.
import types


def greet(name, greeting="hello", *, punct="!"):
    return "%s, %s%s" % (greeting, name, punct)


def annotated(a: int, b: "str" = "x", *args: float, c: list = None, **kw: dict) -> tuple:
    x: int = 5  # local annotation: no runtime effect
    return a, b, args, c, kw, x


def make_multipliers():
    fns = []
    for k in range(1, 4):
        def mul(x, k=k):
            return x * k
        fns.append(mul)
    return fns


def original(x):
    return "original(%r)" % (x,)


def replacement(x):
    return "replacement(%r)" % (x,)


def call_it(fn, arg):
    return fn(arg)


def defaults_mutation():
    out = [greet("ann")]
    greet.__defaults__ = ("hi",)
    out.append(greet("bob"))
    greet.__kwdefaults__ = {"punct": "?"}
    out.append(greet("cid"))
    greet.__defaults__ = None
    try:
        greet("dan")
    except TypeError as e:
        out.append("TypeError: %s" % e)
    greet.__kwdefaults__ = None
    try:
        greet("eve", "yo")
    except TypeError as e:
        out.append("TypeError: %s" % e)
    greet.__defaults__ = ("hello",)
    greet.__kwdefaults__ = {"punct": "!"}
    out.append(greet("fay"))
    return out


def code_swap():
    out = [call_it(original, 1), original(2)]
    saved = original.__code__
    original.__code__ = replacement.__code__
    out += [call_it(original, 3), original(4)]
    original.__code__ = saved
    out += [call_it(original, 5)]
    try:
        original.__code__ = (lambda a, b: a).__code__
        original(6)
    except TypeError as e:
        out.append("TypeError: %s" % e)
    finally:
        original.__code__ = saved
    return out


def attributes():
    def f():
        return f.counter

    f.counter = 10
    f.__doc__ = "assigned doc"
    out = [f(), f.__doc__, f.__name__, f.__qualname__, f.__module__, sorted(f.__dict__)]
    f.counter += 1
    out.append(f())
    f.__name__ = "renamed"
    f.__qualname__ = "Outer.renamed"
    out += [f.__name__, repr(f).split(" at ")[0]]
    return out


def other_globals():
    ns = {"value": "from other namespace", "__builtins__": __builtins__}
    clone = types.FunctionType(reader.__code__, ns, "clone")
    ns2 = {"__builtins__": {"len": lambda x: "custom len"}}
    clone2 = types.FunctionType(uses_len.__code__, ns2)
    return reader(), clone(), uses_len(), clone2(), clone.__globals__ is ns


value = "module value"


def reader():
    return value


def uses_len():
    return len("abc")


def renamed_errors():
    def helper(a):
        return a

    helper.__qualname__ = "Pretend.name"
    helper.__name__ = "name"
    try:
        helper()
    except TypeError as e:
        return str(e)


def rebound_recursion(n):
    return 0 if n == 0 else 1 + rebound_recursion(n - 1)


counting_calls = []


def counting(n):
    counting_calls.append(n)
    return 0 if n == 0 else 1 + rebound_recursion(n - 1)


print(greet("x"), greet("y", "hey"), greet(name="z", punct="."))
print(annotated(1), annotated(1, "b", 2.0, 3.0, c=[], d={}))
print(annotated.__annotations__)
print(greet.__defaults__, greet.__kwdefaults__, greet.__code__.co_kwonlyargcount)
print([f(10) for f in make_multipliers()])
print(defaults_mutation())
print(code_swap())
print(attributes())
print(other_globals())
print(renamed_errors())
print(rebound_recursion(5))
saved_fn = rebound_recursion
rebound_recursion = counting
print(saved_fn(5), counting_calls)
rebound_recursion = saved_fn
greet.__defaults__ = ()
greet("nobody")
