//! The functions compiled code calls for the control family (`codegen::ops::control`).

use super::PY_VECTORCALL_ARGUMENTS_OFFSET;
use crate::abi::{self, op, Frame, ThreadState, ThreadStateExt};
use crate::helpers::ceval;
use crate::stats;
use pyo3::ffi::{self, PyObject};

/// `PyObject_IsTrue`, releasing `value` when `consume` is set.
pub unsafe extern "C" fn is_true(value: *mut PyObject, consume: isize) -> isize {
    // SAFETY: value is live; owned when `consume` is set.
    unsafe {
        let truth = ffi::PyObject_IsTrue(value);
        if consume != 0 {
            ffi::Py_DECREF(value);
        }
        truth as isize
    }
}

/// GET_ITER: consumes the iterable.
pub unsafe extern "C" fn get_iter(iterable: *mut PyObject) -> *mut PyObject {
    // SAFETY: iterable is owned and released here.
    unsafe {
        let iterator = ffi::PyObject_GetIter(iterable);
        ffi::Py_DECREF(iterable);
        iterator
    }
}

/// GET_AITER (an async generator expression's iterable, evaluated by the
/// enclosing function): `iterable.__aiter__()`, which must have `__anext__`.
/// Consumes the iterable.
pub unsafe extern "C" fn get_aiter(iterable: *mut PyObject) -> *mut PyObject {
    // SAFETY: iterable is owned and released here; type slots are read from
    // live type objects.
    unsafe {
        let ty = ffi::Py_TYPE(iterable);
        let aiter = (*ty).tp_as_async.as_ref().and_then(|methods| methods.am_aiter);
        let Some(aiter) = aiter else {
            let msg = c"'async for' requires an object with __aiter__ method, got %.100s";
            ffi::PyErr_Format(ffi::PyExc_TypeError, msg.as_ptr(), (*ty).tp_name);
            ffi::Py_DECREF(iterable);
            return std::ptr::null_mut();
        };
        let iterator = aiter(iterable);
        ffi::Py_DECREF(iterable);
        if iterator.is_null() {
            return iterator;
        }
        let iterator_type = ffi::Py_TYPE(iterator);
        if (*iterator_type).tp_as_async.as_ref().and_then(|methods| methods.am_anext).is_none() {
            let msg = c"'async for' received an object from __aiter__ that does not implement __anext__: %.100s";
            ffi::PyErr_Format(ffi::PyExc_TypeError, msg.as_ptr(), (*iterator_type).tp_name);
            ffi::Py_DECREF(iterator);
            return std::ptr::null_mut();
        }
        iterator
    }
}

/// FOR_ITER, after the iterator's `tp_iternext` returned NULL: returns 0
/// when the iterator is exhausted (clearing the StopIteration it may have
/// raised), -1 when it raised another exception.
pub unsafe extern "C" fn for_iter_ended() -> isize {
    // SAFETY: called with the GIL held, as all compiled code runs.
    unsafe {
        if !ffi::PyErr_Occurred().is_null() {
            if ffi::PyErr_ExceptionMatches(ffi::PyExc_StopIteration) == 0 {
                return -1;
            }
            ffi::PyErr_Clear();
        }
        0
    }
}

/// RAISE_VARARGS with an exception (and maybe a cause): consumes both and
/// always leaves an exception set.
pub unsafe extern "C" fn raise(tstate: *mut ThreadState, exc: *mut PyObject, cause: *mut PyObject) -> isize {
    // SAFETY: exc and cause (nullable) are owned references given to do_raise.
    unsafe { ceval::do_raise(tstate, exc, cause) as isize }
}

