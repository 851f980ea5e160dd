//! Frames that compiled code and the runtime push on the thread's data
//! stack themselves, as `_PyEvalFramePushAndInit` and
//! `_PyEvalFrameClearAndPop` do (neither is exported, and `_PyFrame_Clear`'s
//! hand-over of a frame whose frame object outlives the call is ported here
//! as `take_ownership`), and the C stack such frames use: compiled frames
//! recurse on the C stack where the interpreter does not.

use crate::abi::{self, read_field, write_field, Frame, ThreadState, ThreadStateExt};
use pyo3::ffi::{self, PyObject, PyCodeObject};

/// `_PyThreadState_BumpFramePointer` without its slow path: `size` words on
/// the current data-stack chunk, if they fit and do not start it (a frame at
/// a chunk's start frees the chunk when popped, which only CPython does).
///
/// SAFETY: `ts` is the running thread's state.
#[inline(always)]
pub unsafe fn push_frame(ts: &ThreadState, size: usize) -> Option<*mut Frame> {
    // SAFETY: see above; the data-stack fields are probed.
    unsafe {
        let base = (ts as *const ThreadState).cast_mut().cast::<u8>();
        let top: *mut *mut PyObject = read_field(base, abi::TSTATE_DATASTACK_TOP);
        let limit: *mut *mut PyObject = read_field(base, abi::TSTATE_DATASTACK_LIMIT);
        let chunk: *mut u8 = read_field(base, abi::TSTATE_DATASTACK_CHUNK);
        if top.is_null() || top.cast::<u8>() == chunk.add(abi::STACK_CHUNK_DATA) || top.add(size) >= limit {
            return None;
        }
        write_field(base, abi::TSTATE_DATASTACK_TOP, top.add(size));
        Some(top.cast())
    }
}

/// Pops `frame`, pushed by `push_frame` and not initialized.
///
/// SAFETY: `frame` is the top frame of `ts`'s data stack.
#[inline(always)]
pub unsafe fn pop_frame(ts: &ThreadState, frame: *mut Frame) {
    let thread = (ts as *const ThreadState).cast_mut().cast::<u8>();
    // SAFETY: see above; the field is probed.
    unsafe { write_field(thread, abi::TSTATE_DATASTACK_TOP, frame) };
}

/// `_PyEvalFrameClearAndPop` for a frame `push_frame` made, after it ran
/// and was unlinked from the thread's frames.
///
/// SAFETY: `frame` is the top frame of `ts`'s data stack.
#[inline(always)]
pub unsafe fn clear_and_pop(ts: &ThreadState, frame: *mut Frame) {
    // SAFETY: see above; `_PyFrame_Clear`'s steps on the frame's fields.
    unsafe {
        let base = frame.cast::<u8>();
        *ts.recursion_remaining() -= 1;
        let frame_object: *mut PyObject = read_field(base, abi::FRAME_FRAME_OBJ);
        let cleared = if frame_object.is_null() {
            true
        } else {
            write_field(base, abi::FRAME_FRAME_OBJ, std::ptr::null_mut::<PyObject>());
            let escaped = ffi::Py_REFCNT(frame_object) > 1;
            if escaped {
                take_ownership(ts, frame_object, frame);
            }
            ffi::Py_DECREF(frame_object);
            !escaped
        };
        if cleared {
            let fr = &*frame;
            let stacktop: i32 = read_field(base, abi::FRAME_STACKTOP);
            for i in 0..stacktop.max(0) as usize {
                ffi::Py_XDECREF(*fr.slot(i));
            }
            ffi::Py_XDECREF(read_field::<*mut PyObject>(base, abi::FRAME_F_LOCALS));
            ffi::Py_DECREF(read_field::<*mut PyObject>(base, abi::FRAME_F_FUNC));
            ffi::Py_DECREF(read_field::<*mut PyObject>(base, abi::FRAME_F_CODE));
        }
        *ts.recursion_remaining() += 1;
        pop_frame(ts, frame);
    }
}

