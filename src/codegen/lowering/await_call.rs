//! `await f(...)` in coroutine code (`eager-await`): CPython makes the
//! coroutine object at the CALL, then GET_AWAITABLE, LOAD_CONST None and
//! SEND start it, and it is freed when it returns. Here the CALL runs a
//! compiled coroutine function's code at once, on a frame on the thread's
//! data stack, and makes the object only if the coroutine suspends
//! (`helpers::calls::await_call`): a return value continues where the SEND
//! jumps when its receiver returns, a suspension at the YIELD_VALUE after
//! the SEND with the coroutine object as the receiver, both as if the
//! instructions between had run; any other callable is called as the CALL
//! calls it, and the instructions after it run.

use super::Lowering;
use crate::bytecode::{Instr, Unsupported};
use crate::config::Optimization;
use crate::helpers::calls::{AWAIT_RETURNED, AWAIT_YIELDED};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{InstBuilder, Value};

impl Lowering<'_> {
    /// The SEND of the `await` that takes the result of the current
    /// instruction, a CALL of `nargs` positional arguments
    /// (`CodeInfo::awaited_calls`) whose callable is no builtin the
    /// interpreter specialised it for (`plain`), where `eager-await` and
    /// `direct-calls` apply, the site did not construct an instance last,
    /// and one exception handler covers the CALL and the SEND.
    pub fn awaited_send(&mut self, nargs: u32, plain: bool) -> Option<Instr> {
        let position = self.position as u32;
        let enabled = [Optimization::EagerAwait, Optimization::DirectCalls].iter().all(|&o| self.enabled.contains(o));
        if !plain || !enabled || !self.info.awaited_calls.contains(&position) || self.constructs_python(nargs) {
            return None;
        }
        let send = self.info.instrs[self.position + 3];
        if !self.same_handler(self.ins.index, send.index) {
            return None;
        }
        self.apply(Optimization::EagerAwait);
        self.apply(Optimization::DirectCalls);
        Some(send)
    }

    /// Where lowering starts a block for `eager-await`: at the YIELD_VALUE
    /// after each awaited call's SEND, which a suspended coroutine continues at.
    pub(super) fn eager_await_resumptions(&self) -> Vec<u32> {
        if !self.enabled.contains(Optimization::EagerAwait) {
            return Vec::new();
        }
        self.info.awaited_calls.iter().map(|&position| self.info.instrs[position as usize + 3].next).collect()
    }

    /// The current CALL, of `nargs` positional arguments on top of the
    /// stack (owned, boxed), through `pyjit_await_call`, whose result `send`
    /// awaits: the result of a call made continues here (returned); a
    /// coroutine run eagerly continues at the SEND's target or the
    /// YIELD_VALUE after it.
    pub fn await_call(&mut self, nargs: u32, send: Instr) -> Result<Value, Unsupported> {
        let base = self.depth - (nargs as usize + 2);
        self.spill(base, self.depth);
        let slots = self.stack_address(base);
        self.depth = base;
        let nargs = self.iconst(i64::from(nargs));
        let site = self.data_entry();
        let send_index = self.iconst(i64::from(send.index));
        let (tstate, frame) = (self.tstate, self.frame);
        let status = self.call("pyjit_await_call", &[tstate, frame, slots, nargs, site, send_index]);
        let failed = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, status, 0);
        self.raise_at_prev_instr_if(failed);
        let first = self.load(slots, 0);
        self.push(first);
        let returned = self.b.ins().icmp_imm_s(IntCC::Equal, status, AWAIT_RETURNED as i64);
        self.branch(returned, send.jump_target().expect("SEND jumps"))?;
        let yielded = self.b.ins().icmp_imm_s(IntCC::Equal, status, AWAIT_YIELDED as i64);
        let suspended = self.cold_block();
        let called = self.b.create_block();
        self.b.ins().brif(yielded, suspended, &[], called, &[]);
        self.b.switch_to_block(suspended);
        self.b.seal_block(suspended);
        let second = self.load(slots, 8);
        self.push(second);
        // The coroutine ran Python code, which may have switched tracing on.
        self.check_tracing(send.next);
        self.jump(send.next)?;
        self.switch_to(called);
        self.b.seal_block(called);
        self.depth = base + 1;
        Ok(self.pop())
    }
}
