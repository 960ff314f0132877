"""XLSX export: one sheet, bold frozen header, autofilter, text cells that never become formulas.

Our own small streaming writer (xlsxwriter costs about 6 µs a cell, 10 s for 100,000 contacts):
a zip of the few parts Excel needs, with the sheet written row by row as it is read, so memory
stays flat. Every text is an inline string (``t="inlineStr"``), never a formula, a number or a
link: a name like ``=HYPERLINK(…)`` stays text, a phone ``+4921…`` or a postcode ``01067`` stays
text, a website stays text. Only real numbers in the records (a company's ``lat``/``lon``) are
numbers.

What a cell holds is the record's text with three rules, the same in Excel, LibreOffice and
openpyxl:

- Characters XML cannot carry are dropped: the C0 controls other than tab, line feed and
  carriage return, lone surrogates, U+FFFE and U+FFFF.
- A cell holds at most 32,767 characters (Excel's limit, counted as Excel counts: in UTF-16
  units); a longer text is cut to its first 32,767, never inside a character.
- Text that happens to look like OOXML's own escape ``_xHHHH_`` is written as ``_x005F_xHHHH_``
  (OOXML's escape of the underscore), so Excel and LibreOffice show it as it was typed.
  Programs that read the file without decoding these escapes (openpyxl) show the escaped form.

Carriage returns are written as ``&#13;`` so that XML parsers keep them, and text with leading or
trailing white space gets ``xml:space="preserve"`` so that Excel keeps it.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice
from operator import itemgetter
from typing import IO, Any

from greentech_cli.errors import InvalidData
from greentech_cli.exporters.cells import cell
from greentech_cli.exporters.registry import COMPANIES, ExportJob

# Column widths come from the header and the first rows (the rest are streamed, not measured).
_SAMPLE_ROWS = 200
_MIN_WIDTH, _MAX_WIDTH = 6, 50
# Excel's limits: rows of a sheet, characters (UTF-16 units) of a cell.
MAX_ROWS = 1_048_576
MAX_CELL_CHARS = 32_767
# Rows are encoded and handed to the zip in batches, not one write per row.
_BATCH_ROWS = 256
# Fast deflate: the sheet is mostly markup; level 1 keeps the file small at a fraction of the
# time of the default level.
_COMPRESS_LEVEL = 1
# Beyond this many rows the sheet might pass 2 GiB unpacked, which needs ZIP64 (not readable by
# Excel 2010 and older, so it is used only when it may be needed).
_ZIP64_ROWS = 200_000

# What XML 1.0 cannot carry at all: dropped.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# An underscore that starts text shaped like OOXML's escape of a character, which Excel would
# decode. A lookahead, so that overlapping ones ("_x0041_x0041_") are all found.
_OOXML_ESCAPE = re.compile("_(?=x[0-9A-Fa-f]{4}_)")
# The texts of a row are joined with this and checked at once; see _needs_care.
_SEPARATOR = "|"

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/app.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)
_APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>greentech</Application></Properties>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# Style 0 is the default (Calibri 11), style 1 the bold header. No theme colours or fonts:
# the package has no theme part for them to refer to.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2">'
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    "</fonts>"
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="0"/><tableStyles count="0"/>'
    "</styleSheet>"
)
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
    "</sheetView></sheetViews>"
    '<sheetFormatPr defaultRowHeight="15"/>'
)


def column_letter(index: int) -> str:
    """The letters of a 0-based column index: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _truncate(text: str) -> str:
    """Cut a text to Excel's 32,767 UTF-16 units per cell, never inside a character."""
    if len(text) <= MAX_CELL_CHARS // 2:
        return text
    units = 0
    for index, char in enumerate(text):
        units += 2 if char > "\uffff" else 1
        if units > MAX_CELL_CHARS:
            return text[:index]
    return text


def cell_text(text: str) -> str:
    """What a cell shows for a text: illegal characters dropped, cut to Excel's limit."""
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("", text)
    return _truncate(text)


