//! Binary operators of Python classes whose operator method is a Python
//! function (`Optimization::DirectDunders`).
//!
//! `PyNumber_Subtract(v, w)` on instances of a class defining `__sub__` goes
//! `binary_op1` → the class's `slot_nb_subtract` → `vectorcall_maybe` →
//! `_PyType_Lookup` → the function's vectorcall: about 30 ns before the
//! method runs. `binary` makes the same call from the class's slot and its
//! method alone, entering the method's native code as a call from compiled
//! code does, where CPython's protocol provably comes to that call and its
//! continuation after `NotImplemented` is one this module finishes exactly:
//! the left operand's class has CPython's slot function for the operator
//! (it defines the operator in Python), the right operand's type neither
//! has that slot function (the reflected method is then never tried first
//! or after) nor is a proper subtype of the left's (which would go first),
//! no sequence slot of either would take over after `NotImplemented`, and
//! the class attribute is an exact Python function. Everything else, and a
//! failed probe, takes the generic `PyNumber_*` path.

use crate::abi::{self, ffi as abi_ffi, op, ThreadState};
use crate::helpers::{calls, frames};
use crate::stats;
use pyo3::ffi::{self, PyNumberMethods, PyObject, PyTypeObject};
use std::ffi::CStr;
use std::sync::OnceLock;

/// One binary operator: its method's name, how `binop_type_error` spells it
/// (binary and in place), and the sequence slots `PyNumber_*` falls back
/// to after `NotImplemented`.
struct Operator {
    method: &'static CStr,
    symbol: &'static CStr,
    inplace_symbol: &'static CStr,
    sequence: SequenceFallback,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SequenceFallback {
    None,
    /// `PyNumber_Add` and `PyNumber_InPlaceAdd` concatenate sequences.
    Concat,
    /// `PyNumber_Multiply` and `PyNumber_InPlaceMultiply` repeat them.
    Repeat,
}

/// The operators with a `slot_nb_*` of the binary shape, by `NB_*` number
/// (`**` is ternary in CPython's slots: absent).
const OPERATORS: [Option<Operator>; op::NB_INPLACE_ADD as usize] = {
    const fn operator(method: &'static CStr, symbol: &'static CStr, inplace_symbol: &'static CStr) -> Option<Operator> {
        Some(Operator { method, symbol, inplace_symbol, sequence: SequenceFallback::None })
    }
    [
        Some(Operator { method: c"__add__", symbol: c"+", inplace_symbol: c"+=", sequence: SequenceFallback::Concat }),
        operator(c"__and__", c"&", c"&="),
        operator(c"__floordiv__", c"//", c"//="),
        operator(c"__lshift__", c"<<", c"<<="),
        operator(c"__matmul__", c"@", c"@="),
        Some(Operator { method: c"__mul__", symbol: c"*", inplace_symbol: c"*=", sequence: SequenceFallback::Repeat }),
        operator(c"__mod__", c"%", c"%="),
        operator(c"__or__", c"|", c"|="),
        None,
        operator(c"__rshift__", c">>", c">>="),
        operator(c"__sub__", c"-", c"-="),
        operator(c"__truediv__", c"/", c"/="),
        operator(c"__xor__", c"^", c"^="),
    ]
};

/// The binary-operator slot `operator` (an `NB_*` number below
/// `NB_INPLACE_ADD`) of `methods`, or its in-place slot.
pub(super) fn slot(methods: &PyNumberMethods, operator: usize, inplace: bool) -> Option<ffi::binaryfunc> {
    match (operator as u8, inplace) {
        (op::NB_ADD, false) => methods.nb_add,
        (op::NB_ADD, true) => methods.nb_inplace_add,
        (op::NB_AND, false) => methods.nb_and,
        (op::NB_AND, true) => methods.nb_inplace_and,
        (op::NB_FLOOR_DIVIDE, false) => methods.nb_floor_divide,
        (op::NB_FLOOR_DIVIDE, true) => methods.nb_inplace_floor_divide,
        (op::NB_LSHIFT, false) => methods.nb_lshift,
        (op::NB_LSHIFT, true) => methods.nb_inplace_lshift,
        (op::NB_MATRIX_MULTIPLY, false) => methods.nb_matrix_multiply,
        (op::NB_MATRIX_MULTIPLY, true) => methods.nb_inplace_matrix_multiply,
        (op::NB_MULTIPLY, false) => methods.nb_multiply,
        (op::NB_MULTIPLY, true) => methods.nb_inplace_multiply,
        (op::NB_REMAINDER, false) => methods.nb_remainder,
        (op::NB_REMAINDER, true) => methods.nb_inplace_remainder,
        (op::NB_OR, false) => methods.nb_or,
        (op::NB_OR, true) => methods.nb_inplace_or,
        (op::NB_RSHIFT, false) => methods.nb_rshift,
        (op::NB_RSHIFT, true) => methods.nb_inplace_rshift,
        (op::NB_SUBTRACT, false) => methods.nb_subtract,
        (op::NB_SUBTRACT, true) => methods.nb_inplace_subtract,
        (op::NB_TRUE_DIVIDE, false) => methods.nb_true_divide,
        (op::NB_TRUE_DIVIDE, true) => methods.nb_inplace_true_divide,
        (op::NB_XOR, false) => methods.nb_xor,
        (op::NB_XOR, true) => methods.nb_inplace_xor,
        _ => None,
    }
}

/// `result` of an operator's function (a new reference or NULL), or None,
/// its reference dropped, when it is NotImplemented.
///
/// # Safety
/// With the GIL held.
pub(super) unsafe fn implemented(result: *mut PyObject) -> Option<*mut PyObject> {
    // SAFETY: see above; NotImplemented is a live object.
    unsafe {
        if result == ffi::Py_NotImplemented() {
            ffi::Py_DECREF(result);
            return None;
        }
        Some(result)
    }
}

/// A slot function's address, to compare it with another.
fn address(slot: Option<ffi::binaryfunc>) -> Option<usize> {
    slot.map(|function| function as usize)
}

/// What `probed` found: CPython's `slot_nb_*` function of each operator
/// (static in `typeobject.c`, so read from a class that defines them all),
/// and the interned method names.
struct Probed {
    slots: [usize; OPERATORS.len()],
    names: [*mut PyObject; OPERATORS.len()],
}

// SAFETY: the names are interned strs this module keeps a reference to
// forever, and are only used with the GIL held.
unsafe impl Send for Probed {}
unsafe impl Sync for Probed {}

static PROBED: OnceLock<Option<Probed>> = OnceLock::new();

/// The slot functions and interned method names, found at the first binary
/// operation on an instance of a class (not at start-up, where it cost a
/// class creation); None, the fast path off, if that failed (the error is
/// cleared).
///
/// # Safety
/// With the GIL held and no exception set.
unsafe fn probed() -> Option<&'static Probed> {
    // SAFETY: see above; the probe class is a new object of this function's.
    PROBED
        .get_or_init(|| unsafe {
            let probed = make_probe();
            if probed.is_none() {
                ffi::PyErr_Clear();
            }
            probed
        })
        .as_ref()
}

