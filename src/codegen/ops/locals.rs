//! Constants, fast locals, cells and free variables.
//!
//! Locals stay in the frame's `localsplus`, so `locals()`, tracebacks,
//! `sys._getframe().f_locals` and debuggers see them exactly as in the
//! interpreter.

use crate::abi::{self, op, Frame, ThreadState};
use crate::codegen::lowering::Lowering;
use crate::runtime::ceval;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::InstBuilder;
use pyo3::ffi::{self, PyObject};

pub fn lower(lw: &mut Lowering) {
    let arg = lw.ins.arg;
    match lw.ins.opcode {
        op::LOAD_CONST => {
            let value = lw.constant(arg);
            lw.incref(value);
            lw.push(value);
        }
        op::LOAD_FAST | op::LOAD_CLOSURE => {
            let value = if lw.local_is_bound(arg) { lw.load_local(arg) } else { load_bound_local(lw, arg) };
            lw.incref(value);
            lw.push(value);
        }
        op::STORE_FAST => {
            let value = lw.pop();
            let old = lw.load_local(arg);
            lw.store_local(arg, value);
            lw.xdecref(old);
        }
        op::DELETE_FAST => {
            let old = load_bound_local(lw, arg);
            let null = lw.iconst(0);
            lw.store_local(arg, null);
            lw.decref(old);
        }
        op::MAKE_CELL => {
            lw.set_prev_instr();
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
            lw.set_prev_instr();
            let (tstate, frame, index) = (lw.tstate, lw.frame, lw.iconst(i64::from(arg)));
            let value = lw.call("pyjit_load_classderef", &[tstate, frame, index]);
            lw.raise_if_null(value);
            lw.push(value);
        }
        _ => unreachable!("not a locals opcode"),
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

/// UnboundLocalError for `localsplus[index]`.
pub unsafe extern "C" fn unbound_local(tstate: *mut ThreadState, frame: *mut Frame, index: isize) -> isize {
    // SAFETY: the frame is the live frame being run; co_localsplusnames has
    // an entry for every localsplus index.
    unsafe {
        let names = abi::code_object((*frame).code(), abi::CODE_LOCALSPLUSNAMES);
        ceval::unbound_local_error(tstate, ffi::PyTuple_GET_ITEM(names, index));
    }
    0
}

/// NameError/UnboundLocalError for an empty cell or free variable.
pub unsafe extern "C" fn unbound_cell(tstate: *mut ThreadState, frame: *mut Frame, index: isize) -> isize {
    // SAFETY: as for `unbound_local`.
    unsafe { ceval::format_exc_unbound(tstate, (*frame).code(), index as i32) };
    0
}

/// MAKE_CELL: wraps `localsplus[index]` (possibly NULL) in a new cell.
pub unsafe extern "C" fn make_cell(frame: *mut Frame, index: isize) -> isize {
    // SAFETY: the slot belongs to the live frame; PyCell_New takes its own
    // reference to the initial value, the frame's reference is then dropped.
    unsafe {
        let slot = (*frame).slot(index as usize);
        let initial = *slot;
        let cell = abi::ffi::PyCell_New(initial);
        if cell.is_null() {
            return -1;
        }
        *slot = cell;
        ffi::Py_XDECREF(initial);
    }
    0
}

/// LOAD_CLASSDEREF: a free variable read in a class body, looked up first in
/// the class namespace.
pub unsafe extern "C" fn load_classderef(
    tstate: *mut ThreadState,
    frame: *mut Frame,
    index: isize,
) -> *mut PyObject {
    // SAFETY: the slot holds the cell (MAKE_CELL/COPY_FREE_VARS ran).
    unsafe {
        let cell = *(*frame).slot(index as usize);
        ceval::load_classderef(tstate, &*frame, index as i32, cell)
    }
}
