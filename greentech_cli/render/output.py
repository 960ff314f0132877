"""Writing lists and records to stdout as a table, JSON, NDJSON, CSV or TSV — chosen once per
command.

Lists are streamed: records are written as they come, so a list of 100,000 contacts needs no
more memory than one of ten. A table on a terminal is a Rich table when the list is short; a
long one is drawn here line by line with column widths taken from its first rows (Rich measures
every cell of every row first, which took minutes and gigabytes). When stdout is no terminal
(a pipe or a file), a table is written as plain lines — tab-separated, header first, one record
a line, no box and no wrapping, so `grep` finds a record — unless `--format table` was asked
for. Data meets Rich only as `Text` (never read as markup), and passes through
`render.terminal` on its way to a terminal.
"""

from __future__ import annotations

import csv
import itertools
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from enum import StrEnum
from typing import Any, TextIO

from greentech_cli.render.terminal import for_stream, is_terminal, message, writer


class Format(StrEnum):
    """Output formats of lists and records."""

    table = "table"
    json = "json"
    csv = "csv"
    tsv = "tsv"
    ndjson = "ndjson"


# Whether this command was given `--format table` (the CLI's format option says so for each
# command): then a table is drawn even into a pipe, else a pipe gets plain lines.
_TABLE_ASKED: ContextVar[bool] = ContextVar("greentech_table_asked", default=False)

# A list of at most this many rows is drawn by Rich; a longer one is streamed (see above), its
# column widths taken from these first rows.
RICH_ROWS = 1000

# Tab-separated values as `cut`, `awk` and spreadsheets read them: a tab, line end or backslash
# in a value is written as \t, \n, \r or \\, so every record stays on one line.
_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def tsv_line(cells: Iterable[str]) -> str:
    """One TSV line (ending in LF) of cells, each escaped."""
    return "\t".join(text.translate(_TSV_ESCAPES) for text in cells) + "\n"


