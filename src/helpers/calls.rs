//! The functions compiled code calls for the calls family (`codegen::ops::calls`).

use super::PY_VECTORCALL_ARGUMENTS_OFFSET;
use crate::abi::{self, op, Frame, ThreadState};
use crate::bytecode::CACHE_WAYS;
use crate::config::{self, Optimization};
use crate::helpers::suspend::{self, Awaited};
use crate::helpers::{ceval, frames};
use pyo3::ffi::{self, PyCodeObject, PyObject};
use std::ffi::CStr;
use std::sync::atomic::AtomicIsize;
use std::sync::OnceLock;

/// The signature of every compiled function: it runs `frame` on `tstate`,
/// with `data` the code's data block. Unwinding, as `abi::ffi` declares
/// `_PyEval_EvalFrameDefault`: a daemon thread ended by `pthread_exit` at
/// shutdown unwinds through the runtime's frames that called it.
pub type Entry = unsafe extern "C-unwind" fn(*mut ThreadState, *mut Frame, *mut u64) -> *mut PyObject;

/// The start of the runtime's state of a code object, reached through the
/// code's `co_extra` slot under `CODE_EXTRA_INDEX`: what calls from compiled
/// code read to run a compiled callee without the runtime (`call_positional`,
/// `frames::enter_compiled`).
#[repr(C)]
pub struct CallTarget {
    /// The code object the state belongs to (NULL once it died; a slot
    /// whose state names another code object is stale).
    pub code: *mut PyCodeObject,
    /// The code's native code and its data block, when it has native code.
    pub entry: Option<Entry>,
    pub data: *mut u64,
    /// The most positional arguments a call may pass, when the code has
    /// native code and no locals dict, so that positional arguments, with
    /// defaults for the last ones and for the keyword-only parameters, bind
    /// its parameters: `argcount`, or `ANY_ARITY` when `*args` takes the
    /// rest; else `NO_ARITY`.
    pub arity: u32,
    /// `co_argcount` and `co_kwonlyargcount`, and whether the code collects
    /// further positional arguments in a tuple (`*args`) and keywords in a
    /// dict (`**kwargs`), both bound after the parameters.
    pub argcount: u32,
    pub kwonlyargcount: u32,
    pub varargs: bool,
    pub varkeywords: bool,
    /// `co_nlocalsplus`, and the words of a frame of the code (whatever its tier).
    pub nlocalsplus: u32,
    pub frame_words: u32,
    /// `co_argcount` when the code (whatever its tier) has no locals dict,
    /// keyword-only parameters, `*args` or `**kwargs`, so that a call
    /// passing that many positional arguments binds them to its first
    /// locals and nothing else; else `NO_ARITY`.
    pub plain_arity: u32,
    /// `plain_arity` when a call passing exactly that many positional
    /// arguments can take `frames::enter_exact`: the code has native code
    /// (and `arity`); else `NO_ARITY`.
    pub exact_arity: u32,
    /// Calls entered through `frames::enter_compiled`.
    pub entered: u64,
    /// The code creates a generator, coroutine or async generator (whose
    /// first run, `RETURN_GENERATOR`, `suspend::create_generator` makes):
    /// `frames::enter_compiled` binds the arguments and makes the object,
    /// or has the interpreter run the frame where `create_generator`
    /// declines.
    pub creates_generator: bool,
    /// The code is a coroutine's (`CO_COROUTINE`) whose first instruction is
    /// RETURN_GENERATOR (it makes no cell), so that compiled code awaiting
    /// a call of it may run it without making the coroutine object
    /// (`suspend::await_call`, `eager-await`); and of such runs, how many
    /// there were and how many ended suspended (the coroutine object made
    /// then), which decide whether more are tried.
    pub awaits_eagerly: bool,
    pub eager_runs: u32,
    pub eager_suspensions: u32,
    /// With `exact_arity`, when the code's whole body returns one of its
    /// parameters or a constant (`bytecode::returns`): `RETURNS_PARAMETER`
    /// plus the parameter's index, or `RETURNS_CONSTANT` plus the
    /// constant's index in `co_consts`; else 0. A call binding exactly the
    /// parameters takes that value without a frame (`trivial-calls`).
    pub returns: u32,
    /// With `exact_arity`, the code's frameless variant
    /// (`Variant::Frameless`, codegen/lowering.rs), which `frames::enter_exact`
    /// and constructions made by compiled code (`Lowering::run_frameless`)
    /// run first, and the calls it gave back to the framed code.
    pub frameless: Option<Entry>,
    pub frameless_bails: u32,
}

/// `CallTarget::returns` of a parameter's index and of a constant's.
pub const RETURNS_PARAMETER: u32 = 1;
pub const RETURNS_CONSTANT: u32 = 0x100;

/// `CallTarget::arity` of code that calls do not enter directly.
pub const NO_ARITY: u32 = u32::MAX;
/// `CallTarget::arity` of code with `*args`: any number of arguments.
pub const ANY_ARITY: u32 = u32::MAX - 1;

/// The `co_extra` index the runtime keeps code objects' states under, or -1
/// while it has none (`call_target` then finds none).
pub static CODE_EXTRA_INDEX: AtomicIsize = AtomicIsize::new(-1);

/// The live state of `code` the runtime keeps under `CODE_EXTRA_INDEX`, if any.
///
/// SAFETY: `code` is a live code object; slots under the index hold NULL or
/// a `CallTarget`'s address (valid memory, live when it names `code`).
#[inline(always)]
pub unsafe fn call_target<'a>(code: *mut PyCodeObject) -> Option<&'a mut CallTarget> {
    let index = usize::try_from(CODE_EXTRA_INDEX.load(std::sync::atomic::Ordering::Relaxed)).ok()?;
    // SAFETY: see above.
    unsafe { abi::code_extra(code, index).cast::<CallTarget>().as_mut().filter(|target| target.code == code) }
}

/// Runs a call of a Python function (the function, its arguments, whose
/// references the call consumes, their count, and the names of those passed
/// by keyword: NULL or a tuple naming the last ones) without vectorcall when
/// it can, or returns None having done nothing. The runtime, which runs
/// frames, sets it when it installs the frame-evaluation hook.
pub type DirectCall = unsafe fn(
    *mut ThreadState,
    *mut PyObject,
    *const *mut PyObject,
    usize,
    *mut PyObject,
) -> Option<*mut PyObject>;

pub static DIRECT_CALL: std::sync::OnceLock<DirectCall> = std::sync::OnceLock::new();

