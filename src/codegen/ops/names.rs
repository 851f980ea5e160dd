//! Names resolved in dictionaries: module and class namespaces, globals,
//! builtins, imports.

use crate::abi::{self, op};
use crate::codegen::lowering::Lowering;
use crate::config::Optimization;
use crate::helpers::caches::{self, global};
use crate::profile::Observed;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{Block, InstBuilder, Value};

pub fn lower(lw: &mut Lowering) {
    let arg = lw.ins.arg;
    let (tstate, frame) = (lw.tstate, lw.frame);
    lw.position_for_calls();
    match lw.ins.opcode {
        op::LOAD_NAME => {
            let name = lw.name(arg);
            let value = lw.call("pyjit_load_name", &[tstate, frame, name]);
            lw.raise_if_null(value);
            lw.push(value);
        }
        op::STORE_NAME => {
            let name = lw.name(arg);
            let value = lw.pop();
            let status = lw.call("pyjit_store_name", &[tstate, frame, name, value]);
            lw.raise_if_negative(status);
        }
        op::DELETE_NAME => {
            let name = lw.name(arg);
            let status = lw.call("pyjit_delete_name", &[tstate, frame, name]);
            lw.raise_if_negative(status);
        }
        op::LOAD_GLOBAL => {
            // A site the warm-up never reached gets no inline cache.
            let value = if lw.observed() != Observed::NotRun && lw.apply(Optimization::InlineCacheGlobals) {
                load_global(lw, arg >> 1)
            } else {
                let name = lw.name(arg >> 1);
                let value = lw.call("pyjit_load_global", &[tstate, frame, name]);
                lw.raise_if_null(value);
                value
            };
            if arg & 1 == 1 {
                let null = lw.iconst(0);
                lw.push(null);
            }
            lw.push(value);
        }
        op::STORE_GLOBAL => {
            let name = lw.name(arg);
            let value = lw.pop();
            let status = lw.call("pyjit_store_global", &[frame, name, value]);
            lw.raise_if_negative(status);
        }
        op::DELETE_GLOBAL => {
            let name = lw.name(arg);
            let status = lw.call("pyjit_delete_global", &[tstate, frame, name]);
            lw.raise_if_negative(status);
        }
        op::IMPORT_NAME => {
            let name = lw.name(arg);
            let fromlist = lw.pop();
            let level = lw.pop();
            let module = lw.call("pyjit_import_name", &[tstate, frame, name, fromlist, level]);
            lw.raise_if_null(module);
            lw.push(module);
        }
        op::IMPORT_FROM => {
            let name = lw.name(arg);
            let module = lw.peek(1);
            let value = lw.call("pyjit_import_from", &[tstate, module, name]);
            lw.raise_if_null(value);
            lw.push(value);
        }
        op::IMPORT_STAR => {
            let module = lw.pop();
            let status = lw.call("pyjit_import_star", &[tstate, frame, module]);
            lw.raise_if_negative(status);
        }
        op::SETUP_ANNOTATIONS => {
            let status = lw.call("pyjit_setup_annotations", &[tstate, frame]);
            lw.raise_if_negative(status);
        }
        op::LOAD_BUILD_CLASS => {
            let value = lw.call("pyjit_load_build_class", &[frame]);
            lw.raise_if_null(value);
            lw.push(value);
        }
        op::LOAD_ASSERTION_ERROR => {
            let slot = lw.data_address("PyExc_AssertionError");
            let value = lw.load(slot, 0);
            lw.incref(value);
            lw.push(value);
        }
        op::PRINT_EXPR => {
            let value = lw.pop();
            let status = lw.call("pyjit_print_expr", &[value]);
            lw.raise_if_negative(status);
        }
        _ => unreachable!("not a name opcode"),
    }
}

