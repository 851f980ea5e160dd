//! What this build and host generate code for: the manifest of caches written here, and
//! what caches read here must match.

use crate::codegen::isa;
use cranelift_codegen::isa::OwnedTargetIsa;
use pyjit_cache_format::CompatInfo;
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// pyjit's version and the identity of its compiler (sources and Cranelift version).
pub const PYJIT_VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " ", env!("PYJIT_COMPILER_ID"));

/// This process's build and host. Cached code needs every CPU feature the compiling host's
/// Cranelift ISA had enabled.
pub fn host() -> &'static CompatInfo {
    static HOST: OnceLock<CompatInfo> = OnceLock::new();
    HOST.get_or_init(|| {
        let isa = isa::host();
        // SAFETY: plain reads of libpython data and an attribute lookup in the import
        // machinery, made with the GIL held (every caller holds it).
        let (hexversion, magic) =
            unsafe { (pyo3::ffi::Py_Version as u32, (pyo3::ffi::PyImport_GetMagicNumber() & 0xffff) as u16) };
        CompatInfo {
            pyjit_version: PYJIT_VERSION.to_owned(),
            cpython_hexversion: hexversion,
            cpython_magic: magic,
            target_triple: isa.triple().to_string(),
            codegen_flags: *blake3::hash(codegen_flags(isa).as_bytes()).as_bytes(),
            cpu_features: isa
                .isa_flags()
                .iter()
                .filter(|flag| flag.as_bool() == Some(true))
                .map(|flag| flag.name.to_owned())
                .collect::<BTreeSet<_>>(),
        }
    })
}

/// The Cranelift settings that shape generated code, one `name=value` a line: all of
/// them but the IR verifier, which only checks (so `PYJIT_VERIFY=1` keeps caches usable).
fn codegen_flags(isa: &OwnedTargetIsa) -> String {
    isa.flags()
        .iter()
        .filter(|flag| flag.name != "enable_verifier")
        .map(|flag| format!("{}={}\n", flag.name, flag.value_string()))
        .collect()
}
