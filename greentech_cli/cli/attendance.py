"""`greentech attendance VISIT …`: who was present at a visit, recorded after the fact."""

from typing import Annotated

import typer

from greentech_cli.cli.context import app_context
from greentech_cli.cli.options import FormatOption
from greentech_cli.render.output import Format, emit_list

COLUMNS = ("contact_id", "name", "company", "role", "attendance")


def register(app: typer.Typer) -> None:
    """Add attendance to the root command."""
    app.command("attendance")(attendance)


def attendance(
    ctx: typer.Context,
    visit: Annotated[str, typer.Argument(help="Visit id.")],
    present: Annotated[
        list[str] | None, typer.Option("--present", help="Contact id or email; repeatable.")
    ] = None,
    absent: Annotated[
        list[str] | None, typer.Option("--absent", help="Contact id or email; repeatable.")
    ] = None,
    excused: Annotated[
        list[str] | None, typer.Option("--excused", help="Contact id or email; repeatable.")
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Record who was present, absent or excused at a visit; without options, show it.

    Example: greentech attendance 7 --present aigerim@example.kz --absent 12 --excused 14
    """
    from greentech_cli.services.aftertrip import attendance as service

    app_ctx = app_context(ctx)
    db = app_ctx.db()
    if present or absent or excused:
        rows, changed = service.record(db, visit, present, absent, excused)
        app_ctx.say(f"Recorded attendance at visit {visit}: {changed} change(s).")
    else:
        rows = service.attendance(db, visit)
    emit_list(rows, fmt, table_columns=COLUMNS, empty=f"Visit {visit} has no attendees.")
