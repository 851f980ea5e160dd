//! Build-time probe of the CPython 3.11 ABI.
//!
//! pyjit reads private CPython structures (interpreter frames, code objects,
//! thread states). Their layouts are not part of any stable API, so every
//! offset is measured here against the headers of the interpreter being built
//! for, and never typed by hand: each is a constant of a small C file that the
//! target's C compiler compiles to an object, whose data this script reads (so
//! cross builds are probed too). The positions only header-inline
//! functions give (`MEASURED`) are measured by running a program, which a
//! cross build cannot: it marks them unmeasured, and such a library refuses
//! to load (`abi::LAYOUT_COMPLETE`). The probe also reads the opcode numbers
//! from `opcode.h` and the inline-cache sizes and base opcodes from
//! `pycore_opcode.h`. The output is `$OUT_DIR/layout.rs`, included by
//! `src/abi/mod.rs`.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Every `offsetof`/`sizeof` the runtime and the code generator use.
/// `(rust constant, C expression)`.
const LAYOUT: &[(&str, &str)] = &[
    ("FRAME_F_FUNC", "offsetof(_PyInterpreterFrame, f_func)"),
    ("FRAME_F_GLOBALS", "offsetof(_PyInterpreterFrame, f_globals)"),
    ("FRAME_F_BUILTINS", "offsetof(_PyInterpreterFrame, f_builtins)"),
    ("FRAME_F_LOCALS", "offsetof(_PyInterpreterFrame, f_locals)"),
    ("FRAME_F_CODE", "offsetof(_PyInterpreterFrame, f_code)"),
    ("FRAME_PREVIOUS", "offsetof(_PyInterpreterFrame, previous)"),
    ("FRAME_PREV_INSTR", "offsetof(_PyInterpreterFrame, prev_instr)"),
    ("FRAME_STACKTOP", "offsetof(_PyInterpreterFrame, stacktop)"),
    ("FRAME_OWNER", "offsetof(_PyInterpreterFrame, owner)"),
    ("FRAME_LOCALSPLUS", "offsetof(_PyInterpreterFrame, localsplus)"),
    ("FRAME_FRAME_OBJ", "offsetof(_PyInterpreterFrame, frame_obj)"),
    ("FRAME_IS_ENTRY", "offsetof(_PyInterpreterFrame, is_entry)"),
    ("GEN_IFRAME", "offsetof(PyGenObject, gi_iframe)"),
    ("GEN_FRAME_STATE", "offsetof(PyGenObject, gi_frame_state)"),
    ("GEN_FRAME_STATE_SUSPENDED", "(unsigned char)FRAME_SUSPENDED"),
    ("GEN_FRAME_STATE_CLEARED", "(unsigned char)FRAME_CLEARED"),
    ("GEN_FRAME_STATE_CREATED", "(unsigned char)FRAME_CREATED"),
    ("GEN_CODE", "offsetof(PyGenObject, gi_code)"),
    ("GEN_EXC_STATE", "offsetof(PyGenObject, gi_exc_state)"),
    ("GEN_WEAKREFLIST", "offsetof(PyGenObject, gi_weakreflist)"),
    ("GEN_NAME", "offsetof(PyGenObject, gi_name)"),
    ("GEN_QUALNAME", "offsetof(PyGenObject, gi_qualname)"),
    ("GEN_ORIGIN_OR_FINALIZER", "offsetof(PyGenObject, gi_origin_or_finalizer)"),
    ("GEN_HOOKS_INITED", "offsetof(PyGenObject, gi_hooks_inited)"),
    ("GEN_CLOSED", "offsetof(PyGenObject, gi_closed)"),
    ("GEN_RUNNING_ASYNC", "offsetof(PyGenObject, gi_running_async)"),
    ("TSTATE_CORO_ORIGIN_TRACKING_DEPTH", "offsetof(PyThreadState, coroutine_origin_tracking_depth)"),
    ("FUNC_NAME", "offsetof(PyFunctionObject, func_name)"),
    ("FUNC_QUALNAME", "offsetof(PyFunctionObject, func_qualname)"),
    ("GEN_FRAME_STATE_EXECUTING", "(unsigned char)FRAME_EXECUTING"),
    ("GEN_FRAME_STATE_COMPLETED", "(unsigned char)FRAME_COMPLETED"),
    ("FRAME_SPECIALS_SIZE", "FRAME_SPECIALS_SIZE"),
    ("FRAME_OWNED_BY_THREAD", "FRAME_OWNED_BY_THREAD"),
    ("FRAME_OWNED_BY_FRAME_OBJECT", "FRAME_OWNED_BY_FRAME_OBJECT"),
    ("FRAME_OWNED_BY_GENERATOR", "FRAME_OWNED_BY_GENERATOR"),
    ("FRAME_OBJECT_BACK", "offsetof(PyFrameObject, f_back)"),
    ("FRAME_OBJECT_FRAME", "offsetof(PyFrameObject, f_frame)"),
    ("FRAME_OBJECT_DATA", "offsetof(PyFrameObject, _f_frame_data)"),
    ("TRACEBACK_FRAME", "offsetof(PyTracebackObject, tb_frame)"),
    ("TRACEBACK_LASTI", "offsetof(PyTracebackObject, tb_lasti)"),
    ("TRACEBACK_LINENO", "offsetof(PyTracebackObject, tb_lineno)"),
    ("TSTATE_DATASTACK_CHUNK", "offsetof(PyThreadState, datastack_chunk)"),
    ("TSTATE_DATASTACK_TOP", "offsetof(PyThreadState, datastack_top)"),
    ("TSTATE_DATASTACK_LIMIT", "offsetof(PyThreadState, datastack_limit)"),
    ("STACK_CHUNK_DATA", "offsetof(_PyStackChunk, data)"),
    ("FUNC_CODE", "offsetof(PyFunctionObject, func_code)"),
    ("FUNC_GLOBALS", "offsetof(PyFunctionObject, func_globals)"),
    ("FUNC_BUILTINS", "offsetof(PyFunctionObject, func_builtins)"),
    ("FUNC_VECTORCALL", "offsetof(PyFunctionObject, vectorcall)"),
    ("CODE_CONSTS", "offsetof(PyCodeObject, co_consts)"),
    ("CODE_NAMES", "offsetof(PyCodeObject, co_names)"),
    ("CODE_NAME", "offsetof(PyCodeObject, co_name)"),
    ("CODE_FILENAME", "offsetof(PyCodeObject, co_filename)"),
    ("CODE_FLAGS", "offsetof(PyCodeObject, co_flags)"),
    ("CODE_NLOCALSPLUS", "offsetof(PyCodeObject, co_nlocalsplus)"),
    ("CODE_STACKSIZE", "offsetof(PyCodeObject, co_stacksize)"),
    ("CODE_EXCEPTIONTABLE", "offsetof(PyCodeObject, co_exceptiontable)"),
    ("CODE_NLOCALS", "offsetof(PyCodeObject, co_nlocals)"),
    ("CODE_ARGCOUNT", "offsetof(PyCodeObject, co_argcount)"),
    ("CODE_KWONLYARGCOUNT", "offsetof(PyCodeObject, co_kwonlyargcount)"),
    ("CODE_POSONLYARGCOUNT", "offsetof(PyCodeObject, co_posonlyargcount)"),
    ("CODE_EXTRA", "offsetof(PyCodeObject, co_extra)"),
    ("CODE_LOCALSPLUSNAMES", "offsetof(PyCodeObject, co_localsplusnames)"),
    ("CODE_FIRSTTRACEABLE", "offsetof(PyCodeObject, _co_firsttraceable)"),
    ("CODE_CODE_ADAPTIVE", "offsetof(PyCodeObject, co_code_adaptive)"),
    ("CODE_WARMUP", "offsetof(PyCodeObject, co_warmup)"),
    ("TSTATE_INTERP", "offsetof(PyThreadState, interp)"),
    ("INTERP_FLOAT_NUMFREE", "offsetof(PyInterpreterState, float_state.numfree)"),
    ("INTERP_FLOAT_FREE_LIST", "offsetof(PyInterpreterState, float_state.free_list)"),
    ("TRACEMALLOC_TRACING", "offsetof(struct _PyTraceMalloc_Config, tracing)"),
    ("TSTATE_RECURSION_REMAINING", "offsetof(PyThreadState, recursion_remaining)"),
    ("TSTATE_CFRAME", "offsetof(PyThreadState, cframe)"),
    ("TSTATE_EXC_INFO", "offsetof(PyThreadState, exc_info)"),
    ("TSTATE_TRACING", "offsetof(PyThreadState, tracing)"),
    ("TSTATE_C_TRACEFUNC", "offsetof(PyThreadState, c_tracefunc)"),
    ("TSTATE_C_PROFILEFUNC", "offsetof(PyThreadState, c_profilefunc)"),
    ("CFRAME_USE_TRACING", "offsetof(_PyCFrame, use_tracing)"),
    ("CFRAME_CURRENT_FRAME", "offsetof(_PyCFrame, current_frame)"),
    ("INTERP_EVAL_BREAKER", "offsetof(PyInterpreterState, ceval.eval_breaker)"),
    ("FUNC_CLOSURE", "offsetof(PyFunctionObject, func_closure)"),
    ("FUNC_DEFAULTS", "offsetof(PyFunctionObject, func_defaults)"),
    ("FUNC_KWDEFAULTS", "offsetof(PyFunctionObject, func_kwdefaults)"),
    ("FUNC_ANNOTATIONS", "offsetof(PyFunctionObject, func_annotations)"),
    ("CODE_NPLAINCELLVARS", "offsetof(PyCodeObject, co_nplaincellvars)"),
    ("CODE_LOCALSPLUSKINDS", "offsetof(PyCodeObject, co_localspluskinds)"),
    ("TUPLE_ITEMS", "offsetof(PyTupleObject, ob_item)"),
    ("LIST_ITEMS", "offsetof(PyListObject, ob_item)"),
    ("OBJECT_REFCNT", "offsetof(PyObject, ob_refcnt)"),
    ("OBJECT_TYPE", "offsetof(PyObject, ob_type)"),
    ("VAROBJECT_SIZE", "offsetof(PyVarObject, ob_size)"),
    ("TYPE_ITERNEXT", "offsetof(PyTypeObject, tp_iternext)"),
    ("LONG_DIGITS", "offsetof(PyLongObject, ob_digit)"),
    ("LONG_DIGIT_SIZE", "sizeof(digit)"),
    ("LONG_OBJECT_SIZE", "sizeof(PyLongObject)"),
    ("RUNTIME_SMALL_INTS", "offsetof(_PyRuntimeState, global_objects.singletons.small_ints)"),
    ("SMALL_NEGATIVE_INTS", "_PY_NSMALLNEGINTS"),
    ("SMALL_POSITIVE_INTS", "_PY_NSMALLPOSINTS"),
    ("CELL_REF", "offsetof(PyCellObject, ob_ref)"),
    ("FLOAT_VALUE", "offsetof(PyFloatObject, ob_fval)"),
    ("EXC_INFO_VALUE", "offsetof(_PyErr_StackItem, exc_value)"),
    ("EXC_INFO_PREVIOUS", "offsetof(_PyErr_StackItem, previous_item)"),
    ("CFUNCTION_METHOD_DEF", "offsetof(PyCFunctionObject, m_ml)"),
    ("CFUNCTION_SELF", "offsetof(PyCFunctionObject, m_self)"),
    ("METHOD_DEF_NAME", "offsetof(PyMethodDef, ml_name)"),
    ("METHOD_DEF_FUNCTION", "offsetof(PyMethodDef, ml_meth)"),
    ("METHOD_DEF_FLAGS", "offsetof(PyMethodDef, ml_flags)"),
    ("DESCR_TYPE", "offsetof(PyDescrObject, d_type)"),
    ("METHOD_DESCR_METHOD_DEF", "offsetof(PyMethodDescrObject, d_method)"),
    ("DICT_USED", "offsetof(PyDictObject, ma_used)"),
    ("GC_HEAD_SIZE", "sizeof(PyGC_Head)"),
    ("GC_HEAD_NEXT", "offsetof(PyGC_Head, _gc_next)"),
    ("INTERP_EVAL_FRAME", "offsetof(PyInterpreterState, eval_frame)"),
    ("INTERP_CACHED_LEN", "offsetof(PyInterpreterState, callable_cache.len)"),
    ("INTERP_CACHED_ISINSTANCE", "offsetof(PyInterpreterState, callable_cache.isinstance)"),
    ("DICT_VERSION_TAG", "offsetof(PyDictObject, ma_version_tag)"),
    ("DICT_KEYS", "offsetof(PyDictObject, ma_keys)"),
    ("DICT_VALUES", "offsetof(PyDictObject, ma_values)"),
    ("TYPE_FLAGS", "offsetof(PyTypeObject, tp_flags)"),
    ("TYPE_VERSION_TAG", "offsetof(PyTypeObject, tp_version_tag)"),
    ("TYPE_DICTOFFSET", "offsetof(PyTypeObject, tp_dictoffset)"),
    ("TYPE_GETATTRO", "offsetof(PyTypeObject, tp_getattro)"),
    ("TYPE_SETATTRO", "offsetof(PyTypeObject, tp_setattro)"),
    ("TYPE_NEW", "offsetof(PyTypeObject, tp_new)"),
    ("TYPE_VECTORCALL", "offsetof(PyTypeObject, tp_vectorcall)"),
    ("TYPE_DESCR_GET", "offsetof(PyTypeObject, tp_descr_get)"),
    ("TYPE_DESCR_SET", "offsetof(PyTypeObject, tp_descr_set)"),
    ("HEAPTYPE_CACHED_KEYS", "offsetof(PyHeapTypeObject, ht_cached_keys)"),
    ("TPFLAGS_MANAGED_DICT", "Py_TPFLAGS_MANAGED_DICT"),
    ("TPFLAGS_VALID_VERSION_TAG", "Py_TPFLAGS_VALID_VERSION_TAG"),
    ("TPFLAGS_METHOD_DESCRIPTOR", "Py_TPFLAGS_METHOD_DESCRIPTOR"),
    ("TPFLAGS_HAVE_GC", "Py_TPFLAGS_HAVE_GC"),
    ("KEYS_LOG2_INDEX_BYTES", "offsetof(PyDictKeysObject, dk_log2_index_bytes)"),
    ("KEYS_LOG2_SIZE", "offsetof(PyDictKeysObject, dk_log2_size)"),
    ("KEYS_KIND", "offsetof(PyDictKeysObject, dk_kind)"),
    ("KEYS_VERSION", "offsetof(PyDictKeysObject, dk_version)"),
    ("KEYS_NENTRIES", "offsetof(PyDictKeysObject, dk_nentries)"),
    ("KEYS_INDICES", "offsetof(PyDictKeysObject, dk_indices)"),
    ("KEYS_KIND_SPLIT", "DICT_KEYS_SPLIT"),
    ("KEYS_KIND_GENERAL", "DICT_KEYS_GENERAL"),
    ("KEYS_KIND_UNICODE", "DICT_KEYS_UNICODE"),
    ("UNICODE_ENTRY_SIZE", "sizeof(PyDictUnicodeEntry)"),
    ("UNICODE_ENTRY_KEY", "offsetof(PyDictUnicodeEntry, me_key)"),
    ("UNICODE_ENTRY_VALUE", "offsetof(PyDictUnicodeEntry, me_value)"),
    ("UNICODE_HASH", "offsetof(PyASCIIObject, hash)"),
    ("DICT_VALUES_ITEMS", "offsetof(PyDictValues, values)"),
    ("MEMBER_DESCR_MEMBER", "offsetof(PyMemberDescrObject, d_member)"),
    ("MEMBER_DEF_TYPE", "offsetof(PyMemberDef, type)"),
    ("MEMBER_DEF_OFFSET", "offsetof(PyMemberDef, offset)"),
    ("MEMBER_DEF_FLAGS", "offsetof(PyMemberDef, flags)"),
    ("MEMBER_TYPE_OBJECT_EX", "T_OBJECT_EX"),
    ("MEMBER_FLAG_AUDIT_READ", "PY_AUDIT_READ"),
    ("MEMBER_FLAG_READONLY", "READONLY"),
    ("MODULE_DICT", "offsetof(PyModuleObject, md_dict)"),
    ("POINTER_SIZE", "sizeof(void *)"),
];

