//! Where trust comes from: the checks on a cache directory before anything in it is read,
//! and the per-user key pyjit signs and trusts when no key is configured.

use std::fs;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use crate::open::writable_by_others;
use crate::signing::{generate_signing_key, load_signing_key, load_verifying_key, public_key_path, write_key_pair};
use crate::{CacheDir, Error, Result, SigningKey, VerifyingKey};

/// The name of the cache file inside a cache directory (`PYJIT_CACHE`, `pyjit precompile
/// --out`).
pub const CACHE_FILE_NAME: &str = "code.pyjitcache";

/// Opens a cache directory and refuses it if someone other than this user could have
/// written to it: a symbolic link (the path itself after removing trailing `/` and `/.`
/// components, not its parents), anything but a directory, a directory owned by another
/// user, or one that its group or others may write. The checks are made on the opened
/// directory (`fstat`), and files are then opened relative to it
/// ([`CacheReader::open_in`](crate::CacheReader::open_in)).
pub fn check_cache_dir(dir: &Path) -> Result<CacheDir> {
    let (opened, meta) = CacheDir::open(dir)?;
    match writable_by_others(&meta) {
        Some(reason) => Err(Error::UnsafeDirectory { path: dir.to_owned(), reason }),
        None => Ok(opened),
    }
}

/// The per-user pyjit directory: `$XDG_CACHE_HOME/pyjit`, or `~/.cache/pyjit`.
pub fn user_dir() -> Result<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|home| PathBuf::from(home).join(".cache")))
        .ok_or(Error::NoUserDirectory)?;
    Ok(base.join("pyjit"))
}

/// The secret key file of the per-user key.
pub fn user_key_path() -> Result<PathBuf> {
    Ok(user_dir()?.join("local.key"))
}

/// The per-user signing key, created (directory mode 0700, key 0600) on first use.
pub fn user_signing_key() -> Result<SigningKey> {
    let dir = user_dir()?;
    fs::DirBuilder::new().recursive(true).mode(0o700).create(&dir).map_err(Error::io(&dir))?;
    check_cache_dir(&dir)?;
    let path = user_key_path()?;
    if !path.exists() {
        match write_key_pair(&path, &generate_signing_key()?) {
            Ok(_) => {}
            // Another process created it first: use theirs.
            Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(error) => return Err(error),
        }
    }
    load_signing_key(&path)
}

/// The public keys in `files`, or, when `files` is empty, the per-user key's public key
/// (which must exist: a reader never creates a key).
pub fn trusted_keys(files: &[PathBuf]) -> Result<Vec<VerifyingKey>> {
    if files.is_empty() {
        let user_key = public_key_path(&user_key_path()?);
        if !user_key.exists() {
            return Err(Error::NoTrustedKeys(user_key));
        }
        return Ok(vec![load_verifying_key(&user_key)?]);
    }
    files.iter().map(|file| load_verifying_key(file)).collect()
}
