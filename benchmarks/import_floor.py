"""The two halves of an import measured apart: what no pipeline can do in less CPU time.

    python benchmarks/import_floor.py prepare FILE      reading and normalising every row
    python benchmarks/import_floor.py write FILE DB     SQLite storing them as new contacts

`prepare` runs the reader's work in this one process (no worker). `write` prepares every row
first (not timed), then times only what SQLite does for an import that creates them all: the
contacts insert with its indexes, the full-text entries, the batch's change records and the
commit; no duplicate check, no Python per row beyond building the parameters. Each prints one
JSON object: {"rows": N, "cpu": seconds of this process's CPU for the timed part}.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from greentech_cli.db import import_pragmas, open_db, transaction
from greentech_cli.importers.sources import open_source
from greentech_cli.models.imports import ImportOptions
from greentech_cli.services.imports.feed import chunks
from greentech_cli.services.imports.rows import Prepared
from greentech_cli.store import contacts, imports
from greentech_cli.store.common import now


def prepared_chunks(path: Path) -> Iterator[list[Prepared]]:
    """The file's rows prepared as an import prepares them, a chunk at a time."""
    options = ImportOptions()
    return chunks(open_source(path, options), options)


def prepare(path: Path) -> dict[str, float]:
    start = time.process_time()
    rows = sum(len(chunk) for chunk in prepared_chunks(path))
    return {"rows": rows, "cpu": time.process_time() - start}


def write(path: Path, db_path: Path) -> dict[str, float]:
    rows = [p for chunk in prepared_chunks(path) for p in chunk if p.values is not None]
    db = open_db(db_path)
    start = time.process_time()
    with import_pragmas(db), transaction(db):
        batch_id = imports.create_batch(
            db, file=path.name, content_hash="floor", format="csv", target="contacts"
        )
        next_id = contacts.next_id(db)
        stamp = now()
        for first in range(0, len(rows), 500):
            new = [
                contacts.NewContact(next_id + first + i, None, p.values, p.names)
                for i, p in enumerate(rows[first : first + 500])
                if p.values is not None  # always: only usable rows were kept
            ]
            contacts.insert_many(db, new, {None: (None, None)}, batch_id=batch_id, stamp=stamp)
            imports.record_creates(db, batch_id, "contact", new[0].id, new[-1].id)
    return {"rows": len(rows), "cpu": time.process_time() - start}


if __name__ == "__main__":
    mode, *args = sys.argv[1:]
    result = prepare(Path(args[0])) if mode == "prepare" else write(Path(args[0]), Path(args[1]))
    print(json.dumps(result))
