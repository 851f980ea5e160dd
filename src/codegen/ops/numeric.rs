//! Inline fast paths of BINARY_OP and COMPARE_OP on exact `int` and `float`
//! operands, alike or mixed. Each path is guarded by both operands' exact
//! types (and, for ints, 3.11's one-digit "compact" form); operands that
//! fail a guard take the generic path, so the profile that chose which
//! paths to emit only ever costs speed, never correctness. A compact int
//! meets a float as CPython's float operations convert it: exactly, to a
//! double.

use crate::abi::{self, op};
use crate::bytecode::ConstNumber;
use crate::codegen::lowering::{Allocation, Lowering, Operand, Unboxed};
use crate::config::Optimization;
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
    /// Two numbers each an exact `float` or a compact `int`, both as
    /// doubles: true division, which `float_div` and `long_true_divide`
    /// compute alike on these, so one path serves the four pairs.
    Numbers,
}

/// One operand's type in a fast path.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Number {
    Int,
    Float,
    /// A float or an int, read as a float.
    Either,
}

impl Number {
    /// The type of an unboxed number of `kind`.
    fn of(kind: Unboxed) -> Number {
        match kind {
            Unboxed::Int => Number::Int,
            Unboxed::Float => Number::Float,
        }
    }

    /// Whether an operand of type `number` is one of this type.
    fn admits(self, number: Number) -> bool {
        self == Number::Either || self == number
    }
}

impl Kind {
    fn operands(self) -> [Number; 2] {
        match self {
            Kind::Int => [Number::Int, Number::Int],
            Kind::Float => [Number::Float, Number::Float],
            Kind::FloatInt => [Number::Float, Number::Int],
            Kind::IntFloat => [Number::Int, Number::Float],
            Kind::Numbers => [Number::Either, Number::Either],
        }
    }
}

const INT: &[Kind] = &[Kind::Int];
const FLOAT: &[Kind] = &[Kind::Float];
const BOTH: &[Kind] = &[Kind::Int, Kind::Float];
const MIXED: &[Kind] = &[Kind::FloatInt, Kind::IntFloat];
const NUMBERS: &[Kind] = &[Kind::Numbers];
const FLOAT_BASE: &[Kind] = &[Kind::Float, Kind::FloatInt];

/// The binary operator of BINARY_OP's argument `which`, the in-place forms
/// folded onto their binary forms (ints and floats have no in-place slots).
pub fn binary_operator(which: u32) -> u8 {
    let first_inplace = u32::from(op::NB_INPLACE_ADD);
    let operator = if which >= first_inplace { which - first_inplace } else { which };
    operator as u8
}

/// The fast paths to emit for BINARY_OP `which`, given the profile: none
/// where the warm-up never ran it.
pub fn binary_kinds(observed: Observed, which: u32) -> &'static [Kind] {
    if observed == Observed::NotRun {
        return &[];
    }
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
            // Strings (a site never run returned above).
            Observed::Specialized(_) | Observed::NotRun => &[],
        },
        // 3.11 specialises none of these, so the profile says nothing about
        // their operands: true division gets the path of every pair of
        // numbers, the floor division and remainder the int one (Python's
        // float rules for them are not a single instruction).
        op::NB_TRUE_DIVIDE => NUMBERS,
        op::NB_FLOOR_DIVIDE | op::NB_REMAINDER => INT,
        // Bitwise operators and shifts exist for ints only.
        op::NB_AND | op::NB_OR | op::NB_XOR | op::NB_LSHIFT | op::NB_RSHIFT => INT,
        // A float raised to a float or int power (an int base makes an int
        // or goes through a conversion of its own).
        op::NB_POWER => FLOAT_BASE,
        _ => &[],
    }
}

/// The fast paths to emit for a COMPARE_OP, given the profile and whether a
/// conditional jump follows it.
pub fn compare_kinds(observed: Observed, jump_follows: bool) -> &'static [Kind] {
    match observed {
        Observed::Specialized(op::COMPARE_OP_INT_JUMP) => INT,
        Observed::Specialized(op::COMPARE_OP_FLOAT_JUMP) => FLOAT,
        Observed::Specialized(_) | Observed::NotRun => &[],
        Observed::Generic if jump_follows => MIXED,
        // The interpreter specialises only compares a jump follows: for
        // the others the profile says nothing.
        Observed::Generic | Observed::Nothing => BOTH,
    }
}

