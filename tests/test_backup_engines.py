"""Backup and restore in the portable format (issue 21): `backup` on PostgreSQL writes the
logical dump as NDJSON, `restore` reads it on either engine (and a SQLite backup into
PostgreSQL), in one transaction verified by the dump's checksum; `doctor` on PostgreSQL.

Tests marked needs_server need GREENTECH_TEST_PG (`.ci/postgres` starts a throw-away server);
the others restore dumps into SQLite and run everywhere.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.test_db_copy_engines import _dump, needs_server, pg_url  # noqa: F401 (a fixture)


def _people(cli: Cli, *names: str) -> None:
    for name in names:
        email = f"{name.lower().encode('ascii', 'ignore').decode()}@example.de"
        cli.ok("contact", "add", "--first", name, "--last", "Test", "--email", email)


def _checksum(cli: Cli) -> str:
    return str(cli.json("db", "checksum", "--format", "json")["checksum"])


def test_a_dump_restores_into_sqlite_and_the_previous_rows_are_kept(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "a.db")
    cli.ok("demo")
    _people(cli, "Anna", "Björn")
    dump_file = tmp_path / "a.ndjson"
    cli.ok("db", "dump", "--out", str(dump_file))
    before = _checksum(cli)
    other = Cli(tmp_path / "other" / "b.db")
    _people(other, "Carla")
    earlier = _checksum(other)
    result = other.ok("restore", str(dump_file), "--yes")
    assert f"verified: checksum sha256 {before}" in result.stderr
    assert _checksum(other) == before
    assert _dump(other.db_path) == _dump(cli.db_path)
    assert "Anna" in other.ok("search", "anna").stdout  # the search index is rebuilt
    # The previous rows, as a dump beside the database; restoring it brings them back.
    kept = Path(result.stderr.split("kept as ")[1].strip().rstrip("."))
    assert kept.parent == other.db_path.parent and kept.suffix == ".ndjson"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    other.ok("restore", str(kept), "--yes")
    assert _checksum(other) == earlier


def test_a_changed_or_foreign_dump_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "a.db")
    _people(cli, "Anna", "Björn")
    good = tmp_path / "good.ndjson"
    cli.ok("db", "dump", "--out", str(good))
    lines = good.read_text(encoding="utf-8").splitlines()
    before = _checksum(cli)
    cases = {
        "out of order": list(reversed(lines)),
        "reformatted": [json.dumps(json.loads(line)) for line in lines],
        "unknown table": [*lines, '{"row":{"a":1},"table":"zzz"}'],
        "not json": [*lines[:2], "Vorname;Nachname"],
        "unknown column": [lines[0][:-2] + ',"zz":1}}' if lines[0].endswith("}}") else "x"],
    }
    for what, changed in cases.items():
        bad = tmp_path / f"{what}.ndjson"
        bad.write_text("\n".join(changed) + "\n", encoding="utf-8")
        failed = cli.fails("restore", str(bad), "--yes")
        assert "nothing was restored" in failed.stderr, (what, failed.stderr)
        assert failed.stderr.count("\n") == 1, what
        assert _checksum(cli) == before, what
    assert not list(tmp_path.glob("a.db.before-restore-*"))


@needs_server
def test_backup_and_restore_on_postgres(tmp_path: Path, pg_url: str) -> None:  # noqa: F811
    team = Cli(pg_url)
    team.ok("demo")
    _people(team, "Anna")
    result = team.ok("backup", str(tmp_path))
    backup = Path(result.stdout.strip())
    assert backup.suffix == ".ndjson" and stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert "as its dump" in result.stderr
    # The portable format: exactly what `db dump` writes.
    assert backup.read_bytes() == team.ok("db", "dump").stdout.encode("utf-8")
    before = _checksum(team)
    _people(team, "Björn")
    team.ok("contact", "rm", "anna@example.de", "--yes")
    restored = team.ok("restore", str(backup), "--yes")
    assert _checksum(team) == before
    assert f"checksum sha256 {before}" in restored.stderr
    # Ids continue past the restored ones.
    added = team.ok("contact", "add", "--first", "Neu", "--last", "Person").stderr
    highest = max(row["id"] for row in team.json("contact", "list") if row["first_name"] != "Neu")
    assert int(added.split("contact ")[1].split(":")[0]) > highest
    # A SQLite backup restores into PostgreSQL too, and a PostgreSQL dump into SQLite.
    local = Cli(tmp_path / "local.db")
    _people(local, "Carla")
    file_backup = Path(local.ok("backup").stdout.strip())
    team.ok("restore", str(file_backup), "--yes")
    assert _checksum(team) == _checksum(local)
    other = Cli(tmp_path / "back.db")
    other.ok("restore", str(backup), "--yes")
    assert _checksum(other) == before
    # Without a path: backups/ in greentech's data folder.
    default = Path(team.ok("backup").stdout.strip())
    assert default.parent.name == "backups" and default.suffix == ".ndjson"


@needs_server
def test_doctor_on_postgres(pg_url: str) -> None:  # noqa: F811
    team = Cli(pg_url)
    _people(team, "Anna")
    rows = {row["check"]: row for row in team.json("doctor", "--format", "json")}
    assert rows["schema"]["status"] == "ok" and "current" in rows["schema"]["detail"]
    assert rows["search index"]["status"] == "ok"
    for name in ("integrity", "permissions", "free disk", "foreign keys"):
        assert rows[name]["status"] == "not applicable", name
    from tests import engines

    with engines.connect(pg_url) as conn:
        conn.execute("DELETE FROM contacts_fts")
    broken = team.fails("doctor")
    assert "search index" in broken.stderr
    team.ok("doctor", "--fix")
    assert "Anna" in team.ok("search", "anna").stdout


@needs_server
def test_doctor_on_postgres_finds_a_schema_changed_outside_greentech(pg_url: str) -> None:  # noqa: F811
    """The expected schema is the one greentech's steps build, in a schema of its own inside a
    transaction rolled back: nothing of it stays."""
    from tests import engines

    team = Cli(pg_url)
    _people(team, "Anna")
    with engines.connect(pg_url) as conn:
        conn.execute("DROP INDEX contacts_phone")
        conn.execute("ALTER TABLE contacts ADD COLUMN hobby TEXT")
        conn.execute(
            "CREATE OR REPLACE FUNCTION instr(haystack TEXT, needle TEXT) RETURNS INTEGER "
            "LANGUAGE sql IMMUTABLE AS $$ SELECT 0 $$"
        )
    broken = team.fails("doctor")
    assert broken.stderr.strip() == "Error: 1 problem(s) found: schema"
    failed = team.fails("doctor", "--format", "json")
    detail = {row["check"]: row for row in json.loads(failed.stdout)}
    assert detail["schema"]["status"] == "problem"
    for difference in (
        "missing index contacts_phone",
        "unexpected column contacts.hobby",
        "changed function instr (SELECT strpos(haystack, needle) → SELECT 0)",
    ):
        assert difference in detail["schema"]["detail"]
    with engines.connect(pg_url) as conn:
        left = conn.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'greentech_reference%'"
        ).fetchone()
    assert left[0] == 0


@needs_server
def test_doctor_on_postgres_leaves_out_what_an_extension_brought(pg_url: str) -> None:  # noqa: F811
    from tests import engines

    team = Cli(pg_url)
    _people(team, "Anna")
    with engines.connect(pg_url) as conn:
        try:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception as exc:  # the server's contrib modules are not installed
            pytest.skip(f"no pg_trgm on this server: {exc}")
    rows = {row["check"]: row for row in team.json("doctor")}
    assert rows["schema"]["status"] == "ok"
    assert rows["schema"]["detail"].endswith("(current)")  # compared, and nothing unexpected


@needs_server
def test_doctor_on_postgres_as_a_reader_says_what_it_did_not_compare(pg_url: str) -> None:  # noqa: F811
    from tests import engines

    team = Cli(pg_url)
    _people(team, "Anna")
    with engines.read_only_role(pg_url) as url:
        reader = Cli(url)  # type: ignore[arg-type]
        rows = {row["check"]: row for row in reader.json("doctor")}
    assert rows["schema"]["status"] == "ok"
    assert (
        "not compared" in rows["schema"]["detail"] and "create a schema" in rows["schema"]["detail"]
    )


@needs_server
def test_doctor_on_a_server_that_takes_no_writes_says_it_did_not_compare(pg_url: str) -> None:  # noqa: F811
    """A standby, or a role whose transactions are read-only, cannot build the reference."""
    from greentech_cli.db import open_db
    from greentech_cli.store import health

    Cli(pg_url).ok("init")
    db = open_db(pg_url)
    try:
        db.execute("SET default_transaction_read_only = on")
        assert health.postgres_schema_problems(db) is None
    finally:
        db.close()


@pytest.mark.parametrize("where", ["folder", "file"])
def test_a_dump_backup_never_replaces_a_file_nor_makes_a_folder(tmp_path: Path, where: str) -> None:
    from greentech_cli.db import open_db
    from greentech_cli.errors import GreentechError
    from greentech_cli.services.safety import dumps

    db = open_db(tmp_path / "a.db", create=True)
    try:
        existing = tmp_path / "x.ndjson"
        existing.write_text("keep", encoding="utf-8")
        dest = existing if where == "file" else tmp_path / "missing" / "x.ndjson"
        with pytest.raises(GreentechError):
            dumps.backup(db, dest)
        assert existing.read_text(encoding="utf-8") == "keep"
        assert not (tmp_path / "missing").exists()
    finally:
        db.close()


def test_a_refused_restore_into_a_new_path_creates_nothing(tmp_path: Path) -> None:
    """Bad input, or a question declined, leaves everything as it was: the dump is checked (and
    the question asked) before the database, or its folder, is made."""
    cli = Cli(tmp_path / "a.db")
    _people(cli, "Anna")
    good = tmp_path / "good.ndjson"
    cli.ok("db", "dump", "--out", str(good))
    bad = tmp_path / "bad.ndjson"
    bad.write_text("Vorname;Nachname\nAnna;Test\n", encoding="utf-8")
    folder = tmp_path / "new"
    target = Cli(folder / "greentech.db")
    failed = target.fails("restore", str(bad), "--yes")
    assert "not a greentech backup; nothing was restored" in failed.stderr
    assert failed.stderr.count("\n") == 1
    assert not folder.exists()
    declined = target("restore", str(good), input="n\n")
    assert declined.exit_code == 1 and "Traceback" not in declined.stderr
    assert not folder.exists()
    # A good dump into a new path makes the database and restores it.
    restored = target.ok("restore", str(good), "--yes")
    assert f"checksum sha256 {_checksum(cli)}" in restored.stderr
    assert _checksum(target) == _checksum(cli)


def _older_backup(path: Path) -> Path:
    """A greentech file as a version before schema step m011 wrote it (no visit status, no
    dropouts), holding a delegation with one visit."""
    import sqlite3

    from greentech_cli import migrations

    conn = sqlite3.connect(path)
    migrations.apply(conn, names=[n for n in migrations.known_names() if n < "m011"])
    stamp = "2026-11-24T10:00:00+00:00"
    conn.execute(
        "INSERT INTO delegations (id, code, title, direction, start_date, end_date, timezone, "
        "created_at, updated_at) VALUES (1, 'VN-2027', 'Vietnam 2027', 'outbound', "
        "'2027-03-01', '2027-03-05', 'Asia/Ho_Chi_Minh', ?, ?)",
        [stamp, stamp],
    )
    conn.execute(
        "INSERT INTO visits (id, delegation_id, title, start_local, end_local, timezone, uid, "
        "created_at, updated_at) VALUES (1, 1, 'Werksbesuch', '2027-03-02T10:00', "
        "'2027-03-02T12:00', 'Asia/Ho_Chi_Minh', 'visit-1@greentech', ?, ?)",
        [stamp, stamp],
    )
    conn.commit()
    conn.close()
    assert "m011_visit_cancellations" not in migrations.applied_names(sqlite3.connect(path))
    return path


@needs_server
def test_an_older_sqlite_backup_restores_into_postgres(tmp_path: Path, pg_url: str) -> None:  # noqa: F811
    """A file of an older schema is read through a private copy brought up to date (the file
    itself is left as it is): the same rows as restoring it into a SQLite file gives."""
    old = _older_backup(tmp_path / "old.db")
    before = old.read_bytes()
    team = Cli(pg_url)
    _people(team, "Anna")
    restored = team.ok("restore", str(old), "--yes")
    assert "verified: checksum sha256" in restored.stderr
    assert old.read_bytes() == before
    assert not list(tmp_path.glob("backups")) and not list(tmp_path.glob(".old.db*"))
    local = Cli(tmp_path / "local.db")
    local.ok("restore", str(old), "--yes")
    assert _checksum(team) == _checksum(local)
    visits = team.json("visit", "list", "VN-2027")
    assert [(v["title"], v["status"]) for v in visits] == [("Werksbesuch", "planned")]


@needs_server
def test_a_refused_restore_leaves_an_empty_postgres_database_empty(
    tmp_path: Path,
    pg_url: str,  # noqa: F811
) -> None:
    """The dump is checked before the database is given greentech's schema."""
    from tests import engines

    bad = tmp_path / "bad.ndjson"
    bad.write_text("Vorname;Nachname\n", encoding="utf-8")
    failed = Cli(pg_url).fails("restore", str(bad), "--yes")
    assert "not a greentech backup; nothing was restored" in failed.stderr
    with engines.connect(pg_url) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    assert tables[0] == 0


