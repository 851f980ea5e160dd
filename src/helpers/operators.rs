//! The functions compiled code calls for the operators family (`codegen::ops::operators`).

use crate::abi::{self, ffi as abi_ffi, op, Frame, ThreadState, ThreadStateExt};
use crate::config::{self, Optimization};
use crate::helpers::dunders;
use pyo3::ffi::{self, PyObject};
use std::ffi::c_int;

/// BINARY_OP with `which` an `NB_*` operator (the order of CPython's
/// `binary_ops` table); consumes both operands. Two exact ints or two exact
/// floats go to their type's number slot (`number_slot`, while
/// `Optimization::InlineArithmetic` is on); while
/// `Optimization::DirectDunders` is on, an operator a Python class defines
/// is called directly where `dunders::binary` can.
pub unsafe extern "C" fn binary_op(lhs: *mut PyObject, rhs: *mut PyObject, which: isize) -> *mut PyObject {
    // SAFETY: both operands are owned references released here; the
    // running thread holds the GIL, and no exception is set while compiled
    // code runs an instruction.
    unsafe {
        let operator = which as usize;
        let direct = config::optimization_enabled(Optimization::InlineArithmetic)
            .then(|| number_slot(lhs, rhs, operator))
            .flatten()
            .or_else(|| {
                config::optimization_enabled(Optimization::DirectDunders)
                    .then(|| dunders::binary(abi_ffi::_PyThreadState_UncheckedGet(), lhs, rhs, operator))
                    .flatten()
            });
        let result = direct.unwrap_or_else(|| generic_binary_op(lhs, rhs, which));
        ffi::Py_DECREF(lhs);
        ffi::Py_DECREF(rhs);
        result
    }
}

/// BINARY_OP `which` on `lhs` and `rhs` when both are exact ints or both
/// exact floats: their type's `nb_*` function, called as `PyNumber_*` calls
/// it for two operands of one type (neither type has in-place slots, so the
/// in-place operators, `which` 13 and on, use the plain ones) and as the
/// interpreter's specialised BINARY_OP calls its int and float functions,
/// without the dispatch (the inline paths leave big ints and the operators
/// they do not compute to this). None for other operands, a slot the type
/// lacks (the generic path raises the TypeError), and a NotImplemented
/// result, which the generic path handles.
///
/// # Safety
/// With the GIL held; both operands are live.
unsafe fn number_slot(lhs: *mut PyObject, rhs: *mut PyObject, which: usize) -> Option<*mut PyObject> {
    // SAFETY: see above; int and float have number methods.
    unsafe {
        let tp = ffi::Py_TYPE(lhs);
        let number_type = tp == std::ptr::addr_of_mut!(ffi::PyLong_Type) || tp == std::ptr::addr_of_mut!(ffi::PyFloat_Type);
        if !number_type || ffi::Py_TYPE(rhs) != tp {
            return None;
        }
        let methods = &*(*tp).tp_as_number;
        let operator = which % usize::from(op::NB_INPLACE_ADD);
        let result = if operator == usize::from(op::NB_POWER) {
            methods.nb_power?(lhs, rhs, ffi::Py_None())
        } else {
            dunders::slot(methods, operator, false)?(lhs, rhs)
        };
        dunders::implemented(result)
    }
}

