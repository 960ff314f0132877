"""One shape for every input: a Source yields numbered rows with their record and original cells.

The format comes from the extension and the content: CSV/TSV/XLSX are tables mapped to fields by
`mapping`, vCards and YAML/JSON lists already name their fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from greentech_cli.errors import InvalidData, NotFound, UnreadableFile

if TYPE_CHECKING:
    from greentech_cli.models.imports import ImportOptions

VCARD_SUFFIXES = {".vcf", ".vcard"}
STRUCTURED_SUFFIXES = {".yaml", ".yml", ".json"}


@dataclass
class SourceRow:
    """One input row: its number in the file, its original cells (tables only) and its record."""

    number: int
    cells: list[str] | None
    record: dict[str, Any]


@dataclass
class Source:
    """A readable input and how it was read."""

    format: str
    rows: Callable[[], Iterator[SourceRow]]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    preset: str | None = None
    headers: list[str] | None = None
    mapped_columns: dict[str, str] = field(default_factory=dict)
    unmapped_columns: list[str] = field(default_factory=list)


def sniff_kind(path: Path) -> str:
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


def open_source(path: Path, options: ImportOptions) -> Source:
    """Open a file for import; unreadable input fails here, before anything is written."""
    if not path.exists():
        raise NotFound(f"no file {str(path)!r}")
    if path.is_dir():
        raise UnreadableFile(f"{path} is a folder, not a file")
    if path.stat().st_size == 0:
        raise UnreadableFile(f"{path.name} is empty")
    kind = sniff_kind(path)
    if kind == "vcard":
        source = _vcard_source(path, options)
    elif kind == "structured":
        source = _structured_source(path)
    else:
        source = _table_source(path, options)
    _check_applies(source, options, path.name)
    return source


def _check_applies(source: Source, options: ImportOptions, name: str) -> None:
    """Refuse a reading option that does not fit the file, rather than quietly ignore it."""
    if options.sheet is not None and source.format != "xlsx":
        raise InvalidData(f"--sheet is for .xlsx workbooks; {name} was read as {source.format}")
    if options.delimiter is not None and source.format not in ("csv", "tsv"):
        raise InvalidData(f"--delimiter is for CSV files; {name} was read as {source.format}")


def _records_source(fmt: str, records: list[dict[str, Any]], encoding: str | None) -> Source:
    def rows() -> Iterator[SourceRow]:
        for number, record in enumerate(records, start=1):
            yield SourceRow(number, None, record)

    fields = sorted({key for record in records for key in record})
    return Source(format=fmt, rows=rows, encoding=encoding, mapped_columns={f: f for f in fields})


def _vcard_source(path: Path, options: ImportOptions) -> Source:
    from greentech_cli.importers.vcard import read_vcards

    records, encoding = read_vcards(path.read_bytes(), options.encoding)
    return _records_source("vcard", records, encoding)


def _structured_source(path: Path) -> Source:
    from greentech_cli.importers.structured import read_records

    records = read_records(path)
    fmt = "json" if path.suffix.lower() == ".json" else "yaml"
    return _records_source(fmt, [dict(r) for r in records], "utf-8")


def _table_source(path: Path, options: ImportOptions) -> Source:
    from greentech_cli.importers.mapping import auto_map, load_mapping_file
    from greentech_cli.importers.records import to_record
    from greentech_cli.importers.tabular import read_table

    table = read_table(
        path, encoding=options.encoding, delimiter=options.delimiter, sheet=options.sheet
    )
    mapping = load_mapping_file(options.mapping) if options.mapping else None
    column_map = auto_map(
        table.headers, preset=options.preset, mapping=mapping, target=options.target
    )

    def rows() -> Iterator[SourceRow]:
        for number, cells in table.rows:
            yield SourceRow(number, cells, to_record(cells, column_map))

    mapped = {
        header: target
        for header, target in zip(table.headers, column_map.fields, strict=False)
        if target
    }
    return Source(
        format=table.format,
        rows=rows,
        encoding=table.encoding,
        delimiter=table.delimiter,
        sheet=table.sheet,
        preset=column_map.preset,
        headers=list(table.headers),
        mapped_columns=mapped,
        unmapped_columns=list(column_map.unmapped),
    )
