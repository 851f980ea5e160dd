//! The runtime: the PEP 523 frame-evaluation hook, per-code state, compiling
//! code objects, running native code on CPython's frames, and handing frames
//! back to the interpreter.

pub mod background;
pub mod clock;
pub mod direct;
pub mod introspect;
pub mod osr;
pub mod perf_map;
pub mod state;
pub mod tiering;

use crate::abi::{ffi as abi_ffi, Frame, ThreadState, ThreadStateExt};
use crate::helpers::frames::{self, c_stack_exhausted, run_native, C_STACK_CHECK_PERIOD};
use crate::helpers::suspend;
use crate::{bytecode, config, stats};
use pyo3::ffi::{self, PyObject};
use state::{CodeState, Tier};
use std::ffi::c_int;

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

/// Starts one of pyjit's own threads (the compiler, the loop watchdog) with
/// the signals a program handles blocked in it: the kernel delivers a signal
/// sent to the process to a thread that does not block it, and one of these
/// would take signals the program's threads block (`pthread_sigmask`),
/// running its handlers somewhere else than under CPython. Faults the
/// thread itself causes (SIGSEGV, SIGBUS, SIGFPE, SIGILL) and SIGABRT stay
/// deliverable, for faulthandler. The thread inherits the mask, blocked
/// here around its creation only.
pub fn spawn_thread<F: FnOnce() + Send + 'static>(builder: std::thread::Builder, body: F) -> std::io::Result<std::thread::JoinHandle<()>> {
    // SAFETY: signal sets are plain data initialised by sigfillset and
    // sigdelset; pthread_sigmask changes only the calling thread's mask,
    // which is restored before returning.
    unsafe {
        let mut blocked: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut blocked);
        for fault in [libc::SIGSEGV, libc::SIGBUS, libc::SIGFPE, libc::SIGILL, libc::SIGABRT] {
            libc::sigdelset(&mut blocked, fault);
        }
        let mut previous: libc::sigset_t = std::mem::zeroed();
        libc::pthread_sigmask(libc::SIG_BLOCK, &blocked, &mut previous);
        let spawned = builder.spawn(body);
        libc::pthread_sigmask(libc::SIG_SETMASK, &previous, std::ptr::null_mut());
        spawned
    }
}

/// Installs the hook. Returns false when `PYJIT_DISABLE=1` keeps it off.
pub fn enable() -> bool {
    if config::disabled() {
        return false;
    }
    clock::init();
    // SAFETY: called with the GIL held; the interpreter state is live.
    unsafe {
        if !INSTALLED {
            let interp = ffi::PyInterpreterState_Get();
            PREVIOUS = abi_ffi::_PyInterpreterState_GetEvalFrameFunc(interp)
                .filter(|f| *f as usize != abi_ffi::_PyEval_EvalFrameDefault as *const () as usize);
            abi_ffi::_PyInterpreterState_SetEvalFrameFunc(interp, Some(eval_frame));
            frames::HOOK.store(eval_frame as *const () as usize, std::sync::atomic::Ordering::Relaxed);
            INSTALLED = true;
            crate::helpers::calls::DIRECT_CALL.get_or_init(|| direct::call);
            crate::helpers::calls::DIRECT_CONSTRUCT.get_or_init(|| direct::construct);
            crate::helpers::instances::DIRECT_INITIALIZE.get_or_init(|| direct::initialize_instance);
            crate::helpers::exits::CONTINUE_AFTER_FAILED_SPECULATION.get_or_init(|| continue_after_failed_speculation);
            osr::note_startup(&*abi_ffi::_PyThreadState_UncheckedGet());
        }
    }
    true
}

/// `helpers::exits::CONTINUE_AFTER_FAILED_SPECULATION`: counts the failure
/// against the code of `frame`, which its native code just left mid-way,
/// and continues the frame in the interpreter, watched for a loop header
/// to continue natively from (`osr::continue_watched`) where frames may be
/// watched (`may_watch`) and the C stack has room for the nesting.
///
/// # Safety
/// With the GIL held; `frame` is handed over as to the interpreter (see
/// `exit_to_interpreter`).
unsafe fn continue_after_failed_speculation(tstate: *mut ThreadState, frame: *mut Frame) -> *mut PyObject {
    // SAFETY: see above; the frame keeps its code, and so its state, alive.
    unsafe {
        let (ts, fr) = (&*tstate, &*frame);
        let watch = match CodeState::existing(fr.code()) {
            Some(state) => {
                state.speculation_failed();
                may_watch(ts, fr, state) && !c_stack_exhausted()
            }
            None => false,
        };
        if watch {
            osr::continue_watched(tstate, frame)
        } else {
            abi_ffi::_PyEval_EvalFrameDefault(tstate, frame, 0)
        }
    }
}

