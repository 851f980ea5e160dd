//! Signatures over the index, key ids, and key files (`SPEC.md`, "Signature", "Key files").

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use zerocopy::IntoBytes;

use crate::key::{from_hex, to_hex};
use crate::layout::{Header, FLAG_SIGNED, HEADER_LEN};
use crate::open::{open_regular, writable_by_others_than, Owners, Symlinks};
use crate::{CacheReader, Error, Result};

/// Prefix of the signed message, separating it from anything else a key might sign.
const SIGNATURE_CONTEXT: &[u8] = b"pyjit cache-format v1 index\0";

/// First word of a secret key file.
const SECRET_KEY_TAG: &str = "pyjit-cache-secret-key";

/// First word of a public key file.
const PUBLIC_KEY_TAG: &str = "pyjit-cache-public-key";

/// Identifies a signing key: the first 8 bytes of blake3 of its 32-byte public key.
///
/// A signed cache records the id of the key that signed it, so a loader picks the right
/// trusted key and `pyjit cache info` can say who signed.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct KeyId(pub [u8; 8]);

impl KeyId {
    /// The id of `key`.
    pub fn of(key: &VerifyingKey) -> KeyId {
        let hash = blake3::hash(key.as_bytes());
        let mut id = [0; 8];
        id.copy_from_slice(&hash.as_bytes()[..8]);
        KeyId(id)
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&to_hex(&self.0))
    }
}

/// The message an ed25519 signature covers: a fixed context string, then the blake3
/// hash of the signed prefix (header, index and manifest).
pub(crate) fn signed_message(signed_prefix_hash: &blake3::Hash) -> Vec<u8> {
    [SIGNATURE_CONTEXT, signed_prefix_hash.as_bytes()].concat()
}

/// Signs `file`, the bytes of a cache up to the end of its blobs, and appends the
/// signature. `header` is that cache's header; it is rewritten with the signed flag and
/// the key id before the prefix of length `signed_len` is hashed.
pub(crate) fn append_signature(
    file: &mut Vec<u8>,
    mut header: Header,
    signed_len: usize,
    key: &SigningKey,
) {
    header.flags.set(FLAG_SIGNED);
    header.key_id = KeyId::of(&key.verifying_key()).0;
    file[..HEADER_LEN].copy_from_slice(header.as_bytes());
    let message = signed_message(&blake3::hash(&file[..signed_len]));
    file.extend_from_slice(&key.sign(&message).to_bytes());
}

/// Signs a cache with `key`, replacing any signature it has.
///
/// The cache must parse and every entry must match its hash and decode, so that a
/// signature never vouches for a damaged file. Output is deterministic: signing the
/// output of [`CacheWriter::finish(None)`](crate::CacheWriter::finish) gives the same
/// bytes as `finish(Some(key))`.
pub fn sign(cache: &[u8], key: &SigningKey) -> Result<Vec<u8>> {
    CacheReader::parse(cache)?.signed(key)
}

/// A new signing key from the operating system's random number generator.
pub fn generate_signing_key() -> Result<SigningKey> {
    let mut secret = [0; 32];
    getrandom::fill(&mut secret).map_err(Error::Randomness)?;
    Ok(SigningKey::from_bytes(&secret))
}

/// Where the public key of the secret key file `secret_path` lives: `secret_path`
/// with `.pub` appended (`ci.key` → `ci.key.pub`).
pub fn public_key_path(secret_path: &Path) -> PathBuf {
    let mut path = secret_path.as_os_str().to_owned();
    path.push(".pub");
    PathBuf::from(path)
}

/// Writes `key` to `secret_path` (mode 0600) and its public key to
/// [`public_key_path(secret_path)`](public_key_path) (mode 0644, less the umask), and
/// returns the public key's path. Neither file may exist already.
pub fn write_key_pair(secret_path: &Path, key: &SigningKey) -> Result<PathBuf> {
    let public_path = public_key_path(secret_path);
    let create = |path: &Path, mode: u32| {
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(path)
            .map_err(Error::io(path))
    };
    let mut secret_file = create(secret_path, 0o600)?;
    let mut public_file = match create(&public_path, 0o644) {
        Ok(file) => file,
        Err(error) => {
            // Leave nothing half-made behind; the first error is the one to report.
            let _ = fs::remove_file(secret_path);
            return Err(error);
        }
    };
    let write = |file: &mut File, path: &Path, tag: &str, key_bytes: &[u8; 32]| {
        file.write_all(format!("{tag} {}\n", to_hex(key_bytes)).as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(Error::io(path))
    };
    write(
        &mut secret_file,
        secret_path,
        SECRET_KEY_TAG,
        key.as_bytes(),
    )?;
    write(
        &mut public_file,
        &public_path,
        PUBLIC_KEY_TAG,
        key.verifying_key().as_bytes(),
    )?;
    Ok(public_path)
}

/// Reads a secret key file written by [`write_key_pair`]. Refuses anything but a regular
/// file (without blocking on a FIFO or device), and a file that its owner's group or
/// others may read or write.
pub fn load_signing_key(path: &Path) -> Result<SigningKey> {
    let (file, meta) = open_key_file(path)?;
    let mode = meta.permissions().mode();
    if mode & 0o077 != 0 {
        return Err(Error::InsecureKeyFile {
            path: path.to_owned(),
            mode: mode & 0o7777,
        });
    }
    let secret = read_key_file(file, path, SECRET_KEY_TAG)?;
    Ok(SigningKey::from_bytes(&secret))
}

/// Reads a public key file written by [`write_key_pair`]. Refuses anything but a regular
/// file (without blocking on a FIFO or device), and one that someone else could have
/// replaced (see [`open_key_file`]): whoever can write a trusted key can run code in
/// every process that trusts it.
pub fn load_verifying_key(path: &Path) -> Result<VerifyingKey> {
    let (file, _) = open_key_file(path)?;
    let public = read_key_file(file, path, PUBLIC_KEY_TAG)?;
    VerifyingKey::from_bytes(&public).map_err(|_| Error::BadKeyFile {
        path: path.to_owned(),
        reason: "not a valid ed25519 public key".to_owned(),
    })
}

/// Opens a key file, following a symbolic link (the user names key files, and mounted
/// secrets are usually links), and refuses it unless this user or root owns the file and
/// neither its group nor others may write to it (checked with `fstat` on the opened file).
fn open_key_file(path: &Path) -> Result<(File, std::fs::Metadata)> {
    let (file, meta) = open_regular(None, path, Symlinks::Follow)?;
    match writable_by_others_than(&meta, Owners::ThisUserOrRoot) {
        Some(reason) => Err(Error::UnsafeKeyFile { path: path.to_owned(), reason }),
        None => Ok((file, meta)),
    }
}

/// Reads `TAG HEX64\n`: one line, the tag, one space, 64 hex digits.
fn read_key_file(file: File, path: &Path, tag: &str) -> Result<[u8; 32]> {
    let bad = |reason: String| Error::BadKeyFile {
        path: path.to_owned(),
        reason,
    };
    let mut text = String::new();
    file.take(256)
        .read_to_string(&mut text)
        .map_err(|error| bad(format!("not a key file: {error}")))?;
    let line = text.strip_suffix('\n').unwrap_or(&text);
    line.strip_prefix(tag)
        .and_then(|rest| rest.strip_prefix(' '))
        .and_then(from_hex)
        .ok_or_else(|| bad(format!("expected one line \"{tag} <64 hex digits>\"")))
}
