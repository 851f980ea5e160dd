//! Calls and function creation.
//!
//! A call's callable, `self` (or NULL) and arguments are written to the
//! frame's value-stack slots, which then serve directly as the vectorcall
//! argument array, as in the interpreter.

use crate::abi::{self, op, Frame, ThreadState};
use crate::codegen::lowering::Lowering;
use crate::runtime::ceval;
use pyo3::ffi::{self, PyObject};

const PY_VECTORCALL_ARGUMENTS_OFFSET: usize = 1 << (usize::BITS - 1);

pub fn lower(lw: &mut Lowering) {
    let arg = lw.ins.arg;
    match lw.ins.opcode {
        op::KW_NAMES => lw.kwnames = Some(arg),
        op::CALL => {
            lw.set_prev_instr();
            let base = lw.depth - (arg as usize + 2);
            lw.spill(base, lw.depth);
            let slots = lw.stack_address(base);
            let kwnames = match lw.kwnames.take() {
                Some(index) => lw.constant(index),
                None => lw.iconst(0),
            };
            let nargs = lw.iconst(i64::from(arg));
            lw.depth = base;
            let frame = lw.frame;
            let result = lw.call("pyjit_call", &[frame, slots, nargs, kwnames]);
            lw.raise_if_null(result);
            lw.push(result);
            lw.check_after_call(lw.ins.next);
        }
        op::CALL_FUNCTION_EX => {
            lw.set_prev_instr();
            let items = 3 + (arg & 1) as usize;
            let base = lw.depth - items;
            lw.spill(base, lw.depth);
            let slots = lw.stack_address(base);
            let has_kwargs = lw.iconst(i64::from(arg & 1));
            lw.depth = base;
            let tstate = lw.tstate;
            let result = lw.call("pyjit_call_function_ex", &[tstate, slots, has_kwargs]);
            lw.raise_if_null(result);
            lw.push(result);
            lw.check_after_call(lw.ins.next);
        }
        op::MAKE_FUNCTION => {
            lw.set_prev_instr();
            let items = 1 + (arg & 0x0F).count_ones() as usize;
            let base = lw.depth - items;
            lw.spill(base, lw.depth);
            let slots = lw.stack_address(base);
            let (frame, flags) = (lw.frame, lw.iconst(i64::from(arg)));
            let function = lw.call("pyjit_make_function", &[frame, slots, flags]);
            // On failure only the code object has been consumed.
            lw.depth -= 1;
            lw.raise_if_null(function);
            lw.depth = base;
            lw.push(function);
        }
        _ => unreachable!("not a call opcode"),
    }
}

/// CALL: `slots` holds `[NULL or method, callable or self, args…]` with
/// `nargs` arguments, the last `len(kwnames)` of them passed by keyword.
/// Consumes every slot.
pub unsafe extern "C" fn call(
    frame: *mut Frame,
    slots: *mut *mut PyObject,
    nargs: isize,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: slots points at nargs + 2 value-stack slots of the live frame,
    // holding owned references (the first may be NULL); kwnames is a
    // borrowed tuple from co_consts or NULL.
    unsafe {
        let mut is_method = !(*slots).is_null();
        let callable = *slots.add(1);
        if !is_method && ffi::Py_TYPE(callable) == std::ptr::addr_of_mut!(abi::ffi::PyMethod_Type) {
            let func = abi::ffi::PyMethod_Function(callable);
            let bound = abi::ffi::PyMethod_Self(callable);
            *slots = ffi::Py_NewRef(func);
            *slots.add(1) = ffi::Py_NewRef(bound);
            ffi::Py_DECREF(callable);
            is_method = true;
        }
        let total = nargs as usize + usize::from(is_method);
        let args = slots.add(2 - usize::from(is_method));
        let function = *args.sub(1);
        let keywords = if kwnames.is_null() { 0 } else { ffi::PyTuple_GET_SIZE(kwnames) as usize };
        let positional = (total - keywords) | PY_VECTORCALL_ARGUMENTS_OFFSET;
        if ffi::Py_TYPE(function) == std::ptr::addr_of_mut!(ffi::PyFunction_Type) {
            // CPython runs a Python callee inline, after stepping over the
            // CALL's inline cache: the caller's f_lasti shows its last unit.
            let frame = &*frame;
            frame.set_lasti(frame.lasti() + isize::from(abi::INLINE_CACHE_UNITS[usize::from(op::CALL)]));
        }
        let result = ffi::PyObject_Vectorcall(function, args, positional, kwnames);
        ffi::Py_DECREF(function);
        for i in 0..total {
            ffi::Py_DECREF(*args.add(i));
        }
        result
    }
}

/// CALL_FUNCTION_EX: `slots` holds `[NULL, callable, args, kwargs?]`.
/// Consumes every slot.
pub unsafe extern "C" fn call_function_ex(
    tstate: *mut ThreadState,
    slots: *mut *mut PyObject,
    has_kwargs: isize,
) -> *mut PyObject {
    // SAFETY: slots points at 3 or 4 value-stack slots holding owned
    // references (the first NULL).
    unsafe {
        let func = *slots.add(1);
        let mut args = *slots.add(2);
        let mut kwargs = if has_kwargs != 0 { *slots.add(3) } else { std::ptr::null_mut() };
        let result = 'call: {
            if !kwargs.is_null() && ffi::PyDict_CheckExact(kwargs) == 0 {
                let dict = ffi::PyDict_New();
                if dict.is_null() {
                    break 'call dict;
                }
                if abi::ffi::_PyDict_MergeEx(dict, kwargs, 2) < 0 {
                    ffi::Py_DECREF(dict);
                    ceval::format_kwargs_error(tstate, func, kwargs);
                    break 'call std::ptr::null_mut();
                }
                ffi::Py_DECREF(kwargs);
                kwargs = dict;
            }
            if ffi::PyTuple_CheckExact(args) == 0 {
                if ceval::check_args_iterable(tstate, func, args) < 0 {
                    break 'call std::ptr::null_mut();
                }
                let tuple = ffi::PySequence_Tuple(args);
                if tuple.is_null() {
                    break 'call tuple;
                }
                ffi::Py_DECREF(args);
                args = tuple;
            }
            ffi::PyObject_Call(func, args, kwargs)
        };
        ffi::Py_DECREF(func);
        ffi::Py_DECREF(args);
        ffi::Py_XDECREF(kwargs);
        result
    }
}

/// MAKE_FUNCTION: `slots` holds the optional defaults, keyword defaults,
/// annotations and closure (as `flags` says), then the code object. Consumes
/// the slots on success; on failure only the code object.
pub unsafe extern "C" fn make_function(frame: *mut Frame, slots: *mut *mut PyObject, flags: isize) -> *mut PyObject {
    // SAFETY: slots holds owned references; the new function takes them over
    // exactly as the interpreter assigns its fields.
    unsafe {
        let count = 1 + (flags & 0x0F).count_ones() as usize;
        let code = *slots.add(count - 1);
        let function = ffi::PyFunction_New(code, (*frame).globals());
        ffi::Py_DECREF(code);
        if function.is_null() {
            return function;
        }
        let mut next = count - 1;
        for (flag, offset) in [
            (0x08, abi::FUNC_CLOSURE),
            (0x04, abi::FUNC_ANNOTATIONS),
            (0x02, abi::FUNC_KWDEFAULTS),
            (0x01, abi::FUNC_DEFAULTS),
        ] {
            if flags & flag != 0 {
                next -= 1;
                abi::write_field(function.cast(), offset, *slots.add(next));
            }
        }
        function
    }
}