/// Runs `cls(*args)` for a plain Python class without `type_call` when it
/// can (`window` is `[cls, args…]`, borrowed, `nargs` the number of
/// arguments, the last of them passed by the keywords in the tuple
/// `kwnames`, or NULL), or returns None having done nothing; set with
/// `DIRECT_CALL`. `site` is the CALL's data-block entry, or NULL: the class
/// and its `__init__` are recorded there and read back while the class is
/// unchanged.
pub type DirectConstruct = unsafe fn(
    *mut ThreadState,
    *mut *mut PyObject,
    usize,
    *mut PyObject,
    *mut CallSite,
) -> Option<*mut PyObject>;

pub static DIRECT_CONSTRUCT: std::sync::OnceLock<DirectConstruct> = std::sync::OnceLock::new();

/// CALL: `slots` holds `[NULL or method, callable or self, args…]` with
/// `nargs` arguments, the last `len(kwnames)` of them passed by keyword.
/// Consumes every slot.
pub unsafe extern "C" fn call(
    tstate: *mut ThreadState,
    frame: *mut Frame,
    slots: *mut *mut PyObject,
    nargs: isize,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: as `call_window`'s.
    unsafe {
        let bound_method = unpack_bound_method(slots);
        call_window(tstate, frame, slots, nargs, kwnames, bound_method)
    }
}

/// CPython's CALL of a bound method (a method object where LOAD_METHOD
/// found no method): the window `[NULL, method, args…]` becomes
/// `[function, self, args…]`, the method object released. Whether it was
/// one.
///
/// SAFETY: `slots` holds a CALL window of owned references (the first may
/// be NULL).
#[inline(always)]
unsafe fn unpack_bound_method(slots: *mut *mut PyObject) -> bool {
    // SAFETY: see above.
    unsafe {
        let callable = *slots.add(1);
        if !(*slots).is_null() || ffi::Py_TYPE(callable) != std::ptr::addr_of_mut!(abi::ffi::PyMethod_Type) {
            return false;
        }
        *slots = ffi::Py_NewRef(abi::ffi::PyMethod_Function(callable));
        *slots.add(1) = ffi::Py_NewRef(abi::ffi::PyMethod_Self(callable));
        ffi::Py_DECREF(callable);
        true
    }
}

/// `call` once a bound method's window is unpacked (`bound_method`: it
/// was).
///
/// SAFETY: as `call`'s.
unsafe fn call_window(
    tstate: *mut ThreadState,
    frame: *mut Frame,
    slots: *mut *mut PyObject,
    nargs: isize,
    kwnames: *mut PyObject,
    bound_method: bool,
) -> *mut PyObject {
    // SAFETY: slots points at nargs + 2 value-stack slots of the live frame,
    // holding owned references (the first may be NULL); kwnames is a
    // borrowed tuple from co_consts or NULL.
    unsafe {
        let is_method = !(*slots).is_null();
        let total = nargs as usize + usize::from(is_method);
        let args = slots.add(2 - usize::from(is_method));
        let function = *args.sub(1);
        let keywords = keyword_count(kwnames);
        let positional = (total - keywords) | PY_VECTORCALL_ARGUMENTS_OFFSET;
        let frame = &*frame;
        let python_callee = ffi::Py_TYPE(function) == std::ptr::addr_of_mut!(ffi::PyFunction_Type);
        if python_callee {
            // CPython runs a Python callee inline, after stepping over the
            // CALL's inline cache: the caller's f_lasti shows its last unit.
            frame.step_lasti(abi::CALL_CACHE_UNITS);
        }
        let direct_calls = config::optimization_enabled(Optimization::DirectCalls);
        if direct_calls && ffi::Py_TYPE(function) == std::ptr::addr_of_mut!(ffi::PyFunction_Type) {
            if let Some(result) = DIRECT_CALL.get().and_then(|direct| direct(tstate, function, args, total, kwnames)) {
                // The arguments' references went to the callee's frame.
                ffi::Py_DECREF(function);
                return result;
            }
        }
        let direct = if direct_calls && ffi::Py_TYPE(function) == std::ptr::addr_of_mut!(ffi::PyType_Type) && !is_method {
            DIRECT_CONSTRUCT.get().and_then(|construct| construct(tstate, args.sub(1), total, kwnames, std::ptr::null_mut()))
        } else {
            None
        };
        // In warm code a call CPython's specialised PRECALL makes itself
        // (never a bound method's: PRECALL_BOUND_METHOD leaves it to the CALL).
        let precall = if direct.is_none() && !bound_method && is_warm(frame) {
            precall_making_call(frame, function, args, total, nargs as usize, kwnames)
        } else {
            None
        };
        let call_index = frame.lasti();
        let result = if let Some(result) = direct {
            result
        } else if let Some(opcode) = precall {
            frame.set_lasti(call_index - abi::PRECALL_TO_CALL as isize);
            call_from_precall(opcode, function, args, total, positional, kwnames)
        } else {
            let result = ffi::PyObject_Vectorcall(function, args, positional, kwnames);
            // Arguments that do not bind a Python callee's parameters fail
            // its frame's push, before CPython steps over the cache.
            if result.is_null() && python_callee && raised_binding() {
                frame.step_lasti(-abi::CALL_CACHE_UNITS);
            }
            result
        };
        // The PRECALL releases the arguments too (finalizers see it).
        release_window(args.sub(1), total);
        // On failure the frame's exit reports the PRECALL, as CPython's
        // traceback does (`Lowering::raise_if_null_at_prev_instr`).
        if precall.is_some() && !result.is_null() {
            frame.set_lasti(call_index);
        }
        result
    }
}

/// Whether the exception set is the one a Python function's call raises
/// when its arguments do not bind its parameters: a TypeError that has no
/// traceback entry yet (one raised once the callee's frame ran has the
/// callee's).
///
/// SAFETY: with the GIL held and an exception set.
unsafe fn raised_binding() -> bool {
    let (mut kind, mut value, mut traceback) = (std::ptr::null_mut(), std::ptr::null_mut(), std::ptr::null_mut());
    // SAFETY: see above; the exception is put back as it was.
    unsafe {
        ffi::PyErr_Fetch(&mut kind, &mut value, &mut traceback);
        let binding = kind == ffi::PyExc_TypeError && traceback.is_null();
        ffi::PyErr_Restore(kind, value, traceback);
        binding
    }
}

