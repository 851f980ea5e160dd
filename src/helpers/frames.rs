//! Frames that compiled code and the runtime push on the thread's data
//! stack themselves, as `_PyEvalFramePushAndInit` and
//! `_PyEvalFrameClearAndPop` do (neither is exported, and `_PyFrame_Clear`'s
//! hand-over of a frame whose frame object outlives the call is ported here
//! as `take_ownership`), and the C stack such frames use: compiled frames
//! recurse on the C stack where the interpreter does not.

use crate::abi::{self, ffi as abi_ffi, read_field, write_field, Frame, ThreadState, ThreadStateExt};
use crate::bytecode;
use crate::config::{self, Optimization};
use crate::helpers::calls::{CallTarget, Entry, NO_ARITY, RETURNS_CONSTANT, RETURNS_PARAMETER};
use crate::stats;
use pyo3::ffi::{self, PyObject, PyCodeObject};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// `_PyThreadState_BumpFramePointer` without its slow path: `size` words on
/// the current data-stack chunk, if they fit and do not start it (a frame at
/// a chunk's start frees the chunk when popped, which only CPython does).
///
/// SAFETY: `ts` is the running thread's state.
#[inline(always)]
pub unsafe fn push_frame(ts: &ThreadState, size: usize) -> Option<*mut Frame> {
    // SAFETY: see above; the data-stack fields are probed.
    unsafe {
        let base = (ts as *const ThreadState).cast_mut().cast::<u8>();
        let top: *mut *mut PyObject = read_field(base, abi::TSTATE_DATASTACK_TOP);
        let limit: *mut *mut PyObject = read_field(base, abi::TSTATE_DATASTACK_LIMIT);
        let chunk: *mut u8 = read_field(base, abi::TSTATE_DATASTACK_CHUNK);
        if top.is_null() || top.cast::<u8>() == chunk.add(abi::STACK_CHUNK_DATA) || top.add(size) >= limit {
            return None;
        }
        write_field(base, abi::TSTATE_DATASTACK_TOP, top.add(size));
        Some(top.cast())
    }
}

/// Pops `frame`, pushed by `push_frame` and not initialized.
///
/// SAFETY: `frame` is the top frame of `ts`'s data stack.
#[inline(always)]
pub unsafe fn pop_frame(ts: &ThreadState, frame: *mut Frame) {
    let thread = (ts as *const ThreadState).cast_mut().cast::<u8>();
    // SAFETY: see above; the field is probed.
    unsafe { write_field(thread, abi::TSTATE_DATASTACK_TOP, frame) };
}

/// `_PyEvalFrameClearAndPop` for a frame `push_frame` made, after it ran
/// and was unlinked from the thread's frames.
///
/// SAFETY: `frame` is the top frame of `ts`'s data stack.
#[inline(always)]
pub unsafe fn clear_and_pop(ts: &ThreadState, frame: *mut Frame) {
    // SAFETY: see above.
    unsafe {
        *ts.recursion_remaining() -= 1;
        clear(ts, frame);
        *ts.recursion_remaining() += 1;
        pop_frame(ts, frame);
    }
}

/// Leaves `frame`, whose references moved to a generator's copy of it
/// (`suspend::create_generator`), as RETURN_GENERATOR leaves an entry
/// frame for the caller that clears it (`_PyEvalFrameClearAndPop`): no
/// value stack or locals dict, and new references to its function and code.
///
/// SAFETY: `frame` is initialized and its references were moved out.
pub unsafe fn refill_for_clearing(frame: *mut Frame) {
    // SAFETY: see above; the fields are probed.
    unsafe {
        let base = frame.cast::<u8>();
        (*frame).set_stacktop(0);
        write_field(base, abi::FRAME_F_LOCALS, std::ptr::null_mut::<PyObject>());
        ffi::Py_INCREF(read_field::<*mut PyObject>(base, abi::FRAME_F_FUNC));
        ffi::Py_INCREF(read_field::<*mut PyObject>(base, abi::FRAME_F_CODE));
    }
}

/// `_PyFrame_Clear` (not exported): drops the frame's references, or hands
/// the frame to its frame object when that outlives it.
///
/// SAFETY: `frame` ran and was unlinked from the thread's frames (a
/// generator's frame: its generator is marked cleared); its stack top
/// counts its owned slots.
#[inline(always)]
pub unsafe fn clear(ts: &ThreadState, frame: *mut Frame) {
    // SAFETY: see above; `_PyFrame_Clear`'s steps on the frame's fields.
    unsafe {
        let base = frame.cast::<u8>();
        let frame_object: *mut PyObject = read_field(base, abi::FRAME_FRAME_OBJ);
        let cleared = if frame_object.is_null() {
            true
        } else {
            write_field(base, abi::FRAME_FRAME_OBJ, std::ptr::null_mut::<PyObject>());
            let escaped = ffi::Py_REFCNT(frame_object) > 1;
            if escaped {
                take_ownership(ts, frame_object, frame);
            }
            ffi::Py_DECREF(frame_object);
            !escaped
        };
        if cleared {
            let fr = &*frame;
            for i in 0..fr.stacktop().max(0) as usize {
                ffi::Py_XDECREF(*fr.slot(i));
            }
            ffi::Py_XDECREF(read_field::<*mut PyObject>(base, abi::FRAME_F_LOCALS));
            ffi::Py_DECREF(read_field::<*mut PyObject>(base, abi::FRAME_F_FUNC));
            ffi::Py_DECREF(read_field::<*mut PyObject>(base, abi::FRAME_F_CODE));
        }
    }
}

