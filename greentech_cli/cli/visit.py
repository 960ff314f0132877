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
        "trade-fair, flight, hotel or other.",
    ),
]
Start = Annotated[
    str | None, typer.Option("--start", help='Start in the visit\'s zone: "2026-11-17 09:00".')
]
End = Annotated[str | None, typer.Option("--end", help='End: "2026-11-17 11:00".')]
Duration = Annotated[str | None, typer.Option("--duration", help="Length: 90m, 1h30m or 1:30.")]
Company = Annotated[str | None, typer.Option("--company", help="Host company (id or name).")]
Location = Annotated[
    str | None,
    typer.Option("--location", help="The visit's own venue (address); overrides the company's."),
]
Room = Annotated[str | None, typer.Option("--room", help="Room or table at the venue.")]
Lat = Annotated[str | None, typer.Option("--lat", help="The venue's latitude, e.g. 51.2254.")]
Lon = Annotated[str | None, typer.Option("--lon", help="The venue's longitude, e.g. 6.7763.")]
FromPlace = Annotated[
    str | None,
    typer.Option(
        "--from",
        help="Where a transfer starts: company (id or name), city, address, IATA code or LAT,LON; "
        "a flight's departure airport (IATA).",
    ),
]
ToPlace = Annotated[
    str | None,
    typer.Option("--to", help="Where a transfer or flight ends (as --from)."),
]
Mode = Annotated[
    str | None, typer.Option("--mode", help="How a transfer travels: bus, car, train or walk.")
]
Seats = Annotated[
    int | None, typer.Option("--seats", help="A transfer's seats (its capacity).", min=1)
]
Capacity = Annotated[
    int | None, typer.Option("--capacity", help="The most persons the visit takes.", min=1)
]
Parent = Annotated[
    str | None,
    typer.Option("--parent", help="The block (visit id) this slot lies in; '' takes it out."),
]
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
Notes = Annotated[
    str | None, typer.Option("--notes", help="Notes for the delegates (in every itinerary).")
]
InternalNotes = Annotated[
    str | None,
    typer.Option(
        "--internal-notes",
        help="Notes for the officer only (booking references, drivers' phones): shown in "
        "'itinerary --audience officer', never to delegates.",
    ),
]
Status = Annotated[
    str | None,
    typer.Option(
        "--status",
        help="planned, confirmed or cancelled: a cancelled visit stays in the programme, shown "
        "as cancelled and cancelled in calendars.",
    ),
]
TitleDe = Annotated[str | None, typer.Option("--title-de", help="The title in German.")]
TitleEn = Annotated[str | None, typer.Option("--title-en", help="The title in English.")]
TitleRu = Annotated[str | None, typer.Option("--title-ru", help="The title in Russian.")]

TABLE_COLUMNS = ("id", "day", "time", "title", "kind", "status", "company", "timezone")


def register(app: typer.Typer) -> None:
    """Add the visit group to the root command."""
    app.add_typer(visit_app, name="visit")


# Option parameters of `visit add|edit` and the visit fields they set.
FIELD_OPTIONS = {
    "title": "title", "start": "start", "end": "end", "duration": "duration", "kind": "kind",
    "company": "company", "location": "location", "tz": "timezone",
    "host_contact": "host_contacts", "attendee": "attendees", "notes": "notes",
    "room": "room", "lat": "lat", "lon": "lon", "from_": "from", "to": "to", "mode": "mode",
    "seats": "capacity", "capacity": "capacity", "parent": "parent",
    "internal_notes": "internal_notes", "title_de": "title_de", "title_en": "title_en",
    "title_ru": "title_ru", "status": "status",
}  # fmt: skip
DATE_FIELDS = ("start", "end")