/// Adds the running frame's entry to the pending exception's traceback, as
/// the interpreter's `error:` label does. Making the frame object can fail
/// for lack of memory: then, as in the interpreter, the pending exception
/// is lost and a MemoryError takes its place (`PyEval_GetFrame` alone would
/// clear both, leaving none).
///
/// # Safety
/// With the GIL held, an exception pending, in a running frame.
unsafe fn add_traceback_entry() {
    // SAFETY: see above; the fetched references are owned here until restored.
    unsafe {
        let (mut kind, mut value, mut tb) = (std::ptr::null_mut(), std::ptr::null_mut(), std::ptr::null_mut());
        ffi::PyErr_Fetch(&mut kind, &mut value, &mut tb);
        let frame_object = ffi::PyEval_GetFrame();
        if frame_object.is_null() {
            for object in [kind, value, tb] {
                ffi::Py_XDECREF(object);
            }
            ffi::PyErr_NoMemory();
        } else {
            ffi::PyErr_Restore(kind, value, tb);
            ffi::PyTraceBack_Here(frame_object);
        }
    }
}

/// The interpreter's `exception_unwind` up to the jump to a handler: adds
/// the frame's traceback entry (with `traceback`), at code unit `lasti` (or
/// the frame's current `prev_instr` when -1), releases the value stack from
/// `top` down to `handler_top`, pushes the raising instruction's index when
/// `push_lasti`, then the normalised exception. Returns 1 when the frame is
/// ready for the handler, 0 when the interpreter must unwind instead: a trace
/// function is installed (it reports the exception), or allocating the index
/// failed.
pub unsafe extern "C" fn catch(
    tstate: *mut ThreadState,
    frame: *mut Frame,
    lasti: isize,
    top: isize,
    handler_top: isize,
    push_lasti: isize,
    traceback: isize,
) -> isize {
    // SAFETY: frame is the live frame running this code, linked as the
    // thread's current frame; slots handler_top..top hold owned references
    // or NULL; an exception is set.
    unsafe {
        let (ts, fr) = (&*tstate, &*frame);
        if traceback != 0 && ts.use_tracing() {
            return 0;
        }
        if lasti >= 0 {
            fr.set_lasti(lasti);
        }
        let index = if push_lasti != 0 {
            let index = ffi::PyLong_FromSsize_t(fr.lasti());
            if index.is_null() {
                return 0;
            }
            index
        } else {
            std::ptr::null_mut()
        };
        if traceback != 0 {
            add_traceback_entry();
        }
        for slot in (handler_top..top).rev() {
            ffi::Py_XDECREF(*fr.slot(slot as usize));
        }
        let mut next = handler_top as usize;
        if !index.is_null() {
            *fr.slot(next) = index;
            next += 1;
        }
        let (mut kind, mut value, mut tb) = (std::ptr::null_mut(), std::ptr::null_mut(), std::ptr::null_mut());
        ffi::PyErr_Fetch(&mut kind, &mut value, &mut tb);
        ffi::PyErr_NormalizeException(&mut kind, &mut value, &mut tb);
        ffi::PyException_SetTraceback(value, if tb.is_null() { ffi::Py_None() } else { tb });
        ffi::Py_XDECREF(tb);
        ffi::Py_XDECREF(kind);
        *fr.slot(next) = value;
        stats::bump(&stats::EXCEPTIONS_CAUGHT);
        1
    }
}

/// PUSH_EXC_INFO: `value` (borrowed) becomes the exception being handled;
/// returns the previous one (or None), a new reference for the stack.
pub unsafe extern "C" fn push_exc_info(tstate: *mut ThreadState, value: *mut PyObject) -> *mut PyObject {
    // SAFETY: the handled-exception slot holds an owned reference or NULL.
    unsafe {
        let handled = (*tstate).handled_exception();
        let previous = if (*handled).is_null() { ffi::Py_NewRef(ffi::Py_None()) } else { *handled };
        *handled = ffi::Py_NewRef(value);
        previous
    }
}

/// POP_EXCEPT: `value` (consumed) becomes the exception being handled again.
pub unsafe extern "C" fn pop_except(tstate: *mut ThreadState, value: *mut PyObject) -> isize {
    // SAFETY: as for push_exc_info; the released reference was owned.
    unsafe {
        let handled = (*tstate).handled_exception();
        let released = std::mem::replace(&mut *handled, value);
        ffi::Py_XDECREF(released);
        0
    }
}

