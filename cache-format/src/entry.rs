//! What the cache stores per code object.

use serde::{Deserialize, Serialize};

/// The compiled form of one code object, stored as one postcard-encoded blob.
///
/// The loader copies the blob out of the file, checks its hash, decodes it, checks
/// `imports` against its allow-list, fills the slot table described by `slots`,
/// checks `guards`, then links `object`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct Entry {
    /// `co_qualname` of the code object, for listings and messages.
    pub qualname: String,
    /// `co_filename` of the code object, for listings and messages.
    pub filename: String,
    /// `co_firstlineno` of the code object, for listings and messages.
    pub firstlineno: u32,
    /// Name of the function in `object` that runs the code object.
    pub entry_symbol: String,
    /// A relocatable object file (ELF, as produced by cranelift-object). Decoded as one
    /// byte string (the same wire bytes as a sequence of u8, without a call per byte).
    #[serde(with = "serde_bytes")]
    pub object: Vec<u8>,
    /// Names of the symbols `object` imports; the loader resolves each one.
    pub imports: Vec<String>,
    /// The slot table the generated code reads, in slot order.
    pub slots: Vec<SlotSpec>,
    /// Conditions that must hold when the code is attached to a function.
    pub guards: Vec<Guard>,
    /// Opaque profile data for a later tier; this crate never looks inside.
    #[serde(with = "serde_bytes")]
    pub profile: Option<Vec<u8>>,
}

/// An [`Entry`] read in place from its blob (the same encoding): strings and byte
/// strings borrow from the blob, so reading one allocates nothing per import and does
/// not copy the object. What attaching an entry reads.
#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct EntryRef<'a> {
    /// See [`Entry::qualname`].
    pub qualname: &'a str,
    /// See [`Entry::filename`].
    pub filename: &'a str,
    /// See [`Entry::firstlineno`].
    pub firstlineno: u32,
    /// See [`Entry::entry_symbol`].
    pub entry_symbol: &'a str,
    /// See [`Entry::object`].
    pub object: &'a [u8],
    /// See [`Entry::imports`].
    #[serde(borrow)]
    pub imports: Vec<&'a str>,
    /// See [`Entry::slots`].
    pub slots: Vec<SlotSpec>,
    /// See [`Entry::guards`].
    pub guards: Vec<Guard>,
    /// See [`Entry::profile`].
    pub profile: Option<&'a [u8]>,
}

/// How the loader fills one slot of an entry's slot table.
///
/// Generated code never embeds process addresses; it reads them from this table.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum SlotSpec {
    /// `co_consts[index]` of the code object.
    Const(u32),
    /// `co_names[index]` of the code object.
    Name(u32),
    /// An object reached by importing a module and walking attributes, e.g. a type.
    Object(ObjectPath),
}

/// A condition checked when an entry is attached; if it fails the entry is not used.
///
/// New kinds are added as new variants, which changes the format version.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum Guard {
    /// Looking up global `name` (module globals, then builtins) gives exactly `object`.
    GlobalIs {
        /// The global name as written in the code.
        name: String,
        /// The object it must resolve to.
        object: ObjectPath,
    },
}

/// An object named by module and qualified name, e.g. `builtins` and `int`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ObjectPath {
    /// Module to import, e.g. `builtins` or `collections.abc`.
    pub module: String,
    /// Dotted attribute path inside the module, e.g. `OrderedDict.fromkeys`.
    pub qualname: String,
}

/// Decodes a postcard value that must span all of `bytes`.
pub(crate) fn decode_exact<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, String> {
    let (value, rest) = postcard::take_from_bytes(bytes).map_err(|error| error.to_string())?;
    if rest.is_empty() {
        Ok(value)
    } else {
        Err(format!("{} bytes after the end of the value", rest.len()))
    }
}

/// Encodes a value with postcard.
pub(crate) fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // postcard fails only on sequences of unknown length and on values whose Serialize
    // impl reports an error; the derived impls of this crate's types do neither.
    postcard::to_allocvec(value).expect("postcard encoding of a cache type cannot fail")
}
