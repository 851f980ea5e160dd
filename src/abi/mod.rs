//! The CPython 3.11 ABI pyjit relies on: struct offsets measured by the
//! build-time probe (`build.rs`), opcode numbers, the private exported
//! functions pyo3-ffi does not declare, and small accessors for interpreter
//! frames.
//!
//! Every accessor takes raw pointers handed to pyjit by CPython's
//! frame-evaluation hook; callers guarantee those pointers are live for the
//! duration of the call (the frame belongs to the running evaluation).

pub mod ffi;

#[allow(dead_code)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/layout.rs"));
}
pub use generated::*;

use pyo3::ffi::{PyCodeObject, PyObject};
use std::cell::UnsafeCell;

/// CPython's `_PyInterpreterFrame`, opaque: fields are reached through the
/// probed offsets. The `UnsafeCell` tells Rust that the bytes behind a
/// `&Frame` change (the accessors write fields, and so does CPython), so it
/// never treats them as read-only.
#[repr(C)]
pub struct Frame {
    _opaque: UnsafeCell<[u8; 0]>,
}

/// CPython's `PyThreadState`, opaque; interior-mutable like `Frame`.
#[repr(C)]
pub struct ThreadState {
    _opaque: UnsafeCell<[u8; 0]>,
}

/// A C-level trace or profile function (`Py_tracefunc`).
pub type TraceFunc = pyo3::ffi::Py_tracefunc;

/// `co_flags` bits (public `code.h`).
pub const CO_OPTIMIZED: i32 = 0x0001;
pub const CO_VARARGS: i32 = 0x0004;
pub const CO_VARKEYWORDS: i32 = 0x0008;
pub const CO_GENERATOR: i32 = 0x0020;
pub const CO_COROUTINE: i32 = 0x0080;
pub const CO_ITERABLE_COROUTINE: i32 = 0x0100;
pub const CO_ASYNC_GENERATOR: i32 = 0x0200;

/// Reads a pointer-sized field at `offset` bytes from `base`.
///
/// # Safety
/// `base + offset` must be a readable, aligned field of a live object.
#[inline]
pub unsafe fn read_field<T: Copy>(base: *const u8, offset: usize) -> T {
    unsafe { base.add(offset).cast::<T>().read() }
}

/// Writes a field at `offset` bytes from `base`.
///
/// # Safety
/// `base + offset` must be a writable, aligned field of a live object.
#[inline]
pub unsafe fn write_field<T>(base: *mut u8, offset: usize, value: T) {
    unsafe { base.add(offset).cast::<T>().write(value) }
}

