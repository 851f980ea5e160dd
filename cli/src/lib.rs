//! `pyjit cache ...`: inspecting, verifying, signing and pruning code caches, and
//! generating signing keys. Everything here works on files only (no CPython); the
//! extension module passes in what needs the running interpreter (the host's
//! [`CompatInfo`], the keys reachable from a source tree).
//!
//! Every command returns its exit status, or a one-line error for bad arguments and
//! unreadable files.

use pyjit_cache_format::{
    self as format, load_signing_key, public_key_path, CacheFile, CacheReader, CompatInfo, Key, CACHE_FILE_NAME,
};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Usage of `pyjit cache`.
pub const USAGE: &str = "\
usage: pyjit cache ls PATH
       pyjit cache info PATH
       pyjit cache verify PATH
       pyjit cache export PATH KEY -o FILE.o
       pyjit cache sign PATH --key KEY_FILE
       pyjit cache gc PATH SOURCES... [--key KEY_FILE]
       pyjit cache keygen KEY_FILE

PATH is a cache directory (as given to --out and PYJIT_CACHE) or a cache file.
Trusted keys: PYJIT_TRUSTED_KEYS (public key files separated by ':'), else the
per-user key. `verify` exits with status 1 when the cache would be refused.";

/// What a command prints and its exit status.
pub struct Outcome {
    pub output: String,
    pub status: i32,
}

fn ok(output: String) -> Result<Outcome, String> {
    Ok(Outcome { output, status: 0 })
}

/// The cache file named by `path`: `path` itself, or the cache file inside it.
pub fn cache_file(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join(CACHE_FILE_NAME)
    } else {
        path.to_owned()
    }
}

fn open(path: &Path) -> Result<CacheReader<CacheFile>, String> {
    let file = cache_file(path);
    CacheReader::open(&file).map_err(|e| match e {
        // These already name the file.
        format::Error::Io { .. }
        | format::Error::Symlink(_)
        | format::Error::NotRegularFile(_)
        | format::Error::UnsafeFile { .. } => e.to_string(),
        _ => format!("{}: {e}", file.display()),
    })
}

/// Runs `pyjit cache ARGS` (everything but `gc`, which needs the interpreter to find the
/// keys of a source tree: see [`gc`]).
pub fn cache_command(args: &[String], host: &CompatInfo, trusted: &[PathBuf]) -> Result<Outcome, String> {
    let arg = |i: usize| args.get(i).map(String::as_str);
    match (arg(0), args.len()) {
        (Some("ls"), 2) => ls(Path::new(&args[1])),
        (Some("info"), 2) => info(Path::new(&args[1]), host, trusted),
        (Some("verify"), 2) => verify(Path::new(&args[1]), host, trusted),
        (Some("export"), 5) if arg(3) == Some("-o") => export(Path::new(&args[1]), &args[2], Path::new(&args[4])),
        (Some("sign"), 4) if arg(2) == Some("--key") => sign(Path::new(&args[1]), Path::new(&args[3])),
        (Some("keygen"), 2) => keygen(Path::new(&args[1])),
        _ => Err(format!("bad arguments: pyjit cache {}\n{USAGE}", args.join(" "))),
    }
}

fn ls(path: &Path) -> Result<Outcome, String> {
    let reader = open(path)?;
    let mut out = String::new();
    for row in reader.iter() {
        let entry = reader.read_entry(&row.key).map_err(|e| e.to_string())?.expect("key from the index");
        let _ = writeln!(
            out,
            "{}  {:>7}  {}  {}:{}{}",
            row.key,
            entry.object.len(),
            entry.qualname,
            entry.filename,
            entry.firstlineno,
            if entry.profile.is_some() { "  profiled" } else { "" }
        );
    }
    ok(out)
}

/// The trust status of a parsed cache, as one line, and whether it is trusted.
fn trust_status(reader: &CacheReader<CacheFile>, trusted: &[PathBuf]) -> (String, bool) {
    match format::trusted_keys(trusted).map_err(|e| e.to_string()).and_then(|keys| reader.verify(&keys).map_err(|e| e.to_string())) {
        Ok(key_id) => (format!("trusted: signed by key {key_id}"), true),
        Err(reason) => (format!("NOT trusted: {reason}"), false),
    }
}

