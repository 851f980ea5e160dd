# A program using pyjit's public API as the README shows it; tests/test_typing.py
# checks it with `mypy --strict` against the package's stubs (python/pyjit/_pyjit.pyi).
from pathlib import Path

import pyjit


def square(x: int) -> int:
    return x * x


def main() -> None:
    enabled: bool = pyjit.enable()
    settings = pyjit.config(threshold=0, disable_optimizations=["inline-arithmetic", 2], cache=None)
    threshold: int | str = settings["threshold"]
    cache: Path | None = settings["cache"]
    square(3)
    info = pyjit.info(square)
    compiled: bool = info["compiled"]
    reason: str | None = info["reason"]
    names: list[str] | None = info["optimizations"]
    stats = pyjit.stats()
    cranelift_ns: int = stats["compile_phase_ns"]["cranelift"]
    reasons: dict[str, int] = stats["delegated_reasons"]
    for number, name, description in pyjit.optimizations():
        print(number + 1, name.upper(), len(description))
    if compiled:
        text: str = pyjit.ir(square) + pyjit.dis(square.__code__) + pyjit.graph(square)
        print(len(text))
    pyjit.disable()
    print(enabled, threshold, cache, reason, names, cranelift_ns, reasons, pyjit.is_enabled())


main()
