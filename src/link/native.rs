//! Turning lowered code into callable native code, through cranelift-jit or
//! through an object file and pyjit's loader, and freeing it again.

use super::{gdb, Entry};
use crate::bytecode::{self, CodeInfo, Unsupported};
use crate::profile::Profile;
use crate::codegen::{self, isa, CodegenError, OsrEntry, Variant, FRAMELESS_SUFFIX};
use crate::config::{self, Optimizations};
use crate::helpers::symbols;
use crate::link::loader::{self, LoadedObject};
use crate::stats::{elapsed_ns, CompilePhases};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::default_libcall_names;
use cranelift_object::{ObjectBuilder, ObjectModule};
use std::cell::Cell;
use std::time::Instant;

/// The name of the compiled function in its module or object file.
pub const ENTRY_SYMBOL: &str = "pyjit_code";

/// Where native code came from.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Compiled in this process.
    Jit,
    /// Loaded from the code cache.
    Cache,
}

impl Source {
    /// The name `pyjit.info()` reports.
    pub fn name(self) -> &'static str {
        match self {
            Source::Jit => "jit",
            Source::Cache => "cache",
        }
    }
}

/// Native code for one code object.
pub struct NativeCode {
    entry: Entry,
    size: usize,
    /// The frameless variant (`Variant::Frameless`, codegen/lowering.rs), which takes the
    /// same arguments, and its size.
    frameless: Option<(Entry, usize)>,
    source: Source,
    /// Loop headers where a frame running in the interpreter can continue
    /// in this code (empty for cached code, which runs from a frame's start).
    osr_entries: Vec<OsrEntry>,
    /// What the lowering read from the interpreter's profile (for `pyjit.dis`
    /// and `pyjit.ir`, which compile the code again).
    profile: Profile,
    /// The optimizations the lowering was allowed (for `pyjit.dis` and
    /// `pyjit.ir` too), and those the code uses: None for code from the
    /// cache, whose entries do not record them.
    enabled: Optimizations,
    applied: Option<Optimizations>,
    /// The callees the lowering was told calls can run without a frame
    /// (`CodeInfo::callee_without_frame_names`, for `pyjit.dis` and
    /// `pyjit.ir` too): none for code from the cache.
    callees_without_frame: Vec<(u32, bool)>,
    /// The data block generated code keeps its inline caches in, one entry
    /// per site (`bytecode::data_slots`). Written only by generated code and
    /// the functions it calls, with the GIL held; a `Cell` because they
    /// write through the pointer `data` hands out.
    data: Box<[Cell<u64>]>,
    /// The code's description for debuggers (`gdb`), once named.
    debugger_description: Option<gdb::Registration>,
    _memory: Memory,
}

enum Memory {
    Jit(Option<JITModule>),
    /// Unmapped when dropped.
    Object { _code: LoadedObject },
}

impl Drop for Memory {
    fn drop(&mut self) {
        if let Memory::Jit(module) = self {
            if let Some(module) = module.take() {
                // SAFETY: the code object owning this code is being freed, so
                // no frame runs it any more and nothing else points into it.
                unsafe { module.free_memory() };
            }
        }
    }
}

