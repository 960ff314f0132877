"""`Database`: the connection every store module takes, whatever the engine behind it."""

from __future__ import annotations

import functools
import os
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Concatenate, ParamSpec, TypeVar

from greentech_cli.db.dialect import SQLITE, Dialect
from greentech_cli.errors import Contended, GreentechError


class Database:
    """A connection with the few helpers greentech needs, shaped like sqlite-utils' Database.

    `conn` is a sqlite3 connection, or on PostgreSQL a wrapper shaped like one
    (`db.postgres.Connection`); `dialect` holds the SQL that differs between the engines.
    Importing sqlite-utils costs more than a whole `search`; commands use this instead, and
    sqlite-utils is loaded only to apply migrations.
    """

    def __init__(self, conn: Any, dialect: Dialect = SQLITE, *, where: str = "") -> None:
        self.conn = conn
        self.dialect = dialect
        # What to name the database in messages (a file's path; a URL without its password).
        self.where = where
        # Told "waiting for the import in process N…" when a write has to wait for the lock.
        self.on_wait: Callable[[str], None] | None = None
        # Inside a dry run's transaction (`db.rehearsal`), which is rolled back.
        self.rehearsing = False

    @property
    def engine(self) -> str:
        """`sqlite` or `postgresql`."""
        return self.dialect.name

    def execute(self, sql: str, parameters: Any = None) -> Any:
        """Run one statement; outside a transaction it commits at once (autocommit mode)."""
        return self.conn.execute(sql, parameters if parameters is not None else [])

    def insert_many(
        self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> None:
        """Insert many rows: one COPY on PostgreSQL (where a statement a row costs the server
        and the driver several times more), one executemany on SQLite."""
        copy_rows = getattr(self.conn, "copy_rows", None)
        if copy_rows is not None:
            copy_rows(table, columns, rows)
            return
        marks = ", ".join("?" for _ in columns)
        self.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def table_names(self) -> list[str]:
        """The names of the tables in the database."""
        return [str(row[0]) for row in self.conn.execute(self.dialect.table_names_sql)]

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        """A transaction, or a savepoint inside one; rolled back on any error."""
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN")
            try:
                yield self
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
            return
        name = f"greentech_{id(self)}_{os.urandom(4).hex()}"
        self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield self
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                self.conn.execute(f"RELEASE SAVEPOINT {name}")
            raise
        self.conn.execute(f"RELEASE SAVEPOINT {name}")

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


EngineError = TypeVar("EngineError", bound=Exception)


@contextmanager
def committed(
    db: Database,
    errors: type[EngineError],
    to_error: Callable[[EngineError], GreentechError | None],
) -> Iterator[Database]:
    """The body of a write transaction already begun under the lock, then its COMMIT: rolled
    back on any error; the engine's `errors` that `to_error` knows (read-only, disk full, a
    lasting lock) become that one clear error, a failed commit at least "cannot write"."""
    conn = db.conn
    try:
        yield db
    except errors as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        found = to_error(exc)
        if found is None:
            raise
        raise found from exc
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except errors as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise to_error(exc) or GreentechError(f"cannot write to the database: {exc}") from exc


# How often a write transaction runs when another writer's change keeps making it fail, and the
# longest pause before the second run (doubled before each further one, a random part of it).
ATTEMPTS = 4
FIRST_PAUSE_S = 0.05

P = ParamSpec("P")
R = TypeVar("R")


def retried(fn: Callable[Concatenate[Database, P], R]) -> Callable[Concatenate[Database, P], R]:
    """A use case whose write transaction is run again, whole, when another writer's change made
    it fail (`Contended`: PostgreSQL's serialization failures and deadlocks; never on SQLite),
    up to ATTEMPTS times after a short random pause; then the one clear line stays.

    Only for a function that can run twice: it reads its inputs from its arguments and the
    database and changes nothing outside the database before its transaction commits (not an
    import streaming a file, not a restore). Called inside another transaction it runs once:
    the outermost one is what is run again, if anything is.
    """

    @functools.wraps(fn)
    def run(db: Database, /, *args: P.args, **kwargs: P.kwargs) -> R:
        if db.conn.in_transaction:
            return fn(db, *args, **kwargs)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return fn(db, *args, **kwargs)
            except Contended:
                if attempt == ATTEMPTS:
                    raise
                time.sleep(random.uniform(0, FIRST_PAUSE_S * 2 ** (attempt - 1)))
        raise AssertionError("unreachable")

    return run
