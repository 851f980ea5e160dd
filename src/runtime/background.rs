//! Compiling on a background thread.
//!
//! With the automatic tiering policy, a code object found worth compiling is
//! decoded on the thread that runs it (reading the code object needs the
//! GIL), and the rest — lowering, Cranelift, emitting an object file — runs
//! on one compiler thread that never touches Python objects. Frames of the
//! code keep running in the interpreter meanwhile. The next frame of the
//! code (or the next loop sample of a running one) finds the finished
//! object and loads it with pyjit's loader, the path cached code takes.
//! On a machine with a free core the compile then costs the program almost
//! nothing but the decoding and loading; on one without, no more than
//! compiling in place.
//!
//! A fixed threshold (`PYJIT_THRESHOLD=N`) compiles in place, so that a
//! function is native from the call the threshold names, and so does
//! `PYJIT_BACKGROUND=0`.
//!
//! The compiler thread ends after `COMPILER_IDLE` without work, and the
//! next submit starts another: a process ends when its last thread does, so
//! a waiting compiler thread would keep alive a child forked from a thread
//! other than the main one after that thread ends. A job still queued when
//! the thread ends is dropped with the queue; its code notices (`Pending::poll`)
//! and is found worth compiling again.
//!
//! Fork: the child has no compiler thread. Compiles submitted before the
//! fork are abandoned in the child (their generation is old) and their code
//! is found worth compiling again.

use crate::bytecode::CodeInfo;
use crate::codegen::Compiled;
use crate::config::Optimizations;
use crate::link::{self, Failure};
use crate::profile::Profile;
use crate::stats::CompilePhases;
use std::sync::atomic::{fence, AtomicPtr, AtomicU64, Ordering::{Acquire, SeqCst}};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// Stack of the compiler thread: Cranelift recurses over large functions.
const COMPILER_STACK: usize = 16 << 20;
/// How long the compiler thread waits for a job before it ends.
const COMPILER_IDLE: Duration = Duration::from_secs(1);

/// What the compiler thread made of one code object.
pub struct Finished {
    pub info: CodeInfo,
    pub profile: Profile,
    pub enabled: Optimizations,
    /// The object file and what the lowering produced, or why not.
    pub object: Result<(Vec<u8>, Compiled), Failure>,
    pub phases: CompilePhases,
}

/// Where the compiler thread leaves a `Finished`: one owner each, the
/// thread's job and the code's state; whichever drops last frees it.
struct Slot(AtomicPtr<Finished>);

impl Drop for Slot {
    fn drop(&mut self) {
        let finished = self.0.swap(std::ptr::null_mut(), SeqCst);
        if !finished.is_null() {
            // SAFETY: a non-NULL pointer in a slot comes from `Box::into_raw`
            // in `compile`, and swapping it out makes this its only owner.
            drop(unsafe { Box::from_raw(finished) });
        }
    }
}

/// A compile submitted to the compiler thread, held by the code's state.
pub struct Pending {
    slot: Arc<Slot>,
    generation: u64,
}

/// What became of a pending compile.
pub enum Poll {
    NotYet,
    Done(Box<Finished>),
    /// It never finishes: submitted before a fork (in the child), or left
    /// queued when the compiler thread ended.
    Abandoned,
}

impl Pending {
    /// Takes the finished compile if the compiler thread is done with it.
    pub fn poll(&self) -> Poll {
        if self.generation != GENERATION.load(SeqCst) {
            return Poll::Abandoned;
        }
        // Read before the slot: the job is dropped after it fills the slot.
        let job_dropped = Arc::strong_count(&self.slot) == 1;
        // Pairs with the release of the job's reference, so the slot is
        // read as the job left it.
        fence(Acquire);
        let finished = self.slot.0.swap(std::ptr::null_mut(), SeqCst);
        if finished.is_null() {
            if job_dropped { Poll::Abandoned } else { Poll::NotYet }
        } else {
            // SAFETY: as in `Slot::drop`.
            Poll::Done(unsafe { Box::from_raw(finished) })
        }
    }
}

