//! Decoding CPython 3.11 bytecode: instructions with their arguments and
//! jump targets, and the exception table that maps them to their handlers.
//!
//! pyjit always decodes the de-quickened bytecode (`co_code`), never
//! `co_code_adaptive`, so the specialising interpreter's rewrites never leak
//! into compiled code. Indices are in code units (2 bytes), as CPython's
//! `prev_instr` arithmetic uses them.

pub mod opcodes;

use crate::abi::{self, op, DEOPT, INLINE_CACHE_UNITS};
use opcodes::{Flags, Jump};
use pyo3::ffi::{self, PyCodeObject, PyObject};
use std::collections::BTreeMap;
use std::ffi::CStr;
use std::sync::Mutex;

/// One instruction, with `EXTENDED_ARG` prefixes folded into `arg`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instr {
    /// Code-unit index where the instruction starts (its first
    /// `EXTENDED_ARG`, if any): where jumps to it land.
    pub start: u32,
    /// Code-unit index of the opcode itself (after any `EXTENDED_ARG`).
    pub index: u32,
    pub opcode: u8,
    pub arg: u32,
    /// Code-unit index of the next instruction (past the inline caches).
    pub next: u32,
}

impl Instr {
    /// Where the instruction jumps, for the jumping opcodes.
    pub fn jump_target(&self) -> Option<u32> {
        match opcodes::opcode(self.opcode)?.jump {
            Jump::None => None,
            Jump::Forward => Some(self.next + self.arg),
            Jump::Backward => Some(self.next - self.arg),
        }
    }
}

/// Whether CPython 3.11's quickening makes a superinstruction of `first`
/// followed by `second` (`abi::superinstruction`): the interpreter then runs
/// both at `first`'s dispatch, with `prev_instr` on `first` (where an error
/// in `second` is reported). An `EXTENDED_ARG` before `second`
/// breaks the pair (it is then the opcode before `second`).
pub fn forms_superinstruction(first: &Instr, second: &Instr) -> bool {
    first.next == second.start
        && second.start == second.index
        && crate::abi::superinstruction(first.opcode, second.opcode).is_some()
}

/// Decodes `co_code` into instructions.
pub fn decode(code: &[u8]) -> Vec<Instr> {
    let units = code.len() / 2;
    let mut instrs = Vec::with_capacity(units);
    let mut i = 0;
    let mut extended: u32 = 0;
    let mut start = 0;
    while i < units {
        let opcode = code[2 * i];
        let arg = extended | u32::from(code[2 * i + 1]);
        let next = i + 1 + usize::from(INLINE_CACHE_UNITS[usize::from(opcode)]);
        if opcode == op::EXTENDED_ARG {
            extended = arg << 8;
        } else {
            extended = 0;
            instrs.push(Instr { start: start as u32, index: i as u32, opcode, arg, next: next as u32 });
            start = next;
        }
        i = next;
    }
    instrs
}

/// One row of a code object's exception table (`co_exceptiontable`): an
/// exception raised by an instruction in `start..end` is handled at
/// `target`, with the value stack cut to `depth` items, then the raising
/// instruction's index pushed if `push_lasti`, then the exception.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Handler {
    pub start: u32,
    pub end: u32,
    pub target: u32,
    pub depth: u32,
    pub push_lasti: bool,
}

/// The row of the exception table that handles an exception raised at code
/// unit `index`, as CPython's `get_exception_handler` finds it (the rows are
/// sorted and disjoint, so a binary search).
pub fn handler_at(handlers: &[Handler], index: u32) -> Option<&Handler> {
    let after = handlers.partition_point(|h| h.start <= index);
    handlers[..after].last().filter(|h| index < h.end)
}

/// Decodes `co_exceptiontable` (format: CPython's
/// `Objects/exception_handling_notes.txt`): per row four varints, start,
/// length, target and `depth << 1 | lasti`, each in 6-bit groups, most
/// significant first, bit 6 set on every group but the last; bit 7 marks the
/// first byte of a row. Returns None for a malformed table.
pub fn exception_table(table: &[u8]) -> Option<Vec<Handler>> {
    let mut bytes = table.iter().copied();
    let mut varint = || -> Option<u32> {
        let mut byte = bytes.next()?;
        let mut value = u32::from(byte & 63);
        while byte & 64 != 0 {
            byte = bytes.next()?;
            value = value.checked_mul(64)? | u32::from(byte & 63);
        }
        Some(value)
    };
    let mut handlers = Vec::new();
    while let Some(start) = varint() {
        let length = varint()?;
        let target = varint()?;
        let depth_lasti = varint()?;
        handlers.push(Handler {
            start,
            end: start.checked_add(length)?,
            target,
            depth: depth_lasti >> 1,
            push_lasti: depth_lasti & 1 != 0,
        });
    }
    Some(handlers)
}

