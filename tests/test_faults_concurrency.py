"""The fault suite's concurrency half (marker `fault`): a restore while an import writes is
refused, and 8 concurrent writers, two of them 20,000-row imports, lose nothing and none fails
(each waits for the write lock, up to the lock timeout)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from greentech_cli.db import open_db

from .test_faults import ROOT, env, greentech, people_csv

pytestmark = pytest.mark.fault


def _count(path: Path, sql: str = "SELECT count(*) FROM contacts") -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def _wait_for(what: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if what():
            return True
        time.sleep(0.05)
    return False


def _popen(db: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "greentech_cli", "--db", str(db), *args],
        cwd=ROOT,
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


BIG = 100_000


def test_restore_during_an_import_is_refused(tmp_path: Path) -> None:
    db_path = tmp_path / "data" / "greentech.db"
    open_db(db_path, create=True).close()
    backup = tmp_path / "backup.db"
    assert greentech(db_path, "backup", str(backup)).returncode == 0
    # Large enough that the import still holds the lock when the restore comes, even on a
    # quiet machine (20,000 rows were written in about a second there).
    csv = people_csv(tmp_path / "big.csv", BIG, "big")
    importer = _popen(db_path, "import", "file", str(csv))
    holder = Path(f"{db_path}-writer")
    try:
        assert _wait_for(holder.exists, 120), "the import never took the write lock"
        restore = greentech(db_path, "restore", str(backup), "--yes")
    finally:
        _out, err = importer.communicate(timeout=300)
    assert restore.returncode == 1, restore.stderr
    assert "refused" in restore.stderr and "Traceback" not in restore.stderr
    assert importer.returncode == 0, err
    assert _count(db_path) == BIG
    assert not list(db_path.parent.glob("*.before-restore-*"))


SHORT_WRITER = """
import sys
from typer.testing import CliRunner
from greentech_cli.cli.app import app
db, worker, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
runner = CliRunner()
failures = 0
for i in range(n):
    result = runner.invoke(app, ["--db", db, "contact", "add", "--first", f"W{worker}",
                                 "--last", f"N{i}", "--email", f"w{worker}.{i}@writers.example"])
    if result.exit_code != 0:
        failures += 1
        sys.stderr.write(result.stderr)
sys.exit(1 if failures else 0)
"""


def test_eight_writers_with_two_20000_row_imports_lose_nothing(tmp_path: Path) -> None:
    db_path = tmp_path / "data" / "greentech.db"
    open_db(db_path, create=True).close()
    first = people_csv(tmp_path / "first.csv", 20_000, "first")
    second = people_csv(tmp_path / "second.csv", 20_000, "second")
    short, adds = 6, 12
    started = time.monotonic()
    procs = [
        _popen(db_path, "import", "file", str(first)),
        _popen(db_path, "import", "file", str(second)),
    ]
    procs += [
        subprocess.Popen(
            [sys.executable, "-c", SHORT_WRITER, str(db_path), str(w), str(adds)],
            cwd=ROOT,
            env=env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(short)
    ]
    failures = []
    for proc in procs:
        _out, err = proc.communicate(timeout=600)
        if proc.returncode != 0:
            failures.append((proc.args[-3:], proc.returncode, err[-500:]))
    elapsed = time.monotonic() - started
    assert failures == [], failures
    assert _count(db_path) == 40_000 + short * adds, f"after {elapsed:.0f} s"
    assert _count(db_path, "SELECT count(*) FROM import_batches") == 2
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
