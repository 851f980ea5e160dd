//! Making lowered code callable: compiling through cranelift-jit or through
//! an object file, loading relocatable objects (ours, or the code cache's)
//! against the symbol allow-list, and freeing native code again. Both the
//! runtime and the code cache link through here.

mod code_memory;
pub mod gdb;
pub mod loader;
mod native;

pub use native::*;

pub use crate::helpers::calls::Entry;
