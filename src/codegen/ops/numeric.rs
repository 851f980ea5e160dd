//! Inline fast paths of BINARY_OP and COMPARE_OP on exact `int` and `float`
//! operands, alike or mixed. Each path is guarded by both operands' exact
//! types (and, for ints, 3.11's one-digit "compact" form); operands that
//! fail a guard take the generic path, so the profile that chose which
//! paths to emit only ever costs speed, never correctness. A compact int
//! meets a float as CPython's float operations convert it: exactly, to a
//! double.

use crate::abi::{self, op};
use crate::codegen::lowering::{Lowering, Operand};
use crate::profile::Observed;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, Block, InstBuilder, Value};

/// The operands a fast path handles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Two exact `int`s of at most one 30-bit digit: `ob_size` is -1, 0 or
    /// 1 and the value is `ob_size * ob_digit[0]`, so sums, differences and
    /// products fit in an i64 (and true division is that of two doubles,
    /// as `long_true_divide` does for small ints).
    Int,
    /// Two exact `float`s.
    Float,
    /// An exact `float` and a compact `int`, in that order.
    FloatInt,
    /// A compact `int` and an exact `float`, in that order.
    IntFloat,
}

/// One operand's type in a fast path.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Number {
    Int,
    Float,
}

impl Kind {
    fn operands(self) -> [Number; 2] {
        match self {
            Kind::Int => [Number::Int, Number::Int],
            Kind::Float => [Number::Float, Number::Float],
            Kind::FloatInt => [Number::Float, Number::Int],
            Kind::IntFloat => [Number::Int, Number::Float],
        }
    }
}

const INT: &[Kind] = &[Kind::Int];
const FLOAT: &[Kind] = &[Kind::Float];
const BOTH: &[Kind] = &[Kind::Int, Kind::Float];
const MIXED: &[Kind] = &[Kind::FloatInt, Kind::IntFloat];
const ALL: &[Kind] = &[Kind::Float, Kind::FloatInt, Kind::IntFloat, Kind::Int];

/// The binary operator of BINARY_OP's argument `which`, the in-place forms
/// folded onto their binary forms (ints and floats have no in-place slots).
fn binary_operator(which: u32) -> u8 {
    let first_inplace = u32::from(op::NB_INPLACE_ADD);
    let operator = if which >= first_inplace { which - first_inplace } else { which };
    operator as u8
}

/// The fast paths to emit for BINARY_OP `which`, given the profile.
pub fn binary_kinds(observed: Observed, which: u32) -> &'static [Kind] {
    match binary_operator(which) {
        op::NB_ADD | op::NB_SUBTRACT | op::NB_MULTIPLY => match observed {
            Observed::Nothing => BOTH,
            Observed::Specialized(op::BINARY_OP_ADD_INT | op::BINARY_OP_SUBTRACT_INT | op::BINARY_OP_MULTIPLY_INT) => INT,
            Observed::Specialized(
                op::BINARY_OP_ADD_FLOAT | op::BINARY_OP_SUBTRACT_FLOAT | op::BINARY_OP_MULTIPLY_FLOAT,
            ) => FLOAT,
            // The interpreter specialises alike operands only: mixed ones
            // are the common numbers it could not.
            Observed::Generic => MIXED,
            // Strings.
            Observed::Specialized(_) => &[],
        },
        // 3.11 specialises none of these, so the profile says nothing about
        // their operands: true division gets every number path, the floor
        // division and remainder the int one (Python's float rules for
        // them are not a single instruction).
        op::NB_TRUE_DIVIDE => ALL,
        op::NB_FLOOR_DIVIDE | op::NB_REMAINDER => INT,
        _ => &[],
    }
}

/// The fast paths to emit for a COMPARE_OP, given the profile and whether a
/// conditional jump follows it.
pub fn compare_kinds(observed: Observed, jump_follows: bool) -> &'static [Kind] {
    match observed {
        Observed::Specialized(op::COMPARE_OP_INT_JUMP) => INT,
        Observed::Specialized(op::COMPARE_OP_FLOAT_JUMP) => FLOAT,
        Observed::Specialized(_) => &[],
        Observed::Generic if jump_follows => MIXED,
        // The interpreter specialises only compares a jump follows: for
        // the others the profile says nothing.
        Observed::Generic | Observed::Nothing => BOTH,
    }
}

