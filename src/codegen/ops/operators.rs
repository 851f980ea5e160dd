//! Unary, binary and comparison operators, subscripts and slices.

use super::numeric;
use crate::abi::{self, op};
use crate::bytecode::{ConstNumber, Unsupported};
use crate::codegen::lowering::{Allocation, Lowering, Operand, Unboxed};
use crate::config::{self, Optimization};
use crate::profile::Observed;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{Block, InstBuilder, Value};

pub fn lower(lw: &mut Lowering) -> Result<(), Unsupported> {
    let arg = lw.ins.arg;
    lw.position_for_calls();
    let opcode = lw.ins.opcode;
    match opcode {
        op::BINARY_OP => binary_op(lw, arg),
        op::UNARY_NOT => {
            let value = lw.pop_operand();
            let truth = super::control::truth(lw, value.value, !value.borrowed);
            let falsy = lw.b.ins().icmp_imm_s(IntCC::Equal, truth, 0);
            let result = lw.bool_object(falsy);
            lw.push(result);
        }
        op::UNARY_POSITIVE | op::UNARY_NEGATIVE | op::UNARY_INVERT => {
            let value = lw.pop();
            let which = lw.iconst(i64::from(lw.ins.opcode));
            let result = lw.call("pyjit_unary_op", &[value, which]);
            lw.raise_if_null(result);
            lw.push(result);
        }
        op::COMPARE_OP => compare_op(lw, arg),
        op::IS_OP => {
            let rhs = lw.pop_operand();
            let lhs = lw.pop_operand();
            let cc = if arg == 0 { IntCC::Equal } else { IntCC::NotEqual };
            let same = lw.b.ins().icmp(cc, lhs.value, rhs.value);
            // Released before the bool is made, as the interpreter does.
            lw.release(lhs);
            lw.release(rhs);
            if !lw.fuse_jump(same)? {
                let result = lw.bool_object(same);
                lw.push(result);
            }
        }
        op::CONTAINS_OP => {
            let container = lw.pop();
            let item = lw.pop();
            let invert = lw.iconst(i64::from(arg));
            let search = lw.apply(Optimization::DirectContains);
            let search = lw.iconst(i64::from(search));
            let tstate = lw.tstate;
            let found = lw.call("pyjit_contains_op", &[tstate, item, container, invert, search]);
            lw.raise_if_negative(found);
            if !lw.fuse_jump(found)? {
                let result = lw.bool_object(found);
                lw.push(result);
            }
        }
        op::BINARY_SUBSCR | op::STORE_SUBSCR | op::DELETE_SUBSCR if lw.fused_slice_pending() => slice_subscript(lw),
        op::BINARY_SUBSCR => {
            lw.box_item_at(2);
            let key = lw.pop_number();
            let container = lw.pop_operand();
            let choices = [(op::BINARY_SUBSCR_LIST_INT, Sequence::List), (op::BINARY_SUBSCR_TUPLE_INT, Sequence::Tuple)];
            let sequence = profiled_sequence(lw, &choices);
            let load_item = |lw: &mut Lowering, slot: Value| {
                let item = lw.load(slot, 0);
                lw.incref(item);
                lw.release(key);
                lw.release(container);
                lw.push(item);
            };
            let generic = |lw: &mut Lowering| {
                let [container, key] = lw.own_numbers([container, key]);
                let result = lw.call("pyjit_binary_subscr", &[container, key]);
                lw.raise_if_null(result);
                lw.push(result);
            };
            subscript(lw, sequence, container.value, key, load_item, generic);
        }
        op::STORE_SUBSCR => {
            lw.box_item_at(2);
            let key = lw.pop_number();
            let container = lw.pop_operand();
            let value = lw.pop_number();
            let sequence = profiled_sequence(lw, &[(op::STORE_SUBSCR_LIST_INT, Sequence::List)]);
            let replace_item = |lw: &mut Lowering, slot: Value| {
                let old = lw.load(slot, 0);
                let stored = lw.b.create_block();
                lw.b.append_block_param(stored, lw.ptr);
                numeric::reuse_stored_float(lw, value, old, stored);
                let [object] = lw.own_numbers_or_release([value], &[key, container], Allocation::Inline);
                lw.store(object, slot, 0);
                // Released only once the list is consistent: its finalizer may look.
                lw.decref(old);
                lw.b.ins().jump(stored, &[object.into()]);
                lw.switch_to(stored);
                lw.b.seal_block(stored);
                lw.release(key);
                lw.release(container);
            };
            let generic = |lw: &mut Lowering| {
                let [container, key, value] = lw.own_numbers([container, key, value]);
                let status = lw.call("pyjit_store_subscr", &[container, key, value]);
                lw.raise_if_negative(status);
            };
            subscript(lw, sequence, container.value, key, replace_item, generic);
        }
        op::DELETE_SUBSCR => {
            let key = lw.pop();
            let container = lw.pop();
            let null = lw.iconst(0);
            let status = lw.call("pyjit_store_subscr", &[container, key, null]);
            lw.raise_if_negative(status);
        }
        // The subscript after it takes the bounds.
        op::BUILD_SLICE if lw.fuse_slice() => {}
        op::BUILD_SLICE => {
            let step = if arg == 3 { lw.pop() } else { lw.iconst(0) };
            let stop = lw.pop();
            let start = lw.pop();
            let result = lw.call("pyjit_build_slice", &[start, stop, step]);
            lw.raise_if_null(result);
            lw.push(result);
        }
        _ => unreachable!("not an operator opcode"),
    }
    Ok(())
}

