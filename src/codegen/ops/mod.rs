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
pub mod suspend;

use super::lowering::Lowering;
use crate::abi;
use cranelift_codegen::ir::{InstBuilder, Value};
use crate::bytecode::Unsupported;
use crate::bytecode::opcodes::{self, Family, Flags};


/// The address of entry `index` of the str-keyed dict keys `keys`, whose
/// entries follow their index table (as `helpers::caches` reads them).
pub fn str_keys_entry(lw: &mut Lowering, keys: Value, index: Value) -> Value {
    let log2_index_bytes = lw.load_u8(keys, abi::KEYS_LOG2_INDEX_BYTES);
    let one = lw.iconst(1);
    let index_bytes = lw.b.ins().ishl(one, log2_index_bytes);
    let offset = lw.b.ins().imul_imm_s(index, abi::UNICODE_ENTRY_SIZE as i64);
    let table = lw.b.ins().iadd(keys, index_bytes);
    let item = lw.b.ins().iadd(table, offset);
    lw.b.ins().iadd_imm_s(item, abi::KEYS_INDICES as i64)
}

/// Lowers `lw.ins` with its family's lowering (from the opcode table).
pub fn lower(lw: &mut Lowering) -> Result<(), Unsupported> {
    let Some(opcode) = opcodes::opcode(lw.ins.opcode) else { return Err(lw.unsupported()) };
    if opcode.flags.contains(Flags::BORROWS) {
        let (pops, _) = (opcode.stack)(lw.ins.arg);
        lw.own_stack_below(pops as usize);
        if !opcode.flags.contains(Flags::NUMBERS) {
            lw.box_operands(pops as usize);
        }
    } else if !opcode.flags.contains(Flags::LENDS) {
        lw.own_stack();
    }
    match opcode.family {
        Family::Stack => stack::lower(lw),
        Family::Locals => locals::lower(lw),
        Family::Names => names::lower(lw),
        Family::Attrs => attrs::lower(lw),
        Family::Operators => operators::lower(lw)?,
        Family::Builders => builders::lower(lw),
        Family::Calls => calls::lower(lw)?,
        Family::Control => control::lower(lw)?,
        Family::Suspend => suspend::lower(lw)?,
    }
    Ok(())
}
