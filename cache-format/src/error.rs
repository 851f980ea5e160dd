//! The one error type of this crate.

use std::path::PathBuf;

use crate::{CompatField, Key, KeyId};

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong reading, checking, writing or signing a cache.
///
/// `Display` gives one line that names the problem; a loader can log it as its warning.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file system operation failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory operated on.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The cache path is a symbolic link, which is never followed.
    #[error("{}: is a symbolic link; refusing to follow it", .0.display())]
    Symlink(PathBuf),
    /// The cache path is a directory, device, FIFO or socket.
    #[error("{}: not a regular file", .0.display())]
    NotRegularFile(PathBuf),
    /// A file name given to [`write_atomic`](crate::write_atomic) is not a single path component.
    #[error("invalid cache file name {0:?}: must be a single path component")]
    InvalidFileName(String),
    /// The file does not start with the cache magic number.
    #[error("not a pyjit cache file (bad magic number)")]
    BadMagic,
    /// The file has another format version than the one this build reads.
    #[error("unsupported cache format version {found}; this build reads version {supported}")]
    UnsupportedVersion {
        /// Version in the file.
        found: u32,
        /// [`FORMAT_VERSION`](crate::FORMAT_VERSION).
        supported: u32,
    },
    /// The file is longer than any cache file may be.
    #[error("cache file is {0} bytes, more than the {max} bytes (1 GiB) a cache file may have", max = crate::MAX_CACHE_FILE_LEN)]
    TooLarge(u64),
    /// The file violates the structure the spec requires (sizes, order, offsets, encoding).
    #[error("malformed cache: {0}")]
    Malformed(String),
    /// The cache was built for another pyjit, CPython, target or codegen configuration.
    #[error("cache was built for {field} {cache}, but the host has {host}")]
    Incompatible {
        /// Which field differs.
        field: CompatField,
        /// Value in the cache.
        cache: String,
        /// Value on the host.
        host: String,
    },
    /// The cache's code needs CPU features the host does not have.
    #[error("cache needs CPU features the host lacks: {}", .missing.join(", "))]
    MissingCpuFeatures {
        /// The missing features, sorted.
        missing: Vec<String>,
    },
    /// The cache carries no signature.
    #[error("cache is not signed")]
    Unsigned,
    /// The cache is signed by a key that is not in the trusted list.
    #[error("cache is signed by key {0}, which is not trusted")]
    UntrustedKey(KeyId),
    /// The signature does not verify against the trusted key with its key id.
    #[error("cache signature by key {0} does not verify")]
    BadSignature(KeyId),
    /// An entry's bytes do not match the blake3 hash recorded in the index.
    #[error("entry {0}: content does not match its hash in the index")]
    BlobHashMismatch(Key),
    /// An entry's bytes match their hash but do not decode as an [`Entry`](crate::Entry).
    #[error("entry {key}: cannot decode: {reason}")]
    BadEntry {
        /// The entry's key.
        key: Key,
        /// What the decoder reported.
        reason: String,
    },
    /// A string is not a valid [`Key`]: 64 hex digits are expected.
    #[error("invalid cache key {0:?}: expected 64 hex digits")]
    InvalidKey(String),
    /// A key file does not hold a key in the documented text format.
    #[error("{}: {reason}", path.display())]
    BadKeyFile {
        /// The key file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A secret key file can be read or written by users other than its owner.
    #[error("{}: secret key file has mode {mode:o}, accessible by group or others; run chmod 600", path.display())]
    InsecureKeyFile {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// A key file that someone other than this user (or root) could have written to.
    #[error("{}: refusing the key file: {reason}", path.display())]
    UnsafeKeyFile {
        /// The key file.
        path: PathBuf,
        /// Why it is refused.
        reason: String,
    },
    /// A cache file that someone other than this user could have written to.
    #[error("{}: refusing the cache file: {reason}", path.display())]
    UnsafeFile {
        /// The file.
        path: PathBuf,
        /// Why it is refused.
        reason: String,
    },
    /// A cache directory that someone other than this user could have written to.
    #[error("{}: refusing the cache directory: {reason}", path.display())]
    UnsafeDirectory {
        /// The directory.
        path: PathBuf,
        /// Why it is refused.
        reason: String,
    },
    /// Neither `XDG_CACHE_HOME` nor `HOME` is set, so there is no per-user pyjit directory.
    #[error("no per-user cache directory: neither XDG_CACHE_HOME nor HOME is set")]
    NoUserDirectory,
    /// No key is configured and the per-user public key does not exist.
    #[error("no trusted keys: set PYJIT_TRUSTED_KEYS, or sign with the per-user key ({} is missing)", .0.display())]
    NoTrustedKeys(PathBuf),
    /// The operating system's random number generator failed.
    #[error("cannot read OS randomness: {0}")]
    Randomness(getrandom::Error),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}
