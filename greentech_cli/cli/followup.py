"""`greentech followup …`: the follow-up journal — notes, calls, meetings, leads, next steps."""

from typing import Annotated

import typer

from greentech_cli.cli.context import app_context
from greentech_cli.cli.options import FormatOption
from greentech_cli.render.output import Format, emit_list, emit_record, minute

followup_app = typer.Typer(
    help="The follow-up journal: what came out of a trip, per contact or company.",
    no_args_is_help=True,
)

EntryId = Annotated[str, typer.Argument(help="Follow-up id.")]
DelegationOption = Annotated[
    str | None, typer.Option("--delegation", "-d", help="Delegation id or code.")
]
OwnerOption = Annotated[str | None, typer.Option("--owner", help="Who follows it up.")]

TABLE_COLUMNS = ("id", "at", "kind", "status", "due", "owner", "contact", "company", "text")


def register(app: typer.Typer) -> None:
    """Add the followup group to the root command."""
    app.add_typer(followup_app, name="followup")


@followup_app.command("add")
def add(
    ctx: typer.Context,
    kind: Annotated[
        str,
        typer.Option("--kind", help="note, call, meeting, lead, agreement or next-step."),
    ],
    text: Annotated[str, typer.Option("--text", help="What happened or what is to do.")],
    contact: Annotated[str | None, typer.Option("--contact", help="Contact id or email.")] = None,
    company: Annotated[str | None, typer.Option("--company", help="Company id or name.")] = None,
    visit: Annotated[str | None, typer.Option("--visit", help="Visit id.")] = None,
    delegation: DelegationOption = None,
    due: Annotated[str | None, typer.Option("--due", help="Due date, e.g. 2026-12-10.")] = None,
    owner: OwnerOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Add an entry to the journal of a contact or company.

    Example: greentech followup add --contact aigerim@example.kz --kind next-step --text "Send the feasibility study" --due 2026-12-10 --delegation kz-waste-2026
    """  # noqa: E501
    from greentech_cli.services.aftertrip.followups import NewFollowup
    from greentech_cli.services.aftertrip.followups import add as add_entry

    app_ctx = app_context(ctx)
    new = NewFollowup(kind, text, contact, company, visit, delegation, due, owner)
    entry, warnings = add_entry(app_ctx.db(), new)
    for warning in warnings:
        app_ctx.warn(warning)
    if fmt is Format.table:
        app_ctx.say(f"Added follow-up {entry.id} ({entry.kind})")
    else:
        emit_record(entry.to_json(), fmt)


@followup_app.command("list")
def list_(
    ctx: typer.Context,
    open_: Annotated[bool, typer.Option("--open", help="Only entries still open.")] = False,
    due: Annotated[
        bool, typer.Option("--due", help="Only open entries due today or earlier.")
    ] = False,
    delegation: DelegationOption = None,
    owner: OwnerOption = None,
    contact: Annotated[str | None, typer.Option("--contact", help="Contact id or email.")] = None,
    company: Annotated[str | None, typer.Option("--company", help="Company id or name.")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List journal entries, oldest first (with --due: by due date).

    Example: greentech followup list --open --delegation kz-waste-2026
    """
    from greentech_cli.services.aftertrip import followups

    found = followups.find(
        app_context(ctx).db(),
        open_only=open_,
        due=due,
        owner=owner,
        delegation=delegation,
        contact=contact,
        company=company,
    )
    rows = [e.to_json() for e in found]
    emit_list(
        [{**r, "at": minute(r["at"])} for r in rows],
        fmt,
        json_rows=rows,
        table_columns=TABLE_COLUMNS,
        empty="No follow-ups found.",
    )


@followup_app.command("done")
def done(ctx: typer.Context, ref: EntryId) -> None:
    """Mark a follow-up done.

    Example: greentech followup done 12
    """
    from greentech_cli.services.aftertrip import followups

    app_ctx = app_context(ctx)
    entry, changed = followups.done(app_ctx.db(), ref)
    app_ctx.say(f"Follow-up {entry.id} {'done' if changed else 'was already done'}.")


@followup_app.command("show")
def show(ctx: typer.Context, ref: EntryId, fmt: FormatOption = Format.table) -> None:
    """Show one follow-up with its contact, company, visit and delegation.

    Example: greentech followup show 12 --format json
    """
    from greentech_cli.services.aftertrip import followups

    entry = followups.show(app_context(ctx).db(), ref)
    emit_record(entry.to_json(), fmt, title=f"Follow-up {entry.id}")
