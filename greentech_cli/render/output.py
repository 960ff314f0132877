"""Writing lists and records to stdout as a Rich table, JSON or CSV — chosen once per command.

Data meets Rich only as `Text` (never read as markup), and passes through `render.terminal` on
its way to a terminal.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any, TextIO

from greentech_cli.render.terminal import for_stream, message, writer


class Format(StrEnum):
    """Output formats of lists and records."""

    table = "table"
    json = "json"
    csv = "csv"


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
    """JSON with Unicode kept readable, indented, ending in a newline."""
    writer(out).write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def write_csv(
    rows: Iterable[dict[str, Any]], columns: Sequence[str], out: TextIO | None = None
) -> None:
    """RFC 4180 CSV with a header row (on a terminal, control characters in cells are shown)."""
    out = out or sys.stdout
    show = for_stream(out)
    lines = csv.writer(out, lineterminator="\r\n")
    lines.writerow(columns)
    for row in rows:
        lines.writerow([show(_cell(row.get(c))) for c in columns])


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
    rows: Sequence[dict[str, Any]],
    fmt: Format,
    *,
    table_columns: Sequence[str],
    json_rows: Sequence[dict[str, Any]] | None = None,
    headers: Sequence[str] | None = None,
    empty: str = "nothing found",
) -> None:
    """Show a list in the chosen format: table columns for people, every field for JSON and CSV."""
    full = list(json_rows if json_rows is not None else rows)
    if fmt is Format.json:
        write_json(full)
    elif fmt is Format.csv:
        columns = list(full[0]) if full else list(table_columns)
        write_csv(full, columns)
    elif not rows:
        from rich.text import Text

        console(stderr=True).print(Text(message(empty)))
    else:
        console().print(table(rows, table_columns, headers=headers))


def emit_record(record: dict[str, Any], fmt: Format, *, title: str | None = None) -> None:
    """Show one record: a two-column table of fields, or JSON, or a one-row CSV."""
    if fmt is Format.json:
        write_json(record)
    elif fmt is Format.csv:
        write_csv([record], list(record))
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
