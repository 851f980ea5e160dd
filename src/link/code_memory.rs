//! Executable memory for loaded objects.
//!
//! Code goes into shared chunks: a memory file (`memfd`) of `CHUNK_BYTES`, mapped once,
//! read+execute, and written through the file (`pwrite`), so installing a function costs
//! one system call and no change to the address space, small functions share pages, and
//! no mapping is ever writable and executable. The bytes of a function are written once,
//! before its address is handed out, at offsets no function has used before (a chunk is
//! filled front to back and never reused); x86-64 keeps instruction fetch coherent with
//! stores, so that is all running them takes. A chunk is unmapped when no function in it
//! is left and it is no longer being filled.
//!
//! Each function gets its own anonymous mapping instead, written and then made
//! read+execute (`mprotect`, which also synchronizes the instruction cache where that
//! takes an explicit step, as on aarch64): on other architectures than x86-64, where a
//! memory file cannot be mapped executable (a kernel without `memfd_create`, a
//! `vm.memfd_noexec` policy, a security module), and while the perf map is on: `perf`
//! names samples in a file mapping after the file (here a deleted memory file) and reads
//! `/tmp/perf-PID.map` only for anonymous memory.

use crate::config;
use memmap2::{Mmap, MmapOptions};
use std::cell::Cell;
use std::fs::File;
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Bytes of each shared chunk: address space only, until code is written into it.
const CHUNK_BYTES: usize = 1 << 20;
/// The largest alignment a block may ask for (chunks and mappings start on a page).
pub const MAX_ALIGN: usize = 4096;
/// The largest fill buffer a thread keeps between installs.
const KEPT_FILL_BUFFER: usize = 1 << 20;

