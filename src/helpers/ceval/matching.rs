//! PEP 634 structural pattern matching (MATCH_CLASS, MATCH_KEYS).


use super::*;

// ---------------------------------------------------------------------------
// PEP 634: Structural Pattern Matching
// ---------------------------------------------------------------------------

/// Port of ceval.c `match_keys` (MATCH_KEYS).
///
/// Returns a tuple of `map`'s values for the exact tuple `keys`. If a key is
/// missing it returns `None`, which is the no-match result. Values are read
/// with `map.get(key, dummy)`, so `__missing__` is never triggered.
/// Returns NULL on error, for example
/// `ValueError("mapping pattern checks duplicate key (%R)")`.
/// `map` and `keys` are borrowed. MATCH_KEYS pushes the result and leaves
/// both on the stack. The opcode has no other logic.
///
/// # Safety
/// GIL held, `tstate` current, `map` live, `keys` an exact tuple.
pub unsafe fn match_keys(tstate: *mut ThreadState, map: *mut PyObject, keys: *mut PyObject) -> *mut PyObject {
    debug_assert!(is_current(tstate));
    // SAFETY: `keys` is an exact tuple (caller contract).
    let nkeys = unsafe {
        debug_assert!(ffi::PyTuple_CheckExact(keys) != 0);
        ffi::PyTuple_GET_SIZE(keys)
    };
    if nkeys == 0 {
        // No keys means no items.
        // SAFETY: the GIL is held.
        return unsafe { ffi::PyTuple_New(0) };
    }
    let mut seen: *mut PyObject = ptr::null_mut();
    let mut dummy: *mut PyObject = ptr::null_mut();
    let mut values: *mut PyObject = ptr::null_mut();
    let mut get: *mut PyObject = ptr::null_mut();

    'fail: {
        // We use the two argument form of map.get(key, default) for two
        // reasons:
        // - Atomically check for a key and get its value without error
        //   handling.
        // - Don't cause key creation or resizing in dict subclasses like
        //   collections.defaultdict that define __missing__ (or similar).
        // SAFETY: `map` is live; `get` receives a new reference (or NULL).
        let meth_found = unsafe {
            let get_name = ID_GET.get();
            if get_name.is_null() {
                break 'fail;
            }
            abi::ffi::_PyObject_GetMethod(map, get_name, &mut get)
        };
        if get.is_null() {
            break 'fail;
        }
        // SAFETY: the GIL is held; the results are new references we own.
        unsafe {
            seen = ffi::PySet_New(ptr::null_mut());
            if seen.is_null() {
                break 'fail;
            }
            // dummy = object()
            dummy = ffi::PyObject_CallNoArgs(ptr::addr_of_mut!(ffi::PyBaseObject_Type).cast());
            if dummy.is_null() {
                break 'fail;
            }
            values = ffi::PyTuple_New(nkeys);
            if values.is_null() {
                break 'fail;
            }
        }
        for i in 0..nkeys {
            // SAFETY: `keys` is a tuple of `nkeys` items; `seen`, `get`,
            // `dummy` and `values` are our live references; `value` is a new
            // reference whose ownership moves into `values`.
            unsafe {
                let key = ffi::PyTuple_GET_ITEM(keys, i);
                if ffi::PySet_Contains(seen, key) != 0 || ffi::PySet_Add(seen, key) != 0 {
                    if ffi::PyErr_Occurred().is_null() {
                        // Seen it before!
                        ffi::PyErr_Format(
                            ffi::PyExc_ValueError,
                            c"mapping pattern checks duplicate key (%R)".as_ptr(),
                            key,
                        );
                    }
                    break 'fail;
                }
                let args: [*mut PyObject; 3] = [map, key, dummy];
                let value = if meth_found != 0 {
                    ffi::PyObject_Vectorcall(get, args.as_ptr(), 3, ptr::null_mut())
                } else {
                    ffi::PyObject_Vectorcall(get, args.as_ptr().add(1), 2, ptr::null_mut())
                };
                if value.is_null() {
                    break 'fail;
                }
                if value == dummy {
                    // key not in map!
                    ffi::Py_DECREF(value);
                    ffi::Py_DECREF(values);
                    // Return None:
                    values = ffi::Py_None();
                    ffi::Py_INCREF(values);
                    break;
                }
                ffi::PyTuple_SET_ITEM(values, i, value);
            }
        }
        // Success:
        // done:
        // SAFETY: our references.
        unsafe {
            ffi::Py_DECREF(get);
            ffi::Py_DECREF(seen);
            ffi::Py_DECREF(dummy);
        }
        return values;
    }
    // fail:
    // SAFETY: each is NULL or our reference.
    unsafe {
        ffi::Py_XDECREF(get);
        ffi::Py_XDECREF(seen);
        ffi::Py_XDECREF(dummy);
        ffi::Py_XDECREF(values);
    }
    ptr::null_mut()
}

