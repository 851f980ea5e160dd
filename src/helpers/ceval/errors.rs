//! NameError and UnboundLocalError, and the opcodes that raise them.


use super::*;

// ---------------------------------------------------------------------------
// NameError / UnboundLocalError
// ---------------------------------------------------------------------------

/// Port of ceval.c `format_exc_check_arg`.
///
/// Raises `exc` with `format` (exactly one `%s`-style conversion, filled
/// with `name` as UTF-8). When `exc` is `NameError` itself, it also sets the
/// exception's `name` attribute (for "Did you mean" suggestions) if that is
/// still unset. `exc` and `name` are borrowed. Like the C code, a NULL
/// `name`, or one that cannot be encoded as UTF-8, leaves the error state as
/// it is (for the latter, that is the encoding error).
///
/// # Safety
/// GIL held, `tstate` current, `exc` an exception class, `name` NULL or a
/// `str`, `format` a `PyUnicode_FromFormat` format with one `%s`.
pub unsafe fn format_exc_check_arg(
    tstate: *mut ThreadState,
    exc: *mut PyObject,
    format: &CStr,
    name: *mut PyObject,
) {
    debug_assert!(is_current(tstate));
    if name.is_null() {
        return;
    }
    // SAFETY: `name` is a live str.
    let obj_str = unsafe { ffi::PyUnicode_AsUTF8(name) };
    if obj_str.is_null() {
        return;
    }
    // SAFETY: `format` has one `%s`, matched by the C string `obj_str`.
    unsafe { ffi::PyErr_Format(exc, format.as_ptr(), obj_str) };

    // SAFETY: reading the address of a static exception type.
    if exc != unsafe { ffi::PyExc_NameError } {
        return;
    }
    // Include the name in the NameError exceptions to offer suggestions later.
    let mut type_ = ptr::null_mut();
    let mut value = ptr::null_mut();
    let mut traceback = ptr::null_mut();
    // SAFETY: moves the raised exception (owned references) out of the
    // thread state and normalizes it in place.
    unsafe {
        ffi::PyErr_Fetch(&mut type_, &mut value, &mut traceback);
        ffi::PyErr_NormalizeException(&mut type_, &mut value, &mut traceback);
    }
    // SAFETY: `value` is NULL or a live exception, which we own.
    if unsafe { ffi::PyErr_GivenExceptionMatches(value, ffi::PyExc_NameError) } != 0 {
        // SAFETY: `value` is a NameError instance (checked just above).
        let slot = unsafe { name_error_name_slot(value) };
        // SAFETY: `slot` points into the live exception `value`.
        if !slot.is_null() && unsafe { *slot }.is_null() {
            // We do not care if this fails because we are going to restore
            // the NameError anyway.
            // SAFETY: `value` and `name` are live objects.
            unsafe {
                let attr = ID_NAME.get();
                if !attr.is_null() {
                    ffi::PyObject_SetAttr(value, attr, name);
                }
            }
        }
    }
    // SAFETY: gives the owned triple back to the thread state.
    unsafe { ffi::PyErr_Restore(type_, value, traceback) };
}

/// `format_exc_check_arg(tstate, PyExc_NameError, NAME_ERROR_MSG, name)`,
/// as LOAD_NAME, LOAD_GLOBAL, DELETE_NAME and DELETE_GLOBAL raise it. `name`
/// is borrowed.
///
/// # Safety
/// As [`format_exc_check_arg`].
pub unsafe fn name_error(tstate: *mut ThreadState, name: *mut PyObject) {
    // SAFETY: forwarded contract; PyExc_NameError is a static type.
    unsafe { format_exc_check_arg(tstate, ffi::PyExc_NameError, NAME_ERROR_MSG, name) }
}

/// `format_exc_check_arg(tstate, PyExc_UnboundLocalError,
/// UNBOUNDLOCAL_ERROR_MSG, name)`. `name` is borrowed.
///
/// # Safety
/// As [`format_exc_check_arg`].
pub unsafe fn unbound_local_error(tstate: *mut ThreadState, name: *mut PyObject) {
    // SAFETY: forwarded contract; PyExc_UnboundLocalError is a static type.
    unsafe {
        format_exc_check_arg(tstate, ffi::PyExc_UnboundLocalError, UNBOUNDLOCAL_ERROR_MSG, name)
    }
}

