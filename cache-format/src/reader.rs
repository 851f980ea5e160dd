//! Reading a cache file: structure, compatibility, signature and entries.

use std::fs::{File, OpenOptions};
use std::ops::Range;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use ed25519_dalek::{Signature, VerifyingKey};
use memmap2::Mmap;
use zerocopy::{FromBytes, IntoBytes};

use crate::entry::decode_exact;
use crate::layout::{Header, IndexRow, Sections, FLAG_SIGNED, FORMAT_VERSION, HEADER_LEN, MAGIC};
use crate::signing::signed_message;
use crate::{CompatInfo, Entry, Error, Key, KeyId, Result};

/// A parsed cache file.
///
/// Parsing copies the signed prefix (header, index and manifest, typically a small part
/// of the file) into private memory; everything the reader trusts after [`verify`] comes
/// from that copy, so changes to a mapped file after parsing cannot slip past the
/// signature. Blobs stay in `file` until [`read_entry`] copies one out and hashes the copy.
///
/// [`verify`]: CacheReader::verify
/// [`read_entry`]: CacheReader::read_entry
pub struct CacheReader<F> {
    file: F,
    header: Header,
    sections: Sections,
    index: Vec<IndexRow>,
    compat: CompatInfo,
    signed_prefix_hash: blake3::Hash,
    signature: Option<Signature>,
}

/// One row of the index: where an entry's blob is and what it hashes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexEntry {
    /// The entry's key.
    pub key: Key,
    /// Offset of the blob from the start of the file.
    pub blob_offset: u64,
    /// Length of the blob in bytes.
    pub blob_len: u64,
    /// blake3 hash of the blob.
    pub blob_hash: [u8; 32],
}

impl From<&IndexRow> for IndexEntry {
    fn from(row: &IndexRow) -> IndexEntry {
        IndexEntry {
            key: Key(row.key),
            blob_offset: row.blob_offset.get(),
            blob_len: row.blob_len.get(),
            blob_hash: row.blob_hash,
        }
    }
}

impl CacheReader<Mmap> {
    /// Opens and parses the cache file at `path`, mapping it read-only.
    ///
    /// Refuses a symbolic link (`O_NOFOLLOW`) and anything but a regular file.
    pub fn open(path: &Path) -> Result<Self> {
        let file = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)
            .map_err(|error| match error.raw_os_error() {
                Some(libc::ELOOP) => Error::Symlink(path.to_owned()),
                _ => Error::Io {
                    path: path.to_owned(),
                    source: error,
                },
            })?;
        if !file.metadata().map_err(Error::io(path))?.is_file() {
            return Err(Error::NotRegularFile(path.to_owned()));
        }
        Self::parse(map_read_only(&file).map_err(Error::io(path))?)
    }
}

/// Maps `file` read-only (never executable).
#[allow(unsafe_code)]
fn map_read_only(file: &File) -> std::io::Result<Mmap> {
    // SAFETY: unavoidable for a mapping. `Mmap::map` is unsafe because another process
    // may change or truncate the file while it is mapped. A change is tolerated: the
    // reader copies what it verifies out of the mapping (the signed prefix at parse, a
    // blob before hashing it) and never relies on two reads of the mapping agreeing.
    // Truncation makes later reads of the lost pages raise SIGBUS; pyjit's writers
    // replace cache files by rename and never truncate them, and a loader must refuse
    // cache directories that others can write (SPEC.md, "Loading").
    unsafe { Mmap::map(file) }
}