/// A subscript, store or delete with the bounds its BUILD_SLICE left
/// (`Lowering::fuse_slice`) in place of the slice: one call that slices an
/// exact list, tuple or str by ints or None without a slice object, or
/// makes the slice and subscripts with it, and reports an error at the
/// instruction that raised.
fn slice_subscript(lw: &mut Lowering) {
    let bounds = lw.take_fused_slice().expect("a fused slice is pending") as usize;
    let opcode = lw.ins.opcode;
    let stores = opcode == op::STORE_SUBSCR;
    if stores {
        lw.box_item_at(bounds + 2);
    }
    lw.box_item_at(bounds + 1);
    let step = (bounds == 3).then(|| lw.pop_number());
    let stop = lw.pop_number();
    let start = lw.pop_number();
    let container = lw.pop_operand();
    let value = if stores { Some(lw.pop()) } else { None };
    let popped = value.map(Operand::owned);
    let popped = popped.as_slice();
    let (container, start, stop, step) = match step {
        Some(step) => {
            let [container, start, stop, step] = lw.own_numbers_or_release([container, start, stop, step], popped, Allocation::Call);
            (container, start, stop, step)
        }
        None => {
            let [container, start, stop] = lw.own_numbers_or_release([container, start, stop], popped, Allocation::Call);
            (container, start, stop, lw.iconst(0))
        }
    };
    let frame = lw.frame;
    if opcode == op::BINARY_SUBSCR {
        let result = lw.call("pyjit_binary_slice", &[frame, container, start, stop, step]);
        lw.raise_if_null_at_prev_instr(result);
        lw.push(result);
    } else {
        let value = value.unwrap_or_else(|| lw.iconst(0));
        let status = lw.call("pyjit_store_slice", &[frame, container, start, stop, step, value]);
        let failed = lw.b.ins().icmp_imm_s(IntCC::SignedLessThan, status, 0);
        lw.raise_at_prev_instr_if(failed);
    }
}

