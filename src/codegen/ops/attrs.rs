//! Attribute access and method lookup.

use crate::abi::op;
use crate::codegen::lowering::Lowering;

pub fn lower(lw: &mut Lowering) {
    let name = lw.name(lw.ins.arg);
    lw.set_prev_instr();
    match lw.ins.opcode {
        op::LOAD_ATTR => {
            let owner = lw.pop();
            let value = lw.call("pyjit_load_attr", &[owner, name]);
            lw.raise_if_null(value);
            lw.push(value);
        }
        op::STORE_ATTR => {
            let owner = lw.pop();
            let value = lw.pop();
            let status = lw.call("pyjit_store_attr", &[owner, name, value]);
            lw.raise_if_negative(status);
        }
        op::DELETE_ATTR => {
            let owner = lw.pop();
            let null = lw.iconst(0);
            let status = lw.call("pyjit_store_attr", &[owner, name, null]);
            lw.raise_if_negative(status);
        }
        op::LOAD_METHOD => {
            // The object is written to the frame's stack slot; the runtime
            // function replaces it with [method, self] or [NULL, attribute].
            let base = lw.depth - 1;
            lw.spill(base, base + 1);
            let slots = lw.stack_address(base);
            let status = lw.call("pyjit_load_method", &[slots, name]);
            lw.raise_if_negative(status);
            lw.depth += 1;
            lw.reload(base, base + 2);
        }
        _ => unreachable!("not an attribute opcode"),
    }
}
