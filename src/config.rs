//! Settings: `pyjit.config(...)`, the `PYJIT_*` environment variables and their
//! `-X pyjit-*` options.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::Mutex;

/// A fixed call count, or `AUTO`.
static THRESHOLD: AtomicU64 = AtomicU64::new(AUTO);
static LEVEL: AtomicU8 = AtomicU8::new(1);
static PGC: AtomicBool = AtomicBool::new(true);
static VIA_OBJECT: AtomicBool = AtomicBool::new(false);
static OSR: AtomicBool = AtomicBool::new(true);
static BACKGROUND: AtomicBool = AtomicBool::new(true);
static DISABLED: AtomicBool = AtomicBool::new(false);
static ENABLE_AT_STARTUP: AtomicBool = AtomicBool::new(false);
static CACHE_STRICT: AtomicBool = AtomicBool::new(false);
static RECORDING: AtomicBool = AtomicBool::new(false);
static PERF_MAP: AtomicBool = AtomicBool::new(false);
static VERIFY: AtomicBool = AtomicBool::new(false);
/// The bits of the optimizations switched off (`Optimizations`). Direct
/// calls follow the setting at every call (`helpers::calls::call_positional`).
/// The optimizations switched off, bit `n` for number `n` (`Optimizations`);
/// generated code reads the bit of `direct-calls`, decided at each call.
pub static OPTIMIZATIONS_OFF: AtomicU64 = AtomicU64::new(0);
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

/// A setting given at start-up: its environment variable, its `-X` option (as in
/// `sys._xoptions`), and what the option given without `=VALUE` means (None: it needs
/// a value).
pub struct StartupSetting {
    pub variable: &'static str,
    pub option: &'static str,
    bare: Option<&'static str>,
}

const fn setting(variable: &'static str, option: &'static str, bare: Option<&'static str>) -> StartupSetting {
    StartupSetting { variable, option, bare }
}

/// Every start-up setting, in the README's order. `-X pyjit` alone switches the JIT on.
pub const STARTUP_SETTINGS: [StartupSetting; 16] = [
    setting("PYJIT_ENABLE", "pyjit", Some("1")),
    setting("PYJIT_DISABLE", "pyjit-disable", Some("1")),
    setting("PYJIT_THRESHOLD", "pyjit-threshold", None),
    setting("PYJIT_LEVEL", "pyjit-level", None),
    setting("PYJIT_PGC", "pyjit-pgc", Some("1")),
    setting("PYJIT_OSR", "pyjit-osr", Some("1")),
    setting("PYJIT_BACKGROUND", "pyjit-background", Some("1")),
    setting("PYJIT_VIA_OBJECT", "pyjit-via-object", Some("1")),
    setting("PYJIT_STATS_OUT", "pyjit-stats-out", None),
    setting("PYJIT_CACHE", "pyjit-cache", None),
    setting("PYJIT_TRUSTED_KEYS", "pyjit-trusted-keys", None),
    setting("PYJIT_CACHE_STRICT", "pyjit-cache-strict", Some("1")),
    setting("PYJIT_OPT_OFF", "pyjit-opt-off", Some("all")),
    setting("PYJIT_PERF_MAP", "pyjit-perf-map", Some("1")),
    setting("PYJIT_VERIFY", "pyjit-verify", Some("1")),
    setting("PYJIT_RECORD_OUT", "pyjit-record-out", None),
];

/// One `-X` option whose name starts with `pyjit`, as given: its name and its value
/// (None: given without `=VALUE`).
pub struct XOption {
    pub name: String,
    pub value: Option<OsString>,
}

/// Reads the `PYJIT_*` environment variables and the `-X pyjit*` options (`xoptions`;
/// an option overrides its variable) once, when the extension is loaded. Returns the
/// first invalid setting as one line naming the variable or option, its value and what
/// is valid: `PYJIT_LEVEL='9': must be 0, 1 or 2`, `-X pyjit-level='9': ...`.
pub fn load_environment(xoptions: &[XOption]) -> Result<(), String> {
    load_settings(|name| std::env::var_os(name), xoptions)
}

