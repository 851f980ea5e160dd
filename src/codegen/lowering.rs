//! The lowering driver: walks the instructions in order, keeps the Python
//! value stack as Cranelift variables, and offers the small vocabulary the
//! per-opcode lowerings in `ops/` are written in.

mod await_call;
mod builtin_call;
pub use builtin_call::BuiltinCall;
mod construct_call;
mod frame_push;
mod frameless_call;
mod math_call;

use super::ops;
use crate::abi;
use crate::analysis::{position_of, Analysis, Malformed, Shape};
use crate::bytecode::opcodes::Flags;
use crate::bytecode::{self, handler_at, opcodes, CodeInfo, ConstNumber, Handler, Instr, Unsupported};
use crate::config::{Optimization, Optimizations};
use crate::helpers::{exits, symbols};
use crate::profile::{Observed, Profile};
use crate::stats::{elapsed_ns, CompilePhases};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    types, AbiParam, Block, BlockArg, FuncRef, GlobalValue, InstBuilder, InstructionData, MemFlagsData, Opcode,
    Signature, SourceLoc, StackSlot, StackSlotData, StackSlotKind, Type, UserFuncName, Value, ValueDef,
};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Switch, Variable};
use cranelift_module::{FuncId, Linkage, Module};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

/// Why `compile_function` produced no code.
#[derive(Debug)]
pub enum CodegenError {
    /// The lowering does not handle this code: it is left to the interpreter.
    Unsupported(Unsupported),
    /// Cranelift rejected what the lowering produced: a pyjit bug.
    Cranelift(String),
}

impl From<Unsupported> for CodegenError {
    fn from(e: Unsupported) -> Self {
        CodegenError::Unsupported(e)
    }
}

/// A loop header where a frame that started in the interpreter can continue
/// in compiled code (on-stack replacement): the interpreter, having taken
/// the backward jump at code unit `backedge`, is about to run the
/// instruction starting at `header` with `depth` items on its value stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OsrEntry {
    pub backedge: u32,
    pub header: u32,
    pub depth: u32,
    /// Local slots the compiled code takes as bound from the header on
    /// (it reads them without the unbound-local check).
    pub bound_locals: Vec<u32>,
}

/// What `compile_function` produced.
pub struct Compiled {
    pub id: FuncId,
    /// Size of the machine code in bytes.
    pub size: usize,
    pub osr_entries: Vec<OsrEntry>,
    /// The optimizations the code uses.
    pub optimizations: Optimizations,
    /// The frameless variant (`Variant::Frameless`), named `symbol` plus
    /// `FRAMELESS_SUFFIX`, and its size, for code with `CodeInfo::frameless`
    /// and `frameless-calls` on.
    pub frameless: Option<(FuncId, usize)>,
}

/// What a frameless variant's symbol adds to its framed function's.
pub const FRAMELESS_SUFFIX: &str = ".frameless";

/// Cranelift's per-function contexts, reused from one compile to the next on
/// each thread: they own the register allocator's and the IR's buffers, whose
/// allocation is a large share of compiling a small function.
struct Contexts {
    codegen: Context,
    builder: FunctionBuilderContext,
}

impl Contexts {
    fn new() -> Self {
        Contexts { codegen: Context::new(), builder: FunctionBuilderContext::new() }
    }
}

thread_local! {
    static CONTEXTS: RefCell<Contexts> = RefCell::new(Contexts::new());
}

/// Lowers `info` into a function named `symbol` in `module` and compiles it,
/// using the optimizations in `enabled`; adds the lowering and Cranelift
/// times to `phases`.
pub fn compile_function(
    module: &mut dyn Module,
    info: &CodeInfo,
    profile: &Profile,
    enabled: Optimizations,
    symbol: &str,
    phases: &mut CompilePhases,
) -> Result<Compiled, CodegenError> {
    // Compiling runs no Python code, so it never re-enters itself on a thread.
    let compiled = catching_panics(|| {
        CONTEXTS.with_borrow_mut(|contexts| {
            let compiled = compile_function_in(contexts, module, info, profile, enabled, symbol, phases, Variant::Framed);
            if info.instrs.len() > CONTEXTS_KEPT_UP_TO {
                *contexts = Contexts::new();
            }
            let mut compiled = compiled?;
            if info.frameless && enabled.contains(Optimization::FramelessCalls) {
                let name = format!("{symbol}{FRAMELESS_SUFFIX}");
                let variant =
                    compile_function_in(contexts, module, info, profile, enabled, &name, phases, Variant::Frameless)?;
                compiled.optimizations = compiled.optimizations.union(variant.optimizations);
                compiled.optimizations.insert(Optimization::FramelessCalls);
                compiled.frameless = Some((variant.id, variant.size));
            }
            Ok(compiled)
        })
    });
    // A panic in Cranelift (a bug in it, or IR it rejects by asserting)
    // fails this compile alone: unwinding into the interpreter's C frames
    // would abort the process. The contexts it left midway are replaced.
    compiled.unwrap_or_else(|panic| {
        CONTEXTS.with_borrow_mut(|contexts| *contexts = Contexts::new());
        Err(CodegenError::Cranelift(format!("the code generator panicked: {panic}")))
    })
}

thread_local! {
    /// Where `catching_panics` runs: what panicked, and where, once it did.
    static CAUGHT_PANIC: RefCell<Option<Option<String>>> = const { RefCell::new(None) };
}

/// Runs `f`, returning what and where it panicked if it did. Such a panic
/// prints nothing: the process's panic hook, wrapped once here, sees only
/// the panics of threads outside `catching_panics`.
fn catching_panics<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static QUIET_HOOK: std::sync::Once = std::sync::Once::new();
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |panic| {
            let caught = CAUGHT_PANIC.with_borrow_mut(|caught| {
                caught.as_mut().map(|place| *place = Some(panic.to_string().replace('\n', " ")))
            });
            if caught.is_none() {
                previous(panic);
            }
        }));
    });
    CAUGHT_PANIC.set(Some(None));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    let caught = CAUGHT_PANIC.take().flatten();
    result.map_err(|_| caught.unwrap_or_else(|| "a panic without a message".into()))
}

/// The largest function (in bytecode instructions) whose contexts are kept
/// for the next compile. The buffers keep the capacity of the largest
/// function they compiled: after one of 5,000 instructions the register
/// allocator's alone held 26 MiB for the rest of the process. Capacity
/// also costs time: the allocator clears a conflict set sized by the most
/// conflicts any earlier function had (5.8 % of the instructions compiling
/// the stdlib workload of `benchmarks/compile_cost.py` ran were that
/// `memset`). Kept only up to 150 instructions, that workload ran 4.5 %
/// fewer instructions compiling, as fast, and peaked 11 % lower (53.6
/// against 60.1 MiB) than with the contexts kept up to 1,000.
const CONTEXTS_KEPT_UP_TO: usize = 150;

/// Why code is left to the interpreter when `memory_to_compile` says no.
pub const NOT_ENOUGH_MEMORY: &str = "not enough memory to compile it";

/// Address space a compile may take: a base plus a share per bytecode
/// instruction (a function of 8,000 instructions compiled without a profile
/// peaked at about 115 KiB per instruction).
const COMPILE_MEMORY_BASE: usize = 16 << 20;
const COMPILE_MEMORY_PER_INSTRUCTION: usize = 128 << 10;

/// Whether the process can allocate what compiling `instructions` bytecode
/// instructions may take. Rust ends the process when an allocation fails, so
/// a compile must not start near the end of the address space a program may
/// use (`RLIMIT_AS`) or of the memory the system grants: the code stays
/// interpreted instead, as CPython would run it. The block is mapped and
/// unmapped without being touched (two system calls; not through malloc,
/// whose mmap threshold would rise to the block's size).
fn memory_to_compile(instructions: usize) -> bool {
    let bytes = COMPILE_MEMORY_BASE.saturating_add(instructions.saturating_mul(COMPILE_MEMORY_PER_INSTRUCTION));
    // SAFETY: maps and unmaps a private block no one else sees.
    unsafe {
        let protection = libc::PROT_READ | libc::PROT_WRITE;
        let block = libc::mmap(std::ptr::null_mut(), bytes, protection, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0);
        if block == libc::MAP_FAILED {
            return false;
        }
        libc::munmap(block, bytes);
        true
    }
}

/// As `compile_function`, in fresh contexts, returned with the result: they
/// hold the optimised IR (`func`) and the machine code with each
/// instruction's bytecode index as its source location (`compiled_code`),
/// for `pyjit.ir` and `pyjit.dis`.
pub fn compile_function_listed(
    module: &mut dyn Module,
    info: &CodeInfo,
    profile: &Profile,
    enabled: Optimizations,
    symbol: &str,
    variant: Variant,
) -> Result<(Compiled, Context), CodegenError> {
    let mut contexts = Contexts::new();
    let mut phases = CompilePhases::default();
    let compiled = compile_function_in(&mut contexts, module, info, profile, enabled, symbol, &mut phases, variant)?;
    Ok((compiled, contexts.codegen))
}

fn compile_function_in(
    contexts: &mut Contexts,
    module: &mut dyn Module,
    info: &CodeInfo,
    profile: &Profile,
    enabled: Optimizations,
    symbol: &str,
    phases: &mut CompilePhases,
    variant: Variant,
) -> Result<Compiled, CodegenError> {
    if !memory_to_compile(info.instrs.len()) {
        return Err(Unsupported(NOT_ENOUGH_MEMORY.into()).into());
    }
    let started = Instant::now();
    let ptr = module.target_config().pointer_type();
    let mut sig = module.make_signature();
    for _ in 0..3 {
        sig.params.push(AbiParam::new(ptr));
    }
    sig.returns.push(AbiParam::new(ptr));
    let id = module
        .declare_function(symbol, Linkage::Export, &sig)
        .map_err(|e| CodegenError::Cranelift(format!("cannot declare {symbol}: {e}")))?;
    let ctx = &mut contexts.codegen;
    ctx.clear();
    ctx.func.signature = sig;
    ctx.func.name = UserFuncName::user(0, id.as_u32());
    let target = module.target_config();
    let shape = Shape {
        instrs: &info.instrs,
        handlers: &info.handlers,
        nlocalsplus: info.nlocalsplus,
        bound_at_entry: info.bound_at_entry,
    };
    let analysis = Analysis::of(&shape).map_err(|Malformed(why)| Unsupported(why))?;
    let (osr_entries, optimizations) = {
        let builder = FunctionBuilder::new(&mut ctx.func, &mut contexts.builder);
        let mut lowering = Lowering::new(builder, module, info, profile, enabled, &analysis, ptr, variant);
        let osr_entries = match lowering.lower_all() {
            Ok(osr_entries) => osr_entries,
            Err(unsupported) => {
                // `finalize` empties the builder context; without it, start the next function afresh.
                drop(lowering);
                contexts.builder = FunctionBuilderContext::new();
                return Err(unsupported.into());
            }
        };
        lowering.emit_exit_stubs();
        lowering.emit_return_block();
        lowering.emit_bail_block();
        lowering.b.seal_all_blocks();
        lowering.b.finalize(target);
        (osr_entries, lowering.applied)
    };
    cool_blocks_reached_only_through_cold(&mut ctx.func);
    phases.lower_ns += elapsed_ns(started);
    let started = Instant::now();
    if variant == Variant::Frameless {
        optimize(ctx, module.isa())?;
    }
    module
        .define_function(id, ctx)
        .map_err(|e| CodegenError::Cranelift(format!("Cranelift rejected the function: {e:?}")))?;
    phases.cranelift_ns += elapsed_ns(started);
    let size = ctx.compiled_code().map_or(0, |c| c.code_info().total_size as usize);
    Ok(Compiled { id, size, osr_entries, optimizations, frameless: None })
}

/// Runs Cranelift's e-graph pass (GVN, constant folding, redundant-load
/// elimination) on `ctx`'s function, which the ISA's `opt_level` of none
/// leaves out for every other function (see `isa::host`).
fn optimize(ctx: &mut Context, isa: &dyn cranelift_codegen::isa::TargetIsa) -> Result<(), CodegenError> {
    let failed =
        |e: cranelift_codegen::CodegenError| CodegenError::Cranelift(format!("Cranelift could not optimize the function: {e:?}"));
    ctx.compute_cfg();
    ctx.compute_domtree();
    ctx.eliminate_unreachable_code(isa).map_err(failed)?;
    ctx.remove_constant_phis(isa).map_err(failed)?;
    ctx.func.dfg.resolve_all_aliases();
    ctx.egraph_pass(isa, &mut Default::default()).map_err(failed)
}

/// Marks cold every block that the entry reaches only through cold blocks
/// (slow paths, exits and what they call), so that Cranelift lays them all
/// out after the hot code: a slow path's own branches and joins are created
/// as ordinary blocks, and laid out among the hot ones they spread the code
/// that runs over more instruction cache lines (generated code misses the
/// instruction cache far more often than the interpreter's loop does).
fn cool_blocks_reached_only_through_cold(func: &mut cranelift_codegen::ir::Function) {
    let Some(entry) = func.layout.entry_block() else { return };
    let cfg = cranelift_codegen::flowgraph::ControlFlowGraph::with_function(func);
    let mut hot = HashSet::from([entry]);
    let mut pending = vec![entry];
    while let Some(block) = pending.pop() {
        for successor in cfg.succ_iter(block) {
            if !func.layout.is_cold(successor) && hot.insert(successor) {
                pending.push(successor);
            }
        }
    }
    let cooled: Vec<Block> = func.layout.blocks().filter(|block| !hot.contains(block)).collect();
    for block in cooled {
        func.layout.set_cold(block);
    }
}

/// A value-stack item popped by an instruction that takes its operands
/// borrowed (`Lowering::pop_operand`) or unboxed (`Lowering::pop_number`).
#[derive(Clone, Copy)]
pub struct Operand {
    /// The object; NULL for an unboxed number (see `number`).
    pub value: Value,
    /// The stack did not own a reference to it.
    pub borrowed: bool,
    /// For an item `push_number` pushed: the kind and value of the number
    /// it is when `value` is NULL (else `value` is an owned reference).
    pub number: Option<(Unboxed, Value)>,
}

impl Operand {
    /// An item the stack owns a reference to.
    pub fn owned(value: Value) -> Operand {
        Operand { value, borrowed: false, number: None }
    }
}

/// A number a value-stack item may hold unboxed (see `Lowering::push_number`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unboxed {
    /// A compact int's value (of at most 30 bits), as an i64.
    Int,
    /// A float's value, as an f64.
    Float,
}

impl Unboxed {
    /// The kinds, in the order of `Lowering::numbers`' variables.
    const ALL: [Unboxed; 2] = [Unboxed::Int, Unboxed::Float];

