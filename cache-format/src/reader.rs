//! Reading a cache file: structure, compatibility, signature and entries.

use std::ops::Range;
use std::path::Path;
use std::sync::Mutex;

use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use serde::Deserialize;
use zerocopy::{FromBytes, IntoBytes};

use crate::entry::{decode_exact, EntryRef};
use crate::layout::{Header, IndexRow, Sections, FLAG_SIGNED, FORMAT_VERSION, HEADER_LEN, MAGIC};
use crate::signing::{append_signature, signed_message};
use crate::{CacheDir, CacheFile, CompatInfo, Entry, Error, Key, KeyId, Result};

/// A parsed cache file.
///
/// Parsing copies the signed prefix (header, index and manifest, typically a small part
/// of the file) into private memory; everything the reader trusts after [`verify`] comes
/// from that copy, so changes to the file after parsing cannot slip past the signature.
/// Blobs stay in `file` until [`read_entry`] copies one out and hashes the copy.
///
/// [`verify`]: CacheReader::verify
/// [`read_entry`]: CacheReader::read_entry
pub struct CacheReader<F> {
    file: F,
    header: Header,
    sections: Sections,
    /// The index, then the manifest: the signed prefix after the header, as read.
    prefix: Vec<u8>,
    /// Bytes of `prefix` that are the index (a whole number of rows, checked).
    index_len: usize,
    /// The first 8 bytes of each index row's key, big-endian, in index order: searches
    /// run over this dense copy (8 bytes a row instead of a whole row), so a lookup
    /// touches a few cache lines instead of a few pages.
    key_heads: Vec<u64>,
    compat: CompatInfo,
    signed_prefix_hash: blake3::Hash,
    signature: Option<Signature>,
    /// The memory [`read_entry_with`](Self::read_entry_with) copies blobs into, kept
    /// from one entry to the next: a new buffer for each came from fresh pages (the
    /// allocator gives freed memory back) and took as long to fault in as the copy.
    blob_buffer: Mutex<Vec<u8>>,
}

/// The largest blob buffer a reader keeps between entries.
const KEPT_BLOB_BUFFER: usize = 1 << 20;

/// Where a reader's blobs come from: bytes in memory ([`CacheReader::parse`]) or an
/// open cache file read on demand ([`CacheReader::open`]).
pub trait Source {
    /// Copies `range` of the file into private memory, `into` (whose contents are replaced).
    fn read_range_into(&self, range: Range<usize>, into: &mut Vec<u8>) -> Result<()>;

    /// Copies `range` of the file into new private memory.
    fn read_range(&self, range: Range<usize>) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        self.read_range_into(range, &mut bytes)?;
        Ok(bytes)
    }
}

impl<T: AsRef<[u8]>> Source for T {
    fn read_range_into(&self, range: Range<usize>, into: &mut Vec<u8>) -> Result<()> {
        let bytes = self.as_ref().get(range).ok_or_else(|| Error::Malformed("a blob lies outside the file".to_owned()))?;
        into.clear();
        into.extend_from_slice(bytes);
        Ok(())
    }
}

impl Source for CacheFile {
    fn read_range_into(&self, range: Range<usize>, into: &mut Vec<u8>) -> Result<()> {
        self.read_into(range, into)
    }
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

impl CacheReader<CacheFile> {
    /// Opens and parses the cache file at `path`; see [`CacheReader::open_in`].
    pub fn open(path: &Path) -> Result<Self> {
        Self::from_file(CacheFile::open(None, path)?)
    }

    /// Opens and parses the cache file `name` in the checked directory `dir`.
    ///
    /// Refuses a symbolic link (`O_NOFOLLOW`), anything but a regular file (opened with
    /// `O_NONBLOCK`, so a FIFO or device cannot block the caller), a file owned by another
    /// user or writable by group or others, and a file longer than
    /// [`MAX_CACHE_FILE_LEN`](crate::MAX_CACHE_FILE_LEN). The header is checked against
    /// the file's length before anything else is read; then the signed prefix and the
    /// signature are read into private memory. Blobs are read (`pread`) when an entry is
    /// used; nothing is mapped, so a file truncated while in use gives an error, never
    /// SIGBUS.
    pub fn open_in(dir: &CacheDir, name: &str) -> Result<Self> {
        Self::from_file(CacheFile::open(Some(dir), Path::new(name))?)
    }

