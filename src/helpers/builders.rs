//! The functions compiled code calls for the builders family (`codegen::ops::builders`).

use crate::abi::{self, ffi as abi_ffi, ThreadState};
use crate::helpers::ceval;
use crate::stats;
use pyo3::ffi::{self, PyObject, Py_ssize_t};

/// Decrefs `items[..n]`.
unsafe fn release(items: *mut *mut PyObject, n: usize) {
    for i in 0..n {
        // SAFETY: callers pass owned references.
        unsafe { ffi::Py_DECREF(*items.add(i)) };
    }
}

/// BUILD_TUPLE: steals the items.
pub unsafe extern "C" fn build_tuple(items: *mut *mut PyObject, n: isize) -> *mut PyObject {
    // SAFETY: items holds n owned references, stolen into the new tuple.
    unsafe {
        let tuple = ffi::PyTuple_New(n);
        if tuple.is_null() {
            release(items, n as usize);
            return tuple;
        }
        for i in 0..n {
            ffi::PyTuple_SET_ITEM(tuple, i, *items.offset(i));
        }
        tuple
    }
}

/// BUILD_LIST: steals the items.
pub unsafe extern "C" fn build_list(items: *mut *mut PyObject, n: isize) -> *mut PyObject {
    // SAFETY: items holds n owned references, stolen into the new list.
    unsafe {
        let list = ffi::PyList_New(n);
        if list.is_null() {
            release(items, n as usize);
            return list;
        }
        for i in 0..n {
            ffi::PyList_SET_ITEM(list, i, *items.offset(i));
        }
        list
    }
}

/// BUILD_SET: consumes the items.
pub unsafe extern "C" fn build_set(items: *mut *mut PyObject, n: isize) -> *mut PyObject {
    // SAFETY: items holds n owned references, all released here.
    unsafe {
        let mut set = ffi::PySet_New(std::ptr::null_mut());
        for i in 0..n as usize {
            let item = *items.add(i);
            if !set.is_null() && ffi::PySet_Add(set, item) < 0 {
                ffi::Py_DECREF(set);
                set = std::ptr::null_mut();
            }
            ffi::Py_DECREF(item);
        }
        set
    }
}

/// BUILD_STRING: concatenates the strings; consumes them.
pub unsafe extern "C" fn build_string(items: *mut *mut PyObject, n: isize) -> *mut PyObject {
    // SAFETY: items holds n owned str references, released here.
    unsafe {
        let empty = ffi::PyUnicode_FromStringAndSize(std::ptr::null(), 0);
        let result = if empty.is_null() {
            empty
        } else {
            let joined = abi_ffi::_PyUnicode_JoinArray(empty, items, n as Py_ssize_t);
            ffi::Py_DECREF(empty);
            joined
        };
        release(items, n as usize);
        result
    }
}

/// BUILD_MAP: `n` key/value pairs; consumes them.
pub unsafe extern "C" fn build_map(items: *mut *mut PyObject, n: isize) -> *mut PyObject {
    // SAFETY: items holds 2n owned references, released here.
    unsafe {
        let mut dict = ffi::PyDict_New();
        for i in 0..n as usize {
            if !dict.is_null() && ffi::PyDict_SetItem(dict, *items.add(2 * i), *items.add(2 * i + 1)) < 0 {
                ffi::Py_DECREF(dict);
                dict = std::ptr::null_mut();
            }
        }
        release(items, 2 * n as usize);
        dict
    }
}

/// BUILD_CONST_KEY_MAP: `n` values followed by a tuple of `n` keys; consumes
/// them.
pub unsafe extern "C" fn build_const_key_map(items: *mut *mut PyObject, n: isize) -> *mut PyObject {
    // SAFETY: items holds n + 1 owned references, released here.
    unsafe {
        let keys = *items.offset(n);
        let mut dict = std::ptr::null_mut();
        if ffi::PyTuple_CheckExact(keys) == 0 || ffi::PyTuple_GET_SIZE(keys) != n {
            let msg = c"bad BUILD_CONST_KEY_MAP keys argument";
            ffi::PyErr_SetString(ffi::PyExc_SystemError, msg.as_ptr());
        } else {
            dict = ffi::PyDict_New();
            for i in 0..n {
                if !dict.is_null()
                    && ffi::PyDict_SetItem(dict, ffi::PyTuple_GET_ITEM(keys, i), *items.offset(i)) < 0
                {
                    ffi::Py_DECREF(dict);
                    dict = std::ptr::null_mut();
                }
            }
        }
        release(items, n as usize + 1);
        dict
    }
}

/// LIST_APPEND: consumes `item`.
pub unsafe extern "C" fn list_append(list: *mut PyObject, item: *mut PyObject) -> isize {
    // SAFETY: list is borrowed from the stack; item is owned.
    unsafe {
        let status = ffi::PyList_Append(list, item);
        ffi::Py_DECREF(item);
        status as isize
    }
}

