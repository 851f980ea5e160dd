//! UNPACK_SEQUENCE and UNPACK_EX.


use super::*;

// ---------------------------------------------------------------------------
// Unpacking
// ---------------------------------------------------------------------------

/// Port of ceval.c `unpack_iterable`.
///
/// Iterates `v` (borrowed) and stores new references downwards from `sp`
/// (`*--sp = item`). `argcnt` items come first. If `argcntafter >= 0`
/// (UNPACK_EX), a list of the remaining items follows, then `argcntafter`
/// items taken from the end of that list. Returns 1 on success. On error it
/// returns 0 with an exception set, and it has released everything it
/// stored, so the slots hold stale pointers and the caller must not grow the
/// stack. The caller keeps (and, as the opcodes do, later decrefs) `v`.
///
/// # Safety
/// GIL held, `tstate` current, `v` live, and
/// `sp - (argcnt + 1 + argcntafter)..sp` (or `sp - argcnt..sp` for a simple
/// unpack) writable.
pub unsafe fn unpack_iterable(
    tstate: *mut ThreadState,
    v: *mut PyObject,
    argcnt: i32,
    argcntafter: i32,
    mut sp: *mut *mut PyObject,
) -> i32 {
    debug_assert!(is_current(tstate));
    debug_assert!(!v.is_null());
    let mut i: c_int = 0;

    // SAFETY: `v` is live.
    let it = unsafe { ffi::PyObject_GetIter(v) };
    if it.is_null() {
        // SAFETY: `v` is live; the format arguments match the conversions.
        unsafe {
            if ffi::PyErr_ExceptionMatches(ffi::PyExc_TypeError) != 0
                && (*ffi::Py_TYPE(v)).tp_iter.is_none()
                && ffi::PySequence_Check(v) == 0
            {
                ffi::PyErr_Format(
                    ffi::PyExc_TypeError,
                    c"cannot unpack non-iterable %.200s object".as_ptr(),
                    type_name(v),
                );
            }
        }
        return 0;
    }

    'error: {
        while i < argcnt {
            // SAFETY: `it` is our live iterator.
            let w = unsafe { ffi::PyIter_Next(it) };
            if w.is_null() {
                // Iterator done, via error or exhaustion.
                // SAFETY: the format arguments match the conversions.
                unsafe {
                    if ffi::PyErr_Occurred().is_null() {
                        if argcntafter == -1 {
                            ffi::PyErr_Format(
                                ffi::PyExc_ValueError,
                                c"not enough values to unpack (expected %d, got %d)".as_ptr(),
                                argcnt,
                                i,
                            );
                        } else {
                            ffi::PyErr_Format(
                                ffi::PyExc_ValueError,
                                c"not enough values to unpack (expected at least %d, got %d)".as_ptr(),
                                argcnt + argcntafter,
                                i,
                            );
                        }
                    }
                }
                break 'error;
            }
            // SAFETY: the slot below `sp` is writable (caller contract).
            unsafe {
                sp = sp.sub(1);
                *sp = w;
            }
            i += 1;
        }

        if argcntafter == -1 {
            // We better have exhausted the iterator now.
            // SAFETY: `it` is our live iterator; `w` is our new reference.
            unsafe {
                let w = ffi::PyIter_Next(it);
                if w.is_null() {
                    if !ffi::PyErr_Occurred().is_null() {
                        break 'error;
                    }
                    ffi::Py_DECREF(it);
                    return 1;
                }
                ffi::Py_DECREF(w);
                ffi::PyErr_Format(
                    ffi::PyExc_ValueError,
                    c"too many values to unpack (expected %d)".as_ptr(),
                    argcnt,
                );
            }
            break 'error;
        }

        // SAFETY: `it` is our live iterator.
        let l = unsafe { ffi::PySequence_List(it) };
        if l.is_null() {
            break 'error;
        }
        // SAFETY: the slot below `sp` is writable (caller contract).
        unsafe {
            sp = sp.sub(1);
            *sp = l;
        }
        i += 1;

        // SAFETY: `l` is an exact list we own.
        let ll = unsafe { ffi::PyList_GET_SIZE(l) };
        if ll < argcntafter as Py_ssize_t {
            // SAFETY: the format arguments match the conversions.
            unsafe {
                ffi::PyErr_Format(
                    ffi::PyExc_ValueError,
                    c"not enough values to unpack (expected at least %d, got %zd)".as_ptr(),
                    argcnt + argcntafter,
                    argcnt as Py_ssize_t + ll,
                );
            }
            break 'error;
        }

        // Pop the "after-variable" args off the list.
        let mut j = argcntafter;
        while j > 0 {
            // SAFETY: `ll - j` is in range; the slot below `sp` is writable.
            // The list's reference moves to the stack: the list is shrunk
            // below without releasing these items.
            unsafe {
                sp = sp.sub(1);
                *sp = ffi::PyList_GET_ITEM(l, ll - j as Py_ssize_t);
            }
            j -= 1;
            // (C also counts these in `i`; nothing can fail from here on.)
        }
        // Resize the list.
        // SAFETY: `l` is a list we own (Py_SET_SIZE); `it` is ours.
        unsafe {
            (*l.cast::<ffi::PyVarObject>()).ob_size = ll - argcntafter as Py_ssize_t;
            ffi::Py_DECREF(it);
        }
        return 1;
    }

    // Error:
    while i > 0 {
        // SAFETY: the `i` slots from `sp` upwards hold references we stored.
        unsafe {
            ffi::Py_DECREF(*sp);
            sp = sp.add(1);
        }
        i -= 1;
    }
    // SAFETY: `it` is our live iterator.
    unsafe { ffi::Py_DECREF(it) };
    0
}