thread_local! {
    /// The memory `install` has code filled in before writing it to a chunk, kept from
    /// one install to the next: a new buffer for each came from fresh pages (the
    /// allocator gives freed memory back), which took as long to fault in as the copy.
    static FILL_BUFFER: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// Executable bytes holding one loaded object; released on drop.
pub struct CodeMemory {
    address: usize,
    /// Keeps the chunk (or the function's own mapping) mapped.
    _backing: Backing,
}

enum Backing {
    Shared { _chunk: Arc<Chunk> },
    Own { _map: Mmap },
}

impl CodeMemory {
    /// The address of the first byte.
    pub fn address(&self) -> *const u8 {
        self.address as *const u8
    }
}

/// One memory file and its read+execute mapping.
struct Chunk {
    /// Taken only on drop.
    file: Option<File>,
    map: Mmap,
    /// The process that created the chunk: after `fork` the child shares the file with
    /// its parent, so only the creator may write into it.
    owner: u32,
    /// The file's device and inode, to check that the descriptor still refers to it.
    identity: (u64, u64),
}

impl Chunk {
    /// Whether this process may write code into the chunk: it made it, and `file`'s
    /// descriptor still refers to the memory file. Code that closes every descriptor it
    /// did not open (as daemonizing does) closes this one too, and the number may
    /// since refer to a file the program opened, which must never receive code.
    fn writable_here(&self, pid: u32) -> bool {
        self.owner == pid && refers_to(self.file(), self.identity)
    }

    fn file(&self) -> &File {
        self.file.as_ref().expect("taken only on drop")
    }
}

impl Drop for Chunk {
    fn drop(&mut self) {
        let file = self.file.take().expect("taken only here");
        if !refers_to(&file, self.identity) {
            // The number now belongs to another file of the program's (see
            // `writable_here`): leave that open.
            let _ = file.into_raw_fd();
        }
    }
}

/// Whether `file`'s descriptor refers to the file with `identity` (device, inode).
fn refers_to(file: &File, identity: (u64, u64)) -> bool {
    file.metadata().is_ok_and(|meta| (meta.dev(), meta.ino()) == identity)
}

struct Filling {
    chunk: Arc<Chunk>,
    used: usize,
}

/// The chunk being filled; None before the first install, and after a chunk could not
/// be made (then every later install uses its own mapping).
static FILLING: Mutex<Option<Filling>> = Mutex::new(None);
static SHARED_UNAVAILABLE: AtomicBool = AtomicBool::new(false);

/// Installs `len` bytes of code at an address aligned to `align` (a power of two, at
/// most `MAX_ALIGN`): `fill` gets zeroed bytes and the address they will run at, and
/// writes the code (relocated for that address). Its error is returned as is.
pub fn install<E: From<String>>(
    len: usize,
    align: usize,
    fill: impl FnOnce(&mut [u8], u64) -> Result<(), E>,
) -> Result<CodeMemory, E> {
    debug_assert!(align.is_power_of_two() && align <= MAX_ALIGN);
    let len = len.max(1);
    let shared = cfg!(target_arch = "x86_64") && !SHARED_UNAVAILABLE.load(Ordering::Relaxed) && !config::perf_map();
    if len <= CHUNK_BYTES && shared {
        if let Some((chunk, offset)) = reserve(len, align) {
            let address = chunk.map.as_ptr() as usize + offset;
            let mut bytes = FILL_BUFFER.take();
            bytes.clear();
            bytes.resize(len, 0);
            let written = fill(&mut bytes, address as u64).and_then(|()| {
                chunk.file().write_all_at(&bytes, offset as u64).map_err(|e| format!("cannot write code: {e}").into())
            });
            if bytes.capacity() <= KEPT_FILL_BUFFER {
                FILL_BUFFER.set(bytes);
            }
            written?;
            return Ok(CodeMemory { address, _backing: Backing::Shared { _chunk: chunk } });
        }
    }
    install_own(len, fill)
}

/// `len` bytes at `align` in the chunk being filled (a new one if it is full or may not
/// be written here, see `Chunk::writable_here`), with the offset; None if no chunk can
/// be made.
fn reserve(len: usize, align: usize) -> Option<(Arc<Chunk>, usize)> {
    let mut filling = FILLING.lock().unwrap_or_else(|e| e.into_inner());
    let pid = std::process::id();
    let fits = |f: &Filling| f.used.next_multiple_of(align) + len <= CHUNK_BYTES && f.chunk.writable_here(pid);
    if !filling.as_ref().is_some_and(fits) {
        match new_chunk(pid) {
            Some(chunk) => *filling = Some(Filling { chunk: Arc::new(chunk), used: 0 }),
            None => {
                SHARED_UNAVAILABLE.store(true, Ordering::Relaxed);
                *filling = None;
                return None;
            }
        }
    }
    let filling = filling.as_mut().expect("made above");
    let offset = filling.used.next_multiple_of(align);
    filling.used = offset + len;
    Some((filling.chunk.clone(), offset))
}

fn new_chunk(owner: u32) -> Option<Chunk> {
    let name = c"pyjit-code";
    // MFD_EXEC: where `vm.memfd_noexec` makes memory files non-executable by default, ask
    // for an executable one; kernels before 6.3 reject the flag, so try again without.
    // SAFETY: `name` is a NUL-terminated string; the flags are valid memfd flags.
    let mut fd = unsafe { libc::memfd_create(name.as_ptr(), libc::MFD_CLOEXEC | libc::MFD_EXEC) };
    if fd < 0 {
        // SAFETY: as above.
        fd = unsafe { libc::memfd_create(name.as_ptr(), libc::MFD_CLOEXEC) };
    }
    if fd < 0 {
        return None;
    }
    // SAFETY: `fd` is a new descriptor nothing else owns.
    let file = unsafe { File::from_raw_fd(fd) };
    file.set_len(CHUNK_BYTES as u64).ok()?;
    // SAFETY: the file is private to this process (until a fork, after which only its
    // creator writes it, and only at offsets not yet handed out) and never shrinks, so
    // the mapping stays valid and what has been handed out of it never changes.
    let map = unsafe { MmapOptions::new().len(CHUNK_BYTES).map_exec(file.as_raw_fd()) }.ok()?;
    let meta = file.metadata().ok()?;
    Some(Chunk { identity: (meta.dev(), meta.ino()), file: Some(file), map, owner })
}

/// `len` bytes in a mapping of their own, filled while writable and then made read+execute.
fn install_own<E: From<String>>(len: usize, fill: impl FnOnce(&mut [u8], u64) -> Result<(), E>) -> Result<CodeMemory, E> {
    // Populated at once: `fill` writes every page, and faulting them in one by one costs more.
    let mut map = MmapOptions::new().len(len).populate().map_anon().map_err(|e| format!("cannot map memory: {e}"))?;
    let address = map.as_ptr() as usize;
    fill(&mut map, address as u64)?;
    let map = map.make_exec().map_err(|e| format!("cannot make code executable: {e}"))?;
    Ok(CodeMemory { address, _backing: Backing::Own { _map: map } })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(memory: &CodeMemory, len: usize) -> Vec<u8> {
        // SAFETY: the test installed `len` readable bytes at `address`.
        unsafe { std::slice::from_raw_parts(memory.address(), len) }.to_vec()
    }

    #[test]
    fn installed_bytes_are_readable_at_the_address_fill_was_given() {
        let mut given = Vec::new();
        let blocks: Vec<CodeMemory> = (0..3u8)
            .map(|i| {
                install::<String>(100 + i as usize, 64, |bytes, address| {
                    bytes.fill(i + 1);
                    given.push(address);
                    Ok(())
                })
                .unwrap()
            })
            .collect();
        for (i, block) in blocks.iter().enumerate() {
            assert_eq!(block.address() as u64, given[i]);
            assert_eq!(block.address() as usize % 64, 0);
            assert_eq!(read(block, 100 + i), vec![i as u8 + 1; 100 + i]);
        }
    }

    #[test]
    fn code_larger_than_a_chunk_and_own_mappings_work_too() {
        let big = install::<String>(CHUNK_BYTES + 1, 16, |bytes, _| {
            bytes[CHUNK_BYTES] = 7;
            Ok(())
        })
        .unwrap();
        assert_eq!(read(&big, CHUNK_BYTES + 1)[CHUNK_BYTES], 7);
        let own = install_own::<String>(10, |bytes, address| {
            bytes[9] = address as u8;
            Ok(())
        })
        .unwrap();
        assert_eq!(read(&own, 10)[9], own.address() as u8);
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn installed_code_runs_from_a_shared_chunk_and_from_its_own_mapping() {
        // mov eax, imm32; ret
        let returning = |value: u8| move |bytes: &mut [u8], _| -> Result<(), String> {
            bytes.copy_from_slice(&[0xb8, value, 0, 0, 0, 0xc3]);
            Ok(())
        };
        let shared = install(6, 16, returning(42)).unwrap();
        let own = install_own(6, returning(7)).unwrap();
        for (memory, expected) in [(&shared, 42), (&own, 7)] {
            // SAFETY: the memory holds a complete function with the C ABI that takes no
            // arguments and returns an i32.
            let function = unsafe { std::mem::transmute::<*const u8, extern "C" fn() -> i32>(memory.address()) };
            assert_eq!(function(), expected);
        }
    }

    #[test]
    fn a_failed_fill_returns_its_error() {
        let failed = install::<String>(10, 16, |_, _| Err("refused".to_owned()));
        assert_eq!(failed.err().as_deref(), Some("refused"));
    }
}
