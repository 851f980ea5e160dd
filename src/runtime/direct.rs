//! Calls from compiled code to Python functions without the round trip
//! through vectorcall, `_PyEval_Vector` and the frame-evaluation hook, and
//! calls from the interpreter and C without `_PyEval_Vector` and the hook
//! (`vectorcall`, which the hook installs on every function it sees: with a
//! hook installed, CPython's interpreter no longer runs Python callees
//! inline). Positional arguments binding exactly the parameters of code
//! without `*args`, `**kwargs` or keyword-only parameters (`plain_arity`)
//! take the shortest path. Positional arguments (with defaults) binding a
//! function with native code go to `helpers::frames::enter_compiled` (which
//! compiled code also calls itself); otherwise the callee's frame is pushed
//! on the thread's data stack here (`helpers::frames`), as
//! `_PyEvalFramePushAndInit` does, run where its code's tier says
//! (`run_frame`: its native code, or the interpreter, counted towards
//! compiling it as the hook counts), and cleared and popped as
//! `_PyEvalFrameClearAndPop` does. Everything else is delegated: the generic
//! path is taken for arguments that do not bind (CPython raises), keywords
//! that go to `**kwargs` or name a parameter by another string object than
//! its own, a full data-stack chunk, and whenever a trace or profile
//! function is installed. Parameters, defaults, keyword-only defaults,
//! `*args` and `**kwargs` are filled in as `initialize_locals` does.

use super::state::CodeState;
use super::{run_frame, INSTALLED};
use crate::abi::{self, ffi as abi_ffi, read_field, Frame, ThreadState, ThreadStateExt};
use crate::helpers::calls::{call_borrowing, keyword_count, CallSite, CallTarget};
use crate::helpers::instances;
use crate::helpers::frames::{self, bind_positionally, clear_and_pop, initialize, pop_frame, push_frame, unbind};
use crate::stats;
use pyo3::ffi::{self, PyCodeObject, PyObject};

/// Calls the Python function `function` with the `nargs` arguments at
/// `args`, the last `len(kwnames)` of them passed by the keywords `kwnames`
/// (NULL for none), if it can be run directly: the arguments' references
/// are then moved into the callee's frame (the call consumes them). None,
/// with nothing done, if the call must take the generic path.
///
/// # Safety
/// Called from compiled code with the GIL held; `function` is an exact
/// Python function, `args` holds `nargs` owned references and `kwnames` is
/// NULL or a tuple of strings no longer than `nargs`.
// Inline in `vectorcall`, the path of every call from the interpreter and
// from C: its own prologue and epilogue cost a tenth of that path.
#[inline(always)]
pub unsafe fn call(
    tstate: *mut ThreadState,
    function: *mut PyObject,
    args: *const *mut PyObject,
    nargs: usize,
    kwnames: *mut PyObject,
) -> Option<*mut PyObject> {
    // SAFETY: see above; fields are read at probed offsets.
    unsafe {
        let ts = &*tstate;
        if !INSTALLED || ts.use_tracing() || !frames::hook_installed(ts) {
            return None;
        }
        let code: *mut PyCodeObject = read_field(function.cast(), abi::FUNC_CODE);
        let state = CodeState::of(code)?;
        if kwnames.is_null() && state.call_target().entry.is_some() {
            let result = frames::enter_with_new_reference(function, |function| {
                frames::enter_compiled(tstate, function, args, nargs, state.call_target())
            });
            if result as usize != frames::CALL_DECLINED {
                return Some(result);
            }
        }
        let target = state.call_target();
        if kwnames.is_null() && nargs == target.plain_arity as usize {
            let (frame, bound) = frames::bind_exactly(ts, function, args, target, 0)?;
            // The frame's reference to the function (the caller keeps its own).
            ffi::Py_INCREF(function);
            stats::bump(&stats::DIRECT_CALLS);
            unbind((*frame).slot(bound), target.nlocalsplus as usize - bound);
            let result = run_frame(tstate, frame, state);
            clear_and_pop(ts, frame);
            return Some(result);
        }
        let shape = Shape::of(function, code);
        let by_position = kwnames.is_null() && shape.kwonly == 0;
        if by_position && !shape.binds_positionally(nargs) {
            return None;
        }
        let (nlocalsplus, frame_words) = (state.call_target().nlocalsplus, state.call_target().frame_words);
        let frame = push_frame(ts, frame_words as usize)?;
        let positional = nargs - keyword_count(kwnames);
        let bound = if by_position {
            bind_positionally(&*frame, args, nargs, shape.argcount, shape.defaults)
        } else {
            match bind_keywords(&*frame, &shape, function, code, args, positional, kwnames) {
                Some(bound) => bound,
                None => {
                    pop_frame(ts, frame);
                    return None;
                }
            }
        };
        stats::bump(&stats::DIRECT_CALLS);
        initialize(frame, ffi::Py_NewRef(function), code, nlocalsplus);
        if !bind_collectors(&*frame, &shape, nlocalsplus as usize, args, bound, positional) {
            // Only allocating `*args` or `**kwargs` fails: the frame is
            // complete, every local bound or NULL, so clearing it is exact.
            clear_and_pop(ts, frame);
            return Some(std::ptr::null_mut());
        }
        let result = run_frame(tstate, frame, state);
        clear_and_pop(ts, frame);
        Some(result)
    }
}