/// Positions that only header-inline functions give, measured by running them on a
/// stand-in object: bytes before an object of a managed-dict type where its values
/// pointer (0) or dict pointer (1) lives; bytes before an instance's values where
/// `_PyDictValues_AddToInsertionOrder` keeps the insertion order's size (0) and writes
/// the first index it adds (1).
const MEASURED: &[(&str, &str)] = &[
    ("VALUES_BEFORE_OBJECT", "before_object(0)"),
    ("MANAGED_DICT_BEFORE_OBJECT", "before_object(1)"),
    ("INSERTION_SIZE_BEFORE_VALUES", "before_values(0)"),
    ("INSERTION_ORDER_BEFORE_VALUES", "before_values(1)"),
];

/// The headers every probe includes.
const PROBE_HEADERS: &str = "#define Py_BUILD_CORE 1\n#define NEED_OPCODE_TABLES 1\n#include <Python.h>\n\
     #include <stddef.h>\n#include <stdio.h>\n#include \"internal/pycore_frame.h\"\n\
     #include \"internal/pycore_code.h\"\n#include \"internal/pycore_interp.h\"\n\
     #include \"internal/pycore_opcode.h\"\n#include \"internal/pycore_dict.h\"\n\
     #include \"internal/pycore_object.h\"\n#include \"internal/pycore_moduleobject.h\"\n\
     #include \"internal/pycore_pymem.h\"\n#include \"internal/pycore_runtime.h\"\n\
     #include \"structmember.h\"\n";

