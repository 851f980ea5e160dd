//! IMPORT_NAME, IMPORT_FROM and IMPORT_STAR.


use super::*;

// ---------------------------------------------------------------------------
// Imports
// ---------------------------------------------------------------------------

/// Port of ceval.c `import_name` (IMPORT_NAME).
///
/// `name`, `fromlist` and `level` are borrowed. IMPORT_NAME decrefs `level`
/// and `fromlist` after the call and pushes the result. Returns a new
/// reference, or NULL with an exception set. Raises
/// `ImportError("__import__ not found")` if `f_builtins` has no
/// `__import__`.
/// Difference: C has a fast path when `__import__` is the interpreter's
/// original (`interp->import_func`, which we cannot reach). That path calls
/// `PyImport_ImportModuleLevelObject` directly. This port always calls
/// `__import__(name, globals, locals or None, fromlist, level)`, as C does
/// for an overridden `__import__`. For the builtin, that runs the same
/// function with the same arguments.
///
/// # Safety
/// GIL held, `tstate` current, `frame` the running frame, arguments live.
pub unsafe fn import_name(
    tstate: *mut ThreadState,
    frame: &Frame,
    name: *mut PyObject,
    fromlist: *mut PyObject,
    level: *mut PyObject,
) -> *mut PyObject {
    debug_assert!(is_current(tstate));
    // SAFETY: f_builtins is a live mapping owned by the frame.
    let import_func = unsafe {
        let key = ID_IMPORT.get();
        if key.is_null() {
            return ptr::null_mut();
        }
        ffi::PyDict_GetItemWithError(frame.builtins(), key)
    };
    if import_func.is_null() {
        // SAFETY: static exception type, literal message.
        unsafe {
            if ffi::PyErr_Occurred().is_null() {
                ffi::PyErr_SetString(ffi::PyExc_ImportError, c"__import__ not found".as_ptr());
            }
        }
        return ptr::null_mut();
    }
    let locals = frame.locals();
    // SAFETY: `import_func` is a borrowed dict value: we hold our own
    // reference across the call. The argument array lives on our stack.
    unsafe {
        ffi::Py_INCREF(import_func);
        let stack: [*mut PyObject; 5] = [
            name,
            frame.globals(),
            if locals.is_null() { ffi::Py_None() } else { locals },
            fromlist,
            level,
        ];
        let res = ffi::PyObject_Vectorcall(import_func, stack.as_ptr(), 5, ptr::null_mut());
        ffi::Py_DECREF(import_func);
        res
    }
}