/// `PyNumber_*` of BINARY_OP `which`; borrows both operands.
///
/// # Safety
/// With the GIL held; both operands are live.
unsafe fn generic_binary_op(lhs: *mut PyObject, rhs: *mut PyObject, which: isize) -> *mut PyObject {
    // SAFETY: see above.
    unsafe {
        let none = ffi::Py_None();
        match which {
            0 => ffi::PyNumber_Add(lhs, rhs),
            1 => ffi::PyNumber_And(lhs, rhs),
            2 => ffi::PyNumber_FloorDivide(lhs, rhs),
            3 => ffi::PyNumber_Lshift(lhs, rhs),
            4 => ffi::PyNumber_MatrixMultiply(lhs, rhs),
            5 => ffi::PyNumber_Multiply(lhs, rhs),
            6 => ffi::PyNumber_Remainder(lhs, rhs),
            7 => ffi::PyNumber_Or(lhs, rhs),
            8 => ffi::PyNumber_Power(lhs, rhs, none),
            9 => ffi::PyNumber_Rshift(lhs, rhs),
            10 => ffi::PyNumber_Subtract(lhs, rhs),
            11 => ffi::PyNumber_TrueDivide(lhs, rhs),
            12 => ffi::PyNumber_Xor(lhs, rhs),
            13 => ffi::PyNumber_InPlaceAdd(lhs, rhs),
            14 => ffi::PyNumber_InPlaceAnd(lhs, rhs),
            15 => ffi::PyNumber_InPlaceFloorDivide(lhs, rhs),
            16 => ffi::PyNumber_InPlaceLshift(lhs, rhs),
            17 => ffi::PyNumber_InPlaceMatrixMultiply(lhs, rhs),
            18 => ffi::PyNumber_InPlaceMultiply(lhs, rhs),
            19 => ffi::PyNumber_InPlaceRemainder(lhs, rhs),
            20 => ffi::PyNumber_InPlaceOr(lhs, rhs),
            21 => ffi::PyNumber_InPlacePower(lhs, rhs, none),
            22 => ffi::PyNumber_InPlaceRshift(lhs, rhs),
            23 => ffi::PyNumber_InPlaceSubtract(lhs, rhs),
            24 => ffi::PyNumber_InPlaceTrueDivide(lhs, rhs),
            25 => ffi::PyNumber_InPlaceXor(lhs, rhs),
            _ => unreachable!("BINARY_OP argument out of range"),
        }
    }
}

/// Whether tracemalloc traces: it must then see each number made where the
/// interpreter makes it, so none is reused.
fn tracemalloc_tracing() -> bool {
    // SAFETY: the interpreter's tracemalloc configuration is a static.
    unsafe { abi::read_field::<i32>(std::ptr::addr_of!(abi_ffi::_Py_tracemalloc_config).cast(), abi::TRACEMALLOC_TRACING) != 0 }
}

/// The int `value` (of at most 62 bits) as a new reference, for a BINARY_OP
/// whose result is stored in a local holding `target` (NULL when unbound or
/// when no local stores it): `target` itself with `value` written into it
/// when it is an exact one-digit int whose only reference is the local's,
/// `value` is one digit and no cached small int (programs can observe
/// their identity) and tracemalloc does not trace; else a new int (NULL
/// with the error set if that fails). `numeric::box_int` out of line.
pub unsafe extern "C" fn int_into_local(value: i64, target: *mut PyObject) -> *mut PyObject {
    // SAFETY: `target` is NULL or a live object the local owns.
    unsafe {
        let reusable = !target.is_null()
            && !(-5..=256).contains(&value)
            && value.unsigned_abs() < 1 << 30
            && ffi::PyLong_CheckExact(target) != 0
            && ffi::Py_REFCNT(target) == 1
            && abi::read_field::<isize>(target.cast(), abi::VAROBJECT_SIZE).unsigned_abs() == 1
            && !tracemalloc_tracing();
        if !reusable {
            return ffi::PyLong_FromLongLong(value);
        }
        abi::write_field(target.cast(), abi::VAROBJECT_SIZE, value.signum() as isize);
        abi::write_field(target.cast(), abi::LONG_DIGITS, value.unsigned_abs() as u32);
        ffi::Py_NewRef(target)
    }
}

/// The float `value` as a new reference, for a BINARY_OP whose result is
/// stored in a local holding `target` (or NULL, as for `int_into_local`):
/// `target` itself with `value` written into it when it is an exact float
/// whose only reference is the local's and tracemalloc does not trace; else
/// a new float (NULL with the error set if that fails).
pub unsafe extern "C" fn float_into_local(value: f64, target: *mut PyObject) -> *mut PyObject {
    // SAFETY: `target` is NULL or a live object the local owns.
    unsafe {
        if !target.is_null() && ffi::PyFloat_CheckExact(target) != 0 && ffi::Py_REFCNT(target) == 1 && !tracemalloc_tracing() {
            abi::write_field(target.cast(), abi::FLOAT_VALUE, value);
            return ffi::Py_NewRef(target);
        }
        ffi::PyFloat_FromDouble(value)
    }
}