/// frame.c's `take_ownership`: the frame object outlives the call, so it
/// gets a copy of the frame (locals and all) and a reference to its caller's
/// frame object as `f_back`.
///
/// SAFETY: `frame_object` is `frame`'s live frame object; `frame` ran and
/// was unlinked, so the thread's current frame is its caller.
unsafe fn take_ownership(ts: &ThreadState, frame_object: *mut PyObject, frame: *mut Frame) {
    // SAFETY: see above; the frame object's data area has room for the
    // frame up to its stack top (CPython sized it for the code).
    unsafe {
        let base = frame.cast::<u8>();
        let size = abi::FRAME_LOCALSPLUS + 8 * (*frame).stacktop().max(0) as usize;
        let owned = frame_object.cast::<u8>().add(abi::FRAME_OBJECT_DATA);
        std::ptr::copy_nonoverlapping(base, owned, size);
        write_field(frame_object.cast(), abi::FRAME_OBJECT_FRAME, owned);
        write_field(owned, abi::FRAME_OWNER, abi::FRAME_OWNED_BY_FRAME_OBJECT as i8);
        let code: *mut PyCodeObject = read_field(owned, abi::FRAME_F_CODE);
        let first_traceable = code.cast::<u8>().add(abi::CODE_CODE_ADAPTIVE + 2 * abi::code_int(code, abi::CODE_FIRSTTRACEABLE) as usize);
        if read_field::<*mut u8>(owned, abi::FRAME_PREV_INSTR) < first_traceable {
            write_field(owned, abi::FRAME_PREV_INSTR, first_traceable);
        }
        let previous: *mut Frame = read_field(owned, abi::FRAME_PREVIOUS);
        if !previous.is_null() {
            debug_assert_eq!(previous, ts.current_frame());
            // The caller is running, so complete: PyEval_GetFrame gives its frame object.
            let back = ffi::PyEval_GetFrame();
            if back.is_null() {
                ffi::PyErr_Clear();
            } else {
                write_field(frame_object.cast(), abi::FRAME_OBJECT_BACK, ffi::Py_NewRef(back.cast::<PyObject>()));
            }
            write_field(owned, abi::FRAME_PREVIOUS, std::ptr::null_mut::<Frame>());
        }
        if ffi::PyObject_GC_IsTracked(frame_object) == 0 {
            ffi::PyObject_GC_Track(frame_object.cast());
        }
    }
}

/// `_PyFrame_InitializeSpecials`: the frame takes the reference to the
/// function (moved in, as the interpreter's CALL moves the callable's) and
/// a new one to its code (its locals are written by `bind_arguments`), and
/// for code that is not `CO_OPTIMIZED` (a function made from module-level
/// code, say) to its globals as its locals dict, as `_PyFunction_Vectorcall`
/// passes them.
///
/// SAFETY: `frame` was pushed for `code`, `function`'s code, which has
/// `nlocalsplus` locals.
#[inline(always)]
pub unsafe fn initialize(frame: *mut Frame, function: *mut PyObject, code: *mut PyCodeObject, nlocalsplus: u32) {
    // SAFETY: see above; every field is written at its probed offset.
    unsafe {
        let base = frame.cast::<u8>();
        write_code_fields(base, function, ffi::Py_NewRef(code.cast::<PyObject>()).cast());
        let locals = if abi::code_int(code, abi::CODE_FLAGS) & abi::CO_OPTIMIZED == 0 {
            ffi::Py_NewRef(read_field::<*mut PyObject>(function.cast(), abi::FUNC_GLOBALS))
        } else {
            std::ptr::null_mut()
        };
        write_field(base, abi::FRAME_F_LOCALS, locals);
        write_field(base, abi::FRAME_STACKTOP, nlocalsplus as i32);
        write_field(base, abi::FRAME_FRAME_OBJ, std::ptr::null_mut::<PyObject>());
        let first_unit = code.cast::<u8>().add(abi::CODE_CODE_ADAPTIVE);
        write_field(base, abi::FRAME_PREV_INSTR, first_unit.sub(2));
        write_field(base, abi::FRAME_IS_ENTRY, false);
        write_field(base, abi::FRAME_OWNER, abi::FRAME_OWNED_BY_THREAD as i8);
    }
}

/// Writes the frame header fields at `base` that name the code run: the
/// function, its code `code` (a reference the caller gives or lends), its
/// builtins and globals.
///
/// SAFETY: `base` starts a frame header; `function` is a live function.
#[inline(always)]
unsafe fn write_code_fields(base: *mut u8, function: *mut PyObject, code: *mut PyCodeObject) {
    // SAFETY: see above; every field is written at its probed offset.
    unsafe {
        write_field(base, abi::FRAME_F_FUNC, function);
        write_field(base, abi::FRAME_F_CODE, code);
        write_field::<*mut PyObject>(base, abi::FRAME_F_BUILTINS, read_field(function.cast(), abi::FUNC_BUILTINS));
        write_field::<*mut PyObject>(base, abi::FRAME_F_GLOBALS, read_field(function.cast(), abi::FUNC_GLOBALS));
    }
}

