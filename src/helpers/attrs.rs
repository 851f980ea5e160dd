//! The functions compiled code calls for the attrs family (`codegen::ops::attrs`).

use crate::abi::ffi as abi_ffi;
use pyo3::ffi::{self, PyObject};

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