/// Emits the fast path of each of `kinds` in turn: `fast` lowers the path
/// of one kind, going to the block it is given when its guards fail, and
/// ends by jumping to where the paths meet. Returns in the block reached
/// when every guard failed (the generic path), cold when the profile makes
/// the fast path the expected one.
pub fn fast_paths(lw: &mut Lowering, kinds: &[Kind], mut fast: impl FnMut(&mut Lowering, Kind, Block)) {
    for &kind in kinds {
        let fail = lw.generic_block();
        fast(lw, kind, fail);
        lw.switch_to(fail);
        lw.b.seal_block(fail);
    }
}

/// Checks that `lhs` and `rhs` are the operands of `kind` (else goes to
/// `fail`) and returns their values: i64 for two ints, else f64 (an int
/// converted exactly).
fn unbox(lw: &mut Lowering, kind: Kind, lhs: Operand, rhs: Operand, fail: Block) -> (Value, Value) {
    let numbers = kind.operands();
    let as_float = kind != Kind::Int;
    let a = operand_number(lw, lhs, numbers[0], as_float, fail);
    let b = operand_number(lw, rhs, numbers[1], as_float, fail);
    (a, b)
}

/// The value of `operand` as a float, going to `fail` when it is neither
/// an exact float nor an exact int of one digit (converted exactly), boxed
/// or unboxed: the argument a math function takes (`PyFloat_AsDouble`).
pub fn float_value(lw: &mut Lowering, operand: Operand, fail: Block) -> Value {
    operand_number(lw, operand, Number::Either, true, fail)
}

/// The value of `operand` as the `number` of a fast path, going to `fail`
/// when it is not one: i64 for an int, f64 for a float or, when
/// `as_float`, an int. An unboxed number of the right kind is taken as it
/// is (an int one is compact, see `Unboxed::Int`); a boxed one is checked.
fn operand_number(lw: &mut Lowering, operand: Operand, number: Number, as_float: bool, fail: Block) -> Value {
    let ty = if number == Number::Int && !as_float { types::I64 } else { types::F64 };
    let Some((kind, unboxed)) = operand.number else { return object_number(lw, operand.value, number, as_float, fail) };
    let known_unboxed = lw.is_zero_constant(operand.value);
    match (kind, number) {
        (Unboxed::Float, Number::Float | Number::Either) if known_unboxed => return unboxed,
        (Unboxed::Int, Number::Int | Number::Either) if known_unboxed && !as_float => return unboxed,
        (Unboxed::Int, Number::Int | Number::Either) if known_unboxed => return lw.b.ins().fcvt_from_sint(types::F64, unboxed),
        _ => {}
    }
    let boxed = lw.b.create_block();
    let done = lw.b.create_block();
    let result = lw.b.append_block_param(done, ty);
    match (kind, number) {
        (Unboxed::Int, Number::Int | Number::Either) | (Unboxed::Float, Number::Float | Number::Either) => {
            let unboxed = if kind == Unboxed::Int && as_float {
                lw.b.ins().fcvt_from_sint(types::F64, unboxed)
            } else {
                unboxed
            };
            lw.b.ins().brif(operand.value, boxed, &[], done, &[unboxed.into()]);
        }
        _ => {
            lw.b.ins().brif(operand.value, boxed, &[], fail, &[]);
        }
    }
    lw.b.switch_to_block(boxed);
    lw.b.seal_block(boxed);
    let value = object_number(lw, operand.value, number, as_float, fail);
    lw.b.ins().jump(done, &[value.into()]);
    lw.b.switch_to_block(done);
    lw.b.seal_block(done);
    result
}

