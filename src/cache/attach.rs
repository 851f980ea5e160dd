//! Attaching cached native code to code objects, and recording which code objects ran.
//!
//! `lookup` runs once per code object, the first time it runs (from the frame-evaluation
//! hook, before that first call starts) or when `pyjit.info` asks about it before then.
//! With a cache configured (`PYJIT_CACHE`), the index is first searched for the code
//! object's shape (the first bytes of every key: a digest of its sizes and flags, see
//! `key::code_shape`); only if some entry has it is the code object keyed (once, see
//! `CodeState::key`) and the key searched. A hit is copied out, hash-checked, linked and
//! attached, so the first call already runs native code. This covers imported modules and
//! `__main__` alike, and costs nothing at import for functions that never run. A code
//! object without an entry costs a digest of its sizes and flags and one binary search,
//! and only when an entry of the same shape exists, one key computation.
//! The cache file is opened and checked (directory, compatibility, signature) at the first
//! lookup after the settings change.

use super::{compat, key, CACHE_FILE};
use crate::abi;
use crate::bytecode;
use crate::config::{self, Optimizations};
use crate::link::{self, NativeCode, Source};
use crate::profile::Profile;
use crate::stats;
use pyo3::ffi::PyCodeObject;
use pyo3::prelude::*;
use pyjit_cache_format::{self as format, CacheFile, CacheReader, EntryRef, Key};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::Instant;

/// Exit status of a process stopped by a refusal in strict mode.
pub const STRICT_EXIT_STATUS: i32 = 3;

/// The cache this process loads from, as opened under the settings of `generation`.
struct OpenCache {
    generation: u64,
    /// None when the file was refused (already warned about) or no cache is configured.
    reader: Option<CacheReader<CacheFile>>,
}

static OPEN: Mutex<Option<OpenCache>> = Mutex::new(None);
/// The code objects compiled while recording, by key, kept alive to the end of the
/// process so that their profiles can be read then.
static RECORDED: Mutex<BTreeMap<Key, Py<PyAny>>> = Mutex::new(BTreeMap::new());

/// Records that the live code object `code`, whose key is `key`, is being compiled
/// (`PYJIT_RECORD_OUT`, the training run of `pyjit precompile`, which caches such code
/// only: attaching cached code costs more than interpreting what runs only a few times).
pub fn record(key: Key, code: *mut PyCodeObject) {
    // SAFETY: `code` is a live code object (a running frame's) and the caller holds the
    // GIL, also while the interpreter finalizes.
    let code = unsafe { Py::from_borrowed_ptr(Python::assume_attached(), code.cast()) };
    RECORDED.lock().unwrap_or_else(|e| e.into_inner()).entry(key).or_insert(code);
}

/// Native code for `code` from the configured cache, if it has a usable entry. Asked once
/// per code object; `key` gives the code object's key, and is asked only when some entry
/// has the code object's shape (`key::code_shape`). Entries hold code compiled with every
/// optimization, so none is used while one is switched off.
pub fn lookup(code: *mut PyCodeObject, key: impl FnOnce() -> Option<Key>) -> Option<NativeCode> {
    let settings = config::cache();
    let dir = settings.dir.as_deref()?;
    if config::optimizations() != Optimizations::ALL {
        return None;
    }
    let started = Instant::now();
    let native = look_up_in(dir, &settings, code, key);
    stats::CACHE_TIME_NS.fetch_add(stats::elapsed_ns(started), Ordering::Relaxed);
    native
}

