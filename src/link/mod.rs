//! Making lowered code callable: compiling through cranelift-jit or through
//! an object file, loading relocatable objects (ours, or the code cache's)
//! against the symbol allow-list, and freeing native code again. Both the
//! runtime and the code cache link through here.

pub mod loader;
mod native;

pub use native::*;

use crate::abi::{Frame, ThreadState};
use pyo3::ffi::PyObject;

/// The signature of every compiled function: it runs `frame` on `tstate`,
/// with `data` the code's data block (`NativeCode::data`).
pub type Entry = unsafe extern "C" fn(*mut ThreadState, *mut Frame, *mut u64) -> *mut PyObject;
