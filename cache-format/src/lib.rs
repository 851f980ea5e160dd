//! The on-disk format of pyjit's native-code cache: file layout, entry keys and signing.
//!
//! This crate has no CPython dependency. It knows nothing about code objects or Cranelift;
//! the caller computes [`Key`]s, fills [`Entry`]s and describes the build with
//! [`CompatInfo`]. The byte-level layout is specified in `SPEC.md` next to this crate's
//! `Cargo.toml`, versioned by [`FORMAT_VERSION`].
//!
//! Writing: [`CacheWriter`] collects entries and produces the file bytes, optionally signed;
//! [`write_atomic`] puts them on disk so that readers never see a partial file.
//!
//! Reading: a loader must run the checks in this order, and treat any error as a cache miss:
//!
//! 1. [`check_cache_dir`] then [`CacheReader::open_in`] (or [`CacheReader::open`],
//!    [`CacheReader::parse`]): directory and file, magic, format version, structure;
//! 2. [`CacheReader::check_compat`]: pyjit and CPython versions, target, flags, CPU features;
//! 3. [`CacheReader::verify`]: ed25519 signature by a trusted key over the index;
//! 4. [`CacheReader::read_entry`]: copies one entry out of the file, checks its blake3 hash,
//!    decodes it.
//!
//! ```
//! use pyjit_cache_format::*;
//! # use std::collections::BTreeSet;
//! let compat = CompatInfo {
//!     pyjit_version: "0.1.0".into(),
//!     cpython_hexversion: 0x030b_04f0,
//!     cpython_magic: 3495,
//!     target_triple: "x86_64-unknown-linux-gnu".into(),
//!     codegen_flags: [7; 32],
//!     cpu_features: BTreeSet::from(["has_sse41".to_string()]),
//! };
//! let key = Key::derive(&[b"canonical code object bytes"]);
//! let entry = Entry { qualname: "f".into(), entry_symbol: "pyjit_f".into(), ..Entry::default() };
//! let signing_key = SigningKey::from_bytes(&[1; 32]);
//!
//! let mut writer = CacheWriter::new(compat.clone());
//! writer.add(key, &entry);
//! let bytes = writer.finish(Some(&signing_key));
//!
//! let reader = CacheReader::parse(&bytes[..])?;
//! reader.check_compat(&compat)?;
//! reader.verify(&[signing_key.verifying_key()])?;
//! assert_eq!(reader.read_entry(&key)?, Some(entry));
//! # Ok::<(), Error>(())
//! ```
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod compat;
mod entry;
mod error;
mod key;
mod layout;
mod open;
mod reader;
mod signing;
mod trust;
mod writer;

pub use compat::{CompatField, CompatInfo};
pub use ed25519_dalek::{SigningKey, VerifyingKey};
pub use entry::{Entry, EntryRef, Guard, ObjectPath, SlotSpec};
pub use error::{Error, Result};
pub use key::Key;
pub use layout::FORMAT_VERSION;
pub use open::{CacheDir, CacheFile, MAX_CACHE_FILE_LEN};
pub use reader::{CacheReader, IndexEntry, Source};
pub use signing::{
    generate_signing_key, load_signing_key, load_verifying_key, public_key_path, sign,
    write_key_pair, KeyId,
};
pub use trust::{check_cache_dir, CACHE_FILE_NAME, trusted_keys, user_dir, user_key_path, user_signing_key};
pub use writer::{write_atomic, CacheWriter};
