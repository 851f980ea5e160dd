//! The bytes match SPEC.md, round trips preserve everything, output is deterministic.

mod common;

use common::*;
use ed25519_dalek::Signature;
use proptest::prelude::*;
use pyjit_cache_format::*;

fn u32_at(bytes: &[u8], offset: usize) -> u32 {
    u32::from_le_bytes(bytes[offset..offset + 4].try_into().unwrap())
}

fn u64_at(bytes: &[u8], offset: usize) -> usize {
    u64::from_le_bytes(bytes[offset..offset + 8].try_into().unwrap()) as usize
}

/// Decodes a signed two-entry file by hand, following SPEC.md only.
#[test]
fn layout_follows_the_spec() {
    let entries = entries();
    let bytes = build(&entries, Some(&signing_key()));
    let verifying_key = signing_key().verifying_key();

    // Header.
    assert_eq!(&bytes[0..8], b"PYJITCC\0");
    assert_eq!(u32_at(&bytes, 8), 1, "format version");
    assert_eq!(u32_at(&bytes, 12), 1, "flags: signed");
    assert_eq!(
        &bytes[16..24],
        &blake3::hash(verifying_key.as_bytes()).as_bytes()[..8],
        "key id"
    );
    let entry_count = u64_at(&bytes, 24);
    let manifest_len = u64_at(&bytes, 32);
    let blobs_len = u64_at(&bytes, 40);
    assert_eq!(entry_count, 2);

    // Index, then manifest, then blobs, then signature.
    let index_end = 48 + 80 * entry_count;
    let manifest_end = index_end + manifest_len;
    assert_eq!(bytes.len(), manifest_end + blobs_len + 64);
    let mut sorted = entries.clone();
    sorted.sort_by_key(|(key, _)| *key);
    let mut expected_offset = manifest_end;
    for (row, (key, entry)) in bytes[48..index_end].chunks_exact(80).zip(&sorted) {
        assert_eq!(&row[0..32], &key.0);
        let (offset, len) = (u64_at(row, 32), u64_at(row, 40));
        assert_eq!(offset, expected_offset);
        let blob = &bytes[offset..offset + len];
        assert_eq!(&row[48..80], blake3::hash(blob).as_bytes());
        assert_eq!(postcard::from_bytes::<Entry>(blob).unwrap(), *entry);
        assert_eq!(blob, postcard::to_allocvec(entry).unwrap());
        expected_offset += len;
    }
    assert_eq!(expected_offset, manifest_end + blobs_len);
    assert_eq!(
        &bytes[index_end..manifest_end],
        postcard::to_allocvec(&compat()).unwrap()
    );

    // Signature: ed25519 over the context string and blake3 of header ‖ index ‖ manifest.
    let mut message = b"pyjit cache-format v1 index\0".to_vec();
    message.extend_from_slice(blake3::hash(&bytes[..manifest_end]).as_bytes());
    let signature = Signature::from_bytes(bytes[bytes.len() - 64..].try_into().unwrap());
    verifying_key.verify_strict(&message, &signature).unwrap();
}

#[test]
fn unsigned_layout_has_no_key_id_and_no_signature() {
    let bytes = build(&entries(), None);
    assert_eq!(u32_at(&bytes, 12), 0);
    assert_eq!(&bytes[16..24], &[0; 8]);
    let manifest_end = 48 + 80 * 2 + u64_at(&bytes, 32);
    assert_eq!(bytes.len(), manifest_end + u64_at(&bytes, 40));
}

#[test]
fn output_is_deterministic_and_independent_of_insertion_order() {
    let entries = entries();
    let mut reversed = entries.clone();
    reversed.reverse();
    for signing_key in [None, Some(signing_key())] {
        let first = build(&entries, signing_key.as_ref());
        assert_eq!(first, build(&entries, signing_key.as_ref()));
        assert_eq!(first, build(&reversed, signing_key.as_ref()));
    }
}

#[test]
fn signing_later_equals_signing_at_finish() {
    let unsigned = build(&entries(), None);
    let signed = build(&entries(), Some(&signing_key()));
    assert_eq!(sign(&unsigned, &signing_key()).unwrap(), signed);
    assert_eq!(sign(&signed, &signing_key()).unwrap(), signed);

    let resigned = sign(&signed, &other_signing_key()).unwrap();
    let reader = CacheReader::parse(&resigned[..]).unwrap();
    reader
        .verify(&[other_signing_key().verifying_key()])
        .unwrap();
    assert!(matches!(
        reader.verify(&[signing_key().verifying_key()]),
        Err(Error::UntrustedKey(_))
    ));
}

#[test]
fn lookup_finds_present_keys_only() {
    let bytes = build(&entries(), Some(&signing_key()));
    let reader = CacheReader::parse(&bytes[..]).unwrap();
    for (key, entry) in entries() {
        let row = reader.lookup(&key).unwrap();
        assert_eq!(row.key, key);
        assert_eq!(
            row.blob_len as usize,
            postcard::to_allocvec(&entry).unwrap().len()
        );
        assert_eq!(reader.read_entry(&key).unwrap(), Some(entry));
    }
    let missing = Key::derive(&[b"missing"]);
    assert_eq!(reader.lookup(&missing), None);
    assert_eq!(reader.read_entry(&missing).unwrap(), None);
    assert_eq!(reader.lookup(&Key([0; 32])), None);
    assert_eq!(reader.lookup(&Key([0xff; 32])), None);
}

