//! Filling the inline caches compiled code keeps in its data block
//! (`bytecode::data_slots`): the slow path of a cached site calls one of
//! these, which does the generic operation and, when the result may be
//! reused, records in the site's entry what the generated fast path checks.
//!
//! CPython 3.11 has no dict or type watchers, so every hit re-validates:
//! a dict's `ma_version_tag` changes, to a value unique in the process, on
//! every change to the dict; a type's `tp_version_tag` changes whenever the
//! type or a class in its MRO changes. An entry is filled only when the
//! version it records pins down the cached answer; a zeroed (never filled)
//! entry matches nothing.
//!
//! Attribute and method sites are polymorphic (`bytecode::CACHE_WAYS`
//! entries): generated code checks the first `bytecode::INLINE_WAYS` (all
//! of them), the slow path all but the first before it looks anything up
//! (a matching entry whose other conditions failed), and a new answer
//! becomes the first entry, moving the others down one place.

use super::names;
use crate::bytecode::{CACHE_WAYS, DATA_ENTRY_WORDS};
use crate::abi::{self, ffi as abi_ffi, read_field, Frame, ThreadState};
use crate::stats;
use pyo3::ffi::{self, PyObject};
use std::sync::atomic::AtomicU64;

/// How a LOAD_GLOBAL site's entry pins its answer, chosen per site when it
/// is compiled. Sites the interpreter specialised (LOAD_GLOBAL_MODULE,
/// LOAD_GLOBAL_BUILTIN) found their dicts' keys with versions, which
/// CPython assigns (unique, and reset whenever a key is added or removed,
/// but not when a value changes): their entries record keys versions and
/// the name's position, as the interpreter's do, so storing to a global
/// does not invalidate them. Others record the dicts' `ma_version_tag`s and
/// the value, which any change to either dict invalidates.
pub const GLOBAL_VERSIONS: isize = 0;
pub const GLOBAL_MODULE: isize = 1;
pub const GLOBAL_BUILTIN: isize = 2;

/// The tag above a keys version in an entry, so that a zeroed entry never
/// matches keys without a version (0), and a keys entry never matches the
/// checks of a dict-versions one nor the other way round: a
/// `ma_version_tag` counts dict changes below 2**63 (CPython's) or from
/// 3 * 2**62 on (`DICT_VERSIONS`).
pub const KEYS_VERSION_TAG: u64 = 1 << 63;

/// Word offsets of a LOAD_GLOBAL entry.
pub mod global {
    /// `ma_version_tag` of the globals when filled.
    pub const GLOBALS_VERSION: usize = 0;
    /// `ma_version_tag` of the builtins when filled.
    pub const BUILTINS_VERSION: usize = 1;
    /// The value found (borrowed: the dict holding it is unchanged while
    /// its version is).
    pub const VALUE: usize = 2;
    /// The builtins object itself: compared before its version is read, as
    /// a frame's builtins need not be a dict.
    pub const BUILTINS: usize = 3;
    /// `GLOBAL_BUILTIN` entries: the globals' keys version (tagged with
    /// `KEYS_VERSION_TAG`), the builtins' keys version (the globals lack
    /// the name), and the name's position in the builtins' entries;
    /// `BUILTINS` as above. `GLOBAL_MODULE` entries: the name's position in
    /// the globals' entries only.
    pub const GLOBALS_KEYS: usize = 0;
    pub const BUILTINS_KEYS: usize = 1;
    pub const INDEX: usize = 2;
}

/// A dict's version tag.
///
/// SAFETY: `dict` is a live dict (or dict subclass) object.
unsafe fn dict_version(dict: *mut PyObject) -> u64 {
    // SAFETY: see above; the offset is probed.
    unsafe { read_field(dict.cast(), abi::DICT_VERSION_TAG) }
}

/// LOAD_GLOBAL's slow path: the generic lookup, then, when globals and
/// builtins are exact dicts, the entry of the site's `kind` (`GLOBAL_*`):
/// for `GLOBAL_VERSIONS`, if the lookup left both dicts unchanged; for the
/// keys kinds, if the name was found (by identity, so its position is
/// exact) in the dict the kind names, for `GLOBAL_BUILTIN` if both dicts'
/// keys have versions, else a `GLOBAL_VERSIONS` entry, which its sites
/// check second: CPython takes a keys version away when a key is added (a
/// module that assigns a new global after the site was specialised) and
/// gives one back only when the interpreter specialises an instruction
/// again. `GLOBAL_MODULE` sites need no version (`names::global_by_position`).
pub unsafe extern "C" fn load_global(
    tstate: *mut ThreadState,
    frame: *mut Frame,
    name: *mut PyObject,
    entry: *mut u64,
    kind: isize,
) -> *mut PyObject {
    // SAFETY: the frame is live; `entry` is this site's entry in the data block.
    unsafe {
        let (globals, builtins) = ((*frame).globals(), (*frame).builtins());
        let cacheable = ffi::PyDict_CheckExact(globals) != 0 && ffi::PyDict_CheckExact(builtins) != 0;
        // A key's `__eq__` can run during the lookup and change the dicts.
        let versions = || (dict_version(globals), dict_version(builtins));
        let before = cacheable.then(versions);
        let value = names::load_global(tstate, frame, name);
        let by_versions = || {
            before
                .filter(|&b| versions() == b)
                .map(|(globals_version, builtins_version)| [globals_version, builtins_version, value as u64, builtins as u64])
        };
        let words = match kind {
            _ if value.is_null() || !cacheable => None,
            GLOBAL_VERSIONS => by_versions(),
            _ => global_keys_entry(globals, builtins, name, value, kind)
                .or_else(|| if kind == GLOBAL_BUILTIN { by_versions() } else { None }),
        };
        if let Some(words) = words {
            std::ptr::copy_nonoverlapping(words.as_ptr(), entry, DATA_ENTRY_WORDS);
        }
        value
    }
}

