//! Cache directory checks and the per-user key.

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};

use pyjit_cache_format::{check_cache_dir, trusted_keys, user_signing_key, write_atomic, CacheReader, Error};

/// A new directory `name` in `root`, mode 0700.
fn private_dir(root: &Path, name: &str) -> PathBuf {
    let dir = root.join(name);
    fs::create_dir(&dir).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
    dir
}

#[test]
fn a_private_directory_passes_and_others_are_refused() {
    let root = tempfile::tempdir().unwrap();
    let dir = private_dir(root.path(), "cache");
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

/// `link/` and `link/.` name the link's target for lstat, but the link is refused
/// however the path is written; the directory itself may be written those ways.
#[test]
fn a_symlinked_directory_is_refused_however_the_path_is_written() {
    let root = tempfile::tempdir().unwrap();
    let dir = private_dir(root.path(), "cache");
    let link = root.path().join("link");
    symlink(&dir, &link).unwrap();
    for suffix in ["", "/", "/.", "/./", "//", "/.//./"] {
        let written = format!("{}{suffix}", link.display());
        match check_cache_dir(written.as_ref()) {
            Err(Error::UnsafeDirectory { reason, .. }) => assert_eq!(reason, "it is a symbolic link", "{written}"),
            other => panic!("{written}: {other:?}"),
        }
        check_cache_dir(format!("{}{suffix}", dir.display()).as_ref()).unwrap();
    }
    // Parent components are followed: only the directory itself is checked.
    private_dir(&dir, "sub");
    check_cache_dir(&link.join("sub")).unwrap();
}

/// Caches written under a umask that lets the group write are still private enough for
/// readers, which refuse group-writable files.
#[test]
fn caches_are_written_without_group_or_other_write_whatever_the_umask() {
    let root = tempfile::tempdir().unwrap();
    // SAFETY: umask cannot fail. This binary's other tests create no files whose mode
    // matters under either umask.
    let previous = unsafe { libc::umask(0o002) };
    let path = write_atomic(root.path(), "c", b"x");
    unsafe { libc::umask(previous) };
    let path = path.unwrap();
    assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o644);
    assert!(!matches!(CacheReader::open(&path), Err(Error::UnsafeFile { .. })));
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
