//! The code cache seen from the runtime: keys of live code objects (`key`), the build a
//! cache is for (`compat`), writing caches (`precompile`), and attaching cached code as code objects first run (`attach`).

pub mod attach;
pub mod compat;
pub mod key;
pub mod precompile;

pub use pyjit_cache_format::CACHE_FILE_NAME as CACHE_FILE;
