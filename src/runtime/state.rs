//! Per-code-object state, kept in a `co_extra` slot and freed with the code
//! object (taking its native code with it).

use super::background::{self, Finished, Pending, Poll};
use super::perf_map;
use crate::link::{self, Failure, NativeCode};
use crate::config::{self, Optimization, Optimizations};
use crate::stats;
use crate::cache::{attach, key};
use pyjit_cache_format::Key;
use pyo3::{Bound, Python};
use crate::abi::{self, ffi as abi_ffi};
use crate::helpers;
use crate::helpers::calls::{CallTarget, ANY_ARITY, CODE_EXTRA_INDEX, NO_ARITY, RETURNS_CONSTANT, RETURNS_PARAMETER};
use crate::bytecode;
use crate::bytecode::{Returns, Unsupported};
use crate::profile::Profile;
use crate::stats::{elapsed_ns, CompilePhases};
use pyo3::ffi::{self, PyCodeObject, Py_ssize_t};
use std::ffi::c_void;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Where a code object's frames run.
pub enum Tier {
    /// In the interpreter, counting calls until the threshold.
    Counting,
    /// Being compiled, in place or on the compiler thread (`Some`); frames
    /// started meanwhile run in the interpreter.
    Compiling(Option<Pending>),
    /// Native code (boxed: every code object pyjit sees has a state, and
    /// most never get native code).
    Native(Box<NativeCode>),
    /// In the interpreter for good; why.
    Delegated(String),
    /// In the interpreter because compiling failed; why.
    Failed(String),
}

/// A code object's state. It starts with the `CallTarget` that calls from
/// compiled code read: the code object this state belongs to (NULL once it died; see
/// `free_state` for why a state can outlive it), and the entry and data
/// block of `tier`'s native code when it is `Native` (read there, without a
/// load through the box).
#[repr(C)]
pub struct CodeState {
    target: CallTarget,
    pub runs: u64,
    tier: Tier,
    /// The code cache was asked for this code object's native code.
    pub cache_checked: bool,
    /// The code object's cache key, once computed.
    pub key: Option<Key>,
    pub compile_time_ns: u64,
    /// Times native code of this code object was entered: calls, plus
    /// frames continued at a loop header (`osr_entries`).
    pub native_entries: u64,
    pub osr_entries: u64,
    /// Clock ticks its frames spent in the interpreter before it was
    /// compiled (`runtime::tiering`).
    interpreted: u64,
    /// `interpreted` covered the expected compile cost when it last grew
    /// (`tiering::covers_compile_cost`).
    compile_cost_covered: bool,
    /// Whether the code's frames are watched for hot loops (`runtime::osr`);
    /// computed at the first frame that runs in the interpreter.
    watch_loops: Option<bool>,
    /// Exits of its compiled code after a failed speculation
    /// (`speculation_failed`).
    pub failed_speculations: u64,
    /// Optimizations its next compiles go without: the speculations that
    /// failed too often in its earlier native code.
    pub withheld: Optimizations,
    /// Native code a compile without a failing speculation replaced, kept
    /// until the code object dies: frames may still be running it.
    superseded: Vec<Box<NativeCode>>,
}

/// Exits after failed speculations at which a code object's native code is
/// replaced by code compiled without that speculation: few enough that a
/// loop left to the interpreter by each exit costs little in all, enough
/// that an occasional other type does not undo the speculation.
const FAILED_SPECULATIONS_TO_RECOMPILE: u64 = 16;

fn extra_index() -> Option<Py_ssize_t> {
    static INDEX: OnceLock<Py_ssize_t> = OnceLock::new();
    let index = *INDEX.get_or_init(|| {
        // SAFETY: called with the GIL held; `free_state` matches the
        // allocation in `CodeState::of`.
        let index = unsafe { abi_ffi::_PyEval_RequestCodeExtraIndex(free_state) };
        let index = if index >= 0 && extras_read_as_set(index) { index } else { -1 };
        CODE_EXTRA_INDEX.store(index, Ordering::Relaxed);
        index
    });
    (index >= 0).then_some(index)
}

