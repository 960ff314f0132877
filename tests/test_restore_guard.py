"""Restore, schema updates and `doctor --fix` take the write lock (and refuse while another
process writes); restore and doctor refuse a file whose schema was changed outside greentech."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from greentech_cli import migrations as migrations_module
from greentech_cli.db import open_db
from greentech_cli.errors import InvalidData
from greentech_cli.services.safety import backup as service
from tests import engines

from .conftest import Cli
from .test_backup import (
    counts,
    dump,
    integrity,
    is_url,
    kept_copies,
    local_copy,
    make_greentech_copy,
)

ROOT = Path(__file__).resolve().parents[1]
FIRST_NAMES = [
    "Anna",
    "Bernd",
    "Carla",
    "Dieter",
    "Emil",
    "Frieda",
    "Gerd",
    "Hanna",
    "Ingo",
    "Jana",
    "Klaus",
    "Lena",
]
LAST_NAMES = [
    "Abel",
    "Brandt",
    "Conrad",
    "Dorn",
    "Eckert",
    "Fuchs",
    "Graf",
    "Hahn",
    "Imhof",
    "Jung",
    "Kern",
    "Lang",
]

# A real import inside a write transaction that stays open until told to finish.
HOLDING_IMPORT = """
import sys, time
from pathlib import Path
from greentech_cli.db import open_db, transaction
from greentech_cli.models.imports import ImportOptions
from greentech_cli.services.imports.run import import_file
csv_path, started, go = (Path(a) for a in sys.argv[2:5])
db = open_db(sys.argv[1] if "://" in sys.argv[1] else Path(sys.argv[1]))
with transaction(db):
    summary = import_file(db, csv_path, ImportOptions())
    started.with_suffix(".part").write_text(str(summary.created))
    started.with_suffix(".part").replace(started)
    deadline = time.monotonic() + 60
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
db.close()
"""


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def wait_for(path: Path, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while not path.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    assert path.exists(), process.communicate()


@pytest.fixture
def three(cli: Cli) -> Cli:
    for n in range(3):
        cli.ok("contact", "add", "--first", f"Person{n}", "--last", "Test")
    return cli


def test_restore_while_an_import_writes_is_refused_and_the_import_kept(
    three: Cli, tmp_path: Path
) -> None:
    backup = Path(three.ok("backup", str(tmp_path / "good.db")).stdout.strip())
    big = tmp_path / "big.csv"
    people = [(first, last) for first in FIRST_NAMES for last in LAST_NAMES]
    rows = len(people)
    big.write_text(
        "first_name,last_name,email\n"
        + "".join(
            f"{first},{last},{first.lower()}.{last.lower()}@firma{n}.de\n"
            for n, (first, last) in enumerate(people)
        ),
        encoding="utf-8",
    )
    started, go = tmp_path / "started", tmp_path / "go"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDING_IMPORT, str(three.db_path), str(big), str(started), str(go)],
        cwd=ROOT,
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(started, holder)
        assert started.read_text() == str(rows)
        result = three.fails("restore", str(backup), "--yes")
        if is_url(three.db_path):  # the advisory lock's holder, as the server knows it
            assert "a write by greentech (server process" in result.stderr
        else:
            assert "another greentech process is writing" in result.stderr
        assert "the restore was refused" in result.stderr
        if is_url(three.db_path):
            # Nothing to repair nor to compact: PostgreSQL's doctor --fix takes no lock then.
            assert three.ok("doctor", "--fix").exit_code == 0
        else:
            doctor = three.fails("doctor", "--fix")
            assert "doctor --fix was refused" in doctor.stderr
    finally:
        go.write_text("go")
        _, err = holder.communicate(timeout=60)
    assert holder.returncode == 0, err
    assert counts(three.db_path)[0] == 3 + rows
    history = three.json("import", "history")
    assert [batch["created"] for batch in history] == [rows]
    assert not kept_copies(three)
    assert not list(Path(three.db_path).parent.glob(".test.db*"))
    # Once the import is done, the restore goes ahead.
    three.ok("restore", str(backup), "--yes")
    assert counts(three.db_path)[0] == 3


def test_restore_writes_into_the_open_database(three: Cli, tmp_path: Path) -> None:
    """A process that opened the database before the restore and writes after it writes into
    the restored database, not into a file swapped away beneath it."""
    backup = Path(three.ok("backup", str(tmp_path / "good.db")).stdout.strip())
    three.ok("contact", "add", "--first", "Later", "--last", "Added")
    early = engines.connect(three.db_path)
    try:
        assert early.execute("SELECT count(*) FROM contacts").fetchone()[0] == 4
        three.ok("restore", str(backup), "--yes")
        early.execute(
            "INSERT INTO contacts (first_name, created_at, updated_at) VALUES ('Early', '', '')"
        )
        assert early.execute("SELECT count(*) FROM contacts").fetchone()[0] == 4
    finally:
        early.close()
    with engines.connect(three.db_path) as conn:
        names = [row[0] for row in conn.execute("SELECT first_name FROM contacts")]
    assert sorted(names) == ["Early", "Person0", "Person1", "Person2"]
    assert integrity(three.db_path) == "ok"
    kept = kept_copies(three)
    assert len(kept) == 1 and counts(kept[0]) == (4, 4)
    assert not Path(f"{kept[0]}-wal").exists()


@pytest.mark.sqlite_only
def test_restore_replaces_a_damaged_database_file(three: Cli, tmp_path: Path) -> None:
    backup = Path(three.ok("backup", str(tmp_path / "good.db")).stdout.strip())
    junk = os.urandom(4096)
    three.db_path.write_bytes(junk)
    Path(f"{three.db_path}-wal").unlink(missing_ok=True)
    Path(f"{three.db_path}-shm").unlink(missing_ok=True)
    three.ok("restore", str(backup), "--yes")
    assert counts(three.db_path) == (3, 3)
    kept = list(three.db_path.parent.glob("test.db.before-restore-*"))
    assert [path.read_bytes() for path in kept] == [junk]


@pytest.mark.sqlite_only
def test_restore_of_a_backup_with_another_page_size(three: Cli, tmp_path: Path) -> None:
    other = make_greentech_copy(three.db_path, tmp_path / "pages.db")
    conn = sqlite3.connect(other, isolation_level=None)
    conn.execute("PRAGMA page_size = 8192")
    conn.execute("VACUUM")
    assert conn.execute("PRAGMA page_size").fetchone()[0] == 8192
    conn.close()
    three.ok("contact", "add", "--first", "Later", "--last", "Added")
    three.ok("restore", str(other), "--yes")
    assert counts(three.db_path) == (3, 3)
    assert integrity(three.db_path) == "ok"


@pytest.mark.sqlite_only  # no step after the baseline has a PostgreSQL form (see test_backup)
def test_schema_update_refused_while_another_process_writes(
    three: Cli, tmp_path: Path, extra_migration: str
) -> None:
    """A pending schema step takes the write lock too: refused while another process writes."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(three.db_path), str(tmp_path / "started")],
        cwd=ROOT,
        env=env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(tmp_path / "started", holder)
        result = three.fails("contact", "list")
        assert "updating the schema was refused" in result.stderr
    finally:
        holder.communicate("go\n", timeout=60)
    conn = sqlite3.connect(three.db_path)
    applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")]
    conn.close()
    assert extra_migration not in applied
    three.ok("contact", "list")  # now it migrates
    conn = sqlite3.connect(three.db_path)
    columns = [r[1] for r in conn.execute("PRAGMA table_info(contacts)")]
    conn.close()
    assert "test_extra" in columns