/// Releases a call's window: the callable and its `nargs` arguments.
///
/// SAFETY: `window` holds `nargs + 1` owned references.
#[inline(always)]
unsafe fn release_window(window: *const *mut PyObject, nargs: usize) {
    for i in 0..=nargs {
        // SAFETY: see above.
        unsafe { ffi::Py_DECREF(*window.add(i)) };
    }
}

/// CALL without keywords (`slots` as for `call`): a Python function with
/// native code whose parameters the positional arguments bind runs through
/// `frames::enter_compiled`, which pushes its frame and enters its native
/// code without vectorcall, `_PyEval_Vector` and the hook; a plain class
/// is constructed by `DIRECT_CONSTRUCT` with the site's record of its
/// `__init__`; every other call, and every call these decline, goes
/// through `call`. One call
/// from generated code: the guards are here rather than inline at every
/// call site, which kept CALL the largest instruction to compile. `site` is
/// the call's entry in the caller's data block (`CallSite`), which spares
/// the loads through the callee's code object and its extras array, each a
/// likely cache miss in code that calls many functions.
///
/// # Safety
/// As for `call`, with no keyword names; `site` is the CALL's data-block
/// entry (zero until first filled, then only written here).
pub unsafe extern "C" fn call_positional(
    tstate: *mut ThreadState,
    frame: *mut Frame,
    slots: *mut *mut PyObject,
    nargs: isize,
    site: *mut CallSite,
) -> *mut PyObject {
    // SAFETY: as for `call`: `slots` holds the window's owned references.
    unsafe {
        // The common case first, with nothing else inlined here: a function
        // with native code that the arguments bind exactly (the site's
        // record spares the lookup of its code's state); then one whose
        // defaults, `*args` or `**kwargs` take part.
        let (function, args, count) = window_call(slots, nargs);
        if config::optimization_enabled(Optimization::DirectCalls)
            && ffi::Py_TYPE(function) == std::ptr::addr_of_mut!(ffi::PyFunction_Type)
        {
            if let Some(result) = enter_function(tstate, &*frame, function, args, count, site) {
                return result;
            }
        }
        call_positional_general(tstate, frame, slots, nargs, site)
    }
}

/// The call of `function`, a Python function, with the `count` arguments
/// at `args` of the window of the CALL at `site`, entered in its native
/// code (`frames::enter_exact`, or `enter_binding_the_rest`); None when it
/// has none or the call is declined.
///
/// # Safety
/// As `call_positional`'s; `function` and `args` are the window's.
#[inline(always)]
unsafe fn enter_function(
    tstate: *mut ThreadState,
    frame: &Frame,
    function: *mut PyObject,
    args: *mut *mut PyObject,
    count: usize,
    site: *mut CallSite,
) -> Option<*mut PyObject> {
    // SAFETY: see above.
    unsafe {
        let code: *mut PyCodeObject = abi::read_field(function.cast(), abi::FUNC_CODE);
        let target = CallSite::target(site, code)?;
        // The callee runs with the caller's f_lasti past the CALL's cache,
        // as in `call`; restored when the call is declined.
        frame.step_lasti(abi::CALL_CACHE_UNITS);
        let result = if target.exact_arity as usize == count {
            frames::enter_exact(tstate, function, args, target)
        } else {
            enter_binding_the_rest(tstate, function, args, count, target)
        };
        if result as usize == frames::CALL_DECLINED {
            frame.step_lasti(-abi::CALL_CACHE_UNITS);
            return None;
        }
        Some(result)
    }
}

/// `enter_function`'s call of a function with native code whose
/// parameters the `count` arguments at `args` do not bind exactly:
/// `frames::enter_compiled` (defaults, `*args`, `**kwargs`), kept out of
/// the exact case's way.
///
/// # Safety
/// As `enter_function`'s; `target` is the state of `function`'s code.
#[inline(never)]
unsafe fn enter_binding_the_rest(
    tstate: *mut ThreadState,
    function: *mut PyObject,
    args: *mut *mut PyObject,
    count: usize,
    target: &mut CallTarget,
) -> *mut PyObject {
    // SAFETY: see above.
    unsafe { frames::enter_compiled(tstate, function, args, count, target) }
}

/// What `await_call` made of an awaited call, the values it left in the
/// call's window: the call made, its result in the first slot...
pub const AWAIT_CALLED: isize = 0;
/// ...the coroutine run eagerly and returned, its value in the first slot...
pub const AWAIT_RETURNED: isize = 1;
/// ...or run eagerly and suspended, the coroutine object then made in the
/// first slot and what it yielded in the second.
pub const AWAIT_YIELDED: isize = 2;

/// The CALL of `nargs` positional arguments, its window at `slots`, whose
/// result the instructions after it await (GET_AWAITABLE, LOAD_CONST None,
/// the SEND at code unit `send_index`): a compiled coroutine function whose
/// parameters the arguments bind (with defaults, `*args` and `**kwargs`,
/// as `frames::enter_compiled` binds them) runs at once, without making the
/// coroutine object unless it suspends (`suspend::run_eagerly`,
/// `eager-await`), with the caller's frame at the SEND, as in CPython while
/// the coroutine runs; any other call, and one it declines, is made as
/// `call_positional` makes it. Returns `AWAIT_CALLED`, `AWAIT_RETURNED` or
/// `AWAIT_YIELDED`, or -1 with an exception set, raised at the instruction
/// the frame's `prev_instr` names (the CALL's, or the SEND's when the
/// coroutine raised). Consumes every slot of the window.
///
/// # Safety
/// As `call_positional`'s; the window has room for two results.
pub unsafe extern "C" fn await_call(
    tstate: *mut ThreadState,
    frame: *mut Frame,
    slots: *mut *mut PyObject,
    nargs: isize,
    site: *mut CallSite,
    send_index: isize,
) -> isize {
    // SAFETY: see above; the window's references move into the coroutine's
    // frame or the call.
    unsafe {
        let (function, args, count) = window_call(slots, nargs);
        let eager = config::optimization_enabled(Optimization::EagerAwait)
            && config::optimization_enabled(Optimization::DirectCalls)
            && ffi::Py_TYPE(function) == std::ptr::addr_of_mut!(ffi::PyFunction_Type);
        if eager {
            let code: *mut PyCodeObject = abi::read_field(function.cast(), abi::FUNC_CODE);
            if let Some(target) = CallSite::target(site, code) {
                let fr = &*frame;
                let lasti = fr.lasti();
                fr.set_lasti(send_index);
                match suspend::run_eagerly(tstate, function, args, count, target) {
                    Some(Awaited::Returned(value)) => {
                        *slots = value;
                        return AWAIT_RETURNED;
                    }
                    Some(Awaited::Yielded(coroutine, value)) => {
                        [*slots, *slots.add(1)] = [coroutine, value];
                        return AWAIT_YIELDED;
                    }
                    Some(Awaited::Raised) => return -1,
                    None => fr.set_lasti(lasti),
                }
            }
        }
        let result = call_positional(tstate, frame, slots, nargs, site);
        if result.is_null() {
            return -1;
        }
        *slots = result;
        AWAIT_CALLED
    }
}

