//! Loop tiering: a frame that spends long in a loop in the interpreter
//! continues in compiled code at the loop's header (on-stack replacement),
//! so a hot loop in a function called once runs natively.
//!
//! CPython 3.11 gives a frame-evaluation hook no control inside a running
//! frame, and its interpreter counts back-edges only until it quickens the
//! code. So pyjit samples instead: while a frame whose code has loops runs
//! in the interpreter (a *watched* frame, main thread only), a watchdog
//! thread schedules a pending call every `SAMPLE_PERIOD`. The interpreter
//! runs pending calls at its eval-breaker checks, which include every taken
//! backward jump. When the call finds a watched frame that has run for
//! long enough (`tiering::loop_is_hot`), current and just past a backward jump to a header its
//! compiled code can be entered at, it compiles the code if needed, takes
//! references to the frame's value stack and raises `OsrEntry`. The header
//! is chosen so that no exception handler covers the code unit before it
//! (where the interpreter looks the handler up), so the exception leaves
//! the frame at once: the interpreter drops its value stack, adds a
//! traceback entry and returns NULL to the hook, which still owns the frame
//! (its caller clears it). The hook discards the exception, puts the value
//! stack back and enters the compiled code at the header.
//!
//! A loop that finishes sooner costs one registration; a frame
//! that never reaches an eligible header (a loop inside `try` or `with`)
//! just runs on in the interpreter, its code compiled for later calls.
//!
//! Frames that run while `site` imports are not watched when the JIT was
//! switched on there (by the `.pth` start-up hook): their loops are short,
//! and watching them would start the watchdog thread in every process's
//! start-up (a fifth of a millisecond). Watching starts with the first
//! frame after them (`startup_over`).

use super::state::{CodeState, Tier};
use super::{clock, delegate, tiering};
use crate::helpers::frames::run_native;
use crate::stats;
use crate::abi::{self, Frame, ThreadState, ThreadStateExt};
use pyo3::ffi::{self, PyCodeObject, PyObject};
use std::ffi::{c_int, c_void};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicPtr, AtomicU32, AtomicUsize, Ordering::SeqCst};
use std::sync::Mutex;
use std::thread;
use std::time::Duration;

/// How often the watchdog asks for a sample while a watched frame runs.
const SAMPLE_PERIOD: Duration = Duration::from_millis(1);
/// Idle periods after which the watchdog thread ends; the next watched
/// frame starts another. Ending rather than parking matters in a child
/// forked from a thread other than the main one: its process ends when its
/// last thread does, and a parked watchdog would keep it alive.
const IDLE_SAMPLES: u32 = 100;

/// The exception type that stops the interpreter at a loop header; never
/// seen outside pyjit (no handler can catch it, and the hook discards it).
static OSR_ENTRY: AtomicPtr<PyObject> = AtomicPtr::new(std::ptr::null_mut());

/// Watched frames, innermost last. Touched only with the GIL held, on the
/// main thread (pending calls run nowhere else).
static WATCHED: Mutex<Vec<Watched>> = Mutex::new(Vec::new());

/// Read by the watchdog without the GIL.
static WATCHED_COUNT: AtomicUsize = AtomicUsize::new(0);
static SAMPLE_QUEUED: AtomicBool = AtomicBool::new(false);
/// Watchdog periods `SAMPLE_QUEUED` has been set without `sample` running.
/// The main thread runs a queued call at its next eval-breaker check, so a
/// sample still queued after `LOST_SAMPLE_PERIODS` was lost:
/// `Py_AddPendingCall` called without a thread state queues on the
/// interpreter of whichever thread holds the GIL, read from a thread state
/// that thread may be deleting (a C thread ending, say), and a flag left set
/// would have the watchdog set the main thread's eval breaker for a call
/// that never comes, which a traced frame at its `RESUME` checks forever.
static QUEUED_PERIODS: AtomicU32 = AtomicU32::new(0);
const LOST_SAMPLE_PERIODS: u32 = 100;
/// Set by the watchdog while it may add a pending call, which it does only
/// while a frame is watched: the main thread waits it out when its last
/// watched frame ends (`run_watched`), so no call is added once no Python
/// frame is watched, as during CPython's finalization, which frees the
/// pending-call state.
static ADDING: AtomicBool = AtomicBool::new(false);
/// Whether a watchdog thread runs (or is about to): see `wake_watchdog`
/// and `watch` for how the two agree that exactly one runs while a frame
/// is watched.
static WATCHDOG_RUNNING: AtomicBool = AtomicBool::new(false);
/// `interp->ceval.eval_breaker` of the main interpreter (see `schedule_sample`).
static EVAL_BREAKER: AtomicPtr<AtomicI32> = AtomicPtr::new(std::ptr::null_mut());
/// The main thread's thread state (see `schedule_sample`).
static MAIN_THREAD: AtomicPtr<ThreadState> = AtomicPtr::new(std::ptr::null_mut());