/// `initialize_locals`' positional parameters, the first `argcount` locals
/// of `frame`, for `nargs` positional arguments: from the arguments
/// (moved), then from the last items of the tuple `defaults`. Returns how
/// many arguments went to parameters.
///
/// SAFETY: `frame` was just initialized; `args` holds `nargs` owned
/// references; `defaults` (NULL when there are none) has an item for each
/// parameter the arguments leave unbound.
#[inline(always)]
pub unsafe fn bind_positionally(
    frame: &Frame,
    args: *const *mut PyObject,
    nargs: usize,
    argcount: usize,
    defaults: *mut PyObject,
) -> usize {
    // SAFETY: see above.
    unsafe {
        let bound = nargs.min(argcount);
        copy_slots(frame.slot(0), args, bound);
        if bound < argcount {
            let first_default = ffi::PyTuple_GET_SIZE(defaults) as usize + bound - argcount;
            for i in bound..argcount {
                *frame.slot(i) = ffi::Py_NewRef(ffi::PyTuple_GET_ITEM(defaults, (first_default + i - bound) as isize));
            }
        }
        bound
    }
}

/// Runs compiled code on `frame`, with the frame discipline of
/// `_PyEval_EvalFrameDefault`: recursion accounting, the frame linked as the
/// thread's current frame while it runs, and unlinked afterwards.
///
/// # Safety
/// With the GIL held; `frame` is a fresh or handed-over frame of the code
/// `entry` was compiled from, pushed on `tstate`'s data stack.
#[inline(always)]
pub unsafe fn run_native(tstate: *mut ThreadState, frame: *mut Frame, entry: Entry, data: *mut u64) -> *mut PyObject {
    // SAFETY: tstate and frame are live (see above).
    unsafe {
        let (ts, fr) = (&*tstate, &*frame);
        let remaining = ts.recursion_remaining();
        // Py_EnterRecursiveCall, inline: the check calls out only when the
        // budget is spent (and then restores it if it raises).
        *remaining -= 1;
        if *remaining < 0 && abi_ffi::_Py_CheckRecursiveCall(tstate, c"".as_ptr()) != 0 {
            return std::ptr::null_mut();
        }
        fr.set_previous(ts.current_frame());
        ts.set_current_frame(frame);
        // The native code makes the frame's value stack private (stacktop -1)
        // once it has read what a resumed generator's frame holds.
        let result = entry(tstate, frame, data);
        ts.set_current_frame(fr.previous());
        *ts.recursion_remaining() += 1;
        result
    }
}

/// What `enter_compiled` returns when it declines a call: no object's address.
pub const CALL_DECLINED: usize = 1;

/// The address of the frame-evaluation function pyjit installs (set by
/// `runtime::enable`; 1, no function's address, before). Calls skip the
/// evaluator only while it is the interpreter's, so that one installed
/// after pyjit's (a debugger's, a profiler's, CPython's test_capi
/// recorder) sees every frame.
pub static HOOK: AtomicUsize = AtomicUsize::new(1);

/// Whether pyjit's frame-evaluation function is the interpreter's.
#[inline(always)]
pub fn hook_installed(ts: &ThreadState) -> bool {
    ts.eval_frame() == HOOK.load(Relaxed)
}

/// Runs a call of `function`, whose code's state starts with `target`,
/// with the `nargs` owned references at `args` and the reference to
/// `function` (all moved into the frame; left to the caller when the call
/// is declined), in the code's native code, pushing and popping its frame
/// as the runtime does for native code (parameters left unbound take their
/// defaults); or returns `CALL_DECLINED` having done nothing when the call
/// needs the runtime: no native code, another frame evaluator installed
/// after pyjit's (`hook_installed`), code whose parameters positional
/// arguments do not bind alone (`CallTarget::arity`; `*args` and `**kwargs`
/// get a new tuple of the rest and an empty dict), too many arguments or
/// too few for the defaults, a keyword-only parameter without a default, a
/// trace or profile function, the recursion limit reached, a C stack nearly
/// used up (measured every
/// `C_STACK_CHECK_PERIOD` levels, as the runtime measures) or a data-stack
/// chunk without room. A call of a function that creates a generator
/// (`CallTarget::creates_generator`) binds its arguments the same way and
/// makes the generator object (`suspend::create_generator`), or has
/// CPython's interpreter run the frame to make it. Calls from compiled code
/// reach it through `calls::call_positional`, and so do the runtime's
/// `direct::call`.
///
/// # Safety
/// With the GIL held; `function` is an owned reference to a Python
/// function whose code's live state starts with `target`; `args` holds
/// `nargs` owned references.
#[inline(always)]
pub unsafe fn enter_compiled(
    tstate: *mut ThreadState,
    function: *mut PyObject,
    args: *const *mut PyObject,
    nargs: usize,
    target: *mut CallTarget,
) -> *mut PyObject {
    let declined = CALL_DECLINED as *mut PyObject;
    // SAFETY: see above.
    unsafe {
        let (ts, target) = (&*tstate, &mut *target);
        if nargs == target.exact_arity as usize {
            return enter_exact(tstate, function, args, target);
        }
        let Some(entry) = target.entry else { return declined };
        if target.arity == NO_ARITY || nargs > target.arity as usize || !may_enter(ts) {
            return declined;
        }
        // Code whose parameters the arguments bind exactly has an
        // `exact_arity`, whose calls took `enter_exact`.
        let Some((frame, bound)) = bind_with_defaults(ts, function, args, nargs, target, 0) else { return declined };
        run_bound(tstate, frame, bound, entry, target)
    }
}