/// The entry of a `GLOBAL_MODULE` or `GLOBAL_BUILTIN` site that found
/// `value` under `name` (see `load_global`).
///
/// SAFETY: `globals` and `builtins` are live exact dicts; `name` is a str.
unsafe fn global_keys_entry(
    globals: *mut PyObject,
    builtins: *mut PyObject,
    name: *mut PyObject,
    value: *mut PyObject,
    kind: isize,
) -> Option<[u64; DATA_ENTRY_WORDS]> {
    // SAFETY: see above.
    unsafe {
        let (holder, globals_keys, builtins_keys) = if kind == GLOBAL_MODULE {
            if !str_keys_combined(globals) {
                return None;
            }
            (globals, 0, 0)
        } else {
            // The lookup that found a builtin shows the globals lack the
            // name, but a key's `__eq__` could have run since: look again.
            let shadowing = ffi::PyDict_GetItemWithError(globals, name);
            if !shadowing.is_null() || !ffi::PyErr_Occurred().is_null() {
                ffi::PyErr_Clear();
                return None;
            }
            (builtins, keys_version_key(globals)?, keys_version_key(builtins)?)
        };
        let index = entry_position(holder, name, value)?;
        Some([globals_keys, builtins_keys, index as u64, builtins as u64])
    }
}

/// `dict`'s keys version, tagged with `KEYS_VERSION_TAG`, if its keys have
/// one and are of a kind whose entries generated code reads (str keys, values
/// in the entries).
///
/// SAFETY: `dict` is a live dict.
unsafe fn keys_version_key(dict: *mut PyObject) -> Option<u64> {
    // SAFETY: see above; fields at probed offsets.
    unsafe {
        let keys: *const u8 = read_field(dict.cast(), abi::DICT_KEYS);
        let version: u32 = read_field(keys, abi::KEYS_VERSION);
        (version != 0 && str_keys_combined(dict)).then_some(KEYS_VERSION_TAG | u64::from(version))
    }
}

/// Whether `dict` keeps its values in its entries (a combined table) and
/// its keys are all str (entries of the layout generated code reads).
///
/// SAFETY: `dict` is a live dict.
unsafe fn str_keys_combined(dict: *mut PyObject) -> bool {
    // SAFETY: see above; fields at probed offsets.
    unsafe {
        let keys: *const u8 = read_field(dict.cast(), abi::DICT_KEYS);
        let combined = read_field::<*mut u8>(dict.cast(), abi::DICT_VALUES).is_null();
        combined && usize::from(*keys.add(abi::KEYS_KIND)) != abi::KEYS_KIND_GENERAL
    }
}

/// Word offsets of a LOAD_ATTR, STORE_ATTR or LOAD_METHOD entry.
pub mod attr {
    /// `type_key` of the owner's type when filled, or for a class
    /// attribute `class_key` of the owner.
    pub const TYPE_KEY: usize = 0;
    /// LOAD_METHOD: what the owner must lack for the type's method to be
    /// the answer (`METHOD_NO_DICT` or `METHOD_WITH_VALUES`).
    pub const KIND: usize = 1;
    /// An instance value's index in the values array, a slot's byte
    /// offset, a module dict's version tag, or the method or class
    /// attribute (borrowed: the type, unchanged while its version is, holds
    /// it).
    pub const WHERE: usize = 2;
    /// A module attribute's value (borrowed: the unchanged module dict
    /// holds it), or for `METHOD_WITH_VALUES` the number of entries of the
    /// type's shared keys: they only grow, so while the number is the
    /// same they still lack the name and no instance can shadow the method.
    pub const EXTRA: usize = 3;
}

/// The kind of LOAD_ATTR a site's fast path serves (its slow path fills
/// the entry only for that kind).
pub const ATTR_INSTANCE_VALUE: isize = 1;
pub const ATTR_SLOT: isize = 2;
pub const ATTR_MODULE: isize = 3;
pub const ATTR_DICT_HINT: isize = 4;
/// A site the interpreter could not specialise: an attribute of a class
/// (whose metaclass is `type`) found in its MRO, or an instance value.
pub const ATTR_UNSPECIALIZED: isize = 5;

/// `attr::KIND` values of a LOAD_METHOD entry.
pub const METHOD_WITH_VALUES: u64 = 1;
pub const METHOD_NO_DICT: u64 = 2;
/// The owner is the class the entry was filled for: the answer is
/// [NULL, attribute], as LOAD_METHOD_CLASS pushes.
pub const METHOD_CLASS: u64 = 3;
/// The owner is a module whose dict has the version in `attr::WHERE`: the
/// answer is [NULL, the attribute in `attr::EXTRA`], as LOAD_METHOD_MODULE.
pub const METHOD_MODULE: u64 = 4;
/// The owner keeps a dict of its own (a combined, str-keyed table): the
/// method applies when the dict lacks the name, which generated code finds
/// by probing the dict's index table (`LOAD_METHOD_WITH_DICT` sites).
pub const METHOD_WITH_DICT: u64 = 5;

/// The tag above a version tag in a type key (an instance's type) and in a
/// class key (the owner itself is the class): version tags are unique among
/// types, the tags keep an entry filled for instances of `type` apart from
/// one filled for the class `type`.
pub const TYPE_KEY_TAG: u64 = 1 << 32;
pub const CLASS_KEY_TAG: u64 = 2 << 32;
/// The key of a `METHOD_MODULE` entry: any module (exactly
/// `types.ModuleType`), told apart by its dict's version.
pub const MODULE_KEY: u64 = 3 << 32;
/// The tag of a dict-hint entry at an instance-value site (`load_attr`):
/// generated code, which compares type keys, never matches it.
const DICT_HINT_KEY_TAG: u64 = 4 << 32;
/// The tag of a type-attribute entry at an instance-value site
/// (`type_attribute`), read by the slow path only, as a dict hint is.
const TYPE_ATTR_KEY_TAG: u64 = 5 << 32;

/// What an entry records of a type: its version tag with bit 32 set, so
/// that a zeroed entry never matches, not even a type whose version was
/// invalidated (tag 0). None if the type has no valid version
/// (`_PyType_Lookup` assigns one when it can).
///
/// SAFETY: `tp` is a live type.
unsafe fn type_key(tp: *mut ffi::PyTypeObject) -> Option<u64> {
    // SAFETY: see above.
    unsafe { has_flag(tp, abi::TPFLAGS_VALID_VERSION_TAG).then(|| current_key(tp)) }
}

/// Whether `tp` has a flag of `Py_TPFLAGS_*`.
///
/// SAFETY: `tp` is a live type.
unsafe fn has_flag(tp: *mut ffi::PyTypeObject, flag: usize) -> bool {
    // SAFETY: see above.
    unsafe { read_field::<std::ffi::c_ulong>(tp.cast(), abi::TYPE_FLAGS) & flag as std::ffi::c_ulong != 0 }
}