/// `frames::clear` for a frame that compiled code pushed and ran itself
/// (`Lowering::push_and_run`), when the frame has a frame object or a
/// locals dict, which the inline clearing leaves to this.
///
/// # Safety
/// `frame` ran, was unlinked from the thread's frames and is the top frame
/// of `tstate`'s data stack.
pub unsafe extern "C" fn clear_frame(tstate: *mut ThreadState, frame: *mut Frame) -> *mut PyObject {
    // SAFETY: see above.
    unsafe { frames::clear(&*tstate, frame) };
    std::ptr::null_mut()
}

/// `call_positional` for every call but the one of a function with native
/// code, which it makes itself. A bound method's window is unpacked first,
/// as CPython's CALL unpacks it, so that its function is entered as a
/// function called directly is.
///
/// # Safety
/// As `call_positional`'s.
#[cold]
#[inline(never)]
unsafe fn call_positional_general(
    tstate: *mut ThreadState,
    frame: *mut Frame,
    slots: *mut *mut PyObject,
    nargs: isize,
    site: *mut CallSite,
) -> *mut PyObject {
    // SAFETY: as for `call_positional`.
    unsafe {
        let bound_method = unpack_bound_method(slots);
        if config::optimization_enabled(Optimization::DirectCalls) {
            let (function, args, count) = window_call(slots, nargs);
            // A function's own window was tried by `call_positional`.
            if bound_method && ffi::Py_TYPE(function) == std::ptr::addr_of_mut!(ffi::PyFunction_Type) {
                if let Some(result) = enter_function(tstate, &*frame, function, args, count, site) {
                    return result;
                }
            } else if (*slots).is_null() && ffi::Py_TYPE(function) == std::ptr::addr_of_mut!(ffi::PyType_Type) {
                let construct = DIRECT_CONSTRUCT.get().and_then(|construct| {
                    construct(tstate, slots.add(1), nargs as usize, std::ptr::null_mut(), site)
                });
                if let Some(result) = construct {
                    release_window(slots.add(1), nargs as usize);
                    return result;
                }
            }
        }
        call_window(tstate, frame, slots, nargs, std::ptr::null_mut(), bound_method)
    }
}

/// The callable of a CALL window (`slots` as for `call`: the method or
/// NULL, then `self` or the callable, then the `nargs` arguments), its
/// arguments (`self` first for a method) and their count.
///
/// SAFETY: `slots` holds the window.
#[inline(always)]
unsafe fn window_call(slots: *mut *mut PyObject, nargs: isize) -> (*mut PyObject, *mut *mut PyObject, usize) {
    // SAFETY: see above.
    unsafe {
        let method = *slots;
        if method.is_null() {
            (*slots.add(1), slots.add(2), nargs as usize)
        } else {
            (method, slots.add(1), nargs as usize + 1)
        }
    }
}

/// One of a CALL site's `CACHE_WAYS` entries in its code's data block
/// (`DATA_ENTRY_WORDS` each; a polymorphic site records the code of each of
/// the last Python functions it called, the latest first): the code object
/// of a Python function the site called and that code's `CallTarget`; or,
/// in the first entry of a site that constructed an instance of a plain
/// class last (`DIRECT_CONSTRUCT`), the class, its `tp_version_tag` then,
/// its `__init__` function (in place of the code object) and the
/// `CallTarget` of that function's code then.
#[repr(C)]
pub struct CallSite {
    callee: *mut PyObject,
    target: *mut CallTarget,
    class: *mut PyObject,
    class_version: usize,
}

/// Where generated code finds a `CallSite`'s `__init__` and `CallTarget`,
/// and its class and the class's version tag then
/// (`Lowering::construct_python`).
pub const CALL_SITE_CALLEE: usize = std::mem::offset_of!(CallSite, callee);
pub const CALL_SITE_TARGET: usize = std::mem::offset_of!(CallSite, target);
pub const CALL_SITE_CLASS: usize = std::mem::offset_of!(CallSite, class);
pub const CALL_SITE_CLASS_VERSION: usize = std::mem::offset_of!(CallSite, class_version);

// A CALL's data-block entries are an array of `CallSite`s.
const _: () = assert!(std::mem::size_of::<CallSite>() == crate::bytecode::DATA_ENTRY_WORDS * 8);

impl CallSite {
    /// The state of `code`, a live code object, for a call at the site
    /// whose first entry is `site`: the one an entry recorded when it still
    /// belongs to `code`, else looked up (`call_target`) and recorded in the
    /// first entry, the others moving down (the last dropped). States are
    /// never freed, only reused for other code objects (see
    /// `runtime::state`), so a recorded state is valid memory whatever
    /// became of its code since, and its owner tells whether it is `code`'s.
    ///
    /// # Safety
    /// `code` is live; `site` is a CALL's `CACHE_WAYS` entries, zeroed or
    /// written only by these methods.
    #[inline(always)]
    unsafe fn target<'a>(site: *mut CallSite, code: *mut PyCodeObject) -> Option<&'a mut CallTarget> {
        // SAFETY: see above.
        unsafe {
            for way in 0..CACHE_WAYS {
                let entry = &*site.add(way);
                if entry.callee == code.cast() && (*entry.target).code == code {
                    return Some(&mut *entry.target);
                }
            }
            let target = call_target(code)?;
            std::ptr::copy(site, site.add(1), CACHE_WAYS - 1);
            *site = CallSite { callee: code.cast(), target, class: std::ptr::null_mut(), class_version: 0 };
            Some(target)
        }
    }