/// Runs `frame` of `target`'s code, whose first `bound` locals its call
/// bound: the other locals unbound, the generator made for code that
/// creates one (its frame popped, its references moved to the generator's
/// copy), or by CPython's interpreter where `create_generator` declines;
/// else the native code `entry` run; then the frame cleared and popped.
///
/// # Safety
/// As `enter_compiled`'s; `frame` was pushed and initialized for the call
/// and its first `bound` locals hold the arguments.
#[inline(always)]
unsafe fn run_bound(
    tstate: *mut ThreadState,
    frame: *mut Frame,
    bound: usize,
    entry: Entry,
    target: &mut CallTarget,
) -> *mut PyObject {
    // SAFETY: see above.
    unsafe {
        let (ts, fr) = (&*tstate, &*frame);
        unbind(fr.slot(bound), target.nlocalsplus as usize - bound);
        stats::bump(&stats::DIRECT_CALLS);
        let result = if target.creates_generator {
            if let Some(generator) = super::suspend::create_generator(ts, frame) {
                pop_frame(ts, frame);
                return generator;
            }
            // The interpreter links the frame and counts its recursion level itself.
            abi_ffi::_PyEval_EvalFrameDefault(tstate, frame, 0)
        } else {
            target.entered += 1;
            stats::bump(&stats::NATIVE_CALLS);
            run_native(tstate, frame, entry, target.data)
        };
        clear_and_pop(ts, frame);
        result
    }
}

/// Writes NULL into the `count` slots from `first`: the few of most calls
/// one by one (the loop became a call of memset, whose call and dispatch
/// cost more than the stores), more with `write_bytes`.
///
/// SAFETY: `first` starts `count` writable slots.
#[inline(always)]
pub unsafe fn unbind(first: *mut *mut PyObject, count: usize) {
    let null = std::ptr::null_mut();
    // SAFETY: see above.
    unsafe {
        match count {
            0 => {}
            1 => *first = null,
            2 => [*first, *first.add(1)] = [null; 2],
            3 => [*first, *first.add(1), *first.add(2)] = [null; 3],
            _ => std::ptr::write_bytes(first, 0, count),
        }
    }
}

/// Copies `count` slots from `from` to `to`, as `unbind` writes them: the
/// few arguments of most calls one by one, more with `copy_nonoverlapping`.
///
/// SAFETY: `from` and `to` start `count` slots, readable and writable, of
/// blocks that do not overlap.
#[inline(always)]
unsafe fn copy_slots(to: *mut *mut PyObject, from: *const *mut PyObject, count: usize) {
    // SAFETY: see above.
    unsafe {
        match count {
            0 => {}
            1 => *to = *from,
            2 => [*to, *to.add(1)] = [*from, *from.add(1)],
            3 => [*to, *to.add(1), *to.add(2)] = [*from, *from.add(1), *from.add(2)],
            _ => std::ptr::copy_nonoverlapping(from, to, count),
        }
    }
}

/// Whether a call may enter native code without the runtime now: no trace
/// or profile function, pyjit's frame evaluator the interpreter's, the
/// recursion limit not reached and the C stack not nearly used up
/// (measured every `C_STACK_CHECK_PERIOD` levels).
#[inline(always)]
pub fn may_enter(ts: &ThreadState) -> bool {
    // SAFETY: the running thread's state.
    let remaining = unsafe { *ts.recursion_remaining() };
    !ts.use_tracing()
        && hook_installed(ts)
        && remaining > 0
        && (remaining % C_STACK_CHECK_PERIOD != 0 || !c_stack_exhausted())
}

