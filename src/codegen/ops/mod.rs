//! One lowering per opcode family; the functions their generic paths call
//! are in the same-named files of `helpers`.

pub mod attrs;
pub mod builders;
pub mod calls;
pub mod control;
pub mod locals;
pub mod names;
pub mod numeric;
pub mod operators;
pub mod stack;

use super::lowering::Lowering;
use crate::bytecode::Unsupported;
use crate::bytecode::opcodes::{self, Family, Flags};


/// Lowers `lw.ins` with its family's lowering (from the opcode table).
pub fn lower(lw: &mut Lowering) -> Result<(), Unsupported> {
    let Some(opcode) = opcodes::opcode(lw.ins.opcode) else { return Err(lw.unsupported()) };
    if opcode.flags.contains(Flags::BORROWS) {
        let (pops, _) = (opcode.stack)(lw.ins.arg);
        lw.own_stack_below(pops as usize);
    } else if !opcode.flags.contains(Flags::LENDS) {
        lw.own_stack_below(0);
    }
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
