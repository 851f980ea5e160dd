//! Rust ports of the `static` helpers in CPython 3.11's `Python/ceval.c`
//! (3.11 branch; messages checked against 3.11.7) that libpython does not
//! export, plus the parts of the opcode bodies around them that have logic.
//! JIT-compiled code calls these helpers so it behaves exactly like
//! `_PyEval_EvalFrameDefault`.
//!
//! These conventions hold everywhere, as in ceval.c:
//! * The GIL is held and `tstate` is the current thread state. Where ceval.c
//!   calls the `_PyErr_*(tstate, ...)` variants, these ports call the public
//!   `PyErr_*` functions. Those act on the current thread state, so the
//!   result is the same. Debug builds check `tstate`.
//! * Object arguments are borrowed and returned objects are new references,
//!   unless a function's documentation says otherwise. The per-function
//!   contracts repeat what the C originals borrow and steal.
//! * A NULL pointer, or a `0`/`-1` status where the function says so, means an
//!   exception is set. Error messages and exception types are the same as
//!   3.11.7's, byte for byte.
//!
//! ceval.c uses statically allocated `_Py_ID(...)` strings. Here these are
//! interned strings, created the first time they are used and never freed.
//! Creating one can fail only when memory runs out. In that case the helper
//! follows the path it would take if the lookup using that string had failed
//! (the `MemoryError` is set).


use std::ffi::{c_char, c_int, CStr};
use std::ptr;
use std::sync::atomic::{AtomicIsize, AtomicPtr, Ordering};

use pyo3::ffi::{self, PyCodeObject, PyObject, PyTypeObject, Py_ssize_t};

use crate::abi::{self, Frame, ThreadState};

// Exported by libpython 3.11 (checked with `nm -D --defined-only`) but not
// declared by pyo3-ffi 0.27.
extern "C" {
    fn PyErr_GetHandledException() -> *mut PyObject;
    fn PyCode_GetFreevars(code: *mut PyCodeObject) -> *mut PyObject;
    fn PyCell_Get(cell: *mut PyObject) -> *mut PyObject;
    fn PyImport_GetModule(name: *mut PyObject) -> *mut PyObject;
    fn _PyObject_LookupAttr(
        obj: *mut PyObject,
        name: *mut PyObject,
        result: *mut *mut PyObject,
    ) -> c_int;
    fn _PyModuleSpec_IsInitializing(spec: *mut PyObject) -> c_int;
}

/// `NAME_ERROR_MSG` of ceval.c.
pub const NAME_ERROR_MSG: &CStr = c"name '%.200s' is not defined";
/// `UNBOUNDLOCAL_ERROR_MSG` of ceval.c.
pub const UNBOUNDLOCAL_ERROR_MSG: &CStr =
    c"cannot access local variable '%s' where it is not associated with a value";
/// `UNBOUNDFREE_ERROR_MSG` of ceval.c.
pub const UNBOUNDFREE_ERROR_MSG: &CStr =
    c"cannot access free variable '%s' where it is not associated with a value in enclosing scope";

/// `_Py_TPFLAGS_MATCH_SELF` (`Include/object.h`, 3.11).
const TPFLAGS_MATCH_SELF: std::ffi::c_ulong = 1 << 22;

mod errors;
mod unpack;
mod imports;
mod annotations;
mod matching;
mod call_args;
mod raising;

pub use errors::*;
pub use unpack::*;
pub use imports::*;
pub use annotations::*;
pub use matching::*;
pub use call_args::*;
pub use raising::*;

// ---------------------------------------------------------------------------
// Small shared helpers
// ---------------------------------------------------------------------------

/// An interned `str`, standing in for ceval.c's `_Py_ID(...)`.
struct Identifier {
    text: &'static CStr,
    object: AtomicPtr<PyObject>,
}

impl Identifier {
    const fn new(text: &'static CStr) -> Self {
        Identifier { text, object: AtomicPtr::new(ptr::null_mut()) }
    }

