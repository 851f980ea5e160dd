//! When a code object is worth compiling.
//!
//! With a fixed `threshold`, after that many calls. By default (`auto`),
//! when the time its frames have spent in the interpreter reaches what
//! compiling it is expected to cost: the break-even rule of rent-or-buy
//! problems, which never spends more than twice the best choice in
//! hindsight. Code that runs briefly (most of what imports run) is never
//! compiled; code that runs long enough always is. The expected cost is the
//! code's size times the mean compile time per code unit so far in this
//! process, starting from a prior, so the policy follows the compiler's
//! real speed on this machine.
//!
//! Interpreted time is measured around each interpreted frame and includes
//! the frames it calls, so code high in a call tree reaches break-even
//! sooner than its own work warrants; compiling it costs no more than the
//! time already spent in it, which bounds the waste.

use super::clock;
use crate::config;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// Prior for the compile time per code unit, and how many code units of
/// evidence it counts as.
const PRIOR_PER_UNIT: Duration = Duration::from_micros(20);
const PRIOR_UNITS: u64 = 2_000;
/// A frame loops this long at least before it moves into native code, so
/// that a short loop never pays for the move.
const MIN_LOOP_TIME: Duration = Duration::from_millis(2);

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
    } else if runs % SAMPLE_PERIOD == 0 {
        SAMPLE_PERIOD
    } else {
        0
    }
}

/// Whether code that has been called `runs` times and has spent
/// `interpreted` clock ticks in the interpreter is compiled now.
pub fn worth_compiling(runs: u64, interpreted: u64, units: u32) -> bool {
    match config::threshold() {
        Some(threshold) => runs > threshold,
        // One call is never enough: a frame that loops long moves into
        // native code on its own (`osr`), and one that does not is done.
        None => runs > 1 && interpreted >= expected_compile_ticks(units),
    }
}

/// How long (in ticks) a frame runs a loop in the interpreter before it
/// continues in native code (whatever the call threshold).
pub fn loop_ticks_before_osr(units: u32) -> u64 {
    expected_compile_ticks(units).max(clock::to_ticks(MIN_LOOP_TIME))
}