fn info(path: &Path, host: &CompatInfo, trusted: &[PathBuf]) -> Result<Outcome, String> {
    let reader = open(path)?;
    let compat = reader.compat();
    let (trust, _) = trust_status(&reader, trusted);
    let compatible = match reader.check_compat(host) {
        Ok(()) => "yes".to_owned(),
        Err(reason) => format!("NO: {reason}"),
    };
    let signer = reader.signer().map_or("unsigned".to_owned(), |id| id.to_string());
    ok(format!(
        "file: {}\nformat version: {}\nentries: {}\nsigner: {signer}\n{trust}\npyjit: {}\nCPython: {:#010x}, magic {}\ntarget: {}\ncpu features: {}\ncompatible with this host: {compatible}\n",
        cache_file(path).display(),
        format::FORMAT_VERSION,
        reader.len(),
        compat.pyjit_version,
        compat.cpython_hexversion,
        compat.cpython_magic,
        compat.target_triple,
        compat.cpu_features.iter().cloned().collect::<Vec<_>>().join(" "),
    ))
}

/// Every check the loader makes, on every entry.
fn verify(path: &Path, host: &CompatInfo, trusted: &[PathBuf]) -> Result<Outcome, String> {
    let reader = match open(path) {
        Ok(reader) => reader,
        Err(reason) => return Ok(Outcome { output: format!("FAILED: {reason}\n"), status: 1 }),
    };
    let (trust, is_trusted) = trust_status(&reader, trusted);
    let mut problems = Vec::new();
    if !is_trusted {
        problems.push(trust);
    }
    if let Err(reason) = reader.check_compat(host) {
        problems.push(format!("not compatible with this host: {reason}"));
    }
    for row in reader.iter() {
        if let Err(reason) = reader.read_entry(&row.key) {
            problems.push(format!("entry {}: {reason}", row.key));
        }
    }
    if problems.is_empty() {
        ok(format!("OK: {} entries, {}\n", reader.len(), trust_status(&reader, trusted).0))
    } else {
        Ok(Outcome { output: problems.iter().map(|p| format!("FAILED: {p}\n")).collect(), status: 1 })
    }
}

fn export(path: &Path, key: &str, out: &Path) -> Result<Outcome, String> {
    let key: Key = key.parse().map_err(|e: format::Error| e.to_string())?;
    let reader = open(path)?;
    let entry = reader.read_entry(&key).map_err(|e| e.to_string())?.ok_or_else(|| format!("no entry with key {key}"))?;
    std::fs::write(out, &entry.object).map_err(|e| format!("{}: {e}", out.display()))?;
    ok(format!("{}: {} ({} bytes, entry symbol {})\n", out.display(), entry.qualname, entry.object.len(), entry.entry_symbol))
}

fn sign(path: &Path, key_file: &Path) -> Result<Outcome, String> {
    let key = load_signing_key(key_file).map_err(|e| e.to_string())?;
    let file = cache_file(path);
    let signed = open(path)?.signed(&key).map_err(|e| format!("{}: {e}", file.display()))?;
    replace(&file, &signed)?;
    ok(format!("{}: signed by key {}\n", file.display(), format::KeyId::of(&key.verifying_key())))
}

/// Replaces a cache file atomically.
fn replace(file: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = file.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = file.file_name().and_then(|n| n.to_str()).ok_or_else(|| format!("{}: not a file name", file.display()))?;
    format::write_atomic(dir, name, bytes).map(drop).map_err(|e| e.to_string())
}

fn keygen(path: &Path) -> Result<Outcome, String> {
    let key = format::generate_signing_key().map_err(|e| e.to_string())?;
    let public = format::write_key_pair(path, &key).map_err(|e| e.to_string())?;
    debug_assert_eq!(public, public_key_path(path));
    ok(format!(
        "secret key: {} (keep it secret)\npublic key: {} (give it to PYJIT_TRUSTED_KEYS)\nkey id: {}\n",
        path.display(),
        public.display(),
        format::KeyId::of(&key.verifying_key())
    ))
}

/// `pyjit cache gc`: rewrites the cache at `path` with only the entries whose keys are in
/// `keep`, signed with `key_file` (or the per-user key).
pub fn gc(path: &Path, keep: &BTreeSet<Key>, key_file: Option<&Path>) -> Result<Outcome, String> {
    let key = match key_file {
        Some(file) => load_signing_key(file),
        None => format::user_signing_key(),
    }
    .map_err(|e| e.to_string())?;
    let reader = open(path)?;
    let mut writer = format::CacheWriter::new(reader.compat().clone());
    let mut kept = 0;
    for row in reader.iter().filter(|row| keep.contains(&row.key)) {
        let entry = reader.read_entry(&row.key).map_err(|e| e.to_string())?.expect("key from the index");
        writer.add(row.key, &entry);
        kept += 1;
    }
    let dropped = reader.len() - kept;
    drop(reader);
    replace(&cache_file(path), &writer.finish(Some(&key)))?;
    ok(format!("kept {kept} entries, dropped {dropped}\n"))
}
