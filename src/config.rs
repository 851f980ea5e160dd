//! Settings: `pyjit.config(...)` and the `PYJIT_*` environment variables.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicU8, Ordering};
use std::sync::Mutex;

/// A fixed call count, or `AUTO`.
static THRESHOLD: AtomicU64 = AtomicU64::new(AUTO);
static LEVEL: AtomicU8 = AtomicU8::new(1);
static PGC: AtomicBool = AtomicBool::new(true);
static VIA_OBJECT: AtomicBool = AtomicBool::new(false);
static OSR: AtomicBool = AtomicBool::new(true);
static DISABLED: AtomicBool = AtomicBool::new(false);
static CACHE_STRICT: AtomicBool = AtomicBool::new(false);
static RECORDING: AtomicBool = AtomicBool::new(false);
static PERF_MAP: AtomicBool = AtomicBool::new(false);
static VERIFY: AtomicBool = AtomicBool::new(false);
/// The bits of the optimizations switched off (`Optimizations`). Generated
/// code reads it (symbol `pyjit_optimizations_off`) for direct calls, which
/// follow the setting at every call.
pub static OPTIMIZATIONS_OFF: AtomicU32 = AtomicU32::new(0);
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

/// `THRESHOLD` when the tiering policy decides (`runtime::tiering`).
const AUTO: u64 = u64::MAX;
pub const MAX_LEVEL: u8 = 2;