/// `enter_compiled` for a call whose `nargs` arguments are exactly the
/// parameters of code with `CallTarget::exact_arity` (`nargs` is that
/// arity): the frame pushed, the arguments moved in, every other local
/// unbound, the native code run, the frame cleared and popped; or, for code
/// whose whole body returns a parameter or a constant, that value without a
/// frame (`return_without_frame`); or `CALL_DECLINED` with nothing done,
/// as `enter_compiled` declines.
///
/// # Safety
/// As `enter_compiled`'s, with `target.exact_arity` arguments at `args`.
#[inline(always)]
pub unsafe fn enter_exact(
    tstate: *mut ThreadState,
    function: *mut PyObject,
    args: *const *mut PyObject,
    target: &mut CallTarget,
) -> *mut PyObject {
    // SAFETY: see above.
    unsafe {
        let ts = &*tstate;
        let Some(entry) = target.entry else { return CALL_DECLINED as *mut PyObject };
        if !may_enter(ts) {
            return CALL_DECLINED as *mut PyObject;
        }
        if target.returns != 0 && config::optimization_enabled(Optimization::TrivialCalls) {
            return return_without_frame(function, args, target);
        }
        if let Some(frameless) = target.frameless.filter(|_| config::optimization_enabled(Optimization::FramelessCalls)) {
            if let Some(result) = run_frameless(tstate, function, args, target, frameless) {
                return result;
            }
        }
        let Some((frame, bound)) = bind_exactly(ts, function, args, target, 0) else { return CALL_DECLINED as *mut PyObject };
        run_bound(tstate, frame, bound, entry, target)
    }
}

/// Runs `enter` (`enter_compiled` or `enter_exact` of `function`) for a
/// caller that keeps its own reference to `function`: the frame takes a new
/// one, released again when the call is declined. Returns what `enter` does.
///
/// # Safety
/// As `enter`'s, with `function` a live Python function.
#[inline(always)]
pub unsafe fn enter_with_new_reference(
    function: *mut PyObject,
    enter: impl FnOnce(*mut PyObject) -> *mut PyObject,
) -> *mut PyObject {
    // SAFETY: see above; the new reference is either moved into the frame or
    // released here.
    unsafe {
        let result = enter(ffi::Py_NewRef(function));
        if result as usize == CALL_DECLINED {
            ffi::Py_DECREF(function);
        }
        result
    }
}

/// The call `enter_exact` enters, of code whose whole body returns one of
/// its parameters or a constant (`CallTarget::returns`), made without a
/// frame: the value gets a reference and the arguments and the function
/// are released as the callee's frame would release them. Nothing can
/// observe the frame the interpreter would push: no trace or profile
/// function is set and the recursion limit is not reached (`may_enter`),
/// and the body cannot raise.
///
/// # Safety
/// With the GIL held; `function` and the code's `exact_arity` arguments at
/// `args` are owned references.
#[inline(never)]
unsafe fn return_without_frame(function: *mut PyObject, args: *const *mut PyObject, target: &mut CallTarget) -> *mut PyObject {
    // SAFETY: see above; a constant's index is within the code's co_consts.
    unsafe {
        let value = if target.returns >= RETURNS_CONSTANT {
            let consts = abi::code_object(target.code, abi::CODE_CONSTS);
            ffi::PyTuple_GET_ITEM(consts, (target.returns - RETURNS_CONSTANT) as isize)
        } else {
            *args.add((target.returns - RETURNS_PARAMETER) as usize)
        };
        // The result's reference first: releasing an argument, or the
        // function (and with it a constant), may free it.
        ffi::Py_INCREF(value);
        for i in 0..target.exact_arity as usize {
            ffi::Py_DECREF(*args.add(i));
        }
        ffi::Py_DECREF(function);
        target.entered += 1;
        for counter in [&stats::DIRECT_CALLS, &stats::NATIVE_CALLS, &stats::TRIVIAL_CALLS] {
            stats::bump(counter);
        }
        value
    }
}

/// The words of the frame-shaped block a frameless call runs on.
pub const FRAMELESS_BLOCK_WORDS: usize = abi::FRAME_SPECIALS_SIZE + bytecode::FRAMELESS_SLOTS as usize;

/// Calls a function's frameless variant may give back to the framed
/// code before it is no longer tried: at least this many, and more than a
/// sixteenth of the calls that entered the code.
const FRAMELESS_BAILS_TOLERATED: u32 = 64;

/// The call `enter_exact` enters of a function with a frameless
/// variant (`frameless-calls`), which runs on a frame-shaped block on this
/// C stack holding the header fields it reads (code, function, globals,
/// builtins) and the arguments as its parameters, borrowed. On its result
/// the arguments and the function are released as the callee's frame would
/// release them. None when the variant gave the call back, having changed
/// nothing: the caller pushes the frame then. As for `return_without_frame`,
/// nothing could observe the frame not pushed: `may_enter` passed, and the
/// body calls nothing and raises nothing.
///
/// # Safety
/// As `enter_exact`'s; `frameless` is the variant of `target`'s code.
#[inline(always)]
unsafe fn run_frameless(
    tstate: *mut ThreadState,
    function: *mut PyObject,
    args: *const *mut PyObject,
    target: &mut CallTarget,
    frameless: Entry,
) -> Option<*mut PyObject> {
    // SAFETY: see above. The block holds the header and the code's
    // `nlocalsplus + stacksize` slots (at most `FRAMELESS_SLOTS`, or the code
    // would have no variant); the variant reads only the fields written here
    // and the parameters, and writes only within the block.
    unsafe {
        let mut block = std::mem::MaybeUninit::<[*mut PyObject; FRAMELESS_BLOCK_WORDS]>::uninit();
        let frame = block.as_mut_ptr().cast::<Frame>();
        write_code_fields(frame.cast(), function, target.code);
        let count = target.exact_arity as usize;
        copy_slots((*frame).slot(0), args, count);
        let result = frameless(tstate, frame, target.data);
        if result.is_null() {
            frameless_gave_back(target);
            return None;
        }
        for i in 0..count {
            ffi::Py_DECREF(*args.add(i));
        }
        ffi::Py_DECREF(function);
        target.entered += 1;
        for counter in [&stats::DIRECT_CALLS, &stats::NATIVE_CALLS, &stats::FRAMELESS_CALLS] {
            stats::bump(counter);
        }
        Some(result)
    }
}

