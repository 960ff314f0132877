"""`greentech privacy due|purge`: travellers' data past its retention period, and purging it."""

from typing import Annotated, Any

import typer

from greentech_cli.cli.context import app_context
from greentech_cli.cli.options import FormatOption, YesOption, confirm
from greentech_cli.cli.privacy import privacy_app, say_left, say_mentions
from greentech_cli.render.output import Format, emit_list

DelegationOption = Annotated[
    str | None, typer.Option("--delegation", "-d", help="Only this delegation's travellers.")
]
SCHEDULE = ("delegation", "end_date", "data", "period", "due_on", "rule", "records", "due")
COLUMNS = (
    "data", "contact_id", "name", "email", "delegation", "end_date", "period", "due_since", "rule",
)  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add due and purge to the privacy group."""
    privacy_app.command("due")(due)
    privacy_app.command("purge")(purge)


def _period() -> Any:
    from greentech_cli.config import read_config
    from greentech_cli.services.aftertrip import retention

    return retention.periods(read_config())


def due(
    ctx: typer.Context,
    delegation: DelegationOption = None,
    schedule: Annotated[
        bool,
        typer.Option(
            "--schedule",
            help="Per delegation and data class: when it falls due, by which rule, and how "
            "many records are due now.",
        ),
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """List what is past retention, each with the period applied and why: people whose every
    trip ended longer ago than its delegation's own period (delegation edit --retention), else
    retention_months (config, 24 by default); dietary needs older than --retention-dietary,
    else retention_months_dietary (1 by default).

    Example: greentech privacy due --schedule --delegation kz-waste-2026
    """
    from greentech_cli.services.aftertrip import retention

    db = app_context(ctx).db()
    if schedule:
        found = retention.schedule(db, _period(), delegation)
        emit_list(found, fmt, table_columns=SCHEDULE, empty="No delegations found.")
        return
    rows = retention.due(db, _period(), delegation)
    emit_list(rows, fmt, table_columns=COLUMNS, empty="Nobody is past retention.")


def purge(
    ctx: typer.Context,
    delegation: DelegationOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List who would be erased; change nothing.")
    ] = False,
    yes: YesOption = False,
    redact_mentions: Annotated[
        bool,
        typer.Option(
            "--redact-mentions",
            help="Also replace mentions of them (name, email, phone) in other records' notes, "
            "follow-ups and free-text fields by [erased]; without it they are listed.",
        ),
    ] = False,
) -> None:
    """Erase the people past retention as 'privacy erase' does, keeping anonymous counts so
    past reports still add up.

    Example: greentech privacy purge --delegation kz-waste-2024 --dry-run
    """
    from greentech_cli.services.aftertrip import retention

    app_ctx = app_context(ctx)
    db = app_ctx.db()
    rows = retention.due(db, _period(), delegation)
    if dry_run or not rows:
        emit_list(rows, Format.table, table_columns=COLUMNS, empty="Nobody is past retention.")
        if rows:
            app_ctx.say(f"{_what(rows)} would be erased (dry run: nothing changed).")
        return
    confirm(f"Erase {_what(rows)} past retention, without a trace?", yes)
    result = retention.purge(db, rows, redact_mentions=redact_mentions)
    app_ctx.say(
        f"Erased {len(result.contacts)} person(s) and {result.dietary} member(s)' dietary needs "
        f"past retention; the counts of {len(result.delegations)} delegation(s) are kept as "
        "anonymous tallies."
    )
    say_mentions(
        app_ctx,
        result.mentions,
        result.redacted,
        "the erased people",
        "purge with --redact-mentions, which replaces such mentions",
    )
    say_left(app_ctx, result.compacted, result.not_vacuumed)


def _what(rows: list[dict[str, Any]]) -> str:
    people = sum(1 for r in rows if r["data"] == "person")
    dietary = len(rows) - people
    return f"{people} person(s) and {dietary} member(s)' dietary needs"
