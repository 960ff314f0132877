"""Safety under load and faults: parallel writers, kill -9 mid-write, read-only files, full disk."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from greentech_cli.db import sqlite as db_module  # the SQLite engine: its connect, its sqlite3
from tests import engines

from .conftest import Cli
from .test_backup import integrity, is_url

ROOT = Path(__file__).resolve().parents[1]

WORKER = """
import sys
from typer.testing import CliRunner
from greentech_cli.cli.app import app
db, worker, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
runner = CliRunner()
failures = 0
for i in range(n):
    result = runner.invoke(app, ["--db", db, "contact", "add", "--first", f"W{worker}",
                                 "--last", f"N{i}", "--email", f"w{worker}.{i}@example.com",
                                 "--phone", "0211 123456", "--country", "DE"])
    if result.exit_code != 0:
        failures += 1
        sys.stderr.write(result.stderr)
sys.exit(1 if failures else 0)
"""


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def count(target: Path | str, sql: str = "SELECT count(*) FROM contacts") -> int:
    with engines.connect(target) as conn:
        return int(conn.execute(sql).fetchone()[0])


def test_four_processes_adding_at_once_lose_nothing(cli: Cli) -> None:
    cli.ok("init")
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(cli.db_path), str(w), "25"],
            cwd=ROOT,
            env=env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(4)
    ]
    outputs = [w.communicate(timeout=300) for w in workers]
    for worker, (out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
        assert "locked" not in err + out and "busy" not in err + out
    assert count(cli.db_path) == 100
    assert count(cli.db_path, "SELECT count(DISTINCT email) FROM contacts") == 100
    assert count(cli.db_path, "SELECT count(*) FROM audit_log WHERE action = 'create'") == 100
    assert integrity(cli.db_path) == "ok"
    cli.ok("doctor")


def test_real_processes_at_once(cli: Cli) -> None:
    """The installed entry point itself, several processes started together."""
    cli.ok("init")

    def add(n: int) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "greentech_cli", "--db", str(cli.db_path), "contact", "add",
             "--first", f"P{n}", "--last", "Parallel"],
            cwd=ROOT, env=env(), capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(add, range(8)))
    for result in results:
        assert result.returncode == 0, result.stderr
        assert "locked" not in result.stderr
    assert count(cli.db_path) == 8


LONG_WRITE = """
import sys, time
from pathlib import Path
from greentech_cli.db import open_db, transaction
from greentech_cli.services.records import contacts
db = open_db(sys.argv[1] if "://" in sys.argv[1] else Path(sys.argv[1]))
with transaction(db):
    for n in range(100000):
        contacts.add(db, {"first_name": f"K{n}", "last_name": "Killed", "notes": "x" * 500})
        if n == 2000:
            print("halfway", flush=True)
            time.sleep(30)
