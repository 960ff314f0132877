"""`greentech log`: the audit log — who changed what, when, with which command."""

from typing import Annotated, Any

import typer

from greentech_cli.cli.context import app_context
from greentech_cli.cli.options import DateOrderOption, FormatOption, LimitOption
from greentech_cli.render.output import Format, emit_list

TABLE_COLUMNS = ("id", "at", "user", "command", "entity", "entity_id", "action", "fields")


def register(app: typer.Typer) -> None:
    """Add the log command to the root command."""
    app.command("log")(log)


def _fields(value: Any) -> str:
    """An entry's details in a table cell: the field names (ids and counts are in the JSON)."""
    if isinstance(value, dict):
        names = value.get("fields") if list(value) == ["fields"] else list(value)
        return ", ".join(str(n) for n in names or [])
    return "" if value is None else str(value)


def log(
    ctx: typer.Context,
    entity: Annotated[
        str | None,
        typer.Option("--entity", "-e", help="contact, company, delegation, member, visit, …"),
    ] = None,
    entity_id: Annotated[
        int | None, typer.Option("--id", min=1, help="Only entries about this record id.")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="From this local date (or date and time) on.")
    ] = None,
    limit: LimitOption = None,
    date_order: DateOrderOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Show the audit log, newest first: when, who, which command, what and which fields.

    Example: greentech log --entity contact --since 2026-11-01 --limit 20
    """
    from greentech_cli.services.safety import audit
    from greentech_cli.text.dates import in_order

    if since is not None:
        since = in_order(since, date_order)
    rows = audit.log(
        app_context(ctx).db(), entity=entity, entity_id=entity_id, since=since, limit=limit
    )
    emit_list(
        [{**r, "fields": _fields(r["fields"])} for r in rows],
        fmt,
        table_columns=TABLE_COLUMNS,
        json_rows=rows,
        empty="No audit entries found.",
    )
