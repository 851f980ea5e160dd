# exec / eval / compile of fresh code at run time (new code objects that get
# compiled on first call): eval of expressions with explicit globals and
# locals, exec defining functions and classes that are then called from
# compiled code, compile() in 'eval' / 'exec' / 'single' modes, code with
# closures and generators created by exec, exec'd code raising (the
# traceback shows File "<string>"), SyntaxError details (msg, lineno,
# offset, text), functions created with types.FunctionType from a code
# object, and an uncaught exception from exec'd code at the end.
import types

SOURCE = '''
def poly(x, coeffs=(1, 2, 3)):
    total = 0
    for c in coeffs:
        total = total * x + c
    return total

class Acc:
    def __init__(self):
        self.items = []
    def add(self, v):
        self.items.append(poly(v))
        return self

def make_adder(n):
    def adder(x):
        return x + n
    return adder

def gen(n):
    for i in range(n):
        yield i * i

def fails(d):
    return d["missing"]

counter = 0
for i in range(5):
    counter += i
'''


def run_source():
    ns = {}
    exec(SOURCE, ns)
    acc = ns["Acc"]().add(1).add(2)
    return (ns["poly"](2), acc.items, ns["make_adder"](10)(5), list(ns["gen"](4)), ns["counter"],
            sorted(k for k in ns if not k.startswith("__")))


def evals():
    x = 7
    out = [eval("x * 6"), eval("y + 1", {"y": 1}), eval("a + b", {"a": 1}, {"b": 2}),
           eval("[i * x for i in range(3)]", {"x": 3}), eval("len(s)", {"s": "four"}),
           eval("lambda q: q * 2")(21), eval("(1, 'two', [3.0])"),
           eval("__builtins__ is not None"), eval("x", {}, {"x": "local wins"})]
    code = compile("n * n", "<square>", "eval")
    out.append([eval(code, {"n": n}) for n in range(4)])
    return out


def compiled_modes():
    out = []
    code = compile("result = value ** 2\nother = result + 1", "<exec>", "exec")
    ns = {"value": 12}
    exec(code, ns)
    out += [ns["result"], ns["other"], code.co_filename, code.co_name]
    single = compile("1 + 1", "<single>", "single")
    import io
    import sys
    buf, real = io.StringIO(), sys.stdout
    sys.stdout = buf
    try:
        exec(single, {})
    finally:
        sys.stdout = real
    out.append(buf.getvalue())
    module_code = compile("def f(a, b=2):\n    return a * b\n", "<fn>", "exec")
    fn_code = [c for c in module_code.co_consts if isinstance(c, types.CodeType)][0]
    f = types.FunctionType(fn_code, {}, "made", (5,))
    out += [f(3), f(3, 4), f.__name__, f.__code__.co_varnames]
    return out


def syntax_errors():
    out = []
    for src, mode in [("1 +", "eval"), ("def f(:\n    pass", "exec"), ("x = = 1", "exec"),
                      ("return 5", "exec"), ("for x in y:\nprint(x)", "exec"), ("a b", "eval"),
                      ("f(**x, *y)", "eval"), ("nonlocal q", "exec")]:
        try:
            compile(src, "<bad>", mode)
        except SyntaxError as e:
            out.append("%s: %s (line %s, offset %s, text %r)"
                       % (type(e).__name__, e.msg, e.lineno, e.offset, e.text))
    return out


def runtime_errors():
    ns = {}
    exec(SOURCE, ns)
    out = []
    try:
        ns["fails"]({})
    except KeyError as e:
        out.append("KeyError from exec'd function: %s" % e)
    try:
        exec("undefined_name_in_exec")
    except NameError as e:
        out.append("NameError: %s" % e)
    try:
        eval("1 / 0")
    except ZeroDivisionError as e:
        out.append("ZeroDivisionError: %s" % e)
    try:
        exec(b"raise ValueError('bytes source')")
    except ValueError as e:
        out.append("ValueError: %s" % e)
    try:
        eval(42)
    except TypeError as e:
        out.append("TypeError: %s" % e)
    return out


def many_fresh_functions():
    fns = []
    for i in range(30):
        ns = {}
        exec("def f%d(x):\n    return x * %d + %d\n" % (i, i, i), ns)
        fns.append(ns["f%d" % i])
    return sum(f(2) for f in fns)


print(run_source())
print(evals())
print(compiled_modes())
for line in syntax_errors():
    print(line)
for line in runtime_errors():
    print(line)
print(many_fresh_functions())
namespace = {}
exec(SOURCE, namespace)
namespace["fails"]({"present": 1})