/// UNARY_POSITIVE/NEGATIVE/INVERT (`which` is the opcode); consumes
/// `value`. (Generated code tests truth for UNARY_NOT itself.)
pub unsafe extern "C" fn unary_op(value: *mut PyObject, which: isize) -> *mut PyObject {
    // SAFETY: value is an owned reference released here.
    unsafe {
        let result = match which as u8 {
            op::UNARY_POSITIVE => ffi::PyNumber_Positive(value),
            op::UNARY_NEGATIVE => ffi::PyNumber_Negative(value),
            _ => ffi::PyNumber_Invert(value),
        };
        ffi::Py_DECREF(value);
        result
    }
}

/// True where CPython's specialised COMPARE_OP_{INT,FLOAT,STR}_JUMP compares
/// without `PyObject_RichCompare` (and so without its recursion check).
unsafe fn compares_directly(lhs: *mut PyObject, rhs: *mut PyObject, which: i32) -> bool {
    // SAFETY: both are live objects.
    unsafe {
        // `ob_size` read at its probed offset: pyo3's Py_SIZE refuses ints
        // (their layout changed in 3.12), which 3.11's are not.
        let small_int = |o: *mut PyObject| {
            ffi::PyLong_CheckExact(o) != 0 && (abi::read_field::<isize>(o.cast(), abi::VAROBJECT_SIZE) + 1) as usize <= 2
        };
        (small_int(lhs) && small_int(rhs))
            || (ffi::PyFloat_CheckExact(lhs) != 0 && ffi::PyFloat_CheckExact(rhs) != 0)
            || (ffi::PyUnicode_CheckExact(lhs) != 0
                && ffi::PyUnicode_CheckExact(rhs) != 0
                && (which == ffi::Py_EQ || which == ffi::Py_NE))
    }
}

/// COMPARE_OP (`which` is Py_LT..Py_GE; `jump_follows` when a conditional
/// jump consumes the result); consumes both operands.
pub unsafe extern "C" fn compare_op(
    lhs: *mut PyObject,
    rhs: *mut PyObject,
    which: isize,
    jump_follows: isize,
) -> *mut PyObject {
    // SAFETY: both operands are owned references released here.
    unsafe {
        let which = which as i32;
        let result = match (*ffi::Py_TYPE(lhs)).tp_richcompare {
            Some(compare) if jump_follows != 0 && compares_directly(lhs, rhs, which) => compare(lhs, rhs, which),
            _ => ffi::PyObject_RichCompare(lhs, rhs, which),
        };
        ffi::Py_DECREF(lhs);
        ffi::Py_DECREF(rhs);
        result
    }
}

/// CONTAINS_OP: whether `item in container`, negated when `invert` (1 or
/// 0; -1 with an exception set); consumes both. With `search`
/// (`Optimization::DirectContains`), an exact list or tuple is searched
/// here (`sequence_contains`).
pub unsafe extern "C" fn contains_op(
    tstate: *mut ThreadState,
    item: *mut PyObject,
    container: *mut PyObject,
    invert: isize,
    search: isize,
) -> isize {
    // SAFETY: both are owned references released here; tstate is the
    // running thread's.
    unsafe {
        // Below the recursion limit, `PyObject_RichCompare`'s recursion
        // check cannot fail, so comparisons that call nothing may skip it.
        let searchable = search != 0 && *(*tstate).recursion_remaining() > 0;
        let found = if searchable && abi::sequence_items(container).is_some() {
            sequence_contains(container, item)
        } else {
            ffi::PySequence_Contains(container, item)
        };
        ffi::Py_DECREF(item);
        ffi::Py_DECREF(container);
        if found < 0 {
            return -1;
        }
        isize::from((found != 0) != (invert != 0))
    }
}

/// `list_contains` or `tuplecontains` of `item` in `sequence` (an exact
/// list or tuple, `abi::sequence_items`): each item compared with
/// `PyObject_RichCompareBool` (an owned reference to it held meanwhile, as
/// for a list, which the comparison may change), except where
/// `equal_without_calls` answers.
///
/// # Safety
/// With the GIL held, below the recursion limit; `sequence` and `item` are live.
unsafe fn sequence_contains(sequence: *mut PyObject, item: *mut PyObject) -> c_int {
    // SAFETY: see above; the size and the items are read afresh for each
    // index, as the comparisons may change a list.
    unsafe {
        let mut index = 0;
        while index < ffi::Py_SIZE(sequence) {
            let items = abi::sequence_items(sequence).expect("an exact list or tuple stays one");
            let element = *items.add(index as usize);
            let found = match equal_without_calls(element, item) {
                Some(equal) => c_int::from(equal),
                None => {
                    ffi::Py_INCREF(element);
                    let found = ffi::PyObject_RichCompareBool(element, item, ffi::Py_EQ);
                    ffi::Py_DECREF(element);
                    found
                }
            };
            if found != 0 {
                return found;
            }
            index += 1;
        }
        0
    }
}

