//! The free profile: what CPython's specialising interpreter recorded in
//! `co_code_adaptive` before pyjit compiled the code.
//!
//! After eight warm-up events (calls and backward jumps) the interpreter
//! quickens a code object, and each adaptive instruction then rewrites its
//! own opcode into a specialised form the first time it runs
//! (`BINARY_OP_ADD_FLOAT`, `LOAD_ATTR_INSTANCE_VALUE`, `COMPARE_OP_INT_JUMP`,
//! ...). That opcode is a last-seen type profile of the instruction. The
//! lowering reads it to choose which fast paths to emit; semantics still
//! come from the de-quickened bytecode (`bytecode::code_info`), and every
//! fast path is guarded, so a stale profile costs speed, never correctness.

use crate::abi::{self, op, DEOPT, INLINE_CACHE_UNITS};
use crate::bytecode::instruction_starts;
use pyo3::ffi::PyCodeObject;

/// What the interpreter observed at each instruction of one code object.
#[derive(Clone, Debug, Default)]
pub struct Profile {
    /// The code units of `co_code_adaptive` (opcode in the low byte), as
    /// the interpreter left them; empty when nothing was observed (code
    /// compiled ahead of time, or before the interpreter quickened it).
    units: Vec<u16>,
    /// Set when the code has not yet finished a run (it is being compiled
    /// for a loop its first frame is still in): an instruction that has not
    /// run may simply not have been reached yet, so it reads as `Nothing`
    /// rather than `NotRun`.
    first_run_unfinished: bool,
}

/// What the profile says about one instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Observed {
    /// No information: the interpreter never quickened the code (or the
    /// profile is not read).
    Nothing,
    /// The interpreter quickened the code but has not run this (adaptive)
    /// instruction since: a site the warm-up did not reach, such as an
    /// error path or a branch not taken, which gets the generic path only.
    NotRun,
    /// The interpreter specialised the instruction into this opcode.
    Specialized(u8),
    /// The interpreter ran the instruction quickened but kept it generic:
    /// it tried to specialise it and failed, or the specialisation kept
    /// missing.
    Generic,
}

impl Profile {
    /// No observations: code compiled ahead of time.
    pub fn none() -> Profile {
        Profile::default()
    }

    /// Copies the code units of the live code object `code`'s
    /// `co_code_adaptive`, if the interpreter has quickened it.
    pub fn of(code: *mut PyCodeObject) -> Profile {
        // SAFETY: `code` is live; co_code_adaptive holds `Py_SIZE(code)`
        // code units of two bytes, the opcode first, inline in the object.
        let units: Vec<u16> = unsafe {
            let count = abi::read_field::<isize>(code.cast(), abi::VAROBJECT_SIZE) as usize;
            let first = code.cast::<u8>().add(abi::CODE_CODE_ADAPTIVE);
            (0..count).map(|i| u16::from_le_bytes([*first.add(2 * i), *first.add(2 * i + 1)])).collect()
        };
        let quickened = units.iter().any(|&unit| is_quickened(opcode(unit)));
        Profile { units: if quickened { units } else { Vec::new() }, first_run_unfinished: false }
    }

    /// The profile of code whose first run has not finished (see
    /// `first_run_unfinished`).
    pub fn during_first_run(self) -> Profile {
        Profile { first_run_unfinished: true, ..self }
    }

    /// Whether nothing was observed.
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// The profile in a form another process can compile with (`pyjit precompile
    /// --train`): per code unit, little-endian, the opcode of each instruction and, in
    /// its first inline-cache unit, 1 if that counter is not zero; everything else zero.
    /// Operands and the rest of the inline caches (type versions, indexes) mean nothing
    /// outside this process, and `at` reads only those two. Empty for an empty profile.
    pub fn portable(&self) -> Vec<u8> {
        let mut units = vec![0u16; self.units.len()];
        for (index, base) in instruction_starts(&self.units) {
            units[index] = u16::from(opcode(self.units[index]));
            if INLINE_CACHE_UNITS[usize::from(base)] > 0 && index + 1 < units.len() {
                units[index + 1] = u16::from(self.units[index + 1] != 0);
            }
        }
        units.iter().flat_map(|unit| unit.to_le_bytes()).collect()
    }