def _escape(text: str) -> str:
    """XML for a cell's text, after cell_text: OOXML escapes, XML specials, carriage returns."""
    if "_x" in text:
        text = _OOXML_ESCAPE.sub("_x005F_", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;")


def _string_cell(ref: str, text: str, style: str = "") -> str:
    """An inline-string cell for any text (the careful path)."""
    text = cell_text(text)
    if not text:
        return ""
    space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{_escape(text)}</t></is></c>'


def _number_cell(ref: str, value: float) -> str:
    """A number cell; a number Excel cannot hold (NaN, infinity) is written as its text."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return _string_cell(ref, str(value))
        return f'<c r="{ref}"><v>{float(value)!r}</v></c>'
    return f'<c r="{ref}"><v>{int(value)}</v></c>'


def _is_number(value: object) -> bool:
    """Tell whether a value is written as a number (ints and floats, not booleans)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _widths(columns: list[str], sample: list[dict[str, Any]]) -> list[int]:
    """A width per column: the longest of header and sampled cells, within sensible bounds."""
    widths = []
    for name in columns:
        longest = max([len(name), *(len(cell(row.get(name))) for row in sample)])
        widths.append(min(max(longest + 2, _MIN_WIDTH), _MAX_WIDTH))
    return widths


def _needs_care(joined: str) -> bool:
    """Tell whether a row's texts (joined by _SEPARATOR) may need more than plain writing.

    True for XML specials, OOXML escapes, anything str.isprintable() refuses (which covers
    the illegal characters, line ends and tabs, and a few harmless ones), a space at either
    end of a text, and rows long enough for a text to pass Excel's cell limit. False alarms
    only cost time: such rows go the careful way.
    """
    return (
        not joined.isprintable()
        or "&" in joined
        or "<" in joined
        or ">" in joined
        or "_x" in joined
        or " |" in joined
        or "| " in joined
        or joined[:1] == " "
        or joined[-1:] == " "
        or len(joined) > MAX_CELL_CHARS // 2
    )


RowWriter = Callable[[int, dict[str, Any]], str]


def _row_writer(names: list[str]) -> RowWriter:
    """A function writing one record as a <row> of cells for these columns (no cell if empty)."""
    columns = [(column_letter(index), name) for index, name in enumerate(names)]
    letters = [letter for letter, _ in columns]
    # One C call fetches a record's values; records missing a key take the slower way.
    getter = itemgetter(*names) if len(names) > 1 else None

    def row(number: int, record: dict[str, Any]) -> str:
        try:
            values = getter(record) if getter is not None else tuple(map(record.get, names))
        except KeyError:
            values = tuple(map(record.get, names))
        num = str(number)
        texts: list[str] = []
        parts: list[str] = []
        # This loop runs for every cell (2.6 million for 100,000 contacts): the common cases
        # are inlined rather than calling cell() for each value.
        for letter, value in zip(letters, values, strict=True):
            if value is None:
                continue
            if type(value) is not str:
                if type(value) is list:
                    try:
                        value = ", ".join(value)
                    except TypeError:
                        value = cell(value)
                elif _is_number(value):
                    parts.append(_number_cell(f"{letter}{num}", value))
                    continue
                else:
                    value = cell(value)
            if value:
                texts.append(value)
                parts.append(f'<c r="{letter}{num}" t="inlineStr"><is><t>{value}</t></is></c>')
        if _needs_care(_SEPARATOR.join(texts)):
            # Something to escape, drop, cut or keep: the row is written again, with care.
            return _careful_row(number, record, columns)
        return f'<row r="{num}">{"".join(parts)}</row>'

    return row


def _careful_row(number: int, record: dict[str, Any], columns: list[tuple[str, str]]) -> str:
    """A row written cell by cell through cell_text and the escapes (see the module's rules)."""
    parts = []
    for letter, name in columns:
        value = record.get(name)
        if value is None:
            continue
        if _is_number(value):
            parts.append(_number_cell(f"{letter}{number}", value))
        else:
            parts.append(_string_cell(f"{letter}{number}", cell(value)))
    return f'<row r="{number}">{"".join(parts)}</row>'


def _header(columns: list[tuple[str, str]]) -> str:
    """The header row: every column name in bold (style 1)."""
    cells = "".join(_string_cell(f"{letter}1", name, ' s="1"') for letter, name in columns)
    return f'<row r="1">{cells}</row>'


def write_xlsx(records: Iterable[dict[str, Any]], out: IO[bytes], job: ExportJob) -> int:
    """Write every record as a row of one worksheet; returns the number of records."""
    if job.total >= MAX_ROWS:
        raise InvalidData(
            f"an XLSX sheet holds at most {MAX_ROWS - 1:,} records, not {job.total:,}; "
            "export as csv instead"
        )
    sheet_name = {COMPANIES: "Companies", "b2b": "B2B"}.get(job.kind, "Contacts")
    columns = [(column_letter(index), name) for index, name in enumerate(job.columns)]
    last_column = column_letter(max(len(columns) - 1, 0))

    iterator: Iterator[dict[str, Any]] = iter(records)
    sample = list(islice(iterator, _SAMPLE_ROWS))
    cols = "".join(
        f'<col min="{index}" max="{index}" width="{width}" customWidth="1"/>'
        for index, width in enumerate(_widths(job.columns, sample), start=1)
    )

    row = 1
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=_COMPRESS_LEVEL) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("docProps/app.xml", _APP)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr("xl/styles.xml", _STYLES)
        big = job.total >= _ZIP64_ROWS
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=big) as sheet:
            head = _SHEET_START + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>"
            sheet.write((head + _header(columns)).encode())
            batch: list[str] = []
            write_row = _row_writer(job.columns)
            for row, record in enumerate(chain(sample, iterator), start=2):
                if row > MAX_ROWS:
                    raise InvalidData(
                        f"an XLSX sheet holds at most {MAX_ROWS - 1:,} records; "
                        "export as csv instead"
                    )
                batch.append(write_row(row, record))
                if len(batch) >= _BATCH_ROWS:
                    sheet.write("".join(batch).encode())
                    batch.clear()
            tail = "</sheetData>"
            if columns:
                tail += f'<autoFilter ref="A1:{last_column}{row}"/>'
            sheet.write(("".join(batch) + tail + "</worksheet>").encode())
        filter_names = ""
        if columns:
            # Excel keeps the autofilter's range as this hidden name; written as Excel does.
            filter_names = (
                '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" '
                f'hidden="1">{sheet_name}!$A$1:${last_column}${row}</definedName></definedNames>'
            )
        zf.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<bookViews><workbookView activeTab="0"/></bookViews>'
            f'<sheets><sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets>'
            f"{filter_names}</workbook>",
        )
    return row - 1