/// After `target`'s frameless variant gave a call back (returned NULL):
/// clears the error a failed boxing of its result left (the one thing in
/// it that can fail; the framed code will box the result again), counts the
/// call, and stops trying the variant once it gave back more calls than
/// tolerated. Generated code that runs the variant itself calls it too.
///
/// # Safety
/// With the GIL held.
pub unsafe extern "C" fn frameless_gave_back(target: &mut CallTarget) {
    // SAFETY: see above.
    unsafe {
        if !ffi::PyErr_Occurred().is_null() {
            ffi::PyErr_Clear();
        }
    }
    stats::bump(&stats::FRAMELESS_BAILS);
    target.frameless_bails += 1;
    let tolerated = FRAMELESS_BAILS_TOLERATED.max((target.entered / 16).min(u64::from(u32::MAX)) as u32);
    if target.frameless_bails > tolerated {
        target.frameless = None;
    }
}

/// Pushes and initializes a frame of `target`'s code for `function`, its
/// parameters bound to the arguments at `args` (moved), one each, as in a
/// call whose arguments are exactly its parameters, `behind` words above
/// the data stack's top (room the caller fills); returns the frame and the
/// number of slots bound, or None with nothing done (no room).
///
/// # Safety
/// As `enter_compiled`'s (the code may run in the interpreter), with
/// `target.plain_arity` arguments at `args`.
#[inline(always)]
pub unsafe fn bind_exactly(
    ts: &ThreadState,
    function: *mut PyObject,
    args: *const *mut PyObject,
    target: &CallTarget,
    behind: usize,
) -> Option<(*mut Frame, usize)> {
    // SAFETY: see above.
    unsafe {
        let frame = push_frame(ts, behind + target.frame_words as usize)?.cast::<usize>().add(behind).cast::<Frame>();
        initialize(frame, function, target.code, target.nlocalsplus);
        let argcount = target.plain_arity as usize;
        Some((frame, bind_positionally(&*frame, args, argcount, argcount, std::ptr::null_mut())))
    }
}

/// `bind_exactly` for any call `enter_compiled` enters: the parameters the
/// arguments leave unbound take their defaults, and `*args` and
/// `**kwargs` get a new tuple of the rest and an empty dict; the frame is
/// pushed `behind` words above the data stack's top (room the caller
/// fills). None with nothing done when that cannot be done (too few
/// arguments for the defaults, a keyword-only parameter without a default,
/// an allocation failed, no room).
///
/// # Safety
/// As `enter_compiled`'s.
#[inline(always)]
pub unsafe fn bind_with_defaults(
    ts: &ThreadState,
    function: *mut PyObject,
    args: *const *mut PyObject,
    nargs: usize,
    target: &CallTarget,
    behind: usize,
) -> Option<(*mut Frame, usize)> {
    // SAFETY: see above.
    unsafe {
        let argcount = target.argcount as usize;
        // The last parameters the arguments leave unbound take the last defaults.
        let defaults: *mut PyObject = read_field(function.cast(), abi::FUNC_DEFAULTS);
        let default_count = if defaults.is_null() { 0 } else { ffi::PyTuple_GET_SIZE(defaults) as usize };
        if nargs + default_count < argcount {
            return None;
        }
        let collected = Collected::new(target, nargs)?;
        let Some(block) = push_frame(ts, behind + target.frame_words as usize) else {
            collected.release();
            return None;
        };
        let frame = block.cast::<usize>().add(behind).cast::<Frame>();
        let fr = &*frame;
        // The keyword-only defaults are looked up once, after the last
        // allocation (whose finalizers could change them), into their slots
        // of the frame, which nothing reads before it is initialized;
        // nothing runs until they get their references below.
        let kwonly = argcount..argcount + target.kwonlyargcount as usize;
        if !kwonly.is_empty() {
            let kwdefaults: *mut PyObject = read_field(function.cast(), abi::FUNC_KWDEFAULTS);
            if !keyword_only_defaults(target, kwdefaults, |slot, value| *fr.slot(slot) = value) {
                pop_frame(ts, block);
                collected.release();
                return None;
            }
        }
        initialize(frame, function, target.code, target.nlocalsplus);
        bind_positionally(fr, args, nargs, argcount, defaults);
        for slot in kwonly.clone() {
            ffi::Py_INCREF(*fr.slot(slot));
        }
        Some((frame, collected.bind(fr, args, nargs, argcount, kwonly.end)))
    }
}