/// Identifies the compiler that produces cached code, for cache keys and the cache
/// manifest: a fingerprint of pyjit's Rust sources and lock file (so two builds of the same
/// version from different sources never share cached code) and the Cranelift version.
fn emit_compiler_identity() {
    use std::hash::Hasher;
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("Cargo.lock"), root.join("build.rs")];
    let mut dirs = vec![root.join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).expect("readable src directory") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    // SipHash with fixed keys: deterministic for a given toolchain, which is all a build
    // fingerprint needs.
    #[allow(deprecated)]
    let mut hasher = std::hash::SipHasher::new();
    for file in &files {
        hasher.write(file.strip_prefix(&root).expect("under the root").to_string_lossy().as_bytes());
        hasher.write(&fs::read(file).expect("readable source file"));
    }
    let lock = fs::read_to_string(root.join("Cargo.lock")).expect("Cargo.lock");
    let cranelift = lock
        .split("[[package]]")
        .find(|package| package.contains("name = \"cranelift-codegen\"\n"))
        .and_then(|package| package.lines().find_map(|line| line.strip_prefix("version = ")))
        .expect("cranelift-codegen in Cargo.lock")
        .trim_matches('"');
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=Cargo.lock");
    println!("cargo:rustc-env=PYJIT_COMPILER_ID=src-{:016x} cranelift-{cranelift}", hasher.finish());
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    emit_compiler_identity();
    println!("cargo:rerun-if-env-changed=PYO3_PYTHON");
    println!("cargo:rerun-if-env-changed=PYTHON_SYS_EXECUTABLE");
    let python = env::var("PYO3_PYTHON")
        .or_else(|_| env::var("PYTHON_SYS_EXECUTABLE"))
        .unwrap_or_else(|_| "python3".to_owned());
    let query = "import sys, sysconfig; print(sysconfig.get_paths()['include']); \
                 print('%d.%d' % sys.version_info[:2])";
    let out = Command::new(&python)
        .args(["-c", query])
        .output()
        .unwrap_or_else(|e| panic!("pyjit build: cannot run {python}: {e}"));
    let text = String::from_utf8(out.stdout).expect("utf-8 from sysconfig");
    let mut lines = text.lines();
    let include = PathBuf::from(lines.next().expect("include dir"));
    let version = lines.next().expect("python version");
    if version != "3.11" {
        panic!("pyjit supports CPython 3.11 only; {python} is Python {version}");
    }
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());
    let mut rust = String::from("// Generated by build.rs from the CPython 3.11 headers. Do not edit.\n");
    rust.push_str(&probe_layout(&include, &out_dir));
    rust.push_str(&opcode_constants(&include));
    fs::write(out_dir.join("layout.rs"), rust).unwrap();
    compile_inline_functions(&include);
}

