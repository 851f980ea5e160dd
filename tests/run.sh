#!/usr/bin/env bash
# The test command (README "Running the tests"): builds pyjit once, as a
# manylinux wheel installed into a fresh virtualenv, then runs the Rust unit tests, a compile check of the
# crates for aarch64 (cargo check), the differential corpus
# in both code paths (cranelift-jit and object file + pyjit's loader), a
# slice of the differential fuzzer's generated programs (tests/fuzz/), the
# introspection tests (pyjit.ir, pyjit.dis, perf map), the optimization
# switches (PYJIT_OPT_OFF), the settings (invalid values stop the process), the
# package's types (stubs checked by mypy), the pytest plugin, the WSGI and
# ASGI middleware, the user guide's commands, the
# memory test (dropped functions free their native code), the pyperformance
# results check (benchmarks/check_results.py --quick, and three benchmarks
# from a precompiled strict cache with --cache), the package suites'
# outcome comparison (benchmarks/packages.py, offline part), and a slice of
# CPython's own regression suite compared test by test (and five modules of it
# at default settings).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
VENV=$(realpath -m "${PYJIT_TEST_VENV:-.test-venv}")

echo "== building a manylinux wheel of pyjit with $("$PYTHON" --version) and installing it into $VENV"
"$PYTHON" -m venv --clear "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet pytest pyperformance mypy uvicorn maturin
DIST=$(mktemp -d)
# maturin checks the extension's symbol versions against the manylinux_2_34 policy.
"$VENV/bin/maturin" build --quiet --release --compatibility manylinux_2_34 -i "$VENV/bin/python" --out "$DIST"
"$VENV/bin/python" -m pip install --quiet "$DIST"/pyjit-*-cp311-cp311-manylinux_2_34_x86_64.whl
rm -rf "$DIST"

echo "== Rust unit tests"
LIBDIR=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_config_var("LIBDIR"))')
LD_LIBRARY_PATH="$LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" PYO3_PYTHON="$VENV/bin/python" \
    cargo test --workspace --lib --tests

echo "== aarch64: the crates compile for aarch64-unknown-linux-gnu (cargo check; the ABI probe reads the target's object)"
AARCH64=aarch64-unknown-linux-gnu
if ! rustup target list --installed 2>/dev/null | grep -qx "$AARCH64"; then
    rustup target add "$AARCH64" >/dev/null 2>&1 || true
fi
if ! command -v aarch64-linux-gnu-gcc >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -qq gcc-aarch64-linux-gnu >/dev/null 2>&1 || true
fi
if rustup target list --installed 2>/dev/null | grep -qx "$AARCH64" && command -v aarch64-linux-gnu-gcc >/dev/null; then
    PYO3_CROSS_PYTHON_VERSION=3.11 PYO3_PYTHON="$VENV/bin/python" CARGO_TARGET_DIR=target/aarch64-check \
        cargo check --quiet --workspace --target "$AARCH64"
    echo "aarch64 check passed"
else
    echo "SKIPPED: the $AARCH64 Rust target or aarch64-linux-gnu-gcc is missing and could not be installed"
fi

echo "== source layout and the opcode table"
"$VENV/bin/python" -m pytest tests/test_layout.py tests/test_opcode_table.py -q -p no:cacheprovider

echo "== differential corpus (CPython vs pyjit, every function compiled at first call)"
"$VENV/bin/python" -m pytest tests/test_differential.py -q -p no:cacheprovider

echo "== differential fuzzing: 240 generated programs under CPython and pyjit, four configurations (tests/fuzz/)"
"$VENV/bin/python" -m pytest tests/test_fuzz.py -q -p no:cacheprovider

echo "== seeing generated code (pyjit.ir, pyjit.dis, PYJIT_PERF_MAP)"
"$VENV/bin/python" -m pytest tests/test_introspection.py -q -p no:cacheprovider

echo "== switching optimizations off (PYJIT_OPT_OFF), pyjit.info's optimizations and cache misses"
"$VENV/bin/python" -m pytest tests/test_optimizations.py -q -p no:cacheprovider

echo "== settings (PYJIT_* variables, -X pyjit* options, pyjit.config): invalid values, paths as bytes, start-up once"
"$VENV/bin/python" -m pytest tests/test_config.py -q -p no:cacheprovider

echo "== types: the extension module's stubs against the module (mypy.stubtest), mypy --strict on a program using the API"
"$VENV/bin/python" -m pytest tests/test_typing.py -q -p no:cacheprovider

echo "== the pytest plugin (--pyjit, --pyjit-threshold, -p pyjit) on a sample project"
"$VENV/bin/python" -m pytest tests/test_pytest_plugin.py -q -p no:cacheprovider

echo "== WSGI and ASGI middleware under wsgiref and uvicorn, over loopback"
"$VENV/bin/python" -m pytest tests/test_middleware.py -q -p no:cacheprovider

echo "== the user guide (docs/): every command it shows, run and its output compared"
"$VENV/bin/python" -m pytest tests/test_docs.py -q -p no:cacheprovider

echo "== tiering: compiling on the compiler thread (info, stats, fork, PYJIT_BACKGROUND=0)"
"$VENV/bin/python" -m pytest tests/test_tiering.py -q -p no:cacheprovider

echo "== code cache (precompile, loading, pyjit cache, attack tests)"
"$VENV/bin/python" -m pytest tests/test_cache.py -q -p no:cacheprovider

echo "== memory: code objects that die take their native code with them"
"$VENV/bin/python" -m pytest tests/test_memory.py -q -p no:cacheprovider

echo "== pyperformance benchmarks: same results as CPython (--quick, both code paths; 3 from a strict cache)"
"$VENV/bin/python" -m pytest tests/test_pyperformance_results.py -q -p no:cacheprovider

echo "== package test suites: benchmarks/packages.py's outcome comparison (the suites themselves need PyPI: TESTING.md)"
"$VENV/bin/python" -m pytest tests/test_packages_compare.py -q -p no:cacheprovider

echo "== CPython's regression suite, language-core slice (tests/cpython_suite_modules.txt)"
"$VENV/bin/python" tests/cpython_suite.py --ci --jobs 2

echo "== CPython's regression suite at default settings: threads, signals and fork with pyjit's helper threads (TESTING.md)"
"$VENV/bin/python" tests/cpython_suite.py --modules test_threading,test_thread,test_signal,test_fork1,test_sys_settrace --pyjit-env PYJIT_ENABLE=1 --jobs 2