/// Whether `abi::code_extra` reads back what `_PyCode_SetExtra` stores under
/// `index` (its layout is not in CPython's headers). If not, pyjit keeps no
/// per-code state and leaves every frame to the interpreter.
fn extras_read_as_set(index: Py_ssize_t) -> bool {
    // SAFETY: with the GIL held; the marker is a non-NULL address never
    // dereferenced. Stored, it is emptied again before the code object
    // dies, so `free_state` never sees it; a failed store leaves the slot
    // empty.
    unsafe {
        let code = ffi::PyCode_NewEmpty(c"".as_ptr(), c"".as_ptr(), 0);
        if code.is_null() {
            ffi::PyErr_Clear();
            return false;
        }
        let marker = std::ptr::NonNull::<CodeState>::dangling().as_ptr().cast::<c_void>();
        let read_back = abi_ffi::_PyCode_SetExtra(code.cast(), index, marker) == 0
            && abi::code_extra(code, index as usize) == marker
            && abi::code_extra(code, index as usize + 1).is_null();
        if read_back {
            // Emptied in place: `_PyCode_SetExtra` would pass the marker to
            // `free_state`.
            abi::clear_code_extra(code, index as usize);
        }
        ffi::Py_DECREF(code.cast());
        read_back
    }
}

/// States whose code object died, kept for reuse (addresses stored as
/// `usize`). Touched only with the GIL held.
static RETIRED: std::sync::Mutex<Vec<usize>> = std::sync::Mutex::new(Vec::new());

fn retired() -> std::sync::MutexGuard<'static, Vec<usize>> {
    RETIRED.lock().unwrap_or_else(|e| e.into_inner())
}

/// Called by `code_dealloc` when a code object dies: drops the state's
/// native code and data, but keeps its memory. `code_dealloc` runs every
/// extra's free function before it frees the extras, without clearing them,
/// and a later free function (another PEP 523 user's, or a ctypes callback)
/// may still call the dying code, which reaches this state again through the
/// stale slot. Its memory therefore stays valid: it is only reused for
/// another code object's state, and `CodeState::lookup` tells the two apart
/// by the owner, so a stale slot is never taken for a live state.
unsafe extern "C" fn free_state(state: *mut c_void) {
    if !state.is_null() {
        // SAFETY: every non-NULL extra under pyjit's index is a state made by
        // `CodeState::of`, whose memory is never freed.
        unsafe { *state.cast::<CodeState>() = CodeState::new(std::ptr::null_mut()) };
        retired().push(state as usize);
    }
}

/// What a code object's extra slot holds.
enum Lookup {
    Empty,
    Live(&'static mut CodeState),
    /// A state of a code object that died (or of another code object since):
    /// this code object is being freed.
    Stale,
}

impl CodeState {
    fn new(code: *mut PyCodeObject) -> Self {
        let nlocalsplus = if code.is_null() { 0 } else { abi::code_int(code, abi::CODE_NLOCALSPLUS) as u32 };
        let flags = if code.is_null() { 0 } else { abi::code_int(code, abi::CODE_FLAGS) };
        let plain = flags & abi::CO_OPTIMIZED != 0
            && flags & (abi::CO_VARARGS | abi::CO_VARKEYWORDS) == 0
            && abi::code_int(code, abi::CODE_KWONLYARGCOUNT) == 0;
        let stacksize = if code.is_null() { 0 } else { abi::code_int(code, abi::CODE_STACKSIZE) as u32 };
        CodeState {
            target: CallTarget {
                code,
                entry: None,
                data: std::ptr::null_mut(),
                arity: NO_ARITY,
                argcount: 0,
                kwonlyargcount: 0,
                varargs: false,
                varkeywords: false,
                exact_arity: NO_ARITY,
                nlocalsplus,
                frame_words: nlocalsplus + stacksize + abi::FRAME_SPECIALS_SIZE as u32,
                plain_arity: if plain { abi::code_int(code, abi::CODE_ARGCOUNT) as u32 } else { NO_ARITY },
                entered: 0,
                creates_generator: bytecode::suspends(flags),
                awaits_eagerly: flags & abi::CO_COROUTINE != 0 && bytecode::starts_generator(code),
                eager_runs: 0,
                eager_suspensions: 0,
                returns: 0,
                frameless: None,
                frameless_bails: 0,
            },
            runs: 0,
            tier: Tier::Counting,
            cache_checked: false,
            key: None,
            compile_time_ns: 0,
            native_entries: 0,
            osr_entries: 0,
            interpreted: 0,
            compile_cost_covered: false,
            watch_loops: None,
            failed_speculations: 0,
            withheld: Optimizations::NONE,
            superseded: Vec::new(),
        }
    }

