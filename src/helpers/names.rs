//! The functions compiled code calls for the names family (`codegen::ops::names`).

use crate::abi::{Frame, ThreadState};
use crate::helpers::ceval;
use pyo3::ffi::{self, PyObject};
use std::ffi::c_int;

/// Looks `name` up in `dict` (a dict, or any mapping). Returns a new
/// reference, or NULL with no exception when absent, or NULL with an
/// exception set.
unsafe fn lookup(dict: *mut PyObject, name: *mut PyObject) -> *mut PyObject {
    // SAFETY: dict and name are live objects owned by the frame.
    unsafe {
        if ffi::PyDict_CheckExact(dict) != 0 {
            let value = ffi::PyDict_GetItemWithError(dict, name);
            ffi::Py_XINCREF(value);
            return value;
        }
        let value = ffi::PyObject_GetItem(dict, name);
        if value.is_null() && ffi::PyErr_ExceptionMatches(ffi::PyExc_KeyError) != 0 {
            ffi::PyErr_Clear();
        }
        value
    }
}

/// NameError for `name` when a lookup came back empty without an exception.
unsafe fn not_found(tstate: *mut ThreadState, name: *mut PyObject) -> *mut PyObject {
    // SAFETY: name is a live str.
    unsafe {
        if ffi::PyErr_Occurred().is_null() {
            ceval::name_error(tstate, name);
        }
    }
    std::ptr::null_mut()
}

/// LOAD_NAME: f_locals, then globals, then builtins. As in the
/// interpreter, globals (a dict, perhaps of a subclass) are read as a
/// plain dict: a subclass's `__getitem__` and `__missing__` are not
/// consulted there, while locals and builtins that are not exact dicts are
/// read through the mapping protocol.
pub unsafe extern "C" fn load_name(tstate: *mut ThreadState, frame: *mut Frame, name: *mut PyObject) -> *mut PyObject {
    // SAFETY: the frame is live; its namespaces are owned by it.
    unsafe {
        let frame = &*frame;
        let locals = frame.locals();
        if locals.is_null() {
            let msg = c"no locals when loading %R";
            ffi::PyErr_Format(ffi::PyExc_SystemError, msg.as_ptr(), name);
            return std::ptr::null_mut();
        }
        let found = |value: *mut PyObject| !value.is_null() || !ffi::PyErr_Occurred().is_null();
        let value = lookup(locals, name);
        if found(value) {
            return value;
        }
        let value = ffi::PyDict_GetItemWithError(frame.globals(), name);
        ffi::Py_XINCREF(value);
        if found(value) {
            return value;
        }
        let value = lookup(frame.builtins(), name);
        if found(value) {
            return value;
        }
        not_found(tstate, name)
    }
}

/// STORE_NAME: consumes `value`.
pub unsafe extern "C" fn store_name(
    _tstate: *mut ThreadState,
    frame: *mut Frame,
    name: *mut PyObject,
    value: *mut PyObject,
) -> isize {
    // SAFETY: the frame is live; value is an owned reference we release.
    unsafe {
        let locals = (*frame).locals();
        let status = if locals.is_null() {
            let msg = c"no locals found when storing %R";
            ffi::PyErr_Format(ffi::PyExc_SystemError, msg.as_ptr(), name);
            -1
        } else if ffi::PyDict_CheckExact(locals) != 0 {
            ffi::PyDict_SetItem(locals, name, value)
        } else {
            ffi::PyObject_SetItem(locals, name, value)
        };
        ffi::Py_DECREF(value);
        status as isize
    }
}

/// DELETE_NAME.
pub unsafe extern "C" fn delete_name(tstate: *mut ThreadState, frame: *mut Frame, name: *mut PyObject) -> isize {
    // SAFETY: the frame is live.
    unsafe {
        let locals = (*frame).locals();
        if locals.is_null() {
            let msg = c"no locals when deleting %R";
            ffi::PyErr_Format(ffi::PyExc_SystemError, msg.as_ptr(), name);
            return -1;
        }
        if ffi::PyObject_DelItem(locals, name) != 0 {
            ceval::name_error(tstate, name);
            return -1;
        }
        0
    }
}

/// LOAD_GLOBAL: globals, then builtins.
pub unsafe extern "C" fn load_global(tstate: *mut ThreadState, frame: *mut Frame, name: *mut PyObject) -> *mut PyObject {
    // SAFETY: the frame is live.
    unsafe {
        let frame = &*frame;
        let (globals, builtins) = (frame.globals(), frame.builtins());
        if ffi::PyDict_CheckExact(globals) != 0 && ffi::PyDict_CheckExact(builtins) != 0 {
            for namespace in [globals, builtins] {
                let value = ffi::PyDict_GetItemWithError(namespace, name);
                if !value.is_null() {
                    ffi::Py_INCREF(value);
                    return value;
                }
                if !ffi::PyErr_Occurred().is_null() {
                    return std::ptr::null_mut();
                }
            }
            return not_found(tstate, name);
        }
        for namespace in [globals, builtins] {
            let value = ffi::PyObject_GetItem(namespace, name);
            if !value.is_null() {
                return value;
            }
            if ffi::PyErr_ExceptionMatches(ffi::PyExc_KeyError) == 0 {
                return std::ptr::null_mut();
            }
            ffi::PyErr_Clear();
        }
        not_found(tstate, name)
    }
}