impl Frame {
    fn base(&self) -> *mut u8 {
        (self as *const Frame).cast_mut().cast()
    }
    /// The frame's code object (strong reference owned by the frame).
    pub fn code(&self) -> *mut PyCodeObject {
        // SAFETY: `self` is a live interpreter frame; f_code is always set.
        unsafe { read_field(self.base(), FRAME_F_CODE) }
    }
    /// The function the frame runs (strong reference owned by the frame).
    pub fn function(&self) -> *mut PyObject {
        // SAFETY: as above; f_func is always set.
        unsafe { read_field(self.base(), FRAME_F_FUNC) }
    }
    pub fn globals(&self) -> *mut PyObject {
        // SAFETY: as above; f_globals is always set.
        unsafe { read_field(self.base(), FRAME_F_GLOBALS) }
    }
    pub fn builtins(&self) -> *mut PyObject {
        // SAFETY: as above; f_builtins is always set.
        unsafe { read_field(self.base(), FRAME_F_BUILTINS) }
    }
    /// `f_locals`: the namespace of module and class bodies; NULL for
    /// optimized functions until `locals()` materialises it.
    pub fn locals(&self) -> *mut PyObject {
        // SAFETY: as above.
        unsafe { read_field(self.base(), FRAME_F_LOCALS) }
    }
    pub fn previous(&self) -> *mut Frame {
        // SAFETY: as above.
        unsafe { read_field(self.base(), FRAME_PREVIOUS) }
    }
    pub fn set_previous(&self, previous: *mut Frame) {
        // SAFETY: as above; the field is a plain pointer.
        unsafe { write_field(self.base(), FRAME_PREVIOUS, previous) }
    }
    /// Index, in code units, of the last instruction started (`LASTI`);
    /// -1 for a frame that has not started.
    pub fn lasti(&self) -> isize {
        // SAFETY: prev_instr always points into (or one unit before) the
        // code object's co_code_adaptive.
        unsafe {
            let prev: *const u16 = read_field(self.base(), FRAME_PREV_INSTR);
            let first = self.code().cast::<u8>().add(CODE_CODE_ADAPTIVE).cast::<u16>();
            prev.offset_from(first)
        }
    }
    /// The code unit at `index` of the code's `co_code_adaptive`.
    pub fn code_unit(&self, index: usize) -> u16 {
        // SAFETY: callers pass an index within the code's instructions.
        unsafe { *self.code().cast::<u8>().add(CODE_CODE_ADAPTIVE).cast::<u16>().add(index) }
    }
    /// Sets `prev_instr` to the code unit at `index` (may be -1).
    pub fn set_lasti(&self, index: isize) {
        // SAFETY: index stays within [-1, len) of co_code_adaptive.
        unsafe {
            let first = self.code().cast::<u8>().add(CODE_CODE_ADAPTIVE).cast::<u16>();
            write_field(self.base(), FRAME_PREV_INSTR, first.offset(index));
        }
    }
    /// The code unit after the last instruction started (`prev_instr[1]`).
    pub fn next_code_unit(&self) -> u16 {
        // SAFETY: a suspended or running frame's prev_instr is followed by
        // at least the unit of its next instruction.
        unsafe { *read_field::<*const u16>(self.base(), FRAME_PREV_INSTR).add(1) }
    }
    /// Moves `prev_instr` by `units` code units (`set_lasti(lasti() +
    /// units)` without the code object's address).
    pub fn step_lasti(&self, units: isize) {
        // SAFETY: callers stay within [-1, len) of co_code_adaptive.
        unsafe {
            let prev: *const u16 = read_field(self.base(), FRAME_PREV_INSTR);
            write_field(self.base(), FRAME_PREV_INSTR, prev.offset(units));
        }
    }
    /// Whether the frame is embedded in a generator, coroutine or async
    /// generator object (whose resumptions the hook sees too).
    pub fn owned_by_generator(&self) -> bool {
        // SAFETY: owner is a char field of the frame.
        unsafe { read_field::<u8>(self.base(), FRAME_OWNER) == FRAME_OWNED_BY_GENERATOR as u8 }
    }
    /// `stacktop`: localsplus slots plus value-stack items the frame holds
    /// (-1 while the interpreter or native code keeps the stack private).
    pub fn stacktop(&self) -> i32 {
        // SAFETY: stacktop is an int field of the frame.
        unsafe { read_field(self.base(), FRAME_STACKTOP) }
    }
    pub fn set_stacktop(&self, top: i32) {
        // SAFETY: stacktop is an int field of the frame.
        unsafe { write_field(self.base(), FRAME_STACKTOP, top) }
    }
    /// `localsplus[index]`: fast locals, cells, free variables, then the
    /// value stack.
    pub fn slot(&self, index: usize) -> *mut *mut PyObject {
        // SAFETY: callers index within co_nlocalsplus + co_stacksize.
        unsafe { self.base().add(FRAME_LOCALSPLUS).cast::<*mut PyObject>().add(index) }
    }
}

/// Reads an `int` field of a code object.
pub fn code_int(code: *mut PyCodeObject, offset: usize) -> i32 {
    // SAFETY: callers pass a live code object and an offset of an int field
    // produced by the probe.
    unsafe { read_field(code.cast(), offset) }
}

/// The length of `code`'s bytecode in code units (its `ob_size`).
pub fn code_units(code: *mut PyCodeObject) -> usize {
    // SAFETY: code is a live code object, a variable-size object whose size
    // is its number of code units.
    unsafe { read_field::<isize>(code.cast(), VAROBJECT_SIZE) as usize }
}

