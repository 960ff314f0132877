"""Backup and restore of the database file: consistent online copies, checked restores."""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from greentech_cli.db import (
    backups_dir,
    copy_database,
    database_file,
    open_read_only,
    stamp,
)
from greentech_cli.errors import Conflict, InvalidData, NotFound, UnreadableFile
from greentech_cli.files import fsync_dir, same_file
from greentech_cli.store import health
from greentech_cli.store.common import count

if TYPE_CHECKING:
    from greentech_cli.db import Database

SQLITE_HEADER = b"SQLite format 3\x00"


def default_backup_path(db_path: Path) -> Path:
    """A new timestamped file in the backups folder beside the database."""
    folder = backups_dir(db_path)
    base = f"{db_path.stem}-{stamp()}"
    candidate = folder / f"{base}.db"
    n = 2
    while candidate.exists():
        candidate = folder / f"{base}-{n}.db"
        n += 1
    return candidate


def backup(db: Database, dest: Path | None = None) -> Path:
    """Copy the open database to dest (a file, a folder, or the backups folder), owner-only.

    The copy is a consistent snapshot even while other greentech processes write.
    """
    source = Path(database_file(db.conn))
    if dest is None:
        dest = default_backup_path(source)
    elif dest.is_dir():
        dest = dest / default_backup_path(source).name
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
    """Make sure a file is a sound greentech database this version understands."""
    from greentech_cli.db import Database
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
    counts = {table: count(db, table) for table in ("companies", "contacts", "delegations")}
    return Candidate(path, len(applied), counts)


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


def _settle(db_path: Path) -> None:
    """Fold the current database's WAL into its file, so the file alone is complete."""
    from greentech_cli.db import Database

    try:
        conn = sqlite3.connect(str(db_path), timeout=10, isolation_level=None)
    except sqlite3.DatabaseError:
        return
    try:
        health.checkpoint(Database(conn))
    except sqlite3.DatabaseError:
        pass  # a damaged file is kept as it is, with its WAL beside it
    finally:
        conn.close()


def restore(db_path: Path, source: Path) -> Restored:
    """Replace the database with a checked copy of source; the previous file is kept beside it.

    The copy is made and checked in the database's folder first, then swapped in with one
    atomic rename, so the database is at every moment either the old or the new file.
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
        kept = _keep_previous(db_path)
        for suffix in ("-wal", "-shm"):
            # Stale WAL pages of the old file would be applied to the new one.
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        os.replace(partial, db_path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    fsync_dir(folder)
    return Restored(db_path, candidate, kept)


def _keep_previous(db_path: Path) -> Path | None:
    """Keep the current database as `<name>.before-restore-<stamp>` (with its WAL if any)."""
    if not db_path.exists():
        return None
    _settle(db_path)
    kept = db_path.with_name(f"{db_path.name}.before-restore-{stamp()}")
    n = 2
    while kept.exists():
        kept = db_path.with_name(f"{db_path.name}.before-restore-{stamp()}-{n}")
        n += 1
    try:
        os.link(db_path, kept)  # the same bytes under a second name; no copy needed
    except OSError:
        shutil.copy2(db_path, kept)
    wal = Path(f"{db_path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        shutil.copy2(wal, f"{kept}-wal")
    return kept
