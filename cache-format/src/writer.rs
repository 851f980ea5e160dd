//! Building a cache file and putting it on disk.

use std::collections::btree_map::{BTreeMap, Entry as MapEntry};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

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

/// Writes `bytes` to `dir/file_name` so that no reader ever sees a partial file: writes a
/// new temporary file in `dir` (mode 0644 less the umask: readers refuse cache files that
/// group or others may write), fsyncs it, renames it over `file_name`, fsyncs `dir`.
/// Concurrent writers each rename a complete file; the last rename wins. Returns the path.
///
/// Refuses `bytes` longer than [`MAX_CACHE_FILE_LEN`], which no reader would accept.
pub fn write_atomic(dir: &Path, file_name: &str, bytes: &[u8]) -> Result<PathBuf> {
    if Path::new(file_name).file_name() != Some(file_name.as_ref()) {
        return Err(Error::InvalidFileName(file_name.to_owned()));
    }
    if bytes.len() as u64 > MAX_CACHE_FILE_LEN {
        return Err(Error::TooLarge(bytes.len() as u64));
    }
    let mut nonce = [0; 8];
    getrandom::fill(&mut nonce).map_err(Error::Randomness)?;
    let temp_path = dir.join(format!(".{file_name}.{}.tmp", to_hex(&nonce)));
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