/// Reads the environment once, when the extension is loaded. Returns the
/// first invalid setting as a message.
pub fn load_environment() -> Result<(), String> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if let Some(v) = var("PYJIT_THRESHOLD") {
        let threshold = match v.as_str() {
            "auto" => None,
            _ => Some(v.parse().ok().filter(|&n| n != AUTO).ok_or_else(|| {
                format!("PYJIT_THRESHOLD must be \"auto\" or a non-negative integer, not {v:?}")
            })?),
        };
        set_threshold(threshold);
    }
    if let Some(v) = var("PYJIT_LEVEL") {
        let level = v.parse().ok().filter(|l| *l <= MAX_LEVEL);
        set_level(level.ok_or_else(|| format!("PYJIT_LEVEL must be 0, 1 or 2, not {v:?}"))?);
    }
    if let Some(v) = var("PYJIT_PGC") {
        set_pgc(parse_flag(&v).ok_or_else(|| format!("PYJIT_PGC must be 0 or 1, not {v:?}"))?);
    }
    if let Some(v) = var("PYJIT_OSR") {
        set_osr(parse_flag(&v).ok_or_else(|| format!("PYJIT_OSR must be 0 or 1, not {v:?}"))?);
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
    if let Some(v) = var("PYJIT_PERF_MAP") {
        set_perf_map(parse_flag(&v).ok_or_else(|| format!("PYJIT_PERF_MAP must be 0 or 1, not {v:?}"))?);
    }
    if let Some(v) = var("PYJIT_VERIFY") {
        VERIFY.store(parse_flag(&v).ok_or_else(|| format!("PYJIT_VERIFY must be 0 or 1, not {v:?}"))?, Ordering::Relaxed);
    }
    if let Some(v) = var("PYJIT_OPT_OFF") {
        set_disabled_optimizations(parse_optimizations(&v).map_err(|e| format!("PYJIT_OPT_OFF: {e}"))?);
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

/// Calls a function makes in the interpreter before it is compiled, or
/// None when the tiering policy decides from how long it ran.
pub fn threshold() -> Option<u64> {
    let threshold = THRESHOLD.load(Ordering::Relaxed);
    (threshold != AUTO).then_some(threshold)
}
pub fn set_threshold(value: Option<u64>) {
    THRESHOLD.store(value.map_or(AUTO, |n| n.min(AUTO - 1)), Ordering::Relaxed);
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
/// Loop tiering: frames looping long in the interpreter continue in
/// compiled code (`runtime::osr`).
pub fn osr() -> bool {
    OSR.load(Ordering::Relaxed)
}
pub fn set_osr(value: bool) {
    OSR.store(value, Ordering::Relaxed);
}
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
/// `PYJIT_PERF_MAP=1`: name native code in `/tmp/perf-PID.map` for `perf report`.
pub fn perf_map() -> bool {
    PERF_MAP.load(Ordering::Relaxed)
}
pub fn set_perf_map(value: bool) {
    PERF_MAP.store(value, Ordering::Relaxed);
}

/// An optimization of the compiler, which can be switched off to bisect a
/// problem to it: with it off, the lowering emits the generic path only. The
/// number is the discriminant, stable once given; name and description are
/// in `OPTIMIZATIONS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Optimization {
    InlineCacheGlobals = 1,
    InlineCacheAttrs,
    InlineCacheMethods,
    InlineCacheStoreAttr,
    InlineArithmetic,
    InlineCompare,
    FusedCompareJump,
    InlineSubscripts,
    DirectIterNext,
    DirectCalls,
    ProfileGuided,
    BorrowedOperands,
    InlineUnpack,
    DirectResume,
    ReuseNumbers,
}

/// One row of the table of optimizations.
pub struct OptimizationInfo {
    pub optimization: Optimization,
    pub name: &'static str,
    pub description: &'static str,
}

/// Every optimization, in number order (the README lists the same).
pub const OPTIMIZATIONS: [OptimizationInfo; 15] = {
    use Optimization::*;
    const fn row(optimization: Optimization, name: &'static str, description: &'static str) -> OptimizationInfo {
        OptimizationInfo { optimization, name, description }
    }
    [
        row(InlineCacheGlobals, "inline-cache-globals",
            "LOAD_GLOBAL reads the value cached for unchanged globals and builtins"),
        row(InlineCacheAttrs, "inline-cache-attrs",
            "LOAD_ATTR reads instance values, slots, module and class attributes through a per-site cache"),
        row(InlineCacheMethods, "inline-cache-methods",
            "LOAD_METHOD takes the method cached for the owner's type, or the attribute cached for a class or a module"),
        row(InlineCacheStoreAttr, "inline-cache-store-attr",
            "STORE_ATTR replaces an instance value through a per-site cache"),
        row(InlineArithmetic, "inline-arithmetic",
            "BINARY_OP on small ints and floats, alike or mixed, and float powers, computed inline"),
        row(InlineCompare, "inline-compare",
            "COMPARE_OP on small ints and floats, alike or mixed, computed inline"),
        row(FusedCompareJump, "fused-compare-jump",
            "an inline compare hands its condition to the jump after it, making no bool"),
        row(InlineSubscripts, "inline-subscripts",
            "BINARY_SUBSCR and STORE_SUBSCR of a list or tuple by a small int inline"),
        row(DirectIterNext, "direct-iternext",
            "FOR_ITER calls the iterator's tp_iternext from compiled code"),
        row(DirectCalls, "direct-calls",
            "calls of Python functions push the callee's frame and run it (natively or interpreted) directly"),
        row(ProfileGuided, "profile-guided",
            "fast paths chosen from what the specialising interpreter observed"),
        row(BorrowedOperands, "borrowed-operands",
            "locals and constants used as operands are not reference-counted"),
        row(InlineUnpack, "inline-unpack",
            "UNPACK_SEQUENCE of a tuple or list of the right length inline"),
        row(DirectResume, "direct-resume",
            "FOR_ITER over a compiled generator, and SEND to one or to a compiled coroutine, resume its native code directly"),
        row(ReuseNumbers, "reuse-numbers",
            "an inline float or int result stored to a local is written into the number only that local held"),
    ]
};

impl Optimization {
    /// Its stable number.
    pub fn number(self) -> u32 {
        self as u32
    }
}

/// A set of optimizations: bit `n` for number `n`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Optimizations(u32);

impl Optimizations {
    pub const NONE: Optimizations = Optimizations(0);
    pub const ALL: Optimizations = Optimizations(((1 << OPTIMIZATIONS.len()) - 1) << 1);

    pub fn contains(self, optimization: Optimization) -> bool {
        self.0 & (1 << optimization.number()) != 0
    }
    pub fn insert(&mut self, optimization: Optimization) {
        self.0 |= 1 << optimization.number();
    }
    /// The optimizations of `ALL` not in this set.
    pub fn complement(self) -> Optimizations {
        Optimizations(Self::ALL.0 & !self.0)
    }
    /// The names of its members, in number order.
    pub fn names(self) -> Vec<&'static str> {
        OPTIMIZATIONS.iter().filter(|row| self.contains(row.optimization)).map(|row| row.name).collect()
    }
}

/// The optimization with number or name `item`.
pub fn optimization(item: &str) -> Result<Optimization, String> {
    let item = item.trim();
    let found = match item.parse::<usize>() {
        Ok(number) => number.checked_sub(1).and_then(|index| OPTIMIZATIONS.get(index)),
        Err(_) => OPTIMIZATIONS.iter().find(|row| row.name == item),
    };
    found.map(|row| row.optimization).ok_or_else(|| {
        let valid: Vec<String> =
            OPTIMIZATIONS.iter().map(|row| format!("{} {}", row.optimization.number(), row.name)).collect();
        format!("unknown optimization {item:?}; valid: {}, or all", valid.join(", "))
    })
}

/// A comma-separated list of optimization numbers and names, or `all`.
pub fn parse_optimizations(list: &str) -> Result<Optimizations, String> {
    if list.trim() == "all" {
        return Ok(Optimizations::ALL);
    }
    let mut set = Optimizations::NONE;
    for item in list.split(',').filter(|item| !item.trim().is_empty()) {
        set.insert(optimization(item)?);
    }
    Ok(set)
}

/// The optimizations code compiled from now on may use. Code keeps the set
/// it was compiled with, except direct calls, decided at every call.
pub fn optimizations() -> Optimizations {
    Optimizations(OPTIMIZATIONS_OFF.load(Ordering::Relaxed)).complement()
}
pub fn optimization_enabled(optimization: Optimization) -> bool {
    optimizations().contains(optimization)
}
pub fn set_disabled_optimizations(off: Optimizations) {
    OPTIMIZATIONS_OFF.store(off.0, Ordering::Relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optimizations_are_listed_in_number_order() {
        for (index, row) in OPTIMIZATIONS.iter().enumerate() {
            assert_eq!(row.optimization.number() as usize, index + 1, "{}", row.name);
        }
    }

    #[test]
    fn optimization_lists_parse_numbers_names_and_all() {
        let set = parse_optimizations("2, inline-cache-globals").unwrap();
        assert_eq!(set.names(), ["inline-cache-globals", "inline-cache-attrs"]);
        assert_eq!(parse_optimizations("all").unwrap(), Optimizations::ALL);
        assert_eq!(parse_optimizations("").unwrap(), Optimizations::NONE);
        assert_eq!(Optimizations::ALL.complement(), Optimizations::NONE);
        let past_the_last = (OPTIMIZATIONS.len() + 1).to_string();
        for bad in ["0", past_the_last.as_str(), "fast", "1,x"] {
            let error = parse_optimizations(bad).unwrap_err();
            assert!(error.contains("valid: 1 inline-cache-globals") && !error.contains('\n'), "{error}");
        }
    }
}