/// CHECK_EXC_MATCH: whether the exception `value` (borrowed) matches
/// `class` (consumed), as a new bool; NULL when `class` is not an exception
/// class or tuple of them.
pub unsafe extern "C" fn check_exc_match(value: *mut PyObject, class: *mut PyObject) -> *mut PyObject {
    // SAFETY: both are live; class is owned and released here.
    unsafe {
        let result = if ceval::check_except_type_valid(class) < 0 {
            std::ptr::null_mut()
        } else {
            let matches = ffi::PyErr_GivenExceptionMatches(value, class) != 0;
            ffi::Py_NewRef(if matches { ffi::Py_True() } else { ffi::Py_False() })
        };
        ffi::Py_DECREF(class);
        result
    }
}

/// WITH_EXCEPT_START: `exit(type(value), value, value.__traceback__)`; both
/// borrowed.
pub unsafe extern "C" fn with_except_start(exit: *mut PyObject, value: *mut PyObject) -> *mut PyObject {
    // SAFETY: exit and value are live stack items; value is an exception.
    unsafe {
        let kind = ffi::Py_TYPE(value).cast::<PyObject>();
        let tb = ffi::PyException_GetTraceback(value);
        ffi::Py_XDECREF(tb);
        let args = [std::ptr::null_mut(), kind, value, if tb.is_null() { ffi::Py_None() } else { tb }];
        ffi::PyObject_Vectorcall(exit, args.as_ptr().add(1), 3 | PY_VECTORCALL_ARGUMENTS_OFFSET, std::ptr::null_mut())
    }
}

/// RERAISE: restores the exception `value` (consumed) with its traceback;
/// with `lasti` (an int from the stack, or 0 when the opcode has no
/// argument) the frame's `prev_instr` goes back to the instruction that
/// first raised it.
pub unsafe extern "C" fn reraise(frame: *mut Frame, value: *mut PyObject, lasti: *mut PyObject) -> isize {
    // SAFETY: value is an owned exception instance; lasti is live or NULL.
    unsafe {
        if !lasti.is_null() {
            (*frame).set_lasti(ffi::PyLong_AsSsize_t(lasti));
        }
        let kind = ffi::Py_NewRef(ffi::Py_TYPE(value).cast::<PyObject>());
        let tb = ffi::PyException_GetTraceback(value);
        ffi::PyErr_Restore(kind, value, tb);
        0
    }
}

/// BEFORE_WITH (BEFORE_ASYNC_WITH when `asynchronous` is set) on
/// `slots[0]`: leaves `[__exit__, __enter__()]` (`__aexit__`,
/// `__aenter__()`). On failure `slots[0]` holds the manager or its exit.
pub unsafe extern "C" fn before_with(slots: *mut *mut PyObject, asynchronous: isize) -> isize {
    let (enter_name, exit_name, unsupported, no_exit) = if asynchronous != 0 {
        (
            c"__aenter__",
            c"__aexit__",
            c"'%.200s' object does not support the asynchronous context manager protocol",
            c"'%.200s' object does not support the asynchronous context manager protocol (missed __aexit__ method)",
        )
    } else {
        (
            c"__enter__",
            c"__exit__",
            c"'%.200s' object does not support the context manager protocol",
            c"'%.200s' object does not support the context manager protocol (missed __exit__ method)",
        )
    };
    // SAFETY: slots points at two value-stack slots; the first is owned.
    unsafe {
        let manager = *slots;
        let type_name = (*ffi::Py_TYPE(manager)).tp_name;
        let enter_name = ffi::PyUnicode_InternFromString(enter_name.as_ptr());
        let exit_name = ffi::PyUnicode_InternFromString(exit_name.as_ptr());
        if enter_name.is_null() || exit_name.is_null() {
            ffi::Py_XDECREF(enter_name);
            ffi::Py_XDECREF(exit_name);
            return -1;
        }
        let enter = crate::abi::ffi::_PyObject_LookupSpecial(manager, enter_name);
        ffi::Py_DECREF(enter_name);
        if enter.is_null() {
            ffi::Py_DECREF(exit_name);
            if ffi::PyErr_Occurred().is_null() {
                ffi::PyErr_Format(ffi::PyExc_TypeError, unsupported.as_ptr(), type_name);
            }
            return -1;
        }
        let exit = crate::abi::ffi::_PyObject_LookupSpecial(manager, exit_name);
        ffi::Py_DECREF(exit_name);
        if exit.is_null() {
            if ffi::PyErr_Occurred().is_null() {
                ffi::PyErr_Format(ffi::PyExc_TypeError, no_exit.as_ptr(), type_name);
            }
            ffi::Py_DECREF(enter);
            return -1;
        }
        *slots = exit;
        ffi::Py_DECREF(manager);
        let result = ffi::PyObject_CallNoArgs(enter);
        ffi::Py_DECREF(enter);
        if result.is_null() {
            return -1;
        }
        *slots.add(1) = result;
        0
    }
}