/// The de-quickened bytecode (`co_code`) of the live code object `code`, as
/// `_PyCode_GetCode` makes it (every opcode to its base form, inline caches
/// zeroed) but without the bytes object CPython would keep on the code
/// object for its lifetime.
pub fn co_code(code: *mut PyCodeObject) -> Vec<u8> {
    let mut bytes = Vec::new();
    extend_with_co_code(&mut bytes, code);
    bytes
}

/// Appends `co_code` of the live code object `code` to `out`. Until the
/// interpreter quickens a code object (its warm-up count, `co_warmup`,
/// reaches 0; at a code object's first run it has not) `co_code_adaptive`
/// holds the bytecode as compiled, copied as it is.
pub fn extend_with_co_code(out: &mut Vec<u8>, code: *mut PyCodeObject) {
    // SAFETY: `code` is live (callers hold a reference) and nothing runs while it is read.
    let units = unsafe { abi::code_adaptive(code) };
    // SAFETY: as above; `co_warmup` is a 16-bit field of the code object.
    if unsafe { abi::read_field::<i16>(code.cast(), abi::CODE_WARMUP) } != 0 {
        out.extend(units.iter().flat_map(|unit| unit.to_le_bytes()));
    } else {
        extend_dequickened(out, units);
    }
}

/// Appends the de-quickened bytecode of the code units `units` (see `co_code`) to `out`.
fn extend_dequickened(out: &mut Vec<u8>, units: &[u16]) {
    let start = out.len();
    out.resize(start + 2 * units.len(), 0);
    let bytes = &mut out[start..];
    for (index, base) in instruction_starts(units) {
        bytes[2 * index] = base;
        bytes[2 * index + 1] = units[index].to_le_bytes()[1];
    }
}

/// The instructions of `units` (the code units of `co_code_adaptive`, or of a profile;
/// opcode in the low byte): each one's code-unit index and base opcode, the inline
/// caches that follow it skipped.
pub fn instruction_starts(units: &[u16]) -> impl Iterator<Item = (usize, u8)> + '_ {
    let mut index = 0;
    std::iter::from_fn(move || {
        let start = index;
        let base = DEOPT[usize::from(units.get(start)?.to_le_bytes()[0])];
        index += 1 + usize::from(INLINE_CACHE_UNITS[usize::from(base)]);
        Some((start, base))
    })
}

/// Words of one inline-cache entry in the data block.
pub const DATA_ENTRY_WORDS: usize = 4;

/// Entries of a polymorphic inline cache (`opcodes::Flags::POLYMORPHIC_CACHE`).
pub const CACHE_WAYS: usize = 4;

/// The entries of a polymorphic cache that generated code checks itself
/// (the first ones; its slow path checks the rest before any lookup): all
/// of them, since sites that meet several types (subclasses sharing a
/// method's code, say) are common enough that a call per hit costs more than
/// the larger code (richards: 19 % fewer instructions per iteration, 3.6 %
/// more native code over a stdlib workload).
pub const INLINE_WAYS: usize = CACHE_WAYS;

/// The words of data block an instruction's inline cache takes (0 for none).
fn cache_words(opcode: u8) -> usize {
    match opcodes::opcode(opcode).map(|o| o.flags) {
        Some(flags) if flags.contains(opcodes::Flags::POLYMORPHIC_CACHE) => CACHE_WAYS * DATA_ENTRY_WORDS,
        Some(flags) if flags.contains(opcodes::Flags::INLINE_CACHE) => DATA_ENTRY_WORDS,
        _ => 0,
    }
}

/// The word of the data block that counts the runs of the code's inline-cache
/// slow paths (`pyjit.info(f)["cache_misses"]`); the caches follow it.
pub const DATA_MISS_COUNT: usize = 0;

/// The instructions whose lowering keeps an inline cache in the code's data
/// block, each with the word offset of its cache: in code order, so the
/// layout follows from the bytecode alone and cached code finds the same
/// layout in another process.
pub fn data_slots(instrs: &[Instr]) -> impl Iterator<Item = (u32, usize)> + '_ {
    instrs.iter().filter(|ins| cache_words(ins.opcode) > 0).scan(DATA_MISS_COUNT + 1, |offset, ins| {
        let slot = (ins.index, *offset);
        *offset += cache_words(ins.opcode);
        Some(slot)
    })
}