/// Compiles `src/abi/inline.c`: wrappers of the header-only (static inline)
/// CPython functions pyjit calls, linked into the extension.
fn compile_inline_functions(include: &Path) {
    println!("cargo:rerun-if-changed=src/abi/inline.c");
    cc::Build::new()
        .file("src/abi/inline.c")
        .include(include)
        .include(include.join("internal"))
        .warnings(false)
        .compile("pyjit_inline");
}

/// Rust source for the layout (`LAYOUT`, then `MEASURED`) and the opcode tables
/// (inline-cache sizes, each opcode's base form).
fn probe_layout(include: &Path, out_dir: &Path) -> String {
    let mut c = String::from(PROBE_HEADERS);
    for (name, expr) in LAYOUT {
        writeln!(c, "const unsigned long long pyjit_layout_{name} = (unsigned long long)({expr});").unwrap();
    }
    let object = out_dir.join("probe.o");
    compile_probe(include, out_dir, "probe", &c, &["-c", "-o"], &object);
    let bytes = fs::read(&object).expect("the probe's object");
    let file = object::File::parse(&*bytes).expect("the probe's object parses");
    use object::Object;
    let mut rust = String::new();
    for (name, _) in LAYOUT {
        let value = symbol_bytes(&file, &format!("pyjit_layout_{name}"));
        let value: [u8; 8] = value.try_into().expect("8 bytes");
        let value = if file.is_little_endian() { u64::from_le_bytes(value) } else { u64::from_be_bytes(value) };
        writeln!(rust, "pub const {name}: usize = {value};").unwrap();
    }
    for (name, table) in [("INLINE_CACHE_UNITS", "_PyOpcode_Caches"), ("DEOPT", "_PyOpcode_Deopt")] {
        writeln!(rust, "pub const {name}: [u8; 256] = {:?};", symbol_bytes(&file, table)).unwrap();
    }
    rust.push_str(&measure(include, out_dir));
    rust
}

