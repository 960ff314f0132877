"""Opening the database: pragmas, owner-only files, migrations from blank, path resolution."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from greentech_cli import config
from greentech_cli.db import open_db, transaction
from greentech_cli.errors import GreentechError, NotFound
from greentech_cli.files import same_file
from greentech_cli.migrations import latest_version, schema_version


@pytest.mark.sqlite_only  # the .db file's mode and SQLite's pragmas
def test_new_database_is_owner_only_with_pragmas(db_path: Path) -> None:
    db = open_db(db_path, create=True)
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o700
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    db.close()


def test_migrations_from_blank_create_every_table(db_path: Path) -> None:
    db = open_db(db_path, create=True)
    assert schema_version(db) == latest_version() >= 1
    tables = set(db.table_names())
    for name in (
        "companies",
        "contacts",
        "delegations",
        "members",
        "visits",
        "visit_hosts",
        "visit_attendees",
        "import_batches",
        "import_changes",
        "audit_log",
        "contacts_fts",
        "companies_fts",
    ):
        assert name in tables
    db.close()
    # Opening again applies nothing new and keeps the data.
    again = open_db(db_path)
    assert schema_version(again) == latest_version()
    again.close()


def test_read_only_open_never_creates(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "x.db"
    with pytest.raises(NotFound, match=str(missing)):
        open_db(missing)
    assert not missing.exists()
    assert not missing.parent.exists()


def test_junk_file_is_a_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(GreentechError, match=r"not a usable greentech database|cannot open"):
        open_db(junk)


def test_transaction_rolls_back_on_error(db_path: Path) -> None:
    db = open_db(db_path, create=True)
    with pytest.raises(RuntimeError), transaction(db):
        db.execute(
            "INSERT INTO companies (name, created_at, updated_at) VALUES ('X', 'now', 'now')"
        )
        raise RuntimeError("boom")
    assert db.execute("SELECT count(*) FROM companies").fetchone()[0] == 0
    db.close()


def test_db_location_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"db: {tmp_path / 'from-config.db'}\n", encoding="utf-8")
    monkeypatch.setenv("GREENTECH_CONFIG", str(cfg))
    assert config.resolve_db(None).path == tmp_path / "from-config.db"
    monkeypatch.setenv("GREENTECH_DB", str(tmp_path / "from-env.db"))
    assert config.resolve_db(None).reason.startswith("GREENTECH_DB")
    assert config.resolve_db(str(tmp_path / "flag.db")).reason == "--db option"
    monkeypatch.delenv("GREENTECH_DB")
    monkeypatch.delenv("GREENTECH_CONFIG")
    default = config.resolve_db(None)
    assert default.path.name == "greentech.db"
    assert str(default.path).startswith(str(Path.home()))


def test_same_file_sees_through_dots_and_links(tmp_path: Path) -> None:

    real = tmp_path / "liste.csv"
    real.write_text("x", encoding="utf-8")
    (tmp_path / "link.csv").symlink_to(real)
    os.link(real, tmp_path / "hard.csv")
    assert same_file(real, tmp_path / "." / "liste.csv")
    assert same_file(real, tmp_path / "link.csv")
    assert same_file(real, tmp_path / "hard.csv")
    assert not same_file(real, tmp_path / "other.csv")