/// BINARY_OP `which`: the fast paths the profile calls for, then the
/// generic `pyjit_binary_op`. When every fast path makes the same kind of
/// number and no local stores the result (`numeric::box_int` and
/// `box_float` reuse its number), the result stays unboxed.
fn binary_op(lw: &mut Lowering, which: u32) {
    let rhs = lw.pop_number();
    let lhs = lw.pop_number();
    let kinds = numeric::binary_kinds(lw.observed(), which);
    let kinds = if !kinds.is_empty() && lw.apply(Optimization::InlineArithmetic) {
        numeric::kinds_for_operands(lw, kinds, [lhs, rhs])
    } else {
        Vec::new()
    };
    let kinds = kinds.as_slice();
    let generic = |lw: &mut Lowering| {
        let which = lw.iconst(i64::from(which));
        let [lhs, rhs] = lw.own_numbers([lhs, rhs]);
        // Decided at each run (an argument more at every site made chaos's
        // hot code 2.5 % slower): recorded here for `pyjit.info`.
        lw.apply(Optimization::DirectDunders);
        lw.call("pyjit_binary_op", &[lhs, rhs, which])
    };
    let done = lw.b.create_block();
    match unboxed_result(lw, kinds, which) {
        Some(number) => {
            // A known float takes no object parameter: NULL on every path.
            let known = number == Unboxed::Float && known_float_result(lw, kinds, which, [&lhs, &rhs]);
            let object = (!known).then(|| lw.b.append_block_param(done, lw.ptr));
            let unboxed = lw.b.append_block_param(done, number.ty());
            let to = if known { numeric::UnboxedResult::Float(done) } else { numeric::UnboxedResult::MaybeBoxed(done) };
            numeric::fast_paths(lw, kinds, |lw, kind, fail| numeric::binary_unboxed(lw, kind, which, (lhs, rhs), fail, to));
            let made = generic(lw);
            lw.raise_if_null(made);
            if known {
                let float = numeric::float_or_resume_after(lw, made);
                lw.b.ins().jump(done, &[float.into()]);
            } else {
                let nothing = match number {
                    Unboxed::Int => lw.iconst(0),
                    Unboxed::Float => lw.b.ins().f64const(0.0),
                };
                lw.b.ins().jump(done, &[made.into(), nothing.into()]);
            }
            lw.switch_to(done);
            lw.b.seal_block(done);
            let object = object.unwrap_or_else(|| lw.iconst(0));
            lw.push_number(object, number, unboxed);
        }
        None => {
            let result = lw.b.append_block_param(done, lw.ptr);
            numeric::fast_paths(lw, kinds, |lw, kind, fail| {
                let boxed = numeric::binary(lw, kind, which, lhs, rhs, fail);
                lw.b.ins().jump(done, &[boxed.into()]);
            });
            let generic = generic(lw);
            lw.b.ins().jump(done, &[generic.into()]);
            lw.switch_to(done);
            lw.b.seal_block(done);
            lw.raise_if_null(result);
            lw.push(result);
        }
    }
}

/// The kind of number BINARY_OP `which`'s fast paths `kinds` all make,
/// when its result may stay unboxed (`Optimization::UnboxedTemporaries`).
fn unboxed_result(lw: &mut Lowering, kinds: &[numeric::Kind], which: u32) -> Option<Unboxed> {
    let (&first, rest) = kinds.split_first()?;
    let number = numeric::binary_result(first, which);
    let alike = rest.iter().all(|&kind| numeric::binary_result(kind, which) == number);
    let stored = lw.result_stored_to_local().is_some();
    (alike && !stored && lw.apply(Optimization::UnboxedTemporaries)).then_some(number)
}

/// Whether an unboxed float result of the fast paths `kinds` is passed on
/// known to be unboxed (`Optimization::KnownFloatResults`): the float path
/// alone, which the interpreter's specialisation of the site for two floats
/// calls for, or a float power whose exponent is a float constant
/// (`numeric::binary_kinds`, `kinds_for_operands`), so that the generic path
/// rarely makes anything but a float. Ints where floats are expected make
/// an int (and a negative base's fractional power a complex number), which
/// continues the frame in the interpreter, and natively again from the
/// next loop header where loop tiering watches frames
/// (`runtime::osr::continue_watched`); with that off (`PYJIT_OSR=0`) a loop's
/// remaining iterations would all run in the interpreter, so there only a
/// float operand the lowering knows of `+`, `-` or `*` rules out other
/// results in a loop (numbers other than floats then make floats). Not in a
/// frameless variant, which cannot continue in the interpreter after running
/// the generic path.
fn known_float_result(lw: &mut Lowering, kinds: &[numeric::Kind], which: u32, operands: [&Operand; 2]) -> bool {
    let power = numeric::binary_operator(which) == op::NB_POWER;
    let float_made = || !power && operands.iter().any(|operand| lw.is_known_float(operand));
    kinds == [numeric::Kind::Float]
        && lw.counts_references()
        && (config::osr() || !lw.in_loop() || float_made())
        && lw.apply(Optimization::KnownFloatResults)
}

