"""Read a CSV/TSV text file as a stream of records, in the encoding and dialect decided for it.

Records are ``(line, cells)`` where the line is where the CSV record starts (multi-line cells and
blank lines counted). A NUL byte, an undecodable byte, broken quoting or a cell over 1 MB stops
the stream with the line it is on.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

from greentech_cli.errors import UnreadableFile
from greentech_cli.importers.encoding import first_decode_error, line_at

if TYPE_CHECKING:
    from greentech_cli.importers.formats import Format

# No contact field needs a megabyte; a bigger cell means a broken or hostile file.
MAX_CELL_CHARS = 1024 * 1024


def open_text_records(path: Path, read_as: Format) -> Iterator[tuple[int, list[str]]]:
    """Open a text table as a stream of CSV records, as ``read_as`` says it is written."""
    encoding, delimiter = read_as.encoding, read_as.delimiter
    assert encoding is not None and delimiter is not None
    # csv's limit is process-wide; it is set to our own ceiling so that an oversized cell stops
    # with a clear message instead of the default 128 KB limit rejecting legitimate long notes.
    csv.field_size_limit(MAX_CELL_CHARS)
    try:
        stream = path.open("r", encoding=encoding, errors="strict", newline="")
    except OSError as exc:
        raise UnreadableFile(f"{path} cannot be read: {exc.strerror or exc}.") from None
    return _csv_records(stream, path, encoding, delimiter)


def _csv_records(
    stream: IO[str], path: Path, encoding: str, delimiter: str
) -> Iterator[tuple[int, list[str]]]:
    """Yield (start line, cells) for every CSV record, turning low-level errors into ours."""
    name = path.name
    lines = _checked_lines(stream, path, encoding)
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    end = 0
    try:
        while True:
            start = end + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if "field larger than field limit" in str(exc):
                    raise UnreadableFile(
                        f"{name}: the row starting at line {start} has a cell larger than 1 MB."
                    ) from None
                raise UnreadableFile(f"{name} line {start} is not valid CSV: {exc}.") from None
            end = reader.line_num
            yield start, cells
    finally:
        stream.close()


def _checked_lines(stream: IO[str], path: Path, encoding: str) -> Iterator[str]:
    """Yield the physical lines, refusing NUL bytes and undecodable bytes with the line number."""
    number = 0
    try:
        for line in stream:
            number += 1
            if "\x00" in line:
                raise UnreadableFile(
                    f"{path.name} contains a NUL byte at line {number}; it is not clean text."
                )
            yield line
    except UnicodeDecodeError:
        # The text layer decodes ahead in blocks, so find the exact line from the bytes.
        offset = first_decode_error(path, encoding)
        line_number = line_at(path, offset) if offset is not None else number + 1
        raise UnreadableFile(
            f"{path.name} line {line_number} cannot be decoded as {encoding}; "
            "give the right --encoding."
        ) from None