/// `load_environment` over the variables `get` finds. Paths take any bytes (Linux paths
/// are bytes); every other value must be text, and an invalid one is an error, never
/// ignored; so is an unknown `-X pyjit*` option, and one given without the value it needs.
fn load_settings(get: impl Fn(&str) -> Option<OsString>, xoptions: &[XOption]) -> Result<(), String> {
    let known = |name: &str| STARTUP_SETTINGS.iter().find(|s| s.option == name);
    if let Some(unknown) = xoptions.iter().find(|x| known(&x.name).is_none()) {
        let valid: Vec<String> = STARTUP_SETTINGS.iter().map(|s| format!("-X {}", s.option)).collect();
        return Err(format!("-X {}: unknown option; valid: {}", unknown.name, valid.join(", ")));
    }
    let mut given = Vec::new();
    for x in xoptions {
        let startup = known(&x.name).expect("checked above");
        let name = format!("-X {}", x.name);
        let value = match (&x.value, startup.bare) {
            (Some(value), _) => value.clone(),
            (None, Some(bare)) => bare.into(),
            (None, None) => return Err(format!("{name}: needs a value ({name}=VALUE)")),
        };
        given.push((startup.variable, Setting { name, value }));
    }
    let var = |variable: &'static str| {
        let option = given.iter().find(|(v, _)| *v == variable).map(|(_, setting)| setting.clone());
        option.or_else(|| get(variable).filter(|value| !value.is_empty()).map(|value| Setting { name: variable.into(), value }))
    };
    if let Some(v) = var("PYJIT_ENABLE") {
        ENABLE_AT_STARTUP.store(v.parse(VALID_FLAG, parse_flag)?, Ordering::Relaxed);
    }
    if let Some(v) = var("PYJIT_DISABLE") {
        DISABLED.store(v.parse(VALID_FLAG, parse_flag)?, Ordering::Relaxed);
    }
    if let Some(v) = var("PYJIT_THRESHOLD") {
        set_threshold(v.parse(VALID_THRESHOLD, parse_threshold)?);
    }
    if let Some(v) = var("PYJIT_LEVEL") {
        set_level(v.parse(VALID_LEVEL, |text| text.parse().ok().filter(|&level| level <= MAX_LEVEL))?);
    }
    if let Some(v) = var("PYJIT_PGC") {
        set_pgc(v.parse(VALID_FLAG, parse_flag)?);
    }
    if let Some(v) = var("PYJIT_OSR") {
        set_osr(v.parse(VALID_FLAG, parse_flag)?);
    }
    if let Some(v) = var("PYJIT_BACKGROUND") {
        set_background(v.parse(VALID_FLAG, parse_flag)?);
    }
    if let Some(v) = var("PYJIT_VIA_OBJECT") {
        set_via_object(v.parse(VALID_FLAG, parse_flag)?);
    }
    if let Some(v) = var("PYJIT_CACHE") {
        set_cache_dir(Some(PathBuf::from(v.value)));
    }
    if let Some(v) = var("PYJIT_TRUSTED_KEYS") {
        set_trusted_keys(split_paths(&v.value));
    }
    if let Some(v) = var("PYJIT_CACHE_STRICT") {
        set_cache_strict(v.parse(VALID_FLAG, parse_flag)?);
    }
    if let Some(v) = var("PYJIT_PERF_MAP") {
        set_perf_map(v.parse(VALID_FLAG, parse_flag)?);
    }
    if let Some(v) = var("PYJIT_VERIFY") {
        VERIFY.store(v.parse(VALID_FLAG, parse_flag)?, Ordering::Relaxed);
    }
    if let Some(v) = var("PYJIT_OPT_OFF") {
        let list = v.value.to_str().ok_or_else(|| v.invalid(&format!("must be {VALID_OPTIMIZATIONS}")))?;
        set_disabled_optimizations(parse_optimizations(list).map_err(|e| v.invalid(&e))?);
    }
    // The files are written by the Python package at exit (any bytes: they are paths).
    RECORDING.store(var("PYJIT_RECORD_OUT").is_some(), Ordering::Relaxed);
    Ok(())
}

/// What valid values of the settings are, for the messages about invalid ones.
pub const VALID_FLAG: &str = "0 or 1 (or true/false, yes/no, on/off)";
pub const VALID_THRESHOLD: &str = "'auto' or a non-negative integer";
pub const VALID_LEVEL: &str = "0, 1 or 2";
pub const VALID_OPTIMIZATIONS: &str = "'all' or a comma-separated list of optimization numbers and names";

/// One setting as given: its variable's name (or `-X` option) and its value.
#[derive(Clone)]
struct Setting {
    name: String,
    value: OsString,
}

