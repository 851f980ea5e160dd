"""The opcode table (src/bytecode/opcodes.rs) against CPython's own view of
each opcode: the same opcodes, stack effects equal to `dis.stack_effect`
on every way out, jumps where `dis` has them, and the adaptive opcodes of
3.11's quickening marked as profiled."""

import dis
import opcode

import pytest

from pyjit import _pyjit

ARGS = [0, 1, 2, 3, 5, 0x0F, 0x104]
TABLE = {entry["name"]: entry for entry in _pyjit.opcode_table(ARGS)}
# Not instructions of their own: CACHE entries follow their instruction,
# EXTENDED_ARG is folded into the next one by the decoder.
NOT_INSTRUCTIONS = {"CACHE", "EXTENDED_ARG"}
# Arguments the compiler emits, where dis computes an effect for any.
VALID_ARGS = {"BUILD_SLICE": {2, 3}}
# The compiler books the arguments of a call against PRECALL, the
# interpreter pops them at CALL (which the table follows, as the lowering
# does); only the pair's effect is comparable.
CALL_PAIR = ("PRECALL", "CALL")
# The compiler adds RETURN_GENERATOR, POP_TOP to a generator's code after
# computing stack depths, so dis counts 0; the table pushes the value the
# first resumption sends, which that POP_TOP pops.
SENT_ON_RESUME = {"RETURN_GENERATOR": 1}


def test_every_cpython_opcode_is_in_the_table():
    assert set(TABLE) == set(opcode.opmap) - NOT_INSTRUCTIONS
    for name, entry in TABLE.items():
        assert entry["opcode"] == opcode.opmap[name]


@pytest.mark.parametrize("name", sorted(set(TABLE) - set(CALL_PAIR)))
def test_stack_effects_match_dis(name):
    entry = TABLE[name]
    code = entry["opcode"]
    jumps = code in opcode.hasjrel or code in opcode.hasjabs
    assert (entry["jump"] is not None) == jumps, "jump flag"
    for arg, (pops, pushes) in zip(ARGS, entry["stack"]):
        if code < opcode.HAVE_ARGUMENT and arg or arg not in VALID_ARGS.get(name, {arg}):
            continue
        # dis rejects some arguments outright (e.g. an odd MAP_ADD depth is fine, SWAP 0 not).
        try:
            expected = dis.stack_effect(code, arg if code >= opcode.HAVE_ARGUMENT else None, jump=False)
        except ValueError:
            continue
        assert pushes - pops == expected + SENT_ON_RESUME.get(name, 0), f"{name} {arg} falling through"
        if entry["jump"] is not None:
            jpops, jpushes = entry["jump"][ARGS.index(arg)]
            assert jpushes - jpops == dis.stack_effect(code, arg, jump=True), f"{name} {arg} jumping"


def test_precall_and_call_together_match_dis():
    for i, arg in enumerate(ARGS):
        table = sum(pushes - pops for pops, pushes in (TABLE[name]["stack"][i] for name in CALL_PAIR))
        expected = sum(dis.stack_effect(opcode.opmap[name], arg) for name in CALL_PAIR)
        assert table == expected, arg


def test_adaptive_opcodes_are_the_ones_3_11_specialises():
    adaptive = {name for name, entry in TABLE.items() if entry["adaptive"]}
    specialised_families = {name.split("_ADAPTIVE")[0] for name in opcode._specialized_instructions
                            if name.endswith("_ADAPTIVE")}
    assert adaptive == specialised_families