/// GET_LEN: `len(obj)` as an int; borrows `obj`.
pub unsafe extern "C" fn get_len(obj: *mut PyObject) -> *mut PyObject {
    // SAFETY: obj is live.
    unsafe {
        let len = ffi::PyObject_Length(obj);
        if len < 0 {
            return std::ptr::null_mut();
        }
        ffi::PyLong_FromSsize_t(len)
    }
}

/// MATCH_MAPPING / MATCH_SEQUENCE (`which` is the opcode): a new bool.
pub unsafe extern "C" fn match_kind(subject: *mut PyObject, which: isize) -> *mut PyObject {
    // SAFETY: subject is live; its type is live.
    unsafe {
        let flag = if which as u8 == op::MATCH_MAPPING { ffi::Py_TPFLAGS_MAPPING } else { ffi::Py_TPFLAGS_SEQUENCE };
        let matches = (*ffi::Py_TYPE(subject)).tp_flags & flag != 0;
        ffi::Py_NewRef(if matches { ffi::Py_True() } else { ffi::Py_False() })
    }
}

/// MATCH_KEYS: borrows both; a tuple of values, or None.
pub unsafe extern "C" fn match_keys(tstate: *mut ThreadState, subject: *mut PyObject, keys: *mut PyObject) -> *mut PyObject {
    // SAFETY: subject and keys are live stack items.
    unsafe { ceval::match_keys(tstate, subject, keys) }
}

/// MATCH_CLASS: consumes `cls` and `names`; on success or no match also the
/// subject (borrowed from the stack slot it is replaced in) — the result is a
/// tuple of attributes or None. On error the subject stays on the stack.
pub unsafe extern "C" fn match_class(
    tstate: *mut ThreadState,
    subject: *mut PyObject,
    cls: *mut PyObject,
    nargs: isize,
    names: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: owned references released as documented.
    unsafe {
        let attrs = ceval::match_class(tstate, subject, cls, nargs, names);
        ffi::Py_DECREF(names);
        ffi::Py_DECREF(cls);
        let result = if !attrs.is_null() {
            attrs
        } else if !ffi::PyErr_Occurred().is_null() {
            return std::ptr::null_mut();
        } else {
            ffi::Py_NewRef(ffi::Py_None())
        };
        ffi::Py_DECREF(subject);
        result
    }
}

