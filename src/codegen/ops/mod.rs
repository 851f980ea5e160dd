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
use crate::abi::op;

/// Vectorcall's flag for "`args[-1]` may be overwritten" (`cpython/abstract.h`).
const PY_VECTORCALL_ARGUMENTS_OFFSET: usize = 1 << (usize::BITS - 1);

/// Lowers `lw.ins`.
pub fn lower(lw: &mut Lowering) -> Result<(), Unsupported> {
    let ins = lw.ins;
    match ins.opcode {
        op::NOP | op::PRECALL => {}
        op::RESUME | op::POP_TOP | op::PUSH_NULL | op::COPY | op::SWAP => stack::lower(lw),
        op::LOAD_CONST
        | op::LOAD_FAST
        | op::STORE_FAST
        | op::DELETE_FAST
        | op::MAKE_CELL
        | op::COPY_FREE_VARS
        | op::LOAD_CLOSURE
        | op::LOAD_DEREF
        | op::STORE_DEREF
        | op::DELETE_DEREF
        | op::LOAD_CLASSDEREF => locals::lower(lw),
        op::LOAD_NAME
        | op::STORE_NAME
        | op::DELETE_NAME
        | op::LOAD_GLOBAL
        | op::STORE_GLOBAL
        | op::DELETE_GLOBAL
        | op::IMPORT_NAME
        | op::IMPORT_FROM
        | op::IMPORT_STAR
        | op::SETUP_ANNOTATIONS
        | op::LOAD_BUILD_CLASS
        | op::LOAD_ASSERTION_ERROR
        | op::PRINT_EXPR => names::lower(lw),
        op::LOAD_ATTR | op::STORE_ATTR | op::DELETE_ATTR | op::LOAD_METHOD => attrs::lower(lw),
        op::BINARY_OP
        | op::UNARY_POSITIVE
        | op::UNARY_NEGATIVE
        | op::UNARY_INVERT
        | op::UNARY_NOT
        | op::COMPARE_OP
        | op::IS_OP
        | op::CONTAINS_OP
        | op::BINARY_SUBSCR
        | op::STORE_SUBSCR
        | op::DELETE_SUBSCR
        | op::BUILD_SLICE => operators::lower(lw),
        op::BUILD_TUPLE
        | op::BUILD_LIST
        | op::BUILD_SET
        | op::BUILD_MAP
        | op::BUILD_CONST_KEY_MAP
        | op::BUILD_STRING
        | op::LIST_APPEND
        | op::SET_ADD
        | op::MAP_ADD
        | op::LIST_EXTEND
        | op::SET_UPDATE
        | op::DICT_MERGE
        | op::DICT_UPDATE
        | op::LIST_TO_TUPLE
        | op::FORMAT_VALUE
        | op::UNPACK_SEQUENCE
        | op::UNPACK_EX => builders::lower(lw),
        op::KW_NAMES | op::CALL | op::CALL_FUNCTION_EX | op::MAKE_FUNCTION => calls::lower(lw),
        _ => control::lower(lw)?,
    }
    Ok(())
}
