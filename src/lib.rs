//! pyjit: a JIT compiler for CPython 3.11 on Cranelift.
//!
//! Stages, in the order data flows; each uses only the stages before it
//! (`tests/test_layout.py` checks this):
//!
//! 1. `abi`: CPython 3.11 layouts (probed at build time) and symbols;
//! 2. `bytecode`: decoding code objects, the opcode table;
//! 3. `profile`: what the specialising interpreter observed (`co_code_adaptive`);
//! 4. `analysis`: stack depths and bound locals;
//! 5. `helpers`: the functions compiled code calls, and their symbol table;
//! 6. `codegen`: lowering to Cranelift IR;
//! 7. `link`: making lowered or cached code callable;
//! 8. `cache`: keys of code objects, writing and attaching the code cache;
//! 9. `runtime`: the frame-evaluation hook, per-code state, tiering, OSR.
//!
//! `config` and `stats` are leaves any stage may use. This file is the
//! Python-facing API of the extension module `pyjit._pyjit`.

mod abi;
mod bytecode;
mod profile;
mod analysis;
mod helpers;
mod codegen;
mod link;
mod cache;
mod runtime;
mod config;
mod stats;

use bytecode::Unsupported;
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyInt, PyList, PyString};
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::collections::HashMap;
use std::path::PathBuf;
use codegen::Variant;
use runtime::introspect::Listing;
use link::{Failure, NativeCode};
use runtime::state::{CodeState, Tier};
use std::sync::atomic::Ordering;

/// Switches the JIT on. Returns False when PYJIT_DISABLE=1 keeps it off.
#[pyfunction]
fn enable() -> bool {
    runtime::enable()
}

/// Switches the JIT off; compiled code stays attached for when it is on again.
#[pyfunction]
fn disable() {
    runtime::disable();
}

#[pyfunction]
fn is_enabled() -> bool {
    runtime::is_enabled()
}

/// Sets the given settings and returns all of them. Every argument is checked before
/// any is set: a value of the wrong type is a TypeError, one out of range a ValueError,
/// each naming the argument, the value and what is valid.
#[pyfunction(name = "config")]
#[pyo3(signature = (**settings))]
fn configure<'py>(py: Python<'py>, settings: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyDict>> {
    let mut changes: Vec<Box<dyn FnOnce()>> = Vec::new();
    for (key, value) in settings.into_iter().flat_map(|settings| settings.iter()) {
        let key: String = key.extract()?;
        let arg = Argument { key: &key, value: &value };
        changes.push(match key.as_str() {
            "threshold" => setting(config::set_threshold, arg.threshold()?),
            "level" => setting(config::set_level, arg.level()?),
            "pgc" => setting(config::set_pgc, arg.flag()?),
            "osr" => setting(config::set_osr, arg.flag()?),
            "background" => setting(config::set_background, arg.flag()?),
            "via_object" => setting(config::set_via_object, arg.flag()?),
            "cache_strict" => setting(config::set_cache_strict, arg.flag()?),
            "perf_map" => setting(config::set_perf_map, arg.flag()?),
            "cache" => {
                let dir = if value.is_none() { None } else { Some(arg.path(VALID_CACHE)?) };
                setting(config::set_cache_dir, dir)
            }
            "trusted_keys" => setting(config::set_trusted_keys, arg.trusted_keys()?),
            "disable_optimizations" => setting(config::set_disabled_optimizations, arg.optimizations()?),
            other => {
                return Err(PyTypeError::new_err(format!(
                    "pyjit.config() got an unexpected keyword argument {}; valid: {}",
                    config::quoted(other.as_ref()),
                    SETTINGS.join(", ")
                )))
            }
        });
    }
    changes.into_iter().for_each(|change| change());
    let current = PyDict::new(py);
    match config::threshold() {
        Some(threshold) => current.set_item("threshold", threshold)?,
        None => current.set_item("threshold", "auto")?,
    }
    current.set_item("level", config::level())?;
    current.set_item("pgc", config::pgc())?;
    current.set_item("osr", config::osr())?;
    current.set_item("background", config::background_setting())?;
    current.set_item("via_object", config::via_object())?;
    let cache = config::cache();
    current.set_item("cache", cache.dir)?;
    current.set_item("trusted_keys", cache.trusted_keys)?;
    current.set_item("cache_strict", config::cache_strict())?;
    current.set_item("perf_map", config::perf_map())?;
    current.set_item("disable_optimizations", config::optimizations().complement().names())?;
    Ok(current)
}

