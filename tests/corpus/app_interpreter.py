# A realistic program: a tokenizer, recursive-descent parser and tree-walking
# interpreter for a tiny language (integers, strings, variables, arithmetic,
# comparisons, if/while, functions with recursion and closures, lists),
# followed by a compiler of the same AST to a stack-machine bytecode and a
# VM loop -- lots of classes, dict dispatch, isinstance chains, recursion,
# exceptions for control flow (return) and for errors (with line numbers),
# and an uncaught interpreter error at the end.


class LangError(Exception):
    def __init__(self, msg, line):
        super().__init__("line %d: %s" % (line, msg))
        self.line = line


class Token:
    __slots__ = ("kind", "value", "line")

    def __init__(self, kind, value, line):
        self.kind, self.value, self.line = kind, value, line

    def __repr__(self):
        return "%s:%r" % (self.kind, self.value)


KEYWORDS = {"let", "fn", "if", "else", "while", "return", "print"}
OPERATORS = ["==", "!=", "<=", ">=", "&&", "||", "+", "-", "*", "/", "%", "<", ">", "=",
             "(", ")", "{", "}", "[", "]", ",", ";"]


def tokenize(src):
    tokens, i, line = [], 0, 1
    while i < len(src):
        c = src[i]
        if c == "\n":
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif c == "#":
            while i < len(src) and src[i] != "\n":
                i += 1
        elif c.isdigit():
            j = i
            while j < len(src) and src[j].isdigit():
                j += 1
            tokens.append(Token("num", int(src[i:j]), line))
            i = j
        elif c.isalpha() or c == "_":
            j = i
            while j < len(src) and (src[j].isalnum() or src[j] == "_"):
                j += 1
            word = src[i:j]
            tokens.append(Token("kw" if word in KEYWORDS else "name", word, line))
            i = j
        elif c == '"':
            j = src.index('"', i + 1)
            tokens.append(Token("str", src[i + 1:j], line))
            i = j + 1
        else:
            for op in OPERATORS:
                if src.startswith(op, i):
                    tokens.append(Token("op", op, line))
                    i += len(op)
                    break
            else:
                raise LangError("unexpected character %r" % c, line)
    tokens.append(Token("eof", None, line))
    return tokens


class Parser:
    PRECEDENCE = [("||",), ("&&",), ("==", "!="), ("<", "<=", ">", ">="), ("+", "-"),
                  ("*", "/", "%")]

    def __init__(self, tokens):
        self.tokens = tokens
        self.pos = 0

    def peek(self):
        return self.tokens[self.pos]

    def next(self):
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def expect(self, kind, value=None):
        tok = self.next()
        if tok.kind != kind or (value is not None and tok.value != value):
            raise LangError("expected %s %r, got %r" % (kind, value, tok.value), tok.line)
        return tok

    def at(self, kind, value=None):
        tok = self.peek()
        return tok.kind == kind and (value is None or tok.value == value)

    def program(self):
        stmts = []
        while not self.at("eof"):
            stmts.append(self.statement())
        return ("block", stmts)

    def block(self):
        self.expect("op", "{")
        stmts = []
        while not self.at("op", "}"):
            stmts.append(self.statement())
        self.expect("op", "}")
        return ("block", stmts)

    def statement(self):
        tok = self.peek()
        if self.at("kw", "let"):
            self.next()
            name = self.expect("name").value
            self.expect("op", "=")
            value = self.expression()
            self.expect("op", ";")
            return ("let", name, value, tok.line)
        if self.at("kw", "fn"):
            self.next()
            name = self.expect("name").value
            self.expect("op", "(")
            params = []
            while not self.at("op", ")"):
                params.append(self.expect("name").value)
                if not self.at("op", ")"):
                    self.expect("op", ",")
            self.expect("op", ")")
            return ("fn", name, params, self.block(), tok.line)
        if self.at("kw", "if"):
            self.next()
            cond = self.expression()
            then = self.block()
            other = None
            if self.at("kw", "else"):
                self.next()
                other = self.block()
            return ("if", cond, then, other, tok.line)
        if self.at("kw", "while"):
            self.next()
            return ("while", self.expression(), self.block(), tok.line)
        if self.at("kw", "return"):
            self.next()
            value = self.expression()
            self.expect("op", ";")
            return ("return", value, tok.line)
        if self.at("kw", "print"):
            self.next()
            value = self.expression()
            self.expect("op", ";")
            return ("print", value, tok.line)
        if self.at("name") and self.tokens[self.pos + 1].value == "=":
            name = self.next().value
            self.next()
            value = self.expression()
            self.expect("op", ";")
            return ("assign", name, value, tok.line)
        expr = self.expression()
        self.expect("op", ";")
        return ("expr", expr, tok.line)

    def expression(self, level=0):
        if level == len(self.PRECEDENCE):
            return self.unary()
        left = self.expression(level + 1)
        while self.peek().kind == "op" and self.peek().value in self.PRECEDENCE[level]:
            op = self.next()
            right = self.expression(level + 1)
            left = ("binop", op.value, left, right, op.line)
        return left

    def unary(self):
        if self.at("op", "-"):
            tok = self.next()
            return ("neg", self.unary(), tok.line)
        return self.postfix(self.primary())

    def postfix(self, node):
        while True:
            if self.at("op", "("):
                tok = self.next()
                args = []
                while not self.at("op", ")"):
                    args.append(self.expression())
                    if not self.at("op", ")"):
                        self.expect("op", ",")
                self.expect("op", ")")
                node = ("call", node, args, tok.line)
            elif self.at("op", "["):
                tok = self.next()
                index = self.expression()
                self.expect("op", "]")
                node = ("index", node, index, tok.line)
            else:
                return node

    def primary(self):
        tok = self.next()
        if tok.kind in ("num", "str"):
            return ("const", tok.value)
        if tok.kind == "name":
            return ("var", tok.value, tok.line)
        if tok.kind == "op" and tok.value == "(":
            e = self.expression()
            self.expect("op", ")")
            return e
        if tok.kind == "op" and tok.value == "[":
            items = []
            while not self.at("op", "]"):
                items.append(self.expression())
                if not self.at("op", "]"):
                    self.expect("op", ",")
            self.expect("op", "]")
            return ("list", items)
        raise LangError("unexpected token %r" % (tok.value,), tok.line)


