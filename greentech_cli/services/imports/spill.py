"""An import's rows read and prepared before it takes the write lock, kept until it writes.

Reading and normalising a file costs about as much as writing it and needs no lock: the import
does it first, while other processes may still write, and holds the lock only for matching and
writing. The prepared chunks wait here: the first few in memory, the rest pickled into an
unnamed temporary file (owner-only, never visible by name, gone when closed or the process
ends, kill -9 included), so memory stays flat however long the file is. Every warning of the
import waits in such a file too (`WarningLog`), for `--format json` and `--warnings FILE`.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

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


class Spill:
    """Prepared chunks in file order: `add` them, then iterate once."""

    def __init__(self) -> None:
        self.memory: list[list[Prepared]] = []
        self.file: IO[bytes] | None = None
        self.spilled = 0
        self.rows = 0

    def add(self, chunk: list[Prepared]) -> None:
        """Keep one chunk."""
        self.rows += len(chunk)
        if self.file is None and len(self.memory) < IN_MEMORY_CHUNKS:
            self.memory.append(chunk)
            return
        if self.file is None:
            self.file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        pickle.dump(chunk, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.spilled += 1

    def __iter__(self) -> Iterator[list[Prepared]]:
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


def read_all(
    path: Path,
    source: Source,
    options: ImportOptions,
    progress: Callable[[int], None] | None = None,
) -> Spill:
    """Read and prepare every row of the source (no lock held), in a worker when it pays."""
    spill = Spill()
    try:
        for chunk in feed(path, source, options):
            spill.add(chunk)
            if progress is not None:
                progress(len(chunk))
    except BaseException:
        spill.close()
        raise
    return spill
