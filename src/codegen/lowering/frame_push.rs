//! A Python function's frame pushed, bound and run from the caller's code
//! (`inline-frame-push`), for `inline-construct`'s call of `__init__`
//! (`construct_call`): the frame pushed on the thread's data stack, the
//! arguments moved into it (and the defaults of the parameters they leave
//! out), the callee's native code entered and the frame cleared and popped
//! afterwards, as `helpers::frames::enter_compiled` does, without a call
//! into the runtime. Every check comes before the first side effect.
//!
//! Other calls of Python functions push their frames in the runtime
//! (`pyjit_call_positional`, `direct-calls`): the same path inline at every
//! call site made code a third larger and call-heavy code slower (richards
//! 6-10 %, logging 9 %, go 3 %; spectral_norm, whose loop calls one small
//! function, 3 % faster).

use super::Lowering;
use crate::abi;
use crate::helpers::calls::{CallTarget, NO_ARITY};
use crate::helpers::frames::C_STACK_CHECK_PERIOD;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, Block, BlockArg, InstBuilder, Value};
use std::mem::offset_of;

// Whether a level is due for the C stack check is a mask test.
const _: () = assert!(C_STACK_CHECK_PERIOD.count_ones() == 1);

/// A Python function whose native code `guard_enterable` found can be
/// entered from the caller's code.
pub(super) struct Callee {
    /// The function (its frame takes a reference) and its code.
    function: Value,
    code: Value,
    /// The code's `CallTarget`.
    target: Value,
    /// The positional arguments passed, and the parameters they and the
    /// defaults bind.
    count: Value,
    arity: Value,
    /// The native code's entry.
    entry: Value,
    /// Nonzero for a generator or coroutine function.
    pub(super) makes_generator: Value,
}

/// How a call that `guard_enterable` admits enters its callee.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Entering {
    /// With a frame pushed here, or first by its frameless variant: the
    /// arguments may leave the last parameters to their defaults, and a
    /// level due for the C stack measurement is left to the runtime.
    Framed,
    /// By its frameless variant or its trivial body alone: the arguments
    /// bind exactly, and no level is added, so no C stack measurement is
    /// due.
    WithoutFrame,
}

/// Where `push_and_run` pushes a callee's frame (`guard_room`): the data
/// stack's top, and the top after the frame.
pub(super) struct FrameRoom {
    frame: Value,
    new_top: Value,
}

