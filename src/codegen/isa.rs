//! The target ISA compiled code is generated for.

use crate::config;
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};
use std::sync::OnceLock;

/// The host ISA with the flags pyjit's code relies on: non-PIC code (imports
/// become absolute 64-bit relocations, which both cranelift-jit and pyjit's
/// object loader apply), no probestack symbol. No IR optimisation: the
/// e-graph pass took a third of compile time and grew superlinearly with
/// function size, while run time moved by under 10 % (compiled code spends its
/// time in the runtime functions it calls; see BENCHMARKS.md), and framed code
/// measured slower with it; frameless variants alone run it
/// (`lowering::optimize`). The backtracking
/// register allocator (the default) stays: single-pass halves compile time but
/// emits twice the code, runs float 75 % and deltablue 30 % slower, and grows
/// quadratically with function size. The IR
/// verifier runs only with `PYJIT_VERIFY=1` or in debug builds: it costs
/// compile time and checks pyjit's lowering, which the tests run with it on.
pub fn host() -> &'static OwnedTargetIsa {
    static ISA: OnceLock<OwnedTargetIsa> = OnceLock::new();
    ISA.get_or_init(|| {
        let mut flags = settings::builder();
        for (name, value) in [
            ("is_pic", "false"),
            ("use_colocated_libcalls", "false"),
            ("opt_level", "none"),
            ("enable_probestack", "false"),
            ("preserve_frame_pointers", "true"),
            ("enable_verifier", if config::verify() || cfg!(debug_assertions) { "true" } else { "false" }),
        ] {
            flags.set(name, value).expect("valid Cranelift flag");
        }
        cranelift_native::builder()
            .expect("pyjit: this host architecture is not supported by Cranelift")
            .finish(settings::Flags::new(flags))
            .expect("pyjit: Cranelift rejected the host ISA flags")
    })
}