/// The arguments `pyjit.config` takes, in the order it reports them.
const SETTINGS: [&str; 11] = [
    "threshold", "level", "pgc", "osr", "background", "via_object", "cache", "trusted_keys", "cache_strict", "perf_map",
    "disable_optimizations",
];
const VALID_THRESHOLD: &str = "'auto', None or a non-negative integer";
const VALID_FLAG: &str = "True or False";
const VALID_CACHE: &str = "None or a non-empty path (str, bytes or os.PathLike)";
const VALID_KEYS: &str = "None, a ':'-separated string of paths or a list of non-empty paths";
const VALID_OPTIMIZATIONS: &str = "'all', a comma-separated string or a list of optimization numbers and names";

/// A setter bound to its value, to run once every argument is checked.
fn setting<T: 'static>(set: fn(T), value: T) -> Box<dyn FnOnce()> {
    Box::new(move || set(value))
}

/// One argument of `pyjit.config`, and its checks.
struct Argument<'a, 'py> {
    key: &'a str,
    value: &'a Bound<'py, PyAny>,
}

impl Argument<'_, '_> {
    /// `pyjit.config(key=value): problem`, with the value's repr cut to one short line.
    fn message(&self, problem: &str) -> String {
        let shown = self.value.repr().map_or_else(|_| "<unprintable>".to_owned(), |repr| repr.to_string().replace('\n', " "));
        let shown = match shown.char_indices().nth(60) {
            Some((cut, _)) => format!("{}...", &shown[..cut]),
            None => shown,
        };
        format!("pyjit.config({}={shown}): {problem}", self.key)
    }
    fn type_error(&self, valid: &str) -> PyErr {
        PyTypeError::new_err(self.message(&format!("must be {valid}")))
    }
    fn value_error(&self, valid: &str) -> PyErr {
        PyValueError::new_err(self.message(&format!("must be {valid}")))
    }
    /// Whether an int (not a bool; TypeError otherwise) is negative, and its value if it
    /// fits a u64.
    fn int(&self, valid: &str) -> PyResult<(bool, Option<u64>)> {
        if !self.value.is_instance_of::<PyInt>() || self.value.is_instance_of::<PyBool>() {
            return Err(self.type_error(valid));
        }
        Ok((self.value.lt(0)?, self.value.extract().ok()))
    }
    fn threshold(&self) -> PyResult<Option<u64>> {
        if self.value.is_none() {
            return Ok(None);
        }
        if let Ok(text) = self.value.cast::<PyString>() {
            let parsed = text.to_str().ok().and_then(config::parse_threshold);
            return parsed.ok_or_else(|| self.value_error(VALID_THRESHOLD));
        }
        match self.int(VALID_THRESHOLD)? {
            (true, _) => Err(self.value_error(VALID_THRESHOLD)),
            // Counts past the largest never compile, as the largest does.
            (false, count) => Ok(Some(count.unwrap_or(u64::MAX))),
        }
    }
    fn level(&self) -> PyResult<u8> {
        let (_, level) = self.int(config::VALID_LEVEL)?;
        let level = level.filter(|&level| level <= u64::from(config::MAX_LEVEL));
        level.map(|level| level as u8).ok_or_else(|| self.value_error(config::VALID_LEVEL))
    }
    fn flag(&self) -> PyResult<bool> {
        let flag = self.value.cast_exact::<PyBool>().map_err(|_| self.type_error(VALID_FLAG))?;
        Ok(flag.is_true())
    }
    /// A path as given (str, bytes or os.PathLike; any bytes), not empty and without NUL.
    fn path(&self, valid: &str) -> PyResult<PathBuf> {
        let bytes = path_bytes(self.value).map_err(|_| self.type_error(valid))?;
        if bytes.is_empty() || bytes.contains(&0) {
            return Err(self.value_error(valid));
        }
        Ok(PathBuf::from(OsString::from_vec(bytes)))
    }
    /// None (the per-user key), a `:`-separated string as `PYJIT_TRUSTED_KEYS` takes, or
    /// an iterable of paths.
    fn trusted_keys(&self) -> PyResult<Vec<PathBuf>> {
        if self.value.is_none() {
            return Ok(Vec::new());
        }
        if self.value.is_instance_of::<PyString>() || self.value.is_instance_of::<PyBytes>() {
            return Ok(config::split_paths(OsStr::from_bytes(&path_bytes(self.value)?)));
        }
        let mut keys = Vec::new();
        for item in self.value.try_iter().map_err(|_| self.type_error(VALID_KEYS))? {
            // The error names the whole argument.
            let key = Argument { key: self.key, value: &item? }.path(VALID_KEYS).map_err(|e| {
                match e.is_instance_of::<PyTypeError>(self.value.py()) {
                    true => self.type_error(VALID_KEYS),
                    false => self.value_error(VALID_KEYS),
                }
            });
            keys.push(key?);
        }
        Ok(keys)
    }
    /// A string as `PYJIT_OPT_OFF` takes, or an iterable of optimization numbers and names.
    fn optimizations(&self) -> PyResult<config::Optimizations> {
        let unknown = |e: String| PyValueError::new_err(self.message(&e));
        if let Ok(list) = self.value.cast::<PyString>() {
            return config::parse_optimizations(&list.to_cow()?).map_err(unknown);
        }
        let mut set = config::Optimizations::NONE;
        for item in self.value.try_iter().map_err(|_| self.type_error(VALID_OPTIMIZATIONS))? {
            let item = item?;
            let text = match item.cast::<PyString>() {
                Ok(name) => name.to_cow()?.into_owned(),
                Err(_) => match (Argument { key: self.key, value: &item }).int(VALID_OPTIMIZATIONS) {
                    // Numbers too large for a u64 are no optimization's either.
                    Ok((_, number)) => number.map_or_else(|| "-".to_owned(), |n| n.to_string()),
                    Err(_) => return Err(self.type_error(VALID_OPTIMIZATIONS)),
                },
            };
            set.insert(config::optimization(&text).map_err(unknown)?);
        }
        Ok(set)
    }
}

