"""`greentech b2b …`: the 1:1 meeting grid of a B2B session — setup, participants, requests,
suggestions, scheduling, the grid shown and exported."""

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from greentech_cli.cli.context import app_context
from greentech_cli.cli.options import FormatOption
from greentech_cli.render.output import Format, emit_list, emit_record

b2b_app = typer.Typer(
    help="B2B sessions: 1:1 meetings at tables, with requests, interpreters and a solver.\n\n"
    "Example: greentech b2b schedule 12 --time-limit 10s",
    no_args_is_help=True,
)
participant_app = typer.Typer(
    help="Who takes part in a B2B session.\n\nExample: greentech b2b participant list 12",
    no_args_is_help=True,
)
request_app = typer.Typer(
    help="Who wants to meet whom, with a priority.\n\nExample: greentech b2b request list 12",
    no_args_is_help=True,
)
b2b_app.add_typer(participant_app, name="participant")
b2b_app.add_typer(request_app, name="request")

Visit = Annotated[str, typer.Argument(help="The block visit of the session (its id).")]
Person = Annotated[str, typer.Argument(help="A contact: id, email or name.")]


def register(app: typer.Typer) -> None:
    """Add the b2b group to the root command."""
    app.add_typer(b2b_app, name="b2b")


@b2b_app.command("setup")
def setup(
    ctx: typer.Context,
    visit: Visit,
    slot: Annotated[str, typer.Option("--slot", help="Meeting length: 20m, 1h, 0:30.")],
    tables: Annotated[
        int | None, typer.Option("--tables", help="How many tables (numbered from 1).")
    ] = None,
    rooms: Annotated[
        list[str] | None,
        typer.Option(
            "--rooms",
            "--room",
            help='Named rooms instead of numbered tables: --rooms "Saal A,Saal B" or --room '
            "NAME repeated.",
        ),
    ] = None,
    break_: Annotated[str, typer.Option("--break", help="Pause between slots: 5m.")] = "0m",
    interpreter: Annotated[
        list[str] | None,
        typer.Option(
            "--interpreter",
            help="An interpreter and language pairs, CONTACT:ru-de (or :ru-de,kk-de), there "
            "only @HH:MM-HH:MM if so given; repeatable.",
        ),
    ] = None,
    allow_leftover: Annotated[
        bool,
        typer.Option("--allow-leftover", help="Accept time left at the end of the block."),
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Make a block visit a B2B session: slot length, breaks, tables or rooms, interpreters.

    Example: greentech b2b setup 12 --slot 20m --tables 12 --interpreter 31:ru-de@09:00-11:00
    """
    from greentech_cli.services.matchmaking import b2b

    app_ctx = app_context(ctx)
    blk, dropped = b2b.setup(
        app_ctx.db(),
        visit,
        slot=slot,
        break_=break_,
        tables=tables,
        rooms=rooms,
        interpreters=interpreter,
        allow_leftover=allow_leftover,
    )
    record = {
        "visit": blk.visit.id,
        "slot_minutes": blk.session.slot_minutes,
        "break_minutes": blk.session.break_minutes,
        "tables": blk.session.tables,
        "rooms": blk.session.rooms,
        "slots": [start.isoformat() for start, _ in blk.slots],
        "leftover_minutes": blk.leftover,
        "interpreters": [
            {
                "contact_id": i.contact_id,
                "languages": i.languages,
                "available": f"{i.available_from}-{i.available_to}" if i.available_from else None,
            }
            for i in blk.session.interpreters
        ],
    }
    if fmt is not Format.table:
        emit_record(record, fmt)
    first, last = blk.slots[0][0], blk.slots[-1][1]
    app_ctx.say(
        f"Visit {blk.visit.id}: {len(blk.slots)} slots of {blk.session.slot_minutes} minutes "
        f"({first:%H:%M}–{last:%H:%M}), "
        f"{', '.join(blk.session.rooms) if blk.session.rooms else f'{blk.session.tables} tables'}, "
        f"{len(blk.session.interpreters)} interpreter(s)"
    )
    if blk.leftover:
        app_ctx.warn(f"the last {blk.leftover} minutes of the block hold no slot")
    if dropped:
        app_ctx.warn(
            f"the slots or tables changed: {dropped} scheduled meeting(s) dropped; schedule again"
        )


@participant_app.command("add")
def participant_add(
    ctx: typer.Context,
    visit: Visit,
    contact: Person,
    max_meetings: Annotated[
        int | None, typer.Option("--max", help="At most this many meetings.")
    ] = None,
    available: Annotated[
        str | None,
        typer.Option("--available", help="There only HH:MM-HH:MM (in the visit's zone)."),
    ] = None,
) -> None:
    """Add a person to a session (again: change their maximum or hours).

    Example: greentech b2b participant add 12 dana@kazwater.kz --max 6 --available 09:00-11:00
    """
    from greentech_cli.services.matchmaking import b2b

    app_ctx = app_context(ctx)
    found, new = b2b.add_participant(
        app_ctx.db(), visit, contact, max_meetings=max_meetings, available=available
    )
    app_ctx.say(f"{'Added' if new else 'Updated'} participant {found.id}: {found.display_name}")


@participant_app.command("list")
def participant_list(ctx: typer.Context, visit: Visit, fmt: FormatOption = Format.table) -> None:
    """The participants of a session with side, languages, maximum and hours.

    Example: greentech b2b participant list 12
    """
    from greentech_cli.services.matchmaking import b2b_grid

    rows = b2b_grid.participant_list(app_context(ctx).db(), visit)
    emit_list(
        rows,
        fmt,
        table_columns=("contact_id", "name", "side", "languages", "max_meetings", "available"),
        headers=("id", "name", "side", "languages", "max", "available"),
        empty="No participants yet: greentech b2b participant add VISIT CONTACT",
    )


@participant_app.command("rm")
def participant_rm(ctx: typer.Context, visit: Visit, contact: Person) -> None:
    """Take a person out of a session, with their requests and meetings.

    Example: greentech b2b participant rm 12 dana@kazwater.kz
    """
    from greentech_cli.services.matchmaking import b2b

    app_ctx = app_context(ctx)
    found, gone = b2b.remove_participant(app_ctx.db(), visit, contact)
    app_ctx.say(f"Removed participant {found.id} and {gone} request(s)")


@request_app.command("add")
def request_add(
    ctx: typer.Context,
    visit: Visit,
    requester: Annotated[str, typer.Argument(help="Who asks: person or company (id/email/name).")],
    wanted: Annotated[str, typer.Argument(help="Whom they want to meet: person or company.")],
    priority: Annotated[
        int, typer.Option("--priority", help="1 nice to have, 2 wanted, 3 most wanted.")
    ] = 2,
) -> None:
    """Record that one participant wants to meet another.

    Example: greentech b2b request add 12 dana@kazwater.kz "Lippe Recycling GmbH" --priority 3
    """
    from greentech_cli.services.matchmaking import b2b

    app_ctx = app_context(ctx)
    request, new = b2b.add_request(app_ctx.db(), visit, requester, wanted, priority)
    verb = "Added" if new else "Already there:"
    app_ctx.say(
        f"{verb} request {request.id}: contact {request.requester_id} wants to meet contact "
        f"{request.wanted_id} (priority {request.priority})"
    )


@request_app.command("list")
def request_list(ctx: typer.Context, visit: Visit, fmt: FormatOption = Format.table) -> None:
    """The requests of a session, mutual ones marked.

    Example: greentech b2b request list 12 --format json
    """
    from greentech_cli.services.matchmaking import b2b_grid

    rows = b2b_grid.request_list(app_context(ctx).db(), visit)
    emit_list(
        rows,
        fmt,
        table_columns=("id", "requester", "wanted", "priority", "mutual", "source"),
        empty="No requests yet: greentech b2b request add VISIT REQUESTER WANTED",
    )


@request_app.command("rm")
def request_rm(
    ctx: typer.Context,
    visit: Visit,
    request_id: Annotated[int, typer.Argument(help="The request's id (see request list).")],
) -> None:
    """Delete a request.

    Example: greentech b2b request rm 12 7
    """
    from greentech_cli.services.matchmaking import b2b

    app_ctx = app_context(ctx)
    b2b.remove_request(app_ctx.db(), visit, request_id)
    app_ctx.say(f"Removed request {request_id}")


@request_app.command("import")
def request_import(
    ctx: typer.Context,
    visit: Visit,
    file: Annotated[Path, typer.Argument(help="Registration list (CSV, TSV, XLSX).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show, write nothing.")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Read wishes (Wunschpartner 1..5 / Preferred partner 1..5) from a registration list.

    Example: greentech b2b request import 12 anmeldungen.csv --dry-run
    """
    from greentech_cli.services.matchmaking.b2b_wishes import import_wishes

    app_ctx = app_context(ctx)
    report = import_wishes(app_ctx.db(), visit, file, dry_run=dry_run)
    if fmt is not Format.table:
        emit_record(report.to_json(), fmt)
    for reject in report.rejects:
        app_ctx.warn(
            f"row {reject['row']}, {reject['column']} {reject['value']!r} not stored: "
            f"{reject['reason']}"
        )
    if report.unread_columns:
        app_ctx.say(
            f"Not read (only wishes are taken from this file; import the people with "
            f"greentech import): {', '.join(report.unread_columns)}"
        )
    app_ctx.say(
        f"{'Would create' if dry_run else 'Created'} {report.created} request(s) from "
        f"{report.rows} row(s); {report.unchanged} already there, {len(report.rejects)} rejected"
    )


@b2b_app.command("suggest")
def suggest(
    ctx: typer.Context,
    visit: Visit,
    add: Annotated[bool, typer.Option("--add", help="Store them as priority-1 requests.")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Partners for delegates with few requests, by sector and keyword fit of their companies.

    Example: greentech b2b suggest 12 --add
    """
    from greentech_cli.services.matchmaking.b2b_wishes import suggest as run

    rows = run(app_context(ctx).db(), visit, add=add)
    emit_list(
        rows,
        fmt,
        table_columns=("requester_name", "wanted_name", "score", "reasons"),
        headers=("for", "suggested", "score", "why"),
        empty="No suggestions: everyone has requests, or no company fits the delegation.",
    )


@b2b_app.command("schedule")
def schedule(
    ctx: typer.Context,
    visit: Visit,
    time_limit: Annotated[
        str, typer.Option("--time-limit", help="Longest time to search: 10s, 1m.")
    ] = "10s",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show, store nothing.")] = False,
    solver: Annotated[
        str,
        typer.Option(
            "--solver", help="auto (HiGHS, else CP-SAT, else greedy), highs, cp-sat or greedy."
        ),
    ] = "auto",
    seed: Annotated[int, typer.Option("--seed", help="The solver's random seed.")] = 0,
    fmt: FormatOption = Format.table,
) -> None:
    """Schedule the session's meetings near-optimally; meetings that still fit stay put.

    Example: greentech b2b schedule 12 --time-limit 10s --dry-run
    """
    from greentech_cli.services.matchmaking import b2b, b2b_grid

    app_ctx = app_context(ctx)
    db = app_ctx.db()
    seconds = _seconds(time_limit)
    blk, solution, changes = b2b.schedule(
        db, visit, time_limit=seconds, dry_run=dry_run, method=solver, seed=seed
    )
    result = b2b_grid.schedule_json(db, blk, solution, dry_run, changes)
    if fmt is not Format.table:
        emit_record(result, fmt)
    else:
        emit_list(
            _shown(sorted(result["meetings"], key=lambda r: (r["slot"], r["table"]))),
            fmt,
            table_columns=("time", "table", "a_name", "b_name", "interpreter_name"),
            headers=("time", "table", "a", "b", "interpreter"),
            empty="No meeting could be scheduled.",
        )
    _summary(app_ctx, result)


def _shown(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for the terminal: a named room in place of its table number."""
    return [{**r, "table": r["room"] or r["table"]} for r in rows]


def _seconds(text: str) -> float:
    from greentech_cli.errors import InvalidData

    value = text.strip().lower()
    try:
        if value.endswith("ms"):
            return float(value[:-2]) / 1000
        if value.endswith("s"):
            return float(value[:-1])
        if value.endswith("m"):
            return float(value[:-1]) * 60
        return float(value)
    except ValueError:
        raise InvalidData(f"--time-limit {text!r}: write seconds like 10s or 1m") from None


UNMET_SHOWN = 20  # unmet pairs listed on the terminal; JSON has every one


def _summary(app_ctx: Any, result: dict[str, Any]) -> None:
    gap = f", gap {result['gap']:.1%}" if result["bound"] else ""
    app_ctx.say(
        f"{'Would schedule' if result['dry_run'] else 'Scheduled'} {len(result['meetings'])} "
        f"meeting(s): {result['requests_met']} of {result['requests_total']} requests met, "
        f"weighted {result['objective']} of at most {result['bound']}{gap} "
        f"({result['solver']}, {result['status']}, {result['seconds']:.1f} s); "
        f"{result['covered']} of {result['coverable']} people with a request have a meeting"
    )
    if result["slot_visits"] is not None:
        counts = result["slot_visits"]
        app_ctx.say(
            f"In the programme (slots of visit {result['visit']}): {counts['added']} added, "
            f"{counts['changed']} changed, {counts['cancelled']} cancelled"
        )
    for move in result["moved"]:
        where = move["to"] or "dropped"
        app_ctx.say(f"Moved: {move['names']}: {move['from']} → {where}")
    shown = result["unmet"][:UNMET_SHOWN]
    for unmet in shown:
        app_ctx.say(f"Unmet: {unmet['a_name']} – {unmet['b_name']}: {unmet['reason']}")
    if len(result["unmet"]) > len(shown):
        more = len(result["unmet"]) - len(shown)
        app_ctx.say(f"… and {more} more unmet request(s): --format json lists them all")


@b2b_app.command("show")
def show(
    ctx: typer.Context,
    visit: Visit,
    by: Annotated[
        str, typer.Option("--by", help="table (a sheet per table) or person (agendas).")
    ] = "table",
    person: Annotated[
        str | None,
        typer.Option(
            "--person", help="Only this person's agenda (id, email, name or company); --by person."
        ),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """The scheduled grid, per table or per person (a company contact's agenda: --person).

    Example: greentech b2b show 12 --by person --person jan@lippe.de
    """
    from greentech_cli.errors import UsageError
    from greentech_cli.services.matchmaking import b2b_grid

    if by not in b2b_grid.VIEWS:
        raise UsageError(f"--by {by!r}: choose table or person")
    if person is not None and by != "person":
        raise UsageError("--person goes with --by person")
    _, rows = b2b_grid.show(app_context(ctx).db(), visit, by, person)
    if fmt is Format.table:
        rows = _shown(rows)
    if by == "table":
        columns = ("table", "time", "a_name", "b_name", "interpreter_name")
        headers = ("table", "time", "a", "b", "interpreter")
    else:
        columns = ("person_name", "time", "table", "with_name", "interpreter_name")
        headers = ("person", "time", "table", "with", "interpreter")
    emit_list(rows, fmt, table_columns=columns, headers=headers,
              empty="No grid yet: greentech b2b schedule VISIT")  # fmt: skip


@b2b_app.command("export")
def export(
    ctx: typer.Context,
    visit: Visit,
    fmt: Annotated[str, typer.Option("--format", help="xlsx, html, csv or json.")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file (else to stdout).")
    ] = None,
) -> None:
    """Export the grid: printable sheets per table and per person (html), or data.

    Example: greentech b2b export 12 --format html --out grid.html
    """
    from greentech_cli.errors import UsageError
    from greentech_cli.files import same_file
    from greentech_cli.services.matchmaking import b2b_grid

    app_ctx = app_context(ctx)
    if fmt not in b2b_grid.EXPORT_FORMATS:
        raise UsageError(f"--format {fmt!r}: choose xlsx, html, csv or json")
    if out is None or str(out) == "-":
        if fmt == "xlsx":
            raise UsageError("xlsx is a binary format; give --out FILE")
        sys.stdout.flush()
        count = b2b_grid.export(app_ctx.db(), visit, fmt, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        where = "stdout"
    else:
        if same_file(out, app_ctx.path):
            raise UsageError(f"--out {out} is the database itself; choose another file")
        count = b2b_grid.export_file(app_ctx.db(), visit, fmt, out)
        where = str(out)
    app_ctx.say(f"Exported {count} meeting(s) to {where}")