impl<F: AsRef<[u8]>> CacheReader<F> {
    /// Parses a whole cache file: magic, format version, section sizes against the file
    /// length, index order and blob placement, manifest encoding. Does not check
    /// compatibility, the signature or blob hashes.
    pub fn parse(file: F) -> Result<Self> {
        let bytes = file.as_ref();
        let Ok((header, _)) = Header::read_from_prefix(bytes) else {
            return Err(if bytes.starts_with(&MAGIC) {
                Error::Malformed(format!(
                    "file is {} bytes, shorter than the header",
                    bytes.len()
                ))
            } else {
                Error::BadMagic
            });
        };
        if header.magic != MAGIC {
            return Err(Error::BadMagic);
        }
        let version = header.format_version.get();
        if version != FORMAT_VERSION {
            return Err(Error::UnsupportedVersion {
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        let flags = header.flags.get();
        if flags & !FLAG_SIGNED != 0 {
            return Err(Error::Malformed(format!("unknown flags {flags:#x}")));
        }
        let signed = flags & FLAG_SIGNED != 0;
        if !signed && header.key_id != [0; 8] {
            return Err(Error::Malformed("unsigned file has a key id".to_owned()));
        }
        let sections = Sections::of(&header)?;
        if bytes.len() != sections.file_len {
            return Err(Error::Malformed(format!(
                "file is {} bytes, its header describes {}",
                bytes.len(),
                sections.file_len
            )));
        }
        // All section bounds lie within `bytes` from here on.
        let index = <[IndexRow]>::ref_from_bytes(&bytes[HEADER_LEN..sections.index_end])
            .map_err(|_| Error::Malformed("index is not a whole number of rows".to_owned()))?
            .to_vec();
        check_index(&index, &sections)?;
        let manifest = bytes[sections.index_end..sections.manifest_end].to_vec();
        let compat = decode_exact(&manifest)
            .map_err(|reason| Error::Malformed(format!("manifest: {reason}")))?;
        let signature = signed.then(|| {
            let mut signature = [0; 64];
            signature.copy_from_slice(&bytes[sections.blobs_end..]);
            Signature::from_bytes(&signature)
        });
        let signed_prefix_hash = blake3::Hasher::new()
            .update(header.as_bytes())
            .update(index.as_bytes())
            .update(&manifest)
            .finalize();
        Ok(CacheReader {
            file,
            header,
            sections,
            index,
            compat,
            signed_prefix_hash,
            signature,
        })
    }

    /// What the cache was built for.
    pub fn compat(&self) -> &CompatInfo {
        &self.compat
    }

    /// Checks that the cache can run on `host`; see [`CompatInfo::check_host`].
    pub fn check_compat(&self, host: &CompatInfo) -> Result<()> {
        self.compat.check_host(host)
    }

    /// The id of the key the cache claims to be signed by, or `None` if unsigned. Only
    /// [`verify`](Self::verify) establishes that the claim is true.
    pub fn signer(&self) -> Option<KeyId> {
        self.signature
            .is_some()
            .then_some(KeyId(self.header.key_id))
    }

    /// Checks the signature over the header, index and manifest against the `trusted`
    /// keys whose [`KeyId`] matches the file's, with `verify_strict`. Returns the id of
    /// the signing key.
    pub fn verify(&self, trusted: &[VerifyingKey]) -> Result<KeyId> {
        let signature = self.signature.as_ref().ok_or(Error::Unsigned)?;
        let key_id = KeyId(self.header.key_id);
        let message = signed_message(&self.signed_prefix_hash);
        let mut candidates = trusted
            .iter()
            .filter(|key| KeyId::of(key) == key_id)
            .peekable();
        if candidates.peek().is_none() {
            return Err(Error::UntrustedKey(key_id));
        }
        if candidates.any(|key| key.verify_strict(&message, signature).is_ok()) {
            Ok(key_id)
        } else {
            Err(Error::BadSignature(key_id))
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether the cache has no entries.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The index rows in key order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = IndexEntry> + '_ {
        self.index.iter().map(IndexEntry::from)
    }

    /// Finds `key` in the index by binary search, without touching its blob.
    pub fn lookup(&self, key: &Key) -> Option<IndexEntry> {
        self.find(key).map(IndexEntry::from)
    }

    /// Copies the blob of `key` out of the file into private memory, checks the copy
    /// against the blake3 hash in the index and decodes it. `Ok(None)` if there is no
    /// such entry.
    ///
    /// The hash ties the entry to the index; only after [`verify`](Self::verify) does it
    /// tie the entry to a trusted signer.
    pub fn read_entry(&self, key: &Key) -> Result<Option<Entry>> {
        let Some(row) = self.find(key) else {
            return Ok(None);
        };
        let blob = self
            .file
            .as_ref()
            .get(blob_range(row))
            .ok_or_else(|| Error::Malformed(format!("entry {key}: blob lies outside the file")))?
            .to_vec();
        if blake3::hash(&blob) != row.blob_hash {
            return Err(Error::BlobHashMismatch(*key));
        }
        decode_exact(&blob)
            .map(Some)
            .map_err(|reason| Error::BadEntry { key: *key, reason })
    }

    fn find(&self, key: &Key) -> Option<&IndexRow> {
        let position = self
            .index
            .binary_search_by(|row| row.key.cmp(&key.0))
            .ok()?;
        Some(&self.index[position])
    }

    pub(crate) fn header(&self) -> Header {
        self.header
    }

    pub(crate) fn sections(&self) -> Sections {
        self.sections
    }
}

/// Keys strictly ascending; blobs back to back in index order, filling the blob section.
fn check_index(index: &[IndexRow], sections: &Sections) -> Result<()> {
    if let Some(position) = index.windows(2).position(|pair| pair[0].key >= pair[1].key) {
        return Err(Error::Malformed(format!(
            "index keys not strictly ascending at row {}",
            position + 1
        )));
    }
    let mut expected_offset = sections.manifest_end as u64;
    for (position, row) in index.iter().enumerate() {
        if row.blob_offset.get() != expected_offset {
            return Err(Error::Malformed(format!(
                "row {position}: blob at offset {}, expected {expected_offset}",
                row.blob_offset.get()
            )));
        }
        expected_offset = expected_offset
            .checked_add(row.blob_len.get())
            .ok_or_else(|| Error::Malformed(format!("row {position}: blob length overflows")))?;
    }
    if expected_offset != sections.blobs_end as u64 {
        return Err(Error::Malformed(format!(
            "blobs end at {expected_offset}, the header says {}",
            sections.blobs_end
        )));
    }
    Ok(())
}

/// The byte range of a row's blob. `check_index` has placed it inside the file, so
/// the conversions cannot truncate.
fn blob_range(row: &IndexRow) -> Range<usize> {
    let start = row.blob_offset.get() as usize;
    start..start + row.blob_len.get() as usize
}