/// COMPARE_OP `which`: the fast paths the profile calls for, then the
/// generic `pyjit_compare_op`. Followed by a conditional jump, the fast
/// paths hand the jump their condition and make no bool.
fn compare_op(lw: &mut Lowering, which: u32) {
    let rhs = lw.pop_number();
    let lhs = lw.pop_number();
    let jump_follows = lw.next_opcode().is_some_and(is_truth_jump);
    let kinds = numeric::compare_kinds(lw.observed(), jump_follows);
    let kinds = if !kinds.is_empty() && lw.apply(Optimization::InlineCompare) {
        numeric::kinds_for_operands(lw, kinds, [lhs, rhs])
    } else {
        Vec::new()
    };
    let kinds = kinds.as_slice();
    let fused = match kinds {
        [] => None,
        _ if jump_follows => lw.fuse_condition(),
        _ => None,
    };
    let generic_compare = |lw: &mut Lowering| {
        let (which, jump_follows) = (lw.iconst(i64::from(which)), lw.iconst(i64::from(jump_follows)));
        let [lhs, rhs] = lw.own_numbers([lhs, rhs]);
        let result = lw.call("pyjit_compare_op", &[lhs, rhs, which, jump_follows]);
        lw.raise_if_null(result);
        result
    };
    if let Some(condition) = fused {
        numeric::fast_paths(lw, kinds, |lw, kind, fail| {
            let cond = numeric::compare(lw, kind, which, lhs, rhs, fail);
            lw.b.ins().jump(condition, &[cond.into()]);
        });
        let result = generic_compare(lw);
        lw.push(result);
        return;
    }
    let generic = lw.b.create_block();
    let done = lw.b.create_block();
    let result = lw.b.append_block_param(done, lw.ptr);
    if !kinds.is_empty() && !jump_follows {
        // Unlike the compares a jump follows (specialised in the
        // interpreter), this one checks the recursion limit in
        // PyObject_RichCompare: at the limit, only the generic path raises.
        lw.guard_below_recursion_limit(generic);
    }
    numeric::fast_paths(lw, kinds, |lw, kind, fail| {
        let cond = numeric::compare(lw, kind, which, lhs, rhs, fail);
        let result = lw.bool_object(cond);
        lw.b.ins().jump(done, &[result.into()]);
    });
    lw.b.ins().jump(generic, &[]);
    lw.switch_to(generic);
    lw.b.seal_block(generic);
    let result_generic = generic_compare(lw);
    lw.b.ins().jump(done, &[result_generic.into()]);
    lw.switch_to(done);
    lw.b.seal_block(done);
    lw.push(result);
}

/// A sequence type whose items a subscript by a small int reads inline.
#[derive(Clone, Copy)]
pub(super) enum Sequence {
    List,
    Tuple,
}

impl Sequence {
    pub(super) fn type_symbol(self) -> &'static str {
        match self {
            Sequence::List => "PyList_Type",
            Sequence::Tuple => "PyTuple_Type",
        }
    }

    /// Address of the first item slot of `sequence`, an object of this type.
    pub(super) fn items(self, lw: &mut Lowering, sequence: Value) -> Value {
        match self {
            Sequence::List => lw.load(sequence, abi::LIST_ITEMS),
            Sequence::Tuple => lw.b.ins().iadd_imm_s(sequence, abi::TUPLE_ITEMS as i64),
        }
    }
}

/// The sequence a subscript's inline path is for: the one the interpreter
/// specialised the instruction for (`choices` maps specialised opcodes to
/// sequences), the list (a cheap guard) when there is no profile, none
/// when the interpreter kept it generic, specialised it for another type or
/// never ran it, or with `Optimization::InlineSubscripts` off.
fn profiled_sequence(lw: &mut Lowering, choices: &[(u8, Sequence)]) -> Option<Sequence> {
    let sequence = match lw.observed() {
        Observed::Nothing => Some(Sequence::List),
        Observed::Specialized(opcode) => choices.iter().find(|&&(o, _)| o == opcode).map(|&(_, sequence)| sequence),
        Observed::Generic | Observed::NotRun => None,
    };
    sequence.filter(|_| lw.apply(Optimization::InlineSubscripts))
}

