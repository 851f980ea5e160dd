//! Calls of builtin functions and method descriptors from compiled code,
//! as CPython 3.11's specialised PRECALL instructions make them: where the
//! interpreter specialised a call site's PRECALL for a C function taking one
//! argument (`METH_O`), an argument array (`METH_FASTCALL`) or none
//! (`METH_NOARGS`), generated code checks the same guards and calls the C
//! function itself, without vectorcall and the runtime's call path; `len`
//! and `isinstance`, which the interpreter calls by identity, are worked out
//! inline for the common types. Any other callable, and a call at the
//! recursion limit, takes `pyjit_call`.

use super::Lowering;
use crate::abi::{self, op};
use crate::codegen::ops::suspend;
use crate::config::Optimization;
use crate::helpers::frames::CALL_DECLINED;
use crate::helpers::suspend::RESUME_VIA_CPYTHON;
use crate::profile::Observed;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, Block, BlockArg, InstBuilder, Value};
use pyo3::ffi;

/// The calls a specialised PRECALL makes itself.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum BuiltinCall {
    /// A C function called by its `ml_flags`.
    CFunction(CFunction),
    /// `len(o)`, `PRECALL_NO_KW_LEN`, and `isinstance(o, cls)`,
    /// `PRECALL_NO_KW_ISINSTANCE`: the callable must be the interpreter's
    /// cached builtin (`callable_cache`), and no recursion level is counted.
    Len,
    IsInstance,
    /// `type(o)`, `str(o)` and `tuple(o)`, `PRECALL_NO_KW_TYPE_1`,
    /// `..._STR_1` and `..._TUPLE_1`: the callable must be that type.
    Type1,
    Str1,
    Tuple1,
    /// A class with a vectorcall slot (`range`, `list`, `int`, ...),
    /// `PRECALL_BUILTIN_CLASS`: the slot is called, keywords included.
    Class,
}

/// The C functions a specialised PRECALL calls by their `ml_flags`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum CFunction {
    /// A builtin function (or a builtin bound method) of one argument,
    /// `PRECALL_NO_KW_BUILTIN_O`: `f(self, arg)`, counting a recursion level.
    FunctionO,
    /// A builtin function taking an argument array, `PRECALL_NO_KW_BUILTIN_FAST`.
    FunctionFast,
    /// A method descriptor called through LOAD_METHOD without arguments
    /// (`PRECALL_NO_KW_METHOD_DESCRIPTOR_NOARGS`), with one
    /// (`..._DESCRIPTOR_O`, `PRECALL_NO_KW_LIST_APPEND`), or with an array
    /// (`..._DESCRIPTOR_FAST`).
    DescriptorNoArgs,
    DescriptorO,
    DescriptorFast,
    /// A builtin function or method descriptor taking an argument array
    /// and keyword names (`PRECALL_BUILTIN_FAST_WITH_KEYWORDS`,
    /// `PRECALL_METHOD_DESCRIPTOR_FAST_WITH_KEYWORDS`): most functions
    /// Argument Clinic generates, `re.Pattern.search` or `str.split` say.
    FunctionFastWithKeywords,
    DescriptorFastWithKeywords,
}

impl CFunction {
    /// The `ml_flags` the callable must have (all of them, as the
    /// interpreter's guards compare them).
    fn flags(self) -> i32 {
        match self {
            CFunction::FunctionO | CFunction::DescriptorO => ffi::METH_O,
            CFunction::FunctionFast | CFunction::DescriptorFast => ffi::METH_FASTCALL,
            CFunction::DescriptorNoArgs => ffi::METH_NOARGS,
            CFunction::FunctionFastWithKeywords | CFunction::DescriptorFastWithKeywords => {
                ffi::METH_FASTCALL | ffi::METH_KEYWORDS
            }
        }
    }

    fn is_descriptor(self) -> bool {
        matches!(
            self,
            CFunction::DescriptorNoArgs
                | CFunction::DescriptorO
                | CFunction::DescriptorFast
                | CFunction::DescriptorFastWithKeywords
        )
    }

    /// Whether the call counts a recursion level (the interpreter's
    /// `_Py_EnterRecursiveCallTstate` around the C call).
    fn checks_recursion(self) -> bool {
        matches!(self, CFunction::FunctionO | CFunction::DescriptorO | CFunction::DescriptorNoArgs)
    }
}