    /// The Cranelift type the number's value has.
    pub fn ty(self) -> Type {
        match self {
            Unboxed::Int => types::I64,
            Unboxed::Float => types::F64,
        }
    }
}

/// How `Lowering::boxed` allocates the object of an unboxed number.
#[derive(Clone, Copy)]
pub enum Allocation {
    /// A float from the interpreter's free list inline: on the fast path.
    Inline,
    /// One call: off it.
    Call,
}

/// What a value-stack item's variable holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Held {
    /// A reference the stack owns.
    Owned,
    /// A reference the frame keeps alive (see `push_borrowed`).
    Borrowed,
    /// An owned reference, or NULL while the item is the number of this
    /// kind in its `numbers` variable, not boxed yet (see `push_number`).
    Number(Unboxed),
}

/// State of one function's lowering.
pub struct Lowering<'a> {
    pub b: FunctionBuilder<'a>,
    module: &'a mut dyn Module,
    info: &'a CodeInfo,
    profile: &'a Profile,
    /// The optimizations the lowering may use, and those it used.
    enabled: Optimizations,
    applied: Optimizations,
    analysis: &'a Analysis,
    pub ptr: Type,
    /// The function's arguments and the code object's arrays, valid in the
    /// current block: re-read from `anchors` (see `reload_anchors`).
    pub tstate: Value,
    pub frame: Value,
    /// The code's data block (inline caches, `bytecode::data_slots`).
    data: Value,
    /// `f_code`; `code_unit` gives the addresses of its instructions.
    code: Value,
    /// First item of `co_consts`. (`co_names` is read from `code` where a
    /// name is needed, mostly on slow paths: one value fewer for the
    /// register allocator to keep all through the function.)
    consts: Value,
    /// The values `constant` loaded, with their `co_consts` index: an
    /// operand that is one of them is that constant on every path to it.
    constants: HashMap<Value, u32>,
    /// Stack slot holding `tstate`, `frame`, `data`, `code` and `consts`.
    anchors: StackSlot,
    /// The word offset of each inline-cache site's entry in the data block.
    data_slots: HashMap<u32, usize>,
    /// Instructions lowered since the anchors were last re-read.
    since_reload: usize,
    /// Instructions lowered so far.
    lowered: usize,
    stack: Vec<Variable>,
    /// Per value-stack depth: what the item there holds.
    held: Vec<Held>,
    /// Per value-stack depth: the index in `co_consts` of the constant the
    /// item there is on every path to the current instruction, if known
    /// (pushed by LOAD_CONST, moved by COPY and SWAP; see `constant_number`).
    stack_constants: Vec<Option<u32>>,
    /// Per value-stack depth: the variables an unboxed int and an unboxed
    /// float there live in.
    numbers: Vec<[Variable; 2]>,
    pub depth: usize,
    blocks: HashMap<u32, Block>,
    /// Block starts that lowered code jumps to (the rest is not lowered).
    reached: HashSet<u32>,
    emitted: HashSet<u32>,
    funcs: HashMap<&'static str, FuncRef>,
    data_symbols: HashMap<&'static str, GlobalValue>,
    /// The instruction being lowered, and its position in `info.instrs`.
    pub ins: Instr,
    position: usize,
    /// Set by `KW_NAMES`, consumed by the `CALL` that follows it.
    pub kwnames: Option<u32>,
    /// Set by a compare fused with the conditional jump after it (see
    /// `fuse_condition`), consumed by that jump.
    fused_condition: Option<Block>,
    /// Set by a BUILD_SLICE that leaves its bounds (2 or 3) for the
    /// subscript after it (see `fuse_slice`), consumed by that subscript.
    fused_slice: Option<u32>,
    /// Instructions after the current one that it lowered as part of itself
    /// (see `absorb_next`), which the loop then passes over.
    absorbed: usize,
    reachable: bool,
    /// The instruction being lowered stores its position in the frame
    /// before each call it makes (see `position_for_calls`).
    calls_see_position: bool,
    prev_instr_stored: Option<u32>,
    /// The exit stubs, in creation order (so the code is deterministic).
    exit_stubs: Vec<(ExitShape, Block)>,
    /// The latest stub of each shape and the value of `lowered` when it was created.
    exit_stub_of: HashMap<ExitShape, (Block, usize)>,
    /// Blocks that box the unboxed numbers among an exit's stack items
    /// before its stub (see `exit_stub`), with the exit's shape and the
    /// depths and kinds of the numbers.
    boxing_stubs: Vec<(Block, ExitShape, Vec<(usize, Unboxed)>)>,
    /// The block every exit to the interpreter returns through (see
    /// `return_from_exit`), once one does.
    return_block: Option<Block>,
    /// Set while lowering a frameless variant (see `Variant::Frameless`):
    /// the block where every way out but a return goes, which undoes the
    /// attribute stores made (`undoable_stores`) and returns NULL.
    bail: Option<Block>,
    /// The frame-shaped block that frameless variants this code runs itself
    /// take (`run_frameless`), once one does.
    frameless_block: Option<StackSlot>,
    /// The frameless variant's attribute stores, in the order of the code
    /// (which runs each at most once, forward), for the bail block to undo.
    undoable_stores: Vec<UndoableStore>,
}

/// What a frameless variant needs to undo one attribute store
/// (`Lowering::store_attribute`) in its bail block, or to finish it at a
/// return: the place (NULL, as every variable is before it is set, where
/// the store was not made), the value it held before (NULL: none, the
/// attribute missing), that value again if the store released its
/// reference (else NULL) or if the store left that to the return (else
/// NULL), and the value stored. With `insertion`, the place is an instance
/// value: a store over none also added its index to the values' insertion
/// order.
struct UndoableStore {
    place: Variable,
    old: Variable,
    released: Variable,
    deferred: Variable,
    value: Variable,
    insertion: Option<Variable>,
}

/// The two functions a code object's instructions are lowered into.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Runs a frame of the code: its parameters and value stack in the
    /// frame, exits handing the frame to the interpreter.
    Framed,
    /// Runs a call of a function (`CodeInfo::frameless`) without a frame
    /// of its own (`frameless-calls`): it takes a frame-shaped block on the
    /// caller's C stack with the header fields that name the code, its
    /// function, globals and builtins, and the arguments as its parameters
    /// (its other locals it unbinds first). The body holds no reference of
    /// its own: everything it reads is owned by an argument, a constant or
    /// an object they reach, and its instructions change nothing until it
    /// returns (a new reference to the result) but attributes, whose stores
    /// it undoes on any other way out (`Lowering::store_attribute`); so
    /// whatever its fast paths do not cover (an inline cache miss, any call
    /// into the runtime, any exit, any instruction it does not run:
    /// `CodeInfo::runs_frameless`) returns NULL with nothing done, and the
    /// caller makes the call with a frame instead.
    Frameless,
}

/// Instructions after which the anchors are re-read in straight-line code.
const ANCHOR_REACH: usize = 32;

/// Functions of at most this many instructions keep the anchors in the
/// values the entry block read (the register allocator keeps them in
/// callee-saved registers or spills them once): re-reading them at every
/// block start costs small hot functions more than it saves compiling them.
const ANCHORS_KEPT_UP_TO: usize = 96;

/// Instructions after which exits stop sharing a stub: a block whose
/// predecessors span the whole function makes the register allocator's
/// dominator tree grow with the square of the function's size.
const STUB_REACH: usize = 256;

/// How an exit stub leaves compiled code.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum ExitKind {
    /// The interpreter continues after the code unit the stub is passed.
    Resume,
    /// `Resume` after an instruction whose speculation failed: the runtime
    /// counts it against the code (`helpers::exits::AFTER_FAILED_SPECULATION`).
    ResumeAfterFailedSpeculation,
    /// The interpreter unwinds the exception raised at the code unit passed.
    Raise,
    /// The compiled `handler` catches the exception raised at the code unit
    /// passed, adding a traceback entry if `traceback`. `unwound_from` is
    /// the code unit the handler was found for when that is another one
    /// (see `RaiseReportedAt`): the interpreter unwinds from there should
    /// `pyjit_catch` decline.
    Catch { handler: Handler, traceback: bool, unwound_from: Option<u32> },
    /// The interpreter unwinds the exception from code unit `unwound_from`,
    /// which no handler covers, and the frame's traceback entry then reports
    /// the code unit passed: an error in the second instruction of a
    /// superinstruction, reported at the first (`raise_error_in_pair_if`).
    RaiseReportedAt { unwound_from: u32 },
}

/// Exits of one shape share one out-of-line block, the stub, which takes
/// the code unit and the stack items as block arguments: a failing
/// instruction then costs a branch, not a block with a call, and IR grows
/// by a constant per instruction.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct ExitShape {
    kind: ExitKind,
    /// Stack items passed in variables, which the stub writes to the frame.
    spilled: usize,
    /// Stack items in all (those above `spilled` are already in the frame).
    stack_depth: usize,
}

fn flags() -> MemFlagsData {
    MemFlagsData::trusted()
}

