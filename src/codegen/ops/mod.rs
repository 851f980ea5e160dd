//! One lowering per opcode family. Each family file holds, side by side, how
//! its opcodes are lowered and the runtime functions (`extern "C"`) that
//! implement their generic paths, with CPython 3.11's exact semantics.
//!
//! Runtime-function conventions: every parameter and result is pointer-sized;
//! object results are new references or NULL with an exception set; status
//! results are negative with an exception set. Unless a function says
//! otherwise it consumes (decrefs) the stack items passed to it, as the
//! interpreter's instruction does, including on error.

pub mod attrs;
pub mod builders;
pub mod calls;
pub mod control;
pub mod locals;
pub mod names;
pub mod operators;
pub mod stack;

use super::lowering::{Lowering, Unsupported};
use crate::bytecode::opcodes::{self, Family};

/// Vectorcall's flag for "`args[-1]` may be overwritten" (`cpython/abstract.h`).
const PY_VECTORCALL_ARGUMENTS_OFFSET: usize = 1 << (usize::BITS - 1);

/// Lowers `lw.ins` with its family's lowering (from the opcode table).
pub fn lower(lw: &mut Lowering) -> Result<(), Unsupported> {
    let Some(opcode) = opcodes::opcode(lw.ins.opcode) else { return Err(lw.unsupported()) };
    match opcode.family {
        Family::Stack => stack::lower(lw),
        Family::Locals => locals::lower(lw),
        Family::Names => names::lower(lw),
        Family::Attrs => attrs::lower(lw),
        Family::Operators => operators::lower(lw),
        Family::Builders => builders::lower(lw),
        Family::Calls => calls::lower(lw),
        Family::Control => control::lower(lw)?,
        Family::Suspend => return Err(lw.unsupported()),
    }
    Ok(())
}
