"""The bad-input corpus (tests/badinput/, see its README): every input there must be refused
as a whole — one `Error:` line, exit 1 or 2, no traceback — and leave the database's logical
dump byte for byte as it was.

Cases: files to import (`import/`), programme files to apply (`programme/`), backups to restore
(recipes in `restore.json`, made from a real backup at test time) and command lines for the
add/edit commands and options (`commands.json`).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

CORPUS = Path(__file__).parent / "badinput"
IMPORTS = sorted((CORPUS / "import").iterdir())
PROGRAMMES = sorted((CORPUS / "programme").iterdir())
RESTORES = json.loads((CORPUS / "restore.json").read_text(encoding="utf-8"))
COMMANDS = json.loads((CORPUS / "commands.json").read_text(encoding="utf-8"))
PWNED = Path("/tmp/greentech-pwned")


def test_the_corpus_holds_at_least_60_inputs() -> None:
    assert len(IMPORTS) + len(PROGRAMMES) + len(RESTORES) + len(COMMANDS) >= 60


def logical_dump(path: Path) -> str:
    """Every table's schema and rows as SQL, sorted: equal when nothing logical changed."""
    conn = sqlite3.connect(path)
    try:
        return "\n".join(sorted(conn.iterdump()))
    finally:
        conn.close()


def run(db: Path, *args: str) -> Any:
    from greentech_cli.cli.app import app

    return CliRunner().invoke(app, ["--db", str(db), *args])


def must_work(db: Path, *args: str) -> None:
    result = run(db, *args)
    assert result.exit_code == 0, (args, result.stdout, result.stderr)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with one of each record the commands refer to, and a backup of it."""
    folder = tmp_path_factory.mktemp("badinput")
    db = folder / "template.db"
    must_work(db, "init")
    must_work(db, "company", "add", "Corpus Recycling GmbH", "--city", "Hamm")
    must_work(
        db, "contact", "add", "--first", "Bea", "--last", "Base", "--email", "base@corpus.example",
        "--company", "1",
    )  # fmt: skip
    must_work(
        db, "delegation", "add", "base-2026", "--title", "Base trip", "--direction", "incoming",
        "--start", "2026-11-16", "--end", "2026-11-20",
    )  # fmt: skip
    must_work(
        db, "visit", "add", "base-2026", "--title", "Plant", "--start", "2026-11-17 09:00",
        "--duration", "2h",
    )  # fmt: skip
    must_work(db, "member", "add", "base-2026", "base@corpus.example")
    must_work(db, "backup", str(folder / "backup.db"))
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return folder


@pytest.fixture
def live(template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the template database for one case."""
    db = tmp_path / "data" / "greentech.db"
    db.parent.mkdir(mode=0o700)
    shutil.copyfile(template / "template.db", db)
    return db


def assert_refused(db: Path, before: str, *args: str) -> None:
    """The command fails with one `Error:` line and exit 1 or 2; the database is as it was."""
    PWNED.unlink(missing_ok=True)
    result = run(db, *args)
    shown = (args, result.exit_code, result.stdout, result.stderr)
    assert result.exit_code in (1, 2), shown
    assert result.exception is None or isinstance(result.exception, SystemExit), shown
    assert "Traceback" not in result.stdout + result.stderr, shown
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, shown
    assert result.stderr.strip().splitlines()[-1] == errors[0], shown
    assert len(errors[0]) < 600, "an error is one readable line"
    for arg in args:
        if "/" in arg:
            assert errors[0].count(arg) <= 1, f"the error names {arg} twice: {errors[0]}"
    assert not PWNED.exists()
    assert logical_dump(db) == before


def test_the_valid_inputs_the_cases_break_are_accepted(live: Path) -> None:
    # Each case breaks one thing in an input that is fine as it is.
    must_work(live, "import", "file", str(CORPUS / "import-valid.csv"), "--dry-run")
    must_work(live, "programme", "apply", str(CORPUS / "programme-valid.yaml"), "--dry-run")


@pytest.mark.parametrize("path", IMPORTS, ids=[p.name for p in IMPORTS])
def test_import_refuses(live: Path, path: Path) -> None:
    assert_refused(live, logical_dump(live), "import", "file", str(path))


@pytest.mark.parametrize("path", PROGRAMMES, ids=[p.name for p in PROGRAMMES])
def test_programme_apply_refuses(live: Path, path: Path) -> None:
    assert_refused(live, logical_dump(live), "programme", "apply", str(path))


def _make_backup(case: dict[str, Any], template: Path, live: Path, folder: Path) -> Path:
    """The file a restore case hands to `restore`, made as its recipe says."""
    target = folder / f"{case['name']}.db"
    make = case["make"]
    if make == "none":
        return target
    if make == "folder":
        target.mkdir()
    elif make == "live":
        return live
    elif make == "bytes":
        target.write_bytes(case["bytes"].encode("utf-8"))
    elif make == "sqlite":
        conn = sqlite3.connect(target)
        for statement in case["sql"]:
            conn.execute(statement)
        conn.commit()
        conn.close()
    else:  # a real backup, then changed
        shutil.copyfile(template / "backup.db", target)
        if case.get("sql"):
            conn = sqlite3.connect(target, isolation_level=None)
            for statement in case["sql"]:
                conn.execute(statement)
            conn.close()
        data = bytearray(target.read_bytes())
        if "truncate" in case:
            data = data[: case["truncate"]]
        if "overwrite_at" in case:
            at = case["overwrite_at"]
            data[at : at + case["overwrite"]] = bytes([0xA5]) * case["overwrite"]
        target.write_bytes(bytes(data))
    return target


@pytest.mark.parametrize("case", RESTORES, ids=[c["name"] for c in RESTORES])
def test_restore_refuses(template: Path, live: Path, tmp_path: Path, case: dict[str, Any]) -> None:
    backup = _make_backup(case, template, live, tmp_path)
    before = logical_dump(live)
    assert_refused(live, before, "restore", str(backup), "--yes")
    assert not list(live.parent.glob("*.before-restore-*"))


@pytest.mark.parametrize("argv", COMMANDS, ids=[" ".join(c)[:60] for c in COMMANDS])
def test_command_refuses(live: Path, tmp_path: Path, argv: list[str]) -> None:
    (tmp_path / "a-folder").mkdir()
    places = {
        "{valid_csv}": str(CORPUS / "import-valid.csv"),
        "{valid_programme}": str(CORPUS / "programme-valid.yaml"),
        "{bad_mapping}": str(CORPUS / "bad-mapping.yaml"),
        "{db}": str(live),
        "{missing}": str(tmp_path / "no-such-file.csv"),
        "{folder}": str(tmp_path / "a-folder"),
    }
    assert_refused(live, logical_dump(live), *(places.get(a, a) for a in argv))