/// `code`'s `co_code_adaptive`: its code units, opcode in the low byte.
///
/// # Safety
/// `code` is a live code object that outlives `'a`, and its units are not
/// rewritten meanwhile (the caller holds the GIL and runs no Python code).
pub unsafe fn code_adaptive<'a>(code: *mut PyCodeObject) -> &'a [u16] {
    // SAFETY: see above; co_code_adaptive holds `code_units` units.
    unsafe { std::slice::from_raw_parts(code.cast::<u8>().add(CODE_CODE_ADAPTIVE).cast::<u16>(), code_units(code)) }
}

/// `_PyCode_GetExtra(code, index)` without the call, for an index
/// `_PyEval_RequestCodeExtraIndex` gave out: NULL when the code's extras
/// array (allocated up to the highest index set) does not reach `index`.
/// The array's type, `_PyCodeObjectExtra` (a size, then the slots), is
/// private to `codeobject.c` and in no header, so the probe cannot measure
/// it: `runtime::state` checks this reading against `_PyCode_SetExtra`
/// before it relies on it.
pub fn code_extra(code: *mut PyCodeObject, index: usize) -> *mut std::ffi::c_void {
    // SAFETY: a slot `code_extra_slot` gives is within the array.
    code_extra_slot(code, index).map_or(std::ptr::null_mut(), |slot| unsafe { *slot })
}

/// Empties the slot `code_extra` reads, without running its free function.
pub fn clear_code_extra(code: *mut PyCodeObject, index: usize) {
    if let Some(slot) = code_extra_slot(code, index) {
        // SAFETY: a slot `code_extra_slot` gives is within the array.
        unsafe { *slot = std::ptr::null_mut() };
    }
}

/// Shortens the code's extras array to its first `len` slots when the
/// slots after them are all empty. `_PyCode_SetExtra` sizes the array for
/// every index given out so far, and `code_dealloc` calls the free function
/// of every index below the size, also for empty slots; a shorter array
/// keeps other users' free functions from being called for code objects
/// only pyjit gave extras to. CPython reads the size as how far the array
/// is valid: `_PyCode_GetExtra` answers NULL beyond it, and `_PyCode_SetExtra`
/// grows the array again (emptying the new slots) when another user sets
/// one, so nothing that was stored is lost.
pub fn trim_code_extras(code: *mut PyCodeObject, len: usize) {
    // SAFETY: callers pass a live code object; `co_extra` is NULL or a size
    // word followed by that many slots, and a smaller size describes a prefix
    // of the same allocation.
    unsafe {
        let extras: *mut isize = read_field(code.cast(), CODE_EXTRA);
        if extras.is_null() || *extras <= len as isize {
            return;
        }
        let slots = extras.add(1).cast::<*mut std::ffi::c_void>();
        if (len..*extras as usize).all(|index| (*slots.add(index)).is_null()) {
            *extras = len as isize;
        }
    }
}

/// Slot `index` of the code's extras array, if the array reaches it.
fn code_extra_slot(code: *mut PyCodeObject, index: usize) -> Option<*mut *mut std::ffi::c_void> {
    // SAFETY: callers pass a live code object; `co_extra` is NULL or an
    // array of `ce_size` pointers after the size word.
    unsafe {
        let extras: *mut isize = read_field(code.cast(), CODE_EXTRA);
        (!extras.is_null() && *extras > index as isize).then(|| extras.add(1).cast::<*mut std::ffi::c_void>().add(index))
    }
}

/// The superinstruction CPython 3.11's quickening makes of an instruction
/// `first` directly followed by `second`: it rewrites `first`'s opcode, and
/// the interpreter then runs both at `first`'s dispatch.
pub fn superinstruction(first: u8, second: u8) -> Option<u8> {
    match (first, second) {
        (op::LOAD_FAST, op::LOAD_FAST) => Some(op::LOAD_FAST__LOAD_FAST),
        (op::STORE_FAST, op::LOAD_FAST) => Some(op::STORE_FAST__LOAD_FAST),
        (op::LOAD_CONST, op::LOAD_FAST) => Some(op::LOAD_CONST__LOAD_FAST),
        (op::STORE_FAST, op::STORE_FAST) => Some(op::STORE_FAST__STORE_FAST),
        (op::LOAD_FAST, op::LOAD_CONST) => Some(op::LOAD_FAST__LOAD_CONST),
        _ => None,
    }
}

