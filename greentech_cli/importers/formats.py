"""Decide once how an input file is read: CSV/TSV, XLSX, vCard, YAML/JSON, or refuse it.

The name and the first bytes say which kind of file it is. A table is told apart by content: a
workbook by its zip directory (checked for zip bombs and OpenDocument before anything opens it),
old Excel and web pages saved as .xls are refused, and a text table gets its encoding (BOM, else
strict UTF-8 over the whole file, else a code page) and its delimiter (sniffed among
``; , TAB |``), which tells CSV from TSV. A reading option that does not fit the format is
refused rather than ignored. The readers then read the file as the ``Format`` says, in one pass.
"""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from greentech_cli.errors import InvalidData, NotFound, UnreadableFile
from greentech_cli.importers.encoding import (
    SAMPLE_BYTES,
    bom_encoding,
    bomless_utf16,
    check_binary,
    decode_sample,
    detect_encoding,
)

if TYPE_CHECKING:
    from greentech_cli.models.imports import ImportOptions

VCARD_SUFFIXES = {".vcf", ".vcard"}
STRUCTURED_SUFFIXES = {".yaml", ".yml", ".json"}
# Zip bomb guard for workbooks, checked against the zip directory before openpyxl opens it.
XLSX_MAX_UNCOMPRESSED = 200 * 1024 * 1024
XLSX_MAX_RATIO = 100
XLSX_RATIO_MIN_BYTES = 10 * 1024 * 1024
XLSX_MAX_MEMBERS = 10_000
SNIFF_LINES = 50
DELIMITERS = ";,\t|"

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_XLSX_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm"}
_MARKUP_STARTS = ("<!doctype", "<html", "<table", "<?xml")
_TEXT_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Format:
    """How a file is read: csv, tsv, xlsx, vcard, yaml or json, and a text table's dialect."""

    name: str
    encoding: str | None = None
    delimiter: str | None = None


def decide(path: Path, options: ImportOptions) -> Format:
    """Say how a file for import is read, from its name, content and options, or refuse it."""
    if not path.exists():
        raise NotFound(f"no file {str(path)!r}")
    if path.is_dir():
        raise UnreadableFile(f"{path} is a folder, not a file")
    if path.stat().st_size == 0:
        raise UnreadableFile(f"{path.name} is empty")
    kind = _kind(path)
    if kind == "vcard":
        read_as = Format("vcard", options.encoding)
    elif kind == "structured":
        read_as = Format("json" if path.suffix.lower() == ".json" else "yaml", "utf-8")
    else:
        read_as = table_format(path, encoding=options.encoding, delimiter=options.delimiter)
    if options.sheet is not None and read_as.name != "xlsx":
        raise InvalidData(f"--sheet is for .xlsx workbooks; {path.name} was read as {read_as.name}")
    if options.delimiter is not None and read_as.name not in ("csv", "tsv"):
        raise InvalidData(f"--delimiter is for CSV files; {path.name} was read as {read_as.name}")
    return read_as


def _kind(path: Path) -> str:
    """'vcard', 'structured' or 'table', from the extension and, failing that, the first bytes."""
    suffix = path.suffix.lower()
    if suffix in VCARD_SUFFIXES:
        return "vcard"
    if suffix in STRUCTURED_SUFFIXES:
        return "structured"
    with path.open("rb") as fh:
        head = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:11].upper() == b"BEGIN:VCARD":
        return "vcard"
    if head[:1] in (b"[", b"{"):
        return "structured"
    return "table"


def table_format(
    path: Path, *, encoding: str | None = None, delimiter: str | None = None
) -> Format:
    """Tell a CSV/TSV/XLSX table by content and find how a text table is written, or refuse it."""
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
        return Format("xlsx")
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
    return _text_format(path, head, size, encoding, delimiter)


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


def _text_format(
    path: Path, head: bytes, size: int, encoding: str | None, delimiter: str | None
) -> Format:
    """The encoding and delimiter of a text table (given ones are kept), or a refusal."""
    name = path.name
    unicode_encoding = bom_encoding(head) or bomless_utf16(head)
    # UTF-16/32 text is full of NUL bytes; only other encodings can be checked for binary data.
    if not (encoding or unicode_encoding or "").startswith(("utf-16", "utf-32")):
        check_binary(head, name)
    if encoding is None:
        encoding = unicode_encoding or detect_encoding(path, head)
    sample = decode_sample(head, encoding, complete=size <= len(head), name=name)
    if not sample.strip() and size <= len(head):
        raise UnreadableFile(f"{name} is empty.")
    if looks_like_markup(sample):
        raise UnreadableFile(f"{name} is an HTML or XML file, not CSV; save it as CSV.")
    if delimiter is None:
        delimiter = sniff_delimiter(sample if size <= len(head) else _drop_last_line(sample))
    return Format("tsv" if delimiter == "\t" else "csv", encoding, delimiter)


def looks_like_markup(text: str) -> bool:
    """Whether a text starts as an HTML page or an XML document does (a web export, say)."""
    return text.lstrip("\ufeff \t\r\n")[:15].lower().startswith(_MARKUP_STARTS)


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