impl Setting {
    /// The value parsed by `parse`, which sees it as text; else the error line.
    fn parse<T>(&self, valid: &str, parse: impl FnOnce(&str) -> Option<T>) -> Result<T, String> {
        self.value.to_str().and_then(parse).ok_or_else(|| self.invalid(&format!("must be {valid}")))
    }
    /// `NAME='value': problem`, on one line.
    fn invalid(&self, problem: &str) -> String {
        format!("{}={}: {problem}", self.name, quoted(&self.value))
    }
}

/// `value` quoted on one line as Python shows `os.fsdecode(value)`: `'text'`, with
/// quotes, backslashes and control characters escaped and each byte that is not UTF-8
/// as `\udcXX`.
pub fn quoted(value: &OsStr) -> String {
    let mut out = String::from("'");
    for chunk in value.as_bytes().utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' | '\'' => {
                    out.push('\\');
                    out.push(c);
                }
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
                c => out.push(c),
            }
        }
        for byte in chunk.invalid() {
            out.push_str(&format!("\\udc{byte:02x}"));
        }
    }
    out.push('\'');
    out
}

/// Splits a `:`-separated list of paths (any bytes), dropping empty items.
pub fn split_paths(list: &OsStr) -> Vec<PathBuf> {
    let items = list.as_bytes().split(|&byte| byte == b':').filter(|item| !item.is_empty());
    items.map(|item| PathBuf::from(OsStr::from_bytes(item))).collect()
}

