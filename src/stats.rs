//! Process-wide counters reported by `pyjit.stats()`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

pub static COMPILED: AtomicU64 = AtomicU64::new(0);
pub static FAILED: AtomicU64 = AtomicU64::new(0);
pub static DEOPTS: AtomicU64 = AtomicU64::new(0);
/// Native code replaced by code compiled without a speculation that failed
/// too often (`CodeState::speculation_failed`).
pub static RECOMPILES: AtomicU64 = AtomicU64::new(0);
pub static EXCEPTION_EXITS: AtomicU64 = AtomicU64::new(0);
/// Exceptions caught by a handler running in compiled code.
pub static EXCEPTIONS_CAUGHT: AtomicU64 = AtomicU64::new(0);
pub static NATIVE_CALLS: AtomicU64 = AtomicU64::new(0);
/// Calls that entered a callee without the frame-evaluation hook: from
/// compiled code, and through a function's vectorcall from C and the
/// interpreter (`runtime::direct`); counted in `NATIVE_CALLS` too when the
/// callee ran natively.
pub static DIRECT_CALLS: AtomicU64 = AtomicU64::new(0);
/// Instances constructed from compiled code whose class's `__init__` came
/// from the call site's record (`helpers::calls::CallSite::constructor`).
pub static RECORDED_CONSTRUCTS: AtomicU64 = AtomicU64::new(0);
/// Instances constructed by compiled code itself, `__init__`'s frame pushed
/// by the caller's code (`codegen::lowering::construct_call`).
pub static INLINE_CONSTRUCTS: AtomicU64 = AtomicU64::new(0);
/// Operators of Python classes whose method was called without CPython's
/// slot dispatch (`helpers::dunders::binary`).
pub static DUNDER_CALLS: AtomicU64 = AtomicU64::new(0);
/// Stores of an unpack into locals that found the item in the local
/// already and changed no reference count (`helpers::builders::unpack_to_locals`).
pub static UNCHANGED_STORES: AtomicU64 = AtomicU64::new(0);
/// Calls of compiled functions whose body returns a parameter or a
/// constant, answered without a frame (`helpers::frames::enter_exact`);
/// counted in `NATIVE_CALLS` too.
pub static TRIVIAL_CALLS: AtomicU64 = AtomicU64::new(0);
/// Calls of compiled leaf functions run by their frameless variant
/// (`helpers::frames::enter_exact`), counted in `NATIVE_CALLS` too, and the
/// calls such a variant gave back to the framed code.
pub static FRAMELESS_CALLS: AtomicU64 = AtomicU64::new(0);
pub static FRAMELESS_BAILS: AtomicU64 = AtomicU64::new(0);
/// Attributes of an instance's type read through a LOAD_ATTR site's
/// type-attribute entry (`helpers::caches::type_attribute_entry`).
pub static TYPE_ATTRIBUTE_READS: AtomicU64 = AtomicU64::new(0);
/// Resumptions of generators and coroutines in native code, counted in
/// `NATIVE_CALLS` too.
pub static NATIVE_RESUMES: AtomicU64 = AtomicU64::new(0);
/// Those of them made by compiled code or the runtime without the frame
/// evaluation hook (`helpers::suspend::resume`: FOR_ITER, SEND, and
/// `tuple()`, `set()`, `any()`, `all()`, `sum()` and `str.join()` of a
/// generator).
pub static DIRECT_RESUMES: AtomicU64 = AtomicU64::new(0);
/// Generators and coroutines suspended in `yield from` or `await` that a
/// resumption passed on to the one they delegate to, without running their
/// code (`helpers::suspend::resume_through`).
pub static RESUMES_PASSED: AtomicU64 = AtomicU64::new(0);
/// Generators and coroutines of compiled code made without the interpreter
/// (`helpers::suspend::create_generator`).
pub static GENERATORS_CREATED: AtomicU64 = AtomicU64::new(0);
/// Awaited calls of coroutine functions run without making the coroutine
/// object first (`helpers::suspend::run_eagerly`), counted in
/// `NATIVE_CALLS` too.
pub static EAGER_AWAITS: AtomicU64 = AtomicU64::new(0);
/// Frames that started in the interpreter and continued in compiled code
/// at a loop header (`runtime::osr`).
pub static OSR_ENTRIES: AtomicU64 = AtomicU64::new(0);
/// Compiles finished on the compiler thread (`runtime::background`), counted
/// in `COMPILED`, `FAILED` or the delegations too.
pub static BACKGROUND_COMPILES: AtomicU64 = AtomicU64::new(0);
pub static COMPILE_TIME_NS: AtomicU64 = AtomicU64::new(0);
/// `COMPILE_TIME_NS` split by phase, named as in `COMPILE_PHASE_NAMES`.
pub static COMPILE_PHASE_NS: [AtomicU64; 4] = [const { AtomicU64::new(0) }; 4];
pub const COMPILE_PHASE_NAMES: [&str; 4] = ["decode", "lower", "cranelift", "link"];
pub static NATIVE_BYTES: AtomicU64 = AtomicU64::new(0);
/// Code objects keyed to be looked up in the code cache (those of a shape some entry has).
pub static CACHE_KEYED: AtomicU64 = AtomicU64::new(0);
/// Code objects whose native code came from the code cache.
pub static CACHE_HITS: AtomicU64 = AtomicU64::new(0);
/// Time spent in the code cache: opening it, keying code objects, reading and
/// hash-checking their entries and linking them (`cache::attach::lookup`).
pub static CACHE_TIME_NS: AtomicU64 = AtomicU64::new(0);
/// Refusals of a cache file or of one of its entries (each also warned about).
pub static CACHE_REFUSALS: AtomicU64 = AtomicU64::new(0);

/// Code objects handed to the interpreter, by reason.
pub static DELEGATED: Mutex<BTreeMap<String, u64>> = Mutex::new(BTreeMap::new());

/// Adds one to `counter` without a locked instruction: the counters on hot
/// paths are only changed with the GIL held, so the plain read-modify-write
/// is exact.
#[inline]
pub fn bump(counter: &AtomicU64) {
    add(counter, 1);
}

/// Adds `n` to `counter`, as `bump` adds one.
#[inline]
pub fn add(counter: &AtomicU64, n: u64) {
    counter.store(counter.load(Ordering::Relaxed) + n, Ordering::Relaxed);
}

pub fn count_delegated(reason: &str) {
    let mut delegated = DELEGATED.lock().unwrap_or_else(|e| e.into_inner());
    *delegated.entry(reason.to_owned()).or_default() += 1;
}

pub fn count_compile_phases(phases: &CompilePhases) {
    let times = [phases.decode_ns, phases.lower_ns, phases.cranelift_ns, phases.link_ns];
    for (total, ns) in COMPILE_PHASE_NS.iter().zip(times) {
        total.fetch_add(ns, Ordering::Relaxed);
    }
}

/// Where one compile's time went, in nanoseconds (`pyjit.stats()["compile_phase_ns"]`).
#[derive(Clone, Copy, Default)]
pub struct CompilePhases {
    /// Reading the code object: decoding `co_code` and the exception table.
    pub decode_ns: u64,
    /// Building the Cranelift IR.
    pub lower_ns: u64,
    /// Cranelift's `define_function`: verification, optimisation, register allocation, emission.
    pub cranelift_ns: u64,
    /// Making the code callable: finalizing the JIT module, or emitting and loading the object.
    pub link_ns: u64,
}

/// Nanoseconds since `started`.
pub fn elapsed_ns(started: std::time::Instant) -> u64 {
    started.elapsed().as_nanos() as u64
}
