//! What `pyjit.ir` and `pyjit.dis` show. A code object's lowering is compiled again on
//! demand, with the same lowering and ISA settings as the JIT and `pyjit precompile`,
//! so that compiling keeps nothing for listings nobody asks for; callers check that the
//! result is as long as the native code that runs.

use crate::bytecode::CodeInfo;
use crate::codegen::{self, Variant};
use crate::config::Optimizations;
use crate::profile::Profile;
use crate::link::{self, Failure, ENTRY_SYMBOL};
use cranelift_codegen::ir::function::FunctionParameters;
use cranelift_codegen::ir::{ExternalName, Function, GlobalValueData};
use cranelift_codegen::FinalizedRelocTarget;
use cranelift_module::{DataId, FuncId, Module, ModuleDeclarations, ModuleRelocTarget};

/// A code object's function as Cranelift compiles it.
pub struct Listing {
    /// The IR after optimisation, with external names written as their symbols.
    pub ir: String,
    pub code_size: usize,
    /// `(start, end, code-unit index)`: the native offsets generated for each bytecode
    /// instruction, sorted by start (one instruction may have several ranges).
    pub bytecode_ranges: Vec<(u32, u32, u32)>,
    /// `(offset, symbol)`: where the code holds the address of a symbol.
    pub symbol_refs: Vec<(u32, String)>,
}

/// Compiles `variant` of `info` as the JIT does, with the optimizations in `enabled`, and
/// lists the result.
pub fn listing(info: &CodeInfo, profile: &Profile, enabled: Optimizations, variant: Variant) -> Result<Listing, Failure> {
    let mut module = link::object_module()?;
    let (_, mut ctx) = codegen::compile_function_listed(&mut module, info, profile, enabled, ENTRY_SYMBOL, variant)?;
    let declarations = module.declarations();
    let compiled = ctx.compiled_code().ok_or_else(|| Failure::Internal("no compiled code".into()))?;
    let buffer = &compiled.buffer;
    let bytecode_ranges = buffer
        .get_srclocs_sorted()
        .iter()
        .filter(|range| !range.loc.is_default())
        .map(|range| (range.start, range.end, range.loc.bits()))
        .collect();
    let symbol_refs = buffer
        .relocs()
        .iter()
        .filter_map(|reloc| match &reloc.target {
            FinalizedRelocTarget::ExternalName(name) => {
                Some((reloc.offset, symbol(declarations, &ctx.func.params, name)?))
            }
            FinalizedRelocTarget::Func(_) => None,
        })
        .collect();
    let code_size = compiled.code_info().total_size as usize;
    name_symbols(&mut ctx.func, declarations);
    Ok(Listing { ir: ctx.func.display().to_string(), code_size, bytecode_ranges, symbol_refs })
}

/// The symbol `name` (an external name of the function with `params`) refers to.
fn symbol(declarations: &ModuleDeclarations, params: &FunctionParameters, name: &ExternalName) -> Option<String> {
    let ExternalName::User(reference) = name else { return None };
    let user = &params.user_named_funcs()[*reference];
    let target = ModuleRelocTarget::user(user.namespace, user.index);
    Some(if ModuleDeclarations::is_function(&target) {
        let id = FuncId::from_name(&target);
        declarations.get_function_decl(id).linkage_name(id).into_owned()
    } else {
        let id = DataId::from_name(&target);
        declarations.get_data_decl(id).linkage_name(id).into_owned()
    })
}

/// Renames the external functions and symbols of `func` to the symbols they refer to,
/// so that its IR reads `fn3 = %pyjit_binary_op` instead of `fn3 = u0:5`.
fn name_symbols(func: &mut Function, declarations: &ModuleDeclarations) {
    let Function { stencil, params, .. } = func;
    let functions = stencil.dfg.ext_funcs.values_mut().map(|data| &mut data.name);
    let data = stencil.global_values.values_mut().filter_map(|data| match data {
        GlobalValueData::Symbol { name, .. } => Some(name),
        _ => None,
    });
    for name in functions.chain(data) {
        if let Some(symbol) = symbol(declarations, params, name) {
            *name = ExternalName::testcase(symbol);
        }
    }
}

/// `(offset, length, text)` of each instruction in `code`, which runs at `address`.
#[cfg(target_arch = "x86_64")]
pub fn disassemble(code: &[u8], address: u64) -> Result<Vec<(u32, u32, String)>, &'static str> {
    use iced_x86::{Decoder, DecoderOptions, Formatter, Instruction, IntelFormatter};
    let mut decoder = Decoder::with_ip(64, code, address, DecoderOptions::NONE);
    let mut formatter = IntelFormatter::new();
    let mut instruction = Instruction::default();
    let mut lines = Vec::new();
    while decoder.can_decode() {
        decoder.decode_out(&mut instruction);
        let mut text = String::new();
        formatter.format(&instruction, &mut text);
        lines.push(((instruction.ip() - address) as u32, instruction.len() as u32, text));
    }
    Ok(lines)
}

#[cfg(not(target_arch = "x86_64"))]
pub fn disassemble(_code: &[u8], _address: u64) -> Result<Vec<(u32, u32, String)>, &'static str> {
    Err("disassembly is available on x86-64 only")
}
