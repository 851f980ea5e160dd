//! Calls of builtin functions and method descriptors from compiled code,
//! as CPython 3.11's specialised PRECALL instructions make them: where the
//! interpreter specialised a call site's PRECALL for a C function taking one
//! argument (`METH_O`), an argument array (`METH_FASTCALL`) or none
//! (`METH_NOARGS`), generated code checks the same guards and calls the C
//! function itself, without vectorcall and the runtime's call path. Any
//! other callable, and a call at the recursion limit, takes `pyjit_call`.

use super::Lowering;
use crate::abi::{self, op};
use crate::config::Optimization;
use crate::profile::Observed;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{InstBuilder, Value};
use pyo3::ffi;

/// The C functions a specialised PRECALL calls itself.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum BuiltinCall {
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
}

impl BuiltinCall {
    /// The `ml_flags` the callable must have (all of them, as the
    /// interpreter's guards compare them).
    fn flags(self) -> i32 {
        match self {
            BuiltinCall::FunctionO | BuiltinCall::DescriptorO => ffi::METH_O,
            BuiltinCall::FunctionFast | BuiltinCall::DescriptorFast => ffi::METH_FASTCALL,
            BuiltinCall::DescriptorNoArgs => ffi::METH_NOARGS,
        }
    }

    fn is_descriptor(self) -> bool {
        matches!(self, BuiltinCall::DescriptorNoArgs | BuiltinCall::DescriptorO | BuiltinCall::DescriptorFast)
    }

    /// Whether the call counts a recursion level (the interpreter's
    /// `_Py_EnterRecursiveCallTstate` around the C call).
    fn checks_recursion(self) -> bool {
        matches!(self, BuiltinCall::FunctionO | BuiltinCall::DescriptorO | BuiltinCall::DescriptorNoArgs)
    }
}

impl Lowering<'_> {
    /// The builtin call the interpreter specialised the current CALL's
    /// PRECALL for, with `nargs` arguments and no keywords, if any.
    pub fn builtin_call(&mut self, nargs: u32, keywords: bool) -> Option<BuiltinCall> {
        if keywords || !self.enabled.contains(Optimization::ProfileGuided) {
            return None;
        }
        let kind = match self.profile.at(self.ins.index.checked_sub(abi::PRECALL_TO_CALL)?) {
            Observed::Specialized(op::PRECALL_NO_KW_BUILTIN_O) if nargs == 1 => BuiltinCall::FunctionO,
            Observed::Specialized(op::PRECALL_NO_KW_BUILTIN_FAST) => BuiltinCall::FunctionFast,
            Observed::Specialized(op::PRECALL_NO_KW_METHOD_DESCRIPTOR_NOARGS) if nargs == 0 => {
                BuiltinCall::DescriptorNoArgs
            }
            Observed::Specialized(op::PRECALL_NO_KW_METHOD_DESCRIPTOR_O | op::PRECALL_NO_KW_LIST_APPEND)
                if nargs == 1 =>
            {
                BuiltinCall::DescriptorO
            }
            Observed::Specialized(op::PRECALL_NO_KW_METHOD_DESCRIPTOR_FAST) => BuiltinCall::DescriptorFast,
            _ => return None,
        };
        self.apply(Optimization::DirectBuiltinCalls).then_some(kind)
    }

    /// A CALL of `kind` whose window is `[NULL or method, callable or self,
    /// args…]` at `slots`, with `nargs` arguments: when the callable passes
    /// the guards of the interpreter's specialised PRECALL, its C function
    /// is called here, with the frame's position at the PRECALL (where
    /// CPython makes the call, and reports its errors); otherwise, and at
    /// the recursion limit, through `generic`, which gets the window
    /// untouched. Consumes the window; returns the result (NULL on error).
    pub fn call_builtin(
        &mut self,
        slots: Value,
        nargs: u32,
        kind: BuiltinCall,
        generic: impl FnOnce(&mut Self) -> Value,
    ) -> Value {
        let other = self.b.create_block();
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
        let remaining = if kind.checks_recursion() {
            let remaining = self.load_i32(self.tstate, abi::TSTATE_RECURSION_REMAINING);
            let below_limit = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, remaining, 0);
            self.guard(below_limit, other);
            let entered = self.b.ins().iadd_imm_s(remaining, -1);
            let tstate = self.tstate;
            self.b.ins().store(super::flags(), entered, tstate, abi::TSTATE_RECURSION_REMAINING as i32);
            Some(remaining)
        } else {
            None
        };
        let function = self.load(def, abi::METHOD_DEF_FUNCTION);
        // Arguments after `self` (descriptors) or after the callable.
        let first_argument = self.b.ins().iadd_imm_s(slots, 16);
        let frame = self.frame;
        let precall = self.b.ins().iadd_imm_s(self.code_units, 2 * i64::from(self.ins.index - abi::PRECALL_TO_CALL));
        self.store(precall, frame, abi::FRAME_PREV_INSTR);
        let calls_see_position = std::mem::replace(&mut self.calls_see_position, false);
        let count = self.iconst(i64::from(nargs));
        let result = match kind {
            BuiltinCall::FunctionO | BuiltinCall::DescriptorO => {
                let argument = self.load(first_argument, 0);
                self.call_address(function, &[receiver, argument])
            }
            BuiltinCall::DescriptorNoArgs => {
                let null = self.iconst(0);
                self.call_address(function, &[receiver, null])
            }
            BuiltinCall::FunctionFast | BuiltinCall::DescriptorFast => {
                self.call_address(function, &[receiver, first_argument, count])
            }
        };
        if let Some(remaining) = remaining {
            let tstate = self.tstate;
            self.b.ins().store(super::flags(), remaining, tstate, abi::TSTATE_RECURSION_REMAINING as i32);
        }
        // The interpreter releases `self` (descriptors), the arguments, then
        // the callable.
        let first_released = if kind.is_descriptor() { 1 } else { 2 };
        // Finalizers the releases run see the PRECALL too.
        for slot in first_released..2 + nargs as usize {
            let item = self.load(slots, 8 * slot);
            self.decref_at_stored_position(item);
        }
        self.decref_at_stored_position(descriptor);
        self.calls_see_position = calls_see_position;
        self.prev_instr_stored = None;
        self.join_with_generic(result, other, done, generic)
    }
}