/// STORE_GLOBAL: consumes `value`.
pub unsafe extern "C" fn store_global(frame: *mut Frame, name: *mut PyObject, value: *mut PyObject) -> isize {
    // SAFETY: the frame is live; value is owned and released here.
    unsafe {
        let status = ffi::PyDict_SetItem((*frame).globals(), name, value);
        ffi::Py_DECREF(value);
        status as isize
    }
}

/// DELETE_GLOBAL.
pub unsafe extern "C" fn delete_global(tstate: *mut ThreadState, frame: *mut Frame, name: *mut PyObject) -> isize {
    // SAFETY: the frame is live.
    unsafe {
        if ffi::PyDict_DelItem((*frame).globals(), name) != 0 {
            if ffi::PyErr_ExceptionMatches(ffi::PyExc_KeyError) != 0 {
                ffi::PyErr_Clear();
                ceval::name_error(tstate, name);
            }
            return -1;
        }
        0
    }
}

/// IMPORT_NAME: consumes `fromlist` and `level`.
pub unsafe extern "C" fn import_name(
    tstate: *mut ThreadState,
    frame: *mut Frame,
    name: *mut PyObject,
    fromlist: *mut PyObject,
    level: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: the frame is live; fromlist and level are owned and released.
    unsafe {
        let module = ceval::import_name(tstate, &*frame, name, fromlist, level);
        ffi::Py_DECREF(level);
        ffi::Py_DECREF(fromlist);
        module
    }
}

/// IMPORT_FROM: borrows the module, which stays on the stack.
pub unsafe extern "C" fn import_from(tstate: *mut ThreadState, module: *mut PyObject, name: *mut PyObject) -> *mut PyObject {
    // SAFETY: module and name are live.
    unsafe { ceval::import_from(tstate, module, name) }
}

/// IMPORT_STAR: consumes the module.
pub unsafe extern "C" fn import_star(tstate: *mut ThreadState, frame: *mut Frame, module: *mut PyObject) -> isize {
    // SAFETY: the frame is live; module is owned and released.
    unsafe {
        let locals = (*frame).locals();
        let status = if locals.is_null() {
            let msg = c"no locals found during 'import *'";
            ffi::PyErr_SetString(ffi::PyExc_SystemError, msg.as_ptr());
            -1
        } else {
            ceval::import_all_from(tstate, locals, module)
        };
        ffi::Py_DECREF(module);
        status as isize
    }
}

/// SETUP_ANNOTATIONS.
pub unsafe extern "C" fn setup_annotations(tstate: *mut ThreadState, frame: *mut Frame) -> isize {
    // SAFETY: the frame is live.
    unsafe { ceval::setup_annotations(tstate, &*frame) as isize }
}

/// LOAD_BUILD_CLASS: `builtins.__build_class__`.
pub unsafe extern "C" fn load_build_class(frame: *mut Frame) -> *mut PyObject {
    // SAFETY: the frame is live.
    unsafe {
        let key = ffi::PyUnicode_InternFromString(c"__build_class__".as_ptr());
        if key.is_null() {
            return key;
        }
        let value = lookup((*frame).builtins(), key);
        ffi::Py_DECREF(key);
        if value.is_null() && ffi::PyErr_Occurred().is_null() {
            let msg = c"__build_class__ not found";
            ffi::PyErr_SetString(ffi::PyExc_NameError, msg.as_ptr());
        }
        value
    }
}

/// PRINT_EXPR: `sys.displayhook(value)`; consumes `value`.
pub unsafe extern "C" fn print_expr(value: *mut PyObject) -> isize {
    // SAFETY: value is owned and released; the hook is borrowed from sys.
    unsafe {
        let hook = ffi::PySys_GetObject(c"displayhook".as_ptr());
        let status: c_int = if hook.is_null() {
            let msg = c"lost sys.displayhook";
            ffi::PyErr_SetString(ffi::PyExc_RuntimeError, msg.as_ptr());
            -1
        } else {
            let result = ffi::PyObject_CallOneArg(hook, value);
            if result.is_null() {
                -1
            } else {
                ffi::Py_DECREF(result);
                0
            }
        };
        ffi::Py_DECREF(value);
        status as isize
    }
}
