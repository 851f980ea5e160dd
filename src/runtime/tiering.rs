//! When a code object is worth compiling.
//!
//! With a fixed `threshold`, after that many calls. By default (`auto`),
//! when the time its frames have spent in the interpreter reaches a
//! multiple (`COMPILE_AFTER`) of what compiling it is expected to cost: the
//! rent-or-buy rule, which with a multiple of 1 never spends more than twice
//! the best choice in hindsight. Code that runs briefly (most of what imports run) is never
//! compiled; code that runs long enough always is. The expected cost is the
//! code's size times the mean compile time per code unit so far in this
//! process, starting from a prior, so the policy follows the compiler's
//! real speed on this machine.
//!
//! Interpreted time is a frame's own: the time of the interpreted frames it
//! runs that are timed too is taken off (`timed`), so that the import
//! machinery, say, is not compiled for the time module bodies took. Frames
//! that are not timed (native ones, and interpreted ones left out by
//! sampling) count as their caller's time.

use super::clock;
use crate::abi;
use crate::config;
use pyo3::ffi::PyCodeObject;
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// Prior for the compile time per code unit, and how many code units of
/// evidence it counts as.
const PRIOR_PER_UNIT: Duration = Duration::from_micros(20);
const PRIOR_UNITS: u64 = 2_000;
/// A frame loops this long at least before it moves into native code, so
/// that a short loop never pays for the move.
const MIN_LOOP_TIME: Duration = Duration::from_millis(2);
/// Interpreted time, in multiples of the expected compile time, at which
/// code is compiled in place. The break-even rule says 1; compiled code is a
/// baseline today and does not yet win back the time its compile cost,
/// so short programs (test suites: 1.67x at 1) pay for every compile.
const COMPILE_AFTER: u64 = 4;
/// The same on the compiler thread (`runtime::background`), where the
/// program waits for none of the compile: the break-even rule.
const COMPILE_AFTER_IN_BACKGROUND: u64 = 1;

/// Clock ticks spent compiling, and code units compiled, in this process.
static COMPILED_TICKS: AtomicU64 = AtomicU64::new(0);
static COMPILED_UNITS: AtomicU64 = AtomicU64::new(0);

/// Records a compile of `units` code units that took `duration`.
pub fn record_compile(units: u32, duration: Duration) {
    COMPILED_TICKS.fetch_add(clock::to_ticks(duration), Relaxed);
    COMPILED_UNITS.fetch_add(u64::from(units), Relaxed);
}

/// What compiling code of `units` code units is expected to cost, in ticks.
fn expected_compile_ticks(units: u32) -> u64 {
    let ticks = clock::to_ticks(PRIOR_PER_UNIT) * PRIOR_UNITS + COMPILED_TICKS.load(Relaxed);
    ticks / (PRIOR_UNITS + COMPILED_UNITS.load(Relaxed)) * u64::from(units)
}

thread_local! {
    /// Clock ticks of the timed frames run so far by the innermost timed
    /// frame of this thread.
    static CHILD_TICKS: Cell<u64> = const { Cell::new(0) };
}

/// Runs `frame` (an interpreted frame) and returns its result and its own
/// time in ticks: its elapsed time less that of the timed frames it ran.
pub fn timed<T>(frame: impl FnOnce() -> T) -> (T, u64) {
    let outer = CHILD_TICKS.replace(0);
    let started = clock::ticks();
    let result = frame();
    let elapsed = clock::ticks().wrapping_sub(started);
    let children = CHILD_TICKS.replace(outer.wrapping_add(elapsed));
    (result, elapsed.saturating_sub(children))
}

/// Calls timed before timing is sampled, and the sampling period then.
const TIMED_CALLS: u64 = 8;
const SAMPLE_PERIOD: u64 = 8;

/// How much the interpreted time of a code object's call number `runs`
/// counts: reading the clock costs as much as a short call (on virtual
/// machines), so after the first `TIMED_CALLS` calls only every
/// `SAMPLE_PERIOD`th is timed, standing for the ones in between. 0: not
/// timed.
pub fn timing_weight(runs: u64) -> u64 {
    if runs <= TIMED_CALLS {
        1
    } else if runs.is_multiple_of(SAMPLE_PERIOD) {
        SAMPLE_PERIOD
    } else {
        0
    }
}

/// Whether code that has been called `runs` times is compiled now;
/// `covered`: its time in the interpreter covered the expected compile cost
/// when last measured (`covers_compile_cost`).
#[inline(always)]
pub fn worth_compiling(runs: u64, covered: bool) -> bool {
    match config::threshold() {
        Some(threshold) => runs > threshold,
        // One call is never enough: a frame that loops long moves into
        // native code on its own (`osr`), and one that does not is done.
        None => runs > 1 && covered,
    }
}

/// Whether `interpreted` clock ticks in the interpreter cover the expected
/// cost of compiling code of `units` code units, in the multiple the
/// automatic threshold asks for. Evaluated when the ticks grow, after a
/// timed frame, rather than at every call: it divides.
pub fn covers_compile_cost(interpreted: u64, units: u32) -> bool {
    let multiple = if config::background() { COMPILE_AFTER_IN_BACKGROUND } else { COMPILE_AFTER };
    interpreted >= multiple * expected_compile_ticks(units)
}

/// Why the default policy leaves the import system's code to the interpreter.
pub const IMPORT_SYSTEM: &str = "the import system (frozen importlib): its time is file system calls, \
unmarshalling and the module bodies it runs, which compiling it does not shorten";

/// Whether the default policy leaves `code` to the interpreter whatever its
/// time there: the code of CPython's import system, `importlib._bootstrap`
/// and `importlib._bootstrap_external` (frozen). Its frames' own time is
/// mostly in the C functions they call, so it reached the expected compile
/// cost at every import-heavy start-up while its native code saved nothing:
/// `import asyncio, json, email, argparse, decimal` took 1.13x plain
/// CPython's wall time compiling it on the compiler thread, 1.05x without.
/// A fixed threshold still compiles it, as it does all code.
pub fn left_to_interpreter(code: *mut PyCodeObject) -> bool {
    const FILENAMES: [&std::ffi::CStr; 2] = [c"<frozen importlib._bootstrap>", c"<frozen importlib._bootstrap_external>"];
    let filename = abi::code_object(code, abi::CODE_FILENAME);
    // SAFETY: co_filename is a live str of a live code object; comparing
    // with an ASCII string raises nothing.
    config::threshold().is_none()
        && FILENAMES.iter().any(|name| unsafe { pyo3::ffi::PyUnicode_CompareWithASCIIString(filename, name.as_ptr()) } == 0)
}

/// Whether a frame that has looped in the interpreter for `looped` ticks
/// moves into native code (whatever the call threshold): once it has run
/// `MIN_LOOP_TIME`, and its code's interpreted time, this frame's and the
/// finished frames' (`interpreted`), reaches the expected compile cost. A
/// function called a few times, each call one long loop, thus compiles
/// during the call in which its time passes the cost, not only in a call
/// that alone runs that long.
pub fn loop_is_hot(units: u32, looped: u64, interpreted: u64) -> bool {
    looped >= clock::to_ticks(MIN_LOOP_TIME) && looped.saturating_add(interpreted) >= expected_compile_ticks(units)
}
