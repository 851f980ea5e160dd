//! Loading relocatable code: the path every cached function takes, and the
//! one run-time compiles take with `PYJIT_VIA_OBJECT=1`.

pub mod loader;