/// Whether `fr`, a frame of `state`'s code running on the thread `ts`, may
/// run in the interpreter watched for a loop header to continue natively
/// from (`osr`): loop tiering is on, the code has loops (and is no
/// generator's or coroutine's), the thread is the main one (pending calls,
/// which stop a watched frame, run nowhere else), and start-up is over.
/// Inline in `run_frame`, where most frames' code has no loops: the answer
/// for them is two loads.
#[inline(always)]
fn may_watch(ts: &ThreadState, fr: &Frame, state: &mut CodeState) -> bool {
    config::osr() && state.watch_loops(fr.code()) && watchable_thread(ts)
}

/// The rest of `may_watch`: the thread is the main one, past start-up.
fn watchable_thread(ts: &ThreadState) -> bool {
    // SAFETY: _PyOS_IsMainThread only compares thread identities.
    let main = unsafe { abi_ffi::_PyOS_IsMainThread() != 0 };
    main && osr::startup_over(ts)
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

/// Whether the frames pyjit does not run go to CPython's own interpreter
/// (no other PEP 523 evaluator was installed before pyjit's).
pub fn evaluates_after_cpython() -> bool {
    // SAFETY: read under the GIL.
    unsafe { (*std::ptr::addr_of!(PREVIOUS)).is_none() }
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
    // produces trace events and unwinds thrown exceptions. A frame that
    // already started and is no generator's (one whose closure was copied
    // by an early `f_locals` access) continues there too: it is no new run
    // of its code. A generator's frame resumes wherever its code runs.
    if throwflag != 0 || ts.use_tracing() || fr.lasti() != -1 && !fr.owned_by_generator() {
        // SAFETY: unchanged hand-over.
        return unsafe { delegate(tstate, frame, throwflag) };
    }
    let Some(state) = CodeState::of(fr.code()) else {
        // SAFETY: unchanged hand-over.
        return unsafe { delegate(tstate, frame, throwflag) };
    };
    if !fr.owned_by_generator() {
        // Later calls from C and the interpreter skip `_PyEval_Vector` and
        // the hook, whatever the code's tier.
        // SAFETY: a fresh frame's function, alive while the frame runs.
        unsafe { direct::install_vectorcall(fr.function()) };
    }
    // SAFETY: a fresh frame, or a generator's, of the state's code.
    unsafe { run_frame(tstate, frame, state) }
}

/// Runs `frame`, a fresh frame or a resumed generator's (no exception
/// thrown in, no tracing) of the code `state` belongs to, where its tier
/// says: counts the run, compiles the code when it is worth it, and runs
/// native code, or watches the frame for hot loops, or times it in the
/// interpreter. The hook runs every such frame here, and so do direct calls
/// from compiled code (`direct::call`), which push the frame themselves.
/// The first run of a generator's code, which only creates the generator
/// object (`RETURN_GENERATOR`), is the interpreter's; native code
/// continues the generator's frame where it was suspended.
///
/// # Safety
/// With the GIL held; `frame` is linked as described and its code is
/// `state`'s.
#[inline(always)]
pub(crate) unsafe fn run_frame(tstate: *mut ThreadState, frame: *mut Frame, state: &mut CodeState) -> *mut PyObject {
    // SAFETY: see above.
    let (ts, fr) = unsafe { (&*tstate, &*frame) };
    // The C stack is measured at every `C_STACK_CHECK_PERIOD`th level of
    // Python recursion: `C_STACK_RESERVE` covers the levels between. Every
    // level passes here, compiled or interpreted, as each level that
    // compiled code takes part in uses C stack.
    // SAFETY: a live thread state's field.
    if unsafe { *ts.recursion_remaining() } % C_STACK_CHECK_PERIOD == 0 && c_stack_exhausted() {
        // SAFETY: unchanged hand-over of the frame.
        return unsafe { run_unhooked(tstate, frame) };
    }
    state.runs += 1;
    match state.tier() {
        Tier::Counting => {
            state.attach_cached(fr.code());
            if state.worth_compiling() && room_to_compile() {
                state.compile(fr.code(), false);
            }
        }
        Tier::Compiling(_) => state.poll(fr.code()),
        _ => {}
    }
    if let Some((entry, data)) = state.native_entry() {
        if fr.owned_by_generator() {
            stats::bump(&stats::NATIVE_RESUMES);
        } else if state.call_target().creates_generator {
            // SAFETY: a fresh frame of the state's code, linked nowhere yet;
            // CPython clears it when this returns, refilled for that.
            let created = unsafe { suspend::create_generator(ts, frame).inspect(|_| frames::refill_for_clearing(frame)) };
            if let Some(generator) = created {
                return generator;
            }
            // SAFETY: unchanged hand-over.
            return unsafe { delegate(tstate, frame, 0) };
        }
        state.native_entries += 1;
        stats::bump(&stats::NATIVE_CALLS);
        // SAFETY: entry is live native code for this frame's code object,
        // which the frame keeps alive, and `data` its data block.
        return unsafe { run_native(tstate, frame, entry, data) };
    }
    // A frame that starts while its code compiles on the compiler thread is
    // watched too: it continues natively once the compile is done.
    if matches!(state.tier(), Tier::Counting | Tier::Compiling(_)) && may_watch(ts, fr, state) {
        // SAFETY: a fresh frame on the main thread, with the GIL.
        return unsafe { osr::run_watched(tstate, frame) };
    }
    let timed = matches!(state.tier(), Tier::Counting) && config::threshold().is_none();
    let weight = if timed { tiering::timing_weight(state.runs) } else { 0 };
    if weight > 0 {
        // Its callers may compile before it: they learn at its second run
        // whether calls can run it without a frame. A trivial body compiles
        // then: that costs next to nothing, and until it has native code its
        // calls need a frame (also in callers' frameless variants, which
        // give such a call back).
        if state.runs == 2 && bytecode::note_if_callee_without_frame(fr.code()) {
            state.cover_compile_cost();
        }
        let state: *mut CodeState = state;
        // SAFETY: unchanged hand-over.
        let (result, own) = tiering::timed(|| unsafe { delegate(tstate, frame, 0) });
        // SAFETY: the frame keeps its code object, and so this state, alive;
        // the state is reached through the pointer again because frames of
        // the same code run in between.
        unsafe { (*state).add_interpreted(weight * own, fr.code()) };
        return result;
    }
    // SAFETY: unchanged hand-over.
    unsafe { delegate(tstate, frame, 0) }
}

/// Nested `run_unhooked` calls (of any thread) under way. Touched with the GIL held.
static mut UNHOOKED: u32 = 0;

/// Runs `frame` in the interpreter with pyjit's hook taken out until it
/// returns: for a frame that starts with its thread's C stack nearly used up.
/// Without a hook, CPython's interpreter runs the calls the frame makes
/// within the same C frame, so the recursion below goes on as deep as it
/// would without pyjit (to the recursion limit) instead of needing C stack
/// per level. Frames that other threads start meanwhile run in the
/// interpreter too; the hook is back once the last such frame returns
/// (unless `disable` was called meanwhile).
///
/// # Safety
/// As for the hook: with the GIL held, a fresh frame.
#[cold]
unsafe fn run_unhooked(tstate: *mut ThreadState, frame: *mut Frame) -> *mut PyObject {
    // SAFETY: with the GIL held (see above); the interpreter state is live.
    unsafe {
        let interp = ffi::PyInterpreterState_Get();
        UNHOOKED += 1;
        abi_ffi::_PyInterpreterState_SetEvalFrameFunc(interp, PREVIOUS);
        let result = delegate(tstate, frame, 0);
        UNHOOKED -= 1;
        if UNHOOKED == 0 && INSTALLED {
            abi_ffi::_PyInterpreterState_SetEvalFrameFunc(interp, Some(eval_frame));
        }
        result
    }
}

/// Bytes of C stack a thread must have free to compile: Cranelift needs
/// tens of KiB (a 64 KiB thread overflowed compiling a small function).
/// Code first run on a thread with less stays interpreted until it runs
/// where there is room.
const COMPILE_STACK: usize = 256 * 1024;

/// Whether this thread has the C stack to compile here (`COMPILE_STACK`).
fn room_to_compile() -> bool {
    frames::c_stack_has(COMPILE_STACK)
}