/// The size in words of the data block of code with the instructions whose (base)
/// opcodes are `opcodes`; `EXTENDED_ARG` prefixes may be among them (they have no cache).
pub fn data_words(opcodes: impl IntoIterator<Item = u8>) -> usize {
    DATA_MISS_COUNT + 1 + opcodes.into_iter().map(cache_words).sum::<usize>()
}

/// What the compiler needs to know about a code object.
pub struct CodeInfo {
    pub instrs: Vec<Instr>,
    pub handlers: Vec<Handler>,
    pub nlocalsplus: u32,
    pub stacksize: u32,
    /// Local slots bound when a frame starts (the arguments).
    pub bound_at_entry: u32,
    /// The `co_names` indexes naming a builtin that CPython 3.11's
    /// specialising interpreter calls by the callable's identity, each with
    /// the specialised PRECALL such a call becomes (see `CALLED_BY_IDENTITY`).
    pub builtin_names: Vec<(u32, u8)>,
    /// The `co_names` indexes naming one of `MathFunction`'s functions.
    pub math_names: Vec<(u32, MathFunction)>,
    /// Code a call may run without a frame (see `Variant::Frameless`,
    /// codegen/lowering.rs): a plain function (no generator or coroutine, no
    /// cell or free variable, no exception handler) whose locals and value
    /// stack fit in `FRAMELESS_SLOTS`, and which can return by instructions
    /// the variant runs (`runs_frameless`) alone; at any other the variant
    /// gives the call back.
    pub frameless: bool,
    /// Whether its calls are all of builtins made inline
    /// (`calls_only_inline_builtins`), which a frameless variant runs.
    pub inline_calls_only: bool,
    /// The `co_consts` indexes holding an exact int of at most one digit or
    /// an exact float, with its value (see `Optimization::ConstantOperands`).
    pub number_consts: Vec<(u32, ConstNumber)>,
    /// The `co_names` indexes naming a function that calls can run without a
    /// frame (`note_callee_without_frame`), each with whether every such
    /// function is trivial.
    pub callee_without_frame_names: Vec<(u32, bool)>,
    /// The PRECALL and CALL instructions (their `index`) of the calls a
    /// frameless variant makes (`calls_without_frame`).
    pub calls_without_frame: Vec<u32>,
    /// The CALL instructions (their position in `instrs`) whose result an
    /// `await` takes at once (`awaited_calls`).
    pub awaited_calls: Vec<u32>,
}

/// A number in `co_consts`, whose value compiled code may use as it is: a
/// code object's constants never change, and its key in the code cache
/// covers them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ConstNumber {
    /// An exact int of at most one 30-bit digit, as an unboxed int holds it.
    Int(i64),
    /// An exact float.
    Float(f64),
}

/// The most parameters and value-stack items of a frameless call, whose
/// frame-shaped block the caller keeps on its C stack.
pub const FRAMELESS_SLOTS: u32 = 16;

impl CodeInfo {
    /// The specialised PRECALL of a call of the builtin that `co_names[name]`
    /// names, if it is one of `CALLED_BY_IDENTITY`.
    pub fn builtin_precall(&self, name: u32) -> Option<u8> {
        self.builtin_names.iter().find(|&&(index, _)| index == name).map(|&(_, precall)| precall)
    }

    /// The math module function that `co_names[name]` names, if it is one
    /// of `MathFunction`'s.
    pub fn math_function(&self, name: u32) -> Option<MathFunction> {
        self.math_names.iter().find(|&&(index, _)| index == name).map(|&(_, function)| function)
    }

    /// Whether `co_names[name]` is the name of a function calls can run
    /// without a frame (`callee_without_frame_names`).
    pub fn names_callee_without_frame(&self, name: u32) -> bool {
        self.callee_without_frame_names.iter().any(|&(index, _)| index == name)
    }

    /// Whether a frameless variant of this code runs `ins` (`runs_frameless`).
    pub fn runs_frameless(&self, ins: &Instr) -> bool {
        runs_frameless(ins, self.inline_calls_only, &self.calls_without_frame)
    }

    /// The number `co_consts[index]` is, if it is one of `number_consts`.
    pub fn const_number(&self, index: u32) -> Option<ConstNumber> {
        self.number_consts.iter().find(|&&(i, _)| i == index).map(|&(_, number)| number)
    }
}

