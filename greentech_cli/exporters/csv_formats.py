"""CSV exports: ``csv`` (RFC 4180, UTF-8, commas) and ``csv-excel`` (what German Excel opens).

Both end lines in CRLF and quote only where needed. Cells a spreadsheet would run as a formula
are neutralised with a leading apostrophe unless the job is ``raw`` (see :func:`neutralise`).

``csv-excel`` is opened by a spreadsheet with German settings, which reads every cell that looks
like a number, date or time as one: ``+492841555130`` became 492841555130, postcode ``050000``
became 50000, and ``43.238`` (a dot is the German thousands separator) 43238. So a text that
looks like a number is written as Excel's text formula ``="050000"`` (Excel and LibreOffice show
the text as written; `greentech import` reads the quoted text back), and a decimal number is
written with a decimal comma (``43,238``), which German settings read as the number it is.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, TextIO

from greentech_cli.exporters.cells import cell
from greentech_cli.exporters.registry import ExportJob
from greentech_cli.models.exchange import FORMULA_STARTS
from greentech_cli.render.output import tsv_line

# What makes Excel, LibreOffice or Google Sheets read a cell as a formula (or DDE call): the
# ASCII triggers, the full-width forms some spreadsheets also accept, and tab/CR, which some of
# them strip before looking at the first character (OWASP "CSV injection").
# A plain number — a phone like "+49 211 1234-56" or "-12.5" — is data, not a formula, and an
# apostrophe in front of it would spoil every phone number of the sheet.
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9][0-9 \u00a0\u202f()./-]*")


def neutralise(text: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with an apostrophe."""
    if text and text[0] in FORMULA_STARTS and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


# Text a spreadsheet would read as a number, a date, a time or a percentage: digits with signs,
# separators and at most a percent sign or an exponent ("+492841555130", "050000", "1-2",
# "17.05.1980", "10:30", "5%", "1E5").
_NUMBER_LIKE = re.compile(r"[+-]?[0-9][0-9 .,:/-]*%?|[+-]?[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+")


def _excel_cell(value: Any, raw: bool) -> str:
    """One csv-excel cell: decimals with a comma, number-like text kept as text, formulas
    neutralised (unless raw)."""
    if type(value) is float:
        return repr(value).replace(".", ",")
    text = value if type(value) is str else cell(value)
    if _NUMBER_LIKE.fullmatch(text):
        return f'="{text}"'
    if not raw and text[:1] in FORMULA_STARTS:
        return neutralise(text)
    return text


def _write(
    records: Iterable[dict[str, Any]],
    out: TextIO,
    job: ExportJob,
    delimiter: str,
    bom: bool,
    excel: bool = False,
) -> int:
    """Write the header and one row per record; returns the number of records."""
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(job.columns)
    columns = job.columns
    raw = job.raw
    starts = FORMULA_STARTS
    count = 0
    for record in records:
        row = []
        # Inlined rather than cell()/neutralise() per value: this loop runs for every cell of
        # every row (2.6 million times for 100,000 contacts).
        for name in columns:
            value = record.get(name)
            if value is None:
                row.append("")
                continue
            if excel:
                row.append(_excel_cell(value, raw))
                continue
            text = value if type(value) is str else cell(value)
            if not raw and text[:1] in starts:
                text = neutralise(text)
            row.append(text)
        writer.writerow(row)
        count += 1
    return count


def write_csv(records: Iterable[dict[str, Any]], out: TextIO, job: ExportJob) -> int:
    """RFC 4180: UTF-8 without BOM, commas, CRLF, quotes only where needed."""
    return _write(records, out, job, ",", bom=False)


def write_csv_excel(records: Iterable[dict[str, Any]], out: TextIO, job: ExportJob) -> int:
    """German Excel: UTF-8 with BOM (else Excel reads cp1252), semicolons, CRLF; number-like
    text as ``="text"`` and decimals with a comma, so the spreadsheet keeps what was written."""
    return _write(records, out, job, ";", bom=True, excel=True)


def write_tsv(records: Iterable[dict[str, Any]], out: TextIO, job: ExportJob) -> int:
    """TSV: a header line, then one line per record; tab, CR, LF and backslash escaped."""
    columns = job.columns
    out.write(tsv_line(columns))
    count = 0
    for record in records:
        out.write(tsv_line(cell(record.get(name)) for name in columns))
        count += 1
    return count
