"""Backup and restore in the portable format — the logical dump as NDJSON (`db dump`): what
`backup` writes on PostgreSQL and what `restore` reads on either engine, besides SQLite files.

A restore replaces the database's rows in one transaction under the write lock (refused while
another process writes): the previous content is first written as a dump beside (SQLite: beside
the file; PostgreSQL: in the backups folder of greentech's data folder), then the rows are
loaded with triggers held off, ids kept, the search indexes rebuilt, and the result verified
against the file by the dump's checksum; anything amiss rolls it all back.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from greentech_cli.db import Database, open_memory_db, open_read_only, stamp, transaction
from greentech_cli.errors import Conflict, InvalidData, NotFound, UnreadableFile
from greentech_cli.files import free_name, write_private
from greentech_cli.services.safety import moving
from greentech_cli.store.portable import dump, engine, load
from greentech_cli.store.portable.dump import Digest, Summary

SQLITE_HEADER = b"SQLite format 3\x00"
SUFFIX = ".ndjson"


def is_sqlite_file(path: Path) -> bool:
    """Whether a file starts as a SQLite database does (else it is read as a dump)."""
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError as exc:
        raise UnreadableFile(f"cannot read {path}: {exc.strerror}") from exc


def backups_folder(db: Database) -> Path:
    """Where dumps of a PostgreSQL database go by default: `backups/` in greentech's data
    folder (a SQLite file's go beside it)."""
    from greentech_cli.config import data_dir

    return data_dir() / "backups"


def backup(db: Database, dest: Path | None = None) -> tuple[Path, Summary]:
    """Write the database's dump (one consistent read) to dest — a file, a folder, or the
    backups folder —, owner-only and complete or absent; where, and its checksum. A folder that
    does not exist is refused (a drive not mounted), an existing file is never replaced."""
    default = f"{engine.database_name(db)}-{stamp()}"
    if dest is None:
        folder = backups_folder(db)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        dest = free_name(folder, default, SUFFIX)
    elif dest.is_dir():
        dest = free_name(dest, default, SUFFIX)
    elif not dest.parent.is_dir():
        raise NotFound(
            f"the folder {dest.parent} does not exist (is the drive mounted?); nothing was "
            "written — create the folder first or choose another"
        )
    elif dest.exists():
        raise Conflict(f"{dest} exists already; choose another name (it was left as it is)")
    return dest, _write(db, dest)


def _write(db: Database, path: Path) -> Summary:
    """The database's dump written to `path` (owner-only, complete or absent)."""

    def write(stream: IO[bytes]) -> Summary:
        def sink(table: str, text: str) -> None:
            stream.write(text.encode("utf-8") + b"\n")

        return dump.dump_lines(db, sink)

    return write_private(path, write)


@dataclass
class Checked:
    """A dump file read through once: its rows per table and checksum."""

    path: Path
    summary: Summary

    @property
    def counts(self) -> dict[str, int]:
        """Companies, contacts and delegations, as a restore's question names them."""
        found = self.summary.counts
        return {t: found.get(t, 0) for t in ("companies", "contacts", "delegations")}


def _rows(
    path: Path, tables: dict[str, engine.Table]
) -> Iterator[tuple[engine.Table, tuple[Any, ...], str]]:
    """Each line of a dump as (table, values in the table's column order, canonical line);
    a line that is no dump line, names a table or columns this greentech does not have, or is
    not in the dump's canonical form (edited by hand) is refused with its number."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise UnreadableFile(f"cannot read {path}: {exc.strerror}") from exc
    last = ""
    with handle:
        for number, raw in enumerate(handle, 1):
            where = f"{path} line {number}"
            try:
                text = raw.decode("utf-8").rstrip("\n")
                item = json.loads(text)
                name, row = item["table"], item["row"]
                if set(item) != {"table", "row"} or not isinstance(row, dict):
                    raise ValueError
            except (UnicodeDecodeError, ValueError, TypeError, KeyError):
                if number == 1:
                    raise InvalidData(
                        f"{path} is not a SQLite database nor a greentech dump, so not a "
                        "greentech backup; nothing was restored"
                    ) from None
                raise InvalidData(
                    f"{where} is not a line of greentech's dump; nothing was restored"
                ) from None
            table = tables.get(name) if isinstance(name, str) else None
            if table is None:
                raise InvalidData(
                    f"{where} holds a table this greentech does not have ({name!r}: a dump of "
                    "a newer version?); nothing was restored"
                )
            if set(row) != set(table.columns):
                raise InvalidData(
                    f"{where}: the columns of {name} differ from this greentech's (a dump of "
                    "another version?); nothing was restored"
                )
            if name < last:
                raise InvalidData(f"{where} is out of the dump's order; nothing was restored")
            last = name
            values = tuple(row[column] for column in table.columns)
            if dump.line(name, table.columns, values) != text:
                raise InvalidData(
                    f"{where} is not as greentech writes it (changed by hand?); nothing was "
                    "restored"
                )
            yield table, tuple(_stored(value, where) for value in values), text


def _stored(value: Any, where: str) -> Any:
    if isinstance(value, dict):  # {"$bytes": base64}, as dump._value writes bytes
        try:
            return base64.b64decode(value["$bytes"], validate=True)
        except (KeyError, ValueError, TypeError):
            raise InvalidData(
                f"{where} holds a value no dump writes; nothing was restored"
            ) from None
    if isinstance(value, list):
        raise InvalidData(f"{where} holds a value no dump writes; nothing was restored")
    return value


def check_source(source: Path) -> dict[str, int]:
    """What a restore from source brings (companies, contacts, delegations), checked before any
    database is opened or made, so a refusal leaves nothing behind: a SQLite file as `backup`
    checks it, a dump against the tables of today's schema (a new database's, in memory)."""
    if is_sqlite_file(source):
        from greentech_cli.services.safety.backup import check_file

        return check_file(source).counts
    reference = open_memory_db()
    try:
        return check_dump(reference, source).counts
    finally:
        reference.close()


def check_dump(db: Database, path: Path) -> Checked:
    """Read a dump file through once against the database's tables (nothing written)."""
    if not path.is_file():
        raise NotFound(f"no file at {path}")
    tables = {table.name: table for table in engine.data_tables(db)}
    summary = Summary({})
    for table, _, text in _rows(path, tables):
        summary.tables.setdefault(table.name, Digest()).add(text)
    if not summary.tables:
        raise InvalidData(f"{path} holds no rows: not a greentech dump; nothing was restored")
    return Checked(path, summary)