/// Functions of the `math` module that compiled code computes itself, with
/// the C library function each calls on a float: those whose result is an
/// error only when the argument or the result is not finite (`math_1` in
/// CPython 3.11's mathmodule.c, with no finite result the C library flags
/// as an overflow), so that a finite result from a finite argument is the
/// function's result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MathFunction {
    Sqrt,
    Fabs,
    Sin,
    Cos,
    Tan,
    Atan,
    Exp,
}

impl MathFunction {
    /// Every one, in the order of the table of their C functions
    /// (`helpers::math`).
    pub const ALL: [MathFunction; 7] = [
        MathFunction::Sqrt,
        MathFunction::Fabs,
        MathFunction::Sin,
        MathFunction::Cos,
        MathFunction::Tan,
        MathFunction::Atan,
        MathFunction::Exp,
    ];

    /// Its name in the math module, and of the C library function.
    pub fn name(self) -> &'static CStr {
        match self {
            MathFunction::Sqrt => c"sqrt",
            MathFunction::Fabs => c"fabs",
            MathFunction::Sin => c"sin",
            MathFunction::Cos => c"cos",
            MathFunction::Tan => c"tan",
            MathFunction::Atan => c"atan",
            MathFunction::Exp => c"exp",
        }
    }

    /// Its place in `ALL`.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The builtins CPython 3.11's PRECALL recognises by identity (its
/// `callable_cache` and the exact types), with the specialised form a call
/// without keywords takes; the argument count each needs is checked where
/// the form is lowered.
const CALLED_BY_IDENTITY: [(&CStr, u8); 5] = [
    (c"len", op::PRECALL_NO_KW_LEN),
    (c"isinstance", op::PRECALL_NO_KW_ISINSTANCE),
    (c"type", op::PRECALL_NO_KW_TYPE_1),
    (c"str", op::PRECALL_NO_KW_STR_1),
    (c"tuple", op::PRECALL_NO_KW_TUPLE_1),
];

/// The `co_names` entries of the live code object `code` that name an
/// entry of `table`, with the entry's value. With the GIL held.
fn names_in<T: Copy>(code: *mut PyCodeObject, table: &[(&CStr, T)]) -> Vec<(u32, T)> {
    let names = abi::code_object(code, abi::CODE_NAMES);
    // SAFETY: co_names is a tuple of str owned by the live code, read with
    // the GIL held; the comparison neither fails nor sets an error for str.
    unsafe {
        (0..ffi::PyTuple_GET_SIZE(names))
            .filter_map(|index| {
                let name = ffi::PyTuple_GET_ITEM(names, index);
                table
                    .iter()
                    .find(|(known, _)| ffi::PyUnicode_CompareWithASCIIString(name, known.as_ptr()) == 0)
                    .map(|&(_, value)| (index as u32, value))
            })
            .collect()
    }
}

/// The numbers among `code`'s constants (see `CodeInfo::number_consts`).
fn number_consts(code: *mut PyCodeObject) -> Vec<(u32, ConstNumber)> {
    let consts = abi::code_object(code, abi::CODE_CONSTS);
    // SAFETY: co_consts is a tuple owned by the live code; an item's fields
    // are read only once its exact type says it has them, and every int
    // has room for one digit (zero's is read but not used).
    unsafe {
        (0..ffi::PyTuple_GET_SIZE(consts))
            .filter_map(|index| {
                let item = ffi::PyTuple_GET_ITEM(consts, index);
                let kind = ffi::Py_TYPE(item);
                let number = if kind == std::ptr::addr_of_mut!(ffi::PyLong_Type) {
                    let size = abi::read_field::<isize>(item.cast(), abi::VAROBJECT_SIZE);
                    let digit = abi::read_field::<u32>(item.cast(), abi::LONG_DIGITS);
                    (-1..=1).contains(&size).then(|| ConstNumber::Int(size as i64 * i64::from(digit)))
                } else if kind == std::ptr::addr_of_mut!(ffi::PyFloat_Type) {
                    Some(ConstNumber::Float(abi::read_field::<f64>(item.cast(), abi::FLOAT_VALUE)))
                } else {
                    None
                };
                number.map(|number| (index as u32, number))
            })
            .collect()
    }
}

/// Why a code object cannot be compiled; reported by `pyjit.info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub String);

