//! Instances of plain classes that the caller's code makes itself
//! (`inline-construct`): where CPython 3.11's interpreter kept a call of a
//! global generic (it does for every class that `object.__new__` makes,
//! `SPEC_FAIL_CALL_PYTHON_CLASS`) and the call site last constructed an
//! instance of such a class with a Python `__init__`
//! (`helpers::calls::CallSite::record_constructor`, filled by
//! `pyjit_call_positional`), the CALL does what `type_call` does: one
//! recursion level counted for the call of the class, the instance made by
//! `pyjit_new_instance`, then `__init__` run by its frameless variant
//! (`frameless-calls`: `Lowering::run_frameless`) or in a frame pushed,
//! bound and run in the caller's code (`inline-frame-push`:
//! `Lowering::push_and_run`), its result checked to be None, and the level
//! given back. Before the allocation
//! only the class is checked (the one recorded, its version tag unchanged:
//! so its `__init__` is the recorded function); the allocation can run
//! finalizers that change anything, so every check of the frame push comes
//! after it, and a failed one leaves `__init__` to the runtime
//! (`pyjit_init_instance`), which calls it as `pyjit_call_positional`'s
//! construction does after its allocation.

use super::frame_push::Entering;
use super::Lowering;
use crate::abi::{self, op};
use crate::config::Optimization;
use crate::helpers::calls::{CALL_SITE_CALLEE, CALL_SITE_CLASS, CALL_SITE_CLASS_VERSION, CALL_SITE_TARGET};
use crate::profile::Observed;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{Block, BlockArg, InstBuilder, Value};