impl Lowering<'_> {
    /// Ends a call's inline path, which jumped to `done` (a block with the
    /// result as its parameter): the call made by `generic` in `other`, the
    /// block its guards go to, and the result of either.
    pub(super) fn join_generic(&mut self, other: Block, done: Block, generic: impl FnOnce(&mut Self) -> Value) -> Value {
        self.b.switch_to_block(other);
        self.b.seal_block(other);
        let result = generic(self);
        self.b.ins().jump(done, &[BlockArg::Value(result)]);
        self.b.switch_to_block(done);
        self.b.seal_block(done);
        self.b.block_params(done)[0]
    }

    /// Goes to `other` unless the native code of `function` (whose code is
    /// `code`, with `target` the state a call site recorded for it) can be
    /// entered with `count` positional arguments from the caller's code as
    /// `entering` says: `target` still belongs to `code` and has native
    /// code, the arguments bind the parameters (exactly, or, framed, with
    /// defaults for the last ones: `guard_arguments_bind`) and nothing
    /// stands in the way of entering it (`frames::may_enter`). Has no side
    /// effect.
    pub(super) fn guard_enterable(
        &mut self,
        function: Value,
        code: Value,
        target: Value,
        count: Value,
        entering: Entering,
        other: Block,
    ) -> Callee {
        let owner = self.load(target, offset_of!(CallTarget, code));
        let arity = self.load_u32(target, offset_of!(CallTarget, exact_arity));
        let entry = self.load(target, offset_of!(CallTarget, entry));
        let makes_generator = self.load_u8(target, offset_of!(CallTarget, creates_generator));
        let owned = self.b.ins().icmp(IntCC::Equal, owner, code);
        let native = self.b.ins().icmp_imm_s(IntCC::NotEqual, entry, 0);
        let enterable = self.b.ins().band(owned, native);
        self.guard(enterable, other);
        if entering == Entering::Framed {
            self.guard_arguments_bind(function, arity, count, other);
        } else {
            let exact = self.b.ins().icmp(IntCC::Equal, arity, count);
            self.guard(exact, other);
        }

        // `frames::may_enter`: no trace or profile function, pyjit's frame
        // evaluator the interpreter's, below the recursion limit, and no C
        // stack measurement due at this level. (Measuring it here, by a
        // call at those levels, made coroutines 6 % slower than leaving
        // those calls to the runtime.)
        let tracing = self.use_tracing();
        let interp = self.load(self.tstate, abi::TSTATE_INTERP);
        let evaluator = self.load(interp, abi::INTERP_EVAL_FRAME);
        let hook_address = self.data_address("pyjit_frame_evaluator");
        let hook = self.load(hook_address, 0);
        let remaining = self.load_i32(self.tstate, abi::TSTATE_RECURSION_REMAINING);
        let untraced = self.b.ins().icmp_imm_s(IntCC::Equal, tracing, 0);
        let hooked = self.b.ins().icmp(IntCC::Equal, evaluator, hook);
        let mut in_limits = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, remaining, 0);
        if entering == Entering::Framed {
            let level = self.b.ins().band_imm_s(remaining, i64::from(C_STACK_CHECK_PERIOD - 1));
            let unmeasured = self.b.ins().icmp_imm_s(IntCC::NotEqual, level, 0);
            in_limits = self.b.ins().band(in_limits, unmeasured);
        }
        let runnable = self.b.ins().band(untraced, hooked);
        let may_enter = self.b.ins().band(runnable, in_limits);
        self.guard(may_enter, other);
        Callee { function, code, target, count, arity, entry, makes_generator }
    }

    /// Goes to `other` unless the frame of `callee` fits on the data
    /// stack's current chunk, not at its start (`frames::push_frame`).
    /// Has no side effect.
    pub(super) fn guard_room(&mut self, callee: &Callee, other: Block) -> FrameRoom {
        let top = self.load(self.tstate, abi::TSTATE_DATASTACK_TOP);
        let chunk = self.load(self.tstate, abi::TSTATE_DATASTACK_CHUNK);
        let limit = self.load(self.tstate, abi::TSTATE_DATASTACK_LIMIT);
        let words = self.load_u32(callee.target, offset_of!(CallTarget, frame_words));
        let size = self.b.ins().ishl_imm_u(words, 3);
        let new_top = self.b.ins().iadd(top, size);
        let chunk_start = self.b.ins().iadd_imm_s(chunk, abi::STACK_CHUNK_DATA as i64);
        let has_top = self.b.ins().icmp_imm_s(IntCC::NotEqual, top, 0);
        let not_first = self.b.ins().icmp(IntCC::NotEqual, top, chunk_start);
        let fits = self.b.ins().icmp(IntCC::UnsignedLessThan, new_top, limit);
        let pushable = self.b.ins().band(has_top, not_first);
        let room = self.b.ins().band(pushable, fits);
        self.guard(room, other);
        FrameRoom { frame: top, new_top }
    }

    /// Pushes the frame of `callee` where `room` says (after
    /// `guard_enterable` and `guard_room`; no generator or coroutine
    /// function), taking over the reference to its function, binds `params`
    /// (moved) to its first parameters, the rest to their defaults, runs its
    /// native code, then clears and pops the frame:
    /// `frames::enter_compiled` in the caller's code. The result, NULL if
    /// the callee raised.
    pub(super) fn push_and_run(&mut self, callee: &Callee, room: &FrameRoom, params: &[Value]) -> Value {
        let frame = room.frame;
        let tstate = self.tstate;
        self.store(room.new_top, tstate, abi::TSTATE_DATASTACK_TOP);
        self.initialize_frame(frame, callee.function, callee.code, callee.target);
        self.bind_arguments(frame, params);
        self.bind_defaults(frame, callee.function, callee.count, callee.arity);
        self.unbind_locals(frame, callee.arity, callee.target);
        let direct_calls = self.data_address("pyjit_direct_calls");
        self.add_to_counter(direct_calls, 0);
        let result = self.run_native(frame, callee);
        self.clear_and_pop(frame);
        result
    }

    /// Goes to `framed` unless the code of `callee` (found enterable by
    /// `guard_enterable`) has a frameless variant and `count` arguments are
    /// exactly its parameters; the variant's entry. Has no side effect.
    pub(super) fn guard_frameless(&mut self, callee: &Callee, count: usize, framed: Block) -> Value {
        let variant = self.load(callee.target, offset_of!(CallTarget, frameless));
        let has_variant = self.b.ins().icmp_imm_s(IntCC::NotEqual, variant, 0);
        let exact = self.b.ins().icmp_imm_s(IntCC::Equal, callee.arity, count as i64);
        let runnable = self.b.ins().band(has_variant, exact);
        self.guard(runnable, framed);
        variant
    }

    /// `frames::run_frameless` in the caller's code: `variant`, the
    /// frameless variant of `callee` (`guard_frameless`), run with `params`
    /// (borrowed, exactly its parameters) on a frame-shaped block of this
    /// function's stack with the header fields it reads. Its result (a new
    /// reference), or a jump to `framed` where it gave the call back, having
    /// changed nothing; a give-back is counted here unless `framed` tries
    /// the variant again.
    pub(super) fn run_frameless(&mut self, callee: &Callee, variant: Value, params: &[Value], framed: Block, framed_retries: bool) -> Value {
        let block = self.frameless_block();
        let frame = self.b.ins().stack_addr(self.ptr, block, 0);
        self.write_code_fields(frame, callee.function, callee.code);
        self.bind_arguments(frame, params);
        let tstate = self.tstate;
        let data = self.load(callee.target, offset_of!(CallTarget, data));
        let result = self.call_address(variant, &[tstate, frame, data]);
        let (ran, gave_back) = (self.b.create_block(), self.cold_block());
        self.b.ins().brif(result, ran, &[], gave_back, &[]);
        self.b.switch_to_block(gave_back);
        self.b.seal_block(gave_back);
        if !framed_retries {
            self.call("pyjit_frameless_gave_back", &[callee.target]);
        }
        self.b.ins().jump(framed, &[]);
        self.b.switch_to_block(ran);
        self.b.seal_block(ran);
        for counter in ["pyjit_direct_calls", "pyjit_native_calls", "pyjit_frameless_calls"] {
            let address = self.data_address(counter);
            self.add_to_counter(address, 0);
        }
        self.add_to_counter(callee.target, offset_of!(CallTarget, entered));
        result
    }

    /// `frames::initialize` of the pushed `frame` for `function`, whose code
    /// `code` has `target` as its state (no locals dict: `exact_arity` says
    /// so). The frame takes over the caller's reference to the function.
    fn initialize_frame(&mut self, frame: Value, function: Value, code: Value, target: Value) {
        self.incref(code);
        self.write_code_fields(frame, function, code);
        let null = self.iconst(0);
        self.store(null, frame, abi::FRAME_F_LOCALS);
        self.store(null, frame, abi::FRAME_FRAME_OBJ);
        let nlocalsplus = self.load_i32(target, offset_of!(CallTarget, nlocalsplus));
        self.store(nlocalsplus, frame, abi::FRAME_STACKTOP);
        let before_first = self.b.ins().iadd_imm_s(code, abi::CODE_CODE_ADAPTIVE as i64 - 2);
        self.store(before_first, frame, abi::FRAME_PREV_INSTR);
        let not_entry = self.b.ins().iconst(types::I8, 0);
        self.store(not_entry, frame, abi::FRAME_IS_ENTRY);
        let owner = self.b.ins().iconst(types::I8, abi::FRAME_OWNED_BY_THREAD as i64);
        self.store(owner, frame, abi::FRAME_OWNER);
    }

    /// The header fields of `frame` that name the code: `function`, its
    /// `code`, its builtins and globals (`frames::write_code_fields`).
    fn write_code_fields(&mut self, frame: Value, function: Value, code: Value) {
        self.store(function, frame, abi::FRAME_F_FUNC);
        self.store(code, frame, abi::FRAME_F_CODE);
        let builtins = self.load(function, abi::FUNC_BUILTINS);
        self.store(builtins, frame, abi::FRAME_F_BUILTINS);
        let globals = self.load(function, abi::FUNC_GLOBALS);
        self.store(globals, frame, abi::FRAME_F_GLOBALS);
    }

    /// Goes to `other` unless `count` positional arguments bind the
    /// parameters of `function`, whose code's `exact_arity` is `arity`:
    /// exactly, or with the last `arity - count` parameters taken from its
    /// defaults (as CPython's `initialize_locals` takes them).
    fn guard_arguments_bind(&mut self, function: Value, arity: Value, count: Value, other: Block) {
        let with_defaults = self.b.create_block();
        let binds = self.b.create_block();
        let exact = self.b.ins().icmp(IntCC::Equal, arity, count);
        self.b.ins().brif(exact, binds, &[], with_defaults, &[]);
        self.b.switch_to_block(with_defaults);
        self.b.seal_block(with_defaults);
        let plain = self.b.ins().icmp_imm_s(IntCC::NotEqual, arity, i64::from(NO_ARITY));
        let fewer = self.b.ins().icmp(IntCC::UnsignedLessThan, count, arity);
        let defaults = self.load(function, abi::FUNC_DEFAULTS);
        let has_defaults = self.b.ins().icmp_imm_s(IntCC::NotEqual, defaults, 0);
        let shape = self.b.ins().band(plain, fewer);
        let may_default = self.b.ins().band(shape, has_defaults);
        self.guard(may_default, other);
        let available = self.load(defaults, abi::VAROBJECT_SIZE);
        let missing = self.b.ins().isub(arity, count);
        let enough = self.b.ins().icmp(IntCC::SignedGreaterThanOrEqual, available, missing);
        self.guard(enough, other);
        self.b.ins().jump(binds, &[]);
        self.b.switch_to_block(binds);
        self.b.seal_block(binds);
    }

    /// Binds the parameters `count..arity` of `frame` to the last defaults
    /// of `function` (new references), after `guard_arguments_bind`.
    fn bind_defaults(&mut self, frame: Value, function: Value, count: Value, arity: Value) {
        self.for_each_slot(frame, count, arity, |lw, slot, index| {
            let defaults = lw.load(function, abi::FUNC_DEFAULTS);
            let available = lw.load(defaults, abi::VAROBJECT_SIZE);
            let from_end = lw.b.ins().isub(arity, index);
            let position = lw.b.ins().isub(available, from_end);
            let offset = lw.b.ins().ishl_imm_u(position, 3);
            let item = lw.b.ins().iadd(defaults, offset);
            let value = lw.load(item, abi::TUPLE_ITEMS);
            lw.incref(value);
            lw.store(value, slot, abi::FRAME_LOCALSPLUS);
        });
    }

    /// Moves the arguments `params` into the first locals of `frame`.
    fn bind_arguments(&mut self, frame: Value, params: &[Value]) {
        for (i, &param) in params.iter().enumerate() {
            self.store(param, frame, abi::FRAME_LOCALSPLUS + 8 * i);
        }
    }

    /// Leaves the locals of `frame` from `bound` on unbound.
    fn unbind_locals(&mut self, frame: Value, bound: Value, target: Value) {
        let nlocalsplus = self.load_u32(target, offset_of!(CallTarget, nlocalsplus));
        self.for_each_slot(frame, bound, nlocalsplus, |lw, slot, _| {
            let null = lw.iconst(0);
            lw.store(null, slot, abi::FRAME_LOCALSPLUS);
        });
    }

    /// Runs `body` for the address and the index of each slot `from..to` of
    /// `frame` (its local or stack slot at offset `FRAME_LOCALSPLUS`), in a
    /// loop.
    fn for_each_slot(&mut self, frame: Value, from: Value, to: Value, body: impl FnOnce(&mut Self, Value, Value)) {
        let header = self.b.create_block();
        let each = self.b.create_block();
        let exit = self.b.create_block();
        self.b.append_block_param(header, self.ptr);
        self.b.ins().jump(header, &[BlockArg::Value(from)]);
        self.b.switch_to_block(header);
        let index = self.b.block_params(header)[0];
        let more = self.b.ins().icmp(IntCC::SignedLessThan, index, to);
        self.b.ins().brif(more, each, &[], exit, &[]);
        self.b.switch_to_block(each);
        self.b.seal_block(each);
        let offset = self.b.ins().ishl_imm_u(index, 3);
        let slot = self.b.ins().iadd(frame, offset);
        body(self, slot, index);
        let next = self.b.ins().iadd_imm_s(index, 1);
        self.b.ins().jump(header, &[BlockArg::Value(next)]);
        self.b.seal_block(header);
        self.b.switch_to_block(exit);
        self.b.seal_block(exit);
    }

    /// Adds one to the 64-bit counter at `address + offset` (the counters
    /// change only with the GIL held, as `stats::bump` says).
    pub(super) fn add_to_counter(&mut self, address: Value, offset: usize) {
        let count = self.load(address, offset);
        let count = self.b.ins().iadd_imm_s(count, 1);
        self.store(count, address, offset);
    }

    /// `frames::run_native` on `frame`, which has no recursion check to
    /// make (the level is below the limit): the frame linked as the
    /// thread's current one while the callee's native code runs with its
    /// data block. Leaves the level counted for `clear_and_pop`.
    fn run_native(&mut self, frame: Value, callee: &Callee) -> Value {
        let native_calls = self.data_address("pyjit_native_calls");
        self.add_to_counter(native_calls, 0);
        self.add_to_counter(callee.target, offset_of!(CallTarget, entered));
        let tstate = self.tstate;
        self.move_recursion_budget(-1);
        let cframe = self.load(tstate, abi::TSTATE_CFRAME);
        let caller = self.load(cframe, abi::CFRAME_CURRENT_FRAME);
        self.store(caller, frame, abi::FRAME_PREVIOUS);
        self.store(frame, cframe, abi::CFRAME_CURRENT_FRAME);
        let data = self.load(callee.target, offset_of!(CallTarget, data));
        let result = self.call_address(callee.entry, &[tstate, frame, data]);
        let cframe = self.load(tstate, abi::TSTATE_CFRAME);
        let caller = self.load(frame, abi::FRAME_PREVIOUS);
        self.store(caller, cframe, abi::CFRAME_CURRENT_FRAME);
        result
    }

    /// `frames::clear_and_pop` of `frame` after `run_native`, whose
    /// recursion level it keeps while clearing and then gives back: its
    /// slots and specials released inline, or by `pyjit_clear_frame` when
    /// the frame has a frame object or a locals dict.
    fn clear_and_pop(&mut self, frame: Value) {
        let frame_object = self.load(frame, abi::FRAME_FRAME_OBJ);
        let locals = self.load(frame, abi::FRAME_F_LOCALS);
        let either = self.b.ins().bor(frame_object, locals);
        let general = self.cold_block();
        let plain = self.b.create_block();
        let cleared = self.b.create_block();
        self.b.ins().brif(either, general, &[], plain, &[]);
        self.b.switch_to_block(general);
        self.b.seal_block(general);
        let tstate = self.tstate;
        self.call("pyjit_clear_frame", &[tstate, frame]);
        self.b.ins().jump(cleared, &[]);
        self.b.switch_to_block(plain);
        self.b.seal_block(plain);
        let stacktop = self.load_i32(frame, abi::FRAME_STACKTOP);
        let stacktop = self.b.ins().sextend(self.ptr, stacktop);
        let zero = self.iconst(0);
        self.for_each_slot(frame, zero, stacktop, |lw, slot, _| {
            let value = lw.load(slot, abi::FRAME_LOCALSPLUS);
            lw.xdecref_at_stored_position(value);
        });
        let function = self.load(frame, abi::FRAME_F_FUNC);
        self.decref_at_stored_position(function);
        let code = self.load(frame, abi::FRAME_F_CODE);
        self.decref_at_stored_position(code);
        self.b.ins().jump(cleared, &[]);
        self.b.switch_to_block(cleared);
        self.b.seal_block(cleared);
        self.move_recursion_budget(1);
        self.store(frame, tstate, abi::TSTATE_DATASTACK_TOP);
    }
}