/// The vectorcall of the Python functions whose frames the hook has seen
/// (`install_vectorcall`): calls from C and from the interpreter, which
/// reach a function through its vectorcall while a frame-evaluation hook is
/// installed, push its frame and run it where its tier says (its native
/// code, or the interpreter) as calls from compiled code do (`call`),
/// instead of through `_PyEval_Vector` and the hook; any call `call`
/// declines goes to CPython's `_PyFunction_Vectorcall`, as without it.
///
/// # Safety
/// The vectorcall protocol: with the GIL held, `function` an exact Python
/// function, `args` its borrowed arguments (`PyVectorcall_NARGS(nargsf)`
/// positional ones, then one for each name in the tuple `kwnames`, or NULL).
pub unsafe extern "C" fn vectorcall(
    function: *mut PyObject,
    args: *const *mut PyObject,
    nargsf: usize,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: see above; the caller's references keep the arguments alive.
    unsafe {
        let tstate = abi_ffi::_PyThreadState_UncheckedGet();
        let nargs = ffi::PyVectorcall_NARGS(nargsf) as usize + keyword_count(kwnames);
        // Without a hook, CPython runs a Python function a CALL calls
        // inline, having stepped the caller over the CALL's inline cache
        // (its f_lasti shows the cache's last unit to the callee, and in
        // the traceback when the callee raises); with one, the interpreter
        // calls through here with the caller still on the CALL.
        let site = calling_instruction(&*tstate, function, args, nargsf, nargs);
        if let Some(caller) = site {
            caller.step_lasti(abi::CALL_CACHE_UNITS);
        }
        call_borrowing(args, nargs, || call(tstate, function, args, nargs, kwnames)).unwrap_or_else(|| {
            let result = abi_ffi::_PyFunction_Vectorcall(function, args, nargsf, kwnames);
            // CPython steps over the cache once the arguments bound: a call
            // whose arguments do not bind raises (an exception no frame
            // has a traceback entry for yet) with the caller on the CALL.
            if let Some(caller) = site.filter(|_| result.is_null() && raised_outside_frames()) {
                caller.step_lasti(-abi::CALL_CACHE_UNITS);
            }
            result
        })
    }
}

/// Whether the exception being raised has no traceback entry: no frame
/// has seen it.
///
/// # Safety
/// With the GIL held and an exception set.
unsafe fn raised_outside_frames() -> bool {
    let (mut kind, mut value, mut traceback) = (std::ptr::null_mut(), std::ptr::null_mut(), std::ptr::null_mut());
    // SAFETY: see above; the exception is put back as it was.
    unsafe {
        ffi::PyErr_Fetch(&mut kind, &mut value, &mut traceback);
        let outside = traceback.is_null();
        ffi::PyErr_Restore(kind, value, traceback);
        outside
    }
}