impl Lowering<'_> {
    /// The builtin call the interpreter specialised the current CALL's
    /// PRECALL for, with `nargs` arguments (keyword names in the constant
    /// `kwnames`), if any.
    pub fn builtin_call(&mut self, nargs: u32, kwnames: Option<u32>) -> Option<BuiltinCall> {
        let precall = self.ins.index.checked_sub(abi::PRECALL_TO_CALL)?;
        let (specialized, by_name) = match self.profile.at(precall) {
            Observed::Specialized(opcode) if self.enabled.contains(Optimization::ProfileGuided) => (opcode, false),
            Observed::Nothing if kwnames.is_none() && self.enabled.contains(Optimization::BuiltinCallsByName) => {
                (self.precall_by_name(nargs)?, true)
            }
            _ => return None,
        };
        let kind = match specialized {
            op::PRECALL_BUILTIN_FAST_WITH_KEYWORDS => {
                BuiltinCall::CFunction(CFunction::FunctionFastWithKeywords)
            }
            op::PRECALL_METHOD_DESCRIPTOR_FAST_WITH_KEYWORDS => {
                BuiltinCall::CFunction(CFunction::DescriptorFastWithKeywords)
            }
            op::PRECALL_BUILTIN_CLASS => BuiltinCall::Class,
            _ if kwnames.is_some() => return None,
            op::PRECALL_NO_KW_BUILTIN_O if nargs == 1 => BuiltinCall::CFunction(CFunction::FunctionO),
            op::PRECALL_NO_KW_BUILTIN_FAST => BuiltinCall::CFunction(CFunction::FunctionFast),
            op::PRECALL_NO_KW_METHOD_DESCRIPTOR_NOARGS if nargs == 0 => {
                BuiltinCall::CFunction(CFunction::DescriptorNoArgs)
            }
            op::PRECALL_NO_KW_METHOD_DESCRIPTOR_O | op::PRECALL_NO_KW_LIST_APPEND
                if nargs == 1 =>
            {
                BuiltinCall::CFunction(CFunction::DescriptorO)
            }
            op::PRECALL_NO_KW_METHOD_DESCRIPTOR_FAST => BuiltinCall::CFunction(CFunction::DescriptorFast),
            op::PRECALL_NO_KW_LEN if nargs == 1 => BuiltinCall::Len,
            op::PRECALL_NO_KW_ISINSTANCE if nargs == 2 => BuiltinCall::IsInstance,
            op::PRECALL_NO_KW_TYPE_1 if nargs == 1 => BuiltinCall::Type1,
            op::PRECALL_NO_KW_STR_1 if nargs == 1 => BuiltinCall::Str1,
            op::PRECALL_NO_KW_TUPLE_1 if nargs == 1 => BuiltinCall::Tuple1,
            _ => return None,
        };
        (self.apply(Optimization::DirectBuiltinCalls) && (!by_name || self.apply(Optimization::BuiltinCallsByName)))
            .then_some(kind)
    }

    /// For a CALL of `nargs` arguments that nothing profiled: the
    /// specialised PRECALL the interpreter makes of it when its callable is
    /// the builtin its name says — a callable `LOAD_GLOBAL` pushed (with the
    /// NULL below it) by a name `bytecode::code_info` found naming one of the
    /// builtins the interpreter calls by identity. The lowered call compares
    /// the callable with that builtin, so a name bound to something else
    /// costs a comparison and takes the generic path.
    fn precall_by_name(&self, nargs: u32) -> Option<u8> {
        let (producer, 0) = self.analysis.producer(&self.info.instrs, self.position, nargs)? else { return None };
        let load = self.info.instrs[producer];
        (load.opcode == op::LOAD_GLOBAL && load.arg & 1 == 1).then(|| self.info.builtin_precall(load.arg >> 1))?
    }

    /// A CALL of `kind` whose window is `[NULL or method, callable or self,
    /// args…]` at `slots`, with an argument for each item of `borrowed`,
    /// which says whether it is borrowed (a local's or a constant's, which
    /// the fast path passes as it is): when the callable passes the guards
    /// of the interpreter's specialised PRECALL, its C function is called
    /// here, with the frame's position at the PRECALL (where CPython makes
    /// the call, and reports its errors); otherwise, and at the recursion
    /// limit, through `generic`, which gets the window untouched, every item
    /// owned. Consumes the window; returns the result (NULL on error).
    pub fn call_builtin(
        &mut self,
        slots: Value,
        borrowed: &[bool],
        kind: BuiltinCall,
        kwnames: Option<u32>,
        generic: impl FnOnce(&mut Self) -> Value,
    ) -> Value {
        let nargs = borrowed.len() as u32;
        let kind = match kind {
            BuiltinCall::CFunction(function) => function,
            by_callable => return self.call_by_callable(slots, borrowed, by_callable, kwnames, generic),
        };
        // The builtin the site was seen (or, by its name, expected) to call:
        // the generic call is the unexpected case.
        let other = self.cold_block();
        let done = self.b.create_block();
        self.b.append_block_param(done, self.ptr);
        let method = self.load(slots, 0);
        let callable = self.load(slots, 8);
        // Builtin functions come with a NULL below them, method descriptors
        // from LOAD_METHOD with their `self`.
        let (descriptor, type_symbol, def_offset) = if kind.is_descriptor() {
            let loaded = self.b.ins().icmp_imm_s(IntCC::NotEqual, method, 0);
            self.guard(loaded, other);
            (method, "PyMethodDescr_Type", abi::METHOD_DESCR_METHOD_DEF)
        } else {
            let not_method = self.b.ins().icmp_imm_s(IntCC::Equal, method, 0);
            self.guard(not_method, other);
            (callable, "PyCFunction_Type", abi::CFUNCTION_METHOD_DEF)
        };
        let ty = self.load(descriptor, abi::OBJECT_TYPE);
        let expected = self.data_address(type_symbol);
        let exact = self.b.ins().icmp(IntCC::Equal, ty, expected);
        self.guard(exact, other);
        let def = self.load(descriptor, def_offset);
        let flags = self.load_i32(def, abi::METHOD_DEF_FLAGS);
        let same_flags = self.b.ins().icmp_imm_s(IntCC::Equal, flags, i64::from(kind.flags()));
        self.guard(same_flags, other);
        let receiver = if kind.is_descriptor() {
            // The descriptor's own type's methods only: `self` is the callable slot.
            let owner = self.load(descriptor, abi::DESCR_TYPE);
            let self_type = self.load(callable, abi::OBJECT_TYPE);
            let own = self.b.ins().icmp(IntCC::Equal, self_type, owner);
            self.guard(own, other);
            callable
        } else {
            self.load(callable, abi::CFUNCTION_SELF)
        };
        if kind.checks_recursion() {
            let remaining = self.guard_below_recursion_limit(other);
            let entered = self.b.ins().iadd_imm_s(remaining, -1);
            let tstate = self.tstate;
            self.b.ins().store(super::flags(), entered, tstate, abi::TSTATE_RECURSION_REMAINING as i32);
        }
        let function = self.load(def, abi::METHOD_DEF_FUNCTION);
        // Arguments after `self` (descriptors) or after the callable.
        let first_argument = self.b.ins().iadd_imm_s(slots, 16);
        let calls_see_position = self.position_at_precall();
        let count = self.iconst(i64::from(nargs));
        let call = |lw: &mut Self| match kind {
            CFunction::FunctionO | CFunction::DescriptorO => {
                let argument = lw.load(first_argument, 0);
                lw.call_address(function, &[receiver, argument])
            }
            CFunction::DescriptorNoArgs => {
                let null = lw.iconst(0);
                lw.call_address(function, &[receiver, null])
            }
            CFunction::FunctionFast | CFunction::DescriptorFast => {
                lw.call_address(function, &[receiver, first_argument, count])
            }
            CFunction::FunctionFastWithKeywords | CFunction::DescriptorFastWithKeywords => {
                let (positional, names) = lw.positional_and_names(count, kwnames);
                lw.call_address(function, &[receiver, first_argument, positional, names])
            }
        };
        // `any`, `all`, `sum` and `str.join` are among these.
        let consumes = matches!(kind, CFunction::FunctionO | CFunction::DescriptorO | CFunction::FunctionFastWithKeywords);
        let result = if consumes && nargs == 1 && kwnames.is_none() {
            let argument = self.load(first_argument, 0);
            let consume = |lw: &mut Self, how| {
                let tstate = lw.tstate;
                lw.call("pyjit_consume_generator", &[tstate, function, receiver, argument, how])
            };
            self.unless_generator_consumed(argument, consume, true, call)
        } else {
            call(self)
        };
        if kind.checks_recursion() {
            self.move_recursion_budget(1);
        }
        // The interpreter releases `self` (descriptors), the arguments, then
        // the callable. Finalizers the releases run see the PRECALL too.
        if kind.is_descriptor() {
            let receiver = self.load(slots, 8);
            self.decref_at_stored_position(receiver);
        }
        self.release_arguments(slots, borrowed);
        self.decref_at_stored_position(descriptor);
        self.calls_see_position = calls_see_position;
        self.prev_instr_stored = None;
        self.join_with_generic(result, other, done, slots, borrowed, generic)
    }

    /// Sets the frame's position to the call site's PRECALL, where CPython
    /// makes the calls this module makes and reports their errors, and stops
    /// runtime calls from moving it; returns the setting to restore.
    fn position_at_precall(&mut self) -> bool {
        let frame = self.frame;
        let precall = self.code_unit(i64::from(self.ins.index - abi::PRECALL_TO_CALL));
        self.store(precall, frame, abi::FRAME_PREV_INSTR);
        std::mem::replace(&mut self.calls_see_position, false)
    }

    /// The positional-argument count of `count` arguments whose last ones
    /// are named by the constant `kwnames`, and the names (NULL without).
    fn positional_and_names(&mut self, count: Value, kwnames: Option<u32>) -> (Value, Value) {
        match kwnames {
            Some(index) => {
                let names = self.constant(index);
                let keywords = self.load(names, abi::VAROBJECT_SIZE);
                (self.b.ins().isub(count, keywords), names)
            }
            None => (count, self.iconst(0)),
        }
    }

    /// `call_builtin` for the calls the interpreter guards by the callable
    /// itself: the builtins it recognises by identity (`len`, `isinstance`,
    /// `type`, `str`, `tuple`) and classes with a vectorcall slot, called
    /// without a `self` below the callable: the window is `[NULL, callable,
    /// args…]`.
    fn call_by_callable(
        &mut self,
        slots: Value,
        borrowed: &[bool],
        kind: BuiltinCall,
        kwnames: Option<u32>,
        generic: impl FnOnce(&mut Self) -> Value,
    ) -> Value {
        // The builtin the site was seen (or, by its name, expected) to call:
        // the generic call is the unexpected case.
        let other = self.cold_block();
        let done = self.b.create_block();
        self.b.append_block_param(done, self.ptr);
        let method = self.load(slots, 0);
        let not_method = self.b.ins().icmp_imm_s(IntCC::Equal, method, 0);
        self.guard(not_method, other);
        let callable = self.load(slots, 8);
        let expected = match kind {
            BuiltinCall::Len | BuiltinCall::IsInstance => {
                let interp = self.load(self.tstate, abi::TSTATE_INTERP);
                let slot = if kind == BuiltinCall::Len { abi::INTERP_CACHED_LEN } else { abi::INTERP_CACHED_ISINSTANCE };
                Some(self.load(interp, slot))
            }
            BuiltinCall::Type1 => Some(self.data_address("PyType_Type")),
            BuiltinCall::Str1 => Some(self.data_address("PyUnicode_Type")),
            BuiltinCall::Tuple1 => Some(self.data_address("PyTuple_Type")),
            BuiltinCall::Class => None,
            BuiltinCall::CFunction(_) => unreachable!("called by its flags"),
        };
        if let Some(expected) = expected {
            let same = self.b.ins().icmp(IntCC::Equal, callable, expected);
            self.guard(same, other);
        }
        // A site nothing profiled (`precall_by_name`) is specialised by the
        // interpreter only once the code is warm; before, its CALL makes the
        // call (counting a recursion level, at the CALL's position), as the
        // generic path does.
        if self.profile.at(self.ins.index - abi::PRECALL_TO_CALL) == Observed::Nothing {
            let warm = self.warmed_up();
            self.guard(warm, other);
        }
        // Any class whose vectorcall slot is set.
        let nargs = borrowed.len() as u32;
        let vectorcall = (kind == BuiltinCall::Class).then(|| {
            let metatype = self.load(callable, abi::OBJECT_TYPE);
            let flags = self.load(metatype, abi::TYPE_FLAGS);
            let is_type = self.b.ins().band_imm_s(flags, ffi::Py_TPFLAGS_TYPE_SUBCLASS as i64);
            self.guard(is_type, other);
            let vectorcall = self.load(callable, abi::TYPE_VECTORCALL);
            self.guard(vectorcall, other);
            vectorcall
        });
        let calls_see_position = self.position_at_precall();
        let arguments = self.b.ins().iadd_imm_s(slots, 16);
        let result = if let Some(vectorcall) = vectorcall {
            let count = self.iconst(i64::from(nargs));
            let (positional, names) = self.positional_and_names(count, kwnames);
            if nargs == 1 && kwnames.is_none() {
                let first = self.load(arguments, 0);
                let consume = |lw: &mut Self, how| {
                    let tstate = lw.tstate;
                    lw.call("pyjit_construct_from_generator", &[tstate, callable, first, how])
                };
                let call = |lw: &mut Self| lw.call_address(vectorcall, &[callable, arguments, positional, names]);
                self.unless_generator_consumed(first, consume, false, call)
            } else {
                self.call_address(vectorcall, &[callable, arguments, positional, names])
            }
        } else {
            let first = self.load(arguments, 0);
            match kind {
                BuiltinCall::Len => self.length_object(first),
                BuiltinCall::IsInstance => {
                    let cls = self.load(arguments, 8);
                    self.isinstance_object(first, cls)
                }
                BuiltinCall::Type1 => {
                    let ty = self.load(first, abi::OBJECT_TYPE);
                    self.incref(ty);
                    ty
                }
                BuiltinCall::Str1 => self.call("PyObject_Str", &[first]),
                BuiltinCall::Tuple1 => match suspend::resume_how(self) {
                    RESUME_VIA_CPYTHON => self.call("PySequence_Tuple", &[first]),
                    how => {
                        let (tstate, how) = (self.tstate, self.iconst(how as i64));
                        self.call("pyjit_tuple_of", &[tstate, first, how])
                    }
                },
                _ => unreachable!("a call guarded by the callable's identity"),
            }
        };
        // The interpreter releases the arguments, then the callable.
        self.release_arguments(slots, borrowed);
        self.decref_at_stored_position(callable);
        self.calls_see_position = calls_see_position;
        self.prev_instr_stored = None;
        self.join_with_generic(result, other, done, slots, borrowed, generic)
    }

    /// The call `consume` makes of `argument`, a call's one argument, when
    /// it is an exact generator and compiled generators are resumed
    /// directly (`direct-resume`: `consume` gets `suspend::resume_how`) and,
    /// where `consume` may decline (`declines`), it did not return
    /// `frames::CALL_DECLINED`; otherwise the call `call` makes.
    fn unless_generator_consumed(
        &mut self,
        argument: Value,
        consume: impl FnOnce(&mut Self, Value) -> Value,
        declines: bool,
        call: impl FnOnce(&mut Self) -> Value,
    ) -> Value {
        let how = suspend::resume_how(self);
        if how == RESUME_VIA_CPYTHON {
            return call(self);
        }
        let (generator, other, done) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
        let result = self.b.append_block_param(done, self.ptr);
        let ty = self.load(argument, abi::OBJECT_TYPE);
        let generator_type = self.data_address("PyGen_Type");
        let is_generator = self.b.ins().icmp(IntCC::Equal, ty, generator_type);
        self.b.ins().brif(is_generator, generator, &[], other, &[]);
        self.b.switch_to_block(generator);
        self.b.seal_block(generator);
        let how = self.iconst(how as i64);
        let consumed = consume(self, how);
        if declines {
            let declined = self.b.ins().icmp_imm_u(IntCC::Equal, consumed, CALL_DECLINED as i64);
            self.b.ins().brif(declined, other, &[], done, &[BlockArg::Value(consumed)]);
        } else {
            self.b.ins().jump(done, &[BlockArg::Value(consumed)]);
        }
        self.b.switch_to_block(other);
        self.b.seal_block(other);
        let called = call(self);
        self.b.ins().jump(done, &[BlockArg::Value(called)]);
        self.b.switch_to_block(done);
        self.b.seal_block(done);
        result
    }

    /// `len(object)` as a new int, or NULL with an exception: exact lists
    /// and tuples give their size, exact dicts their `ma_used`, anything
    /// else `PyObject_Size`.
    fn length_object(&mut self, object: Value) -> Value {
        let sized = self.b.create_block();
        let not_sized = self.b.create_block();
        let dict = self.b.create_block();
        let other = self.b.create_block();
        let length = self.b.create_block();
        let result = self.b.create_block();
        self.b.set_cold_block(other);
        self.b.append_block_param(length, self.ptr);
        self.b.append_block_param(result, self.ptr);
        let ty = self.load(object, abi::OBJECT_TYPE);
        let [is_list, is_tuple, is_dict] = ["PyList_Type", "PyTuple_Type", "PyDict_Type"].map(|symbol| {
            let expected = self.data_address(symbol);
            self.b.ins().icmp(IntCC::Equal, ty, expected)
        });
        let is_sized = self.b.ins().bor(is_list, is_tuple);
        self.b.ins().brif(is_sized, sized, &[], not_sized, &[]);
        self.b.switch_to_block(sized);
        self.b.seal_block(sized);
        let size = self.load(object, abi::VAROBJECT_SIZE);
        self.b.ins().jump(length, &[BlockArg::Value(size)]);
        self.b.switch_to_block(not_sized);
        self.b.seal_block(not_sized);
        self.b.ins().brif(is_dict, dict, &[], other, &[]);
        self.b.switch_to_block(dict);
        self.b.seal_block(dict);
        let used = self.load(object, abi::DICT_USED);
        self.b.ins().jump(length, &[BlockArg::Value(used)]);
        self.b.switch_to_block(other);
        self.b.seal_block(other);
        let size = self.call("PyObject_Size", &[object]);
        let failed = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, size, 0);
        let null = self.iconst(0);
        self.b.ins().brif(failed, result, &[BlockArg::Value(null)], length, &[BlockArg::Value(size)]);
        self.b.switch_to_block(length);
        self.b.seal_block(length);
        let size = self.b.block_params(length)[0];
        let int = crate::codegen::ops::numeric::new_int(self, size);
        self.b.ins().jump(result, &[BlockArg::Value(int)]);
        self.b.switch_to_block(result);
        self.b.seal_block(result);
        self.b.block_params(result)[0]
    }

    /// `isinstance(object, cls)` as a new bool, or NULL with an exception:
    /// true at once when `object`'s type is `cls` (`PyObject_IsInstance`'s
    /// own first test), else `PyObject_IsInstance`.
    fn isinstance_object(&mut self, object: Value, cls: Value) -> Value {
        let other = self.b.create_block();
        let answer = self.b.create_block();
        let result = self.b.create_block();
        self.b.set_cold_block(other);
        self.b.append_block_param(answer, types::I32);
        self.b.append_block_param(result, self.ptr);
        let ty = self.load(object, abi::OBJECT_TYPE);
        let exact = self.b.ins().icmp(IntCC::Equal, ty, cls);
        let yes = self.b.ins().iconst(types::I32, 1);
        self.b.ins().brif(exact, answer, &[BlockArg::Value(yes)], other, &[]);
        self.b.switch_to_block(other);
        self.b.seal_block(other);
        let verdict = self.call_returning("PyObject_IsInstance", &[object, cls], types::I32);
        let failed = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, verdict, 0);
        let null = self.iconst(0);
        self.b.ins().brif(failed, result, &[BlockArg::Value(null)], answer, &[BlockArg::Value(verdict)]);
        self.b.switch_to_block(answer);
        self.b.seal_block(answer);
        let verdict = self.b.block_params(answer)[0];
        let boolean = self.bool_object(verdict);
        self.b.ins().jump(result, &[BlockArg::Value(boolean)]);
        self.b.switch_to_block(result);
        self.b.seal_block(result);
        self.b.block_params(result)[0]
    }

    /// Releases the arguments of the window at `slots` that the call owns
    /// (those `borrowed` does not mark).
    fn release_arguments(&mut self, slots: Value, borrowed: &[bool]) {
        for (index, &borrowed) in borrowed.iter().enumerate() {
            if !borrowed {
                let item = self.load(slots, 8 * (2 + index));
                self.decref_at_stored_position(item);
            }
        }
    }

    /// Ends a call's fast path with `result`, lowers `generic` in `other`
    /// (where the fast path's guards lead) after giving the borrowed
    /// arguments of the window at `slots` references of their own, which it
    /// consumes, and joins both in `done`, whose parameter it returns.
    fn join_with_generic(
        &mut self,
        result: Value,
        other: Block,
        done: Block,
        slots: Value,
        borrowed: &[bool],
        generic: impl FnOnce(&mut Self) -> Value,
    ) -> Value {
        self.b.ins().jump(done, &[BlockArg::Value(result)]);
        self.b.switch_to_block(other);
        for (index, _) in borrowed.iter().enumerate().filter(|(_, &borrowed)| borrowed) {
            let item = self.load(slots, 8 * (2 + index));
            self.incref(item);
        }
        let result = generic(self);
        self.b.ins().jump(done, &[BlockArg::Value(result)]);
        self.b.switch_to_block(done);
        self.b.block_params(done)[0]
    }
}
