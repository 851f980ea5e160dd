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

use crate::abi::{self, op, DEOPT};
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

    /// Whether the code is compiled for a loop its first run is still in.
    pub fn first_run_unfinished(&self) -> bool {
        self.first_run_unfinished
    }

    /// Whether nothing was observed.
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
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