/// The value of `object` as the `number` of a fast path (see
/// `operand_number`), going to `fail` when it is not an exact float, or an
/// exact int of one digit.
fn object_number(lw: &mut Lowering, object: Value, number: Number, as_float: bool, fail: Block) -> Value {
    match constant_of(lw, object, number) {
        Some(ConstNumber::Int(value)) if as_float => return lw.b.ins().f64const(value as f64),
        Some(ConstNumber::Int(value)) => return lw.iconst(value),
        Some(ConstNumber::Float(value)) => return lw.b.ins().f64const(value),
        None => {}
    }
    if number == Number::Either {
        // A float, else an int (as a float).
        let not_float = lw.b.create_block();
        let done = lw.b.create_block();
        let result = lw.b.append_block_param(done, types::F64);
        let float = object_number(lw, object, Number::Float, true, not_float);
        lw.b.ins().jump(done, &[float.into()]);
        lw.b.switch_to_block(not_float);
        lw.b.seal_block(not_float);
        let int = object_number(lw, object, Number::Int, true, fail);
        lw.b.ins().jump(done, &[int.into()]);
        lw.b.switch_to_block(done);
        lw.b.seal_block(done);
        return result;
    }
    let expected = lw.data_address(if number == Number::Int { "PyLong_Type" } else { "PyFloat_Type" });
    let actual = lw.load(object, abi::OBJECT_TYPE);
    let exact = lw.b.ins().icmp(IntCC::Equal, actual, expected);
    lw.guard(exact, fail);
    if number == Number::Float {
        return lw.load_as(types::F64, object, abi::FLOAT_VALUE);
    }
    // Read only once the type is known: other objects may be too small to
    // have these fields.
    let size = lw.load(object, abi::VAROBJECT_SIZE);
    let shifted = lw.b.ins().iadd_imm_s(size, 1);
    let compact = lw.b.ins().icmp_imm_u(IntCC::UnsignedLessThanOrEqual, shifted, 2);
    lw.guard(compact, fail);
    // Every int has room for one digit, zero included.
    let digit = lw.load_as(types::I32, object, abi::LONG_DIGITS);
    let digit = lw.b.ins().uextend(types::I64, digit);
    let value = lw.b.ins().imul(size, digit);
    if as_float { lw.b.ins().fcvt_from_sint(types::F64, value) } else { value }
}

/// The constant `object` is when it is one of `number`'s type
/// (`Lowering::constant_number`).
fn constant_of(lw: &mut Lowering, object: Value, number: Number) -> Option<ConstNumber> {
    let known = lw.constant_number(object)?;
    (fits(known, number) && lw.apply(Optimization::ConstantOperands)).then_some(known)
}

/// Whether the constant `known` is an operand of type `number`.
fn fits(known: ConstNumber, number: Number) -> bool {
    let of = match known {
        ConstNumber::Int(_) => Number::Int,
        ConstNumber::Float(_) => Number::Float,
    };
    number.admits(of)
}

/// `kinds` without those whose guards an operand among `operands` would
/// always fail: an unboxed number of the other type (boxed, it is still a
/// number of its type), or a constant of the other type (an object
/// `Lowering::constant_number` knows).
pub fn kinds_for_operands(lw: &mut Lowering, kinds: &[Kind], operands: [Operand; 2]) -> Vec<Kind> {
    let unboxed = operands.map(|operand| operand.number.map(|(kind, _)| Number::of(kind)));
    let possible: Vec<Kind> = kinds
        .iter()
        .copied()
        .filter(|kind| kind.operands().iter().zip(unboxed).all(|(&number, held)| held.is_none_or(|held| number.admits(held))))
        .collect();
    let known = operands.map(|operand| lw.constant_number(operand.value));
    let fitting: Vec<Kind> = possible
        .iter()
        .copied()
        .filter(|kind| kind.operands().iter().zip(known).all(|(&number, constant)| constant.is_none_or(|c| fits(c, number))))
        .collect();
    if fitting.len() < possible.len() {
        lw.apply(Optimization::ConstantOperands);
    }
    fitting
}

/// The kind of number BINARY_OP `which` computes on operands of `kind`.
pub fn binary_result(kind: Kind, which: u32) -> Unboxed {
    if kind == Kind::Int && binary_operator(which) != op::NB_TRUE_DIVIDE { Unboxed::Int } else { Unboxed::Float }
}

