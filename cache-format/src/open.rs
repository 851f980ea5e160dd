//! Opening cache directories, cache files and key files (`SPEC.md` §9, step 1): never
//! through a symbolic link where the spec forbids one, never blocking on a FIFO or a
//! device, and never trusting what only a path name said.

use std::ffi::CString;
use std::fs::{File, Metadata, OpenOptions};
use std::io;
use std::ops::Range;
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The largest cache file a reader accepts, and a writer writes: 1 GiB (`SPEC.md` §9).
pub const MAX_CACHE_FILE_LEN: u64 = 1 << 30;

/// A cache directory that passed [`check_cache_dir`](crate::check_cache_dir), held open:
/// files in it are opened relative to this descriptor, so renaming or replacing the
/// path after the check does not change which directory they come from.
#[derive(Debug)]
pub struct CacheDir {
    dir: File,
    path: PathBuf,
}

impl CacheDir {
    /// Opens `path` as a directory without following a symbolic link in its last
    /// component. Trailing `/` and `/.` components are removed first (`link/` and
    /// `link/.` name `link`, which must not be a symbolic link); parent components are
    /// followed. Does not check owner or mode: see [`check_cache_dir`](crate::check_cache_dir).
    pub(crate) fn open(path: &Path) -> Result<(CacheDir, Metadata)> {
        let refuse = |reason: &str| Error::UnsafeDirectory { path: path.to_owned(), reason: reason.to_owned() };
        let dir = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW)
            .open(without_trailing_dots(path))
            .map_err(|error| match error.raw_os_error() {
                // O_DIRECTORY|O_NOFOLLOW on a symbolic link gives ENOTDIR (or ELOOP).
                Some(libc::ENOTDIR | libc::ELOOP) => {
                    match std::fs::symlink_metadata(without_trailing_dots(path)) {
                        Ok(meta) if meta.file_type().is_symlink() => refuse("it is a symbolic link"),
                        _ => refuse("it is not a directory"),
                    }
                }
                _ => Error::io(path)(error),
            })?;
        let meta = dir.metadata().map_err(Error::io(path))?;
        Ok((CacheDir { dir, path: path.to_owned() }, meta))
    }

    /// The directory's path, as given.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// `path` without trailing `/` and `/.` components: `a/`, `a/.` and `a/./` become `a`,
/// `/.` becomes `/`, `./` becomes `.`. Nothing else changes (`a/..` stays).
fn without_trailing_dots(path: &Path) -> &Path {
    let mut bytes = path.as_os_str().as_bytes();
    // Drop a trailing `/` (unless it is the root) or the `.` of a trailing `/.`.
    while (bytes.len() > 1 && bytes.ends_with(b"/")) || bytes.ends_with(b"/.") {
        bytes = &bytes[..bytes.len() - 1];
    }
    Path::new(std::ffi::OsStr::from_bytes(bytes))
}

/// Why a file or directory that someone other than this user could have written to is
/// refused, or `None`: it must be owned by the effective user and not be writable by
/// group or others.
pub(crate) fn writable_by_others(meta: &Metadata) -> Option<String> {
    writable_by_others_than(meta, Owners::ThisUser)
}

/// Who may own a file pyjit trusts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owners {
    /// The effective user only: caches, and directories pyjit writes.
    ThisUser,
    /// The effective user or root: public key files, which the system often installs
    /// (mounted secrets, keys shipped in an image) and only root could then replace.
    ThisUserOrRoot,
}

/// As [`writable_by_others`], with root also allowed as the owner when `owners` says so.
pub(crate) fn writable_by_others_than(meta: &Metadata, owners: Owners) -> Option<String> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    #[allow(unsafe_code)]
    let uid = unsafe { libc::geteuid() };
    let root_owned = owners == Owners::ThisUserOrRoot && meta.uid() == 0;
    if meta.uid() != uid && !root_owned {
        let allowed = match owners {
            Owners::ThisUser => format!("this user (uid {uid})"),
            Owners::ThisUserOrRoot => format!("this user (uid {uid}) or root"),
        };
        return Some(format!("it is owned by uid {}, not by {allowed}", meta.uid()));
    }
    if meta.mode() & 0o022 != 0 {
        return Some(format!("group or others may write to it (mode {:o})", meta.mode() & 0o7777));
    }
    None
}

/// Whether [`open_regular`] follows a symbolic link in the last component of the path.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Symlinks {
    /// Refuse it ([`Error::Symlink`]): cache files.
    Refuse,
    /// Follow it: key files, which users name themselves and often keep behind links
    /// (mounted secrets).
    Follow,
}