/// Where CPython's range, list and tuple iterators keep their state, in
/// bytes from the object's start. Their structs are private to
/// `rangeobject.c`, `listobject.c` and `tupleobject.c` (no header to probe
/// at build time), so the offsets are measured on live iterators
/// (`measure_iterator_layouts`); FOR_ITER reads them inline only once they
/// are known.
#[derive(Clone, Copy, Debug)]
pub struct IteratorLayouts {
    /// `rangeiterobject`: the next item is `start + index * step` while
    /// `index < len` (C longs).
    pub range_index: usize,
    pub range_start: usize,
    pub range_step: usize,
    pub range_len: usize,
    /// `listiterobject` and `tupleiterobject`: the next item is
    /// `seq[index]`; `seq` is NULL once the iterator ended.
    pub list: SequenceIterator,
    pub tuple: SequenceIterator,
}

/// The fields of a list or tuple iterator.
#[derive(Clone, Copy, Debug)]
pub struct SequenceIterator {
    pub index: usize,
    pub seq: usize,
}

static ITERATOR_LAYOUTS: std::sync::OnceLock<IteratorLayouts> = std::sync::OnceLock::new();

/// The measured iterator layouts, if measuring succeeded.
pub fn iterator_layouts() -> Option<IteratorLayouts> {
    ITERATOR_LAYOUTS.get().copied()
}

/// Measures `IteratorLayouts` on a range, a list and a tuple iterator one
/// item in: each field is the one word after the object header, within the
/// type's basic size, that holds the value it must hold. Leaves them
/// unknown when any is not found exactly once.
pub fn measure_iterator_layouts(py: pyo3::Python<'_>) -> pyo3::PyResult<()> {
    use pyo3::types::{PyAnyMethods, PyList, PyRange, PyTuple};
    // Built through the C API, not from source: compiling a snippet at import
    // took a tenth of a millisecond of every start-up.
    let (start, step, len) = (1_000_003_i64, 7_i64, 123_457_i64);
    let range = PyRange::new_with_step(py, start as isize, (start + step * len) as isize, step as isize)?.try_iter()?.into_any();
    let list = PyList::new(py, [0, 1, 2])?;
    let tuple = PyTuple::new(py, [0, 1, 2])?;
    let (list_iterator, tuple_iterator) = (list.try_iter()?, tuple.try_iter()?);
    for iterator in [&range, list_iterator.as_any(), tuple_iterator.as_any()] {
        iterator.call_method0("__next__")?;
    }
    // SAFETY: the three iterators are live; words are read within their
    // types' basic sizes.
    unsafe {
        let words_holding = |object: *mut PyObject, value: i64| {
            let size = (*ffi::Py_TYPE(object)).tp_basicsize as usize;
            let words = (std::mem::size_of::<PyObject>()..size).step_by(8);
            let mut found = words.filter(|&offset| abi::read_field::<i64>(object.cast(), offset) == value);
            match (found.next(), found.next()) {
                (Some(offset), None) => Some(offset),
                _ => None,
            }
        };
        let (range, list_iterator, tuple_iterator) = (range.as_ptr(), list_iterator.as_ptr(), tuple_iterator.as_ptr());
        if ffi::Py_TYPE(range) != std::ptr::addr_of_mut!(ffi::PyRangeIter_Type)
            || ffi::Py_TYPE(list_iterator) != std::ptr::addr_of_mut!(ffi::PyListIter_Type)
            || ffi::Py_TYPE(tuple_iterator) != std::ptr::addr_of_mut!(ffi::PyTupleIter_Type)
        {
            return Ok(());
        }
        let measured = (|| {
            Some(IteratorLayouts {
                range_index: words_holding(range, 1)?,
                range_start: words_holding(range, start)?,
                range_step: words_holding(range, step)?,
                range_len: words_holding(range, len)?,
                list: SequenceIterator {
                    index: words_holding(list_iterator, 1)?,
                    seq: words_holding(list_iterator, list.as_ptr() as i64)?,
                },
                tuple: SequenceIterator {
                    index: words_holding(tuple_iterator, 1)?,
                    seq: words_holding(tuple_iterator, tuple.as_ptr() as i64)?,
                },
            })
        })();
        if let Some(layouts) = measured {
            ITERATOR_LAYOUTS.get_or_init(|| layouts);
        }
    }
    Ok(())
}
