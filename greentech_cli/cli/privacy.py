"""`greentech privacy …`: report everything held about a person, or erase every trace of them."""

from enum import StrEnum
from typing import Annotated, Any

import typer

from greentech_cli.cli.context import app_context
from greentech_cli.cli.options import YesOption, confirm

privacy_app = typer.Typer(
    help="What greentech holds about a person, and erasing every trace of them (GDPR).",
    no_args_is_help=True,
)

Ref = Annotated[str, typer.Argument(help="Contact id or email.")]

SECTIONS = {
    "memberships": ("code", "title", "role", "status", "start_date", "end_date"),
    "visits": ("visit_id", "delegation", "title", "start", "end", "as"),
    "followups": ("id", "kind", "at", "status", "due", "company", "text"),
    "import_batches": (
        "batch_id",
        "file",
        "format",
        "imported_at",
        "entity",
        "action",
        "undone_at",
    ),
    "images": ("kind", "id", "about", "entity", "entity_id", "action"),
    "decisions": ("other_id", "decision", "decided_at"),
    "mentions": ("record", "id", "field", "excerpts"),
    "audit": ("at", "user", "command", "entity", "entity_id", "action", "fields"),
    # The records as they were before a merge, kept for unmerge (in full with --format json).
    "merges": ("id", "keep_id", "other_id", "merged_at", "undone_at"),
}
# The "b2b" part of the report (issue 20), shown when the person has any.
B2B_SECTIONS = {
    "participant": ("visit_id", "max_meetings", "available_from", "available_to"),
    "interpreter": ("visit_id", "languages"),
    "requests": ("id", "visit_id", "requester_id", "wanted_id", "priority", "source"),
    "meetings": ("visit_id", "slot", "table", "a", "b", "interpreter"),
}


class ReportFormat(StrEnum):
    """Formats of a privacy report."""

    table = "table"
    json = "json"
    yaml = "yaml"


def register(app: typer.Typer) -> None:
    """Add the privacy group to the root command."""
    app.add_typer(privacy_app, name="privacy")


def _show_report(data: dict[str, Any]) -> None:
    """The report for a person at a terminal: the record, then one table per section."""
    from greentech_cli.render.output import Format, console, emit_record, table

    emit_record(data["contact"], Format.table, title="Record")
    out = console()
    for section, columns in SECTIONS.items():
        rows = data[section]
        label = section.replace("_", " ").capitalize()
        if rows:
            out.print(table(rows, columns, title=f"{label} ({len(rows)})"))
        else:
            out.print(f"{label}: none")
    for section, columns in B2B_SECTIONS.items():
        rows = data.get("b2b", {}).get(section, [])
        if rows:
            out.print(table(rows, columns, title=f"B2B {section} ({len(rows)})"))


def say_mentions(
    app_ctx: Any, mentions: list[tuple[str, Any, str]], redacted: bool, whom: str, hint: str
) -> None:
    """Say which fields of other records mentioned the erased people: redacted, or still there
    (a warning with what to do: `hint`)."""
    where = ", ".join(f"{r} {i} {f}" for r, i, f in mentions[:5])
    more = f" and {len(mentions) - 5} more" if len(mentions) > 5 else ""
    if mentions and redacted:
        app_ctx.say(f"Redacted {len(mentions)} mention(s) in other records: {where}{more}.")
    elif mentions:
        app_ctx.warn(
            f"{len(mentions)} field(s) of other records still mention {whom}: {where}{more}; "
            f"edit them, or {hint}"
        )


def say_left(app_ctx: Any, compacted: bool, not_vacuumed: list[str]) -> None:
    """Warn of what an erasure left for later (it is committed): the PostgreSQL tables this
    role may not vacuum, or the WAL file another process kept open."""
    if not_vacuumed:
        app_ctx.warn(
            f"the erasure is committed, but the tables {', '.join(not_vacuumed)} still hold the "
            "erased rows' dead tuples until an administrator vacuums them (this role may not: "
            "VACUUM needs the tables' owner, or pg_maintain on PostgreSQL 17+)"
        )
    elif not compacted:
        app_ctx.warn(
            "another process kept the database open, so its WAL file could not be emptied; "
            "run 'greentech doctor --fix' once it has finished"
        )


@privacy_app.command("report")
def report(
    ctx: typer.Context,
    ref: Ref,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="table, json or yaml.")
    ] = ReportFormat.table,
) -> None:
    """Everything held about a person: record, memberships, visits, imports, audit entries.

    Example: greentech privacy report nurlan@example.kz --format yaml
    """
    from greentech_cli.render.output import write_json
    from greentech_cli.services.safety import privacy

    data = privacy.report(app_context(ctx).db(), ref)
    if fmt is ReportFormat.json:
        write_json(data)
    elif fmt is ReportFormat.yaml:
        import yaml

        from greentech_cli.render.terminal import writer

        writer().write(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    else:
        _show_report(data)


@privacy_app.command("erase")
def erase(
    ctx: typer.Context,
    ref: Ref,
    yes: YesOption = False,
    redact_mentions: Annotated[
        bool,
        typer.Option(
            "--redact-mentions",
            help="Also replace mentions of them (name, email, phone) in other records' notes "
            "and free-text fields by [erased]; without it they are listed.",
        ),
    ] = False,
) -> None:
    """Erase a person and every trace of them, keeping one audit entry that it happened.

    Example: greentech privacy erase nurlan@example.kz --redact-mentions --yes
    """
    from greentech_cli.services.records import contacts
    from greentech_cli.services.safety import privacy

    app_ctx = app_context(ctx)
    db = app_ctx.db()
    contact = contacts.resolve(db, ref)
    confirm(
        f"Erase {contact.display_name} (contact {contact.id}) and every trace of them? "
        "This cannot be undone",
        yes,
    )
    result = privacy.erase(db, contact.id or 0, redact_mentions=redact_mentions)
    app_ctx.say(
        f"Erased contact {result.contact_id}: the record, {result.memberships} membership(s), "
        f"{result.visit_links} visit link(s), {result.import_images} import and merge image(s) and "
        f"{result.audit_entries} audit entr(ies); one audit entry records the erasure."
    )
    say_mentions(
        app_ctx, result.mentions, result.redacted, "them", "erase with --redact-mentions next time"
    )
    say_left(app_ctx, result.compacted, result.not_vacuumed)
    if result.backups:
        app_ctx.warn(
            f"{len(result.backups)} older copy(ies) of the database still hold this person "
            f"(e.g. {result.backups[0]}); delete them or let them expire"
        )
