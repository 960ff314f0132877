"""The fault suite's concurrency half (marker `fault`): a restore while an import writes is
refused, and 8 concurrent writers, two of them 20,000-row imports, lose nothing and none fails
(each waits for the write lock, up to the lock timeout)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from greentech_cli.config import data_dir
from greentech_cli.db import open_db
from tests import engines

from .test_faults import ON_POSTGRES, ROOT, env, greentech, new_db, people_csv

pytestmark = pytest.mark.fault


def _count(target: Any, sql: str = "SELECT count(*) FROM contacts") -> int:
    with engines.connect(target) as conn:
        return int(conn.execute(sql).fetchone()[0])


def _new_db(tmp_path: Path) -> Any:
    """A new, migrated database: a file in tmp_path/data, or one of the test server's."""
    (tmp_path / "data").mkdir(mode=0o700)
    target = new_db(tmp_path / "data", "greentech.db")
    open_db(target, create=True).close()
    return target


def _import_holds_the_lock(target: Any) -> bool:
    """Whether an import holds the write lock: its name in the `-writer` file beside a SQLite
    file; on PostgreSQL, the advisory lock granted to a session named after the import."""
    if not ON_POSTGRES:
        return Path(f"{target}-writer").exists()
    with engines.connect(target) as conn:
        row = conn.execute(
            "SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted "
            "AND a.application_name LIKE 'greentech: the import%'"
        ).fetchone()
    return row is not None


def _wait_for(what: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if what():
            return True
        time.sleep(0.05)
    return False


def _popen(db: Any, *args: str) -> subprocess.Popen[str]:
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
    db_path = _new_db(tmp_path)
    backup = tmp_path / ("backup.ndjson" if ON_POSTGRES else "backup.db")
    assert greentech(db_path, "backup", str(backup)).returncode == 0
    # Large enough that the import still holds the lock when the restore comes, even on a
    # quiet machine (20,000 rows were written in about a second there).
    csv = people_csv(tmp_path / "big.csv", BIG, "big")
    importer = _popen(db_path, "import", "file", str(csv))
    try:
        assert _wait_for(lambda: _import_holds_the_lock(db_path), 120), (
            "the import never took the write lock"
        )
        restore = greentech(db_path, "restore", str(backup), "--yes")
    finally:
        _out, err = importer.communicate(timeout=300)
    assert restore.returncode == 1, restore.stderr
    assert "refused" in restore.stderr and "Traceback" not in restore.stderr
    assert importer.returncode == 0, err
    assert _count(db_path) == BIG
    assert not list((tmp_path / "data").glob("*.before-restore-*"))
    assert not list((data_dir() / "backups").glob("*.before-restore-*"))


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
    db_path = _new_db(tmp_path)
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
    if not ON_POSTGRES:
        damaged = "SELECT count(*) FROM pragma_integrity_check() WHERE integrity_check != 'ok'"
        assert _count(db_path, damaged) == 0