/// LOAD_GLOBAL through the site's inline cache (`helpers::caches::global`),
/// pinned as `global_kind` chooses from the profile: a hit needs what the
/// entry recorded unchanged, so the answer is what the lookup would find.
/// `name` is the index of the global's name in `co_names`.
fn load_global(lw: &mut Lowering, name: u32) -> Value {
    let kind = global_kind(lw.observed());
    let entry = lw.data_entry();
    let miss = lw.cold_block();
    let value = match kind {
        caches::GLOBAL_VERSIONS => global_by_versions(lw, entry, miss),
        caches::GLOBAL_MODULE => global_by_position(lw, entry, name, miss),
        _ => {
            // Then as a `GLOBAL_VERSIONS` entry, which the slow path makes
            // when the keys lost their version (see `caches::load_global`).
            let by_versions = lw.cold_block();
            let hit = lw.b.create_block();
            let value = lw.b.append_block_param(hit, lw.ptr);
            let by_keys = global_by_keys(lw, entry, by_versions);
            lw.b.ins().jump(hit, &[by_keys.into()]);
            lw.b.switch_to_block(by_versions);
            lw.b.seal_block(by_versions);
            let by_dicts = global_by_versions(lw, entry, miss);
            lw.b.ins().jump(hit, &[by_dicts.into()]);
            lw.b.switch_to_block(hit);
            lw.b.seal_block(hit);
            value
        }
    };
    lw.incref(value);
    let value = lw.finish_cached(Some(value), miss, |lw| {
        let (tstate, frame) = (lw.tstate, lw.frame);
        let kind = lw.iconst(kind as i64);
        let name = lw.name(name);
        let value = lw.call("pyjit_load_global_cached", &[tstate, frame, name, entry, kind]);
        lw.raise_if_null(value);
        Some(value)
    });
    value.expect("a load has a result")
}

/// The entry kind of a LOAD_GLOBAL site (`caches::GLOBAL_*`): keys versions
/// where the interpreter specialised the site, so that CPython gave the
/// dicts' keys versions, dict versions elsewhere.
fn global_kind(observed: Observed) -> isize {
    match observed {
        Observed::Specialized(op::LOAD_GLOBAL_MODULE) => caches::GLOBAL_MODULE,
        Observed::Specialized(op::LOAD_GLOBAL_BUILTIN) => caches::GLOBAL_BUILTIN,
        _ => caches::GLOBAL_VERSIONS,
    }
}

/// The value of a `GLOBAL_VERSIONS` entry (borrowed), if the globals and
/// the builtins have the versions it recorded.
fn global_by_versions(lw: &mut Lowering, entry: Value, miss: Block) -> Value {
    let frame = lw.frame;
    let globals = lw.load(frame, abi::FRAME_F_GLOBALS);
    let builtins = lw.load(frame, abi::FRAME_F_BUILTINS);
    let globals_version = lw.load(globals, abi::DICT_VERSION_TAG);
    let cached_globals_version = lw.load(entry, 8 * global::GLOBALS_VERSION);
    let cached_builtins = lw.load(entry, 8 * global::BUILTINS);
    let same_globals = lw.b.ins().icmp(IntCC::Equal, globals_version, cached_globals_version);
    let same_builtins = lw.b.ins().icmp(IntCC::Equal, builtins, cached_builtins);
    let both = lw.b.ins().band(same_globals, same_builtins);
    // Only then is `builtins` known to be a dict with a version to read.
    lw.guard(both, miss);
    let builtins_version = lw.load(builtins, abi::DICT_VERSION_TAG);
    let cached_builtins_version = lw.load(entry, 8 * global::BUILTINS_VERSION);
    let unchanged = lw.b.ins().icmp(IntCC::Equal, builtins_version, cached_builtins_version);
    lw.guard(unchanged, miss);
    lw.load(entry, 8 * global::VALUE)
}

