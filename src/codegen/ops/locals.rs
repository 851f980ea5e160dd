//! Constants, fast locals, cells and free variables.
//!
//! Locals stay in the frame's `localsplus`, so `locals()`, tracebacks,
//! `sys._getframe().f_locals` and debuggers see them exactly as in the
//! interpreter.

use crate::abi::{self, op};
use crate::codegen::lowering::Lowering;
use crate::config::Optimization;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::InstBuilder;

pub fn lower(lw: &mut Lowering) {
    let arg = lw.ins.arg;
    match lw.ins.opcode {
        op::LOAD_CONST => {
            let value = lw.constant(arg);
            push_borrowed_or_owned(lw, value);
            lw.note_top_is_constant(arg);
        }
        op::LOAD_FAST if lw.local_is_bound(arg) => {
            let value = lw.load_local(arg);
            push_borrowed_or_owned(lw, value);
        }
        op::LOAD_FAST | op::LOAD_CLOSURE => {
            // Raising UnboundLocalError leaves with the stack, which must own its items.
            lw.own_stack_below(0);
            let value = if lw.local_is_bound(arg) { lw.load_local(arg) } else { load_bound_local(lw, arg) };
            lw.incref(value);
            lw.push(value);
        }
        op::STORE_FAST => {
            let value = lw.pop();
            let old = lw.load_local(arg);
            lw.store_local(arg, value);
            if lw.local_is_bound(arg) {
                lw.decref(old);
            } else {
                lw.xdecref(old);
            }
        }
        op::DELETE_FAST => {
            let old = load_bound_local(lw, arg);
            let null = lw.iconst(0);
            lw.store_local(arg, null);
            lw.decref(old);
        }
        op::MAKE_CELL => {
            lw.position_for_calls();
            let (frame, index) = (lw.frame, lw.iconst(i64::from(arg)));
            let status = lw.call("pyjit_make_cell", &[frame, index]);
            lw.raise_if_negative(status);
        }
        op::COPY_FREE_VARS => {
            let func = lw.load(lw.frame, abi::FRAME_F_FUNC);
            let closure = lw.load(func, abi::FUNC_CLOSURE);
            let first = lw.nlocalsplus() - arg;
            for i in 0..arg {
                let cell = lw.load(closure, abi::TUPLE_ITEMS + 8 * i as usize);
                lw.incref(cell);
                lw.store_local(first + i, cell);
            }
        }
        op::LOAD_DEREF => {
            let cell = lw.load_local(arg);
            let value = lw.load(cell, abi::CELL_REF);
            raise_unbound_cell_if_null(lw, value);
            lw.incref(value);
            lw.push(value);
        }
        op::STORE_DEREF => {
            let value = lw.pop();
            let cell = lw.load_local(arg);
            let old = lw.load(cell, abi::CELL_REF);
            lw.store(value, cell, abi::CELL_REF);
            lw.xdecref(old);
        }
        op::DELETE_DEREF => {
            let cell = lw.load_local(arg);
            let old = lw.load(cell, abi::CELL_REF);
            raise_unbound_cell_if_null(lw, old);
            let null = lw.iconst(0);
            lw.store(null, cell, abi::CELL_REF);
            lw.decref(old);
        }
        op::LOAD_CLASSDEREF => {
            lw.position_for_calls();
            let (tstate, frame, index) = (lw.tstate, lw.frame, lw.iconst(i64::from(arg)));
            let value = lw.call("pyjit_load_classderef", &[tstate, frame, index]);
            lw.raise_if_null(value);
            lw.push(value);
        }
        _ => unreachable!("not a locals opcode"),
    }
}

/// Pushes a reference the frame keeps alive: borrowed, or with
/// `Optimization::BorrowedOperands` off a new one.
fn push_borrowed_or_owned(lw: &mut Lowering, value: cranelift_codegen::ir::Value) {
    if lw.apply(Optimization::BorrowedOperands) {
        lw.push_borrowed(value);
    } else {
        lw.incref(value);
        lw.push(value);
    }
}

/// `localsplus[index]`, raising UnboundLocalError when it is unbound.
fn load_bound_local(lw: &mut Lowering, index: u32) -> cranelift_codegen::ir::Value {
    let value = lw.load_local(index);
    let unbound = lw.b.ins().icmp_imm_s(IntCC::Equal, value, 0);
    let (tstate, frame, index) = (lw.tstate, lw.frame, lw.iconst(i64::from(index)));
    lw.raise_error_if(unbound, "pyjit_unbound_local", &[tstate, frame, index]);
    value
}

fn raise_unbound_cell_if_null(lw: &mut Lowering, value: cranelift_codegen::ir::Value) {
    let unbound = lw.b.ins().icmp_imm_s(IntCC::Equal, value, 0);
    let (tstate, frame, index) = (lw.tstate, lw.frame, lw.iconst(i64::from(lw.ins.arg)));
    lw.raise_error_if(unbound, "pyjit_unbound_cell", &[tstate, frame, index]);
}

/// Before `second`, the second instruction of a superinstruction (see
/// `bytecode::forms_superinstruction`) that loads a possibly unbound local, with the first
/// as the current instruction, on the path that falls through from it: raises
/// UnboundLocalError at the first when the local is unbound and the code's warm-up
/// is over (the interpreter would have quickened it into the superinstruction; see
/// `Lowering::warm_up`), as the interpreter reports it there; otherwise `second`
/// reports it itself. A jump to the first of the pair is taken for its dispatch, also where
/// the fall-through path ran it as the second half of the pair before it (a pair
/// whose first starts a block and ends another: only `tb_lasti` then differs).
/// The interpreter looks the handler up at the second instruction
/// (`Lowering::raise_error_in_pair_if`); where that handler is not compiled, the
/// error is left to `second`: handled right, reported one instruction later
/// than CPython reports it.
pub fn raise_unbound_in_superinstruction(
    lw: &mut Lowering,
    second: &crate::bytecode::Instr,
    position: usize,
) {
    if second.opcode != op::LOAD_FAST || lw.local_is_bound_at(position, second.arg) || !lw.can_raise_in_pair(second.index) {
        return;
    }
    lw.own_stack_below(0);
    let value = lw.load_local(second.arg);
    let unbound = lw.b.ins().icmp_imm_s(IntCC::Equal, value, 0);
    let quickened = lw.warmed_up();
    let raise = lw.b.ins().band(unbound, quickened);
    let (tstate, frame, index) = (lw.tstate, lw.frame, lw.iconst(i64::from(second.arg)));
    lw.raise_error_in_pair_if(raise, "pyjit_unbound_local", &[tstate, frame, index], second.index);
}
