//! Settings: `pyjit.config(...)` and the `PYJIT_*` environment variables.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};

static THRESHOLD: AtomicU64 = AtomicU64::new(DEFAULT_THRESHOLD);
static LEVEL: AtomicU8 = AtomicU8::new(1);
static PGC: AtomicBool = AtomicBool::new(true);
static VIA_OBJECT: AtomicBool = AtomicBool::new(false);
static DISABLED: AtomicBool = AtomicBool::new(false);

/// Calls a function makes in the interpreter before it is compiled.
pub const DEFAULT_THRESHOLD: u64 = 10;
pub const MAX_LEVEL: u8 = 2;

/// Reads the environment once, when the extension is loaded. Returns the
/// first invalid setting as a message.
pub fn load_environment() -> Result<(), String> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if let Some(v) = var("PYJIT_THRESHOLD") {
        set_threshold(v.parse().map_err(|_| format!("PYJIT_THRESHOLD must be a non-negative integer, not {v:?}"))?);
    }
    if let Some(v) = var("PYJIT_LEVEL") {
        let level = v.parse().ok().filter(|l| *l <= MAX_LEVEL);
        set_level(level.ok_or_else(|| format!("PYJIT_LEVEL must be 0, 1 or 2, not {v:?}"))?);
    }
    if let Some(v) = var("PYJIT_PGC") {
        set_pgc(parse_flag(&v).ok_or_else(|| format!("PYJIT_PGC must be 0 or 1, not {v:?}"))?);
    }
    if let Some(v) = var("PYJIT_VIA_OBJECT") {
        set_via_object(parse_flag(&v).ok_or_else(|| format!("PYJIT_VIA_OBJECT must be 0 or 1, not {v:?}"))?);
    }
    if let Some(v) = var("PYJIT_DISABLE") {
        DISABLED.store(parse_flag(&v).unwrap_or(true), Ordering::Relaxed);
    }
    Ok(())
}

fn parse_flag(value: &str) -> Option<bool> {
    match value {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

pub fn threshold() -> u64 {
    THRESHOLD.load(Ordering::Relaxed)
}
pub fn set_threshold(value: u64) {
    THRESHOLD.store(value, Ordering::Relaxed);
}
/// Optimisation level: 0 is the plain compiled form; higher levels enable
/// the optimizing tier as it lands.
pub fn level() -> u8 {
    LEVEL.load(Ordering::Relaxed)
}
pub fn set_level(value: u8) {
    LEVEL.store(value, Ordering::Relaxed);
}
/// Profile-guided compilation (the profiling tier).
pub fn pgc() -> bool {
    PGC.load(Ordering::Relaxed)
}
pub fn set_pgc(value: bool) {
    PGC.store(value, Ordering::Relaxed);
}
/// Compile through `ObjectModule` and pyjit's own loader instead of
/// cranelift-jit (the code path cached code takes).
pub fn via_object() -> bool {
    VIA_OBJECT.load(Ordering::Relaxed)
}
pub fn set_via_object(value: bool) {
    VIA_OBJECT.store(value, Ordering::Relaxed);
}
/// `PYJIT_DISABLE=1`: pyjit never switches on in this process.
pub fn disabled() -> bool {
    DISABLED.load(Ordering::Relaxed)
}