/// Whether code with these `co_flags` suspends (a generator, coroutine or
/// async generator): its first run only creates the generator object, and
/// every resumption is a frame the hook sees.
pub fn suspends(flags: i32) -> bool {
    flags & (abi::CO_GENERATOR | abi::CO_COROUTINE | abi::CO_ITERABLE_COROUTINE | abi::CO_ASYNC_GENERATOR) != 0
}

/// Whether `code`, a live code object, starts with RETURN_GENERATOR: a
/// generator's or coroutine's that copies no free variable and makes no
/// cell before making its object.
pub fn starts_generator(code: *mut PyCodeObject) -> bool {
    // SAFETY: code is live; its first unit exists (every code object ends
    // in a return).
    unsafe { abi::code_adaptive(code).first() }.is_some_and(|unit| unit & 0xff == u16::from(op::RETURN_GENERATOR))
}

/// What the whole body of a code object returns when it returns a local or a
/// constant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Returns {
    /// `LOAD_FAST` of the local with this index.
    Local(u8),
    /// `LOAD_CONST` of `co_consts` at this index.
    Constant(u8),
}

/// What the live code object `code` returns when its bytecode is exactly
/// `RESUME`, `LOAD_FAST` or `LOAD_CONST` (no `EXTENDED_ARG`), `RETURN_VALUE`:
/// no cell, free-variable or generator prologue, nothing else that runs.
pub fn returns(code: *mut PyCodeObject) -> Option<Returns> {
    // SAFETY: `code` is live (callers hold a reference) and nothing runs while it is read.
    let units = unsafe { abi::code_adaptive(code) };
    let mut instructions = instruction_starts(units).map(|(index, base)| (base, units[index].to_le_bytes()[1]));
    let body = [instructions.next(), instructions.next(), instructions.next(), instructions.next()];
    match body {
        [Some((op::RESUME, _)), Some((op::LOAD_FAST, local)), Some((op::RETURN_VALUE, _)), None] => Some(Returns::Local(local)),
        [Some((op::RESUME, _)), Some((op::LOAD_CONST, index)), Some((op::RETURN_VALUE, _)), None] => {
            Some(Returns::Constant(index))
        }
        _ => None,
    }
}

/// Whether the live code object `code` jumps backward (has a loop), read from
/// `co_code_adaptive` in place, each instruction by its base opcode.
pub fn jumps_backward(code: *mut PyCodeObject) -> bool {
    // SAFETY: `code` is live (callers hold a reference) and nothing runs while it is read.
    let units = unsafe { abi::code_adaptive(code) };
    instruction_starts(units).any(|(_, base)| opcodes::opcode(base).is_some_and(|o| o.jump == Jump::Backward))
}

/// Reads what the compiler needs from a code object, or says why pyjit
/// leaves it to the interpreter.
pub fn code_info(code: *mut PyCodeObject) -> Result<CodeInfo, Unsupported> {
    code_info_with_callees(code, callee_without_frame_names(code))
}

/// `code_info` from the code alone, without the callees this process noted
/// (`note_callee_without_frame`): what `pyjit precompile` writes must not
/// depend on what it compiled before.
pub fn code_info_for_cache(code: *mut PyCodeObject) -> Result<CodeInfo, Unsupported> {
    code_info_with_callees(code, Vec::new())
}

/// `code_info` with `callee_without_frame_names` as given: those an
/// earlier compile was given, to compile the same code again.
pub fn code_info_with_callees(code: *mut PyCodeObject, callee_without_frame_names: Vec<(u32, bool)>) -> Result<CodeInfo, Unsupported> {
    let flags = abi::code_int(code, abi::CODE_FLAGS);
    let instrs = decode(&co_code(code));
    let table = abi::code_object(code, abi::CODE_EXCEPTIONTABLE);
    // SAFETY: co_exceptiontable is a bytes object owned by the live code.
    let table = unsafe {
        std::slice::from_raw_parts(ffi::PyBytes_AsString(table).cast::<u8>(), ffi::PyBytes_Size(table) as usize)
    };
    let handlers =
        exception_table(table).ok_or_else(|| Unsupported("malformed exception table".into()))?;
    let nlocalsplus = abi::code_int(code, abi::CODE_NLOCALSPLUS) as u32;
    let stacksize = abi::code_int(code, abi::CODE_STACKSIZE) as u32;
    let bound_at_entry = (abi::code_int(code, abi::CODE_ARGCOUNT)
        + abi::code_int(code, abi::CODE_KWONLYARGCOUNT)
        + i32::from(flags & abi::CO_VARARGS != 0)
        + i32::from(flags & abi::CO_VARKEYWORDS != 0)) as u32;
    let builtin_names = names_in(code, &CALLED_BY_IDENTITY);
    let inline_calls_only = calls_only_inline_builtins(&instrs, &builtin_names);
    let calls_without_frame = calls_without_frame(&instrs, &callee_without_frame_names);
    let awaited_calls = awaited_calls(code, &instrs);
    let resumable = abi::CO_GENERATOR | abi::CO_COROUTINE | abi::CO_ASYNC_GENERATOR | abi::CO_ITERABLE_COROUTINE;
    let frameless = handlers.is_empty()
        && flags & resumable == 0
        && nlocalsplus == abi::code_int(code, abi::CODE_NLOCALS) as u32
        && nlocalsplus + stacksize <= FRAMELESS_SLOTS
        && returns_frameless(&instrs, inline_calls_only, &calls_without_frame);
    Ok(CodeInfo {
        instrs,
        handlers,
        nlocalsplus,
        stacksize,
        bound_at_entry,
        builtin_names,
        math_names: names_in(code, &MathFunction::ALL.map(|function| (function.name(), function))),
        frameless,
        inline_calls_only,
        number_consts: number_consts(code),
        callee_without_frame_names,
        calls_without_frame,
        awaited_calls,
    })
}

