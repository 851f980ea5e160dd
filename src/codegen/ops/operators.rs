//! Unary, binary and comparison operators, subscripts and slices.

use super::numeric;
use crate::abi::{self, op};
use crate::codegen::lowering::Lowering;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::InstBuilder;

pub fn lower(lw: &mut Lowering) {
    let arg = lw.ins.arg;
    lw.set_prev_instr();
    match lw.ins.opcode {
        op::BINARY_OP => binary_op(lw, arg),
        op::UNARY_POSITIVE | op::UNARY_NEGATIVE | op::UNARY_INVERT | op::UNARY_NOT => {
            let value = lw.pop();
            let which = lw.iconst(i64::from(lw.ins.opcode));
            let result = lw.call("pyjit_unary_op", &[value, which]);
            lw.raise_if_null(result);
            lw.push(result);
        }
        op::COMPARE_OP => compare_op(lw, arg),
        op::IS_OP => {
            let rhs = lw.pop();
            let lhs = lw.pop();
            let cc = if arg == 0 { IntCC::Equal } else { IntCC::NotEqual };
            let same = lw.b.ins().icmp(cc, lhs, rhs);
            let result = lw.bool_object(same);
            lw.push(result);
            lw.decref(lhs);
            lw.decref(rhs);
        }
        op::CONTAINS_OP => {
            let container = lw.pop();
            let item = lw.pop();
            let invert = lw.iconst(i64::from(arg));
            let result = lw.call("pyjit_contains_op", &[item, container, invert]);
            lw.raise_if_null(result);
            lw.push(result);
        }
        op::BINARY_SUBSCR => {
            let key = lw.pop();
            let container = lw.pop();
            let result = lw.call("pyjit_binary_subscr", &[container, key]);
            lw.raise_if_null(result);
            lw.push(result);
        }
        op::STORE_SUBSCR => {
            let key = lw.pop();
            let container = lw.pop();
            let value = lw.pop();
            let status = lw.call("pyjit_store_subscr", &[container, key, value]);
            lw.raise_if_negative(status);
        }
        op::DELETE_SUBSCR => {
            let key = lw.pop();
            let container = lw.pop();
            let null = lw.iconst(0);
            let status = lw.call("pyjit_store_subscr", &[container, key, null]);
            lw.raise_if_negative(status);
        }
        op::BUILD_SLICE => {
            let step = if arg == 3 { lw.pop() } else { lw.iconst(0) };
            let stop = lw.pop();
            let start = lw.pop();
            let result = lw.call("pyjit_build_slice", &[start, stop, step]);
            lw.raise_if_null(result);
            lw.push(result);
        }
        _ => unreachable!("not an operator opcode"),
    }
}

/// BINARY_OP `which`: the fast paths the profile calls for, then the
/// generic `pyjit_binary_op`.
fn binary_op(lw: &mut Lowering, which: u32) {
    let rhs = lw.pop();
    let lhs = lw.pop();
    let done = lw.b.create_block();
    let result = lw.b.append_block_param(done, lw.ptr);
    let kinds = numeric::binary_kinds(lw.observed(), which);
    numeric::fast_paths(lw, kinds, done, |lw, kind, fail| numeric::binary(lw, kind, which, lhs, rhs, fail));
    let which = lw.iconst(i64::from(which));
    let generic = lw.call("pyjit_binary_op", &[lhs, rhs, which]);
    lw.b.ins().jump(done, &[generic.into()]);
    lw.switch_to(done);
    lw.b.seal_block(done);
    lw.raise_if_null(result);
    lw.push(result);
}

/// COMPARE_OP `which`: the fast paths the profile calls for, then the
/// generic `pyjit_compare_op`. Followed by a conditional jump, the fast
/// paths hand the jump their condition and make no bool.
fn compare_op(lw: &mut Lowering, which: u32) {
    let rhs = lw.pop();
    let lhs = lw.pop();
    let jump_follows = lw.next_opcode().is_some_and(is_truth_jump);
    let kinds = numeric::compare_kinds(lw.observed(), jump_follows);
    let fused = match kinds {
        [] => None,
        _ if jump_follows => lw.fuse_condition(),
        _ => None,
    };
    let generic_compare = |lw: &mut Lowering| {
        let (which, jump_follows) = (lw.iconst(i64::from(which)), lw.iconst(i64::from(jump_follows)));
        let result = lw.call("pyjit_compare_op", &[lhs, rhs, which, jump_follows]);
        lw.raise_if_null(result);
        result
    };
    if let Some(condition) = fused {
        numeric::fast_paths(lw, kinds, condition, |lw, kind, fail| numeric::compare(lw, kind, which, lhs, rhs, fail));
        let result = generic_compare(lw);
        lw.push(result);
        return;
    }
    let generic = lw.b.create_block();
    let done = lw.b.create_block();
    let result = lw.b.append_block_param(done, lw.ptr);
    if !kinds.is_empty() && !jump_follows {
        // Unlike the compares a jump follows (specialised in the
        // interpreter), this one checks the recursion limit in
        // PyObject_RichCompare: at the limit, only the generic path raises.
        let remaining = lw.load_i32(lw.tstate, abi::TSTATE_RECURSION_REMAINING);
        let below_limit = lw.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, remaining, 0);
        numeric::guard(lw, below_limit, generic);
    }
    numeric::fast_paths(lw, kinds, done, |lw, kind, fail| {
        let cond = numeric::compare(lw, kind, which, lhs, rhs, fail);
        lw.bool_object(cond)
    });
    lw.b.ins().jump(generic, &[]);
    lw.switch_to(generic);
    lw.b.seal_block(generic);
    let result_generic = generic_compare(lw);
    lw.b.ins().jump(done, &[result_generic.into()]);
    lw.switch_to(done);
    lw.b.seal_block(done);
    lw.push(result);
}

fn is_truth_jump(opcode: u8) -> bool {
    matches!(
        opcode,
        op::POP_JUMP_FORWARD_IF_FALSE
            | op::POP_JUMP_FORWARD_IF_TRUE
            | op::POP_JUMP_BACKWARD_IF_FALSE
            | op::POP_JUMP_BACKWARD_IF_TRUE
    )
}