/// The bytes of a path given as str (encoded as `os.fsencode` does), bytes or
/// os.PathLike; a TypeError for anything else.
fn path_bytes(value: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    let fspath = value.py().import("os")?.getattr("fspath")?.call1((value,))?;
    Ok(match fspath.cast::<PyBytes>() {
        Ok(bytes) => bytes.as_bytes().to_vec(),
        Err(_) => fspath.extract::<OsString>()?.into_vec(),
    })
}

/// The optimizations pyjit knows, in number order: `(number, name, description)`.
#[pyfunction]
fn optimizations() -> Vec<(u32, &'static str, &'static str)> {
    config::OPTIMIZATIONS.iter().map(|row| (row.optimization.number(), row.name, row.description)).collect()
}

/// The code object of `obj`, a function or a code object; `api` names the caller in
/// the error.
fn code_object<'py>(obj: &Bound<'py, PyAny>, api: &str) -> PyResult<Bound<'py, PyAny>> {
    let code = if obj.hasattr("__code__")? { obj.getattr("__code__")? } else { obj.clone() };
    // SAFETY: PyCode_Check only reads the object's type.
    if unsafe { pyo3::ffi::PyCode_Check(code.as_ptr()) } == 0 {
        return Err(PyTypeError::new_err(format!("pyjit.{api}() takes a function or a code object")));
    }
    Ok(code)
}