impl<'a> Lowering<'a> {
    fn new(
        mut b: FunctionBuilder<'a>,
        module: &'a mut dyn Module,
        info: &'a CodeInfo,
        profile: &'a Profile,
        enabled: Optimizations,
        analysis: &'a Analysis,
        ptr: Type,
        variant: Variant,
    ) -> Self {
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let tstate = b.block_params(entry)[0];
        let frame = b.block_params(entry)[1];
        let data = b.block_params(entry)[2];
        let code = b.ins().load(ptr, flags(), frame, abi::FRAME_F_CODE as i32);
        let consts_tuple = b.ins().load(ptr, flags(), code, abi::CODE_CONSTS as i32);
        let consts = b.ins().iadd_imm_s(consts_tuple, abi::TUPLE_ITEMS as i64);
        let anchors = b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 5 * 8, 3));
        if info.instrs.len() > ANCHORS_KEPT_UP_TO {
            for (i, value) in [tstate, frame, data, code, consts].into_iter().enumerate() {
                b.ins().stack_store(ptr, value, anchors, 8 * i as i32);
            }
        }
        let stack = (0..info.stacksize).map(|_| b.declare_var(ptr)).collect();
        let bail = (variant == Variant::Frameless).then(|| {
            let bail = b.create_block();
            b.set_cold_block(bail);
            bail
        });
        let held = vec![Held::Owned; info.stacksize as usize];
        let numbers = (0..info.stacksize).map(|_| Unboxed::ALL.map(|kind| b.declare_var(kind.ty()))).collect();
        let first = info.instrs.first().copied().unwrap_or(Instr { start: 0, index: 0, opcode: 0, arg: 0, next: 0 });
        let mut applied = Optimizations::NONE;
        // Every choice of fast paths reads the profile (`observed`) when it has observations.
        if enabled.contains(Optimization::ProfileGuided) && !profile.is_empty() {
            applied.insert(Optimization::ProfileGuided);
        }
        Lowering {
            b,
            module,
            info,
            profile,
            enabled,
            applied,
            analysis,
            ptr,
            tstate,
            frame,
            data,
            code,
            consts,
            constants: HashMap::new(),
            anchors,
            data_slots: bytecode::data_slots(&info.instrs).collect(),
            since_reload: 0,
            lowered: 0,
            stack,
            held,
            stack_constants: vec![None; info.stacksize as usize],
            numbers,
            depth: 0,
            blocks: HashMap::new(),
            reached: HashSet::new(),
            emitted: HashSet::new(),
            funcs: HashMap::new(),
            data_symbols: HashMap::new(),
            ins: first,
            position: 0,
            kwnames: None,
            fused_condition: None,
            fused_slice: None,
            absorbed: 0,
            reachable: true,
            calls_see_position: false,
            prev_instr_stored: None,
            exit_stubs: Vec::new(),
            exit_stub_of: HashMap::new(),
            boxing_stubs: Vec::new(),
            return_block: None,
            bail,
            frameless_block: None,
            undoable_stores: Vec::new(),
        }
    }

    /// Lowers every instruction; returns the loop headers compiled code can
    /// be entered at.
    fn lower_all(&mut self) -> Result<Vec<OsrEntry>, Unsupported> {
        let resume_starts = self.resume_starts();
        // A frameless variant always starts at the start, its frame unseen,
        // with its locals other than the parameters unbound.
        let dispatch = self.bail.is_none().then(|| self.enter_at_start_or_dispatch(!resume_starts.is_empty()));
        if self.bail.is_some() {
            let null = self.iconst(0);
            for local in self.info.bound_at_entry..self.info.nlocalsplus {
                self.store_local(local, null);
            }
        }
        let eager_await_resumptions = self.eager_await_resumptions();
        let jump_targets = self.info.instrs.iter().filter_map(Instr::jump_target);
        let handler_targets = self.info.handlers.iter().map(|h| h.target);
        let starts = resume_starts.iter().chain(&eager_await_resumptions).copied();
        for target in jump_targets.chain(handler_targets).chain(starts) {
            if !self.blocks.contains_key(&target) {
                let block = self.b.create_block();
                self.blocks.insert(target, block);
            }
        }
        // The instruction lowered last, and whether the interpreter dispatches it when
        // control falls through to it from the one before (rather than running it as
        // the second half of a superinstruction), once the code is quickened.
        let mut previous: Option<(Instr, bool)> = None;
        for (position, &ins) in self.info.instrs.iter().enumerate() {
            let paired = previous.is_some_and(|(first, dispatched)| dispatched && bytecode::forms_superinstruction(&first, &ins));
            if paired && self.reachable {
                ops::locals::raise_unbound_in_superinstruction(self, &ins, position);
            }
            // A jump lands on an instruction's own dispatch.
            previous = Some((ins, !paired || self.blocks.contains_key(&ins.start)));
            if let Some(&block) = self.blocks.get(&ins.start) {
                debug_assert!(self.fused_condition.is_none(), "a fused condition crosses a block start");
                debug_assert!(self.fused_slice.is_none(), "a fused slice crosses a block start");
                if self.reachable {
                    self.own_stack();
                    self.record_depth(ins.start)?;
                    self.b.ins().jump(block, &[]);
                }
                self.emitted.insert(ins.start);
                self.reachable = self.reached.contains(&ins.start);
                if self.reachable {
                    self.b.switch_to_block(block);
                    self.reload_anchors();
                    self.depth = self.analysis.depth(position).expect("reached code has a depth") as usize;
                    // Every edge into a block carries owned, boxed items only
                    // (borrowed ones in a frameless variant, which owns none).
                    let held = self.pushed();
                    self.held.fill(held);
                    self.stack_constants.fill(None);
                    self.prev_instr_stored = None;
                }
            }
            if !self.reachable {
                continue;
            }
            if self.since_reload >= ANCHOR_REACH {
                self.reload_anchors();
            }
            self.since_reload += 1;
            self.lowered += 1;
            self.ins = ins;
            self.position = position;
            self.calls_see_position = false;
            // Maps the machine code back to bytecode for `pyjit.dis`.
            self.b.set_srcloc(SourceLoc::new(ins.index));
            if self.absorbed > 0 {
                self.absorbed -= 1;
            } else if let Some(bail) = self.bail.filter(|_| !self.info.runs_frameless(&ins)) {
                // A frameless variant gives the call back where it would
                // run anything else; the framed code runs it.
                self.b.ins().jump(bail, &[]);
                self.terminate();
            } else {
                ops::lower(self)?;
            }
        }
        if self.reachable {
            return Err(Unsupported("control falls off the end of the bytecode".into()));
        }
        self.calls_see_position = false;
        Ok(dispatch.map_or_else(Vec::new, |dispatch| self.emit_entries(dispatch, &resume_starts)))
    }

    /// Where a generator's frame resumes: after each instruction that
    /// suspends it, and where each SEND jumps when its receiver is done
    /// (CPython's `gen_throw` moves a frame suspended in `yield from` or
    /// `await` there itself when the exception thrown in ends the receiver).
    fn resume_starts(&self) -> Vec<u32> {
        let suspends = |ins: &Instr| opcodes::opcode(ins.opcode).is_some_and(|o| o.flags.contains(Flags::SUSPENDS));
        let mut starts = Vec::new();
        for ins in &self.info.instrs {
            if suspends(ins) {
                debug_assert_eq!(ins.next, ins.index + 1, "suspending instructions have no inline cache");
                starts.push(ins.next);
            } else if ins.opcode == abi::op::SEND {
                starts.extend(ins.jump_target());
            }
        }
        starts
    }

    /// Starts the function: a frame whose `prev_instr` is still before the
    /// first instruction runs from the start; any other was handed over by
    /// the runtime at a loop header, or is a generator's resumed, and goes
    /// to the returned dispatch block, filled in by `emit_entries` once
    /// stack depths are known; `resumes` when the code is a generator's,
    /// whose common way in is the dispatch. While the frame runs, its value
    /// stack is private, as in the interpreter (`stacktop` -1: the garbage
    /// collector visits no item of it); the dispatch block reads the stack
    /// top first.
    fn enter_at_start_or_dispatch(&mut self, resumes: bool) -> Block {
        let prev_instr = self.load(self.frame, abi::FRAME_PREV_INSTR);
        let before_first = self.code_unit(-1);
        let fresh = self.b.ins().icmp(IntCC::Equal, prev_instr, before_first);
        let start = self.b.create_block();
        let dispatch = self.b.create_block();
        if !resumes {
            self.b.set_cold_block(dispatch);
        }
        self.b.ins().brif(fresh, start, &[], dispatch, &[]);
        self.b.switch_to_block(start);
        self.make_stack_private();
        dispatch
    }

    /// Sets the frame's `stacktop` to -1 (see `enter_at_start_or_dispatch`).
    fn make_stack_private(&mut self) {
        let private = self.b.ins().iconst(types::I32, -1);
        let frame = self.frame;
        self.b.ins().store(flags(), private, frame, abi::FRAME_STACKTOP as i32);
    }

    /// Fills the dispatch block of `enter_at_start_or_dispatch`, which goes
    /// by the instruction after `prev_instr`. Each entry reads the value
    /// stack the frame holds and jumps to its instruction. Entries are the
    /// resumption points of a generator (after each suspending instruction,
    /// where its locals are checked first: a local the analysis takes as
    /// bound but that is not sends the frame on in the interpreter) and the
    /// loop headers that a backward jump reaches, where the interpreter can
    /// hand its frame over (returned; the runtime checks their locals).
    /// Headers whose preceding code unit is covered by an exception handler
    /// are left out: the runtime stops the interpreter there by raising an
    /// exception that must leave the frame without running any handler.
    fn emit_entries(&mut self, dispatch: Block, resume_starts: &[u32]) -> Vec<OsrEntry> {
        let mut entries = Vec::new();
        for ins in &self.info.instrs {
            let Some(header) = ins.jump_target().filter(|&target| target <= ins.index) else { continue };
            // The interpreter looks the handler up at the unit before the header.
            let covered = header.checked_sub(1).is_some_and(|unit| handler_at(&self.info.handlers, unit).is_some());
            if covered || !self.reached.contains(&header) {
                continue;
            }
            let position = position_of(&self.info.instrs, header).expect("jump targets start instructions");
            entries.push(OsrEntry {
                backedge: ins.index,
                header,
                depth: self.analysis.depth(position).expect("reached code has a depth"),
                bound_locals: self.analysis.bound_slots(position),
            });
        }
        // By the instruction entered: whether its locals are checked.
        let mut starts: BTreeMap<u32, bool> = entries.iter().map(|e| (e.header, false)).collect();
        for &start in resume_starts {
            if self.reached.contains(&start) {
                starts.insert(start, true);
            }
        }
        self.b.switch_to_block(dispatch);
        self.reload_anchors();
        let frame = self.frame;
        let stacktop = self.b.ins().sload32(flags(), frame, abi::FRAME_STACKTOP as i32);
        self.make_stack_private();
        let mut switch = Switch::new();
        let blocks: Vec<(u32, bool, Block)> =
            starts.into_iter().map(|(start, checked)| (start, checked, self.b.create_block())).collect();
        for &(start, _, block) in &blocks {
            switch.set_entry(u128::from(start), block);
        }
        // The runtime enters only at the instructions listed here, and
        // CPython resumes generators nowhere else; should it all the same,
        // the interpreter continues the frame as it is.
        let elsewhere = self.b.create_block();
        self.b.set_cold_block(elsewhere);
        let prev_instr = self.load(self.frame, abi::FRAME_PREV_INSTR);
        let offset = self.code_unit_offset(prev_instr);
        let lasti = self.b.ins().sshr_imm_s(offset, 1);
        let next_index = self.b.ins().iadd_imm_s(lasti, 1);
        switch.emit(&mut self.b, next_index, elsewhere);
        self.b.switch_to_block(elsewhere);
        let throw = self.iconst(0);
        let tstate = self.tstate;
        let result = self.call("pyjit_exit_to_interpreter", &[tstate, frame, lasti, stacktop, throw]);
        self.return_from_exit(result);
        for (start, checked, block) in blocks {
            self.b.switch_to_block(block);
            let position = position_of(&self.info.instrs, start).expect("entries start instructions");
            self.depth = self.analysis.depth(position).expect("reached code has a depth") as usize;
            if checked {
                self.check_bound_at_entry(position, start);
            }
            self.reload(0, self.depth);
            let target = self.blocks[&start];
            self.b.ins().jump(target, &[]);
        }
        entries
    }

    /// Continues the frame in the interpreter at the instruction starting at
    /// `start` (at `position`), its stack in the frame, if a local the
    /// analysis takes as bound there is not: only a debugger writing the
    /// locals of a suspended generator through `f_locals` unbinds one.
    fn check_bound_at_entry(&mut self, position: usize, start: u32) {
        let shape = ExitShape { kind: ExitKind::Resume, spilled: 0, stack_depth: self.depth };
        for slot in self.analysis.bound_slots(position) {
            let local = self.load_local(slot);
            let unbound = self.b.ins().icmp_imm_s(IntCC::Equal, local, 0);
            self.exit_if(unbound, shape, i64::from(start) - 1);
        }
    }

    /// Marks `target` as reached from the current instruction.
    fn record_depth(&mut self, target: u32) -> Result<(), Unsupported> {
        self.record_depth_at(target, self.depth)
    }

    /// Marks `target` as reached with `depth` stack items, which must be the
    /// depth the analysis found there.
    fn record_depth_at(&mut self, target: u32, depth: usize) -> Result<(), Unsupported> {
        if self.emitted.contains(&target) && !self.reached.contains(&target) {
            return Err(Unsupported("backward jump into code not reached by forward flow".into()));
        }
        let position = position_of(&self.info.instrs, target).expect("jump targets start instructions");
        match self.analysis.depth(position) {
            Some(known) if known as usize == depth => {
                self.reached.insert(target);
                Ok(())
            }
            known => Err(Unsupported(format!(
                "stack depth {depth} at offset {} where the analysis found {known:?}",
                2 * target
            ))),
        }
    }

    /// Records that the exit stub of an exception caught by `handler` jumps to it.
    fn record_handler_entry(&mut self, handler: Handler) {
        self.record_depth_at(handler.target, Self::handler_depth(handler))
            .expect("compiled_handler checked the depth");
    }

    /// Re-reads `tstate`, `frame`, `data`, `code` and `consts` from
    /// their stack slot, where every stretch of code that is not dominated by
    /// the previous read starts (jump targets, exit stubs) and every
    /// `ANCHOR_REACH` instructions: a value used all over a long function
    /// makes the register allocator's work grow with the square of its size.
    fn reload_anchors(&mut self) {
        if self.info.instrs.len() <= ANCHORS_KEPT_UP_TO {
            return;
        }
        let (ptr, slot) = (self.ptr, self.anchors);
        let [tstate, frame, data, code, consts] =
            std::array::from_fn(|i| self.b.ins().stack_load(ptr, ptr, slot, 8 * i as i32));
        (self.tstate, self.frame, self.data, self.code, self.consts) = (tstate, frame, data, code, consts);
        self.since_reload = 0;
    }

    /// Whether `optimization` is enabled; if so, it is recorded as used, so
    /// ask only where its code is emitted when the answer is yes.
    pub fn apply(&mut self, optimization: Optimization) -> bool {
        let enabled = self.enabled.contains(optimization);
        if enabled {
            self.applied.insert(optimization);
        }
        enabled
    }

    /// Counts a run of an inline cache's slow path in the data block's
    /// counter (`bytecode::DATA_MISS_COUNT`): a cold path, called where it starts.
    fn count_cache_miss(&mut self) {
        let data = self.data;
        let count = self.load(data, 8 * bytecode::DATA_MISS_COUNT);
        let count = self.b.ins().iadd_imm_s(count, 1);
        self.store(count, data, 8 * bytecode::DATA_MISS_COUNT);
    }

    /// A block for the slow path of a guarded fast path, out of line; seal
    /// it when every `guard` of the fast path has branched to it.
    pub fn cold_block(&mut self) -> Block {
        let block = self.b.create_block();
        self.b.set_cold_block(block);
        block
    }

    /// A block for the generic path a profiled fast path's guards go to:
    /// out of line where the interpreter specialised the instruction (its
    /// operands had the fast path's types), in line where it tells nothing.
    pub fn generic_block(&mut self) -> Block {
        let block = self.b.create_block();
        if matches!(self.observed(), Observed::Specialized(_)) {
            self.b.set_cold_block(block);
        }
        block
    }

    /// Ends an inline cache's fast path, whose result is `hit` (None for a
    /// store), and lowers its slow path: `miss`, where the fast path's
    /// guards went, counts the miss and runs `slow`, which gives the same
    /// kind of result. Continues where the two meet; returns the result.
    pub fn finish_cached(
        &mut self,
        hit: Option<Value>,
        miss: Block,
        slow: impl FnOnce(&mut Self) -> Option<Value>,
    ) -> Option<Value> {
        let done = self.b.create_block();
        if hit.is_some() {
            self.b.append_block_param(done, self.ptr);
        }
        let hit: Vec<BlockArg> = hit.into_iter().map(BlockArg::Value).collect();
        self.b.ins().jump(done, &hit);
        self.b.switch_to_block(miss);
        self.b.seal_block(miss);
        self.count_cache_miss();
        let missed: Vec<BlockArg> = slow(self).into_iter().map(BlockArg::Value).collect();
        self.b.ins().jump(done, &missed);
        self.b.switch_to_block(done);
        self.b.seal_block(done);
        self.b.block_params(done).first().copied()
    }

    /// Continues the fast path in a new block when `cond` is nonzero, else
    /// goes to its slow path `miss`.
    pub fn guard(&mut self, cond: Value, miss: Block) {
        let next = self.b.create_block();
        self.b.ins().brif(cond, next, &[], miss, &[]);
        self.b.switch_to_block(next);
        self.b.seal_block(next);
    }

    /// Marks the rest of the current block unreachable (after a terminator).
    pub fn terminate(&mut self) {
        self.reachable = false;
    }

    pub fn unsupported(&self) -> Unsupported {
        Unsupported(format!("opcode {} is not supported", opcodes::name(self.ins.opcode)))
    }

    // ---- constants, loads and stores ------------------------------------

    pub fn iconst(&mut self, value: i64) -> Value {
        self.b.ins().iconst(self.ptr, value)
    }

    pub fn load(&mut self, addr: Value, offset: usize) -> Value {
        self.b.ins().load(self.ptr, flags(), addr, offset as i32)
    }

    /// A byte field, zero-extended to pointer size.
    pub fn load_u8(&mut self, addr: Value, offset: usize) -> Value {
        self.b.ins().uload8(self.ptr, flags(), addr, offset as i32)
    }

    /// An 8-bit signed field, sign-extended to pointer size.
    pub fn load_i8(&mut self, addr: Value, offset: usize) -> Value {
        self.b.ins().sload8(self.ptr, flags(), addr, offset as i32)
    }

    /// A 32-bit unsigned field, zero-extended to pointer size.
    pub fn load_u32(&mut self, addr: Value, offset: usize) -> Value {
        self.b.ins().uload32(flags(), addr, offset as i32)
    }

    pub fn load_i32(&mut self, addr: Value, offset: usize) -> Value {
        self.b.ins().load(types::I32, flags(), addr, offset as i32)
    }

    /// Loads a field of type `ty` (e.g. `F64` for a float's value).
    pub fn load_as(&mut self, ty: Type, addr: Value, offset: usize) -> Value {
        self.b.ins().load(ty, flags(), addr, offset as i32)
    }

    pub fn store(&mut self, value: Value, addr: Value, offset: usize) {
        self.b.ins().store(flags(), value, addr, offset as i32);
    }

    /// Address of the current instruction's inline-cache entry in the data
    /// block (`bytecode::DATA_ENTRY_WORDS` words, zero until first filled).
    pub fn data_entry(&mut self) -> Value {
        let offset = self.data_slots[&self.ins.index];
        self.b.ins().iadd_imm_s(self.data, 8 * offset as i64)
    }

    /// `co_consts[index]`, borrowed.
    pub fn constant(&mut self, index: u32) -> Value {
        let consts = self.consts;
        let value = self.load(consts, 8 * index as usize);
        self.constants.insert(value, index);
        value
    }

    /// The number `object` is when it is a constant (`constant`) of
    /// `CodeInfo::number_consts`, for an operator that may take its value
    /// as it is known when compiling (`Optimization::ConstantOperands`,
    /// which the operator applies if it does). A stack item carried across
    /// a merge of paths is known by the constant noted for its depth
    /// (`stack_constants`, see `stack_item`); an unboxed number is not,
    /// its object being a result or NULL.
    pub fn constant_number(&self, object: Value) -> Option<ConstNumber> {
        let index = *self.constants.get(&object)?;
        let number = self.info.const_number(index)?;
        self.enabled.contains(Optimization::ConstantOperands).then_some(number)
    }

    /// `co_names[index]`, borrowed.
    pub fn name(&mut self, index: u32) -> Value {
        let names = self.load(self.code, abi::CODE_NAMES);
        self.load(names, abi::TUPLE_ITEMS + 8 * index as usize)
    }

    /// Address of an imported CPython data symbol (e.g. `_Py_NoneStruct`).
    pub fn data_address(&mut self, symbol: &'static str) -> Value {
        let gv = match self.data_symbols.get(symbol) {
            Some(&gv) => gv,
            None => {
                debug_assert!(symbols::resolve(symbol).is_some(), "unknown data symbol {symbol}");
                let id = self
                    .module
                    .declare_data(symbol, Linkage::Import, false, false)
                    .expect("imported data symbols never clash");
                let gv = self.module.declare_data_in_func(id, self.b.func);
                self.data_symbols.insert(symbol, gv);
                gv
            }
        };
        self.b.ins().symbol_value(self.ptr, gv)
    }

    pub fn none(&mut self) -> Value {
        self.data_address("_Py_NoneStruct")
    }

    // ---- frame slots --------------------------------------------------------

    fn local_offset(index: usize) -> usize {
        abi::FRAME_LOCALSPLUS + 8 * index
    }

    /// `localsplus[index]` (a fast local, cell or free variable).
    pub fn load_local(&mut self, index: u32) -> Value {
        let frame = self.frame;
        self.load(frame, Self::local_offset(index as usize))
    }

    pub fn store_local(&mut self, index: u32, value: Value) {
        let frame = self.frame;
        self.store(value, frame, Self::local_offset(index as usize));
    }

    fn stack_offset(&self, depth: usize) -> usize {
        Self::local_offset(self.info.nlocalsplus as usize + depth)
    }

    /// Address of the frame's value-stack slot at `depth`.
    pub fn stack_address(&mut self, depth: usize) -> Value {
        let offset = self.stack_offset(depth);
        self.b.ins().iadd_imm_s(self.frame, offset as i64)
    }

    /// Writes the stack items `from..to` into the frame's value stack.
    pub fn spill(&mut self, from: usize, to: usize) {
        debug_assert!(self.held[from..to].iter().all(|&h| h == Held::Owned), "a borrowed or unboxed item written to the frame");
        for d in from..to {
            let value = self.b.use_var(self.stack[d]);
            self.store_stack_item(d, value);
        }
    }

    /// Writes the stack items `from..to`, owned or borrowed (no unboxed
    /// number), to the frame's value stack for a call that borrows them
    /// (the arguments of `call_builtin`); returns which are borrowed.
    pub fn spill_borrowing(&mut self, from: usize, to: usize) -> Vec<bool> {
        debug_assert!(!self.held[from..to].iter().any(|h| matches!(h, Held::Number(_))), "an unboxed item written to the frame");
        (from..to)
            .map(|d| {
                let value = self.b.use_var(self.stack[d]);
                self.store_stack_item(d, value);
                std::mem::replace(&mut self.held[d], Held::Owned) == Held::Borrowed
            })
            .collect()
    }

    /// The stack items `from..to` as they are now (owned references), to
    /// write with `spill_values` on one path and use directly on another.
    pub fn stack_values(&mut self, from: usize, to: usize) -> Vec<Value> {
        debug_assert!(self.held[from..to].iter().all(|&h| h == Held::Owned), "a borrowed or unboxed item taken");
        (from..to).map(|d| self.b.use_var(self.stack[d])).collect()
    }

    /// Writes `values` (from `stack_values`) into the frame's value stack from `from` on.
    pub fn spill_values(&mut self, from: usize, values: &[Value]) {
        for (d, &value) in (from..).zip(values) {
            self.store_stack_item(d, value);
        }
    }

    /// Whether `value` is the constant 0 (a NULL the instruction pushed).
    pub fn is_zero_constant(&self, value: Value) -> bool {
        let dfg = &self.b.func.dfg;
        match dfg.value_def(value) {
            ValueDef::Result(inst, _) => {
                matches!(dfg.insts[inst], InstructionData::UnaryImm { opcode: Opcode::Iconst, imm } if imm.bits() == 0)
            }
            _ => false,
        }
    }

    fn store_stack_item(&mut self, depth: usize, value: Value) {
        let offset = self.stack_offset(depth);
        let frame = self.frame;
        self.store(value, frame, offset);
    }

    /// Reads the stack items `from..to` back from the frame's value stack
    /// (after a runtime function wrote them there).
    pub fn reload(&mut self, from: usize, to: usize) {
        for d in from..to {
            let offset = self.stack_offset(d);
            let frame = self.frame;
            let value = self.load(frame, offset);
            self.b.def_var(self.stack[d], value);
            self.held[d] = Held::Owned;
            self.stack_constants[d] = None;
        }
    }

    // ---- the value stack ----------------------------------------------------

    pub fn push(&mut self, value: Value) {
        self.push_held(value, self.pushed());
    }

    /// How `push` holds an item: owned, but borrowed in a frameless
    /// variant, so that nothing takes it for a reference of its own (to
    /// reuse a number only it holds, say).
    fn pushed(&self) -> Held {
        if self.counts_references() {
            Held::Owned
        } else {
            Held::Borrowed
        }
    }

    fn push_held(&mut self, value: Value, held: Held) {
        self.b.def_var(self.stack[self.depth], value);
        self.held[self.depth] = held;
        self.stack_constants[self.depth] = None;
        self.depth += 1;
    }

    /// Notes that the top item, just pushed, is `co_consts[index]`.
    pub fn note_top_is_constant(&mut self, index: u32) {
        self.stack_constants[self.depth - 1] = Some(index);
    }

    /// Pushes the item `n` places from the top (1 is the top) again, with a
    /// reference of its own (COPY).
    pub fn copy(&mut self, n: usize) {
        let value = self.peek(n);
        self.incref(value);
        self.push(value);
        self.stack_constants[self.depth - 1] = self.stack_constants[self.depth - 1 - n];
    }

    /// The value of the stack variable at `depth`: when the item there is a
    /// known constant, noted as that constant for `constant_number` (after
    /// a merge of paths the variable reads as a block parameter, which is
    /// the constant on every path).
    fn stack_item(&mut self, depth: usize) -> Value {
        let value = self.b.use_var(self.stack[depth]);
        if let Some(index) = self.stack_constants[depth] {
            self.constants.insert(value, index);
        }
        value
    }

    /// Pushes a number the instruction computed: `object`, an owned
    /// reference, or NULL when the item is `number` (of kind `kind`: an i64
    /// or an f64), which is boxed only when something needs the object.
    /// Instructions with `Flags::NUMBERS` take it unboxed (`pop_number`);
    /// exits box it (`exit_stub`); anything else finds it boxed
    /// (`own_stack`, `pop_operand`). So arithmetic on temporaries makes no
    /// objects, and nothing outside the instruction sequence of one block
    /// sees an unboxed item.
    pub fn push_number(&mut self, object: Value, kind: Unboxed, number: Value) {
        let variable = self.numbers[self.depth][kind as usize];
        self.b.def_var(variable, number);
        self.push_held(object, Held::Number(kind));
    }

    /// Pushes a reference the frame keeps alive without the stack owning it:
    /// a constant's, or a bound local's. Only instructions that take their
    /// operands borrowed (`Flags::BORROWS`, through `pop_operand`) see such
    /// an item; before any other instruction, and before anything leaves
    /// the block or the compiled code, it gets a reference of its own
    /// (`own_stack_below`). So a local is never rebound, and no exit or
    /// jump target sees a stack item, while the item is borrowed.
    pub fn push_borrowed(&mut self, value: Value) {
        self.push_held(value, Held::Borrowed);
    }

    /// Pops the top item as an owned reference.
    pub fn pop(&mut self) -> Value {
        let operand = self.pop_operand();
        self.own(operand)
    }

    /// Pops the top item as it is: owned or borrowed (an unboxed number is
    /// boxed first). The caller gives it up with `release` or turns it into
    /// an owned reference with `own`.
    pub fn pop_operand(&mut self) -> Operand {
        if let Held::Number(_) = self.held[self.depth - 1] {
            self.box_item(self.depth - 1);
        }
        self.pop_number()
    }

    /// Pops the top item as it is: owned, borrowed or an unboxed number
    /// (only instructions with `Flags::NUMBERS` see one).
    pub fn pop_number(&mut self) -> Operand {
        self.depth -= 1;
        let held = std::mem::replace(&mut self.held[self.depth], Held::Owned);
        let value = self.stack_item(self.depth);
        let number = match held {
            Held::Number(kind) => Some((kind, self.b.use_var(self.numbers[self.depth][kind as usize]))),
            Held::Owned | Held::Borrowed => None,
        };
        Operand { value, borrowed: held == Held::Borrowed, number }
    }

    /// An owned reference to `operand`'s object (its own, if it is owned).
    /// Not for a possibly unboxed number: see `own_numbers`.
    pub fn own(&mut self, operand: Operand) -> Value {
        debug_assert!(operand.number.is_none(), "an unboxed number owned without boxing");
        if operand.borrowed {
            self.incref(operand.value);
        }
        operand.value
    }

    /// Owned references to the objects of `operands` (possibly unboxed
    /// numbers, which are boxed by a call: for the helper of a generic
    /// path). If boxing one fails, the others are released and the
    /// instruction raises the MemoryError.
    pub fn own_numbers<const N: usize>(&mut self, operands: [Operand; N]) -> [Value; N] {
        self.own_numbers_or_release(operands, &[], Allocation::Call)
    }

    /// `own_numbers` with the boxing `allocation`, also releasing `popped`
    /// (other operands the instruction popped) should boxing fail.
    pub fn own_numbers_or_release<const N: usize>(
        &mut self,
        operands: [Operand; N],
        popped: &[Operand],
        allocation: Allocation,
    ) -> [Value; N] {
        if operands.iter().all(|operand| operand.number.is_none()) {
            return operands.map(|operand| self.own(operand));
        }
        let objects = operands.map(|operand| match operand.number {
            Some((kind, number)) => self.boxed(operand.value, kind, number, allocation),
            None => self.own(operand),
        });
        let missing = objects.map(|object| self.b.ins().icmp_imm_s(IntCC::Equal, object, 0));
        let failed = missing.into_iter().reduce(|a, b| self.b.ins().bor(a, b)).expect("at least one operand");
        let error = self.cold_block();
        let ok = self.b.create_block();
        self.b.ins().brif(failed, error, &[], ok, &[]);
        self.b.switch_to_block(error);
        self.b.seal_block(error);
        for object in objects {
            self.xdecref(object);
        }
        for &operand in popped {
            self.release(operand);
        }
        self.raise_here();
        self.b.switch_to_block(ok);
        self.b.seal_block(ok);
        self.reachable = true;
        objects
    }

    /// Gives up `operand`: drops its reference if it owns one.
    pub fn release(&mut self, operand: Operand) {
        match operand.number {
            Some(_) => self.xdecref(operand.value),
            None if !operand.borrowed => self.decref(operand.value),
            None => {}
        }
    }

    /// `object`, an owned reference, or when it is NULL the number `number`
    /// of kind `kind` boxed as `allocation` says; NULL if boxing failed (the
    /// error is set).
    fn boxed(&mut self, object: Value, kind: Unboxed, number: Value, allocation: Allocation) -> Value {
        if self.is_zero_constant(object) {
            return self.box_number(kind, number, allocation);
        }
        let make = self.b.create_block();
        let done = self.b.create_block();
        let result = self.b.append_block_param(done, self.ptr);
        self.b.ins().brif(object, done, &[object.into()], make, &[]);
        self.b.switch_to_block(make);
        self.b.seal_block(make);
        let made = self.box_number(kind, number, allocation);
        self.b.ins().jump(done, &[made.into()]);
        self.b.switch_to_block(done);
        self.b.seal_block(done);
        result
    }

    /// A new reference to the number `number` of kind `kind` as an object,
    /// a float allocated as `allocation` says (off the fast path, at exits
    /// and for generic helpers, by a call: the inline allocation there made
    /// code 20-40 % larger for nothing, as it recurs at every such path);
    /// NULL if making it failed (the error is set).
    pub fn box_number(&mut self, kind: Unboxed, number: Value, allocation: Allocation) -> Value {
        match (kind, allocation) {
            (Unboxed::Int, _) => self.call("PyLong_FromLongLong", &[number]),
            (Unboxed::Float, Allocation::Inline) => ops::numeric::new_float(self, number),
            (Unboxed::Float, Allocation::Call) => self.call("PyFloat_FromDouble", &[number]),
        }
    }

    /// Boxes the unboxed number at `depth`, which becomes owned; raises the
    /// MemoryError if that fails, with the stack as it is (the failed item
    /// NULL, which unwinding skips; borrowed items given references of
    /// their own on that path, which unwinding drops).
    fn box_item(&mut self, depth: usize) {
        let Held::Number(kind) = self.held[depth] else { return };
        let object = self.b.use_var(self.stack[depth]);
        let number = self.b.use_var(self.numbers[depth][kind as usize]);
        let boxed = self.boxed(object, kind, number, Allocation::Inline);
        self.b.def_var(self.stack[depth], boxed);
        self.held[depth] = Held::Owned;
        self.stack_constants[depth] = None;
        let error = self.cold_block();
        let ok = self.b.create_block();
        self.b.ins().brif(boxed, ok, &[], error, &[]);
        self.b.switch_to_block(error);
        self.b.seal_block(error);
        let held = self.held.clone();
        self.own_stack_below(0);
        self.raise_here();
        self.held = held;
        self.b.switch_to_block(ok);
        self.b.seal_block(ok);
        self.reachable = true;
    }

    /// Gives every borrowed item below the top `operands` ones a reference
    /// of its own; unboxed numbers there stay unboxed.
    pub fn own_stack_below(&mut self, operands: usize) {
        if !self.counts_references() {
            return;
        }
        for d in 0..self.depth - operands {
            if self.held[d] == Held::Borrowed {
                self.held[d] = Held::Owned;
                let value = self.b.use_var(self.stack[d]);
                self.incref(value);
            }
        }
    }

    /// Boxes the item `n` places from the top (1 is the top) if it is an
    /// unboxed number.
    pub fn box_item_at(&mut self, n: usize) {
        self.box_item(self.depth - n);
    }

    /// Boxes the unboxed numbers among the top `operands` items.
    pub fn box_operands(&mut self, operands: usize) {
        for d in self.depth - operands..self.depth {
            self.box_item(d);
        }
    }

    /// Gives every item a reference of its own, boxing unboxed numbers.
    pub fn own_stack(&mut self) {
        self.own_stack_below(0);
        self.box_operands(self.depth);
    }

    /// The item `n` places from the top (1 is the top).
    pub fn peek(&mut self, n: usize) -> Value {
        self.stack_item(self.depth - n)
    }

    pub fn set_peek(&mut self, n: usize, value: Value) {
        self.b.def_var(self.stack[self.depth - n], value);
        self.stack_constants[self.depth - n] = None;
    }

    /// Exchanges the top item with the one `n` places from the top, each as
    /// it is held (borrowed, owned or an unboxed number).
    pub fn swap(&mut self, n: usize) {
        let (top, other) = (self.depth - 1, self.depth - n);
        let items = [top, other].map(|depth| {
            let number = match self.held[depth] {
                Held::Number(kind) => Some((kind, self.b.use_var(self.numbers[depth][kind as usize]))),
                Held::Owned | Held::Borrowed => None,
            };
            (self.b.use_var(self.stack[depth]), self.held[depth], number, self.stack_constants[depth])
        });
        for (depth, (value, held, number, constant)) in [other, top].into_iter().zip(items) {
            self.b.def_var(self.stack[depth], value);
            self.held[depth] = held;
            self.stack_constants[depth] = constant;
            if let Some((kind, number)) = number {
                self.b.def_var(self.numbers[depth][kind as usize], number);
            }
        }
    }

    // ---- calls into the runtime ---------------------------------------------

    /// Calls the runtime function `symbol` (its parameters have the types of
    /// `args`; the result is pointer-sized).
    pub fn call(&mut self, symbol: &'static str, args: &[Value]) -> Value {
        self.call_returning(symbol, args, self.ptr)
    }

    /// Calls the C function `symbol` (its parameters have the types of
    /// `args`) returning a value of type `returns`.
    pub fn call_returning(&mut self, symbol: &'static str, args: &[Value], returns: Type) -> Value {
        if let Some(bail) = self.bail {
            return self.bail_instead_of_call(bail, returns);
        }
        if self.calls_see_position {
            self.emit_prev_instr_store();
        }
        let func = match self.funcs.get(symbol) {
            Some(&f) => f,
            None => {
                debug_assert!(symbols::resolve(symbol).is_some(), "unknown runtime symbol {symbol}");
                let mut sig = self.signature(args);
                sig.returns[0] = AbiParam::new(returns);
                let id = self
                    .module
                    .declare_function(symbol, Linkage::Import, &sig)
                    .expect("runtime symbols are declared with one signature");
                let f = self.module.declare_func_in_func(id, self.b.func);
                self.funcs.insert(symbol, f);
                f
            }
        };
        let call = self.b.ins().call(func, args);
        self.b.inst_results(call)[0]
    }

    /// Calls the C function at `address` (a type slot, say); its parameters
    /// have the types of `args`, the result is pointer-sized.
    pub fn call_address(&mut self, address: Value, args: &[Value]) -> Value {
        if let Some(bail) = self.bail {
            return self.bail_instead_of_call(bail, self.ptr);
        }
        if self.calls_see_position {
            self.emit_prev_instr_store();
        }
        let sig = self.signature(args);
        let sig = self.b.import_signature(sig);
        let call = self.b.ins().call_indirect(sig, address, args);
        self.b.inst_results(call)[0]
    }

    /// In a frameless variant, a call into the runtime leaves through the
    /// bail block instead (a call may run code, raise or need the frame: the
    /// framed code makes it) and the lowering goes on in a block nothing
    /// reaches, where the call's result is a placeholder zero.
    fn bail_instead_of_call(&mut self, bail: Block, returns: Type) -> Value {
        self.b.ins().jump(bail, &[]);
        let unreached = self.b.create_block();
        self.b.switch_to_block(unreached);
        self.b.seal_block(unreached);
        if returns == types::F64 {
            self.b.ins().f64const(0.0)
        } else {
            self.b.ins().iconst(returns, 0)
        }
    }

    /// In a frameless variant, leaves through the bail block where code
    /// would make an object (the body could not release it on a later way
    /// out) and returns a placeholder; None elsewhere.
    pub fn bail_instead_of_object(&mut self) -> Option<Value> {
        let bail = self.bail?;
        Some(self.bail_instead_of_call(bail, self.ptr))
    }

    /// The stack slot of `frameless_block`, made on first use.
    fn frameless_block(&mut self) -> StackSlot {
        let words = crate::helpers::frames::FRAMELESS_BLOCK_WORDS as u32;
        *self.frameless_block.get_or_insert_with(|| {
            self.b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 8 * words, 3))
        })
    }

    /// Emits the frameless variant's bail block, after every way out that
    /// jumps to it: the attribute stores made are undone, last first, so
    /// that the call is given back with nothing changed.
    fn emit_bail_block(&mut self) {
        let Some(bail) = self.bail else { return };
        self.b.switch_to_block(bail);
        for store in std::mem::take(&mut self.undoable_stores).iter().rev() {
            let made = self.b.use_var(store.place);
            self.cold_if(made, |lw| lw.undo_store(store));
        }
        let null = self.iconst(0);
        self.b.ins().return_(&[null]);
    }

    /// Runs `body`'s code in cold blocks when `cond` is nonzero, and goes
    /// on in a cold block after it.
    fn cold_if(&mut self, cond: Value, body: impl FnOnce(&mut Self)) {
        let (then, next) = (self.cold_block(), self.cold_block());
        self.b.ins().brif(cond, then, &[], next, &[]);
        self.b.switch_to_block(then);
        self.b.seal_block(then);
        body(self);
        self.b.ins().jump(next, &[]);
        self.b.switch_to_block(next);
        self.b.seal_block(next);
    }

    /// STORE_ATTR's store of `value` at `place` (an instance's slot, or with
    /// `insertion`, the instance values `(values, index)` of its index):
    /// the attribute's old value, if any, released after. Setting a missing
    /// instance value (the first store to a new instance) records it in the
    /// values' insertion order, as STORE_ATTR_INSTANCE_VALUE does. Consumes
    /// `value`.
    ///
    /// A frameless variant holds no references, so the store takes one, and
    /// it must be undone if the call is given back later (`emit_bail_block`).
    /// Nothing may run code between the store and a return or an undo: an
    /// old value the store would free is an exact int, float or str, whose
    /// deallocation runs none, released at the return (so that an undo can
    /// put it back; `release_deferred`); any other the call is given back
    /// for, before the store.
    pub fn store_attribute(&mut self, place: Value, value: Value, insertion: Option<(Value, Value)>) {
        let old = self.load(place, 0);
        let Some(bail) = self.bail else {
            self.store(value, place, 0);
            match insertion {
                Some((values, index)) => {
                    let (replaced, added, stored) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
                    self.b.ins().brif(old, replaced, &[], added, &[]);
                    self.b.switch_to_block(added);
                    self.b.seal_block(added);
                    self.step_insertion_order(values, Some(index));
                    self.b.ins().jump(stored, &[]);
                    self.b.switch_to_block(replaced);
                    self.b.seal_block(replaced);
                    self.decref(old);
                    self.b.ins().jump(stored, &[]);
                    self.b.switch_to_block(stored);
                    self.b.seal_block(stored);
                }
                None => self.xdecref(old),
            }
            return;
        };
        let (replaced, added, stored) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
        let released = self.b.append_block_param(stored, self.ptr);
        let deferred = self.b.append_block_param(stored, self.ptr);
        let null = self.iconst(0);
        self.b.ins().brif(old, replaced, &[], added, &[]);
        self.b.switch_to_block(replaced);
        self.b.seal_block(replaced);
        let count = self.load(old, abi::OBJECT_REFCNT);
        let shared = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, count, 1);
        let (release, last) = (self.b.create_block(), self.cold_block());
        self.b.ins().brif(shared, release, &[], last, &[]);
        self.b.switch_to_block(release);
        self.b.seal_block(release);
        let count = self.b.ins().iadd_imm_s(count, -1);
        self.store(count, old, abi::OBJECT_REFCNT);
        self.b.ins().jump(stored, &[BlockArg::Value(old), BlockArg::Value(null)]);
        self.b.switch_to_block(last);
        self.b.seal_block(last);
        let ty = self.load(old, abi::OBJECT_TYPE);
        let mut freed_silently = None;
        for silent in ["PyLong_Type", "PyFloat_Type", "PyUnicode_Type"] {
            let address = self.data_address(silent);
            let same = self.b.ins().icmp(IntCC::Equal, ty, address);
            freed_silently = Some(freed_silently.map_or(same, |either| self.b.ins().bor(either, same)));
        }
        self.guard(freed_silently.expect("three types"), bail);
        self.b.ins().jump(stored, &[BlockArg::Value(null), BlockArg::Value(old)]);
        self.b.switch_to_block(added);
        self.b.seal_block(added);
        if let Some((values, index)) = insertion {
            self.step_insertion_order(values, Some(index));
        }
        self.b.ins().jump(stored, &[BlockArg::Value(null), BlockArg::Value(null)]);
        self.b.switch_to_block(stored);
        self.b.seal_block(stored);
        self.emit_incref(value);
        self.store(value, place, 0);
        let ptr = self.ptr;
        let record = |b: &mut FunctionBuilder, value: Value| {
            let variable = b.declare_var(ptr);
            b.def_var(variable, value);
            variable
        };
        let store = UndoableStore {
            place: record(&mut self.b, place),
            old: record(&mut self.b, old),
            released: record(&mut self.b, released),
            deferred: record(&mut self.b, deferred),
            value: record(&mut self.b, value),
            insertion: insertion.map(|(values, _)| record(&mut self.b, values)),
        };
        self.undoable_stores.push(store);
    }

    /// At a return of a frameless variant, after its last way out: the old
    /// values its attribute stores left to it released (see `store_attribute`).
    fn release_deferred(&mut self) {
        let bail = self.bail.take();
        for i in 0..self.undoable_stores.len() {
            let deferred = self.b.use_var(self.undoable_stores[i].deferred);
            self.xdecref(deferred);
        }
        self.bail = bail;
    }

    /// Undoes the attribute store `store` of a frameless variant, in its bail
    /// block: the old value back in its place, with the reference the store
    /// released (or the index the store added to the insertion order
    /// removed), and the stored value's reference released (its owner, an
    /// argument, a constant or an attribute, keeps it alive).
    fn undo_store(&mut self, store: &UndoableStore) {
        let (place, old, value) = (self.b.use_var(store.place), self.b.use_var(store.old), self.b.use_var(store.value));
        self.store(old, place, 0);
        let released = self.b.use_var(store.released);
        self.cold_if(released, |lw| lw.emit_incref(released));
        if let Some(values) = store.insertion {
            let missing = self.b.ins().icmp_imm_s(IntCC::Equal, old, 0);
            let values = self.b.use_var(values);
            self.cold_if(missing, |lw| lw.step_insertion_order(values, None));
        }
        let count = self.load(value, abi::OBJECT_REFCNT);
        let count = self.b.ins().iadd_imm_s(count, -1);
        self.store(count, value, abi::OBJECT_REFCNT);
    }

    /// `_PyDictValues_AddToInsertionOrder(values, index)` with an index, made
    /// inline: the size byte before the values (`abi::INSERTION_SIZE_BEFORE_VALUES`)
    /// grows by one and the index goes to the order byte that size names
    /// (the first at `abi::INSERTION_ORDER_BEFORE_VALUES`, the next below it);
    /// without one, the size shrinks back by one, dropping the index added last.
    fn step_insertion_order(&mut self, values: Value, index: Option<Value>) {
        let size_at = -(abi::INSERTION_SIZE_BEFORE_VALUES as i32);
        let size = self.b.ins().uload8(types::I32, flags(), values, size_at);
        let Some(index) = index else {
            let size = self.b.ins().iadd_imm_s(size, -1);
            self.b.ins().istore8(flags(), size, values, size_at);
            return;
        };
        let size = self.b.ins().iadd_imm_s(size, 1);
        self.b.ins().istore8(flags(), size, values, size_at);
        let size = self.b.ins().uextend(self.ptr, size);
        let order = self.b.ins().isub(values, size);
        self.b.ins().istore8(flags(), index, order, 1 - abi::INSERTION_ORDER_BEFORE_VALUES as i32);
    }

    /// Whether the code takes and drops references: not in a frameless
    /// variant, whose body holds none (see `Variant::Frameless`).
    pub fn counts_references(&self) -> bool {
        self.bail.is_none()
    }

    /// The signature of a C function taking `args` (by their IR types) and
    /// returning one pointer-sized value.
    fn signature(&self, args: &[Value]) -> Signature {
        let mut sig = self.module.make_signature();
        sig.params.extend(args.iter().map(|&arg| AbiParam::new(self.b.func.dfg.value_type(arg))));
        sig.returns.push(AbiParam::new(self.ptr));
        sig
    }

    /// The interpreter records each instruction in `frame->prev_instr` before
    /// running it; Python code it runs, and errors it raises, see that
    /// position (line numbers, tracebacks, `f_lasti`). The instruction being
    /// lowered can run code or raise: each call it makes (`call`,
    /// `call_address`) stores its position first (allocating functions too:
    /// tracemalloc records where each allocation happens), so fast paths
    /// that call nothing store nothing. Exits pass their position to the
    /// interpreter themselves.
    pub fn position_for_calls(&mut self) {
        self.calls_see_position = true;
    }

    /// Stores the current instruction in `frame->prev_instr`, where every
    /// path to the rest of the instruction passes (or the stored state is
    /// forgotten where paths join).
    fn store_prev_instr(&mut self) {
        if self.prev_instr_stored == Some(self.ins.index) {
            return;
        }
        self.emit_prev_instr_store();
        self.prev_instr_stored = Some(self.ins.index);
    }

    /// The address of code unit `index` (-1: before the first, where
    /// `prev_instr` points in a frame not yet started): one add to the code
    /// object, which x86-64 folds into a single `lea`.
    pub fn code_unit(&mut self, index: i64) -> Value {
        self.b.ins().iadd_imm_s(self.code, abi::CODE_CODE_ADAPTIVE as i64 + 2 * index)
    }

    /// The distance in bytes of `address` (a `prev_instr`) from the first
    /// code unit: `code_unit`'s inverse, times two.
    fn code_unit_offset(&mut self, address: Value) -> Value {
        let offset = self.b.ins().isub(address, self.code);
        self.b.ins().iadd_imm_s(offset, -(abi::CODE_CODE_ADAPTIVE as i64))
    }

    fn emit_prev_instr_store(&mut self) {
        let addr = self.code_unit(i64::from(self.ins.index));
        let frame = self.frame;
        self.store(addr, frame, abi::FRAME_PREV_INSTR);
    }

    // ---- reference counting -------------------------------------------------

    pub fn incref(&mut self, obj: Value) {
        if self.counts_references() {
            self.emit_incref(obj);
        }
    }

    fn emit_incref(&mut self, obj: Value) {
        let count = self.load(obj, abi::OBJECT_REFCNT);
        let count = self.b.ins().iadd_imm_s(count, 1);
        self.store(count, obj, abi::OBJECT_REFCNT);
    }

    pub fn decref(&mut self, obj: Value) {
        self.decref_with(obj, true);
    }

    /// `decref` leaving the frame's position as it is: a finalizer sees the
    /// instruction the caller stored (a call site's PRECALL, see
    /// `call_builtin`).
    pub fn decref_at_stored_position(&mut self, obj: Value) {
        self.decref_with(obj, false);
    }

    fn decref_with(&mut self, obj: Value, store_position: bool) {
        if !self.counts_references() {
            return;
        }
        let count = self.load(obj, abi::OBJECT_REFCNT);
        let count = self.b.ins().iadd_imm_s(count, -1);
        self.store(count, obj, abi::OBJECT_REFCNT);
        let dealloc = self.b.create_block();
        let done = self.b.create_block();
        self.b.set_cold_block(dealloc);
        self.b.ins().brif(count, done, &[], dealloc, &[]);
        self.b.switch_to_block(dealloc);
        self.b.seal_block(dealloc);
        // A finalizer may inspect this frame: make its position exact first.
        if store_position {
            self.emit_prev_instr_store();
        }
        self.call("_Py_Dealloc", &[obj]);
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(done);
        self.b.seal_block(done);
    }

    pub fn xdecref(&mut self, obj: Value) {
        self.xdecref_with(obj, true);
    }

    /// `xdecref` leaving the frame's position as it is (see
    /// `decref_at_stored_position`).
    pub fn xdecref_at_stored_position(&mut self, obj: Value) {
        self.xdecref_with(obj, false);
    }

    fn xdecref_with(&mut self, obj: Value, store_position: bool) {
        if !self.counts_references() || self.is_zero_constant(obj) {
            return;
        }
        let some = self.b.create_block();
        let done = self.b.create_block();
        self.b.ins().brif(obj, some, &[], done, &[]);
        self.b.switch_to_block(some);
        self.b.seal_block(some);
        self.decref_with(obj, store_position);
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(done);
        self.b.seal_block(done);
    }

    /// `Py_True` or `Py_False` (new reference) for a nonzero/zero `cond`.
    pub fn bool_object(&mut self, cond: Value) -> Value {
        let t = self.data_address("_Py_TrueStruct");
        let f = self.data_address("_Py_FalseStruct");
        let obj = self.b.ins().select(cond, t, f);
        self.incref(obj);
        obj
    }

    // ---- leaving compiled code ----------------------------------------------

    /// Where an exit of `shape` goes, and its arguments: the code unit
    /// `unit`, then the first `shape.spilled` stack items. That is the stub
    /// for exits of `shape` (see `stub`) or, when some of those items are
    /// unboxed numbers, a block of this exit's own that boxes them first
    /// (see `emit_boxing_stub`), which also takes the numbers.
    fn exit_stub(&mut self, shape: ExitShape, unit: Value) -> (Block, Vec<BlockArg>) {
        if let Some(bail) = self.bail {
            return (bail, Vec::new());
        }
        debug_assert!(!self.held[..shape.spilled].contains(&Held::Borrowed), "a borrowed item leaves compiled code");
        let mut args = vec![BlockArg::Value(unit)];
        args.extend((0..shape.spilled).map(|d| BlockArg::Value(self.b.use_var(self.stack[d]))));
        let numbers: Vec<(usize, Unboxed)> = (0..shape.spilled)
            .filter_map(|d| match self.held[d] {
                Held::Number(kind) => Some((d, kind)),
                Held::Owned | Held::Borrowed => None,
            })
            .collect();
        if numbers.is_empty() {
            return (self.stub(shape), args);
        }
        let boxing = self.cold_block();
        for _ in 0..=shape.spilled {
            self.b.append_block_param(boxing, self.ptr);
        }
        for &(d, kind) in &numbers {
            let variable = self.numbers[d][kind as usize];
            let number = self.b.use_var(variable);
            self.b.append_block_param(boxing, self.b.func.dfg.value_type(number));
            args.push(BlockArg::Value(number));
        }
        self.boxing_stubs.push((boxing, shape, numbers));
        (boxing, args)
    }

    /// The stub for exits of `shape`, created at its first use (emitted by
    /// `emit_exit_stubs`); it takes the code unit, then the first
    /// `shape.spilled` stack items, all boxed.
    fn stub(&mut self, shape: ExitShape) -> Block {
        match self.exit_stub_of.get(&shape) {
            Some(&(stub, created)) if self.lowered - created < STUB_REACH => stub,
            _ => {
                let stub = self.b.create_block();
                self.b.set_cold_block(stub);
                for _ in 0..=shape.spilled {
                    self.b.append_block_param(stub, self.ptr);
                }
                self.exit_stub_of.insert(shape, (stub, self.lowered));
                self.exit_stubs.push((shape, stub));
                stub
            }
        }
    }

    /// Emits `block`, which boxes the unboxed numbers among the stack items
    /// of an exit of `shape` (`numbers`: their depths and kinds, see
    /// `exit_stub`) and continues to the exit's stub. Should boxing fail,
    /// the item is NULL, which unwinding skips; an exit that would have
    /// resumed in the interpreter raises the MemoryError instead.
    fn emit_boxing_stub(&mut self, block: Block, shape: ExitShape, numbers: &[(usize, Unboxed)]) {
        self.b.switch_to_block(block);
        self.b.seal_block(block);
        self.reload_anchors();
        let params = self.b.block_params(block).to_vec();
        let (unit, items, unboxed) = (params[0], &params[1..=shape.spilled], &params[shape.spilled + 1..]);
        let mut args: Vec<BlockArg> = std::iter::once(unit).chain(items.iter().copied()).map(BlockArg::Value).collect();
        let mut failures = Vec::new();
        for (&(d, kind), &number) in numbers.iter().zip(unboxed) {
            let object = self.boxed(items[d], kind, number, Allocation::Call);
            failures.push(self.b.ins().icmp_imm_s(IntCC::Equal, object, 0));
            args[d + 1] = BlockArg::Value(object);
        }
        let stub = self.stub(shape);
        if !matches!(shape.kind, ExitKind::Resume | ExitKind::ResumeAfterFailedSpeculation) {
            self.b.ins().jump(stub, &args);
            return;
        }
        let failed = failures.into_iter().reduce(|a, b| self.b.ins().bor(a, b)).expect("an unboxed number");
        let raise = self.stub(ExitShape { kind: ExitKind::Raise, ..shape });
        self.b.ins().brif(failed, raise, &args, stub, &args);
    }

    /// Leaves through the stub of `shape` when `cond` is nonzero; continues
    /// in a new block otherwise.
    fn exit_if(&mut self, cond: Value, shape: ExitShape, unit: i64) {
        let unit = self.iconst(unit);
        let (stub, args) = self.exit_stub(shape, unit);
        let next = self.b.create_block();
        self.b.ins().brif(cond, stub, &args, next, &[]);
        self.b.switch_to_block(next);
        self.b.seal_block(next);
    }

    /// Leaves through the stub of `shape`. Ends the current block.
    fn exit_here(&mut self, shape: ExitShape, unit: i64) {
        let unit = self.iconst(unit);
        self.exit_at(shape, unit);
    }

    /// Leaves through the stub of `shape`, reporting code unit `unit`
    /// (computed at run time). Ends the current block.
    fn exit_at(&mut self, shape: ExitShape, unit: Value) {
        let (stub, args) = self.exit_stub(shape, unit);
        self.b.ins().jump(stub, &args);
    }

    /// Emits the body of every exit stub, after the rest of the function.
    fn emit_exit_stubs(&mut self) {
        for (block, shape, numbers) in std::mem::take(&mut self.boxing_stubs) {
            self.emit_boxing_stub(block, shape, &numbers);
        }
        for (shape, stub) in std::mem::take(&mut self.exit_stubs) {
            self.b.switch_to_block(stub);
            self.reload_anchors();
            let params = self.b.block_params(stub).to_vec();
            let (unit, items) = (params[0], &params[1..]);
            match shape.kind {
                ExitKind::Resume => self.exit_to_interpreter(items, shape.stack_depth, unit, 0),
                ExitKind::ResumeAfterFailedSpeculation => {
                    self.exit_to_interpreter(items, shape.stack_depth, unit, exits::AFTER_FAILED_SPECULATION as i64)
                }
                ExitKind::Raise => self.exit_to_interpreter(items, shape.stack_depth, unit, 1),
                ExitKind::Catch { handler, traceback, unwound_from } => {
                    let unwound_from = unwound_from.map(|index| self.iconst(i64::from(index)));
                    self.catch(handler, items, shape.stack_depth, unit, traceback, unwound_from)
                }
                ExitKind::RaiseReportedAt { unwound_from } => {
                    let unwound_from = self.iconst(i64::from(unwound_from));
                    self.hand_over(items, shape.stack_depth, "pyjit_raise_reported_at", unit, unwound_from)
                }
            }
        }
    }

    /// Emits, in the current block, the hand-over of the frame to CPython's
    /// interpreter, which finishes running it: the value stack's first items
    /// are written from `items`, the frame's stack top is `stack_depth` (items
    /// above `items` are already in the frame), and the interpreter continues
    /// after code unit `prev_index`, or unwinds the pending exception raised at
    /// `prev_index` when `throwflag` is 1.
    fn exit_to_interpreter(&mut self, items: &[Value], stack_depth: usize, prev_index: Value, throwflag: i64) {
        let throw = self.iconst(throwflag);
        self.hand_over(items, stack_depth, "pyjit_exit_to_interpreter", prev_index, throw);
    }

    /// Writes the value stack to the frame as `exit_to_interpreter` does and
    /// returns what `symbol(tstate, frame, unit, stacktop, last)`, which
    /// hands the frame to the interpreter, returns.
    fn hand_over(&mut self, items: &[Value], stack_depth: usize, symbol: &'static str, unit: Value, last: Value) {
        for (depth, &item) in items.iter().enumerate() {
            self.store_stack_item(depth, item);
        }
        let top = self.iconst(i64::from(self.info.nlocalsplus) + stack_depth as i64);
        let (tstate, frame) = (self.tstate, self.frame);
        let result = self.call(symbol, &[tstate, frame, unit, top, last]);
        self.return_from_exit(result);
    }

    /// Returns `value` from the compiled function through the return block
    /// its exits share, so that the epilogue (restoring the callee-saved
    /// registers) is emitted once for all of them instead of at each exit.
    /// (Returns and yields, on hot paths, keep their own.) Ends the current block.
    fn return_from_exit(&mut self, value: Value) {
        let block = match self.return_block {
            Some(block) => block,
            None => {
                let block = self.b.create_block();
                self.b.set_cold_block(block);
                self.b.append_block_param(block, self.ptr);
                self.return_block = Some(block);
                block
            }
        };
        self.b.ins().jump(block, &[BlockArg::Value(value)]);
    }

    /// Emits the exits' return block, after every exit that jumps to it.
    fn emit_return_block(&mut self) {
        if let Some(block) = self.return_block.take() {
            self.b.switch_to_block(block);
            let value = self.b.block_params(block)[0];
            self.b.ins().return_(&[value]);
        }
    }

    /// Continues the frame in the interpreter from the current instruction,
    /// with the whole value stack. Ends the current block.
    pub fn resume_in_interpreter(&mut self) {
        let depth = self.depth;
        let shape = ExitShape { kind: ExitKind::Resume, spilled: depth, stack_depth: depth };
        self.exit_here(shape, i64::from(self.ins.index) - 1);
        self.terminate();
    }

    /// If `failed` is nonzero, raise: the exception set by the runtime
    /// function is unwound from the current instruction, with `spilled` stack
    /// items from variables and `stack_depth` in all.
    pub fn raise_if_with_depth(&mut self, failed: Value, spilled: usize, stack_depth: usize) {
        let shape = self.unwind_shape(spilled, stack_depth);
        self.exit_if(failed, shape, i64::from(self.ins.index));
    }

    /// If `cond` is nonzero, calls the runtime function `symbol` (which sets
    /// the exception) and raises, with the current stack.
    pub fn raise_error_if(&mut self, cond: Value, symbol: &'static str, args: &[Value]) {
        let depth = self.depth;
        let shape = self.unwind_shape(depth, depth);
        self.raise_error_with_shape_if(cond, symbol, args, shape);
    }

    /// `raise_error_if` for an error in `second`, the instruction after the
    /// current one, which CPython 3.11 runs as one superinstruction with it
    /// (`bytecode::forms_superinstruction`): the error is reported at the
    /// current instruction (its traceback entry, `f_lasti`, a pushed
    /// `lasti`), where the interpreter's `prev_instr` is, and unwound from
    /// `second`, where its `exception_unwind` looks the handler up. Only
    /// when `can_raise_in_pair(second)`.
    pub fn raise_error_in_pair_if(&mut self, cond: Value, symbol: &'static str, args: &[Value], second: u32) {
        let depth = self.depth;
        let kind = match self.compiled_handler(second) {
            _ if self.same_handler(self.ins.index, second) => self.unwind_shape(depth, depth).kind,
            Some(handler) => {
                self.record_handler_entry(handler);
                ExitKind::Catch { handler, traceback: true, unwound_from: Some(second) }
            }
            None => ExitKind::RaiseReportedAt { unwound_from: second },
        };
        let shape = ExitShape { kind, spilled: depth, stack_depth: depth };
        self.raise_error_with_shape_if(cond, symbol, args, shape);
    }

    /// Whether `raise_error_in_pair_if` can raise an error in `second`: it
    /// is handled as the current instruction, by no handler, or by one that
    /// runs compiled.
    pub fn can_raise_in_pair(&self, second: u32) -> bool {
        self.same_handler(self.ins.index, second)
            || handler_at(&self.info.handlers, second).is_none()
            || self.compiled_handler(second).is_some()
    }

    fn raise_error_with_shape_if(&mut self, cond: Value, symbol: &'static str, args: &[Value], shape: ExitShape) {
        let error = self.b.create_block();
        let ok = self.b.create_block();
        self.b.set_cold_block(error);
        self.b.ins().brif(cond, error, &[], ok, &[]);
        self.b.switch_to_block(error);
        self.b.seal_block(error);
        self.store_prev_instr();
        self.call(symbol, args);
        self.exit_here(shape, i64::from(self.ins.index));
        self.b.switch_to_block(ok);
        self.b.seal_block(ok);
        // The error block stored prev_instr on a path that does not reach here.
        self.prev_instr_stored = None;
    }

    /// Raises unconditionally: the runtime function just called set the
    /// exception. Ends the current block.
    pub fn raise_here(&mut self) {
        let depth = self.depth;
        let shape = self.unwind_shape(depth, depth);
        self.exit_here(shape, i64::from(self.ins.index));
        self.terminate();
    }

    /// Raise if `result` is NULL, reporting the instruction the helper just
    /// called left in `frame->prev_instr` (`pyjit_call` leaves a call site's
    /// PRECALL there when CPython would have made the call from it).
    pub fn raise_if_null_at_prev_instr(&mut self, result: Value) {
        let failed = self.b.ins().icmp_imm_s(IntCC::Equal, result, 0);
        self.raise_at_prev_instr_if(failed);
    }

    /// `raise_if_null_at_prev_instr` for a failure `failed` signals.
    pub fn raise_at_prev_instr_if(&mut self, failed: Value) {
        let error = self.b.create_block();
        let ok = self.b.create_block();
        self.b.set_cold_block(error);
        self.b.ins().brif(failed, error, &[], ok, &[]);
        self.b.switch_to_block(error);
        self.b.seal_block(error);
        let prev_instr = self.load(self.frame, abi::FRAME_PREV_INSTR);
        let offset = self.code_unit_offset(prev_instr);
        let unit = self.b.ins().sshr_imm_u(offset, 1);
        let depth = self.depth;
        let shape = self.unwind_shape(depth, depth);
        self.exit_at(shape, unit);
        self.b.switch_to_block(ok);
        self.b.seal_block(ok);
    }

    /// How the exception the current instruction raised is unwound, with
    /// `spilled` stack items in variables and `stack_depth` in all: to the
    /// instruction's handler in this function, compiled (the traceback entry
    /// is added, the stack cut to the handler's depth, and the exception
    /// pushed, as the interpreter's `exception_unwind` does), or through the
    /// interpreter when the handler is not compiled, there is none (the
    /// exception leaves the frame), or a trace function must see the exception.
    fn unwind_shape(&mut self, spilled: usize, stack_depth: usize) -> ExitShape {
        let kind = match self.compiled_handler(self.ins.index) {
            Some(handler) => {
                self.record_handler_entry(handler);
                ExitKind::Catch { handler, traceback: true, unwound_from: None }
            }
            None => ExitKind::Raise,
        };
        ExitShape { kind, spilled, stack_depth }
    }

    /// RERAISE, after `pyjit_reraise` restored the exception: unwinds to the
    /// compiled `handler` without a new traceback entry, keeping the
    /// `prev_instr` RERAISE set, with the whole stack. Ends the current block.
    pub fn reraise_to(&mut self, handler: Handler) {
        let depth = self.depth;
        self.record_handler_entry(handler);
        let kind = ExitKind::Catch { handler, traceback: false, unwound_from: None };
        let shape = ExitShape { kind, spilled: depth, stack_depth: depth };
        self.exit_here(shape, i64::from(self.ins.index));
        self.terminate();
    }

    /// Calls `pyjit_catch` for `handler` for the exception raised at code
    /// unit `index`, with the stack's first items in `items` and
    /// `stack_depth` items in all, then jumps to the handler; when
    /// `pyjit_catch` declines (a trace function must see the exception, or
    /// allocating the index failed), the interpreter unwinds the exception
    /// from `unwound_from` (by default `index`) instead.
    fn catch(
        &mut self,
        handler: Handler,
        items: &[Value],
        stack_depth: usize,
        index: Value,
        traceback: bool,
        unwound_from: Option<Value>,
    ) {
        for (depth, &item) in items.iter().enumerate() {
            self.store_stack_item(depth, item);
        }
        let base = i64::from(self.info.nlocalsplus);
        let top = self.iconst(base + stack_depth as i64);
        let handler_top = self.iconst(base + i64::from(handler.depth));
        let push_lasti = self.iconst(i64::from(handler.push_lasti));
        // -1 keeps the `prev_instr` the re-raising instruction set.
        let lasti = if traceback { index } else { self.iconst(-1) };
        let traceback = self.iconst(i64::from(traceback));
        let (tstate, frame) = (self.tstate, self.frame);
        let caught = self.call("pyjit_catch", &[tstate, frame, lasti, top, handler_top, push_lasti, traceback]);
        let in_interpreter = self.b.create_block();
        let in_handler = self.b.create_block();
        self.b.set_cold_block(in_interpreter);
        self.b.ins().brif(caught, in_handler, &[], in_interpreter, &[]);
        self.b.switch_to_block(in_interpreter);
        self.b.seal_block(in_interpreter);
        self.exit_to_interpreter(items, stack_depth, unwound_from.unwrap_or(index), 1);
        self.b.switch_to_block(in_handler);
        self.b.seal_block(in_handler);
        self.enter_handler(handler);
    }

    /// Jumps to `handler` with the stack `pyjit_catch` left in the frame.
    fn enter_handler(&mut self, handler: Handler) {
        let depth = Self::handler_depth(handler);
        self.reload(0, depth);
        let block = self.blocks[&handler.target];
        self.b.ins().jump(block, &[]);
    }

    /// The stack depth at the start of `handler`: its base, the raising
    /// instruction's index if pushed, and the exception.
    fn handler_depth(handler: Handler) -> usize {
        (handler.depth + u32::from(handler.push_lasti) + 1) as usize
    }

    /// The handler of an exception raised at code unit `index`, when it can
    /// run compiled: lowering has not passed it yet, or passed it with the
    /// stack depth the handler expects.
    pub fn compiled_handler(&self, index: u32) -> Option<Handler> {
        let handler = *handler_at(&self.info.handlers, index)?;
        // The analysis gives every handler its depth, so the only question
        // is whether lowering can still emit it.
        let reachable = self.reached.contains(&handler.target) || !self.emitted.contains(&handler.target);
        reachable.then_some(handler)
    }

    /// Whether an exception raised at code unit `a` and one raised at `b`
    /// are handled alike (the same handler, or none).
    pub fn same_handler(&self, a: u32, b: u32) -> bool {
        let handling = |index| handler_at(&self.info.handlers, index).map(|h| (h.target, h.depth, h.push_lasti));
        handling(a) == handling(b)
    }

    /// Continues lowering in `block`, entered with the current stack.
    pub fn switch_to(&mut self, block: Block) {
        self.b.switch_to_block(block);
        self.reachable = true;
        self.prev_instr_stored = None;
    }

    /// Raise if `failed`, with the current stack.
    pub fn raise_if(&mut self, failed: Value) {
        let depth = self.depth;
        self.raise_if_with_depth(failed, depth, depth);
    }

    /// Raise if `result` is NULL.
    pub fn raise_if_null(&mut self, result: Value) {
        let failed = self.b.ins().icmp_imm_s(IntCC::Equal, result, 0);
        self.raise_if(failed);
    }

    /// Raise if the C status `result` is negative.
    pub fn raise_if_negative(&mut self, result: Value) {
        let failed = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, result, 0);
        self.raise_if(failed);
    }

    // ---- control flow -------------------------------------------------------

    /// Jumps to the instruction at `target`. Ends the current block.
    pub fn jump(&mut self, target: u32) -> Result<(), Unsupported> {
        self.own_stack();
        self.record_depth(target)?;
        let block = self.blocks[&target];
        self.b.ins().jump(block, &[]);
        self.terminate();
        Ok(())
    }

    /// Jumps to `target` when `cond` is nonzero, else falls through. A
    /// backward jump checks the eval breaker on the way, as the interpreter
    /// does.
    pub fn branch(&mut self, cond: Value, target: u32) -> Result<(), Unsupported> {
        self.own_stack();
        self.record_depth(target)?;
        let block = self.blocks[&target];
        let next = self.b.create_block();
        if target > self.ins.index {
            self.b.ins().brif(cond, block, &[], next, &[]);
        } else {
            let back_edge = self.b.create_block();
            self.b.ins().brif(cond, back_edge, &[], next, &[]);
            self.b.switch_to_block(back_edge);
            self.b.seal_block(back_edge);
            self.store_prev_instr();
            self.check_eval_breaker(target);
            self.b.ins().jump(block, &[]);
        }
        self.b.switch_to_block(next);
        self.b.seal_block(next);
        self.prev_instr_stored = None;
        Ok(())
    }

    /// Checks `interp->ceval.eval_breaker` (signals, pending calls, GIL drop
    /// requests, asynchronous exceptions) where the interpreter does: at
    /// function entry, on backward jumps and after calls. When only the
    /// interpreter can serve the request, the frame continues there at the
    /// instruction starting at `resume_at`, with the current stack.
    pub fn check_eval_breaker(&mut self, resume_at: u32) {
        // A frameless call runs no loop and calls nothing: its caller checks.
        if self.bail.is_some() {
            return;
        }
        let interp = self.load(self.tstate, abi::TSTATE_INTERP);
        let breaker = self.load_i32(interp, abi::INTERP_EVAL_BREAKER);
        let handle = self.b.create_block();
        let done = self.b.create_block();
        self.b.set_cold_block(handle);
        self.b.ins().brif(breaker, handle, &[], done, &[]);
        self.b.switch_to_block(handle);
        self.b.seal_block(handle);
        self.store_prev_instr();
        self.handle_eval_breaker(resume_at);
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(done);
        self.b.seal_block(done);
        self.prev_instr_stored = None;
    }

    /// Calls `pyjit_handle_eval_breaker` and acts on its answer.
    fn handle_eval_breaker(&mut self, resume_at: u32) {
        let tstate = self.tstate;
        let status = self.call("pyjit_handle_eval_breaker", &[tstate]);
        // 0: handled; negative: an exception (e.g. KeyboardInterrupt) was
        // raised; positive: only the interpreter can serve it (an asynchronous
        // exception), so the frame continues there at `resume_at`.
        let failed = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, status, 0);
        self.raise_if(failed);
        self.resume_in_interpreter_if(status, resume_at);
    }

    /// Pushes `result`, the current instruction's (an owned reference), and
    /// continues the frame in the interpreter after the instruction, with
    /// the whole value stack; `failed_speculation` when that is because the
    /// compiled code's speculation was wrong. Ends the current block; the
    /// stack is then as it was.
    pub fn resume_after_with(&mut self, result: Value, failed_speculation: bool) {
        self.push(result);
        let depth = self.depth;
        let kind = if failed_speculation { ExitKind::ResumeAfterFailedSpeculation } else { ExitKind::Resume };
        let shape = ExitShape { kind, spilled: depth, stack_depth: depth };
        self.exit_here(shape, i64::from(self.ins.next) - 1);
        self.terminate();
        self.depth -= 1;
        self.held[self.depth] = Held::Owned;
    }

    /// If `cond` is nonzero, the frame continues in the interpreter at the
    /// instruction starting at `resume_at`, with the current stack.
    fn resume_in_interpreter_if(&mut self, cond: Value, resume_at: u32) {
        let depth = self.depth;
        let shape = ExitShape { kind: ExitKind::Resume, spilled: depth, stack_depth: depth };
        self.exit_if(cond, shape, i64::from(resume_at) - 1);
    }

    /// The code object's warm-up count (`co_warmup`, see `warm_up`): 0
    /// once the code is quickened.
    fn warm_up_count(&mut self) -> Value {
        self.b.ins().sload16(types::I32, flags(), self.code, abi::CODE_WARMUP as i32)
    }

    /// Counts one step of the code object's warm-up (`co_warmup`, from -8 up
    /// to 0), where the interpreter's RESUME and JUMP_BACKWARD do. At 0 the
    /// code is quickened (`abi::quicken`), as the interpreter does: calls in
    /// compiled code then take the specialised paths (see
    /// `calls::call_from_precall`), and the interpreter, should it run this
    /// code later, runs it quickened.
    pub fn warm_up(&mut self) {
        // The framed code warms the code up (a frameless call is not a run of it).
        if self.bail.is_some() {
            return;
        }
        let warmup = self.warm_up_count();
        // Warmed-up code only reads the counter: no store on every loop turn.
        let step = self.b.create_block();
        let done = self.b.create_block();
        self.b.set_cold_block(step);
        self.b.ins().brif(warmup, step, &[], done, &[]);
        self.b.switch_to_block(step);
        self.b.seal_block(step);
        let warmup = self.b.ins().iadd_imm_s(warmup, 1);
        self.b.ins().istore16(flags(), warmup, self.code, abi::CODE_WARMUP as i32);
        let quicken = self.b.create_block();
        self.b.set_cold_block(quicken);
        self.b.ins().brif(warmup, done, &[], quicken, &[]);
        self.b.switch_to_block(quicken);
        self.b.seal_block(quicken);
        let code = self.code;
        self.call("pyjit_quicken", &[code]);
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(done);
        self.b.seal_block(done);
    }

    /// After a call, which can run any Python code: serves the eval breaker,
    /// and when the call switched tracing on (`sys.settrace`, `pdb.set_trace()`,
    /// `sys.setprofile`), continues the frame in the interpreter at
    /// `resume_at`, which alone produces trace and profile events.
    /// Both are tested with one branch, so that the common case adds one block, not four.
    pub fn check_after_call(&mut self, resume_at: u32) {
        // A frameless variant makes only calls that run no code (any other
        // gives the call back): its caller checks after it.
        if self.bail.is_some() {
            return;
        }
        let interp = self.load(self.tstate, abi::TSTATE_INTERP);
        let breaker = self.load_i32(interp, abi::INTERP_EVAL_BREAKER);
        let use_tracing = self.use_tracing();
        let either = self.b.ins().bor(breaker, use_tracing);
        let handle = self.b.create_block();
        let done = self.b.create_block();
        self.b.set_cold_block(handle);
        self.b.ins().brif(either, handle, &[], done, &[]);
        self.b.switch_to_block(handle);
        self.b.seal_block(handle);
        // With `calls_see_position` the helper's call stores it itself.
        if !self.calls_see_position {
            self.store_prev_instr();
        }
        // With the breaker not set this only runs pending calls, which is harmless.
        self.handle_eval_breaker(resume_at);
        let use_tracing = self.use_tracing();
        self.resume_in_interpreter_if(use_tracing, resume_at);
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(done);
        self.b.seal_block(done);
        self.prev_instr_stored = None;
    }

    /// The entry, among the first `bytecode::INLINE_WAYS` of the
    /// polymorphic cache `site`, whose word at `key_offset` is `key`;
    /// branches to `miss` when there is none.
    pub fn select_way(&mut self, site: Value, key_offset: usize, key: Value, miss: Block) -> Value {
        let hit = self.b.create_block();
        let entry = self.b.append_block_param(hit, self.ptr);
        for way in 0..bytecode::INLINE_WAYS {
            // Cranelift, without its optimizer, would add the first way's 0.
            let candidate =
                if way == 0 { site } else { self.b.ins().iadd_imm_s(site, (8 * way * bytecode::DATA_ENTRY_WORDS) as i64) };
            let cached = self.load(candidate, key_offset);
            let same = self.b.ins().icmp(IntCC::Equal, key, cached);
            if way + 1 == bytecode::INLINE_WAYS {
                self.b.ins().brif(same, hit, &[candidate.into()], miss, &[]);
            } else {
                // Only the first way stays with the hot code: most sites see
                // one type (or callee), and the others' probes would spread
                // it over more instruction cache lines.
                let next = self.cold_block();
                self.b.ins().brif(same, hit, &[candidate.into()], next, &[]);
                self.b.switch_to_block(next);
                self.b.seal_block(next);
            }
        }
        self.b.switch_to_block(hit);
        self.b.seal_block(hit);
        entry
    }

    /// Goes to `miss` when the thread's recursion budget is spent (where the
    /// interpreter would raise RecursionError); returns the budget
    /// (`tstate->recursion_remaining`).
    pub fn guard_below_recursion_limit(&mut self, miss: Block) -> Value {
        let remaining = self.load_i32(self.tstate, abi::TSTATE_RECURSION_REMAINING);
        let below_limit = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, remaining, 0);
        self.guard(below_limit, miss);
        remaining
    }

    /// Moves the thread's recursion budget by `levels` from what it is now
    /// (-1 enters a level, 1 leaves one), as `_Py_EnterRecursiveCallTstate`
    /// and `_Py_LeaveRecursiveCallTstate` do: a call in between may have
    /// moved it (`sys.setrecursionlimit` does, keeping the depth).
    pub fn move_recursion_budget(&mut self, levels: i64) {
        let tstate = self.tstate;
        let remaining = self.load_i32(tstate, abi::TSTATE_RECURSION_REMAINING);
        let moved = self.b.ins().iadd_imm_s(remaining, levels);
        self.b.ins().store(flags(), moved, tstate, abi::TSTATE_RECURSION_REMAINING as i32);
    }

    /// `tstate->cframe->use_tracing`: a trace or profile function is installed.
    fn use_tracing(&mut self) -> Value {
        let cframe = self.load(self.tstate, abi::TSTATE_CFRAME);
        self.b.ins().uload8(types::I32, flags(), cframe, abi::CFRAME_USE_TRACING as i32)
    }

    /// When a trace or profile function is installed, continues the frame in
    /// the interpreter at `resume_at`.
    pub fn check_tracing(&mut self, resume_at: u32) {
        let use_tracing = self.use_tracing();
        self.resume_in_interpreter_if(use_tracing, resume_at);
    }

    /// RETURN_VALUE: returns the top item, the frame left as the
    /// interpreter's RETURN_VALUE leaves it. A frameless variant returns a
    /// new reference to it (the body held none), or to the object it boxes
    /// an unboxed number in: the one object it makes, after every other way
    /// out, unless tracemalloc traces (it would record the allocation in
    /// the caller's frame). Should that allocation fail, the call is given
    /// back with the error set (`frames::run_frameless` clears it). Then the
    /// old values its attribute stores left to the return are released.
    /// Ends the current block.
    pub fn return_top(&mut self) {
        let Some(bail) = self.bail else {
            let value = self.pop();
            self.leave_with(value, 0);
            return;
        };
        let operand = self.pop_number();
        let result = match operand.number {
            None => {
                self.emit_incref(operand.value);
                operand.value
            }
            Some((kind, number)) => {
                let tracing = ops::numeric::tracemalloc_tracing(self);
                let untraced = self.b.ins().icmp_imm_s(IntCC::Equal, tracing, 0);
                self.guard(untraced, bail);
                self.bail = None;
                let boxed = self.boxed(operand.value, kind, number, Allocation::Inline);
                self.bail = Some(bail);
                let made = self.b.create_block();
                self.b.ins().brif(boxed, made, &[], bail, &[]);
                self.b.switch_to_block(made);
                self.b.seal_block(made);
                boxed
            }
        };
        self.release_deferred();
        self.b.ins().return_(&[result]);
        self.terminate();
    }

    /// Suspends the generator whose frame this is at the current
    /// instruction, yielding `value`: the value stack goes to the frame and
    /// the generator's state becomes suspended, as the interpreter's
    /// YIELD_VALUE leaves them (`gen_send_ex2` tells a yield from a return
    /// by that state alone). Ends the current block.
    pub fn suspend(&mut self, value: Value) {
        let depth = self.depth;
        self.spill(0, depth);
        // The generator object embeds the frame (`_PyFrame_GetGenerator`).
        let suspended = self.iconst(abi::GEN_FRAME_STATE_SUSPENDED as i64);
        let frame = self.frame;
        self.b.ins().istore8(flags(), suspended, frame, abi::GEN_FRAME_STATE as i32 - abi::GEN_IFRAME as i32);
        self.leave_with(value, depth);
    }

    /// Records that the generator's next resumption continues at the
    /// instruction after the current one, with the value sent pushed.
    pub fn resumes_at_next(&mut self) -> Result<(), Unsupported> {
        self.record_depth_at(self.ins.next, self.depth + 1)
    }

    /// Returns `value`, the frame's position the current instruction and its
    /// value stack the `stack_depth` items written to it. Ends the current block.
    fn leave_with(&mut self, value: Value, stack_depth: usize) {
        self.store_prev_instr();
        let top = self.b.ins().iconst(types::I32, i64::from(self.info.nlocalsplus) + stack_depth as i64);
        let frame = self.frame;
        self.b.ins().store(flags(), top, frame, abi::FRAME_STACKTOP as i32);
        self.b.ins().return_(&[value]);
        self.terminate();
    }

    /// What the interpreter observed at the current instruction (nothing
    /// with `Optimization::ProfileGuided` off).
    pub fn observed(&self) -> Observed {
        if !self.enabled.contains(Optimization::ProfileGuided) {
            return Observed::Nothing;
        }
        self.profile.at(self.ins.index)
    }

    /// The instruction after the current one.
    fn next_instr(&self) -> Option<&Instr> {
        let position = self.info.instrs.partition_point(|i| i.index <= self.ins.index);
        self.info.instrs.get(position)
    }

    /// Whether the current instruction lies in a loop: between a backward
    /// jump and the instruction it jumps to.
    pub fn in_loop(&self) -> bool {
        let at = self.ins.index;
        self.info.instrs.iter().any(|jump| {
            jump.index >= at
                && opcodes::opcode(jump.opcode).is_some_and(|o| o.jump == opcodes::Jump::Backward)
                && jump.jump_target().is_some_and(|target| target <= at)
        })
    }

    /// Whether `operand` is a float the lowering knows: an unboxed one no
    /// object stands for (`is_zero_constant`), or a float constant.
    pub fn is_known_float(&self, operand: &Operand) -> bool {
        match operand.number {
            Some((Unboxed::Float, _)) => self.is_zero_constant(operand.value),
            Some((Unboxed::Int, _)) => false,
            None => matches!(self.constant_number(operand.value), Some(ConstNumber::Float(_))),
        }
    }

    /// The local that the instruction after the current one, a STORE_FAST
    /// that no jump lands on, stores the current instruction's result in.
    pub fn result_stored_to_local(&self) -> Option<u32> {
        // A frameless variant's locals hold borrowed objects, which are
        // never to be reused.
        if !self.counts_references() {
            return None;
        }
        let next = self.next_instr()?;
        (next.opcode == abi::op::STORE_FAST && !self.blocks.contains_key(&next.start)).then_some(next.arg)
    }

    /// When the `count` instructions after the current one are STORE_FASTs
    /// of one code unit each that no jump lands on, the code unit of the
    /// first.
    pub fn local_stores_after(&self, count: usize) -> Option<u32> {
        let stores = self.info.instrs.get(self.position + 1..=self.position + count)?;
        let plain = stores.iter().all(|s| s.opcode == abi::op::STORE_FAST && s.start == s.index && !self.blocks.contains_key(&s.start));
        plain.then_some(stores[0].index)
    }

    /// The current instruction lowers the `count` after it too, leaving
    /// the stack as they would: the loop passes over them.
    pub fn absorb_next(&mut self, count: usize) {
        self.absorbed = count;
    }

    /// Whether the current instruction may be fused with `next`, the one
    /// after it: no other code jumps to `next`, and a frameless variant runs
    /// it (a backward jump gives the call back instead).
    fn may_fuse_with(&self, next: &Instr) -> bool {
        !self.blocks.contains_key(&next.start)
            && (self.bail.is_none() || self.info.runs_frameless(next))
    }

    /// The opcode of the instruction after the current one.
    pub fn next_opcode(&self) -> Option<u8> {
        self.next_instr().map(|i| i.opcode)
    }

    /// Fuses the current instruction with the conditional jump after it:
    /// returns the block where the current instruction's fast paths deliver
    /// the jump's condition (pointer-sized 0 or 1) instead of pushing a bool,
    /// while its other paths push the object the jump tests. None when other
    /// code jumps to the jump too: it starts a block of its own, or with
    /// `Optimization::FusedCompareJump` off.
    pub fn fuse_condition(&mut self) -> Option<Block> {
        let next = *self.next_instr()?;
        if !self.may_fuse_with(&next) || !self.apply(Optimization::FusedCompareJump) {
            return None;
        }
        let block = self.b.create_block();
        self.b.append_block_param(block, self.ptr);
        self.fused_condition = Some(block);
        Some(block)
    }

    /// Whether the current instruction, a BUILD_SLICE, leaves its bounds on
    /// the stack for the subscript, store or delete after it, which then
    /// takes them with its container and runs both instructions as one
    /// call that reports an error at whichever raised
    /// (`Optimization::SliceSubscripts`): not when other code jumps to the
    /// subscript, or an exception in it goes to another handler.
    pub fn fuse_slice(&mut self) -> bool {
        let Some(&next) = self.next_instr() else { return false };
        let subscript = matches!(next.opcode, abi::op::BINARY_SUBSCR | abi::op::STORE_SUBSCR | abi::op::DELETE_SUBSCR);
        let fused = subscript
            && !self.blocks.contains_key(&next.start)
            && self.same_handler(self.ins.index, next.index)
            && self.apply(Optimization::SliceSubscripts);
        self.fused_slice = fused.then_some(self.ins.arg);
        fused
    }

    /// Lowers the conditional jump after the current instruction, which
    /// would pop the bool the current one pushes, on `truth` (an integer,
    /// nonzero for True) instead, so that no bool is made; false,
    /// with nothing done, when the next instruction is no such jump, other
    /// code jumps to it too, or `Optimization::FusedCompareJump` is off.
    /// The jump is lowered as its own instruction (its position stored for
    /// a backward jump's eval-breaker check); the loop then passes over it.
    pub fn fuse_jump(&mut self, truth: Value) -> Result<bool, Unsupported> {
        let Some(&jump) = self.next_instr() else { return Ok(false) };
        let jump_if_true = match jump.opcode {
            abi::op::POP_JUMP_FORWARD_IF_TRUE | abi::op::POP_JUMP_BACKWARD_IF_TRUE => true,
            abi::op::POP_JUMP_FORWARD_IF_FALSE | abi::op::POP_JUMP_BACKWARD_IF_FALSE => false,
            _ => return Ok(false),
        };
        if !self.may_fuse_with(&jump) || !self.apply(Optimization::FusedCompareJump) {
            return Ok(false);
        }
        self.absorb_next(1);
        self.ins = jump;
        self.position += 1;
        self.b.set_srcloc(SourceLoc::new(jump.index));
        let cond = if jump_if_true { truth } else { self.b.ins().icmp_imm_s(IntCC::Equal, truth, 0) };
        self.branch(cond, jump.jump_target().expect("a conditional jump has a target"))?;
        Ok(true)
    }

    /// Whether the BUILD_SLICE before the current subscript left its bounds for it.
    pub fn fused_slice_pending(&self) -> bool {
        self.fused_slice.is_some()
    }

    /// The number of bounds the BUILD_SLICE before the current subscript
    /// left for it (`fuse_slice`), if it did.
    pub fn take_fused_slice(&mut self) -> Option<u32> {
        self.fused_slice.take()
    }

    /// The condition of a conditional jump whose popped value has the truth
    /// `truth`: merged with the fused condition of the instruction before
    /// it, if there is one.
    pub fn join_fused_condition(&mut self, truth: Value) -> Value {
        let Some(block) = self.fused_condition.take() else { return truth };
        self.b.ins().jump(block, &[truth.into()]);
        self.b.seal_block(block);
        self.switch_to(block);
        // The anchors may have been re-read on one of the paths only.
        self.reload_anchors();
        self.b.block_params(block)[0]
    }

    pub fn nlocalsplus(&self) -> u32 {
        self.info.nlocalsplus
    }

    /// Whether local slot `slot` is bound on every path to the current
    /// instruction, so reading it needs no unbound-local check.
    pub fn local_is_bound(&self, slot: u32) -> bool {
        self.local_is_bound_at(self.position, slot)
    }

    /// `local_is_bound` at the instruction at `position` in the code's instruction list.
    pub fn local_is_bound_at(&self, position: usize, slot: u32) -> bool {
        self.analysis.is_bound(position, slot)
    }

    /// Whether the code's warm-up is over (`co_warmup` 0) and the code
    /// quickened: compiled code then takes the interpreter's specialised
    /// behaviour.
    pub fn warmed_up(&mut self) -> Value {
        let warmup = self.warm_up_count();
        self.b.ins().icmp_imm_s(IntCC::Equal, warmup, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::catching_panics;

    #[test]
    fn a_caught_panic_says_what_and_where() {
        let caught = catching_panics(|| -> u32 { panic!("the register allocator gave up") }).unwrap_err();
        assert!(caught.contains("the register allocator gave up"), "{caught}");
        assert!(caught.contains("lowering.rs"), "{caught}");
        assert!(!caught.contains('\n'));
        assert_eq!(catching_panics(|| 7), Ok(7));
        // Outside, a panic is the process's again (the test harness's hook sees it).
        assert!(std::panic::catch_unwind(|| panic!("not caught here")).is_err());
    }
}