/// Opens `path` (relative to `dir` when given) read-only as a regular file, and returns
/// it with its `fstat` metadata. The open never blocks: a FIFO or a device is opened
/// with `O_NONBLOCK` (and `O_NOCTTY`), found by `fstat` not to be a regular file, and
/// refused ([`Error::NotRegularFile`]) without reading from it.
pub(crate) fn open_regular(dir: Option<&CacheDir>, path: &Path, symlinks: Symlinks) -> Result<(File, Metadata)> {
    let shown = dir.map_or_else(|| path.to_owned(), |dir| dir.path.join(path));
    let mut flags = libc::O_RDONLY | libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC;
    if symlinks == Symlinks::Refuse {
        flags |= libc::O_NOFOLLOW;
    }
    let opened = match dir {
        None => OpenOptions::new().read(true).custom_flags(flags).open(path),
        Some(dir) => open_at(&dir.dir, path, flags),
    };
    let file = opened.map_err(|error| match error.raw_os_error() {
        Some(libc::ELOOP) if symlinks == Symlinks::Refuse => Error::Symlink(shown.clone()),
        _ => Error::io(&shown)(error),
    })?;
    let meta = file.metadata().map_err(Error::io(&shown))?;
    if !meta.is_file() {
        return Err(Error::NotRegularFile(shown));
    }
    clear_nonblocking(&file).map_err(Error::io(&shown))?;
    Ok((file, meta))
}

/// `openat(dir, path, flags)`.
fn open_at(dir: &File, path: &Path, flags: i32) -> io::Result<File> {
    let path = CString::new(path.as_os_str().as_bytes()).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: `dir` is an open descriptor and `path` a NUL-terminated string, both alive
    // for the call; the flags create nothing, so no mode argument is needed.
    #[allow(unsafe_code)]
    let fd = unsafe { libc::openat(dir.as_raw_fd(), path.as_ptr(), flags) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` was just opened and is owned by nobody else.
    #[allow(unsafe_code)]
    Ok(unsafe { File::from_raw_fd(fd) })
}

/// Clears `O_NONBLOCK` (which regular files ignore, but later readers should not see).
fn clear_nonblocking(file: &File) -> io::Result<()> {
    // SAFETY: F_GETFL and F_SETFL on an open descriptor have no memory effects.
    #[allow(unsafe_code)]
    unsafe {
        let flags = libc::fcntl(file.as_raw_fd(), libc::F_GETFL);
        if flags < 0 || libc::fcntl(file.as_raw_fd(), libc::F_SETFL, flags & !libc::O_NONBLOCK) < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// An open cache file, read with `pread` on demand instead of mapped: a file truncated
/// while in use makes a read fail with an error (a refusal), where reading a mapping
/// past the new end of the file would kill the process with SIGBUS.
#[derive(Debug)]
pub struct CacheFile {
    file: File,
    len: u64,
    path: PathBuf,
}

impl CacheFile {
    /// Opens the cache file at `path` (relative to `dir` when given): refuses a symbolic
    /// link, anything but a regular file (without blocking on a FIFO or device), a file
    /// owned by another user or writable by group or others, and a file longer than
    /// [`MAX_CACHE_FILE_LEN`]. Reads nothing.
    pub(crate) fn open(dir: Option<&CacheDir>, path: &Path) -> Result<CacheFile> {
        let (file, meta) = open_regular(dir, path, Symlinks::Refuse)?;
        let path = dir.map_or_else(|| path.to_owned(), |dir| dir.path.join(path));
        if let Some(reason) = writable_by_others(&meta) {
            return Err(Error::UnsafeFile { path, reason });
        }
        if meta.len() > MAX_CACHE_FILE_LEN {
            return Err(Error::TooLarge(meta.len()));
        }
        Ok(CacheFile { file, len: meta.len(), path })
    }

    /// The length of the file when it was opened.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file was empty when it was opened.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Copies `range` of the file into private memory, `into` (whose contents are
    /// replaced). A file that has become shorter since it was opened gives an error.
    pub(crate) fn read_into(&self, range: Range<usize>, into: &mut Vec<u8>) -> Result<()> {
        into.clear();
        into.resize(range.len(), 0);
        self.file.read_exact_at(into, range.start as u64).map_err(|error| {
            let error = match error.kind() {
                io::ErrorKind::UnexpectedEof => io::Error::other("the file was truncated while in use"),
                _ => error,
            };
            Error::io(&self.path)(error)
        })
    }
}
