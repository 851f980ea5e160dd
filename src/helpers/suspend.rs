//! The functions compiled code calls for generators and coroutines
//! (`codegen::ops::suspend`), and their resumption from compiled code.

use crate::abi::{self, ffi as abi_ffi, read_field, write_field, Frame, ThreadState, ThreadStateExt};
use crate::helpers::calls::{call_target, CallTarget, NO_ARITY};
use crate::helpers::exits;
use crate::helpers::frames::{self, c_stack_exhausted, run_native, C_STACK_CHECK_PERIOD};
use crate::stats;
use pyo3::ffi::{self, PyObject};

/// `gi_frame_state` values (a signed byte; the probe gives them as bytes).
const CREATED: i8 = abi::GEN_FRAME_STATE_CREATED as u8 as i8;
const SUSPENDED: i8 = abi::GEN_FRAME_STATE_SUSPENDED as u8 as i8;
const EXECUTING: i8 = abi::GEN_FRAME_STATE_EXECUTING as u8 as i8;
const COMPLETED: i8 = abi::GEN_FRAME_STATE_COMPLETED as u8 as i8;
const CLEARED: i8 = abi::GEN_FRAME_STATE_CLEARED as u8 as i8;

/// Cell variables `create_generator` makes at most (more: the interpreter).
const MAX_CELLS: usize = 8;

/// The frame embedded in `generator`, a generator, coroutine or async
/// generator object.
fn generator_frame(generator: *mut PyObject) -> *mut Frame {
    generator.cast::<u8>().wrapping_add(abi::GEN_IFRAME).cast()
}

/// Whether `frame`, a generator's, resumes from a `yield from` or an
/// `await` (its next instruction a RESUME with oparg 2 or more, quickened
/// or not): once the generator is suspended, it waits there on the
/// iterator at its stack top, which is what CPython's hidden `_PyGen_yf`
/// tests.
fn resumes_from_yield_from(frame: &Frame) -> bool {
    let next = frame.next_code_unit();
    abi::DEOPT[usize::from(next & 0xff)] == abi::op::RESUME && next >> 8 >= 2
}

/// `RETURN_GENERATOR` run on `frame`, a fresh frame of generator or
/// coroutine code, as the interpreter runs it (after the `COPY_FREE_VARS`
/// and `MAKE_CELL`s before it): the object `_Py_MakeCoro` makes (hidden in
/// libpython, so its `make_gen` is followed here field by field) holding
/// `_PyFrame_Copy`'s copy of the frame, created and owned by the generator.
/// `frame` is left holding no references (they moved to the copy), to be
/// popped without clearing (`frames::pop_frame`), as the interpreter pops a
/// frame that is not an entry frame. None, with nothing done, where only
/// the interpreter can: code
/// that makes more than `MAX_CELLS` cells first, coroutines while
/// `sys.set_coroutine_origin_tracking_depth` is on (their origin is
/// computed from the frames), no recursion budget left (the interpreter's
/// entry raises RecursionError), and an allocation failing (the interpreter
/// reports the MemoryError from the generator's frame).
///
/// # Safety
/// With the GIL held; `frame` was initialized for a call and its
/// arguments bound, is linked nowhere and has never run.
pub unsafe fn create_generator(ts: &ThreadState, frame: *mut Frame) -> Option<*mut PyObject> {
    // SAFETY: see above; every field is written at its probed offset.
    unsafe {
        let fr = &*frame;
        let code = fr.code();
        let kind = abi::code_int(code, abi::CODE_FLAGS) & (abi::CO_GENERATOR | abi::CO_COROUTINE | abi::CO_ASYNC_GENERATOR);
        let tp = match kind {
            abi::CO_GENERATOR => std::ptr::addr_of_mut!(ffi::PyGen_Type),
            abi::CO_COROUTINE if ts.coroutine_origin_tracking_depth() == 0 => std::ptr::addr_of_mut!(ffi::PyCoro_Type),
            abi::CO_ASYNC_GENERATOR => std::ptr::addr_of_mut!(ffi::PyAsyncGen_Type),
            _ => return None,
        };
        // The instructions before RETURN_GENERATOR: COPY_FREE_VARS, then a
        // MAKE_CELL for each cell variable (their arguments below 256).
        let instruction = |index: usize| fr.code_unit(index).to_le_bytes();
        let mut at = 0;
        let free_vars = match instruction(0) {
            [abi::op::COPY_FREE_VARS, count] => {
                at = 1;
                usize::from(count)
            }
            _ => 0,
        };
        let mut cells = [(0, std::ptr::null_mut::<PyObject>()); MAX_CELLS];
        let mut cell_count = 0;
        while let [abi::op::MAKE_CELL, slot] = instruction(at) {
            if cell_count == MAX_CELLS {
                return None;
            }
            cells[cell_count].0 = usize::from(slot);
            cell_count += 1;
            at += 1;
        }
        if instruction(at)[0] != abi::op::RETURN_GENERATOR || *ts.recursion_remaining() <= 0 {
            return None;
        }
        let cells = &mut cells[..cell_count];
        let nlocalsplus = abi::code_int(code, abi::CODE_NLOCALSPLUS) as usize;
        // The frame as the interpreter holds it while running these
        // instructions (finalizers the allocations run can see it): its
        // caller's callee, one level of recursion deeper, at
        // RETURN_GENERATOR with an empty value stack.
        fr.set_previous(ts.current_frame());
        ts.set_current_frame(frame);
        *ts.recursion_remaining() -= 1;
        fr.set_lasti(at as isize);
        let mut generator = std::ptr::null_mut();
        for (slot, cell) in cells.iter_mut() {
            *cell = abi_ffi::PyCell_New(*fr.slot(*slot));
            if cell.is_null() {
                break;
            }
        }
        let function: *mut PyObject = read_field(frame.cast(), abi::FRAME_F_FUNC);
        if cells.iter().all(|(_, cell)| !cell.is_null()) {
            generator = new_generator(tp, kind, code, function);
        }
        *ts.recursion_remaining() += 1;
        ts.set_current_frame(fr.previous());
        if generator.is_null() {
            for (_, cell) in cells.iter() {
                ffi::Py_XDECREF(*cell);
            }
            ffi::PyErr_Clear();
            fr.set_lasti(-1);
            return None;
        }
        let base = generator.cast::<u8>();
        // COPY_FREE_VARS: the closure's cells into the last slots.
        let closure: *mut PyObject = read_field(function.cast(), abi::FUNC_CLOSURE);
        for i in 0..free_vars {
            *fr.slot(nlocalsplus - free_vars + i) = ffi::Py_NewRef(ffi::PyTuple_GET_ITEM(closure, i as isize));
        }
        // MAKE_CELL: each cell holds its slot's value (an argument's), and
        // takes the slot.
        for &(slot, cell) in cells.iter() {
            let initial = std::mem::replace(&mut *fr.slot(slot), cell);
            ffi::Py_XDECREF(initial);
        }
        let copy = base.add(abi::GEN_IFRAME);
        std::ptr::copy_nonoverlapping(frame.cast::<u8>(), copy, abi::FRAME_LOCALSPLUS + nlocalsplus * size_of::<*mut PyObject>());
        // `_PyFrame_Copy` leaves no link to the frame's caller.
        write_field(copy, abi::FRAME_PREVIOUS, std::ptr::null_mut::<Frame>());
        write_field(copy, abi::FRAME_OWNER, abi::FRAME_OWNED_BY_GENERATOR as i8);
        write_field(base, abi::GEN_FRAME_STATE, CREATED);
        ffi::PyObject_GC_Track(generator.cast());
        stats::bump(&stats::GENERATORS_CREATED);
        Some(generator)
    }
}