/// Emits the fast path of each of `kinds` in turn: `fast` lowers the path
/// of one kind, going to the block it is given when its guards fail, and
/// returns the value passed to `done`. Returns in the block reached when
/// every guard failed (the generic path), cold when the profile makes the
/// fast path the expected one.
pub fn fast_paths(
    lw: &mut Lowering,
    kinds: &[Kind],
    done: Block,
    mut fast: impl FnMut(&mut Lowering, Kind, Block) -> Value,
) {
    for &kind in kinds {
        let fail = lw.b.create_block();
        let value = fast(lw, kind, fail);
        lw.b.ins().jump(done, &[value.into()]);
        if matches!(lw.observed(), Observed::Specialized(_)) {
            lw.b.set_cold_block(fail);
        }
        lw.switch_to(fail);
        lw.b.seal_block(fail);
    }
}

/// Checks that `lhs` and `rhs` are the operands of `kind` (else goes to
/// `fail`) and returns their values: i64 for two ints, else f64 (an int
/// converted exactly).
fn unbox(lw: &mut Lowering, kind: Kind, lhs: Operand, rhs: Operand, fail: Block) -> (Value, Value) {
    let objects = [lhs.value, rhs.value];
    let numbers = kind.operands();
    let exact = [0, 1].map(|i| {
        let expected = lw.data_address(match numbers[i] {
            Number::Int => "PyLong_Type",
            Number::Float => "PyFloat_Type",
        });
        let actual = lw.load(objects[i], abi::OBJECT_TYPE);
        lw.b.ins().icmp(IntCC::Equal, actual, expected)
    });
    let both_exact = lw.b.ins().band(exact[0], exact[1]);
    lw.guard(both_exact, fail);
    // Read only once the types are known: other objects may be too small
    // to have these fields.
    let sizes = [0, 1].map(|i| (numbers[i] == Number::Int).then(|| lw.load(objects[i], abi::VAROBJECT_SIZE)));
    let compact: Vec<Value> = sizes
        .iter()
        .flatten()
        .map(|&size| {
            let shifted = lw.b.ins().iadd_imm_s(size, 1);
            lw.b.ins().icmp_imm_u(IntCC::UnsignedLessThanOrEqual, shifted, 2)
        })
        .collect();
    if let Some(all_compact) = compact.into_iter().reduce(|a, b| lw.b.ins().band(a, b)) {
        lw.guard(all_compact, fail);
    }
    let values = [0, 1].map(|i| match sizes[i] {
        None => lw.load_as(types::F64, objects[i], abi::FLOAT_VALUE),
        Some(size) => {
            // Every int has room for one digit, zero included.
            let digit = lw.load_as(types::I32, objects[i], abi::LONG_DIGITS);
            let digit = lw.b.ins().uextend(types::I64, digit);
            let value = lw.b.ins().imul(size, digit);
            if kind == Kind::Int { value } else { lw.b.ins().fcvt_from_sint(types::F64, value) }
        }
    });
    (values[0], values[1])
}

