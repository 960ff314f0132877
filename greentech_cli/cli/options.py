"""Options shared by many commands, declared once."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from greentech_cli.render.output import Format, ask_for_table


def _format_given(ctx: typer.Context, param: typer.CallbackParam, value: Any) -> Any:
    """Note whether `--format table` was asked for: a pipe then gets the table, not lines."""
    source = ctx.get_parameter_source(param.name or "fmt")
    ask_for_table(value == Format.table and getattr(source, "name", "") == "COMMANDLINE")
    return value


FormatOption = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        help="Output format: table (on a terminal; one tab-separated line per record when "
        "piped, unless asked for), json, csv, tsv or ndjson (one JSON record per line).",
        callback=_format_given,
    ),
]
LimitOption = Annotated[
    int | None, typer.Option("--limit", "-n", min=0, help="Show at most N records.")
]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


class DateOrder(StrEnum):
    """How a slashed date such as 03/04/2026 is read: day first or month first."""

    dmy = "dmy"
    mdy = "mdy"


DateOrderOption = Annotated[
    DateOrder | None,
    typer.Option(
        "--date-order",
        help="Read slashed dates like 03/04/2026 day first (dmy) or month first (mdy); "
        "without it such a date is refused.",
    ),
]
ForceOption = Annotated[
    bool, typer.Option("--force", help="Accept a year outside 1900–2100 (checked otherwise).")
]


def in_date_order(
    fields: dict[str, Any], keys: tuple[str, ...], order: DateOrder | None
) -> dict[str, Any]:
    """The fields with the slashed dates among `keys` rewritten as yyyy-mm-dd in `order`."""
    from greentech_cli.text.dates import in_order

    if order is None:
        return fields
    return {
        key: in_order(value, order.value) if key in keys and isinstance(value, str) else value
        for key, value in fields.items()
    }


def given_fields(values: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
    """The record fields among a command's options (its `locals()`) that the user actually gave.

    `fields` maps option parameter names to field names; options left at None (or an empty
    repeatable option) are not given, so `edit` leaves those fields as they are.
    """
    return {
        field: values[option]
        for option, field in fields.items()
        if values.get(option) is not None and values.get(option) != []
    }


def confirm(question: str, yes: bool) -> None:
    """Ask before a destructive step (unless --yes); declining stops with exit code 1."""
    from greentech_cli.errors import Aborted

    if yes:
        return
    import sys

    if not sys.stdin.isatty():
        raise Aborted(f"{question} — not confirmed; pass --yes to go ahead without asking")
    from greentech_cli.render.terminal import message

    if not typer.confirm(message(question), default=False, err=True):
        raise Aborted("cancelled; nothing was changed")
