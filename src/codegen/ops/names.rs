//! Names resolved in dictionaries: module and class namespaces, globals,
//! builtins, imports.

use crate::abi::{self, op};
use crate::codegen::lowering::Lowering;
use crate::config::Optimization;
use crate::helpers::caches::global;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{InstBuilder, Value};

pub fn lower(lw: &mut Lowering) {
    let arg = lw.ins.arg;
    let (tstate, frame) = (lw.tstate, lw.frame);
    lw.set_prev_instr();
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
            let name = lw.name(arg >> 1);
            let value = if lw.apply(Optimization::InlineCacheGlobals) {
                load_global(lw, name)
            } else {
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

/// LOAD_GLOBAL through the site's inline cache (`helpers::caches::global`):
/// a hit needs the globals and the builtins unchanged since the entry was
/// filled, so the cached value is what the lookup would find.
fn load_global(lw: &mut Lowering, name: Value) -> Value {
    let entry = lw.data_entry();
    let miss = lw.cold_block();
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
    let value = lw.load(entry, 8 * global::VALUE);
    lw.incref(value);
    let value = lw.finish_cached(Some(value), miss, |lw| {
        let tstate = lw.tstate;
        let value = lw.call("pyjit_load_global_cached", &[tstate, frame, name, entry]);
        lw.raise_if_null(value);
        Some(value)
    });
    value.expect("a load has a result")
}