/// The CALLs (their position in `instrs`) of `code` whose result an `await`
/// takes at once: CPython compiles `await f(...)` to CALL, GET_AWAITABLE,
/// LOAD_CONST None and SEND.
fn awaited_calls(code: *mut PyCodeObject, instrs: &[Instr]) -> Vec<u32> {
    let consts = abi::code_object(code, abi::CODE_CONSTS);
    // SAFETY: co_consts is a tuple owned by the live code; the index is checked.
    let is_none = |index: u32| unsafe {
        (index as isize) < ffi::PyTuple_GET_SIZE(consts)
            && ffi::PyTuple_GET_ITEM(consts, index as isize) == std::ptr::addr_of_mut!(abi::ffi::_Py_NoneStruct)
    };
    let opcodes = [op::CALL, op::GET_AWAITABLE, op::LOAD_CONST, op::SEND];
    instrs
        .windows(opcodes.len())
        .enumerate()
        .filter(|(_, window)| window.iter().zip(opcodes).all(|(ins, opcode)| ins.opcode == opcode) && is_none(window[2].arg))
        .map(|(position, _)| position as u32)
        .collect()
}

/// The names of the functions that calls can run without a frame once
/// compiled (a frameless variant, or a body that only returns a parameter
/// or a constant), as the runtime noted them at a function's second
/// interpreted run or its compile. A name is only a hint of where
/// entering such a callee from the caller's code pays: the caller guards
/// every call on the function the site last called, whatever it is named.
static CALLEES_WITHOUT_FRAMES: Mutex<BTreeMap<String, NotedCallees>> = Mutex::new(BTreeMap::new());

/// What was noted of the functions of one name.
#[derive(Clone, Copy, Default)]
struct NotedCallees {
    /// Some has a frameless variant (`CodeInfo::frameless`).
    frameless: bool,
    /// Some has a trivial body (`returns`) and was compiled.
    trivial_compiled: bool,
}

impl NotedCallees {
    /// Whether a call of a method of this name is, as far as the name
    /// tells, of a trivial body with native code, which a frameless
    /// variant can take the value of: a callee not compiled yet would have
    /// the variant give every call back until it is.
    fn compiled_trivial(&self) -> bool {
        self.trivial_compiled && !self.frameless
    }
}

/// Code units of the largest code `note_if_callee_without_frame` decodes
/// (once per code object, on the thread running it): frameless variants are
/// of small functions, and the decode's cost grows with the code.
const NOTED_CALLEE_UNITS: usize = 96;

/// Notes the name of `code`, a live code object that runs a second time,
/// when calls can run it without a frame once it is compiled (a trivial
/// body, or a small one `CodeInfo::frameless` says is), so that its callers,
/// which may compile before it, know. Returns whether its body is trivial.
#[cold]
#[inline(never)]
pub fn note_if_callee_without_frame(code: *mut PyCodeObject) -> bool {
    let trivial = returns(code).is_some();
    if trivial || abi::code_units(code) <= NOTED_CALLEE_UNITS && code_info(code).is_ok_and(|info| info.frameless) {
        note(code, |noted| noted.frameless |= !trivial);
    }
    trivial
}