/// The value (borrowed) at the position a `GLOBAL_BUILTIN` entry recorded,
/// if the globals (an exact dict) and the same builtins as then have the
/// keys versions it recorded and the value is set, as LOAD_GLOBAL_BUILTIN
/// checks.
fn global_by_keys(lw: &mut Lowering, entry: Value, miss: Block) -> Value {
    let globals = exact_globals(lw, miss);
    let globals_keys = tagged_keys_version(lw, globals);
    guard_entry_word(lw, globals_keys, entry, global::GLOBALS_KEYS, miss);
    let frame = lw.frame;
    let builtins = lw.load(frame, abi::FRAME_F_BUILTINS);
    guard_entry_word(lw, builtins, entry, global::BUILTINS, miss);
    let builtins_keys = tagged_keys_version(lw, builtins);
    guard_entry_word(lw, builtins_keys, entry, global::BUILTINS_KEYS, miss);
    let keys = lw.load(builtins, abi::DICT_KEYS);
    let index = lw.load(entry, 8 * global::INDEX);
    let item = super::str_keys_entry(lw, keys, index);
    let value = lw.load(item, abi::UNICODE_ENTRY_VALUE);
    lw.guard(value, miss);
    value
}

/// The value (borrowed) of the globals' entry at the position a
/// `GLOBAL_MODULE` entry recorded, if that entry still has the key `name`
/// (by identity; `name` indexes `co_names`) and a value, in a combined table of str keys. That is the
/// name's binding whatever else the globals gained or lost, so unlike the
/// interpreter's LOAD_GLOBAL_MODULE, which needs the keys version it
/// recorded, adding a global does not make the site miss.
fn global_by_position(lw: &mut Lowering, entry: Value, name: u32, miss: Block) -> Value {
    let globals = exact_globals(lw, miss);
    let values = lw.load(globals, abi::DICT_VALUES);
    let combined = lw.b.ins().icmp_imm_s(IntCC::Equal, values, 0);
    lw.guard(combined, miss);
    let keys = lw.load(globals, abi::DICT_KEYS);
    let kind = lw.load_u8(keys, abi::KEYS_KIND);
    let str_keys = lw.b.ins().icmp_imm_s(IntCC::NotEqual, kind, abi::KEYS_KIND_GENERAL as i64);
    lw.guard(str_keys, miss);
    let index = lw.load(entry, 8 * global::INDEX);
    let count = lw.load(keys, abi::KEYS_NENTRIES);
    let within = lw.b.ins().icmp(IntCC::UnsignedLessThan, index, count);
    lw.guard(within, miss);
    let item = super::str_keys_entry(lw, keys, index);
    let key = lw.load(item, abi::UNICODE_ENTRY_KEY);
    let name = lw.name(name);
    let same = lw.b.ins().icmp(IntCC::Equal, key, name);
    lw.guard(same, miss);
    let value = lw.load(item, abi::UNICODE_ENTRY_VALUE);
    lw.guard(value, miss);
    value
}

/// The frame's globals, going to `miss` unless they are an exact dict.
fn exact_globals(lw: &mut Lowering, miss: Block) -> Value {
    let frame = lw.frame;
    let globals = lw.load(frame, abi::FRAME_F_GLOBALS);
    let globals_type = lw.load(globals, abi::OBJECT_TYPE);
    let dict_type = lw.data_address("PyDict_Type");
    let exact = lw.b.ins().icmp(IntCC::Equal, globals_type, dict_type);
    lw.guard(exact, miss);
    globals
}

/// Branches to `miss` unless `value` is the entry's word `word`.
fn guard_entry_word(lw: &mut Lowering, value: Value, entry: Value, word: usize, miss: Block) {
    let cached = lw.load(entry, 8 * word);
    let same = lw.b.ins().icmp(IntCC::Equal, value, cached);
    lw.guard(same, miss);
}

/// The keys version of `dict`, tagged as entries record it.
fn tagged_keys_version(lw: &mut Lowering, dict: Value) -> Value {
    let keys = lw.load(dict, abi::DICT_KEYS);
    let version = lw.load_u32(keys, abi::KEYS_VERSION);
    lw.b.ins().bor_imm_u(version, caches::KEYS_VERSION_TAG as i64)
}
