"""`greentech itinerary` and `greentech check`: print a programme and find what is wrong with it."""

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from greentech_cli.cli.context import app_context
from greentech_cli.cli.options import DateOrderOption
from greentech_cli.exporters.registry import itinerary_names

if TYPE_CHECKING:
    from greentech_cli.services.schedule.checks import Finding


class Audience(StrEnum):
    """Who reads the itinerary (the officer and the caterer see the meals' dietary needs)."""

    participant = "participant"
    officer = "officer"
    caterer = "caterer"


class CheckFormat(StrEnum):
    """Formats of `check`."""

    table = "table"
    json = "json"


DelegationRef = Annotated[str, typer.Argument(help="Delegation id or code.")]


def register(app: typer.Typer) -> None:
    """Add itinerary and check to the root command."""
    app.command("itinerary")(itinerary)
    app.command("check")(check)


def itinerary(
    ctx: typer.Context,
    delegation: DelegationRef,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help=f"One of: {', '.join(itinerary_names())}. Without it the --out file's extension "
            "decides (text without --out).",
        ),
    ] = None,
    member: Annotated[
        str | None,
        typer.Option(
            "--member", help="One member's programme: contact id, email or name (either script)."
        ),
    ] = None,
    day: Annotated[
        str | None, typer.Option("--day", help="Only this day, e.g. 2026-11-17.")
    ] = None,
    lang: Annotated[
        str,
        typer.Option(
            "--lang",
            help="Labels, dates and titles: en, de or ru, or two for a bilingual programme "
            "(de+ru). A title in the language, else the title as written.",
        ),
    ] = "en",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write to this file (with --each-member: a folder)."),
    ] = None,
    each_member: Annotated[
        bool,
        typer.Option(
            "--each-member",
            help="One HTML and one ICS programme per member in the --out folder, and an index.",
        ),
    ] = False,
    audience: Annotated[
        Audience,
        typer.Option(
            "--audience",
            help="participant, officer or caterer (the last two see dietary needs at meals).",
        ),
    ] = Audience.participant,
    date_order: DateOrderOption = None,
) -> None:
    """Print a delegation's itinerary: per day, with host and home times, places and hosts.

    Hosts' and attendees' email and phone appear only with their share consent (stderr says
    what was withheld); internal notes only for --audience officer.

    Example: greentech itinerary kz-waste-2026 --lang de+ru --format html --out programm.html
    """
    from greentech_cli.errors import InvalidData, UsageError
    from greentech_cli.exporters.registry import ITINERARY_FORMATS, decide, itinerary_format
    from greentech_cli.render.labels import check_langs
    from greentech_cli.services.schedule import itinerary as service
    from greentech_cli.text.dates import in_order, parse_date

    app_ctx = app_context(ctx)
    try:
        chosen_lang = check_langs(lang)
    except InvalidData as exc:
        raise UsageError(f"--lang: {exc}") from None
    if each_member:
        if out is None or member is not None or day is not None:
            raise UsageError("--each-member writes to a folder: give --out DIR (no --member/--day)")
        written, withheld = service.write_pack(
            app_ctx.db(), delegation, out, chosen_lang, audience.value
        )
        for note in withheld:
            app_ctx.warn(f"Consent: {note}")
        members = (len(written) - 1) // 2
        app_ctx.say(f"Wrote {members} members' programmes (HTML and ICS) and an index to {out}")
        return
    if fmt is None and (out is None or not out.suffix):
        fmt = "text"
    where = str(out) if out is not None else None
    chosen = itinerary_format(decide(fmt, where, ITINERARY_FORMATS, what="itinerary"))
    wanted_day = parse_date(in_order(day, date_order)) if day else None
    plan = service.build(app_ctx.db(), delegation, member, wanted_day, audience.value)
    for note in plan.withheld:
        app_ctx.warn(f"Consent: {note}")
    lang = chosen_lang
    if out is not None:
        service.write_file(plan, chosen.name, lang, out)
        visits = sum(len(d.entries) for d in plan.days)
        app_ctx.say(f"Wrote the itinerary ({visits} visits, {chosen.name}) to {out}")
    elif chosen.name == "text" and sys.stdout.isatty():
        from greentech_cli.render.itinerary import print_text
        from greentech_cli.render.output import console

        print_text(plan, lang, console())
    else:
        from greentech_cli.render.terminal import writer

        writer().write(service.render(plan, chosen.name, lang))


def check(
    ctx: typer.Context,
    delegation: DelegationRef,
    fmt: Annotated[
        CheckFormat, typer.Option("--format", "-f", help="table or json.")
    ] = CheckFormat.table,
    speed: Annotated[
        float | None,
        typer.Option("--speed", min=1, help="Travel speed in km/h (default 50)."),
    ] = None,
    buffer: Annotated[
        str | None,
        typer.Option("--buffer", help="Time added to every journey (default 15m)."),
    ] = None,
    long_day: Annotated[
        float | None,
        typer.Option("--long-day", min=1, help="Warn about days longer than this (hours, 10)."),
    ] = None,
) -> None:
    """Check a programme: overlaps, double bookings, travel time, dates, long days, hosts.

    Exit code 1 when an error-level finding exists (warnings alone exit 0).
    Example: greentech check kz-waste-2026 --speed 60 --buffer 20m
    """
    from greentech_cli.config import read_config
    from greentech_cli.errors import CheckFailed
    from greentech_cli.services.schedule import checks

    app_ctx = app_context(ctx)
    settings = checks.settings(speed, buffer, long_day, read_config())
    found, findings = checks.check(app_ctx.db(), delegation, settings)
    if fmt is CheckFormat.json:
        from greentech_cli.render.output import write_json

        write_json([f.to_json() for f in findings])
    else:
        print_findings(findings)
    errors = sum(1 for f in findings if f.severity == "error")
    if errors:
        sys.stdout.flush()
        raise CheckFailed(
            f"{found.code}: {errors} error(s) and {len(findings) - errors} warning(s) found"
        )
    app_ctx.say(f"{found.code}: no errors, {len(findings)} warning(s)")


def print_findings(findings: "list[Finding]") -> None:
    """Show check findings on stdout, errors in red, one line each."""
    from rich.text import Text

    from greentech_cli.render.output import console
    from greentech_cli.render.terminal import for_stream

    out: Any = console()
    if not findings:
        out.print("No problems found.")
        return
    show = for_stream(out.file, lines=False)
    for finding in findings:
        style = "bold red" if finding.severity == "error" else "yellow"
        line = Text(f"{finding.severity.upper():<7}", style=style)
        line.append(f" {finding.code:<20} ", style="bold")
        visits = ", ".join(str(i) for i in finding.visit_ids)
        line.append(f"[visits {visits}] " if visits else "")
        line.append(show(finding.message))
        out.print(line)
