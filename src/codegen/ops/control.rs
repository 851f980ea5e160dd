//! Control flow: jumps, truth tests, iteration, return, raise, `with`,
//! `match`, and the opcodes of exception handlers.

use crate::abi::{self, op};
use crate::bytecode::Unsupported;
use crate::codegen::lowering::Lowering;
use crate::codegen::ops::{numeric, suspend};
use crate::config::Optimization;
use crate::helpers;
use crate::helpers::control::{IteratorLayouts, SequenceIterator};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{Block, InstBuilder, Value};

pub fn lower(lw: &mut Lowering) -> Result<(), Unsupported> {
    let ins = lw.ins;
    let target = ins.jump_target();
    match ins.opcode {
        op::JUMP_FORWARD | op::JUMP_BACKWARD_NO_INTERRUPT => lw.jump(target.unwrap())?,
        op::JUMP_BACKWARD => {
            lw.position_for_calls();
            lw.warm_up();
            lw.check_eval_breaker(ins.start);
            lw.jump(target.unwrap())?;
        }
        op::POP_JUMP_FORWARD_IF_TRUE
        | op::POP_JUMP_BACKWARD_IF_TRUE
        | op::POP_JUMP_FORWARD_IF_FALSE
        | op::POP_JUMP_BACKWARD_IF_FALSE => {
            let value = lw.pop_operand();
            let truth = truth(lw, value.value, !value.borrowed);
            let truth = lw.join_fused_condition(truth);
            let jump_if_true = matches!(ins.opcode, op::POP_JUMP_FORWARD_IF_TRUE | op::POP_JUMP_BACKWARD_IF_TRUE);
            let cond = if jump_if_true { truth } else { lw.b.ins().icmp_imm_s(IntCC::Equal, truth, 0) };
            lw.branch(cond, target.unwrap())?;
        }
        op::POP_JUMP_FORWARD_IF_NONE
        | op::POP_JUMP_BACKWARD_IF_NONE
        | op::POP_JUMP_FORWARD_IF_NOT_NONE
        | op::POP_JUMP_BACKWARD_IF_NOT_NONE => {
            let value = lw.pop_operand();
            let none = lw.none();
            let jump_if_none = matches!(ins.opcode, op::POP_JUMP_FORWARD_IF_NONE | op::POP_JUMP_BACKWARD_IF_NONE);
            let cc = if jump_if_none { IntCC::Equal } else { IntCC::NotEqual };
            let cond = lw.b.ins().icmp(cc, value.value, none);
            lw.position_for_calls();
            lw.release(value);
            lw.branch(cond, target.unwrap())?;
        }
        op::JUMP_IF_TRUE_OR_POP | op::JUMP_IF_FALSE_OR_POP => {
            let value = lw.peek(1);
            let truth = truth(lw, value, false);
            let cond = if ins.opcode == op::JUMP_IF_TRUE_OR_POP {
                truth
            } else {
                lw.b.ins().icmp_imm_s(IntCC::Equal, truth, 0)
            };
            lw.branch(cond, target.unwrap())?;
            let value = lw.pop();
            lw.decref(value);
        }
        op::GET_ITER | op::GET_AITER => {
            lw.position_for_calls();
            let iterable = lw.pop();
            let symbol = if ins.opcode == op::GET_ITER { "pyjit_get_iter" } else { "pyjit_get_aiter" };
            let iterator = lw.call(symbol, &[iterable]);
            lw.raise_if_null(iterator);
            lw.push(iterator);
        }
        op::FOR_ITER => {
            lw.position_for_calls();
            // As the interpreter does, the iterator's own `tp_iternext`, called
            // directly: the list, tuple and range iterators keep their state in
            // the iterator, so an exit at any later point sees it consistent.
            // The generic path, `PyIter_Next`, clears StopIteration itself.
            let iterator = lw.peek(1);
            let next = if lw.apply(Optimization::DirectIterNext) {
                next_item(lw, iterator)
            } else {
                lw.call("PyIter_Next", &[iterator])
            };
            let ended = lw.b.create_block();
            let more = lw.b.create_block();
            lw.b.set_cold_block(ended);
            lw.b.ins().brif(next, more, &[], ended, &[]);
            let depth = lw.depth;
            lw.switch_to(ended);
            let status = lw.call("pyjit_for_iter_ended", &[]);
            lw.raise_if_negative(status);
            let iterator = lw.pop();
            lw.decref(iterator);
            lw.jump(target.unwrap())?;
            lw.switch_to(more);
            lw.depth = depth;
            lw.push(next);
            // `__next__` may be Python code that switched tracing on.
            lw.check_tracing(ins.next);
        }
        op::RETURN_VALUE => lw.return_top(),
        op::RAISE_VARARGS if ins.arg > 0 => {
            lw.position_for_calls();
            let cause = if ins.arg == 2 { lw.pop() } else { lw.iconst(0) };
            let exc = lw.pop();
            let tstate = lw.tstate;
            lw.call("pyjit_raise", &[tstate, exc, cause]);
            lw.raise_here();
        }
        op::PUSH_EXC_INFO => {
            let value = lw.pop();
            let tstate = lw.tstate;
            let previous = lw.call("pyjit_push_exc_info", &[tstate, value]);
            lw.push(previous);
            lw.push(value);
        }
        op::POP_EXCEPT => {
            lw.position_for_calls();
            let value = lw.pop();
            let tstate = lw.tstate;
            lw.call("pyjit_pop_except", &[tstate, value]);
        }
        op::CHECK_EXC_MATCH => {
            lw.position_for_calls();
            let class = lw.pop();
            let value = lw.peek(1);
            let matches = lw.call("pyjit_check_exc_match", &[value, class]);
            lw.raise_if_null(matches);
            lw.push(matches);
        }
        op::WITH_EXCEPT_START => {
            lw.position_for_calls();
            let value = lw.peek(1);
            let exit = lw.peek(4);
            let result = lw.call("pyjit_with_except_start", &[exit, value]);
            lw.raise_if_null(result);
            lw.push(result);
        }
        // RERAISE unwinds without a new traceback entry. Where the handler it
        // unwinds to is compiled, it runs here (unless a trace function must
        // see it); otherwise the interpreter runs it, and the exception
        // leaves the frame or meets its handler there.
        op::RERAISE => match lw.compiled_handler(ins.index) {
            Some(handler) => {
                lw.check_tracing(ins.start);
                lw.position_for_calls();
                let lasti = if ins.arg > 0 { lw.peek(ins.arg as usize + 1) } else { lw.iconst(0) };
                let value = lw.pop();
                let frame = lw.frame;
                lw.call("pyjit_reraise", &[frame, value, lasti]);
                lw.reraise_to(handler);
            }
            None => lw.resume_in_interpreter(),
        },
        // A bare `raise` also re-raises without a traceback entry; it and
        // the `except*` opcodes run in the interpreter.
        op::RAISE_VARARGS | op::CHECK_EG_MATCH | op::PREP_RERAISE_STAR => lw.resume_in_interpreter(),
        op::BEFORE_WITH => before_with(lw, false),
        op::GET_LEN => {
            lw.position_for_calls();
            let obj = lw.peek(1);
            let len = lw.call("pyjit_get_len", &[obj]);
            lw.raise_if_null(len);
            lw.push(len);
        }
        op::MATCH_MAPPING | op::MATCH_SEQUENCE => {
            let subject = lw.peek(1);
            let which = lw.iconst(i64::from(ins.opcode));
            let result = lw.call("pyjit_match_kind", &[subject, which]);
            lw.push(result);
        }
        op::MATCH_KEYS => {
            lw.position_for_calls();
            let keys = lw.peek(1);
            let subject = lw.peek(2);
            let tstate = lw.tstate;
            let values = lw.call("pyjit_match_keys", &[tstate, subject, keys]);
            lw.raise_if_null(values);
            lw.push(values);
        }
        op::MATCH_CLASS => {
            lw.position_for_calls();
            let names = lw.pop();
            let cls = lw.pop();
            let subject = lw.peek(1);
            let (tstate, nargs) = (lw.tstate, lw.iconst(i64::from(ins.arg)));
            let attrs = lw.call("pyjit_match_class", &[tstate, subject, cls, nargs, names]);
            lw.raise_if_null(attrs);
            lw.set_peek(1, attrs);
        }
        _ => return Err(lw.unsupported()),
    }
    Ok(())
}