/// Notes the name of `code`, a live code object whose native code is
/// installed, when calls can run it without a frame (it has a frameless
/// variant, or a trivial body), for the code compiled after it
/// (`CodeInfo::callee_without_frame_names`).
pub fn note_callee_without_frame(code: *mut PyCodeObject, frameless: bool) {
    let trivial = returns(code).is_some();
    if trivial || frameless {
        note(code, |noted| {
            noted.frameless |= !trivial;
            noted.trivial_compiled |= trivial;
        });
    }
}

/// Updates what is noted of the name of `code`, a live code object.
fn note(code: *mut PyCodeObject, update: impl FnOnce(&mut NotedCallees)) {
    let Some(name) = str_of(abi::code_object(code, abi::CODE_NAME)) else { return };
    let mut callees = CALLEES_WITHOUT_FRAMES.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    update(callees.entry(name.to_owned()).or_default());
}

/// The `co_names` indexes of `code` naming a function in
/// `CALLEES_WITHOUT_FRAMES`, each with whether a frameless variant may take
/// the value of a method of that name (`NotedCallees::compiled_trivial`).
fn callee_without_frame_names(code: *mut PyCodeObject) -> Vec<(u32, bool)> {
    let callees = CALLEES_WITHOUT_FRAMES.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if callees.is_empty() {
        return Vec::new();
    }
    let names = abi::code_object(code, abi::CODE_NAMES);
    // SAFETY: co_names is a tuple owned by the live code, read with the GIL held.
    let count = unsafe { ffi::PyTuple_GET_SIZE(names) };
    (0..count)
        .filter_map(|index| {
            // SAFETY: as above; the index is within the tuple.
            let noted = callees.get(str_of(unsafe { ffi::PyTuple_GET_ITEM(names, index) })?)?;
            Some((index as u32, noted.compiled_trivial()))
        })
        .collect()
}

/// The PRECALL and CALL of each call in `instrs` that a frameless variant
/// makes itself: `LOAD_METHOD name; PRECALL 0; CALL 0` of a name whose
/// functions are trivial and compiled (`callee_without_frame_names`), whose
/// value the call takes inline (`Lowering::call_without_frame`); any other
/// callee gives the call back.
fn calls_without_frame(instrs: &[Instr], names: &[(u32, bool)]) -> Vec<u32> {
    let trivial = |name: u32| names.iter().any(|&(index, trivial)| index == name && trivial);
    instrs
        .windows(3)
        .filter(|w| {
            w[0].opcode == op::LOAD_METHOD && trivial(w[0].arg) && (w[1].opcode, w[1].arg, w[2].opcode, w[2].arg) == (op::PRECALL, 0, op::CALL, 0)
        })
        .flat_map(|w| [w[1].index, w[2].index])
        .collect()
}

/// The text of the str `name` (a name of a live code object), if it is
/// UTF-8 encodable.
fn str_of<'a>(name: *mut PyObject) -> Option<&'a str> {
    let mut size = 0;
    // SAFETY: with the GIL held; a code object's names are str objects, whose
    // UTF-8 form CPython caches in the object (so it lives as long as `name`).
    unsafe {
        let data = ffi::PyUnicode_AsUTF8AndSize(name, &mut size);
        if data.is_null() {
            ffi::PyErr_Clear();
            return None;
        }
        std::str::from_utf8(std::slice::from_raw_parts(data.cast::<u8>(), size as usize)).ok()
    }
}

/// Whether a frameless variant runs `ins` (of code whose calls are all of
/// builtins made inline, if `inline_calls_only`; `calls_without_frame` as
/// `CodeInfo`'s): an instruction with `Flags::FRAMELESS`, or a call of such a
/// builtin or of a trivial method. At any other the variant gives the call
/// back.
fn runs_frameless(ins: &Instr, inline_calls_only: bool, calls_without_frame: &[u32]) -> bool {
    opcodes::opcode(ins.opcode).is_some_and(|o| o.flags.contains(Flags::FRAMELESS))
        || matches!(ins.opcode, op::PRECALL | op::CALL) && (inline_calls_only || calls_without_frame.contains(&ins.index))
}

