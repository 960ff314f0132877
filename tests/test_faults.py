"""The fault suite (marker `fault`, its own `.ci/run` step): kill -9 at seeded points of import,
erase, restore, merge, undo and doctor --fix, then `PRAGMA integrity_check` is ok and the data is
either as before or as after the command (nothing half-done); a restore during an import is
refused; 8 concurrent writers, two of them 20,000-row imports, lose nothing and none fails
(those two in test_faults_concurrency.py).

Where a command is killed: the command runs in a child process whose SQLite connections count
their progress (a progress handler every few virtual-machine instructions, and every page step of
the backup API); the child kills itself with SIGKILL at a count drawn with the seed from
1..(what the whole command counts). The seed is printed in the test header and in every failure;
`GREENTECH_FAULT_SEED=N pytest -m fault` repeats a run.

On PostgreSQL (GREENTECH_TEST_ENGINE=postgresql, `.ci/postgres pytest -m fault`) the same
commands run against databases of the test server: the child counts the statements it sends (and
each row of a batch) and kills itself at the drawn one, mid-transaction; the server rolls the
killed transaction back and its advisory lock goes with it. The data must again be as before or
as after; the checks of a SQLite file (integrity, foreign keys) are the server's there.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from greentech_cli.db import open_db
from tests import engines

ROOT = Path(__file__).resolve().parents[1]
SEED = int(os.environ.get("GREENTECH_FAULT_SEED") or 15)  # conftest draws it and names it
pytestmark = pytest.mark.fault

# Runs greentech with SQLite connections that kill the process at the GREENTECH_FAULT_AFTER-th
# progress tick (0: never; then the number of ticks is written to GREENTECH_FAULT_COUNT).
CHILD = """
import atexit, os, signal, sqlite3, sys
after = int(os.environ.get("GREENTECH_FAULT_AFTER", "0"))
ticks = [0]
def tick(*_):
    ticks[0] += 1
    if after and ticks[0] >= after:
        os.kill(os.getpid(), signal.SIGKILL)
    return 0