impl NativeCode {
    pub fn entry(&self) -> Entry {
        self.entry
    }
    pub fn frameless_entry(&self) -> Option<(Entry, usize)> {
        self.frameless
    }
    /// Describes the code to debuggers as the function `name` (`gdb`), until it is freed.
    pub fn describe_to_debuggers(&mut self, name: &str) {
        self.debugger_description = Some(gdb::register(self.entry as usize, self.size, name));
    }
    /// The data block to pass to `entry`.
    pub fn data(&self) -> *mut u64 {
        self.data.as_ptr().cast_mut().cast()
    }
    pub fn profile(&self) -> &Profile {
        &self.profile
    }
    /// Sets the profile the code was compiled with (cached code's, from its entry).
    pub fn set_profile(&mut self, profile: Profile) {
        self.profile = profile;
    }
    pub fn callees_without_frame(&self) -> &[(u32, bool)] {
        &self.callees_without_frame
    }
    pub fn enabled_optimizations(&self) -> Optimizations {
        self.enabled
    }
    pub fn applied_optimizations(&self) -> Option<Optimizations> {
        self.applied
    }
    /// Runs of the code's inline-cache slow paths so far.
    pub fn cache_misses(&self) -> u64 {
        self.data[bytecode::DATA_MISS_COUNT].get()
    }
    pub fn size(&self) -> usize {
        self.size
    }
    /// Bytes of machine code with the frameless variant's.
    pub fn total_size(&self) -> usize {
        self.size + self.frameless.map_or(0, |(_, size)| size)
    }
    pub fn source(&self) -> Source {
        self.source
    }
    /// The entry for a frame whose interpreter just took the backward jump
    /// at code unit `backedge`, if this code has one.
    pub fn osr_entry(&self, backedge: isize) -> Option<OsrEntry> {
        self.osr_entries.iter().find(|e| e.backedge as isize == backedge).cloned()
    }
    /// The machine code of `variant` as it runs, if the code has that variant.
    pub fn bytes(&self, variant: Variant) -> Option<&[u8]> {
        let (entry, size) = match variant {
            Variant::Framed => (self.entry, self.size),
            Variant::Frameless => self.frameless?,
        };
        // SAFETY: `entry` starts `size` bytes of code in readable memory that `_memory`
        // owns and never writes again, so it lives and stays unchanged as long as `self`.
        Some(unsafe { std::slice::from_raw_parts(entry as *const u8, size) })
    }
}

/// Why compiling did not produce native code.
pub enum Failure {
    /// The lowering does not handle this code (a delegation, by design).
    Unsupported(Unsupported),
    /// Cranelift or the loader failed (a bug, counted as `failed`).
    Internal(String),
}

impl From<Unsupported> for Failure {
    fn from(e: Unsupported) -> Self {
        Failure::Unsupported(e)
    }
}

impl From<CodegenError> for Failure {
    fn from(e: CodegenError) -> Self {
        match e {
            CodegenError::Unsupported(e) => Failure::Unsupported(e),
            CodegenError::Cranelift(message) => Failure::Internal(message),
        }
    }
}

/// Compiles `info` with the configured code path, adding the time of each phase to `phases`.
/// Profile-guided where `profile` has observations; with the optimizations `enabled`.
pub fn compile(
    info: &CodeInfo,
    profile: Profile,
    enabled: Optimizations,
    name: &str,
    phases: &mut CompilePhases,
) -> Result<NativeCode, Failure> {
    if config::via_object() {
        let object = compile_to_object(info, &profile, enabled, phases)?;
        return load_compiled(object, info, profile, enabled, phases);
    }
    let (native, compiled) = compile_jit(info, &profile, enabled, name, phases)?;
    Ok(with_lowering(native, compiled, info, profile, enabled))
}

/// Loads `object`, which `compile_to_object` made in this process from `info`, `profile`
/// and `enabled` (on any thread), adding the time to `phases.link_ns`.
pub fn load_compiled(
    (bytes, compiled): (Vec<u8>, codegen::Compiled),
    info: &CodeInfo,
    profile: Profile,
    enabled: Optimizations,
    phases: &mut CompilePhases,
) -> Result<NativeCode, Failure> {
    let started = Instant::now();
    let native = load_object(&bytes, ENTRY_SYMBOL, None, Source::Jit, bytecode::data_words(info.instrs.iter().map(|instr| instr.opcode)))
        .map_err(Failure::Internal)?;
    phases.link_ns += elapsed_ns(started);
    Ok(with_lowering(native, compiled, info, profile, enabled))
}

/// `native` with what its lowering read (of `info`) and produced, for `pyjit.info`, `pyjit.dis` and OSR.
fn with_lowering(
    mut native: NativeCode,
    compiled: codegen::Compiled,
    info: &CodeInfo,
    profile: Profile,
    enabled: Optimizations,
) -> NativeCode {
    native.callees_without_frame = info.callee_without_frame_names.clone();
    native.profile = profile;
    native.enabled = enabled;
    native.applied = Some(compiled.optimizations);
    native.osr_entries = compiled.osr_entries;
    native
}

/// A zeroed data block for the code `info` describes: an empty entry
/// matches nothing, so every site starts on its slow path.
fn data_block(words: usize) -> Box<[Cell<u64>]> {
    (0..words).map(|_| Cell::new(0)).collect()
}

