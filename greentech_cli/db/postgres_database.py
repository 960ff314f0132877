"""A PostgreSQL database behind `open_db()`: connecting, the schema, and the write lock.

The write lock of a SQLite file (BEGIN IMMEDIATE) is here a transaction-level advisory lock
(`pg_advisory_xact_lock`): writers queue for it, readers never wait, it goes with the transaction
(a killed process's lock too). While a long write holds it, its session's `application_name`
names it ("greentech: the import"), so a waiting process can say what it waits for. A counter
bumped by each write (`greentech_writes`) tells an import whether someone else wrote since it
looked (SQLite's `PRAGMA data_version`). Errors a user can act on (a read-only role, a full disk,
a lasting lock) become one clear line.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from greentech_cli.db.database import Database, committed
from greentech_cli.db.dialect import POSTGRES
from greentech_cli.db.sqlite import BUSY_TIMEOUT_MS, FIRST_TRY_MS, REFUSE_AFTER_MS
from greentech_cli.errors import Conflict, Contended, GreentechError

# The advisory lock's key: one write lock per database, as a SQLite file has.
WRITE_LOCK = 0x67726E74  # "grnt"
APPLICATION = "greentech"
# Serialization failures and deadlocks of taking the lock are retried this often.
RETRIES = 3


def _reason(exc: Exception) -> str:
    """psycopg's message on one line: what failed, then its hint ("Is the server running…")."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    first = (lines or ["unknown error"])[0].removeprefix("connection failed: ")
    return first + "".join(f" ({line})" for line in lines[1:])


def open_db(url: str, *, migrate: bool = True) -> Database:
    """Connect to the database a URL names and bring its schema up to date."""
    from greentech_cli.config import lock_timeout_ms, shown_url
    from greentech_cli.db import postgres

    where = shown_url(url)
    try:
        import psycopg
    except ImportError as exc:  # `pip install .` alone: SQLite only
        raise GreentechError(
            f"cannot open the database {where}: PostgreSQL needs the team extra "
            "(pip install 'greentech[team]')"
        ) from exc
    try:
        conn = postgres.connect(url, application=APPLICATION)
    except psycopg.Error as exc:
        raise GreentechError(f"cannot open the database {where}: {_reason(exc)}") from exc
    db = Database(conn, POSTGRES, where=where)
    db.waits_ms = lock_timeout_ms(BUSY_TIMEOUT_MS)  # type: ignore[attr-defined]
    try:
        # greentech's statements are short index lookups: compiling one (PostgreSQL's JIT, for
        # plans it guesses costly, as with a table's statistics stale in a long import) costs
        # more than running it, 50-100 ms a statement.
        conn.raw.execute("SET jit = off")
        if migrate:
            _migrate(db)
        tables = _tables(db)
        conn.id_tables = frozenset(name for name, identity in tables.items() if identity)
        conn.counts_writes = "greentech_writes" in tables
    except psycopg.Error as exc:
        db.close()
        raise error(exc, where) or GreentechError(f"{where}: {exc}") from exc
    except BaseException:
        db.close()
        raise
    return db


def _migrate(db: Database) -> None:
    """Create or update the schema under the write lock (another process may do it first)."""
    from greentech_cli.migrations import postgres as schema

    if not schema.pending_names(db):
        return
    with transaction(db, refuse="updating the schema"):
        schema.apply(db)


def _tables(db: Database) -> dict[str, bool]:
    """The schema's tables, each with whether its `id` is an identity column: one catalog query
    (information_schema's views cost a few milliseconds each, on every command)."""
    rows = db.execute(
        "SELECT c.relname, EXISTS (SELECT 1 FROM pg_attribute AS a WHERE a.attrelid = c.oid "
        "AND a.attname = 'id' AND a.attidentity <> '') FROM pg_class AS c "
        "JOIN pg_namespace AS n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
    ).fetchall()
    return {str(name): bool(identity) for name, identity in rows}


def error(exc: Any, where: str) -> GreentechError | None:
    """One clear error for the failures a user can act on, else None."""
    import psycopg.errors as e

    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if isinstance(exc, e.InsufficientPrivilege) and "must be owner" in reason:
        return GreentechError(
            f"this user may write to the database {where} but not do this ({reason}: it needs "
            "the tables' owner; ask its administrator); nothing was written"
        )
    if isinstance(exc, e.InsufficientPrivilege | e.ReadOnlySqlTransaction):
        return GreentechError(
            f"the database {where} is read-only for this user ({reason}; ask its administrator "
            "for write rights); nothing was written"
        )
    if isinstance(exc, e.DiskFull):
        return GreentechError(
            f"the disk of the database server of {where} is full; nothing was written"
        )
    if isinstance(exc, e.LockNotAvailable | e.QueryCanceled):
        return GreentechError(f"the database {where} stayed busy; nothing was written, try again")
    if isinstance(exc, e.SerializationFailure | e.DeadlockDetected):
        return Contended(
            f"another officer changed the same records of {where} at the same moment; nothing "
            "was written, try again"
        )
    if isinstance(exc, e.OperationalError):
        state = getattr(exc, "sqlstate", None)
        if state is None or state.startswith(("08", "57P")):  # the connection, the server's end
            lost = (str(exc).strip().splitlines() or ["connection lost"])[-1]
            return GreentechError(
                f"the database {where} cannot be reached ({lost}); nothing was written"
            )
        return GreentechError(f"the database {where} refused it ({reason}); nothing was written")
    return None