    /// The `__init__` recorded for `cls`, a live class, and the state of
    /// its code, while the class is as it was then: a class keeps its
    /// version tag (never 0, never given to another class) until its
    /// attributes or those of a base change (`PyType_Modified`), so the
    /// function is still its `__init__` and alive; and while the state
    /// still belongs to the function's code (its `__code__` may be replaced).
    ///
    /// # Safety
    /// `cls` is a live class; `self` is zeroed or written only by these
    /// methods (`target` clears the record).
    #[inline(always)]
    pub unsafe fn constructor(&self, cls: *mut PyObject) -> Option<(*mut PyObject, *mut CallTarget)> {
        // SAFETY: see above; fields are read at probed offsets.
        unsafe {
            let version = abi::read_field::<u32>(cls.cast(), abi::TYPE_VERSION_TAG) as usize;
            if self.class != cls || self.class_version != version || version == 0 {
                return None;
            }
            let code: *mut PyCodeObject = abi::read_field(self.callee.cast(), abi::FUNC_CODE);
            ((*self.target).code == code).then_some((self.callee, self.target))
        }
    }

    /// Records `init`, the `__init__` of the class `cls` (a Python
    /// function), unless the class has no valid version tag or the code has
    /// no state.
    ///
    /// # Safety
    /// As `constructor`'s; `init` is `cls`'s `__init__` now.
    pub unsafe fn record_constructor(&mut self, cls: *mut PyObject, init: *mut PyObject) {
        // SAFETY: see above.
        unsafe {
            let version = abi::read_field::<u32>(cls.cast(), abi::TYPE_VERSION_TAG) as usize;
            let code: *mut PyCodeObject = abi::read_field(init.cast(), abi::FUNC_CODE);
            if let (true, Some(target)) = (version != 0, call_target(code)) {
                *self = CallSite { callee: init, target, class: cls, class_version: version };
            }
        }
    }
}

/// The kinds of C call a `PyMethodDef`'s flags select.
const CALL_KINDS: i32 =
    ffi::METH_VARARGS | ffi::METH_FASTCALL | ffi::METH_NOARGS | ffi::METH_O | ffi::METH_KEYWORDS | ffi::METH_METHOD;

/// The specialised PRECALL with which CPython 3.11's warmed-up interpreter
/// makes this call itself, if it does (None: its CALL makes it), which shows in the caller's
/// `f_lasti` while the callee runs (to Python code it calls back, in
/// `tb_lasti`, to sampling profilers). A quickened PRECALL specialises at
/// its first run for the callable it meets; for builtin functions, method
/// descriptors and immutable classes with a vectorcall (`len`, `isinstance`,
/// `sorted`, `str`, `list`, `list.index`, ...) it becomes an instruction that
/// calls them itself (`PRECALL_NO_KW_BUILTIN_O`, `PRECALL_BUILTIN_CLASS`,
/// ...) when the call's shape allows, and that instruction calls directly
/// while its guards pass; after a miss the CALL makes the call. So the
/// site's PRECALL in `co_code_adaptive` decides: as the interpreter left it
/// (pyjit compiled the code from that profile), its guards; not yet run
/// since quickening (or never quickened: code warmed up natively), the
/// specialisation the interpreter would make for this callable. How long
/// CPython takes to re-specialise a site that keeps missing (its miss
/// counter) is not modelled: such a site keeps its first specialisation.
///
/// # Safety
/// `frame` is the running frame, at the CALL with `oparg` arguments;
/// `args` holds the `total` arguments (`self` first for a method).
unsafe fn precall_making_call(
    frame: &Frame,
    function: *mut PyObject,
    args: *const *mut PyObject,
    total: usize,
    oparg: usize,
    kwnames: *mut PyObject,
) -> Option<u8> {
    let precall = frame.lasti() as usize - abi::PRECALL_TO_CALL as usize;
    let site = (frame.code_unit(precall) & 0xFF) as u8;
    let counter = frame.code_unit(precall + 1);
    // SAFETY: as this function's.
    unsafe {
        let specialisation = match site {
            op::PRECALL | op::PRECALL_ADAPTIVE if counter == 0 => {
                precall_specialisation(frame, function, total, oparg, kwnames)?
            }
            op::PRECALL | op::PRECALL_ADAPTIVE => return None,
            specialised => specialised,
        };
        precall_guards_pass(specialisation, function, args, total).then_some(specialisation)
    }
}

/// The instruction `_Py_Specialize_Precall` turns a PRECALL into for this
/// callable and call shape, among those that call the callable themselves;
/// None for any other outcome (a Python function, a bound method, a
/// mutable class, a failed specialisation).
///
/// # Safety
/// As `precall_making_call`.
unsafe fn precall_specialisation(
    frame: &Frame,
    function: *mut PyObject,
    total: usize,
    oparg: usize,
    kwnames: *mut PyObject,
) -> Option<u8> {
    let no_keywords = kwnames.is_null();
    // SAFETY: fields of live builtin functions, method descriptors and
    // types, read at probed offsets.
    unsafe {
        let ty = ffi::Py_TYPE(function);
        if ty == std::ptr::addr_of_mut!(ffi::PyCFunction_Type) {
            let def: *const u8 = abi::read_field(function.cast(), abi::CFUNCTION_METHOD_DEF);
            let flags: i32 = abi::read_field(def, abi::METHOD_DEF_FLAGS);
            return match flags & CALL_KINDS {
                ffi::METH_O if no_keywords && total == 1 => {
                    Some(if is_builtin(function, "len") { op::PRECALL_NO_KW_LEN } else { op::PRECALL_NO_KW_BUILTIN_O })
                }
                ffi::METH_FASTCALL if no_keywords => Some(if total == 2 && is_builtin(function, "isinstance") {
                    op::PRECALL_NO_KW_ISINSTANCE
                } else {
                    op::PRECALL_NO_KW_BUILTIN_FAST
                }),
                kinds if kinds == ffi::METH_FASTCALL | ffi::METH_KEYWORDS => Some(op::PRECALL_BUILTIN_FAST_WITH_KEYWORDS),
                _ => None,
            };
        }
        if ty == std::ptr::addr_of_mut!(ffi::PyMethodDescr_Type) {
            if !no_keywords {
                return None;
            }
            let def: *const u8 = abi::read_field(function.cast(), abi::METHOD_DESCR_METHOD_DEF);
            let flags: i32 = abi::read_field(def, abi::METHOD_DEF_FLAGS);
            return match flags & CALL_KINDS {
                ffi::METH_NOARGS if total == 1 => Some(op::PRECALL_NO_KW_METHOD_DESCRIPTOR_NOARGS),
                ffi::METH_O if total == 2 => {
                    // `list.append(x)` as a statement.
                    let after_call = frame.lasti() as usize + 1 + usize::from(abi::INLINE_CACHE_UNITS[op::CALL as usize]);
                    let statement = frame.code_unit(after_call) & 0xFF == u16::from(op::POP_TOP);
                    Some(if is_list_append(function) && oparg == 1 && statement {
                        op::PRECALL_NO_KW_LIST_APPEND
                    } else {
                        op::PRECALL_NO_KW_METHOD_DESCRIPTOR_O
                    })
                }
                ffi::METH_FASTCALL => Some(op::PRECALL_NO_KW_METHOD_DESCRIPTOR_FAST),
                kinds if kinds == ffi::METH_FASTCALL | ffi::METH_KEYWORDS => {
                    Some(op::PRECALL_METHOD_DESCRIPTOR_FAST_WITH_KEYWORDS)
                }
                _ => None,
            };
        }
        if ffi::PyType_Check(function) == 0 {
            return None;
        }
        let object_new: usize = abi::read_field(std::ptr::addr_of!(ffi::PyBaseObject_Type).cast(), abi::TYPE_NEW);
        let type_flags: std::ffi::c_ulong = abi::read_field(function.cast(), abi::TYPE_FLAGS);
        if abi::read_field::<usize>(function.cast(), abi::TYPE_NEW) == object_new
            || type_flags & ffi::Py_TPFLAGS_IMMUTABLETYPE == 0
        {
            return None;
        }
        if no_keywords && oparg == 1 && total == 1 {
            let one_argument_form = [
                (std::ptr::addr_of_mut!(ffi::PyUnicode_Type), op::PRECALL_NO_KW_STR_1),
                (std::ptr::addr_of_mut!(ffi::PyType_Type), op::PRECALL_NO_KW_TYPE_1),
                (std::ptr::addr_of_mut!(ffi::PyTuple_Type), op::PRECALL_NO_KW_TUPLE_1),
            ];
            if let Some(&(_, opcode)) = one_argument_form.iter().find(|(ty, _)| function == ty.cast()) {
                return Some(opcode);
            }
        }
        let vectorcall: *mut std::ffi::c_void = abi::read_field(function.cast(), abi::TYPE_VECTORCALL);
        (!vectorcall.is_null()).then_some(op::PRECALL_BUILTIN_CLASS)
    }
}