    /// The state of `code`, created on first sight. None if CPython refused
    /// the extra slot, or the code object is being freed.
    #[inline]
    pub fn of(code: *mut PyCodeObject) -> Option<&'static mut CodeState> {
        let index = extra_index()?;
        match Self::lookup(code, index) {
            Lookup::Live(state) => Some(state),
            Lookup::Stale => None,
            Lookup::Empty => Self::create(code, index),
        }
    }

    /// A new state for `code`, whose slot under `index` is empty.
    #[cold]
    fn create(code: *mut PyCodeObject, index: Py_ssize_t) -> Option<&'static mut CodeState> {
        let state = match retired().pop() {
            Some(address) => address as *mut CodeState,
            None => Box::into_raw(Box::new(Self::new(std::ptr::null_mut()))),
        };
        // SAFETY: state is a retired or new state (no slot refers to it as
        // live); code is live, and its slot under our index is empty.
        unsafe {
            *state = Self::new(code);
            if abi_ffi::_PyCode_SetExtra(code.cast(), index, state.cast()) != 0 {
                ffi::PyErr_Clear();
                (*state).target.code = std::ptr::null_mut();
                retired().push(state as usize);
                return None;
            }
            // Other co_extra users registered after pyjit would otherwise
            // have their free functions called for this code object too
            // (see `trim_code_extras`): a Python free function (ctypes) freed
            // before the code objects die then crashes the process.
            abi::trim_code_extras(code, index as usize + 1);
            Some(&mut *state)
        }
    }

    /// The state of `code` if pyjit has seen it (and it is not being freed).
    pub fn existing(code: *mut PyCodeObject) -> Option<&'static mut CodeState> {
        match Self::lookup(code, extra_index()?) {
            Lookup::Live(state) => Some(state),
            Lookup::Empty | Lookup::Stale => None,
        }
    }

    #[inline]
    fn lookup(code: *mut PyCodeObject, index: Py_ssize_t) -> Lookup {
        // SAFETY: code is live; the slot holds NULL or a state made by `of`,
        // whose memory stays valid (see `free_state`). A live state is used
        // under the GIL while its code object is alive.
        unsafe {
            let extra = abi::code_extra(code, index as usize);
            match extra.cast::<CodeState>().as_mut() {
                None => Lookup::Empty,
                Some(state) if state.target.code == code => Lookup::Live(state),
                Some(_) => Lookup::Stale,
            }
        }
    }

    /// The cache key of `code` (this state's code object), computed once. None when it
    /// cannot be computed (the error is dropped, which clears it): the code then runs as
    /// if the cache had no entry for it.
    pub fn key(&mut self, code: *mut PyCodeObject) -> Option<Key> {
        if self.key.is_none() {
            // SAFETY: `code` is a live code object (a running frame's, or the argument of
            // `pyjit.info`), and its caller holds the GIL, also while the interpreter
            // finalizes, when `Python::attach` would refuse.
            let code = unsafe { Bound::from_borrowed_ptr(Python::assume_attached(), code.cast()) };
            self.key = key::code_key(&code).ok();
        }
        self.key
    }

    /// Attaches native code from the code cache if it has an entry for `code`. Asked once
    /// per code object (the frame-evaluation hook calls this for every frame), so a code
    /// object that ran before a cache was configured is not looked up later.
    #[inline]
    pub fn attach_cached(&mut self, code: *mut PyCodeObject) {
        if !self.cache_checked {
            self.look_up_in_cache(code);
        }
    }

    #[cold]
    fn look_up_in_cache(&mut self, code: *mut PyCodeObject) {
        self.cache_checked = true;
        if config::cache().dir.is_none() {
            return;
        }
        let attached = attach::lookup(code, || self.key(code));
        if let Some(mut native) = attached {
            helpers::math::find_functions();
            perf_map::record(code, &mut native);
            self.set_tier(Tier::Native(Box::new(native)));
        }
    }

    /// Where the code's frames run.
    pub fn tier(&self) -> &Tier {
        &self.tier
    }

    fn set_tier(&mut self, tier: Tier) {
        (self.target.entry, self.target.data) = match &tier {
            Tier::Native(native) => (Some(native.entry()), native.data()),
            _ => (None, std::ptr::null_mut()),
        };
        let code = self.target.code;
        self.target.arity = NO_ARITY;
        self.target.exact_arity = NO_ARITY;
        self.target.returns = 0;
        self.target.frameless = None;
        self.target.frameless_bails = 0;
        if self.target.entry.is_some() && !code.is_null() {
            let flags = abi::code_int(code, abi::CODE_FLAGS);
            // A generator's first run belongs to CPython's own interpreter
            // (see `run_frame`), which calls run directly only when no other
            // frame evaluator came before pyjit's.
            let binds_positionally = flags & abi::CO_OPTIMIZED != 0
                && (!self.target.creates_generator || super::evaluates_after_cpython());
            if binds_positionally {
                self.target.argcount = abi::code_int(code, abi::CODE_ARGCOUNT) as u32;
                self.target.kwonlyargcount = abi::code_int(code, abi::CODE_KWONLYARGCOUNT) as u32;
                self.target.varargs = flags & abi::CO_VARARGS != 0;
                self.target.varkeywords = flags & abi::CO_VARKEYWORDS != 0;
                self.target.arity = if self.target.varargs { ANY_ARITY } else { self.target.argcount };
                if self.target.plain_arity != NO_ARITY {
                    self.target.exact_arity = self.target.plain_arity;
                    self.target.returns = match bytecode::returns(code) {
                        Some(Returns::Local(local)) if u32::from(local) < self.target.argcount => {
                            RETURNS_PARAMETER + u32::from(local)
                        }
                        Some(Returns::Constant(index)) => RETURNS_CONSTANT + u32::from(index),
                        _ => 0,
                    };
                    if let Tier::Native(native) = &tier {
                        self.target.frameless = native.frameless_entry().map(|(entry, _)| entry);
                    }
                }
            }
        }
        self.tier = tier;
    }

    /// The entry and data block of the code's native code, if it has some.
    #[inline]
    pub fn native_entry(&self) -> Option<(link::Entry, *mut u64)> {
        self.target.entry.map(|entry| (entry, self.target.data))
    }

    /// What calls from compiled code read to call the code directly.
    pub fn call_target(&mut self) -> &mut CallTarget {
        &mut self.target
    }

    /// Calls that entered the code's native code without the runtime
    /// (`helpers::frames::enter_compiled`).
    pub fn direct_entries(&self) -> u64 {
        self.target.entered
    }

    /// Compiles `code`: in place, after which the tier is Native, Delegated
    /// or Failed, or on the compiler thread (`runtime::background`), after
    /// which it is Compiling until `poll` finds the compile finished.
    /// `first_run_unfinished` when no run of the code has finished yet (its
    /// first frame wants native code for a loop it is in).
    pub fn compile(&mut self, code: *mut PyCodeObject, first_run_unfinished: bool) {
        if super::tiering::left_to_interpreter(code) {
            stats::count_delegated(super::tiering::IMPORT_SYSTEM);
            return self.set_tier(Tier::Delegated(super::tiering::IMPORT_SYSTEM.into()));
        }
        self.set_tier(Tier::Compiling(None));
        // A training run of `pyjit precompile` caches what it found worth compiling.
        if config::recording() {
            if let Some(key) = self.key(code) {
                crate::cache::attach::record(key, code);
            }
        }
        let started = Instant::now();
        let mut phases = CompilePhases::default();
        let info = bytecode::code_info(code);
        phases.decode_ns = elapsed_ns(started);
        let info = match info {
            Ok(info) => info,
            Err(unsupported) => return self.finish(code, Err(unsupported.into()), &phases),
        };
        helpers::math::find_functions();
        let mut profile = Profile::of(code);
        if first_run_unfinished {
            profile = profile.during_first_run();
        }
        let enabled = config::optimizations().without(self.withheld);
        let info = if config::background() {
            match background::submit(info, profile, enabled, phases) {
                Ok(pending) => return self.set_tier(Tier::Compiling(Some(pending))),
                Err((info, unsubmitted)) => {
                    profile = unsubmitted;
                    info
                }
            }
        } else {
            info
        };
        let outcome = link::compile(&info, profile, enabled, &perf_map::function_name(code), &mut phases);
        self.finish(code, outcome, &phases);
    }

    /// Installs the native code of `code` (this state's code object) if the
    /// compiler thread finished it; goes back to counting if the compile was
    /// abandoned (in a forked child).
    pub fn poll(&mut self, code: *mut PyCodeObject) {
        let Tier::Compiling(Some(pending)) = &self.tier else { return };
        match pending.poll() {
            Poll::NotYet => {}
            Poll::Abandoned => self.set_tier(Tier::Counting),
            Poll::Done(finished) => {
                let Finished { info, profile, enabled, object, mut phases } = *finished;
                let outcome = object.and_then(|object| link::load_compiled(object, &info, profile, enabled, &mut phases));
                stats::bump(&stats::BACKGROUND_COMPILES);
                self.finish(code, outcome, &phases);
            }
        }
    }

    /// Starts compiling `code` if its tier is still Counting, else installs
    /// a finished background compile: what a frame that wants native code
    /// for a loop it is in now does. With that frame the code's only run
    /// so far, no run has finished.
    pub fn compile_or_poll(&mut self, code: *mut PyCodeObject) {
        if matches!(self.tier, Tier::Counting) {
            self.compile(code, self.runs <= 1);
        } else {
            self.poll(code);
        }
    }

    /// Records the outcome of compiling `code`, whose phases took `phases`,
    /// and sets the tier to Native, Delegated or Failed.
    fn finish(&mut self, code: *mut PyCodeObject, outcome: Result<NativeCode, Failure>, phases: &CompilePhases) {
        self.compile_time_ns = phases.decode_ns + phases.lower_ns + phases.cranelift_ns + phases.link_ns;
        stats::COMPILE_TIME_NS.fetch_add(self.compile_time_ns, Ordering::Relaxed);
        stats::count_compile_phases(phases);
        // Code turned down before lowering (a generator, say) cost nothing
        // worth modelling or trimming.
        if phases.lower_ns > 0 {
            super::tiering::record_compile(abi::code_units(code) as u32, Duration::from_nanos(self.compile_time_ns));
            release_compile_memory();
        }
        let tier = match outcome {
            Ok(mut native) => {
                stats::COMPILED.fetch_add(1, Ordering::Relaxed);
                bytecode::note_callee_without_frame(code, native.frameless_entry().is_some());
                stats::NATIVE_BYTES.fetch_add(native.total_size() as u64, Ordering::Relaxed);
                perf_map::record(code, &mut native);
                Tier::Native(Box::new(native))
            }
            Err(Failure::Internal(reason)) => {
                stats::FAILED.fetch_add(1, Ordering::Relaxed);
                Tier::Failed(reason)
            }
            Err(Failure::Unsupported(Unsupported(reason))) => {
                stats::count_delegated(&reason);
                Tier::Delegated(reason)
            }
        };
        self.set_tier(tier);
    }

    /// Takes note of an exit of its native code after a failed speculation
    /// (`helpers::exits::AFTER_FAILED_SPECULATION`); after
    /// `FAILED_SPECULATIONS_TO_RECOMPILE` of them the code goes back to
    /// counting, to be compiled again without speculating
    /// (`Optimization::KnownFloatResults`, the one speculation so far), once:
    /// exits of native code it already replaced, which frames may still be
    /// running, do not replace the code compiled without it. The native code
    /// it replaces stays loaded: the frame that exited is still running it,
    /// and others may be.
    pub fn speculation_failed(&mut self) {
        self.failed_speculations += 1;
        let withheld = self.withheld.contains(Optimization::KnownFloatResults);
        if self.failed_speculations < FAILED_SPECULATIONS_TO_RECOMPILE || withheld || !matches!(self.tier, Tier::Native(_)) {
            return;
        }
        self.withheld.insert(Optimization::KnownFloatResults);
        if let Tier::Native(native) = std::mem::replace(&mut self.tier, Tier::Counting) {
            self.superseded.push(native);
        }
        self.set_tier(Tier::Counting);
        stats::bump(&stats::RECOMPILES);
    }

    /// Whether frames of `code` (this state's code object) that run in the
    /// interpreter are watched for hot loops.
    #[inline(always)]
    pub fn watch_loops(&mut self, code: *mut PyCodeObject) -> bool {
        match self.watch_loops {
            Some(watch) => watch,
            None => self.find_loops(code),
        }
    }

    /// Scans `code` for loops once (see `watch_loops`).
    #[cold]
    fn find_loops(&mut self, code: *mut PyCodeObject) -> bool {
        let watch = super::osr::has_loops(abi::code_int(code, abi::CODE_FLAGS), code);
        self.watch_loops = Some(watch);
        watch
    }

    /// Whether `code` (this state's code object) is compiled before its
    /// next frame runs.
    #[inline(always)]
    pub fn worth_compiling(&self) -> bool {
        matches!(self.tier, Tier::Counting) && super::tiering::worth_compiling(self.runs, self.compile_cost_covered)
    }

    /// Adds `ticks` to the code's time in the interpreter.
    pub fn add_interpreted(&mut self, ticks: u64, code: *mut PyCodeObject) {
        self.interpreted += ticks;
        self.compile_cost_covered = super::tiering::covers_compile_cost(self.interpreted, abi::code_units(code) as u32);
    }

    /// Has the code compiled at its next run, as if its time in the
    /// interpreter had covered the expected compile cost.
    pub fn cover_compile_cost(&mut self) {
        self.compile_cost_covered = true;
    }

    /// Clock ticks its frames spent in the interpreter before it was compiled.
    pub fn interpreted(&self) -> u64 {
        self.interpreted
    }

    /// The tier `pyjit.info` reports: where the code's next frame will run.
    pub fn tier_name(&self) -> &'static str {
        match self.tier {
            Tier::Native(_) => "baseline",
            _ => "interpreter",
        }
    }

    /// Why the code runs in the interpreter, if it does.
    pub fn reason(&self) -> Option<&str> {
        match &self.tier {
            Tier::Counting => Some("not hot enough yet"),
            Tier::Compiling(_) => Some("being compiled"),
            Tier::Native(_) => None,
            Tier::Delegated(reason) | Tier::Failed(reason) => Some(reason),
        }
    }
}

/// Hands the memory compiles freed back to the system. glibc keeps freed memory
/// for later allocations, so a process's RSS stays at the high-water mark of
/// its compiles; `malloc_trim` returns it, at a cost that grows with the heap,
/// so it runs at most once per `TRIM_INTERVAL_MS` of compiling.
fn release_compile_memory() {
    const TRIM_INTERVAL_MS: u64 = 100;
    static START: OnceLock<Instant> = OnceLock::new();
    static LAST_TRIM_MS: AtomicU64 = AtomicU64::new(0);
    let now_ms = START.get_or_init(Instant::now).elapsed().as_millis() as u64;
    if now_ms.saturating_sub(LAST_TRIM_MS.load(Ordering::Relaxed)) >= TRIM_INTERVAL_MS {
        LAST_TRIM_MS.store(now_ms, Ordering::Relaxed);
        // SAFETY: malloc_trim only releases free memory of glibc's own heap.
        unsafe { libc::malloc_trim(0) };
    }
}
