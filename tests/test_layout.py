"""The source layout follows the data flow: each stage of `src/` uses only
the stages before it (the order of `src/lib.rs`), so the code has no
cycles; `config` and `stats` are leaves any stage may use, and use no
stage themselves."""

import pathlib
import re

SRC = pathlib.Path(__file__).resolve().parent.parent / "src"
STAGES = ["abi", "bytecode", "profile", "analysis", "helpers", "codegen", "link", "cache", "runtime"]
LEAVES = {"config", "stats"}
REFERENCE = re.compile(r"crate::(\{[^}]*\}|\w+)")


def referenced_modules(text):
    """The top-level modules a Rust source refers to as `crate::...`."""
    for match in REFERENCE.finditer(text):
        target = match[1]
        if target.startswith("{"):
            for item in target[1:-1].split(","):
                name = item.strip().split("::")[0].split(" ")[0]
                if name:
                    yield name
        else:
            yield target


def module_of(path):
    relative = path.relative_to(SRC)
    return relative.parts[0].removesuffix(".rs")


def test_stages_use_only_earlier_stages():
    problems = []
    for path in sorted(SRC.rglob("*.rs")):
        module = module_of(path)
        if module == "lib":
            continue
        text = path.read_text(encoding="utf-8")
        for used in set(referenced_modules(text)):
            if used == module or used == "self":
                continue
            if module in LEAVES:
                if used in STAGES or used in LEAVES:
                    problems.append(f"{path.relative_to(SRC)}: leaf {module} uses {used}")
                continue
            if used in LEAVES:
                continue
            assert module in STAGES, f"{path}: not a known stage"
            if used not in STAGES or STAGES.index(used) > STAGES.index(module):
                problems.append(f"{path.relative_to(SRC)}: {module} uses {used}, a later stage")
    assert not problems, "\n".join(problems)


def test_lib_declares_the_stages_in_order():
    text = (SRC / "lib.rs").read_text(encoding="utf-8")
    declared = [name for name in re.findall(r"^mod (\w+);", text, re.M) if name not in LEAVES]
    assert declared == STAGES