/// Port of ceval.c `import_from` (IMPORT_FROM): `from v import name`.
///
/// `v` (the module, which stays on the stack) and `name` are borrowed.
/// Returns a new reference to push, or NULL with an exception set. As in
/// 3.11, it falls back to `sys.modules[f"{v.__name__}.{name}"]` for
/// circular relative imports. Its ImportError has the same messages and the
/// same `name`/`path` attributes (via `PyErr_SetImportError`), including the
/// "partially initialized module ... (most likely due to a circular import)"
/// variant.
///
/// # Safety
/// GIL held, `tstate` current, `v` and `name` (a str) live.
pub unsafe fn import_from(tstate: *mut ThreadState, v: *mut PyObject, name: *mut PyObject) -> *mut PyObject {
    debug_assert!(is_current(tstate));
    let mut x = ptr::null_mut();
    // SAFETY: `v` and `name` are live.
    if unsafe { _PyObject_LookupAttr(v, name, &mut x) } != 0 {
        return x;
    }
    // Issue #17636: in case this failed because of a circular relative
    // import, try to fallback on reading the module directly from
    // sys.modules.
    // SAFETY: `v` is live.
    let mut pkgname = unsafe { getattr_id(v, &ID_DUNDER_NAME) };
    'error: {
        if pkgname.is_null() {
            break 'error;
        }
        // SAFETY: `pkgname` is our new reference.
        if unsafe { ffi::PyUnicode_Check(pkgname) } == 0 {
            // SAFETY: as above (Py_CLEAR).
            unsafe { ffi::Py_DECREF(pkgname) };
            pkgname = ptr::null_mut();
            break 'error;
        }
        // SAFETY: `pkgname` and `name` are str objects for the `%U`s.
        let fullmodname = unsafe { ffi::PyUnicode_FromFormat(c"%U.%U".as_ptr(), pkgname, name) };
        if fullmodname.is_null() {
            // SAFETY: our reference.
            unsafe { ffi::Py_DECREF(pkgname) };
            return ptr::null_mut();
        }
        // SAFETY: `fullmodname` is our new str reference.
        let x = unsafe {
            let x = PyImport_GetModule(fullmodname);
            ffi::Py_DECREF(fullmodname);
            x
        };
        // SAFETY: the GIL is held.
        if x.is_null() && unsafe { ffi::PyErr_Occurred() }.is_null() {
            break 'error;
        }
        // SAFETY: our reference.
        unsafe { ffi::Py_DECREF(pkgname) };
        return x;
    }

    // error:
    // SAFETY: `v` is live; `pkgname` is NULL or our reference, and is
    // released through `pkgname_or_unknown`. The format arguments match
    // the conversions.
    unsafe {
        let pkgpath = ffi::PyModule_GetFilenameObject(v);
        let pkgname_or_unknown = if pkgname.is_null() {
            let unknown = ffi::PyUnicode_FromString(c"<unknown module name>".as_ptr());
            if unknown.is_null() {
                ffi::Py_XDECREF(pkgpath);
                return ptr::null_mut();
            }
            unknown
        } else {
            pkgname
        };

        let errmsg;
        if pkgpath.is_null() || ffi::PyUnicode_Check(pkgpath) == 0 {
            ffi::PyErr_Clear();
            errmsg = ffi::PyUnicode_FromFormat(
                c"cannot import name %R from %R (unknown location)".as_ptr(),
                name,
                pkgname_or_unknown,
            );
            // NULL checks for errmsg and pkgname done by PyErr_SetImportError.
            ffi::PyErr_SetImportError(errmsg, pkgname, ptr::null_mut());
        } else {
            let spec = getattr_id(v, &ID_SPEC);
            let fmt: &CStr = if _PyModuleSpec_IsInitializing(spec) != 0 {
                c"cannot import name %R from partially initialized module %R (most likely due to a circular import) (%S)"
            } else {
                c"cannot import name %R from %R (%S)"
            };
            ffi::Py_XDECREF(spec);
            errmsg = ffi::PyUnicode_FromFormat(fmt.as_ptr(), name, pkgname_or_unknown, pkgpath);
            // NULL checks for errmsg and pkgname done by PyErr_SetImportError.
            ffi::PyErr_SetImportError(errmsg, pkgname, pkgpath);
        }

        ffi::Py_XDECREF(errmsg);
        ffi::Py_XDECREF(pkgname_or_unknown);
        ffi::Py_XDECREF(pkgpath);
    }
    ptr::null_mut()
}