/// Whether attribute lookup on `tp` is the generic one (no
/// `__getattribute__` or `__getattr__` in Python).
///
/// SAFETY: `tp` is a live type.
unsafe fn generic_getattr(tp: *mut ffi::PyTypeObject) -> bool {
    // SAFETY: see above.
    unsafe { read_field::<usize>(tp.cast(), abi::TYPE_GETATTRO) == ffi::PyObject_GenericGetAttr as *const () as usize }
}

/// Whether attribute assignment on `tp` is the generic one (no
/// `__setattr__` in Python).
///
/// SAFETY: `tp` is a live type.
unsafe fn generic_setattr(tp: *mut ffi::PyTypeObject) -> bool {
    // SAFETY: see above.
    unsafe { read_field::<usize>(tp.cast(), abi::TYPE_SETATTRO) == ffi::PyObject_GenericSetAttr as *const () as usize }
}

/// Whether `descr` (from the type's MRO, may be NULL) takes precedence over
/// an instance's own attributes, or may come to: a data descriptor, or an
/// object of a class without `Py_TPFLAGS_IMMUTABLETYPE`, which can gain
/// `__get__` and `__set__` while the owner's version stays the same
/// (CPython's specializer refuses such attributes too: `MUTABLE`).
///
/// SAFETY: `descr` is NULL or live.
unsafe fn may_take_precedence(descr: *mut PyObject) -> bool {
    // SAFETY: see above.
    unsafe {
        !descr.is_null() && {
            let descr_type = ffi::Py_TYPE(descr);
            read_field::<usize>(descr_type.cast(), abi::TYPE_DESCR_SET) != 0
                || !has_flag(descr_type, ffi::Py_TPFLAGS_IMMUTABLETYPE as usize)
        }
    }
}

/// The pointer stored `before` bytes ahead of `obj` (an instance of a
/// managed-dict type: its values or its dict).
///
/// SAFETY: `obj` is a live instance of a type with `Py_TPFLAGS_MANAGED_DICT`.
unsafe fn before_object(obj: *mut PyObject, before: usize) -> *mut PyObject {
    // SAFETY: see above; the pre-header offsets are probed.
    unsafe { *obj.cast::<u8>().sub(before).cast::<*mut PyObject>() }
}

/// The shared keys of the managed-dict type `tp` and their number of
/// entries, with the position of `name` among them if present.
///
/// SAFETY: `tp` is a live heap type with `Py_TPFLAGS_MANAGED_DICT`.
unsafe fn shared_keys(tp: *mut ffi::PyTypeObject, name: *mut PyObject) -> Option<(u64, Option<usize>)> {
    // SAFETY: see above; shared keys are split-kind keys of exact str
    // entries, laid out after their index table (offsets probed).
    unsafe {
        let keys: *const u8 = read_field(tp.cast(), abi::HEAPTYPE_CACHED_KEYS);
        if keys.is_null() || usize::from(*keys.add(abi::KEYS_KIND)) != abi::KEYS_KIND_SPLIT {
            return None;
        }
        let count: isize = read_field(keys, abi::KEYS_NENTRIES);
        let entries = entry_table(keys);
        // Names are nearly always interned, so the same object; a cached
        // hash that differs (-1 is not yet computed) rules a key out cheaply.
        let hash = |s: *mut PyObject| read_field::<ffi::Py_hash_t>(s.cast(), abi::UNICODE_HASH);
        let name_hash = hash(name);
        let position = (0..count as usize).find(|&i| {
            let key: *mut PyObject = read_field(entries, i * abi::UNICODE_ENTRY_SIZE + abi::UNICODE_ENTRY_KEY);
            key == name
                || (!key.is_null()
                    && (hash(key) == name_hash || hash(key) == -1 || name_hash == -1)
                    && ffi::PyUnicode_Compare(key, name) == 0)
        });
        Some((count as u64, position))
    }
}

/// The key and value at entry `index` of `dict`'s table, if `dict` is not
/// NULL, its keys are str-keyed (not general) and it has that many entries.
///
/// SAFETY: `dict` is NULL or a live dict.
pub(crate) unsafe fn dict_entry(dict: *mut PyObject, index: usize) -> Option<(*mut PyObject, *mut PyObject)> {
    // SAFETY: see above; the entries follow the index table (offsets probed).
    unsafe {
        if dict.is_null() {
            return None;
        }
        let keys: *const u8 = read_field(dict.cast(), abi::DICT_KEYS);
        let count: isize = read_field(keys, abi::KEYS_NENTRIES);
        if usize::from(*keys.add(abi::KEYS_KIND)) == abi::KEYS_KIND_GENERAL || index >= count as usize {
            return None;
        }
        let item = entry_table(keys).add(index * abi::UNICODE_ENTRY_SIZE);
        Some((read_field(item, abi::UNICODE_ENTRY_KEY), read_field(item, abi::UNICODE_ENTRY_VALUE)))
    }
}

/// The position of the entry of `dict` (a dict, not of general keys)
/// holding `value` under exactly the object `name`, if there is one.
///
/// SAFETY: `dict` is a live dict.
unsafe fn entry_position(dict: *mut PyObject, name: *mut PyObject, value: *mut PyObject) -> Option<usize> {
    // SAFETY: see above; `dict_entry` checks the kind and the bounds.
    unsafe {
        let keys: *const u8 = read_field(dict.cast(), abi::DICT_KEYS);
        let count: isize = read_field(keys, abi::KEYS_NENTRIES);
        (0..count as usize).find(|&i| dict_entry(dict, i) == Some((name, value)))
    }
}

/// The entries of the str-keyed (or split) dict keys `keys`, which follow
/// their index table.
///
/// SAFETY: `keys` is live dict keys that are not of the general kind.
unsafe fn entry_table(keys: *const u8) -> *const u8 {
    // SAFETY: see above; the offsets are probed.
    unsafe { keys.add(abi::KEYS_INDICES + (1 << *keys.add(abi::KEYS_LOG2_INDEX_BYTES))) }
}

/// The instance values of `owner` (NULL once its dict is materialised).
///
/// SAFETY: `owner` is a live instance of a type with `Py_TPFLAGS_MANAGED_DICT`.
unsafe fn instance_values(owner: *mut PyObject) -> *mut u8 {
    // SAFETY: see above.
    unsafe { before_object(owner, abi::VALUES_BEFORE_OBJECT).cast() }
}

/// The place of instance value `index` in `values`.
///
/// SAFETY: `values` is live instance values with more than `index` places.
unsafe fn value_place(values: *mut u8, index: usize) -> *mut *mut PyObject {
    // SAFETY: see above.
    unsafe { values.add(abi::DICT_VALUES_ITEMS + 8 * index).cast() }
}