/// `make_gen` (hidden in libpython) field by field: a new object of type
/// `tp`, a generator, coroutine or async generator as `kind` (its code's
/// flag) says, for `function`'s `code`, with room for a frame of the code;
/// its frame and state not written, not tracked by the garbage collector.
/// NULL with an exception set.
///
/// # Safety
/// With the GIL held; `function` is a live function whose code is `code`.
unsafe fn new_generator(tp: *mut ffi::PyTypeObject, kind: i32, code: *mut ffi::PyCodeObject, function: *mut PyObject) -> *mut PyObject {
    // SAFETY: see above; every field is written at its probed offset.
    unsafe {
        let slots = abi::code_int(code, abi::CODE_NLOCALSPLUS) + abi::code_int(code, abi::CODE_STACKSIZE);
        let generator = ffi::_PyObject_GC_NewVar(tp, slots as isize).cast::<PyObject>();
        if generator.is_null() {
            return generator;
        }
        let base = generator.cast::<u8>();
        write_field(base, abi::GEN_CODE, ffi::Py_NewRef(code.cast::<PyObject>()));
        write_field(base, abi::GEN_WEAKREFLIST, std::ptr::null_mut::<PyObject>());
        write_field(base, abi::GEN_EXC_STATE + abi::EXC_INFO_VALUE, std::ptr::null_mut::<PyObject>());
        write_field(base, abi::GEN_EXC_STATE + abi::EXC_INFO_PREVIOUS, std::ptr::null_mut::<PyObject>());
        write_field(base, abi::GEN_NAME, ffi::Py_NewRef(read_field::<*mut PyObject>(function.cast(), abi::FUNC_NAME)));
        write_field(base, abi::GEN_QUALNAME, ffi::Py_NewRef(read_field::<*mut PyObject>(function.cast(), abi::FUNC_QUALNAME)));
        // Coroutines and async generators: no origin or finalizer yet; and
        // an async generator's hooks uninitialized, not closed, not running.
        if kind != abi::CO_GENERATOR {
            write_field(base, abi::GEN_ORIGIN_OR_FINALIZER, std::ptr::null_mut::<PyObject>());
        }
        if kind == abi::CO_ASYNC_GENERATOR {
            for flag in [abi::GEN_CLOSED, abi::GEN_HOOKS_INITED, abi::GEN_RUNNING_ASYNC] {
                write_field(base, flag, 0u8);
            }
        }
        generator
    }
}

/// What `run_eagerly` made of an awaited call of a coroutine function.
pub enum Awaited {
    /// The coroutine returned this value (a new reference).
    Returned(*mut PyObject),
    /// It suspended: the coroutine object now holding its frame, and the
    /// value it yielded (new references).
    Yielded(*mut PyObject, *mut PyObject),
    /// It raised; the exception is set.
    Raised,
}

/// Eager runs of a coroutine's code that may end suspended before the
/// share of them that did decides whether more are tried
/// (`EAGER_SUSPENDED_SHARE`).
const EAGER_SUSPENSIONS_TOLERATED: u32 = 64;
/// Eager runs stop once more than one in this many ended suspended: each
/// costs a copy of the frame into the coroutine object made then.
const EAGER_SUSPENDED_SHARE: u32 = 4;

/// Runs the call of `function`, whose code's state is `target` (code that
/// `awaits_eagerly`, with native code), with the `count` arguments at
/// `args` (bound as `frames::enter_compiled` binds them: exactly, or with
/// defaults, `*args` and `**kwargs`), as `await function(*args)` in compiled code runs
/// it, without making the coroutine object unless it suspends: its frame
/// is pushed on the thread's data stack behind a stand-in for the object's
/// fields up to the embedded frame, which the native code and CPython's
/// interpreter reach from the frame (`_PyFrame_GetGenerator`) while it
/// runs: its type, a coroutine's, for tests of the type, its state and its
/// exception state. Nothing takes a reference to the stand-in: no code
/// object, frame object or thread field names a generator, only its frame.
/// The first run then goes as `resume` runs it (`run_resumed`): a return or
/// a raise clears the frame, handing it to its frame object if one outlives
/// it; a suspension moves the frame into the coroutine object made then
/// (`coroutine_of`). The arguments and the reference to `function` move
/// into the frame. None, with nothing done, where the call must make the
/// coroutine object first: `sys.set_coroutine_origin_tracking_depth` on
/// (its origin is recorded from the frames at its creation), a run
/// `frames::may_enter` declines, arguments that do not bind so, no room on
/// the data stack's chunk, or eager runs of the code that ended suspended
/// too often.
///
/// # Safety
/// With the GIL held by `tstate`; `function` is an owned reference to a
/// Python function whose code's live state is `target`; `args` holds
/// `count` owned references.
pub unsafe fn run_eagerly(
    tstate: *mut ThreadState,
    function: *mut PyObject,
    args: *const *mut PyObject,
    count: usize,
    target: &mut CallTarget,
) -> Option<Awaited> {
    // SAFETY: see above; the stand-in's and the frame's fields are written
    // at probed offsets within the block pushed for them.
    unsafe {
        let ts = &*tstate;
        let entry = target.entry?;
        let suspended_often = target.eager_suspensions >= EAGER_SUSPENSIONS_TOLERATED
            && target.eager_suspensions.saturating_mul(EAGER_SUSPENDED_SHARE) > target.eager_runs;
        if !target.awaits_eagerly || suspended_often || ts.coroutine_origin_tracking_depth() != 0 || !frames::may_enter(ts) {
            return None;
        }
        const HEADER_WORDS: usize = abi::GEN_IFRAME / size_of::<usize>();
        let (frame, bound) = if count == target.exact_arity as usize {
            frames::bind_exactly(ts, function, args, target, HEADER_WORDS)?
        } else if target.arity != NO_ARITY && count <= target.arity as usize {
            frames::bind_with_defaults(ts, function, args, count, target, HEADER_WORDS)?
        } else {
            return None;
        };
        let stand_in = frame.cast::<u8>().sub(abi::GEN_IFRAME);
        write_field(stand_in, abi::OBJECT_REFCNT, 1isize);
        write_field(stand_in, abi::OBJECT_TYPE, std::ptr::addr_of_mut!(ffi::PyCoro_Type));
        write_field(stand_in, abi::GEN_EXC_STATE + abi::EXC_INFO_VALUE, std::ptr::null_mut::<PyObject>());
        write_field(stand_in, abi::GEN_EXC_STATE + abi::EXC_INFO_PREVIOUS, std::ptr::null_mut::<PyObject>());
        write_field(stand_in, abi::GEN_FRAME_STATE, CREATED);
        let fr = &*frame;
        let nlocalsplus = target.nlocalsplus as usize;
        frames::unbind(fr.slot(bound), nlocalsplus - bound);
        // As RETURN_GENERATOR leaves it, then resumed with None sent.
        write_field(frame.cast::<u8>(), abi::FRAME_OWNER, abi::FRAME_OWNED_BY_GENERATOR as i8);
        fr.set_lasti(0);
        *fr.slot(nlocalsplus) = ffi::Py_NewRef(std::ptr::addr_of_mut!(abi::ffi::_Py_NoneStruct));
        fr.set_stacktop(nlocalsplus as i32 + 1);
        target.entered += 1;
        target.eager_runs = target.eager_runs.saturating_add(1);
        stats::bump(&stats::DIRECT_CALLS);
        stats::bump(&stats::NATIVE_CALLS);
        stats::bump(&stats::EAGER_AWAITS);
        let mut out = std::ptr::null_mut();
        let status = run_resumed(tstate, stand_in.cast(), &mut out, |frame| run_native(tstate, frame, entry, target.data));
        let awaited = match status {
            1 => {
                target.eager_suspensions += 1;
                match coroutine_of(ts, stand_in, frame) {
                    Some(coroutine) => Awaited::Yielded(coroutine, out),
                    None => {
                        ffi::Py_DECREF(out);
                        Awaited::Raised
                    }
                }
            }
            0 => Awaited::Returned(out),
            _ => Awaited::Raised,
        };
        frames::pop_frame(ts, stand_in.cast());
        Some(awaited)
    }
}