/// BINARY_OP `which` on two operands of `kind` (see `binary_kinds`), going
/// to `fail` when they are not, or when the divisor is zero (the generic
/// path raises CPython's own ZeroDivisionError). Releases both operands;
/// returns the result, NULL if boxing it failed.
pub fn binary(lw: &mut Lowering, kind: Kind, which: u32, lhs: Operand, rhs: Operand, fail: Block) -> Value {
    let (a, b) = unbox(lw, kind, lhs, rhs, fail);
    let operator = binary_operator(which);
    if kind == Kind::Int && operator != op::NB_TRUE_DIVIDE {
        let result = match operator {
            op::NB_ADD => lw.b.ins().iadd(a, b),
            op::NB_SUBTRACT => lw.b.ins().isub(a, b),
            op::NB_MULTIPLY => lw.b.ins().imul(a, b),
            _ => floor_division(lw, operator, a, b, fail),
        };
        // Not inline: PyLong_FromLongLong returns the cached small ints,
        // whose identity programs can observe.
        let boxed = lw.call("PyLong_FromLongLong", &[result]);
        lw.release(lhs);
        lw.release(rhs);
        return boxed;
    }
    let (a, b) = if kind == Kind::Int {
        (lw.b.ins().fcvt_from_sint(types::F64, a), lw.b.ins().fcvt_from_sint(types::F64, b))
    } else {
        (a, b)
    };
    let result = match operator {
        op::NB_ADD => lw.b.ins().fadd(a, b),
        op::NB_SUBTRACT => lw.b.ins().fsub(a, b),
        op::NB_MULTIPLY => lw.b.ins().fmul(a, b),
        op::NB_TRUE_DIVIDE => {
            let zero = lw.b.ins().f64const(0.0);
            // Equal to zero also for -0.0.
            let nonzero = lw.b.ins().fcmp(FloatCC::NotEqual, b, zero);
            lw.guard(nonzero, fail);
            lw.b.ins().fdiv(a, b)
        }
        _ => unreachable!("binary_kinds emits no float path for operator {operator}"),
    };
    let [lhs_float, rhs_float] = kind.operands().map(|number| number == Number::Float);
    box_float(lw, result, (lhs, lhs_float), (rhs, rhs_float))
}

/// Python's `a // b` or `a % b` (`operator`) on ints: the quotient rounds
/// toward negative infinity and the remainder takes the divisor's sign.
/// Goes to `fail` when `b` is zero.
fn floor_division(lw: &mut Lowering, operator: u8, a: Value, b: Value, fail: Block) -> Value {
    let nonzero = lw.b.ins().icmp_imm_s(IntCC::NotEqual, b, 0);
    lw.guard(nonzero, fail);
    // Both are below 2**30 in magnitude: no overflow, and b is not zero.
    let quotient = lw.b.ins().sdiv(a, b);
    let remainder = lw.b.ins().srem(a, b);
    // C truncates; when the remainder is nonzero with the sign opposite to
    // b's, the floor is one lower and the remainder one b further.
    let signs = lw.b.ins().bxor(remainder, b);
    let opposite = lw.b.ins().icmp_imm_s(IntCC::SignedLessThan, signs, 0);
    let inexact = lw.b.ins().icmp_imm_s(IntCC::NotEqual, remainder, 0);
    let adjust = lw.b.ins().band(opposite, inexact);
    let zero = lw.iconst(0);
    match operator {
        op::NB_FLOOR_DIVIDE => {
            let one = lw.b.ins().uextend(types::I64, adjust);
            lw.b.ins().isub(quotient, one)
        }
        op::NB_REMAINDER => {
            let step = lw.b.ins().select(adjust, b, zero);
            lw.b.ins().iadd(remainder, step)
        }
        _ => unreachable!("binary_kinds emits no int path for operator {operator}"),
    }
}

/// Boxes the float `value` computed from `lhs` and `rhs` (each with
/// whether it is a float), releasing both: an owned float operand whose
/// only reference is ours is reused (no one can see it change), otherwise a
/// new float is made.
fn box_float(lw: &mut Lowering, value: Value, (lhs, lhs_float): (Operand, bool), (rhs, rhs_float): (Operand, bool)) -> Value {
    let done = lw.b.create_block();
    let result = lw.b.append_block_param(done, lw.ptr);
    for (target, float, other) in [(lhs, lhs_float, rhs), (rhs, rhs_float, lhs)] {
        if float && !target.borrowed {
            reuse_if_sole_reference(lw, value, target.value, other, done);
        }
    }
    let boxed = new_float(lw, value);
    lw.release(lhs);
    lw.release(rhs);
    lw.b.ins().jump(done, &[boxed.into()]);
    lw.switch_to(done);
    lw.b.seal_block(done);
    result
}

/// When our reference is the only one to the float `target`, writes `value`
/// into it, releases `other` and goes to `done` with `target`; otherwise
/// continues in a new block.
fn reuse_if_sole_reference(lw: &mut Lowering, value: Value, target: Value, other: Operand, done: Block) {
    let count = lw.load(target, abi::OBJECT_REFCNT);
    let sole = lw.b.ins().icmp_imm_s(IntCC::Equal, count, 1);
    let reuse = lw.b.create_block();
    let next = lw.b.create_block();
    lw.b.ins().brif(sole, reuse, &[], next, &[]);
    lw.b.switch_to_block(reuse);
    lw.b.seal_block(reuse);
    lw.store(value, target, abi::FLOAT_VALUE);
    lw.release(other);
    lw.b.ins().jump(done, &[target.into()]);
    lw.switch_to(next);
    lw.b.seal_block(next);
}

