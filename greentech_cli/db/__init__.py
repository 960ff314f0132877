"""open_db(): the one way into the database — a SQLite file (the default) or, given a
`postgresql://` URL, a PostgreSQL database; `transaction()` is the only way to write.

The engines live apart: `sqlite` (pragmas, owner-only files, WAL, BEGIN IMMEDIATE, the backup
API), `postgres` (psycopg 3, imported only for a URL: the connection shaped like sqlite3's) and
`postgres_database` (its schema, its write lock: an advisory lock). `Database.dialect` holds the
SQL the engines spell differently (`dialect`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

from greentech_cli.db import sqlite
from greentech_cli.db.database import Database, retried
from greentech_cli.db.dialect import POSTGRES, SQLITE, Dialect
from greentech_cli.db.sqlite import (
    BACKUPS_FOLDER,
    BUSY_TIMEOUT_MS,
    FIRST_TRY_MS,
    IMPORT_CACHE_KIB,
    REFUSE_AFTER_MS,
    backups_dir,
    busy_refusal,
    connect,
    copy_database,
    database_file,
    lock_holder,
    open_read_only,
    stamp,
    write_error,
    writer_file,
)

__all__ = [
    "BACKUPS_FOLDER",
    "BUSY_TIMEOUT_MS",
    "FIRST_TRY_MS",
    "IMPORT_CACHE_KIB",
    "POSTGRES",
    "REFUSE_AFTER_MS",
    "SQLITE",
    "Database",
    "Dialect",
    "backups_dir",
    "busy_refusal",
    "connect",
    "copy_database",
    "database_file",
    "import_pragmas",
    "is_url",
    "lock_holder",
    "open_db",
    "open_memory_db",
    "open_read_only",
    "rehearsal",
    "retried",
    "stamp",
    "transaction",
    "write_error",
    "writer_file",
]


def is_url(target: str | Path) -> bool:
    """Whether a database named by `--db`, GREENTECH_DB or the config is a PostgreSQL URL."""
    from greentech_cli.config import is_database_url

    return isinstance(target, str) and is_database_url(target)


def open_db(path: Path | str, *, create: bool = False, migrate: bool = True) -> Database:
    """Open the database at path (a file) or URL, creating a file owner-only when asked, and
    apply pending migrations.

    Commands that only read pass create=False: a missing file is then an error naming the path.
    A database file that already holds applied migrations is backed up before new ones run.
    """
    if is_url(path):
        from greentech_cli.db.postgres_database import open_db as open_postgres

        return open_postgres(str(path), migrate=migrate)
    return sqlite.open_db(Path(path), create=create, migrate=migrate)


def open_memory_db(steps: Collection[str] | None = None) -> Database:
    """An empty, migrated SQLite database in memory (a dry run with no database file yet).

    With `steps`, only those schema steps are applied: the schema a file of that version has.
    """
    return sqlite.open_memory_db(steps)


@contextmanager
def transaction(
    db: Database, *, refuse: str | None = None, holder: str | None = None
) -> Iterator[Database]:
    """One write transaction holding the write lock, so concurrent writers wait, not fail.

    Nested use becomes a savepoint, so a service may call other services inside one transaction.
    A read-only database, a full disk or a lasting lock become one clear error after the
    rollback. Work named by `refuse` (a restore, a schema update, a repair) waits only
    REFUSE_AFTER_MS for another writer and is then refused with one line naming it. A long write
    names itself as `holder` ("the import") while it holds the lock, so those waiting can say
    what for. On SQLite the lock is BEGIN IMMEDIATE; on PostgreSQL an advisory lock.
    """
    if db.engine == POSTGRES.name:
        from greentech_cli.db.postgres_database import transaction as write

        with write(db, refuse=refuse, holder=holder) as same:
            yield same
        return
    with sqlite.transaction(db, refuse=refuse, holder=holder) as same:
        yield same


@contextmanager
def rehearsal(db: Database) -> Iterator[Database]:
    """The transaction a dry run writes in, to be rolled back, under the write lock as the import
    itself: on PostgreSQL the rows it writes would otherwise meet other officers' writes (it
    counts ids on from the highest, which are the ids the sequence hands out next: another
    writer would wait for its rows or fail on a duplicate key). While it lasts `db.rehearsing`
    is true, so new ids are counted, not taken from the sequence (`store.common.NewIds`). On
    SQLite a dry run writes into a private copy or an in-memory database, so nobody waits for
    it there."""
    with transaction(db, holder="the dry run") as same:
        db.rehearsing = True
        try:
            yield same
        finally:
            db.rehearsing = False


@contextmanager
def import_pragmas(db: Database) -> Iterator[None]:
    """SQLite's settings for one large import (a larger bounded page cache, temporary B-trees
    in memory), restored afterwards; nothing on PostgreSQL, whose server owns its memory."""
    if db.engine != SQLITE.name:
        yield
        return
    with sqlite.import_pragmas(db):
        yield