/// Whether some path from the start of `instrs` reaches a RETURN_VALUE
/// through instructions a frameless variant runs (`runs_frameless`) alone:
/// else every call of the variant would be given back. None of those
/// jumps backward, so the paths are those of a forward walk.
fn returns_frameless(instrs: &[Instr], inline_calls_only: bool, calls_without_frame: &[u32]) -> bool {
    let mut reached = vec![false; instrs.len()];
    if let Some(first) = reached.first_mut() {
        *first = true;
    }
    for position in 0..instrs.len() {
        let ins = instrs[position];
        if !reached[position] || !runs_frameless(&ins, inline_calls_only, calls_without_frame) {
            continue;
        }
        if ins.opcode == op::RETURN_VALUE {
            return true;
        }
        let falls_through = !opcodes::opcode(ins.opcode).is_some_and(|o| o.flags.contains(Flags::ENDS_BLOCK));
        let next = falls_through.then_some(position + 1);
        let target = ins.jump_target().and_then(|target| instrs.binary_search_by_key(&target, |i| i.start).ok());
        for successor in next.into_iter().chain(target).filter(|&p| p > position && p < instrs.len()) {
            reached[successor] = true;
        }
    }
    false
}

/// Whether every callable of the code is a global (no LOAD_METHOD pushes
/// one; other instructions with `Flags::FRAMELESS` push one only as
/// `LOAD_GLOBAL`'s NULL and global) named `len` or `isinstance`, whose calls
/// compiled code makes inline for the common types
/// (`Lowering::call_builtin`): a frameless variant runs those and gives the
/// call back on any other, so its PRECALLs and CALLs may be in one.
fn calls_only_inline_builtins(instrs: &[Instr], builtin_names: &[(u32, u8)]) -> bool {
    let inline = |name: u32| {
        builtin_names.iter().any(|&(index, precall)| {
            index == name && matches!(precall, op::PRECALL_NO_KW_LEN | op::PRECALL_NO_KW_ISINSTANCE)
        })
    };
    !instrs.iter().any(|ins| ins.opcode == op::LOAD_METHOD)
        && instrs.iter().filter(|ins| ins.opcode == op::LOAD_GLOBAL && ins.arg & 1 == 1).all(|ins| inline(ins.arg >> 1))
}

#[cfg(test)]
mod tests {
    use super::*;


    #[test]
    fn exception_table_rows_decode() {
        // Two rows, as CPython writes them: start 2 (marked by bit 7),
        // length 3, target 10, depth 1 with lasti; then start 64 (two groups:
        // 1, 0), length 1, target 70 (1, 6), depth 0.
        let table = [0x80 | 2, 3, 10, 3, 0x80 | 0x40 | 1, 0, 1, 0x40 | 1, 6, 0];
        assert_eq!(
            exception_table(&table),
            Some(vec![
                Handler { start: 2, end: 5, target: 10, depth: 1, push_lasti: true },
                Handler { start: 64, end: 65, target: 70, depth: 0, push_lasti: false },
            ])
        );
        assert_eq!(exception_table(&table[..3]), None);
    }

    #[test]
    fn extended_arg_is_folded_into_the_next_instruction() {
        let code = [op::EXTENDED_ARG, 1, op::LOAD_CONST, 2, op::RETURN_VALUE, 0];
        let instrs = decode(&code);
        assert_eq!(instrs.len(), 2);
        assert_eq!(instrs[0], Instr { start: 0, index: 1, opcode: op::LOAD_CONST, arg: 0x102, next: 2 });
        assert_eq!(instrs[1].index, 2);
    }

    #[test]
    fn data_words_counted_in_place_match_the_decoded_instructions() {
        // Quickened units (as in `co_code_adaptive`): EXTENDED_ARG, a specialised
        // LOAD_ATTR and its cache units, an unspecialised LOAD_ATTR, RETURN_VALUE.
        let unit = |opcode: u8, arg: u8| u16::from_le_bytes([opcode, arg]);
        let mut units = vec![unit(op::EXTENDED_ARG, 1), unit(op::LOAD_ATTR_SLOT, 2)];
        units.extend(std::iter::repeat_n(0, usize::from(INLINE_CACHE_UNITS[usize::from(op::LOAD_ATTR)])));
        units.push(unit(op::LOAD_ATTR, 3));
        units.extend(std::iter::repeat_n(0, usize::from(INLINE_CACHE_UNITS[usize::from(op::LOAD_ATTR)])));
        units.push(unit(op::RETURN_VALUE, 0));
        let in_place = data_words(instruction_starts(&units).map(|(_, base)| base));
        let mut dequickened = Vec::new();
        extend_dequickened(&mut dequickened, &units);
        assert_eq!(in_place, data_words(decode(&dequickened).iter().map(|instr| instr.opcode)));
        assert_eq!(in_place, DATA_MISS_COUNT + 1 + 2 * cache_words(op::LOAD_ATTR));
    }
}
