"""Read CSV, TSV and XLSX files into a Table of text cells, streaming rows so memory stays flat.

``read_table`` tells the formats apart by content and refuses what it cannot read (old .xls,
ODS, zip bombs); the records come from ``delimited`` (text files) or ``workbook`` (XLSX), and
this module finds the header row and shapes the rows.

The header is the first of the first 20 non-blank rows that looks like one (below title rows such
as "Teilnehmerliste Delegation Kasachstan 2026"). Blank rows are skipped. Every row is yielded as
``Row(number, cells)`` with exactly ``len(table.headers)`` cells at that moment: short rows are
padded with "", and non-empty cells beyond the header get generated headers ``column_N``. Rows
read while looking for the header widen ``table.headers`` before anything is returned; a wider row
further down appends to ``table.headers`` when it is read (the file is never read twice).
Duplicate header names are made unique (``E-Mail (2)``). ``number`` is the line where a CSV
record starts (multi-line cells and blank lines counted) or the worksheet row number.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import NamedTuple

from greentech_cli.errors import InvalidData, NotFound, UnreadableFile
from greentech_cli.importers.delimited import looks_like_markup, open_text_records
from greentech_cli.importers.encoding import SAMPLE_BYTES
from greentech_cli.importers.workbook import open_sheet_records

HEADER_SCAN_ROWS = 20
# Zip bomb guard for workbooks, checked against the zip directory before openpyxl opens it.
XLSX_MAX_UNCOMPRESSED = 200 * 1024 * 1024
XLSX_MAX_RATIO = 100
XLSX_RATIO_MIN_BYTES = 10 * 1024 * 1024
XLSX_MAX_MEMBERS = 10_000

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_XLSX_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm"}
_DATA_LIKE_RE = re.compile(r"^[\d\s.,:;/+\-()%€$#]+$")


class Row(NamedTuple):
    """One data row: its line (CSV, where the record starts) or sheet row number, and cells."""

    number: int
    cells: list[str]


@dataclass
class Table:
    """A table read from a file: headers, a stream of rows and how the file was read."""

    headers: list[str]
    rows: Iterator[Row]
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    header_row: int
    format: str
    path: Path

    # the underlying record stream, closed by close() even if the rows were never started
    source: Iterator[tuple[int, list[str]]] | None = field(default=None, repr=False, compare=False)

    def close(self) -> None:
        """Stop reading and release the file (also done when the rows are exhausted)."""
        for stream in (self.rows, self.source):
            close = getattr(stream, "close", None)
            if close is not None:
                close()

    def __enter__(self) -> Table:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def read_table(
    path: Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> Table:
    """Open a CSV/TSV/XLSX file, detect how it is written and find its header row."""
    path = Path(path)
    name = path.name
    try:
        if path.is_dir():
            raise UnreadableFile(f"{path} is a directory, not a file.")
        with path.open("rb") as handle:
            head = handle.read(SAMPLE_BYTES)
        size = path.stat().st_size
    except FileNotFoundError:
        raise NotFound(f"{path} does not exist.") from None
    except OSError as exc:
        raise UnreadableFile(f"{path} cannot be read: {exc.strerror or exc}.") from None
    if delimiter in ("\\t", "tab", "TAB"):
        delimiter = "\t"  # a tab is hard to type on a command line
    if delimiter is not None and (len(delimiter) != 1 or delimiter in '"\r\n'):
        raise InvalidData(f"The delimiter must be one character (not a quote), not {delimiter!r}.")
    if encoding is not None:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            raise InvalidData(f"'{encoding}' is not a known text encoding.") from None

    if size == 0:
        raise UnreadableFile(f"{name} is empty.")
    suffix = path.suffix.lower()
    if head.startswith(_ZIP_MAGIC) or suffix in _XLSX_SUFFIXES:
        _check_workbook_zip(path, head)
        records, title = open_sheet_records(path, sheet)
        return _make_table(records, path, None, None, title, "xlsx")
    if head.startswith(_OLE_MAGIC):
        raise UnreadableFile(
            f"{name} is an old Excel file; .xls is not supported; save as .xlsx or CSV."
        )
    if suffix == ".xls":
        if looks_like_markup(head[:64].decode("utf-8", "replace")):
            # Web systems often send their "Excel" lists as an HTML table or XML 2003 sheet.
            raise UnreadableFile(
                f"{name} is a web page or XML file with an .xls name, not an Excel workbook; "
                "open it in Excel and save it as .xlsx or CSV."
            )
        raise UnreadableFile(f"{name}: .xls is not supported; save as .xlsx or CSV.")
    records, encoding, delimiter = open_text_records(path, head, size, encoding, delimiter)
    table_format = "tsv" if delimiter == "\t" else "csv"
    return _make_table(records, path, encoding, delimiter, None, table_format)


# --- workbook gate: is it one, and safe to open --------------------------------------------


def _check_workbook_zip(path: Path, head: bytes) -> None:
    """Refuse files that are not workbooks and zip bombs, looking only at the zip directory."""
    name = path.name
    not_workbook = f"{name} is not an Excel workbook."
    if not head.startswith(_ZIP_MAGIC):
        raise UnreadableFile(not_workbook)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnreadableFile(not_workbook) from None
    members = {info.filename for info in infos}
    if "xl/workbook.xml" not in members:
        if "content.xml" in members and "mimetype" in members:
            raise UnreadableFile(f"{name} is an OpenDocument spreadsheet; save it as .xlsx or CSV.")
        if path.suffix.lower() in _XLSX_SUFFIXES:
            raise UnreadableFile(not_workbook)
        raise UnreadableFile(f"{name} is a ZIP archive, not a spreadsheet or CSV file.")
    if len(infos) > XLSX_MAX_MEMBERS:
        raise UnreadableFile(f"{name} holds {len(infos)} parts, too many for a workbook.")
    total = sum(info.file_size for info in infos)
    if total > XLSX_MAX_UNCOMPRESSED:
        raise UnreadableFile(
            f"{name} would unpack to {total // (1024 * 1024)} MB, more than the "
            f"{XLSX_MAX_UNCOMPRESSED // (1024 * 1024)} MB allowed; save it as CSV instead."
        )
    for info in infos:
        if info.file_size > XLSX_RATIO_MIN_BYTES and info.file_size > XLSX_MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise UnreadableFile(
                f"{name} is compressed suspiciously well ({info.filename} expands more than "
                f"{XLSX_MAX_RATIO} times); it is not opened."
            )


# --- shared: header row and row shaping ----------------------------------------------------


def _make_table(
    records: Iterator[tuple[int, list[str]]],
    path: Path,
    encoding: str | None,
    delimiter: str | None,
    sheet: str | None,
    table_format: str,
) -> Table:
    """Find the header among the first non-blank records and wrap the rest as a row stream."""
    scanned: list[tuple[int, list[str]]] = []
    try:
        for number, cells in records:
            if _is_blank(cells):
                continue
            scanned.append((number, cells))
            if len(scanned) >= HEADER_SCAN_ROWS:
                break
    except BaseException:
        _close(records)
        raise
    if not scanned:
        _close(records)
        where = f"sheet '{sheet}' of {path.name}" if sheet else path.name
        raise UnreadableFile(f"{where} is empty.")
    header_at = find_header_row([cells for _, cells in scanned])
    header_line, header_cells = scanned[header_at]
    headers = make_headers(header_cells)
    rows = _shaped_rows(scanned[header_at + 1 :], records, headers)
    return Table(
        headers=headers,
        rows=rows,
        encoding=encoding,
        delimiter=delimiter,
        sheet=sheet,
        header_row=header_line,
        format=table_format,
        path=path,
        source=records,
    )


def _close(records: Iterator[tuple[int, list[str]]]) -> None:
    close = getattr(records, "close", None)
    if close is not None:
        close()


def _is_blank(cells: list[str]) -> bool:
    return not any(cell.strip() for cell in cells)


def _shaped_rows(
    buffered: list[tuple[int, list[str]]],
    records: Iterator[tuple[int, list[str]]],
    headers: list[str],
) -> Iterator[Row]:
    """Yield non-blank rows with exactly one cell per header (the header list may grow)."""
    # Rows read while looking for the header widen the header before anything is yielded, so
    # only a wider row after them (beyond row 20) can still add columns while streaming.
    widest = max((_filled_width(cells) for _, cells in buffered), default=0)
    if widest > len(headers):
        _add_generated_headers(headers, widest)
    width = len(headers)
    try:
        for number, cells in _chain(buffered, records):
            if _is_blank(cells):
                continue
            size = len(cells)
            if size != width:
                if size < width:
                    cells = cells + [""] * (width - size)
                else:
                    while size > width and not cells[size - 1].strip():
                        size -= 1
                    del cells[size:]
                    if size > width:
                        _add_generated_headers(headers, size)
                        width = size
            yield Row(number, cells)
    finally:
        _close(records)


def _filled_width(cells: list[str]) -> int:
    """Number of cells up to and including the last non-empty one."""
    size = len(cells)
    while size and not cells[size - 1].strip():
        size -= 1
    return size


def _add_generated_headers(headers: list[str], width: int) -> None:
    """Name the cells beyond the header ``column_N`` so their data is kept, not dropped."""
    taken = {header.casefold() for header in headers}
    for index in range(len(headers), width):
        headers.append(_unique(f"column_{index + 1}", taken))


def _chain(
    first: list[tuple[int, list[str]]], rest: Iterator[tuple[int, list[str]]]
) -> Iterable[tuple[int, list[str]]]:
    yield from first
    yield from rest


def _unique(name: str, taken: set[str]) -> str:
    candidate, counter = name, 2
    while candidate.casefold() in taken:
        candidate = f"{name} ({counter})"
        counter += 1
    taken.add(candidate.casefold())
    return candidate


def make_headers(cells: list[str]) -> list[str]:
    """Clean header cells: trim, one line, ``column_N`` for blanks, ``Name (2)`` for repeats."""
    cleaned = [
        unicodedata.normalize("NFC", " ".join(cell.replace("\ufeff", "").split())) for cell in cells
    ]
    while cleaned and not cleaned[-1]:
        cleaned.pop()
    taken: set[str] = set()
    return [_unique(text or f"column_{index + 1}", taken) for index, text in enumerate(cleaned)]


def find_header_row(rows: list[list[str]]) -> int:
    """Return the index of the header among the first rows (title rows above it are skipped).

    A header row is wide (at least half as many filled cells as the widest row) and mostly
    non-numeric. When some of these rows use header names that the presets know, the first row
    with at least half of the best such count wins; otherwise the first wide text row.
    """
    from greentech_cli.importers.mapping import is_known_header

    if not rows:
        return 0
    filled = [[cell.strip() for cell in row if cell.strip()] for row in rows]
    widest = max(len(cells) for cells in filled)
    eligible: list[tuple[int, int]] = []
    for index, cells in enumerate(filled):
        if not cells or len(cells) * 2 < widest:
            continue
        data_like = sum(1 for cell in cells if _looks_like_data(cell))
        if data_like * 3 > len(cells):
            continue
        known = sum(1 for cell in cells if is_known_header(cell))
        eligible.append((index, known))
    if not eligible:
        return 0
    best_known = max(known for _, known in eligible)
    if best_known >= 2:
        needed = max(2, (best_known + 1) // 2)
        return next(index for index, known in eligible if known >= needed)
    return eligible[0][0]


def _looks_like_data(cell: str) -> bool:
    """Numbers, dates, phones, e-mail addresses and links are values, not header names."""
    if "@" in cell or cell.lower().startswith(("http://", "https://", "www.")):
        return True
    return bool(_DATA_LIKE_RE.match(cell))