    /// The profile `portable` gave for code whose de-quickened bytecode is `co_code`;
    /// None unless it has one unit per code unit and every instruction's opcode is a
    /// form of that instruction's (a profile of other code is never used).
    pub fn from_portable(bytes: &[u8], co_code: &[u8]) -> Option<Profile> {
        if bytes.is_empty() {
            return Some(Profile::none());
        }
        if bytes.len() != co_code.len() {
            return None;
        }
        let units: Vec<u16> = bytes.chunks_exact(2).map(|unit| u16::from_le_bytes([unit[0], unit[1]])).collect();
        if instruction_starts(&units).any(|(index, base)| base != co_code[2 * index]) {
            return None;
        }
        let quickened = units.iter().any(|&unit| is_quickened(opcode(unit)));
        Some(Profile { units: if quickened { units } else { Vec::new() }, first_run_unfinished: false })
    }

    /// What was observed at the instruction at code unit `index`.
    pub fn at(&self, index: u32) -> Observed {
        let Some(&unit) = self.units.get(index as usize) else { return Observed::Nothing };
        let opcode = opcode(unit);
        if is_specialized(opcode) {
            return Observed::Specialized(opcode);
        }
        // Quickening leaves an adaptive instruction's counter (its first
        // inline-cache unit) at zero; its first run then specialises it or
        // sets the counter to back off.
        let counter = self.units.get(index as usize + 1).copied().unwrap_or(0);
        if op::ADAPTIVE.contains(&opcode) && counter == 0 {
            if self.first_run_unfinished {
                Observed::Nothing
            } else {
                Observed::NotRun
            }
        } else {
            Observed::Generic
        }
    }
}

/// The opcode of a code unit (its low byte, CPython's `_Py_OPCODE`).
fn opcode(unit: u16) -> u8 {
    unit.to_le_bytes()[0]
}

/// Whether `opcode` is a form the specialising interpreter rewrites
/// instructions into: specialised, adaptive or a quickened variant.
fn is_quickened(opcode: u8) -> bool {
    let base = DEOPT[usize::from(opcode)];
    base != 0 && base != opcode
}

/// Whether `opcode` is a specialised form (not an adaptive one).
fn is_specialized(opcode: u8) -> bool {
    is_quickened(opcode) && !op::ADAPTIVE.contains(&opcode)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A specialised form of `base` (the first the opcode table lists).
    fn specialized(base: u8) -> u8 {
        (0..=255u8).find(|&form| form != base && DEOPT[usize::from(form)] == base && !op::ADAPTIVE.contains(&form)).unwrap()
    }

    #[test]
    fn portable_profiles_keep_opcodes_and_counters_only() {
        let caches = usize::from(INLINE_CACHE_UNITS[usize::from(op::BINARY_OP)]);
        // BINARY_OP (specialised, with a counter and a cache word), then RETURN_VALUE.
        let mut co_code = vec![op::BINARY_OP, 0];
        co_code.resize(2 + 2 * caches, 0);
        co_code.extend_from_slice(&[op::RETURN_VALUE, 0]);
        let mut units = vec![u16::from(specialized(op::BINARY_OP)) | 0x0700, 53];
        units.resize(1 + caches, 0xbeef);
        units.push(u16::from(op::RETURN_VALUE));
        let profile = Profile { units, first_run_unfinished: false };
        let portable = profile.portable();
        assert_eq!(portable.len(), co_code.len());
        assert_eq!(&portable[..4], &[specialized(op::BINARY_OP), 0, 1, 0]);
        assert!(portable[4..2 + 2 * caches].iter().all(|&byte| byte == 0));
        let back = Profile::from_portable(&portable, &co_code).unwrap();
        assert_eq!(back.at(0), profile.at(0));
        assert_eq!(back.at(0), Observed::Specialized(specialized(op::BINARY_OP)));
        // A profile of other code, or of another length, is not used.
        let mut other = co_code.clone();
        other[0] = op::COMPARE_OP;
        assert!(Profile::from_portable(&portable, &other).is_none());
        assert!(Profile::from_portable(&portable[2..], &co_code).is_none());
        assert!(Profile::from_portable(&[], &co_code).unwrap().is_empty());
    }
}