def test_an_older_file_is_read_through_a_copy_brought_up_to_date(tmp_path: Path) -> None:
    """The rows a restore reads from an older file are those opening it gives (on either
    engine; here into a SQLite database); the file itself is left as it is."""
    from greentech_cli.db import open_db
    from greentech_cli.services.safety import dumps

    old = _older_backup(tmp_path / "old.db")
    before = old.read_bytes()
    local = Cli(tmp_path / "local.db")
    local.ok("restore", str(old), "--yes")  # the file copied in place, then brought up to date
    db = open_db(tmp_path / "rows.db", create=True)
    try:
        dumps.restore(db, old)
    finally:
        db.close()
    assert _checksum(Cli(tmp_path / "rows.db")) == _checksum(local)
    assert old.read_bytes() == before


def test_an_older_file_that_cannot_be_brought_up_to_date_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from greentech_cli import migrations
    from greentech_cli.db import open_db
    from greentech_cli.errors import InvalidData
    from greentech_cli.services.safety import dumps

    old = _older_backup(tmp_path / "old.db")
    cli = Cli(tmp_path / "a.db")
    _people(cli, "Anna")
    before = _checksum(cli)

    apply = migrations.apply

    def full(conn: sqlite3.Connection, names: list[str] | None = None) -> None:
        if names is not None:  # the schema of the file's version, which its check builds
            return apply(conn, names)
        raise sqlite3.OperationalError("database or disk is full")

    db = open_db(tmp_path / "a.db")
    monkeypatch.setattr(migrations, "apply", full)
    try:
        with pytest.raises(InvalidData, match=r"cannot bring .*old\.db \(schema version \d+\) up"):
            dumps.restore(db, old)
    finally:
        db.close()
        monkeypatch.undo()
    assert _checksum(cli) == before
    assert not list(tmp_path.glob("a.db.before-restore-*"))
