//! Calls of compiled code from compiled code without the runtime's call
//! path: generated code finds the callee's state through its code object's
//! `co_extra` slot, as the runtime finds it (`helpers::calls::CallTarget`),
//! and when positional arguments can bind its parameters calls
//! `pyjit_enter_compiled`, which pushes, runs and pops the callee's frame
//! with the sizes the state keeps. Everything else, and every call it declines, takes `pyjit_call`.

use super::Lowering;
use crate::abi;
use crate::config::Optimization;
use crate::helpers::calls::{CALL_TARGET_ARITY, CALL_TARGET_CODE, NO_ARITY};
use crate::helpers::frames::CALL_DECLINED;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{Block, BlockArg, InstBuilder, Value};

impl Lowering<'_> {
    /// A CALL without keywords whose window is `[NULL or method, callable or
    /// self, args…]` at `slots`, with `nargs` arguments: when the function
    /// called is a Python function with native code whose parameters the
    /// arguments and defaults bind, through `pyjit_enter_compiled`; every
    /// other call, and every call that declines, through `generic`, which
    /// gets the window untouched. Returns the result (NULL on error).
    pub fn call_directly(&mut self, slots: Value, nargs: u32, generic: impl FnOnce(&mut Self) -> Value) -> Value {
        let other = self.b.create_block();
        let done = self.b.create_block();
        self.b.append_block_param(done, self.ptr);
        // Direct calls follow the setting at every call (see `config::optimizations`).
        let off_address = self.data_address("pyjit_optimizations_off");
        let off = self.load_u32(off_address, 0);
        let direct_calls_off = self.b.ins().band_imm_s(off, 1 << Optimization::DirectCalls.number());
        let direct_calls_on = self.b.ins().icmp_imm_s(IntCC::Equal, direct_calls_off, 0);
        self.guard(direct_calls_on, other);
        let method = self.load(slots, 0);
        let callable = self.load(slots, 8);
        let is_method = self.b.ins().icmp_imm_s(IntCC::NotEqual, method, 0);
        let function = self.b.ins().select(is_method, method, callable);
        let after_method = self.b.ins().iadd_imm_s(slots, 8);
        let after_callable = self.b.ins().iadd_imm_s(slots, 16);
        let args = self.b.ins().select(is_method, after_method, after_callable);
        let with_self = self.b.ins().uextend(self.ptr, is_method);
        let count = self.b.ins().iadd_imm_s(with_self, i64::from(nargs));
        let ty = self.load(function, abi::OBJECT_TYPE);
        let function_type = self.data_address("PyFunction_Type");
        let is_function = self.b.ins().icmp(IntCC::Equal, ty, function_type);
        self.guard(is_function, other);
        let code = self.load(function, abi::FUNC_CODE);
        let extras = self.load(code, abi::CODE_EXTRA);
        self.guard(extras, other);
        let index_address = self.data_address("pyjit_code_extra_index");
        let index = self.load(index_address, 0);
        let size = self.load(extras, 0);
        // Unsigned: the index is -1 until the runtime has one.
        let within = self.b.ins().icmp(IntCC::UnsignedLessThan, index, size);
        self.guard(within, other);
        let offset = self.b.ins().ishl_imm_s(index, 3);
        let slot = self.b.ins().iadd(extras, offset);
        let target = self.load(slot, 8);
        self.guard(target, other);
        let owner = self.load(target, CALL_TARGET_CODE);
        let owned = self.b.ins().icmp(IntCC::Equal, owner, code);
        self.guard(owned, other);
        // Arguments bind positionally, the defaults permitting (checked by `enter_compiled`).
        let arity = self.load_u32(target, CALL_TARGET_ARITY);
        let positional = self.b.ins().icmp_imm_s(IntCC::NotEqual, arity, i64::from(NO_ARITY));
        self.guard(positional, other);
        let not_too_many = self.b.ins().icmp(IntCC::UnsignedLessThanOrEqual, count, arity);
        self.guard(not_too_many, other);
        // CPython runs a Python callee after stepping over the CALL's inline
        // cache: the caller's f_lasti shows its last unit.
        let past_caches = i64::from(self.ins.index) + i64::from(abi::INLINE_CACHE_UNITS[usize::from(self.ins.opcode)]);
        let position = self.b.ins().iadd_imm_s(self.code_units, 2 * past_caches);
        let frame = self.frame;
        self.store(position, frame, abi::FRAME_PREV_INSTR);
        let calls_see_position = std::mem::replace(&mut self.calls_see_position, false);
        let tstate = self.tstate;
        let result = self.call("pyjit_enter_compiled", &[tstate, function, args, count, target]);
        self.calls_see_position = calls_see_position;
        self.prev_instr_stored = None;
        let declined = self.b.ins().icmp_imm_s(IntCC::Equal, result, CALL_DECLINED as i64);
        let entered = self.b.create_block();
        self.b.ins().brif(declined, other, &[], entered, &[]);
        self.b.switch_to_block(entered);
        // The arguments went to the callee's frame; the window's reference to the function is left.
        self.decref(function);
        self.join_with_generic(result, other, done, generic)
    }

    /// Ends a call's fast path with `result`, lowers `generic` in `other`
    /// (where the fast path's guards lead), and joins both in `done`, whose
    /// parameter it returns.
    pub(super) fn join_with_generic(
        &mut self,
        result: Value,
        other: Block,
        done: Block,
        generic: impl FnOnce(&mut Self) -> Value,
    ) -> Value {
        self.b.ins().jump(done, &[BlockArg::Value(result)]);
        self.b.switch_to_block(other);
        let result = generic(self);
        self.b.ins().jump(done, &[BlockArg::Value(result)]);
        self.b.switch_to_block(done);
        self.b.block_params(done)[0]
    }
}
