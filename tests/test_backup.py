"""Backup (online, consistent, owner-only), restore (checked, atomic, keeps the old file) and the
automatic backup before a schema migration."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from greentech_cli import migrations as migrations_module
from greentech_cli.db import open_db
from greentech_cli.errors import InvalidData
from greentech_cli.services.safety import backup as service
from greentech_cli.services.safety import dumps
from tests import engines

from .conftest import Cli

ROOT = Path(__file__).resolve().parents[1]


def is_url(target: object) -> bool:
    """Whether a test's database is a PostgreSQL database (its URL), not a file."""
    return str(target).startswith("postgresql://")


def counts(target: Path | str) -> tuple[int, int]:
    """Contacts and their 'create' entries in the audit log: of a database (either engine), a
    SQLite backup, or a backup in the portable format (the dump PostgreSQL's backup writes)."""
    if not is_url(target) and not dumps.is_sqlite_file(Path(target)):
        rows = [json.loads(line) for line in Path(target).read_text("utf-8").splitlines()]
        contacts = sum(row["table"] == "contacts" for row in rows)
        created = sum(
            row["table"] == "audit_log"
            and (row["row"]["entity"], row["row"]["action"]) == ("contact", "create")
            for row in rows
        )
        return contacts, created
    with engines.connect(target) as conn:
        contacts = conn.execute("SELECT count(*) FROM contacts").fetchone()[0]
        created = conn.execute(
            "SELECT count(*) FROM audit_log WHERE entity = 'contact' AND action = 'create'"
        ).fetchone()[0]
        return int(contacts), int(created)


def integrity(path: Path | str) -> str:
    """SQLite's integrity check of a file; a PostgreSQL database or a dump has none ("ok")."""
    if is_url(path) or not dumps.is_sqlite_file(Path(path)):
        return "ok"
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def dump(path: Path | str) -> list[str]:
    """Everything a database holds (either engine), to say it is unchanged."""
    return engines.dump(path)


def backups_of(cli: Cli) -> Path:
    """Where a database's backups go by default: `backups/` beside a SQLite file; for a
    PostgreSQL database (a URL has no folder) `backups/` in greentech's data folder."""
    if is_url(cli.db_path):
        from greentech_cli.config import data_dir

        return data_dir() / "backups"
    return Path(cli.db_path).parent / "backups"


def kept_copies(cli: Cli) -> list[Path]:
    """The previous contents a restore kept: `<file>.before-restore-*` beside a SQLite file, a
    dump `<database>.before-restore-*.ndjson` in the backups folder on PostgreSQL."""
    if is_url(cli.db_path):
        return sorted(backups_of(cli).glob("*.before-restore-*"))
    return sorted(Path(cli.db_path).parent.glob(f"{Path(cli.db_path).name}.before-restore-*"))


def local_copy(cli: Cli, dest: Path) -> Path:
    """A greentech SQLite file holding what the test's database holds, at dest (a copy of the
    file; on PostgreSQL the database copied into a new file by `db copy`)."""
    if is_url(cli.db_path):
        cli.ok("db", "copy", str(cli.db_path), str(dest))
        conn = sqlite3.connect(dest)
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.close()
        return dest
    return make_greentech_copy(Path(cli.db_path), dest)


@pytest.fixture
def three(cli: Cli) -> Cli:
    for n in range(3):
        cli.ok("contact", "add", "--first", f"Person{n}", "--last", "Test")
    return cli


def test_backup_to_the_default_folder_is_owner_only_and_complete(three: Cli) -> None:
    result = three.ok("backup")
    dest = Path(result.stdout.strip())
    assert dest.parent == backups_of(three)
    if is_url(three.db_path):  # the portable dump, named after the database
        name = urlsplit(three.db_path).path.lstrip("/")
        assert dest.name.startswith(f"{name}-") and dest.suffix == ".ndjson"
    else:
        assert dest.name.startswith("test-") and dest.suffix == ".db"
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert counts(dest) == (3, 3)
    assert integrity(dest) == "ok"
    assert not Path(f"{dest}-wal").exists()
    # A second backup in the same second gets its own name.
    second = Path(three.ok("backup").stdout.strip())
    assert second != dest and second.exists()


