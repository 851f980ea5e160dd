//! The call entry: compiled code called with a NULL frame pushes the frame
//! of a call itself, with this code's sizes as constants, as
//! `_PyEvalFramePushAndInit` and the runtime's `run_native` do, and pops it
//! on the way out as `_PyEvalFrameClearAndPop` does. Compiled callers
//! (`runtime::direct`) then pay no binding, tiering or frame bookkeeping
//! in the runtime for the common call: positional arguments that bind one to
//! one, of a function whose code has no `*args`, `**kwargs`, keyword-only
//! parameters or locals dict (`CodeInfo::exact_arity`).
//!
//! The entry declines, having changed nothing, whatever the runtime must
//! handle: another argument count, a trace or profile function, the
//! recursion limit reached, a C stack nearly used up (measured every
//! `C_STACK_CHECK_PERIOD` levels, as the runtime measures), a data-stack
//! chunk without room or not yet started.

use super::{flags, Lowering};
use crate::abi;
use crate::bytecode;
use crate::config::Optimization;
use crate::helpers::calls::{CALL_TARGET_CODE, CALL_TARGET_DATA, CALL_TARGET_ENTRY};
use crate::helpers::frames::C_STACK_CHECK_PERIOD;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, Block, BlockArg, InstBuilder, Value};

/// What the call entry returns when it declines a call: no object's address.
pub const CALL_DECLINED: usize = 1;

/// The anchor word holding the frame the function was passed.
const GIVEN_FRAME_ANCHOR: i32 = 6 * 8;

