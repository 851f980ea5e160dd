//! The functions compiled code calls for generators (`codegen::ops::suspend`).

use crate::abi::{self, Frame};
use pyo3::ffi::{self, PyObject};

/// GET_YIELD_FROM_ITER: what `yield from` drives. A generator as it is; a
/// coroutine as it is in coroutine code, a TypeError in any other
/// generator; anything else `iter(iterable)`. Consumes the iterable.
pub unsafe extern "C" fn get_yield_from_iter(frame: *mut Frame, iterable: *mut PyObject) -> *mut PyObject {
    // SAFETY: frame is the running frame; iterable is owned and released
    // here unless it is returned.
    unsafe {
        if ffi::PyCoro_CheckExact(iterable) != 0 {
            let flags = abi::code_int((*frame).code(), abi::CODE_FLAGS);
            if flags & (abi::CO_COROUTINE | abi::CO_ITERABLE_COROUTINE) == 0 {
                ffi::Py_DECREF(iterable);
                let message = c"cannot 'yield from' a coroutine object in a non-coroutine generator";
                ffi::PyErr_SetString(ffi::PyExc_TypeError, message.as_ptr());
                return std::ptr::null_mut();
            }
            return iterable;
        }
        if ffi::PyGen_CheckExact(iterable) != 0 {
            return iterable;
        }
        let iterator = ffi::PyObject_GetIter(iterable);
        ffi::Py_DECREF(iterable);
        iterator
    }
}

/// SEND, on the receiver and the value to send at `slots[0]` and
/// `slots[1]` (owned; the value is consumed): when the receiver yields,
/// `slots[1]` holds what it yielded and the result is 1; when it returns,
/// the receiver is released, `slots[0]` holds its return value and the
/// result is 0; when it raises, -1, `slots[0]` still the receiver.
pub unsafe extern "C" fn send(slots: *mut *mut PyObject) -> isize {
    // SAFETY: slots are two live stack slots of the running frame.
    unsafe {
        let (receiver, value) = (*slots, *slots.add(1));
        let mut result = std::ptr::null_mut();
        let status = ffi::PyIter_Send(receiver, value, &mut result);
        ffi::Py_DECREF(value);
        match status {
            ffi::PySendResult::PYGEN_NEXT => {
                *slots.add(1) = result;
                1
            }
            ffi::PySendResult::PYGEN_RETURN => {
                ffi::Py_DECREF(receiver);
                *slots = result;
                0
            }
            ffi::PySendResult::PYGEN_ERROR => -1,
        }
    }
}

/// Whether `obj` is a coroutine: a coroutine object, or a generator whose
/// code is marked `types.coroutine` (`gen_is_coroutine`).
unsafe fn is_coroutine(obj: *mut PyObject) -> bool {
    // SAFETY: obj is live; a generator's code is a live code object.
    unsafe {
        ffi::PyCoro_CheckExact(obj) != 0
            || ffi::PyGen_CheckExact(obj) != 0
                && abi::code_int(abi::read_field(obj.cast(), abi::GEN_CODE), abi::CODE_FLAGS) & abi::CO_ITERABLE_COROUTINE
                    != 0
    }
}

/// `_PyCoro_GetAwaitableIter` (hidden in CPython): the iterator `await obj`
/// drives, a new reference, or NULL with a TypeError.
unsafe fn awaitable_iter(obj: *mut PyObject) -> *mut PyObject {
    // SAFETY: obj is live; type slots are read from its live type.
    unsafe {
        if is_coroutine(obj) {
            ffi::Py_INCREF(obj);
            return obj;
        }
        let ty = ffi::Py_TYPE(obj);
        let Some(getter) = (*ty).tp_as_async.as_ref().and_then(|methods| methods.am_await) else {
            let message = c"object %.100s can't be used in 'await' expression";
            ffi::PyErr_Format(ffi::PyExc_TypeError, message.as_ptr(), (*ty).tp_name);
            return std::ptr::null_mut();
        };
        let iterator = getter(obj);
        if iterator.is_null() {
            return iterator;
        }
        if is_coroutine(iterator) {
            ffi::PyErr_SetString(ffi::PyExc_TypeError, c"__await__() returned a coroutine".as_ptr());
        } else if ffi::PyIter_Check(iterator) == 0 {
            let message = c"__await__() returned non-iterator of type '%.100s'";
            ffi::PyErr_Format(ffi::PyExc_TypeError, message.as_ptr(), (*ffi::Py_TYPE(iterator)).tp_name);
        } else {
            return iterator;
        }
        ffi::Py_DECREF(iterator);
        std::ptr::null_mut()
    }
}

