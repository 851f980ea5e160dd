//! Calls that need no frame, made from the caller's code
//! (`inline-frameless-calls`): a direct call (`direct-calls`) of a function
//! whose frameless variant runs it (`frameless-calls`) or whose whole body
//! returns a parameter or a constant (`trivial-calls`) does in the caller's
//! code what `pyjit_call_positional` would do for it in the runtime
//! (`frames::enter_exact`): the checks, the variant run on a frame-shaped
//! block of the caller's C stack or the value taken, the window released.
//! The path is emitted only at a call of a method or a global named as a
//! function the runtime compiled with a variant or a trivial body
//! (`bytecode::note_callee_without_frame`), where it is likely to be taken:
//! emitted at every call site, a call path made code a third larger and
//! call-heavy code slower (see `frame_push`). Every call is guarded on the
//! function the site's first entry recorded (`CallSite`, filled by
//! `pyjit_call_positional`), whatever its name; any other call, and one the
//! variant gives back, goes to `pyjit_call_positional`, which tries the
//! variant again (a give-back changes nothing) and counts a give-back once.
//! A frameless variant makes the calls of trivial methods it has
//! (`CodeInfo::calls_without_frame`) the same way, with borrowed values and
//! no counts; any other way the call would go gives its own call back.

use super::frame_push::Entering;
use super::Lowering;
use crate::abi::{self, op};
use crate::config::Optimization;
use crate::helpers::calls::{CallTarget, CALL_SITE_CALLEE, CALL_SITE_TARGET, RETURNS_CONSTANT, RETURNS_PARAMETER};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{Block, BlockArg, InstBuilder, Value};
use std::mem::offset_of;

/// Where a CALL's window holds the callable, for `call_without_frame`.
#[derive(Clone, Copy)]
pub enum WindowCallable {
    /// LOAD_METHOD's method below `self`: `[method, self, args…]` (or
    /// `[NULL, attribute, args…]` when the attribute was no method).
    Method,
    /// LOAD_GLOBAL's global above a NULL: `[NULL, function, args…]`.
    Global,
}

