"""One shape for every input, read in one line: decide the format, read, map, make records.

``formats.decide`` says once how the file is read (or refuses it); one reader per format yields
its rows: ``delimited`` (CSV/TSV) and ``workbook`` (XLSX) yield cells, under a header that
``mapping`` finds and maps to fields before ``records`` turns each row into a record; ``vcard``
and ``structured`` (YAML/JSON) yield records that already name their fields.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from greentech_cli.importers.delimited import open_text_records
from greentech_cli.importers.formats import Format, decide, table_format
from greentech_cli.importers.mapping import Table, auto_map, find_header
from greentech_cli.importers.records import to_record

if TYPE_CHECKING:
    from greentech_cli.models.imports import ImportOptions


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
    # the decision it was read by, so that a worker process reads it the same way
    read_as: Format | None = None
    # tables: where each column's values go, and how many non-empty cells each had so far
    went_to: list[str] = field(default_factory=list)
    cells: list[int] = field(default_factory=list)

    def columns(self) -> list[dict[str, Any]]:
        """Every column of a table: its header, where its values went, its non-empty cells."""
        headers = self.headers or []
        return [
            {"header": header, "went_to": went_to, "cells": cells}
            for header, went_to, cells in zip(headers, self.went_to, self.cells, strict=False)
        ]


def open_source(path: Path, options: ImportOptions, read_as: Format | None = None) -> Source:
    """Open a file for import; unreadable input fails here, before anything is written.

    ``read_as`` is a decision already taken for this file (a worker reading beside the parent).
    """
    if read_as is None:
        read_as = decide(path, options)
    if read_as.name == "vcard":
        from greentech_cli.importers.vcard import read_vcards

        records, encoding = read_vcards(path.read_bytes(), read_as.encoding)
        return _records_source(read_as, records, encoding)
    if read_as.name in ("yaml", "json"):
        from greentech_cli.importers.structured import read_records

        return _records_source(read_as, [dict(r) for r in read_records(path)], read_as.encoding)
    return _table_source(path, read_as, options)


def read_table(
    path: Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> Table:
    """Open a CSV/TSV/XLSX file, detect how it is written and find its header row."""
    path = Path(path)
    return _open_table(path, table_format(path, encoding=encoding, delimiter=delimiter), sheet)


def _open_table(path: Path, read_as: Format, sheet: str | None) -> Table:
    """Read a table as decided and find its header row."""
    if read_as.name == "xlsx":
        from greentech_cli.importers.workbook import open_sheet_records

        records, title = open_sheet_records(path, sheet)
        return find_header(records, path, read_as, title)
    return find_header(open_text_records(path, read_as), path, read_as, None)


def _records_source(read_as: Format, records: list[dict[str, Any]], encoding: str | None) -> Source:
    def rows() -> Iterator[SourceRow]:
        for number, record in enumerate(records, start=1):
            yield SourceRow(number, None, record)

    fields = sorted({key for record in records for key in record})
    return Source(
        format=read_as.name,
        rows=rows,
        encoding=encoding,
        mapped_columns={f: f for f in fields},
        read_as=read_as,
    )


def _table_source(path: Path, read_as: Format, options: ImportOptions) -> Source:
    from greentech_cli.importers.presets import load_mapping_file

    table = _open_table(path, read_as, options.sheet)
    mapping = load_mapping_file(options.mapping) if options.mapping else None
    column_map = auto_map(
        table.headers,
        preset=options.preset,
        mapping=mapping,
        target=options.target,
        members=options.delegation is not None,
    )
    headers = table.headers  # grows when a wider row comes (its cells get column_N headers)
    went_to = [column_map.went_to(index) for index in range(len(headers))]
    counts = [0] * len(headers)
    mapped_width = len(headers)
    kept = "kept in extra" if options.target == "contacts" else "not imported (unknown header)"

    def rows() -> Iterator[SourceRow]:
        # Non-empty cells are counted by column index (Counter's C loop), into `counts` at the end.
        filled: Counter[int] = Counter()
        date_order = options.date_order
        wider = options.target == "contacts"
        for number, cells in table.rows:
            if len(cells) > len(counts):
                went_to.extend([kept] * (len(cells) - len(counts)))
                counts.extend([0] * (len(cells) - len(counts)))
            stripped = list(map(str.strip, cells))
            filled.update(compress(range(len(stripped)), stripped))
            record = to_record(cells, column_map, date_order, stripped)
            if wider and len(cells) > mapped_width:
                _keep_wider(record, headers, cells, mapped_width)
            yield SourceRow(number, cells, record)
        for index, found in filled.items():
            counts[index] += found

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
        headers=table.headers,
        mapped_columns=mapped,
        unmapped_columns=list(column_map.unmapped),
        read_as=read_as,
        went_to=went_to,
        cells=counts,
    )


def _keep_wider(record: dict[str, Any], headers: list[str], cells: list[str], start: int) -> None:
    """Cells of a row wider than the header that was mapped: kept in extra under column_N."""
    found = {headers[i]: cells[i].strip() for i in range(start, len(cells)) if cells[i].strip()}
    if found:
        extra = record.get("extra")
        record["extra"] = {**(extra if isinstance(extra, dict) else {}), **found}
