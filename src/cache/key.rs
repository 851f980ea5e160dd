//! Keys of live code objects: blake3 over a canonical encoding of everything the generated
//! code depends on, plus the build that generates it.
//!
//! Covered: the un-specialised bytecode (`co_code`, read as `bytecode::co_code` de-quickens
//! it), the counts and flags, the constants, names, the local, cell and free variable names
//! and kinds, and the exception table. Left out on purpose: `co_name`, `co_qualname`,
//! `co_filename`, `co_firstlineno` and the line table. Generated code embeds none of them
//! (it reads constants and names through the frame's code object, and the interpreter
//! builds tracebacks from the live code object), so a function that only moved in its file
//! keeps its entry, and an edit to its body gets a new key.
//!
//! A nested code object (a function's, a class body's, a comprehension's) is encoded as a
//! tag only, not by its own key: the enclosing code only loads it from `co_consts` and
//! passes it to `MAKE_FUNCTION`, so its native code does not depend on it, and a module
//! body is keyed without keying every function in the module.
//!
//! The first `SHAPE_BYTES` of a key are the code object's shape (`code_shape`): a digest
//! of its sizes and flags, which costs no hashing of its contents. The cache's index is
//! sorted by key, so the loader first searches it for the shape; a code object whose
//! shape no entry has (most code, with a cache of some other program) is never keyed.
//! The rest of the key (24 bytes of blake3) covers everything above.
//!
//! Everything is read from the code object's fields (offsets from the build-time probe):
//! the getters (`co_code`, `co_varnames`, ...) build new objects, and `co_code` keeps its
//! copy on the code object for good.

use super::compat;
use crate::abi;
use crate::bytecode;
use pyjit_cache_format::Key;
use pyo3::ffi::PyCodeObject;
use pyo3::prelude::*;
use pyo3::{ffi, intern};
use pyo3::types::{PyBool, PyBytes, PyCode, PyComplex, PyEllipsis, PyFloat, PyFrozenSet, PyInt, PyString, PyTuple};
use std::cell::Cell;
use std::sync::OnceLock;

/// Integer fields of a code object, in encoding order.
const INT_FIELDS: [usize; 6] = [
    abi::CODE_ARGCOUNT,
    abi::CODE_POSONLYARGCOUNT,
    abi::CODE_KWONLYARGCOUNT,
    abi::CODE_NLOCALS,
    abi::CODE_STACKSIZE,
    abi::CODE_FLAGS,
];
/// Bytes fields, after the bytecode, in encoding order.
const BYTES_FIELDS: [usize; 2] = [abi::CODE_EXCEPTIONTABLE, abi::CODE_LOCALSPLUSKINDS];
/// Constant fields (tuples of names, then of constants), in encoding order.
const CONST_FIELDS: [usize; 3] = [abi::CODE_NAMES, abi::CODE_LOCALSPLUSNAMES, abi::CODE_CONSTS];

/// Bytes of a key that are the code object's shape.
pub const SHAPE_BYTES: usize = 8;

/// The shape of the live code object `code`: a digest of its bytecode length, counts,
/// flags and the sizes of its tables, all of which the key covers, so code objects of
/// different shapes never share a key.
pub fn code_shape(code: *mut PyCodeObject) -> [u8; SHAPE_BYTES] {
    let mut sizes = Vec::with_capacity(8 * (INT_FIELDS.len() + 1 + BYTES_FIELDS.len() + CONST_FIELDS.len()));
    sizes.extend_from_slice(&(abi::code_units(code) as u64).to_le_bytes());
    for field in INT_FIELDS {
        sizes.extend_from_slice(&i64::from(abi::code_int(code, field)).to_le_bytes());
    }
    for field in BYTES_FIELDS.into_iter().chain(CONST_FIELDS) {
        // SAFETY: the field is a bytes object or a tuple (both variable-size objects) the
        // live code object owns.
        let len = unsafe { abi::read_field::<isize>(abi::code_object(code, field).cast(), abi::VAROBJECT_SIZE) };
        sizes.extend_from_slice(&(len as u64).to_le_bytes());
    }
    let digest = blake3::hash(&sizes);
    digest.as_bytes()[..SHAPE_BYTES].try_into().expect("blake3 gives 32 bytes")
}