/// The bytes of the data symbol `name` defined in the relocatable object `file`.
fn symbol_bytes<'a>(file: &object::File<'a>, name: &str) -> &'a [u8] {
    use object::{Object, ObjectSection, ObjectSymbol};
    let symbol = file.symbols().find(|s| s.name() == Ok(name)).unwrap_or_else(|| panic!("{name} in the probe"));
    let section = file.section_by_index(symbol.section_index().expect("a defined symbol")).expect("its section");
    let data = section.data().expect("section data");
    let start = (symbol.address() - section.address()) as usize;
    &data[start..start + symbol.size() as usize]
}

/// Rust source for `MEASURED`: run on the build machine, or, when building for another
/// target, each `usize::MAX` and `LAYOUT_COMPLETE` false.
fn measure(include: &Path, out_dir: &Path) -> String {
    let cross = env::var("TARGET").ok() != env::var("HOST").ok();
    if cross {
        let mut rust = String::from("pub const LAYOUT_COMPLETE: bool = false;\n");
        for (name, _) in MEASURED {
            writeln!(rust, "pub const {name}: usize = usize::MAX;").unwrap();
        }
        return rust;
    }
    let mut c = String::from(PROBE_HEADERS);
    c.push_str(
        "static size_t before_object(int dict) {\n\
           static PyTypeObject type; type.tp_flags = Py_TPFLAGS_MANAGED_DICT;\n\
           static struct { void *pre[8]; PyObject ob; } s; s.ob.ob_type = &type;\n\
           char *at = dict ? (char *)_PyObject_ManagedDictPointer(&s.ob) : (char *)_PyObject_ValuesPointer(&s.ob);\n\
           return (size_t)((char *)&s.ob - at);\n\
         }\n\
         static size_t before_values(int order) {\n\
           static struct { unsigned char pre[64]; PyDictValues values; } s;\n\
           s.pre[63] = 30; /* room for 30 (debug builds assert it) */\n\
           _PyDictValues_AddToInsertionOrder(&s.values, 29);\n\
           for (size_t i = 1; i <= 64; i++)\n\
             if (((unsigned char *)&s.values)[-(ptrdiff_t)i] == (order ? 29 : 1)) return i;\n\
           abort();\n\
         }\n\
         int main(void) {\n  printf(\"pub const LAYOUT_COMPLETE: bool = true;\\n\");\n",
    );
    for (name, expr) in MEASURED {
        writeln!(c, "  printf(\"pub const {name}: usize = %zu;\\n\", (size_t)({expr}));").unwrap();
    }
    c.push_str("  return 0;\n}\n");
    let exe = out_dir.join("measure");
    compile_probe(include, out_dir, "measure", &c, &["-o"], &exe);
    let out = Command::new(&exe).output().expect("run the ABI probe");
    assert!(out.status.success(), "pyjit build: the CPython ABI probe failed");
    String::from_utf8(out.stdout).unwrap()
}

