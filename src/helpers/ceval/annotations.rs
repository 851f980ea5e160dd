//! SETUP_ANNOTATIONS.


use super::*;

// ---------------------------------------------------------------------------
// Annotations
// ---------------------------------------------------------------------------

/// SETUP_ANNOTATIONS opcode body (`TARGET(SETUP_ANNOTATIONS)`).
///
/// Makes sure `f_locals['__annotations__']` exists, creating an empty dict
/// if it does not. An exact dict is looked up with `PyDict_GetItemWithError`
/// and updated with `PyDict_SetItem`. Any other mapping goes through
/// `PyObject_GetItem`/`PyObject_SetItem`, where a `KeyError` means "absent".
/// Returns 0, or -1 with an exception set. A NULL `f_locals` raises
/// `SystemError("no locals found when setting up annotations")`.
///
/// # Safety
/// GIL held, `tstate` current, `frame` the running frame.
pub unsafe fn setup_annotations(tstate: *mut ThreadState, frame: &Frame) -> i32 {
    debug_assert!(is_current(tstate));
    let locals = frame.locals();
    if locals.is_null() {
        // SAFETY: static exception type; the format has no conversions.
        unsafe {
            ffi::PyErr_Format(
                ffi::PyExc_SystemError,
                c"no locals found when setting up annotations".as_ptr(),
            );
        }
        return -1;
    }
    // SAFETY: the GIL is held.
    let key = unsafe { ID_ANNOTATIONS.get() };
    if key.is_null() {
        return -1;
    }
    // SAFETY: `locals` is the frame's live namespace; `ann_dict` references
    // are tracked exactly as in C (borrowed from the dict in the first
    // branch, owned in the others).
    unsafe {
        // check if __annotations__ in locals()...
        if ffi::PyDict_CheckExact(locals) != 0 {
            let ann_dict = ffi::PyDict_GetItemWithError(locals, key);
            if ann_dict.is_null() {
                if !ffi::PyErr_Occurred().is_null() {
                    return -1;
                }
                // ...if not, create a new one
                let ann_dict = ffi::PyDict_New();
                if ann_dict.is_null() {
                    return -1;
                }
                let err = ffi::PyDict_SetItem(locals, key, ann_dict);
                ffi::Py_DECREF(ann_dict);
                if err != 0 {
                    return -1;
                }
            }
        } else {
            // do the same if locals() is not a dict
            let ann_dict = ffi::PyObject_GetItem(locals, key);
            if ann_dict.is_null() {
                if ffi::PyErr_ExceptionMatches(ffi::PyExc_KeyError) == 0 {
                    return -1;
                }
                ffi::PyErr_Clear();
                let ann_dict = ffi::PyDict_New();
                if ann_dict.is_null() {
                    return -1;
                }
                let err = ffi::PyObject_SetItem(locals, key, ann_dict);
                ffi::Py_DECREF(ann_dict);
                if err != 0 {
                    return -1;
                }
            } else {
                ffi::Py_DECREF(ann_dict);
            }
        }
    }
    0
}