// Ints' digits are read as `u32`s.
const _: () = assert!(abi::LONG_DIGIT_SIZE == 4);

/// Whether `a == b` as `PyObject_RichCompareBool` finds it, where that
/// calls nothing: the same object, two exact ints or two exact strs (by
/// value), or objects whose types both keep `object`'s comparison (by
/// identity). None where it might call something.
///
/// # Safety
/// Both are live objects.
unsafe fn equal_without_calls(a: *mut PyObject, b: *mut PyObject) -> Option<bool> {
    // SAFETY: see above; an int's digits are read up to its size.
    unsafe {
        if a == b {
            return Some(true);
        }
        let (a_type, b_type) = (ffi::Py_TYPE(a), ffi::Py_TYPE(b));
        if a_type != b_type {
            return (compares_by_identity(a_type) && compares_by_identity(b_type)).then_some(false);
        }
        if a_type == std::ptr::addr_of_mut!(ffi::PyLong_Type) {
            let size: isize = abi::read_field(a.cast(), abi::VAROBJECT_SIZE);
            if size != abi::read_field::<isize>(b.cast(), abi::VAROBJECT_SIZE) {
                return Some(false);
            }
            let digits = |o: *mut PyObject| o.cast::<u8>().add(abi::LONG_DIGITS).cast::<u32>();
            let (a_digits, b_digits) = (digits(a), digits(b));
            return Some((0..size.unsigned_abs()).all(|i| *a_digits.add(i) == *b_digits.add(i)));
        }
        if a_type == std::ptr::addr_of_mut!(ffi::PyUnicode_Type) {
            return Some(abi_ffi::_PyUnicode_Equal(a, b) != 0);
        }
        compares_by_identity(a_type).then_some(false)
    }
}

/// Whether `tp` keeps `object`'s comparison (`object_richcompare`, which
/// `==` of two such objects ends in identity with), its slot inherited.
///
/// # Safety
/// `tp` is a live type.
unsafe fn compares_by_identity(tp: *mut ffi::PyTypeObject) -> bool {
    // SAFETY: see above. The slots hold the address libpython stored, so
    // comparing the addresses is exact.
    unsafe {
        let address = |tp: *mut ffi::PyTypeObject| (*tp).tp_richcompare.map(|compare| compare as usize);
        // `object`'s slot is set, so an unset one never matches.
        address(tp) == address(std::ptr::addr_of_mut!(ffi::PyBaseObject_Type))
    }
}

/// BINARY_SUBSCR: consumes both.
pub unsafe extern "C" fn binary_subscr(container: *mut PyObject, key: *mut PyObject) -> *mut PyObject {
    // SAFETY: both are owned references released here.
    unsafe {
        let result = ffi::PyObject_GetItem(container, key);
        ffi::Py_DECREF(container);
        ffi::Py_DECREF(key);
        result
    }
}

/// STORE_SUBSCR, or DELETE_SUBSCR when `value` is NULL: consumes all.
pub unsafe extern "C" fn store_subscr(container: *mut PyObject, key: *mut PyObject, value: *mut PyObject) -> isize {
    // SAFETY: all three are owned references (value may be NULL) released here.
    unsafe {
        let status = if value.is_null() {
            ffi::PyObject_DelItem(container, key)
        } else {
            ffi::PyObject_SetItem(container, key, value)
        };
        ffi::Py_XDECREF(value);
        ffi::Py_DECREF(container);
        ffi::Py_DECREF(key);
        status as isize
    }
}

/// BUILD_SLICE (`step` NULL for the two-argument form): consumes all.
pub unsafe extern "C" fn build_slice(start: *mut PyObject, stop: *mut PyObject, step: *mut PyObject) -> *mut PyObject {
    // SAFETY: owned references released here.
    unsafe {
        let slice = ffi::PySlice_New(start, stop, step);
        release_bounds(start, stop, step);
        slice
    }
}

