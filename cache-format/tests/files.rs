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
fn public_key_others_could_replace_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let secret_path = dir.path().join("k");
    let public_path = write_key_pair(&secret_path, &signing_key()).unwrap();
    let link = dir.path().join("mounted.pub");
    symlink(&public_path, &link).unwrap();
    assert!(load_verifying_key(&link).is_ok());
    for writable in [0o664, 0o646] {
        fs::set_permissions(&public_path, fs::Permissions::from_mode(writable)).unwrap();
        for path in [&public_path, &link] {
            let error = load_verifying_key(path).unwrap_err();
            assert!(matches!(error, Error::UnsafeKeyFile { .. }), "{error}");
            assert!(error.to_string().contains("group or others may write"), "{error}");
        }
    }
    fs::set_permissions(&public_path, fs::Permissions::from_mode(0o644)).unwrap();
    // Owned by another user (only root can give a file away; others skip this part).
    if std::os::unix::fs::chown(&public_path, Some(54321), None).is_ok() {
        let error = load_verifying_key(&link).unwrap_err();
        assert!(error.to_string().contains("owned by uid 54321"), "{error}");
        std::os::unix::fs::chown(&public_path, Some(0), None).unwrap();
        assert!(load_verifying_key(&link).is_ok(), "a root-owned key is trusted");
    }
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

/// Runs `f` on another thread and fails if it has not returned within 10 s (a blocking
/// open would otherwise hang the test run).
fn without_blocking<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, result) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(f()));
    result
        .recv_timeout(std::time::Duration::from_secs(10))
        .unwrap_or_else(|_| panic!("{what} blocked"))
}

fn mkfifo(path: &std::path::Path) {
    let name = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
}

#[test]
fn fifos_and_devices_are_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    type Open = fn(&std::path::Path) -> Result<()>;
    let opens: [(&str, Open); 3] = [
        ("opening a cache", |path| CacheReader::open(path).map(drop)),
        ("loading a public key", |path| load_verifying_key(path).map(drop)),
        ("loading a secret key", |path| load_signing_key(path).map(drop)),
    ];
    for path in [fifo.clone(), "/dev/null".into(), "/dev/zero".into()] {
        for (what, open) in opens {
            let opened = {
                let path = path.clone();
                without_blocking(what, move || open(&path))
            };
            assert!(matches!(opened, Err(Error::NotRegularFile(_))), "{what} {path:?}: {opened:?}");
        }
    }
    assert_eq!(
        CacheReader::open(&fifo).err().unwrap().to_string(),
        format!("{}: not a regular file", fifo.display())
    );
    // The same inside a checked cache directory.
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700)).unwrap();
    let cache_dir = check_cache_dir(dir.path()).unwrap();
    let opened = without_blocking("opening a cache in a directory", move || {
        CacheReader::open_in(&cache_dir, "fifo").map(drop)
    });
    assert!(matches!(opened, Err(Error::NotRegularFile(_))), "{opened:?}");
}

#[test]
fn cache_files_others_may_write_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_atomic(dir.path(), "c", &build(&entries(), None)).unwrap();
    CacheReader::open(&path).unwrap();
    for mode in [0o664, 0o646, 0o666] {
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        let refused = CacheReader::open(&path).err().unwrap();
        assert!(matches!(refused, Error::UnsafeFile { .. }), "mode {mode:o}: {refused:?}");
        assert_eq!(
            refused.to_string(),
            format!("{}: refusing the cache file: group or others may write to it (mode {mode:o})", path.display())
        );
    }
    fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
    CacheReader::open(&path).unwrap();
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } == 0 {
        std::os::unix::fs::chown(&path, Some(65534), None).unwrap();
        let refused = CacheReader::open(&path).err().unwrap().to_string();
        assert!(refused.contains("owned by uid 65534, not by this user (uid 0)"), "{refused}");
    }
}

#[test]
fn a_file_truncated_under_the_reader_is_an_error_not_sigbus() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_atomic(dir.path(), "c", &build(&entries(), Some(&signing_key()))).unwrap();
    let reader = CacheReader::open(&path).unwrap();
    reader.verify(&[signing_key().verifying_key()]).unwrap();
    let (first, last) = (reader.iter().next().unwrap(), reader.iter().last().unwrap());
    // What another process can do to a file it may write: cut it in place.
    fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(first.blob_offset).unwrap();
    for row in [first, last] {
        let error = reader.read_entry(&row.key).unwrap_err().to_string();
        assert!(error.contains("truncated while in use"), "{error}");
    }
}

/// A sparse file: `len` bytes, `prefix` at the start, zeros (holes) after it.
fn sparse_file(path: &std::path::Path, prefix: &[u8], len: u64) {
    let file = fs::File::create(path).unwrap();
    std::io::Write::write_all(&mut &file, prefix).unwrap();
    file.set_len(len).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o600)).unwrap();
}