/// Whether the guards of the specialised PRECALL `opcode` pass for this
/// call, so that it makes the call itself (false for every instruction
/// that leaves the call to the CALL).
///
/// # Safety
/// As `precall_making_call`.
unsafe fn precall_guards_pass(opcode: u8, function: *mut PyObject, args: *const *mut PyObject, total: usize) -> bool {
    // SAFETY: as `precall_specialisation`'s; `args` holds `total` references.
    unsafe {
        let ty = ffi::Py_TYPE(function);
        let builtin_flags = || {
            (ty == std::ptr::addr_of_mut!(ffi::PyCFunction_Type)).then(|| {
                let def: *const u8 = abi::read_field(function.cast(), abi::CFUNCTION_METHOD_DEF);
                abi::read_field::<i32>(def, abi::METHOD_DEF_FLAGS)
            })
        };
        // A method descriptor's flags, when `self` (the first argument) is
        // of the descriptor's own type.
        let descriptor_flags = || {
            (ty == std::ptr::addr_of_mut!(ffi::PyMethodDescr_Type) && total >= 1)
                .then(|| {
                    let owner: *mut ffi::PyTypeObject = abi::read_field(function.cast(), abi::DESCR_TYPE);
                    let def: *const u8 = abi::read_field(function.cast(), abi::METHOD_DESCR_METHOD_DEF);
                    (ffi::Py_TYPE(*args) == owner).then(|| abi::read_field::<i32>(def, abi::METHOD_DEF_FLAGS))
                })
                .flatten()
        };
        let fast_with_keywords = ffi::METH_FASTCALL | ffi::METH_KEYWORDS;
        match opcode {
            op::PRECALL_NO_KW_BUILTIN_O => total == 1 && builtin_flags() == Some(ffi::METH_O),
            op::PRECALL_NO_KW_LEN => total == 1 && is_builtin(function, "len"),
            op::PRECALL_NO_KW_BUILTIN_FAST => builtin_flags() == Some(ffi::METH_FASTCALL),
            op::PRECALL_NO_KW_ISINSTANCE => total == 2 && is_builtin(function, "isinstance"),
            op::PRECALL_BUILTIN_FAST_WITH_KEYWORDS => builtin_flags() == Some(fast_with_keywords),
            op::PRECALL_NO_KW_METHOD_DESCRIPTOR_NOARGS => total == 1 && descriptor_flags() == Some(ffi::METH_NOARGS),
            op::PRECALL_NO_KW_METHOD_DESCRIPTOR_O => total == 2 && descriptor_flags() == Some(ffi::METH_O),
            op::PRECALL_NO_KW_LIST_APPEND => is_list_append(function) && total == 2 && ffi::PyList_Check(*args) != 0,
            op::PRECALL_NO_KW_METHOD_DESCRIPTOR_FAST => descriptor_flags() == Some(ffi::METH_FASTCALL),
            op::PRECALL_METHOD_DESCRIPTOR_FAST_WITH_KEYWORDS => descriptor_flags() == Some(fast_with_keywords),
            op::PRECALL_NO_KW_STR_1 => total == 1 && function == std::ptr::addr_of_mut!(ffi::PyUnicode_Type).cast(),
            op::PRECALL_NO_KW_TYPE_1 => total == 1 && function == std::ptr::addr_of_mut!(ffi::PyType_Type).cast(),
            op::PRECALL_NO_KW_TUPLE_1 => total == 1 && function == std::ptr::addr_of_mut!(ffi::PyTuple_Type).cast(),
            op::PRECALL_BUILTIN_CLASS => {
                ffi::PyType_Check(function) != 0
                    && !abi::read_field::<*mut std::ffi::c_void>(function.cast(), abi::TYPE_VECTORCALL).is_null()
            }
            _ => false,
        }
    }
}

