//! Instances of classes that `object.__new__` makes and a Python
//! `__init__` initializes, made as `type_call` makes them: the pieces
//! `runtime::direct::construct` and the caller's code
//! (`Lowering::construct_python`) share.

use super::calls::{keyword_count, CallSite};
use crate::abi::{self, read_field, ThreadState};
use pyo3::ffi::{self, PyObject};

/// A new instance of the class `cls`, made by its `tp_new` with no
/// arguments (NULL with the error set if that failed). For a class whose
/// `tp_new` is `object.__new__` and whose `__init__` is not `object`'s,
/// that is what `type_call` gets from `cls(*args)`: `object.__new__` checks
/// the arguments only for `object.__init__`.
///
/// # Safety
/// Called with the GIL held; `cls` is a live type.
pub unsafe extern "C" fn new_instance(cls: *mut PyObject) -> *mut PyObject {
    // SAFETY: see above; `tp_new` is read at its probed offset.
    unsafe {
        let new: ffi::newfunc = read_field(cls.cast(), abi::TYPE_NEW);
        new(cls.cast(), empty_tuple(), std::ptr::null_mut())
    }
}

/// `runtime::direct::initialize_instance`: the rest of `type_call` once the
/// instance (the second argument, owned) is made for the class at
/// `window[0]` (the third: `[cls, args…]`, borrowed, with the number of
/// arguments fourth and the keyword names fifth, or NULL), `__init__`
/// called directly when it can be (with the record of the call site last,
/// if any); set when pyjit installs its frame evaluator.
pub type DirectInitialize =
    unsafe fn(*mut ThreadState, *mut PyObject, *mut *mut PyObject, usize, *mut PyObject, Option<&CallSite>) -> *mut PyObject;

pub static DIRECT_INITIALIZE: std::sync::OnceLock<DirectInitialize> = std::sync::OnceLock::new();

/// The rest of `type_call` for `instance`, just made by `new_instance` for
/// the class at `window[0]` (`[cls, args…]`, `nargs` arguments, borrowed),
/// when compiled code cannot enter `__init__` itself: `DIRECT_INITIALIZE`
/// with the call site `site`'s record, or the class's `tp_init`. The
/// instance, or NULL with the error set (consumes the instance).
///
/// # Safety
/// Called with the GIL held; `instance` is an owned reference to a new
/// instance of the class at `window[0]`; `window` holds `nargs + 1` live
/// references; `site` is the CALL's data-block entry.
pub unsafe extern "C" fn init_instance(
    tstate: *mut ThreadState,
    instance: *mut PyObject,
    window: *mut *mut PyObject,
    nargs: usize,
    site: *const CallSite,
) -> *mut PyObject {
    // SAFETY: see above.
    unsafe {
        match DIRECT_INITIALIZE.get() {
            Some(initialize) => initialize(tstate, instance, window, nargs, std::ptr::null_mut(), site.as_ref()),
            None => {
                let result = init_through_slot(ffi::Py_TYPE(instance), instance, window.add(1), nargs, std::ptr::null_mut());
                init_result(instance, result)
            }
        }
    }
}

/// The empty tuple (a singleton in CPython), borrowed.
fn empty_tuple() -> *mut PyObject {
    static EMPTY: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    // SAFETY: called with the GIL held; the reference is kept for the process.
    *EMPTY.get_or_init(|| unsafe { ffi::PyTuple_New(0) } as usize) as *mut PyObject
}

/// `tp_init` with an argument tuple (and a dict of the arguments passed by
/// the keywords `kwnames`, if not NULL), as `type_call` calls it: for a
/// class whose `__init__` stopped being a Python function while its
/// instance was made (a finalizer that ran during the allocation can change
/// the class), or that cannot be entered from the caller's code.
///
/// SAFETY: `instance` is a live instance of `tp`; `args` holds `nargs` live
/// references; `kwnames` is NULL or a tuple of at most `nargs` strings.
pub unsafe fn init_through_slot(
    tp: *mut ffi::PyTypeObject,
    instance: *mut PyObject,
    args: *const *mut PyObject,
    nargs: usize,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: see above.
    unsafe {
        let positional = nargs - keyword_count(kwnames);
        let tuple = ffi::PyTuple_New(positional as isize);
        if tuple.is_null() {
            return std::ptr::null_mut();
        }
        for i in 0..positional {
            ffi::PyTuple_SET_ITEM(tuple, i as isize, ffi::Py_NewRef(*args.add(i)));
        }
        let mut kwargs = std::ptr::null_mut();
        let mut status = 0;
        if !kwnames.is_null() {
            kwargs = ffi::PyDict_New();
            status = if kwargs.is_null() { -1 } else { 0 };
            for k in 0..keyword_count(kwnames) {
                let name = ffi::PyTuple_GET_ITEM(kwnames, k as isize);
                if status < 0 || ffi::PyDict_SetItem(kwargs, name, *args.add(positional + k)) < 0 {
                    status = -1;
                    break;
                }
            }
        }
        if status == 0 {
            status = match (*tp).tp_init {
                Some(init) => init(instance, tuple, kwargs),
                None => 0,
            };
        }
        ffi::Py_DECREF(tuple);
        ffi::Py_XDECREF(kwargs);
        if status < 0 { std::ptr::null_mut() } else { ffi::Py_NewRef(ffi::Py_None()) }
    }
}

/// The instance, or NULL with the error `slot_tp_init` raises: `__init__`
/// failed, or returned something other than None. Consumes both.
///
/// # Safety
/// `instance` is an owned reference; `result` an owned reference or NULL.
pub unsafe extern "C" fn init_result(instance: *mut PyObject, result: *mut PyObject) -> *mut PyObject {
    // SAFETY: see above.
    unsafe {
        if !result.is_null() && result != ffi::Py_None() {
            let message = c"__init__() should return None, not '%.200s'";
            ffi::PyErr_Format(ffi::PyExc_TypeError, message.as_ptr(), (*ffi::Py_TYPE(result)).tp_name);
        }
        let ok = result == ffi::Py_None();
        ffi::Py_XDECREF(result);
        if ok {
            instance
        } else {
            ffi::Py_DECREF(instance);
            std::ptr::null_mut()
        }
    }
}