/// Port of ceval.c `match_class_attr`.
///
/// Gets attribute `name` of `subject`. Asking for the same name twice (as
/// tracked in the exact set `seen`) raises
/// `TypeError("%s() got multiple sub-patterns for attribute %R")`. Returns a
/// new reference. On failure it returns NULL, with no error set if the
/// attribute is missing (its AttributeError is cleared). As in C, use
/// `PyErr_Occurred()` to tell the cases apart. All arguments are borrowed.
///
/// # Safety
/// GIL held, `tstate` current, `type_` a type, `name` an exact str, `seen`
/// an exact set.
pub unsafe fn match_class_attr(
    tstate: *mut ThreadState,
    subject: *mut PyObject,
    type_: *mut PyObject,
    name: *mut PyObject,
    seen: *mut PyObject,
) -> *mut PyObject {
    debug_assert!(is_current(tstate));
    // SAFETY: all arguments are live (caller contract); the format
    // arguments match the conversions.
    unsafe {
        debug_assert!(ffi::PyUnicode_CheckExact(name) != 0);
        debug_assert!(ffi::PySet_CheckExact(seen) != 0);
        if ffi::PySet_Contains(seen, name) != 0 || ffi::PySet_Add(seen, name) != 0 {
            if ffi::PyErr_Occurred().is_null() {
                // Seen it before!
                ffi::PyErr_Format(
                    ffi::PyExc_TypeError,
                    c"%s() got multiple sub-patterns for attribute %R".as_ptr(),
                    tp_name_of(type_),
                    name,
                );
            }
            return ptr::null_mut();
        }
        let attr = ffi::PyObject_GetAttr(subject, name);
        if attr.is_null() && ffi::PyErr_ExceptionMatches(ffi::PyExc_AttributeError) != 0 {
            ffi::PyErr_Clear();
        }
        attr
    }
}