/// What pyjit knows about a function or code object.
#[pyfunction]
fn info<'py>(py: Python<'py>, obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    let code = code_object(obj, "info")?;
    let result = PyDict::new(py);
    // Code that has not run yet gets its cached native code now, as it would at its
    // first call, so that `info` reports what that call will run.
    if config::cache().dir.is_some() {
        if let Some(state) = CodeState::of(code.as_ptr().cast()) {
            state.attach_cached(code.as_ptr().cast());
        }
    }
    let state = CodeState::existing(code.as_ptr().cast());
    let native = match state.as_ref().map(|s| s.tier()) {
        Some(Tier::Native(native)) => Some(native),
        _ => None,
    };
    let size = native.map_or(0, |native| native.total_size());
    result.set_item("compiled", native.is_some())?;
    result.set_item("source", native.map(|native| native.source().name()))?;
    result.set_item("reason", state.as_ref().map_or(Some("never called with pyjit enabled"), |s| s.reason()))?;
    // Calls that entered native code without the runtime are counted apart.
    let call_entries = state.as_ref().map_or(0, |s| s.direct_entries());
    result.set_item("runs", state.as_ref().map_or(0, |s| s.runs) + call_entries)?;
    result.set_item("compile_time_ns", state.as_ref().map_or(0, |s| s.compile_time_ns))?;
    result.set_item("tier", state.as_ref().map_or("interpreter", |s| s.tier_name()))?;
    result.set_item("native_entries", state.as_ref().map_or(0, |s| s.native_entries) + call_entries)?;
    result.set_item("osr_entries", state.as_ref().map_or(0, |s| s.osr_entries))?;
    result.set_item("call_entries", call_entries)?;
    result.set_item("native_size", size)?;
    let optimizations = native.and_then(|native| native.applied_optimizations());
    result.set_item("optimizations", optimizations.map(|applied| applied.names()))?;
    result.set_item("cache_misses", native.map_or(0, |native| native.cache_misses()))?;
    result.set_item("failed_speculations", state.as_ref().map_or(0, |s| s.failed_speculations))?;
    result.set_item("withheld_optimizations", state.as_ref().map_or(Vec::new(), |s| s.withheld.names()))?;
    Ok(result)
}

/// The native code of `obj` (a function or code object) and the listing of each of its
/// variants (the frameless one, if it has one, second), compiled again as the JIT
/// compiles them. ValueError when it has no native code, RuntimeError when a listing
/// cannot be made or does not match the code that runs.
fn compiled_listings(obj: &Bound<'_, PyAny>, api: &str) -> PyResult<(&'static NativeCode, Vec<(Variant, Listing)>)> {
    let code = code_object(obj, api)?;
    let qualname: String = code.getattr("co_qualname")?.extract()?;
    let state: Option<&'static CodeState> = CodeState::existing(code.as_ptr().cast()).map(|state| &*state);
    let native = match state.map(|s| s.tier()) {
        Some(Tier::Native(native)) => native,
        _ => {
            let reason = state.map_or("never called with pyjit enabled", |s| s.reason().unwrap_or_default());
            return Err(PyValueError::new_err(format!("{qualname} is not compiled: {reason}")));
        }
    };
    let failed = |reason: String| PyRuntimeError::new_err(format!("cannot list the code of {qualname}: {reason}"));
    let info = bytecode::code_info_with_callees(code.as_ptr().cast(), native.callees_without_frame().to_vec())
        .map_err(|Unsupported(reason)| failed(reason))?;
    let enabled = native.enabled_optimizations();
    let mut listings = Vec::new();
    for variant in [Variant::Framed, Variant::Frameless] {
        let Some(running) = native.bytes(variant) else { continue };
        let listing = runtime::introspect::listing(&info, native.profile(), enabled, variant).map_err(|failure| {
            failed(match failure {
                Failure::Unsupported(Unsupported(reason)) | Failure::Internal(reason) => reason,
            })
        })?;
        if listing.code_size != running.len() {
            return Err(failed(format!(
                "compiling it again gave {} bytes of code, but {} bytes run (a different pyjit build?)",
                listing.code_size,
                running.len()
            )));
        }
        listings.push((variant, listing));
    }
    Ok((native, listings))
}