/// The index at which `owner` (of type `tp`, whose MRO gives `descr()` for
/// `name`) holds `value` as the instance value `name`, where no data
/// descriptor takes precedence over it: what an instance-value entry records.
/// `descr` is called only for a managed-dict type, the only kind that can
/// have such an entry.
///
/// SAFETY: `owner` is live and `tp` its type; `descr` returns NULL or a live object.
unsafe fn instance_value_index(
    owner: *mut PyObject,
    tp: *mut ffi::PyTypeObject,
    name: *mut PyObject,
    descr: impl FnOnce() -> *mut PyObject,
    value: *mut PyObject,
) -> Option<u64> {
    // SAFETY: see above; the values are read only for a managed-dict type.
    unsafe {
        if !has_flag(tp, abi::TPFLAGS_MANAGED_DICT) || may_take_precedence(descr()) {
            return None;
        }
        let values = instance_values(owner);
        let (_, index) = shared_keys(tp, name)?;
        index.filter(|&i| !values.is_null() && *value_place(values, i) == value).map(|i| i as u64)
    }
}

/// The type key generated code compares with an entry's (`type_key`
/// without the validity check: an invalid version is 0, which no filled
/// entry holds).
///
/// SAFETY: `tp` is a live type.
unsafe fn current_key(tp: *mut ffi::PyTypeObject) -> u64 {
    // SAFETY: see above.
    unsafe { TYPE_KEY_TAG | u64::from(read_field::<u32>(tp.cast(), abi::TYPE_VERSION_TAG)) }
}

/// The key generated code compares with a class-attribute entry's, if
/// `owner` is a class whose metaclass is exactly `type` (an invalid
/// version gives a key no filled entry holds).
///
/// SAFETY: `owner` is live.
unsafe fn class_key(owner: *mut PyObject) -> Option<u64> {
    // SAFETY: see above; `owner` is read as a type only once it is one.
    unsafe {
        (ffi::Py_TYPE(owner) == std::ptr::addr_of_mut!(ffi::PyType_Type))
            .then(|| CLASS_KEY_TAG | u64::from(read_field::<u32>(owner.cast(), abi::TYPE_VERSION_TAG)))
    }
}

/// The class key to record for `value`, just found as `owner.name`, when
/// it is what that lookup gives for as long as the class's version stays:
/// `owner` is a class of metaclass `type` with a valid version, `type`
/// itself has nothing of that name (no metaclass descriptor takes over),
/// and `value` is the object in the MRO, either no descriptor or a function
/// (which a class returns as it is).
///
/// SAFETY: `owner` and `value` are live; `name` is a str.
unsafe fn class_attribute_key(owner: *mut PyObject, name: *mut PyObject, value: *mut PyObject) -> Option<u64> {
    // SAFETY: see above; `owner` is read as a type only once it is one.
    unsafe {
        let type_type = std::ptr::addr_of_mut!(ffi::PyType_Type);
        if ffi::Py_TYPE(owner) != type_type || !abi_ffi::_PyType_Lookup(type_type, name).is_null() {
            return None;
        }
        let cls = owner.cast::<ffi::PyTypeObject>();
        // Not a descriptor, and of a class that cannot become one.
        let value_type = ffi::Py_TYPE(value);
        let plain = has_flag(value_type, ffi::Py_TPFLAGS_IMMUTABLETYPE as usize)
            && (read_field::<usize>(value_type.cast(), abi::TYPE_DESCR_GET) == 0
                || value_type == std::ptr::addr_of_mut!(ffi::PyFunction_Type));
        (plain && abi_ffi::_PyType_Lookup(cls, name) == value)
            .then(|| type_key(cls).map(|key| (key & u64::from(u32::MAX)) | CLASS_KEY_TAG))
            .flatten()
    }
}

/// LOAD_ATTR's slow path for a class-attribute site (consumes `owner`).
///
/// SAFETY: as `load_attr`.
unsafe fn load_class_attr(owner: *mut PyObject, name: *mut PyObject, site: *mut u64) -> *mut PyObject {
    // SAFETY: see above; a filled class entry holds a value the class keeps
    // alive while its version is the entry's.
    unsafe {
        if let Some(entry) = class_key(owner).and_then(|key| other_way(site, key)) {
            let value = *entry.add(attr::WHERE) as *mut PyObject;
            ffi::Py_INCREF(value);
            ffi::Py_DECREF(owner);
            return value;
        }
        let value = ffi::PyObject_GetAttr(owner, name);
        if let Some(key) = (!value.is_null()).then(|| class_attribute_key(owner, name, value)).flatten() {
            fill_first(site, [key, 0, value as u64, 0]);
        }
        ffi::Py_DECREF(owner);
        value
    }
}

/// The entry of `site` after the first (which generated code checked)
/// filled for the type with `key`.
///
/// SAFETY: `site` is a polymorphic site's cache in a data block.
unsafe fn other_way(site: *mut u64, key: u64) -> Option<*mut u64> {
    // SAFETY: see above; the cache has `CACHE_WAYS` entries.
    unsafe {
        (1..CACHE_WAYS).map(|way| site.add(way * DATA_ENTRY_WORDS)).find(|&entry| *entry.add(attr::TYPE_KEY) == key)
    }
}

/// The entry of `site` filled for `key`, one generated code does not read.
///
/// SAFETY: `site` is a polymorphic site's cache in a data block.
unsafe fn any_way(site: *mut u64, key: u64) -> Option<*mut u64> {
    // SAFETY: see above; the cache has `CACHE_WAYS` entries.
    unsafe { (0..CACHE_WAYS).map(|way| site.add(way * DATA_ENTRY_WORDS)).find(|&entry| *entry.add(attr::TYPE_KEY) == key) }
}

/// Makes `words` the first entry of the polymorphic `site`, whose other
/// entries move down one place (the last is dropped).
///
/// SAFETY: `site` is a polymorphic site's cache in a data block.
unsafe fn fill_first(site: *mut u64, words: [u64; DATA_ENTRY_WORDS]) {
    // SAFETY: see above; the cache has `CACHE_WAYS` entries.
    unsafe {
        std::ptr::copy(site, site.add(DATA_ENTRY_WORDS), (CACHE_WAYS - 1) * DATA_ENTRY_WORDS);
        std::ptr::copy_nonoverlapping(words.as_ptr(), site, DATA_ENTRY_WORDS);
    }
}