    /// Borrowed reference, kept alive by this static. NULL, with
    /// `MemoryError` set, only if the first creation fails.
    unsafe fn get(&self) -> *mut PyObject {
        let cached = self.object.load(Ordering::Acquire);
        if !cached.is_null() {
            return cached;
        }
        // SAFETY: the GIL is held (module contract); `text` is NUL-terminated.
        let created = unsafe { ffi::PyUnicode_InternFromString(self.text.as_ptr()) };
        if created.is_null() {
            return created;
        }
        match self.object.compare_exchange(
            ptr::null_mut(),
            created,
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            Ok(_) => created,
            Err(existing) => {
                // SAFETY: `created` is our own new reference.
                unsafe { ffi::Py_DECREF(created) };
                existing
            }
        }
    }
}

static ID_IMPORT: Identifier = Identifier::new(c"__import__");
static ID_ANNOTATIONS: Identifier = Identifier::new(c"__annotations__");
static ID_DUNDER_NAME: Identifier = Identifier::new(c"__name__");
static ID_ALL: Identifier = Identifier::new(c"__all__");
static ID_DICT: Identifier = Identifier::new(c"__dict__");
static ID_SPEC: Identifier = Identifier::new(c"__spec__");
static ID_GET: Identifier = Identifier::new(c"get");
static ID_NAME: Identifier = Identifier::new(c"name");

/// `PyObject_GetAttr(obj, &_Py_ID(..))`.
unsafe fn getattr_id(obj: *mut PyObject, id: &Identifier) -> *mut PyObject {
    // SAFETY: the GIL is held; `obj` is live (callers' contract).
    unsafe {
        let name = id.get();
        if name.is_null() {
            return ptr::null_mut();
        }
        ffi::PyObject_GetAttr(obj, name)
    }
}

/// `_PyObject_LookupAttr(obj, &_Py_ID(..), result)`.
unsafe fn lookup_attr_id(obj: *mut PyObject, id: &Identifier, result: &mut *mut PyObject) -> c_int {
    // SAFETY: the GIL is held; `obj` is live (callers' contract).
    unsafe {
        let name = id.get();
        if name.is_null() {
            *result = ptr::null_mut();
            return -1;
        }
        _PyObject_LookupAttr(obj, name, result)
    }
}

/// True if `tstate` is the current thread state: the `PyErr_*` calls below
/// rely on this (checked in debug builds).
fn is_current(tstate: *mut ThreadState) -> bool {
    // SAFETY: reading the current thread state has no preconditions.
    tstate == unsafe { abi::ffi::_PyThreadState_UncheckedGet() }
}

/// `Py_TYPE(obj)->tp_name`.
unsafe fn type_name(obj: *mut PyObject) -> *const c_char {
    // SAFETY: `obj` is a live object, so its type is a live type object.
    unsafe { (*ffi::Py_TYPE(obj)).tp_name }
}

/// `((PyTypeObject *)type)->tp_name`.
unsafe fn tp_name_of(type_: *mut PyObject) -> *const c_char {
    // SAFETY: the caller checked that `type_` is a type object.
    unsafe { (*type_.cast::<PyTypeObject>()).tp_name }
}

/// Byte offset of `PyNameErrorObject.name`, read from `NameError`'s
/// `tp_members` (its `name` member descriptor is at this offset).
/// -1: not yet looked up; 0: not found.
static NAME_ERROR_NAME_OFFSET: AtomicIsize = AtomicIsize::new(-1);

/// `&((PyNameErrorObject *)exc)->name`, or NULL if the offset is unknown.
unsafe fn name_error_name_slot(exc: *mut PyObject) -> *mut *mut PyObject {
    let mut offset = NAME_ERROR_NAME_OFFSET.load(Ordering::Relaxed);
    if offset < 0 {
        offset = 0;
        // SAFETY: PyExc_NameError is a static type. Its tp_members array
        // ends with an entry whose name is NULL.
        unsafe {
            let tp = ffi::PyExc_NameError.cast::<PyTypeObject>();
            let mut member = (*tp).tp_members;
            while !member.is_null() && !(*member).name.is_null() {
                if CStr::from_ptr((*member).name) == c"name" {
                    offset = (*member).offset;
                    break;
                }
                member = member.add(1);
            }
        }
        NAME_ERROR_NAME_OFFSET.store(offset, Ordering::Relaxed);
    }
    if offset == 0 {
        return ptr::null_mut();
    }
    // SAFETY: `exc` is a NameError instance (caller checked), so its
    // struct has the `name` field at this offset.
    unsafe { exc.cast::<u8>().offset(offset).cast() }
}