@dataclass
class Restored:
    """A restore from a dump or a file: what was restored and where the previous rows went."""

    database: str
    source: Path
    counts: dict[str, int]
    checksum: str
    kept: Path

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of a restore."""
        return {
            "database": self.database,
            "restored_from": str(self.source),
            "kept_previous": str(self.kept),
            "checksum": self.checksum,
            "counts": dict(self.counts),
        }


def _kept_path(db: Database) -> Path:
    if db.engine == "postgresql":
        folder = backups_folder(db)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        return free_name(folder, f"{engine.database_name(db)}.before-restore-{stamp()}", SUFFIX)
    from greentech_cli.db import database_file

    path = Path(database_file(db.conn))
    return free_name(path.parent, f"{path.name}.before-restore-{stamp()}", SUFFIX)


def restore(db: Database, source: Path) -> Restored:
    """Replace the database's rows with those of a dump file or a greentech SQLite file (see
    the module docstring); the previous rows are kept as a dump."""
    sqlite_file = is_sqlite_file(source)
    if sqlite_file:
        from greentech_cli.services.safety.backup import check_file

        check_file(source)
    expected = None if sqlite_file else check_dump(db, source)
    kept = _kept_path(db)
    undone = "nothing was restored (the database is as it was)"
    try:
        with transaction(db, refuse="the restore", holder="the restore"):
            _write(db, kept)  # the previous rows, under the lock
            if sqlite_file:
                loaded, written = _from_file(db, source)
            else:
                assert expected is not None
                loaded = expected.summary
                written = _from_dump(db, source)
            moving.verify(loaded, written, f"the restored rows differ from {source}; {undone}")
    except BaseException:
        kept.unlink(missing_ok=True)
        raise
    return Restored(
        db.where or str(engine.database_name(db)), source, _counts(written), written.checksum, kept
    )


def _counts(summary: Summary) -> dict[str, int]:
    found = summary.counts
    return {t: found.get(t, 0) for t in ("companies", "contacts", "delegations")}


def _from_file(db: Database, source: Path) -> tuple[Summary, Summary]:
    """A greentech SQLite file's rows into the database (read-only, as of one moment): the
    summaries of what was read and of what the database holds now. A file of an older schema is
    read through a private copy brought up to date, as opening it would (the file is left as it
    is)."""
    from greentech_cli import migrations

    conn = open_read_only(source)
    try:
        if not migrations.pending_names(conn):
            file_db = Database(conn)
            return moving.replace_rows(file_db, db, engine.data_tables(file_db))
        with _brought_up_to_date(conn, source) as current:
            return moving.replace_rows(current, db, engine.data_tables(current))
    finally:
        conn.close()


@contextmanager
def _brought_up_to_date(conn: sqlite3.Connection, source: Path) -> Iterator[Database]:
    """A copy of an older file with today's schema, in SQLite's own temporary file (owner-only,
    never visible by name, gone when closed)."""
    from greentech_cli import migrations

    copy = sqlite3.connect("", isolation_level=None)
    try:
        try:
            conn.backup(copy)
            copy.execute("PRAGMA foreign_keys = ON")
            migrations.apply(copy)
        except sqlite3.Error as exc:
            raise InvalidData(
                f"cannot bring {source} (schema version {len(migrations.applied_names(conn))}) "
                f"up to date to read it: {exc}; nothing was restored"
            ) from exc
        yield Database(copy)
    finally:
        copy.close()


def _from_dump(db: Database, source: Path) -> Summary:
    """A dump file's rows into the database, batch by batch; what the database holds after."""
    from greentech_cli.store import health

    tables = {table.name: table for table in engine.data_tables(db)}
    with engine.bulk_load(db):
        load.clear(db, list(tables.values()))
        batch: list[tuple[Any, ...]] = []
        current: engine.Table | None = None
        for table, values, _ in _rows(source, tables):
            if table is not current or len(batch) >= dump.BATCH:
                _insert(db, current, batch)
                batch, current = [], table
            batch.append(values)
        _insert(db, current, batch)
        engine.reset_ids(db, list(tables.values()))
    health.rebuild_search_index(db)
    return dump.summarise(db)


def _insert(db: Database, table: engine.Table | None, batch: list[tuple[Any, ...]]) -> None:
    if table is None or not batch:
        return
    load.insert_rows(db, table, batch)
