# Large code objects, generated with exec so that they are far beyond what
# anyone writes by hand: more than 256 locals and constants (EXTENDED_ARG on
# LOAD_FAST / STORE_FAST / LOAD_CONST), jump targets beyond 255 code units
# (EXTENDED_ARG on jumps, forward and backward), a 300-way if/elif chain,
# a deeply nested expression (deep value stack), a function with 250
# parameters, a huge literal list / dict / set, a long try/except chain, and
# a deeply nested set of closures; then an exception raised at the far end
# of a huge function so the traceback line number is past line 1000.


def build(src, name):
    ns = {}
    exec(compile(src, "<generated %s>" % name, "exec"), ns)
    return ns[name]


def many_locals_src(n):
    lines = ["def many_locals(seed):"]
    for i in range(n):
        lines.append("    v%d = seed + %d" % (i, i * 7))
    lines.append("    total = 0")
    for i in range(0, n, 3):
        lines.append("    total += v%d * %d" % (i, i))
    lines.append("    return total, v0, v%d" % (n - 1))
    return "\n".join(lines)


def elif_chain_src(n):
    lines = ["def classify(x):"]
    for i in range(n):
        kw = "if" if i == 0 else "elif"
        lines.append("    %s x == %d:" % (kw, i))
        lines.append("        return 'case %d'" % i)
    lines.append("    else:")
    lines.append("        return 'default'")
    return "\n".join(lines)


def long_loop_src(n):
    lines = ["def long_loop(k):", "    acc = 0", "    i = 0", "    while i < k:"]
    for j in range(n):
        lines.append("        acc = (acc * 31 + i + %d) %% 1000003" % j)
    lines += ["        i += 1", "        if acc % 2 == 0:", "            continue",
              "        acc += 1", "    return acc"]
    return "\n".join(lines)


def deep_expr_src(depth):
    expr = "x"
    for i in range(depth):
        expr = "(%s + %d) * 1" % (expr, i % 5) if i % 2 else "(%d - %s)" % (i, expr)
    return "def deep(x):\n    return %s\n" % expr


def many_params_src(n):
    params = ", ".join("p%d" % i for i in range(n))
    body = " + ".join("p%d" % i for i in range(n))
    return "def many_params(%s):\n    return %s\n" % (params, body)


def big_literals_src(n):
    items = ", ".join(str(i * 3) for i in range(n))
    pairs = ", ".join("'k%d': %d" % (i, i) for i in range(n))
    return ("def big_literals():\n    lst = [%s]\n    d = {%s}\n    s = {%s}\n"
            "    return len(lst), sum(lst), len(d), d['k%d'], len(s)\n" % (items, pairs, items, n - 1))


def try_chain_src(n):
    lines = ["def try_chain(fail_at):", "    log = []"]
    for i in range(n):
        lines += ["    try:",
                  "        if fail_at == %d:" % i,
                  "            raise ValueError(%d)" % i,
                  "        log.append(%d)" % i,
                  "    except ValueError as e:",
                  "        log.append('caught %s' % e)",
                  "    finally:",
                  "        pass"]
    lines.append("    return len(log), [x for x in log if isinstance(x, str)]")
    return "\n".join(lines)


def nested_closures_src(depth):
    lines = []
    indent = ""
    for i in range(depth):
        lines.append("%sdef level%d(a%d):" % (indent, i, i))
        indent += "    "
    lines.append("%sreturn %s" % (indent, " + ".join("a%d" % i for i in range(depth))))
    for i in range(depth - 1, 0, -1):
        indent = indent[:-4]
        lines.append("%sreturn level%d" % (indent, i))
    return "\n".join(lines)


def failing_far_src(n):
    lines = ["def failing_far(x):"]
    for i in range(n):
        lines.append("    x = x + %d" % (i % 3))
    lines.append("    return x / (x - x)")
    return "\n".join(lines)


many_locals = build(many_locals_src(300), "many_locals")
print(many_locals(1), many_locals(-5))
classify = build(elif_chain_src(300), "classify")
print([classify(v) for v in (0, 1, 150, 299, 300, -1)])
long_loop = build(long_loop_src(150), "long_loop")
print(long_loop(50))
deep = build(deep_expr_src(200), "deep")
print(deep(3), deep(-7))
many_params = build(many_params_src(250), "many_params")
print(many_params(*range(250)), many_params(*([1] * 250)))
try:
    many_params(*range(249))
except TypeError as e:
    print("TypeError:", str(e)[:60])
big_literals = build(big_literals_src(400), "big_literals")
print(big_literals())
try_chain = build(try_chain_src(60), "try_chain")
print(try_chain(-1), try_chain(0), try_chain(59))
level0 = build(nested_closures_src(15), "level0")
f = level0(1)
for i in range(2, 16):
    f = f(i)
print(f)
failing_far = build(failing_far_src(1200), "failing_far")
try:
    failing_far(1)
except ZeroDivisionError as e:
    print("caught:", e, "at line", e.__traceback__.tb_next.tb_lineno)
failing_far(2)
