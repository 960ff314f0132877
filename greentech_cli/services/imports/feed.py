"""The rows of an import, prepared in chunks: in this process, or beside it in a worker.

Reading and normalising a large table (CSV cells, names, emails, phone numbers) costs as much as
writing it, and the two need nothing from each other: a worker process reads and prepares the
rows while this process writes the ones before. The worker gets the file's path, the options and
the format decided here, and opens the source itself (the same reading, so it sees the same rows);
chunks travel through a pipe whose small buffer keeps the worker at most a chunk or two ahead, so
memory stays flat however long the file is. Small files, vCards and YAML/JSON lists are prepared in
process: starting a worker would cost more than it saves.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from greentech_cli import collector
from greentech_cli.errors import GreentechError, UnreadableFile
from greentech_cli.services.imports.rows import Prepared, prepare

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from greentech_cli.importers.formats import Format
    from greentech_cli.importers.sources import Source
    from greentech_cli.models.imports import ImportOptions

CHUNK = 500
# Starting a worker (a fresh interpreter) pays from about here: a 2 MB list (12,000 rows) took
# 2.4–2.9 s either way, 17 MB (100,000 rows) 13.5 s with a worker against 18.4 s without.
PARALLEL_MIN_BYTES = 2 * 1024 * 1024
PARALLEL_FORMATS = ("csv", "tsv", "xlsx")


def chunks(source: Source, options: ImportOptions) -> Iterator[list[Prepared]]:
    """The prepared rows of a source, CHUNK at a time, in file order.

    A rejected row's cells are taken off the counts of the columns that store or keep values: they
    go to the rejects file, and the summary's columns say what was stored (a column is never
    "kept" when nothing was); a column that is not imported counts every cell it had.
    """
    rows = source.rows()
    members = options.delegation is not None
    chunk: list[Prepared] = []
    rejected: Counter[int] = Counter()
    for index, row in enumerate(rows, start=1):
        chunk.append(
            prepare(
                index,
                row.number,
                row.cells,
                row.record,
                target=options.target,
                default_country=options.default_country,
                members=members,
                fill_country=options.delegation_country,
                company_countries=options.company_countries,
            )
        )
        if chunk[-1].reject is not None:
            rejected.update(i for i, cell in enumerate(row.cells or ()) if cell.strip())
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    for column, cells in rejected.items():  # the reader has added up its counts by now
        if source.went_to[column].startswith(("stored", "kept")):  # "not imported" stays as read
            source.cells[column] -= cells
    if chunk:
        yield chunk


def use_worker(path: Path, source: Source) -> bool:
    """Whether preparing this source in a worker process pays (a large table, a second core)."""
    setting = os.environ.get("GREENTECH_IMPORT_WORKER", "auto")
    if setting in ("0", "1"):
        return setting == "1" and source.format in PARALLEL_FORMATS
    return (
        source.format in PARALLEL_FORMATS
        and (os.cpu_count() or 1) > 1
        and path.stat().st_size >= PARALLEL_MIN_BYTES
    )


def feed(path: Path, source: Source, options: ImportOptions) -> Iterator[list[Prepared]]:
    """Prepared chunks of the source, from a worker process when `use_worker` says so."""
    if not use_worker(path, source):
        yield from chunks(source, options)
        return
    import multiprocessing

    # spawn, not fork: the parent may run threads (the progress bar) and holds a database.
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(
        target=_work, args=(sender, path, options, source.read_as), daemon=True
    )
    worker.start()
    sender.close()
    try:
        while True:
            try:
                kind, payload = receiver.recv()
            except EOFError:
                raise UnreadableFile(
                    f"reading {path.name} stopped unexpectedly (the reader process ended)"
                ) from None
            if kind == "rows":
                yield payload
            elif kind == "error":
                raise payload
            else:
                # The worker counted the cells of each column: the summary reports them.
                source.headers, source.went_to[:], source.cells[:] = payload
                return
    finally:
        receiver.close()
        if worker.is_alive():
            worker.terminate()
        worker.join()


def _work(sender: Connection, path: Path, options: ImportOptions, read_as: Format | None) -> None:
    """The worker: open the source as the parent did and send its prepared chunks, then "end".

    Ctrl-C is the parent's to handle (it rolls back and ends the worker); a parent that has gone
    (finished early, failed or killed) leaves nothing to do. Neither prints anything here.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with collector.relaxed():
            _send_chunks(sender, path, options, read_as)
    except BrokenPipeError:
        pass
    finally:
        sender.close()


def _send_chunks(
    sender: Connection, path: Path, options: ImportOptions, read_as: Format | None
) -> None:
    from greentech_cli.importers.sources import open_source

    try:
        source = open_source(path, options, read_as)
        for chunk in chunks(source, options):
            sender.send(("rows", chunk))
        sender.send(("end", (source.headers, source.went_to, source.cells)))
    except GreentechError as exc:
        sender.send(("error", exc))
    except Exception as exc:  # anything else reaches the parent as it is
        sender.send(("error", _picklable(exc)))


def _picklable(exc: BaseException) -> BaseException:
    """The exception itself when it crosses a pipe, else a RuntimeError with its text."""
    import pickle

    try:
        pickle.dumps(exc)
    except Exception:  # whatever makes it unpicklable: send its text
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def estimate_rows(path: Path) -> int | None:
    """About how many records a file holds, for a progress bar's time left; None when a quick
    look cannot tell (workbooks, YAML, JSON, pipes). Lines of a text file less its header (a
    cell spanning lines counts twice), cards of a vCard file."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".tsv", ".txt", ".vcf", ".vcard") or not path.is_file():
        return None
    marker = b"BEGIN:VCARD" if suffix in (".vcf", ".vcard") else b"\n"
    count = 0
    tail = b""
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                block = tail + chunk
                count += block.count(marker)
                # A marker split across two reads is found in the next block (the tail is too
                # short to hold a whole one, so none is counted twice).
                tail = block[-(len(marker) - 1) :] if len(marker) > 1 else b""
    except OSError:
        return None
    return max(count - 1, 0) if marker == b"\n" else count
