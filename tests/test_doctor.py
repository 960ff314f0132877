"""`greentech doctor` on healthy and damaged databases, and `--fix` for the search index."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from greentech_cli.services.safety import doctor
from tests import engines

from .conftest import Cli
from .test_backup import corrupt_table_pages, is_url


@pytest.fixture
def healthy(cli: Cli) -> Cli:
    cli.ok("company", "add", "Lippe Recycling GmbH", "--city", "Lünen")
    for n in range(5):
        cli.ok("contact", "add", "--first", f"Person{n}", "--last", "Test", "--company", "1")
    return cli


def statuses(cli: Cli, *args: str, code: int = 0) -> dict[str, str]:
    result = cli(*args, "doctor", "--format", "json") if args else cli("doctor", "-f", "json")
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return {c["check"]: c["status"] for c in json.loads(result.stdout)}


def raw(cli: Cli, *statements: str, fk: bool = True) -> None:
    """Statements run on the database directly (either engine), behind greentech's back."""
    with engines.connect(cli.db_path) as conn:
        if not is_url(cli.db_path):
            conn.execute(f"PRAGMA foreign_keys = {'ON' if fk else 'OFF'}")
        for statement in statements:
            conn.execute(statement)


# On PostgreSQL the checks about a SQLite file are the server's, and said so.
SERVER_CHECKS = ("integrity", "foreign keys", "permissions", "free disk")


def test_healthy_database(healthy: Cli) -> None:
    checks = statuses(healthy)
    file_checks = "not applicable" if is_url(healthy.db_path) else "ok"
    assert checks == {
        "search index": "ok",
        "schema": "ok",
        **dict.fromkeys(SERVER_CHECKS, file_checks),
    }
    table = healthy.ok("doctor").stdout
    assert "integrity" in table and "problem" not in table


def test_search_index_missing_and_orphan_entries_then_fix(healthy: Cli) -> None:
    raw(
        healthy,
        "DELETE FROM contacts_fts WHERE rowid = 2",
        "INSERT INTO contacts_fts (rowid, names, details, keys) VALUES (99, 'Ghost', '', '')",
        "DELETE FROM companies_fts",
    )
    assert statuses(healthy, code=1)["search index"] == "problem"
    result = healthy.fails("doctor")
    assert "without an index entry" in result.stdout
    assert "for deleted contacts" in result.stdout
    assert "companies without an index entry" in result.stdout
    assert "search index" in result.stderr
    healthy.ok("doctor", "--fix")
    assert statuses(healthy)["search index"] == "ok"
    assert {h["id"] for h in healthy.json("search", "Person1")} == {2}


def test_missing_or_empty_database_on_postgres(cli: Cli) -> None:
    """A URL naming no database, or a database without greentech's schema: the doctor says so
    (exit 1) and creates nothing, as it creates no file."""
    if not is_url(cli.db_path):
        pytest.skip("PostgreSQL's counterpart of test_missing_database")
    parts = urlsplit(cli.db_path)
    missing = parts._replace(path=parts.path + "_none").geturl()
    result = Cli(missing).fails("doctor")
    assert "does not exist" in result.stdout and "problem" in result.stdout
    empty = engines.new_target(Path(), "unused")
    checks = {c["check"]: c for c in json.loads(Cli(empty).fails("doctor", "-f", "json").stdout)}
    assert checks["schema"]["status"] == "problem"
    assert "no greentech schema" in checks["schema"]["detail"]
    assert engines.table_names(empty) == set()  # looked at, not migrated


@pytest.mark.sqlite_only
def test_foreign_key_violation(healthy: Cli) -> None:
    raw(
        healthy,
        "INSERT INTO delegations (code, title, direction, start_date, end_date, timezone, "
        "created_at, updated_at) VALUES ('x', 'X', 'incoming', '2026-01-01', '2026-01-02', "
        "'Europe/Berlin', 'now', 'now')",
        "INSERT INTO members (delegation_id, contact_id, created_at, updated_at) "
        "VALUES (1, 999, 'now', 'now')",
        fk=False,
    )
    assert statuses(healthy, code=1)["foreign keys"] == "problem"
    assert "members row" in healthy.fails("doctor").stdout


@pytest.mark.sqlite_only
def test_damaged_file(healthy: Cli) -> None:
    corrupt_table_pages(healthy.db_path, "contacts")
    checks = statuses(healthy, code=1)
    assert checks["integrity"] == "problem"
    assert "restore a backup" in healthy.fails("doctor").stdout


@pytest.mark.sqlite_only
def test_not_a_database_at_all(cli: Cli) -> None:
    cli.db_path.parent.mkdir(parents=True)
    cli.db_path.write_bytes(b"\x00\x01garbage" * 1000)
    os.chmod(cli.db_path, 0o600)
    result = cli.fails("doctor")
    assert "database" in result.stdout and "problem" in result.stdout


@pytest.mark.sqlite_only  # PostgreSQL: test_missing_or_empty_database_on_postgres
def test_missing_database(cli: Cli) -> None:
    result = cli.fails("doctor")
    assert "no database" in result.stdout
    assert not cli.db_path.exists()


@pytest.mark.sqlite_only
def test_permissions_open_to_others(healthy: Cli) -> None:
    os.chmod(healthy.db_path, 0o644)
    assert statuses(healthy, code=1)["permissions"] == "problem"
    assert "chmod 600" in healthy.fails("doctor").stdout


@pytest.mark.sqlite_only
def test_little_free_disk(healthy: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    real = shutil.disk_usage

    def tiny(path: Any) -> Any:
        usage = real(path)
        return type(usage)(usage.total, usage.total - 1000, 1000)

    monkeypatch.setattr(shutil, "disk_usage", tiny)
    assert statuses(healthy, code=1)["free disk"] == "problem"


def test_diagnose_never_creates_or_migrates(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    checks = doctor.diagnose(missing)
    assert [c.ok for c in checks] == [False]
    assert not missing.exists()


@pytest.mark.sqlite_only
def test_fix_compacts_the_file(healthy: Cli) -> None:
    for n in range(5):
        # Long notes (kept in the journal too) leave free pages behind once removed; without
        # any, VACUUM may repack the tables into one page more than before.
        healthy.ok("contact", "edit", str(n + 1), "--notes", f"{n} " + "long note " * 400)
        healthy.ok("contact", "rm", str(n + 1), "--yes")
    raw(healthy, "PRAGMA journal_mode = WAL")
    size_before = healthy.db_path.stat().st_size
    healthy.ok("doctor", "--fix")
    assert healthy.db_path.stat().st_size <= size_before
    assert statuses(healthy) == dict.fromkeys(statuses(healthy), "ok")
