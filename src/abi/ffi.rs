//! Exported libpython 3.11 functions that pyo3-ffi does not declare (private
//! but exported: checked with `nm -D` against libpython3.11.so).

use super::{Frame, ThreadState};
use pyo3::ffi::{PyObject, Py_ssize_t};
use std::ffi::{c_char, c_int, c_void};

pub type EvalFrameFn =
    unsafe extern "C" fn(*mut ThreadState, *mut Frame, c_int) -> *mut PyObject;

// The functions through which CPython runs Python code under pyjit's own
// frames are declared as unwinding: a daemon thread that meets interpreter
// shutdown there is ended by `pthread_exit`, whose forced unwind crosses
// those frames, and a call the unwind tables do not cover (one to a
// function declared not to unwind) stops it with an abort.
extern "C-unwind" {
    pub fn _PyEval_EvalFrameDefault(
        tstate: *mut ThreadState,
        frame: *mut Frame,
        throwflag: c_int,
    ) -> *mut PyObject;
    pub fn _PyFunction_Vectorcall(
        function: *mut PyObject,
        args: *const *mut PyObject,
        nargsf: usize,
        kwnames: *mut PyObject,
    ) -> *mut PyObject;
}

extern "C" {
    pub fn _PyInterpreterState_GetEvalFrameFunc(
        interp: *mut pyo3::ffi::PyInterpreterState,
    ) -> Option<EvalFrameFn>;
    pub fn _PyInterpreterState_SetEvalFrameFunc(
        interp: *mut pyo3::ffi::PyInterpreterState,
        eval_frame: Option<EvalFrameFn>,
    );
    pub fn _PyEval_RequestCodeExtraIndex(free: unsafe extern "C" fn(*mut c_void)) -> Py_ssize_t;
    pub fn _PyCode_SetExtra(code: *mut PyObject, index: Py_ssize_t, extra: *mut c_void) -> c_int;
    pub fn _Py_CheckRecursiveCall(tstate: *mut ThreadState, where_: *const c_char) -> c_int;
    pub fn _PyObject_GetMethod(obj: *mut PyObject, name: *mut PyObject, method: *mut *mut PyObject) -> c_int;
    pub fn _PyType_Lookup(tp: *mut pyo3::ffi::PyTypeObject, name: *mut PyObject) -> *mut PyObject;
    pub fn _PyObject_LookupSpecial(obj: *mut PyObject, name: *mut PyObject) -> *mut PyObject;
    pub fn _PyErr_FormatFromCause(exception: *mut PyObject, format: *const c_char, ...) -> *mut PyObject;
    pub fn _PyObject_FunctionStr(func: *mut PyObject) -> *mut PyObject;
    pub fn _PyUnicode_JoinArray(sep: *mut PyObject, items: *const *mut PyObject, n: Py_ssize_t) -> *mut PyObject;
    pub fn _PyDict_MergeEx(a: *mut PyObject, b: *mut PyObject, override_: c_int) -> c_int;
    pub fn _PySet_Update(set: *mut PyObject, iterable: *mut PyObject) -> c_int;
    pub fn _PyList_Extend(list: *mut PyObject, iterable: *mut PyObject) -> *mut PyObject;
    pub fn _PyOS_IsMainThread() -> c_int;
    /// The thread state holding the GIL (`_PyRuntime.gilstate.tstate_current`,
    /// read atomically), or NULL; callable without the GIL.
    pub fn _PyThreadState_UncheckedGet() -> *mut ThreadState;
    pub fn _PySys_GetAttr(tstate: *mut ThreadState, name: *mut PyObject) -> *mut PyObject;
    pub fn _PyUnicode_Equal(a: *mut PyObject, b: *mut PyObject) -> c_int;
}

extern "C" {
    pub static mut _Py_NoneStruct: PyObject;
    pub static mut _Py_TrueStruct: PyObject;
    pub static mut _Py_FalseStruct: PyObject;
    pub static mut PyMethod_Type: pyo3::ffi::PyTypeObject;
    pub static mut _PyAsyncGenWrappedValue_Type: pyo3::ffi::PyTypeObject;
    /// `struct _PyTraceMalloc_Config`: only its `tracing` field is read, at
    /// its probed offset.
    pub static mut _Py_tracemalloc_config: u8;
    /// `_PyRuntimeState`: only its cached small ints are read, at their
    /// probed offset.
    pub static mut _PyRuntime: u8;
    pub fn _Py_Dealloc(obj: *mut PyObject);
    pub fn PyMethod_Function(method: *mut PyObject) -> *mut PyObject;
    pub fn PyMethod_Self(method: *mut PyObject) -> *mut PyObject;
    pub fn PyCell_New(value: *mut PyObject) -> *mut PyObject;
}

// The C library's, which CPython's float operations call.
extern "C" {
    /// libm's `pow`, the one `float_pow` calls: the same bits for the same operands.
    pub fn pow(base: f64, exponent: f64) -> f64;
    /// libm's functions that the math module's functions of the same names
    /// call (`bytecode::MathFunction`).
    pub fn sin(x: f64) -> f64;
    pub fn cos(x: f64) -> f64;
    pub fn tan(x: f64) -> f64;
    pub fn atan(x: f64) -> f64;
    pub fn exp(x: f64) -> f64;
}

// Wrappers of CPython's static inline functions, compiled from its headers
// (`src/abi/inline.c`).
extern "C" {
    pub fn pyjit_values_add_to_insertion_order(values: *mut PyObject, index: Py_ssize_t);
}
