//! The runtime: the PEP 523 frame-evaluation hook, per-code state, compiling
//! code objects, running native code on CPython's frames, and handing frames
//! back to the interpreter.

pub mod ceval;
pub mod config;
pub mod introspect;
pub mod native;
pub mod perf_map;
pub mod state;
pub mod stats;

use crate::abi::{self, ffi as abi_ffi, Frame, ThreadState, ThreadStateExt};
use pyo3::ffi::{self, PyObject};
use state::{CodeState, Tier};
use std::ffi::c_int;
use std::sync::atomic::Ordering;

/// The evaluator pyjit replaced (another PEP 523 user's, or NULL for
/// CPython's own); frames pyjit does not run go there.
static mut PREVIOUS: Option<abi_ffi::EvalFrameFn> = None;
static mut INSTALLED: bool = false;

/// Runs `frame` in the evaluator pyjit replaced.
unsafe fn delegate(tstate: *mut ThreadState, frame: *mut Frame, throwflag: c_int) -> *mut PyObject {
    // SAFETY: PREVIOUS is written only under the GIL in enable/disable; the
    // frame is handed on unchanged.
    unsafe {
        match PREVIOUS {
            Some(previous) => previous(tstate, frame, throwflag),
            None => abi_ffi::_PyEval_EvalFrameDefault(tstate, frame, throwflag),
        }
    }
}

/// Installs the hook. Returns false when `PYJIT_DISABLE=1` keeps it off.
pub fn enable() -> bool {
    if config::disabled() {
        return false;
    }
    // SAFETY: called with the GIL held; the interpreter state is live.
    unsafe {
        if !INSTALLED {
            let interp = ffi::PyInterpreterState_Get();
            PREVIOUS = abi_ffi::_PyInterpreterState_GetEvalFrameFunc(interp)
                .filter(|f| *f as usize != abi_ffi::_PyEval_EvalFrameDefault as *const () as usize);
            abi_ffi::_PyInterpreterState_SetEvalFrameFunc(interp, Some(eval_frame));
            INSTALLED = true;
        }
    }
    true
}

/// Restores the evaluator that was in place before `enable`.
pub fn disable() {
    // SAFETY: called with the GIL held.
    unsafe {
        if INSTALLED {
            let interp = ffi::PyInterpreterState_Get();
            abi_ffi::_PyInterpreterState_SetEvalFrameFunc(interp, PREVIOUS);
            INSTALLED = false;
        }
    }
}

pub fn is_enabled() -> bool {
    // SAFETY: read under the GIL.
    unsafe { INSTALLED }
}

/// The PEP 523 hook: every Python frame of the interpreter starts here.
unsafe extern "C" fn eval_frame(tstate: *mut ThreadState, frame: *mut Frame, throwflag: c_int) -> *mut PyObject {
    // SAFETY: CPython passes the running thread state and a live frame.
    let (ts, fr) = unsafe { (&*tstate, &*frame) };
    // Generator resumption with an exception, and frames run while a trace or
    // profile function is installed, belong to the interpreter: it alone
    // produces trace events and unwinds thrown exceptions.
    if throwflag != 0 || ts.use_tracing() {
        // SAFETY: unchanged hand-over.
        return unsafe { delegate(tstate, frame, throwflag) };
    }
    let Some(state) = CodeState::of(fr.code()) else {
        // SAFETY: unchanged hand-over.
        return unsafe { delegate(tstate, frame, throwflag) };
    };
    state.runs += 1;
    if state.runs == 1 && config::recording() {
        if let Some(key) = state.key(fr.code()) {
            crate::cache::attach::record(key);
        }
    }
    state.attach_cached(fr.code());
    if matches!(state.tier, Tier::Counting) && state.runs > config::threshold() {
        state.compile(fr.code());
    }
    match &state.tier {
        // A frame that already started (a generator, or one whose closure was
        // copied by an early `f_locals` access) continues in the interpreter.
        Tier::Native(code) if fr.lasti() == -1 => {
            let entry = code.entry();
            stats::NATIVE_CALLS.fetch_add(1, Ordering::Relaxed);
            // SAFETY: entry is live native code for this frame's code object,
            // which the frame keeps alive.
            unsafe { run_native(tstate, frame, entry) }
        }
        // SAFETY: unchanged hand-over.
        _ => unsafe { delegate(tstate, frame, throwflag) },
    }
}

pub type Entry = unsafe extern "C" fn(*mut ThreadState, *mut Frame) -> *mut PyObject;

/// Runs compiled code on `frame`, with the frame discipline of
/// `_PyEval_EvalFrameDefault`: recursion accounting, the frame linked as the
/// thread's current frame while it runs, and unlinked afterwards.
unsafe fn run_native(tstate: *mut ThreadState, frame: *mut Frame, entry: Entry) -> *mut PyObject {
    // SAFETY: tstate and frame are live (see eval_frame).
    unsafe {
        let (ts, fr) = (&*tstate, &*frame);
        if ffi::Py_EnterRecursiveCall(c"".as_ptr()) != 0 {
            return std::ptr::null_mut();
        }
        fr.set_previous(ts.current_frame());
        ts.set_current_frame(frame);
        // While the frame runs its value stack is private, as in the
        // interpreter.
        fr.set_stacktop(-1);
        let result = entry(tstate, frame);
        ts.set_current_frame(fr.previous());
        ffi::Py_LeaveRecursiveCall();
        result
    }
}

