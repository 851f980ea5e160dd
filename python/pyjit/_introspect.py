"""The introspection functions of ``pyjit``, imported when one is called: ``pyjit.dis``
(a compiled function's machine code, annotated with its bytecode) and ``pyjit.graph`` (a
function's bytecode control-flow graph in Graphviz DOT, with the profile the compiler
reads at each instruction the interpreter specialises)."""

import dis
from collections.abc import Callable
from types import CodeType
from typing import TYPE_CHECKING

from pyjit._pyjit import info, native_code, profile

if TYPE_CHECKING:
    from pyjit._pyjit import NativeCode

# Instructions after which control does not fall through.
_ENDS = {"RETURN_VALUE", "RAISE_VARARGS", "RERAISE", "JUMP_FORWARD", "JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT"}
_JUMPS = set(dis.hasjrel) | set(dis.hasjabs)


def _quoted(text: str) -> str:
    """``text`` inside a DOT string."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _field(text: str) -> str:
    """``text`` inside a record node's label, whose braces, bars and angle brackets
    are structure."""
    text = _quoted(text)
    for special in "{}<>|":
        text = text.replace(special, "\\" + special)
    return text


def graph(code: CodeType) -> str:
    """The graph of ``code``; see ``pyjit.graph``."""
    instructions = list(dis.get_instructions(code))
    # Bytecode.exception_entries is 3.11's, undeclared in typeshed.
    handlers = list(getattr(dis.Bytecode(code), "exception_entries"))
    observed = profile(code)
    leaders = {0} | {entry.target for entry in handlers}
    for index, instr in enumerate(instructions):
        if instr.opcode in _JUMPS:
            leaders.add(instr.argval)
        if (instr.opcode in _JUMPS or instr.opname in _ENDS) and index + 1 < len(instructions):
            leaders.add(instructions[index + 1].offset)
    blocks: list[list[dis.Instruction]] = []
    for instr in instructions:
        if instr.offset in leaders or not blocks:
            blocks.append([])
        blocks[-1].append(instr)
    name = {block[0].offset: f"b{block[0].offset}" for block in blocks}
    lines = [
        "digraph pyjit {",
        f'  label="{_quoted(_title(code))}"; labelloc=t;',
        '  node [shape=record, fontname="monospace", fontsize=10];',
    ]
    for position, block in enumerate(blocks):
        rows = []
        for instr in block:
            text = f"{instr.offset} {instr.opname} {instr.argrepr}".rstrip()
            if instr.offset in observed:
                text += f"  [{observed[instr.offset]}]"
            rows.append(_field(text) + "\\l")
        start, last = block[0].offset, block[-1]
        lines.append(f'  {name[start]} [label="{{{"".join(rows)}}}"];')
        following = blocks[position + 1][0].offset if position + 1 < len(blocks) else None
        if last.opcode in _JUMPS:
            unconditional = last.opname in _ENDS
            lines.append(f'  {name[start]} -> {name[last.argval]} [label="{"jump" if unconditional else "taken"}"];')
            if not unconditional and following is not None:
                lines.append(f'  {name[start]} -> {name[following]} [label="not taken"];')
        elif last.opname not in _ENDS and following is not None:
            lines.append(f"  {name[start]} -> {name[following]};")
        # An entry's `end` is the offset of the last instruction it covers.
        targets = sorted({entry.target for entry in handlers if entry.start <= last.offset and start <= entry.end})
        for target in targets:
            lines.append(f'  {name[start]} -> {name[target]} [style=dashed, label="exception"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _title(code: CodeType) -> str:
    details = info(code)
    state = (
        f"compiled ({details['source']}), optimizations: {', '.join(details['optimizations'] or []) or 'none recorded'}"
        if details["compiled"]
        else f"interpreted: {details['reason']}"
    )
    return f"{code.co_qualname} ({code.co_filename}:{code.co_firstlineno}): {state}"


def code_of(f: Callable[..., object] | CodeType) -> CodeType:
    """The code object of ``f``, a function or a code object."""
    return f if isinstance(f, CodeType) else getattr(f, "__code__")


def disassembly(f: Callable[..., object] | CodeType) -> str:
    """``pyjit.dis``: see there."""
    native = native_code(f)
    code = code_of(f)
    by_offset = {instr.offset: instr for instr in dis.get_instructions(code)}
    lines_by_unit = [line for line, *_ in code.co_positions()]

    def bytecode_heading(unit: int) -> str:
        instr = by_offset[2 * unit]
        argument = instr.argrepr or ("" if instr.arg is None else str(instr.arg))
        return f"; {instr.offset} {instr.opname} {argument}".rstrip() + f"  (line {lines_by_unit[unit]})"

    out = []
    variant: NativeCode | None = native
    heading = f"; {code.co_qualname} ({code.co_filename}:{code.co_firstlineno})"
    while variant is not None:
        out += [f"{heading}: {variant['size']} bytes at {variant['address']:#x}", "; function entry"]
        ranges = variant["bytecode_ranges"]
        current = None
        position = 0
        for offset, text, symbol in variant["instructions"]:
            while position < len(ranges) and ranges[position][1] <= offset:
                position += 1
            if position < len(ranges) and ranges[position][0] <= offset and ranges[position][2] != current:
                current = ranges[position][2]
                out.append(bytecode_heading(current))
            comment = f"  ; {symbol}" if symbol else ""
            out.append(f"  {offset:6x}  {text}{comment}")
        variant = variant["frameless"]
        heading = "; its frameless variant (frameless-calls)"
    return "\n".join(out) + "\n"
