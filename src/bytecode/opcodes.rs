//! Every CPython 3.11 opcode pyjit knows, defined once: how it uses the
//! value stack on each way out, whether it jumps, what it can do (raise,
//! run arbitrary Python code, end a block), which type profile CPython's
//! quickening records for it, and which lowering family compiles it. The
//! decoder, the stack-depth analysis and the lowering dispatch all read
//! this table (in the spirit of CPython 3.12's `bytecodes.c`).
//!
//! Stack effects are `(pops, pushes)` as functions of the argument; an
//! instruction that also uses items below the ones it consumes
//! (`LIST_APPEND` appends to the list `arg` below, `SWAP`) counts them as
//! popped and pushed again, so the effect also says how deep the stack must
//! be. `tests/test_opcode_table.py` checks every entry's net effect
//! against `dis.stack_effect`.

use crate::abi::op;

/// The lowering module that compiles an opcode (`codegen::ops`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Stack,
    Locals,
    Names,
    Attrs,
    Operators,
    Builders,
    Calls,
    Control,
    /// Only in generators and coroutines: suspending and resuming.
    Suspend,
}

/// Where an instruction's jump goes, relative to the next instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Jump {
    None,
    Forward,
    Backward,
}

/// The type profile CPython 3.11's quickening leaves in `co_code_adaptive`
/// for an opcode (its specialised form and inline cache).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    None,
    /// Specialised adaptively; the inline cache holds type or dict-keys
    /// versions and indexes.
    Adaptive,
}

/// What an instruction can do besides its stack effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flags(u16);

impl Flags {
    pub const NONE: Flags = Flags(0);
    /// Can raise an exception.
    pub const RAISES: Flags = Flags(1);
    /// Can run arbitrary Python code (and so observe or change anything).
    pub const RUNS_CODE: Flags = Flags(2 | 1);
    /// Never continues with the next instruction.
    pub const ENDS_BLOCK: Flags = Flags(4);
    /// Its lowering keeps an inline cache of one entry in the code's data
    /// block (`bytecode::data_slots`).
    pub const INLINE_CACHE: Flags = Flags(8);
    /// Its lowering keeps a polymorphic inline cache of `bytecode::CACHE_WAYS`
    /// entries (the first `bytecode::INLINE_WAYS`, all of them, checked in
    /// generated code).
    pub const POLYMORPHIC_CACHE: Flags = Flags(16);
    /// Its lowering may push a borrowed reference (a constant's or a bound
    /// local's) and leaves the items below as they are.
    pub const LENDS: Flags = Flags(32);
    /// Its lowering takes the items it pops borrowed or owned, as they are;
    /// the items below are owned or unboxed numbers (`Lowering::push_number`).
    /// Every other instruction finds the whole stack owned and boxed.
    pub const BORROWS: Flags = Flags(64);
    /// Suspends a generator's frame, which resumes at the next instruction
    /// with the value sent pushed.
    pub const SUSPENDS: Flags = Flags(128);
    /// With `BORROWS`: its lowering also takes unboxed numbers as they are
    /// (`Lowering::pop_number`), and the items below may stay unboxed.
    pub const NUMBERS: Flags = Flags(256);
    /// Its lowering in a frameless variant (`Variant::Frameless`,
    /// codegen/lowering.rs), which gives the call back wherever code would
    /// call the runtime or make an object, reads memory, the frame's header
    /// and its parameters and writes nothing but the frame, the code's data
    /// block and attributes it can restore when the call is given back
    /// later: a path of such instructions to a return may run without a
    /// frame (`bytecode::runs_frameless`).
    pub const FRAMELESS: Flags = Flags(512);

    const fn union(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }
    pub fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }
}

pub type StackEffect = fn(u32) -> (u32, u32);

/// One opcode's definition.
#[derive(Clone, Copy)]
pub struct Opcode {
    pub name: &'static str,
    pub family: Family,
    /// Items popped and pushed when the next instruction runs next.
    pub stack: StackEffect,
    pub jump: Jump,
    /// Items popped and pushed when the jump is taken (for jumping opcodes).
    pub jump_stack: StackEffect,
    pub flags: Flags,
    pub profile: Profile,
}