/// The Cranelift IR of a compiled function, after optimisation, as text; its frameless
/// variant's follows, headed by a comment.
#[pyfunction]
fn ir(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    let (_, listings) = compiled_listings(obj, "ir")?;
    let texts: Vec<String> = listings
        .into_iter()
        .map(|(variant, listing)| match variant {
            Variant::Framed => listing.ir,
            Variant::Frameless => format!("; frameless variant (frameless-calls)\n{}", listing.ir),
        })
        .collect();
    Ok(texts.join("\n"))
}

/// The native code of a compiled function for `pyjit.dis`: its address and size, the
/// instructions `(offset, text, symbol or None)`, and `(start, end, code-unit index)`
/// for the native offsets of each bytecode instruction; under `"frameless"` the same
/// for its frameless variant, or None.
#[pyfunction]
fn native_code<'py>(py: Python<'py>, obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    let (native, listings) = compiled_listings(obj, "dis")?;
    let mut result = None;
    for (variant, listing) in listings.into_iter().rev() {
        let running = native.bytes(variant).expect("listed variants run");
        let address = running.as_ptr() as usize as u64;
        let lines = runtime::introspect::disassemble(running, address).map_err(PyRuntimeError::new_err)?;
        let instructions: Vec<(u32, String, Option<&str>)> = lines
            .into_iter()
            .map(|(offset, length, text)| {
                let symbol = listing.symbol_refs.iter().find(|(at, _)| (offset..offset + length).contains(at));
                (offset, text, symbol.map(|(_, name)| name.as_str()))
            })
            .collect();
        let dict = PyDict::new(py);
        dict.set_item("address", address)?;
        dict.set_item("size", running.len())?;
        dict.set_item("instructions", instructions)?;
        dict.set_item("bytecode_ranges", listing.bytecode_ranges)?;
        dict.set_item("frameless", result)?;
        result = Some(dict);
    }
    Ok(result.expect("the framed code is listed"))
}

/// What the interpreter's profile says at each instruction that it specialises
/// adaptively, as the compiler reads it (`profile::Observed`): for compiled code the
/// profile its compile read (for code from the cache, its training run's profile), else what the
/// interpreter has recorded so far. The byte offset of each instruction, mapped to the
/// name of the specialised form recorded, `"generic"`, `"not run"` or `"nothing"` (the
/// code was not quickened). For `pyjit.graph`.
#[pyfunction(name = "profile")]
fn observed_profile<'py>(py: Python<'py>, obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    use bytecode::opcodes::{self, Profile};
    let code = code_object(obj, "graph")?;
    let code = code.as_ptr().cast();
    let observed = match CodeState::existing(code).as_ref().map(|state| state.tier()) {
        Some(Tier::Native(native)) => native.profile().clone(),
        _ => profile::Profile::of(code),
    };
    let info = bytecode::code_info(code).map_err(|Unsupported(reason)| PyValueError::new_err(reason))?;
    let result = PyDict::new(py);
    for ins in info.instrs.iter().filter(|ins| opcodes::opcode(ins.opcode).is_some_and(|o| o.profile == Profile::Adaptive)) {
        let text = match observed.at(ins.index) {
            profile::Observed::Nothing => "nothing",
            profile::Observed::NotRun => "not run",
            profile::Observed::Generic => "generic",
            // The opcode names come first in the table, before the operator numbers.
            profile::Observed::Specialized(form) => {
                abi::op::NAMES.iter().find(|&&(_, code)| code == form).map_or("specialized", |&(name, _)| name)
            }
        };
        result.set_item(2 * ins.index, text)?;
    }
    Ok(result)
}

