//! Building a cache file and putting it on disk.

use std::collections::btree_map::{BTreeMap, Entry as MapEntry};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use ed25519_dalek::SigningKey;
use zerocopy::byteorder::little_endian::{U32, U64};
use zerocopy::IntoBytes;

use crate::entry::encode;
use crate::key::to_hex;
use crate::layout::{
    Header, IndexRow, FORMAT_VERSION, HEADER_LEN, INDEX_ROW_LEN, MAGIC, SIGNATURE_LEN,
};
use crate::signing::append_signature;
use crate::{CompatInfo, Entry, Error, Key, Result, MAX_CACHE_FILE_LEN};

/// Collects entries and lays them out as a cache file.
///
/// The output depends only on the compat info and the set of (key, entry) pairs, not on
/// the order they were added in.
pub struct CacheWriter {
    compat: CompatInfo,
    blobs: BTreeMap<Key, Vec<u8>>,
}

impl CacheWriter {
    /// A writer for code built for `compat`.
    pub fn new(compat: CompatInfo) -> Self {
        CacheWriter {
            compat,
            blobs: BTreeMap::new(),
        }
    }

    /// Adds `entry` under `key`. If `key` is already present, keeps the earlier entry and
    /// returns `false` (equal keys mean equal code, so either will do).
    pub fn add(&mut self, key: Key, entry: &Entry) -> bool {
        match self.blobs.entry(key) {
            MapEntry::Vacant(slot) => {
                slot.insert(encode(entry));
                true
            }
            MapEntry::Occupied(_) => false,
        }
    }

    /// Lays out the file: header, index, manifest, blobs and, with a `signing_key`, the
    /// signature.
    pub fn finish(self, signing_key: Option<&SigningKey>) -> Vec<u8> {
        let manifest = encode(&self.compat);
        let index_len = self.blobs.len() * INDEX_ROW_LEN;
        let signed_len = HEADER_LEN + index_len + manifest.len();
        let blobs_len: usize = self.blobs.values().map(Vec::len).sum();
        let header = Header {
            magic: MAGIC,
            format_version: U32::new(FORMAT_VERSION),
            flags: U32::ZERO,
            key_id: [0; 8],
            entry_count: U64::new(self.blobs.len() as u64),
            manifest_len: U64::new(manifest.len() as u64),
            blobs_len: U64::new(blobs_len as u64),
        };

        let mut file = Vec::with_capacity(signed_len + blobs_len + SIGNATURE_LEN);
        file.extend_from_slice(header.as_bytes());
        let mut blob_offset = signed_len;
        for (key, blob) in &self.blobs {
            let row = IndexRow {
                key: key.0,
                blob_offset: U64::new(blob_offset as u64),
                blob_len: U64::new(blob.len() as u64),
                blob_hash: *blake3::hash(blob).as_bytes(),
            };
            file.extend_from_slice(row.as_bytes());
            blob_offset += blob.len();
        }
        file.extend_from_slice(&manifest);
        for blob in self.blobs.values() {
            file.extend_from_slice(blob);
        }
        if let Some(key) = signing_key {
            append_signature(&mut file, header, signed_len, key);
        }
        file
    }
}

/// A temporary file of a writer that died this long ago is removed by the next writer.
const STALE_TEMP_AGE: Duration = Duration::from_secs(60 * 60);

/// A temporary file whose writer process does not exist is removed once unmodified for
/// this long: a writer in another PID namespace (or on another host) sharing the
/// directory may have the PID of no process here, but it finishes its file quickly.
const DEAD_WRITER_TEMP_AGE: Duration = Duration::from_secs(60);

/// Writes `bytes` to `dir/file_name` so that no reader ever sees a partial file: writes a
/// new temporary file `.FILE_NAME.PID.NONCE.tmp` in `dir` (mode 0644 less the umask:
/// readers refuse cache files that group or others may write), fsyncs it, renames it
/// over `file_name`, fsyncs `dir`. Concurrent writers each rename a complete file; the
/// last rename wins. Returns the path.
///
/// First removes the temporary files that killed writers of `file_name` left behind:
/// those whose writer PID is not a running process and that have not been modified for
/// a minute, and any not modified for an hour.
///
/// Refuses `bytes` longer than [`MAX_CACHE_FILE_LEN`], which no reader would accept.
pub fn write_atomic(dir: &Path, file_name: &str, bytes: &[u8]) -> Result<PathBuf> {
    if Path::new(file_name).file_name() != Some(file_name.as_ref()) {
        return Err(Error::InvalidFileName(file_name.to_owned()));
    }
    if bytes.len() as u64 > MAX_CACHE_FILE_LEN {
        return Err(Error::TooLarge(bytes.len() as u64));
    }
    remove_stale_temp_files(dir, file_name);
    let mut nonce = [0; 8];
    getrandom::fill(&mut nonce).map_err(Error::Randomness)?;
    let temp_path = dir.join(format!(".{file_name}.{}.{}.tmp", std::process::id(), to_hex(&nonce)));
    let path = dir.join(file_name);

    let result = (|| {
        let mut temp = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .open(&temp_path)
            .map_err(Error::io(&temp_path))?;
        temp.write_all(bytes)
            .and_then(|()| temp.sync_all())
            .map_err(Error::io(&temp_path))?;
        fs::rename(&temp_path, &path).map_err(Error::io(&path))
    })();
    if result.is_err() {
        // The temporary file is ours and useless now; the first error is the one to report.
        let _ = fs::remove_file(&temp_path);
    }
    result?;
    File::open(dir)
        .and_then(|dir| dir.sync_all())
        .map_err(Error::io(dir))?;
    Ok(path)
}

/// Removes the temporary files of [`write_atomic`] for `file_name` in `dir` whose writer
/// is gone (see there). Best effort: a file that cannot be examined or removed stays.
fn remove_stale_temp_files(dir: &Path, file_name: &str) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let prefix = format!(".{file_name}.");
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(writer) = name.to_str().and_then(|name| temp_file_writer(name, &prefix)) else {
            continue;
        };
        let Ok(meta) = entry.metadata() else { continue };
        let age = meta
            .modified()
            .ok()
            .and_then(|modified| SystemTime::now().duration_since(modified).ok())
            .unwrap_or_default();
        let writer_gone = writer.is_some_and(|pid| !process_exists(pid));
        if meta.is_file() && (age >= STALE_TEMP_AGE || (writer_gone && age >= DEAD_WRITER_TEMP_AGE)) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// For the name of a temporary file of [`write_atomic`] (`PREFIX` `PID.NONCE.tmp`, or
/// `NONCE.tmp` from writers that did not record their PID), `Some(its writer's PID)`;
/// `None` for any other name.
fn temp_file_writer(name: &str, prefix: &str) -> Option<Option<i32>> {
    let middle = name.strip_prefix(prefix)?.strip_suffix(".tmp")?;
    let (pid, nonce) = match middle.split_once('.') {
        Some((pid, nonce)) => (Some(pid.parse::<i32>().ok().filter(|pid| *pid > 0)?), nonce),
        None => (None, middle),
    };
    (nonce.len() == 16 && nonce.bytes().all(|b| b.is_ascii_hexdigit())).then_some(pid)
}

/// Whether a process with this PID exists (signal 0 reaches it, or it exists but
/// belongs to another user).
fn process_exists(pid: i32) -> bool {
    // SAFETY: kill with signal 0 sends nothing; it only checks that the process exists.
    #[allow(unsafe_code)]
    let result = unsafe { libc::kill(pid, 0) };
    result == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}