/// BUILD_SLICE of `start`, `stop` and `step` (NULL for two bounds) and
/// the BINARY_SUBSCR after it, run as one (`slice-subscripts`): an exact
/// list, tuple or str sliced by exact ints or None is sliced without a
/// slice object (`sliced`); anything else gets the slice object and
/// `PyObject_GetItem`, references released in the interpreter's order.
/// Consumes all. On error, NULL with the frame's `prev_instr` at the
/// instruction that raised (`slice_object`).
///
/// # Safety
/// `frame` is the running frame, at the BINARY_SUBSCR; the others are owned
/// references (`step` may be NULL).
pub unsafe extern "C" fn binary_slice(
    frame: *mut Frame,
    container: *mut PyObject,
    start: *mut PyObject,
    stop: *mut PyObject,
    step: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: see above.
    unsafe {
        if let Some(result) = sliced(container, start, stop, step) {
            release_bounds(start, stop, step);
            ffi::Py_DECREF(container);
            return result;
        }
        let Some(slice) = slice_object(frame, start, stop, step) else {
            ffi::Py_DECREF(container);
            return std::ptr::null_mut();
        };
        binary_subscr(container, slice)
    }
}

/// BUILD_SLICE and the STORE_SUBSCR (or, with `value` NULL, DELETE_SUBSCR)
/// after it, run as one: as `binary_slice`, for an exact list and a step of
/// 1 `PyList_SetSlice` with the bounds its `mp_ass_subscript` finds.
/// Consumes all; -1 on error.
///
/// # Safety
/// As `binary_slice`'s; `value` is an owned reference or NULL.
pub unsafe extern "C" fn store_slice(
    frame: *mut Frame,
    container: *mut PyObject,
    start: *mut PyObject,
    stop: *mut PyObject,
    step: *mut PyObject,
    value: *mut PyObject,
) -> isize {
    // SAFETY: see above.
    unsafe {
        let items = if ffi::PyList_CheckExact(container) != 0 {
            slice_items(ffi::PyList_GET_SIZE(container), start, stop, step).filter(|items| items.step == 1)
        } else {
            None
        };
        let Some(items) = items else {
            let Some(slice) = slice_object(frame, start, stop, step) else {
                ffi::Py_XDECREF(value);
                ffi::Py_DECREF(container);
                return -1;
            };
            return store_subscr(container, slice, value);
        };
        release_bounds(start, stop, step);
        let status = ffi::PyList_SetSlice(container, items.start, items.start + items.count, value);
        ffi::Py_XDECREF(value);
        ffi::Py_DECREF(container);
        status as isize
    }
}

/// `container[start:stop:step]` for an exact list (any step), tuple or str
/// (a step of 1) and bounds that are exact ints or None, as its
/// `mp_subscript` makes it: the same object (a tuple or str taken whole,
/// the empty tuple and str), or NULL with its error. None for anything else
/// (nothing done).
///
/// SAFETY: all are live (`step` may be NULL).
unsafe fn sliced(container: *mut PyObject, start: *mut PyObject, stop: *mut PyObject, step: *mut PyObject) -> Option<*mut PyObject> {
    // SAFETY: see above; each container's own slicing functions, and
    // `list_subscript`'s copy for other steps.
    unsafe {
        if ffi::PyList_CheckExact(container) != 0 {
            let items = slice_items(ffi::PyList_GET_SIZE(container), start, stop, step)?;
            if items.step == 1 || items.count == 0 {
                return Some(ffi::PyList_GetSlice(container, items.start, items.start + items.count));
            }
            let list = ffi::PyList_New(items.count);
            if !list.is_null() {
                for i in 0..items.count {
                    let item = ffi::PyList_GET_ITEM(container, items.start + i * items.step);
                    ffi::PyList_SET_ITEM(list, i, ffi::Py_NewRef(item));
                }
            }
            Some(list)
        } else if ffi::PyTuple_CheckExact(container) != 0 {
            let items = slice_items(ffi::PyTuple_GET_SIZE(container), start, stop, step).filter(|items| items.step == 1)?;
            Some(ffi::PyTuple_GetSlice(container, items.start, items.start + items.count))
        } else if ffi::PyUnicode_CheckExact(container) != 0 {
            // unicode_subscript readies the string first.
            let length = ffi::PyUnicode_GetLength(container);
            if length < 0 {
                return Some(std::ptr::null_mut());
            }
            let items = slice_items(length, start, stop, step).filter(|items| items.step == 1)?;
            Some(if items.count == 0 {
                ffi::PyUnicode_New(0, 0)
            } else if items.start == 0 && items.count == length {
                ffi::Py_NewRef(container)
            } else {
                ffi::PyUnicode_Substring(container, items.start, items.start + items.count)
            })
        } else {
            None
        }
    }
}

