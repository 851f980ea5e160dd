//! Calls and function creation.
//!
//! A call's callable, `self` (or NULL) and arguments are written to the
//! frame's value-stack slots, which then serve directly as the vectorcall
//! argument array, as in the interpreter.

use crate::abi::op;
use crate::bytecode::Unsupported;
use crate::codegen::lowering::{BuiltinCall, Lowering, Unboxed};
use crate::config::Optimization;
use cranelift_codegen::ir::Value;

pub fn lower(lw: &mut Lowering) -> Result<(), Unsupported> {
    let arg = lw.ins.arg;
    match lw.ins.opcode {
        op::KW_NAMES => lw.kwnames = Some(arg),
        op::CALL => {
            lw.position_for_calls();
            let kwnames = lw.kwnames.take();
            // CALL takes its window as pushed (`Flags::BORROWS`): a math
            // function takes its argument unboxed and leaves its result so.
            match lw.math_call(arg, kwnames) {
                Some(function) => {
                    let (object, number) = lw.call_math(function, |lw| {
                        let builtin = lw.builtin_call(arg, kwnames);
                        call(lw, arg, kwnames, builtin)
                    });
                    lw.push_number(object, Unboxed::Float, number);
                }
                None => {
                    // A builtin's C function borrows its arguments: locals
                    // and constants among them keep no reference of their
                    // own on its fast path (`Lowering::call_builtin`).
                    let builtin = lw.builtin_call(arg, kwnames);
                    if builtin.is_some() && lw.apply(Optimization::BorrowedOperands) {
                        lw.box_operands(lw.depth);
                        lw.own_stack_below(arg as usize);
                    } else {
                        lw.own_stack();
                    }
                    // `await f(...)`: a compiled coroutine function's code may
                    // run at once (`eager-await`).
                    let result = match lw.awaited_send(arg, builtin.is_none() && kwnames.is_none()) {
                        Some(send) => lw.await_call(arg, send)?,
                        None => call(lw, arg, kwnames, builtin),
                    };
                    lw.push(result);
                }
            }
            lw.check_after_call(lw.ins.next);
        }
        op::CALL_FUNCTION_EX => {
            lw.position_for_calls();
            let items = 3 + (arg & 1) as usize;
            let base = lw.depth - items;
            lw.spill(base, lw.depth);
            let slots = lw.stack_address(base);
            let has_kwargs = lw.iconst(i64::from(arg & 1));
            lw.depth = base;
            let tstate = lw.tstate;
            let result = lw.call("pyjit_call_function_ex", &[tstate, slots, has_kwargs]);
            lw.raise_if_null(result);
            lw.push(result);
            lw.check_after_call(lw.ins.next);
        }
        op::MAKE_FUNCTION => {
            lw.position_for_calls();
            let items = 1 + (arg & 0x0F).count_ones() as usize;
            let base = lw.depth - items;
            lw.spill(base, lw.depth);
            let slots = lw.stack_address(base);
            let (frame, flags) = (lw.frame, lw.iconst(i64::from(arg)));
            let function = lw.call("pyjit_make_function", &[frame, slots, flags]);
            // On failure only the code object has been consumed.
            lw.depth -= 1;
            lw.raise_if_null(function);
            lw.depth = base;
            lw.push(function);
        }
        _ => unreachable!("not a call opcode"),
    }
    Ok(())
}

/// CALL of the window of `arg` arguments (the oparg; keyword names in the
/// constant `kwnames`) on top of the stack, every item boxed and owned (the
/// arguments of a builtin's call may be borrowed), where `builtin` is the
/// builtin call the site was specialised for (`Lowering::builtin_call`):
/// returns the result, having raised if there is none.
fn call(lw: &mut Lowering, arg: u32, kwnames: Option<u32>, builtin: Option<BuiltinCall>) -> Value {
    let base = lw.depth - (arg as usize + 2);
    // `pyjit_call` also decides at each call whether to call directly.
    let direct = builtin.is_none() && lw.apply(Optimization::DirectCalls) && kwnames.is_none();
    let constructs = direct && lw.constructs_python(arg);
    let result = if constructs {
        // The window goes to the frame only on the way to the runtime.
        let window = lw.stack_values(base, lw.depth);
        lw.depth = base;
        let spilled = window.clone();
        let generic = move |lw: &mut Lowering| {
            lw.spill_values(base, &spilled);
            call_positional(lw, base, arg)
        };
        lw.construct_python(base, &window, generic)
    } else {
        // Where the callee's body just returns, the runtime's call takes
        // the value without a frame; where the callee has a frameless
        // variant, it runs that first.
        let without_frame = if direct {
            lw.apply(Optimization::TrivialCalls);
            lw.apply(Optimization::FramelessCalls);
            lw.callee_without_frame(arg)
        } else {
            None
        };
        let window = if without_frame.is_some() { lw.stack_values(base, lw.depth) } else { Vec::new() };
        let arguments = lw.depth - arg as usize;
        lw.spill(base, arguments);
        let borrowed = lw.spill_borrowing(arguments, lw.depth);
        let slots = lw.stack_address(base);
        lw.depth = base;
        let generic = move |lw: &mut Lowering| {
            let kwnames = match kwnames {
                Some(index) => lw.constant(index),
                None => lw.iconst(0),
            };
            let nargs = lw.iconst(i64::from(arg));
            let (tstate, frame) = (lw.tstate, lw.frame);
            lw.call("pyjit_call", &[tstate, frame, slots, nargs, kwnames])
        };
        if let Some(kind) = builtin {
            lw.call_builtin(slots, &borrowed, kind, kwnames, generic)
        } else if let Some(callable) = without_frame {
            let site = lw.data_entry();
            lw.call_without_frame(&window, callable, site, |lw| call_positional(lw, base, arg))
        } else if direct {
            call_positional(lw, base, arg)
        } else {
            generic(lw)
        }
    };
    lw.raise_if_null_at_prev_instr(result);
    result
}

/// CALL of `nargs` positional arguments through `pyjit_call_positional`,
/// the window written to the frame's value stack from `base` on.
fn call_positional(lw: &mut Lowering, base: usize, nargs: u32) -> Value {
    let slots = lw.stack_address(base);
    let nargs = lw.iconst(i64::from(nargs));
    let site = lw.data_entry();
    let (tstate, frame) = (lw.tstate, lw.frame);
    lw.call("pyjit_call_positional", &[tstate, frame, slots, nargs, site])
}