/// Emits a subscript of `container` by `key`, both popped: with `sequence`,
/// `inline` (given the item's slot) where `item_slot_or` finds one, else
/// `generic`; both leave the stack at the same depth.
fn subscript(
    lw: &mut Lowering,
    sequence: Option<Sequence>,
    container: Value,
    key: Operand,
    inline: impl FnOnce(&mut Lowering, Value),
    generic: impl FnOnce(&mut Lowering),
) {
    let Some(sequence) = sequence else { return generic(lw) };
    let slow = lw.generic_block();
    let done = lw.b.create_block();
    let depth = lw.depth;
    let slot = item_slot_or(lw, sequence, container, key, slow);
    inline(lw, slot);
    lw.b.ins().jump(done, &[]);
    lw.switch_to(slow);
    lw.depth = depth;
    generic(lw);
    lw.b.ins().jump(done, &[]);
    lw.switch_to(done);
}

// An index's low digit is read as 32 bits.
const _: () = assert!(abi::LONG_DIGIT_SIZE == 4);

/// The address of `container[key]`'s item slot when `container` is exactly
/// `sequence` and `key` an exact int in `0..len(container)`; otherwise
/// branches to `slow`. The tests are those of the interpreter's
/// `BINARY_SUBSCR_LIST_INT`: negative and multi-digit indexes, bools and
/// int subclasses go generic. An unboxed int key is taken as it is, and
/// so is a constant one (`Lowering::constant_number`).
fn item_slot_or(lw: &mut Lowering, sequence: Sequence, container: Value, key: Operand, slow: Block) -> Value {
    let expected = lw.data_address(sequence.type_symbol());
    let container_type = lw.load(container, abi::OBJECT_TYPE);
    let is_sequence = lw.b.ins().icmp(IntCC::Equal, container_type, expected);
    lw.guard(is_sequence, slow);
    let index = match key.number {
        None => match lw.constant_number(key.value) {
            Some(ConstNumber::Int(index)) if index >= 0 && lw.apply(Optimization::ConstantOperands) => lw.iconst(index),
            _ => small_index(lw, key.value, slow),
        },
        Some((kind, number)) => {
            let boxed = lw.b.create_block();
            let known = lw.b.create_block();
            let index = lw.b.append_block_param(known, lw.ptr);
            match kind {
                Unboxed::Int => lw.b.ins().brif(key.value, boxed, &[], known, &[number.into()]),
                Unboxed::Float => lw.b.ins().brif(key.value, boxed, &[], slow, &[]),
            };
            lw.b.switch_to_block(boxed);
            lw.b.seal_block(boxed);
            let from_object = small_index(lw, key.value, slow);
            lw.b.ins().jump(known, &[from_object.into()]);
            lw.b.switch_to_block(known);
            lw.b.seal_block(known);
            index
        }
    };
    // Unsigned: a negative unboxed index is out of range.
    let len = lw.load(container, abi::VAROBJECT_SIZE);
    let in_range = lw.b.ins().icmp(IntCC::UnsignedLessThan, index, len);
    lw.guard(in_range, slow);
    let items = sequence.items(lw, container);
    let offset = lw.b.ins().ishl_imm_u(index, 3);
    lw.b.ins().iadd(items, offset)
}

/// The value of `key` when it is an exact int of at most one digit, not
/// negative; otherwise branches to `slow`.
fn small_index(lw: &mut Lowering, key: Value, slow: Block) -> Value {
    let int_type = lw.data_address("PyLong_Type");
    let key_type = lw.load(key, abi::OBJECT_TYPE);
    let is_int = lw.b.ins().icmp(IntCC::Equal, key_type, int_type);
    lw.guard(is_int, slow);
    // `ob_size` is the signed digit count: 0 for zero, 1 for one positive digit.
    let digits = lw.load(key, abi::VAROBJECT_SIZE);
    let small = lw.b.ins().icmp_imm_u(IntCC::UnsignedLessThanOrEqual, digits, 1);
    lw.guard(small, slow);
    // Zero's digit may be unset.
    let low_digit = lw.load_u32(key, abi::LONG_DIGITS);
    let zero = lw.iconst(0);
    lw.b.ins().select(digits, low_digit, zero)
}

fn is_truth_jump(opcode: u8) -> bool {
    matches!(
        opcode,
        op::POP_JUMP_FORWARD_IF_FALSE
            | op::POP_JUMP_FORWARD_IF_TRUE
            | op::POP_JUMP_BACKWARD_IF_FALSE
            | op::POP_JUMP_BACKWARD_IF_TRUE
    )
}
