"""Read XLSX workbooks as a stream of records: sheet choice and cell values rendered as text.

openpyxl in read-only mode, cached formula values, numbers without ``.0`` or exponent, dates as
ISO ``YYYY-MM-DD``, booleans as ``yes``/``no``. Records are ``(sheet row number, cells)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from greentech_cli.errors import InvalidData, UnreadableFile


def open_sheet_records(
    path: Path, sheet: str | None
) -> tuple[Iterator[tuple[int, list[str]]], str]:
    """Open a workbook's sheet (the named one, else the first with data) as a record stream."""
    from openpyxl import load_workbook

    name = path.name
    # A file object, not the path: openpyxl refuses names not ending in .xlsx, and content
    # decides the format here (a workbook saved as "liste.csv" is still a workbook).
    handle = path.open("rb")
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (KeyError, XML errors, ...)
        handle.close()
        raise UnreadableFile(f"{name} is not a readable Excel workbook ({exc}).") from None
    try:
        worksheet = _choose_sheet(workbook, sheet, name)
        # Some writers store a wrong dimension (e.g. "A1"); read-only mode would believe it.
        worksheet.reset_dimensions()
        title = str(worksheet.title)
        records = _sheet_records(workbook, worksheet, handle)
    except BaseException:
        workbook.close()
        handle.close()
        raise
    return records, title


def _choose_sheet(workbook: Any, sheet: str | None, name: str) -> Any:
    worksheets = list(workbook.worksheets)
    titles = [str(ws.title) for ws in worksheets]
    if sheet is not None:
        for ws in worksheets:
            if ws.title == sheet:
                return ws
        for ws in worksheets:
            if str(ws.title).casefold() == sheet.strip().casefold():
                return ws
        raise InvalidData(
            f"{name} has no sheet '{sheet}'; its sheets are: {', '.join(titles) or 'none'}."
        )
    visible = [ws for ws in worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
    if not visible:
        raise UnreadableFile(f"{name} has no visible worksheet.")
    # The first sheet with a list under headers we know ("Vorname", "E-Mail", ...); a workbook
    # often starts with a cover or programme sheet. Else the first with any data.
    with_data = None
    for ws in visible:
        found = _sheet_kind(ws)
        if found == "list":
            return ws
        if found == "data" and with_data is None:
            with_data = ws
    return with_data or visible[0]


HEADER_SCAN_ROWS = 20


def _sheet_kind(worksheet: Any) -> str:
    """What a sheet holds: "list" when one of its first filled rows has two or more header names
    we know, "data" when it has any value in its first thousand rows, else "empty"."""
    from greentech_cli.importers.presets import is_known_header

    worksheet.reset_dimensions()
    kind, filled = "empty", 0
    for count, values in enumerate(worksheet.iter_rows(min_row=1, values_only=True)):
        cells = [value for value in values if value not in (None, "")]
        if cells:
            kind, filled = "data", filled + 1
            if sum(1 for cell in cells if isinstance(cell, str) and is_known_header(cell)) >= 2:
                return "list"
            if filled >= HEADER_SCAN_ROWS:
                break
        if count > 1000:
            break
    return kind


def _sheet_records(
    workbook: Any, worksheet: Any, handle: IO[bytes]
) -> Iterator[tuple[int, list[str]]]:
    """Yield (sheet row number, cell texts) and close the workbook and file at the end."""
    try:
        rows = worksheet.iter_rows(min_row=1, values_only=True)
        for number, values in enumerate(rows, start=1):
            yield number, [cell_text(value) for value in values]
    finally:
        workbook.close()
        handle.close()


def cell_text(value: object) -> str:
    """Render a workbook cell value as the text an officer sees (phones without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        # repr gives the shortest round-trip digits; Decimal writes them without an exponent.
        return format(Decimal(repr(value)), "f")
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds" if value.second else "minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds" if value.second else "minutes")
    return str(value)