/// The key of `code` in this build; a TypeError if `code` is not a code object.
pub fn code_key(code: &Bound<'_, PyAny>) -> PyResult<Key> {
    let code = code.cast::<PyCode>()?;
    let raw: *mut PyCodeObject = code.as_ptr().cast();
    let units = abi::code_units(raw);
    let mut canonical = ENCODING.take();
    canonical.clear();
    canonical.reserve(1024 + 2 * units);
    canonical.push(b'C');
    for field in INT_FIELDS {
        canonical.extend_from_slice(&i64::from(abi::code_int(raw, field)).to_le_bytes());
    }
    put_header(&mut canonical, b'b', 2 * units);
    bytecode::extend_with_co_code(&mut canonical, raw);
    for field in BYTES_FIELDS {
        // SAFETY: the field is a bytes object the live code object owns.
        let field = unsafe { Bound::from_borrowed_ptr(code.py(), abi::code_object(raw, field)) };
        put_bytes(&mut canonical, b'b', field.cast::<PyBytes>()?.as_bytes());
    }
    for field in CONST_FIELDS {
        // SAFETY: the field is a tuple the live code object owns.
        let field = unsafe { Bound::from_borrowed_ptr(code.py(), abi::code_object(raw, field)) };
        encode_const(&field, &mut canonical)?;
    }
    let mut key = Key::derive(&[b"pyjit code key v3", build_fingerprint(), &canonical]);
    key.0[..SHAPE_BYTES].copy_from_slice(&code_shape(raw));
    if canonical.capacity() <= KEPT_ENCODING {
        ENCODING.set(canonical);
    }
    Ok(key)
}

/// The largest encoding buffer a thread keeps between keys.
const KEPT_ENCODING: usize = 1 << 20;

thread_local! {
    /// The memory `code_key` encodes a code object in, kept from one key to the next:
    /// keys are computed by the hundred at start-up, and a new buffer for each spent
    /// as long in the allocator (consolidating freed chunks, faulting pages in) as the
    /// encoding took.
    static ENCODING: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
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
    put_header(out, tag, bytes.len());
    out.extend_from_slice(bytes);
}

/// The tag and length that `put_bytes` writes before `len` bytes.
fn put_header(out: &mut Vec<u8>, tag: u8, len: usize) {
    out.push(tag);
    out.extend_from_slice(&(len as u64).to_le_bytes());
}

/// Encodes a constant with its exact type, so that `1`, `1.0`, `True` and `"1"` differ.
fn encode_const(value: &Bound<'_, PyAny>, out: &mut Vec<u8>) -> PyResult<()> {
    // Strings first: every name is one, and most constants.
    if let Ok(text) = value.cast_exact::<PyString>() {
        encode_str(text, out)?;
    } else if value.is_none() {
        out.push(b'N');
    } else if value.is(PyEllipsis::get(value.py())) {
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
    } else if let Ok(bytes) = value.cast_exact::<PyBytes>() {
        put_bytes(out, b'y', bytes.as_bytes());
    } else if let Ok(tuple) = value.cast_exact::<PyTuple>() {
        put_bytes(out, b'(', &(tuple.len() as u64).to_le_bytes());
        for item in tuple.iter() {
            encode_const(&item, out)?;
        }
    } else if let Ok(set) = value.cast_exact::<PyFrozenSet>() {
        // Iteration order of a frozenset is not canonical: sort the encoded members.
        let mut members = set
            .iter()
            .map(|item| {
                let mut encoded = Vec::new();
                encode_const(&item, &mut encoded).map(|()| encoded)
            })
            .collect::<PyResult<Vec<_>>>()?;
        members.sort();
        put_bytes(out, b'{', &(members.len() as u64).to_le_bytes());
        members.iter().for_each(|member| out.extend_from_slice(member));
    } else if value.cast_exact::<PyCode>().is_ok() {
        out.push(b'K');
    } else {
        // The compiler emits no other constant types; anything else is keyed by its type
        // and repr, which is at worst a key that never matches.
        let described = format!("{}:{}", value.get_type().name()?, value.repr()?);
        put_bytes(out, b'?', described.as_bytes());
    }
    Ok(())
}

fn encode_str(text: &Bound<'_, PyString>, out: &mut Vec<u8>) -> PyResult<()> {
    match text.to_str() {
        Ok(utf8) => put_bytes(out, b's', utf8.as_bytes()),
        // Lone surrogates encoded as `surrogatepass` does: distinct strings never
        // share an encoding.
        Err(_) => {
            let encoded = text.call_method1(intern!(text.py(), "encode"), ("utf-8", "surrogatepass"))?;
            put_bytes(out, b's', encoded.cast::<PyBytes>()?.as_bytes());
        }
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
