//! The functions compiled code calls, and the table of their symbols.
//!
//! This stage sits below `codegen`: the lowering names these functions by
//! symbol (`symbols::resolve` is the allow-list both the JIT and the object
//! loader link against, so `pyjit precompile` output links the same way),
//! and nothing here knows how code is generated. One file per opcode family
//! (as `codegen::ops`), `ceval` for ports of `ceval.c`'s static helpers, and
//! `exits` for leaving compiled code.
//!
//! Conventions: every parameter and result is pointer-sized; object results
//! are new references or NULL with an exception set; status results are
//! negative with an exception set. Unless a function says otherwise it
//! consumes (decrefs) the stack items passed to it, as the interpreter's
//! instruction does, including on error.

pub mod attrs;
pub mod builders;
pub mod caches;
pub mod calls;
pub mod ceval;
pub mod control;
pub mod dunders;
pub mod exits;
pub mod frames;
pub mod instances;
pub mod locals;
pub mod math;
pub mod names;
pub mod operators;
pub mod suspend;
pub mod symbols;

/// Vectorcall's flag for "`args[-1]` may be overwritten" (`cpython/abstract.h`).
const PY_VECTORCALL_ARGUMENTS_OFFSET: usize = 1 << (usize::BITS - 1);
