//! Leaving compiled code: handing a frame to the interpreter, and serving
//! the eval breaker (signals, pending calls, GIL requests) for compiled code.

use crate::abi::{self, ffi as abi_ffi, Frame, ThreadState, ThreadStateExt};
use crate::stats;
use pyo3::ffi::{self, PyCodeObject, PyObject};
use std::ffi::c_int;
use std::sync::OnceLock;

/// `exit_to_interpreter`'s `throwflag` for continuing after an instruction
/// whose compiled code speculated on what its generic path makes and was
/// wrong (`Optimization::KnownFloatResults`): as 0, with the frame handed to
/// the runtime (`CONTINUE_AFTER_FAILED_SPECULATION`).
pub const AFTER_FAILED_SPECULATION: isize = 2;

/// Runs on a frame whose compiled code speculated wrongly, given as
/// `exit_to_interpreter` hands a frame to the interpreter, and returns its
/// result: the runtime, which decides what code runs, sets it, to count the
/// failure against the code and to continue the frame natively again where
/// it can. Unset, the interpreter continues the frame.
pub static CONTINUE_AFTER_FAILED_SPECULATION: OnceLock<unsafe fn(*mut ThreadState, *mut Frame) -> *mut PyObject> =
    OnceLock::new();

/// Called by compiled code to hand its frame to the interpreter, which runs
/// it to completion: continuing after code unit `prev_index`, or, with
/// `throwflag` 1, unwinding the exception pending at `prev_index` (traceback
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
        let counter = if throwflag == 1 { &stats::EXCEPTION_EXITS } else { &stats::DEOPTS };
        stats::bump(counter);
        fr.set_lasti(prev_index);
        fr.set_stacktop(stacktop as i32);
        // The interpreter links the frame and counts its recursion depth
        // itself; undo ours around it so both stay exact.
        ts.set_current_frame(fr.previous());
        *ts.recursion_remaining() += 1;
        let result = match (throwflag, CONTINUE_AFTER_FAILED_SPECULATION.get()) {
            (1, _) => unwind_in_interpreter(tstate, frame),
            (AFTER_FAILED_SPECULATION, Some(run_on)) => run_on(tstate, frame),
            _ => abi_ffi::_PyEval_EvalFrameDefault(tstate, frame, 0),
        };
        *ts.recursion_remaining() -= 1;
        ts.set_current_frame(frame);
        result
    }
}

/// Runs `frame`, linked nowhere, in the interpreter from the exception
/// pending at its `prev_instr` (traceback entry and exception-table handler
/// included), as a frame that was running all along: no trace or profile
/// function sees it entered.
///
/// # Safety
/// With the GIL held by `tstate`; `frame` holds its value stack up to
/// `stacktop`, and no C code is running it.
pub unsafe fn unwind_in_interpreter(tstate: *mut ThreadState, frame: *mut Frame) -> *mut PyObject {
    // SAFETY: see above.
    unsafe {
        let ts = &*tstate;
        if ts.use_tracing() && ts.tracing() == 0 {
            unwind_without_entry_event(ts, tstate, frame)
        } else {
            abi_ffi::_PyEval_EvalFrameDefault(tstate, frame, 1)
        }
    }
}

/// `exit_to_interpreter` unwinding the pending exception from code unit
/// `unwind_at`, which no handler covers (the exception leaves the frame),
/// with this frame's traceback entry then moved to code unit `report_at`.
/// This is how CPython 3.11 reports an error in the second instruction of a
/// superinstruction whose two instructions are handled differently (see
/// `codegen::ops::locals::raise_unbound_in_superinstruction`): the
/// traceback and the frame show the first, where `prev_instr` is, and the
/// handler is looked up after the second.
pub unsafe extern "C" fn raise_reported_at(
    tstate: *mut ThreadState,
    frame: *mut Frame,
    report_at: isize,
    stacktop: isize,
    unwind_at: isize,
) -> *mut PyObject {
    // SAFETY: as `exit_to_interpreter`'s; the code object is held across the
    // call, which releases the frame.
    unsafe {
        let code = (*frame).code();
        ffi::Py_INCREF(code.cast());
        let result = exit_to_interpreter(tstate, frame, unwind_at, stacktop, 1);
        if result.is_null() {
            move_traceback_entry(code, unwind_at, report_at);
        }
        ffi::Py_DECREF(code.cast());
        result
    }
}

/// Moves the traceback entry the interpreter just added for a frame of
/// `code` at code unit `from` (the head of the pending exception's
/// traceback) to code unit `to`: its `tb_lasti` and `tb_lineno`, and the
/// position of the frame object it holds.
///
/// SAFETY: an exception is pending; `code` is live.
unsafe fn move_traceback_entry(code: *mut PyCodeObject, from: isize, to: isize) {
    // SAFETY: see above; a traceback object's fields are probed, and the
    // frame object of a finished frame owns its interpreter frame.
    unsafe {
        let (mut kind, mut value, mut traceback) = (std::ptr::null_mut(), std::ptr::null_mut(), std::ptr::null_mut());
        ffi::PyErr_Fetch(&mut kind, &mut value, &mut traceback);
        if !traceback.is_null() && ffi::PyTraceBack_Check(traceback) != 0 {
            let tb = traceback.cast::<u8>();
            let frame_object: *mut ffi::PyFrameObject = abi::read_field(tb, abi::TRACEBACK_FRAME);
            let lasti: c_int = abi::read_field(tb, abi::TRACEBACK_LASTI);
            let frame_code = ffi::PyFrame_GetCode(frame_object);
            ffi::Py_DECREF(frame_code.cast());
            if frame_code == code && lasti as isize == 2 * from {
                abi::write_field(tb, abi::TRACEBACK_LASTI, (2 * to) as c_int);
                abi::write_field(tb, abi::TRACEBACK_LINENO, ffi::PyCode_Addr2Line(code, (2 * to) as c_int));
                let interpreter_frame: *mut Frame = abi::read_field(frame_object.cast(), abi::FRAME_OBJECT_FRAME);
                (*interpreter_frame).set_lasti(to);
            }
        }
        ffi::PyErr_Restore(kind, value, traceback);
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
        let interp: *const u8 = abi::read_field(tstate.cast(), abi::TSTATE_INTERP);
        let breaker = || abi::read_field::<i32>(interp, abi::INTERP_EVAL_BREAKER) != 0;
        // A pending call added while the calls ran (the loop-tiering
        // watchdog's, from its own thread) leaves the breaker set: serve it
        // too rather than leave the frame for it.
        for _ in 0..2 {
            if ffi::Py_MakePendingCalls() < 0 {
                return -1;
            }
            if !breaker() {
                return 0;
            }
        }
        // Another thread asked for the GIL: let it run.
        let saved = ffi::PyEval_SaveThread();
        ffi::PyEval_RestoreThread(saved);
        isize::from(breaker())
    }
}
