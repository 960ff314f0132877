"""open_db(): the one way into the database — pragmas, owner-only files and migrations."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import GreentechError, NotFound

if TYPE_CHECKING:
    from sqlite_utils import Database

BUSY_TIMEOUT_MS = 10_000


def _create_owner_only(path: Path) -> None:
    """Create the folder (0700) and an empty file (0600) before SQLite opens it."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    # O_EXCL: never loosen the permissions of a file that appeared meanwhile.
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def connect(path: Path) -> sqlite3.Connection:
    """A raw connection with our pragmas; the file must exist or be creatable."""
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as exc:
        raise GreentechError(f"cannot open the database {path}: {exc}") from exc
    return conn


def open_db(path: Path, *, create: bool = False, migrate: bool = True) -> Database:
    """Open the database at path, creating it owner-only when asked, and apply pending migrations.

    Commands that only read pass create=False: a missing file is then an error naming the path.
    """
    from sqlite_utils import Database

    from .migrations import migrations

    if path.is_dir():
        raise GreentechError(f"the database path {path} is a folder, not a file")
    if not path.exists():
        if not create:
            raise NotFound(f"no database at {path}; run 'greentech init' first (or pass --db)")
        try:
            _create_owner_only(path)
        except OSError as exc:
            raise GreentechError(f"cannot create the database {path}: {exc.strerror}") from exc
    db = Database(connect(path))
    try:
        if migrate and migrations.pending(db):
            migrations.apply(db)
    except sqlite3.DatabaseError as exc:
        db.close()
        raise GreentechError(f"{path} is not a usable greentech database: {exc}") from exc
    return db


@contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """One write transaction (BEGIN IMMEDIATE, so concurrent writers wait instead of failing).

    Nested use becomes a savepoint, so a service may call other services inside one transaction.
    """
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield db
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise GreentechError(f"cannot write to the database: {exc}") from exc
    try:
        yield db
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise GreentechError(f"cannot write to the database: {exc}") from exc
