//! Naming native code for tools: `PYJIT_PERF_MAP=1` writes a line `START SIZE
//! pyjit:QUALNAME (FILE:LINE)` to `/tmp/perf-PID.map` for every native code attached,
//! the format in which `perf report` learns the names of JIT-compiled code, and every
//! native code is described to debuggers under the same name (`link::gdb`).

use crate::config;
use crate::link::{NativeCode, ENTRY_SYMBOL};
use pyo3::ffi::PyCodeObject;
use pyo3::prelude::*;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::sync::Mutex;

/// The map file and the process it belongs to: a forked child inherits it and must
/// open its own. Written only with the GIL held, so a fork (which Python does holding
/// the GIL) never finds it locked.
static MAP: Mutex<Option<(u32, File)>> = Mutex::new(None);

/// The name compiled code of `code` gets in its module: `pyjit:QUALNAME
/// (FILE:LINE)` while a perf map is wanted (`perf record` makes
/// cranelift-jit write the module's names to the same map, and perf keeps
/// one name per address), else `link::ENTRY_SYMBOL`.
pub fn function_name(code: *mut PyCodeObject) -> String {
    if config::perf_map() { format!("pyjit:{}", describe_code(code)) } else { ENTRY_SYMBOL.to_owned() }
}

/// `QUALNAME (FILE:LINE)` of `code`, a live code object.
fn describe_code(code: *mut PyCodeObject) -> String {
    // SAFETY: the runtime calls this with the GIL held, as it runs frames, also while
    // the interpreter finalizes (weakref callbacks and `__del__` run then), when
    // `Python::attach` would refuse; callers pass a live code object.
    let code = unsafe { Bound::from_borrowed_ptr(Python::assume_attached(), code.cast()) };
    describe(&code).unwrap_or_else(|_| "<unknown>".to_owned())
}

/// Names `native`, the code of `code`, to debuggers, and in the perf map if one is
/// wanted.
pub fn record(code: *mut PyCodeObject, native: &mut NativeCode) {
    let name = describe_code(code);
    native.describe_to_debuggers(&format!("pyjit:{name}"));
    if !config::perf_map() {
        return;
    }
    let mut line = format!("{:x} {:x} pyjit:{name}\n", native.entry() as usize, native.size());
    if let Some((entry, size)) = native.frameless_entry() {
        line += &format!("{:x} {:x} pyjit:{name} [frameless]\n", entry as usize, size);
    }
    let mut map = MAP.lock().unwrap_or_else(|e| e.into_inner());
    let pid = std::process::id();
    if map.as_ref().is_none_or(|(owner, _)| *owner != pid) {
        let path = format!("/tmp/perf-{pid}.map");
        *map = OpenOptions::new().create(true).append(true).open(path).ok().map(|file| (pid, file));
    }
    // A perf map is a profiling aid: failing to write it must not change how the
    // program runs, so errors are dropped.
    if let Some((_, file)) = map.as_mut() {
        let _ = file.write_all(line.as_bytes());
    }
}

/// `QUALNAME (FILE:LINE)` of a code object.
fn describe(code: &Bound<'_, PyAny>) -> PyResult<String> {
    let qualname: String = code.getattr("co_qualname")?.extract()?;
    let filename: String = code.getattr("co_filename")?.extract()?;
    let line: u32 = code.getattr("co_firstlineno")?.extract()?;
    Ok(format!("{qualname} ({filename}:{line})"))
}