macro_rules! opcodes {
    ($arg:ident; $(
        $name:ident: ($pop:expr, $push:expr) $(jump $jump:ident ($jpop:expr, $jpush:expr))?,
            $family:ident $([$($flag:ident)|+])? $(, $profile:ident)?;
    )*) => {
        /// The definition of `opcode` (unquickened), or None for an opcode
        /// 3.11 does not have or pyjit does not know.
        pub fn opcode(opcode: u8) -> Option<Opcode> {
            DEFINITIONS[usize::from(opcode)]
        }

        /// `opcode`'s answers, looked up instead of built per call: the
        /// runtime asks for every instruction of every code object it watches.
        static DEFINITIONS: [Option<Opcode>; 256] = {
            let mut definitions = [None; 256];
            let mut opcode = 0;
            while opcode < 256 {
                definitions[opcode] = definition(opcode as u8);
                opcode += 1;
            }
            definitions
        };

        const fn definition(opcode: u8) -> Option<Opcode> {
            #[allow(unused_variables)]
            match opcode {
                $(op::$name => Some(Opcode {
                    name: stringify!($name),
                    family: Family::$family,
                    stack: |$arg| ($pop, $push),
                    jump: opcodes!(@jump $($jump)?),
                    jump_stack: opcodes!(@jump_stack $arg $(($jpop, $jpush))?),
                    flags: Flags::NONE $($(.union(Flags::$flag))+)?,
                    profile: opcodes!(@profile $($profile)?),
                }),)*
                _ => None,
            }
        }

        /// Every opcode in the table, by name.
        pub const ALL: &[(&str, u8)] = &[$((stringify!($name), op::$name)),*];
    };
    (@jump) => { Jump::None };
    (@jump $jump:ident) => { Jump::$jump };
    (@jump_stack $arg:ident) => { |_| (0, 0) };
    (@jump_stack $arg:ident ($pop:expr, $push:expr)) => { |$arg| ($pop, $push) };
    (@profile) => { Profile::None };
    (@profile $profile:ident) => { Profile::$profile };
}