/// The next item of `iterator` (NULL at its end): taken inline from a range,
/// list or tuple iterator (`inline_next_item`), from `pyjit_generator_next` for a
/// generator (which resumes a compiled one directly), else from its type's
/// `tp_iternext`.
fn next_item(lw: &mut Lowering, iterator: Value) -> Value {
    let iterator_type = lw.load(iterator, abi::OBJECT_TYPE);
    let done = lw.b.create_block();
    let item = lw.b.append_block_param(done, lw.ptr);
    if let Some(layouts) = helpers::control::iterator_layouts() {
        if lw.apply(Optimization::InlineForIter) {
            inline_next_item(lw, iterator, iterator_type, layouts, done);
        }
    }
    let how = suspend::resume_how(lw);
    if how != helpers::suspend::RESUME_VIA_CPYTHON {
        let generator_type = lw.data_address("PyGen_Type");
        let is_generator = lw.b.ins().icmp(IntCC::Equal, iterator_type, generator_type);
        let generator = lw.b.create_block();
        let other = lw.b.create_block();
        lw.b.ins().brif(is_generator, generator, &[], other, &[]);
        lw.b.switch_to_block(generator);
        lw.b.seal_block(generator);
        let tstate = lw.tstate;
        let how = lw.iconst(how as i64);
        let resumed = lw.call("pyjit_generator_next", &[tstate, iterator, how]);
        lw.b.ins().jump(done, &[resumed.into()]);
        lw.b.switch_to_block(other);
        lw.b.seal_block(other);
    }
    let iternext = lw.load(iterator_type, abi::TYPE_ITERNEXT);
    let called = lw.call_address(iternext, &[iterator]);
    lw.b.ins().jump(done, &[called.into()]);
    lw.b.switch_to_block(done);
    lw.b.seal_block(done);
    item
}

