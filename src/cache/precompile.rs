//! Writing a cache: compiling code objects through `ObjectModule` (the same lowering the
//! run-time JIT uses) into entries, signing, and replacing the cache file atomically.

use super::{compat, key, CACHE_FILE};
use crate::abi;
use crate::bytecode::{self, code_info_for_cache, CodeInfo, Unsupported};
use crate::config::Optimizations;
use crate::link::{self, Failure, ENTRY_SYMBOL};
use crate::profile::Profile;
use crate::stats::CompilePhases;
use pyjit_cache_format::{self as format, CacheWriter, Entry, Key, SigningKey};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::DirBuilder;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::types::{PyCode, PyString};

/// One code object to compile.
pub struct Job {
    pub key: Key,
    pub qualname: String,
    pub filename: String,
    pub firstlineno: u32,
    pub info: CodeInfo,
    /// What a training run's interpreter observed (`Profile::none()` without one).
    pub profile: Profile,
}

/// What `precompile` did.
#[derive(Default)]
pub struct Summary {
    /// Entries written.
    pub compiled: usize,
    /// Code objects not compiled, by reason.
    pub skipped: BTreeMap<String, usize>,
    /// Size of the cache file.
    pub bytes: usize,
    /// Where it was written.
    pub path: PathBuf,
}

/// Why a module or class body without a loop is not cached: it runs once per import, and
/// attaching native code to it (a key, reading and hash-checking its entry, mapping its
/// code: ~30 µs) costs more than it saves. Measured on an import-heavy start-up
/// (`benchmarks/import_time.py`): 1,060 of the 1,789 code objects attached were such
/// bodies, and leaving them out took it from 1.73x to 1.36x plain CPython's time.
const RUN_ONCE: &str = "module or class body without a loop (runs once: interpreting it costs less than attaching it)";

/// Reads what a job needs from a code object, or why it cannot be compiled.
/// `profile_of(key)` gives the profile a training run recorded for the code object's key
/// (`Profile::portable` bytes); one that does not fit the code object is not used.
pub fn job(code: &Bound<'_, PyAny>, profile_of: impl FnOnce(&Key) -> Option<Vec<u8>>) -> PyResult<Result<Job, String>> {
    // A TypeError for anything but a code object, before its fields are read.
    let raw = code.cast::<PyCode>()?.as_ptr().cast();
    if abi::code_int(raw, abi::CODE_FLAGS) & abi::CO_OPTIMIZED == 0 && !bytecode::jumps_backward(raw) {
        return Ok(Err(RUN_ONCE.to_owned()));
    }
    let key = key::code_key(code)?;
    let info = match code_info_for_cache(raw) {
        Ok(info) => info,
        Err(Unsupported(reason)) => return Ok(Err(reason)),
    };
    let profile = profile_of(&key)
        .and_then(|portable| Profile::from_portable(&portable, &bytecode::co_code(raw)))
        .unwrap_or_default();
    Ok(Ok(Job {
        key,
        // Names for `pyjit cache ls` only: a file name that is not UTF-8 is shown lossily.
        qualname: code.getattr("co_qualname")?.cast::<PyString>()?.to_string_lossy().into_owned(),
        filename: code.getattr("co_filename")?.cast::<PyString>()?.to_string_lossy().into_owned(),
        firstlineno: code.getattr("co_firstlineno")?.extract()?,
        info,
        profile,
    }))
}

/// Compiles `jobs` on `threads` threads and writes a cache signed with `signing_key` into
/// `out_dir` (created with mode 0700 if missing). `progress(done, total)` is called on the
/// calling thread as compiles finish.
pub fn precompile(
    jobs: Vec<Job>,
    threads: usize,
    out_dir: &Path,
    signing_key: &SigningKey,
    mut progress: impl FnMut(usize, usize),
) -> Result<Summary, String> {
    DirBuilder::new().recursive(true).mode(0o700).create(out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let jobs = dedup(jobs);
    let total = jobs.len();
    let queue = Mutex::new(jobs.into_iter());
    let (done_tx, done_rx) = mpsc::channel();
    let mut summary = Summary::default();
    let mut writer = CacheWriter::new(compat::host().clone());
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, total.max(1)) {
            let done_tx = done_tx.clone();
            let queue = &queue;
            scope.spawn(move || loop {
                let Some(job) = queue.lock().unwrap_or_else(|e| e.into_inner()).next() else { break };
                let _ = done_tx.send(compile(job));
            });
        }
        drop(done_tx);
        for (done, outcome) in done_rx.into_iter().enumerate() {
            match outcome {
                Ok((key, entry)) => {
                    writer.add(key, &entry);
                    summary.compiled += 1;
                }
                Err(reason) => *summary.skipped.entry(reason).or_default() += 1,
            }
            progress(done + 1, total);
        }
    });
    let bytes = writer.finish(Some(signing_key));
    summary.bytes = bytes.len();
    summary.path = format::write_atomic(out_dir, CACHE_FILE, &bytes).map_err(|e| e.to_string())?;
    Ok(summary)
}

fn compile(job: Job) -> Result<(Key, Entry), String> {
    // Cached code is compiled with every optimization; processes that switch one off
    // do not load it (`attach::lookup`).
    let phases = &mut CompilePhases::default();
    let (object, _) = link::compile_to_object(&job.info, &job.profile, Optimizations::ALL, phases).map_err(
        |failure| match failure {
            Failure::Unsupported(Unsupported(reason)) => reason,
            Failure::Internal(reason) => format!("compile failed: {reason}"),
        },
    )?;
    let imports = link::loader::imported_symbols(&object).map_err(|e| e.0)?;
    let entry = Entry {
        qualname: job.qualname,
        filename: job.filename,
        firstlineno: job.firstlineno,
        entry_symbol: ENTRY_SYMBOL.to_owned(),
        object,
        imports,
        profile: Some(job.profile.portable()).filter(|portable| !portable.is_empty()),
        ..Entry::default()
    };
    Ok((job.key, entry))
}

/// Keeps one job per key (equal keys compile to interchangeable code).
fn dedup(jobs: Vec<Job>) -> Vec<Job> {
    let mut seen = BTreeSet::new();
    jobs.into_iter().filter(|job| seen.insert(job.key)).collect()
}
