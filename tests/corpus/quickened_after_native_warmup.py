# Code whose warm-up (`co_warmup`) compiled code completes is quickened as
# the interpreter quickens it: superinstructions and the quick forms of
# RESUME, JUMP_BACKWARD and EXTENDED_ARG appear in `co_code_adaptive`, where
# `dis(adaptive=True)` shows them. (Specialised forms depend on what ran in
# the interpreter, so only these are compared.)
import dis


def quick_forms(function):
    return [
        (instr.offset, instr.opname)
        for instr in dis.get_instructions(function, adaptive=True)
        if "__" in instr.opname or instr.opname.endswith("_QUICK")
    ]


def loop(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def straight(x, y):
    z = x
    w = y
    return z + w + 1


many = {f"v{i}": i for i in range(300)}
exec("def wide(a):\n" + "".join(f"    v{i} = a\n" for i in range(300)) + "    return v299 + v298\n", many)
wide = many["wide"]

print(quick_forms(straight), quick_forms(loop))
for k in range(10):
    straight(k, k)
    wide(k)
loop(20)
print(quick_forms(straight))
print(quick_forms(loop))
print(quick_forms(wide)[-6:])