struct Watched {
    /// The frame (address), live while it is in this list.
    frame: usize,
    /// When the frame started, in `clock` ticks; None for a frame that
    /// compiled code left mid-way, whose loops are hot already.
    started: Option<u64>,
    /// Set by `sample` when it stopped the interpreter at an entry: the
    /// entry and the value stack it took references to (addresses).
    entered: Option<(crate::codegen::OsrEntry, Vec<usize>)>,
}

/// Site's module frame while `site` imports with the JIT switched on from
/// inside it (see `note_startup`). Touched with the GIL held.
static SITE_FRAME: Mutex<Option<SiteFrame>> = Mutex::new(None);

/// Site's module frame: its address, its code object (a reference is kept,
/// so no other code object takes its address), and how many frames are
/// below it on its thread.
struct SiteFrame {
    frame: usize,
    code: usize,
    below: usize,
}

/// Notes, when the JIT is switched on, whether that happens while `site`
/// imports: the outermost frame of the thread `ts` that runs code of the
/// module named `site` goes to `SITE_FRAME`.
pub fn note_startup(ts: &ThreadState) {
    let frames = frame_chain(ts);
    // SAFETY: the frames of the running thread's chain are live.
    let site = frames.iter().rposition(|&frame| module_name_is(unsafe { &*frame }.globals(), c"site"));
    let Some(index) = site else { return };
    let frame = frames[index];
    // SAFETY: as above; the code object gets a reference, released in `startup_over`.
    let code = unsafe { (*frame).code() };
    unsafe { ffi::Py_INCREF(code.cast()) };
    *site_frame() = Some(SiteFrame { frame: frame as usize, code: code as usize, below: frames.len() - 1 - index });
}

/// Whether frames the thread `ts` starts now are past start-up (see the
/// module documentation): `site` did not switch the JIT on, or its module
/// frame is no longer on the chain, at the depth it was.
pub fn startup_over(ts: &ThreadState) -> bool {
    let mut site = site_frame();
    let Some(noted) = site.as_ref() else { return true };
    let frames = frame_chain(ts);
    let at_depth = frames.len().checked_sub(noted.below + 1).map(|index| frames[index]);
    // SAFETY: the frames of the running thread's chain are live.
    let running = at_depth.is_some_and(|frame| frame as usize == noted.frame && unsafe { &*frame }.code() as usize == noted.code);
    if running {
        return false;
    }
    // SAFETY: the reference `note_startup` took, released with the GIL held.
    unsafe { ffi::Py_DECREF(noted.code as *mut PyObject) };
    *site = None;
    true
}

fn site_frame() -> std::sync::MutexGuard<'static, Option<SiteFrame>> {
    SITE_FRAME.lock().unwrap_or_else(|e| e.into_inner())
}

/// The frames of the thread `ts`, the current one first.
fn frame_chain(ts: &ThreadState) -> Vec<*mut Frame> {
    let mut frames = Vec::new();
    let mut frame = ts.current_frame();
    while !frame.is_null() {
        frames.push(frame);
        // SAFETY: frames linked from the current one are live while it runs.
        frame = unsafe { &*frame }.previous();
    }
    frames
}

/// Whether `globals` is the namespace of the module named `name`.
fn module_name_is(globals: *mut PyObject, name: &std::ffi::CStr) -> bool {
    // SAFETY: with the GIL held; `globals` is a live frame's globals dict,
    // and the item is borrowed.
    unsafe {
        let module_name = ffi::PyDict_GetItemString(globals, c"__name__".as_ptr());
        !module_name.is_null()
            && ffi::PyUnicode_Check(module_name) != 0
            && ffi::PyUnicode_CompareWithASCIIString(module_name, name.as_ptr()) == 0
    }
}

fn watched() -> std::sync::MutexGuard<'static, Vec<Watched>> {
    WATCHED.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether the `OsrEntry` exception type exists: made by the first frame