/// SET_ADD: consumes `item`.
pub unsafe extern "C" fn set_add(set: *mut PyObject, item: *mut PyObject) -> isize {
    // SAFETY: set is borrowed from the stack; item is owned.
    unsafe {
        let status = ffi::PySet_Add(set, item);
        ffi::Py_DECREF(item);
        status as isize
    }
}

/// MAP_ADD: consumes `key` and `value`.
pub unsafe extern "C" fn map_add(dict: *mut PyObject, key: *mut PyObject, value: *mut PyObject) -> isize {
    // SAFETY: dict is borrowed; key and value are owned.
    unsafe {
        let status = ffi::PyDict_SetItem(dict, key, value);
        ffi::Py_DECREF(key);
        ffi::Py_DECREF(value);
        status as isize
    }
}

/// LIST_EXTEND (`[*a]`, `f(*a)`): consumes `iterable`.
pub unsafe extern "C" fn list_extend(list: *mut PyObject, iterable: *mut PyObject) -> isize {
    // SAFETY: list is borrowed; iterable is owned.
    unsafe {
        let none = abi_ffi::_PyList_Extend(list, iterable);
        let status = if none.is_null() {
            if ffi::PyErr_ExceptionMatches(ffi::PyExc_TypeError) != 0
                && (*ffi::Py_TYPE(iterable)).tp_iter.is_none()
                && ffi::PySequence_Check(iterable) == 0
            {
                ffi::PyErr_Clear();
                let msg = c"Value after * must be an iterable, not %.200s";
                ffi::PyErr_Format(ffi::PyExc_TypeError, msg.as_ptr(), (*ffi::Py_TYPE(iterable)).tp_name);
            }
            -1
        } else {
            ffi::Py_DECREF(none);
            0
        };
        ffi::Py_DECREF(iterable);
        status
    }
}

/// SET_UPDATE (`{*a}`): consumes `iterable`.
pub unsafe extern "C" fn set_update(set: *mut PyObject, iterable: *mut PyObject) -> isize {
    // SAFETY: set is borrowed; iterable is owned.
    unsafe {
        let status = abi_ffi::_PySet_Update(set, iterable);
        ffi::Py_DECREF(iterable);
        status as isize
    }
}

/// DICT_UPDATE (`{**a}`): consumes `update`.
pub unsafe extern "C" fn dict_update(dict: *mut PyObject, update: *mut PyObject) -> isize {
    // SAFETY: dict is borrowed; update is owned.
    unsafe {
        let status = ffi::PyDict_Update(dict, update);
        if status < 0 && ffi::PyErr_ExceptionMatches(ffi::PyExc_AttributeError) != 0 {
            ffi::PyErr_Clear();
            let msg = c"'%.200s' object is not a mapping";
            ffi::PyErr_Format(ffi::PyExc_TypeError, msg.as_ptr(), (*ffi::Py_TYPE(update)).tp_name);
        }
        ffi::Py_DECREF(update);
        status as isize
    }
}

/// DICT_MERGE (`f(**a)`): consumes `update`; `callee` names the function in
/// error messages.
pub unsafe extern "C" fn dict_merge(
    tstate: *mut ThreadState,
    callee: *mut PyObject,
    dict: *mut PyObject,
    update: *mut PyObject,
) -> isize {
    // SAFETY: callee and dict are borrowed from the stack; update is owned.
    unsafe {
        let status = abi_ffi::_PyDict_MergeEx(dict, update, 2);
        if status < 0 {
            ceval::format_kwargs_error(tstate, callee, update);
        }
        ffi::Py_DECREF(update);
        status as isize
    }
}

/// LIST_TO_TUPLE: consumes the list.
pub unsafe extern "C" fn list_to_tuple(list: *mut PyObject) -> *mut PyObject {
    // SAFETY: list is owned.
    unsafe {
        let tuple = ffi::PyList_AsTuple(list);
        ffi::Py_DECREF(list);
        tuple
    }
}

/// FORMAT_VALUE: `conversion` is 0 (none), 1 (`!s`), 2 (`!r`) or 3 (`!a`);
/// `spec` may be NULL. Consumes `value` and `spec`.
pub unsafe extern "C" fn format_value(value: *mut PyObject, spec: *mut PyObject, conversion: isize) -> *mut PyObject {
    // SAFETY: value and spec (nullable) are owned references released here.
    unsafe {
        let mut value = value;
        let convert = match conversion {
            1 => Some(ffi::PyObject_Str as unsafe extern "C" fn(*mut PyObject) -> *mut PyObject),
            2 => Some(ffi::PyObject_Repr as unsafe extern "C" fn(*mut PyObject) -> *mut PyObject),
            3 => Some(ffi::PyObject_ASCII as unsafe extern "C" fn(*mut PyObject) -> *mut PyObject),
            _ => None,
        };
        if let Some(convert) = convert {
            let converted = convert(value);
            ffi::Py_DECREF(value);
            if converted.is_null() {
                ffi::Py_XDECREF(spec);
                return converted;
            }
            value = converted;
        }
        if ffi::PyUnicode_CheckExact(value) != 0 && spec.is_null() {
            return value;
        }
        let result = ffi::PyObject_Format(value, spec);
        ffi::Py_DECREF(value);
        ffi::Py_XDECREF(spec);
        result
    }
}