/// A header whose sections add up to `len` bytes: `entry_count` rows, the rest blobs.
fn plausible_header(entry_count: u64, len: u64) -> Vec<u8> {
    let mut header = b"PYJITCC\0".to_vec();
    header.extend_from_slice(&1u32.to_le_bytes());
    header.extend_from_slice(&0u32.to_le_bytes());
    header.extend_from_slice(&[0; 8]);
    header.extend_from_slice(&entry_count.to_le_bytes());
    header.extend_from_slice(&0u64.to_le_bytes());
    header.extend_from_slice(&(len - 48 - 80 * entry_count).to_le_bytes());
    header
}

#[test]
fn huge_files_are_refused_from_their_length_and_header_alone() {
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    // Larger than any cache may be, with a header that describes it exactly.
    let huge = dir.path().join("huge");
    let len = 2 * MAX_CACHE_FILE_LEN;
    sparse_file(&huge, &plausible_header(len / 80 - 1, len), len);
    let refused = CacheReader::open(&huge).err().unwrap();
    assert!(matches!(refused, Error::TooLarge(l) if l == len), "{refused:?}");
    assert!(refused.to_string().contains("more than the 1073741824 bytes (1 GiB)"), "{refused}");
    // Within the limit, but the header describes another length: refused before the
    // index is read.
    let lying = dir.path().join("lying");
    sparse_file(&lying, &plausible_header(1000, 100_000), MAX_CACHE_FILE_LEN);
    let refused = CacheReader::open(&lying).err().unwrap().to_string();
    assert!(refused.contains("its header describes 100000"), "{refused}");
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
}

#[test]
fn opening_a_file_refuses_exactly_what_parsing_its_bytes_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = build(&small_entries(), Some(&signing_key()));
    let mut variants: Vec<Vec<u8>> = (0..=bytes.len()).map(|len| bytes[..len].to_vec()).collect();
    variants.extend((0..bytes.len()).map(|position| {
        let mut damaged = bytes.clone();
        damaged[position] ^= 0x80;
        damaged
    }));
    for variant in variants {
        let path = write_atomic(dir.path(), "c", &variant).unwrap();
        let from_file = CacheReader::open(&path).and_then(|reader| {
            reader.verify(&[signing_key().verifying_key()])?;
            reader.iter().map(|row| reader.read_entry(&row.key)).collect::<Result<Vec<_>>>()
        });
        let from_bytes = CacheReader::parse(&variant[..]).and_then(|reader| {
            reader.verify(&[signing_key().verifying_key()])?;
            reader.iter().map(|row| reader.read_entry(&row.key)).collect::<Result<Vec<_>>>()
        });
        assert_eq!(
            from_file.map_err(|e| e.to_string()),
            from_bytes.map_err(|e| e.to_string()),
            "{} bytes",
            variant.len()
        );
    }
}

/// `.NAME.PID.NONCE.tmp` (or `.NAME.NONCE.tmp` without a PID) in `dir`, last modified
/// `age` ago.
fn temp_file(dir: &std::path::Path, name: &str, age: std::time::Duration) -> std::path::PathBuf {
    let path = dir.join(name);
    let file = fs::File::create(&path).unwrap();
    file.set_modified(std::time::SystemTime::now() - age).unwrap();
    path
}

#[test]
fn write_atomic_removes_temporary_files_of_dead_writers() {
    let dir = tempfile::tempdir().unwrap();
    let minutes = |n: u64| std::time::Duration::from_secs(60 * n);
    let mut child = std::process::Command::new("true").spawn().unwrap();
    child.wait().unwrap();
    let (dead, alive) = (child.id(), std::process::id());
    let nonce = "0123456789abcdef";
    let removed = [
        temp_file(dir.path(), &format!(".c.{dead}.{nonce}.tmp"), minutes(2)),
        temp_file(dir.path(), &format!(".c.{alive}.{nonce}.tmp"), minutes(61)),
        temp_file(dir.path(), &format!(".c.{nonce}.tmp"), minutes(61)),
    ];
    let kept = [
        // The writer may be in another PID namespace, still writing.
        temp_file(dir.path(), &format!(".c.{dead}.fedcba9876543210.tmp"), minutes(0)),
        // A live writer.
        temp_file(dir.path(), &format!(".c.{alive}.fedcba9876543210.tmp"), minutes(2)),
        temp_file(dir.path(), &format!(".c.{nonce}.tmp.keep"), minutes(120)),
        temp_file(dir.path(), &format!(".other.{dead}.{nonce}.tmp"), minutes(120)),
        temp_file(dir.path(), &format!(".c.x.{nonce}.tmp"), minutes(120)),
        temp_file(dir.path(), ".c.0123.tmp", minutes(120)),
    ];
    write_atomic(dir.path(), "c", b"new").unwrap();
    for path in removed {
        assert!(!path.exists(), "{path:?} left behind");
    }
    for path in kept {
        assert!(path.exists(), "{path:?} removed");
    }
    assert_eq!(fs::read(dir.path().join("c")).unwrap(), b"new");
}

#[test]
fn write_atomic_refuses_more_than_a_reader_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let too_big = vec![0; MAX_CACHE_FILE_LEN as usize + 1];
    assert!(matches!(write_atomic(dir.path(), "c", &too_big), Err(Error::TooLarge(_))));
    assert!(!dir.path().join("c").exists());
}
