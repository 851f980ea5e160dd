//! Inputs shared by the integration tests.
#![allow(dead_code)] // each test binary uses its own part of this module

use std::collections::BTreeSet;

use pyjit_cache_format::*;

pub fn compat() -> CompatInfo {
    CompatInfo {
        pyjit_version: "0.1.0+g1a2b3c4 cranelift-0.135.8".into(),
        cpython_hexversion: 0x030b_04f0,
        cpython_magic: 3495,
        target_triple: "x86_64-unknown-linux-gnu".into(),
        codegen_flags: [0xc0; 32],
        cpu_features: BTreeSet::from(["has_avx2".to_string(), "has_sse41".to_string()]),
    }
}

pub fn entry(name: &str) -> Entry {
    Entry {
        qualname: format!("Outer.{name}"),
        filename: "app/module.py".into(),
        firstlineno: 12,
        entry_symbol: format!("pyjit_{name}"),
        object: b"\x7fELF object bytes".to_vec(),
        imports: vec!["PyNumber_Add".into(), "pyjit_rt_deopt".into()],
        slots: vec![
            SlotSpec::Const(0),
            SlotSpec::Name(3),
            SlotSpec::Object(ObjectPath {
                module: "builtins".into(),
                qualname: "int".into(),
            }),
        ],
        guards: vec![Guard::GlobalIs {
            name: "len".into(),
            object: ObjectPath {
                module: "builtins".into(),
                qualname: "len".into(),
            },
        }],
        profile: Some(vec![1, 2, 3]),
    }
}

pub fn signing_key() -> SigningKey {
    SigningKey::from_bytes(&[42; 32])
}

pub fn other_signing_key() -> SigningKey {
    SigningKey::from_bytes(&[43; 32])
}

/// Two small entries, for tests that run the whole load once per byte of the file.
pub fn small_entries() -> Vec<(Key, Entry)> {
    ["f", "g"]
        .iter()
        .map(|name| {
            let entry = Entry {
                entry_symbol: name.to_string(),
                object: vec![0x90; 4],
                ..Entry::default()
            };
            (Key::derive(&[name.as_bytes()]), entry)
        })
        .collect()
}

/// Two entries, keyed by the hash of their names.
pub fn entries() -> Vec<(Key, Entry)> {
    ["f", "g"]
        .iter()
        .map(|name| (Key::derive(&[name.as_bytes()]), entry(name)))
        .collect()
}

pub fn build(entries: &[(Key, Entry)], signing_key: Option<&SigningKey>) -> Vec<u8> {
    let mut writer = CacheWriter::new(compat());
    for (key, entry) in entries {
        writer.add(*key, entry);
    }
    writer.finish(signing_key)
}

/// Everything a loader checks, in the order it checks it; returns every entry.
pub fn load(bytes: &[u8], trusted: &[VerifyingKey]) -> Result<Vec<Entry>> {
    let reader = CacheReader::parse(bytes)?;
    reader.check_compat(&compat())?;
    reader.verify(trusted)?;
    reader
        .iter()
        .map(|row| {
            reader
                .read_entry(&row.key)?
                .ok_or(Error::Malformed("row vanished".into()))
        })
        .collect()
}