def ask_for_table(asked: bool) -> None:
    """Record whether the user asked for `--format table` (the CLI calls this per command)."""
    _TABLE_ASKED.set(asked)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        separator = "; " if any(isinstance(v, dict) for v in value) else ", "
        return separator.join(_cell(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return _value_object(value) or ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


_ADDRESS_PARTS = ("street", "postcode", "city", "region", "country")


def _value_object(item: dict[str, Any]) -> str | None:
    """An email or phone ("+4930123 (work, ext. 102)") or an address ("home: Abai 1, Almaty")
    as a person reads it; None for any other mapping."""
    if "value" in item and "type" in item:
        details = [str(item["type"])]
        if item.get("extension"):
            details.append(f"ext. {item['extension']}")
        return f"{item['value']} ({', '.join(details)})"
    if "type" in item and set(_ADDRESS_PARTS) <= set(item):
        parts = ", ".join(str(item[k]) for k in _ADDRESS_PARTS if item[k])
        return f"{item['type']}: {parts}"
    return None


def minute(stamp: str | None) -> str | None:
    """A stored ISO 8601 time to the minute: "2026-11-24T09:30:12+00:00" is "2026-11-24 09:30"."""
    return stamp[:16].replace("T", " ") if stamp else stamp


def write_json(data: Any, out: TextIO | None = None) -> None:
    """JSON with Unicode kept readable, indented, ending in a newline.

    A value of a top-level object given as an iterator is written as a list, item by item as
    it comes, never held whole (the import's `warning_list`); the text is the same as for a list.
    """
    stream = writer(out)
    if not (isinstance(data, dict) and any(isinstance(v, Iterator) for v in data.values())):
        stream.write(_dumps(data) + "\n")
        return
    pending: list[str] = []
    for chunk in _object_chunks(data):
        pending.append(chunk)
        if len(pending) >= 1000:
            stream.write("".join(pending))
            pending.clear()
    stream.write("".join(pending) + "\n")


def _dumps(value: Any, level: int = 0) -> str:
    """`json.dumps` indented by two, as if nested `level` deep (JSON text holds no raw line
    break but those of its indentation)."""
    text = json.dumps(value, ensure_ascii=False, indent=2, default=str)
    return text.replace("\n", "\n" + "  " * level) if level else text


def _object_chunks(data: dict[str, Any]) -> Iterator[str]:
    """The JSON text of a non-empty object in pieces, its iterator values written as lists."""
    for number, (key, value) in enumerate(data.items()):
        yield f"{',' if number else '{'}\n  {_dumps(str(key))}: "
        if not isinstance(value, Iterator):
            yield _dumps(value, 1)
            continue
        empty = True
        for item in value:
            yield f"{'[' if empty else ','}\n    {_dumps(item, 2)}"
            empty = False
        yield "[]" if empty else "\n  ]"
    yield "\n}"


def write_csv(
    rows: Iterable[dict[str, Any]], columns: Sequence[str], out: TextIO | None = None
) -> None:
    """RFC 4180 CSV with a header row (on a terminal, control characters in cells are shown)."""
    _csv_rows(rows, columns, out or sys.stdout)


def _title(title: str | None, show: Any) -> Any:
    """A table title as Text (data in titles is never markup), styled as Rich styles titles."""
    from rich.text import Text

    return Text(show(title), style="table.title") if title else None


def console(stderr: bool = False) -> Any:
    """A Rich console on stdout or stderr (Rich is imported only when something is shown)."""
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # Rich would exit with code 1; the CLI ends quietly with 0, as for any other write.
            self.quiet = True
            raise BrokenPipeError

    return _Console(stderr=stderr, highlight=False, soft_wrap=False)


def table(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    *,
    headers: Sequence[str] | None = None,
    title: str | None = None,
) -> Any:
    """A Rich table of rows for stdout; user text is never read as markup."""
    from rich.table import Table
    from rich.text import Text

    show = for_stream()
    grid = Table(title=_title(title, show), header_style="bold")
    for header in headers or columns:
        grid.add_column(Text(header), overflow="fold")
    for row in rows:
        grid.add_row(*(Text(show(_cell(row.get(c)))) for c in columns))
    return grid


def emit_list(
    rows: Iterable[dict[str, Any]],
    fmt: Format,
    *,
    table_columns: Sequence[str],
    json_rows: Iterable[dict[str, Any]] | None = None,
    headers: Sequence[str] | None = None,
    empty: str = "nothing found",
) -> int:
    """Show a list in the chosen format: table columns for people, every field for the others.

    `rows` are what the table shows and `json_rows` (when given, one for each row) what JSON,
    NDJSON, CSV and TSV show. Both may be generators: the list is streamed. Returns how many
    records were shown.
    """
    if json_rows is None:
        return emit_stream(
            rows,
            fmt,
            table_row=_same,
            json_row=_same,
            table_columns=table_columns,
            headers=headers,
            empty=empty,
        )
    return emit_stream(
        zip(rows, json_rows, strict=True),
        fmt,
        table_row=_first,
        json_row=_second,
        table_columns=table_columns,
        headers=headers,
        empty=empty,
    )


def _same(item: Any) -> Any:
    return item


def _first(pair: Any) -> Any:
    return pair[0]


def _second(pair: Any) -> Any:
    return pair[1]


def emit_stream(
    items: Iterable[Any],
    fmt: Format,
    *,
    table_row: Callable[[Any], dict[str, Any]],
    json_row: Callable[[Any], dict[str, Any]],
    table_columns: Sequence[str],
    headers: Sequence[str] | None = None,
    empty: str = "nothing found",
) -> int:
    """Stream a list in the chosen format, each item turned into its table or JSON row only
    when it is written; returns how many were written."""
    out = sys.stdout
    if fmt is Format.json:
        count = _write_json_list((json_row(item) for item in items), writer(out))
    elif fmt is Format.ndjson:
        count = _write_lines((json_row(item) for item in items), writer(out), _ndjson)
    elif fmt in (Format.csv, Format.tsv):
        count = _write_delimited((json_row(item) for item in items), list(table_columns), fmt, out)
    elif is_terminal(out) or _TABLE_ASKED.get():
        count = _write_table(items, table_row, table_columns, headers)
    else:
        count = _write_plain_lines((table_row(item) for item in items), table_columns, headers)
    if not count and fmt is Format.table:
        from rich.text import Text

        console(stderr=True).print(Text(message(empty)))
    return count


def _write_json_list(rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    """A JSON array written record by record, exactly as ``json.dumps(list, indent=2)``."""
    count = 0
    for row in rows:
        text = json.dumps(row, ensure_ascii=False, indent=2, default=str)
        out.write(("[\n  " if count == 0 else ",\n  ") + text.replace("\n", "\n  "))
        count += 1
    out.write("\n]\n" if count else "[]\n")
    return count


def _ndjson(row: dict[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False, default=str) + "\n"


def _write_lines(rows: Iterable[dict[str, Any]], out: TextIO, line: Callable[[Any], str]) -> int:
    count = 0
    for row in rows:
        out.write(line(row))
        count += 1
    return count


def _write_delimited(
    rows: Iterable[dict[str, Any]], fallback: list[str], fmt: Format, out: TextIO
) -> int:
    """CSV (RFC 4180) or TSV of every field, the first record's keys as the header."""
    iterator = iter(rows)
    first = next(iterator, None)
    columns = list(first) if first is not None else fallback
    chained = itertools.chain([first], iterator) if first is not None else iterator
    if fmt is Format.csv:
        return _csv_rows(chained, columns, out)
    show = for_stream(out)
    out.write(tsv_line(columns))
    count = 0
    for row in chained:
        out.write(tsv_line(show(_cell(row.get(c))) for c in columns))
        count += 1
    return count


def _csv_rows(rows: Iterable[dict[str, Any]], columns: Sequence[str], out: TextIO) -> int:
    show = for_stream(out)
    lines = csv.writer(out, lineterminator="\r\n")
    lines.writerow(columns)
    count = 0
    for row in rows:
        lines.writerow([show(_cell(row.get(c))) for c in columns])
        count += 1
    return count


def _write_plain_lines(
    rows: Iterable[dict[str, Any]], columns: Sequence[str], headers: Sequence[str] | None
) -> int:
    """A table for a pipe or file: the header, then one tab-separated line per record."""
    out = sys.stdout
    out.write(tsv_line(headers or columns))
    count = 0
    for row in rows:
        out.write(tsv_line(_cell(row.get(c)) for c in columns))
        count += 1
    return count


def _write_table(
    items: Iterable[Any],
    table_row: Callable[[Any], dict[str, Any]],
    columns: Sequence[str],
    headers: Sequence[str] | None,
) -> int:
    """A Rich table for a short list; a long one drawn line by line (see the module's doc)."""
    iterator = iter(items)
    first = [table_row(item) for item in itertools.islice(iterator, RICH_ROWS + 1)]
    if not first:
        return 0
    if len(first) <= RICH_ROWS:
        console().print(table(first, columns, headers=headers))
        return len(first)
    from greentech_cli.render.tables import stream_table

    rest = (table_row(item) for item in iterator)
    return stream_table(itertools.chain(first, rest), first, columns, headers, _cell)


def emit_record(record: dict[str, Any], fmt: Format, *, title: str | None = None) -> None:
    """Show one record: a two-column table of fields, or JSON, or a one-row CSV."""
    if fmt is Format.json:
        write_json(record)
    elif fmt is Format.ndjson:
        writer().write(_ndjson(record))
    elif fmt in (Format.csv, Format.tsv):
        _write_delimited([record], list(record), fmt, sys.stdout)
    else:
        from rich.table import Table
        from rich.text import Text

        show = for_stream()
        grid = Table(
            title=_title(title, show),
            show_header=False,
            box=None,
            padding=(0, 2, 0, 0),
        )
        grid.add_column(style="bold")
        grid.add_column(overflow="fold")
        for field, value in record.items():
            if value not in (None, [], {}, ""):
                grid.add_row(Text(field), Text(show(_cell(value))))
        console().print(grid)