/// An instance value, slot or module attribute of `owner` (borrowed) as
/// the site's `entry` of `kind`, filled for its type, records it; None if
/// the instance no longer has it there.
///
/// SAFETY: `owner` is live and its type is the one `entry` was filled for.
unsafe fn cached_attribute(owner: *mut PyObject, name: *mut PyObject, entry: *mut u64, kind: isize) -> Option<*mut PyObject> {
    // SAFETY: see above; the entry's kind says which layout the type has.
    unsafe {
        let place = *entry.add(attr::WHERE);
        let value: *mut PyObject = match kind {
            ATTR_INSTANCE_VALUE => {
                let values = instance_values(owner);
                if values.is_null() {
                    return None;
                }
                *value_place(values, place as usize)
            }
            ATTR_SLOT => read_field(owner.cast(), place as usize),
            ATTR_DICT_HINT => {
                let dict = before_object(owner, abi::MANAGED_DICT_BEFORE_OBJECT);
                match dict_entry(dict, place as usize) {
                    Some((key, value)) if key == name => value,
                    _ => return None,
                }
            }
            _ => {
                let dict: *mut PyObject = read_field(owner.cast(), abi::MODULE_DICT);
                if dict_version(dict) != place {
                    return None;
                }
                *entry.add(attr::EXTRA) as *mut PyObject
            }
        };
        (!value.is_null()).then_some(value)
    }
}

/// LOAD_ATTR's slow path (consumes `owner`): the generic lookup, then the
/// entry when the attribute is of the site's `kind` (`ATTR_*`):
/// - an instance value: generic lookup, no data descriptor of that name on
///   the type, the instance's values hold it at the index the type's shared
///   keys give;
/// - a slot (`__slots__` member of object type, not audited on read);
/// - a module attribute found in the module's dict, with nothing of that
///   name on the module type;
/// - an attribute in the instance's own (combined, str-keyed) dict, at the
///   position the entry records (LOAD_ATTR_WITH_HINT);
/// - at an unspecialised site, an attribute of a class (see
///   `class_attribute_key`), or an instance value as above;
/// - at an instance-value site, an attribute of the instance's type that
///   the instance cannot shadow (`type_attribute_entry`), in an entry
///   only this path reads.
pub unsafe extern "C" fn load_attr(owner: *mut PyObject, name: *mut PyObject, site: *mut u64, kind: isize) -> *mut PyObject {
    // SAFETY: owner is an owned reference released here, name a str;
    // `site` is this site's cache.
    unsafe {
        let kind = match kind {
            ATTR_UNSPECIALIZED if class_key(owner).is_some() => return load_class_attr(owner, name, site),
            ATTR_UNSPECIALIZED => ATTR_INSTANCE_VALUE,
            kind => kind,
        };
        let tp = ffi::Py_TYPE(owner);
        let cached = other_way(site, current_key(tp)).and_then(|entry| cached_attribute(owner, name, entry, kind)).or_else(|| {
            let hint = (kind == ATTR_INSTANCE_VALUE).then(|| any_way(site, tagged_key(tp, DICT_HINT_KEY_TAG))).flatten();
            hint.and_then(|entry| cached_attribute(owner, name, entry, ATTR_DICT_HINT))
        });
        if let Some(value) = cached {
            ffi::Py_INCREF(value);
            ffi::Py_DECREF(owner);
            return value;
        }
        let from_type = if kind == ATTR_INSTANCE_VALUE { any_way(site, tagged_key(tp, TYPE_ATTR_KEY_TAG)) } else { None };
        if let Some(entry) = from_type.filter(|&entry| method_applies(owner, tp, entry, name)) {
            stats::bump(&stats::TYPE_ATTRIBUTE_READS);
            let value = type_attribute(owner, tp, *entry.add(attr::WHERE) as *mut PyObject);
            ffi::Py_DECREF(owner);
            return value;
        }
        let value = ffi::PyObject_GetAttr(owner, name);
        if !value.is_null() {
            // Looked up only where an entry may follow: a site that keeps
            // missing (frame or code attributes, say) pays no more than the load.
            let descr = || abi_ffi::_PyType_Lookup(tp, name);
            let filled = match (kind, type_key(tp)) {
                (_, None) => None,
                // Instances that keep a dict of their own instead (their
                // attributes were set in another order than the type's
                // shared keys hold) get a dict-hint entry only the slow
                // path reads, so that they do not miss every time.
                (ATTR_INSTANCE_VALUE, Some(_)) if has_flag(tp, abi::TPFLAGS_MANAGED_DICT) && instance_values(owner).is_null() => {
                    dict_hint_position(owner, tp, name, value, descr).map(|i| [tagged_key(tp, DICT_HINT_KEY_TAG), 0, i, 0])
                }
                (ATTR_INSTANCE_VALUE, Some(key)) if generic_getattr(tp) => {
                    let descr = descr();
                    instance_value_index(owner, tp, name, || descr, value)
                        .map(|index| [key, 0, index, 0])
                        .or_else(|| type_attribute_entry(owner, tp, name, descr))
                }
                (ATTR_INSTANCE_VALUE, Some(_)) => None,
                (ATTR_SLOT, Some(key)) => generic_getattr(tp)
                    .then(|| object_slot(descr(), abi::MEMBER_FLAG_AUDIT_READ))
                    .flatten()
                    .map(|offset| [key, 0, offset, 0]),
                (ATTR_MODULE, Some(key)) => {
                    let dict: *mut PyObject = read_field(owner.cast(), abi::MODULE_DICT);
                    let module_type = std::ptr::addr_of_mut!(ffi::PyModule_Type);
                    if tp == module_type && ffi::PyDict_CheckExact(dict) != 0 && descr().is_null() {
                        let version = dict_version(dict);
                        let found = ffi::PyDict_GetItemWithError(dict, name);
                        (found == value && dict_version(dict) == version).then_some([key, 0, version, value as u64])
                    } else {
                        None
                    }
                }
                (ATTR_DICT_HINT, Some(key)) => dict_hint_position(owner, tp, name, value, descr).map(|i| [key, 0, i, 0]),
                _ => unreachable!("LOAD_ATTR cache kind out of range"),
            };
            if let Some(words) = filled {
                fill_first(site, words);
            }
        }
        ffi::Py_DECREF(owner);
        value
    }
}