impl Lowering<'_> {
    /// Where the window of the current CALL of `nargs` positional arguments
    /// holds its callable, when a method or a global pushed it under the name
    /// of a function calls can run without a frame
    /// (`CodeInfo::names_callee_without_frame`); in a frameless variant, only
    /// at the trivial method calls it makes (`CodeInfo::calls_without_frame`).
    pub fn callee_without_frame(&mut self, nargs: u32) -> Option<WindowCallable> {
        if self.bail.is_some() && !self.info.calls_without_frame.contains(&self.ins.index) {
            return None;
        }
        let Some((producer, 0)) = self.analysis.producer(&self.info.instrs, self.position, nargs) else { return None };
        let load = self.info.instrs[producer];
        let (name, callable) = match load.opcode {
            op::LOAD_METHOD => (load.arg, WindowCallable::Method),
            op::LOAD_GLOBAL if load.arg & 1 == 1 => (load.arg >> 1, WindowCallable::Global),
            _ => return None,
        };
        let without_frame = self.enabled.contains(Optimization::TrivialCalls) || self.enabled.contains(Optimization::FramelessCalls);
        (without_frame && self.info.names_callee_without_frame(name) && self.apply(Optimization::InlineFramelessCalls))
            .then_some(callable)
    }

    /// CALL of `window` (its items owned, all consumed; also written to the
    /// frame's value stack for `generic`) at the call site `site`: when the
    /// callable is the Python function whose code the site recorded, with
    /// native code the arguments bind exactly and nothing in the way of
    /// entering it (`guard_enterable`), the value its trivial body returns
    /// or the result of its frameless variant; otherwise, or when the
    /// variant gives the call back, the call `generic` makes.
    pub fn call_without_frame(
        &mut self,
        window: &[Value],
        callable: WindowCallable,
        site: Value,
        generic: impl FnOnce(&mut Self) -> Value,
    ) -> Value {
        let other = self.cold_block();
        let done = self.b.create_block();
        self.b.append_block_param(done, self.ptr);
        let (function, params) = match callable {
            WindowCallable::Method => {
                let is_method = self.b.ins().icmp_imm_s(IntCC::NotEqual, window[0], 0);
                self.guard(is_method, other);
                (window[0], &window[1..])
            }
            WindowCallable::Global => (window[1], &window[2..]),
        };
        // `direct-calls` is decided at each call.
        let switches = self.data_address("pyjit_optimizations_off");
        let off = self.load(switches, 0);
        let direct_off = self.b.ins().band_imm_s(off, 1 << Optimization::DirectCalls.number());
        let direct = self.b.ins().icmp_imm_s(IntCC::Equal, direct_off, 0);
        self.guard(direct, other);
        let ty = self.load(function, abi::OBJECT_TYPE);
        let function_type = self.data_address("PyFunction_Type");
        let is_function = self.b.ins().icmp(IntCC::Equal, ty, function_type);
        self.guard(is_function, other);
        let code = self.load(function, abi::FUNC_CODE);
        let recorded = self.load(site, CALL_SITE_CALLEE);
        let same_code = self.b.ins().icmp(IntCC::Equal, recorded, code);
        self.guard(same_code, other);
        let target = self.load(site, CALL_SITE_TARGET);
        // A callee with neither (its variant no longer tried, say) leaves
        // before the costlier checks.
        let trivial_calls = self.apply(Optimization::TrivialCalls);
        let frameless_calls = self.apply(Optimization::FramelessCalls);
        let returns = self.load_u32(target, offset_of!(CallTarget, returns));
        let variant = self.load(target, offset_of!(CallTarget, frameless));
        let without_frame = match (trivial_calls, frameless_calls) {
            (true, true) => self.b.ins().bor(returns, variant),
            (true, false) => returns,
            _ => variant,
        };
        self.guard(without_frame, other);
        let count = self.iconst(params.len() as i64);
        let callee = self.guard_enterable(function, code, target, count, Entering::WithoutFrame, other);

        let release = self.b.create_block();
        let result = self.b.append_block_param(release, self.ptr);
        let frameless = self.b.create_block();
        if trivial_calls {
            let trivial = self.b.create_block();
            self.b.ins().brif(returns, trivial, &[], frameless, &[]);
            self.b.switch_to_block(trivial);
            self.b.seal_block(trivial);
            let value = self.trivial_value(returns, code, params, other);
            // The value's reference first: releasing the window may free it.
            self.incref(value);
            // A frameless variant counts nothing: the framed code makes the
            // call again when the variant gives its own call back.
            if self.bail.is_none() {
                for counter in ["pyjit_direct_calls", "pyjit_native_calls", "pyjit_trivial_calls"] {
                    let address = self.data_address(counter);
                    self.add_to_counter(address, 0);
                }
                self.add_to_counter(target, offset_of!(CallTarget, entered));
            }
            self.b.ins().jump(release, &[BlockArg::Value(value)]);
        } else {
            self.b.ins().jump(frameless, &[]);
        }
        self.b.switch_to_block(frameless);
        self.b.seal_block(frameless);
        if frameless_calls {
            // Known here: the variant (the path has no trivial value) and
            // the exact arity (`guard_enterable`).
            let ran = self.run_frameless(&callee, variant, params, other, true);
            self.b.ins().jump(release, &[BlockArg::Value(ran)]);
        } else {
            self.b.ins().jump(other, &[]);
        }

        // The window's references, as the callee's frame would release them.
        self.b.switch_to_block(release);
        self.b.seal_block(release);
        for &param in params {
            self.decref(param);
        }
        self.decref(function);
        self.b.ins().jump(done, &[BlockArg::Value(result)]);
        let result = self.join_generic(other, done, generic);
        // The paths joined store different positions, or none.
        self.prev_instr_stored = None;
        result
    }

    /// The value (borrowed) a trivial body returns, as `returns`
    /// (`CallTarget::returns`, nonzero) of the callee's `code` says, when
    /// `params` bind its parameters exactly: one of them, or one of its
    /// constants.
    fn trivial_value(&mut self, returns: Value, code: Value, params: &[Value], other: Block) -> Value {
        let (constant, parameter) = (self.b.create_block(), self.b.create_block());
        let taken = self.b.create_block();
        let value = self.b.append_block_param(taken, self.ptr);
        let is_constant = self.b.ins().icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, returns, i64::from(RETURNS_CONSTANT));
        self.b.ins().brif(is_constant, constant, &[], parameter, &[]);
        self.b.switch_to_block(constant);
        self.b.seal_block(constant);
        let consts = self.load(code, abi::CODE_CONSTS);
        let index = self.b.ins().iadd_imm_s(returns, -i64::from(RETURNS_CONSTANT));
        let offset = self.b.ins().ishl_imm_u(index, 3);
        let item = self.b.ins().iadd(consts, offset);
        let item = self.load(item, abi::TUPLE_ITEMS);
        self.b.ins().jump(taken, &[BlockArg::Value(item)]);
        self.b.switch_to_block(parameter);
        self.b.seal_block(parameter);
        match params.split_first() {
            // A parameter's index is below the parameters bound, so one of `params`.
            Some((&first, rest)) => {
                let index = self.b.ins().iadd_imm_s(returns, -i64::from(RETURNS_PARAMETER));
                let chosen = rest.iter().enumerate().fold(first, |chosen, (i, &param)| {
                    let here = self.b.ins().icmp_imm_s(IntCC::Equal, index, i as i64 + 1);
                    self.b.ins().select(here, param, chosen)
                });
                self.b.ins().jump(taken, &[BlockArg::Value(chosen)]);
            }
            // Code of no parameters returns a constant.
            None => {
                self.b.ins().jump(other, &[]);
            }
        }
        self.b.switch_to_block(taken);
        self.b.seal_block(taken);
        value
    }
}
