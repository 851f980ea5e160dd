//! Entry keys: 32-byte blake3 hashes, shown as hex.

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// The key of one cache entry: a 32-byte blake3 hash that the caller computes over
/// everything that determines the entry's code (see `SPEC.md`, "Keys").
///
/// Keys order as their bytes do; the index on disk is sorted in this order.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Key(pub [u8; 32]);

impl Key {
    /// Hashes `parts` with blake3 into a key. Each part is preceded by its length as a
    /// little-endian u64, so different splits of the same bytes give different keys.
    pub fn derive(parts: &[&[u8]]) -> Key {
        let mut hasher = blake3::Hasher::new();
        for part in parts {
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        Key(*hasher.finalize().as_bytes())
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&to_hex(&self.0))
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key({self})")
    }
}

impl FromStr for Key {
    type Err = Error;

    /// Parses 64 hex digits, either case.
    fn from_str(text: &str) -> Result<Key, Error> {
        from_hex(text)
            .map(Key)
            .ok_or_else(|| Error::InvalidKey(text.to_owned()))
    }
}

/// Lower-case hex of `bytes`.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Exactly `2 * N` hex digits, either case, to `N` bytes.
pub(crate) fn from_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let digits = text.as_bytes();
    if digits.len() != 2 * N {
        return None;
    }
    let nibble = |digit: u8| char::from(digit).to_digit(16).map(|value| value as u8);
    let mut bytes = [0; N];
    for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
        *byte = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(bytes)
}