/// The position of `name` (whose lookup on `owner` just gave `value`) in
/// the entries of `owner`'s own dict, when a LOAD_ATTR_WITH_HINT entry
/// holds it: the type's lookup is generic and keeps the dict before its
/// instances, the dict is a combined, str-keyed exact dict, and nothing of
/// that name on the type takes precedence.
///
/// SAFETY: `owner` is live, of type `tp`; `name` is a str.
unsafe fn dict_hint_position(
    owner: *mut PyObject,
    tp: *mut ffi::PyTypeObject,
    name: *mut PyObject,
    value: *mut PyObject,
    descr: impl FnOnce() -> *mut PyObject,
) -> Option<u64> {
    // SAFETY: see above; only a managed-dict type has the dict pointer before its instances.
    unsafe {
        let managed = generic_getattr(tp) && has_flag(tp, abi::TPFLAGS_MANAGED_DICT);
        let dict = if managed { before_object(owner, abi::MANAGED_DICT_BEFORE_OBJECT) } else { std::ptr::null_mut() };
        let combined = !dict.is_null()
            && ffi::PyDict_CheckExact(dict) != 0
            && read_field::<*mut u8>(dict.cast(), abi::DICT_VALUES).is_null();
        if combined && !may_take_precedence(descr()) {
            entry_position(dict, name, value).map(|i| i as u64)
        } else {
            None
        }
    }
}

/// The key, with `tag` in place of `TYPE_KEY_TAG`, of an entry for
/// instances of `tp` that only the slow path reads.
///
/// SAFETY: `tp` is a live type.
unsafe fn tagged_key(tp: *mut ffi::PyTypeObject, tag: u64) -> u64 {
    // SAFETY: see above.
    unsafe { (current_key(tp) & u64::from(u32::MAX)) | tag }
}

/// The type-attribute entry of an instance-value site for `owner`, of type
/// `tp` (generic lookup, valid version), whose attribute `name` is `descr`
/// from the type's MRO, when that lookup gives `type_attribute(descr)` for
/// as long as the type's version stays and `method_applies` to the entry:
/// `descr`'s type is immutable (so whether it is a data descriptor cannot
/// change), and it is a data descriptor with a getter, which takes
/// precedence over the instance (kind `METHOD_NO_DICT`: nothing to check
/// on the instance), or anything else where no instance of `tp` can shadow
/// it (kinds as for a LOAD_METHOD entry). 3.11's interpreter specialises
/// none of these: class constants, methods and properties read through an
/// instance, getters of builtin types.
///
/// SAFETY: `owner` is live and `tp` its type; `descr` is NULL or live; `name` is a str.
unsafe fn type_attribute_entry(
    owner: *mut PyObject,
    tp: *mut ffi::PyTypeObject,
    name: *mut PyObject,
    descr: *mut PyObject,
) -> Option<[u64; DATA_ENTRY_WORDS]> {
    // SAFETY: see above; the type key was valid when the caller looked.
    unsafe {
        if descr.is_null() || !has_flag(ffi::Py_TYPE(descr), ffi::Py_TPFLAGS_IMMUTABLETYPE as usize) {
            return None;
        }
        let descr_type = ffi::Py_TYPE(descr).cast();
        let data = read_field::<usize>(descr_type, abi::TYPE_DESCR_SET) != 0;
        let getter = read_field::<usize>(descr_type, abi::TYPE_DESCR_GET) != 0;
        let key = tagged_key(tp, TYPE_ATTR_KEY_TAG);
        if data {
            return getter.then_some([key, METHOD_NO_DICT, descr as u64, 0]);
        }
        unshadowed(owner, tp, name).map(|(kind, count)| [key, kind, descr as u64, count])
    }
}

/// The `attr::KIND` and `attr::EXTRA` words under which no instance of
/// `owner`'s type `tp` can shadow an attribute `name` of the type, when
/// that holds now: the type has no instance dict at all (`METHOD_NO_DICT`),
/// or keeps instance attributes as values whose shared keys lack the name
/// (their count, `METHOD_WITH_VALUES`) and `owner` has no dict of its own.
/// `method_applies` checks an entry filled so.
///
/// SAFETY: `owner` is live and `tp` its type; `name` is a str.
unsafe fn unshadowed(owner: *mut PyObject, tp: *mut ffi::PyTypeObject, name: *mut PyObject) -> Option<(u64, u64)> {
    // SAFETY: see above; only a managed-dict type has the dict pointer before its instances.
    unsafe {
        if has_flag(tp, abi::TPFLAGS_MANAGED_DICT) {
            let dict = before_object(owner, abi::MANAGED_DICT_BEFORE_OBJECT);
            if !dict.is_null() {
                return dict_lacks(dict, name).then_some((METHOD_WITH_DICT, 0));
            }
            match shared_keys(tp, name) {
                Some((count, None)) => Some((METHOD_WITH_VALUES, count)),
                _ => None,
            }
        } else {
            (read_field::<ffi::Py_ssize_t>(tp.cast(), abi::TYPE_DICTOFFSET) == 0).then_some((METHOD_NO_DICT, 0))
        }
    }
}

/// What generic attribute lookup gives for an attribute of `owner`'s type
/// `tp` that a type-attribute entry records: `descr` itself, or what its
/// `__get__` makes of it (a bound method, a property's value), as
/// `PyObject_GenericGetAttr` calls it (holding a reference to `descr`,
/// which the call may remove from the type).
///
/// SAFETY: `owner` is live and `tp` its type; `descr` is live.
unsafe fn type_attribute(owner: *mut PyObject, tp: *mut ffi::PyTypeObject, descr: *mut PyObject) -> *mut PyObject {
    // SAFETY: see above; the slot holds a `descrgetfunc` when set.
    unsafe {
        let get = read_field::<Option<ffi::descrgetfunc>>(ffi::Py_TYPE(descr).cast(), abi::TYPE_DESCR_GET);
        ffi::Py_INCREF(descr);
        let Some(get) = get else { return descr };
        let value = get(descr, owner, tp.cast());
        ffi::Py_DECREF(descr);
        value
    }
}