/// Port of ceval.c `import_all_from` (`from v import *`).
///
/// Copies the names in `v.__all__` into `locals`. Without `__all__`, it
/// copies the keys of `v.__dict__` that do not start with `_`. `locals` and
/// `v` are borrowed. Returns 0, or -1 with an exception set. The errors are
/// "from-import-* object has no __dict__ and no __all__", "module __name__
/// must be a string, not %.100s" and "%s in %U.%s must be str, not %.100s"
/// ("Item"/"__all__" or "Key"/"__dict__").
/// IMPORT_STAR wraps this call in `_PyFrame_FastToLocalsWithError` and
/// `_PyFrame_LocalsToFast`. Those are the caller's job, and are only needed
/// for optimized frames.
///
/// # Safety
/// GIL held, `tstate` current, `locals` and `v` live.
pub unsafe fn import_all_from(tstate: *mut ThreadState, locals: *mut PyObject, v: *mut PyObject) -> i32 {
    debug_assert!(is_current(tstate));
    let mut all = ptr::null_mut();
    let mut skip_leading_underscores = false;

    // SAFETY: `v` is live.
    if unsafe { lookup_attr_id(v, &ID_ALL, &mut all) } < 0 {
        return -1; // Unexpected error
    }
    if all.is_null() {
        let mut dict = ptr::null_mut();
        // SAFETY: `v` is live; `dict` becomes our reference.
        unsafe {
            if lookup_attr_id(v, &ID_DICT, &mut dict) < 0 {
                return -1;
            }
            if dict.is_null() {
                ffi::PyErr_SetString(
                    ffi::PyExc_ImportError,
                    c"from-import-* object has no __dict__ and no __all__".as_ptr(),
                );
                return -1;
            }
            all = ffi::PyMapping_Keys(dict);
            ffi::Py_DECREF(dict);
        }
        if all.is_null() {
            return -1;
        }
        skip_leading_underscores = true;
    }

    let mut err: c_int = 0;
    let mut pos: Py_ssize_t = 0;
    loop {
        // SAFETY: `all` is our live reference.
        let name = unsafe { ffi::PySequence_GetItem(all, pos) };
        if name.is_null() {
            // SAFETY: the GIL is held.
            unsafe {
                if ffi::PyErr_ExceptionMatches(ffi::PyExc_IndexError) == 0 {
                    err = -1;
                } else {
                    ffi::PyErr_Clear();
                }
            }
            break;
        }
        // SAFETY: `name` is our new reference.
        if unsafe { ffi::PyUnicode_Check(name) } == 0 {
            // SAFETY: `v` is live; `modname` and `name` are our references;
            // the format arguments match the conversions.
            unsafe {
                let modname = getattr_id(v, &ID_DUNDER_NAME);
                if modname.is_null() {
                    ffi::Py_DECREF(name);
                    err = -1;
                    break;
                }
                if ffi::PyUnicode_Check(modname) == 0 {
                    ffi::PyErr_Format(
                        ffi::PyExc_TypeError,
                        c"module __name__ must be a string, not %.100s".as_ptr(),
                        type_name(modname),
                    );
                } else {
                    let (kind, source): (&CStr, &CStr) = if skip_leading_underscores {
                        (c"Key", c"__dict__")
                    } else {
                        (c"Item", c"__all__")
                    };
                    ffi::PyErr_Format(
                        ffi::PyExc_TypeError,
                        c"%s in %U.%s must be str, not %.100s".as_ptr(),
                        kind.as_ptr(),
                        modname,
                        source.as_ptr(),
                        type_name(name),
                    );
                }
                ffi::Py_DECREF(modname);
                ffi::Py_DECREF(name);
            }
            err = -1;
            break;
        }
        if skip_leading_underscores {
            // PyUnicode_READY(name) then PyUnicode_READ_CHAR(name, 0):
            // PyUnicode_GetLength readies the string (-1 if that fails). An
            // empty string reads its terminating NUL in C, so it is kept.
            // SAFETY: `name` is our live str reference; index 0 is in range
            // when the length is positive.
            unsafe {
                let len = ffi::PyUnicode_GetLength(name);
                if len == -1 {
                    ffi::Py_DECREF(name);
                    err = -1;
                    break;
                }
                if len > 0 && ffi::PyUnicode_ReadChar(name, 0) == u32::from(b'_') {
                    ffi::Py_DECREF(name);
                    pos += 1;
                    continue;
                }
            }
        }
        // SAFETY: `v`, `name` and `locals` are live; `value` is ours.
        unsafe {
            let value = ffi::PyObject_GetAttr(v, name);
            if value.is_null() {
                err = -1;
            } else if ffi::PyDict_CheckExact(locals) != 0 {
                err = ffi::PyDict_SetItem(locals, name, value);
            } else {
                err = ffi::PyObject_SetItem(locals, name, value);
            }
            ffi::Py_DECREF(name);
            ffi::Py_XDECREF(value);
        }
        if err != 0 {
            break;
        }
        pos += 1;
    }
    // SAFETY: our reference.
    unsafe { ffi::Py_DECREF(all) };
    err
}
