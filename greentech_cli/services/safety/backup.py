"""Backup and restore of the database file: consistent online copies, checked restores."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from greentech_cli.db import (
    REFUSE_AFTER_MS,
    Database,
    backups_dir,
    busy_refusal,
    connect,
    copy_database,
    database_file,
    open_read_only,
    stamp,
)
from greentech_cli.errors import Conflict, GreentechError, InvalidData, NotFound, UnreadableFile
from greentech_cli.files import free_name, fsync_dir, same_file
from greentech_cli.store import health
from greentech_cli.store.common import count

SQLITE_HEADER = b"SQLite format 3\x00"


def default_backup_path(db_path: Path) -> Path:
    """A new timestamped file in the backups folder beside the database."""
    return free_name(backups_dir(db_path), f"{db_path.stem}-{stamp()}", ".db")


def backup(db: Database, dest: Path | None = None) -> Path:
    """Copy the open database to dest (a file, a folder, or the backups folder), owner-only.

    The copy is a consistent snapshot even while other greentech processes write. Only the
    backups folder beside the database is created when missing: a destination whose folder does
    not exist (a drive that is not mounted, a mistyped path) is refused, never created on the
    local disk in its place.
    """
    source = Path(database_file(db.conn))
    if dest is None:
        dest = default_backup_path(source)
    elif dest.is_dir():
        dest = dest / default_backup_path(source).name
    elif not dest.parent.is_dir():
        missing = next(p for p in (dest.parent, *dest.parent.parents) if p.is_dir())
        raise NotFound(
            f"the folder {dest.parent} does not exist ({missing} does; is the drive mounted?); "
            "nothing was written — create the folder first or choose another"
        )
    if same_file(dest, source):
        raise Conflict(f"{dest} is the database itself; choose another file")
    copy_database(db.conn, dest)
    return dest


@dataclass
class Candidate:
    """A database file checked for restoring: its schema version and what it holds."""

    path: Path
    schema_version: int
    counts: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of a checked file."""
        return {
            "path": str(self.path),
            "schema_version": self.schema_version,
            "counts": dict(self.counts),
        }


def check_file(path: Path) -> Candidate:
    """Make sure a file is a sound greentech database this version understands, with the schema
    its version has (nothing removed, added or changed outside greentech)."""
    from greentech_cli.migrations import known_names

    if not path.exists():
        raise NotFound(f"no file at {path}")
    if not path.is_file():
        raise InvalidData(f"{path} is not a file")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise UnreadableFile(f"cannot read {path}: {exc.strerror}") from exc
    if header != SQLITE_HEADER:
        raise InvalidData(f"{path} is not a SQLite database, so not a greentech backup")
    try:
        conn = open_read_only(path)
    except sqlite3.DatabaseError as exc:
        raise InvalidData(f"{path} cannot be opened as a database: {exc}") from exc
    db = Database(conn)
    try:
        return _check(db, path, known_names())
    except sqlite3.DatabaseError as exc:
        raise InvalidData(f"{path} is damaged: {exc}") from exc
    finally:
        conn.close()


def _check(db: Database, path: Path, known: list[str]) -> Candidate:
    applied = health.applied_migrations(db)
    if not applied:
        raise InvalidData(f"{path} is a SQLite database but not a greentech one (no schema record)")
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise InvalidData(
            f"{path} was written by a newer greentech (unknown schema step {unknown[0]}); "
            "upgrade greentech first"
        )
    missing = [t for t in health.CORE_TABLES if t not in health.table_names(db)]
    if missing:
        raise InvalidData(f"{path} lacks the table {missing[0]}; it is not a greentech database")
    errors = health.integrity_errors(db)
    if errors:
        raise InvalidData(f"{path} is damaged (integrity check: {errors[0]})")
    differences = health.schema_problems(db, applied)
    if differences:
        raise InvalidData(
            f"{path} was changed outside greentech: its schema differs from version "
            f"{len(applied)}'s ({describe(differences)}); it is not used"
        )
    dangling = health.foreign_key_problems(db)
    if dangling:
        first = dangling[0]
        raise InvalidData(
            f"{path} was changed outside greentech: {len(dangling)} row(s) refer to records it "
            f"does not hold (e.g. row {first.get('rowid')} of {first.get('table')} names a "
            f"missing {first.get('parent')}); it is not used"
        )
    counts = {table: count(db, table) for table in ("companies", "contacts", "delegations")}
    return Candidate(path, len(applied), counts)


def describe(differences: list[str], shown: int = 3) -> str:
    """The first few schema differences in one line, and how many more there are."""
    more = len(differences) - shown
    return "; ".join(differences[:shown]) + (f"; and {more} more" if more > 0 else "")