/// Process-wide counters.
#[pyfunction(name = "stats")]
fn counters(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let result = PyDict::new(py);
    let load = |counter: &std::sync::atomic::AtomicU64| counter.load(Ordering::Relaxed);
    result.set_item("compiled", load(&stats::COMPILED))?;
    result.set_item("failed", load(&stats::FAILED))?;
    result.set_item("deopts", load(&stats::DEOPTS))?;
    result.set_item("recompiles", load(&stats::RECOMPILES))?;
    result.set_item("exception_exits", load(&stats::EXCEPTION_EXITS))?;
    result.set_item("exceptions_caught", load(&stats::EXCEPTIONS_CAUGHT))?;
    result.set_item("native_calls", load(&stats::NATIVE_CALLS))?;
    result.set_item("native_resumes", load(&stats::NATIVE_RESUMES))?;
    result.set_item("direct_resumes", load(&stats::DIRECT_RESUMES))?;
    result.set_item("resumes_passed", load(&stats::RESUMES_PASSED))?;
    result.set_item("generators_created", load(&stats::GENERATORS_CREATED))?;
    result.set_item("eager_awaits", load(&stats::EAGER_AWAITS))?;
    result.set_item("direct_calls", load(&stats::DIRECT_CALLS))?;
    result.set_item("recorded_constructs", load(&stats::RECORDED_CONSTRUCTS))?;
    result.set_item("inline_constructs", load(&stats::INLINE_CONSTRUCTS))?;
    result.set_item("type_attribute_reads", load(&stats::TYPE_ATTRIBUTE_READS))?;
    result.set_item("dunder_calls", load(&stats::DUNDER_CALLS))?;
    result.set_item("unchanged_stores", load(&stats::UNCHANGED_STORES))?;
    result.set_item("trivial_calls", load(&stats::TRIVIAL_CALLS))?;
    result.set_item("frameless_calls", load(&stats::FRAMELESS_CALLS))?;
    result.set_item("frameless_bails", load(&stats::FRAMELESS_BAILS))?;
    result.set_item("osr_entries", load(&stats::OSR_ENTRIES))?;
    result.set_item("background_compiles", load(&stats::BACKGROUND_COMPILES))?;
    result.set_item("compile_time_ns", load(&stats::COMPILE_TIME_NS))?;
    let phases = PyDict::new(py);
    for (name, total) in stats::COMPILE_PHASE_NAMES.iter().zip(&stats::COMPILE_PHASE_NS) {
        phases.set_item(name, load(total))?;
    }
    result.set_item("compile_phase_ns", phases)?;
    result.set_item("native_bytes", load(&stats::NATIVE_BYTES))?;
    result.set_item("cache_keyed", load(&stats::CACHE_KEYED))?;
    result.set_item("cache_hits", load(&stats::CACHE_HITS))?;
    result.set_item("cache_refusals", load(&stats::CACHE_REFUSALS))?;
    result.set_item("cache_time_ns", load(&stats::CACHE_TIME_NS))?;
    let reasons = PyDict::new(py);
    let delegated = stats::DELEGATED.lock().unwrap_or_else(|e| e.into_inner());
    for (reason, count) in delegated.iter() {
        reasons.set_item(PyString::new(py, reason), count)?;
    }
    result.set_item("delegated", delegated.values().sum::<u64>())?;
    result.set_item("delegated_reasons", reasons)?;
    Ok(result)
}

/// The opcode table (`bytecode::opcodes`) as a list of dicts, with each
/// opcode's stack effects for the arguments in `args`, for checking it
/// against the `dis` module.
#[pyfunction]
fn opcode_table<'py>(py: Python<'py>, args: Vec<u32>) -> PyResult<Bound<'py, PyList>> {
    use bytecode::opcodes::{self, Flags, Jump, Profile};
    let table = PyList::empty(py);
    for &(name, code) in opcodes::ALL {
        let opcode = opcodes::opcode(code).expect("every listed opcode is defined");
        let entry = PyDict::new(py);
        entry.set_item("name", name)?;
        entry.set_item("opcode", code)?;
        entry.set_item("family", format!("{:?}", opcode.family))?;
        let effects = |effect: opcodes::StackEffect| args.iter().map(|&arg| effect(arg)).collect::<Vec<_>>();
        entry.set_item("stack", effects(opcode.stack))?;
        entry.set_item("jump", (opcode.jump != Jump::None).then(|| effects(opcode.jump_stack)))?;
        entry.set_item("raises", opcode.flags.contains(Flags::RAISES))?;
        entry.set_item("runs_code", opcode.flags.contains(Flags::RUNS_CODE))?;
        entry.set_item("ends_block", opcode.flags.contains(Flags::ENDS_BLOCK))?;
        entry.set_item("adaptive", opcode.profile == Profile::Adaptive)?;
        table.append(entry)?;
    }
    Ok(table)
}