#[test]
fn entries_read_in_place_equal_the_owned_entries() {
    let mut without_profile = entry("no_profile");
    without_profile.profile = None;
    let entries = [(Key::derive(&[b"with"]), entry("with_profile")), (Key::derive(&[b"without"]), without_profile)];
    let bytes = build(&entries, None);
    let reader = CacheReader::parse(&bytes[..]).unwrap();
    for (key, owned) in &entries {
        let same = reader
            .read_entry_with(key, |read: EntryRef<'_>| {
                read.qualname == owned.qualname
                    && read.filename == owned.filename
                    && read.firstlineno == owned.firstlineno
                    && read.entry_symbol == owned.entry_symbol
                    && read.object == owned.object
                    && read.imports == owned.imports
                    && read.slots == owned.slots
                    && read.guards == owned.guards
                    && read.profile == owned.profile.as_deref()
            })
            .unwrap();
        assert_eq!(same, Some(true), "{}", owned.qualname);
    }
    assert_eq!(reader.read_entry_with(&Key::derive(&[b"missing"]), |_| ()).unwrap(), None);
}

#[test]
fn an_entry_read_while_another_is_in_use_gets_its_own_copy() {
    // The reader keeps one buffer for blobs; a read from inside `use_entry` finds it in
    // use and must neither wait for it nor overwrite the entry being used.
    let entries = [(Key::derive(&[b"outer"]), entry("outer_function")), (Key::derive(&[b"inner"]), entry("inner"))];
    let bytes = build(&entries, None);
    let reader = CacheReader::parse(&bytes[..]).unwrap();
    let names = reader
        .read_entry_with(&entries[0].0, |outer: EntryRef<'_>| {
            let inner = reader.read_entry_with(&entries[1].0, |inner: EntryRef<'_>| inner.qualname.to_owned());
            (outer.qualname.to_owned(), outer.object == entries[0].1.object, inner.unwrap())
        })
        .unwrap();
    assert_eq!(names, Some((entries[0].1.qualname.clone(), true, Some(entries[1].1.qualname.clone()))));
    // And the kept buffer serves the next read, of another size, correctly.
    for (key, owned) in entries.iter().rev() {
        assert_eq!(reader.read_entry_with(key, |read: EntryRef<'_>| read.qualname == owned.qualname).unwrap(), Some(true));
    }
}

#[test]
fn keys_sharing_leading_bytes_are_told_apart() {
    // Keys equal in their first 8 bytes (the search's dense heads) and differing after,
    // next to keys that differ early.
    let key = |head: u8, tail: u8| {
        let mut bytes = [0x5a; 32];
        bytes[0] = head;
        bytes[9] = tail;
        Key(bytes)
    };
    let present = [key(1, 1), key(1, 3), key(1, 7), key(2, 0), key(0xff, 0xff)];
    let mut writer = CacheWriter::new(compat());
    for (i, key) in present.iter().enumerate() {
        writer.add(*key, &entry(&format!("entry {i}")));
    }
    let bytes = writer.finish(None);
    let reader = CacheReader::parse(&bytes[..]).unwrap();
    for (i, key) in present.iter().enumerate() {
        assert_eq!(reader.read_entry(key).unwrap(), Some(entry(&format!("entry {i}"))));
    }
    for absent in [key(1, 0), key(1, 2), key(1, 8), key(0, 0), key(3, 0)] {
        assert_eq!(reader.lookup(&absent), None);
    }
    for len in 0..=12 {
        assert!(reader.has_key_prefix(&key(1, 3).0[..len]), "prefix of {len} bytes");
        assert_eq!(reader.has_key_prefix(&key(1, 4).0[..len]), len < 10, "prefix of {len} bytes");
        assert_eq!(reader.has_key_prefix(&key(3, 0).0[..len]), len == 0, "prefix of {len} bytes");
    }
}

#[test]
fn empty_cache_round_trips() {
    let bytes = CacheWriter::new(compat()).finish(Some(&signing_key()));
    let reader = CacheReader::parse(&bytes[..]).unwrap();
    reader.verify(&[signing_key().verifying_key()]).unwrap();
    assert!(reader.is_empty());
    assert_eq!(reader.iter().count(), 0);
    assert_eq!(reader.lookup(&Key::default()), None);
}

#[test]
fn first_entry_for_a_key_wins() {
    let key = Key::derive(&[b"same code"]);
    let mut writer = CacheWriter::new(compat());
    assert!(writer.add(key, &entry("first")));
    assert!(!writer.add(key, &entry("second")));
    let bytes = writer.finish(None);
    let reader = CacheReader::parse(&bytes[..]).unwrap();
    assert_eq!(reader.len(), 1);
    assert_eq!(reader.read_entry(&key).unwrap(), Some(entry("first")));
}

#[test]
fn key_hex_parsing_is_strict() {
    let key = Key::derive(&[b"x"]);
    assert_eq!(key.to_string().parse::<Key>().unwrap(), key);
    assert_eq!(key.to_string().to_uppercase().parse::<Key>().unwrap(), key);
    let good = "ab".repeat(32);
    for bad in [
        &good[..63],
        &format!("{good}0"),
        &format!("+{}", &good[1..]),
        &format!("g{}", &good[1..]),
        "",
    ] {
        assert!(
            matches!(bad.parse::<Key>(), Err(Error::InvalidKey(_))),
            "{bad:?} accepted"
        );
    }
}

#[test]
fn key_derivation_separates_parts() {
    assert_ne!(Key::derive(&[b"ab", b"c"]), Key::derive(&[b"a", b"bc"]));
    assert_ne!(Key::derive(&[b"abc"]), Key::derive(&[b"abc", b""]));
    assert_eq!(Key::derive(&[b"a", b"b"]), Key::derive(&[b"a", b"b"]));
}

fn any_object_path() -> impl Strategy<Value = ObjectPath> {
    (".*", ".*").prop_map(|(module, qualname)| ObjectPath { module, qualname })
}

fn any_entry() -> impl Strategy<Value = Entry> {
    let slot = prop_oneof![
        any::<u32>().prop_map(SlotSpec::Const),
        any::<u32>().prop_map(SlotSpec::Name),
        any_object_path().prop_map(SlotSpec::Object),
    ];
    let guard =
        (".*", any_object_path()).prop_map(|(name, object)| Guard::GlobalIs { name, object });
    (
        (".*", ".*", any::<u32>(), ".*"),
        prop::collection::vec(any::<u8>(), 0..300),
        prop::collection::vec(".*", 0..4),
        prop::collection::vec(slot, 0..4),
        prop::collection::vec(guard, 0..3),
        prop::option::of(prop::collection::vec(any::<u8>(), 0..40)),
    )
        .prop_map(
            |(
                (qualname, filename, firstlineno, entry_symbol),
                object,
                imports,
                slots,
                guards,
                profile,
            )| {
                Entry {
                    qualname,
                    filename,
                    firstlineno,
                    entry_symbol,
                    object,
                    imports,
                    slots,
                    guards,
                    profile,
                }
            },
        )
}

fn any_compat() -> impl Strategy<Value = CompatInfo> {
    (
        ".*",
        any::<u32>(),
        any::<u16>(),
        ".*",
        any::<[u8; 32]>(),
        prop::collection::btree_set(".*", 0..5),
    )
        .prop_map(
            |(
                pyjit_version,
                cpython_hexversion,
                cpython_magic,
                target_triple,
                codegen_flags,
                cpu_features,
            )| {
                CompatInfo {
                    pyjit_version,
                    cpython_hexversion,
                    cpython_magic,
                    target_triple,
                    codegen_flags,
                    cpu_features,
                }
            },
        )
}

proptest! {
    #[test]
    fn caches_round_trip(
        compat in any_compat(),
        entries in prop::collection::btree_map(any::<[u8; 32]>().prop_map(Key), any_entry(), 0..6),
        signed: bool,
    ) {
        let signing_key = signed.then(signing_key);
        let mut writer = CacheWriter::new(compat.clone());
        for (key, entry) in &entries {
            prop_assert!(writer.add(*key, entry));
        }
        let bytes = writer.finish(signing_key.as_ref());

        let reader = CacheReader::parse(&bytes[..]).unwrap();
        prop_assert_eq!(reader.compat(), &compat);
        reader.check_compat(&compat).unwrap();
        if let Some(signing_key) = &signing_key {
            reader.verify(&[signing_key.verifying_key()]).unwrap();
        }
        let keys: Vec<Key> = reader.iter().map(|row| row.key).collect();
        prop_assert_eq!(keys, entries.keys().copied().collect::<Vec<_>>());
        for (key, entry) in &entries {
            prop_assert_eq!(reader.read_entry(key).unwrap(), Some(entry.clone()));
        }
    }

    #[test]
    fn keys_round_trip_through_hex(bytes: [u8; 32]) {
        let key = Key(bytes);
        prop_assert_eq!(key.to_string().parse::<Key>().unwrap(), key);
    }

    /// Arbitrary bytes, and valid files with arbitrary changes, give errors, never panics.
    #[test]
    fn parsing_garbage_never_panics(
        garbage in prop::collection::vec(any::<u8>(), 0..400),
        changes in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let _ = load(&garbage, &[signing_key().verifying_key()]);
        let mut prefixed = b"PYJITCC\0\x01\0\0\0".to_vec();
        prefixed.extend_from_slice(&garbage);
        let _ = load(&prefixed, &[signing_key().verifying_key()]);
        let mut damaged = build(&small_entries(), None);
        for (position, value) in changes {
            let position = position.index(damaged.len());
            damaged[position] = value;
        }
        if let Ok(reader) = CacheReader::parse(&damaged[..]) {
            for row in reader.iter() {
                let _ = reader.read_entry(&row.key);
            }
        }
    }
}
