//! pyjit: a JIT compiler for CPython 3.11 on Cranelift.
//!
//! Stages, in the order data flows: `abi` (CPython layouts), `bytecode`
//! (decoding), `codegen` (lowering to Cranelift IR), `runtime` (the
//! frame-evaluation hook, per-code state, leaving to the interpreter),
//! `cache` (loading relocatable code). This file is the Python-facing API of
//! the extension module `pyjit._pyjit`.

mod abi;
mod bytecode;
mod cache;
mod codegen;
mod runtime;

use pyo3::exceptions::{PyOSError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use std::path::PathBuf;
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

/// Sets the given settings and returns all of them.
#[pyfunction]
#[pyo3(signature = (**settings))]
fn config<'py>(py: Python<'py>, settings: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyDict>> {
    if let Some(settings) = settings {
        for (key, value) in settings.iter() {
            let key: String = key.extract()?;
            match key.as_str() {
                "threshold" => runtime::config::set_threshold(value.extract().map_err(|_| {
                    PyValueError::new_err("threshold must be a non-negative integer")
                })?),
                "level" => {
                    let level: u8 = value.extract()?;
                    if level > runtime::config::MAX_LEVEL {
                        return Err(PyValueError::new_err("level must be 0, 1 or 2"));
                    }
                    runtime::config::set_level(level);
                }
                "pgc" => runtime::config::set_pgc(value.extract()?),
                "via_object" => runtime::config::set_via_object(value.extract()?),
                "cache" => runtime::config::set_cache_dir(value.extract::<Option<PathBuf>>()?),
                "trusted_keys" => runtime::config::set_trusted_keys(if let Ok(list) = value.extract::<String>() {
                    runtime::config::split_paths(&list)
                } else {
                    value.extract()?
                }),
                "cache_strict" => runtime::config::set_cache_strict(value.extract()?),
                other => return Err(PyTypeError::new_err(format!("unknown pyjit setting {other:?}"))),
            }
        }
    }
    let current = PyDict::new(py);
    current.set_item("threshold", runtime::config::threshold())?;
    current.set_item("level", runtime::config::level())?;
    current.set_item("pgc", runtime::config::pgc())?;
    current.set_item("via_object", runtime::config::via_object())?;
    let cache = runtime::config::cache();
    current.set_item("cache", cache.dir)?;
    current.set_item("trusted_keys", cache.trusted_keys)?;
    current.set_item("cache_strict", runtime::config::cache_strict())?;
    Ok(current)
}

/// What pyjit knows about a function or code object.
#[pyfunction]
fn info<'py>(py: Python<'py>, obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    let code = if obj.hasattr("__code__")? { obj.getattr("__code__")? } else { obj.clone() };
    // SAFETY: PyCode_Check only reads the object's type.
    if unsafe { pyo3::ffi::PyCode_Check(code.as_ptr()) } == 0 {
        return Err(PyTypeError::new_err("pyjit.info() takes a function or a code object"));
    }
    let result = PyDict::new(py);
    // Code that has not run yet gets its cached native code now, as it would at its
    // first call, so that `info` reports what that call will run.
    if runtime::config::cache().dir.is_some() {
        if let Some(state) = CodeState::of(code.as_ptr().cast()) {
            state.attach_cached(code.as_ptr().cast());
        }
    }
    let state = CodeState::existing(code.as_ptr().cast());
    let native = match state.as_ref().map(|s| &s.tier) {
        Some(Tier::Native(native)) => Some(native),
        _ => None,
    };
    let size = native.map_or(0, |native| native.size());
    result.set_item("compiled", native.is_some())?;
    result.set_item("source", native.map(|native| native.source().name()))?;
    result.set_item("reason", state.as_ref().map_or(Some("never called with pyjit enabled"), |s| s.reason()))?;
    result.set_item("runs", state.as_ref().map_or(0, |s| s.runs))?;
    result.set_item("compile_time_ns", state.as_ref().map_or(0, |s| s.compile_time_ns))?;
    result.set_item("native_size", size)?;
    Ok(result)
}

