"""The write lock (issue 15 item 5): an import reads and normalises before it takes the lock;
other writers wait for it up to the lock timeout, saying what they wait for, then give up with one
line; the timeout comes from GREENTECH_LOCK_TIMEOUT or `lock_timeout:` in the config file."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from greentech_cli import db as db_module
from greentech_cli.config import lock_timeout_ms
from greentech_cli.db import open_db
from greentech_cli.db.postgres_database import WRITE_LOCK
from greentech_cli.errors import GreentechError
from greentech_cli.models.imports import ImportOptions
from greentech_cli.services.imports.run import import_file
from tests import engines

from .conftest import ON_POSTGRES as on_postgres
from .conftest import Cli
from .test_faults import word

ROOT = Path(__file__).resolve().parents[1]

HOLD = """
import sys, time
from pathlib import Path
from greentech_cli.db import open_db, transaction
db = open_db(sys.argv[1] if "://" in sys.argv[1] else Path(sys.argv[1]))
with transaction(db, holder="the import"):
    db.execute("INSERT INTO audit_log (at, user, command, entity, action) "
               "VALUES ('now', 'x', 'test', 'test', 'hold')")
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold_lock(db_path: Path | str, seconds: float) -> subprocess.Popen[str]:
    """Another process holding the write lock as an import does; returns once it holds it."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db_path), str(seconds)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "holding"
    return proc


def test_the_import_reads_before_it_takes_the_lock(db_path: Path, tmp_path: Path) -> None:
    open_db(db_path, create=True).close()
    csv = tmp_path / "people.csv"
    csv.write_text(
        "first_name,last_name,email\n"
        + "".join(f"Vor{word(i)},Nach{word(i)},p{i}@lock.example\n" for i in range(1200)),
        encoding="utf-8",
    )
    other = engines.connect(db_path)
    if not on_postgres:
        other.execute("PRAGMA busy_timeout = 0")
    written: list[int] = []

    def while_reading(rows: int) -> None:
        # Called as chunks are read: no lock may be held yet, so another writer gets in at once
        # (SQLite: BEGIN IMMEDIATE without waiting; PostgreSQL: the advisory lock, not waited for).
        if on_postgres:
            other.execute("BEGIN")
            got = other.execute("SELECT pg_try_advisory_xact_lock(?)", [WRITE_LOCK]).fetchone()
            assert got == (True,), "the import holds the write lock while it reads"
        else:
            other.execute("BEGIN IMMEDIATE")
        other.execute(
            'INSERT INTO audit_log (at, "user", command, entity, action) '
            "VALUES ('now', 'x', 'test', 'test', 'meanwhile')"
        )
        other.execute("COMMIT")
        written.append(rows)

    db = open_db(db_path)
    try:
        summary = import_file(db, csv, ImportOptions(), progress=while_reading)
    finally:
        db.close()
        other.close()
    assert summary.created == 1200
    assert sum(written) == 1200
    with engines.connect(db_path) as conn:
        meanwhile = conn.execute("SELECT count(*) FROM audit_log WHERE action = 'meanwhile'")
        assert meanwhile.fetchone()[0] == len(written)
    if not on_postgres:
        assert not db_module.writer_file(db_path).exists()  # the holder's name goes with the lock


def test_a_writer_waits_for_the_import_and_says_so(cli: Cli) -> None:
    cli.ok("init")
    holder = hold_lock(cli.db_path, 1.5)
    try:
        started = time.monotonic()
        result = cli.ok("contact", "add", "--first", "Waits", "--last", "Patiently")
        waited = time.monotonic() - started
    finally:
        holder.wait(timeout=60)
    if on_postgres:  # the holder as the server knows it: its session's name and process
        assert "Waiting for the import by greentech (server process " in result.stderr
    else:
        assert f"Waiting for the import in process {holder.pid}" in result.stderr
    assert waited >= 0.5
    assert "Added contact" in result.stderr


def test_a_writer_gives_up_after_the_lock_timeout(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli.ok("init")
    monkeypatch.setenv("GREENTECH_LOCK_TIMEOUT", "1")
    holder = hold_lock(cli.db_path, 4)
    try:
        started = time.monotonic()
        result = cli.fails("contact", "add", "--first", "Gives", "--last", "Up")
        waited = time.monotonic() - started
    finally:
        holder.wait(timeout=60)
    assert 0.8 <= waited < 3.5
    error = result.stderr.strip().splitlines()[-1]
    if on_postgres:
        assert error.startswith("Error: the import by greentech (server process "), error
    else:
        assert error.startswith(f"Error: the import in process {holder.pid} kept ")
    assert "more than 1 s; nothing was written" in error
    assert "GREENTECH_LOCK_TIMEOUT" in error
    assert cli.json("contact", "list") == []


def test_the_lock_timeout_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    monkeypatch.setenv("GREENTECH_CONFIG", str(config))
    monkeypatch.delenv("GREENTECH_LOCK_TIMEOUT", raising=False)
    assert lock_timeout_ms(db_module.BUSY_TIMEOUT_MS) == 120_000  # the default
    config.write_text("lock_timeout: 30\n", encoding="utf-8")
    assert lock_timeout_ms(db_module.BUSY_TIMEOUT_MS) == 30_000
    monkeypatch.setenv("GREENTECH_LOCK_TIMEOUT", "2.5")
    assert lock_timeout_ms(db_module.BUSY_TIMEOUT_MS) == 2_500  # the environment wins
    for bad in ("soon", "-1"):
        monkeypatch.setenv("GREENTECH_LOCK_TIMEOUT", bad)
        with pytest.raises(GreentechError, match="GREENTECH_LOCK_TIMEOUT must"):
            lock_timeout_ms(db_module.BUSY_TIMEOUT_MS)


@pytest.mark.sqlite_only  # the `<db>-writer` file; PostgreSQL's lock goes with the session
def test_a_stale_holder_file_names_no_one(db_path: Path) -> None:
    open_db(db_path, create=True).close()
    # A kill -9 may leave the name behind; a process that is gone is not waited for by name.
    db_module.writer_file(db_path).write_text("999999999 the import\n", encoding="utf-8")
    assert db_module.lock_holder(db_path) == "another greentech process"