def test_backup_to_a_path_or_folder(three: Cli, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "copy.db"
    # A missing folder (an unmounted drive) is never created in its place (issue 18).
    assert "does not exist" in three.fails("backup", str(target)).stderr
    assert not target.parent.exists()
    target.parent.mkdir()
    assert three.ok("backup", str(target)).stdout.strip() == str(target)
    assert counts(target) == (3, 3)
    three.fails("backup", str(target))  # never overwrites
    folder = tmp_path / "folder"
    folder.mkdir()
    copied = Path(three.ok("backup", str(folder)).stdout.strip())
    assert copied.parent == folder
    three.fails("backup", str(three.db_path))


def test_backup_needs_a_database(cli: Cli) -> None:
    if not is_url(cli.db_path):
        cli.fails("backup")
        assert not cli.db_path.exists()
        return
    # On PostgreSQL: a URL naming a database the server does not have is one line, and no
    # database nor backup is made.
    missing = urlsplit(cli.db_path)._replace(path=urlsplit(cli.db_path).path + "_none").geturl()
    result = Cli(missing).fails("backup")
    assert "cannot open the database" in result.stderr and "does not exist" in result.stderr
    assert not backups_of(cli).exists()


WRITER = """
import sys
from pathlib import Path
from greentech_cli.db import open_db
from greentech_cli.services.records import contacts
db = open_db(sys.argv[1] if "://" in sys.argv[1] else Path(sys.argv[1]))
n = 0
while not Path(sys.argv[2]).exists():
    contacts.add(db, {"first_name": f"W{n}", "last_name": "Writer", "notes": "x" * 2000})
    n += 1
    if n == 20:
        Path(sys.argv[3]).write_text("started")
db.close()
"""


def test_backup_while_another_process_writes_is_consistent(three: Cli, tmp_path: Path) -> None:
    stop, started = tmp_path / "stop", tmp_path / "started"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(three.db_path), str(stop), str(started)], cwd=ROOT
    )
    try:
        deadline = time.monotonic() + 60
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert started.exists(), "the writer did not start"
        copies = [tmp_path / f"copy{n}.db" for n in range(4)]
        for copy in copies:
            three.ok("backup", str(copy))
    finally:
        stop.write_text("stop")
        writer.wait(timeout=60)
    assert writer.returncode == 0
    seen = []
    for copy in copies:
        assert integrity(copy) == "ok"
        contacts, created = counts(copy)
        # Each add writes the contact and its audit entry in one transaction: a consistent
        # snapshot always has both or neither.
        assert contacts == created
        seen.append(contacts)
    assert seen == sorted(seen) and seen[0] >= 23


def test_restore_a_good_backup_keeps_the_previous_file(three: Cli, tmp_path: Path) -> None:
    backup = Path(three.ok("backup", str(tmp_path / "good.db")).stdout.strip())
    three.ok("contact", "add", "--first", "Later", "--last", "Added")
    result = three.ok("restore", str(backup), "--yes")
    assert "kept as" in result.stderr
    assert counts(three.db_path) == (3, 3)
    kept = kept_copies(three)
    assert len(kept) == 1
    assert counts(kept[0]) == (4, 4)
    assert stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    if not is_url(three.db_path):
        assert stat.S_IMODE(three.db_path.stat().st_mode) == 0o600
    assert three.json("info")["counts"]["contacts"] == 3
    assert three.ok("doctor").exit_code == 0
    assert not list(Path(three.db_path).parent.glob(".test.db*"))  # no temporary files left


def test_restore_into_a_missing_database(cli: Cli, three: Cli, tmp_path: Path) -> None:
    backup = Path(three.ok("backup", str(tmp_path / "good.db")).stdout.strip())
    fresh = Cli(tmp_path / "new" / "fresh.db")
    fresh.ok("restore", str(backup), "--yes")
    assert counts(fresh.db_path) == (3, 3)


def test_restore_asks_first(three: Cli, tmp_path: Path) -> None:
    backup = Path(three.ok("backup", str(tmp_path / "good.db")).stdout.strip())
    three.ok("contact", "add", "--first", "Later", "--last", "Added")
    before = dump(three.db_path)
    result = three.fails("restore", str(backup))
    assert "--yes" in result.stderr
    assert three("restore", str(backup), input="n\n").exit_code == 1
    assert dump(three.db_path) == before