/// The interpreted frame whose CALL instruction makes this call of
/// `function` with the `nargs` arguments at `args` (`nargsf` as passed),
/// if one does: the thread's current frame is at a CALL (in any of its
/// specialised forms) and `args` is a window of its value stack with
/// `function` just below, where CALL puts the callable and its arguments
/// (and says so with `PY_VECTORCALL_ARGUMENTS_OFFSET`). A call C code
/// makes (a builtin given a callable, `functools.partial`,
/// CALL_FUNCTION_EX) passes arguments of its own, or another callable
/// below them.
///
/// # Safety
/// With the GIL held; `args` holds `nargs` arguments, and the slot below
/// them may be read when `nargsf` has `PY_VECTORCALL_ARGUMENTS_OFFSET`.
unsafe fn calling_instruction(
    ts: &ThreadState,
    function: *mut PyObject,
    args: *const *mut PyObject,
    nargsf: usize,
    nargs: usize,
) -> Option<&Frame> {
    // SAFETY: the current frame is live while the thread runs it; its
    // value stack spans `co_stacksize` slots after its locals.
    unsafe {
        if nargsf & ffi::PY_VECTORCALL_ARGUMENTS_OFFSET == 0 {
            return None;
        }
        let frame = ts.current_frame().as_ref()?;
        let lasti = frame.lasti();
        if lasti < 0 || abi::DEOPT[usize::from(frame.code_unit(lasti as usize) as u8)] != abi::op::CALL {
            return None;
        }
        let window = args.sub(1);
        if *window != function {
            return None;
        }
        let code = frame.code();
        let stack = frame.slot(abi::code_int(code, abi::CODE_NLOCALSPLUS) as usize).cast_const();
        let end = stack.add(abi::code_int(code, abi::CODE_STACKSIZE) as usize);
        (window >= stack && args.add(nargs) <= end).then_some(frame)
    }
}

/// Has calls of `function` go through `vectorcall`, unless its vectorcall
/// is not CPython's own (someone else set it, or it is set already).
///
/// # Safety
/// With the GIL held; `function` is a live exact Python function.
pub unsafe fn install_vectorcall(function: *mut PyObject) {
    let cpython = abi_ffi::_PyFunction_Vectorcall as *const () as usize;
    // SAFETY: see above; the field is probed and holds a function pointer.
    unsafe {
        if read_field::<usize>(function.cast(), abi::FUNC_VECTORCALL) == cpython {
            abi::write_field(function.cast(), abi::FUNC_VECTORCALL, vectorcall as *const () as usize);
        }
    }
}

/// What binding arguments needs to know of a function's parameters.
struct Shape {
    flags: i32,
    /// Positional parameters (positional-only ones included).
    argcount: usize,
    kwonly: usize,
    /// The function's defaults tuple (borrowed), or NULL.
    defaults: *mut PyObject,
    default_count: usize,
}

impl Shape {
    /// SAFETY: `function` is a live Python function and `code` its code.
    #[inline(always)]
    unsafe fn of(function: *mut PyObject, code: *mut PyCodeObject) -> Shape {
        // SAFETY: see above; fields at probed offsets.
        unsafe {
            let defaults: *mut PyObject = read_field(function.cast(), abi::FUNC_DEFAULTS);
            Shape {
                flags: abi::code_int(code, abi::CODE_FLAGS),
                argcount: abi::code_int(code, abi::CODE_ARGCOUNT) as usize,
                kwonly: abi::code_int(code, abi::CODE_KWONLYARGCOUNT) as usize,
                defaults,
                default_count: if defaults.is_null() { 0 } else { ffi::PyTuple_GET_SIZE(defaults) as usize },
            }
        }
    }

    fn has(&self, flag: i32) -> bool {
        self.flags & flag != 0
    }

    /// Whether `nargs` positional arguments bind without error to a
    /// function without keyword-only parameters.
    fn binds_positionally(&self, nargs: usize) -> bool {
        nargs == self.argcount && !self.has(abi::CO_VARARGS | abi::CO_VARKEYWORDS)
            || (nargs <= self.argcount || self.has(abi::CO_VARARGS)) && nargs + self.default_count >= self.argcount
    }

