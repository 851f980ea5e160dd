//! Cache directory checks and the per-user key.

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};

use pyjit_cache_format::{check_cache_dir, trusted_keys, user_signing_key, Error};

#[test]
fn a_private_directory_passes_and_others_are_refused() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("cache");
    fs::create_dir(&dir).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
    check_cache_dir(&dir).unwrap();
    for mode in [0o720, 0o702, 0o777] {
        fs::set_permissions(&dir, fs::Permissions::from_mode(mode)).unwrap();
        assert!(matches!(check_cache_dir(&dir), Err(Error::UnsafeDirectory { .. })), "mode {mode:o}");
    }
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
    check_cache_dir(&dir).unwrap();
    let link = root.path().join("link");
    symlink(&dir, &link).unwrap();
    let refused = check_cache_dir(&link).unwrap_err().to_string();
    assert!(refused.contains("symbolic link"), "{refused}");
    let file = root.path().join("file");
    fs::write(&file, b"").unwrap();
    assert!(check_cache_dir(&file).unwrap_err().to_string().contains("not a directory"));
}

#[test]
fn the_per_user_key_is_created_private_once_and_trusted() {
    let root = tempfile::tempdir().unwrap();
    // The only test in this binary that uses the environment.
    std::env::set_var("XDG_CACHE_HOME", root.path());
    let empty: &[std::path::PathBuf] = &[];
    assert!(matches!(trusted_keys(empty), Err(Error::NoTrustedKeys(_))));
    let key = user_signing_key().unwrap();
    assert_eq!(user_signing_key().unwrap().to_bytes(), key.to_bytes(), "created once");
    let dir = root.path().join("pyjit");
    assert_eq!(fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
    assert_eq!(fs::metadata(dir.join("local.key")).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(trusted_keys(empty).unwrap(), vec![key.verifying_key()]);
}