@dataclass
class Restored:
    """The outcome of a restore: what replaced the database and where the old file went."""

    database: Path
    source: Candidate
    kept: Path | None

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of a restore."""
        return {
            "database": str(self.database),
            "restored_from": str(self.source.path),
            "kept_previous": None if self.kept is None else str(self.kept),
            "schema_version": self.source.schema_version,
            "counts": dict(self.source.counts),
        }


def restore(db_path: Path, source: Path) -> Restored:
    """Replace the database's content with a checked copy of source; the previous one is kept.

    The copy is made and checked in the database's folder first, then written into the live
    database with SQLite's backup API under the write lock every writer takes: while another
    process writes (an import) the restore is refused; a process that waits for the lock
    meanwhile writes into the restored database afterwards, never into a file swapped away.
    The previous content is copied aside while the lock is held, so no write falls in between.
    """
    if db_path.exists() and same_file(source, db_path):
        raise Conflict(f"{source} is the database in use; restore from a copy")
    check_file(source)
    folder = db_path.parent
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = folder / f".{db_path.name}.restore-{os.getpid()}"
    partial.unlink(missing_ok=True)
    conn = open_read_only(source)
    try:
        copy_database(conn, partial)
    finally:
        conn.close()
    try:
        candidate = check_file(partial)
        candidate.path = source
        if db_path.exists():
            kept = _restore_into(db_path, partial)
        else:
            kept = None
            os.replace(partial, db_path)
            fsync_dir(folder)
    finally:
        partial.unlink(missing_ok=True)
    return Restored(db_path, candidate, kept)


class _Busy(Exception):
    """Another process holds the write lock: the restore stops before writing a page."""


def _restore_into(db_path: Path, partial: Path) -> Path:
    """Write the checked copy into the live database under its write lock; return the kept copy.

    The backup API takes the write lock on its first step and holds it to the end; the previous
    content is copied aside right after that step (other readers still see it then). A live
    file SQLite cannot read or write (damaged) is swapped for the copy as a file instead.
    """
    try:
        live = Database(connect(db_path))
    except GreentechError as exc:
        if not _damaged(exc.__cause__):
            raise
        return _swap_damaged(db_path, partial)
    source = sqlite3.connect(str(partial), isolation_level=None)
    kept: list[Path] = []

    def after_step(status: int, remaining: int, total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            raise _Busy
        if not kept:
            kept.append(_keep_previous(db_path))

    try:
        _match_page_size(source, live)
        live.execute(f"PRAGMA busy_timeout = {REFUSE_AFTER_MS}")
        source.backup(live.conn, pages=1, progress=after_step)
    except _Busy:
        raise busy_refusal(str(db_path), "the restore") from None
    except sqlite3.DatabaseError as exc:
        if kept:  # failed half-way: rolled back, so the copy aside is not needed
            kept[0].unlink(missing_ok=True)
        if kept or not _damaged(exc):
            raise
        damaged = True
    else:
        damaged = False
    finally:
        source.close()
        live.close()
    return _swap_damaged(db_path, partial) if damaged else kept[0]


def _damaged(exc: BaseException | None) -> bool:
    """Whether SQLite refused a file as damaged or as no database at all."""
    message = str(exc).lower()
    return isinstance(exc, sqlite3.DatabaseError) and any(
        word in message for word in ("not a database", "malformed", "corrupt")
    )


def _match_page_size(source: sqlite3.Connection, live: Database) -> None:
    """Give the copy the live database's page size (a WAL database cannot change its own)."""
    size = live.execute("PRAGMA page_size").fetchone()[0]
    if source.execute("PRAGMA page_size").fetchone()[0] != size:
        source.execute(f"PRAGMA page_size = {int(size)}")
        source.execute("VACUUM")


def _keep_previous(db_path: Path) -> Path:
    """A consistent copy of the live database as `<name>.before-restore-<stamp>`, owner-only."""
    conn = sqlite3.connect(str(db_path), isolation_level=None)
    try:
        while True:
            kept = _kept_name(db_path)
            try:
                return copy_database(conn, kept)
            except Conflict:
                continue  # the name was taken meanwhile
    finally:
        conn.close()


def _kept_name(db_path: Path) -> Path:
    """A free name `<name>.before-restore-<stamp>[-n]` beside the database."""
    return free_name(db_path.parent, f"{db_path.name}.before-restore-{stamp()}")


def _swap_damaged(db_path: Path, partial: Path) -> Path:
    """Put the copy in place of a file SQLite cannot use; the old file (and WAL) is kept."""
    kept = _kept_name(db_path)
    os.replace(db_path, kept)
    for suffix in ("-wal", "-shm"):
        old = Path(f"{db_path}{suffix}")
        if old.exists():
            os.replace(old, f"{kept}{suffix}")
    os.replace(partial, db_path)
    fsync_dir(db_path.parent)
    return kept
