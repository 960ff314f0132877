"""An import's rows read and prepared before it takes the write lock, kept until it writes.

Reading and normalising a file costs about as much as writing it and needs no lock: the import
does it first, while other processes may still write, and matches each chunk against the
database as it is then (`services.imports.prematch`), holding the lock only to write. The
prepared chunks wait here with their early matches: the first few in memory, the rest pickled
into an unnamed temporary file (owner-only, never visible by name, gone when closed or the process
ends, kill -9 included), so memory stays flat however long the file is.
"""

from __future__ import annotations

import hashlib
import pickle
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from greentech_cli.services.imports.feed import feed
from greentech_cli.services.imports.rows import Prepared

if TYPE_CHECKING:
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


def read_all(
    path: Path,
    source: Source,
    options: ImportOptions,
    progress: Callable[[int], None] | None = None,
    match: Callable[[list[Prepared]], list[Any]] | None = None,
) -> Spill:
    """Read and prepare every row of the source (no lock held), in a worker when it pays, and
    `match` each chunk meanwhile (the early matches: None for every row without it)."""
    spill = Spill()
    try:
        for chunk in feed(path, source, options):
            spill.add(chunk, match(chunk) if match is not None else [None] * len(chunk))
            if progress is not None:
                progress(len(chunk))
    except BaseException:
        spill.close()
        raise
    return spill