def junk_files(tmp_path: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    files["text"] = tmp_path / "notes.txt"
    files["text"].write_text("Dies ist keine Datenbank.\n", encoding="utf-8")
    files["empty"] = tmp_path / "empty.db"
    files["empty"].write_bytes(b"")
    files["binary"] = tmp_path / "random.db"
    files["binary"].write_bytes(os.urandom(8192))
    files["header-only"] = tmp_path / "header.db"
    files["header-only"].write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    other = tmp_path / "other-app.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.commit()
    conn.close()
    files["other-app"] = other
    files["folder"] = tmp_path / "a-folder"
    files["folder"].mkdir()
    files["missing"] = tmp_path / "does-not-exist.db"
    return files


def make_greentech_copy(source: Path, dest: Path) -> Path:
    src = sqlite3.connect(source)
    dst = sqlite3.connect(dest)
    src.backup(dst)
    src.close()
    dst.execute("PRAGMA journal_mode = DELETE")
    dst.close()
    return dest


def test_restore_refuses_junk_and_changes_nothing(three: Cli, tmp_path: Path) -> None:
    before = dump(three.db_path)
    files = junk_files(tmp_path)
    newer = local_copy(three, tmp_path / "newer.db")
    conn = sqlite3.connect(newer)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('greentech', 'm999_from_the_future', '2030-01-01')"
    )
    conn.commit()
    conn.close()
    files["newer"] = newer
    no_record = local_copy(three, tmp_path / "no-record.db")
    conn = sqlite3.connect(no_record)
    conn.execute("DROP TABLE _sqlite_migrations")
    conn.commit()
    conn.close()
    files["no-record"] = no_record
    damaged = local_copy(three, tmp_path / "damaged.db")
    corrupt_table_pages(damaged, "contacts")
    files["damaged"] = damaged
    messages = {}
    for name, path in files.items():
        result = three.fails("restore", str(path), "--yes")
        messages[name] = result.stderr
        assert dump(three.db_path) == before, name
    assert "not a SQLite database" in messages["text"]
    assert "newer greentech" in messages["newer"]
    assert "not a greentech" in messages["other-app"]
    assert "damaged" in messages["damaged"] or "integrity" in messages["damaged"]
    assert not kept_copies(three)
    assert not list(Path(three.db_path).parent.glob(".test.db*"))


def corrupt_table_pages(path: Path, table: str) -> None:
    """Overwrite the interior of a table's b-tree pages with garbage (header left alone)."""
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
    conn.close()
    with path.open("r+b") as handle:
        handle.seek((root - 1) * page_size + 8)
        handle.write(b"\x0d\xff\xee" * 40)


def test_check_file_accepts_an_older_schema(
    three: Cli, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    # The copy predates the step registered then, as a backup predates a release.
    copy = local_copy(three, tmp_path / "older.db")
    request.getfixturevalue("extra_migration")
    candidate = service.check_file(copy)
    assert candidate.counts["contacts"] == 3
    assert candidate.schema_version == len(migrations_module.STEPS) - 1
    with pytest.raises(InvalidData):
        service.check_file(tmp_path)


# On PostgreSQL a schema update runs in one transaction of the server; no step after the
# baseline has a PostgreSQL form yet (migrations/postgres.py), so there is nothing to back up.
@pytest.mark.sqlite_only
def test_existing_database_is_backed_up_before_a_migration(
    three: Cli, extra_migration: str
) -> None:
    # The doctor sees the pending step before anything migrates.
    result = three.fails("doctor")
    assert "pending" in result.stdout
    db = open_db(three.db_path)
    db.close()
    backups = list((three.db_path.parent / "backups").glob("test-before-migration-*.db"))
    assert len(backups) == 1
    assert stat.S_IMODE(backups[0].stat().st_mode) == 0o600
    conn = sqlite3.connect(backups[0])
    names = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")]
    columns = [r[1] for r in conn.execute("PRAGMA table_info(contacts)")]
    conn.close()
    assert extra_migration not in names and "test_extra" not in columns
    assert counts(backups[0]) == (3, 3)
    # Opening again migrates nothing, so backs up nothing.
    open_db(three.db_path).close()
    assert len(list((three.db_path.parent / "backups").glob("*.db"))) == 1


def test_new_database_is_not_backed_up(cli: Cli, request: pytest.FixtureRequest) -> None:
    if not is_url(cli.db_path):  # PostgreSQL has no form of the test's step (see above)
        request.getfixturevalue("extra_migration")
    cli.ok("init")
    assert not backups_of(cli).exists()