class Counting(sqlite3.Connection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_progress_handler(tick, int(os.environ.get("GREENTECH_FAULT_STEP", "200")))
    def backup(self, target, *, pages=-1, progress=None, name="main", sleep=0.25):
        def step(status, remaining, total):
            tick()
            if progress is not None:
                progress(status, remaining, total)
        return super().backup(target, pages=pages, progress=step, name=name, sleep=sleep)
real_connect = sqlite3.connect
def connect(*args, **kwargs):
    kwargs.setdefault("factory", Counting)
    return real_connect(*args, **kwargs)
sqlite3.connect = connect
if any(arg.startswith("postgresql://") for arg in sys.argv):
    from greentech_cli.db import postgres
    real_execute, real_many = postgres.Connection.execute, postgres.Connection.executemany
    def execute(self, *args, **kwargs):
        tick()
        return real_execute(self, *args, **kwargs)
    def executemany(self, sql, rows):
        def counted():
            for row in rows:
                tick()
                yield row
        tick()
        return real_many(self, sql, counted())
    postgres.Connection.execute, postgres.Connection.executemany = execute, executemany
if os.environ.get("GREENTECH_FAULT_COUNT"):
    atexit.register(lambda: open(os.environ["GREENTECH_FAULT_COUNT"], "w").write(str(ticks[0])))
from greentech_cli.cli.app import main
sys.argv = ["greentech", *sys.argv[1:]]
main()
"""


ON_POSTGRES = engines.on_postgres()


def new_db(folder: Path, name: str) -> Any:
    """Where a database of the suite goes: a file in `folder`, or on PostgreSQL a new empty
    database of the test server (dropped with the server)."""
    return engines.new_target(folder, name)


def copy_db(source: Any, dest: Any) -> Any:
    """A copy of a database (a file owner-only as greentech keeps it, or a cloned database)."""
    engines.copy(source, dest)
    if not ON_POSTGRES:
        Path(dest).chmod(0o600)
    return dest


def env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", **extra}


def greentech(
    db: Any, *args: str, after: int = 0, count: Path | None = None, step: int = 200
) -> Any:
    return subprocess.run(
        [sys.executable, "-c", CHILD, "--db", str(db), *args],
        cwd=ROOT,
        env=env(
            GREENTECH_FAULT_AFTER=str(after),
            GREENTECH_FAULT_COUNT=str(count or ""),
            GREENTECH_FAULT_STEP=str(step),
        ),
        capture_output=True,
        text=True,
        timeout=300,
    )


def state(target: Any) -> dict[str, Any]:
    """What the data is, without timestamps: rows per table, the search index's entries, and a
    hash of the contacts, memberships and batches (so a half-done change shows). A SQLite file
    passes its integrity and foreign key checks first (on PostgreSQL the server's business)."""
    conn = engines.connect(target)
    try:
        if ON_POSTGRES:
            listed = (
                "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                "current_schema() AND table_name NOT LIKE '%fts_%' ORDER BY table_name"
            )
        else:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
            listed = (
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts_%' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        tables = [r[0] for r in conn.execute(listed)]
        found: dict[str, Any] = {
            t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables
        }
        digest = hashlib.sha256()
        for sql in (
            "SELECT id, first_name, last_name, email, phone, notes, tags, emails, aliases "
            "FROM contacts ORDER BY id",
            "SELECT id, delegation_id, contact_id, role, status FROM members ORDER BY id",
            "SELECT id, rows, created, updated, undone_at IS NULL FROM import_batches ORDER BY id",
            "SELECT rowid, names, details FROM contacts_fts ORDER BY rowid",
        ):
            for row in conn.execute(sql):
                digest.update(repr(row).encode())
        found["content"] = digest.hexdigest()
        return found
    finally:
        conn.close()


def word(n: int) -> str:
    """A made-up name part, the same for the same n and unlike the others (eight letters drawn
    with n as the seed: no two are near enough for the matcher to call them one person)."""
    draw = random.Random(n)
    return "".join(draw.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(8)).capitalize()


def hash_of(prefix: str, i: int) -> int:
    return int(hashlib.sha256(f"{prefix}{i}".encode()).hexdigest()[:12], 16)


def person_line(prefix: str, i: int) -> str:
    """Row i of a file of people: made-up names, its own email, a phone number from the file's
    own block of numbers, one of 40 companies."""
    who = word(hash_of(prefix, i))
    block = 11 + hash_of(prefix, -1) % 89
    return (
        f"{who},{word(-1 - i)}{who[:3]},{who.lower()}@faults.example,"
        f"0211 {block}{i:06d},Firma {word(i % 40)} GmbH,DE\n"
    )


def people_csv(path: Path, n: int, prefix: str, repeat_from: int = 0) -> Path:
    """A CSV of n different people; the first `repeat_from` rows repeat the base file's."""
    with path.open("w", encoding="utf-8") as out:
        out.write("first_name,last_name,email,phone,company,country\n")
        for i in range(n):
            out.write(person_line("base" if i < repeat_from else prefix, i))
    return path


# --- the operations: a database to start from and the command to kill ---------------------------


def _base(folder: Path) -> Any:
    db_path = new_db(folder, "base.db")
    db = open_db(db_path, create=True)
    db.close()
    csv = people_csv(folder / "base.csv", 300, "base")
    done = greentech(
        db_path, "delegation", "add", "trip-2026", "--title", "Trip", "--direction", "incoming",
        "--start", "2026-11-16", "--end", "2026-11-20",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = greentech(db_path, "import", "file", str(csv), "--delegation", "trip-2026")
    assert done.returncode == 0, done.stderr
    return db_path


def setup_import(folder: Path, base: Any) -> list[str]:
    csv = people_csv(folder / "more.csv", 2500, "more", repeat_from=200)
    return ["import", "file", str(csv), "--delegation", "trip-2026"]


def setup_erase(folder: Path, base: Any) -> list[str]:
    with engines.connect(base) as conn:  # contact 9's notes mention contact 8, who is erased
        first, last, email = conn.execute(
            "SELECT first_name, last_name, email FROM contacts WHERE id = 8"
        ).fetchone()
        conn.execute(
            "UPDATE contacts SET notes = ? WHERE id = 9", [f"met {first} {last} in Almaty"]
        )
    return ["privacy", "erase", email, "--redact-mentions", "--yes"]


def setup_restore(folder: Path, base: Any) -> list[str]:
    backup = folder / ("restore-from.ndjson" if ON_POSTGRES else "restore-from.db")
    done = greentech(base, "backup", str(backup))
    assert done.returncode == 0, done.stderr
    # The backup differs from the live database in rows and content.
    if ON_POSTGRES:  # the portable dump PostgreSQL's backup writes, changed as greentech would
        _change_dump(backup)
        return ["restore", str(backup), "--yes"]
    conn = sqlite3.connect(backup)
    with conn:
        conn.execute("DELETE FROM members WHERE id % 3 = 0")
        conn.execute("UPDATE contacts SET notes = 'from the backup' WHERE id % 5 = 0")
    conn.close()
    return ["restore", str(backup), "--yes"]


def _change_dump(path: Path) -> None:
    """Take every third membership out of a dump and change every fifth contact's notes, each
    line written again in the dump's canonical form."""
    from greentech_cli.store.portable import dump

    lines = []
    for text in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(text)
        table, row = item["table"], item["row"]
        if table == "members" and row["id"] % 3 == 0:
            continue
        if table == "contacts" and row["id"] % 5 == 0:
            row["notes"] = "from the backup"
        lines.append(dump.line(table, tuple(row), tuple(row.values())))
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")


def setup_merge(folder: Path, base: Any) -> list[str]:
    return ["contact", "merge", "3", "4", "--yes"]


def setup_undo(folder: Path, base: Any) -> list[str]:
    return ["import", "undo", "1", "--yes"]


def setup_doctor(folder: Path, base: Any) -> list[str]:
    with engines.connect(base) as conn:  # a damaged search index that doctor --fix rebuilds
        conn.execute("DELETE FROM contacts_fts WHERE rowid % 4 = 0")
    return ["doctor", "--fix"]


OPERATIONS: dict[str, tuple[Callable[[Path, Any], list[str]], int, int]] = {
    # name: (setup returning the command, how many kill points, instructions per tick)
    "import": (setup_import, 8, 200),
    "erase": (setup_erase, 6, 50),
    "restore": (setup_restore, 6, 100),
    "merge": (setup_merge, 5, 5),
    "undo": (setup_undo, 5, 50),
    "doctor-fix": (setup_doctor, 5, 100),
}
POINTS = [(op, n) for op, (_, count, _step) in OPERATIONS.items() for n in range(count)]


def test_at_least_30_kill_points() -> None:
    assert len(POINTS) >= 30


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Per operation: the database to start from, the command, the states before and after
    it, and how many progress ticks it takes when not killed."""
    base_folder = tmp_path_factory.mktemp("fault-base")
    first = _base(base_folder)
    found: dict[str, Any] = {}
    for op, (setup, _count, step) in OPERATIONS.items():
        folder = tmp_path_factory.mktemp(f"fault-{op}")
        base = copy_db(first, new_db(folder, "base.db"))
        shutil.copyfile(base_folder / "base.csv", folder / "base.csv")
        command = setup(folder, base)
        before = state(base)
        (folder / "trial").mkdir(mode=0o700)
        trial = copy_db(base, new_db(folder / "trial", "greentech.db"))
        counted = folder / "ticks"
        done = greentech(trial, *command, count=counted, step=step)
        assert done.returncode == 0, (op, done.stderr)
        found[op] = {
            "base": base,
            "command": command,
            "before": before,
            "after": state(trial),
            "ticks": int(counted.read_text()),
            "step": step,
        }
        assert found[op]["ticks"] >= 20, (op, "too few ticks to spread the kill points")
        assert found[op]["before"] != found[op]["after"] or op == "doctor-fix", op
    return found


@pytest.mark.parametrize(("op", "n"), POINTS, ids=[f"{op}-{n}" for op, n in POINTS])
def test_kill_9_leaves_all_or_nothing(
    prepared: dict[str, Any], tmp_path: Path, op: str, n: int, request: pytest.FixtureRequest
) -> None:
    case = prepared[op]
    rng = random.Random(f"{SEED}-{op}-{n}")
    # Spread the points over the whole command: one draw from each of `count` equal slices.
    count = OPERATIONS[op][1]
    ticks = case["ticks"]
    low, high = ticks * n // count + 1, max(ticks * (n + 1) // count, ticks * n // count + 1)
    after = rng.randint(low, high)
    (tmp_path / "data").mkdir(mode=0o700)
    db_path = copy_db(case["base"], new_db(tmp_path / "data", "greentech.db"))
    if ON_POSTGRES:
        request.addfinalizer(lambda: engines.drop_database(db_path))
    done = greentech(db_path, *case["command"], after=after, step=case["step"])
    where = f"seed {SEED}, {op} killed at tick {after} of {ticks}"
    assert done.returncode in (-signal.SIGKILL, 0), (where, done.returncode, done.stderr)
    assert "Traceback" not in done.stderr, where
    now = state(db_path)
    assert now in (case["before"], case["after"]), where
    if op == "doctor-fix":
        # Killed before the repair committed, the index is as damaged as before: a second
        # doctor --fix (not killed) repairs it.
        again = greentech(db_path, "doctor", "--fix")
        assert again.returncode == 0, (where, again.stderr)
        assert state(db_path) == case["after"], where
    # The database takes the next write.
    more = greentech(db_path, "contact", "add", "--first", "After", "--last", "Kill")
    assert more.returncode == 0, (where, more.stderr)