/// LOAD_METHOD's slow path on `slots[0]` (`attrs::load_method`), then the
/// entry when the answer is a method of the type that no instance of it
/// can shadow while the entry holds: the type has no instance dict at all
/// (`METHOD_NO_DICT`), or keeps instance attributes as values whose shared
/// keys lack the name and this instance has no dict (`METHOD_WITH_VALUES`);
/// or when the owner is a class and the answer its attribute
/// (`METHOD_CLASS`, see `class_attribute_key`).
pub unsafe extern "C" fn load_method(slots: *mut *mut PyObject, name: *mut PyObject, site: *mut u64) -> isize {
    // SAFETY: as `attrs::load_method`; `site` is this site's cache.
    unsafe {
        let owner = *slots;
        if class_key(owner).is_some() {
            return load_class_method(slots, name, site);
        }
        if ffi::Py_TYPE(owner) == std::ptr::addr_of_mut!(ffi::PyModule_Type) {
            return load_module_method(slots, name, site);
        }
        let tp = ffi::Py_TYPE(owner);
        if let Some(entry) = other_way(site, current_key(tp)).filter(|&entry| method_applies(owner, tp, entry, name)) {
            *slots = ffi::Py_NewRef(*entry.add(attr::WHERE) as *mut PyObject);
            *slots.add(1) = owner;
            return 0;
        }
        let status = super::attrs::load_method(slots, name);
        let method = *slots;
        if status != 0 || method.is_null() || !generic_getattr(tp) || abi_ffi::_PyType_Lookup(tp, name) != method {
            return status;
        }
        let Some(key) = type_key(tp).filter(|_| has_flag(ffi::Py_TYPE(method), abi::TPFLAGS_METHOD_DESCRIPTOR)) else {
            return status;
        };
        if let Some((kind, count)) = unshadowed(owner, tp, name) {
            fill_first(site, [key, kind, method as u64, count]);
        }
        status
    }
}

/// `load_method` for a module `owner` (`slots[0]`, exactly
/// `types.ModuleType`): the entry records the attribute found in the
/// module's dict, with the dict's version, when nothing of that name on the
/// module type takes precedence.
///
/// SAFETY: as `load_method`.
unsafe fn load_module_method(slots: *mut *mut PyObject, name: *mut PyObject, site: *mut u64) -> isize {
    // SAFETY: see above; the extra reference keeps the module alive for the
    // fill after the generic lookup released the stack's; a filled entry's
    // value is held by the dict while its version is the entry's.
    unsafe {
        let owner = *slots;
        let dict: *mut PyObject = read_field(owner.cast(), abi::MODULE_DICT);
        let exact_dict = !dict.is_null() && ffi::PyDict_CheckExact(dict) != 0;
        let cached = other_way(site, MODULE_KEY).filter(|&entry| exact_dict && dict_version(dict) == *entry.add(attr::WHERE));
        if let Some(entry) = cached {
            *slots = std::ptr::null_mut();
            *slots.add(1) = ffi::Py_NewRef(*entry.add(attr::EXTRA) as *mut PyObject);
            ffi::Py_DECREF(owner);
            return 0;
        }
        ffi::Py_INCREF(owner);
        let status = super::attrs::load_method(slots, name);
        let module_type = std::ptr::addr_of_mut!(ffi::PyModule_Type);
        if status == 0 && (*slots).is_null() && exact_dict && abi_ffi::_PyType_Lookup(module_type, name).is_null() {
            let value = *slots.add(1);
            let version = dict_version(dict);
            let found = ffi::PyDict_GetItemWithError(dict, name);
            if found.is_null() {
                ffi::PyErr_Clear();
            } else if found == value && dict_version(dict) == version {
                fill_first(site, [MODULE_KEY, METHOD_MODULE, version, value as u64]);
            }
        }
        ffi::Py_DECREF(owner);
        status
    }
}

/// `load_method` for a class `owner` (`slots[0]`, of metaclass `type`).
///
/// SAFETY: as `load_method`.
unsafe fn load_class_method(slots: *mut *mut PyObject, name: *mut PyObject, site: *mut u64) -> isize {
    // SAFETY: see above; the extra reference keeps the class alive for the
    // fill after the generic lookup released the stack's.
    unsafe {
        let owner = *slots;
        if let Some(entry) = class_key(owner).and_then(|key| other_way(site, key)) {
            *slots = std::ptr::null_mut();
            *slots.add(1) = ffi::Py_NewRef(*entry.add(attr::WHERE) as *mut PyObject);
            ffi::Py_DECREF(owner);
            return 0;
        }
        ffi::Py_INCREF(owner);
        let status = super::attrs::load_method(slots, name);
        if status == 0 && (*slots).is_null() {
            let value = *slots.add(1);
            if let Some(key) = class_attribute_key(owner, name, value) {
                fill_first(site, [key, METHOD_CLASS, value as u64, 0]);
            }
        }
        ffi::Py_DECREF(owner);
        status
    }
}

/// Whether the method `entry` (filled for `tp`, the type of `owner`)
/// records is what LOAD_METHOD finds on `owner` by the name `name`: the
/// check generated code makes on the first entry, of the words `unshadowed`
/// gave (also what the slow path checks of a type-attribute entry).
///
/// SAFETY: `owner` is live and `tp` its type; `name` is a str.
unsafe fn method_applies(owner: *mut PyObject, tp: *mut ffi::PyTypeObject, entry: *mut u64, name: *mut PyObject) -> bool {
    // SAFETY: see above; WITH_VALUES and WITH_DICT entries are filled only
    // for heap types with a managed dict (and shared keys for the former).
    unsafe {
        let dict = before_object(owner, abi::MANAGED_DICT_BEFORE_OBJECT);
        match *entry.add(attr::KIND) {
            METHOD_NO_DICT => true,
            METHOD_WITH_DICT => !dict.is_null() && dict_lacks(dict, name),
            _ => {
                dict.is_null()
                    && read_field::<isize>(read_field::<*const u8>(tp.cast(), abi::HEAPTYPE_CACHED_KEYS), abi::KEYS_NENTRIES)
                        as u64
                        == *entry.add(attr::EXTRA)
            }
        }
    }
}

/// Whether `dict`, an instance's own, is a combined, str-keyed table
/// without the key `name`: what a `METHOD_WITH_DICT` entry needs.
///
/// SAFETY: `dict` is a live dict, `name` a str (whose lookup cannot fail).
unsafe fn dict_lacks(dict: *mut PyObject, name: *mut PyObject) -> bool {
    // SAFETY: see above.
    unsafe { str_keys_combined(dict) && ffi::PyDict_Contains(dict, name) == 0 }
}