def _failed(exc: Any, where: str) -> GreentechError:
    return error(exc, where) or GreentechError(f"cannot write to the database {where}: {exc}")


def lock_holder(db: Database) -> str:
    """Who holds the write lock, as a waiting process says it: "the import by anna (server
    process 4711)"."""
    row = db.conn.raw.execute(
        "SELECT a.application_name, a.pid, a.usename FROM pg_locks l "
        "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' "
        "AND l.granted AND l.objid = %s AND l.database = "
        "(SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1",
        [WRITE_LOCK],
    ).fetchone()
    if row is None:
        return "another greentech process"
    name, pid, user = row
    what = str(name or "").removeprefix(f"{APPLICATION}: ") if name != APPLICATION else ""
    return f"{what or 'a write'} by {user} (server process {pid})"


def _take_lock(db: Database, refuse: str | None) -> None:
    """Take the write lock: a short try, then (saying what it waits for) up to the timeout."""
    import psycopg.errors as e

    conn = db.conn
    waits = int(getattr(db, "waits_ms", BUSY_TIMEOUT_MS))
    first = REFUSE_AFTER_MS if refuse is not None else min(FIRST_TRY_MS, waits)
    for attempt in range(RETRIES):
        try:
            if not _try_lock(conn, first):
                if refuse is not None:
                    raise _refusal(db, refuse)
                if waits <= first:
                    raise _lock_timeout(db, waits)
                if db.on_wait is not None:
                    who = lock_holder(db)
                    db.on_wait(f"waiting for {who} to finish writing (up to {waits / 1000:g} s)…")
                if not _try_lock(conn, waits - first):
                    raise _lock_timeout(db, waits)
            conn.execute("SET LOCAL lock_timeout = 0")
            _count_write(db)
            return
        except (e.SerializationFailure, e.DeadlockDetected):
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if attempt == RETRIES - 1:
                raise


def _try_lock(conn: Any, timeout_ms: int) -> bool:
    """Begin a transaction and take the write lock within `timeout_ms`; when another holds it
    that long, roll back and say no."""
    import psycopg.errors as e

    conn.execute("BEGIN")
    if timeout_ms <= 0:  # no wait at all (PostgreSQL's lock_timeout 0 would wait for ever)
        if conn.execute("SELECT pg_try_advisory_xact_lock(?)", [WRITE_LOCK]).fetchone()[0]:
            return True
        conn.execute("ROLLBACK")
        return False
    conn.execute(f"SET LOCAL lock_timeout = {int(timeout_ms)}")
    try:
        conn.execute("SELECT pg_advisory_xact_lock(?)", [WRITE_LOCK])
    except e.LockNotAvailable:
        conn.execute("ROLLBACK")
        return False
    return True


def _refusal(db: Database, doing: str) -> Conflict:
    return Conflict(
        f"{lock_holder(db)} is writing to {db.where}; {doing} was refused and nothing was "
        "changed; try again when it has finished"
    )


def _lock_timeout(db: Database, waits: int) -> GreentechError:
    return GreentechError(
        f"{lock_holder(db)} kept {db.where} locked for more than {waits / 1000:g} s; nothing was "
        "written, try again when it has finished (the wait is lock_timeout in the config file "
        "or GREENTECH_LOCK_TIMEOUT)"
    )


def _count_write(db: Database) -> None:
    """Under the lock: note writes by others since this connection last looked, and count this
    one (see `data_version`); not while the schema is made."""
    if not db.conn.counts_writes:
        return
    row = db.conn.execute("SELECT n FROM greentech_writes").fetchone()
    if row is None:
        return
    now = int(row[0])
    seen = getattr(db, "_writes_seen", None)
    others = getattr(db, "_writes_by_others", 0)
    if seen is not None:
        others += now - seen
    db.conn.execute("UPDATE greentech_writes SET n = n + 1")
    db._writes_seen = now + 1  # type: ignore[attr-defined]
    db._writes_by_others = others  # type: ignore[attr-defined]


def data_version(db: Database) -> int:
    """A number that changes when another connection has written (PRAGMA data_version)."""
    row = db.conn.execute("SELECT n FROM greentech_writes").fetchone()
    now = int(row[0]) if row else 0
    seen = getattr(db, "_writes_seen", None)
    if seen is None:
        db._writes_seen = now  # type: ignore[attr-defined]
        seen = now
    return int(getattr(db, "_writes_by_others", 0)) + now - seen


@contextmanager
def transaction(
    db: Database, *, refuse: str | None = None, holder: str | None = None
) -> Iterator[Database]:
    """One write transaction under the advisory lock (see `db.transaction`)."""
    import psycopg

    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield db
        return
    try:
        _take_lock(db, refuse)
    except psycopg.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise error(exc, db.where) or GreentechError(
            f"cannot write to the database: {exc}"
        ) from exc
    if holder:
        conn.raw.execute(
            f"SET LOCAL application_name = '{APPLICATION}: {holder.replace(chr(39), '')}'"
        )
    with committed(db, psycopg.Error, lambda exc: error(exc, db.where)):
        yield db
