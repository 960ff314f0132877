"""SQLite, the default engine: a file opened with our pragmas, owner-only, WAL; its write lock
(BEGIN IMMEDIATE, `<db>-writer` naming the holder), backups by SQLite's backup API."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from greentech_cli.db.database import Database, committed
from greentech_cli.errors import Conflict, GreentechError, NotFound
from greentech_cli.files import claim_writer, fsync_dir, fsync_file, writer_file

# How long a write waits for the lock before its first word to the user, and the default of the
# lock timeout after which it gives up (config key `lock_timeout`, env GREENTECH_LOCK_TIMEOUT).
FIRST_TRY_MS = 300
BUSY_TIMEOUT_MS = 120_000
# Work that replaces or rebuilds what others write (a restore, a schema update, a repair) waits
# this long for a short write to finish, then refuses rather than queue behind an import.
REFUSE_AFTER_MS = 2_000
BACKUPS_FOLDER = "backups"


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


def _writable(path: Path) -> bool:
    """Whether this process may write the file and create its -wal/-shm beside it."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection for a file in a folder we may not write.

    SQLite cannot open a WAL database read-only when it may not create the -shm file beside it;
    `immutable=1` reads the file as it is (nobody can change it there without write access).
    """
    from urllib.request import pathname2url

    uri = f"file:{pathname2url(str(path.resolve()))}?immutable=1"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return conn


def connect(path: Path) -> sqlite3.Connection:
    """A raw connection with our pragmas; the file must exist or be creatable."""
    conn: sqlite3.Connection | None = None
    from greentech_cli.config import lock_timeout_ms

    waits = lock_timeout_ms(BUSY_TIMEOUT_MS)
    try:
        conn = sqlite3.connect(str(path), timeout=waits / 1000, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {waits}")
        conn.execute("PRAGMA foreign_keys = ON")
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as exc:
        if conn is not None:
            conn.close()
        if path.exists() and not _writable(path) and "readonly" in str(exc):
            try:
                return _connect_read_only(path)
            except sqlite3.DatabaseError:
                pass
        if _disk_full(path) or getattr(exc, "sqlite_errorcode", 0) == sqlite3.SQLITE_FULL:
            if path.exists() and _wal_is_empty(path):
                # No room for SQLite's -shm file; reading needs none: the file as it is, which is
                # complete with nothing in its WAL. A write then fails: "the disk is full".
                try:
                    return _connect_read_only(path)
                except sqlite3.DatabaseError:
                    pass
            raise GreentechError(
                f"the disk holding {path} is full; free some space and try again"
            ) from exc
        raise GreentechError(f"cannot open the database {path}: {exc}") from exc
    return conn


# --- who holds the write lock: a long write names itself in `<db>-writer` (files.claim_writer)


def lock_holder(path: str | Path) -> str:
    """Who holds the write lock, as a waiting process says it: "the import in process 4711"."""
    try:
        pid_text, _, what = writer_file(path).read_text(encoding="utf-8").strip().partition(" ")
        pid = int(pid_text)
    except (OSError, ValueError):
        return "another greentech process"
    try:
        if pid != os.getpid():
            os.kill(pid, 0)  # raises when no such process is running (a kill -9 left the file)
            return f"{what or 'a write'} in process {pid}"
    except PermissionError:  # it runs, as another user
        return f"{what or 'a write'} in process {pid}"
    except OSError:
        pass
    return "another greentech process"


def _wal_is_empty(path: Path) -> bool:
    """Whether every committed change is in the file itself (no -wal, or an empty one)."""
    wal = path.with_name(path.name + "-wal")
    try:
        return wal.stat().st_size == 0
    except FileNotFoundError:
        return True
    except OSError:
        return False


def _disk_full(path: Path) -> bool:
    """Whether the folder of path has no room left (SQLite then reports a vague I/O error)."""
    import shutil

    try:
        return shutil.disk_usage(path.parent).free < 64 * 1024
    except OSError:
        return False


def database_file(conn: sqlite3.Connection) -> str:
    """The file name of a connection's main database ('' for an in-memory one, or for a
    PostgreSQL connection: no file)."""
    if not isinstance(conn, sqlite3.Connection):
        return ""
    for row in conn.execute("PRAGMA database_list"):
        if row[1] == "main":
            return str(row[2] or "")
    return ""


def _is_busy(exc: sqlite3.Error) -> bool:
    message = str(exc).lower()
    return "locked" in message or "busy" in message


def write_error(exc: sqlite3.Error, where: str) -> GreentechError | None:
    """One clear error for the write failures a user can act on (read-only, full, busy)."""
    message = str(exc).lower()
    if ("readonly" in message or "read-only" in message) and where and _disk_full(Path(where)):
        # Opened read-only because the disk had no room left (see connect).
        return GreentechError(f"the disk holding {where} is full; nothing was written")
    if "readonly" in message or "read-only" in message:
        return GreentechError(
            f"the database {where} is read-only (check the permissions of the file and its "
            "folder); nothing was written"
        )
    if "disk is full" in message or "database or disk is full" in message:
        return GreentechError(f"the disk holding {where} is full; nothing was written")
    if _is_busy(exc):
        return GreentechError(
            f"the database {where} stayed busy ({lock_holder(where)} kept writing); nothing was "
            "written, try again"
        )
    return None


def backups_dir(path: Path) -> Path:
    """The folder for backups of the database at path: `backups/` beside it."""
    return path.parent / BACKUPS_FOLDER


def stamp() -> str:
    """A local timestamp for file names, e.g. 20261124-185500."""
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def copy_database(source: sqlite3.Connection, dest: Path) -> Path:
    """Copy a live database consistently into a new owner-only file (SQLite's backup API).

    The copy is one snapshot even while other processes write (WAL readers never block); it is
    written to a temporary name and renamed, so `dest` is either complete or absent.
    """
    if dest.exists():
        raise Conflict(f"{dest} already exists; choose another file name")
    dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = dest.with_name(f".{dest.name}.partial-{os.getpid()}")
    fd = os.open(partial, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    os.close(fd)
    try:
        target = sqlite3.connect(str(partial), isolation_level=None)
        try:
            source.backup(target)
            # A single self-contained file: no -wal beside the backup.
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
        fsync_file(partial)
        os.replace(partial, dest)
        fsync_dir(dest.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return dest


def _backup_before_migration(path: Path) -> Path:
    """Keep a copy of a database that holds data before its schema changes.

    It is read through a connection of its own: the caller holds the write lock, and SQLite's
    backup cannot read through a connection that is writing.
    """
    dest = backups_dir(path) / f"{path.stem}-before-migration-{stamp()}.db"
    try:
        reader = sqlite3.connect(str(path), isolation_level=None)
        try:
            return copy_database(reader, dest)
        finally:
            reader.close()
    except (OSError, sqlite3.Error) as exc:
        raise GreentechError(
            f"cannot back up {path} before updating its schema ({exc}); nothing was changed"
        ) from exc


def open_read_only(path: Path) -> sqlite3.Connection:
    """A connection that never writes to the file being restored from."""
    from urllib.request import pathname2url

    url = pathname2url(str(path.resolve()))
    try:
        conn = sqlite3.connect(f"file:{url}?mode=ro", uri=True, isolation_level=None)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.DatabaseError:
        # A WAL file in a folder we may not write: read it as it is.
        conn = sqlite3.connect(f"file:{url}?immutable=1", uri=True, isolation_level=None)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn


def open_db(path: Path, *, create: bool = False, migrate: bool = True) -> Database:
    """Open the database at path, creating it owner-only when asked, and apply pending migrations.

    Commands that only read pass create=False: a missing file is then an error naming the path.
    A database that already holds applied migrations is backed up before new ones run.
    """
    from greentech_cli import migrations

    if path.is_dir():
        raise GreentechError(f"the database path {path} is a folder, not a file")
    if not path.exists():
        if not create:
            raise NotFound(f"no database at {path}; run 'greentech init' first (or pass --db)")
        try:
            _create_owner_only(path)
        except OSError as exc:
            raise GreentechError(f"cannot create the database {path}: {exc.strerror}") from exc
    db = Database(connect(path), where=str(path))
    try:
        if migrate and migrations.pending_names(db.conn):
            _migrate(db, path)
    except sqlite3.DatabaseError as exc:
        db.close()
        error = write_error(exc, str(path))
        if error is not None:
            raise GreentechError(f"cannot update the schema: {error}") from exc
        raise GreentechError(f"{path} is not a usable greentech database: {exc}") from exc
    except BaseException:
        db.close()
        raise
    return db


def _migrate(db: Database, path: Path) -> None:
    """Apply the pending schema steps under the write lock, backing up a file that holds data.

    Another process may write meanwhile (it refuses then) or have migrated first (then nothing
    is left to do); steps and backup happen in one transaction, all or nothing.
    """
    from greentech_cli import migrations

    with transaction(db, refuse="updating the schema"):
        if not migrations.pending_names(db.conn):
            return
        if migrations.applied_names(db.conn):
            _backup_before_migration(path)
        migrations.apply(db.conn)


def open_memory_db(steps: Collection[str] | None = None) -> Database:
    """An empty, migrated database in memory (a dry run with no database file yet).

    With `steps`, only those schema steps are applied: the schema a file of that version has.
    """
    from greentech_cli import migrations

    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    migrations.apply(conn, steps)
    return Database(conn)


# An import's page cache: random index inserts and duplicate lookups over a large file touch many
# pages; a bounded cache keeps the memory flat however many rows come, unlike "keep everything".
# 64 MB rather than 8: 100,000 rows into 100,000 contacts took 12.5 s instead of 14–16 s (a
# smaller cache spills and re-reads index pages: 3 s of system time against 0.8 s).
IMPORT_CACHE_KIB = 64 * 1024


@contextmanager
def import_pragmas(db: Database) -> Iterator[None]:
    """Pragmas for one large import, restored afterwards: a larger (bounded) page cache and
    temporary B-trees in memory. Durability is untouched (synchronous stays NORMAL).

    Pages beyond the cache spill into the WAL as uncommitted frames, dry runs included: memory
    stays bounded, and a rollback leaves the database file as it was (the importer then empties
    the WAL, so a dry run's rows do not stay on disk).
    Call it outside a transaction (temp_store may not change inside one).
    """
    conn = db.conn
    old_cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    old_temp = conn.execute("PRAGMA temp_store").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    conn.execute("PRAGMA temp_store = MEMORY")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(old_cache)}")
        if not conn.in_transaction:
            conn.execute(f"PRAGMA temp_store = {int(old_temp)}")


def busy_refusal(path: str, doing: str) -> Conflict:
    """The one-line refusal of work that must not run while another process writes."""
    who = lock_holder(path)
    writing = f"{who} is writing to {path}"
    if who.startswith("another"):
        writing += " (an import?)"
    return Conflict(
        f"{writing}; {doing} was refused and nothing was changed; try again when it has finished"
    )


def _begin_immediate(db: Database, refuse: str | None) -> None:
    """Take the write lock. Work named by `refuse` waits only briefly, then is refused; other
    writes wait up to the lock timeout, saying what they wait for once a short try fails."""
    conn = db.conn
    path = database_file(conn)
    waits = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])
    first = REFUSE_AFTER_MS if refuse is not None else min(FIRST_TRY_MS, waits)
    conn.execute(f"PRAGMA busy_timeout = {first}")
    try:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise write_error(exc, path) or GreentechError(
                    f"cannot write to the database: {exc}"
                ) from exc
            if refuse is not None:
                raise busy_refusal(path, refuse) from exc
            if waits <= first:
                raise _lock_timeout(path, waits) from exc
        if db.on_wait is not None:
            db.on_wait(
                f"waiting for {lock_holder(path)} to finish writing (up to {waits / 1000:g} s)…"
            )
        conn.execute(f"PRAGMA busy_timeout = {waits - first}")
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                raise _lock_timeout(path, waits) from exc
            raise write_error(exc, path) or GreentechError(
                f"cannot write to the database: {exc}"
            ) from exc
    finally:
        conn.execute(f"PRAGMA busy_timeout = {waits}")


def _lock_timeout(path: str, waits: int) -> GreentechError:
    return GreentechError(
        f"{lock_holder(path)} kept {path} locked for more than {waits / 1000:g} s; nothing was "
        "written, try again when it has finished (the wait is lock_timeout in the config file "
        "or GREENTECH_LOCK_TIMEOUT)"
    )


@contextmanager
def transaction(
    db: Database, *, refuse: str | None = None, holder: str | None = None
) -> Iterator[Database]:
    """One write transaction (BEGIN IMMEDIATE, so concurrent writers wait instead of failing).

    Nested use becomes a savepoint, so a service may call other services inside one transaction.
    A read-only file, a full disk or a lasting lock become one clear error after the rollback.
    Work named by `refuse` (a restore, a schema update, a repair) waits only REFUSE_AFTER_MS for
    another writer and is then refused with one line naming it. A long write names itself as
    `holder` ("the import") while it holds the lock, so those waiting can say what for.
    """
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield db
        return
    _begin_immediate(db, refuse)
    claimed = claim_writer(database_file(conn), holder) if holder else None
    try:
        with committed(
            db, sqlite3.OperationalError, lambda exc: write_error(exc, database_file(conn))
        ):
            yield db
    finally:
        if claimed is not None:
            claimed.unlink(missing_ok=True)