/// Passes each keyword-only parameter of `target`'s code (the slots after
/// its positional ones) with its default in `kwdefaults` (a function's
/// `__kwdefaults__`, or NULL) to `bind`; returns whether every one has a
/// default, stopping at the first without. Also false, leaving the call to
/// the runtime, when `kwdefaults` has keys other than exact strs, whose
/// comparisons could run code or fail.
///
/// # Safety
/// With the GIL held; `target` is a live code's state; `kwdefaults` is NULL
/// or a dict.
unsafe fn keyword_only_defaults(
    target: &CallTarget,
    kwdefaults: *mut PyObject,
    mut bind: impl FnMut(usize, *mut PyObject),
) -> bool {
    // SAFETY: see above; parameter names are exact strs of the code's
    // `co_localsplusnames`, whose hashes are cached, so looking one up among
    // exact str keys compares strs only and cannot fail.
    unsafe {
        if kwdefaults.is_null() {
            return target.kwonlyargcount == 0;
        }
        let keys: *const u8 = read_field(kwdefaults.cast(), abi::DICT_KEYS);
        if usize::from(*keys.add(abi::KEYS_KIND)) == abi::KEYS_KIND_GENERAL {
            return false;
        }
        let names = abi::code_object(target.code, abi::CODE_LOCALSPLUSNAMES);
        let first = target.argcount as usize;
        for slot in first..first + target.kwonlyargcount as usize {
            let value = keyword_default(kwdefaults, slot - first, ffi::PyTuple_GET_ITEM(names, slot as isize));
            if value.is_null() {
                return false;
            }
            bind(slot, value);
        }
        true
    }
}

/// `kwdefaults[name]` (borrowed; NULL when absent), for `name`, the name of
/// a function's `position`th keyword-only parameter, and `kwdefaults`, its
/// `__kwdefaults__`. The dict the compiler makes (`BUILD_CONST_KEY_MAP`)
/// holds the defaults in the parameters' order under the same interned
/// names, so the entry at `position` is tried first: a live entry holding
/// `name` itself is the one a lookup finds, as a dict's keys are unique.
/// Other dicts are looked up (`PyDict_GetItemWithError`: a dict of keys
/// other than exact strs may raise).
///
/// # Safety
/// With the GIL held; `kwdefaults` is a live dict, `name` an exact str.
pub unsafe fn keyword_default(kwdefaults: *mut PyObject, position: usize, name: *mut PyObject) -> *mut PyObject {
    // SAFETY: see above; `dict_entry` reads only within the dict's table.
    unsafe {
        match super::caches::dict_entry(kwdefaults, position) {
            Some((key, value)) if key == name && !value.is_null() => value,
            _ => ffi::PyDict_GetItemWithError(kwdefaults, name),
        }
    }
}

/// The tuple for `*args` and the dict for `**kwargs` of a call that
/// `enter_compiled` runs, made before its frame is pushed so that failing to
/// make them leaves nothing done.
struct Collected {
    varargs: Option<*mut PyObject>,
    varkeywords: Option<*mut PyObject>,
}

impl Collected {
    /// New, empty, for a call of `target` with `nargs` positional
    /// arguments; None (no exception set) when allocating failed.
    ///
    /// # Safety
    /// With the GIL held.
    // Inline: most calls collect nothing, and returning the struct through
    // memory cost the hot call path a store-forwarding stall.
    #[inline(always)]
    unsafe fn new(target: &CallTarget, nargs: usize) -> Option<Collected> {
        // SAFETY: with the GIL held; the objects are new and owned here.
        unsafe {
            let mut collected = Collected { varargs: None, varkeywords: None };
            if target.varargs {
                let extra = nargs.saturating_sub(target.argcount as usize);
                collected.varargs = Some(ffi::PyTuple_New(extra as isize)).filter(|tuple| !tuple.is_null());
            }
            if target.varkeywords {
                collected.varkeywords = Some(ffi::PyDict_New()).filter(|dict| !dict.is_null());
            }
            if target.varargs && collected.varargs.is_none() || target.varkeywords && collected.varkeywords.is_none() {
                collected.release();
                ffi::PyErr_Clear();
                return None;
            }
            Some(collected)
        }
    }

    /// Moves the arguments after the first `argcount` of the `nargs` at
    /// `args` into the tuple, and binds the tuple and the dict from slot
    /// `first` (after the parameters), as CPython's `initialize_locals`
    /// does; returns the first slot left unbound.
    ///
    /// # Safety
    /// `frame` is a fresh frame whose parameters' slots are bound; `args`
    /// holds `nargs` owned references.
    unsafe fn bind(self, frame: &Frame, args: *const *mut PyObject, nargs: usize, argcount: usize, first: usize) -> usize {
        // SAFETY: see above; the tuple was made with room for the extra arguments.
        unsafe {
            let mut next = first;
            if let Some(tuple) = self.varargs {
                for i in argcount..nargs {
                    ffi::PyTuple_SET_ITEM(tuple, (i - argcount) as isize, *args.add(i));
                }
                *frame.slot(next) = tuple;
                next += 1;
            }
            if let Some(dict) = self.varkeywords {
                *frame.slot(next) = dict;
                next += 1;
            }
            next
        }
    }

