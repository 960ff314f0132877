"""The README is tested: every ```bash example runs, in order, on one fresh database, and the
command reference (docs/COMMANDS.md, generated from the app) is complete and current.

Examples read their files from tests/fixtures/readme/ (copied into the folder the examples run
in). An example that cannot run here carries a marker in a comment: `[untested: REASON]` on its
line (or on the comment line just above it), or `<!-- untested: REASON -->` just before the
block for all of its commands; `[exits N: REASON]` runs it and expects exit code N. The markers
are counted, so skipping one more example is a decision, not an accident.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "readme"

# How many README commands are not run (each says why with its marker): the two setup
# commands, the completion files (they write into the shell's folders), `pip install '.[b2b]'`,
# `contact edit --editor` (it opens the editor), `dedupe --review` (it asks on a terminal) and
# the USB drive the backup and restore examples name.
UNTESTED = 16

_FENCE = re.compile(
    r"(?:<!--\s*untested:\s*(?P<block>[^>]*?)\s*-->\s*\n)?```bash\n(?P<body>.*?)```", re.S
)
_UNTESTED = re.compile(r"\[untested: (?P<reason>[^\]]+)\]")
_EXITS = re.compile(r"\[exits (?P<code>\d+): [^\]]+\]")


@dataclass
class Example:
    """One command of a README example: its line in README.md, its words, what to expect."""

    line: int
    text: str
    untested: str | None = None
    exit_code: int = 0


def examples(readme: str) -> list[Example]:
    """The commands of the README's bash blocks, in order, with their markers."""
    found: list[Example] = []
    for block in _FENCE.finditer(readme):
        first_line = readme.count("\n", 0, block.start("body")) + 1
        pending = ""  # a comment line just above a command marks that command
        command = ""
        start = 0
        for offset, raw in enumerate(block["body"].splitlines()):
            stripped = raw.strip()
            if not command and stripped.startswith("#"):
                pending = stripped
                continue
            if not command and not stripped:
                pending = ""
                continue
            if not command:
                start = first_line + offset
            command += raw.rstrip("\\").rstrip() + " " if raw.endswith("\\") else raw
            if raw.endswith("\\"):
                continue
            marks = f"{pending} {command}"
            skip = _UNTESTED.search(marks)
            exits = _EXITS.search(marks)
            found.append(
                Example(
                    start,
                    command.strip(),
                    untested=block["block"] or (skip["reason"] if skip else None),
                    exit_code=int(exits["code"]) if exits else 0,
                )
            )
            command, pending = "", ""
    return found


def test_every_readme_example_runs_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    from greentech_cli.cli.app import app

    work = tmp_path / "work"
    shutil.copytree(FIXTURES, work)
    monkeypatch.chdir(work)
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    runner = CliRunner()
    ran = 0
    untested = []
    for example in examples(README.read_text(encoding="utf-8")):
        if example.untested:
            untested.append(f"README.md:{example.line}: {example.text} ({example.untested})")
            continue
        words = shlex.split(example.text, comments=True)
        assert words[0] == "greentech", f"README.md:{example.line}: {example.text}"
        assert not set(words) & {"|", ">", "<", "&&", ";"}, (
            f"README.md:{example.line}: a shell construct; mark it [untested: …]"
        )
        result = runner.invoke(app, words[1:], input="")
        assert result.exit_code == example.exit_code, (
            f"README.md:{example.line}: {example.text}\nexit {result.exit_code}\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        )
        assert "Traceback" not in result.stderr, f"README.md:{example.line}: {result.stderr}"
        ran += 1
    assert len(untested) == UNTESTED, "\n".join(untested)
    assert ran > 60
    # Never the real home: the one database is the isolated one.
    assert (isolated_home / ".local" / "share" / "greentech" / "greentech.db").is_file()


def test_markers_are_read() -> None:
    readme = """
<!-- untested: installs -->
```bash
# install
pip install . && greentech demo
```
```bash
greentech init
greentech contact add --first A \\
    --last B   # [exits 1: a reason]
# asks first [untested: asks]
greentech contact rm 1
greentech dedupe --review   # [untested: on a terminal]
```
"""
    found = examples(readme)
    assert [(" ".join(e.text.split("#")[0].split()), e.untested, e.exit_code) for e in found] == [
        ("pip install . && greentech demo", "installs", 0),
        ("greentech init", None, 0),
        ("greentech contact add --first A --last B", None, 1),
        ("greentech contact rm 1", "asks", 0),
        ("greentech dedupe --review", "on a terminal", 0),
    ]
    assert found[2].line == 9


def test_setup_commands_are_kept_exactly() -> None:
    texts = [e.text for e in examples(README.read_text(encoding="utf-8"))]
    assert "pip install . && greentech demo" in texts
    assert "pip install '.[test]' && pytest" in texts


# --- the command reference -------------------------------------------------------------------


def _reference_tool() -> Any:
    spec = importlib.util.spec_from_file_location(
        "command_reference", ROOT / "tools" / "command_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_command_reference_is_current() -> None:
    tool = _reference_tool()
    current = tool.TARGET.read_text(encoding="utf-8")
    assert tool.render(current) == current, (
        "docs/COMMANDS.md is stale: run python tools/command_reference.py"
    )


def test_command_reference_names_every_command() -> None:
    tool = _reference_tool()
    text = tool.TARGET.read_text(encoding="utf-8")
    paths = tool.command_paths()
    assert {"greentech contact edit", "greentech import undo", "greentech b2b request add"} <= set(
        paths
    )
    missing = [path for path in paths if f"### `{path}" not in text]
    assert missing == []
    assert "(docs/COMMANDS.md)" in README.read_text(encoding="utf-8")  # linked from the README


def test_stale_reference_is_noticed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command the reference lacks makes the check fail."""
    tool = _reference_tool()
    current = tool.TARGET.read_text(encoding="utf-8")
    edited = re.sub(r"### `greentech contact edit REF`\n.*?(?=\n### )", "", current, flags=re.S)
    assert edited != current
    assert tool.render(edited) != edited