# Holds the write lock (as an import writing would) until a line arrives on stdin. It opens the
# file without greentech, so no pending schema step is applied first.
HOLD_LOCK = """
import sqlite3, sys
from pathlib import Path
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
Path(sys.argv[2]).write_text("started")
sys.stdin.readline()
conn.execute("ROLLBACK")
"""


# --- the schema of a file against the schema of its version ---------------------------------


TAMPERING = {
    # (notes cannot be dropped: the journal's triggers read it)
    "missing department column": (
        ["ALTER TABLE contacts DROP COLUMN department"],
        "column contacts.department",
    ),
    "added trigger": (
        [
            "CREATE TRIGGER wipe AFTER INSERT ON contacts BEGIN DELETE FROM companies; END",
        ],
        "unexpected trigger wipe",
    ),
    "foreign table": (["CREATE TABLE stash (secret TEXT)"], "unexpected table stash"),
    "foreign view": (["CREATE VIEW everyone AS SELECT * FROM contacts"], "unexpected view"),
    "dropped index": (["DROP INDEX contacts_email"], "missing index contacts_email"),
    "changed column": (
        [
            "ALTER TABLE contacts DROP COLUMN share_consent",
            "ALTER TABLE contacts ADD COLUMN share_consent TEXT DEFAULT 'yes'",
        ],
        "changed column contacts.share_consent",
    ),
    "other tokenizer": (
        [
            "DROP TABLE contacts_fts",
            "CREATE VIRTUAL TABLE contacts_fts USING fts5(names, details, keys)",
        ],
        "changed full-text table contacts_fts",
    ),
}