fn parse_flag(value: &str) -> Option<bool> {
    match value {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// `auto` (None) or a call count; counts past the largest are the largest (never).
pub fn parse_threshold(value: &str) -> Option<Option<u64>> {
    match value {
        "auto" => Some(None),
        _ if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
            Some(Some(value.parse().unwrap_or(AUTO)))
        }
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
/// Loop tiering: frames looping long in the interpreter continue in
/// compiled code (`runtime::osr`).
pub fn osr() -> bool {
    OSR.load(Ordering::Relaxed)
}
pub fn set_osr(value: bool) {
    OSR.store(value, Ordering::Relaxed);
}
/// Whether code the tiering policy finds worth compiling is compiled on the
/// compiler thread (`runtime::background`): the `background` setting, with
/// the automatic threshold (a fixed one compiles in place).
pub fn background() -> bool {
    BACKGROUND.load(Ordering::Relaxed) && threshold().is_none()
}
/// The `background` setting itself.
pub fn background_setting() -> bool {
    BACKGROUND.load(Ordering::Relaxed)
}
pub fn set_background(value: bool) {
    BACKGROUND.store(value, Ordering::Relaxed);
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
/// `PYJIT_ENABLE=1`: the startup hook switches the JIT on.
pub fn enable_at_startup() -> bool {
    ENABLE_AT_STARTUP.load(Ordering::Relaxed)
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
/// `PYJIT_RECORD_OUT=FILE` (set by `pyjit precompile --train`): remember every code
/// object compiled, for `pyjit._pyjit.recorded()` (keys and profiles).
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
    DirectBuiltinCalls,
    UnboxedTemporaries,
    ResumeThroughDelegators,
    InlineForIter,
    BuiltinCallsByName,
    SliceSubscripts,
    InlineFramePush,
    MathFunctions,
    InlineConstruct,
    DirectContains,
    DirectDunders,
    UnpackToLocals,
    TrivialCalls,
    FramelessCalls,
    ConstantOperands,
    InlineFramelessCalls,
    EagerAwait,
    KnownFloatResults,
}

/// One row of the table of optimizations.
pub struct OptimizationInfo {
    pub optimization: Optimization,
    pub name: &'static str,
    pub description: &'static str,
}

/// Every optimization, in number order (the README lists the same).
pub const OPTIMIZATIONS: [OptimizationInfo; 33] = {
    use Optimization::*;
    const fn row(optimization: Optimization, name: &'static str, description: &'static str) -> OptimizationInfo {
        OptimizationInfo { optimization, name, description }
    }
    [
        row(InlineCacheGlobals, "inline-cache-globals",
            "LOAD_GLOBAL reads the value cached for unchanged globals and builtins"),
        row(InlineCacheAttrs, "inline-cache-attrs",
            "LOAD_ATTR reads instance values, slots, module and class attributes through a per-site cache, whose slow path keeps the attributes of an instance's type it cannot shadow (class constants, methods, properties, getters of builtin types)"),
        row(InlineCacheMethods, "inline-cache-methods",
            "LOAD_METHOD takes the method cached for the owner's type (one entry per type, also where the interpreter kept the site generic), or the attribute cached for a class or a module"),
        row(InlineCacheStoreAttr, "inline-cache-store-attr",
            "STORE_ATTR replaces an instance value, a slot or an entry of the instance's own dict through a per-site cache (one entry per type, also where the interpreter kept the site generic)"),
        row(InlineArithmetic, "inline-arithmetic",
            "BINARY_OP on small ints and floats, alike or mixed, int bitwise operators and shifts, and float powers, computed inline; other operations on two exact ints or two exact floats call the type's number slot"),
        row(InlineCompare, "inline-compare",
            "COMPARE_OP on small ints and floats, alike or mixed, computed inline"),
        row(FusedCompareJump, "fused-compare-jump",
            "an inline compare, an identity test (is, is not) or a membership test (in, not in) hands its condition to the jump after it, making no bool"),
        row(InlineSubscripts, "inline-subscripts",
            "BINARY_SUBSCR and STORE_SUBSCR of a list or tuple by a small int inline"),
        row(DirectIterNext, "direct-iternext",
            "FOR_ITER calls the iterator's tp_iternext from compiled code"),
        row(DirectCalls, "direct-calls",
            "calls of Python functions push the callee's frame and run it (natively or interpreted) directly"),
        row(ProfileGuided, "profile-guided",
            "fast paths chosen from what the specialising interpreter observed"),
        row(BorrowedOperands, "borrowed-operands",
            "locals and constants used as operands, and as the arguments of a builtin's C function, are not reference-counted"),
        row(InlineUnpack, "inline-unpack",
            "UNPACK_SEQUENCE of a tuple or list of the right length inline"),
        row(DirectResume, "direct-resume",
            "FOR_ITER over a compiled generator, SEND to one or to a compiled coroutine, and tuple(), set(), any(), all(), sum() and str.join() of one resume its native code directly"),
        row(ReuseNumbers, "reuse-numbers",
            "an inline float or int result stored to a local is written into the number only that local held, a float result stored to a list item into the float only the list held"),
        row(DirectBuiltinCalls, "direct-builtin-calls",
            "calls of builtin functions and method descriptors the interpreter specialised call their C function directly; len() and isinstance() run inline"),
        row(UnboxedTemporaries, "unboxed-temporaries",
            "an inline int or float result another operator takes is passed unboxed, made an object only if something else needs it"),
        row(ResumeThroughDelegators, "resume-through-delegators",
            "resuming a generator suspended in yield from or await resumes the one at the end of the chain, passing the delegating ones without running their code"),
        row(InlineForIter, "inline-for-iter",
            "FOR_ITER over a range, list or tuple iterator takes the next item inline, a range's int written into the loop variable's int when only the variable holds it"),
        row(BuiltinCallsByName, "builtin-calls-by-name",
            "a call nothing profiled of a global named len, isinstance, type, str or tuple is made as the interpreter's specialised PRECALL for that builtin (direct-builtin-calls), guarded by the callable's identity"),
        row(SliceSubscripts, "slice-subscripts",
            "BUILD_SLICE and the subscript, store or delete after it run as one: an exact list, tuple or str sliced by ints or None makes no slice object"),
        row(InlineFramePush, "inline-frame-push",
            "inline-construct's call of __init__ pushes its frame, binds the instance and the arguments and enters its native code from the caller's code (other calls of Python functions push their frames in the runtime, direct-calls)"),
        row(MathFunctions, "math-functions",
            "a call the interpreter specialised for a builtin of one argument, whose callable a global or module attribute named sqrt, fabs, sin, cos, tan, atan or exp pushed and is that function of the math module, computes it on the float (or small int) argument in compiled code, taking and giving unboxed floats; a non-finite argument or result makes the call"),
        row(InlineConstruct, "inline-construct",
            "a call of a global the interpreter could not specialise, which the site last saw construct an instance of a plain class (object.__new__ and a Python __init__), makes the instance and runs __init__'s native code with a frame pushed in the caller's code while the class is unchanged (direct-calls, inline-frame-push)"),
        row(DirectContains, "direct-contains",
            "CONTAINS_OP on an exact list or tuple compares items with the searched object without PyObject_RichCompare where that would call nothing: exact ints and strs by value, objects whose types keep object's comparison by identity (below the recursion limit, where its check cannot fail)"),
        row(DirectDunders, "direct-dunders",
            "BINARY_OP on an instance of a class that defines the operator as a Python function calls that function directly (its native code entered as compiled calls enter it) where CPython's slot dispatch provably comes to that call: the other operand's type neither defines the reflected operator in Python nor derives from the class, and no sequence slot would take over after NotImplemented, which raises CPython's TypeError (decided at each call, as direct-calls)"),
        row(UnpackToLocals, "unpack-to-locals",
            "UNPACK_SEQUENCE of eight or more items followed by a STORE_FAST for each runs as one call that stores the items, touching no reference count where a local already holds its item"),
        row(TrivialCalls, "trivial-calls",
            "a direct call (direct-calls) of a compiled function whose whole body returns one of its parameters or a constant, binding its parameters exactly, takes that value without a frame"),
        row(FramelessCalls, "frameless-calls",
            "a direct call (direct-calls) binding its parameters exactly of a function that can return through loads, attribute and local stores, arithmetic, subscripts, compares, forward jumps and calls of trivial methods alone runs a second compilation of it that needs no frame, which gives the call back to the framed code, having changed nothing, wherever its inline fast paths end (a call, a loop, a raise)"),
        row(ConstantOperands, "constant-operands",
            "an inline BINARY_OP, COMPARE_OP or subscript takes an operand that LOAD_CONST pushed, a small int or a float, as the value it is when compiling: no type test or load, and no fast path its type rules out"),
        row(InlineFramelessCalls, "inline-frameless-calls",
            "a direct call (direct-calls) of a method or global named as a compiled function that runs without a frame (trivial-calls, frameless-calls) takes the value or runs the variant from the caller's code when the callable is the function the site last called, instead of calling into the runtime"),
        row(EagerAwait, "eager-await",
            "await f(...) in compiled coroutine code, of a compiled coroutine function whose parameters the positional arguments bind (with defaults, *args and **kwargs, as direct-calls binds them), runs the callee's native code on a frame on the thread's data stack without making the coroutine object: a callee that returns gives its value to the awaiting code, one that suspends becomes a coroutine object then (direct-calls)"),
        row(KnownFloatResults, "known-float-results",
            "an inline float BINARY_OP the interpreter specialised for two floats, or a float power of a float constant exponent, whose result another operator takes unboxed (unboxed-temporaries), always passes it unboxed: a float the generic path makes is unboxed, and any other result continues the frame in the interpreter after the instruction (as does every result while tracemalloc traces; in a loop only where an operand is a float it knows), so the operator taking it tests nothing"),
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
pub struct Optimizations(u64);

impl Optimizations {
    pub const NONE: Optimizations = Optimizations(0);
    pub const ALL: Optimizations = Optimizations(((1 << OPTIMIZATIONS.len()) - 1) << 1);

    pub fn contains(self, optimization: Optimization) -> bool {
        self.0 & (1 << optimization.number()) != 0
    }
    pub fn insert(&mut self, optimization: Optimization) {
        self.0 |= 1 << optimization.number();
    }
    pub fn union(self, other: Optimizations) -> Optimizations {
        Optimizations(self.0 | other.0)
    }
    /// The members of this set not in `other`.
    pub fn without(self, other: Optimizations) -> Optimizations {
        Optimizations(self.0 & !other.0)
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
    use std::os::unix::ffi::OsStringExt;

    /// The error `load_settings` gives for the variables `vars` alone.
    fn error_of(vars: &[(&str, &[u8])]) -> String {
        let get = |name: &str| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| OsString::from_vec(v.to_vec()));
        load_settings(get, &[]).unwrap_err()
    }

    fn option(name: &str, value: Option<&str>) -> XOption {
        XOption { name: name.into(), value: value.map(OsString::from) }
    }

    #[test]
    fn invalid_settings_are_one_line_naming_variable_value_and_what_is_valid() {
        assert_eq!(error_of(&[("PYJIT_LEVEL", b"9")]), "PYJIT_LEVEL='9': must be 0, 1 or 2");
        assert_eq!(error_of(&[("PYJIT_LEVEL", b"-1")]), "PYJIT_LEVEL='-1': must be 0, 1 or 2");
        assert_eq!(error_of(&[("PYJIT_THRESHOLD", b"1\n2")]), format!("PYJIT_THRESHOLD='1\\n2': must be {VALID_THRESHOLD}"));
        // Not UTF-8: an error for every setting that is not a path, showing the byte as
        // Python shows the decoded value.
        assert_eq!(error_of(&[("PYJIT_OSR", b"\xff")]), format!("PYJIT_OSR='\\udcff': must be {VALID_FLAG}"));
        for name in ["PYJIT_ENABLE", "PYJIT_DISABLE", "PYJIT_PGC", "PYJIT_VIA_OBJECT", "PYJIT_CACHE_STRICT", "PYJIT_PERF_MAP", "PYJIT_VERIFY"] {
            assert_eq!(error_of(&[(name, b"maybe")]), format!("{name}='maybe': must be {VALID_FLAG}"));
        }
        let error = error_of(&[("PYJIT_OPT_OFF", b"2,fast")]);
        assert!(error.starts_with("PYJIT_OPT_OFF='2,fast': unknown optimization") && error.contains("valid: 1 "), "{error}");
        let error = error_of(&[("PYJIT_OPT_OFF", b"\xfe")]);
        assert_eq!(error, format!("PYJIT_OPT_OFF='\\udcfe': must be {VALID_OPTIMIZATIONS}"));
        let get = |_: &str| None;
        let error = load_settings(get, &[option("pyjit-opt-off", Some("0"))]).unwrap_err();
        assert!(error.starts_with("-X pyjit-opt-off='0': unknown optimization"), "{error}");
    }

    #[test]
    fn x_options_mirror_the_variables_and_override_them() {
        let none = |_: &str| None;
        assert_eq!(load_settings(none, &[option("pyjit-level", Some("9"))]).unwrap_err(), "-X pyjit-level='9': must be 0, 1 or 2");
        let error = load_settings(none, &[option("pyjit-treshold", Some("0"))]).unwrap_err();
        assert!(error.starts_with("-X pyjit-treshold: unknown option; valid: -X pyjit, -X pyjit-disable, "), "{error}");
        assert_eq!(load_settings(none, &[option("pyjit-cache", None)]).unwrap_err(), "-X pyjit-cache: needs a value (-X pyjit-cache=VALUE)");
        assert_eq!(load_settings(none, &[option("pyjit-threshold", None)]).unwrap_err(), "-X pyjit-threshold: needs a value (-X pyjit-threshold=VALUE)");
        // A bare flag is on; the option wins over its variable.
        let level_one = |name: &str| (name == "PYJIT_LEVEL").then(|| OsString::from("1"));
        load_settings(level_one, &[option("pyjit-level", Some("2")), option("pyjit-disable", None)]).unwrap();
        assert_eq!((level(), disabled()), (2, true));
        load_settings(level_one, &[option("pyjit-disable", Some("0"))]).unwrap();
        assert_eq!((level(), disabled()), (1, false));
        // Each option is its variable's name in lower case with hyphens, but `-X pyjit`.
        for startup in &STARTUP_SETTINGS[1..] {
            let suffix = startup.variable.strip_prefix("PYJIT_").expect("a PYJIT_ variable").to_lowercase().replace('_', "-");
            assert_eq!(startup.option, format!("pyjit-{suffix}"));
        }
    }

    #[test]
    fn quoting_keeps_one_line_and_shows_every_byte() {
        assert_eq!(quoted(OsStr::new("a'b\\c\td\u{7}")), "'a\\'b\\\\c\\td\\x07'");
        assert_eq!(quoted(OsStr::from_bytes(b"caf\xc3\xa9 \xc3")), "'caf\u{e9} \\udcc3'");
    }

    #[test]
    fn paths_take_any_bytes() {
        let keys = split_paths(OsStr::from_bytes(b"a\xff.pub::b.pub:"));
        assert_eq!(keys, [PathBuf::from(OsStr::from_bytes(b"a\xff.pub")), PathBuf::from("b.pub")]);
        let dir = OsString::from_vec(b"/tmp/cache-\xff".to_vec());
        let get = |name: &str| (name == "PYJIT_CACHE").then(|| dir.clone());
        load_settings(get, &[]).unwrap();
        assert_eq!(cache().dir.as_deref(), Some(std::path::Path::new(&dir)));
        set_cache_dir(None);
    }

    #[test]
    fn thresholds_are_auto_or_counts() {
        assert_eq!(parse_threshold("auto"), Some(None));
        assert_eq!(parse_threshold("0"), Some(Some(0)));
        assert_eq!(parse_threshold("99999999999999999999999"), Some(Some(AUTO)));
        for bad in ["", "-1", "+1", "1.5", "Auto"] {
            assert_eq!(parse_threshold(bad), None, "{bad}");
        }
    }

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