    /// Releases what was made, unbound.
    ///
    /// # Safety
    /// With the GIL held.
    unsafe fn release(self) {
        // SAFETY: the objects are owned here.
        unsafe {
            for object in [self.varargs, self.varkeywords].into_iter().flatten() {
                ffi::Py_DECREF(object);
            }
        }
    }
}

/// Bytes of C stack left free below a compiled frame, for the helpers and C
/// functions it calls (which have recursion checks of their own), and for
/// the compiled frames (at most a few hundred bytes each) started between
/// two measurements.
const C_STACK_RESERVE: usize = 64 * 1024;
/// Python recursion levels between two measurements of the C stack: the
/// levels where `recursion_remaining` is a multiple of it measure.
pub const C_STACK_CHECK_PERIOD: i32 = 8;

/// A thread's C stack: its lowest address, and the lowest address compiled
/// code may start a frame at (the lowest plus `C_STACK_RESERVE`, or a
/// quarter of a small stack); `provisional` while both are a safe estimate
/// rather than measured (`main_thread_c_stack`).
#[derive(Clone, Copy)]
struct CStack {
    low: usize,
    floor: usize,
    provisional: bool,
}

thread_local! {
    /// This thread's C stack, once estimated or measured.
    static C_STACK: std::cell::Cell<Option<CStack>> = const { std::cell::Cell::new(None) };
}

/// The address of the caller's stack frame, near enough.
#[inline(always)]
fn stack_position() -> usize {
    let marker = 0u8;
    std::ptr::addr_of!(marker) as usize
}

#[inline(always)]
fn c_stack() -> CStack {
    C_STACK.get().unwrap_or_else(first_c_stack)
}

/// Estimates or measures this thread's C stack, once.
#[cold]
#[inline(never)]
fn first_c_stack() -> CStack {
    let stack = main_thread_c_stack().unwrap_or_else(measure_c_stack);
    C_STACK.set(Some(stack));
    stack
}

/// This thread's C stack measured, replacing a provisional estimate.
#[cold]
#[inline(never)]
fn measured_c_stack() -> CStack {
    let stack = measure_c_stack();
    C_STACK.set(Some(stack));
    stack
}

/// Whether this thread's C stack is too nearly used up for another compiled
/// frame. The interpreter runs Python calls without C recursion, so a
/// recursion limit that fits its frames can overflow a small thread stack
/// (`threading.stack_size`) with compiled ones: this turns that into a
/// RecursionError.
#[inline(always)]
pub fn c_stack_exhausted() -> bool {
    let stack = c_stack();
    stack_position() < stack.floor && (!stack.provisional || stack_position() < measured_c_stack().floor)
}

/// Whether this thread has `bytes` of C stack free below the caller's frame.
pub fn c_stack_has(bytes: usize) -> bool {
    let stack = c_stack();
    let free = |stack: CStack| stack_position().saturating_sub(stack.low) >= bytes;
    free(stack) || stack.provisional && free(measured_c_stack())
}

/// The main thread's C stack, estimated without `pthread_getattr_np`, which
/// reads and parses `/proc/self/maps` for it (tens of microseconds of every
/// start-up with the JIT on). The kernel lets the stack grow to
/// `RLIMIT_STACK` below its top, and keeps the arguments and environment
/// above `__libc_stack_end` within a quarter of that limit: so the stack
/// certainly reaches half the limit below `__libc_stack_end`, where the
/// estimate puts its lowest address. A thread that goes deeper measures
/// (`measured_c_stack`). None for a caller not running between that estimate
/// and `__libc_stack_end` (any other thread, also the one that forked a
/// child, whose stack the child runs on), and for a limit that is unlimited,
/// small or so large that mappings may lie within it.
fn main_thread_c_stack() -> Option<CStack> {
    extern "C" {
        /// The top of the main thread's stack when the program started (glibc's ld.so).
        static __libc_stack_end: *mut libc::c_void;
    }
    // SAFETY: getrlimit fills `limit`; `__libc_stack_end` is set by the
    // dynamic loader before any code of the process runs, and never written
    // again.
    let (limit, top) = unsafe {
        let mut limit: libc::rlimit = std::mem::zeroed();
        (libc::getrlimit(libc::RLIMIT_STACK, &mut limit) == 0).then_some((limit.rlim_cur, __libc_stack_end as usize))?
    };
    if !(1 << 20..=1 << 28).contains(&limit) {
        return None;
    }
    let low = top.checked_sub(limit as usize / 2)?;
    (low..top).contains(&stack_position()).then_some(CStack { low, floor: low + C_STACK_RESERVE, provisional: true })
}

fn measure_c_stack() -> CStack {
    // Unknown bounds: no limit is enforced.
    let unknown = CStack { low: 0, floor: 0, provisional: false };
    // SAFETY: pthread_getattr_np fills `attr` for the calling thread, which
    // is destroyed after its stack bounds are read.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return unknown;
        }
        let mut low: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        let status = libc::pthread_attr_getstack(&attr, &mut low, &mut size);
        libc::pthread_attr_destroy(&mut attr);
        if status != 0 {
            return unknown;
        }
        CStack { low: low as usize, floor: low as usize + C_STACK_RESERVE.min(size / 4), provisional: false }
    }
}
