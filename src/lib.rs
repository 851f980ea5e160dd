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

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
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
                other => return Err(PyTypeError::new_err(format!("unknown pyjit setting {other:?}"))),
            }
        }
    }
    let current = PyDict::new(py);
    current.set_item("threshold", runtime::config::threshold())?;
    current.set_item("level", runtime::config::level())?;
    current.set_item("pgc", runtime::config::pgc())?;
    current.set_item("via_object", runtime::config::via_object())?;
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
    let state = CodeState::existing(code.as_ptr().cast());
    let (compiled, size) = match state.as_ref().map(|s| &s.tier) {
        Some(Tier::Native(native)) => (true, native.size()),
        _ => (false, 0),
    };
    result.set_item("compiled", compiled)?;
    result.set_item("source", if compiled { Some("jit") } else { None })?;
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
    result.set_item("native_bytes", load(&runtime::stats::NATIVE_BYTES))?;
    let reasons = PyDict::new(py);
    let delegated = runtime::stats::DELEGATED.lock().unwrap_or_else(|e| e.into_inner());
    for (reason, count) in delegated.iter() {
        reasons.set_item(PyString::new(py, reason), count)?;
    }
    result.set_item("delegated", delegated.values().sum::<u64>())?;
    result.set_item("delegated_reasons", reasons)?;
    Ok(result)
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
    Ok(())
}