/// Port of ceval.c `format_exc_unbound`, used by LOAD_DEREF, DELETE_DEREF
/// and LOAD_CLASSDEREF.
///
/// Leaves any exception already set alone. Otherwise it raises
/// UnboundLocalError for a cell variable and NameError (with `.name` set)
/// for a free variable. C tests `oparg < co_nlocals + co_nplaincellvars`.
/// The free variables come last in `localsplus`, so this tests the
/// equivalent `oparg < co_nlocalsplus - co_nfreevars`, reading the free
/// variable count with the public `PyCode_GetFreevars`.
/// Difference: if that allocation fails, the `MemoryError` is raised
/// instead.
///
/// # Safety
/// GIL held, `tstate` current, `code` a live code object, and
/// `0 <= oparg < co_nlocalsplus`.
pub unsafe fn format_exc_unbound(tstate: *mut ThreadState, code: *mut PyCodeObject, oparg: i32) {
    debug_assert!(is_current(tstate));
    // Don't stomp existing exception.
    // SAFETY: the GIL is held.
    if !unsafe { ffi::PyErr_Occurred() }.is_null() {
        return;
    }
    let names = abi::code_object(code, abi::CODE_LOCALSPLUSNAMES);
    // SAFETY: `names` is the live co_localsplusnames tuple and `oparg` is
    // in range (caller contract), as for PyTuple_GET_ITEM in C.
    let (name, nlocalsplus) =
        unsafe { (ffi::PyTuple_GET_ITEM(names, oparg as Py_ssize_t), ffi::PyTuple_GET_SIZE(names)) };
    // SAFETY: `code` is a live code object; the result is a new tuple.
    let freevars = unsafe { PyCode_GetFreevars(code) };
    if freevars.is_null() {
        return;
    }
    // SAFETY: `freevars` is our new reference to a tuple.
    let nfreevars = unsafe {
        let n = ffi::PyTuple_GET_SIZE(freevars);
        ffi::Py_DECREF(freevars);
        n
    };
    // SAFETY: forwarded contract; both exception types are static.
    unsafe {
        if (oparg as Py_ssize_t) < nlocalsplus - nfreevars {
            format_exc_check_arg(tstate, ffi::PyExc_UnboundLocalError, UNBOUNDLOCAL_ERROR_MSG, name);
        } else {
            format_exc_check_arg(tstate, ffi::PyExc_NameError, UNBOUNDFREE_ERROR_MSG, name);
        }
    }
}

/// LOAD_CLASSDEREF opcode body (ceval.c `TARGET(LOAD_CLASSDEREF)`).
///
/// It first looks the name `co_localsplusnames[oparg]` up in the frame's
/// `f_locals`: with `PyDict_GetItemWithError` for an exact dict, otherwise
/// with `PyObject_GetItem`, where a `KeyError` means "not found". If the
/// name is not there, it returns the contents of `cell`. `cell` is the
/// borrowed `localsplus[oparg]`. Returns a new reference to push, or NULL
/// with an exception set (for an empty cell, via [`format_exc_unbound`]).
/// Difference: C only asserts that `f_locals` is set. Here a NULL `f_locals`
/// raises SystemError instead of crashing.
///
/// # Safety
/// GIL held, `tstate` current, `frame` the running frame, `oparg` a valid
/// localsplus index and `cell` the cell object stored there.
pub unsafe fn load_classderef(
    tstate: *mut ThreadState,
    frame: &Frame,
    oparg: i32,
    cell: *mut PyObject,
) -> *mut PyObject {
    debug_assert!(is_current(tstate));
    let locals = frame.locals();
    if locals.is_null() {
        // SAFETY: static exception type and a literal message.
        unsafe {
            ffi::PyErr_SetString(ffi::PyExc_SystemError, c"no locals found for LOAD_CLASSDEREF".as_ptr())
        };
        return ptr::null_mut();
    }
    let code = frame.code();
    let names = abi::code_object(code, abi::CODE_LOCALSPLUSNAMES);
    // SAFETY: `oparg < co_nlocalsplus` (caller contract).
    let name = unsafe { ffi::PyTuple_GET_ITEM(names, oparg as Py_ssize_t) };
    let mut value;
    // SAFETY: `locals` and `name` are live objects owned by the frame and
    // its code object while the opcode runs.
    unsafe {
        if ffi::PyDict_CheckExact(locals) != 0 {
            value = ffi::PyDict_GetItemWithError(locals, name);
            if !value.is_null() {
                ffi::Py_INCREF(value);
            } else if !ffi::PyErr_Occurred().is_null() {
                return ptr::null_mut();
            }
        } else {
            value = ffi::PyObject_GetItem(locals, name);
            if value.is_null() {
                if ffi::PyErr_ExceptionMatches(ffi::PyExc_KeyError) == 0 {
                    return ptr::null_mut();
                }
                ffi::PyErr_Clear();
            }
        }
    }
    if value.is_null() {
        // PyCell_GET + Py_INCREF.
        // SAFETY: `cell` is the live cell stored in localsplus[oparg].
        value = unsafe { PyCell_Get(cell) };
        if value.is_null() {
            // SAFETY: forwarded contract.
            unsafe { format_exc_unbound(tstate, code, oparg) };
            return ptr::null_mut();
        }
    }
    value
}
