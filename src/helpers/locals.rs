//! The functions compiled code calls for the locals family (`codegen::ops::locals`).

use crate::abi::{self, Frame, ThreadState};
use crate::helpers::ceval;
use pyo3::ffi::{self, PyObject};

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
