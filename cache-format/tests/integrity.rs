//! Damaged, truncated, unsigned, untrusted and incompatible caches are refused with the
//! right error.

mod common;

use common::*;
use proptest::prelude::*;
use pyjit_cache_format::*;

fn trusted() -> [VerifyingKey; 1] {
    [signing_key().verifying_key()]
}

#[test]
fn intact_signed_cache_loads() {
    let bytes = build(&entries(), Some(&signing_key()));
    assert_eq!(
        load(&bytes, &trusted()).unwrap(),
        entries().into_iter().map(|(_, e)| e).collect::<Vec<_>>()
    );
}

/// Every byte of the file, changed three ways (low bit, high bit, all bits), makes one
/// of parse, compat check, signature check or entry check fail.
#[test]
fn every_byte_of_a_signed_file_is_protected() {
    let bytes = build(&small_entries(), Some(&signing_key()));
    for position in 0..bytes.len() {
        for mask in [0x01, 0x80, 0xff] {
            let mut damaged = bytes.clone();
            damaged[position] ^= mask;
            assert!(
                load(&damaged, &trusted()).is_err(),
                "byte {position} of {} xor {mask:#04x} went unnoticed",
                bytes.len()
            );
        }
    }
}

proptest! {
    /// Any byte replaced by any other value is refused.
    #[test]
    fn any_byte_replaced_by_any_value_is_refused(position in any::<prop::sample::Index>(), new_value: u8) {
        let bytes = build(&small_entries(), Some(&signing_key()));
        let position = position.index(bytes.len());
        prop_assume!(bytes[position] != new_value);
        let mut damaged = bytes;
        damaged[position] = new_value;
        prop_assert!(load(&damaged, &trusted()).is_err());
    }
}

#[test]
fn every_truncation_and_extension_is_refused() {
    for signing_key in [None, Some(signing_key())] {
        let bytes = build(&entries(), signing_key.as_ref());
        for len in 0..bytes.len() {
            assert!(
                CacheReader::parse(&bytes[..len]).is_err(),
                "truncation to {len} accepted"
            );
        }
        let mut extended = bytes.clone();
        extended.push(0);
        assert!(matches!(
            CacheReader::parse(&extended[..]),
            Err(Error::Malformed(_))
        ));
    }
}

#[test]
fn unsigned_cache_is_refused_by_verify() {
    let bytes = build(&entries(), None);
    let reader = CacheReader::parse(&bytes[..]).unwrap();
    assert_eq!(reader.signer(), None);
    assert!(matches!(reader.verify(&trusted()), Err(Error::Unsigned)));
}

#[test]
fn cache_signed_by_another_key_is_untrusted() {
    let bytes = build(&entries(), Some(&other_signing_key()));
    let reader = CacheReader::parse(&bytes[..]).unwrap();
    let other_id = KeyId::of(&other_signing_key().verifying_key());
    assert_eq!(reader.signer(), Some(other_id));
    assert!(matches!(reader.verify(&trusted()), Err(Error::UntrustedKey(id)) if id == other_id));
    assert!(matches!(reader.verify(&[]), Err(Error::UntrustedKey(_))));
    let both = [trusted()[0], other_signing_key().verifying_key()];
    assert_eq!(reader.verify(&both).unwrap(), other_id);
}

#[test]
fn damaged_signature_or_index_fails_verification() {
    let bytes = build(&entries(), Some(&signing_key()));
    let key_id = KeyId::of(&signing_key().verifying_key());
    let last = bytes.len() - 1;
    let first_row_key = 48;
    for position in [last, first_row_key] {
        let mut damaged = bytes.clone();
        damaged[position] ^= 1;
        let reader = CacheReader::parse(&damaged[..]).unwrap();
        assert!(matches!(reader.verify(&trusted()), Err(Error::BadSignature(id)) if id == key_id));
    }
}

#[test]
fn damaged_blob_fails_its_hash_check() {
    let bytes = build(&entries(), Some(&signing_key()));
    let reader = CacheReader::parse(&bytes[..]).unwrap();
    let row = reader.iter().next().unwrap();
    let mut damaged = bytes.clone();
    damaged[row.blob_offset as usize] ^= 1;
    let reader = CacheReader::parse(&damaged[..]).unwrap();
    reader.verify(&trusted()).unwrap();
    assert!(
        matches!(reader.read_entry(&row.key), Err(Error::BlobHashMismatch(key)) if key == row.key)
    );
    assert!(matches!(
        sign(&damaged, &signing_key()),
        Err(Error::BlobHashMismatch(_))
    ));
}

#[test]
fn bad_magic_and_other_versions_are_refused() {
    let bytes = build(&entries(), None);
    let mut damaged = bytes.clone();
    damaged[0] = b'X';
    assert!(matches!(
        CacheReader::parse(&damaged[..]),
        Err(Error::BadMagic)
    ));
    assert!(matches!(
        CacheReader::parse(&b"PYJ"[..]),
        Err(Error::BadMagic)
    ));
    let mut damaged = bytes.clone();
    damaged[8..12].copy_from_slice(&2u32.to_le_bytes());
    assert!(matches!(
        CacheReader::parse(&damaged[..]),
        Err(Error::UnsupportedVersion {
            found: 2,
            supported: FORMAT_VERSION
        })
    ));
}

#[test]
fn each_incompatible_field_is_named() {
    let reader_bytes = build(&entries(), None);
    let reader = CacheReader::parse(&reader_bytes[..]).unwrap();
    reader.check_compat(&compat()).unwrap();
    type Change = fn(&mut CompatInfo);
    let cases: [(Change, CompatField); 5] = [
        (
            |host| host.pyjit_version.push('+'),
            CompatField::PyjitVersion,
        ),
        (
            |host| host.cpython_hexversion += 1,
            CompatField::CpythonVersion,
        ),
        (|host| host.cpython_magic += 1, CompatField::CpythonMagic),
        (
            |host| host.target_triple = "aarch64-unknown-linux-gnu".into(),
            CompatField::TargetTriple,
        ),
        (
            |host| host.codegen_flags[31] ^= 1,
            CompatField::CodegenFlags,
        ),
    ];
    for (change, expected) in cases {
        let mut host = compat();
        change(&mut host);
        match reader.check_compat(&host) {
            Err(Error::Incompatible { field, .. }) => assert_eq!(field, expected),
            other => panic!("{expected}: got {other:?}"),
        }
    }
    let error = {
        let mut host = compat();
        host.target_triple = "aarch64-unknown-linux-gnu".into();
        reader.check_compat(&host).unwrap_err().to_string()
    };
    assert_eq!(
        error,
        "cache was built for target triple x86_64-unknown-linux-gnu, but the host has aarch64-unknown-linux-gnu"
    );
}

#[test]
fn cpu_features_must_be_a_subset_of_the_host_s() {
    let bytes = build(&entries(), None);
    let reader = CacheReader::parse(&bytes[..]).unwrap();
    let mut host = compat();
    host.cpu_features.insert("has_bmi2".into());
    reader.check_compat(&host).unwrap();
    host.cpu_features.remove("has_avx2");
    host.cpu_features.remove("has_sse41");
    match reader.check_compat(&host) {
        Err(error @ Error::MissingCpuFeatures { .. }) => assert_eq!(
            error.to_string(),
            "cache needs CPU features the host lacks: has_avx2, has_sse41"
        ),
        other => panic!("got {other:?}"),
    }
}
