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
    """A database named on the command line: a SQLite file (a PostgreSQL URL with the seam)."""

    text: str
    path: Path

    def __str__(self) -> str:
        return str(self.path)


def locate(text: str) -> Location:
    """The one place a SOURCE or TARGET is understood (`postgresql://…` comes with the seam)."""
    scheme, sep, _ = text.partition("://")
    if sep and scheme.isidentifier():
        raise UsageError(
            f"{scheme}:// databases cannot be copied yet; give the path of a database file"
        )
    if not text.strip():
        raise UsageError("the database path is empty")
    return Location(text, Path(text).expanduser())


def _open_source(location: Location) -> Database:
    """The source, opened as every command opens a database (a missing file is an error)."""
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


def _open_target(location: Location, source: Location) -> tuple[Database, bool]:
    """The target, new or empty, with today's schema; and whether it was created here."""
    path = location.path
    if not path.exists():
        return open_db(path, create=True), True
    if path.is_dir():
        raise UsageError(f"the target {path} is a folder; give a file name")
    if same_file(path, source.path):
        raise Conflict(f"{path} is the source itself; choose another target")
    # Looked at before its schema is brought up to date: a refused target stays as it was.
    db = open_db(path, migrate=False)
    try:
        full = _holds_data(db, _reference())
    finally:
        db.close()
    if full:
        raise Conflict(
            f"the target {path} already holds data ({', '.join(full[:3])}"
            f"{', …' if len(full) > 3 else ''}); copy into a new file or an empty database; "
            "nothing was changed"
        )
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
        self.source = locate(source_text)
        self.target = locate(target_text)
        folder_existed = self.target.path.parent.exists()
        new_file = not self.target.path.exists()
        self._source_db = _open_source(self.source)
        try:
            self._target_db, self.created = _open_target(self.target, self.source)
        except BaseException:
            self._source_db.close()
            if new_file and self.target.path.exists():  # made, then its schema failed
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
        with transaction(target, holder="the copy"):
            with engine.bulk_load(target):
                load.clear(target, engine.data_tables(target))
                with engine.snapshot(source):
                    copied = Summary({table.name: Digest() for table in self.tables})
                    for table in load.load_order(self.tables):
                        load.copy_table(source, target, table, copied.tables[table.name], advance)
                engine.reset_ids(target, self.tables)
            if stage is not None:
                stage("Building the search indexes…")
            health.rebuild_search_index(target)
            if stage is not None:
                stage("Verifying the copy: counts and checksums…")
            written = dump.summarise(target)
            differences = copied.differences(written)
            if differences or copied.checksum != written.checksum:
                raise GreentechError(
                    "the copy differs from the source after writing ("
                    + ", ".join(differences or ["checksum"])
                    + f"); {self._undone()}"
                )
        return Copied(self.source, self.target, copied, written)

    def _undone(self) -> str:
        return "the target was removed" if self.created else "nothing was changed in the target"

    def _remove_target(self, made_folder: bool) -> None:
        path = self.target.path
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        if made_folder:
            with contextlib.suppress(OSError):  # something else was put there meanwhile
                path.parent.rmdir()


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
