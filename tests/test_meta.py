"""Meta-tests: every command has help with an example, and --help stays light to import."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.main import get_command

from greentech_cli import __version__
from greentech_cli.cli.app import app

HEAVY = (
    "openpyxl",
    "icalendar",
    "jinja2",
    "rapidfuzz",
    "xlsxwriter",
    "phonenumbers",
    "sqlite_utils",
)


def _commands() -> list[tuple[str, object]]:
    root = get_command(app)
    found: list[tuple[str, object]] = []
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        if subcommands:
            found += [(f"{name} {sub}", c) for sub, c in subcommands.items()]
        else:
            found.append((name, command))
    return found


def test_every_command_has_help_and_an_example() -> None:
    for name, command in _commands():
        help_text = getattr(command, "help", None) or ""
        assert help_text.strip(), f"{name} has no help"
        assert "Example:" in help_text, f"{name} has no example"


def test_help_imports_no_heavy_library() -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "greentech_cli", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines()}
    assert not imported & set(HEAVY), imported & set(HEAVY)
    assert "company" in result.stdout


def test_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "greentech_cli", "--version"], capture_output=True, text=True
    )
    assert result.stdout.strip() == f"greentech {__version__}"


def test_reading_an_up_to_date_database_does_not_load_sqlite_utils(tmp_path: object) -> None:
    """sqlite-utils is needed only to migrate; list and search stay light."""
    from pathlib import Path

    db = Path(str(tmp_path)) / "light.db"
    run = [sys.executable, "-X", "importtime", "-m", "greentech_cli", "--db", str(db)]
    subprocess.run([*run, "init"], capture_output=True, check=True)
    result = subprocess.run([*run, "contact", "list"], capture_output=True, text=True, check=True)
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines()}
    assert "sqlite_utils" not in imported


def test_options_are_converted_without_pydantic(tmp_path: object) -> None:
    """Typer would load pydantic to convert `--limit 5`; greentech's own conversion does not."""
    from pathlib import Path

    db = Path(str(tmp_path)) / "light.db"
    run = [sys.executable, "-X", "importtime", "-m", "greentech_cli", "--db", str(db)]
    subprocess.run([*run, "init"], capture_output=True, check=True)
    args = ["contact", "list", "--limit", "5", "--format", "json"]
    result = subprocess.run([*run, *args], capture_output=True, text=True, check=True)
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines()}
    assert "pydantic" not in imported
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--db", "x.db", "check", "kz"], "check"),
        (["--debug", "--db=x.db", "contact", "list"], "contact"),
        (["privacy", "due"], "privacy"),
        (["--help"], None),
        (["--version"], None),
        ([], None),
        (["--db"], None),
    ],
)
def test_the_command_named_on_the_command_line(argv: list[str], named: str | None) -> None:
    from greentech_cli.cli.app import _named_command

    assert _named_command(argv) == named


def test_a_run_builds_only_its_command_and_still_finds_every_other(tmp_path: object) -> None:
    """The entry point keeps just the named command; the rest (help, typos, groups another
    module extends, like privacy's due/purge) behave as with every command built."""
    db = str(tmp_path) + "/g.db"  # type: ignore[operator]
    run = [sys.executable, "-m", "greentech_cli", "--db", db]
    subprocess.run([*run, "init"], capture_output=True, check=True)
    listed = subprocess.run([*run, "contact", "list", "--format", "json"], capture_output=True)
    assert listed.returncode == 0 and listed.stdout.strip() == b"[]"
    due = subprocess.run([*run, "privacy", "due", "--format", "json"], capture_output=True)
    assert due.returncode == 0, due.stderr
    typo = subprocess.run([*run, "chek"], capture_output=True, text=True)
    assert typo.returncode == 2 and "check" in typo.stderr
    top = subprocess.run([*run, "--help"], capture_output=True, text=True)
    assert "contact" in top.stdout and "b2b" in top.stdout