/// BINARY_OP `which` on two operands of `kind` (see `binary_kinds`), going
/// to `fail` when they are not, or when the divisor is zero (the generic
/// path raises CPython's own ZeroDivisionError). Returns the result
/// unboxed (see `binary_result`); the operands are not released.
pub fn binary_number(lw: &mut Lowering, kind: Kind, which: u32, lhs: Operand, rhs: Operand, fail: Block) -> Value {
    let (a, b) = unbox(lw, kind, lhs, rhs, fail);
    let operator = binary_operator(which);
    if binary_result(kind, which) == Unboxed::Int {
        return match operator {
            op::NB_ADD => lw.b.ins().iadd(a, b),
            op::NB_SUBTRACT => lw.b.ins().isub(a, b),
            op::NB_MULTIPLY => lw.b.ins().imul(a, b),
            // Two's complement, as Python's infinite-precision ints behave.
            op::NB_AND => lw.b.ins().band(a, b),
            op::NB_OR => lw.b.ins().bor(a, b),
            op::NB_XOR => lw.b.ins().bxor(a, b),
            op::NB_LSHIFT | op::NB_RSHIFT => shift(lw, operator, a, b, fail),
            _ => floor_division(lw, operator, a, b, fail),
        };
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
        op::NB_POWER => power(lw, a, b, fail),
        _ => unreachable!("binary_kinds emits no float path for operator {operator}"),
    };
    result
}

/// BINARY_OP `which` on two operands of `kind`, as `binary_number`, then
/// boxed. Releases both operands; returns the result, NULL if boxing it
/// failed.
pub fn binary(lw: &mut Lowering, kind: Kind, which: u32, lhs: Operand, rhs: Operand, fail: Block) -> Value {
    let result = binary_number(lw, kind, which, lhs, rhs, fail);
    if lw.observed() == Observed::Nothing {
        // Without a profile every site gets an int and a float path: each
        // boxes its result with one call, so that code no profile asked
        // for stays small (compile time grows with code size).
        let target = match reused_local(lw) {
            Some(local) => lw.load_local(local),
            None => lw.iconst(0),
        };
        let symbol = match binary_result(kind, which) {
            Unboxed::Int => "pyjit_int_into_local",
            Unboxed::Float => "pyjit_float_into_local",
        };
        let boxed = lw.call(symbol, &[result, target]);
        lw.release(lhs);
        lw.release(rhs);
        return boxed;
    }
    if binary_result(kind, which) == Unboxed::Int {
        let boxed = box_int(lw, result);
        lw.release(lhs);
        lw.release(rhs);
        return boxed;
    }
    let [lhs_number, rhs_number] = kind.operands();
    box_float(lw, result, (lhs, lhs_number), (rhs, rhs_number))
}

/// Where `binary_unboxed` hands its result.
#[derive(Clone, Copy)]
pub enum UnboxedResult {
    /// `done` takes the object (NULL while the number is unboxed) and the
    /// number.
    MaybeBoxed(Block),
    /// `done` takes the float alone; a result that must be made an object
    /// is pushed, and the frame continues in the interpreter after the
    /// instruction (`Optimization::KnownFloatResults`).
    Float(Block),
}

/// BINARY_OP `which` on two operands of `kind`, as `binary_number`, for an
/// unboxed result (`Lowering::push_number`), handed over as `to` says:
/// the number alone, or, while tracemalloc traces (it must see each number
/// made where the interpreter makes it) or for an int result of more than
/// one digit, the result boxed. Releases both operands.
pub fn binary_unboxed(lw: &mut Lowering, kind: Kind, which: u32, (lhs, rhs): (Operand, Operand), fail: Block, to: UnboxedResult) {
    let result = binary_number(lw, kind, which, lhs, rhs, fail);
    let untraced = tracemalloc_tracing(lw);
    let untraced = lw.b.ins().icmp_imm_s(IntCC::Equal, untraced, 0);
    let unboxed = match binary_result(kind, which) {
        Unboxed::Int => {
            // One digit: the magnitude is below 2**30.
            let shifted = lw.b.ins().iadd_imm_s(result, (1 << 30) - 1);
            let compact = lw.b.ins().icmp_imm_u(IntCC::UnsignedLessThan, shifted, (1 << 31) - 1);
            lw.b.ins().band(untraced, compact)
        }
        Unboxed::Float => untraced,
    };
    let keep = lw.b.create_block();
    let make = lw.cold_block();
    lw.b.ins().brif(unboxed, keep, &[], make, &[]);
    lw.b.switch_to_block(keep);
    lw.b.seal_block(keep);
    lw.release(lhs);
    lw.release(rhs);
    match to {
        UnboxedResult::MaybeBoxed(done) => {
            let null = lw.iconst(0);
            lw.b.ins().jump(done, &[null.into(), result.into()]);
        }
        UnboxedResult::Float(done) => {
            lw.b.ins().jump(done, &[result.into()]);
        }
    }
    lw.switch_to(make);
    lw.b.seal_block(make);
    let boxed = lw.box_number(binary_result(kind, which), result, Allocation::Inline);
    lw.release(lhs);
    lw.release(rhs);
    lw.raise_if_null(boxed);
    match to {
        UnboxedResult::MaybeBoxed(done) => {
            lw.b.ins().jump(done, &[boxed.into(), result.into()]);
        }
        UnboxedResult::Float(_) => lw.resume_after_with(boxed, false),
    }
}