class ReturnSignal(Exception):
    def __init__(self, value):
        self.value = value


class Env:
    def __init__(self, parent=None):
        self.vars = {}
        self.parent = parent

    def lookup(self, name, line):
        env = self
        while env is not None:
            if name in env.vars:
                return env
            env = env.parent
        raise LangError("undefined variable %r" % name, line)

    def get(self, name, line):
        return self.lookup(name, line).vars[name]

    def set(self, name, value, line):
        self.lookup(name, line).vars[name] = value


class Function:
    def __init__(self, name, params, body, env):
        self.name, self.params, self.body, self.env = name, params, body, env


BUILTINS = {
    "len": lambda args: len(args[0]),
    "str": lambda args: str(args[0]),
    "push": lambda args: args[0].append(args[1]) or args[0],
}


class Interpreter:
    def __init__(self, out):
        self.out = out
        self.steps = 0

    def run(self, src):
        tree = Parser(tokenize(src)).program()
        env = Env()
        self.execute(tree, env)
        return env

    def execute(self, node, env):
        self.steps += 1
        kind = node[0]
        if kind == "block":
            for stmt in node[1]:
                self.execute(stmt, env)
        elif kind == "let":
            env.vars[node[1]] = self.evaluate(node[2], env)
        elif kind == "assign":
            env.set(node[1], self.evaluate(node[2], env), node[3])
        elif kind == "fn":
            env.vars[node[1]] = Function(node[1], node[2], node[3], env)
        elif kind == "if":
            if self.truthy(self.evaluate(node[1], env)):
                self.execute(node[2], Env(env))
            elif node[3] is not None:
                self.execute(node[3], Env(env))
        elif kind == "while":
            while self.truthy(self.evaluate(node[1], env)):
                self.execute(node[2], Env(env))
        elif kind == "return":
            raise ReturnSignal(self.evaluate(node[1], env))
        elif kind == "print":
            self.out.append(self.show(self.evaluate(node[1], env)))
        elif kind == "expr":
            self.evaluate(node[1], env)
        else:
            raise AssertionError("unknown statement %r" % (kind,))

    def truthy(self, v):
        return v not in (0, "", None) and v != []

    def show(self, v):
        if isinstance(v, list):
            return "[" + ", ".join(self.show(x) for x in v) + "]"
        if isinstance(v, Function):
            return "<fn %s>" % v.name
        return str(v)

    def evaluate(self, node, env):
        kind = node[0]
        if kind == "const":
            return node[1]
        if kind == "var":
            if node[1] in BUILTINS and node[1] not in env.vars:
                try:
                    return env.get(node[1], node[2])
                except LangError:
                    return BUILTINS[node[1]]
            return env.get(node[1], node[2])
        if kind == "list":
            return [self.evaluate(e, env) for e in node[1]]
        if kind == "neg":
            return -self.evaluate(node[1], env)
        if kind == "binop":
            return self.binop(node, env)
        if kind == "index":
            seq = self.evaluate(node[1], env)
            idx = self.evaluate(node[2], env)
            try:
                return seq[idx]
            except (IndexError, TypeError) as e:
                raise LangError("bad index: %s" % e, node[3]) from e
        if kind == "call":
            fn = self.evaluate(node[1], env)
            args = [self.evaluate(a, env) for a in node[2]]
            if callable(fn):
                return fn(args)
            if not isinstance(fn, Function):
                raise LangError("not callable: %s" % self.show(fn), node[3])
            if len(args) != len(fn.params):
                raise LangError("%s expects %d args, got %d" % (fn.name, len(fn.params), len(args)),
                                node[3])
            call_env = Env(fn.env)
            call_env.vars.update(zip(fn.params, args))
            try:
                self.execute(fn.body, call_env)
            except ReturnSignal as r:
                return r.value
            return None
        raise AssertionError(kind)

    def binop(self, node, env):
        _, op, l, r, line = node
        if op == "&&":
            left = self.evaluate(l, env)
            return self.evaluate(r, env) if self.truthy(left) else left
        if op == "||":
            left = self.evaluate(l, env)
            return left if self.truthy(left) else self.evaluate(r, env)
        a, b = self.evaluate(l, env), self.evaluate(r, env)
        try:
            if op == "+":
                return a + b
            if op == "-":
                return a - b
            if op == "*":
                return a * b
            if op == "/":
                return a // b
            if op == "%":
                return a % b
            if op == "==":
                return int(a == b)
            if op == "!=":
                return int(a != b)
            if op == "<":
                return int(a < b)
            if op == "<=":
                return int(a <= b)
            if op == ">":
                return int(a > b)
            if op == ">=":
                return int(a >= b)
        except ZeroDivisionError:
            raise LangError("division by zero", line) from None
        except TypeError as e:
            raise LangError("type error in %s: %s" % (op, e), line) from None
        raise AssertionError(op)