/// Native code and what the lowering produced (whose `osr_entries` and
/// `optimizations` the caller moves into it). The function is named `name`
/// in its module: cranelift-jit writes that name to the perf map itself
/// while `perf record` runs (it sets `PERF_BUILDID_DIR`).
fn compile_jit(
    info: &CodeInfo,
    profile: &Profile,
    enabled: Optimizations,
    name: &str,
    phases: &mut CompilePhases,
) -> Result<(NativeCode, codegen::Compiled), Failure> {
    let mut builder = JITBuilder::with_isa(isa::host().clone(), default_libcall_names());
    builder.symbol_lookup_fn(Box::new(symbols::resolve));
    let mut module = JITModule::new(builder);
    let compiled = codegen::compile_function(&mut module, info, profile, enabled, name, phases)?;
    let started = Instant::now();
    module.finalize_definitions().map_err(|e| Failure::Internal(format!("linking failed: {e}")))?;
    phases.link_ns += elapsed_ns(started);
    // SAFETY: both functions were generated with the `Entry` signature.
    let entry_of = |id| unsafe { std::mem::transmute::<*const u8, Entry>(module.get_finalized_function(id)) };
    let entry = entry_of(compiled.id);
    let frameless = compiled.frameless.map(|(id, size)| (entry_of(id), size));
    let native = NativeCode {
        entry,
        size: compiled.size,
        frameless,
        source: Source::Jit,
        osr_entries: Vec::new(),
        profile: Profile::none(),
        enabled,
        applied: None,
        callees_without_frame: Vec::new(),
        data: data_block(bytecode::data_words(info.instrs.iter().map(|instr| instr.opcode))),
        debugger_description: None,
        _memory: Memory::Jit(Some(module)),
    };
    Ok((native, compiled))
}

/// Compiles `info` with the optimizations in `enabled` into a relocatable object whose
/// function `ENTRY_SYMBOL` runs it; returns the object and what the lowering produced,
/// and adds the time of each phase to `phases` (emitting the object counts as linking).
/// Touches no Python object, so it may run on any thread.
pub fn compile_to_object(
    info: &CodeInfo,
    profile: &Profile,
    enabled: Optimizations,
    phases: &mut CompilePhases,
) -> Result<(Vec<u8>, codegen::Compiled), Failure> {
    let mut module = object_module()?;
    let compiled = codegen::compile_function(&mut module, info, profile, enabled, ENTRY_SYMBOL, phases)?;
    let started = Instant::now();
    let bytes = module.finish().emit().map_err(|e| Failure::Internal(format!("object emission failed: {e}")))?;
    phases.link_ns += elapsed_ns(started);
    Ok((bytes, compiled))
}

/// An empty object for the host, which code is compiled into without being loaded.
pub fn object_module() -> Result<ObjectModule, Failure> {
    let builder = ObjectBuilder::new(isa::host().clone(), "pyjit", default_libcall_names())
        .map_err(|e| Failure::Internal(format!("object builder: {e}")))?;
    Ok(ObjectModule::new(builder))
}

/// Links an object produced by `compile_to_object` (in this process or, from the cache,
/// in another, where it was compiled with every optimization enabled) against the symbol
/// allow-list and makes it executable, with a data block of `data_words` words
/// (`bytecode::data_words` of the code's instructions).
pub fn load_object(
    bytes: &[u8],
    entry_symbol: &str,
    expected_imports: Option<&[&str]>,
    source: Source,
    data_words: usize,
) -> Result<NativeCode, String> {
    let frameless_symbol = format!("{entry_symbol}{FRAMELESS_SUFFIX}");
    let loaded = loader::load(bytes, entry_symbol, Some(&frameless_symbol), symbols::resolve, expected_imports)
        .map_err(|e| e.0)?;
    // SAFETY: every object pyjit loads comes from `compile_to_object` (a cached one is
    // signed by a trusted key and hash-checked before it gets here), whose entry symbol
    // and frameless variant's have the `Entry` signature.
    let as_entry = |address| unsafe { std::mem::transmute::<*const u8, Entry>(address) };
    let entry = as_entry(loaded.entry());
    let frameless = loaded.second_entry().map(|(address, size)| (as_entry(address), size));
    Ok(NativeCode {
        entry,
        size: loaded.code_size(),
        frameless,
        source,
        osr_entries: Vec::new(),
        profile: Profile::none(),
        enabled: Optimizations::ALL,
        applied: None,
        callees_without_frame: Vec::new(),
        data: data_block(data_words),
        debugger_description: None,
        _memory: Memory::Object { _code: loaded },
    })
}