/// watched (not at import, which every start-up pays for). False, with
/// nothing watched, if making it failed.
fn osr_entry_made() -> bool {
    if !OSR_ENTRY.load(SeqCst).is_null() {
        return true;
    }
    // SAFETY: with the GIL held (a frame is starting on the main thread);
    // the type is kept alive by the reference stored here. Making it can run
    // finalizers, which can make it first: then this one is dropped.
    unsafe {
        let kind = ffi::PyErr_NewException(c"pyjit._pyjit.OsrEntry".as_ptr(), ffi::PyExc_BaseException, std::ptr::null_mut());
        if kind.is_null() {
            ffi::PyErr_Clear();
            return false;
        }
        if OSR_ENTRY.compare_exchange(std::ptr::null_mut(), kind, SeqCst, SeqCst).is_err() {
            ffi::Py_DECREF(kind);
        }
    }
    true
}

/// Whether frames of the code object `code`, whose flags these are, are
/// worth watching: they are plain functions (not generators or coroutines,
/// whose first run only creates the generator) and have a backward jump.
pub fn has_loops(flags: i32, code: *mut PyCodeObject) -> bool {
    !crate::bytecode::suspends(flags) && crate::bytecode::jumps_backward(code)
}

/// Runs `frame` (fresh, its code not compiled, with loops) in the
/// interpreter while watching it; continues it natively if `sample` stops
/// the interpreter at a loop header.
///
/// # Safety
/// As for the hook: `tstate` runs on the main thread with the GIL, `frame`
/// is live and not started.
pub unsafe fn run_watched(tstate: *mut ThreadState, frame: *mut Frame) -> *mut PyObject {
    // SAFETY: see above.
    unsafe { watch_frame(tstate, frame, Some(clock::ticks())) }
}

/// Continues `frame`, which compiled code of its code object (with loops)
/// left mid-way after a failed speculation (`ExitKind::ResumeAfterFailedSpeculation`),
/// in the interpreter while watching it, and natively again from the first
/// loop header `sample` stops it at (in the code compiled since, if the code
/// was compiled again without the speculation): the frame's remaining
/// iterations do not all run in the interpreter. Each continuation nests
/// the native code that follows in the call that left it; the failures
/// that lead here are bounded per code object (`CodeState::speculation_failed`).
///
/// # Safety
/// `tstate` runs on the main thread with the GIL; `frame` is live, unlinked
/// from the thread's frames (as the hook gets it), and holds its value stack
/// for the interpreter to continue at its `prev_instr`.
pub unsafe fn continue_watched(tstate: *mut ThreadState, frame: *mut Frame) -> *mut PyObject {
    // SAFETY: see above.
    unsafe { watch_frame(tstate, frame, None) }
}

/// `run_watched` (`started` the frame's start) and `continue_watched`
/// (`started` None: a frame that is no new run of its code, which the
/// interpreter continues and whose time is not counted as its code's).
///
/// # Safety
/// As theirs.
unsafe fn watch_frame(tstate: *mut ThreadState, frame: *mut Frame, started: Option<u64>) -> *mut PyObject {
    if !osr_entry_made() {
        // SAFETY: unchanged hand-over of a live frame.
        return unsafe { interpret(tstate, frame, started.is_some()) };
    }
    watched().push(Watched { frame: frame as usize, started, entered: None });
    if WATCHED_COUNT.fetch_add(1, SeqCst) == 0 {
        // SAFETY: tstate is live; its interpreter outlives every frame.
        let interp: *mut u8 = unsafe { abi::read_field(tstate.cast(), abi::TSTATE_INTERP) };
        // SAFETY: eval_breaker is an aligned C int that CPython accesses atomically.
        EVAL_BREAKER.store(unsafe { interp.add(abi::INTERP_EVAL_BREAKER) }.cast(), SeqCst);
        MAIN_THREAD.store(tstate, SeqCst);
        wake_watchdog();
    }
    let result = if started.is_some() {
        // SAFETY: unchanged hand-over of a live frame.
        let (result, own) = tiering::timed(|| unsafe { interpret(tstate, frame, true) });
        // SAFETY: the frame is still live (its caller clears it), and so is its code.
        let code = unsafe { &*frame }.code();
        if let Some(state) = CodeState::existing(code) {
            state.add_interpreted(own, code);
        }
        result
    } else {
        // SAFETY: as above.
        unsafe { interpret(tstate, frame, false) }
    };
    if WATCHED_COUNT.fetch_sub(1, SeqCst) == 1 {
        // See `ADDING`.
        while ADDING.load(SeqCst) {
            thread::yield_now();
        }
    }
    let watch = watched().pop().expect("this frame's entry");
    let Some((entry, stack)) = watch.entered else { return result };
    // SAFETY: the interpreter returned, so the frame is ours again; `stack`
    // holds the references `sample` took, one per value-stack slot at the
    // header.
    unsafe {
        if !result.is_null() || ffi::PyErr_Occurred() != OSR_ENTRY.load(SeqCst) {
            // Something other than the entry ended the frame (e.g. memory
            // ran out while the traceback entry was added): keep its result.
            for item in stack {
                ffi::Py_XDECREF(item as *mut PyObject);
            }
            return result;
        }
        ffi::PyErr_Clear();
        let fr = &*frame;
        let nlocalsplus = abi::code_int(fr.code(), abi::CODE_NLOCALSPLUS) as usize;
        for (depth, item) in stack.into_iter().enumerate() {
            *fr.slot(nlocalsplus + depth) = item as *mut PyObject;
        }
        fr.set_lasti(entry.header as isize - 1);
        let Some(state) = CodeState::existing(fr.code()) else { unreachable!("sample compiled this code") };
        let Tier::Native(native) = state.tier() else { unreachable!("sample compiled this code") };
        let (code, data) = (native.entry(), native.data());
        state.osr_entries += 1;
        state.native_entries += 1;
        stats::OSR_ENTRIES.fetch_add(1, SeqCst);
        run_native(tstate, frame, code, data)
    }
}