def tampered(cli: Cli, dest: Path, statements: list[str]) -> Path:
    local_copy(cli, dest)
    conn = sqlite3.connect(dest, isolation_level=None)
    for statement in statements:
        conn.execute(statement)
    conn.close()
    return dest


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_restore_refuses_a_tampered_backup(three: Cli, tmp_path: Path, case: str) -> None:
    statements, expected = TAMPERING[case]
    bad = tampered(three, tmp_path / "tampered.db", statements)
    before = dump(three.db_path)
    result = three.fails("restore", str(bad), "--yes")
    assert "changed outside greentech" in result.stderr
    assert expected in result.stderr
    assert dump(three.db_path) == before
    assert not kept_copies(three)


# The tampering is SQLite's SQL; PostgreSQL's doctor checks the schema's version and tables.
@pytest.mark.sqlite_only
@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_doctor_reports_a_tampered_database(three: Cli, case: str) -> None:
    statements, expected = TAMPERING[case]
    conn = sqlite3.connect(three.db_path, isolation_level=None)
    for statement in statements:
        conn.execute(statement)
    conn.close()
    result = three("doctor", "--format", "json")
    assert result.exit_code == 1, (result.stdout, result.stderr)
    checks = {c["check"]: c for c in json.loads(result.stdout)}
    assert checks["schema"]["status"] == "problem"
    assert expected in checks["schema"]["detail"]


@pytest.mark.sqlite_only  # the schema of a SQLite file against its own steps
def test_expected_schema_follows_the_migration_steps(
    three: Cli, tmp_path: Path, extra_migration: str
) -> None:
    """The schema a file should have comes from applying its own steps, old or new."""
    older = make_greentech_copy(three.db_path, tmp_path / "older.db")  # before the new step
    assert service.check_file(older).counts["contacts"] == 3
    open_db(three.db_path).close()  # applies the new step
    newer = make_greentech_copy(three.db_path, tmp_path / "newer.db")
    assert service.check_file(newer).schema_version == len(migrations_module.STEPS)
    three.ok("doctor")
    # Claiming the new step without its column is a changed file.
    conn = sqlite3.connect(newer)
    conn.execute("ALTER TABLE contacts DROP COLUMN test_extra")
    conn.commit()
    conn.close()
    with pytest.raises(InvalidData, match=r"missing column contacts\.test_extra"):
        service.check_file(newer)