/// The cache key of a code object in this build, as 64 hex digits.
#[pyfunction]
fn code_key(code: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(cache::key::code_key(code)?.to_string())
}

/// The code objects compiled while recording (`PYJIT_RECORD_OUT`): each one's key and
/// profile (see `Profile::portable`; empty when the interpreter observed nothing), as hex.
#[pyfunction]
fn recorded() -> Vec<(String, String)> {
    let hex = |bytes: &[u8]| bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    cache::attach::recorded().iter().map(|(key, profile)| (key.to_string(), hex(profile))).collect()
}

/// Compiles `codes` (code objects) into a cache in `out`, signed with the secret key file
/// `key` (default: the per-user key), on `jobs` threads. Calls `progress(done, total)`
/// as functions are compiled. `profiles` maps keys (hex) to the profiles a training run
/// recorded (hex, as `recorded` gives them); a code object with one is compiled
/// profile-guided. Returns a summary dict; `errors` lists, one line each, the code
/// objects that could not be read or keyed, which are left out.
#[pyfunction]
#[pyo3(signature = (codes, out, key=None, jobs=1, progress=None, profiles=None))]
fn precompile<'py>(
    py: Python<'py>,
    codes: &Bound<'py, PyList>,
    out: PathBuf,
    key: Option<PathBuf>,
    jobs: usize,
    progress: Option<Bound<'py, PyAny>>,
    profiles: Option<HashMap<String, String>>,
) -> PyResult<Bound<'py, PyDict>> {
    let signing_key = match key {
        Some(file) => pyjit_cache_format::load_signing_key(&file),
        None => pyjit_cache_format::user_signing_key(),
    }
    .map_err(|e| PyOSError::new_err(e.to_string()))?;
    let mut compile = Vec::new();
    let mut skipped = std::collections::BTreeMap::<String, usize>::new();
    let mut errors = Vec::new();
    for code in codes.iter() {
        let profile_of = |key: &pyjit_cache_format::Key| {
            let hex = profiles.as_ref()?.get(&key.to_string())?;
            (0..hex.len()).step_by(2).map(|at| u8::from_str_radix(hex.get(at..at + 2)?, 16).ok()).collect()
        };
        match cache::precompile::job(&code, profile_of) {
            Ok(Ok(job)) => compile.push(job),
            Ok(Err(reason)) => *skipped.entry(reason).or_default() += 1,
            // A code object that cannot be read or keyed never stops the others.
            Err(error) => errors.push(format!("{}: {}", code_location(&code), error.to_string().replace('\n', " "))),
        }
    }
    let mut progress_error = None;
    let summary = cache::precompile::precompile(compile, jobs, &out, &signing_key, |done, total| {
        if let Some(callback) = &progress {
            if let Err(e) = callback.call1((done, total)) {
                progress_error.get_or_insert(e);
            }
        }
    })
    .map_err(PyOSError::new_err)?;
    if let Some(e) = progress_error {
        return Err(e);
    }
    for (reason, count) in summary.skipped {
        *skipped.entry(reason).or_default() += count;
    }
    let result = PyDict::new(py);
    result.set_item("compiled", summary.compiled)?;
    result.set_item("skipped", skipped)?;
    result.set_item("bytes", summary.bytes)?;
    result.set_item("path", summary.path)?;
    result.set_item("errors", errors)?;
    Ok(result)
}

/// `file:line: qualname` of a code object, for messages.
fn code_location(code: &Bound<'_, PyAny>) -> String {
    let attr = |name: &str| {
        let value = code.getattr(name).and_then(|value| value.str());
        value.map_or_else(|_| "?".to_owned(), |text| text.to_string_lossy().into_owned())
    };
    format!("{}:{}: {}", attr("co_filename"), attr("co_firstlineno"), attr("co_qualname"))
}

