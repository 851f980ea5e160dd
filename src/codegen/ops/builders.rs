//! Building tuples, lists, sets, dicts, slices of strings (f-strings), and
//! unpacking sequences.
//!
//! Variable-size builders hand their items to the runtime through the frame's
//! value-stack slots, where CPython keeps them too.

use super::operators::Sequence;
use crate::abi::{self, op};
use crate::codegen::lowering::{Lowering, Operand};
use crate::config::Optimization;
use crate::profile::Observed;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{Block, InstBuilder, Value};

pub fn lower(lw: &mut Lowering) {
    let arg = lw.ins.arg;
    let n = arg as usize;
    lw.position_for_calls();
    match lw.ins.opcode {
        op::BUILD_TUPLE | op::BUILD_LIST | op::BUILD_SET | op::BUILD_STRING => {
            let symbol = match lw.ins.opcode {
                op::BUILD_TUPLE => "pyjit_build_tuple",
                op::BUILD_LIST => "pyjit_build_list",
                op::BUILD_SET => "pyjit_build_set",
                _ => "pyjit_build_string",
            };
            build_from_stack(lw, symbol, n, n);
        }
        op::BUILD_MAP => build_from_stack(lw, "pyjit_build_map", 2 * n, n),
        op::BUILD_CONST_KEY_MAP => build_from_stack(lw, "pyjit_build_const_key_map", n + 1, n),
        op::LIST_APPEND | op::SET_ADD | op::LIST_EXTEND | op::SET_UPDATE | op::DICT_UPDATE => {
            let symbol = match lw.ins.opcode {
                op::LIST_APPEND => "pyjit_list_append",
                op::SET_ADD => "pyjit_set_add",
                op::LIST_EXTEND => "pyjit_list_extend",
                op::SET_UPDATE => "pyjit_set_update",
                _ => "pyjit_dict_update",
            };
            let item = lw.pop();
            let target = lw.peek(n);
            let status = lw.call(symbol, &[target, item]);
            lw.raise_if_negative(status);
        }
        op::DICT_MERGE => {
            let update = lw.pop();
            let dict = lw.peek(n);
            let callee = lw.peek(n + 2);
            let tstate = lw.tstate;
            let status = lw.call("pyjit_dict_merge", &[tstate, callee, dict, update]);
            lw.raise_if_negative(status);
        }
        op::MAP_ADD => {
            let value = lw.pop();
            let key = lw.pop();
            let dict = lw.peek(n);
            let status = lw.call("pyjit_map_add", &[dict, key, value]);
            lw.raise_if_negative(status);
        }
        op::LIST_TO_TUPLE => {
            let list = lw.pop();
            let tuple = lw.call("pyjit_list_to_tuple", &[list]);
            lw.raise_if_null(tuple);
            lw.push(tuple);
        }
        op::FORMAT_VALUE => {
            let spec = if arg & 0x04 != 0 { lw.pop() } else { lw.iconst(0) };
            let value = lw.pop();
            let conversion = lw.iconst(i64::from(arg & 0x03));
            let result = lw.call("pyjit_format_value", &[value, spec, conversion]);
            lw.raise_if_null(result);
            lw.push(result);
        }
        op::UNPACK_SEQUENCE => {
            if n >= UNPACK_TO_LOCALS_FROM {
                if let Some(first_store) = lw.local_stores_after(n).filter(|_| lw.apply(Optimization::UnpackToLocals)) {
                    unpack_to_locals(lw, n, first_store);
                    return;
                }
            }
            let seq = lw.pop_operand();
            let base = lw.depth;
            let done = lw.b.create_block();
            if unpacks_inline(lw) {
                let fail = lw.generic_block();
                unpack_inline(lw, seq, n, fail);
                lw.b.ins().jump(done, &[]);
                lw.switch_to(fail);
                lw.b.seal_block(fail);
                lw.depth = base;
            }
            let seq = lw.own(seq);
            unpack(lw, seq, n as i64, -1, n);
            lw.b.ins().jump(done, &[]);
            lw.switch_to(done);
            lw.b.seal_block(done);
        }
        op::UNPACK_EX => {
            let (before, after) = if lw.ins.opcode == op::UNPACK_SEQUENCE {
                (n as i64, -1)
            } else {
                ((arg & 0xFF) as i64, (arg >> 8) as i64)
            };
            let count = if after < 0 { before } else { before + 1 + after } as usize;
            let seq = lw.pop();
            unpack(lw, seq, before, after, count);
        }
        _ => unreachable!("not a builder opcode"),
    }
}