/// Compiles the C source `c` (written to `OUT_DIR/NAME.c`) with the target's C
/// compiler, `args` then `output` on its command line.
fn compile_probe(include: &Path, out_dir: &Path, name: &str, c: &str, args: &[&str], output: &Path) {
    let src = out_dir.join(format!("{name}.c"));
    fs::write(&src, c).unwrap();
    let status = cc::Build::new()
        .get_compiler()
        .to_command()
        .arg("-w")
        .arg(format!("-I{}", include.display()))
        .arg(format!("-I{}", include.join("internal").display()))
        .arg(&src)
        .args(args)
        .arg(output)
        .status()
        .expect("run the C compiler for the ABI probe");
    assert!(status.success(), "pyjit build: the CPython ABI probe failed to compile");
}

/// Opcode numbers, read from the public `opcode.h` of the same headers.
fn opcode_constants(include: &Path) -> String {
    let header = fs::read_to_string(include.join("opcode.h")).expect("opcode.h");
    let mut rust = String::from("pub mod op {\n");
    let mut names = String::from("    pub const NAMES: &[(&str, u8)] = &[");
    let mut adaptive = String::from("    /// The adaptive forms quickening gives instructions until they specialise.\n    pub const ADAPTIVE: &[u8] = &[");
    for line in header.lines() {
        let mut words = line.split_whitespace();
        if words.next() != Some("#define") {
            continue;
        }
        let (Some(name), Some(value)) = (words.next(), words.next()) else { continue };
        if words.next().is_none() && value.parse::<u8>().is_ok() && name != "HAVE_ARGUMENT" {
            writeln!(rust, "    pub const {name}: u8 = {value};").unwrap();
            write!(names, "(\"{name}\", {value}),").unwrap();
            if name.ends_with("_ADAPTIVE") {
                write!(adaptive, "{name},").unwrap();
            }
        }
    }
    rust.push_str(&names);
    rust.push_str("];\n");
    rust.push_str(&adaptive);
    rust.push_str("];\n}\n");
    rust
}