    /// The default of positional parameter `index`, if it has one (borrowed).
    ///
    /// SAFETY: `index < argcount`.
    unsafe fn default(&self, index: usize) -> Option<*mut PyObject> {
        let first_defaulted = self.argcount - self.default_count;
        // SAFETY: the index is within the defaults tuple.
        (index >= first_defaulted).then(|| unsafe { ffi::PyTuple_GET_ITEM(self.defaults, (index - first_defaulted) as isize) })
    }
}

/// Parameters a keyword call binds directly: one bit each in a mask of
/// the defaults it referenced.
const MAX_PARAMETERS: usize = 64;

/// `initialize_locals`' parameters for a call with the `positional`
/// arguments at `args` and the keywords `kwnames` for those after them (or
/// to a function with keyword-only parameters), written to the parameters'
/// slots of the pushed, not yet initialized `frame`: arguments moved,
/// defaults referenced anew. Returns how many positional arguments went to
/// parameters. None, with every reference it took dropped again and no
/// argument consumed, where `initialize_locals` would raise or collect
/// keywords in `**kwargs`, and for a keyword that is not its parameter's own
/// (interned) name object; positional-only parameters are never matched by
/// keyword.
///
/// SAFETY: as for `call`, with `shape` and `code` those of `function` and
/// `frame` pushed for `code`.
unsafe fn bind_keywords(
    frame: &Frame,
    shape: &Shape,
    function: *mut PyObject,
    code: *mut PyCodeObject,
    args: *const *mut PyObject,
    positional: usize,
    kwnames: *mut PyObject,
) -> Option<usize> {
    // SAFETY: see above; `co_localsplusnames` starts with the parameters'
    // names, positional then keyword-only.
    unsafe {
        let keywords = keyword_count(kwnames);
        let parameters = shape.argcount + shape.kwonly;
        if parameters > MAX_PARAMETERS
            || keywords > 0 && shape.has(abi::CO_VARKEYWORDS)
            || positional > shape.argcount && !shape.has(abi::CO_VARARGS)
        {
            return None;
        }
        let bound = positional.min(shape.argcount);
        std::ptr::copy_nonoverlapping(args, frame.slot(0), bound);
        for i in bound..parameters {
            *frame.slot(i) = std::ptr::null_mut();
        }
        let names = abi::code_object(code, abi::CODE_LOCALSPLUSNAMES);
        let posonly = abi::code_int(code, abi::CODE_POSONLYARGCOUNT) as usize;
        for k in 0..keywords {
            let name = ffi::PyTuple_GET_ITEM(kwnames, k as isize);
            let index = (posonly..parameters).find(|&i| ffi::PyTuple_GET_ITEM(names, i as isize) == name)?;
            if !(*frame.slot(index)).is_null() {
                return None;
            }
            *frame.slot(index) = *args.add(positional + k);
        }
        let kwdefaults: *mut PyObject = read_field(function.cast(), abi::FUNC_KWDEFAULTS);
        let mut defaulted: u64 = 0;
        for index in bound..parameters {
            if !(*frame.slot(index)).is_null() {
                continue;
            }
            let value = if index < shape.argcount {
                shape.default(index)
            } else if kwdefaults.is_null() {
                None
            } else {
                let name = ffi::PyTuple_GET_ITEM(names, index as isize);
                let value = frames::keyword_default(kwdefaults, index - shape.argcount, name);
                if value.is_null() {
                    ffi::PyErr_Clear();
                }
                (!value.is_null()).then_some(value)
            };
            let Some(value) = value else {
                for i in 0..parameters {
                    if defaulted & (1 << i) != 0 {
                        ffi::Py_DECREF(*frame.slot(i));
                    }
                }
                return None;
            };
            *frame.slot(index) = ffi::Py_NewRef(value);
            defaulted |= 1 << index;
        }
        Some(bound)
    }
}