def _fields(values: dict[str, Any], date_order: Any) -> dict[str, Any]:
    """The visit fields among a command's options, dates in order; --end or --duration, one."""
    from greentech_cli.errors import UsageError

    if values.get("end") is not None and values.get("duration") is not None:
        raise UsageError("give either --end or --duration, not both")
    if values.get("seats") is not None and values.get("capacity") is not None:
        raise UsageError(
            "give --seats or --capacity, not both: a transfer's seats are its capacity"
        )
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
        zones = record["timezone"]
        if record["end_timezone"] != zones:
            zones += f" → {record['end_timezone']}"
        app_ctx.say(f"{message} {visit_id}: {record['title']}, {_table_row(record)['time']} "
                    f"on {record['start'][:10]} ({zones})")  # fmt: skip
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
    room: Room = None,
    lat: Lat = None,
    lon: Lon = None,
    from_: FromPlace = None,
    to: ToPlace = None,
    mode: Mode = None,
    seats: Seats = None,
    capacity: Capacity = None,
    parent: Parent = None,
    tz: Tz = None,
    host_contact: HostContact = None,
    attendee: Attendee = None,
    notes: Notes = None,
    internal_notes: InternalNotes = None,
    status: Status = None,
    title_de: TitleDe = None,
    title_en: TitleEn = None,
    title_ru: TitleRu = None,
    date_order: DateOrderOption = None,
    force: ForceOption = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Add a visit to a delegation's programme (times in the visit's own zone).

    A transfer goes --from a place --to another (with --seats); a flight from one airport to
    another, its start read in the departure airport's zone and its end in the arrival's; a
    hotel's start and end are check-in and check-out. --location/--room/--lat/--lon give the
    visit's own venue; --parent puts a slot inside a block.

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


@visit_app.command("show")
def show(ctx: typer.Context, visit_id: VisitId, fmt: FormatOption = Format.table) -> None:
    """Show one visit: times, places, block, capacity, hosts and attendees.

    Example: greentech visit show 3 --format json
    """
    from greentech_cli.services.schedule import visits

    record = visits.record(app_context(ctx).db(), visit_id)
    if fmt is Format.table:
        emit_record(_show_row(record), fmt, title=f"Visit {record['id']}")
    else:
        emit_record(record, fmt)


def _show_row(record: dict[str, Any]) -> dict[str, Any]:
    """A visit as the rows of `visit show`: nested parts as short text."""

    def place(value: dict[str, Any] | None) -> str | None:
        if not value:
            return None
        name = value["company"] or value["place"]
        if value["lat"] is not None:
            point = f"{value['lat']},{value['lon']}"
            name = f"{name} ({point})" if name else point
        return name

    venue = record["venue"]
    where = ", ".join(str(venue[k]) for k in ("address", "room") if venue[k])
    if venue["lat"] is not None:
        where = f"{where} ({venue['lat']},{venue['lon']})".strip()
    people = {
        key: ", ".join(p["name"] for p in record[key]) or None
        for key in ("host_contacts", "attendees")
    }
    return {
        "id": record["id"],
        "delegation": record["delegation"],
        "title": record["title"],
        "kind": record["kind"],
        "status": record["status"],
        "start": record["start"],
        "end": record["end"],
        "timezone": record["timezone"],
        "end_timezone": record["end_timezone"]
        if record["end_timezone"] != record["timezone"]
        else None,
        "company": record["company"],
        "venue": where or None,
        "from": place(record["from"]),
        "to": place(record["to"]),
        "mode": record["mode"],
        "capacity": record["capacity"],
        "parent": record["parent"],
        **people,
        "attendees_explicit": record["attendees_explicit"] or None,
        "notes": record["notes"],
        "internal_notes": record["internal_notes"],
        **{
            f"{name}_{lang}": text
            for name, texts in record["translations"].items()
            for lang, text in texts.items()
        },
        "uid": record["uid"],
        "sequence": record["sequence"],
    }


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
    room: Room = None,
    lat: Lat = None,
    lon: Lon = None,
    from_: FromPlace = None,
    to: ToPlace = None,
    mode: Mode = None,
    seats: Seats = None,
    capacity: Capacity = None,
    parent: Parent = None,
    tz: Tz = None,
    host_contact: HostContact = None,
    attendee: Attendee = None,
    all_members: Annotated[
        bool,
        typer.Option("--all-members", help="Attendance back to the default (all members)."),
    ] = False,
    notes: Notes = None,
    internal_notes: InternalNotes = None,
    status: Status = None,
    title_de: TitleDe = None,
    title_en: TitleEn = None,
    title_ru: TitleRu = None,
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
    visits.removable(db, visit_id)  # a block with slots is refused before anything is asked
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