/// The next item of a range, list or tuple iterator, made inline as its
/// `tp_iternext` makes it and passed to `done` (NULL at a range's end, or
/// when boxing a range's int failed, with the MemoryError set). The state
/// is written back to the iterator at once, as `tp_iternext` writes it.
/// Other iterators, and a list or tuple iterator at its end (whose
/// `tp_iternext` drops the sequence), continue in the block left current.
fn inline_next_item(lw: &mut Lowering, iterator: Value, iterator_type: Value, layouts: IteratorLayouts, done: Block) {
    let range = lw.b.create_block();
    let not_range = lw.b.create_block();
    let range_type = lw.data_address("PyRangeIter_Type");
    let is_range = lw.b.ins().icmp(IntCC::Equal, iterator_type, range_type);
    lw.b.ins().brif(is_range, range, &[], not_range, &[]);
    lw.switch_to(range);
    lw.b.seal_block(range);
    let index = lw.load(iterator, layouts.range_index);
    let len = lw.load(iterator, layouts.range_len);
    let more = lw.b.ins().icmp(IntCC::SignedLessThan, index, len);
    let produce = lw.b.create_block();
    let end = lw.iconst(0);
    lw.b.ins().brif(more, produce, &[], done, &[end.into()]);
    lw.switch_to(produce);
    lw.b.seal_block(produce);
    let start = lw.load(iterator, layouts.range_start);
    let step = lw.load(iterator, layouts.range_step);
    // `start + index * step` in C longs, which rangeobject.c keeps in range.
    let offset = lw.b.ins().imul(index, step);
    let value = lw.b.ins().iadd(start, offset);
    let next_index = lw.b.ins().iadd_imm_s(index, 1);
    lw.store(next_index, iterator, layouts.range_index);
    let boxed = numeric::box_int(lw, value);
    lw.b.ins().jump(done, &[boxed.into()]);

    lw.switch_to(not_range);
    lw.b.seal_block(not_range);
    let sequences = [
        ("PyListIter_Type", layouts.list, abi::LIST_ITEMS, true),
        ("PyTupleIter_Type", layouts.tuple, abi::TUPLE_ITEMS, false),
    ];
    for (type_symbol, fields, items_offset, indirect) in sequences {
        inline_sequence_item(lw, iterator, iterator_type, (type_symbol, fields, items_offset, indirect), done);
    }
}