# --- a stack VM for the expression subset ---------------------------------

def compile_expr(node, code):
    kind = node[0]
    if kind == "const":
        code.append(("push", node[1]))
    elif kind == "var":
        code.append(("load", node[1]))
    elif kind == "neg":
        compile_expr(node[1], code)
        code.append(("neg", None))
    elif kind == "binop":
        compile_expr(node[2], code)
        compile_expr(node[3], code)
        code.append(("op", node[1]))
    else:
        raise LangError("cannot compile %s" % kind, 0)
    return code


VM_OPS = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
          "/": lambda a, b: a // b, "%": lambda a, b: a % b, "<": lambda a, b: int(a < b),
          "==": lambda a, b: int(a == b)}


def run_vm(code, variables):
    stack = []
    for op, arg in code:
        if op == "push":
            stack.append(arg)
        elif op == "load":
            stack.append(variables[arg])
        elif op == "neg":
            stack.append(-stack.pop())
        else:
            b = stack.pop()
            a = stack.pop()
            stack.append(VM_OPS[arg](a, b))
    return stack.pop()


PROGRAM = """
# functions, recursion, closures, lists
fn fib(n) { if n < 2 { return n; } return fib(n - 1) + fib(n - 2); }
fn make_counter() {
    let count = 0;
    fn next() { count = count + 1; return count; }
    return next;
}
let c = make_counter();
c(); c();
print c();
print fib(15);
let xs = [];
let i = 0;
while i < 10 {
    if i % 3 == 0 { push(xs, i * i); } else { push(xs, -i); }
    i = i + 1;
}
print xs;
print len(xs) * 2 + xs[3];
fn map(f, lst) {
    let out = [];
    let j = 0;
    while j < len(lst) { push(out, f(lst[j])); j = j + 1; }
    return out;
}
fn double(v) { return v * 2; }
print map(double, [1, 2, 3]);
print "str" + "ing" + str(42);
print 1 < 2 && 3 > 2 || 0;
print 0 || "fallback";
"""


def run(src):
    out = []
    interp = Interpreter(out)
    try:
        interp.run(src)
    except LangError as e:
        out.append("error: %s" % e)
    return out, interp.steps


print(run(PROGRAM))
for bad in ['print 1 / 0;', 'print undefined_var;', 'let x = [1]; print x[5];',
            'fn f(a) { return a; } print f(1, 2);', 'print 1 + "s";', 'let q = 5; q(1);',
            'print (1 + 2;', 'let @ = 1;']:
    print(run(bad))
tree = Parser(tokenize("(a + 3) * -b % 7 - 2 * a")).expression()
code = compile_expr(tree, [])
print(len(code), [run_vm(code, {"a": a, "b": b}) for a in range(3) for b in range(3)])
print(tokenize("let x = 10; # comment\nprint x;")[:6])
Interpreter([]).run("let x = 1;\nlet y = 2;\nprint x + y + z;")