/// `pyjit cache ARGS`: prints the command's output and returns its exit status; bad
/// arguments and unreadable files raise ValueError with one line.
#[pyfunction]
fn cache_command(args: Vec<String>) -> PyResult<i32> {
    let trusted = config::cache().trusted_keys;
    let outcome = pyjit_cli::cache_command(&args, cache::compat::host(), &trusted).map_err(PyValueError::new_err)?;
    print!("{}", outcome.output);
    Ok(outcome.status)
}

/// `pyjit cache gc PATH ...`: keeps only the entries whose keys (hex) are in `keep`.
#[pyfunction]
#[pyo3(signature = (path, keep, key=None))]
fn cache_gc(path: PathBuf, keep: Vec<String>, key: Option<PathBuf>) -> PyResult<i32> {
    let keep = keep
        .iter()
        .map(|k| k.parse())
        .collect::<Result<_, pyjit_cache_format::Error>>()
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    let outcome = pyjit_cli::gc(&path, &keep, key.as_deref()).map_err(PyValueError::new_err)?;
    print!("{}", outcome.output);
    Ok(outcome.status)
}

/// The `-X` options whose names start with `pyjit`, as `config::load_environment`
/// takes them (a value as the file system encodes it; None for an option given bare).
fn pyjit_xoptions(py: Python<'_>) -> PyResult<Vec<config::XOption>> {
    // SAFETY: with the GIL held; PySys_GetObject gives a borrowed reference or NULL.
    let xoptions = unsafe { Bound::from_borrowed_ptr_or_opt(py, pyo3::ffi::PySys_GetObject(c"_xoptions".as_ptr())) };
    let Some(xoptions) = xoptions else { return Ok(Vec::new()) };
    let mut found = Vec::new();
    for (name, value) in xoptions.cast::<PyDict>()?.iter() {
        let name: String = name.extract()?;
        if name.starts_with("pyjit") {
            let value = if value.is_instance_of::<PyBool>() { None } else { Some(value.extract::<OsString>()?) };
            found.push(config::XOption { name, value });
        }
    }
    Ok(found)
}

#[pymodule]
fn _pyjit(m: &Bound<'_, PyModule>) -> PyResult<()> {
    if !abi::LAYOUT_COMPLETE {
        return Err(pyo3::exceptions::PyImportError::new_err(
            "pyjit was cross-compiled: its CPython ABI probe could not run for this machine; build pyjit on it",
        ));
    }
    // `add` lists each name in `__all__`: made here, it is not looked up
    // first as a missing attribute, whose error would make pyo3 create its
    // panic exception type, a tenth of a millisecond of every start-up.
    m.setattr("__all__", pyo3::types::PyList::empty(m.py()))?;
    // An invalid setting is reported by the package (`pyjit/__init__.py`), which ends the
    // process: one line, exit status 2 (README, "Configuration").
    m.add("SETTING_ERROR", config::load_environment(&pyjit_xoptions(m.py())?).err())?;
    m.add("ENABLE_AT_STARTUP", config::enable_at_startup())?;
    m.add_function(wrap_pyfunction!(enable, m)?)?;
    m.add_function(wrap_pyfunction!(disable, m)?)?;
    m.add_function(wrap_pyfunction!(is_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(configure, m)?)?;
    m.add_function(wrap_pyfunction!(info, m)?)?;
    m.add_function(wrap_pyfunction!(optimizations, m)?)?;
    m.add_function(wrap_pyfunction!(counters, m)?)?;
    m.add_function(wrap_pyfunction!(observed_profile, m)?)?;
    m.add_function(wrap_pyfunction!(ir, m)?)?;
    m.add_function(wrap_pyfunction!(native_code, m)?)?;
    m.add_function(wrap_pyfunction!(code_key, m)?)?;
    m.add_function(wrap_pyfunction!(opcode_table, m)?)?;
    m.add_function(wrap_pyfunction!(recorded, m)?)?;
    m.add_function(wrap_pyfunction!(precompile, m)?)?;
    m.add_function(wrap_pyfunction!(cache_command, m)?)?;
    m.add_function(wrap_pyfunction!(cache_gc, m)?)?;
    m.add("CACHE_USAGE", pyjit_cli::USAGE)?;
    helpers::control::measure_iterator_layouts(m.py())?;
    Ok(())
}
