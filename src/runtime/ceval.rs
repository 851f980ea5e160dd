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

#![warn(unsafe_op_in_unsafe_fn)]

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
    fn _PyObject_GetMethod(
        obj: *mut PyObject,
        name: *mut PyObject,
        method: *mut *mut PyObject,
    ) -> c_int;
    fn _PyObject_LookupAttr(
        obj: *mut PyObject,
        name: *mut PyObject,
        result: *mut *mut PyObject,
    ) -> c_int;
    fn _PyModuleSpec_IsInitializing(spec: *mut PyObject) -> c_int;
    fn _PyThreadState_UncheckedGet() -> *mut ThreadState;
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
    tstate == unsafe { _PyThreadState_UncheckedGet() }
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
            _PyObject_GetMethod(map, get_name, &mut get)
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
