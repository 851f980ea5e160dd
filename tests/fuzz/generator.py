"""Random Python programs for differential fuzzing of pyjit.

``program_source(seed, index)`` is a pure function of its arguments: the
random generator is seeded with the string ``"seed:index"``, which
``random.Random`` hashes with SHA-512, so the same pair gives the same
program on every machine, Python build and ``PYTHONHASHSEED`` (the
generator never iterates over a set without sorting it).

A program defines globals, exception classes, int and float subclasses,
classes (properties, ``__slots__``, dunder overrides, inheritance),
functions (plain, recursive, generators, closure factories) and then calls
each function in a loop with arguments whose types change from call to
call or from one phase of the loop to the next, so that compiled code meets
the types it was specialised for and others.  Bodies mix arithmetic over
int, float, bool, complex and big int, comparisons (chained too), ``if``,
``for``/``while`` with ``break``/``continue``/``else``, ``try`` with
``except``/``except*``/``else``/``finally``, ``raise``/``raise from``,
exception groups, ``with``, ``match``, comprehensions, f-strings, closures
with ``nonlocal``, classes defined in functions, ``global`` rebinding,
``exec`` and ``eval``.

Programs are valid Python, terminate quickly (loops have literal trip
counts or iterate over copies of at most 12 items of a list, each call of a
driver loop gets its own copies of list and dict arguments, recursion has a
depth argument, and a static cost estimate bounds what loops call), and
print only text
that is the same in every run: numbers, strings, lists, dicts keyed by
strings, objects of classes that define ``__repr__``, exception types,
messages and tracebacks; never an ``id``, an address, a NaN's hash or a set
of numbers.  Numbers that are stored (assigned, passed, returned, put in a
container) go through ``fold`` when they may have grown, and strings and
lists built from others are sliced, so nothing grows without bound.  Some
programs end with an uncaught exception (chained, or a group) so that the
traceback CPython prints at exit is compared too.

Locals that may be unbound are read anywhere, also as the second
instruction of a pair that CPython's warm code fuses (where the interpreter
locates the UnboundLocalError at the pair's first instruction), and are
deleted in loops too, so that a later turn reads them unbound.

Helpers shared by all programs are in ``fuzz_support.py``.
"""

import ast
import random

NUM, STR, LIST, DICT = "num", "str", "list", "dict"
# The recursion-depth parameter of recursive functions: a small int literal.
DEPTH = "depth"

INT_LITERALS = (
    "0", "1", "2", "3", "5", "7", "10", "100", "(-1)", "(-3)", "(-5)", "(-6)",
    "255", "256", "257", "1000", "(-1000)", "(2**30)", "(2**31 - 1)", "(2**62)",
    "(2**63 - 1)", "(2**63)", "(-2**63)", "(2**64)", "(10**18)", "(10**20)",
    "(-10**25)", "(2**100)",
)
FLOAT_LITERALS = (
    "0.0", "(-0.0)", "0.5", "1.5", "(-2.25)", "3.0", "0.1", "1e16", "1e300",
    "(-1e-300)", "5e-324", "2.5e-08", "1.7976931348623157e308",
    "float('inf')", "float('-inf')", "float('nan')",
)
OTHER_NUM_LITERALS = ("True", "False", "1j", "(2-3j)")
# No backslashes or double quotes: these may stand inside f-strings.
STR_LITERALS = ("''", "'a'", "'abc'", "'hello world'", "'x-y-z'", "'Ünïcode ∑'", "'42'", "'-7'", "'3.5'",
                "'  pad  '")
FORMAT_SPECS = ("", ">8", "<6", "^7", ".3f", ".2e", "+", ",", "08.3f", "x", "b", ".1%", "#x", "_", "g", "n", "=+9")
BINARY_OPERATORS = ("+", "-", "*", "/", "//", "%", "&", "|", "^", ">>", "<<", "**")
BINARY_WEIGHTS = (10, 8, 6, 4, 3, 3, 2, 2, 2, 1, 1, 2)
# Operators that can make an int much longer than its operands.
GROWING_OPERATORS = ("*", "<<", "**")
COMPARISONS = ("<", "<=", ">", ">=", "==", "!=")
EXCEPTION_TYPES = ("ValueError", "TypeError", "KeyError", "IndexError", "ZeroDivisionError", "ArithmeticError",
                   "LookupError", "RuntimeError", "OverflowError", "AttributeError", "NameError")
HANDLER_TYPES = ("ValueError", "TypeError", "(KeyError, IndexError)", "ZeroDivisionError", "ArithmeticError",
                 "LookupError", "(TypeError, ValueError)", "NameError", "AttributeError", "Exception")
CLASS_PROTOCOLS = ("property", "method", "method", "add", "eq", "lt", "len", "getitem", "iter", "contains", "bool",
                   "index", "call", "getattr", "setattr", "factory")

# Limits that keep programs small and fast: block nesting, expression
# depth, the estimated cost (statements run) of what one statement may
# call, and of one driver loop; lists iterated are sliced to LIST_SLICE.
MAX_NESTING = 3
MAX_EXPR_DEPTH = 3
CALL_COST_LIMIT = 2000
DRIVER_COST_LIMIT = 12000
LIST_SLICE = 12
# One driver loop per program is hot: long enough (about 20 ms) for the
# default settings to compile the function it calls, and its loop.
HOT_COST_LIMIT = 40000
HOT_TRIPS = 20000
# What exec or eval of source text costs in statements: compiling it (and,
# with every function compiled at its first call, compiling its code object).
SOURCE_EXEC_COST = 300
# What creating a class costs in statements.
CLASS_COST = 30


def program_source(seed, index):
    """The source text of program `index` of `seed`."""
    return ProgramGenerator(seed, index).generate()


def is_constant(text):
    """Whether the expression `text` is one the compiler folds to a constant."""
    return not any(isinstance(node, (ast.Name, ast.Call)) for node in ast.walk(ast.parse(text, mode="eval")))


class ClassInfo:
    """A generated class: its fields (the ``__init__`` parameters, numbers),
    plain methods and properties, and the protocols it implements."""

    def __init__(self, name, base, fields):
        self.name = name
        self.base = base
        self.fields = fields
        self.protocols = set(base.protocols) if base else set()
        self.methods = list(base.methods) if base else []
        self.properties = list(base.properties) if base else []

    def has(self, protocol):
        return protocol in self.protocols


class FunctionInfo:
    """A generated function: parameters as (name, kind) pairs (a name
    ending in ``_d`` has a default), what it returns, its flavour, and the
    estimated cost of a call."""

    def __init__(self, name, params, returns, flavour):
        self.name = name
        self.params = params
        self.returns = returns
        self.flavour = flavour
        self.varargs = None
        self.kwargs = None
        self.keyword_only = []
        self.closure = None  # a closure factory's returned function
        self.cost = 1


class Scope:
    """What the code of one function (or lambda, or comprehension) may use
    at the point being generated."""

    def __init__(self, function, enclosing=None, cls=None):
        self.function = function
        self.enclosing = enclosing
        self.cls = cls
        self.kinds = {}  # every local name ever bound -> kind
        self.bound = set()  # locals bound on every path to this point
        # Locals deleted anywhere so far: never bound again for reads (a
        # block that deletes one may not have run, or may have run after
        # the assignment that bound it).
        self.deleted = set()
        self.readonly = set()  # loop counters and depths the body must not rebind
        self.global_writes = set()
        self.loop_depth = 0
        self.in_except_star = False
        self.depth = 0
        self.multiplier = enclosing.multiplier if enclosing else 1
        # Objects are used through their fields only (see member_scope).
        self.fields_only = enclosing.fields_only if enclosing else False
        self.cost = 0
        self.statements_left = 0

    def names_of(self, kind, bound_only=True):
        pool = self.bound if bound_only else self.kinds
        return sorted(name for name in pool if self.kinds.get(name) == kind)

    def free_names_of(self, kind):
        """Names of the enclosing function readable here as free variables."""
        if self.enclosing is None:
            return []
        return [name for name in self.enclosing.names_of(kind) if name not in self.kinds]


class Emitter:
    def __init__(self):
        self.lines = []

    def line(self, indent, text):
        self.lines.append("    " * indent + text)

    def blank(self, count=1):
        self.lines.extend([""] * count)

    def text(self):
        return "\n".join(self.lines) + "\n"


