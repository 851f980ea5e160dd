//! Stack shuffling and `RESUME`.

use crate::abi::op;
use crate::codegen::lowering::Lowering;

pub fn lower(lw: &mut Lowering) {
    let arg = lw.ins.arg as usize;
    match lw.ins.opcode {
        // PRECALL's work is done by the CALL that follows it.
        op::NOP | op::PRECALL => {}
        op::RESUME => {
            // The frame becomes complete (visible to sys._getframe) here.
            lw.position_for_calls();
            lw.warm_up();
            if arg < 2 {
                lw.check_eval_breaker(lw.ins.start);
            }
        }
        op::POP_TOP => {
            let value = lw.pop();
            lw.decref(value);
        }
        op::PUSH_NULL => {
            let null = lw.iconst(0);
            lw.push(null);
        }
        op::COPY => lw.copy(arg),
        op::SWAP => lw.swap(arg),
        _ => unreachable!("not a stack opcode"),
    }
}
