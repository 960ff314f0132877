"""`greentech visit …`: the programme items of a delegation, in their own time zone."""

from typing import Annotated, Any

import typer

from greentech_cli.cli.context import app_context
from greentech_cli.cli.options import (
    DateOrderOption,
    ForceOption,
    FormatOption,
    YesOption,
    confirm,
    given_fields,
    in_date_order,
)
from greentech_cli.render.output import Format, emit_list, emit_record, minute

visit_app = typer.Typer(
    help="Visits: site visits, meetings, workshops and transfers of a delegation.",
    no_args_is_help=True,
)

VisitId = Annotated[str, typer.Argument(help="Visit id (see 'greentech visit list').")]
Title = Annotated[str | None, typer.Option("--title", help="What happens, in a few words.")]
Kind = Annotated[
    str | None,
    typer.Option(
        "--kind",
        help="site-visit, b2b-meeting, workshop, briefing, meal, reception, transfer, "
        "trade-fair or other.",
    ),
]
Start = Annotated[
    str | None, typer.Option("--start", help='Start in the visit\'s zone: "2026-11-17 09:00".')
]
End = Annotated[str | None, typer.Option("--end", help='End: "2026-11-17 11:00".')]
Duration = Annotated[str | None, typer.Option("--duration", help="Length: 90m, 1h30m or 1:30.")]
Company = Annotated[str | None, typer.Option("--company", help="Host company (id or name).")]
Location = Annotated[str | None, typer.Option("--location", help="Place or address.")]
Tz = Annotated[
    str | None,
    typer.Option("--tz", help="The visit's time zone (default: the delegation's host zone)."),
]
HostContact = Annotated[
    list[str] | None,
    typer.Option("--host-contact", help="Host contact (id or email); repeatable."),
]
Attendee = Annotated[
    list[str] | None,
    typer.Option(
        "--attendee",
        help="Only these members attend (id or email); repeatable. Default: all registered "
        "and confirmed members.",
    ),
]
Notes = Annotated[str | None, typer.Option("--notes")]

TABLE_COLUMNS = ("id", "day", "time", "title", "kind", "company", "timezone")


def register(app: typer.Typer) -> None:
    """Add the visit group to the root command."""
    app.add_typer(visit_app, name="visit")


# Option parameters of `visit add|edit` and the visit fields they set.
FIELD_OPTIONS = {
    "title": "title", "start": "start", "end": "end", "duration": "duration", "kind": "kind",
    "company": "company", "location": "location", "tz": "timezone",
    "host_contact": "host_contacts", "attendee": "attendees", "notes": "notes",
}  # fmt: skip
DATE_FIELDS = ("start", "end")


def _fields(values: dict[str, Any], date_order: Any) -> dict[str, Any]:
    """The visit fields among a command's options, dates in order; --end or --duration, one."""
    from greentech_cli.errors import UsageError

    if values.get("end") is not None and values.get("duration") is not None:
        raise UsageError("give either --end or --duration, not both")
    return in_date_order(given_fields(values, FIELD_OPTIONS), DATE_FIELDS, date_order)


def _table_row(record: dict[str, Any]) -> dict[str, Any]:
    start, end = record["start"], record["end"]
    return {
        **record,
        "day": start[:10],
        "time": f"{start[11:16]}–{end[11:16]}"
        + (f" ({end[:10]})" if end[:10] != start[:10] else ""),
    }


def _show(app_ctx: Any, visit_id: int, fmt: Format, message: str) -> None:
    from greentech_cli.services.schedule import visits

    record = visits.record(app_ctx.db(), visit_id)
    if fmt is Format.table:
        app_ctx.say(f"{message} {visit_id}: {record['title']}, {_table_row(record)['time']} "
                    f"on {record['start'][:10]} ({record['timezone']})")  # fmt: skip
    else:
        emit_record(record, fmt)