/// The fewest items UNPACK_SEQUENCE unpacks into the locals the STORE_FASTs
/// after it through the runtime (`Optimization::UnpackToLocals`). Inline,
/// each item costs about 40 bytes of machine code: functions with many such
/// statements outgrow the instruction cache and run slower than the
/// interpreter (pyperformance's unpack_sequence: 400 ten-item unpacks in one
/// loop, 3x the interpreter's time). From eight items on the call is as fast
/// as the inline code in a small loop too (measured: 12.4 against 12.5 ns
/// for eight items, 8.4 against 5.9 for four).
const UNPACK_TO_LOCALS_FROM: usize = 8;

/// UNPACK_SEQUENCE of `count` items and the STORE_FASTs after it, from code
/// unit `first_store`, as one call (see `helpers::builders::unpack_to_locals`).
fn unpack_to_locals(lw: &mut Lowering, count: usize, first_store: u32) {
    let seq = lw.pop_operand();
    let seq = lw.own(seq);
    let top = lw.stack_address(lw.depth + count);
    let (tstate, frame) = (lw.tstate, lw.frame);
    let (count_v, first_store_v) = (lw.iconst(count as i64), lw.iconst(i64::from(first_store)));
    let status = lw.call("pyjit_unpack_to_locals", &[tstate, frame, seq, count_v, first_store_v, top]);
    lw.raise_if_negative(status);
    lw.absorb_next(count);
}

/// Unpacks the owned `seq` through the runtime into `count` items pushed
/// on the stack: `before` items, then (when `after` is not -1) a list of
/// the rest but `after` items, then those.
fn unpack(lw: &mut Lowering, seq: Value, before: i64, after: i64, count: usize) {
    let base = lw.depth;
    let top = lw.stack_address(base + count);
    let (tstate, before_v, after_v) = (lw.tstate, lw.iconst(before), lw.iconst(after));
    let status = lw.call("pyjit_unpack", &[tstate, seq, before_v, after_v, top]);
    lw.raise_if_negative(status);
    lw.depth += count;
    lw.reload(base, base + count);
}

/// Whether UNPACK_SEQUENCE unpacks tuples and lists inline: unless the
/// interpreter kept the instruction generic, specialised it for neither
/// (an iterator, say) or never ran it, or `Optimization::InlineUnpack` is off. One path
/// serves both, also where the profile names one: code such as pyperformance's
/// unpack_sequence runs the same site on both, and the interpreter
/// re-specialises it as the type changes.
fn unpacks_inline(lw: &mut Lowering) -> bool {
    let observed = match lw.observed() {
        Observed::Nothing => true,
        Observed::Specialized(opcode) => {
            matches!(opcode, op::UNPACK_SEQUENCE_TWO_TUPLE | op::UNPACK_SEQUENCE_TUPLE | op::UNPACK_SEQUENCE_LIST)
        }
        Observed::Generic | Observed::NotRun => false,
    };
    observed && lw.apply(Optimization::InlineUnpack)
}

/// UNPACK_SEQUENCE of `seq` when it is exactly a tuple or a list of `count`
/// items (else goes to `fail`): its items pushed with references of their
/// own, the first on top, as the interpreter's specialised forms do.
fn unpack_inline(lw: &mut Lowering, seq: Operand, count: usize, fail: Block) {
    let actual = lw.load(seq.value, abi::OBJECT_TYPE);
    let [is_tuple, is_list] = [Sequence::Tuple, Sequence::List].map(|sequence| {
        let expected = lw.data_address(sequence.type_symbol());
        lw.b.ins().icmp(IntCC::Equal, actual, expected)
    });
    let either = lw.b.ins().bor(is_tuple, is_list);
    lw.guard(either, fail);
    let size = lw.load(seq.value, abi::VAROBJECT_SIZE);
    let same_size = lw.b.ins().icmp_imm_s(IntCC::Equal, size, count as i64);
    lw.guard(same_size, fail);
    if count > 0 {
        // Both addresses are computed, then one chosen: reading a tuple as
        // a list reads its first item slot, which a tuple of `count` has.
        let tuple_items = Sequence::Tuple.items(lw, seq.value);
        let list_items = Sequence::List.items(lw, seq.value);
        let items = lw.b.ins().select(is_tuple, tuple_items, list_items);
        for i in (0..count).rev() {
            let item = lw.load(items, 8 * i);
            lw.incref(item);
            lw.push(item);
        }
    }
    lw.release(seq);
}

/// Hands the top `items` stack entries to `symbol(items_ptr, n)`, which
/// consumes them and returns the built object.
fn build_from_stack(lw: &mut Lowering, symbol: &'static str, items: usize, n: usize) {
    let base = lw.depth - items;
    lw.spill(base, lw.depth);
    let ptr = lw.stack_address(base);
    lw.depth = base;
    let count = lw.iconst(n as i64);
    let result = lw.call(symbol, &[ptr, count]);
    lw.raise_if_null(result);
    lw.push(result);
}
