"""Read a CSV/TSV text file as a stream of records, in the encoding and dialect decided for it.

Records are ``(line, cells)`` where the line is where the CSV record starts (multi-line cells and
blank lines counted). A NUL byte, an undecodable byte, broken quoting or a cell over 1 MB stops
the stream with the line it is on.

A quote opened by mistake (``Anna,"Schmidt,…``) makes a CSV reader, and a spreadsheet, swallow
the rows after it into one cell. A record spread over several lines, which only a quoted cell
does, is therefore looked at (single-line records, nearly all of them, cost nothing more): the
file is refused, naming the line where the quote opened, when the cell runs over more than
MAX_CELL_LINES lines (an address takes 2–4), when its quote is not closed properly (at the end of
the file, or followed by more text: what a strict reader refuses), or when it holds lines that
look like rows of the file (ROW_LIKE_LINES lines with as many delimiters as the widest row so
far, at least ROW_LIKE_DELIMITERS) and leaves its record short of cells. The rows read are then
the rows a spreadsheet shows.
"""

from __future__ import annotations

import csv
import re
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from greentech_cli.errors import UnreadableFile
from greentech_cli.importers.encoding import first_decode_error, line_at

if TYPE_CHECKING:
    from greentech_cli.importers.formats import Format

# No contact field needs a megabyte; a bigger cell means a broken or hostile file.
MAX_CELL_CHARS = 1024 * 1024
# A quoted cell over more lines than this is a quote left open (notes of a few lines still fit),
# and so is a record over more lines than several such cells would take.
MAX_CELL_LINES = 20
MAX_RECORD_LINES = 5 * MAX_CELL_LINES
# Lines inside one cell that look like rows of the file: this many, each with at least as many
# delimiters as the widest row so far has (and no fewer than ROW_LIKE_DELIMITERS), in a record
# left short by them (a note with commas in a full row is a note).
ROW_LIKE_LINES = 2
ROW_LIKE_DELIMITERS = 2
_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")


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
    recent: deque[str] = deque(maxlen=MAX_RECORD_LINES)
    lines = _checked_lines(stream, path, encoding, recent)
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    end = 0
    width = 0
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
            if end > start:
                _check_quoted_cells(name, start, end, cells, recent, delimiter, width)
            if len(cells) > width:
                width = len(cells)
            yield start, cells
    finally:
        stream.close()


def _check_quoted_cells(
    name: str,
    start: int,
    end: int,
    cells: list[str],
    recent: Sequence[str],
    delimiter: str,
    width: int,
) -> None:
    """Refuse a record over several lines whose quoted cell ran away (see the module docstring)."""
    breaks = [len(_LINE_BREAK_RE.findall(cell)) for cell in cells]
    # The cell over most lines is the one to name; its quote opened on the line it starts on.
    index = max(range(len(cells)), key=lambda i: (breaks[i], i))
    opened = start + sum(breaks[:index])
    if breaks[index] >= MAX_CELL_LINES or end - start >= MAX_RECORD_LINES:
        problem = f"runs over more than {MAX_CELL_LINES} lines"
    elif _badly_closed(list(recent)[start - end - 1 :], delimiter):
        problem = "is not closed properly (at the end of the file, or followed by more text)"
    elif len(cells) < width and _row_like_lines(cells[index], delimiter, width) >= ROW_LIKE_LINES:
        problem = "holds lines that look like rows of the file"
    else:
        return
    raise UnreadableFile(
        f'{name} line {opened}: a quoted cell opened there {problem}; a stray quote (") '
        "would swallow the rows after it, so nothing is read. Remove or close that quote."
    )


def _badly_closed(lines: list[str], delimiter: str) -> bool:
    """Whether a strict CSV reader refuses the lines of one record (how its quotes close)."""
    try:
        for _ in csv.reader(lines, delimiter=delimiter, quotechar='"', strict=True):
            pass
    except csv.Error:
        return True
    return False


def _row_like_lines(cell: str, delimiter: str, width: int) -> int:
    """How many of a cell's later lines hold as many delimiters as a row of the file does."""
    needed = max(ROW_LIKE_DELIMITERS, width - 1)
    return sum(line.count(delimiter) >= needed for line in _LINE_BREAK_RE.split(cell)[1:])


def _checked_lines(stream: IO[str], path: Path, encoding: str, recent: deque[str]) -> Iterator[str]:
    """Yield the physical lines, refusing NUL bytes and undecodable bytes with the line number.

    The last few lines stay in `recent`, for a second look at a record over several lines.
    """
    number = 0
    try:
        for line in stream:
            number += 1
            if "\x00" in line:
                raise UnreadableFile(
                    f"{path.name} contains a NUL byte at line {number}; it is not clean text."
                )
            recent.append(line)
            yield line
    except UnicodeDecodeError:
        # The text layer decodes ahead in blocks, so find the exact line from the bytes.
        offset = first_decode_error(path, encoding)
        line_number = line_at(path, offset) if offset is not None else number + 1
        raise UnreadableFile(
            f"{path.name} line {line_number} cannot be decoded as {encoding}; "
            "give the right --encoding."
        ) from None