"""


# Slow (~24 s): each of the 2,000 adds runs the duplicate check, whose cost grows with the rows
# already written. The size stays: the write must be long enough to be killed half-way.
@pytest.mark.slow
def test_sigkill_during_a_long_write_leaves_the_database_as_it_was(cli: Cli) -> None:
    cli.ok("contact", "add", "--first", "Kept", "--last", "Before")
    before = count(cli.db_path)
    writer = subprocess.Popen(
        [sys.executable, "-c", LONG_WRITE, str(cli.db_path)],
        cwd=ROOT,
        env=env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "halfway"
        if not is_url(cli.db_path):
            wal = Path(f"{cli.db_path}-wal")
            assert wal.exists() and wal.stat().st_size > 0  # the uncommitted pages were written
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    assert count(cli.db_path) == before
    assert integrity(cli.db_path) == "ok"
    cli.ok("doctor")
    cli.ok("contact", "add", "--first", "Still", "--last", "Works")
    assert count(cli.db_path) == before + 1


def import_registered(cli: Cli) -> bool:
    result = cli("import", "--help")
    return not (result.exit_code == 2 and "No such command" in result.stderr)


def test_sigkill_during_an_import(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init")
    if not import_registered(cli):
        pytest.skip("the import command is not registered yet")
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8") as out:
        out.write("first_name,last_name,email,phone,country\n")
        for n in range(5000):
            out.write(f"Vor{n},Nach{n},p{n}@example.com,0211 {100000 + n},DE\n")
    importer = subprocess.Popen(
        [sys.executable, "-m", "greentech_cli", "--db", str(cli.db_path), "import", str(big)],
        cwd=ROOT,
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 4
    # Wait until the import is writing (its WAL grows; on PostgreSQL it holds the write lock
    # and has written rows the server keeps uncommitted), then kill it mid-way.
    while time.monotonic() < deadline and importer.poll() is None:
        if _writing(cli.db_path):
            break
        time.sleep(0.02)
    importer.send_signal(signal.SIGKILL)
    importer.wait(timeout=30)
    contacts = count(cli.db_path)
    assert contacts in (0, 5000)  # all or nothing
    assert integrity(cli.db_path) == "ok"
    cli.ok("doctor")


def _writing(target: Path | str) -> bool:
    """Whether an import is writing: a SQLite file's WAL has grown, or on PostgreSQL the import
    (named in its session's application_name) holds the write lock and has written contacts."""
    if not is_url(target):
        wal = Path(f"{target}-wal")
        return wal.exists() and wal.stat().st_size > 100_000
    with engines.connect(target) as conn:
        row = conn.execute(
            "SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE a.application_name LIKE 'greentech: the import%' AND l.granted "
            "AND l.locktype = 'relation' AND l.relation = 'contacts'::regclass "
            "AND l.mode = 'RowExclusiveLock'"
        ).fetchone()
    return row is not None


# --- read-only files and folders ------------------------------------------------------------

DROP_CAPS = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"]


def run_unprivileged(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    """Run greentech as a process that file permissions apply to (root may bypass them)."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: permissions cannot be tested")
        prefix = DROP_CAPS
    return subprocess.run(
        [*prefix, sys.executable, "-m", "greentech_cli", *args],
        cwd=ROOT,
        env={**env(), "HOME": str(home), "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def read_only_db(cli: Cli, isolated_home: Path) -> Iterator[Path]:
    cli.ok("contact", "add", "--first", "Read", "--last", "Only", "--email", "ro@example.com")
    yield cli.db_path
    os.chmod(cli.db_path.parent, 0o700)
    for path in cli.db_path.parent.iterdir():
        os.chmod(path, 0o600)


# File modes; on PostgreSQL a read-only role: tests/test_engines.py.
@pytest.mark.sqlite_only
@pytest.mark.parametrize("folder_read_only", [False, True], ids=["file", "file-and-folder"])
def test_read_only_database_gives_a_clear_error(
    read_only_db: Path, isolated_home: Path, folder_read_only: bool
) -> None:
    os.chmod(read_only_db, 0o400)
    if folder_read_only:
        os.chmod(read_only_db.parent, 0o500)
    before = read_only_db.read_bytes()
    db = str(read_only_db)
    write = run_unprivileged("--db", db, "contact", "add", "--first", "X", home=isolated_home)
    assert write.returncode == 1, write.stderr
    lines = [line for line in write.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), write.stderr
    assert "read-only" in lines[0] and "Traceback" not in write.stderr
    edit = run_unprivileged("--db", db, "contact", "edit", "1", "--last", "Y", home=isolated_home)
    assert edit.returncode == 1 and "read-only" in edit.stderr
    read = run_unprivileged("--db", db, "contact", "list", "--format", "json", home=isolated_home)
    assert read.returncode == 0, read.stderr
    assert "ro@example.com" in read.stdout
    assert read_only_db.read_bytes() == before


# --- a full disk ----------------------------------------------------------------------------


@pytest.mark.sqlite_only  # SQLite's max_page_count; the server's full disk: DiskFull, one line
def test_database_or_disk_full_is_clear_and_writes_nothing(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli.ok("contact", "add", "--first", "Before", "--last", "Full")
    real_connect = db_module.connect

    def capped(path: Path) -> sqlite3.Connection:
        conn = real_connect(path)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn

    monkeypatch.setattr(db_module, "connect", capped)
    result = cli.fails(
        "contact", "add", "--first", "Too", "--last", "Much", "--notes", "x" * 200_000
    )
    assert "full" in result.stderr and "nothing was written" in result.stderr
    monkeypatch.setattr(db_module, "connect", real_connect)
    assert [c["first_name"] for c in cli.json("contact", "list")] == ["Before"]
    assert cli.json("log") and len(cli.json("log")) == 1
    cli.ok("doctor")


@pytest.fixture
def tiny_disk() -> Iterator[Path]:
    """A 1 MB tmpfs (needs root and mount rights; skipped elsewhere)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small file system needs root")
    where = Path(tempfile.mkdtemp(prefix="greentech-full-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(where)],
        capture_output=True,
    )
    if mounted.returncode != 0:
        where.rmdir()
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield where
    finally:
        if subprocess.run(["umount", str(where)], check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(where)], check=False)
        where.rmdir()


def test_real_full_disk(tiny_disk: Path) -> None:
    cli = Cli(tiny_disk / "full.db")
    cli.ok("contact", "add", "--first", "Before", "--last", "Full")
    filler = tiny_disk / "filler"
    fd = os.open(filler, os.O_CREAT | os.O_WRONLY, 0o600)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass  # the disk is full now
    finally:
        os.close(fd)
    result = cli.fails(
        "contact", "add", "--first", "Too", "--last", "Much", "--notes", "x" * 300_000
    )
    assert "full" in result.stderr
    # Reading needs no room: without space for SQLite's -shm file the file is read as it is.
    assert [c["first_name"] for c in cli.json("contact", "list")] == ["Before"]
    assert [h["name"] for h in cli.json("search", "before")] == ["Before Full"]
    elsewhere = Path(tempfile.mkdtemp(prefix="greentech-elsewhere-")) / "copy.db"
    try:
        cli.ok("backup", str(elsewhere))
        assert count(elsewhere) == 1
    finally:
        shutil.rmtree(elsewhere.parent)
    filler.unlink()
    assert [c["first_name"] for c in cli.json("contact", "list")] == ["Before"]
    doctor = cli("doctor", "--format", "json")
    checks = {c["check"]: c["status"] for c in json.loads(doctor.stdout)}
    # A 1 MB disk is always short of room; everything else is sound.
    assert checks.pop("free disk") == "problem"
    assert set(checks.values()) == {"ok"}
    cli.ok("contact", "add", "--first", "After", "--last", "Space")
