//! Generators, coroutines and async generators: creating one, suspending
//! its frame at `yield`, `yield from` and `await`, `async with` and
//! `async for`, and an async generator's wrapping of what it yields.
//! Native code resumes a generator's frame at the instruction after the
//! suspension (`Lowering::emit_entries`), with the value sent pushed.

use crate::abi::op;
use crate::bytecode::Unsupported;
use crate::codegen::lowering::Lowering;
use crate::codegen::ops::control;
use crate::config::Optimization;
use crate::helpers::suspend;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::InstBuilder;

pub fn lower(lw: &mut Lowering) -> Result<(), Unsupported> {
    let ins = lw.ins;
    match ins.opcode {
        op::RETURN_GENERATOR => {
            // The runtime gives a generator's first run to the interpreter,
            // which creates the generator object (with CPython's hidden
            // `_Py_MakeCoro`); should native code start one, it hands over here.
            lw.resume_in_interpreter();
            lw.resumes_at_next()
        }
        op::YIELD_VALUE => {
            let value = lw.pop();
            lw.suspend(value);
            lw.resumes_at_next()
        }
        op::GET_YIELD_FROM_ITER => {
            lw.position_for_calls();
            let iterable = lw.pop();
            let frame = lw.frame;
            let iterator = lw.call("pyjit_get_yield_from_iter", &[frame, iterable]);
            lw.raise_if_null(iterator);
            lw.push(iterator);
            Ok(())
        }
        // `yield from` and `await` loop over SEND, YIELD_VALUE, RESUME and a
        // backward jump to SEND until the receiver returns.
        op::SEND => {
            lw.position_for_calls();
            let base = lw.depth - 2;
            lw.spill(base, base + 2);
            let slots = lw.stack_address(base);
            let how = resume_how(lw);
            let how = lw.iconst(how as i64);
            let tstate = lw.tstate;
            let status = lw.call("pyjit_send", &[tstate, slots, how]);
            let failed = lw.b.ins().icmp_imm_s(IntCC::SignedLessThan, status, 0);
            lw.raise_if_with_depth(failed, base, base + 1);
            // Returned: the return value replaces the receiver; yielded: the
            // value yielded is pushed.
            lw.depth = base + 1;
            lw.reload(base, base + 1);
            let returned = lw.b.ins().icmp_imm_s(IntCC::Equal, status, 0);
            lw.branch(returned, ins.jump_target().expect("SEND jumps"))?;
            lw.depth = base + 2;
            lw.reload(base + 1, base + 2);
            // The receiver ran Python code, which may have switched tracing on.
            lw.check_tracing(ins.next);
            Ok(())
        }
        op::GET_AWAITABLE => {
            lw.position_for_calls();
            let awaitable = lw.pop();
            let where_ = lw.iconst(i64::from(ins.arg));
            let iterator = lw.call("pyjit_get_awaitable", &[awaitable, where_]);
            lw.raise_if_null(iterator);
            lw.push(iterator);
            Ok(())
        }
        op::GET_ANEXT => {
            lw.position_for_calls();
            let aiter = lw.peek(1);
            let awaitable = lw.call("pyjit_get_anext", &[aiter]);
            lw.raise_if_null(awaitable);
            lw.push(awaitable);
            Ok(())
        }
        op::BEFORE_ASYNC_WITH => {
            control::before_with(lw, true);
            Ok(())
        }
        // The handler of `async for`: StopAsyncIteration ends the loop; any
        // other exception is re-raised without a traceback entry, by the
        // interpreter (as RERAISE is where no compiled handler catches it).
        op::END_ASYNC_FOR => {
            let value = lw.peek(1);
            let ended = lw.call("pyjit_ends_async_for", &[value]);
            let reraise = lw.cold_block();
            let next = lw.b.create_block();
            lw.b.ins().brif(ended, next, &[], reraise, &[]);
            lw.b.switch_to_block(reraise);
            lw.b.seal_block(reraise);
            lw.resume_in_interpreter();
            lw.switch_to(next);
            lw.b.seal_block(next);
            let value = lw.pop();
            lw.decref(value);
            let aiter = lw.pop();
            lw.decref(aiter);
            Ok(())
        }
        op::ASYNC_GEN_WRAP => {
            if !suspend::async_gen_wrapper_known() {
                return Err(Unsupported("async generator: the wrapper of yielded values has an unknown layout".into()));
            }
            let value = lw.peek(1);
            let wrapped = lw.call("pyjit_async_gen_wrap", &[value]);
            lw.raise_if_null(wrapped);
            lw.set_peek(1, wrapped);
            lw.decref(value);
            Ok(())
        }
        _ => Err(lw.unsupported()),
    }
}

/// How SEND and FOR_ITER resume a generator (`suspend::send`'s `how`), by
/// the optimizations applied.
pub fn resume_how(lw: &mut Lowering) -> isize {
    if !lw.apply(Optimization::DirectResume) {
        suspend::RESUME_VIA_CPYTHON
    } else if lw.apply(Optimization::ResumeThroughDelegators) {
        suspend::RESUME_THROUGH_DELEGATORS
    } else {
        suspend::RESUME_DIRECT
    }
}