/// `inline_next_item` for one kind of sequence iterator: `type_symbol`'s,
/// with `fields`, over sequences whose items are at `items_offset`, behind
/// a pointer there when `indirect` (a list's `ob_item`) or inline (a
/// tuple's). Other iterators continue in the block left current.
fn inline_sequence_item(
    lw: &mut Lowering,
    iterator: Value,
    iterator_type: Value,
    (type_symbol, fields, items_offset, indirect): (&'static str, SequenceIterator, usize, bool),
    done: Block,
) {
    let matching = lw.b.create_block();
    let sized = lw.b.create_block();
    let take = lw.b.create_block();
    let other = lw.b.create_block();
    let expected = lw.data_address(type_symbol);
    let is_kind = lw.b.ins().icmp(IntCC::Equal, iterator_type, expected);
    lw.b.ins().brif(is_kind, matching, &[], other, &[]);
    lw.switch_to(matching);
    lw.b.seal_block(matching);
    let seq = lw.load(iterator, fields.seq);
    lw.b.ins().brif(seq, sized, &[], other, &[]);
    lw.switch_to(sized);
    lw.b.seal_block(sized);
    let index = lw.load(iterator, fields.index);
    let size = lw.load(seq, abi::VAROBJECT_SIZE);
    let within = lw.b.ins().icmp(IntCC::SignedLessThan, index, size);
    lw.b.ins().brif(within, take, &[], other, &[]);
    lw.switch_to(take);
    lw.b.seal_block(take);
    let items = if indirect { lw.load(seq, items_offset) } else { lw.b.ins().iadd_imm_s(seq, items_offset as i64) };
    let byte_offset = lw.b.ins().ishl_imm_u(index, 3);
    let address = lw.b.ins().iadd(items, byte_offset);
    let item = lw.load(address, 0);
    let next_index = lw.b.ins().iadd_imm_s(index, 1);
    lw.store(next_index, iterator, fields.index);
    lw.incref(item);
    lw.b.ins().jump(done, &[item.into()]);
    lw.switch_to(other);
    lw.b.seal_block(other);
}

/// BEFORE_WITH, or BEFORE_ASYNC_WITH when `asynchronous`: replaces the
/// manager with its exit method and pushes what entering it returned.
pub fn before_with(lw: &mut Lowering, asynchronous: bool) {
    lw.position_for_calls();
    let base = lw.depth - 1;
    lw.spill(base, base + 1);
    let slots = lw.stack_address(base);
    let asynchronous = lw.iconst(i64::from(asynchronous));
    let status = lw.call("pyjit_before_with", &[slots, asynchronous]);
    // On failure the frame's slot holds the manager or its exit method.
    let failed = lw.b.ins().icmp_imm_s(IntCC::SignedLessThan, status, 0);
    lw.raise_if_with_depth(failed, base, base + 1);
    lw.depth += 1;
    lw.reload(base, base + 2);
}

/// The truth of `value` as 0 or 1, raising on error. With `consume`, the
/// value's reference is released (it has been popped); otherwise it stays on
/// the stack. True, False and None, and exact ints, lists, tuples and dicts
/// (each true unless the size it keeps in one place is 0) are answered as
/// PyObject_IsTrue answers them, without the call.
pub(super) fn truth(lw: &mut Lowering, value: Value, consume: bool) -> Value {
    let t = lw.data_address("_Py_TrueStruct");
    let f = lw.data_address("_Py_FalseStruct");
    let none = lw.none();
    let done = lw.b.create_block();
    let result = lw.b.append_block_param(done, lw.ptr);
    let one = lw.iconst(1);
    let zero = lw.iconst(0);
    let is_true = lw.b.ins().icmp(IntCC::Equal, value, t);
    let is_false = lw.b.ins().icmp(IntCC::Equal, value, f);
    let is_none = lw.b.ins().icmp(IntCC::Equal, value, none);
    let falsy = lw.b.ins().bor(is_false, is_none);
    if consume && lw.counts_references() {
        // The bools and None are immortal in practice: dropping a
        // reference never deallocates them.
        let count = lw.load(value, crate::abi::OBJECT_REFCNT);
        let singleton = lw.b.ins().bor(is_true, falsy);
        let delta = lw.b.ins().uextend(lw.ptr, singleton);
        let count = lw.b.ins().isub(count, delta);
        let fast = lw.b.create_block();
        let after = lw.b.create_block();
        lw.b.ins().brif(singleton, fast, &[], after, &[]);
        lw.b.switch_to_block(fast);
        lw.store(count, value, crate::abi::OBJECT_REFCNT);
        lw.b.ins().jump(after, &[]);
        lw.b.switch_to_block(after);
    }
    let not_true = lw.b.create_block();
    lw.b.ins().brif(is_true, done, &[one.into()], not_true, &[]);
    lw.b.switch_to_block(not_true);
    let other = lw.b.create_block();
    lw.b.ins().brif(falsy, done, &[zero.into()], other, &[]);
    lw.b.switch_to_block(other);
    lw.b.seal_block(other);
    let value_type = lw.load(value, crate::abi::OBJECT_TYPE);
    let sized = ["PyLong_Type", "PyList_Type", "PyTuple_Type", "PyDict_Type"].map(|type_symbol| {
        let expected = lw.data_address(type_symbol);
        lw.b.ins().icmp(IntCC::Equal, value_type, expected)
    });
    let sized = sized.into_iter().reduce(|a, b| lw.b.ins().bor(a, b)).expect("four types");
    let slow = lw.b.create_block();
    lw.guard(sized, slow);
    let size = lw.load(value, crate::abi::VAROBJECT_SIZE);
    let nonzero = lw.b.ins().icmp_imm_s(IntCC::NotEqual, size, 0);
    let nonzero = lw.b.ins().uextend(lw.ptr, nonzero);
    if consume {
        lw.decref(value);
    }
    lw.b.ins().jump(done, &[nonzero.into()]);
    lw.b.switch_to_block(slow);
    lw.b.seal_block(slow);
    lw.position_for_calls();
    let consume_flag = lw.iconst(i64::from(consume));
    let status = lw.call("pyjit_is_true", &[value, consume_flag]);
    lw.raise_if_negative(status);
    lw.b.ins().jump(done, &[status.into()]);
    lw.switch_to(done);
    result
}

// An int's and a tuple's size, a list's length and a dict's count of items
// are one field for `truth`.
const _: () = assert!(crate::abi::DICT_USED == crate::abi::VAROBJECT_SIZE);