/// Quickens a code object as CPython 3.11's `_PyCode_Quicken` does when the
/// interpreter's warm-up counter (`co_warmup`) reaches zero: instructions
/// with inline caches get their adaptive form (the counter stays 0, so each
/// specialises when it next runs), `EXTENDED_ARG`, `JUMP_BACKWARD` and
/// `RESUME` their quick forms, and fusable pairs their `superinstruction`. CPython does
/// not export the function; compiled code that finishes the warm-up calls
/// this instead, so that the interpreter, should it run the code later,
/// runs it quickened as it would have without pyjit.
///
/// # Safety
/// `code` is a live code object whose `co_warmup` has just reached zero, so
/// `co_code_adaptive` holds its `ob_size` code units unquickened (CPython
/// quickens only at that same transition).
pub unsafe extern "C" fn quicken(code: *mut PyCodeObject) {
    // SAFETY: see above; only opcode bytes are rewritten, to forms with the
    // same oparg and inline-cache layout.
    unsafe {
        let units = (*code.cast::<pyo3::ffi::PyVarObject>()).ob_size as usize;
        let first = code.cast::<u8>().add(CODE_CODE_ADAPTIVE).cast::<u16>();
        let opcode_at = |index: usize| (*first.add(index) & 0xff) as u8;
        let set_opcode = |index: usize, opcode: u8| {
            let unit = first.add(index);
            *unit = (*unit & 0xff00) | u16::from(opcode);
        };
        let mut previous = None;
        let mut index = 0;
        while index < units {
            let opcode = opcode_at(index);
            if let Some(&adaptive) = op::ADAPTIVE.iter().find(|&&adaptive| DEOPT[usize::from(adaptive)] == opcode) {
                set_opcode(index, adaptive);
                previous = None;
                index += 1 + usize::from(INLINE_CACHE_UNITS[usize::from(opcode)]);
                continue;
            }
            match opcode {
                op::EXTENDED_ARG => set_opcode(index, op::EXTENDED_ARG_QUICK),
                op::JUMP_BACKWARD => set_opcode(index, op::JUMP_BACKWARD_QUICK),
                op::RESUME => set_opcode(index, op::RESUME_QUICK),
                _ => {
                    if let Some(fused) = previous.and_then(|previous| superinstruction(previous, opcode)) {
                        set_opcode(index - 1, fused);
                    }
                }
            }
            previous = Some(opcode);
            index += 1;
        }
    }
}

/// Reads an object field of a code object (borrowed).
pub fn code_object(code: *mut PyCodeObject, offset: usize) -> *mut PyObject {
    // SAFETY: as for `code_int`, for a pointer field.
    unsafe { read_field(code.cast(), offset) }
}

/// The items of `seq` when it is an exact tuple or list: its first
/// `Py_SIZE` pointers from there (a list's array moves when the list
/// grows or shrinks: read it again after anything that may change it).
///
/// # Safety
/// `seq` is a live object.
pub unsafe fn sequence_items(seq: *mut PyObject) -> Option<*mut *mut PyObject> {
    // SAFETY: see above; the fields are at probed offsets.
    unsafe {
        if pyo3::ffi::PyTuple_CheckExact(seq) != 0 {
            Some(seq.cast::<u8>().add(TUPLE_ITEMS).cast())
        } else if pyo3::ffi::PyList_CheckExact(seq) != 0 {
            Some(read_field(seq.cast(), LIST_ITEMS))
        } else {
            None
        }
    }
}

impl ThreadStateExt for ThreadState {}

