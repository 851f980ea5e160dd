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
    /// The opcode byte at each code unit of `co_code_adaptive`, as the
    /// interpreter left it; empty when nothing was observed (code compiled
    /// ahead of time, or before the interpreter quickened it).
    opcodes: Vec<u8>,
}

/// What the profile says about one instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Observed {
    /// The interpreter never quickened the code: no information.
    Nothing,
    /// The interpreter specialised the instruction into this opcode.
    Specialized(u8),
    /// The interpreter ran the instruction quickened but kept it generic
    /// (it tried to specialise and failed, or never ran it).
    Generic,
}

impl Profile {
    /// No observations: code compiled ahead of time.
    pub fn none() -> Profile {
        Profile::default()
    }

    /// Copies the opcodes of the live code object `code`'s
    /// `co_code_adaptive`, if the interpreter has quickened it.
    pub fn of(code: *mut PyCodeObject) -> Profile {
        // SAFETY: `code` is live; co_code_adaptive holds `Py_SIZE(code)`
        // code units of two bytes, the opcode first, inline in the object.
        let opcodes: Vec<u8> = unsafe {
            let units = abi::read_field::<isize>(code.cast(), abi::VAROBJECT_SIZE) as usize;
            let first = code.cast::<u8>().add(abi::CODE_CODE_ADAPTIVE);
            (0..units).map(|i| *first.add(2 * i)).collect()
        };
        let quickened = opcodes.iter().any(|&opcode| is_quickened(opcode));
        Profile {
            opcodes: if quickened { opcodes } else { Vec::new() },
        }
    }

    /// Whether nothing was observed.
    pub fn is_empty(&self) -> bool {
        self.opcodes.is_empty()
    }

    /// What was observed at the instruction at code unit `index`.
    pub fn at(&self, index: u32) -> Observed {
        match self.opcodes.get(index as usize) {
            None => Observed::Nothing,
            Some(&opcode) if is_specialized(opcode) => Observed::Specialized(opcode),
            Some(_) => Observed::Generic,
        }
    }
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