@visit_app.command("add")
def add(
    ctx: typer.Context,
    delegation: Annotated[str, typer.Argument(help="Delegation id or code.")],
    title: Title = None,
    start: Start = None,
    end: End = None,
    duration: Duration = None,
    kind: Kind = None,
    company: Company = None,
    location: Location = None,
    tz: Tz = None,
    host_contact: HostContact = None,
    attendee: Attendee = None,
    notes: Notes = None,
    date_order: DateOrderOption = None,
    force: ForceOption = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Add a visit to a delegation's programme (times in the visit's own zone).

    Example: greentech visit add kz-waste-2026 --title "Sorting plant tour" --kind site-visit --company "Lippe Recycling GmbH" --start "2026-11-17 09:00" --duration 2h
    """  # noqa: E501
    from greentech_cli.services.schedule import visits

    app_ctx = app_context(ctx)
    fields = _fields(locals(), date_order)
    visit = visits.add(app_ctx.db(), delegation, fields, force=force)
    _show(app_ctx, visit.id or 0, fmt, "Added visit")


@visit_app.command("list")
def list_(
    ctx: typer.Context,
    delegation: Annotated[str, typer.Argument(help="Delegation id or code.")],
    fmt: FormatOption = Format.table,
) -> None:
    """List a delegation's visits in time order.

    Example: greentech visit list kz-waste-2026 --format json
    """
    from greentech_cli.services.schedule import visits

    _, _, records = visits.programme(app_context(ctx).db(), delegation)
    rows = [_table_row(r) for r in records]
    emit_list(
        rows, fmt, table_columns=TABLE_COLUMNS, json_rows=records, empty="No visits planned yet."
    )


@visit_app.command("edit")
def edit(
    ctx: typer.Context,
    visit_id: VisitId,
    title: Title = None,
    start: Start = None,
    end: End = None,
    duration: Duration = None,
    kind: Kind = None,
    company: Company = None,
    location: Location = None,
    tz: Tz = None,
    host_contact: HostContact = None,
    attendee: Attendee = None,
    all_members: Annotated[
        bool,
        typer.Option("--all-members", help="Attendance back to the default (all members)."),
    ] = False,
    notes: Notes = None,
    date_order: DateOrderOption = None,
    force: ForceOption = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Change a visit; options not given stay (a new --start alone keeps the duration).

    Example: greentech visit edit 2 --title "Wastewater plant Moers" --host-contact 7
    """
    from greentech_cli.services.schedule import visits

    app_ctx = app_context(ctx)
    fields = _fields(locals(), date_order)
    if all_members:
        fields["attendees"] = []
    visit, changes = visits.edit(app_ctx.db(), visit_id, fields, force=force)
    message = "Updated visit" if changes else "Unchanged visit"
    _show(app_ctx, visit.id or 0, fmt, message)


@visit_app.command("move")
def move(
    ctx: typer.Context,
    visit_id: VisitId,
    start: Annotated[str, typer.Option("--start", help='New start: "2026-11-17 13:30".')],
    tz: Tz = None,
    date_order: DateOrderOption = None,
    force: ForceOption = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Move a visit to a new start, keeping its duration.

    Example: greentech visit move 2 --start "2026-11-17 13:30"
    """
    from greentech_cli.services.schedule import visits

    app_ctx = app_context(ctx)
    new_start = in_date_order({"start": start}, DATE_FIELDS, date_order)["start"]
    visit, _ = visits.move(app_ctx.db(), visit_id, new_start, tz, force=force)
    _show(app_ctx, visit.id or 0, fmt, "Moved visit")


@visit_app.command("rm")
def rm(ctx: typer.Context, visit_id: VisitId, yes: YesOption = False) -> None:
    """Remove a visit from the programme (shows it and asks first; --yes skips the question).

    Example: greentech visit rm 2 --yes
    """
    from greentech_cli.services.schedule import visits

    app_ctx = app_context(ctx)
    db = app_ctx.db()
    shown = visits.record(db, visit_id)
    where = f" at {shown['company']}" if shown.get("company") else ""
    people = len(shown.get("attendees") or [])
    confirm(
        f"Remove visit {shown['id']}: {shown['title']}, {minute(shown['start'])}{where}, "
        f"{people} attendee(s)?",
        yes,
    )
    visit = visits.remove(db, visit_id)
    app_ctx.say(f"Removed visit {visit.id}: {visit.title}")