/// `cls(*args)` for a class whose instances are made by `object.__new__`
/// and initialised by an `__init__` written in Python, the way `type_call`
/// and `slot_tp_init` do it, without the argument tuple: the instance from
/// `tp_new` with no arguments (`object_new` checks them only when the
/// class has no `__init__`), then `__init__` looked up again and called
/// with the instance and the `nargs` arguments at `window[1..]` (the last
/// of them passed by the keywords `kwnames`, if not NULL), directly when it
/// can be. `window[0]` holds the class and is lent to the instance for the
/// call. None, with nothing done, for any other class. A call site's
/// record of the class (`CallSite::constructor`, when `site` is not NULL)
/// stands for both lookups of `__init__` while the class is unchanged.
///
/// # Safety
/// Called from compiled code with the GIL held; `window` holds `nargs + 1`
/// live references; `kwnames` is NULL or a tuple of at most `nargs` strings;
/// `site` is NULL or a CALL's data-block entry.
pub unsafe fn construct(
    tstate: *mut ThreadState,
    window: *mut *mut PyObject,
    nargs: usize,
    kwnames: *mut PyObject,
    site: *mut CallSite,
) -> Option<*mut PyObject> {
    // SAFETY: see above; type fields are read at probed offsets.
    unsafe {
        let cls = *window;
        let tp = cls.cast::<ffi::PyTypeObject>();
        if !INSTALLED || !frames::hook_installed(&*tstate) || ffi::Py_TYPE(cls) != std::ptr::addr_of_mut!(ffi::PyType_Type) {
            return None;
        }
        let mut site = site.as_mut();
        if site.as_ref().is_none_or(|site| site.constructor(cls).is_none()) {
            let object_new: usize = read_field(std::ptr::addr_of!(ffi::PyBaseObject_Type).cast(), abi::TYPE_NEW);
            if read_field::<usize>(cls.cast(), abi::TYPE_NEW) != object_new {
                return None;
            }
            let init = python_init(tp)?;
            if let Some(site) = site.as_deref_mut() {
                site.record_constructor(cls, init);
            }
        }
        // As `_PyObject_MakeTpCall` around `type_call`.
        if ffi::Py_EnterRecursiveCall(c" while calling a Python object".as_ptr()) != 0 {
            return Some(std::ptr::null_mut());
        }
        let instance = instances::new_instance(cls);
        let result = if instance.is_null() {
            std::ptr::null_mut()
        } else {
            initialize_instance(tstate, instance, window, nargs, kwnames, site.map(|site| &*site))
        };
        ffi::Py_LeaveRecursiveCall();
        Some(result)
    }
}

/// The rest of `type_call` once `instance` is made for the class at
/// `window[0]`: `__init__` called with the instance and the `nargs`
/// arguments at `window[1..]` (the last of them passed by the keywords
/// `kwnames`, if not NULL), directly when it can be, with the site's record
/// of the class when it still holds (the allocation may have run finalizers
/// that changed the class), else looked up again, or through `tp_init` when
/// it is no longer a Python function. `window[0]` is lent to the instance
/// for the call. The instance, or NULL with the error set (consumes it).
///
/// # Safety
/// Called with the GIL held; `instance` is an owned reference to a new
/// instance of the class at `window[0]`; otherwise as for `construct`.
pub unsafe fn initialize_instance(
    tstate: *mut ThreadState,
    instance: *mut PyObject,
    window: *mut *mut PyObject,
    nargs: usize,
    kwnames: *mut PyObject,
    site: Option<&CallSite>,
) -> *mut PyObject {
    // SAFETY: see above.
    unsafe {
        let cls = *window;
        let tp = cls.cast::<ffi::PyTypeObject>();
        *window = instance;
        let result = match site.and_then(|site| site.constructor(cls)) {
            Some((init, target)) => {
                stats::bump(&stats::RECORDED_CONSTRUCTS);
                call_init(tstate, init, target, window, nargs, kwnames)
            }
            None => match python_init(tp) {
                Some(init) => call_borrowed(tstate, init, window, nargs + 1, kwnames),
                None => instances::init_through_slot(tp, instance, window.add(1), nargs, kwnames),
            },
        };
        *window = cls;
        instances::init_result(instance, result)
    }
}