/// The coroutine object for the frame `frame` of `stand_in`
/// (`run_eagerly`), which just suspended: made as RETURN_GENERATOR makes
/// one, the frame with its value stack and the exception state moved into
/// it, the frame's frame object (if one was made) pointed at the copy, as
/// `_PyFrame_Copy` and `take_ownership` move frames. None, the frame
/// cleared and an exception set, when it cannot be made.
///
/// # Safety
/// With the GIL held; `frame` is the suspended frame of `stand_in`, unlinked.
unsafe fn coroutine_of(ts: &ThreadState, stand_in: *mut u8, frame: *mut Frame) -> Option<*mut PyObject> {
    // SAFETY: see above; fields at probed offsets.
    unsafe {
        let fr = &*frame;
        let code = fr.code();
        // Executing, for a finalizer the allocation runs, which might reach
        // the frame through its frame object: nothing may finalize it.
        write_field(stand_in, abi::GEN_FRAME_STATE, EXECUTING);
        let function: *mut PyObject = read_field(frame.cast(), abi::FRAME_F_FUNC);
        let coroutine = new_generator(std::ptr::addr_of_mut!(ffi::PyCoro_Type), abi::CO_COROUTINE, code, function);
        if coroutine.is_null() {
            clear_finished(ts, stand_in, frame);
            return None;
        }
        let base = coroutine.cast::<u8>();
        let copy = base.add(abi::GEN_IFRAME);
        let size = abi::FRAME_LOCALSPLUS + fr.stacktop() as usize * size_of::<*mut PyObject>();
        std::ptr::copy_nonoverlapping(frame.cast::<u8>(), copy, size);
        let exc_value: *mut PyObject = read_field(stand_in, abi::GEN_EXC_STATE + abi::EXC_INFO_VALUE);
        write_field(base, abi::GEN_EXC_STATE + abi::EXC_INFO_VALUE, exc_value);
        write_field(base, abi::GEN_FRAME_STATE, SUSPENDED);
        let frame_object: *mut PyObject = read_field(copy, abi::FRAME_FRAME_OBJ);
        if !frame_object.is_null() {
            write_field(frame_object.cast::<u8>(), abi::FRAME_OBJECT_FRAME, copy);
        }
        ffi::PyObject_GC_Track(coroutine.cast());
        stats::bump(&stats::GENERATORS_CREATED);
        Some(coroutine)
    }
}

/// Whether `obj` is a coroutine object. pyo3's `PyCoro_CheckExact` is a
/// subtype check, which calls `PyType_IsSubtype` for every other type;
/// the coroutine type has no subtypes.
unsafe fn is_coroutine_object(obj: *mut PyObject) -> bool {
    // SAFETY: obj is live.
    unsafe { ffi::Py_TYPE(obj) == std::ptr::addr_of_mut!(ffi::PyCoro_Type) }
}

