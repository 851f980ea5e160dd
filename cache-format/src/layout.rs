//! The fixed-layout parts of the file: header and index rows (`SPEC.md`, "Layout").
//!
//! All multi-byte integers are little-endian and every type here has alignment 1, so
//! zerocopy views over any byte slice succeed whenever the length is right.

use zerocopy::byteorder::little_endian::{U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use crate::{Error, Result};

/// The format version this build writes and reads (`SPEC.md`, "Versioning").
pub const FORMAT_VERSION: u32 = 1;

/// First eight bytes of every cache file.
pub(crate) const MAGIC: [u8; 8] = *b"PYJITCC\0";

/// Bit of [`Header::flags`]: a signature follows the blobs.
pub(crate) const FLAG_SIGNED: u32 = 1;

/// Length of the ed25519 signature at the end of a signed file.
pub(crate) const SIGNATURE_LEN: usize = 64;

/// The file header, at offset 0.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy)]
#[repr(C)]
pub(crate) struct Header {
    pub magic: [u8; 8],
    pub format_version: U32,
    pub flags: U32,
    /// [`KeyId`](crate::KeyId) of the signing key; zero in an unsigned file.
    pub key_id: [u8; 8],
    pub entry_count: U64,
    pub manifest_len: U64,
    pub blobs_len: U64,
}

pub(crate) const HEADER_LEN: usize = size_of::<Header>();
const _: () = assert!(HEADER_LEN == 48);

/// One row of the index, which directly follows the header, sorted by key.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy)]
#[repr(C)]
pub(crate) struct IndexRow {
    pub key: [u8; 32],
    /// Offset of the entry's blob from the start of the file.
    pub blob_offset: U64,
    pub blob_len: U64,
    /// blake3 of the blob.
    pub blob_hash: [u8; 32],
}

pub(crate) const INDEX_ROW_LEN: usize = size_of::<IndexRow>();
const _: () = assert!(INDEX_ROW_LEN == 80);

/// Where the sections of a file end, as implied by its header.
#[derive(Clone, Copy)]
pub(crate) struct Sections {
    /// End of the index = start of the manifest.
    pub index_end: usize,
    /// End of the manifest = start of the blobs = length of the signed prefix.
    pub manifest_end: usize,
    /// End of the blobs = length of the file without its signature.
    pub blobs_end: usize,
    /// Length of the whole file.
    pub file_len: usize,
}

impl Sections {
    pub(crate) fn of(header: &Header) -> Result<Sections> {
        let too_big = || Error::Malformed("section sizes in the header overflow".to_owned());
        let to_usize = |value: u64| usize::try_from(value).map_err(|_| too_big());
        let entry_count = to_usize(header.entry_count.get())?;
        let index_end = entry_count
            .checked_mul(INDEX_ROW_LEN)
            .and_then(|index_len| index_len.checked_add(HEADER_LEN))
            .ok_or_else(too_big)?;
        let manifest_end = index_end
            .checked_add(to_usize(header.manifest_len.get())?)
            .ok_or_else(too_big)?;
        let blobs_end = manifest_end
            .checked_add(to_usize(header.blobs_len.get())?)
            .ok_or_else(too_big)?;
        let signature_len = if header.flags.get() & FLAG_SIGNED != 0 {
            SIGNATURE_LEN
        } else {
            0
        };
        let file_len = blobs_end.checked_add(signature_len).ok_or_else(too_big)?;
        Ok(Sections {
            index_end,
            manifest_end,
            blobs_end,
            file_len,
        })
    }
}