/// The `__slots__` member of object type that `descr` (from the type's
/// MRO, may be NULL) describes, as its byte offset in the instance, if its
/// flags have none of `excluded` (`PY_AUDIT_READ` for loads, `READONLY`
/// for stores).
///
/// SAFETY: `descr` is NULL or live.
unsafe fn object_slot(descr: *mut PyObject, excluded: usize) -> Option<u64> {
    // SAFETY: see above; a member descriptor points at its static
    // PyMemberDef (fields probed).
    unsafe {
        if descr.is_null() || ffi::Py_TYPE(descr) != std::ptr::addr_of_mut!(ffi::PyMemberDescr_Type) {
            return None;
        }
        let member: *const u8 = read_field(descr.cast(), abi::MEMBER_DESCR_MEMBER);
        let object_ex = read_field::<std::ffi::c_int>(member, abi::MEMBER_DEF_TYPE) as usize == abi::MEMBER_TYPE_OBJECT_EX;
        let flags = read_field::<std::ffi::c_int>(member, abi::MEMBER_DEF_FLAGS) as usize;
        let offset: ffi::Py_ssize_t = read_field(member, abi::MEMBER_DEF_OFFSET);
        (object_ex && flags & excluded == 0).then_some(offset as u64)
    }
}

/// The place a STORE_ATTR entry of `kind` (filled for the type of `owner`)
/// names in `owner`: its slot, or its instance value (a missing one is
/// recorded in the values' insertion order, as the interpreter's
/// STORE_ATTR_INSTANCE_VALUE does).
///
/// SAFETY: `owner` is live and its type is the one `entry` was filled for.
unsafe fn stored_place(owner: *mut PyObject, entry: *mut u64, kind: isize) -> Option<*mut *mut PyObject> {
    // SAFETY: see above.
    unsafe {
        let place = *entry.add(attr::WHERE) as usize;
        if kind == ATTR_SLOT {
            return Some(owner.cast::<u8>().add(place).cast());
        }
        let values = instance_values(owner);
        if values.is_null() {
            return None;
        }
        let item = value_place(values, place);
        if (*item).is_null() {
            abi_ffi::pyjit_values_add_to_insertion_order(values.cast(), place as ffi::Py_ssize_t);
        }
        Some(item)
    }
}

/// The PEP 509 versions that generated code gives the instance dicts it
/// stores into (`STORE_ATTR` with a dict-hint entry), as CPython's
/// `STORE_ATTR_WITH_HINT` takes the next global version. CPython's counter
/// (`_pydict_global_version`, a local symbol of libpython) counts up from
/// 0 by one per change, and keys versions tagged with `KEYS_VERSION_TAG`
/// lie between 2**63 and 2**63 + 2**32, so versions from 3 * 2**62 on never
/// equal one of those: each version from either counter is still given
/// once, which is all PEP 509's users (equality with a version seen
/// before) rely on, and a dict-versions entry still never matches a keys
/// one. Changed only with the GIL held.
pub static DICT_VERSIONS: AtomicU64 = AtomicU64::new(3 << 62);

/// The hint a dict-hint STORE_ATTR entry keeps (`attr::WHERE`): the
/// position of `name` (just set to `value`) among the entries of the
/// instance's `dict`, where generated code stores it next time, or one no
/// dict has when the name is not in a combined, str-keyed table.
///
/// SAFETY: `dict` is a live dict, `name` a str.
unsafe fn dict_hint(dict: *mut PyObject, name: *mut PyObject, value: *mut PyObject) -> u64 {
    // SAFETY: see above.
    let position = unsafe { if str_keys_combined(dict) { entry_position(dict, name, value) } else { None } };
    position.map_or(u64::MAX, |i| i as u64)
}

/// The dict of an instance of a managed-dict type whose entry says that
/// `object.__setattr__` stores the name in it (`ATTR_DICT_HINT`), if the
/// instance has one: the generic store then is `PyDict_SetItem` on it, which
/// also gives the dict the new version PEP 509 asks for.
///
/// SAFETY: `owner` is live and its type is one such an entry was filled for.
unsafe fn stored_dict(owner: *mut PyObject) -> Option<*mut PyObject> {
    // SAFETY: see above.
    let dict = unsafe { before_object(owner, abi::MANAGED_DICT_BEFORE_OBJECT) };
    (!dict.is_null()).then_some(dict)
}

/// STORE_ATTR's slow path (consumes `owner` and `value`, as
/// `attrs::store_attr`), then the entry when the attribute is of the site's
/// `kind` with generic `__setattr__`: an instance value (no data descriptor
/// of that name on the type, and the instance's values hold the new value
/// at the index the type's shared keys give), a writable slot, or a name
/// stored in the instance's own dict (a managed-dict type without a data
/// descriptor of that name, STORE_ATTR_WITH_HINT).
pub unsafe extern "C" fn store_attr(
    owner: *mut PyObject,
    name: *mut PyObject,
    value: *mut PyObject,
    site: *mut u64,
    kind: isize,
) -> isize {
    // SAFETY: owner and value are owned references; `site` is this site's
    // cache. Both stay alive across the store: the stack still owns them.
    unsafe {
        let tp = ffi::Py_TYPE(owner);
        let entry = other_way(site, current_key(tp));
        // Generated code reads every way of a dict-hint site: it missed
        // this one's hint (the name sits elsewhere in this instance's dict).
        let hinted = if kind == ATTR_DICT_HINT { any_way(site, current_key(tp)) } else { None };
        if let Some((entry, dict)) = hinted.and_then(|entry| Some((entry, stored_dict(owner)?))) {
            // The owner keeps its dict alive through the store.
            let status = ffi::PyDict_SetItem(dict, name, value);
            if status == 0 {
                *entry.add(attr::WHERE) = dict_hint(dict, name, value);
            }
            ffi::Py_DECREF(value);
            ffi::Py_DECREF(owner);
            return status as isize;
        }
        if let Some(item) = entry.filter(|_| kind != ATTR_DICT_HINT).and_then(|entry| stored_place(owner, entry, kind)) {
            let old = std::mem::replace(&mut *item, value);
            ffi::Py_XDECREF(old);
            ffi::Py_DECREF(owner);
            return 0;
        }
        let status = ffi::PyObject_SetAttr(owner, name, value);
        if let (0, true, Some(key)) = (status, generic_setattr(tp), type_key(tp)) {
            let descr = abi_ffi::_PyType_Lookup(tp, name);
            let place = match kind {
                ATTR_SLOT => object_slot(descr, abi::MEMBER_FLAG_READONLY),
                ATTR_DICT_HINT => (has_flag(tp, abi::TPFLAGS_MANAGED_DICT) && !may_take_precedence(descr))
                    .then(|| stored_dict(owner))
                    .flatten()
                    .map(|dict| dict_hint(dict, name, value)),
                _ => instance_value_index(owner, tp, name, || descr, value),
            };
            if let Some(place) = place {
                fill_first(site, [key, 0, place, 0]);
            }
        }
        ffi::Py_DECREF(value);
        ffi::Py_DECREF(owner);
        status as isize
    }
}