/// The value of `object`, an instruction's owned result, when it is an exact
/// float, which is then released; any other result is pushed and the frame
/// continues in the interpreter after the instruction
/// (`UnboxedResult::Float`).
pub fn float_or_resume_after(lw: &mut Lowering, object: Value) -> Value {
    let other = lw.cold_block();
    let value = object_number(lw, object, Number::Float, true, other);
    lw.decref(object);
    let next = lw.b.create_block();
    lw.b.ins().jump(next, &[]);
    lw.switch_to(other);
    lw.b.seal_block(other);
    lw.resume_after_with(object, true);
    lw.switch_to(next);
    lw.b.seal_block(next);
    value
}

/// Python's `a ** b` on floats, going to `fail` unless `a` is positive and
/// finite, `b` finite and the result a finite normal number: there
/// `float_pow` returns what libm's `pow` does (it sets no `errno`), and
/// elsewhere it has special cases, complex results and errors.
fn power(lw: &mut Lowering, a: Value, b: Value, fail: Block) -> Value {
    let zero = lw.b.ins().f64const(0.0);
    let infinity = lw.b.ins().f64const(f64::INFINITY);
    let positive = lw.b.ins().fcmp(FloatCC::GreaterThan, a, zero);
    let finite = lw.b.ins().fcmp(FloatCC::LessThan, a, infinity);
    // b - b is 0 for finite b, NaN for infinities and NaN.
    let difference = lw.b.ins().fsub(b, b);
    let exponent_finite = lw.b.ins().fcmp(FloatCC::Equal, difference, zero);
    let base_ok = lw.b.ins().band(positive, finite);
    let operands_ok = lw.b.ins().band(base_ok, exponent_finite);
    lw.guard(operands_ok, fail);
    let result = lw.call_returning("pow", &[a, b], types::F64);
    let smallest = lw.b.ins().f64const(f64::MIN_POSITIVE);
    let normal = lw.b.ins().fcmp(FloatCC::GreaterThanOrEqual, result, smallest);
    let finite = lw.b.ins().fcmp(FloatCC::LessThan, result, infinity);
    let in_range = lw.b.ins().band(normal, finite);
    lw.guard(in_range, fail);
    result
}

/// Nonzero while tracemalloc traces: it must then see each number made
/// where the interpreter makes it, so none is reused in place of a new one.
pub fn tracemalloc_tracing(lw: &mut Lowering) -> Value {
    let config = lw.data_address("_Py_tracemalloc_config");
    lw.load_i32(config, abi::TRACEMALLOC_TRACING)
}

/// Whether the only reference to `object` is the one the caller accounts
/// for and, with `exact_type` (a type's data symbol), its type is exactly
/// that one.
fn sole_reference(lw: &mut Lowering, object: Value, exact_type: Option<&'static str>) -> Value {
    let count = lw.load(object, abi::OBJECT_REFCNT);
    let sole = lw.b.ins().icmp_imm_s(IntCC::Equal, count, 1);
    let Some(symbol) = exact_type else { return sole };
    let expected = lw.data_address(symbol);
    let actual = lw.load(object, abi::OBJECT_TYPE);
    let exact = lw.b.ins().icmp(IntCC::Equal, actual, expected);
    lw.b.ins().band(exact, sole)
}

/// The local whose number a result may be written into
/// (`Optimization::ReuseNumbers`): the one the next instruction stores it in.
fn reused_local(lw: &mut Lowering) -> Option<u32> {
    let local = lw.result_stored_to_local()?;
    lw.apply(Optimization::ReuseNumbers).then_some(local)
}