/// `type("pyjit_dunder_probe", (), {"__add__": None, ...})`: any value but
/// a slot wrapper makes `type_new` install the generic slot function.
///
/// # Safety
/// With the GIL held.
unsafe fn make_probe() -> Option<Probed> {
    // SAFETY: see above; every object made here is checked and released.
    unsafe {
        let namespace = ffi::PyDict_New();
        if namespace.is_null() {
            return None;
        }
        let mut names = [std::ptr::null_mut(); OPERATORS.len()];
        for (index, operator) in OPERATORS.iter().enumerate() {
            let Some(operator) = operator else { continue };
            let name = ffi::PyUnicode_InternFromString(operator.method.as_ptr());
            if name.is_null() || ffi::PyDict_SetItem(namespace, name, ffi::Py_None()) < 0 {
                ffi::Py_DECREF(namespace);
                return None;
            }
            names[index] = name;
        }
        let class = ffi::PyObject_CallFunction(
            std::ptr::addr_of_mut!(ffi::PyType_Type).cast(),
            c"s()O".as_ptr(),
            c"pyjit_dunder_probe".as_ptr(),
            namespace,
        );
        ffi::Py_DECREF(namespace);
        if class.is_null() {
            return None;
        }
        let methods = (*class.cast::<PyTypeObject>()).tp_as_number;
        let mut slots = [0; OPERATORS.len()];
        for (index, found) in slots.iter_mut().enumerate() {
            *found = address(methods.as_ref().and_then(|methods| slot(methods, index, false))).unwrap_or(0);
        }
        ffi::Py_DECREF(class);
        Some(Probed { slots, names })
    }
}