/// The items a slice takes from a sequence: `count` of them (maybe none)
/// from index `start`, every `step`.
struct SliceItems {
    start: isize,
    step: isize,
    count: isize,
}

/// The items of `[start:stop:step]` (`step` NULL: 1) on a sequence of
/// `length` items, as `PySlice_Unpack` (None for the defaults, ints beyond
/// a `Py_ssize_t` clipped) and `PySlice_AdjustIndices` (negative bounds
/// from the end, all clipped to the sequence) find them; None unless the
/// three are None or exact ints and the step is not zero (which raises).
///
/// SAFETY: all are live (`step` may be NULL).
#[inline(always)]
unsafe fn slice_items(length: isize, start: *mut PyObject, stop: *mut PyObject, step: *mut PyObject) -> Option<SliceItems> {
    // SAFETY: see above.
    unsafe {
        let step = if step.is_null() { 1 } else { slice_index(step, 1)?.max(-isize::MAX) };
        if step == 0 {
            return None;
        }
        let backwards = step < 0;
        let (first, last) = if backwards { (isize::MAX, isize::MIN) } else { (0, isize::MAX) };
        let adjust = |index: isize| match index {
            _ if index < 0 && index + length < 0 => -isize::from(backwards),
            _ if index < 0 => index + length,
            _ if index >= length => length - isize::from(backwards),
            _ => index,
        };
        let start = adjust(slice_index(start, first)?);
        let stop = adjust(slice_index(stop, last)?);
        let count = match backwards {
            true if stop < start => (start - stop - 1) / -step + 1,
            false if start < stop => (stop - start - 1) / step + 1,
            _ => 0,
        };
        Some(SliceItems { start, step, count })
    }
}

/// `_PyEval_SliceIndex` of None (`default`) or an exact int.
///
/// SAFETY: `index` is live.
#[inline(always)]
unsafe fn slice_index(index: *mut PyObject, default: isize) -> Option<isize> {
    // SAFETY: see above; converting an exact int raises only OverflowError.
    unsafe {
        if index == ffi::Py_None() {
            return Some(default);
        }
        if ffi::PyLong_CheckExact(index) == 0 {
            return None;
        }
        let size: isize = abi::read_field(index.cast(), abi::VAROBJECT_SIZE);
        if size.unsigned_abs() <= 1 {
            return Some(size * abi::read_field::<u32>(index.cast(), abi::LONG_DIGITS) as isize);
        }
        let value = ffi::PyLong_AsSsize_t(index);
        if value == -1 && !ffi::PyErr_Occurred().is_null() {
            ffi::PyErr_Clear();
            return Some(if size < 0 { isize::MIN } else { isize::MAX });
        }
        Some(value)
    }
}

/// BUILD_SLICE's slice (all consumed), or None with the error reported at
/// the BUILD_SLICE, the instruction before the frame's current one.
///
/// SAFETY: as `binary_slice`'s.
unsafe fn slice_object(frame: *mut Frame, start: *mut PyObject, stop: *mut PyObject, step: *mut PyObject) -> Option<*mut PyObject> {
    // SAFETY: see above.
    unsafe {
        let slice = build_slice(start, stop, step);
        if slice.is_null() {
            let frame = &*frame;
            frame.step_lasti(-1);
            return None;
        }
        Some(slice)
    }
}

/// Releases a slice's bounds.
///
/// SAFETY: all are owned references (`step` may be NULL).
unsafe fn release_bounds(start: *mut PyObject, stop: *mut PyObject, step: *mut PyObject) {
    // SAFETY: see above.
    unsafe {
        ffi::Py_DECREF(start);
        ffi::Py_DECREF(stop);
        ffi::Py_XDECREF(step);
    }
}
