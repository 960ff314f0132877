"""Read CSV/TSV text files as a stream of records: encoding, delimiter sniffing, line checks.

The encoding is taken from a BOM, else strict UTF-8 (checked over the whole file in chunks), else
charset-normalizer restricted to cp1252/cp1251/KOI8-R/cp866, or ``encoding``. The delimiter is
sniffed among ``; , TAB |`` unless ``delimiter`` is given. Records are ``(line, cells)`` where the
line is where the CSV record starts (multi-line cells and blank lines counted).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from greentech_cli.errors import UnreadableFile
from greentech_cli.importers.encoding import (
    _bom_encoding,
    _bomless_utf16,
    _check_binary,
    _decode_sample,
    _detect_encoding,
    _first_decode_error,
    _line_at,
)

# No contact field needs a megabyte; a bigger cell means a broken or hostile file.
MAX_CELL_CHARS = 1024 * 1024
SNIFF_LINES = 50
DELIMITERS = ";,\t|"

_MARKUP_STARTS = ("<!doctype", "<html", "<table", "<?xml")
_TEXT_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")


def looks_like_markup(text: str) -> bool:
    """Whether a text starts as an HTML page or an XML document does (a web export, say)."""
    return text.lstrip("\ufeff \t\r\n")[:15].lower().startswith(_MARKUP_STARTS)


def open_text_records(
    path: Path, head: bytes, size: int, encoding: str | None, delimiter: str | None
) -> tuple[Iterator[tuple[int, list[str]]], str, str]:
    """Open a text file as a stream of CSV records, with the encoding and delimiter it uses."""
    name = path.name
    unicode_encoding = _bom_encoding(head) or _bomless_utf16(head)
    # UTF-16/32 text is full of NUL bytes; only other encodings can be checked for binary data.
    if not (encoding or unicode_encoding or "").startswith(("utf-16", "utf-32")):
        _check_binary(head, name)
    if encoding is None:
        encoding = unicode_encoding or _detect_encoding(path, head)
    sample = _decode_sample(head, encoding, complete=size <= len(head), name=name)
    if not sample.strip() and size <= len(head):
        raise UnreadableFile(f"{name} is empty.")
    if looks_like_markup(sample):
        raise UnreadableFile(f"{name} is an HTML or XML file, not CSV; save it as CSV.")
    if delimiter is None:
        delimiter = sniff_delimiter(sample if size <= len(head) else _drop_last_line(sample))

    # csv's limit is process-wide; it is set to our own ceiling so that an oversized cell stops
    # with a clear message instead of the default 128 KB limit rejecting legitimate long notes.
    csv.field_size_limit(MAX_CELL_CHARS)
    try:
        stream = path.open("r", encoding=encoding, errors="strict", newline="")
    except OSError as exc:
        raise UnreadableFile(f"{path} cannot be read: {exc.strerror or exc}.") from None
    return _csv_records(stream, path, encoding, delimiter), encoding, delimiter


def _drop_last_line(text: str) -> str:
    """Cut a sample at its last line break so a half-read line does not confuse sniffing."""
    cut = max(text.rfind("\n"), text.rfind("\r"))
    return text[:cut] if cut > 0 else text


def sniff_delimiter(sample: str) -> str:
    """Guess the delimiter of CSV text among ``; , TAB |`` (one-column text gives a comma)."""
    # Split only where the csv reader does (str.splitlines also splits at U+2028 and friends).
    lines = [line for line in _TEXT_LINE_BREAK_RE.split(sample) if line.strip()][:SNIFF_LINES]
    if not lines:
        return ","
    text = "\n".join(lines) + "\n"
    scores = {candidate: _consistency(text, candidate) for candidate in DELIMITERS}
    best = max(DELIMITERS, key=lambda candidate: scores[candidate])
    if scores[best][1] < 2:
        return ","  # one column: nothing to split on
    try:
        sniffed = csv.Sniffer().sniff(text, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return best
    # Trust the sniffer unless its answer splits the lines less consistently or into fewer
    # columns (decimal commas in a semicolon file can look like a steady comma count).
    consistency, columns = scores.get(sniffed, (0.0, 0))
    if columns >= 2 and consistency >= scores[best][0] - 0.1 and columns >= scores[best][1]:
        return sniffed
    return best


def _consistency(text: str, delimiter: str) -> tuple[float, int]:
    """Share of lines with the most common field count, and that count (quotes respected)."""
    counts: dict[int, int] = {}
    total = 0
    try:
        for cells in csv.reader(_TEXT_LINE_BREAK_RE.split(text), delimiter=delimiter):
            if not cells:
                continue
            total += 1
            counts[len(cells)] = counts.get(len(cells), 0) + 1
    except csv.Error:
        return 0.0, 0
    if not total:
        return 0.0, 0
    # Prefer the most common count above one: a title line has a single field in any dialect.
    wide = {count: seen for count, seen in counts.items() if count > 1}
    if not wide:
        return 0.0, 1
    modal = max(wide, key=lambda count: (wide[count], count))
    return wide[modal] / total, modal


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
        offset = _first_decode_error(path, encoding)
        line_number = _line_at(path, offset) if offset is not None else number + 1
        raise UnreadableFile(
            f"{path.name} line {line_number} cannot be decoded as {encoding}; "
            "give the right --encoding."
        ) from None