/// Calls `function` with `total` arguments at `args` (`nargsf` as for
/// vectorcall) as the specialised PRECALL `opcode`, whose guards passed,
/// calls it. The difference that shows is the recursion check: a vectorcall
/// of a builtin counts one level (" while calling a Python object"), as
/// PRECALL_NO_KW_BUILTIN_O and the METH_O and METH_NOARGS descriptor forms
/// do, but PRECALL_NO_KW_BUILTIN_FAST, PRECALL_BUILTIN_FAST_WITH_KEYWORDS,
/// PRECALL_NO_KW_ISINSTANCE, PRECALL_NO_KW_LEN and the METH_FASTCALL
/// descriptor forms call the C function directly, so RecursionError comes
/// at the same depth as in CPython.
///
/// # Safety
/// `args` holds `total` live references (with the vectorcall offset slot
/// before it); `kwnames` is NULL or a tuple naming the last arguments; the
/// guards of `opcode` passed for this call (`precall_guards_pass`).
unsafe fn call_from_precall(
    opcode: u8,
    function: *mut PyObject,
    args: *const *mut PyObject,
    total: usize,
    nargsf: usize,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    type Fast = unsafe extern "C" fn(*mut PyObject, *const *mut PyObject, isize) -> *mut PyObject;
    type FastWithKeywords =
        unsafe extern "C" fn(*mut PyObject, *const *mut PyObject, isize, *mut PyObject) -> *mut PyObject;
    // SAFETY: the guards passed, so a builtin function or method descriptor
    // of exactly the flags `opcode` names (no METH_STATIC: `self` is its
    // receiver) points at its live, static PyMethodDef, whose `ml_meth` has
    // the signature those flags name; the fields are read at the probed offsets.
    unsafe {
        let descriptor = matches!(
            opcode,
            op::PRECALL_NO_KW_METHOD_DESCRIPTOR_FAST | op::PRECALL_METHOD_DESCRIPTOR_FAST_WITH_KEYWORDS
        );
        let (def, receiver, c_args, nargs): (*const u8, *mut PyObject, _, _) = if descriptor {
            (abi::read_field(function.cast(), abi::METHOD_DESCR_METHOD_DEF), *args, args.add(1), total - 1)
        } else {
            let receiver = abi::read_field(function.cast(), abi::CFUNCTION_SELF);
            (abi::read_field(function.cast(), abi::CFUNCTION_METHOD_DEF), receiver, args, total)
        };
        let positional = (nargs - keyword_count(kwnames)) as isize;
        match opcode {
            op::PRECALL_NO_KW_LEN => {
                let len: ffi::PyCFunction = abi::read_field(def, abi::METHOD_DEF_FUNCTION);
                len(receiver, *args)
            }
            op::PRECALL_NO_KW_BUILTIN_FAST | op::PRECALL_NO_KW_ISINSTANCE | op::PRECALL_NO_KW_METHOD_DESCRIPTOR_FAST => {
                let fast: Fast = abi::read_field(def, abi::METHOD_DEF_FUNCTION);
                fast(receiver, c_args, positional)
            }
            op::PRECALL_BUILTIN_FAST_WITH_KEYWORDS | op::PRECALL_METHOD_DESCRIPTOR_FAST_WITH_KEYWORDS => {
                let fast: FastWithKeywords = abi::read_field(def, abi::METHOD_DEF_FUNCTION);
                fast(receiver, c_args, positional, kwnames)
            }
            _ => ffi::PyObject_Vectorcall(function, args, nargsf, kwnames),
        }
    }
}

/// Whether `function` is the builtin `name` (`len` or `isinstance`, which
/// the interpreter keeps in its `callable_cache`).
unsafe fn is_builtin(function: *mut PyObject, name: &str) -> bool {
    static LEN: OnceLock<usize> = OnceLock::new();
    static ISINSTANCE: OnceLock<usize> = OnceLock::new();
    let (cell, attribute) = match name {
        "len" => (&LEN, c"len"),
        "isinstance" => (&ISINSTANCE, c"isinstance"),
        _ => unreachable!("not a cached builtin: {name}"),
    };
    // SAFETY: called with the GIL held.
    let builtins = || unsafe { ffi::PyImport_ImportModule(c"builtins".as_ptr()) };
    function as usize == unsafe { kept_attribute(cell, builtins, attribute) }
}

/// Whether `function` is the method descriptor `list.append` (the
/// interpreter's `callable_cache.list_append`).
unsafe fn is_list_append(function: *mut PyObject) -> bool {
    static LIST_APPEND: OnceLock<usize> = OnceLock::new();
    // SAFETY: called with the GIL held; the list type is static.
    let list = || unsafe { ffi::Py_NewRef(std::ptr::addr_of_mut!(ffi::PyList_Type).cast::<PyObject>()) };
    function as usize == unsafe { kept_attribute(&LIST_APPEND, list, c"append") }
}

/// The address of `owner().name`, looked up once and kept for the life of
/// the process, as the interpreter's `callable_cache` keeps its entries; 0
/// if the lookup failed. `owner` returns a new reference, or NULL with an
/// exception set.
///
/// # Safety
/// Called with the GIL held.
unsafe fn kept_attribute(cell: &OnceLock<usize>, owner: impl FnOnce() -> *mut PyObject, name: &CStr) -> usize {
    *cell.get_or_init(|| {
        // SAFETY: with the GIL held; the attribute's reference is never released.
        unsafe {
            let owner = owner();
            if owner.is_null() {
                ffi::PyErr_Clear();
                return 0;
            }
            let value = ffi::PyObject_GetAttrString(owner, name.as_ptr());
            ffi::Py_DECREF(owner);
            if value.is_null() {
                ffi::PyErr_Clear();
            }
            value as usize
        }
    })
}

/// CALL_FUNCTION_EX: `slots` holds `[NULL, callable, args, kwargs?]`.
/// Consumes every slot.
pub unsafe extern "C" fn call_function_ex(
    tstate: *mut ThreadState,
    slots: *mut *mut PyObject,
    has_kwargs: isize,
) -> *mut PyObject {
    // SAFETY: slots points at 3 or 4 value-stack slots holding owned
    // references (the first NULL).
    unsafe {
        let func = *slots.add(1);
        let mut args = *slots.add(2);
        let mut kwargs = if has_kwargs != 0 { *slots.add(3) } else { std::ptr::null_mut() };
        let result = 'call: {
            if !kwargs.is_null() && ffi::PyDict_CheckExact(kwargs) == 0 {
                let dict = ffi::PyDict_New();
                if dict.is_null() {
                    break 'call dict;
                }
                if abi::ffi::_PyDict_MergeEx(dict, kwargs, 2) < 0 {
                    ffi::Py_DECREF(dict);
                    ceval::format_kwargs_error(tstate, func, kwargs);
                    break 'call std::ptr::null_mut();
                }
                ffi::Py_DECREF(kwargs);
                kwargs = dict;
            }
            if ffi::PyTuple_CheckExact(args) == 0 {
                if ceval::check_args_iterable(tstate, func, args) < 0 {
                    break 'call std::ptr::null_mut();
                }
                let tuple = ffi::PySequence_Tuple(args);
                if tuple.is_null() {
                    break 'call tuple;
                }
                ffi::Py_DECREF(args);
                args = tuple;
            }
            if ffi::Py_TYPE(func) == std::ptr::addr_of_mut!(ffi::PyFunction_Type) {
                if let Some(result) = call_with_tuple(tstate, func, args, kwargs) {
                    break 'call result;
                }
            }
            ffi::PyObject_Call(func, args, kwargs)
        };
        ffi::Py_DECREF(func);
        ffi::Py_DECREF(args);
        ffi::Py_XDECREF(kwargs);
        result
    }
}