impl Lowering<'_> {
    /// A CALL without keywords whose window is `[NULL or method, callable or
    /// self, args…]` at `slots`, with `nargs` arguments: when the function
    /// called is a Python function with native code, through that code's
    /// call entry, found through its code object's `co_extra` slot as the
    /// runtime finds it (`helpers::calls::CallTarget`); every other call, and
    /// every call the entry declines, through `generic`, which gets the
    /// window untouched. Returns the result (NULL on error).
    pub fn call_through_call_entry(
        &mut self,
        slots: Value,
        nargs: u32,
        generic: impl FnOnce(&mut Self) -> Value,
    ) -> Value {
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
        let state = self.load(slot, 8);
        self.guard(state, other);
        let owner = self.load(state, CALL_TARGET_CODE);
        let owned = self.b.ins().icmp(IntCC::Equal, owner, code);
        self.guard(owned, other);
        let entry = self.load(state, CALL_TARGET_ENTRY);
        self.guard(entry, other);
        let data = self.load(state, CALL_TARGET_DATA);
        // CPython runs a Python callee after stepping over the CALL's inline
        // cache: the caller's f_lasti shows its last unit.
        let past_caches = i64::from(self.ins.index) + i64::from(abi::INLINE_CACHE_UNITS[usize::from(self.ins.opcode)]);
        let position = self.b.ins().iadd_imm_s(self.code_units, 2 * past_caches);
        let frame = self.frame;
        self.store(position, frame, abi::FRAME_PREV_INSTR);
        self.prev_instr_stored = None;
        let (tstate, null) = (self.tstate, self.iconst(0));
        let call_args = [tstate, null, data, function, args, count];
        let sig = self.signature(&call_args);
        let sig = self.b.import_signature(sig);
        let call = self.b.ins().call_indirect(sig, entry, &call_args);
        let result = self.b.inst_results(call)[0];
        let declined = self.b.ins().icmp_imm_s(IntCC::Equal, result, CALL_DECLINED as i64);
        let entered = self.b.create_block();
        self.b.ins().brif(declined, other, &[], entered, &[]);
        self.b.switch_to_block(entered);
        // The arguments went to the callee's frame; the window's reference to the function is left.
        self.decref(function);
        self.b.ins().jump(done, &[BlockArg::Value(result)]);
        self.b.switch_to_block(other);
        let result = generic(self);
        self.b.ins().jump(done, &[BlockArg::Value(result)]);
        self.b.switch_to_block(done);
        self.b.block_params(done)[0]
    }

    /// Returns `result` from the function; a frame the call entry pushed is
    /// popped first.
    pub(super) fn leave(&mut self, result: Value) {
        if self.info.exact_arity.is_none() {
            self.b.ins().return_(&[result]);
            return;
        }
        let epilogue = match self.epilogue {
            Some(block) => block,
            None => {
                let block = self.b.create_block();
                self.b.append_block_param(block, self.ptr);
                self.epilogue = Some(block);
                block
            }
        };
        self.b.ins().jump(epilogue, &[BlockArg::Value(result)]);
    }

    /// Fills the call entry (and the epilogue `leave` jumps to), after every
    /// other block.
    pub(super) fn emit_call_entry(&mut self) {
        let params = self.b.block_params(self.entry).to_vec();
        let (tstate, data, function, args, nargs) = (params[0], params[2], params[3], params[4], params[5]);
        self.b.switch_to_block(self.call_entry);
        (self.tstate, self.data) = (tstate, data);
        let declined = self.b.create_block();
        self.b.set_cold_block(declined);
        if let Some(arity) = self.info.exact_arity {
            let frame = self.push_frame(arity, function, args, nargs, declined);
            let start = self.start;
            self.b.ins().jump(start, &[BlockArg::Value(frame)]);
        } else {
            self.b.ins().jump(declined, &[]);
        }
        self.b.switch_to_block(declined);
        let result = self.iconst(CALL_DECLINED as i64);
        self.b.ins().return_(&[result]);
        if let Some(epilogue) = self.epilogue {
            self.emit_epilogue(epilogue);
        }
    }

    /// Pushes and links the frame of a call of `function` with the `nargs`
    /// arguments at `args` (moved into it); goes to `declined` instead for
    /// every call the runtime must run.
    fn push_frame(&mut self, arity: u32, function: Value, args: Value, nargs: Value, declined: Block) -> Value {
        let tstate = self.tstate;
        let binds = self.b.ins().icmp_imm_s(IntCC::Equal, nargs, i64::from(arity));
        self.guard(binds, declined);
        let use_tracing = self.use_tracing();
        let untraced = self.b.ins().icmp_imm_s(IntCC::Equal, use_tracing, 0);
        self.guard(untraced, declined);
        let remaining = self.load_i32(tstate, abi::TSTATE_RECURSION_REMAINING);
        let below_limit = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, remaining, 0);
        self.guard(below_limit, declined);
        let phase = self.b.ins().band_imm_s(remaining, i64::from(C_STACK_CHECK_PERIOD - 1));
        let measure = self.cold_block();
        let stack_checked = self.b.create_block();
        self.b.ins().brif(phase, stack_checked, &[], measure, &[]);
        self.b.switch_to_block(measure);
        let exhausted = self.call("pyjit_c_stack_exhausted", &[]);
        self.b.ins().brif(exhausted, declined, &[], stack_checked, &[]);
        self.b.switch_to_block(stack_checked);

        let size = self.info.nlocalsplus as usize + self.info.stacksize as usize + abi::FRAME_SPECIALS_SIZE;
        let top = self.load(tstate, abi::TSTATE_DATASTACK_TOP);
        let limit = self.load(tstate, abi::TSTATE_DATASTACK_LIMIT);
        let chunk = self.load(tstate, abi::TSTATE_DATASTACK_CHUNK);
        let chunk_start = self.b.ins().iadd_imm_s(chunk, abi::STACK_CHUNK_DATA as i64);
        let new_top = self.b.ins().iadd_imm_s(top, 8 * size as i64);
        // A frame at a chunk's start frees the chunk when popped, which only CPython does.
        let started = self.b.ins().icmp(IntCC::NotEqual, top, chunk_start);
        let fits = self.b.ins().icmp(IntCC::UnsignedLessThan, new_top, limit);
        let room = self.b.ins().band(started, fits);
        let has_chunk = self.b.ins().icmp_imm_s(IntCC::NotEqual, top, 0);
        let room = self.b.ins().band(room, has_chunk);
        self.guard(room, declined);
        self.store(new_top, tstate, abi::TSTATE_DATASTACK_TOP);

        // `_PyFrame_InitializeSpecials`: the frame owns references to the function and its code.
        let frame = top;
        let code = self.load(function, abi::FUNC_CODE);
        self.incref(function);
        self.incref(code);
        let builtins = self.load(function, abi::FUNC_BUILTINS);
        let globals = self.load(function, abi::FUNC_GLOBALS);
        let null = self.iconst(0);
        let before_first = self.b.ins().iadd_imm_s(code, abi::CODE_CODE_ADAPTIVE as i64 - 2);
        for (value, offset) in [
            (function, abi::FRAME_F_FUNC),
            (code, abi::FRAME_F_CODE),
            (builtins, abi::FRAME_F_BUILTINS),
            (globals, abi::FRAME_F_GLOBALS),
            (null, abi::FRAME_F_LOCALS),
            (null, abi::FRAME_FRAME_OBJ),
            (before_first, abi::FRAME_PREV_INSTR),
        ] {
            self.store(value, frame, offset);
        }
        self.b.ins().istore8(flags(), null, frame, abi::FRAME_IS_ENTRY as i32);
        let owner = self.iconst(abi::FRAME_OWNED_BY_THREAD as i64);
        self.b.ins().istore8(flags(), owner, frame, abi::FRAME_OWNER as i32);
        // While the frame runs its value stack is private, as in the interpreter.
        let running = self.b.ins().iconst(types::I32, -1);
        self.b.ins().store(flags(), running, frame, abi::FRAME_STACKTOP as i32);
        for i in 0..self.info.nlocalsplus as usize {
            let value = if i < arity as usize { self.load(args, 8 * i) } else { null };
            self.store(value, frame, Self::local_offset(i));
        }

        // `run_native`: one recursion level, and the frame linked as the thread's current one.
        let remaining = self.b.ins().iadd_imm_s(remaining, -1);
        self.b.ins().store(flags(), remaining, tstate, abi::TSTATE_RECURSION_REMAINING as i32);
        let cframe = self.load(tstate, abi::TSTATE_CFRAME);
        let previous = self.load(cframe, abi::CFRAME_CURRENT_FRAME);
        self.store(previous, frame, abi::FRAME_PREVIOUS);
        self.store(frame, cframe, abi::CFRAME_CURRENT_FRAME);
        let entries = self.b.ins().iadd_imm_s(self.data, 8 * bytecode::DATA_CALL_ENTRIES as i64);
        let direct_calls = self.data_address("pyjit_stats_direct_calls");
        let native_calls = self.data_address("pyjit_stats_native_calls");
        for counter in [entries, direct_calls, native_calls] {
            let count = self.load(counter, 0);
            let count = self.b.ins().iadd_imm_s(count, 1);
            self.store(count, counter, 0);
        }
        frame
    }

    /// Returns the result passed to `epilogue`; first, if the call entry
    /// pushed the frame, unlinks, clears and pops it as the runtime does.
    fn emit_epilogue(&mut self, epilogue: Block) {
        self.b.switch_to_block(epilogue);
        self.reload_anchors();
        let result = self.b.block_params(epilogue)[0];
        let given_frame = self.b.ins().stack_load(self.ptr, self.ptr, self.anchors, GIVEN_FRAME_ANCHOR);
        let pushed = self.b.create_block();
        let given = self.b.create_block();
        self.b.ins().brif(given_frame, given, &[], pushed, &[]);
        self.b.switch_to_block(given);
        self.b.ins().return_(&[result]);

        self.b.switch_to_block(pushed);
        let (tstate, frame) = (self.tstate, self.frame);
        let cframe = self.load(tstate, abi::TSTATE_CFRAME);
        let previous = self.load(frame, abi::FRAME_PREVIOUS);
        self.store(previous, cframe, abi::CFRAME_CURRENT_FRAME);
        let frame_object = self.load(frame, abi::FRAME_FRAME_OBJ);
        let with_object = self.cold_block();
        let clear = self.b.create_block();
        self.b.ins().brif(frame_object, with_object, &[], clear, &[]);

        // A frame object outlives the call or must be released: the runtime's
        // `clear_and_pop` hands the frame over, with the level given back first
        // as `run_native` gives it back.
        self.b.switch_to_block(with_object);
        self.leave_recursion_level();
        self.call("pyjit_clear_and_pop_frame", &[tstate, frame]);
        self.b.ins().return_(&[result]);

        // `_PyFrame_Clear` one level deeper, as `_PyEvalFrameClearAndPop` runs it.
        self.b.switch_to_block(clear);
        let header = self.b.create_block();
        let index = self.b.append_block_param(header, self.ptr);
        let body = self.b.create_block();
        let cleared = self.b.create_block();
        let first = self.iconst(0);
        self.b.ins().jump(header, &[BlockArg::Value(first)]);
        self.b.switch_to_block(header);
        let done = self.b.ins().icmp_imm_s(IntCC::Equal, index, i64::from(self.info.nlocalsplus));
        self.b.ins().brif(done, cleared, &[], body, &[]);
        self.b.switch_to_block(body);
        let address = self.b.ins().ishl_imm_s(index, 3);
        let address = self.b.ins().iadd(frame, address);
        let local = self.load(address, abi::FRAME_LOCALSPLUS);
        self.xdecref(local);
        let next = self.b.ins().iadd_imm_s(index, 1);
        self.b.ins().jump(header, &[BlockArg::Value(next)]);
        self.b.switch_to_block(cleared);
        let function = self.load(frame, abi::FRAME_F_FUNC);
        self.decref(function);
        let code = self.load(frame, abi::FRAME_F_CODE);
        self.decref(code);
        self.leave_recursion_level();
        self.store(frame, tstate, abi::TSTATE_DATASTACK_TOP);
        self.b.ins().return_(&[result]);
    }

    fn leave_recursion_level(&mut self) {
        let tstate = self.tstate;
        let remaining = self.load_i32(tstate, abi::TSTATE_RECURSION_REMAINING);
        let remaining = self.b.ins().iadd_imm_s(remaining, 1);
        self.b.ins().store(flags(), remaining, tstate, abi::TSTATE_RECURSION_REMAINING as i32);
    }
}