/// Boxes the int `value` (any i64). When the next instruction stores it in
/// a local holding the only reference to a one-digit int, tracemalloc does
/// not trace and `value` is one digit but not one of the cached small ints
/// (whose identity programs can observe), that int is reused, as
/// `box_float` reuses floats. Otherwise `new_int` makes it. NULL if
/// allocating failed (the error is set).
pub fn box_int(lw: &mut Lowering, value: Value) -> Value {
    let done = lw.b.create_block();
    let result = lw.b.append_block_param(done, lw.ptr);
    if let Some(local) = reused_local(lw) {
        let target = lw.load_local(local);
        let tracing = tracemalloc_tracing(lw);
        let untraced = lw.b.ins().icmp_imm_s(IntCC::Equal, tracing, 0);
        let bound = lw.b.ins().icmp_imm_s(IntCC::NotEqual, target, 0);
        let position = small_int_position(lw, value);
        let not_small = lw.b.ins().icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, position, SMALL_INTS);
        // One digit: |value| < 2**30, without the overflow of iabs(i64::MIN).
        let biased = lw.b.ins().iadd_imm_s(value, (1 << 30) - 1);
        let one_digit = lw.b.ins().icmp_imm_u(IntCC::UnsignedLessThan, biased, (1 << 31) - 1);
        let checks = [untraced, bound, not_small, one_digit];
        let candidate = checks.into_iter().reduce(|a, b| lw.b.ins().band(a, b)).expect("four checks");
        let check_target = lw.b.create_block();
        let make = lw.b.create_block();
        lw.b.ins().brif(candidate, check_target, &[], make, &[]);
        lw.b.switch_to_block(check_target);
        lw.b.seal_block(check_target);
        let type_ok = sole_reference(lw, target, Some("PyLong_Type"));
        // Read only once the type is known, as `unbox` does.
        let reuse = lw.b.create_block();
        let sized = lw.b.create_block();
        lw.b.ins().brif(type_ok, sized, &[], make, &[]);
        lw.b.switch_to_block(sized);
        lw.b.seal_block(sized);
        let size = lw.load(target, abi::VAROBJECT_SIZE);
        let size_magnitude = lw.b.ins().iabs(size);
        let has_one_digit = lw.b.ins().icmp_imm_s(IntCC::Equal, size_magnitude, 1);
        lw.b.ins().brif(has_one_digit, reuse, &[], make, &[]);
        lw.b.switch_to_block(reuse);
        lw.b.seal_block(reuse);
        let negative = lw.b.ins().icmp_imm_s(IntCC::SignedLessThan, value, 0);
        let (minus_one, one) = (lw.iconst(-1), lw.iconst(1));
        let sign = lw.b.ins().select(negative, minus_one, one);
        lw.store(sign, target, abi::VAROBJECT_SIZE);
        let magnitude = lw.b.ins().iabs(value);
        let digit = lw.b.ins().ireduce(types::I32, magnitude);
        lw.store(digit, target, abi::LONG_DIGITS);
        // The result's reference, which the store drops with the local's.
        lw.incref(target);
        lw.b.ins().jump(done, &[target.into()]);
        lw.switch_to(make);
        lw.b.seal_block(make);
    }
    let boxed = new_int(lw, value);
    lw.b.ins().jump(done, &[boxed.into()]);
    lw.switch_to(done);
    lw.b.seal_block(done);
    result
}

/// How many ints the interpreter caches (`-SMALL_NEGATIVE_INTS..SMALL_POSITIVE_INTS`).
const SMALL_INTS: i64 = (abi::SMALL_NEGATIVE_INTS + abi::SMALL_POSITIVE_INTS) as i64;

/// The position of `value` among the interpreter's cached small ints: in
/// `0..SMALL_INTS`, read unsigned, when it is one.
fn small_int_position(lw: &mut Lowering, value: Value) -> Value {
    lw.b.ins().iadd_imm_s(value, abi::SMALL_NEGATIVE_INTS as i64)
}

