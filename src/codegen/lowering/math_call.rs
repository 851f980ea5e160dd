//! Calls of the math module's functions that compiled code computes itself
//! (`math-functions`): where the interpreter specialised a call's PRECALL
//! for a builtin of one argument and the callable comes from a global or a
//! module attribute named as one of `MathFunction`'s, the CALL checks that
//! the callable is that builtin (its C function is the math module's,
//! `helpers::math`) and computes the function on the argument's value,
//! unboxed when an operator computed it, with a Cranelift instruction or
//! the C library function the builtin calls. A finite result from a finite
//! argument is what the builtin returns, and it raises nothing then; any
//! other argument or result, and any other callable, takes the call.

use super::{Held, Lowering};
use crate::abi::{self, op};
use crate::bytecode::MathFunction;
use crate::codegen::ops::numeric;
use crate::config::Optimization;
use crate::profile::Observed;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, InstBuilder, Value};

impl Lowering<'_> {
    /// The math function the current CALL (of `nargs` arguments, keyword
    /// names `kwnames`) computes: one argument, a PRECALL the interpreter
    /// specialised for a builtin taking one (`PRECALL_NO_KW_BUILTIN_O`), and
    /// a callable pushed by LOAD_GLOBAL, LOAD_ATTR (`math.sqrt(x)`) or
    /// LOAD_METHOD of a name `MathFunction` knows.
    pub fn math_call(&mut self, nargs: u32, kwnames: Option<u32>) -> Option<MathFunction> {
        if nargs != 1 || kwnames.is_some() || !self.enabled.contains(Optimization::ProfileGuided) {
            return None;
        }
        let precall = self.ins.index.checked_sub(abi::PRECALL_TO_CALL)?;
        if self.profile.at(precall) != Observed::Specialized(op::PRECALL_NO_KW_BUILTIN_O) {
            return None;
        }
        let (producer, 0) = self.analysis.producer(&self.info.instrs, self.position, nargs)? else { return None };
        let load = self.info.instrs[producer];
        let name = match load.opcode {
            op::LOAD_GLOBAL if load.arg & 1 == 1 => load.arg >> 1,
            op::LOAD_ATTR | op::LOAD_METHOD => load.arg,
            _ => return None,
        };
        let function = self.info.math_function(name)?;
        self.apply(Optimization::MathFunctions).then_some(function)
    }

    /// CALL of `function` by the window `[NULL, callable, argument]` on top
    /// of the stack, its items as they were pushed (the items below owned,
    /// numbers possibly unboxed): computes the function when the callable
    /// is its builtin, the argument an exact float or small int (or such a
    /// number unboxed) and argument and result finite; otherwise calls
    /// `generic` with the whole stack owned and boxed, which consumes the
    /// window and returns the call's result (having raised on NULL).
    /// Returns the result as `push_number` takes it: the call's object, or
    /// NULL and the computed float.
    pub fn call_math(&mut self, function: MathFunction, generic: impl FnOnce(&mut Self) -> Value) -> (Value, Value) {
        let call = self.cold_block();
        let done = self.b.create_block();
        let object = self.b.append_block_param(done, self.ptr);
        let number = self.b.append_block_param(done, types::F64);
        let window = self.depth - 3..self.depth;
        let pushed: Vec<Held> = self.held[window.clone()].to_vec();

        let null = self.peek(3);
        if !self.is_zero_constant(null) {
            let no_method = self.b.ins().icmp_imm_s(IntCC::Equal, null, 0);
            self.guard(no_method, call);
        }
        let callable = self.peek(2);
        let ty = self.load(callable, abi::OBJECT_TYPE);
        let builtin_type = self.data_address("PyCFunction_Type");
        let is_builtin = self.b.ins().icmp(IntCC::Equal, ty, builtin_type);
        self.guard(is_builtin, call);
        let def = self.load(callable, abi::CFUNCTION_METHOD_DEF);
        let c_function = self.load(def, abi::METHOD_DEF_FUNCTION);
        let functions = self.data_address("pyjit_math_functions");
        let expected = self.load(functions, 8 * function.index());
        let same = self.b.ins().icmp(IntCC::Equal, c_function, expected);
        self.guard(same, call);
        // The interpreter's PRECALL counts a level for the C call, and at the
        // limit raises RecursionError instead.
        self.guard_below_recursion_limit(call);

        let argument = self.pop_number();
        let x = numeric::float_value(self, argument, call);
        let result = match function {
            MathFunction::Sqrt => self.b.ins().sqrt(x),
            MathFunction::Fabs => self.b.ins().fabs(x),
            other => {
                let symbol = other.name().to_str().expect("math function names are ASCII");
                self.call_returning(symbol, &[x], types::F64)
            }
        };
        let infinity = self.b.ins().f64const(f64::INFINITY);
        let x_size = self.b.ins().fabs(x);
        let result_size = self.b.ins().fabs(result);
        let x_finite = self.b.ins().fcmp(FloatCC::LessThan, x_size, infinity);
        let result_finite = self.b.ins().fcmp(FloatCC::LessThan, result_size, infinity);
        let finite = self.b.ins().band(x_finite, result_finite);
        self.guard(finite, call);
        self.release(argument);
        let callable = self.pop_operand();
        self.release(callable);
        // The NULL below the callable: nothing to release.
        self.depth -= 1;
        self.held[self.depth] = Held::Owned;
        let no_object = self.iconst(0);
        self.b.ins().jump(done, &[no_object.into(), result.into()]);

        self.b.switch_to_block(call);
        self.b.seal_block(call);
        self.depth = window.end;
        self.held[window].copy_from_slice(&pushed);
        self.own_stack();
        let called = generic(self);
        let no_number = self.b.ins().f64const(0.0);
        self.b.ins().jump(done, &[called.into(), no_number.into()]);
        self.b.switch_to_block(done);
        self.b.seal_block(done);
        (object, number)
    }
}