/// Accessors for the thread-state fields pyjit uses.
pub trait ThreadStateExt {
    /// The thread's current C-level frame record (`tstate->cframe`).
    fn cframe(&self) -> *mut u8 {
        // SAFETY: a live thread state always has a cframe.
        unsafe { read_field((self as *const Self).cast(), TSTATE_CFRAME) }
    }
    fn current_frame(&self) -> *mut Frame {
        // SAFETY: cframe is live (see above); current_frame is a pointer field.
        unsafe { read_field(self.cframe(), CFRAME_CURRENT_FRAME) }
    }
    fn set_current_frame(&self, frame: *mut Frame) {
        // SAFETY: as above.
        unsafe { write_field(self.cframe(), CFRAME_CURRENT_FRAME, frame) }
    }
    /// The address of the interpreter's frame-evaluation function
    /// (`interp->eval_frame`; 0 for CPython's own).
    fn eval_frame(&self) -> usize {
        // SAFETY: a live thread state points to its live interpreter state.
        unsafe {
            let interp: *const u8 = read_field((self as *const Self).cast(), TSTATE_INTERP);
            read_field(interp, INTERP_EVAL_FRAME)
        }
    }
    /// True while `sys.settrace`/`sys.setprofile` hooks are installed.
    fn use_tracing(&self) -> bool {
        // SAFETY: as above; use_tracing is a byte field.
        unsafe { read_field::<u8>(self.cframe(), CFRAME_USE_TRACING) != 0 }
    }
    /// Nonzero while a trace or profile function runs (events are off).
    fn tracing(&self) -> i32 {
        // SAFETY: an int field of the live thread state.
        unsafe { read_field((self as *const Self).cast(), TSTATE_TRACING) }
    }
    /// The C-level trace and profile functions (`c_tracefunc`, `c_profilefunc`).
    fn trace_functions(&self) -> [Option<TraceFunc>; 2] {
        let base = (self as *const Self).cast();
        // SAFETY: two function-pointer fields of the live thread state.
        unsafe { [read_field(base, TSTATE_C_TRACEFUNC), read_field(base, TSTATE_C_PROFILEFUNC)] }
    }
    fn set_trace_functions(&self, [trace, profile]: [Option<TraceFunc>; 2]) {
        let base = (self as *const Self).cast_mut().cast();
        // SAFETY: as above; written under the GIL by the thread that owns it.
        unsafe {
            write_field(base, TSTATE_C_TRACEFUNC, trace);
            write_field(base, TSTATE_C_PROFILEFUNC, profile);
        }
    }
    /// `&tstate->exc_info->exc_value`: the exception being handled
    /// (`sys.exc_info()`), an owned reference or NULL.
    fn handled_exception(&self) -> *mut *mut PyObject {
        // SAFETY: exc_info always points at a live _PyErr_StackItem (the
        // thread's own, or a running generator's).
        unsafe {
            let item: *mut u8 = read_field((self as *const Self).cast(), TSTATE_EXC_INFO);
            item.add(EXC_INFO_VALUE).cast()
        }
    }
    fn recursion_remaining(&self) -> *mut i32 {
        // SAFETY: an int field of the live thread state.
        unsafe { (self as *const Self).cast::<u8>().add(TSTATE_RECURSION_REMAINING).cast_mut().cast() }
    }
    /// `sys.set_coroutine_origin_tracking_depth`'s setting for this thread.
    fn coroutine_origin_tracking_depth(&self) -> i32 {
        // SAFETY: an int field of the live thread state.
        unsafe { read_field((self as *const Self).cast(), TSTATE_CORO_ORIGIN_TRACKING_DEPTH) }
    }
}

/// Code units from a call site's PRECALL to its CALL: the PRECALL and its
/// inline cache.
pub const PRECALL_TO_CALL: u32 = 1 + INLINE_CACHE_UNITS[op::PRECALL as usize] as u32;

/// Code units of a CALL's inline cache, which the interpreter steps over
/// before a Python callee runs (the caller's `f_lasti` then shows its last).
pub const CALL_CACHE_UNITS: isize = INLINE_CACHE_UNITS[op::CALL as usize] as isize;
