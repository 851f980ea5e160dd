//! What a cache was built for, and whether a host can run it.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::key::to_hex;
use crate::{Error, Result};

/// Everything outside the code objects that decides whether cached code can run on a host.
///
/// The writer records the values the code was compiled for; the loader describes the host
/// with the same type and calls [`CacheReader::check_compat`](crate::CacheReader::check_compat).
/// On disk this is the manifest (see `SPEC.md`).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct CompatInfo {
    /// pyjit's version and anything else identifying the compiler (git revision,
    /// Cranelift version), e.g. `0.1.0+g1a2b3c4 cranelift-0.135.8`. Must be equal.
    pub pyjit_version: String,
    /// CPython's `sys.hexversion` (`PY_VERSION_HEX`). Must be equal.
    pub cpython_hexversion: u32,
    /// CPython's bytecode magic number, the little-endian u16 that starts
    /// `importlib.util.MAGIC_NUMBER` (3495 for 3.11 final). Must be equal.
    pub cpython_magic: u16,
    /// Target triple, e.g. `x86_64-unknown-linux-gnu`. Must be equal.
    pub target_triple: String,
    /// Fingerprint of the codegen settings that are not CPU features (e.g. blake3 of
    /// Cranelift's shared flags). Must be equal.
    pub codegen_flags: [u8; 32],
    /// In a cache: the CPU features the code needs. For a host: the features it has.
    /// The cache's set must be a subset of the host's. Names are the caller's (e.g.
    /// Cranelift's `has_avx2`).
    pub cpu_features: BTreeSet<String>,
}

/// A field of [`CompatInfo`] that must be equal between cache and host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompatField {
    /// [`CompatInfo::pyjit_version`].
    PyjitVersion,
    /// [`CompatInfo::cpython_hexversion`].
    CpythonVersion,
    /// [`CompatInfo::cpython_magic`].
    CpythonMagic,
    /// [`CompatInfo::target_triple`].
    TargetTriple,
    /// [`CompatInfo::codegen_flags`].
    CodegenFlags,
}

impl fmt::Display for CompatField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CompatField::PyjitVersion => "pyjit version",
            CompatField::CpythonVersion => "CPython version",
            CompatField::CpythonMagic => "CPython bytecode magic",
            CompatField::TargetTriple => "target triple",
            CompatField::CodegenFlags => "codegen flags",
        })
    }
}

impl CompatInfo {
    /// Checks that code built for `self` can run on `host`: every field equal, except
    /// that `host.cpu_features` may be a superset. Fields are checked in declaration
    /// order and the first mismatch is reported.
    pub fn check_host(&self, host: &CompatInfo) -> Result<()> {
        let equal_fields = [
            (
                CompatField::PyjitVersion,
                self.pyjit_version.clone(),
                host.pyjit_version.clone(),
            ),
            (
                CompatField::CpythonVersion,
                format!("{:#010x}", self.cpython_hexversion),
                format!("{:#010x}", host.cpython_hexversion),
            ),
            (
                CompatField::CpythonMagic,
                self.cpython_magic.to_string(),
                host.cpython_magic.to_string(),
            ),
            (
                CompatField::TargetTriple,
                self.target_triple.clone(),
                host.target_triple.clone(),
            ),
            (
                CompatField::CodegenFlags,
                to_hex(&self.codegen_flags),
                to_hex(&host.codegen_flags),
            ),
        ];
        if let Some((field, cache, host)) = equal_fields
            .into_iter()
            .find(|(_, cache, host)| cache != host)
        {
            return Err(Error::Incompatible { field, cache, host });
        }
        let missing: Vec<String> = self
            .cpu_features
            .difference(&host.cpu_features)
            .cloned()
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(Error::MissingCpuFeatures { missing })
        }
    }
}