/// Runs `frame` in the interpreter: a fresh one as the hook hands it on
/// (to an evaluator installed before pyjit's, if any), one that compiled
/// code left mid-way in CPython's interpreter, which continues it.
///
/// # Safety
/// As `watch_frame`'s.
unsafe fn interpret(tstate: *mut ThreadState, frame: *mut Frame, fresh: bool) -> *mut PyObject {
    // SAFETY: unchanged hand-over of a live frame.
    unsafe {
        if fresh {
            delegate(tstate, frame, 0)
        } else {
            abi::ffi::_PyEval_EvalFrameDefault(tstate, frame, 0)
        }
    }
}

/// The pending call the watchdog schedules: see the module documentation.
/// Returns -1 with `OsrEntry` raised to stop the interpreter, else 0.
extern "C" fn sample(_: *mut c_void) -> c_int {
    SAMPLE_QUEUED.store(false, SeqCst);
    QUEUED_PERIODS.store(0, SeqCst);
    // SAFETY: pending calls run on the main thread with the GIL held.
    let ts = unsafe { &*ffi::PyThreadState_Get().cast::<ThreadState>() };
    if ts.use_tracing() {
        return 0;
    }
    let frame = ts.current_frame();
    if frame.is_null() {
        return 0;
    }
    // SAFETY: the frame is current, so live.
    let fr = unsafe { &*frame };
    let code = fr.code();
    let now = clock::ticks();
    let waiting = watched().iter().rev().find(|w| w.frame == frame as usize && w.entered.is_none()).map(|w| w.started);
    let Some(started) = waiting else { return 0 };
    let Some(state) = CodeState::existing(code) else { return 0 };
    let hot = |started: u64| tiering::loop_is_hot(abi::code_units(code) as u32, now.wrapping_sub(started), state.interpreted());
    if !started.is_none_or(hot) {
        return 0;
    }
    // Not under the `WATCHED` lock: compiling allocates, so a garbage
    // collection can run finalizers, which can run watched frames.
    state.compile_or_poll(code);
    let Tier::Native(native) = state.tier() else { return 0 };
    // The interpreter runs pending calls at a taken backward jump with
    // `prev_instr` on the jump (and nothing in between that could call
    // them), so a backward jump here means it is about to run the header.
    let Some(entry) = native.osr_entry(fr.lasti()) else { return 0 };
    // The compiled code reads these locals unchecked from the header on; a
    // debugger that jumped (`f_lineno`) or cleared one while the frame was
    // traced can have left one unbound, and then the frame stays here.
    // SAFETY: the slots are within the live frame's localsplus.
    if entry.bound_locals.iter().any(|&slot| unsafe { (*fr.slot(slot as usize)).is_null() }) {
        return 0;
    }
    let nlocalsplus = abi::code_int(code, abi::CODE_NLOCALSPLUS) as usize;
    let stack = (0..entry.depth as usize)
        .map(|depth| {
            // SAFETY: the interpreter holds `entry.depth` items on the value
            // stack at the header (the lowering's stack depth there).
            unsafe {
                let item = *fr.slot(nlocalsplus + depth);
                ffi::Py_XINCREF(item);
                item as usize
            }
        })
        .collect();
    let mut watched = watched();
    let Some(watch) = watched.iter_mut().rev().find(|w| w.frame == frame as usize) else { unreachable!("the frame is still running") };
    watch.entered = Some((entry, stack));
    // SAFETY: with the GIL held.
    unsafe { ffi::PyErr_SetNone(OSR_ENTRY.load(SeqCst)) };
    -1
}