/// Port of ceval.c `match_class`.
///
/// On a match, returns a new tuple of the extracted attributes: `nargs`
/// positional ones (through `__match_args__`, or the subject itself for
/// `_Py_TPFLAGS_MATCH_SELF` types), then those named in the exact tuple
/// `kwargs`. Returns NULL both when there is no match and on error. Use
/// `PyErr_Occurred()` to tell them apart, or call [`match_class_op`], which
/// does. All arguments are borrowed.
///
/// # Safety
/// GIL held, `tstate` current, `subject` and `type_` live, `kwargs` an exact
/// tuple of exact strs.
pub unsafe fn match_class(
    tstate: *mut ThreadState,
    subject: *mut PyObject,
    type_: *mut PyObject,
    nargs: isize,
    kwargs: *mut PyObject,
) -> *mut PyObject {
    debug_assert!(is_current(tstate));
    // SAFETY: `type_` is live.
    if unsafe { ffi::PyType_Check(type_) } == 0 {
        // SAFETY: static exception type; the format has no conversions.
        unsafe {
            ffi::PyErr_Format(ffi::PyExc_TypeError, c"called match pattern must be a type".as_ptr());
        }
        return ptr::null_mut();
    }
    // SAFETY: `kwargs` is live.
    debug_assert!(unsafe { ffi::PyTuple_CheckExact(kwargs) } != 0);
    // First, an isinstance check:
    // SAFETY: `subject` and `type_` are live.
    if unsafe { ffi::PyObject_IsInstance(subject, type_) } <= 0 {
        return ptr::null_mut();
    }
    // So far so good:
    // SAFETY: the GIL is held.
    let seen = unsafe { ffi::PySet_New(ptr::null_mut()) };
    if seen.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: the GIL is held; `seen` is ours.
    let mut attrs = unsafe { ffi::PyList_New(0) };
    if attrs.is_null() {
        // SAFETY: our reference.
        unsafe { ffi::Py_DECREF(seen) };
        return ptr::null_mut();
    }
    // NOTE: From this point on, goto fail on failure:
    let mut match_args: *mut PyObject = ptr::null_mut();
    'fail: {
        // First, the positional subpatterns:
        if nargs != 0 {
            let mut match_self = false;
            // SAFETY: `type_` is a live type; `match_args` is ours. The
            // format arguments match the conversions.
            unsafe {
                match_args = ffi::PyObject_GetAttrString(type_, c"__match_args__".as_ptr());
                if !match_args.is_null() {
                    if ffi::PyTuple_CheckExact(match_args) == 0 {
                        ffi::PyErr_Format(
                            ffi::PyExc_TypeError,
                            c"%s.__match_args__ must be a tuple (got %s)".as_ptr(),
                            tp_name_of(type_),
                            type_name(match_args),
                        );
                        break 'fail;
                    }
                } else if ffi::PyErr_ExceptionMatches(ffi::PyExc_AttributeError) != 0 {
                    ffi::PyErr_Clear();
                    // _Py_TPFLAGS_MATCH_SELF is only acknowledged if the type
                    // does not define __match_args__. This is natural
                    // behavior for subclasses: it's as if __match_args__ is
                    // some "magic" value that is lost as soon as they
                    // redefine it.
                    match_args = ffi::PyTuple_New(0);
                    match_self =
                        ffi::PyType_HasFeature(type_.cast::<PyTypeObject>(), TPFLAGS_MATCH_SELF) != 0;
                } else {
                    break 'fail;
                }
            }
            // (C asserts here; PyTuple_New(0) cannot fail: the empty tuple
            // is a singleton.)
            // SAFETY: `match_args` is an exact tuple we own.
            let allowed: Py_ssize_t =
                if match_self { 1 } else { unsafe { ffi::PyTuple_GET_SIZE(match_args) } };
            if allowed < nargs {
                let plural: &CStr = if allowed == 1 { c"" } else { c"s" };
                // C passes these Py_ssize_t values to `%d`, which reads an
                // int: pass the same truncated values.
                // SAFETY: the format arguments match the conversions.
                unsafe {
                    ffi::PyErr_Format(
                        ffi::PyExc_TypeError,
                        c"%s() accepts %d positional sub-pattern%s (%d given)".as_ptr(),
                        tp_name_of(type_),
                        allowed as c_int,
                        plural.as_ptr(),
                        nargs as c_int,
                    );
                }
                break 'fail;
            }
            if match_self {
                // Easy. Copy the subject itself, and move on to kwargs.
                // SAFETY: `attrs` is our list; `subject` is live.
                unsafe { ffi::PyList_Append(attrs, subject) };
            } else {
                for i in 0..nargs {
                    // SAFETY: `i < nargs <= allowed == len(match_args)`;
                    // `attr` is a new reference released after appending.
                    unsafe {
                        let name = ffi::PyTuple_GET_ITEM(match_args, i);
                        if ffi::PyUnicode_CheckExact(name) == 0 {
                            ffi::PyErr_Format(
                                ffi::PyExc_TypeError,
                                c"__match_args__ elements must be strings (got %s)".as_ptr(),
                                type_name(name),
                            );
                            break 'fail;
                        }
                        let attr = match_class_attr(tstate, subject, type_, name, seen);
                        if attr.is_null() {
                            break 'fail;
                        }
                        ffi::PyList_Append(attrs, attr);
                        ffi::Py_DECREF(attr);
                    }
                }
            }
            // Py_CLEAR(match_args)
            // SAFETY: our reference.
            unsafe { ffi::Py_DECREF(match_args) };
            match_args = ptr::null_mut();
        }
        // Finally, the keyword subpatterns:
        // SAFETY: `kwargs` is an exact tuple of exact strs; `attr` is a new
        // reference released after appending.
        unsafe {
            for i in 0..ffi::PyTuple_GET_SIZE(kwargs) {
                let name = ffi::PyTuple_GET_ITEM(kwargs, i);
                let attr = match_class_attr(tstate, subject, type_, name, seen);
                if attr.is_null() {
                    break 'fail;
                }
                ffi::PyList_Append(attrs, attr);
                ffi::Py_DECREF(attr);
            }
        }
        // Py_SETREF(attrs, PyList_AsTuple(attrs))
        // SAFETY: `attrs` and `seen` are our references.
        unsafe {
            let tuple = ffi::PyList_AsTuple(attrs);
            ffi::Py_DECREF(attrs);
            attrs = tuple;
            ffi::Py_DECREF(seen);
        }
        return attrs;
    }
    // fail:
    // We really don't care whether an error was raised or not... that's our
    // caller's problem. All we know is that the match failed.
    // SAFETY: each is NULL or our reference.
    unsafe {
        ffi::Py_XDECREF(match_args);
        ffi::Py_DECREF(seen);
        ffi::Py_DECREF(attrs);
    }
    ptr::null_mut()
}