/// BINARY_OP `which` (an `NB_*` number) on `lhs` and `rhs` by calling the
/// left operand class's method directly, as described in the module
/// documentation; None, with nothing done, where that does not apply.
/// Borrows both operands.
///
/// # Safety
/// With the GIL held and no exception set; `tstate` is the running thread's, both operands live.
pub unsafe fn binary(tstate: *mut ThreadState, lhs: *mut PyObject, rhs: *mut PyObject, which: usize) -> Option<*mut PyObject> {
    // SAFETY: see above; type slots are read from live types.
    unsafe {
        let class = ffi::Py_TYPE(lhs);
        if (*class).tp_flags & ffi::Py_TPFLAGS_HEAPTYPE == 0 {
            return None;
        }
        let inplace = which >= usize::from(op::NB_INPLACE_ADD);
        let index = if inplace { which - usize::from(op::NB_INPLACE_ADD) } else { which };
        let operator = OPERATORS.get(index)?.as_ref()?;
        let probed = probed()?;
        let methods = (*class).tp_as_number.as_ref()?;
        let generic_slot = probed.slots[index];
        if address(slot(methods, index, false)) != Some(generic_slot) || inplace && slot(methods, index, true).is_some() {
            return None;
        }
        let other = ffi::Py_TYPE(rhs);
        let other_slot = (*other).tp_as_number.as_ref().and_then(|methods| slot(methods, index, false));
        if other != class && (address(other_slot) == Some(generic_slot) || ffi::PyType_IsSubtype(other, class) != 0) {
            return None;
        }
        if !no_sequence_fallback(class, other, operator.sequence) {
            return None;
        }
        // Borrowed, or NULL without an error set (`lookup_maybe_method`'s lookup).
        let method = abi_ffi::_PyType_Lookup(class, probed.names[index]);
        if method.is_null() || ffi::Py_TYPE(method) != std::ptr::addr_of_mut!(ffi::PyFunction_Type) {
            return None;
        }
        ffi::Py_INCREF(method);
        stats::bump(&stats::DUNDER_CALLS);
        let result = call_method(tstate, method, lhs, rhs);
        ffi::Py_DECREF(method);
        if let Some(result) = implemented(result) {
            return Some(result);
        }
        // `binary_op1` then tries the right operand's own slot, which it
        // read before the call, and the error follows (no sequence slot
        // takes over, checked above) naming the operands' types now: the
        // method may have assigned `__class__`.
        if let Some(other_slot) = other_slot.filter(|_| other != class) {
            if let Some(result) = implemented(other_slot(lhs, rhs)) {
                return Some(result);
            }
        }
        let symbol = if inplace { operator.inplace_symbol } else { operator.symbol };
        ffi::PyErr_Format(
            ffi::PyExc_TypeError,
            c"unsupported operand type(s) for %.100s: '%.100s' and '%.100s'".as_ptr(),
            symbol.as_ptr(),
            (*ffi::Py_TYPE(lhs)).tp_name,
            (*ffi::Py_TYPE(rhs)).tp_name,
        );
        Some(std::ptr::null_mut())
    }
}

/// Whether, after the method returned `NotImplemented`, `PyNumber_*` would
/// find no sequence slot to try (`sequence` says which it looks for) on
/// either operand's type.
///
/// # Safety
/// Both types are live.
unsafe fn no_sequence_fallback(class: *mut PyTypeObject, other: *mut PyTypeObject, sequence: SequenceFallback) -> bool {
    // SAFETY: see above.
    unsafe {
        let absent = |tp: *mut PyTypeObject| match (*tp).tp_as_sequence.as_ref() {
            None => true,
            Some(methods) => match sequence {
                SequenceFallback::None => true,
                SequenceFallback::Concat => methods.sq_concat.is_none() && methods.sq_inplace_concat.is_none(),
                SequenceFallback::Repeat => methods.sq_repeat.is_none() && methods.sq_inplace_repeat.is_none(),
            },
        };
        absent(class) && absent(other)
    }
}

/// `method(lhs, rhs)`, entering its native code as compiled code's calls do
/// (`frames::enter_exact`) where it takes exactly two arguments, else by
/// vectorcall. Borrows all three.
///
/// # Safety
/// With the GIL held; `method` is a live Python function.
unsafe fn call_method(tstate: *mut ThreadState, method: *mut PyObject, lhs: *mut PyObject, rhs: *mut PyObject) -> *mut PyObject {
    // SAFETY: see above; the frame takes its own references to the method
    // and the arguments.
    unsafe {
        let code = abi::read_field(method.cast(), abi::FUNC_CODE);
        if let Some(target) = calls::call_target(code).filter(|target| target.exact_arity == 2) {
            ffi::Py_INCREF(lhs);
            ffi::Py_INCREF(rhs);
            let args = [lhs, rhs];
            let result =
                frames::enter_with_new_reference(method, |method| frames::enter_exact(tstate, method, args.as_ptr(), target));
            if result as usize != frames::CALL_DECLINED {
                return result;
            }
            ffi::Py_DECREF(lhs);
            ffi::Py_DECREF(rhs);
        }
        let args = [lhs, rhs];
        ffi::PyObject_Vectorcall(method, args.as_ptr(), 2, std::ptr::null_mut())
    }
}