/// Process-wide counters.
#[pyfunction]
fn stats(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let result = PyDict::new(py);
    let load = |counter: &std::sync::atomic::AtomicU64| counter.load(Ordering::Relaxed);
    result.set_item("compiled", load(&runtime::stats::COMPILED))?;
    result.set_item("failed", load(&runtime::stats::FAILED))?;
    result.set_item("deopts", load(&runtime::stats::DEOPTS))?;
    result.set_item("exception_exits", load(&runtime::stats::EXCEPTION_EXITS))?;
    result.set_item("exceptions_caught", load(&runtime::stats::EXCEPTIONS_CAUGHT))?;
    result.set_item("native_calls", load(&runtime::stats::NATIVE_CALLS))?;
    result.set_item("compile_time_ns", load(&runtime::stats::COMPILE_TIME_NS))?;
    let phases = PyDict::new(py);
    for (name, total) in runtime::stats::COMPILE_PHASE_NAMES.iter().zip(&runtime::stats::COMPILE_PHASE_NS) {
        phases.set_item(name, load(total))?;
    }
    result.set_item("compile_phase_ns", phases)?;
    result.set_item("native_bytes", load(&runtime::stats::NATIVE_BYTES))?;
    result.set_item("cache_hits", load(&runtime::stats::CACHE_HITS))?;
    result.set_item("cache_refusals", load(&runtime::stats::CACHE_REFUSALS))?;
    let reasons = PyDict::new(py);
    let delegated = runtime::stats::DELEGATED.lock().unwrap_or_else(|e| e.into_inner());
    for (reason, count) in delegated.iter() {
        reasons.set_item(PyString::new(py, reason), count)?;
    }
    result.set_item("delegated", delegated.values().sum::<u64>())?;
    result.set_item("delegated_reasons", reasons)?;
    Ok(result)
}

/// The cache key of a code object in this build, as 64 hex digits.
#[pyfunction]
fn code_key(code: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(cache::key::code_key(code)?.to_string())
}

/// The keys of the code objects that ran while recording (`PYJIT_RECORD_OUT`), as hex.
#[pyfunction]
fn recorded_keys() -> Vec<String> {
    cache::attach::recorded_keys().iter().map(ToString::to_string).collect()
}

/// Compiles `codes` (code objects) into a cache in `out`, signed with the secret key file
/// `key` (default: the per-user key), on `jobs` threads. Calls `progress(done, total)`
/// as functions are compiled. Returns a summary dict.
#[pyfunction]
#[pyo3(signature = (codes, out, key=None, jobs=1, progress=None))]
fn precompile<'py>(
    py: Python<'py>,
    codes: &Bound<'py, PyList>,
    out: PathBuf,
    key: Option<PathBuf>,
    jobs: usize,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let signing_key = match key {
        Some(file) => pyjit_cache_format::load_signing_key(&file),
        None => pyjit_cache_format::user_signing_key(),
    }
    .map_err(|e| PyOSError::new_err(e.to_string()))?;
    let mut compile = Vec::new();
    let mut skipped = std::collections::BTreeMap::<String, usize>::new();
    for code in codes.iter() {
        match cache::precompile::job(&code)? {
            Ok(job) => compile.push(job),
            Err(reason) => *skipped.entry(reason).or_default() += 1,
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
    Ok(result)
}

/// `pyjit cache ARGS`: prints the command's output and returns its exit status; bad
/// arguments and unreadable files raise ValueError with one line.
#[pyfunction]
fn cache_command(args: Vec<String>) -> PyResult<i32> {
    let trusted = runtime::config::cache().trusted_keys;
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

#[pymodule]
fn _pyjit(m: &Bound<'_, PyModule>) -> PyResult<()> {
    runtime::config::load_environment().map_err(PyValueError::new_err)?;
    m.add_function(wrap_pyfunction!(enable, m)?)?;
    m.add_function(wrap_pyfunction!(disable, m)?)?;
    m.add_function(wrap_pyfunction!(is_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(config, m)?)?;
    m.add_function(wrap_pyfunction!(info, m)?)?;
    m.add_function(wrap_pyfunction!(stats, m)?)?;
    m.add_function(wrap_pyfunction!(code_key, m)?)?;
    m.add_function(wrap_pyfunction!(recorded_keys, m)?)?;
    m.add_function(wrap_pyfunction!(precompile, m)?)?;
    m.add_function(wrap_pyfunction!(cache_command, m)?)?;
    m.add_function(wrap_pyfunction!(cache_gc, m)?)?;
    m.add("CACHE_USAGE", pyjit_cli::USAGE)?;
    Ok(())
}
