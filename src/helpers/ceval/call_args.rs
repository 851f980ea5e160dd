//! Calls with `*` and `**` arguments (CALL_FUNCTION_EX, DICT_MERGE).


use super::*;

// ---------------------------------------------------------------------------
// Calls with * and ** arguments
// ---------------------------------------------------------------------------

/// Port of ceval.c `format_kwargs_error`, called by DICT_MERGE and
/// CALL_FUNCTION_EX after `_PyDict_MergeEx(dict, kwargs, 2)` fails.
///
/// An `AttributeError` (the object has no `keys`) becomes
/// `TypeError("%U argument after ** must be a mapping, not %.200s")`. A
/// `KeyError` whose raw value is a 1-tuple (a duplicate key) becomes
/// `TypeError("%U got multiple values for keyword argument '%S'")`. Any other
/// error is left as it is. `func` (the callable, for `_PyObject_FunctionStr`)
/// and `kwargs` are borrowed. In DICT_MERGE, `func` is `PEEK(2 + oparg)`
/// after the pop.
///
/// # Safety
/// GIL held, `tstate` current, an exception set, `func` and `kwargs` live.
pub unsafe fn format_kwargs_error(tstate: *mut ThreadState, func: *mut PyObject, kwargs: *mut PyObject) {
    debug_assert!(is_current(tstate));
    // _PyDict_MergeEx raises attribute error (percolated from an attempt to
    // get 'keys' attribute) instead of a type error if its second argument
    // is not a mapping.
    // SAFETY: `func` and `kwargs` are live; the format arguments match the
    // conversions; the fetched triple is owned and released or restored.
    unsafe {
        if ffi::PyErr_ExceptionMatches(ffi::PyExc_AttributeError) != 0 {
            ffi::PyErr_Clear();
            let funcstr = abi::ffi::_PyObject_FunctionStr(func);
            if !funcstr.is_null() {
                ffi::PyErr_Format(
                    ffi::PyExc_TypeError,
                    c"%U argument after ** must be a mapping, not %.200s".as_ptr(),
                    funcstr,
                    type_name(kwargs),
                );
                ffi::Py_DECREF(funcstr);
            }
        } else if ffi::PyErr_ExceptionMatches(ffi::PyExc_KeyError) != 0 {
            let mut exc = ptr::null_mut();
            let mut val = ptr::null_mut();
            let mut tb = ptr::null_mut();
            ffi::PyErr_Fetch(&mut exc, &mut val, &mut tb);
            if !val.is_null() && ffi::PyTuple_Check(val) != 0 && ffi::PyTuple_GET_SIZE(val) == 1 {
                ffi::PyErr_Clear();
                let funcstr = abi::ffi::_PyObject_FunctionStr(func);
                if !funcstr.is_null() {
                    let key = ffi::PyTuple_GET_ITEM(val, 0);
                    ffi::PyErr_Format(
                        ffi::PyExc_TypeError,
                        c"%U got multiple values for keyword argument '%S'".as_ptr(),
                        funcstr,
                        key,
                    );
                    ffi::Py_DECREF(funcstr);
                }
                ffi::Py_XDECREF(exc);
                ffi::Py_XDECREF(val);
                ffi::Py_XDECREF(tb);
            } else {
                ffi::PyErr_Restore(exc, val, tb);
            }
        }
    }
}

/// Port of ceval.c `check_args_iterable` (CALL_FUNCTION_EX, when the
/// positional arguments are not an exact tuple).
///
/// Returns 0 if `args` can be iterated (it has `tp_iter` or is a sequence).
/// Otherwise it clears any live exception and raises
/// `TypeError("%U argument after * must be an iterable, not %.200s")`, then
/// returns -1. `func` and `args` are borrowed.
///
/// # Safety
/// GIL held, `tstate` current, `func` and `args` live.
pub unsafe fn check_args_iterable(tstate: *mut ThreadState, func: *mut PyObject, args: *mut PyObject) -> i32 {
    debug_assert!(is_current(tstate));
    // SAFETY: `func` and `args` are live; the format arguments match the
    // conversions.
    unsafe {
        if (*ffi::Py_TYPE(args)).tp_iter.is_none() && ffi::PySequence_Check(args) == 0 {
            // check_args_iterable() may be called with a live exception:
            // clear it to prevent calling _PyObject_FunctionStr() with an
            // exception set.
            ffi::PyErr_Clear();
            let funcstr = abi::ffi::_PyObject_FunctionStr(func);
            if !funcstr.is_null() {
                ffi::PyErr_Format(
                    ffi::PyExc_TypeError,
                    c"%U argument after * must be an iterable, not %.200s".as_ptr(),
                    funcstr,
                    type_name(args),
                );
                ffi::Py_DECREF(funcstr);
            }
            return -1;
        }
    }
    0
}
