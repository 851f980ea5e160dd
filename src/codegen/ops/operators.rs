//! Unary, binary and comparison operators, subscripts and slices.

use crate::abi::op;
use crate::codegen::lowering::Lowering;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::InstBuilder;

pub fn lower(lw: &mut Lowering) {
    let arg = lw.ins.arg;
    lw.set_prev_instr();
    match lw.ins.opcode {
        op::BINARY_OP => {
            let rhs = lw.pop();
            let lhs = lw.pop();
            let which = lw.iconst(i64::from(arg));
            let result = lw.call("pyjit_binary_op", &[lhs, rhs, which]);
            lw.raise_if_null(result);
            lw.push(result);
        }
        op::UNARY_POSITIVE | op::UNARY_NEGATIVE | op::UNARY_INVERT | op::UNARY_NOT => {
            let value = lw.pop();
            let which = lw.iconst(i64::from(lw.ins.opcode));
            let result = lw.call("pyjit_unary_op", &[value, which]);
            lw.raise_if_null(result);
            lw.push(result);
        }
        op::COMPARE_OP => {
            let rhs = lw.pop();
            let lhs = lw.pop();
            let which = lw.iconst(i64::from(arg));
            let jump_follows = lw.iconst(i64::from(lw.next_opcode().is_some_and(is_truth_jump)));
            let result = lw.call("pyjit_compare_op", &[lhs, rhs, which, jump_follows]);
            lw.raise_if_null(result);
            lw.push(result);
        }
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

fn is_truth_jump(opcode: u8) -> bool {
    matches!(
        opcode,
        op::POP_JUMP_FORWARD_IF_FALSE
            | op::POP_JUMP_FORWARD_IF_TRUE
            | op::POP_JUMP_BACKWARD_IF_FALSE
            | op::POP_JUMP_BACKWARD_IF_TRUE
    )
}