    fn from_file(file: CacheFile) -> Result<Self> {
        let len = file.len() as usize;
        let (header, sections) = check_header(&file.read_range(0..len.min(HEADER_LEN))?, len)?;
        let prefix = file.read_range(HEADER_LEN..sections.manifest_end)?;
        let signature = file.read_range(sections.blobs_end..sections.file_len)?;
        Self::from_parts(file, header, sections, prefix, &signature)
    }
}

impl<F: AsRef<[u8]>> CacheReader<F> {
    /// Parses a whole cache file in memory: magic, format version, section sizes against the file
    /// length, index order and blob placement, manifest encoding. Does not check
    /// compatibility, the signature or blob hashes.
    pub fn parse(file: F) -> Result<Self> {
        let bytes = file.as_ref();
        let (header, sections) = check_header(bytes, bytes.len())?;
        // All section bounds lie within `bytes` from here on.
        let prefix = bytes[HEADER_LEN..sections.manifest_end].to_vec();
        let signature = bytes[sections.blobs_end..].to_vec();
        Self::from_parts(file, header, sections, prefix, &signature)
    }
}

impl<F: Source> CacheReader<F> {
    /// The rest of parsing, on private copies: `prefix` is the index and manifest
    /// (kept, and read in place from then on), `signature` the bytes after the blobs.
    fn from_parts(file: F, header: Header, sections: Sections, prefix: Vec<u8>, signature: &[u8]) -> Result<Self> {
        let index_len = sections.index_end - HEADER_LEN;
        let (index, manifest) = prefix.split_at(index_len);
        let index = <[IndexRow]>::ref_from_bytes(index)
            .map_err(|_| Error::Malformed("index is not a whole number of rows".to_owned()))?;
        check_index(index, &sections)?;
        let compat = decode_exact(manifest)
            .map_err(|reason| Error::Malformed(format!("manifest: {reason}")))?;
        let signature = (header.flags.get() & FLAG_SIGNED != 0).then(|| {
            let mut bytes = [0; 64];
            bytes.copy_from_slice(signature);
            Signature::from_bytes(&bytes)
        });
        let signed_prefix_hash = blake3::Hasher::new().update(header.as_bytes()).update(&prefix).finalize();
        let key_heads = index.iter().map(|row| key_head(&row.key)).collect();
        Ok(CacheReader {
            file,
            header,
            sections,
            prefix,
            index_len,
            key_heads,
            compat,
            signed_prefix_hash,
            signature,
            blob_buffer: Mutex::new(Vec::new()),
        })
    }

    /// The index rows, read in place from the signed prefix.
    fn index(&self) -> &[IndexRow] {
        <[IndexRow]>::ref_from_bytes(&self.prefix[..self.index_len]).expect("a whole number of rows, checked when parsed")
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
        self.index().len()
    }

    /// Whether the cache has no entries.
    pub fn is_empty(&self) -> bool {
        self.index().is_empty()
    }

    /// The index rows in key order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = IndexEntry> + '_ {
        self.index().iter().map(IndexEntry::from)
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
        self.read_blob(key)?.map(|(row, blob)| check_blob(row, &blob)).transpose()
    }