/// Called by compiled code to hand its frame to the interpreter, which runs
/// it to completion: continuing after code unit `prev_index`, or, with
/// `throwflag`, unwinding the exception pending at `prev_index` (traceback
/// entry and exception-table handler included). `stacktop` counts localsplus
/// plus the value stack written to the frame.
pub unsafe extern "C" fn exit_to_interpreter(
    tstate: *mut ThreadState,
    frame: *mut Frame,
    prev_index: isize,
    stacktop: isize,
    throwflag: isize,
) -> *mut PyObject {
    // SAFETY: called from native code running `frame` on `tstate`.
    unsafe {
        let (ts, fr) = (&*tstate, &*frame);
        let counter = if throwflag != 0 { &stats::EXCEPTION_EXITS } else { &stats::DEOPTS };
        counter.fetch_add(1, Ordering::Relaxed);
        fr.set_lasti(prev_index);
        fr.set_stacktop(stacktop as i32);
        // The interpreter links the frame and counts its recursion depth
        // itself; undo ours around it so both stay exact.
        ts.set_current_frame(fr.previous());
        *ts.recursion_remaining() += 1;
        let result = if throwflag != 0 && ts.use_tracing() && ts.tracing() == 0 {
            unwind_without_entry_event(ts, tstate, frame)
        } else {
            abi_ffi::_PyEval_EvalFrameDefault(tstate, frame, throwflag as c_int)
        };
        *ts.recursion_remaining() -= 1;
        ts.set_current_frame(frame);
        result
    }
}

thread_local! {
    /// The trace and profile functions set aside by
    /// `unwind_without_entry_event`, and how many entry events remain to skip.
    static SET_ASIDE: std::cell::Cell<Option<([Option<abi::TraceFunc>; 2], u32)>> =
        const { std::cell::Cell::new(None) };
}

/// Unwinds the pending exception of `frame` in the interpreter while a trace
/// or profile function is installed. Entered with `throwflag`, the
/// interpreter first reports a `call` event, as for `generator.throw()`; but
/// this frame's call was not traced (tracing started while it ran natively),
/// and CPython would report none. So the installed functions are replaced by
/// `skip_entry_event` for exactly those entry events, then restored, and
/// every later event (`exception`, `line`, `return`) reaches them.
unsafe fn unwind_without_entry_event(ts: &ThreadState, tstate: *mut ThreadState, frame: *mut Frame) -> *mut PyObject {
    let installed = ts.trace_functions();
    let pending = installed.iter().flatten().count() as u32;
    SET_ASIDE.set(Some((installed, pending)));
    let skip: abi::TraceFunc = skip_entry_event;
    ts.set_trace_functions(installed.map(|f| f.map(|_| skip)));
    // SAFETY: as in `exit_to_interpreter`.
    let result = unsafe { abi_ffi::_PyEval_EvalFrameDefault(tstate, frame, 1) };
    // The entry events are normally skipped at once; if the interpreter
    // failed before making them, restore the functions here.
    if let Some((installed, _)) = SET_ASIDE.take() {
        ts.set_trace_functions(installed);
    }
    result
}

/// Stands in for the trace and profile functions during the entry events of
/// `unwind_without_entry_event`: ignores them, then puts the real ones back.
unsafe extern "C" fn skip_entry_event(_: *mut PyObject, _: *mut ffi::PyFrameObject, _: c_int, _: *mut PyObject) -> c_int {
    if let Some((installed, pending)) = SET_ASIDE.take() {
        if pending > 1 {
            SET_ASIDE.set(Some((installed, pending - 1)));
        } else {
            // SAFETY: called by the interpreter on the thread that holds the GIL.
            unsafe { (*ffi::PyThreadState_Get().cast::<ThreadState>()).set_trace_functions(installed) };
        }
    }
    0
}

/// Serves `eval_breaker` at function entry and backward jumps: signal
/// handlers, pending calls, and GIL hand-over to other threads. Returns 0 to
/// continue, -1 when a handler raised, 1 when only the interpreter can serve
/// the request (an asynchronous exception).
pub unsafe extern "C" fn handle_eval_breaker(tstate: *mut ThreadState) -> isize {
    // SAFETY: called from native code with the GIL held by `tstate`.
    unsafe {
        if ffi::Py_MakePendingCalls() < 0 {
            return -1;
        }
        let interp: *const u8 = abi::read_field(tstate.cast(), abi::TSTATE_INTERP);
        let breaker = || abi::read_field::<i32>(interp, abi::INTERP_EVAL_BREAKER) != 0;
        if breaker() {
            // Another thread asked for the GIL: let it run.
            let saved = ffi::PyEval_SaveThread();
            ffi::PyEval_RestoreThread(saved);
        }
        isize::from(breaker())
    }
}
