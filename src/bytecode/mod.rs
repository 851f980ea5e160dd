//! Decoding CPython 3.11 bytecode: instructions with their arguments and
//! jump targets.
//!
//! pyjit always decodes the de-quickened bytecode (`co_code`), never
//! `co_code_adaptive`, so the specialising interpreter's rewrites never leak
//! into compiled code. Indices are in code units (2 bytes), as CPython's
//! `prev_instr` arithmetic uses them.

use crate::abi::{op, INLINE_CACHE_UNITS};

/// One instruction, with `EXTENDED_ARG` prefixes folded into `arg`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instr {
    /// Code-unit index where the instruction starts (its first
    /// `EXTENDED_ARG`, if any): where jumps to it land.
    pub start: u32,
    /// Code-unit index of the opcode itself (after any `EXTENDED_ARG`).
    pub index: u32,
    pub opcode: u8,
    pub arg: u32,
    /// Code-unit index of the next instruction (past the inline caches).
    pub next: u32,
}

impl Instr {
    /// Where the instruction jumps, for the jumping opcodes.
    pub fn jump_target(&self) -> Option<u32> {
        match self.opcode {
            op::JUMP_FORWARD
            | op::POP_JUMP_FORWARD_IF_FALSE
            | op::POP_JUMP_FORWARD_IF_TRUE
            | op::POP_JUMP_FORWARD_IF_NONE
            | op::POP_JUMP_FORWARD_IF_NOT_NONE
            | op::JUMP_IF_FALSE_OR_POP
            | op::JUMP_IF_TRUE_OR_POP
            | op::FOR_ITER
            | op::SEND => Some(self.next + self.arg),
            op::JUMP_BACKWARD
            | op::JUMP_BACKWARD_NO_INTERRUPT
            | op::POP_JUMP_BACKWARD_IF_FALSE
            | op::POP_JUMP_BACKWARD_IF_TRUE
            | op::POP_JUMP_BACKWARD_IF_NONE
            | op::POP_JUMP_BACKWARD_IF_NOT_NONE => Some(self.next - self.arg),
            _ => None,
        }
    }
}

/// Decodes `co_code` into instructions.
pub fn decode(code: &[u8]) -> Vec<Instr> {
    let units = code.len() / 2;
    let mut instrs = Vec::with_capacity(units);
    let mut i = 0;
    let mut extended: u32 = 0;
    let mut start = 0;
    while i < units {
        let opcode = code[2 * i];
        let arg = extended | u32::from(code[2 * i + 1]);
        let next = i + 1 + usize::from(INLINE_CACHE_UNITS[usize::from(opcode)]);
        if opcode == op::EXTENDED_ARG {
            extended = arg << 8;
        } else {
            extended = 0;
            instrs.push(Instr { start: start as u32, index: i as u32, opcode, arg, next: next as u32 });
            start = next;
        }
        i = next;
    }
    instrs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extended_arg_is_folded_into_the_next_instruction() {
        let code = [op::EXTENDED_ARG, 1, op::LOAD_CONST, 2, op::RETURN_VALUE, 0];
        let instrs = decode(&code);
        assert_eq!(instrs.len(), 2);
        assert_eq!(instrs[0], Instr { start: 0, index: 1, opcode: op::LOAD_CONST, arg: 0x102, next: 2 });
        assert_eq!(instrs[1].index, 2);
    }
}