    /// What [`read_entry`](Self::read_entry) checks, given to `use_entry` read in place
    /// from the blob ([`EntryRef`]).
    pub fn read_entry_with<R>(&self, key: &Key, use_entry: impl FnOnce(EntryRef<'_>) -> R) -> Result<Option<R>> {
        let Some(row) = self.find(key) else {
            return Ok(None);
        };
        // The kept buffer, unless another read holds it (a caller reading entries from
        // several threads, or from `use_entry`): that one gets a new buffer.
        let mut kept = self.blob_buffer.try_lock().ok();
        let mut own = Vec::new();
        let blob = kept.as_deref_mut().unwrap_or(&mut own);
        self.file.read_range_into(blob_range(row), blob)?;
        let used = check_blob(row, blob).map(|entry| Some(use_entry(entry)));
        if blob.capacity() > KEPT_BLOB_BUFFER {
            *blob = Vec::new();
        }
        used
    }

    /// The index row of `key` and a private copy of its blob, if there is such an entry.
    fn read_blob(&self, key: &Key) -> Result<Option<(&IndexRow, Vec<u8>)>> {
        let Some(row) = self.find(key) else {
            return Ok(None);
        };
        Ok(Some((row, self.file.read_range(blob_range(row))?)))
    }

    /// The file signed with `key` (any signature it has replaced), after checking that
    /// every entry matches its hash and decodes, so that a signature never vouches for a
    /// damaged file. The blobs are read once, and the bytes checked are the bytes signed.
    pub fn signed(&self, key: &SigningKey) -> Result<Vec<u8>> {
        let sections = self.sections;
        let blobs = self.file.read_range(sections.manifest_end..sections.blobs_end)?;
        for row in self.index() {
            let range = blob_range(row);
            check_blob::<Entry>(row, &blobs[range.start - sections.manifest_end..range.end - sections.manifest_end])?;
        }
        let mut signed = Vec::with_capacity(sections.file_len.max(sections.blobs_end + 64));
        signed.extend_from_slice(self.header.as_bytes());
        signed.extend_from_slice(&self.prefix);
        signed.extend_from_slice(&blobs);
        append_signature(&mut signed, self.header, sections.manifest_end, key);
        Ok(signed)
    }

    /// Whether some entry's key starts with `prefix` (a producer may put a cheap digest
    /// first in its keys, and skip computing the whole key when no entry has it).
    pub fn has_key_prefix(&self, prefix: &[u8]) -> bool {
        if prefix.len() > HEAD_BYTES {
            let first_not_below = self.index().partition_point(|row| &row.key[..prefix.len().min(32)] < prefix);
            return self.index().get(first_not_below).is_some_and(|row| row.key.starts_with(prefix));
        }
        // The heads keep the index's order under any mask of their leading bytes.
        let mask = (!0u64).checked_shl(8 * (HEAD_BYTES - prefix.len()) as u32).unwrap_or(0);
        let wanted = key_head(prefix);
        let first_not_below = self.key_heads.partition_point(|&head| head & mask < wanted);
        self.key_heads.get(first_not_below).is_some_and(|&head| head & mask == wanted)
    }

    fn find(&self, key: &Key) -> Option<&IndexRow> {
        let head = key_head(&key.0);
        let start = self.key_heads.partition_point(|&h| h < head);
        let end = start + self.key_heads[start..].partition_point(|&h| h == head);
        let rows = &self.index()[start..end];
        let position = rows.binary_search_by(|row| row.key.cmp(&key.0)).ok()?;
        Some(&rows[position])
    }
}

/// How many leading key bytes `key_head` keeps.
const HEAD_BYTES: usize = 8;

/// The first `HEAD_BYTES` of `bytes` (zero-padded) as a big-endian number, so that heads
/// compare as the bytes do.
fn key_head(bytes: &[u8]) -> u64 {
    let mut head = [0; HEAD_BYTES];
    let len = bytes.len().min(HEAD_BYTES);
    head[..len].copy_from_slice(&bytes[..len]);
    u64::from_be_bytes(head)
}

/// The header of a file of `file_len` bytes starting with `bytes`: magic, format
/// version, flags, and section sizes adding up to `file_len`. Reads nothing past the
/// header, so a file's length is checked before any of it is copied.
fn check_header(bytes: &[u8], file_len: usize) -> Result<(Header, Sections)> {
    let Ok((header, _)) = Header::read_from_prefix(bytes) else {
        return Err(if bytes.starts_with(&MAGIC) {
            Error::Malformed(format!("file is {file_len} bytes, shorter than the header"))
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
    if flags & FLAG_SIGNED == 0 && header.key_id != [0; 8] {
        return Err(Error::Malformed("unsigned file has a key id".to_owned()));
    }
    let sections = Sections::of(&header)?;
    if file_len != sections.file_len {
        return Err(Error::Malformed(format!(
            "file is {file_len} bytes, its header describes {}",
            sections.file_len
        )));
    }
    Ok((header, sections))
}

/// Checks a copy of `row`'s blob against its hash and decodes it (as an [`Entry`] or
/// an [`EntryRef`]).
fn check_blob<'a, T: Deserialize<'a>>(row: &IndexRow, blob: &'a [u8]) -> Result<T> {
    let key = Key(row.key);
    if blake3::hash(blob) != row.blob_hash {
        return Err(Error::BlobHashMismatch(key));
    }
    decode_exact(blob).map_err(|reason| Error::BadEntry { key, reason })
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
