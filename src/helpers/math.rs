//! The math module's C functions that compiled code computes itself
//! (`bytecode::MathFunction`): a call site checks that its callable is the
//! builtin of that C function by comparing the builtin's `ml_meth` with the
//! address recorded here, so a name rebound to anything else, or a math
//! module that is not CPython's, takes the call it always did.

use crate::abi::{self, read_field};
use crate::bytecode::MathFunction;
use pyo3::ffi;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};

/// The `ml_meth` of each of `MathFunction::ALL`'s builtins, 0 until
/// `find_functions` saw the math module (generated code reads it as
/// `pyjit_math_functions`; no builtin's `ml_meth` is 0).
pub static FUNCTIONS: [AtomicUsize; MathFunction::ALL.len()] = [const { AtomicUsize::new(0) }; MathFunction::ALL.len()];

/// Whether `find_functions` has seen the math module.
static FOUND: AtomicBool = AtomicBool::new(false);

/// Records the C functions of the math module's builtins, once the module
/// is imported (it is looked up in `sys.modules`, never imported here):
/// called before code is compiled or attached, which is when code that
/// calls them starts running natively. With the GIL held.
pub fn find_functions() {
    if FOUND.load(Relaxed) {
        return;
    }
    // SAFETY: with the GIL held; every reference taken is released, and an
    // error from a failed lookup is cleared (nothing is recorded then).
    unsafe {
        let modules = ffi::PyImport_GetModuleDict();
        let module = ffi::PyDict_GetItemString(modules, c"math".as_ptr());
        if module.is_null() {
            return;
        }
        FOUND.store(true, Relaxed);
        for function in MathFunction::ALL {
            let builtin = ffi::PyObject_GetAttrString(module, function.name().as_ptr());
            if builtin.is_null() {
                ffi::PyErr_Clear();
                continue;
            }
            if ffi::PyCFunction_CheckExact(builtin) != 0 {
                let def: *mut u8 = read_field(builtin.cast(), abi::CFUNCTION_METHOD_DEF);
                if read_field::<i32>(def, abi::METHOD_DEF_FLAGS) == ffi::METH_O {
                    FUNCTIONS[function.index()].store(read_field(def, abi::METHOD_DEF_FUNCTION), Relaxed);
                }
            }
            ffi::Py_DECREF(builtin);
        }
    }
}