class ProgramGenerator:
    def __init__(self, seed, index):
        self.seed = seed
        self.index = index
        self.rng = random.Random("%d:%d" % (seed, index))
        self.out = Emitter()
        self.counter = 0
        self.globals = {}  # module global name -> kind
        self.classes = []
        self.exception_classes = []
        self.number_classes = []  # (name, "int" | "float")
        self.functions = []
        self.growth = 0  # growing operators emitted so far
        self.fstring_depth = 0  # >0 while generating an f-string placeholder
        self.in_exec = False  # while generating source for exec

    # ------------------------------------------------------------ helpers

    def fresh(self, prefix):
        self.counter += 1
        return "%s%d" % (prefix, self.counter)

    def chance(self, p):
        return self.rng.random() < p

    def pick(self, seq):
        return self.rng.choice(seq)

    def weighted(self, options):
        """A key of `options` ({key: weight}) chosen by weight."""
        keys = list(options)
        return self.rng.choices(keys, weights=[options[k] for k in keys])[0]

    def child_scope(self, scope, multiplier):
        """A scope for a lambda or comprehension inside `scope`, run about
        `multiplier` times; its cost is added to `scope` by `close_child`."""
        child = Scope(scope.function, enclosing=scope, cls=scope.cls)
        child.multiplier = scope.multiplier * multiplier
        return child

    @staticmethod
    def close_child(scope, child):
        scope.cost += child.cost

    # ------------------------------------------------------------ program

    def generate(self):
        out = self.out
        out.line(0, "# pyjit fuzz program: seed %d, index %d" % (self.seed, self.index))
        out.line(0, "import math")
        out.line(0, "import sys")
        out.line(0, "from fuzz_support import *")
        out.blank()
        for _ in range(self.rng.randint(1, 3)):
            name = self.fresh("G")
            self.globals[name] = NUM
            out.line(0, "%s = %s" % (name, self.num_literal()))
        name = self.fresh("GS")
        self.globals[name] = STR
        out.line(0, "%s = %s" % (name, self.pick(STR_LITERALS)))
        out.line(0, "report = Reporter()")
        if self.chance(0.3):
            self.emit_exception_class()
        if self.chance(0.25):
            self.emit_number_class("int")
        if self.chance(0.15):
            self.emit_number_class("float")
        for _ in range(self.weighted({0: 3, 1: 4, 2: 2})):
            self.emit_class()
        flavours = {"plain": 10, "loops": 6, "exceptions": 6, "generator": 4, "closure": 3, "recursive": 3,
                    "match": 3, "objects": 3 if self.classes else 0, "dynamic": 2}
        for _ in range(self.rng.randint(2, 4)):
            self.emit_function(self.weighted(flavours))
        if self.chance(0.03):
            self.emit_recursion_limit_probe()
        self.emit_driver()
        if self.chance(0.3):
            self.emit_finale()
        return out.text()

    # ------------------------------------------------------------ literals

    def num_literal(self):
        r = self.rng.random()
        if r < 0.55:
            return self.pick(INT_LITERALS) if self.chance(0.5) else str(self.rng.randint(-20, 300))
        if r < 0.9:
            return self.pick(FLOAT_LITERALS)
        if r < 0.97 or not self.number_classes:
            return self.pick(OTHER_NUM_LITERALS)
        name, base = self.pick(self.number_classes)
        return "%s(%s)" % (name, self.rng.randint(-5, 40) if base == "int" else self.pick(("2.5", "-0.5", "7.0")))

    def depth_literal(self):
        return str(self.rng.randint(0, 6))

    def literal_of(self, kind):
        """A literal (or a constructor call of literals) of `kind`: driver
        arguments, which no scope can reach."""
        if kind == NUM:
            return self.num_literal()
        if kind == DEPTH:
            return self.depth_literal()
        if kind == STR:
            return self.pick(STR_LITERALS)
        if kind == LIST:
            return "[%s]" % ", ".join(self.num_literal() for _ in range(self.rng.randint(0, 4)))
        if kind == DICT:
            keys = self.rng.sample("abcd", self.rng.randint(0, 3))
            return "{%s}" % ", ".join("'%s': %s" % (k, self.num_literal()) for k in keys)
        # an instance of the class or of a subclass: attribute sites meet several types
        cls = self.pick([c for c in self.classes if self.is_subclass(c, self.class_named(kind))])
        return "%s(%s)" % (cls.name, ", ".join(self.num_literal() for _ in cls.fields))

    def class_named(self, name):
        return next(c for c in self.classes if c.name == name)

    @staticmethod
    def is_subclass(cls, base):
        while cls is not None and cls is not base:
            cls = cls.base
        return cls is base

    # ------------------------------------------------------------ expressions

    def expr_of(self, kind, scope, depth=0):
        """An expression of `kind`, fit to be stored: numbers that may have
        grown go through fold."""
        if kind == NUM:
            before = self.growth
            text = self.num_expr(scope, depth)
            return "fold(%s)" % text if self.growth != before else text
        if kind == DEPTH:
            return self.depth_literal()
        if kind == STR:
            return self.str_expr(scope, depth)
        if kind == LIST:
            return self.list_expr(scope, depth)
        if kind == DICT:
            return self.dict_expr(scope, depth)
        return self.obj_expr(kind, scope, depth)

    def variable(self, scope, kind):
        """A readable name of `kind`: a bound local, a free variable or a
        global; None if there is none."""
        names = scope.names_of(kind) + scope.free_names_of(kind)
        names += [g for g, k in self.globals.items() if k == kind and g not in scope.kinds]
        if not names:
            return None
        if self.chance(0.03):
            # A local bound on some paths only: UnboundLocalError when it is
            # not.  Read bare (often the second of a fused pair) or as a
            # call's argument, after LOAD_GLOBAL (never fused).
            maybe = [n for n in scope.names_of(kind, bound_only=False) if n not in scope.bound]
            if maybe:
                name = self.pick(maybe)
                return name if self.chance(0.5) else "fold(%s)" % name
        return self.pick(names)

    def any_object(self, scope):
        """(name, ClassInfo) of a readable object, or None."""
        candidates = [(self.variable(scope, c.name), c) for c in self.classes]
        candidates = [(n, c) for n, c in candidates if n]
        return self.pick(candidates) if candidates else None

    def num_leaf(self, scope):
        r = self.rng.random()
        if r < 0.6:
            name = self.variable(scope, NUM)
            if name:
                return name
        if r < 0.7:
            obj = self.any_object(scope)
            if obj:
                name, cls = obj
                if cls.properties and not scope.fields_only and self.chance(0.3):
                    return "%s.%s" % (name, self.pick(cls.properties))
                return "%s.%s" % (name, self.pick(cls.fields + ["LIMIT"]))
        if r < 0.75:
            seq = self.variable(scope, LIST)
            if seq:
                return "%s[%s]" % (seq, self.pick(("0", "-1", "1", "2", "len(%s) // 2" % seq)))
        return self.num_literal()

    def num_expr(self, scope, depth=0):
        if depth >= MAX_EXPR_DEPTH or self.chance(0.3 + 0.15 * depth):
            return self.num_leaf(scope)
        d = depth + 1
        form = self.weighted({"binary": 12, "unary": 2, "compare": 3, "chain": 2, "boolop": 2, "ifexp": 2,
                              "builtin": 5, "math": 2, "method": 1, "call": 4, "len": 1, "fold": 1,
                              "identity": 1, "subscript": 1, "object": 2 if self.classes else 0})
        if form == "binary":
            op = self.rng.choices(BINARY_OPERATORS, weights=BINARY_WEIGHTS)[0]
            left = self.num_expr(scope, d)
            if op == "<<":
                right = self.pick(("1", "3", "17", "31", "63", "64", "70", "(%s & 15)" % self.num_leaf(scope)))
            elif op == "**":
                right = self.pick(("0", "1", "2", "3", "4", "(-1)", "(-2)", "0.5", "(-0.5)", "2.0"))
            else:
                right = self.num_expr(scope, d)
            if op in GROWING_OPERATORS:
                self.growth += 1
            return "(%s %s %s)" % (left, op, right)
        if form == "unary":
            return "(%s%s)" % (self.pick(("-", "+", "~", "not ")), self.num_expr(scope, d))
        if form == "compare":
            return "(%s %s %s)" % (self.num_expr(scope, d), self.pick(COMPARISONS), self.num_expr(scope, d))
        if form == "chain":
            return "(%s)" % self.chain(scope, d + 1, self.rng.randint(3, 4))
        if form == "boolop":
            return "(%s %s %s)" % (self.num_expr(scope, d), self.pick(("and", "or")), self.num_expr(scope, d))
        if form == "ifexp":
            return "(%s if %s else %s)" % (self.num_expr(scope, d), self.condition(scope, d), self.num_expr(scope, d))
        if form == "builtin":
            a, b = self.num_expr(scope, d), self.num_expr(scope, d)
            return self.pick((
                "abs(%s)" % a, "int(%s)" % a, "float(%s)" % a, "round(%s)" % a, "round(%s, 2)" % a,
                "min(%s, %s)" % (a, b), "max(%s, %s, 0)" % (a, b), "divmod(%s, %s)[0]" % (a, b),
                "pow(%s, %s, 97)" % (a, b), "bool(%s)" % a, "complex(%s).real" % a,
                "int(%s)" % self.str_expr(scope, d), "float(%s)" % self.str_expr(scope, d),
            ))
        if form == "math":
            a, b = self.num_expr(scope, d), self.num_expr(scope, d)
            return self.pick((
                "math.floor(%s)" % a, "math.sqrt(abs(%s))" % a, "math.isnan(%s)" % a,
                "math.copysign(1.0, %s)" % a, "math.gcd(%s, %s)" % (a, b), "math.fmod(%s, %s)" % (a, b),
                "math.trunc(%s)" % a, "math.isfinite(%s)" % a, "math.fsum([%s, %s, 0.1])" % (a, b),
            ))
        if form == "method":
            a = self.num_expr(scope, d)
            return self.pick(("(%s).bit_length()" % a, "(%s).is_integer()" % a, "(%s).conjugate()" % a,
                              "(%s).real" % a, "(%s).imag" % a, "(%s).numerator" % a))
        if form == "call":
            return self.call_expr(scope, NUM) or self.num_leaf(scope)
        if form == "len":
            return "len(%s)" % self.expr_of(self.pick((STR, LIST, DICT)), scope, d)
        if form == "fold":
            return "fold(%s)" % self.num_expr(scope, d)
        if form == "identity":
            # small ints are cached, other results are new objects: the same in both
            # (variables, not literals: `is` with a literal is a SyntaxWarning)
            operands = [self.variable(scope, NUM) or "None" for _ in range(2)]
            return "(%s %s %s)" % (operands[0], self.pick(("is", "is not")), operands[1])
        if form == "subscript":
            # indexes of every kind: negative, bool, float, big (a constant
            # that is not an int, a SyntaxWarning, passed through fold)
            container = self.pick((self.list_expr(scope, d), "(%s, %s, 7)" % (self.num_leaf(scope),
                                                                                self.num_leaf(scope))))
            index = self.num_expr(scope, d)
            if is_constant(index):
                index = "fold(%s)" % index
            return "%s[%s]" % (container, index)
        return self.object_number(scope, d)

    def chain(self, scope, depth, count):
        """A chained comparison of `count` numbers."""
        text = self.num_expr(scope, depth)
        for _ in range(count - 1):
            text += " %s %s" % (self.pick(COMPARISONS), self.num_expr(scope, depth))
        return text

    def object_number(self, scope, depth):
        """A number computed through an object's attributes, methods and
        protocols."""
        obj = self.any_object(scope)
        if obj is None:
            return self.num_leaf(scope)
        name, cls = obj
        d = depth + 1
        forms = ["field"]
        if not scope.fields_only:
            forms += ["method"] * bool(cls.methods) + sorted(cls.protocols & {
                "len", "getitem", "index", "call", "contains", "bool", "add", "factory"})
        form = self.pick(forms)
        if form == "field":
            return "%s.%s" % (name, self.pick(cls.fields))
        if form == "method":
            return self.method_call(name, cls, scope, d)
        if form == "len":
            return "len(%s)" % name
        if form == "getitem":
            return "%s[%s]" % (name, self.num_expr(scope, d))
        if form == "index":
            return "[10, 20, 30, 40][%s]" % name
        if form == "call":
            return "%s(%s)" % (name, self.num_expr(scope, d))
        if form == "contains":
            return "(%s in %s)" % (self.num_expr(scope, d), name)
        if form == "bool":
            return "(1 if %s else -1)" % name
        if form == "add":
            return "(%s + %s).%s" % (name, self.num_expr(scope, d), cls.fields[0])
        return "%s.make(%s).%s + %s.twice(%s)" % (cls.name, self.num_expr(scope, d), cls.fields[0], name,
                                                  self.num_expr(scope, d))

    def method_call(self, name, cls, scope, depth):
        """A call of one of the plain methods of `name` (of class `cls`)."""
        method = self.pick(cls.methods)
        scope.cost += scope.multiplier * method.cost
        return "%s.%s(%s)" % (name, method.name, self.arguments(method, scope, depth))

    def condition(self, scope, depth=0):
        d = depth + 1
        r = self.rng.random()
        if r < 0.5:
            return "%s %s %s" % (self.num_expr(scope, d), self.pick(COMPARISONS), self.num_expr(scope, d))
        if r < 0.62:
            return self.chain(scope, d + 1, 3)
        if r < 0.72:
            return "%s in %s" % (self.num_expr(scope, d), self.list_expr(scope, d))
        if r < 0.8:
            return "%s %s %s" % (self.str_expr(scope, d), self.pick(("in", "not in", "==", "<")),
                                 self.str_expr(scope, d))
        if r < 0.88:
            return "isinstance(%s, %s)" % (self.num_expr(scope, d),
                                           self.pick(("int", "float", "bool", "(int, float)", "complex")))
        obj = self.any_object(scope)
        if obj and obj[1].has("bool"):
            return obj[0]
        return "not %s" % self.num_expr(scope, d)

    def str_expr(self, scope, depth=0):
        if depth >= MAX_EXPR_DEPTH or self.chance(0.35 + 0.15 * depth):
            name = self.variable(scope, STR)
            return name if name and self.chance(0.7) else self.pick(STR_LITERALS)
        d = depth + 1
        form = self.weighted({"str": 4, "repr": 2, "fstring": 0 if self.fstring_depth else 5, "concat": 3,
                              "slice": 2, "method": 3, "join": 2, "format": 2, "percent": 1, "call": 1})
        if form == "str":
            return "str(%s)" % self.expr_of(self.pick((NUM, NUM, LIST, DICT)), scope, d)
        if form == "repr":
            return "repr(%s)" % self.num_expr(scope, d)
        if form == "fstring":
            return self.fstring(scope, d)
        if form == "concat":
            return "(%s + %s)[:24]" % (self.str_expr(scope, d), self.str_expr(scope, d))
        if form == "slice":
            return "%s[%s:%s]" % (self.str_expr(scope, d), self.pick(("", "1", "-3", "2")),
                                  self.pick(("", "5", "-1", "None")))
        if form == "method":
            s = self.str_expr(scope, d)
            return self.pick(("%s.upper()" % s, "%s.strip()" % s, "%s.replace('a', 'ä')" % s,
                              "%s.center(9, '*')" % s, "%s.title()" % s, "%s.split('-')[0]" % s,
                              "%s.zfill(6)" % s, "%s[::-1]" % s))
        if form == "join":
            return "'-'.join(str(v) for v in %s)" % self.iterable_list(scope, d)
        if form == "format":
            return "format(%s, '%s')" % (self.num_expr(scope, d), self.pick(FORMAT_SPECS))
        if form == "percent":
            return "('%%s/%%r/%%d' %% (%s, %s, %s))" % (self.str_expr(scope, d), self.num_expr(scope, d),
                                                       self.num_expr(scope, d))
        return self.call_expr(scope, STR) or self.pick(STR_LITERALS)

    def fstring(self, scope, depth):
        """An f-string with conversions, format specs and ``{name=}``; its
        placeholders hold no f-string (3.11 cannot nest the quotes)."""
        parts = []
        self.fstring_depth += 1
        for _ in range(self.rng.randint(1, 3)):
            parts.append(self.pick(("", "v=", " | ", "x", "[", "]", "{{", "}}", "é ")))
            kind = self.pick((NUM, NUM, STR, LIST))
            name = self.variable(scope, NUM) if kind == NUM and self.chance(0.15) else None
            if name:
                parts.append("{%s=}" % name)
                continue
            inner = self.expr_of(kind, scope, depth)
            conversion = self.pick(("", "", "!r", "!s", "!a"))
            spec = self.pick(FORMAT_SPECS) if kind == NUM and not conversion else self.pick(("", "", ">12", "^9"))
            parts.append("{(%s)%s%s}" % (inner, conversion, ":" + spec if spec else ""))
        self.fstring_depth -= 1
        return 'f"%s"' % "".join(parts)

    def list_expr(self, scope, depth=0):
        if depth >= MAX_EXPR_DEPTH or self.chance(0.35 + 0.15 * depth):
            name = self.variable(scope, LIST)
            return name if name and self.chance(0.7) else self.list_literal(scope)
        d = depth + 1
        form = self.weighted({"comprehension": 3, "range": 2, "sorted": 2, "concat": 2, "slice": 2, "map": 1,
                              "generator": 2, "star": 1, "dictvalues": 1, "call": 1})
        if form == "comprehension":
            return self.list_comprehension(scope, d)
        if form == "range":
            return "list(range(%s))" % self.pick(("5", "0", "-2, 6", "10, 0, -3", "1, 12, 4"))
        if form == "sorted":
            return "sorted(%s%s)" % (self.list_expr(scope, d), self.pick(("", ", reverse=True", ", key=abs",
                                                                          ", key=lambda q: -q")))
        if form == "concat":
            return "(%s + %s)[:%d]" % (self.list_expr(scope, d), self.list_expr(scope, d), LIST_SLICE)
        if form == "slice":
            return "%s[%s]" % (self.list_expr(scope, d), self.pick(("1:", ":-1", "::2", "::-1", "1:3", "-2:")))
        if form == "map":
            var = self.fresh("q")
            lam = self.child_scope(scope, LIST_SLICE)
            lam.kinds[var] = NUM
            lam.bound.add(var)
            body = self.expr_of(NUM, lam, d)
            self.close_child(scope, lam)
            return "list(map(lambda %s: %s, %s))" % (var, body, self.iterable_list(scope, d))
        if form == "generator":
            call = self.generator_call(scope, d)
            return "list(%s)[:%d]" % (call, LIST_SLICE) if call else self.list_literal(scope)
        if form == "star":
            return "[*%s, %s]" % (self.list_expr(scope, d), self.expr_of(NUM, scope, d))
        if form == "dictvalues":
            return "list(%s.values())" % self.dict_expr(scope, d)
        return self.call_expr(scope, LIST) or self.list_literal(scope)

    def list_literal(self, scope):
        return "[%s]" % ", ".join(self.expr_of(NUM, scope, MAX_EXPR_DEPTH - 1)
                                  for _ in range(self.rng.randint(0, 4)))

    def iterable_list(self, scope, depth):
        """A list to iterate over: a copy of at most LIST_SLICE items, so that
        a loop body (or a call it makes) that appends to the list (which any
        expression may alias) cannot make the loop endless, nor a loop turn
        per item make the list grow faster call after call."""
        return "(%s)[:%d]" % (self.list_expr(scope, depth), LIST_SLICE)

    def list_comprehension(self, scope, depth):
        var = self.fresh("e")
        inner = self.child_scope(scope, LIST_SLICE)
        inner.kinds[var] = NUM
        inner.bound.add(var)
        clauses = "for %s in %s" % (var, self.iterable_list(scope, depth + 1))
        if self.chance(0.3):
            var2 = self.fresh("e")
            inner.kinds[var2] = NUM
            inner.bound.add(var2)
            inner.multiplier *= 3
            clauses = "for %s in (%s)[:%d] for %s in range(%s)" % (
                var, self.list_expr(scope, depth + 1), LIST_SLICE // 3, var2, self.pick(("2", "3", "0")))
        if self.chance(0.4):
            clauses += " if %s" % self.condition(inner, depth + 1)
        element = self.expr_of(NUM, inner, depth + 1)
        self.close_child(scope, inner)
        return "[%s %s]" % (element, clauses)

    def dict_expr(self, scope, depth=0):
        if depth >= MAX_EXPR_DEPTH or self.chance(0.5):
            name = self.variable(scope, DICT)
            if name and self.chance(0.7):
                return name
            keys = self.rng.sample("abcd", self.rng.randint(0, 3))
            return "{%s}" % ", ".join("'%s': %s" % (k, self.expr_of(NUM, scope, MAX_EXPR_DEPTH - 1)) for k in keys)
        d = depth + 1
        var = self.fresh("k")
        return self.pick((
            "{%s: %s for %s in 'abc'}" % (var, self.expr_of(NUM, scope, d), var),
            "dict(zip('xyz', %s))" % self.list_expr(scope, d),
            "{**%s, 'b': %s}" % (self.dict_expr(scope, d), self.expr_of(NUM, scope, d)),
            "(%s | %s)" % (self.dict_expr(scope, d), self.dict_expr(scope, d)),
        ))

    def obj_expr(self, kind, scope, depth):
        name = self.variable(scope, kind)
        if name and self.chance(0.6):
            return name
        cls = self.class_named(kind)
        return "%s(%s)" % (cls.name, ", ".join(self.expr_of(NUM, scope, depth + 1) for _ in cls.fields))

    def affordable(self, scope, flavours):
        """Functions of these flavours whose cost fits at this point."""
        limit = CALL_COST_LIMIT // max(scope.multiplier, 1)
        return [f for f in self.functions if f.flavour in flavours and f.cost <= limit and f is not scope.function]

    def call_expr(self, scope, kind):
        """A call of an earlier function returning `kind`, or None."""
        candidates = [f for f in self.affordable(scope, ("plain", "loops", "exceptions", "recursive", "match",
                                                         "objects", "dynamic")) if f.returns == kind]
        if not candidates:
            return None
        fn = self.pick(candidates)
        scope.cost += scope.multiplier * fn.cost
        return "%s(%s)" % (fn.name, self.arguments(fn, scope, MAX_EXPR_DEPTH - 1))

    def generator_call(self, scope, depth):
        """A call of an earlier generator function, or None."""
        candidates = self.affordable(scope, ("generator",))
        if not candidates:
            return None
        fn = self.pick(candidates)
        scope.cost += scope.multiplier * fn.cost
        return "%s(%s)" % (fn.name, self.arguments(fn, scope, depth))

    def arguments(self, fn, scope, depth):
        """Arguments for a call of `fn`: positional, sometimes by keyword,
        leaving defaults out, with ``*list`` and ``**dict`` where the
        function takes them."""
        args = [self.expr_of(kind, scope, depth) for _, kind in fn.params]
        required = [name for name, _ in fn.params if not name.endswith("_d")]
        if len(args) > len(required) and fn.varargs is None and self.chance(0.5):
            args = args[:len(required)]
        if fn.varargs is None and args and self.chance(0.2):
            args = ["%s=%s" % (name, arg) for (name, _), arg in zip(fn.params, args)]
        if fn.varargs and self.chance(0.5):
            args.append("*%s" % self.list_expr(scope, depth))
        for name in fn.keyword_only:
            if self.chance(0.6):
                args.append("%s=%s" % (name, self.expr_of(NUM, scope, depth)))
        if fn.kwargs and self.chance(0.4):
            args.append("**%s" % self.dict_expr(scope, depth))
        return ", ".join(args)

    # ------------------------------------------------------------ statements

    def block(self, scope, indent, count=None):
        """Emits at least one statement at `indent`."""
        count = count if count is not None else self.rng.randint(1, 4)
        emitted = 0
        while emitted < count and (scope.statements_left > 0 or emitted == 0):
            self.statement(scope, indent)
            emitted += 1

    def statement(self, scope, indent):
        scope.statements_left -= 1
        scope.cost += scope.multiplier
        nested = scope.depth < MAX_NESTING
        top_level_function = scope.enclosing is None and scope.cls is None
        flavour = scope.function.flavour
        weights = {
            "assign": 12, "augassign": 4, "print": 5, "unpack": 2, "list_op": 3, "dict_op": 1, "attr": 2,
            "if": 5 * nested, "for": 4 * nested, "while": 2 * nested, "try": 4 * nested, "with": 2 * nested,
            "match": 1 * nested, "raise": 1, "assert": 1, "del": 1, "call": 2,
            "return": 1 * (scope.depth > 0), "closure": 1 * nested, "global": 1 * top_level_function,
            "exec": 1 * (not self.in_exec), "class": 1 * (nested and scope.depth == 0 and top_level_function),
        }
        if flavour == "loops":
            weights.update({"for": 10 * nested, "while": 5 * nested})
        elif flavour == "exceptions":
            weights.update({"try": 12 * nested, "raise": 4, "assert": 2})
        elif flavour == "match":
            weights["match"] = 8 * nested
        elif flavour == "objects":
            weights.update({"attr": 10, "with": 4 * nested})
        elif flavour == "dynamic":
            weights.update({"exec": 6, "global": 5 * top_level_function, "closure": 4 * nested})
        elif flavour == "generator":
            weights["yield"] = 8
        elif flavour == "closure":
            weights["closure"] = 5 * nested
        if scope.loop_depth and not scope.in_except_star:
            weights["break"] = 3
        if scope.in_except_star:
            weights["return"] = 0
        getattr(self, "stmt_" + self.weighted(weights))(scope, indent)

    def sub_block(self, scope, indent, bound=(), multiplier=1, **changes):
        """Emits a nested block; returns the names bound on every path
        through it. `changes` are scope attributes set while it is emitted."""
        saved_bound = set(scope.bound)
        scope.bound |= set(bound)
        saved = {key: getattr(scope, key) for key in changes}
        saved_multiplier = scope.multiplier
        for key, value in changes.items():
            setattr(scope, key, value)
        scope.depth += 1
        scope.multiplier *= multiplier
        self.block(scope, indent)
        scope.depth -= 1
        scope.multiplier = saved_multiplier
        for key, value in saved.items():
            setattr(scope, key, value)
        result = set(scope.bound)
        scope.bound = saved_bound - scope.deleted
        return result

    def assign_target(self, scope, kind):
        """A local to assign a value of `kind` to: new, or one of that kind
        (a nonlocal too)."""
        existing = [n for n in scope.names_of(kind, bound_only=False) if n not in scope.readonly]
        if existing and self.chance(0.5):
            return self.pick(existing)
        name = self.fresh("v")
        scope.kinds[name] = kind
        return name

    def stmt_assign(self, scope, indent):
        kind = self.weighted({NUM: 8, STR: 2, LIST: 2, DICT: 1, **{c.name: 1 for c in self.classes}})
        value = self.expr_of(kind, scope)
        target = self.assign_target(scope, kind)
        if kind == NUM and self.chance(0.1):
            self.out.line(indent, "if (%s := %s) %s %s:" % (target, value, self.pick(COMPARISONS),
                                                           self.num_literal()))
            self.out.line(indent + 1, "print('walrus', %s)" % target)
        elif kind == NUM and self.chance(0.05):
            second = self.assign_target(scope, NUM)
            self.out.line(indent, "%s = %s = %s" % (target, second, value))
            scope.bound.add(second)
        else:
            self.out.line(indent, "%s = %s" % (target, value))
        scope.bound.add(target)

    def stmt_augassign(self, scope, indent):
        names = [n for n in scope.names_of(NUM) if n not in scope.readonly]
        if not names:
            return self.stmt_assign(scope, indent)
        target = self.pick(names)
        op = self.rng.choices(BINARY_OPERATORS[:-2], weights=BINARY_WEIGHTS[:-2])[0]
        before = self.growth
        self.out.line(indent, "%s %s= %s" % (target, op, self.num_expr(scope, 1)))
        if op in GROWING_OPERATORS or self.growth != before:
            self.out.line(indent, "%s = fold(%s)" % (target, target))
        return None

    def stmt_print(self, scope, indent):
        if self.chance(0.1):
            # what the frame holds: the names bound (values may be functions), its line
            self.out.line(indent, self.pick(("print('locals', sorted(locals()))",
                                             "print('line', sys._getframe().f_lineno)")))
            return
        values = [self.expr_of(self.pick((NUM, NUM, STR, LIST, DICT)), scope, 1)
                  for _ in range(self.rng.randint(1, 3))]
        obj = self.any_object(scope)
        if obj and self.chance(0.3):
            values.append(obj[0])
        self.out.line(indent, "print(%s)" % ", ".join(values))

    def stmt_unpack(self, scope, indent):
        first = self.assign_target(scope, NUM)
        second = self.fresh("v")
        scope.kinds[second] = NUM
        if self.chance(0.5):
            rest = self.fresh("v")
            scope.kinds[rest] = LIST
            self.out.line(indent, "%s, *%s, %s = %s" % (first, rest, second, self.list_expr(scope, 1)))
            scope.bound.update((first, second, rest))
        else:
            self.out.line(indent, "%s, %s = %s, %s" % (first, second, self.expr_of(NUM, scope, 1),
                                                       self.expr_of(NUM, scope, 1)))
            scope.bound.update((first, second))

    def stmt_list_op(self, scope, indent):
        names = scope.names_of(LIST)
        if not names:
            return self.stmt_assign(scope, indent)
        name = self.pick(names)
        value = self.expr_of(NUM, scope, 1)
        self.out.line(indent, self.pick((
            "%s.append(%s)" % (name, value), "%s.insert(0, %s)" % (name, value), "%s.pop()" % name,
            "%s.sort()" % name, "%s.reverse()" % name, "%s[%s] = %s" % (name, self.pick(("0", "-1", "1")), value),
            "del %s[%s]" % (name, self.pick(("0", "-1", ":1", "::2"))),
            "%s.extend(%s)" % (name, self.literal_of(LIST)),
            "%s[1:2] = [%s, %s]" % (name, value, self.num_literal()), "%s = %s[:10]" % (name, name),
            "%s[%s] -= %s" % (name, self.pick(("0", "-1")), self.num_leaf(scope)),
        )))
        return None

    def stmt_dict_op(self, scope, indent):
        names = scope.names_of(DICT)
        if not names:
            return self.stmt_assign(scope, indent)
        name = self.pick(names)
        key = "'%s'" % self.pick("abcde")
        self.out.line(indent, self.pick((
            "%s[%s] = %s" % (name, key, self.expr_of(NUM, scope, 1)), "del %s[%s]" % (name, key),
            "%s.pop(%s, None)" % (name, key), "%s.setdefault(%s, %s)" % (name, key, self.num_literal()),
            "%s.update(%s)" % (name, self.literal_of(DICT)),
        )))
        return None

    def stmt_attr(self, scope, indent):
        obj = self.any_object(scope)
        if obj is None:
            if not self.classes:
                return self.stmt_assign(scope, indent)
            cls = self.pick(self.classes)
            target = self.assign_target(scope, cls.name)
            self.out.line(indent, "%s = %s" % (target, self.obj_expr(cls.name, scope, 1)))
            scope.bound.add(target)
            return None
        name, cls = obj
        field = self.pick(cls.fields)
        choices = ["%s.%s = %s" % (name, field, self.expr_of(NUM, scope, 1)),
                   "%s.%s += %s" % (name, field, self.num_leaf(scope)),
                   "del %s.%s" % (name, field),
                   "%s.LIMIT = %s" % (cls.name, self.expr_of(NUM, scope, 1)),
                   "%s.extra = %s" % (name, self.num_literal())]  # AttributeError with __slots__
        if scope.fields_only:
            self.out.line(indent, self.pick(choices))
            return None
        choices.append("print(%s, %s)" % (name, self.object_number(scope, 1)))
        if cls.properties:
            choices.append("%s.%s = %s" % (name, self.pick(cls.properties), self.expr_of(NUM, scope, 1)))
        if cls.methods and self.chance(0.3):
            self.out.line(indent, "print(%s)" % self.method_call(name, cls, scope, 2))
            return None
        if cls.has("add") and name.isidentifier():
            choices.append("%s = %s + %s" % (name, name, self.expr_of(NUM, scope, 2)))
        if cls.has("lt"):
            choices.append("print(sorted([%s, %s, %s]))" % (name, self.obj_expr(cls.name, scope, 2),
                                                            self.obj_expr(cls.name, scope, 2)))
        if cls.has("eq"):
            choices.append("print(%s == %s, %s != %s)" % (name, self.obj_expr(cls.name, scope, 2), name,
                                                           self.num_literal()))
        if cls.has("iter"):
            choices.append("print(list(%s), [w for w in %s if w])" % (name, name))
        if cls.has("hash"):
            choices.append("print(len({%s, %s}))" % (name, self.obj_expr(cls.name, scope, 2)))
        self.out.line(indent, self.pick(choices))
        return None

    def stmt_if(self, scope, indent):
        self.out.line(indent, "if %s:" % self.condition(scope))
        branches = [self.sub_block(scope, indent + 1)]
        for _ in range(self.weighted({0: 3, 1: 2, 2: 1})):
            self.out.line(indent, "elif %s:" % self.condition(scope))
            branches.append(self.sub_block(scope, indent + 1))
        if self.chance(0.6):
            self.out.line(indent, "else:")
            branches.append(self.sub_block(scope, indent + 1))
            scope.bound |= set.intersection(*branches) - scope.deleted

    def loop_trips(self, scope):
        """A trip count for a loop here, small inside other loops."""
        return self.pick((2, 3, 5, 8, 12) if scope.multiplier < 20 else (1, 2, 3))

    @staticmethod
    def loop_target(scope, name, kind, bound):
        """Makes `name` a loop variable of `kind`, bound in the loop body."""
        scope.kinds[name] = kind
        bound.append(name)
        return name

    def stmt_for(self, scope, indent):
        trips = self.loop_trips(scope)
        bound = []
        var = self.loop_target(scope, self.fresh("i"), NUM, bound)
        form = self.weighted({"range": 5, "list": 3, "enumerate": 2, "zip": 1, "str": 1, "dict": 1, "reversed": 1,
                              "generator": 2})
        if form != "range":
            trips = LIST_SLICE
        call = self.generator_call(scope, 1) if form == "generator" else None
        if form == "list":
            header = "for %s in %s:" % (var, self.iterable_list(scope, 1))
        elif form == "enumerate":
            value = self.loop_target(scope, self.fresh("i"), NUM, bound)
            header = "for %s, %s in enumerate(%s):" % (var, value, self.iterable_list(scope, 1))
        elif form == "zip":
            text = self.loop_target(scope, self.fresh("c"), STR, bound)
            header = "for %s, %s in zip(%s, %s):" % (var, text, self.iterable_list(scope, 1), self.str_expr(scope, 1))
        elif form == "str":
            scope.kinds[var] = STR
            header = "for %s in %s:" % (var, self.str_expr(scope, 1))
        elif form == "dict":
            key = self.loop_target(scope, self.fresh("c"), STR, bound)
            header = "for %s, %s in %s.items():" % (key, var, self.dict_expr(scope, 1))
        elif form == "reversed":
            header = "for %s in reversed(%s):" % (var, self.iterable_list(scope, 1))
        elif call:
            header = "for %s in %s:" % (var, call)
        else:
            header = "for %s in range(%s):" % (var, self.pick((str(trips), "%d, %d" % (-2, trips - 2),
                                                               "%d, 0, -1" % trips)))
        self.out.line(indent, header)
        self.sub_block(scope, indent + 1, bound=bound, multiplier=trips, loop_depth=scope.loop_depth + 1)
        if self.chance(0.3):
            self.out.line(indent, "else:")
            self.sub_block(scope, indent + 1)

    def stmt_while(self, scope, indent):
        trips = self.loop_trips(scope)
        counter = self.fresh("w")
        scope.kinds[counter] = NUM
        scope.readonly.add(counter)
        self.out.line(indent, "%s = 0" % counter)
        scope.bound.add(counter)
        condition = "%s < %d" % (counter, trips)
        if self.chance(0.4):
            condition += " and %s" % self.condition(scope, 1)
        self.out.line(indent, "while %s:" % condition)
        self.out.line(indent + 1, "%s += 1" % counter)
        self.sub_block(scope, indent + 1, multiplier=trips, loop_depth=scope.loop_depth + 1)
        if self.chance(0.3):
            self.out.line(indent, "else:")
            self.sub_block(scope, indent + 1)

    def stmt_try(self, scope, indent):
        if self.chance(0.15):
            return self.try_star(scope, indent)
        self.out.line(indent, "try:")
        self.sub_block(scope, indent + 1)
        handlers = self.rng.sample(HANDLER_TYPES, self.weighted({0: 1, 1: 4, 2: 2, 3: 1}))
        for handler in sorted(handlers, key=lambda h: h == "Exception"):
            exc = self.fresh("x") if self.chance(0.7) else None
            self.out.line(indent, "except %s%s:" % (handler, " as %s" % exc if exc else ""))
            if exc:
                self.out.line(indent + 1, "print('caught', type(%s).__name__, %s)" % (exc, exc))
            self.handler_body(scope, indent + 1, exc)
        if handlers and self.chance(0.3):
            self.out.line(indent, "else:")
            self.sub_block(scope, indent + 1)
        if not handlers or self.chance(0.4):
            self.out.line(indent, "finally:")
            self.sub_block(scope, indent + 1)
        return None

    def handler_body(self, scope, indent, exc):
        r = self.rng.random()
        if r < 0.12:
            self.out.line(indent, "raise")
        elif r < 0.22:
            cause = " from %s" % exc if exc and self.chance(0.7) else self.pick(("", " from None"))
            self.out.line(indent, "raise %s(%s)%s" % (self.pick(EXCEPTION_TYPES + tuple(self.exception_classes)),
                                                      self.expr_of(NUM, scope, 2), cause))
        else:
            self.sub_block(scope, indent)

    def try_star(self, scope, indent):
        self.out.line(indent, "try:")
        self.out.line(indent + 1, "if %s:" % self.condition(scope))
        self.out.line(indent + 2, "raise ExceptionGroup('group', [%s])" % self.exception_list(scope))
        self.sub_block(scope, indent + 1)
        for handler in self.rng.sample(("ValueError", "TypeError", "(KeyError, ZeroDivisionError)",
                                        "ArithmeticError", "Exception"), self.rng.randint(1, 2)):
            group = self.fresh("x")
            self.out.line(indent, "except* %s as %s:" % (handler, group))
            self.out.line(indent + 1, "print('caught*', repr(%s), [repr(e) for e in %s.exceptions])" % (group, group))
            if self.chance(0.2):
                self.out.line(indent + 1, "raise")
            else:
                self.sub_block(scope, indent + 1, in_except_star=True)
        if self.chance(0.3):
            self.out.line(indent, "finally:")
            self.sub_block(scope, indent + 1)

    def exception_list(self, scope):
        items = ["%s(%s)" % (self.pick(("ValueError", "TypeError", "KeyError", "ZeroDivisionError", "OverflowError")
                                       + tuple(self.exception_classes)), self.expr_of(NUM, scope, 2))
                 for _ in range(self.rng.randint(1, 3))]
        if self.chance(0.2):
            items.append("ExceptionGroup('inner', [ValueError('deep')])")
        return ", ".join(items)

    def stmt_with(self, scope, indent):
        name = self.fresh("c")
        scope.kinds[name] = NUM
        if self.chance(0.35):
            header = "with managed(%s) as %s:" % (self.expr_of(NUM, scope, 1), name)
        else:
            items = ["Ctx('%s', %s) as %s" % (name, self.pick(("True", "False", "False", "None")), name)]
            if self.chance(0.3):
                items.append("Ctx('%s2', False)" % name)
            header = "with %s:" % ", ".join(items)
        self.out.line(indent, header)
        self.sub_block(scope, indent + 1, bound=[name])

    def stmt_match(self, scope, indent):
        kind = self.pick((NUM, NUM, LIST, STR, DICT) + ((self.pick(self.classes).name,) if self.classes else ()))
        self.out.line(indent, "match %s:" % self.expr_of(kind, scope, 1))
        for _ in range(self.rng.randint(1, 4)):
            pattern, bound, guard = self.pattern(kind)
            scope.kinds.update(bound)
            if guard is None and self.chance(0.25):
                guard = self.condition(scope, 1)
            self.out.line(indent + 1, "case %s%s:" % (pattern, " if %s" % guard if guard else ""))
            self.sub_block(scope, indent + 2, bound=sorted(bound))
        if self.chance(0.6):
            self.out.line(indent + 1, "case _:")
            self.sub_block(scope, indent + 2)

    def pattern(self, kind):
        """A refutable pattern for a subject of `kind`: (pattern, {name:
        kind} it binds, guard or None)."""
        capture, rest = self.fresh("m"), self.fresh("m")
        if kind == NUM:
            return self.pick((
                ("%s | %s" % (self.pick(("0", "1", "-1", "True", "None")), self.pick(("2", "3.5", "(-7)"))), {}, None),
                ("int(%s)" % capture, {capture: NUM}, "%s > 3" % capture),
                ("float(%s)" % capture, {capture: NUM}, None),
                ("bool()", {}, None),
                ("complex() as %s" % capture, {capture: NUM}, None),
                ("(1 | 2 | 3) as %s" % capture, {capture: NUM}, None),
            ))
        if kind == LIST:
            return self.pick((
                ("[]", {}, None),
                ("[%s]" % capture, {capture: NUM}, None),
                ("[%s, *%s]" % (capture, rest), {capture: NUM, rest: LIST}, None),
                ("[0 | 1, %s, *_]" % capture, {capture: NUM}, None),
                ("(%s, _)" % capture, {capture: NUM}, None),
                ("[*%s, 3]" % rest, {rest: LIST}, None),
            ))
        if kind == STR:
            return self.pick((("'abc' | 'a'", {}, None), ("str(%s)" % capture, {capture: STR}, "len(%s) > 3" % capture),
                              ("''", {}, None)))
        if kind == DICT:
            return self.pick((("{'a': %s}" % capture, {capture: NUM}, None),
                              ("{'b': 1 | 2, **%s}" % rest, {rest: DICT}, None), ("{}", {}, None)))
        cls = self.class_named(kind)
        field = self.pick(cls.fields)
        return self.pick((
            ("%s(%s=%s)" % (cls.name, field, capture), {capture: NUM}, None),
            ("%s(%s)" % (cls.name, capture), {capture: NUM}, None),
            ("%s(%s=0 | 1)" % (cls.name, field), {}, None),
            ("%s()" % self.pick(self.classes).name, {}, None),
        ))

    def stmt_raise(self, scope, indent):
        self.out.line(indent, "if %s:" % self.condition(scope))
        if self.chance(0.15):
            value = "ExceptionGroup('raised', [%s])" % self.exception_list(scope)
        else:
            value = "%s(%s)" % (self.pick(EXCEPTION_TYPES + tuple(self.exception_classes)),
                                self.expr_of(self.pick((NUM, STR)), scope, 2))
        cause = ""
        if self.chance(0.25):
            cause = " from %s" % self.pick(("None", "ValueError('cause')", "KeyError(%s)" % self.num_literal()))
        self.out.line(indent + 1, "raise %s%s" % (value, cause))

    def stmt_assert(self, scope, indent):
        self.out.line(indent, "assert %s, %s" % (self.condition(scope), self.str_expr(scope, 2)))

    def stmt_del(self, scope, indent):
        """Deletes a local; in a loop, the next turn may read it unbound."""
        names = sorted(n for n in scope.bound if n not in scope.readonly and n in scope.kinds)
        if not names:
            return self.stmt_assign(scope, indent)
        name = self.pick(names)
        self.out.line(indent, "del %s" % name)
        scope.bound.discard(name)
        scope.deleted.add(name)
        return None

    def stmt_global(self, scope, indent):
        name = self.pick([g for g, k in self.globals.items() if k == NUM])
        scope.global_writes.add(name)
        self.out.line(indent, "%s = %s" % (name, self.expr_of(NUM, scope, 1)))

    def stmt_closure(self, scope, indent):
        """A nested function reading locals of this one as free variables
        (and maybe rebinding one, nonlocal), called right away."""
        fn = FunctionInfo(self.fresh("inner"), [(self.fresh("a"), NUM)], NUM, "nested")
        inner = Scope(fn, enclosing=scope)
        writable = [n for n in scope.names_of(NUM) if n not in scope.readonly]
        self.out.line(indent, "def %s(%s):" % (fn.name, fn.params[0][0]))
        inner.kinds[fn.params[0][0]] = NUM
        inner.bound.add(fn.params[0][0])
        if writable and self.chance(0.6):
            name = self.pick(writable)
            inner.kinds[name] = NUM
            inner.bound.add(name)
            self.out.line(indent + 1, "nonlocal %s" % name)
        self.function_body(fn, inner, indent + 1, statements=self.rng.randint(1, 4))
        scope.kinds[fn.name] = "function"
        scope.bound.add(fn.name)
        calls = self.rng.randint(1, 3)
        for _ in range(calls):
            self.out.line(indent, "print('%s', %s(%s))" % (fn.name, fn.name, self.expr_of(NUM, scope, 2)))
        scope.cost += scope.multiplier * fn.cost * calls

    def stmt_exec(self, scope, indent):
        r = self.rng.random()
        if r < 0.35:
            inner = Scope(scope.function)
            inner.kinds.update({"a": NUM, "b": NUM})
            inner.bound.update(("a", "b"))
            text = self.num_expr(inner, 1)
            scope.cost += inner.cost + scope.multiplier * SOURCE_EXEC_COST
            self.out.line(indent, "print('eval', eval(%r, {**globals(), 'a': %s, 'b': %s}))" % (
                text, self.expr_of(NUM, scope, 2), self.expr_of(NUM, scope, 2)))
        elif r < 0.6:
            names = scope.names_of(NUM)
            scope.cost += scope.multiplier * SOURCE_EXEC_COST
            if names:
                # reads the frame's locals (or free variables) through locals()
                self.out.line(indent, "print('eval locals', eval(%r))" % ("%s * 2" % self.pick(names)))
            else:
                self.out.line(indent, "print('eval', eval('[x * 2 for x in range(3)]'))")
        elif r < 0.75:
            name = self.pick([g for g, k in self.globals.items() if k == NUM])
            self.out.line(indent, "exec(%r, globals())" % ("%s = fold(%s * 3 + 1)" % (name, name)))
            scope.cost += scope.multiplier * SOURCE_EXEC_COST
        else:
            self.out.line(indent, "namespace = dict(globals())")
            self.out.line(indent, "exec(%r, namespace)" % self.exec_program())
            self.out.line(indent, "print('exec', namespace['result'])")
            scope.cost += scope.multiplier * SOURCE_EXEC_COST * 2

    def exec_program(self):
        """Source for exec: a function defined and called in a copy of the
        program's globals."""
        saved_out, saved_functions = self.out, self.functions
        self.out, self.functions, self.in_exec = Emitter(), [], True
        fn = FunctionInfo("h", [("a", NUM), ("b", NUM)], NUM, "exec")
        self.out.line(0, "def h(a, b):")
        inner = Scope(fn)
        inner.kinds.update({"a": NUM, "b": NUM})
        inner.bound.update(("a", "b"))
        self.function_body(fn, inner, 1, statements=self.rng.randint(1, 4))
        self.out.line(0, "result = [h(i, i * 0.5) for i in range(4)]")
        text = self.out.text()
        self.out, self.functions, self.in_exec = saved_out, saved_functions, False
        return text

    def stmt_call(self, scope, indent):
        closures = scope.names_of("function")
        if closures and self.chance(0.4):
            # again, after the free variables it reads may have changed or been deleted
            name = self.pick(closures)
            self.out.line(indent, "print(%r, %s(%s))" % (name, name, self.expr_of(NUM, scope, 2)))
            return None
        kind = self.pick((NUM, STR, LIST))
        call = self.call_expr(scope, kind)
        if call is None:
            return self.stmt_print(scope, indent)
        self.out.line(indent, "print(%r, %s)" % (call.partition("(")[0], call))
        return None

    def stmt_return(self, scope, indent):
        fn = scope.function
        kind = NUM if fn.flavour == "generator" else fn.returns
        self.out.line(indent, "return %s" % self.expr_of(kind, scope, 1))

    def stmt_break(self, scope, indent):
        self.out.line(indent, "if %s:" % self.condition(scope))
        self.out.line(indent + 1, self.pick(("break", "continue")))

    def stmt_yield(self, scope, indent):
        if self.chance(0.2):
            sent = self.assign_target(scope, NUM)
            self.out.line(indent, "%s = yield %s" % (sent, self.expr_of(NUM, scope, 1)))
            self.out.line(indent, "if %s is None:" % sent)
            self.out.line(indent + 1, "%s = %s" % (sent, self.num_literal()))
            scope.bound.add(sent)
            return
        call = self.generator_call(scope, 2) if self.chance(0.2) else None
        if call:
            target = self.assign_target(scope, NUM)
            self.out.line(indent, "%s = yield from %s" % (target, call))
            self.out.line(indent, "print('yield from returned', %s)" % target)
            scope.bound.add(target)
            return
        self.out.line(indent, "yield %s" % self.expr_of(NUM, scope, 1))

    def stmt_class(self, scope, indent):
        """A class defined in the function body, reading a local of the
        function from its body and from a method."""
        names = scope.names_of(NUM)
        if not names:
            return self.stmt_assign(scope, indent)
        name = self.fresh("K")
        free = self.pick(names)
        self.out.line(indent, "class %s:" % name)
        self.out.line(indent + 1, "attr = %s" % free)
        self.out.line(indent + 1, "def get(self):")
        self.out.line(indent + 2, "return %s + self.attr" % free)
        target = self.assign_target(scope, NUM)
        self.out.line(indent, "%s = fold(%s().get() + %s.attr)" % (target, name, name))
        scope.bound.add(target)
        scope.cost += scope.multiplier * CLASS_COST
        return None

    # ------------------------------------------------------------ functions

    def emit_body(self, scope, indent, emit):
        """Runs `emit` (which writes a function body at `indent`) and writes
        its lines after the ``global`` declaration the body needs."""
        body = Emitter()
        saved, self.out = self.out, body
        emit()
        self.out = saved
        if scope.global_writes:
            self.out.line(indent, "global %s" % ", ".join(sorted(scope.global_writes)))
        self.out.lines.extend(body.lines)
        scope.function.cost = max(scope.cost, 1)

    def function_body(self, fn, scope, indent, statements):
        """Emits the body of `fn` after its header: statements and a final
        return of its kind (a generator yields first)."""
        def emit():
            scope.statements_left = statements
            if fn.flavour == "generator":
                self.out.line(indent, "yield %s" % self.expr_of(NUM, scope, 1))
            self.block(scope, indent, count=statements)
            self.stmt_return(scope, indent)
        self.emit_body(scope, indent, emit)

    def signature(self, fn, scope):
        """Binds `fn`'s parameters in `scope` and returns its parameter list."""
        params = []
        for name, kind in fn.params:
            scope.kinds[name] = NUM if kind == DEPTH else kind
            scope.bound.add(name)
            params.append("%s=%s" % (name, self.num_literal()) if name.endswith("_d") else name)
        return params

    def parameters(self, flavour):
        params = []
        for _ in range(self.rng.randint(1 if flavour == "recursive" else 0, 3)):
            kinds = {NUM: 10, STR: 1, LIST: 2, DICT: 1, **{c.name: 2 for c in self.classes}}
            params.append((self.fresh("a"), self.weighted(kinds)))
        if self.chance(0.2):
            params.append((self.fresh("a") + "_d", NUM))
        return params

    def emit_function(self, flavour):
        fn = FunctionInfo(self.fresh("f"), self.parameters(flavour), self.weighted({NUM: 8, STR: 2, LIST: 2}),
                          flavour)
        self.out.blank(2)
        if flavour == "recursive":
            self.emit_recursive(fn)
        elif flavour == "closure":
            self.emit_closure_factory(fn)
        else:
            scope = Scope(fn)
            params = self.signature(fn, scope)
            if flavour == "plain":
                params += self.extra_parameters(fn, scope)
            self.out.line(0, "def %s(%s):" % (fn.name, ", ".join(params)))
            self.function_body(fn, scope, 1, statements=self.rng.randint(3, 10))
        self.functions.append(fn)

    def extra_parameters(self, fn, scope):
        """``*args``, keyword-only parameters and ``**kwargs`` for `fn`."""
        params = []
        if self.chance(0.3):
            fn.varargs = self.fresh("rest")
            scope.kinds[fn.varargs] = LIST  # a tuple: list methods on it raise, which is fine
            scope.bound.add(fn.varargs)
            params.append("*" + fn.varargs)
        if self.chance(0.2):
            if fn.varargs is None:
                params.append("*")
            keyword = self.fresh("kw")
            fn.keyword_only.append(keyword)
            scope.kinds[keyword] = NUM
            scope.bound.add(keyword)
            params.append("%s=%s" % (keyword, self.num_literal()))
        if self.chance(0.15):
            fn.kwargs = self.fresh("options")
            scope.kinds[fn.kwargs] = DICT
            scope.bound.add(fn.kwargs)
            params.append("**" + fn.kwargs)
        return params

    def emit_recursive(self, fn):
        """f(n, ...): returns at n <= 0, else recurses on n - 1 (and maybe
        n - 2 as well), so the n passed bounds the work."""
        fn.returns = NUM
        depth = fn.params[0][0]
        fn.params[0] = (depth, DEPTH)
        scope = Scope(fn)
        self.out.line(0, "def %s(%s):" % (fn.name, ", ".join(self.signature(fn, scope))))
        scope.readonly.add(depth)
        twice = self.chance(0.3)

        def emit():
            self.out.line(1, "if %s <= 0:" % depth)
            self.out.line(2, "return %s" % self.expr_of(NUM, scope, 1))
            scope.statements_left = self.rng.randint(1, 5)
            self.block(scope, 1)
            others = "".join(", " + self.expr_of(kind, scope, 2) for _, kind in fn.params[1:])
            call = "%s(%s - 1%s)" % (fn.name, depth, others)
            if twice:
                call += " + %s(%s - 2%s)" % (fn.name, depth, others)
            self.out.line(1, "return fold(%s + %s)" % (call, self.num_expr(scope, 2)))
        self.emit_body(scope, 1, emit)
        # calls for n up to 6: 7 frames, or about 2**6 when it recurses twice
        fn.cost *= 64 if twice else 7

    def emit_closure_factory(self, fn):
        """make(...) returns a closure over a counter it rebinds (nonlocal)
        and over the factory's parameters; the driver calls the closure."""
        scope = Scope(fn)
        self.out.line(0, "def %s(%s):" % (fn.name, ", ".join(self.signature(fn, scope))))
        counter = self.fresh("count")
        closure = FunctionInfo(self.fresh("step"), [(self.fresh("a"), NUM)], NUM, "nested")
        fn.closure = closure

        def emit():
            scope.kinds[counter] = NUM
            scope.bound.add(counter)
            self.out.line(1, "%s = %s" % (counter, self.num_literal()))
            scope.statements_left = self.rng.randint(0, 3)
            if scope.statements_left:
                self.block(scope, 1)
            inner = Scope(closure, enclosing=scope)
            param = closure.params[0][0]
            inner.kinds.update({counter: NUM, param: NUM})
            inner.bound.update((counter, param))
            self.out.line(1, "def %s(%s):" % (closure.name, param))
            self.out.line(2, "nonlocal %s" % counter)
            self.out.line(2, "%s = fold(%s + %s)" % (counter, counter, param))
            self.function_body(closure, inner, 2, statements=self.rng.randint(1, 5))
            self.out.line(1, "return %s" % closure.name)
        self.emit_body(scope, 1, emit)

    # ------------------------------------------------------------ classes

    def emit_exception_class(self):
        name = self.fresh("Error")
        out = self.out
        out.blank(2)
        out.line(0, "class %s(%s):" % (name, self.pick(("Exception", "ValueError", "LookupError", "ArithmeticError"))))
        out.line(1, "def __init__(self, code=0):")
        out.line(2, "super().__init__('code %r' % (code,))")
        out.line(2, "self.code = code")
        if self.chance(0.5):
            out.blank()
            out.line(1, "def __str__(self):")
            out.line(2, "return '%s(%%r)' %% (self.code,)" % name)
        self.exception_classes.append(name)

    def emit_number_class(self, base):
        """A subclass of int or float overriding some operators: compiled
        fast paths for int and float must not take it."""
        name = self.fresh("Int" if base == "int" else "Float")
        out = self.out
        out.blank(2)
        out.line(0, "class %s(%s):" % (name, base))
        out.line(1, "def __repr__(self):")
        out.line(2, "return '%s(%%r)' %% (%s(self),)" % (name, base))
        overrides = {
            "__add__": ["r = {base}.__add__(self, other)", "return r if r is NotImplemented else {name}(r + 1)"],
            "__sub__": ["return {base}.__sub__(other, self)"],
            "__mul__": ["r = {base}.__mul__(self, other)", "return r if r is NotImplemented else {name}(r)"],
            "__lt__": ["return {base}.__gt__(self, other)"],
            "__eq__": ["r = {base}.__eq__(self, other)", "return r if r is NotImplemented else r or other == 'eq'"],
            "__truediv__": ["raise ZeroDivisionError('{name} refuses to divide')"],
        }
        for method in self.rng.sample(sorted(overrides), self.rng.randint(1, 4)):
            out.blank()
            out.line(1, "def %s(self, other):" % method)
            for line in overrides[method]:
                out.line(2, line.format(base=base, name=name))
            if method == "__eq__":
                out.blank()
                out.line(1, "__hash__ = %s.__hash__" % base)
        self.number_classes.append((name, base))

    def emit_class(self):
        name = self.fresh("C")
        base = self.pick(self.classes) if self.classes and self.chance(0.4) else None
        taken = base.fields if base else []
        own_fields = [f for f in self.rng.sample(("x", "y", "z", "w"), self.rng.randint(1, 2)) if f not in taken]
        own_fields = own_fields or [self.fresh("u")]
        cls = ClassInfo(name, base, taken + own_fields)
        out = self.out
        out.blank(2)
        out.line(0, "class %s%s:" % (name, "(%s)" % base.name if base else ""))
        if self.chance(0.4) and (base is None or base.has("slots")):
            cls.protocols.add("slots")
            out.line(1, "__slots__ = (%s)" % "".join("'%s', " % f for f in own_fields))
        out.line(1, "__match_args__ = (%s)" % "".join("'%s', " % f for f in cls.fields))
        out.line(1, "LIMIT = %s" % self.num_literal())
        out.blank()
        out.line(1, "def __init__(self, %s):" % ", ".join(cls.fields))
        if base:
            out.line(2, "super().__init__(%s)" % ", ".join(base.fields))
        for field in own_fields:
            out.line(2, "self.%s = %s" % (field, field))
        out.blank()
        out.line(1, "def __repr__(self):")
        out.line(2, "return '%s(%s)' %% (%s,)" % (name, ", ".join("%r" for _ in cls.fields),
                                                 ", ".join("self.%s" % f for f in cls.fields)))
        self.classes.append(cls)
        for protocol in self.rng.sample(CLASS_PROTOCOLS, self.rng.randint(1, 4)):
            out.blank()
            self.emit_protocol(cls, protocol)

    def member_scope(self, cls, function, params=(), fields_only=True):
        """The scope of a method of `cls` taking numbers `params`.  Only
        plain methods that override nothing may use objects' methods,
        properties and protocols: the others (properties, __call__,
        overriding methods) are used by them, and a cycle would never end."""
        scope = Scope(function, cls=cls)
        scope.fields_only = fields_only
        scope.kinds.update({"self": cls.name, **{p: NUM for p in params}})
        scope.bound.update(("self",) + tuple(params))
        return scope

    def emit_protocol(self, cls, protocol):
        out = self.out
        first = cls.fields[0]
        methods, cls.methods = cls.methods, []  # see member_scope
        member = FunctionInfo(protocol, [], NUM, "method")
        if protocol == "property":
            prop = self.fresh("p")
            out.line(1, "@property")
            out.line(1, "def %s(self):" % prop)
            out.line(2, "return %s" % self.expr_of(NUM, self.member_scope(cls, member), 2))
            out.blank()
            out.line(1, "@%s.setter" % prop)
            out.line(1, "def %s(self, value):" % prop)
            out.line(2, "if value %s %s:" % (self.pick(COMPARISONS), self.num_literal()))
            out.line(3, "raise ValueError('bad %s: %%r' %% (value,))" % prop)
            out.line(2, "self.%s = value" % first)
            cls.properties.append(prop)
        elif protocol == "method":
            methods = self.emit_method(cls, methods)
        elif protocol == "add":
            out.line(1, "def __add__(self, other):")
            out.line(2, "if isinstance(other, %s):" % cls.name)
            out.line(3, "other = other.%s" % first)
            out.line(2, "return %s(%s)" % (cls.name, ", ".join(
                "fold(self.%s + other)" % f if f == first else "self.%s" % f for f in cls.fields)))
            out.blank()
            out.line(1, "__radd__ = __add__")
        elif protocol == "eq":
            out.line(1, "def __eq__(self, other):")
            out.line(2, "if not isinstance(other, %s):" % cls.name)
            out.line(3, "return NotImplemented")
            out.line(2, "return self.%s == other.%s" % (first, first))
            if self.chance(0.6):
                out.blank()
                out.line(1, "def __hash__(self):")
                out.line(2, "return hash(repr(self.%s))" % first)
                cls.protocols.add("hash")
            else:
                cls.protocols.discard("hash")
        elif protocol == "lt":
            out.line(1, "def __lt__(self, other):")
            out.line(2, "return self.%s < other.%s" % (first, first))
        elif protocol == "len":
            out.line(1, "def __len__(self):")
            out.line(2, "return int(abs(self.%s)) %% 7" % first)
        elif protocol == "getitem":
            out.line(1, "def __getitem__(self, key):")
            out.line(2, "if isinstance(key, int) and key > 3:")
            out.line(3, "raise IndexError(key)")
            out.line(2, "return fold(self.%s * key)" % first)
        elif protocol == "iter":
            out.line(1, "def __iter__(self):")
            for f in cls.fields:
                out.line(2, "yield self.%s" % f)
        elif protocol == "contains":
            out.line(1, "def __contains__(self, item):")
            out.line(2, "return item in (%s)" % "".join("self.%s, " % f for f in cls.fields))
        elif protocol == "bool":
            out.line(1, "def __bool__(self):")
            out.line(2, "return bool(self.%s)" % first)
        elif protocol == "index":
            out.line(1, "def __index__(self):")
            out.line(2, "return int(self.%s) %% 4" % first)
        elif protocol == "call":
            out.line(1, "def __call__(self, arg):")
            out.line(2, "return %s" % self.expr_of(NUM, self.member_scope(cls, member, ("arg",)), 2))
        elif protocol == "getattr":
            out.line(1, "def __getattr__(self, name):")
            out.line(2, "if name.startswith('_'):")
            out.line(3, "raise AttributeError(name)")
            out.line(2, "return len(name)")
        elif protocol == "setattr":
            out.line(1, "def __setattr__(self, name, value):")
            out.line(2, "if name == 'extra':")
            out.line(3, "raise AttributeError('no extra on %s')" % cls.name)
            out.line(2, "super().__setattr__(name, value)")
        elif protocol == "factory":
            out.line(1, "@classmethod")
            out.line(1, "def make(cls, seed):")
            out.line(2, "return cls(%s)" % ", ".join("seed" for _ in cls.fields))
            out.blank()
            out.line(1, "@staticmethod")
            out.line(1, "def twice(v):")
            out.line(2, "return v * 2")
        cls.methods = methods
        if protocol not in ("method", "property", "getattr", "setattr"):
            cls.protocols.add(protocol)

    def emit_method(self, cls, methods):
        """A plain method taking a number, maybe overriding the base's (and
        calling it through super()); returns the class's methods after it."""
        method = FunctionInfo(self.fresh("m"), [(self.fresh("a"), NUM)], NUM, "method")
        param = method.params[0][0]
        inherited = [m for m in methods if cls.base and m in cls.base.methods]
        overrides = bool(inherited) and self.chance(0.5)
        if overrides:
            method.name = self.pick(inherited).name
        else:
            cls.methods = methods  # a new method may call the others
        scope = self.member_scope(cls, method, (param,), fields_only=overrides)
        self.out.line(1, "def %s(self, %s):" % (method.name, param))
        if overrides:
            target = self.fresh("v")
            self.out.line(2, "%s = super().%s(%s)" % (target, method.name, param))
            scope.kinds[target] = NUM
            scope.bound.add(target)
        self.function_body(method, scope, 2, statements=self.rng.randint(1, 4))
        return [m for m in methods if m.name != method.name] + [method]

    # ------------------------------------------------------------ driver and finale

    def emit_recursion_limit_probe(self):
        """Recursion to the limit: RecursionError at CPython's depth."""
        out = self.out
        out.blank(2)
        out.line(0, "def deep(n):")
        out.line(1, "global DEPTH")
        out.line(1, "DEPTH = n")
        out.line(1, "return deep(n + 1) %s 1" % self.pick(("+", "*", "-")))
        out.blank(2)
        out.line(0, "try:")
        out.line(1, "deep(0)")
        out.line(0, "except RecursionError as exc:")
        out.line(1, "print('recursion', DEPTH, exc)")

    def emit_driver(self):
        """Calls every function in a loop, with argument tuples that cycle
        or change in phases, reporting each result or exception that
        differs from the one before."""
        out = self.out
        in_main = self.chance(0.5)
        indent = 1 if in_main else 0
        out.blank(2)
        if in_main:
            out.line(0, "def main():")
        hot = min(self.functions, key=lambda fn: fn.cost + (fn.closure.cost * 3 if fn.closure else 0))
        for fn in self.functions:
            self.emit_driver_loop(fn, indent, hot=fn is hot)
        if self.chance(0.3):
            self.emit_global_rebinding(indent)
        if in_main:
            out.blank(2)
            out.line(0, "main()")

    def driver_arguments(self, fn):
        return "(%s)" % "".join(self.literal_of(kind) + ", " for _, kind in fn.params)

    def emit_driver_loop(self, fn, indent, hot):
        out = self.out
        table = self.fresh("args")
        rows = [self.driver_arguments(fn) for _ in range(self.rng.randint(1, 4))]
        out.line(indent, "%s = [%s]" % (table, ", ".join(rows)))
        per_call = fn.cost + (fn.closure.cost * 3 if fn.closure else 0)
        if hot:
            trips = max(1, min(HOT_TRIPS, HOT_COST_LIMIT // per_call))
        else:
            trips = max(1, min(self.pick((1, 3, 10, 40, 150, 400)), DRIVER_COST_LIMIT // per_call))
        if self.chance(0.6):
            row = "k %% %d" % len(rows)
        else:
            row = "k * %d // %d" % (len(rows), trips)  # phases: each row for a stretch of calls
        out.line(indent, "for k in range(%d):" % trips)
        out.line(indent + 1, "try:")
        call = "%s(*copied(%s[%s]))" % (fn.name, table, row)
        if fn.flavour == "generator":
            consume = self.pick(("list(%s)", "sum(1 for _ in %s)", "drive_generator(%s)"))
            out.line(indent + 2, "report.value(%r, k, %s)" % (fn.name, consume % call))
        elif fn.closure:
            out.line(indent + 2, "step = %s" % call)
            out.line(indent + 2, "report.value(%r, k, [step(j) for j in (1, 2.5, -3)])" % fn.name)
        else:
            out.line(indent + 2, "report.value(%r, k, %s)" % (fn.name, call))
        out.line(indent + 1, "except Exception as exc:")
        out.line(indent + 2, "report.error(%r, k, exc)" % fn.name)

    def emit_global_rebinding(self, indent):
        """A global changes type, disappears and comes back between calls,
        and a global shadows a builtin for a while: compiled reads of
        globals must notice."""
        out = self.out
        name = self.pick([g for g, k in self.globals.items() if k == NUM])
        builtin = self.pick(("abs", "len", "max", "round", "isinstance", "int"))
        if indent:
            out.line(indent, "global %s, %s" % (name, builtin))
        # (None, not a string: a string times a big int would take gigabytes)
        for change in ("%s = %s" % (name, self.num_literal()), "%s = None" % name, "del %s" % name,
                       "%s = %s" % (name, self.num_literal()), "%s = lambda *args: -1" % builtin, "del %s" % builtin):
            out.line(indent, change)
            for fn in self.functions[:2]:
                call = "%s(*%s)" % (fn.name, self.driver_arguments(fn))
                if fn.flavour == "generator":
                    call = "list(%s)" % call
                elif fn.closure:
                    call += "(1)"
                out.line(indent, "try:")
                out.line(indent + 1, "print('rebound', %r, %s)" % (fn.name, call))
                out.line(indent, "except Exception as exc:")
                out.line(indent + 1, "print('rebound', %r, type(exc).__name__, exc)" % fn.name)

    def emit_finale(self):
        """An exception that escapes the program: chained through handlers
        and functions, or a group, so that the traceback CPython prints at
        exit is compared too."""
        out = self.out
        names = [self.fresh("final") for _ in range(self.rng.randint(1, 3))]
        for level, name in enumerate(names):
            out.blank(2)
            out.line(0, "def %s(n):" % name)
            if level == 0:
                kind = self.pick(EXCEPTION_TYPES + tuple(self.exception_classes))
                if self.chance(0.25):
                    out.line(1, "raise ExceptionGroup('final', [%s(n), TypeError('t'), "
                                "ExceptionGroup('nested', [KeyError(n)])])" % kind)
                else:
                    out.line(1, "values = [n, n * 2]")
                    out.line(1, "return values[n] + %s" % self.pick(("1 / (n - n)", "int('x%d' % n)", "{}['k']",
                                                                        "undefined_name", "n.attr", "(n,)[5]")))
                continue
            below = names[level - 1]
            form = self.pick(("plain", "context", "cause", "finally"))
            if form == "plain":
                out.line(1, "return %s(n + 1) * 2" % below)
            elif form == "finally":
                out.line(1, "try:")
                out.line(2, "return %s(n + 1)" % below)
                out.line(1, "finally:")
                out.line(2, "print('finally at level', %d)" % level)
            else:
                out.line(1, "try:")
                out.line(2, "%s(n + 1)" % below)
                out.line(1, "except Exception as exc:")
                out.line(2, "raise RuntimeError('level %d')%s" % (level, " from exc" if form == "cause" else ""))
        out.blank(2)
        out.line(0, "%s(%d)" % (names[-1], self.rng.randint(0, 1)))