opcodes! { arg;
    NOP: (0, 0), Stack [FRAMELESS];
    RESUME: (0, 0), Stack [FRAMELESS];
    POP_TOP: (1, 0), Stack [FRAMELESS];
    PUSH_NULL: (0, 1), Stack;
    COPY: (arg, arg + 1), Stack [FRAMELESS];
    SWAP: (arg, arg), Stack [BORROWS | NUMBERS | FRAMELESS];
    PRECALL: (0, 0), Stack [LENDS], Adaptive;

    LOAD_CONST: (0, 1), Locals [LENDS | FRAMELESS];
    LOAD_FAST: (0, 1), Locals [RAISES | LENDS | FRAMELESS];
    STORE_FAST: (1, 0), Locals [FRAMELESS];
    DELETE_FAST: (0, 0), Locals [RAISES];
    MAKE_CELL: (0, 0), Locals [RAISES];
    COPY_FREE_VARS: (0, 0), Locals;
    LOAD_CLOSURE: (0, 1), Locals;
    LOAD_DEREF: (0, 1), Locals [RAISES];
    STORE_DEREF: (1, 0), Locals;
    DELETE_DEREF: (0, 0), Locals [RAISES];
    LOAD_CLASSDEREF: (0, 1), Locals [RUNS_CODE];

    LOAD_NAME: (0, 1), Names [RUNS_CODE];
    STORE_NAME: (1, 0), Names [RUNS_CODE];
    DELETE_NAME: (0, 0), Names [RUNS_CODE];
    LOAD_GLOBAL: (0, 1 + (arg & 1)), Names [RUNS_CODE | INLINE_CACHE | FRAMELESS], Adaptive;
    STORE_GLOBAL: (1, 0), Names [RUNS_CODE];
    DELETE_GLOBAL: (0, 0), Names [RUNS_CODE];
    IMPORT_NAME: (2, 1), Names [RUNS_CODE];
    IMPORT_FROM: (1, 2), Names [RUNS_CODE];
    IMPORT_STAR: (1, 0), Names [RUNS_CODE];
    SETUP_ANNOTATIONS: (0, 0), Names [RUNS_CODE];
    LOAD_BUILD_CLASS: (0, 1), Names [RAISES];
    LOAD_ASSERTION_ERROR: (0, 1), Names;
    PRINT_EXPR: (1, 0), Names [RUNS_CODE];

    LOAD_ATTR: (1, 1), Attrs [RUNS_CODE | POLYMORPHIC_CACHE | BORROWS | FRAMELESS], Adaptive;
    STORE_ATTR: (2, 0), Attrs [RUNS_CODE | POLYMORPHIC_CACHE | BORROWS | FRAMELESS], Adaptive;
    DELETE_ATTR: (1, 0), Attrs [RUNS_CODE];
    LOAD_METHOD: (1, 2), Attrs [RUNS_CODE | POLYMORPHIC_CACHE | FRAMELESS], Adaptive;

    BINARY_OP: (2, 1), Operators [RUNS_CODE | BORROWS | NUMBERS | FRAMELESS], Adaptive;
    UNARY_POSITIVE: (1, 1), Operators [RUNS_CODE];
    UNARY_NEGATIVE: (1, 1), Operators [RUNS_CODE];
    UNARY_INVERT: (1, 1), Operators [RUNS_CODE];
    UNARY_NOT: (1, 1), Operators [RUNS_CODE | FRAMELESS];
    COMPARE_OP: (2, 1), Operators [RUNS_CODE | BORROWS | NUMBERS | FRAMELESS], Adaptive;
    IS_OP: (2, 1), Operators [BORROWS | FRAMELESS];
    CONTAINS_OP: (2, 1), Operators [RUNS_CODE];
    BINARY_SUBSCR: (2, 1), Operators [RUNS_CODE | BORROWS | NUMBERS | FRAMELESS], Adaptive;
    STORE_SUBSCR: (3, 0), Operators [RUNS_CODE | BORROWS | NUMBERS], Adaptive;
    DELETE_SUBSCR: (2, 0), Operators [RUNS_CODE];
    BUILD_SLICE: (arg, 1), Operators [RAISES];

    BUILD_TUPLE: (arg, 1), Builders [RAISES];
    BUILD_LIST: (arg, 1), Builders [RAISES];
    BUILD_SET: (arg, 1), Builders [RUNS_CODE];
    BUILD_MAP: (arg.saturating_mul(2), 1), Builders [RUNS_CODE];
    BUILD_CONST_KEY_MAP: (arg + 1, 1), Builders [RUNS_CODE];
    BUILD_STRING: (arg, 1), Builders [RAISES];
    LIST_APPEND: (arg + 1, arg), Builders [RAISES];
    SET_ADD: (arg + 1, arg), Builders [RUNS_CODE];
    MAP_ADD: (arg + 2, arg), Builders [RUNS_CODE];
    LIST_EXTEND: (arg + 1, arg), Builders [RUNS_CODE];
    SET_UPDATE: (arg + 1, arg), Builders [RUNS_CODE];
    DICT_MERGE: (arg + 1, arg), Builders [RUNS_CODE];
    DICT_UPDATE: (arg + 1, arg), Builders [RUNS_CODE];
    LIST_TO_TUPLE: (1, 1), Builders [RAISES];
    FORMAT_VALUE: (1 + u32::from(arg & 0x04 != 0), 1), Builders [RUNS_CODE];
    UNPACK_SEQUENCE: (1, arg), Builders [RUNS_CODE | BORROWS], Adaptive;
    UNPACK_EX: (1, (arg & 0xFF) + (arg >> 8) + 1), Builders [RUNS_CODE];

    KW_NAMES: (0, 0), Calls;
    CALL: (arg + 2, 1), Calls [RUNS_CODE | POLYMORPHIC_CACHE | BORROWS | NUMBERS], Adaptive;
    CALL_FUNCTION_EX: (3 + (arg & 1), 1), Calls [RUNS_CODE];
    MAKE_FUNCTION: (1 + (arg & 0x0F).count_ones(), 1), Calls [RAISES];

    JUMP_FORWARD: (0, 0) jump Forward (0, 0), Control [ENDS_BLOCK | FRAMELESS];
    JUMP_BACKWARD: (0, 0) jump Backward (0, 0), Control [RUNS_CODE | ENDS_BLOCK];
    JUMP_BACKWARD_NO_INTERRUPT: (0, 0) jump Backward (0, 0), Control [ENDS_BLOCK];
    POP_JUMP_FORWARD_IF_FALSE: (1, 0) jump Forward (1, 0), Control [RUNS_CODE | BORROWS | FRAMELESS];
    POP_JUMP_FORWARD_IF_TRUE: (1, 0) jump Forward (1, 0), Control [RUNS_CODE | BORROWS | FRAMELESS];
    POP_JUMP_FORWARD_IF_NONE: (1, 0) jump Forward (1, 0), Control [BORROWS | FRAMELESS];
    POP_JUMP_FORWARD_IF_NOT_NONE: (1, 0) jump Forward (1, 0), Control [BORROWS | FRAMELESS];
    POP_JUMP_BACKWARD_IF_FALSE: (1, 0) jump Backward (1, 0), Control [RUNS_CODE | BORROWS];
    POP_JUMP_BACKWARD_IF_TRUE: (1, 0) jump Backward (1, 0), Control [RUNS_CODE | BORROWS];
    POP_JUMP_BACKWARD_IF_NONE: (1, 0) jump Backward (1, 0), Control [RUNS_CODE | BORROWS];
    POP_JUMP_BACKWARD_IF_NOT_NONE: (1, 0) jump Backward (1, 0), Control [RUNS_CODE | BORROWS];
    JUMP_IF_FALSE_OR_POP: (1, 0) jump Forward (1, 1), Control [RUNS_CODE | FRAMELESS];
    JUMP_IF_TRUE_OR_POP: (1, 0) jump Forward (1, 1), Control [RUNS_CODE | FRAMELESS];
    GET_ITER: (1, 1), Control [RUNS_CODE];
    GET_AITER: (1, 1), Control [RUNS_CODE];
    FOR_ITER: (1, 2) jump Forward (1, 0), Control [RUNS_CODE];
    RETURN_VALUE: (1, 0), Control [ENDS_BLOCK | BORROWS | NUMBERS | FRAMELESS];
    RAISE_VARARGS: (arg, 0), Control [RUNS_CODE | ENDS_BLOCK];
    RERAISE: (1, 0), Control [RAISES | ENDS_BLOCK];
    PUSH_EXC_INFO: (1, 2), Control;
    POP_EXCEPT: (1, 0), Control [RUNS_CODE];
    CHECK_EXC_MATCH: (2, 2), Control [RUNS_CODE];
    CHECK_EG_MATCH: (2, 2), Control [RUNS_CODE];
    PREP_RERAISE_STAR: (2, 1), Control [RUNS_CODE];
    WITH_EXCEPT_START: (4, 5), Control [RUNS_CODE];
    BEFORE_WITH: (1, 2), Control [RUNS_CODE];
    GET_LEN: (1, 2), Control [RUNS_CODE];
    MATCH_MAPPING: (1, 2), Control;
    MATCH_SEQUENCE: (1, 2), Control;
    MATCH_KEYS: (2, 3), Control [RUNS_CODE];
    MATCH_CLASS: (3, 1), Control [RUNS_CODE];

    // Pushes, for the instruction after it, the value the first resumption
    // sends (CPython's compiler adds the pair RETURN_GENERATOR, POP_TOP
    // after computing stack depths, so `dis` counts 0).
    RETURN_GENERATOR: (0, 1), Suspend [RAISES | SUSPENDS];
    YIELD_VALUE: (1, 1), Suspend [RUNS_CODE | SUSPENDS];
    SEND: (2, 2) jump Forward (2, 1), Suspend [RUNS_CODE];
    GET_YIELD_FROM_ITER: (1, 1), Suspend [RUNS_CODE];
    GET_AWAITABLE: (1, 1), Suspend [RUNS_CODE];
    GET_ANEXT: (1, 2), Suspend [RUNS_CODE];
    BEFORE_ASYNC_WITH: (1, 2), Suspend [RUNS_CODE];
    END_ASYNC_FOR: (2, 0), Suspend [RUNS_CODE];
    ASYNC_GEN_WRAP: (1, 1), Suspend [RAISES];
}

/// The opcode's name, for messages.
pub fn name(code: u8) -> String {
    opcode(code).map_or_else(|| format!("<{code}>"), |o| o.name.to_owned())
}