/// Writes new references to `items[range]` downward from `top`, item `i`
/// at `top - i - 1`, where the interpreter's unpacking puts it.
unsafe fn push_items(items: *mut *mut PyObject, range: std::ops::Range<usize>, top: *mut *mut PyObject) {
    for i in range {
        // SAFETY: callers pass a tuple's or list's items within its size and
        // the value-stack slots reserved for them below `top`.
        unsafe {
            let item = *items.add(i);
            ffi::Py_INCREF(item);
            *top.sub(i + 1) = item;
        }
    }
}

/// UNPACK_SEQUENCE of `count` items and the `count` STORE_FASTs after it
/// (code units `first_store..first_store + count`), run as one. Consumes `seq`.
///
/// The interpreter takes a reference to every item, releases `seq`, then
/// stores the items one by one, each store releasing the local's old value.
/// Only a release that frees an object runs code (a finalizer), so while none
/// does, the same stores made straight from an exact tuple or list that
/// another owner keeps alive end in the same state, and storing an item the
/// local already holds changes nothing: loops that unpack the same objects
/// again touch no reference count. Before the first store that would free
/// its old value, the items not stored yet are taken as the interpreter has
/// them, and the rest runs as there, each freed object freed with the frame
/// at its store (the position a finalizer sees in the interpreter).
pub unsafe extern "C" fn unpack_to_locals(
    tstate: *mut ThreadState,
    frame: *mut abi::Frame,
    seq: *mut PyObject,
    count: isize,
    first_store: isize,
    top: *mut *mut PyObject,
) -> isize {
    // SAFETY: frame is the running frame of the compiled code, whose value
    // stack reserves the `count` slots below `top`; the stores are
    // STORE_FASTs of that code, each one code unit whose oparg (its high
    // byte) is a fast local's index; seq is an owned reference, and a tuple's
    // or list's items are its first Py_SIZE pointers after the probed offset.
    unsafe {
        let frame = &*frame;
        let count = count as usize;
        let store = |k: usize| first_store as usize + k;
        let local = |k: usize| frame.slot(usize::from(frame.code_unit(store(k)) >> 8));
        let (mut stored, mut unchanged) = (0, 0);
        let shared = abi::sequence_items(seq).filter(|_| ffi::Py_SIZE(seq) == count as isize && (*seq).ob_refcnt > 1);
        if let Some(items) = shared {
            // Not the last reference: releasing it frees nothing.
            (*seq).ob_refcnt -= 1;
            while stored < count {
                let (item, slot) = (*items.add(stored), local(stored));
                let old = *slot;
                if old == item {
                    unchanged += 1;
                } else if old.is_null() || (*old).ob_refcnt > 1 {
                    ffi::Py_INCREF(item);
                    *slot = item;
                    if !old.is_null() {
                        (*old).ob_refcnt -= 1;
                    }
                } else {
                    break;
                }
                stored += 1;
            }
            stats::add(&stats::UNCHANGED_STORES, unchanged);
            push_items(items, stored..count, top);
        } else if unpack(tstate, seq, count as isize, -1, top) < 0 {
            return -1;
        }
        for k in stored..count {
            let old = std::mem::replace(&mut *local(k), *top.sub(k + 1));
            if old.is_null() {
                continue;
            }
            (*old).ob_refcnt -= 1;
            if (*old).ob_refcnt == 0 {
                frame.set_lasti(store(k) as isize);
                abi_ffi::_Py_Dealloc(old);
            }
        }
        0
    }
}

/// UNPACK_SEQUENCE (`after` = -1) and UNPACK_EX: writes the items downward
/// from `top`, the first item nearest the top of the stack. Consumes `seq`.
/// An exact tuple or list of the right length is copied directly, as 3.11's
/// specialised UNPACK_SEQUENCE_TUPLE/LIST do (any other case iterates, and
/// raises the interpreter's errors).
pub unsafe extern "C" fn unpack(
    tstate: *mut ThreadState,
    seq: *mut PyObject,
    before: isize,
    after: isize,
    top: *mut *mut PyObject,
) -> isize {
    // SAFETY: top points just past the value-stack slots reserved for the
    // items; seq is owned and released here; a tuple's or list's items are
    // its first Py_SIZE pointers after the probed offset.
    unsafe {
        if let Some(items) = abi::sequence_items(seq).filter(|_| after < 0 && ffi::Py_SIZE(seq) == before) {
            push_items(items, 0..before as usize, top);
            ffi::Py_DECREF(seq);
            return 0;
        }
        let ok = ceval::unpack_iterable(tstate, seq, before as i32, after as i32, top);
        ffi::Py_DECREF(seq);
        if ok == 0 {
            -1
        } else {
            0
        }
    }
}