/// GET_YIELD_FROM_ITER: what `yield from` drives. A generator as it is; a
/// coroutine as it is in coroutine code, a TypeError in any other
/// generator; anything else `iter(iterable)`. Consumes the iterable.
pub unsafe extern "C" fn get_yield_from_iter(frame: *mut Frame, iterable: *mut PyObject) -> *mut PyObject {
    // SAFETY: frame is the running frame; iterable is owned and released
    // here unless it is returned.
    unsafe {
        if is_coroutine_object(iterable) {
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

/// How compiled code's SEND and FOR_ITER resume a generator or coroutine
/// (the `how` of `send` and `generator_next`): through CPython
/// (`gen_send_ex2` and the frame-evaluation hook)...
pub const RESUME_VIA_CPYTHON: isize = 0;
/// ...entering its native code directly (`resume`)...
pub const RESUME_DIRECT: isize = 1;
/// ...or that, and passing down the chain of `yield from` and `await` it is
/// suspended in (`resume_through`).
pub const RESUME_THROUGH_DELEGATORS: isize = 2;

/// SEND, on the receiver and the value to send at `slots[0]` and
/// `slots[1]` (owned; the value is consumed): when the receiver yields,
/// `slots[1]` holds what it yielded and the result is 1; when it returns,
/// the receiver is released, `slots[0]` holds its return value and the
/// result is 0; when it raises, -1, `slots[0]` still the receiver. A
/// generator or coroutine receiver is resumed as `how` says.
pub unsafe extern "C" fn send(tstate: *mut ThreadState, slots: *mut *mut PyObject, how: isize) -> isize {
    // SAFETY: slots are two live stack slots of the running frame.
    unsafe {
        let (receiver, value) = (*slots, *slots.add(1));
        let mut result = std::ptr::null_mut();
        let resumable = how != RESUME_VIA_CPYTHON && (ffi::PyGen_CheckExact(receiver) != 0 || is_coroutine_object(receiver));
        let mut status = if resumable { resume_as(how, tstate, receiver, value, &mut result) } else { RESUME_DECLINED };
        if status == RESUME_DECLINED {
            status = send_via_cpython(receiver, value, &mut result);
        }
        ffi::Py_DECREF(value);
        match status {
            1 => *slots.add(1) = result,
            0 => {
                ffi::Py_DECREF(receiver);
                *slots = result;
            }
            _ => {}
        }
        status
    }
}

/// FOR_ITER over `generator`, an exact generator: its next value, or NULL
/// when it ended (with the exception it raised set, if any), as its
/// `tp_iternext` gives, resuming it natively as `how` says when it can.
pub unsafe extern "C" fn generator_next(tstate: *mut ThreadState, generator: *mut PyObject, how: isize) -> *mut PyObject {
    // SAFETY: generator is a live generator the running frame holds.
    unsafe {
        let mut result = std::ptr::null_mut();
        match resume_as(how, tstate, generator, std::ptr::null_mut(), &mut result) {
            1 => result,
            // `gen_iternext` would raise StopIteration(value), which FOR_ITER
            // clears: the loop just ends.
            0 => {
                ffi::Py_DECREF(result);
                std::ptr::null_mut()
            }
            RESUME_DECLINED => {
                let iternext = (*ffi::Py_TYPE(generator)).tp_iternext.expect("generators are iterators");
                iternext(generator)
            }
            _ => std::ptr::null_mut(),
        }
    }
}

/// Passes each item of `generator`, an exact generator, to `take` (which
/// owns it, and returns false when it failed with an exception set), taking
/// the items as `PyIter_Next` would, from `generator_next` as `how` says:
/// a compiled generator is resumed in its native code directly, not through
/// `gen_iternext` and the frame-evaluation hook. True when the generator
/// ended (its return value, or the StopIteration a declined resumption left,
/// dropped as `PyIter_Next` drops it); false with an exception set.
///
/// # Safety
/// With the GIL held by `tstate`; `generator` is live.
unsafe fn for_each_item(
    tstate: *mut ThreadState,
    generator: *mut PyObject,
    how: isize,
    mut take: impl FnMut(*mut PyObject) -> bool,
) -> bool {
    // SAFETY: as `generator_next`'s.
    unsafe {
        loop {
            let item = generator_next(tstate, generator, how);
            if item.is_null() {
                if ffi::PyErr_Occurred().is_null() {
                    return true;
                }
                if ffi::PyErr_ExceptionMatches(ffi::PyExc_StopIteration) == 0 {
                    return false;
                }
                ffi::PyErr_Clear();
                return true;
            }
            if !take(item) {
                return false;
            }
        }
    }
}

/// The items of `generator`, an exact generator, from `for_each_item`;
/// None with an exception set, the items taken released.
///
/// # Safety
/// As `for_each_item`'s.
unsafe fn collect_items(tstate: *mut ThreadState, generator: *mut PyObject, how: isize) -> Option<Vec<*mut PyObject>> {
    let mut items = Vec::new();
    // SAFETY: as `for_each_item`'s; each item is owned by `items`.
    let ended = unsafe {
        for_each_item(tstate, generator, how, |item| {
            items.push(item);
            true
        })
    };
    if ended {
        return Some(items);
    }
    // SAFETY: the items are owned references.
    unsafe { release_last_first(items) };
    None
}

/// Releases `items`, last first, as a sequence CPython was filling with them
/// releases them when it is dropped (`tupledealloc`, `list_dealloc`).
///
/// # Safety
/// With the GIL held; `items` are owned references.
unsafe fn release_last_first(items: Vec<*mut PyObject>) {
    for item in items.into_iter().rev() {
        // SAFETY: see above.
        unsafe { ffi::Py_DECREF(item) };
    }
}

/// `tuple(iterable)` as `PySequence_Tuple` makes it; the items of an exact
/// generator taken by `for_each_item` (its length hint, which
/// `PySequence_Tuple` asks first, is the default for generators, and runs
/// no code). A new reference, or NULL with an exception set.
///
/// # Safety
/// With the GIL held by `tstate`; `iterable` is live.
pub unsafe extern "C" fn tuple_of(tstate: *mut ThreadState, iterable: *mut PyObject, how: isize) -> *mut PyObject {
    // SAFETY: see above; the tuple's items are the references collected.
    unsafe {
        if ffi::PyGen_CheckExact(iterable) == 0 {
            return ffi::PySequence_Tuple(iterable);
        }
        let Some(items) = collect_items(tstate, iterable, how) else { return std::ptr::null_mut() };
        let tuple = ffi::PyTuple_New(items.len() as isize);
        if tuple.is_null() {
            release_last_first(items);
            return tuple;
        }
        for (index, item) in items.into_iter().enumerate() {
            ffi::PyTuple_SET_ITEM(tuple, index as isize, item);
        }
        tuple
    }
}

/// The call `class(generator)` of a class with a vectorcall slot and one
/// argument, an exact generator: `tuple` as `tuple_of` makes it, `set` as
/// `set_vectorcall` does (an empty set, then each item added as
/// `set_update_internal` adds it), their items taken by `for_each_item`;
/// any other class through its vectorcall slot. A new reference, or NULL
/// with an exception set.
///
/// # Safety
/// With the GIL held by `tstate`; `class` is a type with a vectorcall
/// slot, `generator` a live exact generator.
pub unsafe extern "C" fn construct_from_generator(
    tstate: *mut ThreadState,
    class: *mut PyObject,
    generator: *mut PyObject,
    how: isize,
) -> *mut PyObject {
    // SAFETY: see above.
    unsafe {
        if class == std::ptr::addr_of_mut!(ffi::PyTuple_Type).cast() {
            return tuple_of(tstate, generator, how);
        }
        if class != std::ptr::addr_of_mut!(ffi::PySet_Type).cast() {
            return ffi::PyObject_Vectorcall(class, &generator, 1, std::ptr::null_mut());
        }
        let set = ffi::PySet_New(std::ptr::null_mut());
        if set.is_null() {
            return set;
        }
        let filled = for_each_item(tstate, generator, how, |item| {
            let added = ffi::PySet_Add(set, item) == 0;
            ffi::Py_DECREF(item);
            added
        });
        if !filled {
            ffi::Py_DECREF(set);
            return std::ptr::null_mut();
        }
        set
    }
}

/// The next item of `generator`, an exact generator, as `PyIter_Next`
/// gives it (`for_each_item`): Ok(None) at its end, Err with an exception
/// set.
///
/// # Safety
/// As `for_each_item`'s.
unsafe fn next_item(tstate: *mut ThreadState, generator: *mut PyObject, how: isize) -> Result<Option<*mut PyObject>, ()> {
    let mut next = None;
    // SAFETY: as `for_each_item`'s; the item is handed on.
    let ended = unsafe {
        for_each_item(tstate, generator, how, |item| {
            next = Some(item);
            false
        })
    };
    match next {
        Some(item) => Ok(Some(item)),
        None if ended => Ok(None),
        None => Err(()),
    }
}

/// The C functions of the builtins whose call with an exact generator
/// `consume_generator` makes itself, found by name on the builtins module
/// and on `str` (a builtin function whose `self` is the builtins module,
/// a method descriptor of `str`, of the expected name and calling
/// convention: what a rebound name holds is not taken for them); 0 where
/// not found.
struct Consumers {
    any: usize,
    all: usize,
    sum: usize,
    join: usize,
}

/// `Consumers`, found at the first call that needs them (with the GIL held).
fn consumers() -> &'static Consumers {
    static CONSUMERS: std::sync::OnceLock<Consumers> = std::sync::OnceLock::new();
    CONSUMERS.get_or_init(|| {
        // SAFETY: with the GIL held (the caller's); every reference taken
        // is released and a failed lookup's error cleared.
        unsafe {
            let modules = ffi::PyImport_GetModuleDict();
            let builtins = ffi::PyDict_GetItemString(modules, c"builtins".as_ptr());
            let function = |owner: *mut PyObject, name: &std::ffi::CStr, flags: i32| -> usize {
                if owner.is_null() {
                    return 0;
                }
                let found = ffi::PyObject_GetAttrString(owner, name.as_ptr());
                if found.is_null() {
                    ffi::PyErr_Clear();
                    return 0;
                }
                let def: *mut u8 = if ffi::PyCFunction_CheckExact(found) != 0 && read_field::<*mut PyObject>(found.cast(), abi::CFUNCTION_SELF) == owner {
                    read_field(found.cast(), abi::CFUNCTION_METHOD_DEF)
                } else if ffi::Py_TYPE(found) == std::ptr::addr_of_mut!(ffi::PyMethodDescr_Type) {
                    read_field(found.cast(), abi::METHOD_DESCR_METHOD_DEF)
                } else {
                    std::ptr::null_mut()
                };
                let named = !def.is_null()
                    && std::ffi::CStr::from_ptr(read_field::<*const std::ffi::c_char>(def, abi::METHOD_DEF_NAME)) == name
                    && read_field::<i32>(def, abi::METHOD_DEF_FLAGS) == flags;
                ffi::Py_DECREF(found);
                if named { read_field(def, abi::METHOD_DEF_FUNCTION) } else { 0 }
            };
            let str_type = std::ptr::addr_of_mut!(ffi::PyUnicode_Type).cast();
            Consumers {
                any: function(builtins, c"any", ffi::METH_O),
                all: function(builtins, c"all", ffi::METH_O),
                sum: function(builtins, c"sum", ffi::METH_FASTCALL | ffi::METH_KEYWORDS),
                join: function(str_type, c"join", ffi::METH_O),
            }
        }
    })
}

/// The call of a builtin's C function `function` (its `ml_meth`) with
/// `receiver` as its `self` and `generator`, an exact generator, as its one
/// argument, made here when it is `any`, `all`, `sum` or `str.join`,
/// which then take the generator's items from `for_each_item` as they
/// would from `PyIter_Next`: `any` and `all` stop at the first item that
/// decides (leaving the generator suspended), `sum` adds as
/// `builtin_sum_impl` does with no start, in C longs while the items are
/// ints that fit, then in a C double while they are floats or ints that
/// fit, then by `PyNumber_Add`, and `join` joins the items collected as
/// `tuple_of` collects them (`PyUnicode_Join` makes a list of a generator). Any other function:
/// `frames::CALL_DECLINED`, nothing done.
///
/// # Safety
/// With the GIL held by `tstate`; `receiver` is the builtin's `self` and
/// `generator` a live exact generator.
pub unsafe extern "C" fn consume_generator(
    tstate: *mut ThreadState,
    function: usize,
    receiver: *mut PyObject,
    generator: *mut PyObject,
    how: isize,
) -> *mut PyObject {
    let consumers = consumers();
    // SAFETY: see above.
    unsafe {
        match function {
            0 => frames::CALL_DECLINED as *mut PyObject,
            _ if function == consumers.any => any_or_all(tstate, generator, how, true),
            _ if function == consumers.all => any_or_all(tstate, generator, how, false),
            _ if function == consumers.sum => sum(tstate, generator, how),
            _ if function == consumers.join => {
                // The items as a tuple, which `PyUnicode_Join` takes as it is.
                let items = tuple_of(tstate, generator, how);
                if items.is_null() {
                    return items;
                }
                let joined = ffi::PyUnicode_Join(receiver, items);
                ffi::Py_DECREF(items);
                joined
            }
            _ => frames::CALL_DECLINED as *mut PyObject,
        }
    }
}

/// `any(generator)` (`stop_at` true) or `all(generator)` (false): True or
/// False, or NULL with an exception set.
///
/// # Safety
/// As `consume_generator`'s.
unsafe fn any_or_all(tstate: *mut ThreadState, generator: *mut PyObject, how: isize, stop_at: bool) -> *mut PyObject {
    // SAFETY: see above.
    unsafe {
        loop {
            let item = match next_item(tstate, generator, how) {
                Ok(Some(item)) => item,
                Ok(None) => return ffi::PyBool_FromLong(i64::from(!stop_at) as _),
                Err(()) => return std::ptr::null_mut(),
            };
            let truth = ffi::PyObject_IsTrue(item);
            ffi::Py_DECREF(item);
            if truth < 0 {
                return std::ptr::null_mut();
            }
            if (truth > 0) == stop_at {
                return ffi::PyBool_FromLong(i64::from(stop_at) as _);
            }
        }
    }
}

/// `sum(generator)`, as `consume_generator` says: a new reference, or NULL
/// with an exception set.
///
/// # Safety
/// As `consume_generator`'s.
unsafe fn sum(tstate: *mut ThreadState, generator: *mut PyObject, how: isize) -> *mut PyObject {
    // SAFETY: see above; each item taken is released once.
    unsafe {
        let next = || next_item(tstate, generator, how);
        // `total + item` as an object, both released: the sum's next state.
        let add = |total: *mut PyObject, item: *mut PyObject| {
            let sum = if total.is_null() { total } else { ffi::PyNumber_Add(total, item) };
            ffi::Py_XDECREF(total);
            ffi::Py_DECREF(item);
            sum
        };
        let mut int_total: std::ffi::c_long = 0;
        let mut total = loop {
            let item = match next() {
                Ok(Some(item)) => item,
                Ok(None) => return ffi::PyLong_FromLong(int_total),
                Err(()) => return std::ptr::null_mut(),
            };
            if ffi::PyLong_CheckExact(item) != 0 || ffi::PyBool_Check(item) != 0 {
                let mut overflow = 0;
                let value = ffi::PyLong_AsLongAndOverflow(item, &mut overflow);
                if overflow == 0 {
                    if let Some(sum) = int_total.checked_add(value) {
                        int_total = sum;
                        ffi::Py_DECREF(item);
                        continue;
                    }
                }
            }
            break add(ffi::PyLong_FromLong(int_total), item);
        };
        if !total.is_null() && ffi::PyFloat_CheckExact(total) != 0 {
            let mut float_total = ffi::PyFloat_AS_DOUBLE(total);
            ffi::Py_DECREF(total);
            total = loop {
                let item = match next() {
                    Ok(Some(item)) => item,
                    Ok(None) => return ffi::PyFloat_FromDouble(float_total),
                    Err(()) => return std::ptr::null_mut(),
                };
                if ffi::PyFloat_CheckExact(item) != 0 {
                    float_total += ffi::PyFloat_AS_DOUBLE(item);
                    ffi::Py_DECREF(item);
                    continue;
                }
                if ffi::PyLong_Check(item) != 0 {
                    let mut overflow = 0;
                    let value = ffi::PyLong_AsLongAndOverflow(item, &mut overflow);
                    if overflow == 0 {
                        float_total += value as f64;
                        ffi::Py_DECREF(item);
                        continue;
                    }
                }
                break add(ffi::PyFloat_FromDouble(float_total), item);
            };
        }
        while !total.is_null() {
            match next() {
                Ok(Some(item)) => total = add(total, item),
                Ok(None) => return total,
                Err(()) => {
                    ffi::Py_DECREF(total);
                    return std::ptr::null_mut();
                }
            }
        }
        total
    }
}

/// `resume`, or with `how` `RESUME_THROUGH_DELEGATORS` and `generator`
/// delegating, `resume_through`. The common case, a generator that
/// delegates to none, runs as one function with its caller.
///
/// # Safety
/// As `resume`'s.
#[inline(always)]
unsafe fn resume_as(how: isize, tstate: *mut ThreadState, generator: *mut PyObject, value: *mut PyObject, out: *mut *mut PyObject) -> isize {
    // SAFETY: as the callees'.
    unsafe {
        if how == RESUME_THROUGH_DELEGATORS {
            if let Some(receiver) = passable_delegate(&*tstate, generator) {
                return resume_through(tstate, generator, receiver, value, out);
            }
        }
        resume(tstate, generator, value, out)
    }
}

/// `PyIter_Send(receiver, value)` (NULL sends None), as `resume` reports it.
unsafe fn send_via_cpython(receiver: *mut PyObject, value: *mut PyObject, out: *mut *mut PyObject) -> isize {
    let none = std::ptr::addr_of_mut!(abi::ffi::_Py_NoneStruct);
    // SAFETY: receiver and value are live; out is writable.
    match unsafe { ffi::PyIter_Send(receiver, if value.is_null() { none } else { value }, out) } {
        ffi::PySendResult::PYGEN_NEXT => 1,
        ffi::PySendResult::PYGEN_RETURN => 0,
        ffi::PySendResult::PYGEN_ERROR => -1,
    }
}

/// `resume`, or `send_via_cpython` where it declines: 1, 0 or -1.
///
/// # Safety
/// As `resume`'s.
unsafe fn resume_or_send(tstate: *mut ThreadState, generator: *mut PyObject, value: *mut PyObject, out: *mut *mut PyObject) -> isize {
    // SAFETY: as the callees'.
    unsafe {
        match resume(tstate, generator, value, out) {
            RESUME_DECLINED => send_via_cpython(generator, value, out),
            status => status,
        }
    }
}

/// What `resume` returns when it leaves the resumption to CPython.
const RESUME_DECLINED: isize = 2;

/// Resumes `generator`, an exact generator or coroutine, sending `value`
/// (borrowed; NULL sends None, as `next()` does) as CPython's `gen_send_ex2`
/// does, but entering its native code directly rather than through the
/// frame-evaluation hook: 1 when it yielded (the value in `*out`), 0 when it
/// returned (the return value in `*out`; the generator is finished), -1
/// when it raised (finished too; a StopIteration it raised becomes a
/// RuntimeError, PEP 479). Returns `RESUME_DECLINED` having done nothing
/// unless the generator is suspended (or not started, with None sent) and
/// its code has native code, no trace function is installed, and the
/// recursion limit and the C stack (measured every `C_STACK_CHECK_PERIOD`
/// levels) leave room: CPython then resumes it, and reports any error.
///
/// # Safety
/// With the GIL held by `tstate`; `generator` is live.
#[inline(always)]
unsafe fn resume(tstate: *mut ThreadState, generator: *mut PyObject, value: *mut PyObject, out: *mut *mut PyObject) -> isize {
    // SAFETY: the generator's fields are read and written at probed
    // offsets; its embedded frame is its code's.
    unsafe {
        let ts = &*tstate;
        let gen = generator.cast::<u8>();
        let state: i8 = read_field(gen, abi::GEN_FRAME_STATE);
        let none = std::ptr::addr_of_mut!(abi::ffi::_Py_NoneStruct);
        let startable = state == CREATED && (value.is_null() || value == none);
        if state != SUSPENDED && !startable {
            return RESUME_DECLINED;
        }
        let fr = &*generator_frame(generator);
        let Some(target) = call_target(fr.code()) else { return RESUME_DECLINED };
        let Some(entry) = target.entry else { return RESUME_DECLINED };
        let remaining = *ts.recursion_remaining();
        if ts.use_tracing() || remaining <= 0 || remaining % C_STACK_CHECK_PERIOD == 0 && c_stack_exhausted() {
            return RESUME_DECLINED;
        }
        let sent = if value.is_null() { none } else { value };
        let top = fr.stacktop();
        *fr.slot(top as usize) = ffi::Py_NewRef(sent);
        fr.set_stacktop(top + 1);
        target.entered += 1;
        stats::bump(&stats::NATIVE_CALLS);
        stats::bump(&stats::NATIVE_RESUMES);
        stats::bump(&stats::DIRECT_RESUMES);
        run_resumed(tstate, generator, out, |frame| run_native(tstate, frame, entry, target.data))
    }
}

/// Runs `generator`'s frame with `run` as `gen_send_ex2` runs it: the
/// generator's exception state is the thread's, and the generator
/// executing, meanwhile. Returns as `resume` does; a finished generator's
/// frame is cleared.
///
/// # Safety
/// With the GIL held by `tstate`; `generator` is a live, suspended (or not
/// started) generator or coroutine, whose frame `run` runs.
#[inline(always)]
unsafe fn run_resumed(
    tstate: *mut ThreadState,
    generator: *mut PyObject,
    out: *mut *mut PyObject,
    run: impl FnOnce(*mut Frame) -> *mut PyObject,
) -> isize {
    // SAFETY: the generator's fields are read and written at probed
    // offsets; its embedded frame is its code's.
    unsafe {
        let ts = &*tstate;
        let gen = generator.cast::<u8>();
        let frame = generator_frame(generator);
        push_exc_state(tstate, gen);
        write_field(gen, abi::GEN_FRAME_STATE, EXECUTING);
        let result = run(frame);
        let mut state: i8 = read_field(gen, abi::GEN_FRAME_STATE);
        if state == EXECUTING {
            state = COMPLETED;
            write_field(gen, abi::GEN_FRAME_STATE, state);
        }
        pop_exc_state(tstate, gen);
        (*frame).set_previous(std::ptr::null_mut());
        *out = result;
        if !result.is_null() && state == SUSPENDED {
            return 1;
        }
        if result.is_null() && ffi::PyErr_ExceptionMatches(ffi::PyExc_StopIteration) != 0 {
            let message = if is_coroutine_object(generator) {
                c"coroutine raised StopIteration"
            } else {
                c"generator raised StopIteration"
            };
            abi::ffi::_PyErr_FormatFromCause(ffi::PyExc_RuntimeError, c"%s".as_ptr(), message.as_ptr());
        }
        clear_finished(ts, gen, frame);
        if result.is_null() {
            -1
        } else {
            0
        }
    }
}

/// Clears the frame `frame` of `gen` (a generator, coroutine or async
/// generator, or `run_eagerly`'s stand-in for one) that finished, as
/// `gen_send_ex2` clears it: its exception state dropped, its state
/// cleared, the frame's references released (or handed to its frame object).
///
/// # Safety
/// With the GIL held; `frame` is `gen`'s, unlinked and not running.
#[inline(always)]
unsafe fn clear_finished(ts: &ThreadState, gen: *mut u8, frame: *mut Frame) {
    // SAFETY: see above; the fields are at probed offsets.
    unsafe {
        let exc_state = gen.add(abi::GEN_EXC_STATE);
        let exc_value: *mut PyObject = read_field(exc_state, abi::EXC_INFO_VALUE);
        write_field(exc_state, abi::EXC_INFO_VALUE, std::ptr::null_mut::<PyObject>());
        ffi::Py_XDECREF(exc_value);
        write_field(gen, abi::GEN_FRAME_STATE, CLEARED);
        frames::clear(ts, frame);
    }
}

/// Makes the exception state of `gen` (a generator, coroutine or async
/// generator object) the thread's, as while it runs.
///
/// # Safety
/// With the GIL held by `tstate`; `gen` is live and not running.
#[inline(always)]
unsafe fn push_exc_state(tstate: *mut ThreadState, gen: *mut u8) {
    // SAFETY: see above; the fields are at probed offsets.
    unsafe {
        let exc_state = gen.add(abi::GEN_EXC_STATE);
        let thread = tstate.cast::<u8>();
        write_field(exc_state, abi::EXC_INFO_PREVIOUS, read_field::<*mut u8>(thread, abi::TSTATE_EXC_INFO));
        write_field(thread, abi::TSTATE_EXC_INFO, exc_state);
    }
}

/// Undoes `push_exc_state(tstate, gen)`.
///
/// # Safety
/// With the GIL held by `tstate`, whose exception state is `gen`'s.
#[inline(always)]
unsafe fn pop_exc_state(tstate: *mut ThreadState, gen: *mut u8) {
    // SAFETY: see above.
    unsafe {
        let exc_state = gen.add(abi::GEN_EXC_STATE);
        let thread = tstate.cast::<u8>();
        write_field(thread, abi::TSTATE_EXC_INFO, read_field::<*mut u8>(exc_state, abi::EXC_INFO_PREVIOUS));
        write_field(exc_state, abi::EXC_INFO_PREVIOUS, std::ptr::null_mut::<u8>());
    }
}

/// Levels of a `yield from` or `await` chain `resume_through` passes at
/// most; the generator below them resumes the rest of the chain the same way.
const PASSED_MAX: usize = 32;

/// What `generator` delegates to (`delegate`) when `resume_through` may
/// pass it: pyjit's hook in place, no trace or profile function, and a
/// level of recursion left for the generator at the bottom besides the one
/// passing counts.
///
/// # Safety
/// `generator` is a live exact generator or coroutine.
#[inline(always)]
unsafe fn passable_delegate(ts: &ThreadState, generator: *mut PyObject) -> Option<*mut PyObject> {
    // SAFETY: see above. The generator first: most delegate to none.
    unsafe { delegate(generator).filter(|_| frames::hook_installed(ts) && !ts.use_tracing() && *ts.recursion_remaining() > 1) }
}

/// `resume` of `generator`, which delegates to `receiver`, passing chains
/// of `yield from` and `await`: while the generator to resume is suspended
/// delegating to another generator or coroutine (`delegate`), that one is
/// resumed instead, with the value sent, and the delegating one left as
/// CPython leaves it while its SEND runs (`pass_level`). A delegating
/// generator's SEND loop (SEND, YIELD_VALUE, RESUME, a backward jump) does
/// nothing else while no trace or profile function is installed, so what
/// the generator at the bottom yields is what each passed one yields;
/// should the bottom one have installed one, each passed one yields it in
/// the interpreter, which reports the events. When the bottom one returns
/// or raises, the one above continues from its SEND as SEND would
/// (`end_send`), and so on up. CPython's own `gen_throw` moves a delegating
/// generator past its SEND the same way.
///
/// # Safety
/// As `resume`'s; `passable_delegate(generator)` found `receiver`.
#[inline(never)]
unsafe fn resume_through(
    tstate: *mut ThreadState,
    generator: *mut PyObject,
    receiver: *mut PyObject,
    value: *mut PyObject,
    out: *mut *mut PyObject,
) -> isize {
    // SAFETY: the generators passed are live: each holds the next on its
    // value stack, and the caller holds the first.
    unsafe {
        let ts = &*tstate;
        let mut passed = [std::mem::MaybeUninit::<(*mut PyObject, i32)>::uninit(); PASSED_MAX];
        passed[0].write((generator, pass_level(tstate, generator)));
        let mut count = 1;
        let mut bottom = receiver;
        while count < PASSED_MAX {
            let Some(receiver) = passable_delegate(ts, bottom) else { break };
            passed[count].write((bottom, pass_level(tstate, bottom)));
            count += 1;
            bottom = receiver;
        }
        stats::add(&stats::RESUMES_PASSED, count as u64);
        let mut status = resume_or_send(tstate, bottom, value, out);
        for level in passed[..count].iter().rev() {
            // SAFETY: the first `count` entries were written.
            let (generator, stacktop) = level.assume_init();
            unpass_level(tstate, generator, stacktop);
            status = match status {
                1 if !ts.use_tracing() => 1,
                1 => yield_in_interpreter(tstate, generator, out),
                _ => end_send(tstate, generator, status, out),
            };
        }
        status
    }
}

/// The generator or coroutine `generator` delegates to: the receiver of
/// its SEND, when it is suspended in `yield from` or `await` (the
/// instruction after its `prev_instr` a RESUME of a `yield from` or
/// `await`, as `_PyGen_yf` tests) on an exact generator or coroutine.
///
/// # Safety
/// `generator` is a live exact generator or coroutine.
unsafe fn delegate(generator: *mut PyObject) -> Option<*mut PyObject> {
    // SAFETY: a suspended generator's frame holds its value stack, the
    // receiver of a SEND loop at its top.
    unsafe {
        let fr = &*generator_frame(generator);
        if read_field::<i8>(generator.cast(), abi::GEN_FRAME_STATE) != SUSPENDED || !resumes_from_yield_from(fr) {
            return None;
        }
        let receiver = *fr.slot(fr.stacktop() as usize - 1);
        (ffi::PyGen_CheckExact(receiver) != 0 || is_coroutine_object(receiver)).then_some(receiver)
    }
}

/// Leaves `generator`, suspended in `yield from` or `await`, as CPython
/// leaves it while its SEND runs: executing, its exception state the
/// thread's, its frame the thread's current one (counted as a level of
/// recursion), at the SEND, its value stack private. Returns the stack top
/// to restore.
///
/// # Safety
/// With the GIL held by `tstate`; `delegate(generator)` found a receiver.
unsafe fn pass_level(tstate: *mut ThreadState, generator: *mut PyObject) -> i32 {
    // SAFETY: see above.
    unsafe {
        let ts = &*tstate;
        let gen = generator.cast::<u8>();
        let frame = generator_frame(generator);
        let fr = &*frame;
        let stacktop = fr.stacktop();
        fr.set_stacktop(-1);
        fr.step_lasti(-1);
        push_exc_state(tstate, gen);
        write_field(gen, abi::GEN_FRAME_STATE, EXECUTING);
        fr.set_previous(ts.current_frame());
        ts.set_current_frame(frame);
        *ts.recursion_remaining() -= 1;
        stacktop
    }
}

/// Undoes `pass_level(tstate, generator)`, which returned `stacktop`.
///
/// # Safety
/// With the GIL held by `tstate`; `generator` was the last level passed.
unsafe fn unpass_level(tstate: *mut ThreadState, generator: *mut PyObject, stacktop: i32) {
    // SAFETY: see above.
    unsafe {
        let ts = &*tstate;
        let gen = generator.cast::<u8>();
        let fr = &*generator_frame(generator);
        *ts.recursion_remaining() += 1;
        ts.set_current_frame(fr.previous());
        fr.set_previous(std::ptr::null_mut());
        write_field(gen, abi::GEN_FRAME_STATE, SUSPENDED);
        pop_exc_state(tstate, gen);
        fr.step_lasti(1);
        fr.set_stacktop(stacktop);
    }
}

/// Yields `*out`, what the receiver of `generator`'s SEND yielded, from
/// `generator` (passed by `resume_through`) in the interpreter: from its
/// SEND, the value pushed, as after SEND yielded. Returns as `resume` does.
///
/// # Safety
/// As `resume`'s; `generator` is suspended at the YIELD_VALUE of its SEND
/// loop.
unsafe fn yield_in_interpreter(tstate: *mut ThreadState, generator: *mut PyObject, out: *mut *mut PyObject) -> isize {
    // SAFETY: the frame has room for the item its YIELD_VALUE takes.
    unsafe {
        let fr = &*generator_frame(generator);
        let top = fr.stacktop();
        *fr.slot(top as usize) = *out;
        fr.set_stacktop(top + 1);
        fr.step_lasti(-1);
        run_resumed(tstate, generator, out, |frame| abi_ffi::_PyEval_EvalFrameDefault(tstate, frame, 0))
    }
}

/// Continues `generator`, suspended in `yield from` or `await` (passed by
/// `resume_through`), after the receiver of its SEND finished: it returned
/// `*out` (`status` 0; the generator goes on at the SEND's target with it,
/// the receiver released) or raised (`status` -1; the generator goes on
/// from the SEND with the exception, in the interpreter, as it unwinds an
/// exception a compiled frame hands over). Returns as `resume` does.
///
/// # Safety
/// As `resume`'s; `generator` is suspended at the YIELD_VALUE of its SEND
/// loop.
unsafe fn end_send(tstate: *mut ThreadState, generator: *mut PyObject, status: isize, out: *mut *mut PyObject) -> isize {
    // SAFETY: the generator's frame holds the receiver at its stack top and
    // its code's SEND before its `prev_instr`.
    unsafe {
        let fr = &*generator_frame(generator);
        let send_index = fr.lasti() - 1;
        if status != 0 {
            fr.set_lasti(send_index);
            return run_resumed(tstate, generator, out, |frame| exits::unwind_in_interpreter(tstate, frame));
        }
        let top = fr.stacktop();
        let receiver = std::mem::replace(&mut *fr.slot(top as usize - 1), std::ptr::null_mut());
        fr.set_stacktop(top - 1);
        let jump = (fr.code_unit(send_index as usize) >> 8) as isize;
        fr.set_lasti(send_index + jump);
        ffi::Py_DECREF(receiver);
        let returned = *out;
        let status = resume_or_send(tstate, generator, returned, out);
        ffi::Py_DECREF(returned);
        status
    }
}

/// Whether `obj` is a coroutine: a coroutine object, or a generator whose
/// code is marked `types.coroutine` (`gen_is_coroutine`).
unsafe fn is_coroutine(obj: *mut PyObject) -> bool {
    // SAFETY: obj is live; a generator's code is a live code object.
    unsafe {
        is_coroutine_object(obj)
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
/// (`_PyGen_yf`, hidden in CPython, is not NULL).
unsafe fn awaits(coro: *mut PyObject) -> bool {
    // SAFETY: coro is a live coroutine, whose embedded frame's prev_instr
    // points into its code's instructions once it has started.
    unsafe {
        let state: i8 = abi::read_field(coro.cast(), abi::GEN_FRAME_STATE);
        state < CLEARED && state != CREATED && resumes_from_yield_from(&*generator_frame(coro))
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
        if !iterator.is_null() && is_coroutine_object(iterator) && awaits(iterator) {
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

/// The byte offset of the value in the objects async generators wrap the
/// values they yield in (of `_PyAsyncGenWrappedValue_Type`, whose struct is
/// private to `genobject.c`): the one word after the object header, when
/// the type is a GC type of that size, as in CPython 3.11; else None, and
/// ASYNC_GEN_WRAP is not compiled (its code delegated).
fn async_gen_wrapper_offset() -> Option<usize> {
    // SAFETY: a static type object of libpython's, read-only after start-up.
    let (size, flags) = unsafe {
        let wrapper_type = std::ptr::addr_of!(abi::ffi::_PyAsyncGenWrappedValue_Type);
        ((*wrapper_type).tp_basicsize as usize, (*wrapper_type).tp_flags)
    };
    let header = std::mem::size_of::<ffi::PyObject>();
    (size == header + std::mem::size_of::<*mut PyObject>() && flags & ffi::Py_TPFLAGS_HAVE_GC != 0).then_some(header)
}

/// Whether ASYNC_GEN_WRAP can be compiled: the wrapper's layout is known.
pub fn async_gen_wrapper_known() -> bool {
    async_gen_wrapper_offset().is_some()
}

/// ASYNC_GEN_WRAP: `value` (borrowed) wrapped as an async generator's
/// yielded value, as CPython's hidden `_PyAsyncGenValueWrapperNew` makes it
/// (a GC-tracked object of the wrapper type holding a reference; its
/// deallocator may keep it on CPython's free list). Code from the cache
/// may call it in a process whose wrapper has another layout: a
/// SystemError then.
pub unsafe extern "C" fn async_gen_wrap(value: *mut PyObject) -> *mut PyObject {
    // SAFETY: the wrapper type is libpython's static type, whose objects
    // hold one object pointer at `offset`.
    unsafe {
        let Some(offset) = async_gen_wrapper_offset() else {
            let message = c"pyjit: the wrapper of async generators' values has an unknown layout in this process";
            ffi::PyErr_SetString(ffi::PyExc_SystemError, message.as_ptr());
            return std::ptr::null_mut();
        };
        let wrapper_type = std::ptr::addr_of_mut!(abi::ffi::_PyAsyncGenWrappedValue_Type);
        let wrapper = ffi::_PyObject_GC_New(wrapper_type);
        if wrapper.is_null() {
            return wrapper;
        }
        write_field(wrapper.cast(), offset, ffi::Py_NewRef(value));
        ffi::PyObject_GC_Track(wrapper.cast());
        wrapper
    }
}