/// `lookup` in the cache in `dir`, opened under `settings`.
fn look_up_in(dir: &Path, settings: &config::CacheSettings, code: *mut PyCodeObject, key: impl FnOnce() -> Option<Key>) -> Option<NativeCode> {
    let mut open = OPEN.lock().unwrap_or_else(|e| e.into_inner());
    if open.as_ref().is_none_or(|cache| cache.generation != settings.generation) {
        let reader = open_checked(dir, &settings.trusted_keys)
            .map_err(|reason| refuse(&format!("code cache {} refused: {reason}", dir.display())))
            .ok();
        *open = Some(OpenCache { generation: settings.generation, reader });
    }
    let reader = open.as_ref()?.reader.as_ref()?;
    if !reader.has_key_prefix(&key::code_shape(code)) {
        return None;
    }
    let key = key()?;
    stats::CACHE_KEYED.fetch_add(1, Ordering::Relaxed);
    match reader.read_entry_with(&key, |entry| link(entry, code)).map_err(|e| e.to_string()).and_then(Option::transpose) {
        Ok(Some(native)) => {
            stats::CACHE_HITS.fetch_add(1, Ordering::Relaxed);
            Some(native)
        }
        Ok(None) => None,
        Err(reason) => {
            refuse(&format!("code cache {}: {reason}", dir.display()));
            None
        }
    }
}

/// The keys of the code objects compiled while recording, in key order, each with its
/// profile as it is now, in the form `precompile` compiles with (`Profile::portable`).
pub fn recorded() -> Vec<(Key, Vec<u8>)> {
    let recorded = RECORDED.lock().unwrap_or_else(|e| e.into_inner());
    recorded.iter().map(|(key, code)| (*key, Profile::of(code.as_ptr().cast()).portable())).collect()
}

/// Opens the cache file in `dir` and runs the file-level checks: the directory, the file
/// (opened relative to the checked directory; no symlink, a regular file of this user's
/// that others cannot write, well-formed), compatibility with this build and host, and
/// the signature against the trusted keys.
fn open_checked(dir: &Path, trusted_key_files: &[PathBuf]) -> Result<CacheReader<CacheFile>, String> {
    let dir = format::check_cache_dir(dir).map_err(|e| e.to_string())?;
    let reader = CacheReader::open_in(&dir, CACHE_FILE).map_err(|e| e.to_string())?;
    reader.check_compat(compat::host()).map_err(|e| e.to_string())?;
    reader.verify(&format::trusted_keys(trusted_key_files).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    Ok(reader)
}

/// Links a verified entry. Entries carry what pyjit's code generator produces today: no
/// slots and no guards (code reads constants and names through its frame); an entry that
/// asks for either is refused rather than run without them.
fn link(entry: EntryRef<'_>, code: *mut PyCodeObject) -> Result<NativeCode, String> {
    if !entry.slots.is_empty() || !entry.guards.is_empty() {
        return Err("it needs slots or guards, which this pyjit does not fill".into());
    }
    // The data block's size follows from the bytecode, read only for a hit (in place:
    // decoding a copy cost a twentieth of attaching).
    // SAFETY: `code` is live (a running frame's, or the argument of `pyjit.info`), and
    // nothing runs while its code units are read.
    let units = unsafe { abi::code_adaptive(code) };
    let data_words = bytecode::data_words(bytecode::instruction_starts(units).map(|(_, base)| base));
    let mut native = link::load_object(entry.object, entry.entry_symbol, Some(&entry.imports), Source::Cache, data_words)?;
    // The training run's profile the entry was compiled with, for `pyjit.dis` and `pyjit.ir`.
    if let Some(profile) = entry.profile.and_then(|portable| Profile::from_portable(portable, &bytecode::co_code(code))) {
        native.set_profile(profile);
    }
    Ok(native)
}

/// Reports a refusal: one warning line, or in strict mode one error line and exit.
fn refuse(message: &str) {
    stats::CACHE_REFUSALS.fetch_add(1, Ordering::Relaxed);
    if config::cache_strict() {
        eprintln!("pyjit: error: {message} (PYJIT_CACHE_STRICT=1)");
        std::process::exit(STRICT_EXIT_STATUS);
    }
    eprintln!("pyjit: warning: {message}; using the JIT instead");
}