/// `init(*window)`, the window's `nargs + 1` references borrowed: through
/// `frames::enter_compiled` with `target`, the state of `init`'s code, when
/// it can be entered so, else as `call_borrowed` calls.
///
/// SAFETY: as for `call_borrowed`; `target` is the live state of `init`'s
/// code.
#[inline(always)]
unsafe fn call_init(
    tstate: *mut ThreadState,
    init: *mut PyObject,
    target: *mut CallTarget,
    window: *mut *mut PyObject,
    nargs: usize,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: see above; the window's references keep every argument alive.
    unsafe {
        if kwnames.is_null() {
            let result = call_borrowing(window, nargs + 1, || {
                let result = frames::enter_with_new_reference(init, |init| {
                    frames::enter_compiled(tstate, init, window, nargs + 1, target)
                });
                (result as usize != frames::CALL_DECLINED).then_some(result)
            });
            if let Some(result) = result {
                return result;
            }
        }
        call_borrowed(tstate, init, window, nargs + 1, kwnames)
    }
}

/// `function(*args)` with the `nargs` references at `args` borrowed (the
/// last `len(kwnames)` passed by keyword): directly when it can be, else by
/// vectorcall.
///
/// SAFETY: as for `call`, but `args` holds borrowed references.
unsafe fn call_borrowed(
    tstate: *mut ThreadState,
    function: *mut PyObject,
    args: *const *mut PyObject,
    nargs: usize,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: see above; the caller's references keep every argument alive.
    unsafe {
        call_borrowing(args, nargs, || call(tstate, function, args, nargs, kwnames)).unwrap_or_else(|| {
            let positional = nargs - keyword_count(kwnames);
            ffi::PyObject_Vectorcall(function, args, positional, kwnames)
        })
    }
}

/// The class's `__init__` if it is a Python function (so `tp_init` is
/// `slot_tp_init`, which calls it).
///
/// SAFETY: `tp` is a live type.
unsafe fn python_init(tp: *mut ffi::PyTypeObject) -> Option<*mut PyObject> {
    static NAME: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    // SAFETY: see above; the interned name lives for the process.
    unsafe {
        let name = *NAME.get_or_init(|| ffi::PyUnicode_InternFromString(c"__init__".as_ptr()) as usize) as *mut PyObject;
        let init = abi_ffi::_PyType_Lookup(tp, name);
        (!init.is_null() && ffi::Py_TYPE(init) == std::ptr::addr_of_mut!(ffi::PyFunction_Type)).then_some(init)
    }
}

/// The rest of `initialize_locals` once the parameters are bound: the
/// positional arguments from `bound` on as `*args` (moved), an empty
/// `**kwargs`, every other local unbound. False if allocating `*args` or
/// `**kwargs` failed (the error is set; every local is then bound or NULL).
///
/// SAFETY: `frame`'s parameters are bound from `args`, which holds
/// `positional` positional arguments; more than `bound` only if the function
/// has `*args`.
#[inline(always)]
unsafe fn bind_collectors(
    frame: &Frame,
    shape: &Shape,
    nlocalsplus: usize,
    args: *const *mut PyObject,
    bound: usize,
    positional: usize,
) -> bool {
    // SAFETY: see above.
    unsafe {
        let mut next = shape.argcount + shape.kwonly;
        for i in next..nlocalsplus {
            *frame.slot(i) = std::ptr::null_mut();
        }
        if shape.has(abi::CO_VARARGS) {
            let extra = ffi::PyTuple_New((positional - bound) as isize);
            if extra.is_null() {
                for i in bound..positional {
                    ffi::Py_DECREF(*args.add(i));
                }
                return false;
            }
            for i in bound..positional {
                ffi::PyTuple_SET_ITEM(extra, (i - bound) as isize, *args.add(i));
            }
            *frame.slot(next) = extra;
            next += 1;
        }
        if shape.has(abi::CO_VARKEYWORDS) {
            let kwargs = ffi::PyDict_New();
            if kwargs.is_null() {
                return false;
            }
            *frame.slot(next) = kwargs;
        }
        true
    }
}

