//! Names resolved in dictionaries: module and class namespaces, globals,
//! builtins, imports.

use crate::abi::op;
use crate::codegen::lowering::Lowering;

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
            let value = lw.call("pyjit_load_global", &[tstate, frame, name]);
            lw.raise_if_null(value);
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