/// Whether the coroutine `coro` is suspended in an `await` of its own
/// (`_PyGen_yf`, hidden in CPython, is not NULL): its next instruction
/// resumes from a `yield from` or an `await`.
unsafe fn awaits(coro: *mut PyObject) -> bool {
    // SAFETY: coro is a live coroutine, whose embedded frame's prev_instr
    // points into its code's instructions once it has started.
    unsafe {
        let state: i8 = abi::read_field(coro.cast(), abi::GEN_FRAME_STATE);
        if state >= abi::GEN_FRAME_STATE_CLEARED as u8 as i8 || state == abi::GEN_FRAME_STATE_CREATED as u8 as i8 {
            return false;
        }
        let frame = coro.cast::<u8>().add(abi::GEN_IFRAME);
        let prev_instr: *const u16 = abi::read_field(frame, abi::FRAME_PREV_INSTR);
        let next = *prev_instr.add(1);
        (next & 0xFF) as u8 == abi::op::RESUME && next >> 8 >= 2
    }
}

/// GET_AWAITABLE: the iterator `await` drives (`where_` says what is
/// awaited, for the message when it is not awaitable: 1 the result of
/// `__aenter__`, 2 of `__aexit__`). Consumes the awaitable.
pub unsafe extern "C" fn get_awaitable(awaitable: *mut PyObject, where_: isize) -> *mut PyObject {
    // SAFETY: awaitable is owned and released here.
    unsafe {
        let iterator = awaitable_iter(awaitable);
        if iterator.is_null() {
            let ty = ffi::Py_TYPE(awaitable);
            if (*ty).tp_as_async.as_ref().and_then(|methods| methods.am_await).is_none() {
                let message = match where_ {
                    1 => Some(c"'async with' received an object from __aenter__ that does not implement __await__: %.100s"),
                    2 => Some(c"'async with' received an object from __aexit__ that does not implement __await__: %.100s"),
                    _ => None,
                };
                if let Some(message) = message {
                    ffi::PyErr_Format(ffi::PyExc_TypeError, message.as_ptr(), (*ty).tp_name);
                }
            }
        }
        ffi::Py_DECREF(awaitable);
        if !iterator.is_null() && ffi::PyCoro_CheckExact(iterator) != 0 && awaits(iterator) {
            ffi::Py_DECREF(iterator);
            ffi::PyErr_SetString(ffi::PyExc_RuntimeError, c"coroutine is being awaited already".as_ptr());
            return std::ptr::null_mut();
        }
        iterator
    }
}

/// GET_ANEXT: the awaitable of the next step of `async for` over `aiter`
/// (borrowed).
pub unsafe extern "C" fn get_anext(aiter: *mut PyObject) -> *mut PyObject {
    // SAFETY: aiter is live; type slots are read from live types.
    unsafe {
        let ty = ffi::Py_TYPE(aiter);
        let anext = (*ty).tp_as_async.as_ref().and_then(|methods| methods.am_anext);
        if ty == std::ptr::addr_of_mut!(ffi::PyAsyncGen_Type) {
            return anext.map_or(std::ptr::null_mut(), |anext| anext(aiter));
        }
        let Some(anext) = anext else {
            let message = c"'async for' requires an iterator with __anext__ method, got %.100s";
            ffi::PyErr_Format(ffi::PyExc_TypeError, message.as_ptr(), (*ty).tp_name);
            return std::ptr::null_mut();
        };
        let next = anext(aiter);
        if next.is_null() {
            return next;
        }
        let awaitable = awaitable_iter(next);
        if awaitable.is_null() {
            let message = c"'async for' received an invalid object from __anext__: %.100s";
            abi::ffi::_PyErr_FormatFromCause(ffi::PyExc_TypeError, message.as_ptr(), (*ffi::Py_TYPE(next)).tp_name);
        }
        ffi::Py_DECREF(next);
        awaitable
    }
}

/// END_ASYNC_FOR: whether the exception `value` (borrowed) ends the loop
/// (is a StopAsyncIteration); 1 or 0.
pub unsafe extern "C" fn ends_async_for(value: *mut PyObject) -> isize {
    // SAFETY: value is a live exception instance.
    unsafe { ffi::PyErr_GivenExceptionMatches(value, ffi::PyExc_StopAsyncIteration) as isize }
}
