//! Lowering CPython bytecode to Cranelift IR.
//!
//! The lowering is written once, generic over `cranelift_module::Module`: the
//! run-time JIT hands it a `JITModule`, the object path (`PYJIT_VIA_OBJECT=1`,
//! and later `pyjit precompile`) an `ObjectModule`. Generated code never
//! contains a process address: constants and names are read through the
//! frame's code object, runtime functions and CPython data are imported
//! symbols resolved at load time (`symbols::resolve`).
//!
//! Shape of a compiled function: `extern "C" fn(tstate, frame) -> PyObject*`,
//! run on the interpreter frame CPython pushed. Locals live in the frame's
//! `localsplus` (so `locals()`, tracebacks and debuggers see them); the value
//! stack lives in Cranelift variables and is written to the frame only when
//! control leaves compiled code. `prev_instr` is kept exact before every call
//! that can run Python code or raise.
//!
//! Errors are not unwound in compiled code: at the failing instruction the
//! value stack is written back and the frame continues in CPython's own
//! interpreter with the exception pending (`exit_to_interpreter` with
//! `throwflag = 1`), which adds the traceback entry and runs the handler from
//! the exception table exactly as it always does. Exception handlers are
//! therefore never reached in compiled code.

pub mod isa;
mod lowering;
mod ops;
pub mod symbols;

pub use lowering::{compile_function, CodeInfo, CodegenError, Unsupported};

/// Where one compile's time went, in nanoseconds (`pyjit.stats()["compile_phase_ns"]`).
#[derive(Clone, Copy, Default)]
pub struct CompilePhases {
    /// Reading the code object: decoding `co_code` and the exception table.
    pub decode_ns: u64,
    /// Building the Cranelift IR.
    pub lower_ns: u64,
    /// Cranelift's `define_function`: verification, optimisation, register allocation, emission.
    pub cranelift_ns: u64,
    /// Making the code callable: finalizing the JIT module, or emitting and loading the object.
    pub link_ns: u64,
}

/// Nanoseconds since `started`.
pub fn elapsed_ns(started: std::time::Instant) -> u64 {
    started.elapsed().as_nanos() as u64
}
