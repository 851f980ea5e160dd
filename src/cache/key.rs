//! Keys of live code objects: blake3 over a canonical encoding of everything the generated
//! code depends on, plus the build that generates it.
//!
//! Covered: the un-specialised bytecode (`co_code`, which is `PyCode_GetCode`), the counts
//! and flags, the constants (recursively, nested code objects included), names, local,
//! cell and free variable names, and the exception table. Left out on purpose: `co_name`,
//! `co_qualname`, `co_filename`, `co_firstlineno` and the line table. Generated code embeds
//! none of them (it reads constants and names through the frame's code object, and the
//! interpreter builds tracebacks from the live code object), so a function that only moved
//! in its file keeps its entry, and an edit to its body gets a new key.
//!
//! A nested code object is encoded by its own key, which the caller finds through a
//! `NestedKey` function: the runtime memoizes keys in each code object's state, so a
//! module's key covers all its functions and each function's encoding is computed once
//! per process however many enclosing code objects are keyed.

use super::compat;
use pyjit_cache_format::Key;
use pyo3::prelude::*;
use pyo3::{ffi, intern};
use pyo3::types::{PyBool, PyBytes, PyCode, PyComplex, PyFloat, PyFrozenSet, PyInt, PyString, PyTuple};
use std::sync::OnceLock;

/// Integer fields of a code object, in encoding order.
const INT_FIELDS: [&str; 6] =
    ["co_argcount", "co_posonlyargcount", "co_kwonlyargcount", "co_nlocals", "co_stacksize", "co_flags"];
/// Tuple-of-strings fields, in encoding order.
const NAME_FIELDS: [&str; 4] = ["co_names", "co_varnames", "co_cellvars", "co_freevars"];

/// Finds the key of a code object nested in the one being keyed.
pub type NestedKey<'a> = &'a dyn Fn(&Bound<'_, PyCode>) -> PyResult<Key>;

/// The key of `code` in this build; a TypeError if `code` is not a code object.
pub fn code_key(code: &Bound<'_, PyAny>, nested: NestedKey) -> PyResult<Key> {
    let code = code.cast::<PyCode>()?;
    let mut canonical = Vec::with_capacity(256);
    encode_code(code, &mut canonical, nested)?;
    Ok(Key::derive(&[b"pyjit code key v2", build_fingerprint(), &canonical]))
}

/// Everything about this build and host that changes generated code: the manifest a cache
/// written here carries.
fn build_fingerprint() -> &'static [u8] {
    static FINGERPRINT: OnceLock<Vec<u8>> = OnceLock::new();
    FINGERPRINT.get_or_init(|| {
        let host = compat::host();
        blake3::hash(&postcard::to_allocvec(host).expect("CompatInfo serializes")).as_bytes().to_vec()
    })
}

fn put_bytes(out: &mut Vec<u8>, tag: u8, bytes: &[u8]) {
    out.push(tag);
    out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(bytes);
}

fn encode_code(code: &Bound<'_, PyCode>, out: &mut Vec<u8>, nested: NestedKey) -> PyResult<()> {
    let py = code.py();
    out.push(b'C');
    for field in INT_FIELDS {
        let value: i64 = code.getattr(PyString::intern(py, field))?.extract()?;
        out.extend_from_slice(&value.to_le_bytes());
    }
    for field in [intern!(py, "co_code"), intern!(py, "co_exceptiontable")] {
        put_bytes(out, b'b', code.getattr(field)?.cast::<PyBytes>()?.as_bytes());
    }
    for field in NAME_FIELDS {
        encode_const(&code.getattr(PyString::intern(py, field))?, out, nested)?;
    }
    encode_const(&code.getattr(intern!(py, "co_consts"))?, out, nested)
}

/// Encodes a constant with its exact type, so that `1`, `1.0`, `True` and `"1"` differ.
fn encode_const(value: &Bound<'_, PyAny>, out: &mut Vec<u8>, nested: NestedKey) -> PyResult<()> {
    if value.is_none() {
        out.push(b'N');
    } else if value.is(value.py().Ellipsis()) {
        out.push(b'E');
    } else if let Ok(flag) = value.cast_exact::<PyBool>() {
        out.push(if flag.is_true() { b'T' } else { b'F' });
    } else if let Ok(int) = value.cast_exact::<PyInt>() {
        put_bytes(out, b'i', &int_bytes(int)?);
    } else if let Ok(float) = value.cast_exact::<PyFloat>() {
        put_bytes(out, b'f', &float.value().to_bits().to_le_bytes());
    } else if let Ok(complex) = value.cast_exact::<PyComplex>() {
        out.push(b'j');
        out.extend_from_slice(&complex.real().to_bits().to_le_bytes());
        out.extend_from_slice(&complex.imag().to_bits().to_le_bytes());
    } else if let Ok(text) = value.cast_exact::<PyString>() {
        match text.to_str() {
            Ok(utf8) => put_bytes(out, b's', utf8.as_bytes()),
            // Lone surrogates encoded as `surrogatepass` does: distinct strings never
            // share an encoding.
            Err(_) => {
                let encoded = text.call_method1(intern!(value.py(), "encode"), ("utf-8", "surrogatepass"))?;
                put_bytes(out, b's', encoded.cast::<PyBytes>()?.as_bytes());
            }
        }
    } else if let Ok(bytes) = value.cast_exact::<PyBytes>() {
        put_bytes(out, b'y', bytes.as_bytes());
    } else if let Ok(tuple) = value.cast_exact::<PyTuple>() {
        put_bytes(out, b'(', &(tuple.len() as u64).to_le_bytes());
        for item in tuple.iter() {
            encode_const(&item, out, nested)?;
        }
    } else if let Ok(set) = value.cast_exact::<PyFrozenSet>() {
        // Iteration order of a frozenset is not canonical: sort the encoded members.
        let mut members = set
            .iter()
            .map(|item| {
                let mut encoded = Vec::new();
                encode_const(&item, &mut encoded, nested).map(|()| encoded)
            })
            .collect::<PyResult<Vec<_>>>()?;
        members.sort();
        put_bytes(out, b'{', &(members.len() as u64).to_le_bytes());
        members.iter().for_each(|member| out.extend_from_slice(member));
    } else if let Ok(code) = value.cast_exact::<PyCode>() {
        out.push(b'K');
        out.extend_from_slice(&nested(code)?.0);
    } else {
        // The compiler emits no other constant types; anything else is keyed by its type
        // and repr, which is at worst a key that never matches.
        let described = format!("{}:{}", value.get_type().name()?, value.repr()?);
        put_bytes(out, b'?', described.as_bytes());
    }
    Ok(())
}

/// An int as little-endian two's complement in `bits / 8 + 1` bytes: exact for every
/// size, with no decimal conversion (which CPython limits to 4300 digits by default).
fn int_bytes(int: &Bound<'_, PyInt>) -> PyResult<Vec<u8>> {
    // SAFETY: `int` is an exact int; both functions read it, the second writes `bytes.len()`
    // bytes into `bytes`, enough for its value and sign.
    unsafe {
        let bits = ffi::_PyLong_NumBits(int.as_ptr());
        if bits == usize::MAX {
            return Err(PyErr::fetch(int.py()));
        }
        let mut bytes = vec![0u8; bits / 8 + 1];
        if ffi::_PyLong_AsByteArray(int.as_ptr().cast(), bytes.as_mut_ptr(), bytes.len(), 1, 1) < 0 {
            return Err(PyErr::fetch(int.py()));
        }
        Ok(bytes)
    }
}