/// A new float holding `value`, made as `PyFloat_FromDouble` makes it:
/// taken from the interpreter's float free list inline when the list has
/// one and tracemalloc is not tracing (it must see every new reference),
/// else by that call. NULL if allocating failed (the error is set).
fn new_float(lw: &mut Lowering, value: Value) -> Value {
    let tstate = lw.tstate;
    let interp = lw.load(tstate, abi::TSTATE_INTERP);
    let head = lw.load(interp, abi::INTERP_FLOAT_FREE_LIST);
    let config = lw.data_address("_Py_tracemalloc_config");
    let tracing = lw.load_i32(config, abi::TRACEMALLOC_TRACING);
    let listed = lw.b.ins().icmp_imm_s(IntCC::NotEqual, head, 0);
    let untraced = lw.b.ins().icmp_imm_s(IntCC::Equal, tracing, 0);
    let from_list = lw.b.ins().band(listed, untraced);
    let pop = lw.b.create_block();
    let call = lw.cold_block();
    let done = lw.b.create_block();
    let result = lw.b.append_block_param(done, lw.ptr);
    lw.b.ins().brif(from_list, pop, &[], call, &[]);
    lw.b.switch_to_block(pop);
    lw.b.seal_block(pop);
    // The list is linked through the floats' type fields.
    let next = lw.load(head, abi::OBJECT_TYPE);
    lw.store(next, interp, abi::INTERP_FLOAT_FREE_LIST);
    let numfree = lw.load_i32(interp, abi::INTERP_FLOAT_NUMFREE);
    let numfree = lw.b.ins().iadd_imm_s(numfree, -1);
    lw.store(numfree, interp, abi::INTERP_FLOAT_NUMFREE);
    let one = lw.iconst(1);
    lw.store(one, head, abi::OBJECT_REFCNT);
    let float_type = lw.data_address("PyFloat_Type");
    lw.store(float_type, head, abi::OBJECT_TYPE);
    lw.store(value, head, abi::FLOAT_VALUE);
    lw.b.ins().jump(done, &[head.into()]);
    lw.b.switch_to_block(call);
    lw.b.seal_block(call);
    let boxed = lw.call("PyFloat_FromDouble", &[value]);
    lw.b.ins().jump(done, &[boxed.into()]);
    lw.b.switch_to_block(done);
    lw.b.seal_block(done);
    result
}

/// COMPARE_OP `which` (Py_LT..Py_GE) on two operands of `kind`, going to
/// `fail` when they are not. Releases both operands; returns the condition
/// (0 or 1, pointer-sized). Floats compare as IEEE does: with a NaN only
/// `!=` holds.
pub fn compare(lw: &mut Lowering, kind: Kind, which: u32, lhs: Operand, rhs: Operand, fail: Block) -> Value {
    let (a, b) = unbox(lw, kind, lhs, rhs, fail);
    let cond = match kind {
        Kind::Int => {
            let cc = [
                IntCC::SignedLessThan,
                IntCC::SignedLessThanOrEqual,
                IntCC::Equal,
                IntCC::NotEqual,
                IntCC::SignedGreaterThan,
                IntCC::SignedGreaterThanOrEqual,
            ][which as usize];
            lw.b.ins().icmp(cc, a, b)
        }
        Kind::Float | Kind::FloatInt | Kind::IntFloat => {
            // NotEqual is "unordered or not equal"; the others are ordered.
            let cc = [
                FloatCC::LessThan,
                FloatCC::LessThanOrEqual,
                FloatCC::Equal,
                FloatCC::NotEqual,
                FloatCC::GreaterThan,
                FloatCC::GreaterThanOrEqual,
            ][which as usize];
            lw.b.ins().fcmp(cc, a, b)
        }
    };
    lw.release(lhs);
    lw.release(rhs);
    lw.b.ins().uextend(lw.ptr, cond)
}