/// A new reference to an int object of `value` (any i64): for a small int,
/// the interpreter's cached object (read inline, as PyLong_FromLongLong
/// returns it), else a new one from PyLong_FromLongLong; NULL if
/// allocating failed (the error is set).
pub fn new_int(lw: &mut Lowering, value: Value) -> Value {
    let done = lw.b.create_block();
    let result = lw.b.append_block_param(done, lw.ptr);
    let position = small_int_position(lw, value);
    let small = lw.b.ins().icmp_imm_u(IntCC::UnsignedLessThan, position, SMALL_INTS);
    let cached = lw.b.create_block();
    let make = lw.b.create_block();
    lw.b.ins().brif(small, cached, &[], make, &[]);
    lw.b.switch_to_block(cached);
    lw.b.seal_block(cached);
    let runtime = lw.data_address("_PyRuntime");
    let offset = lw.b.ins().imul_imm_s(position, abi::LONG_OBJECT_SIZE as i64);
    let small_ints = lw.b.ins().iadd_imm_s(runtime, abi::RUNTIME_SMALL_INTS as i64);
    let small_int = lw.b.ins().iadd(small_ints, offset);
    lw.incref(small_int);
    lw.b.ins().jump(done, &[small_int.into()]);
    lw.b.switch_to_block(make);
    lw.b.seal_block(make);
    let made = lw.call("PyLong_FromLongLong", &[value]);
    lw.b.ins().jump(done, &[made.into()]);
    lw.switch_to(done);
    lw.b.seal_block(done);
    result
}