/// Starts the watchdog thread unless one runs; called when the first frame
/// is watched, after `WATCHED_COUNT` counts it.
fn wake_watchdog() {
    if WATCHDOG_RUNNING.swap(true, SeqCst) {
        return;
    }
    ensure_fork_handler();
    if super::spawn_thread(thread::Builder::new().name("pyjit-osr".into()), watch).is_err() {
        WATCHDOG_RUNNING.store(false, SeqCst);
    }
}

/// The watchdog thread: schedules `sample` while frames are watched, and
/// ends when none has been for a while. It never touches Python objects.
fn watch() {
    let mut idle = 0;
    loop {
        thread::sleep(SAMPLE_PERIOD);
        if WATCHED_COUNT.load(SeqCst) == 0 {
            idle += 1;
            if idle < IDLE_SAMPLES {
                continue;
            }
            idle = 0;
            WATCHDOG_RUNNING.store(false, SeqCst);
            // A frame watched since the count was read found the flag still
            // set and started no thread: this one carries on, unless a frame
            // watched after the store started one (then the swap sees it).
            if WATCHED_COUNT.load(SeqCst) == 0 || WATCHDOG_RUNNING.swap(true, SeqCst) {
                return;
            }
            continue;
        }
        idle = 0;
        ADDING.store(true, SeqCst);
        // Checked again with `ADDING` set: a frame is still watched, and the
        // main thread waits for this add before none is.
        if WATCHED_COUNT.load(SeqCst) != 0 {
            schedule_sample();
        }
        ADDING.store(false, SeqCst);
    }
}

/// Adds `sample` as a pending call unless one is queued, and sets the eval
/// breaker. Only while a frame is watched (see `ADDING`), so the main
/// interpreter and its pending-call state are alive.
fn schedule_sample() {
    if SAMPLE_QUEUED.load(SeqCst) && QUEUED_PERIODS.fetch_add(1, SeqCst) >= LOST_SAMPLE_PERIODS {
        QUEUED_PERIODS.store(0, SeqCst);
        SAMPLE_QUEUED.store(false, SeqCst);
    }
    // Queued only while the main thread holds the GIL, so that the call
    // goes to its interpreter (see `QUEUED_PERIODS`).
    // SAFETY: reads the GIL holder atomically, without the GIL.
    let main_holds_gil = || unsafe { abi::ffi::_PyThreadState_UncheckedGet() } == MAIN_THREAD.load(SeqCst);
    if main_holds_gil() && !SAMPLE_QUEUED.swap(true, SeqCst) {
        // SAFETY: Py_AddPendingCall may be called without the GIL, while
        // the interpreter is alive (above).
        if unsafe { ffi::Py_AddPendingCall(Some(sample), std::ptr::null_mut()) } != 0 {
            SAMPLE_QUEUED.store(false, SeqCst);
        }
    }
    // Py_AddPendingCall sets the eval breaker only when called on the
    // main thread (it computes the breaker for the calling thread), so
    // set it as the main thread would, also again on the next period in
    // case the main thread recomputed it in between. Only while the main
    // thread holds the GIL: a thread that takes the GIL recomputes the
    // breaker for itself (in `take_gil`), so the main thread finds the call
    // when it takes the GIL back, but another thread already holding it
    // would see the breaker set at every check with no call it can run, and
    // one being traced goes round its `RESUME` forever (the tracing path
    // runs the instruction again after each check). The GIL can still
    // change hands in the few instructions between the check and the
    // store; the thread that took it then sees the breaker set until the
    // next hand-over.
    if SAMPLE_QUEUED.load(SeqCst) && main_holds_gil() {
        // SAFETY: set in run_watched before any frame is watched; the
        // main interpreter is alive (above).
        unsafe { (*EVAL_BREAKER.load(SeqCst)).store(1, SeqCst) };
    }
}

/// After `fork` the child has no watchdog thread: forget it, so the first
/// watched frame starts a new one.
fn ensure_fork_handler() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    extern "C" fn in_child() {
        ADDING.store(false, SeqCst);
        SAMPLE_QUEUED.store(false, SeqCst);
        QUEUED_PERIODS.store(0, SeqCst);
        WATCHDOG_RUNNING.store(false, SeqCst);
    }
    INSTALLED.call_once(|| {
        // SAFETY: registers a handler that only touches pyjit's statics.
        unsafe { libc::pthread_atfork(None, None, Some(in_child)) };
    });
}
