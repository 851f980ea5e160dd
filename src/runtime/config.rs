//! Settings: `pyjit.config(...)` and the `PYJIT_*` environment variables.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::Mutex;

static THRESHOLD: AtomicU64 = AtomicU64::new(DEFAULT_THRESHOLD);
static LEVEL: AtomicU8 = AtomicU8::new(1);
static PGC: AtomicBool = AtomicBool::new(true);
static VIA_OBJECT: AtomicBool = AtomicBool::new(false);
static DISABLED: AtomicBool = AtomicBool::new(false);
static CACHE_STRICT: AtomicBool = AtomicBool::new(false);
static RECORDING: AtomicBool = AtomicBool::new(false);
static VERIFY: AtomicBool = AtomicBool::new(false);
static CACHE: Mutex<CacheSettings> = Mutex::new(CacheSettings { dir: None, trusted_keys: Vec::new(), generation: 0 });

/// Where the code cache is and which keys may sign it.
#[derive(Clone)]
pub struct CacheSettings {
    /// `PYJIT_CACHE`: the directory of the cache to load from; None: no cache.
    pub dir: Option<PathBuf>,
    /// `PYJIT_TRUSTED_KEYS`: public key files; empty: the per-user key.
    pub trusted_keys: Vec<PathBuf>,
    /// Changes whenever a setting does, so that the loader reopens the cache.
    pub generation: u64,
}

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
    if let Some(v) = var("PYJIT_CACHE") {
        set_cache_dir(Some(PathBuf::from(v)));
    }
    if let Some(v) = var("PYJIT_TRUSTED_KEYS") {
        set_trusted_keys(split_paths(&v));
    }
    if let Some(v) = var("PYJIT_CACHE_STRICT") {
        set_cache_strict(parse_flag(&v).ok_or_else(|| format!("PYJIT_CACHE_STRICT must be 0 or 1, not {v:?}"))?);
    }
    if let Some(v) = var("PYJIT_VERIFY") {
        VERIFY.store(parse_flag(&v).ok_or_else(|| format!("PYJIT_VERIFY must be 0 or 1, not {v:?}"))?, Ordering::Relaxed);
    }
    // The file itself is written by the Python package at exit.
    RECORDING.store(var("PYJIT_RECORD_OUT").is_some(), Ordering::Relaxed);
    if let Some(v) = var("PYJIT_DISABLE") {
        DISABLED.store(parse_flag(&v).unwrap_or(true), Ordering::Relaxed);
    }
    Ok(())
}

/// Splits a `:`-separated list of paths, dropping empty items.
pub fn split_paths(list: &str) -> Vec<PathBuf> {
    list.split(':').filter(|item| !item.is_empty()).map(PathBuf::from).collect()
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
/// `PYJIT_VERIFY=1`: run Cranelift's IR verifier on every function (a debugging aid that
/// costs compile time; the tests switch it on). Read once, when the first function is compiled.
pub fn verify() -> bool {
    VERIFY.load(Ordering::Relaxed)
}
/// The code cache settings.
pub fn cache() -> CacheSettings {
    CACHE.lock().unwrap_or_else(|e| e.into_inner()).clone()
}
fn update_cache(change: impl FnOnce(&mut CacheSettings)) {
    let mut settings = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    change(&mut settings);
    settings.generation += 1;
}
pub fn set_cache_dir(dir: Option<PathBuf>) {
    update_cache(|settings| settings.dir = dir);
}
pub fn set_trusted_keys(keys: Vec<PathBuf>) {
    update_cache(|settings| settings.trusted_keys = keys);
}
/// `PYJIT_CACHE_STRICT=1`: a refused cache stops the process instead of being skipped.
pub fn cache_strict() -> bool {
    CACHE_STRICT.load(Ordering::Relaxed)
}
pub fn set_cache_strict(value: bool) {
    CACHE_STRICT.store(value, Ordering::Relaxed);
}
/// `PYJIT_RECORD_OUT=FILE` (set by `pyjit precompile --train`): remember the key of every
/// code object that runs, for `pyjit._pyjit.recorded_keys()`.
pub fn recording() -> bool {
    RECORDING.load(Ordering::Relaxed)
}
