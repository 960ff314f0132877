"""XLSX export: one sheet, bold frozen header, autofilter, text cells that never become formulas.

xlsxwriter runs in constant-memory mode (each row goes to a temporary file as it is written),
and with the conversions that would turn text into something else switched off: a name like
``=HYPERLINK(…)`` stays text, a phone ``+4921…`` or a postcode ``01067`` stays text, a website
stays text. Only ids and coordinates are numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain, islice
from typing import IO, Any

from .records import cell
from .registry import COMPANIES, ExportJob

WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "constant_memory": True,
}
# Column widths come from the header and the first rows (the rest are streamed, not measured).
_SAMPLE_ROWS = 200
_MIN_WIDTH, _MAX_WIDTH = 6, 50


def _widths(columns: list[str], sample: list[dict[str, Any]]) -> list[int]:
    """A width per column: the longest of header and sampled cells, within sensible bounds."""
    widths = []
    for name in columns:
        longest = max([len(name), *(len(cell(row.get(name))) for row in sample)])
        widths.append(min(max(longest + 2, _MIN_WIDTH), _MAX_WIDTH))
    return widths


def write_xlsx(records: Iterable[dict[str, Any]], out: IO[bytes], job: ExportJob) -> int:
    """Write every record as a row of one worksheet; returns the number of records."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(out, WORKBOOK_OPTIONS)
    sheet = workbook.add_worksheet("Companies" if job.kind == COMPANIES else "Contacts")
    bold = workbook.add_format({"bold": True})
    plain = workbook.add_format()
    columns = job.columns

    iterator: Iterator[dict[str, Any]] = iter(records)
    sample = list(islice(iterator, _SAMPLE_ROWS))
    for index, width in enumerate(_widths(columns, sample)):
        sheet.set_column(index, index, width)
    sheet.freeze_panes(1, 0)
    for index, name in enumerate(columns):
        sheet.write_string(0, index, name, bold)

    row = 0
    for row, record in enumerate(chain(sample, iterator), start=1):
        for index, name in enumerate(columns):
            value = record.get(name)
            if value is None or value == "" or value == [] or value == {}:
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(row, index, value)
                continue
            text = cell(value)
            if text.startswith("<r>") and text.endswith("</r>"):
                # In constant-memory mode xlsxwriter copies a string shaped like its own
                # rich-text XML into the file unescaped; as a rich string it is escaped.
                sheet.write_rich_string(row, index, text[:1], plain, text[1:])
            else:
                sheet.write_string(row, index, text)
    sheet.autofilter(0, 0, max(row, 1), len(columns) - 1)
    workbook.close()
    return row