/// How many arguments the keyword names `kwnames` (a tuple, or NULL) name.
///
/// # Safety
/// `kwnames` is NULL or a tuple.
pub unsafe fn keyword_count(kwnames: *mut PyObject) -> usize {
    // SAFETY: see above.
    if kwnames.is_null() { 0 } else { unsafe { ffi::PyTuple_GET_SIZE(kwnames) as usize } }
}

/// Arguments a `function(*args, **kwargs)` call passes directly, at most.
const MAX_UNPACKED: usize = 32;

/// `function(*args, **kwargs)` for a Python function, an exact tuple and an
/// exact dict (or NULL), as a direct call (see `DIRECT_CALL`) when it can be
/// one: the dict's items become arguments passed by keyword, in its order,
/// as `_PyStack_UnpackDict` passes them. None, with nothing done, when it
/// must take the generic path (which also raises for keys that are not
/// strings).
///
/// SAFETY: `function` is an exact Python function, `args` an exact tuple,
/// `kwargs` NULL or an exact dict.
unsafe fn call_with_tuple(
    tstate: *mut ThreadState,
    function: *mut PyObject,
    args: *mut PyObject,
    kwargs: *mut PyObject,
) -> Option<*mut PyObject> {
    // SAFETY: see above; the tuple and the dict keep their items alive (no
    // Python code runs while they are read).
    unsafe {
        let direct = DIRECT_CALL.get().filter(|_| config::optimization_enabled(Optimization::DirectCalls))?;
        let items = args.cast::<u8>().add(abi::TUPLE_ITEMS).cast::<*mut PyObject>();
        let positional = ffi::PyTuple_GET_SIZE(args) as usize;
        let keywords = if kwargs.is_null() { 0 } else { ffi::PyDict_Size(kwargs) as usize };
        if keywords == 0 {
            return call_borrowing(items, positional, || direct(tstate, function, items, positional, std::ptr::null_mut()));
        }
        if positional + keywords > MAX_UNPACKED {
            return None;
        }
        let mut values = [std::ptr::null_mut(); MAX_UNPACKED];
        values[..positional].copy_from_slice(std::slice::from_raw_parts(items, positional));
        let kwnames = ffi::PyTuple_New(keywords as isize);
        if kwnames.is_null() {
            ffi::PyErr_Clear();
            return None;
        }
        let (mut position, mut key, mut value) = (0, std::ptr::null_mut(), std::ptr::null_mut());
        let mut k = 0;
        while ffi::PyDict_Next(kwargs, &mut position, &mut key, &mut value) != 0 {
            if ffi::PyUnicode_CheckExact(key) == 0 {
                ffi::Py_DECREF(kwnames);
                return None;
            }
            ffi::PyTuple_SET_ITEM(kwnames, k as isize, ffi::Py_NewRef(key));
            values[positional + k] = value;
            k += 1;
        }
        let (values, count) = (values.as_ptr(), positional + keywords);
        let result = call_borrowing(values, count, || direct(tstate, function, values, count, kwnames));
        ffi::Py_DECREF(kwnames);
        result
    }
}

/// `direct`, a call that consumes the `nargs` references at `args` or
/// declines (None) having done nothing, with those references borrowed: it
/// gets references of its own, dropped again if it declines.
///
/// # Safety
/// `args` holds `nargs` borrowed references that stay alive across the
/// call; `direct` is safe to call with owned references at `args`.
#[inline(always)]
pub unsafe fn call_borrowing(
    args: *const *mut PyObject,
    nargs: usize,
    direct: impl FnOnce() -> Option<*mut PyObject>,
) -> Option<*mut PyObject> {
    // SAFETY: see above.
    unsafe {
        for i in 0..nargs {
            ffi::Py_INCREF(*args.add(i));
        }
        let result = direct();
        if result.is_none() {
            for i in 0..nargs {
                ffi::Py_DECREF(*args.add(i));
            }
        }
        result
    }
}

/// MAKE_FUNCTION: `slots` holds the optional defaults, keyword defaults,
/// annotations and closure (as `flags` says), then the code object. Consumes
/// the slots on success; on failure only the code object.
pub unsafe extern "C" fn make_function(frame: *mut Frame, slots: *mut *mut PyObject, flags: isize) -> *mut PyObject {
    // SAFETY: slots holds owned references; the new function takes them over
    // exactly as the interpreter assigns its fields.
    unsafe {
        let count = 1 + (flags & 0x0F).count_ones() as usize;
        let code = *slots.add(count - 1);
        let function = ffi::PyFunction_New(code, (*frame).globals());
        ffi::Py_DECREF(code);
        if function.is_null() {
            return function;
        }
        let mut next = count - 1;
        for (flag, offset) in [
            (0x08, abi::FUNC_CLOSURE),
            (0x04, abi::FUNC_ANNOTATIONS),
            (0x02, abi::FUNC_KWDEFAULTS),
            (0x01, abi::FUNC_DEFAULTS),
        ] {
            if flags & flag != 0 {
                next -= 1;
                abi::write_field(function.cast(), offset, *slots.add(next));
            }
        }
        function
    }
}

/// Whether the interpreter would have specialised `frame`'s code by now: its
/// warm-up count (`co_warmup`, advanced by compiled code as by the
/// interpreter, see `Lowering::warm_up`) has reached 0.
fn is_warm(frame: &Frame) -> bool {
    // SAFETY: co_warmup is a short field of the frame's live code object.
    unsafe { abi::read_field::<i16>(frame.code().cast(), abi::CODE_WARMUP) == 0 }
}
