//! Atomic writes, opening cache files, key files.

mod common;

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};

use common::*;
use pyjit_cache_format::*;

fn mode(path: &std::path::Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn write_atomic_writes_and_replaces_leaving_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_atomic(dir.path(), "app.pyjitc", b"first").unwrap();
    assert_eq!(path, dir.path().join("app.pyjitc"));
    assert_eq!(fs::read(&path).unwrap(), b"first");
    write_atomic(dir.path(), "app.pyjitc", b"second").unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"second");
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(names, ["app.pyjitc"]);
}

#[test]
fn write_atomic_refuses_names_that_are_not_one_component() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["", ".", "..", "sub/file", "/etc/passwd"] {
        assert!(
            matches!(
                write_atomic(dir.path(), name, b""),
                Err(Error::InvalidFileName(_))
            ),
            "{name:?}"
        );
    }
}

#[test]
fn write_atomic_into_a_missing_directory_reports_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let error = write_atomic(&missing, "c", b"").unwrap_err();
    assert!(matches!(error, Error::Io { .. }));
    assert!(error.to_string().contains("missing"), "{error}");
}

#[test]
fn open_maps_a_cache_file() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = build(&entries(), Some(&signing_key()));
    let path = write_atomic(dir.path(), "c", &bytes).unwrap();
    let reader = CacheReader::open(&path).unwrap();
    reader.verify(&[signing_key().verifying_key()]).unwrap();
    for (key, entry) in entries() {
        assert_eq!(reader.read_entry(&key).unwrap(), Some(entry));
    }
}

#[test]
fn open_refuses_symlinks_directories_and_empty_files() {
    let dir = tempfile::tempdir().unwrap();
    let target = write_atomic(dir.path(), "c", &build(&entries(), None)).unwrap();
    let link = dir.path().join("link");
    symlink(&target, &link).unwrap();
    assert!(matches!(CacheReader::open(&link), Err(Error::Symlink(_))));
    assert!(matches!(
        CacheReader::open(dir.path()),
        Err(Error::NotRegularFile(_))
    ));
    let empty = write_atomic(dir.path(), "empty", b"").unwrap();
    assert!(CacheReader::open(&empty).is_err());
    assert!(matches!(
        CacheReader::open(&dir.path().join("absent")),
        Err(Error::Io { .. })
    ));
}

#[test]
fn key_pair_files_round_trip_with_safe_modes() {
    let dir = tempfile::tempdir().unwrap();
    let secret_path = dir.path().join("ci.key");
    let key = generate_signing_key().unwrap();
    let public_path = write_key_pair(&secret_path, &key).unwrap();
    assert_eq!(public_path, dir.path().join("ci.key.pub"));
    assert_eq!(public_path, public_key_path(&secret_path));
    assert_eq!(mode(&secret_path), 0o600);
    assert_eq!(mode(&public_path) & 0o022, 0);

    let text = fs::read_to_string(&public_path).unwrap();
    assert!(
        text.starts_with("pyjit-cache-public-key ")
            && text.ends_with('\n')
            && text.len() == 23 + 64 + 1
    );
    assert_eq!(load_signing_key(&secret_path).unwrap(), key);
    assert_eq!(
        load_verifying_key(&public_path).unwrap(),
        key.verifying_key()
    );
}

#[test]
fn write_key_pair_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let secret_path = dir.path().join("k");
    write_key_pair(&secret_path, &signing_key()).unwrap();
    assert!(matches!(
        write_key_pair(&secret_path, &other_signing_key()),
        Err(Error::Io { .. })
    ));
    assert_eq!(load_signing_key(&secret_path).unwrap(), signing_key());

    // An existing public key file stops the write and leaves no secret key behind.
    let lone_secret = dir.path().join("lone");
    fs::write(public_key_path(&lone_secret), "x").unwrap();
    assert!(write_key_pair(&lone_secret, &signing_key()).is_err());
    assert!(!lone_secret.exists());
}

#[test]
fn secret_key_readable_by_others_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let secret_path = dir.path().join("k");
    write_key_pair(&secret_path, &signing_key()).unwrap();
    fs::set_permissions(&secret_path, fs::Permissions::from_mode(0o640)).unwrap();
    assert!(matches!(
        load_signing_key(&secret_path),
        Err(Error::InsecureKeyFile { mode: 0o640, .. })
    ));
}

#[test]
fn malformed_key_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.pub");
    let hex = "ab".repeat(32);
    for text in [
        String::new(),
        hex.clone(),
        format!("pyjit-cache-secret-key {hex}\n"),
        format!("pyjit-cache-public-key {}\n", &hex[..62]),
        format!("pyjit-cache-public-key  {hex}\n"),
        format!("pyjit-cache-public-key {hex}\n\n"),
    ] {
        fs::write(&path, &text).unwrap();
        assert!(
            matches!(load_verifying_key(&path), Err(Error::BadKeyFile { .. })),
            "{text:?}"
        );
    }
}

#[test]
fn generated_keys_differ() {
    assert_ne!(
        generate_signing_key().unwrap(),
        generate_signing_key().unwrap()
    );
}