/// Python's `a << b` or `a >> b` (`operator`) on one-digit ints, going to
/// `fail` for a negative count (the generic path raises ValueError) and,
/// for `<<`, a count over 32, whose result may not fit 64 bits. `>>`
/// rounds toward negative infinity, as an arithmetic shift does; counts of
/// 63 and more leave the sign alone (0 or -1).
fn shift(lw: &mut Lowering, operator: u8, a: Value, b: Value, fail: Block) -> Value {
    if operator == op::NB_LSHIFT {
        // Unsigned: negative counts are above 32 too.
        let fits = lw.b.ins().icmp_imm_u(IntCC::UnsignedLessThanOrEqual, b, 32);
        lw.guard(fits, fail);
        return lw.b.ins().ishl(a, b);
    }
    let count_ok = lw.b.ins().icmp_imm_s(IntCC::SignedGreaterThanOrEqual, b, 0);
    lw.guard(count_ok, fail);
    // Cranelift takes shift counts modulo 64.
    let most = lw.iconst(63);
    let count = lw.b.ins().umin(b, most);
    lw.b.ins().sshr(a, count)
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
/// the type of number it is), releasing both. A float no other code can see
/// is reused: an owned float operand whose only reference is ours (as
/// 3.12's float specialisations do), or, unless tracemalloc traces (it
/// must see a new float on the line that assigns it), the float in the
/// local the next instruction stores the result in, when the local holds
/// its only reference. Otherwise a new float is made.
fn box_float(lw: &mut Lowering, value: Value, (lhs, lhs_number): (Operand, Number), (rhs, rhs_number): (Operand, Number)) -> Value {
    let done = lw.b.create_block();
    let result = lw.b.append_block_param(done, lw.ptr);
    for (target, number, other) in [(lhs, lhs_number, rhs), (rhs, rhs_number, lhs)] {
        if number != Number::Int && !target.borrowed && target.number.is_none() {
            let target = target.value;
            reuse_if_sole_reference(lw, value, target, number == Number::Float, done, |lw| {
                // The stack's reference moves to the result.
                lw.release(other);
            });
        }
    }
    if let Some(local) = reused_local(lw) {
        let target = lw.load_local(local);
        reuse_untraced_float(lw, value, target, done, |lw| {
            // The result's reference, which the store drops with the
            // local's: the object stays.
            lw.incref(target);
            lw.release(lhs);
            lw.release(rhs);
        });
    }
    let boxed = new_float(lw, value);
    lw.release(lhs);
    lw.release(rhs);
    lw.b.ins().jump(done, &[boxed.into()]);
    lw.switch_to(done);
    lw.b.seal_block(done);
    result
}

/// Part of a store of `value` over `old`, what the place stored to holds
/// (an object or NULL): when `value` is an unboxed float and the place
/// holds the only reference to a float, the number is written into it,
/// which stays, as `box_float` reuses a local's
/// (`Optimization::ReuseNumbers`), and the code goes on in `done` (with
/// that float). Otherwise the current block goes on to store as usual.
pub fn reuse_stored_float(lw: &mut Lowering, value: Operand, old: Value, done: Block) {
    let Some((Unboxed::Float, number)) = value.number else { return };
    if !lw.apply(Optimization::ReuseNumbers) {
        return;
    }
    let unboxed = lw.b.create_block();
    let store = lw.b.create_block();
    lw.b.ins().brif(value.value, store, &[], unboxed, &[]);
    lw.b.switch_to_block(unboxed);
    lw.b.seal_block(unboxed);
    reuse_untraced_float(lw, number, old, done, |_| {});
    lw.b.ins().jump(store, &[]);
    lw.switch_to(store);
    lw.b.seal_block(store);
}

/// Unless tracemalloc traces (it must see a new float on the line that
/// assigns it), when `target` (an object or NULL: what a local or a list
/// item holds) is a float whose only reference is its holder's,
/// writes `value` into it, runs `give_up` and goes to `done` with
/// `target`; otherwise continues in a new block.
pub fn reuse_untraced_float(
    lw: &mut Lowering,
    value: Value,
    target: Value,
    done: Block,
    give_up: impl FnOnce(&mut Lowering),
) {
    let tracing = tracemalloc_tracing(lw);
    let untraced = lw.b.create_block();
    let bound = lw.b.create_block();
    let next = lw.b.create_block();
    lw.b.ins().brif(tracing, next, &[], untraced, &[]);
    lw.b.switch_to_block(untraced);
    lw.b.seal_block(untraced);
    lw.b.ins().brif(target, bound, &[], next, &[]);
    lw.b.switch_to_block(bound);
    lw.b.seal_block(bound);
    reuse_if_sole_reference(lw, value, target, false, done, give_up);
    lw.b.ins().jump(next, &[]);
    lw.switch_to(next);
    lw.b.seal_block(next);
}

/// A new float holding `value`, made as `PyFloat_FromDouble` makes it:
/// inline from the free list (`new_untraced_float`), or while tracemalloc
/// traces (it must see each float made) by that call. NULL if allocating
/// failed (the error is set).
pub fn new_float(lw: &mut Lowering, value: Value) -> Value {
    if let Some(placeholder) = lw.bail_instead_of_object() {
        return placeholder;
    }
    let tracing = tracemalloc_tracing(lw);
    let traced = lw.cold_block();
    let untraced = lw.b.create_block();
    let made = lw.b.create_block();
    let boxed = lw.b.append_block_param(made, lw.ptr);
    lw.b.ins().brif(tracing, traced, &[], untraced, &[]);
    lw.b.switch_to_block(untraced);
    lw.b.seal_block(untraced);
    let untraced_float = new_untraced_float(lw, value);
    lw.b.ins().jump(made, &[untraced_float.into()]);
    lw.switch_to(traced);
    lw.b.seal_block(traced);
    let traced_float = lw.call("PyFloat_FromDouble", &[value]);
    lw.b.ins().jump(made, &[traced_float.into()]);
    lw.switch_to(made);
    lw.b.seal_block(made);
    boxed
}

/// When `target` (a float if `known_float`) is a float whose only
/// reference is the one `give_up` accounts for, writes `value` into it,
/// runs `give_up` (which releases what the instruction no longer needs)
/// and goes to `done` with `target`; otherwise continues in a new block.
fn reuse_if_sole_reference(
    lw: &mut Lowering,
    value: Value,
    target: Value,
    known_float: bool,
    done: Block,
    give_up: impl FnOnce(&mut Lowering),
) {
    let reusable = sole_reference(lw, target, (!known_float).then_some("PyFloat_Type"));
    let reuse = lw.b.create_block();
    let next = lw.b.create_block();
    lw.b.ins().brif(reusable, reuse, &[], next, &[]);
    lw.b.switch_to_block(reuse);
    lw.b.seal_block(reuse);
    lw.store(value, target, abi::FLOAT_VALUE);
    give_up(lw);
    lw.b.ins().jump(done, &[target.into()]);
    lw.switch_to(next);
    lw.b.seal_block(next);
}

/// A new float holding `value`, made as `PyFloat_FromDouble` makes it while
/// tracemalloc does not trace: taken from the interpreter's float free list
/// inline when the list has one, else by that call. NULL if allocating
/// failed (the error is set).
fn new_untraced_float(lw: &mut Lowering, value: Value) -> Value {
    let tstate = lw.tstate;
    let interp = lw.load(tstate, abi::TSTATE_INTERP);
    let head = lw.load(interp, abi::INTERP_FLOAT_FREE_LIST);
    let pop = lw.b.create_block();
    let call = lw.cold_block();
    let done = lw.b.create_block();
    let result = lw.b.append_block_param(done, lw.ptr);
    lw.b.ins().brif(head, pop, &[], call, &[]);
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
        Kind::Float | Kind::FloatInt | Kind::IntFloat | Kind::Numbers => {
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
