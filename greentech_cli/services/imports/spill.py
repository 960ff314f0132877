"""An import's rows read, prepared and matched before it takes the write lock, kept until it writes.

Reading and normalising a file costs about as much as writing it and needs no lock: the import
does it first, while other processes may still write. The prepared chunks wait here: the first
few in memory, the rest pickled into an unnamed temporary file (owner-only, never visible by name,
gone when closed or the process ends, kill -9 included), so memory stays flat however long the
file is. When a worker process reads a large table, the import takes the lock just in time: once
a tenth of the rows are kept, enough to keep the writer busy while the worker reads the rest
(`LOCK_AFTER`), so the two overlap and the lock is held for writing only; rows read after that
are matched under the lock, where they see what the import wrote.

Meanwhile each chunk is matched against the database as it is then (`Prematch`): the row's
company among the stored ones, its candidates (`contacts.candidates`) and the decision
(`identity.duplicates.decide`), read-only, no lock held; the early matches are kept with the
rows. Under the lock the writer keeps them when no other process committed since the import first
looked (`PRAGMA data_version` unchanged), and looks a row up again only when its company is one
the import created meanwhile or its keys may meet a contact the import itself wrote or changed
(`identity.duplicates.WrittenKeys`), so in-file duplicates are found as before. When another
process did commit, every row is matched again under the lock.

Every warning of the import waits in such a file too (`WarningLog`), for `--format json` and
`--warnings FILE`.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from greentech_cli.errors import InvalidData
from greentech_cli.models.records import Contact
from greentech_cli.services.identity.duplicates import Decision, DuplicateFinder, decide
from greentech_cli.services.imports.feed import estimate_rows, feed, use_worker
from greentech_cli.services.imports.rows import Prepared, normalise_company
from greentech_cli.store import contacts as contact_store

if TYPE_CHECKING:
    from greentech_cli.db import Database
    from greentech_cli.importers.sources import Source
    from greentech_cli.models.imports import ImportOptions

IN_MEMORY_CHUNKS = 8


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks (an import names its file by it)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# A chunk of prepared rows and, row by row, what was matched for it before the lock.
Kept = tuple[list[Prepared], list[Any]]


class Spill:
    """Prepared chunks in file order, each with its early matches: `add` them, iterate once."""

    def __init__(self) -> None:
        self.memory: list[Kept] = []
        self.file: IO[bytes] | None = None
        self.spilled = 0
        self.rows = 0

    def add(self, chunk: list[Prepared], early: list[Any]) -> None:
        """Keep one chunk and its early matches."""
        self.rows += len(chunk)
        if self.file is None and len(self.memory) < IN_MEMORY_CHUNKS:
            self.memory.append((chunk, early))
            return
        if self.file is None:
            self.file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        pickle.dump((chunk, early), self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.spilled += 1

    def __iter__(self) -> Iterator[Kept]:
        while self.memory:
            yield self.memory.pop(0)
        if self.file is not None:
            self.file.seek(0)
            for _ in range(self.spilled):
                yield pickle.load(self.file)

    def close(self) -> None:
        """Drop what is kept (the temporary file is deleted)."""
        self.memory = []
        if self.file is not None:
            self.file.close()
            self.file = None

    def __enter__(self) -> Spill:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class WarningLog:
    """Every warning of an import, in order, kept in an unnamed temporary file (one JSON string
    a line: a warning may hold a line break) rather than in memory: a million-row file may give
    a hundred thousand of them. `append` them; iterating reads them back (again each time)."""

    def __init__(self) -> None:
        self.count = 0
        self.file: IO[bytes] | None = None

    def append(self, warning: str) -> None:
        """Keep one more warning."""
        if self.file is None:
            self.file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self.file.write(json.dumps(warning, ensure_ascii=False).encode("utf-8") + b"\n")
        self.count += 1

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[str]:
        if self.file is None:
            return
        self.file.seek(0)
        try:
            for line in self.file:
                yield json.loads(line)
        finally:
            self.file.seek(0, 2)  # appends go on at the end

    def write_lines(self, path: Path) -> None:
        """Write every warning to `path`, one a line, owner-only and atomically (`--warnings`)."""
        from greentech_cli.files import write_private

        def write(out: IO[bytes]) -> None:
            for warning in self:
                out.write(f"{warning}{os.linesep}".encode())

        write_private(path, write)

    def close(self) -> None:
        """Drop the warnings (the temporary file is deleted)."""
        if self.file is not None:
            self.file.close()
            self.file = None
        self.count = 0


# When a worker reads, the import takes the write lock once this share of the file's rows is read
# and kept: the writer then writes what was kept while the worker reads the rest. The writer
# (matching and writing) is about as fast as the reader now: 100,000 rows into a database of
# 100,000 contacts took the writer 15-16 s of CPU and the reader 13-14 s (2026-12-03, under load),
# so a writer that starts after a tenth of the rows keeps busy to the end without catching up: the
# lock is held for writing, not for waiting, and the import takes about the writing time instead
# of reading the first half and then writing everything (LOCK_AFTER 0.5 before; the writer was
# idle for most of the first half, with 2.5 of its 17 s of CPU spent before the lock).
LOCK_AFTER = 0.1


def read_all(
    path: Path,
    source: Source,
    options: ImportOptions,
    progress: Callable[[int], None] | None = None,
    match: Callable[[list[Prepared]], list[Any]] | None = None,
) -> Reading:
    """Read, prepare and `match` the source's rows (no lock held), in a worker when it pays; the
    early matches are None for every row without `match`. With a worker and a file whose rows
    can be counted beforehand, reading stops at LOCK_AFTER of them: iterating the result (under
    the lock) gives the rows kept, then the rest as the worker reads them."""
    reading = Reading(feed(path, source, options), progress, match)
    total = estimate_rows(path) if use_worker(path, source) else None
    try:
        reading.read(None if total is None else int(total * LOCK_AFTER))
    except BaseException:
        reading.close()
        raise
    return reading


class Reading:
    """The chunks of an import as they are read: kept (`Spill`) before the lock, then handed on;
    iterate once, in file order."""

    def __init__(
        self,
        chunks: Iterator[list[Prepared]],
        progress: Callable[[int], None] | None,
        match: Callable[[list[Prepared]], list[Any]] | None,
    ) -> None:
        self.chunks = chunks
        self.progress = progress
        self.match = match
        self.spill = Spill()

    def _matched(self, chunk: list[Prepared]) -> Kept:
        if self.progress is not None:
            self.progress(len(chunk))
        return chunk, self.match(chunk) if self.match is not None else [None] * len(chunk)

    def read(self, until: int | None = None) -> None:
        """Read and keep chunks: all of them, or until `until` rows are kept."""
        for chunk in self.chunks:
            self.spill.add(*self._matched(chunk))
            if until is not None and self.spill.rows >= until:
                return

    def __iter__(self) -> Iterator[Kept]:
        yield from self.spill
        for chunk in self.chunks:  # read while the import writes (it holds the lock by now)
            # No early match: the writer looks these rows up itself, against the database as it
            # stands, its own rows written (an early match here would be made again for every
            # row that meets them).
            if self.progress is not None:
                self.progress(len(chunk))
            yield chunk, [None] * len(chunk)

    def close(self) -> None:
        """Drop what is kept and stop reading (a worker ends)."""
        self.spill.close()
        close = getattr(self.chunks, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> Reading:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- matching before the lock


@dataclass(slots=True)
class Early:
    """A row's match before the lock: the stored company it named, and the decision; for a row
    whose company is not stored yet also its candidates (`block`), to decide again once the
    import has created the company (the candidates stay, but the company weighs in)."""

    company_id: int | None
    decision: Decision
    block: list[Contact] | None = None

    def __reduce__(self) -> tuple[type[Early], tuple[Any, ...]]:
        # Pickled as its fields (it waits in the spill file with its row): less work than the
        # default for a slotted class.
        return Early, (self.company_id, self.decision, self.block)


class Prematch:
    """Matches chunks of prepared rows against the database as it is (read-only)."""

    def __init__(self, db: Database, options: ImportOptions) -> None:
        self.db = db
        self.finder = DuplicateFinder(db, options.target)
        # Only a contact import that may act on duplicates matches them.
        self.active = options.target == "contacts" and options.on_duplicate != "new"
        self.companies: dict[str, int | None] = {}

    def __call__(self, chunk: list[Prepared]) -> list[Early | None]:
        """The early match of each row of a chunk (None for a rejected row)."""
        early: list[Early | None] = [None] * len(chunk)
        if not self.active:
            return early
        usable = [(i, p, self._company(p)) for i, p in enumerate(chunk) if p.reject is None]
        blocks = contact_store.candidates(self.db, [linked_keys(p, c) for _, p, c in usable])
        for (i, prepared, company_id), block in zip(usable, blocks, strict=True):
            decision = decide(prepared.contact(company_id), block) if block else Decision()
            waiting = company_id is None and prepared.company is not None
            early[i] = Early(company_id, decision, block if waiting else None)
        return early

    def _company(self, prepared: Prepared) -> int | None:
        """The stored company a row names (as the writer finds it), or None."""
        if prepared.company is None:
            return None
        name = prepared.company["name"]
        if name not in self.companies:
            try:
                company, _ = normalise_company(prepared.company)
            except InvalidData:  # the writer says so, under the lock
                return None
            self.companies[name] = self.finder.find_company(company)
        return self.companies[name]


def linked_keys(prepared: Prepared, company_id: int | None) -> contact_store.Keys:
    """The duplicate lookup keys of a prepared row linked to its company."""
    keys = prepared.keys
    assert keys is not None
    if keys.company_id == company_id:  # no company: the keys as prepared
        return keys
    return contact_store.Keys(
        keys.email, keys.name_keys, keys.phones, company_id, keys.uid, keys.emails
    )
