//! Lowering CPython bytecode to Cranelift IR.
//!
//! The lowering is written once, generic over `cranelift_module::Module`: the
//! run-time JIT hands it a `JITModule`, the object path (`PYJIT_VIA_OBJECT=1`,
//! and later `pyjit precompile`) an `ObjectModule`. Generated code never
//! contains a process address: constants and names are read through the
//! frame's code object, runtime functions and CPython data are imported
//! symbols resolved at load time (`helpers::symbols::resolve`).
//!
//! Shape of a compiled function: `extern "C" fn(tstate, frame) -> PyObject*`,
//! run on the interpreter frame CPython pushed. Locals live in the frame's
//! `localsplus` (so `locals()`, tracebacks and debuggers see them); the value
//! stack lives in Cranelift variables and is written to the frame only when
//! control leaves compiled code. `prev_instr` is kept exact before every call
//! that can run Python code or raise.
//!
//! An error unwinds to its handler in compiled code when that handler is
//! compiled (`pyjit_catch` adds the traceback entry and cuts the stack as
//! the interpreter's `exception_unwind` does); otherwise the value stack is
//! written back and the frame continues in CPython's own interpreter with the
//! exception pending (`exit_to_interpreter` with `throwflag = 1`).

pub mod isa;
mod lowering;
mod ops;

pub use lowering::{compile_function, compile_function_listed, CodegenError, Compiled, OsrEntry, Variant, FRAMELESS_SUFFIX};
