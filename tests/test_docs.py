"""The user guide (``docs/``) stays true: every command in a ``console`` block runs, in
order, in one fresh directory per page, with this interpreter's ``bin`` first on
``PATH`` (``python`` and ``pyjit`` are the installed ones) and no ``PYJIT_*``
variable set, and prints what the page shows (stdout and stderr together, then
``[exit status N]`` when it is not 0). In the shown output a line ``...`` stands for
any lines, and ``...`` within a line for any text. A command ends at its line, or for
a here-document (``<<'EOF'``) at the line ``EOF``."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = sorted(DOCS.glob("*.md"))


def console_steps(text):
    """The (command, expected output) pairs of a page's console blocks, in order."""
    steps = []
    for block in re.findall(r"^```console\n(.*?)^```$", text, re.S | re.M):
        lines = block.splitlines()
        index = 0
        while index < len(lines):
            line = lines[index]
            assert line.startswith("$ "), f"output before a command: {line!r}"
            command = [line[2:]]
            index += 1
            if "<<'EOF'" in line:
                while lines[index] != "EOF":
                    command.append(lines[index])
                    index += 1
                command.append("EOF")
                index += 1
            expected = []
            while index < len(lines) and not lines[index].startswith("$ "):
                expected.append(lines[index])
                index += 1
            steps.append(("\n".join(command), expected))
    return steps


def matches(expected, output):
    """Whether ``output`` is what ``expected`` (lines, with ``...`` wildcards) shows."""
    parts = []
    for line in expected:
        if line == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(".*?".join(re.escape(piece) for piece in line.split("...")) + r"\n")
    return re.fullmatch("".join(parts), output) is not None


def test_the_guide_has_pages_with_commands():
    assert {page.name for page in PAGES} >= {"README.md", "getting-started.md", "configuration.md", "code-cache.md", "troubleshooting.md"}
    assert sum(len(console_steps(page.read_text())) for page in PAGES) >= 20


@pytest.mark.parametrize("page", [page for page in PAGES if console_steps(page.read_text())], ids=lambda page: page.name)
def test_every_command_prints_what_the_page_shows(page, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYJIT_", "PYTEST_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg-cache")
    for command, expected in console_steps(page.read_text()):
        process = subprocess.run(
            ["bash", "-c", command], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300
        )
        output = process.stdout + (f"[exit status {process.returncode}]\n" if process.returncode else "")
        assert matches(expected, output), f"{page.name}: $ {command}\n--- shown:\n" + "\n".join(expected) + f"\n--- printed:\n{output}"
