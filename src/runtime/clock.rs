//! A clock cheap enough to read around every interpreted frame.
//!
//! `Instant::now()` (`clock_gettime`) cost a quarter of a recursive
//! function's run time when read twice per call; the time-stamp counter
//! costs a few nanoseconds. Its rate is measured against `Instant` once
//! enough time has passed since start-up; until then a typical rate stands
//! in (the tiering decisions made with it are estimates anyway).

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Ticks per microsecond assumed before the rate is measured.
const ASSUMED_TICKS_PER_US: u64 = 2_500;
/// How long after start-up the rate is measured.
const CALIBRATION_SPAN: Duration = Duration::from_millis(5);

/// The clock's reading, in ticks of a fixed but unknown length.
#[inline]
pub fn ticks() -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: RDTSC has no preconditions; every x86-64 CPU has it.
        unsafe { core::arch::x86_64::_rdtsc() }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        start().0.elapsed().as_nanos() as u64
    }
}

/// The `Instant` and tick count when the clock was first used.
fn start() -> &'static (Instant, u64) {
    static START: OnceLock<(Instant, u64)> = OnceLock::new();
    START.get_or_init(|| (Instant::now(), ticks()))
}

/// Starts the clock; called when the JIT is switched on, so that the rate
/// can be measured later without waiting.
pub fn init() {
    start();
}

/// Ticks per microsecond, measured once `CALIBRATION_SPAN` has passed.
fn ticks_per_us() -> u64 {
    static MEASURED: AtomicU64 = AtomicU64::new(0);
    match MEASURED.load(Relaxed) {
        0 => {
            let (instant, ticks0) = *start();
            let elapsed = instant.elapsed();
            if elapsed < CALIBRATION_SPAN {
                return ASSUMED_TICKS_PER_US;
            }
            let rate = ((ticks() - ticks0) / elapsed.as_micros().max(1) as u64).max(1);
            MEASURED.store(rate, Relaxed);
            rate
        }
        rate => rate,
    }
}

/// `duration` in ticks.
pub fn to_ticks(duration: Duration) -> u64 {
    duration.as_micros() as u64 * ticks_per_us()
}
