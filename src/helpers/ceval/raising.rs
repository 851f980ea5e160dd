//! RAISE_VARARGS.


use super::*;

// ---------------------------------------------------------------------------
// raise
// ---------------------------------------------------------------------------

/// Port of ceval.c `do_raise` (RAISE_VARARGS with oparg 0, 1 or 2; the
/// "bad RAISE_VARARGS oparg" SystemError is the caller's).
///
/// Consumes (steals) `exc` and `cause`, either of which may be NULL. It
/// always returns with an exception set. It returns 1 for a bare `raise` that
/// re-raised the handled exception (the caller jumps to `exception_unwind`,
/// so no new traceback entry is added), and 0 otherwise (the caller goes to
/// `error`).
/// Difference: the handled exception is read with the public
/// `PyErr_GetHandledException()` instead of `_PyErr_GetTopmostException`.
/// Both look through the exception stack in the same way.
///
/// # Safety
/// GIL held, `tstate` current, `exc`/`cause` NULL or owned references.
/// `check_except_type_valid`: `right` must be an exception class or a tuple
/// of them (the `except` clause's expression).
pub unsafe fn check_except_type_valid(right: *mut PyObject) -> i32 {
    // SAFETY: right is live; tuple items are borrowed from it.
    unsafe {
        let is_exception_class =
            |x: *mut PyObject| ffi::PyType_Check(x) != 0 && ffi::PyType_FastSubclass(x.cast(), ffi::Py_TPFLAGS_BASE_EXC_SUBCLASS) != 0;
        let valid = if ffi::PyTuple_Check(right) != 0 {
            (0..ffi::PyTuple_GET_SIZE(right)).all(|i| is_exception_class(ffi::PyTuple_GET_ITEM(right, i)))
        } else {
            is_exception_class(right)
        };
        if valid {
            return 0;
        }
        let msg = c"catching classes that do not inherit from BaseException is not allowed";
        ffi::PyErr_SetString(ffi::PyExc_TypeError, msg.as_ptr());
        -1
    }
}

pub unsafe fn do_raise(tstate: *mut ThreadState, exc: *mut PyObject, cause: *mut PyObject) -> i32 {
    debug_assert!(is_current(tstate));
    let mut type_: *mut PyObject = ptr::null_mut();
    let mut value: *mut PyObject = ptr::null_mut();
    let mut cause = cause;

    if exc.is_null() {
        // Reraise
        // SAFETY: `value` is a new reference (or NULL); type and traceback
        // references are created for PyErr_Restore, which steals all three.
        unsafe {
            value = PyErr_GetHandledException();
            if !value.is_null() && ffi::Py_IsNone(value) != 0 {
                ffi::Py_DECREF(value);
                value = ptr::null_mut();
            }
            if value.is_null() {
                ffi::PyErr_SetString(ffi::PyExc_RuntimeError, c"No active exception to reraise".as_ptr());
                return 0;
            }
            debug_assert!(ffi::PyExceptionInstance_Check(value) != 0);
            type_ = ffi::PyExceptionInstance_Class(value);
            ffi::Py_INCREF(type_);
            let tb = ffi::PyException_GetTraceback(value); // new ref
            ffi::PyErr_Restore(type_, value, tb);
        }
        return 1;
    }

    // We support the following forms of raise:
    //   raise
    //   raise <instance>
    //   raise <type>
    'raise_error: {
        // SAFETY: `exc` is owned by us; `type_`/`value` track owned
        // references exactly as in C; the format arguments match the
        // conversions.
        unsafe {
            if ffi::PyExceptionClass_Check(exc) != 0 {
                type_ = exc;
                value = ffi::PyObject_CallNoArgs(exc);
                if value.is_null() {
                    break 'raise_error;
                }
                if ffi::PyExceptionInstance_Check(value) == 0 {
                    ffi::PyErr_Format(
                        ffi::PyExc_TypeError,
                        c"calling %R should have returned an instance of BaseException, not %R".as_ptr(),
                        type_,
                        ffi::Py_TYPE(value).cast::<PyObject>(),
                    );
                    break 'raise_error;
                }
            } else if ffi::PyExceptionInstance_Check(exc) != 0 {
                value = exc;
                type_ = ffi::PyExceptionInstance_Class(exc);
                ffi::Py_INCREF(type_);
            } else {
                // Not something you can raise. You get an exception anyway,
                // just not what you specified :-)
                ffi::Py_DECREF(exc);
                ffi::PyErr_SetString(
                    ffi::PyExc_TypeError,
                    c"exceptions must derive from BaseException".as_ptr(),
                );
                break 'raise_error;
            }
        }

        debug_assert!(!type_.is_null());
        debug_assert!(!value.is_null());

        if !cause.is_null() {
            // SAFETY: `cause` is ours; PyException_SetCause steals
            // `fixed_cause` (may be NULL).
            unsafe {
                let fixed_cause;
                if ffi::PyExceptionClass_Check(cause) != 0 {
                    fixed_cause = ffi::PyObject_CallNoArgs(cause);
                    if fixed_cause.is_null() {
                        break 'raise_error;
                    }
                    ffi::Py_DECREF(cause);
                } else if ffi::PyExceptionInstance_Check(cause) != 0 {
                    fixed_cause = cause;
                } else if ffi::Py_IsNone(cause) != 0 {
                    ffi::Py_DECREF(cause);
                    fixed_cause = ptr::null_mut();
                } else {
                    ffi::PyErr_SetString(
                        ffi::PyExc_TypeError,
                        c"exception causes must derive from BaseException".as_ptr(),
                    );
                    break 'raise_error;
                }
                // Ownership of `cause` has been released or moved.
                cause = ptr::null_mut();
                ffi::PyException_SetCause(value, fixed_cause);
            }
        }

        // SAFETY: PyErr_SetObject increfs its arguments; we release ours.
        unsafe {
            ffi::PyErr_SetObject(type_, value);
            ffi::Py_DECREF(value);
            ffi::Py_DECREF(type_);
        }
        debug_assert!(cause.is_null());
        return 0;
    }

    // raise_error:
    // SAFETY: each is NULL or our reference.
    unsafe {
        ffi::Py_XDECREF(value);
        ffi::Py_XDECREF(type_);
        ffi::Py_XDECREF(cause);
    }
    0
}
