"""Moving data between databases: `db copy` (verified by counts and the logical dump's checksum),
the dump itself and its checksum."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from greentech_cli.db import Database, open_db, open_memory_db, transaction
from greentech_cli.errors import Conflict, GreentechError, UsageError
from greentech_cli.files import same_file, write_private
from greentech_cli.store import health
from greentech_cli.store.portable import dump, engine, load
from greentech_cli.store.portable.dump import Digest, Summary

Advance = Callable[[int], None]


@dataclass(frozen=True)
class Location:
    """A database named on the command line: a SQLite file (`path`) or a PostgreSQL database
    (`url`, a `postgresql://` URL; said without its password)."""

    text: str
    path: Path | None = None
    url: str | None = None

    def __str__(self) -> str:
        if self.url is not None:
            from greentech_cli.config import shown_url

            return shown_url(self.url)
        return str(self.path)


def locate(text: str, role: str = "the database") -> Location:
    """The one place a SOURCE or TARGET is understood: a `postgresql://` URL or a file's path
    (another scheme's URL or a key=value connection string is refused, as for `--db`)."""
    from greentech_cli.config import is_database_url, refuse_unknown

    if is_database_url(text):
        return Location(text, url=text.strip())
    refuse_unknown(text, role)
    if not text.strip():
        raise UsageError("the database path is empty")
    return Location(text, Path(text).expanduser())


def _has_schema(location: Location) -> bool:
    """Whether a PostgreSQL database already holds greentech's schema (looked at as it is)."""
    from greentech_cli.migrations import postgres as schema

    db = open_db(str(location.url), migrate=False)
    try:
        return bool(schema.applied_names(db))
    finally:
        db.close()


def _open_source(location: Location) -> Database:
    """The source, opened as every command opens a database (a missing file is an error, so is
    a PostgreSQL database without greentech's schema)."""
    if location.url is not None:
        if not _has_schema(location):
            raise GreentechError(
                f"the source {location} holds no greentech database (no schema); nothing to copy"
            )
        return open_db(location.url)
    assert location.path is not None
    return open_db(location.path, create=False)


def _reference() -> Summary:
    """What a new database holds (schema steps seed a few rows: retired ids, derived versions)."""
    fresh = open_memory_db()
    try:
        return dump.summarise(fresh)
    finally:
        fresh.close()


def _holds_data(db: Database, reference: Summary) -> list[str]:
    """The tables of a database holding anything a new database does not (a table is read
    whole only when it holds as many rows as a new database's)."""
    full = []
    for table in engine.data_tables(db):
        rows = dump.count(db, table)
        fresh = reference.tables.get(table.name, Digest())
        if rows and (rows != fresh.rows or dump.digest(db, table).sha256 != fresh.sha256):
            full.append(table.name)
    return full


def _refuse_full(db: Database, location: Location) -> None:
    """Refuse a target that holds data (looked at before its schema is brought up to date)."""
    full = _holds_data(db, _reference())
    if full:
        raise Conflict(
            f"the target {location} already holds data ({', '.join(full[:3])}"
            f"{', …' if len(full) > 3 else ''}); copy into a new file or an empty database; "
            "nothing was changed"
        )


def _open_target(location: Location, source: Location) -> tuple[Database, bool]:
    """The target, new or empty, with today's schema; and whether it was created here (a file;
    a PostgreSQL database is never created here, only given greentech's schema when it has
    none: the database must exist, made by its administrator)."""
    if location.url is not None:
        if source.url is not None and location.url == source.url:
            raise Conflict(f"{location} is the source itself; choose another target")
        if _has_schema(location):
            db = open_db(location.url, migrate=False)
            try:
                _refuse_full(db, location)
            finally:
                db.close()
        return open_db(location.url), False
    path = location.path
    assert path is not None
    if not path.exists():
        return open_db(path, create=True), True
    if path.is_dir():
        raise UsageError(f"the target {path} is a folder; give a file name")
    if source.path is not None and same_file(path, source.path):
        raise Conflict(f"{path} is the source itself; choose another target")
    # Looked at before its schema is brought up to date: a refused target stays as it was.
    db = open_db(path, migrate=False)
    try:
        _refuse_full(db, location)
    finally:
        db.close()
    return open_db(path, create=False), False


@dataclass
class Copied:
    """A finished copy: where from, where to, and the summaries of both ends (equal)."""

    source: Location
    target: Location
    source_summary: Summary
    target_summary: Summary

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of `db copy --format json`."""
        return {
            "source": str(self.source),
            "target": str(self.target),
            "rows": sum(self.source_summary.counts.values()),
            "tables": self.source_summary.counts,
            "checksum": {
                "source": self.source_summary.checksum,
                "target": self.target_summary.checksum,
            },
            "verified": True,
        }


class Copy:
    """A copy being made: both databases open, the target checked; `run` copies and verifies.

    Use as a context manager (the connections are closed at the end). When anything fails,
    the target is as it was: a file made for the copy is removed, an empty database is
    left empty (the copy is one transaction).
    """

    def __init__(self, source_text: str, target_text: str) -> None:
        self.source = locate(source_text, "the source")
        self.target = locate(target_text, "the target")
        path = self.target.path
        folder_existed = path is None or path.parent.exists()
        new_file = path is not None and not path.exists()
        self._source_db = _open_source(self.source)
        try:
            self._target_db, self.created = _open_target(self.target, self.source)
        except BaseException:
            self._source_db.close()
            if new_file and path is not None and path.exists():  # made, its schema failed
                self._remove_target(made_folder=not folder_existed)
            raise
        self._made_folder = self.created and not folder_existed
        try:
            self.tables = engine.data_tables(self._source_db)
            self.total = sum(dump.count(self._source_db, table) for table in self.tables)
        except BaseException as error:
            self.__exit__(type(error), error, None)
            raise

    def __enter__(self) -> Copy:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._source_db.close()
        self._target_db.close()
        if error is not None and self.created:
            self._remove_target(self._made_folder)

    def run(
        self, advance: Advance | None = None, stage: Callable[[str], None] | None = None
    ) -> Copied:
        """Copy every table in one transaction, rebuild the search indexes, verify; a failed
        verification rolls everything back (and the caller's `with` removes a new file).
        `advance(n)` is told of every batch of rows written, `stage` of the steps after them."""
        source, target = self._source_db, self._target_db
        mismatch = load.schema_mismatch(self.tables, engine.data_tables(target))
        if mismatch:
            raise GreentechError(
                f"the target {self.target} cannot take the source's rows: {mismatch} "
                "(is one of them from another greentech version?); nothing was changed"
            )
        try:
            return self._copy(source, target, advance, stage)
        except Exception as error:
            # PostgreSQL's refusal of a value or a row (text with a NUL character, a broken
            # reference) is said in one line; SQLite's errors are said by the command line.
            if type(error).__module__.split(".")[0] != "psycopg":
                raise
            reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
            raise GreentechError(
                f"the target {self.target} refused the source's rows ({reason}); {self._undone()}"
            ) from error

    def _copy(
        self,
        source: Database,
        target: Database,
        advance: Advance | None,
        stage: Callable[[str], None] | None,
    ) -> Copied:
        with transaction(target, holder="the copy"):
            copied, written = replace_rows(source, target, self.tables, advance, stage)
            verify(
                copied, written, f"the copy differs from the source after writing; {self._undone()}"
            )
        return Copied(self.source, self.target, copied, written)

    def _undone(self) -> str:
        if self.created:
            return "the target was removed"
        return "no row was copied into the target"

    def _remove_target(self, made_folder: bool) -> None:
        path = self.target.path
        if path is None:
            return
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        if made_folder:
            with contextlib.suppress(OSError):  # something else was put there meanwhile
                path.parent.rmdir()


def replace_rows(
    source: Database,
    target: Database,
    tables: list[engine.Table],
    advance: Advance | None = None,
    stage: Callable[[str], None] | None = None,
) -> tuple[Summary, Summary]:
    """Inside the target's write transaction: its rows replaced by the source's (read as of one
    moment), ids kept, search indexes rebuilt; the summaries of what was read and of what the
    target holds now (for `verify`)."""
    target_tables = {table.name: table for table in engine.data_tables(target)}
    with engine.bulk_load(target):
        load.clear(target, list(target_tables.values()))
        with engine.snapshot(source):
            copied = Summary({table.name: Digest() for table in tables})
            for table in load.load_order(tables):
                # The rows' insertion order, where both engines keep it.
                rowid = table.rowid and target_tables[table.name].rowid
                digest = copied.tables[table.name]
                load.copy_table(source, target, table, digest, advance, rowid=rowid)
        engine.reset_ids(target, tables)
    if stage is not None:
        stage("Building the search indexes…")
    health.rebuild_search_index(target)
    if stage is not None:
        stage("Verifying the copy: counts and checksums…")
    return copied, dump.summarise(target)


def verify(expected: Summary, written: Summary, failed: str) -> None:
    """Raise (so the caller's transaction rolls back) unless what was written is what was read:
    the same rows in every table and the same checksum. `failed` ends with what was undone."""
    differences = expected.differences(written)
    if differences or expected.checksum != written.checksum:
        what, _, undone = failed.partition("; ")
        raise GreentechError(f"{what} ({', '.join(differences or ['checksum'])}); {undone}")


def checksum(db: Database) -> Summary:
    """The logical dump's checksum and the rows of every table (one consistent read)."""
    return dump.summarise(db)


def write_dump(db: Database, out: Path | None, stdout: IO[bytes]) -> Summary:
    """Write the logical dump as NDJSON (one line a row) to `out` (owner-only, complete or
    absent) or to `stdout`; its summary."""

    def write(stream: IO[bytes]) -> Summary:
        def sink(table: str, text: str) -> None:
            stream.write(text.encode("utf-8") + b"\n")

        return dump.dump_lines(db, sink)

    if out is None:
        summary = write(stdout)
        stdout.flush()
        return summary
    return write_private(out.expanduser(), write)


def describe_counts(summary: Summary) -> str:
    """ "24 contacts, 23 companies, … (812 rows in 27 tables)" for a message."""
    counts = summary.counts
    shown = ", ".join(
        f"{counts[name]:,} {name}"
        for name in ("contacts", "companies", "delegations", "visits")
        if name in counts
    )
    total = sum(counts.values())
    return f"{shown} ({total:,} rows in {len(counts)} tables)"
