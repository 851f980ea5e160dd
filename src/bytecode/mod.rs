//! Decoding CPython 3.11 bytecode: instructions with their arguments, jump
//! targets and the exception table.
//!
//! pyjit always decodes the de-quickened bytecode (`co_code`), never
//! `co_code_adaptive`, so the specialising interpreter's rewrites never leak
//! into compiled code. Indices are in code units (2 bytes), as CPython's
//! `prev_instr` arithmetic and the exception table use them.

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

    /// True when control never falls through to the next instruction.
    pub fn is_terminator(&self) -> bool {
        matches!(
            self.opcode,
            op::RETURN_VALUE
                | op::JUMP_FORWARD
                | op::JUMP_BACKWARD
                | op::JUMP_BACKWARD_NO_INTERRUPT
                | op::RAISE_VARARGS
                | op::RERAISE
        )
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

/// One entry of `co_exceptiontable`: instructions in `start..end` that raise
/// continue at `target` with the value stack cut to `depth`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handler {
    pub start: u32,
    pub end: u32,
    pub target: u32,
    pub depth: u32,
    pub push_lasti: bool,
}

/// Parses `co_exceptiontable` (format: `Objects/exception_handling_notes.txt`).
pub fn exception_table(table: &[u8]) -> Vec<Handler> {
    fn varint(bytes: &mut std::slice::Iter<'_, u8>) -> Option<u32> {
        let mut b = *bytes.next()?;
        let mut v = u32::from(b & 63);
        while b & 64 != 0 {
            b = *bytes.next()?;
            v = (v << 6) | u32::from(b & 63);
        }
        Some(v)
    }
    let mut it = table.iter();
    let mut handlers = Vec::new();
    while let (Some(start), Some(size), Some(target), Some(dl)) =
        (varint(&mut it), varint(&mut it), varint(&mut it), varint(&mut it))
    {
        handlers.push(Handler {
            start,
            end: start + size,
            target,
            depth: dl >> 1,
            push_lasti: dl & 1 == 1,
        });
    }
    handlers
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

    #[test]
    fn exception_table_entries_decode() {
        // start=2, size=4, target=10, depth 1 with lasti; second entry uses a
        // two-byte varint for its target (70 = 1<<6 | 6).
        let table = [0x80 | 2, 4, 10, 3, 0x80 | 8, 2, 64 | 1, 6, 2];
        let handlers = exception_table(&table);
        assert_eq!(handlers[0], Handler { start: 2, end: 6, target: 10, depth: 1, push_lasti: true });
        assert_eq!(handlers[1], Handler { start: 8, end: 10, target: 70, depth: 1, push_lasti: false });
    }
}