struct Job {
    info: CodeInfo,
    profile: Profile,
    enabled: Optimizations,
    phases: CompilePhases,
    slot: Arc<Slot>,
}

/// Incremented in a forked child, whose compiler thread is gone.
static GENERATION: AtomicU64 = AtomicU64::new(0);
/// The compiler thread's queue, once started. Locked only by threads
/// holding the GIL, so never held across a fork (which runs with the GIL).
static QUEUE: Mutex<Option<Sender<Job>>> = Mutex::new(None);

/// Queues the rest of a compile of `info` (decoded in `phases.decode_ns`)
/// for the compiler thread. Gives `info` and `profile` back if the thread
/// cannot be started: the caller compiles in place.
pub fn submit(
    info: CodeInfo,
    profile: Profile,
    enabled: Optimizations,
    phases: CompilePhases,
) -> Result<Pending, (CodeInfo, Profile)> {
    let mut queue = QUEUE.lock().unwrap_or_else(|e| e.into_inner());
    let slot = Arc::new(Slot(AtomicPtr::new(std::ptr::null_mut())));
    let mut job = Job { info, profile, enabled, phases, slot: slot.clone() };
    // The thread starts with the first job; a queue whose thread ended since
    // refuses the job, and another starts.
    for restart in [queue.is_none(), true] {
        if restart {
            *queue = start();
        }
        let Some(sender) = queue.as_ref() else { break };
        match sender.send(job) {
            Ok(()) => return Ok(Pending { slot, generation: GENERATION.load(SeqCst) }),
            Err(mpsc::SendError(refused)) => job = refused,
        }
    }
    Err((job.info, job.profile))
}

fn start() -> Option<Sender<Job>> {
    let (sender, jobs) = mpsc::channel::<Job>();
    let builder = thread::Builder::new().name("pyjit-compile".into()).stack_size(COMPILER_STACK);
    let spawned = super::spawn_thread(builder, move || {
        while let Ok(job) = jobs.recv_timeout(COMPILER_IDLE) {
            compile(job);
        }
    });
    ensure_fork_handler();
    spawned.ok().map(|_| sender)
}

/// Lowers and compiles one job into an object file and leaves it in the job's slot.
fn compile(job: Job) {
    let Job { info, profile, enabled, mut phases, slot } = job;
    let object = link::compile_to_object(&info, &profile, enabled, &mut phases);
    let finished = Box::into_raw(Box::new(Finished { info, profile, enabled, object, phases }));
    slot.0.store(finished, SeqCst);
}

/// In a forked child: a new generation without a compiler thread.
fn ensure_fork_handler() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    extern "C" fn in_child() {
        GENERATION.fetch_add(1, SeqCst);
        // The old sender's channel belongs to a thread the child does not
        // have; it is leaked rather than dropped, as its state may be mid-update.
        if let Some(sender) = QUEUE.lock().unwrap_or_else(|e| e.into_inner()).take() {
            std::mem::forget(sender);
        }
    }
    INSTALLED.call_once(|| {
        // SAFETY: registers a handler that only touches pyjit's statics.
        unsafe { libc::pthread_atfork(None, None, Some(in_child)) };
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending() -> (Pending, Arc<Slot>) {
        let slot = Arc::new(Slot(AtomicPtr::new(std::ptr::null_mut())));
        (Pending { slot: slot.clone(), generation: GENERATION.load(SeqCst) }, slot)
    }

    #[test]
    fn a_compile_whose_job_is_queued_is_not_yet_done() {
        let (pending, _job) = pending();
        assert!(matches!(pending.poll(), Poll::NotYet));
    }

    #[test]
    fn a_compile_whose_job_was_dropped_unfinished_is_abandoned() {
        let (pending, job) = pending();
        drop(job);
        assert!(matches!(pending.poll(), Poll::Abandoned));
    }
}