/// frame.c's `take_ownership`: the frame object outlives the call, so it
/// gets a copy of the frame (locals and all) and a reference to its caller's
/// frame object as `f_back`.
///
/// SAFETY: `frame_object` is `frame`'s live frame object; `frame` ran and
/// was unlinked, so the thread's current frame is its caller.
unsafe fn take_ownership(ts: &ThreadState, frame_object: *mut PyObject, frame: *mut Frame) {
    // SAFETY: see above; the frame object's data area has room for the
    // frame up to its stack top (CPython sized it for the code).
    unsafe {
        let base = frame.cast::<u8>();
        let stacktop: i32 = read_field(base, abi::FRAME_STACKTOP);
        let size = abi::FRAME_LOCALSPLUS + 8 * stacktop.max(0) as usize;
        let owned = frame_object.cast::<u8>().add(abi::FRAME_OBJECT_DATA);
        std::ptr::copy_nonoverlapping(base, owned, size);
        write_field(frame_object.cast(), abi::FRAME_OBJECT_FRAME, owned);
        write_field(owned, abi::FRAME_OWNER, abi::FRAME_OWNED_BY_FRAME_OBJECT as i8);
        let code: *mut PyCodeObject = read_field(owned, abi::FRAME_F_CODE);
        let first_traceable = code.cast::<u8>().add(abi::CODE_CODE_ADAPTIVE + 2 * abi::code_int(code, abi::CODE_FIRSTTRACEABLE) as usize);
        if read_field::<*mut u8>(owned, abi::FRAME_PREV_INSTR) < first_traceable {
            write_field(owned, abi::FRAME_PREV_INSTR, first_traceable);
        }
        let previous: *mut Frame = read_field(owned, abi::FRAME_PREVIOUS);
        if !previous.is_null() {
            debug_assert_eq!(previous, ts.current_frame());
            // The caller is running, so complete: PyEval_GetFrame gives its frame object.
            let back = ffi::PyEval_GetFrame();
            if back.is_null() {
                ffi::PyErr_Clear();
            } else {
                write_field(frame_object.cast(), abi::FRAME_OBJECT_BACK, ffi::Py_NewRef(back.cast::<PyObject>()));
            }
            write_field(owned, abi::FRAME_PREVIOUS, std::ptr::null_mut::<Frame>());
        }
        if ffi::PyObject_GC_IsTracked(frame_object) == 0 {
            ffi::PyObject_GC_Track(frame_object.cast());
        }
    }
}

/// `clear_and_pop` for compiled code's call entry, whose frame has a frame
/// object (the rare case it leaves to this function). Returns 0.
///
/// # Safety
/// As for `clear_and_pop`; `tstate` is the running thread's state.
pub unsafe extern "C" fn clear_and_pop_frame(tstate: *mut ThreadState, frame: *mut Frame) -> isize {
    // SAFETY: see above.
    unsafe { clear_and_pop(&*tstate, frame) };
    0
}

/// `c_stack_exhausted` for compiled code's call entry: 1 or 0.
pub extern "C" fn c_stack_exhausted_flag() -> isize {
    isize::from(c_stack_exhausted())
}

/// Bytes of C stack left free below a compiled frame, for the helpers and C
/// functions it calls (which have recursion checks of their own), and for
/// the compiled frames (at most a few hundred bytes each) started between
/// two measurements.
const C_STACK_RESERVE: usize = 64 * 1024;
/// Python recursion levels between two measurements of the C stack: the
/// levels where `recursion_remaining` is a multiple of it measure.
pub const C_STACK_CHECK_PERIOD: i32 = 8;

/// A thread's C stack: its lowest address, and the lowest address compiled
/// code may start a frame at (the lowest plus `C_STACK_RESERVE`, or a
/// quarter of a small stack).
#[derive(Clone, Copy)]
struct CStack {
    low: usize,
    floor: usize,
}

thread_local! {
    /// This thread's C stack, once measured.
    static C_STACK: std::cell::Cell<Option<CStack>> = const { std::cell::Cell::new(None) };
}

/// The address of the caller's stack frame, near enough.
#[inline(always)]
fn stack_position() -> usize {
    let marker = 0u8;
    std::ptr::addr_of!(marker) as usize
}

fn c_stack() -> CStack {
    C_STACK.with(|stack| {
        stack.get().unwrap_or_else(|| {
            let measured = measure_c_stack();
            stack.set(Some(measured));
            measured
        })
    })
}

/// Whether this thread's C stack is too nearly used up for another compiled
/// frame. The interpreter runs Python calls without C recursion, so a
/// recursion limit that fits its frames can overflow a small thread stack
/// (`threading.stack_size`) with compiled ones: this turns that into a
/// RecursionError.
pub fn c_stack_exhausted() -> bool {
    stack_position() < c_stack().floor
}

/// Bytes of this thread's C stack below the caller's frame.
pub fn c_stack_free() -> usize {
    stack_position().saturating_sub(c_stack().low)
}

fn measure_c_stack() -> CStack {
    // Unknown bounds: no limit is enforced.
    let unknown = CStack { low: 0, floor: 0 };
    // SAFETY: pthread_getattr_np fills `attr` for the calling thread, which
    // is destroyed after its stack bounds are read.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return unknown;
        }
        let mut low: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        let status = libc::pthread_attr_getstack(&attr, &mut low, &mut size);
        libc::pthread_attr_destroy(&mut attr);
        if status != 0 {
            return unknown;
        }
        CStack { low: low as usize, floor: low as usize + C_STACK_RESERVE.min(size / 4) }
    }
}
