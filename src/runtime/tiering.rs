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

use crate::config;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// Prior for the compile time per code unit, and how many code units of
/// evidence it counts as.
const PRIOR_NS_PER_UNIT: u64 = 20_000;
const PRIOR_UNITS: u64 = 2_000;
/// A frame loops this long at least before it moves into native code, so
/// that a short loop never pays for the move.
const MIN_LOOP_TIME: Duration = Duration::from_millis(2);

static COMPILED_NS: AtomicU64 = AtomicU64::new(0);
static COMPILED_UNITS: AtomicU64 = AtomicU64::new(0);

/// Records a compile of `units` code units that took `ns`.
pub fn record_compile(units: u32, ns: u64) {
    COMPILED_NS.fetch_add(ns, Relaxed);
    COMPILED_UNITS.fetch_add(u64::from(units), Relaxed);
}

/// What compiling code of `units` code units is expected to cost.
pub fn expected_compile_time(units: u32) -> Duration {
    let ns = PRIOR_NS_PER_UNIT * PRIOR_UNITS + COMPILED_NS.load(Relaxed);
    let per_unit = ns / (PRIOR_UNITS + COMPILED_UNITS.load(Relaxed));
    Duration::from_nanos(per_unit * u64::from(units))
}

/// Whether code that has been called `runs` times and has spent
/// `interpreted` in the interpreter is compiled now.
pub fn worth_compiling(runs: u64, interpreted: Duration, units: u32) -> bool {
    match config::threshold() {
        Some(threshold) => runs > threshold,
        // One call is never enough: a frame that loops long moves into
        // native code on its own (`osr`), and one that does not is done.
        None => runs > 1 && interpreted >= expected_compile_time(units),
    }
}

/// How long a frame runs a loop in the interpreter before it continues in
/// native code (whatever the call threshold).
pub fn loop_time_before_osr(units: u32) -> Duration {
    expected_compile_time(units).max(MIN_LOOP_TIME)
}
