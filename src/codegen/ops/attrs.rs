//! Attribute access and method lookup.

use crate::abi::{ffi as abi_ffi, op};
use crate::codegen::lowering::Lowering;
use pyo3::ffi::{self, PyObject};

pub fn lower(lw: &mut Lowering) {
    let name = lw.name(lw.ins.arg);
    lw.set_prev_instr();
    match lw.ins.opcode {
        op::LOAD_ATTR => {
            let owner = lw.pop();
            let value = lw.call("pyjit_load_attr", &[owner, name]);
            lw.raise_if_null(value);
            lw.push(value);
        }
        op::STORE_ATTR => {
            let owner = lw.pop();
            let value = lw.pop();
            let status = lw.call("pyjit_store_attr", &[owner, name, value]);
            lw.raise_if_negative(status);
        }
        op::DELETE_ATTR => {
            let owner = lw.pop();
            let null = lw.iconst(0);
            let status = lw.call("pyjit_store_attr", &[owner, name, null]);
            lw.raise_if_negative(status);
        }
        op::LOAD_METHOD => {
            // The object is written to the frame's stack slot; the runtime
            // function replaces it with [method, self] or [NULL, attribute].
            let base = lw.depth - 1;
            lw.spill(base, base + 1);
            let slots = lw.stack_address(base);
            let status = lw.call("pyjit_load_method", &[slots, name]);
            lw.raise_if_negative(status);
            lw.depth += 1;
            lw.reload(base, base + 2);
        }
        _ => unreachable!("not an attribute opcode"),
    }
}

/// LOAD_ATTR: consumes `owner`.
pub unsafe extern "C" fn load_attr(owner: *mut PyObject, name: *mut PyObject) -> *mut PyObject {
    // SAFETY: owner is an owned reference released here; name is borrowed.
    unsafe {
        let value = ffi::PyObject_GetAttr(owner, name);
        ffi::Py_DECREF(owner);
        value
    }
}

/// STORE_ATTR (or DELETE_ATTR when `value` is NULL): consumes both.
pub unsafe extern "C" fn store_attr(owner: *mut PyObject, name: *mut PyObject, value: *mut PyObject) -> isize {
    // SAFETY: owner and value are owned references released here.
    unsafe {
        let status = ffi::PyObject_SetAttr(owner, name, value);
        ffi::Py_XDECREF(value);
        ffi::Py_DECREF(owner);
        status as isize
    }
}

/// LOAD_METHOD on `slots[0]`: leaves `[method, self]` when `name` is a plain
/// method of the type, else `[NULL, attribute]`. On error the object stays in
/// `slots[0]`.
pub unsafe extern "C" fn load_method(slots: *mut *mut PyObject, name: *mut PyObject) -> isize {
    // SAFETY: slots points at two value-stack slots of the live frame; the
    // first holds an owned reference.
    unsafe {
        let obj = *slots;
        let mut method = std::ptr::null_mut();
        let found = abi_ffi::_PyObject_GetMethod(obj, name, &mut method);
        if method.is_null() {
            return -1;
        }
        if found != 0 {
            *slots = method;
            *slots.add(1) = obj;
        } else {
            *slots = std::ptr::null_mut();
            ffi::Py_DECREF(obj);
            *slots.add(1) = method;
        }
        0
    }
}
