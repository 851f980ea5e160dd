"""Types of pyjit's extension module (``src/lib.rs``); ``pyjit`` re-exports the public
functions. Checked against the module itself by ``mypy.stubtest`` (tests/test_typing.py)."""

from collections.abc import Callable, Mapping, Sequence
from os import PathLike
from pathlib import Path
from types import CodeType
from typing import Literal, TypedDict, type_check_only

__all__ = [
    "SETTING_ERROR", "ENABLE_AT_STARTUP", "enable", "disable", "is_enabled", "config", "info",
    "optimizations", "stats", "profile", "ir", "native_code", "code_key", "opcode_table", "recorded",
    "precompile", "cache_command", "cache_gc", "CACHE_USAGE",
]

SETTING_ERROR: str | None
ENABLE_AT_STARTUP: bool
CACHE_USAGE: str

_Path = str | bytes | PathLike[str] | PathLike[bytes]
# A Python function (mypy types a `def` as a callable) or a code object; anything else
# raises TypeError.
_Code = Callable[..., object] | CodeType

@type_check_only
class Settings(TypedDict):
    threshold: int | Literal["auto"]
    level: int
    pgc: bool
    osr: bool
    background: bool
    via_object: bool
    cache: Path | None
    trusted_keys: list[Path]
    cache_strict: bool
    perf_map: bool
    disable_optimizations: list[str]

@type_check_only
class Info(TypedDict):
    compiled: bool
    source: Literal["jit", "cache"] | None
    reason: str | None
    runs: int
    compile_time_ns: int
    tier: Literal["interpreter", "baseline"]
    native_entries: int
    osr_entries: int
    call_entries: int
    native_size: int | None
    optimizations: list[str] | None
    cache_misses: int

@type_check_only
class CompilePhases(TypedDict):
    decode: int
    lower: int
    cranelift: int
    link: int

@type_check_only
class Stats(TypedDict):
    compiled: int
    failed: int
    deopts: int
    exception_exits: int
    exceptions_caught: int
    native_calls: int
    native_resumes: int
    direct_resumes: int
    resumes_passed: int
    generators_created: int
    eager_awaits: int
    direct_calls: int
    recorded_constructs: int
    inline_constructs: int
    type_attribute_reads: int
    dunder_calls: int
    unchanged_stores: int
    trivial_calls: int
    frameless_calls: int
    frameless_bails: int
    osr_entries: int
    background_compiles: int
    compile_time_ns: int
    compile_phase_ns: CompilePhases
    native_bytes: int
    cache_keyed: int
    cache_hits: int
    cache_refusals: int
    cache_time_ns: int
    delegated: int
    delegated_reasons: dict[str, int]

@type_check_only
class NativeCode(TypedDict):
    address: int
    size: int
    instructions: list[tuple[int, str, str | None]]
    bytecode_ranges: list[tuple[int, int, int]]
    frameless: NativeCode | None

@type_check_only
class PrecompileSummary(TypedDict):
    compiled: int
    skipped: dict[str, int]
    bytes: int
    path: Path
    errors: list[str]

def enable() -> bool: ...
def disable() -> None: ...
def is_enabled() -> bool: ...
def config(
    *,
    threshold: int | Literal["auto"] | None = ...,
    level: int = ...,
    pgc: bool = ...,
    osr: bool = ...,
    background: bool = ...,
    via_object: bool = ...,
    cache: _Path | None = ...,
    trusted_keys: str | Sequence[_Path] | None = ...,
    cache_strict: bool = ...,
    perf_map: bool = ...,
    disable_optimizations: str | Sequence[str | int] = ...,
) -> Settings: ...
def info(obj: _Code) -> Info: ...
def ir(obj: _Code) -> str: ...
def native_code(obj: _Code) -> NativeCode: ...
def optimizations() -> list[tuple[int, str, str]]: ...
def stats() -> Stats: ...
def profile(obj: _Code) -> dict[int, str]: ...
def code_key(code: CodeType) -> str: ...
def recorded() -> list[tuple[str, str]]: ...
def opcode_table(args: Sequence[int]) -> list[dict[str, object]]: ...
def precompile(
    codes: list[CodeType],
    out: _Path,
    key: _Path | None = None,
    jobs: int = 1,
    progress: Callable[[int, int], object] | None = None,
    profiles: Mapping[str, str] | None = None,
) -> PrecompileSummary: ...
def cache_command(args: Sequence[str]) -> int: ...
def cache_gc(path: _Path, keep: Sequence[str], key: _Path | None = None) -> int: ...