impl Lowering<'_> {
    /// Whether the current CALL of `nargs` positional arguments is made by
    /// `construct_python`: the interpreter ran its PRECALL and kept it
    /// generic, and the callable is a global (`LOAD_GLOBAL` pushed it, with
    /// the NULL below it).
    pub fn constructs_python(&mut self, nargs: u32) -> bool {
        let Some(precall) = self.ins.index.checked_sub(abi::PRECALL_TO_CALL) else { return false };
        if !matches!(self.profile.at(precall), Observed::Generic) || !self.enabled.contains(Optimization::ProfileGuided) {
            return false;
        }
        let Some((producer, 0)) = self.analysis.producer(&self.info.instrs, self.position, nargs) else { return false };
        let load = self.info.instrs[producer];
        load.opcode == op::LOAD_GLOBAL && load.arg & 1 == 1 && self.apply(Optimization::InlineConstruct)
    }

    /// CALL of the positional arguments in `window` (`[NULL, class,
    /// args…]`, owned references, all consumed) whose stack items start at
    /// `base`: the instance made here when the class is the one the site
    /// recorded, else the call made by `generic` (which writes the window
    /// to the frame first). NULL if the call raised.
    pub fn construct_python(&mut self, base: usize, window: &[Value], generic: impl FnOnce(&mut Self) -> Value) -> Value {
        let other = self.cold_block();
        let done = self.b.create_block();
        self.b.append_block_param(done, self.ptr);
        let (cls, args) = (window[1], &window[2..]);
        if !self.is_zero_constant(window[0]) {
            let no_method = self.b.ins().icmp_imm_s(IntCC::Equal, window[0], 0);
            self.guard(no_method, other);
        }
        let ty = self.load(cls, abi::OBJECT_TYPE);
        let type_type = self.data_address("PyType_Type");
        let is_class = self.b.ins().icmp(IntCC::Equal, ty, type_type);
        self.guard(is_class, other);
        let site = self.data_entry();
        self.guard_recorded_class(cls, site, other);
        // `_PyObject_MakeTpCall`'s level for the call of the class.
        self.guard_below_recursion_limit(other);
        self.move_recursion_budget(-1);
        let instance = self.call("pyjit_new_instance", &[cls]);
        let made = self.b.create_block();
        let not_made = self.cold_block();
        let by_runtime = self.cold_block();
        let release_args = self.cold_block();
        let released = self.b.append_block_param(release_args, self.ptr);
        let finish = self.b.create_block();
        let result = self.b.append_block_param(finish, self.ptr);
        self.b.ins().brif(instance, made, &[], not_made, &[]);

        // The instance made: `__init__` entered from here while nothing the
        // allocation ran changed what that takes.
        self.b.switch_to_block(made);
        self.b.seal_block(made);
        if self.apply(Optimization::InlineFramePush) {
            self.run_init(instance, cls, args, site, by_runtime, finish);
        } else {
            self.b.ins().jump(by_runtime, &[]);
        }

        self.b.switch_to_block(by_runtime);
        self.b.seal_block(by_runtime);
        self.spill_values(base + 1, &window[1..]);
        let slots = self.stack_address(base + 1);
        let nargs = self.iconst(args.len() as i64);
        let tstate = self.tstate;
        let initialized = self.call("pyjit_init_instance", &[tstate, instance, slots, nargs, site]);
        self.b.ins().jump(release_args, &[BlockArg::Value(initialized)]);
        self.b.switch_to_block(not_made);
        self.b.seal_block(not_made);
        self.b.ins().jump(release_args, &[BlockArg::Value(instance)]);

        // The arguments the frame did not take over.
        self.b.switch_to_block(release_args);
        self.b.seal_block(release_args);
        for &arg in args {
            self.decref(arg);
        }
        self.b.ins().jump(finish, &[BlockArg::Value(released)]);

        self.b.switch_to_block(finish);
        self.b.seal_block(finish);
        self.move_recursion_budget(1);
        self.decref(cls);
        self.prev_instr_stored = None;
        self.b.ins().jump(done, &[BlockArg::Value(result)]);
        self.join_generic(other, done, generic)
    }

    /// `__init__` of the class `cls` the call site `site` recorded, run on
    /// the new `instance` with `args` (owned; the frame takes them, or they
    /// are released after a frameless run) by its frameless variant or in a
    /// frame pushed here, its result checked to be None: the instance, or
    /// NULL if `__init__` raised or returned something else, to `finish`.
    /// Goes to `by_runtime` unless that can be done (`guard_enterable`).
    fn run_init(&mut self, instance: Value, cls: Value, args: &[Value], site: Value, by_runtime: Block, finish: Block) {
        self.guard_recorded_class(cls, site, by_runtime);
        let init = self.load(site, CALL_SITE_CALLEE);
        let code = self.load(init, abi::FUNC_CODE);
        let target = self.load(site, CALL_SITE_TARGET);
        let count = self.iconst(args.len() as i64 + 1);
        let callee = self.guard_enterable(init, code, target, count, Entering::Framed, by_runtime);
        let room = self.guard_room(&callee, by_runtime);
        let returns = self.b.ins().icmp_imm_s(IntCC::Equal, callee.makes_generator, 0);
        self.guard(returns, by_runtime);
        let inline_constructs = self.data_address("pyjit_inline_constructs");
        self.add_to_counter(inline_constructs, 0);
        let params: Vec<Value> = std::iter::once(instance).chain(args.iter().copied()).collect();
        let called = self.b.create_block();
        let returned = self.b.append_block_param(called, self.ptr);
        let framed = self.b.create_block();
        if self.apply(Optimization::FramelessCalls) {
            // A plain `__init__` (stores of its arguments) runs without a
            // frame; the arguments are released as its frame would.
            let variant = self.guard_frameless(&callee, params.len(), framed);
            let result = self.run_frameless(&callee, variant, &params, framed, false);
            for &arg in args {
                self.decref(arg);
            }
            self.b.ins().jump(called, &[BlockArg::Value(result)]);
        } else {
            self.b.ins().jump(framed, &[]);
        }
        self.b.switch_to_block(framed);
        self.b.seal_block(framed);
        // The frame takes a reference to `__init__` and one to `self`.
        self.incref(init);
        self.incref(instance);
        let result = self.push_and_run(&callee, &room, &params);
        self.b.ins().jump(called, &[BlockArg::Value(result)]);
        self.b.switch_to_block(called);
        self.b.seal_block(called);
        let none = self.data_address("_Py_NoneStruct");
        let is_none = self.b.ins().icmp(IntCC::Equal, returned, none);
        let returned_none = self.b.create_block();
        let not_none = self.cold_block();
        self.b.ins().brif(is_none, returned_none, &[], not_none, &[]);
        self.b.switch_to_block(returned_none);
        self.b.seal_block(returned_none);
        self.decref(returned);
        self.b.ins().jump(finish, &[BlockArg::Value(instance)]);
        // `slot_tp_init`'s error for a result other than None, or the error
        // `__init__` raised.
        self.b.switch_to_block(not_none);
        self.b.seal_block(not_none);
        let checked = self.call("pyjit_init_result", &[instance, returned]);
        self.b.ins().jump(finish, &[BlockArg::Value(checked)]);
    }

    /// Goes to `other` unless the class `cls` is the one the call site
    /// `site` recorded and its version tag is unchanged since (so its
    /// `__init__` is the recorded function, which the class keeps alive).
    fn guard_recorded_class(&mut self, cls: Value, site: Value, other: Block) {
        let recorded = self.load(site, CALL_SITE_CLASS);
        let same_class = self.b.ins().icmp(IntCC::Equal, recorded, cls);
        let version = self.load_u32(cls, abi::TYPE_VERSION_TAG);
        let recorded_version = self.load(site, CALL_SITE_CLASS_VERSION);
        let same_version = self.b.ins().icmp(IntCC::Equal, version, recorded_version);
        let unchanged = self.b.ins().band(same_class, same_version);
        self.guard(unchanged, other);
    }
}
