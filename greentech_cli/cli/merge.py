"""`greentech contact merge|unmerge` and `greentech company merge|unmerge`: two records of one
into one, and apart again."""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from greentech_cli.cli.context import AppContext, app_context
from greentech_cli.cli.options import YesOption, confirm

if TYPE_CHECKING:
    from greentech_cli.services.identity.merge import MergePlan

Keep = Annotated[str, typer.Argument(help="The record that stays (id, email or name).")]
Other = Annotated[str, typer.Argument(help="The record merged into KEEP and then removed.")]
TakeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--take",
        metavar="FIELD=OTHER",
        help="Take this field's value from OTHER instead of keeping KEEP's (repeatable; "
        "email, phone and mobile make OTHER's the primary one, KEEP's stays as a further one).",
    ),
]
Merged = Annotated[str, typer.Argument(help="The record another was merged into (id or email).")]

_ACTIONS = {
    "fill": "filled from OTHER",
    "union": "united",
    "append": "OTHER's appended",
    "withdraw": "withdrawn: OTHER's no",
    "take": "taken from OTHER",
    "conflict": "conflict: KEEP's kept",
}
_LINKS = {
    "memberships": "membership(s)",
    "visit_hosts": "host-contact link(s)",
    "visit_attendees": "attendee link(s)",
    "import_changes": "import change record(s)",
    "contacts": "contact(s)",
    "delegations hosted": "delegation(s) as host",
    "delegations partnered": "delegation(s) as partner",
    "visits hosted": "visit(s) as host company",
}


def register(app: typer.Typer) -> None:
    """Add `merge` to the contact and company groups."""
    from greentech_cli.cli.company import company_app
    from greentech_cli.cli.contact import contact_app

    contact_app.command("merge")(merge_contacts)
    company_app.command("merge")(merge_companies)
    contact_app.command("unmerge")(unmerge_contact)
    company_app.command("unmerge")(unmerge_company)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _show(app_ctx: AppContext, plan: "MergePlan") -> None:
    """Both records side by side with what happens to each field, then the links that move."""
    from rich.table import Table
    from rich.text import Text

    from greentech_cli.render.output import console
    from greentech_cli.render.terminal import for_stream

    show = for_stream()
    actions: dict[str, str] = {}
    for change in plan.changes:
        actions[change.field] = _ACTIONS[change.action]
        if change.field == "native_name" and not plan.other.get("native_name"):
            actions[change.field] = f"from OTHER's name: {change.result}"
    grid = Table(title=f"Merge {plan.entity} {plan.other_id} into {plan.keep_id}")
    grid.add_column("field", style="bold")
    grid.add_column(f"KEEP {plan.keep_id}", overflow="fold")
    grid.add_column(f"OTHER {plan.other_id}", overflow="fold")
    grid.add_column("merge", overflow="fold")
    for name, mine in plan.keep.items():
        if name == "id":
            continue
        theirs = plan.other.get(name)
        if _cell(mine) == "" and _cell(theirs) == "" and name not in actions:
            continue
        grid.add_row(
            Text(name),
            Text(show(_cell(mine))),
            Text(show(_cell(theirs))),
            Text(show(actions.get(name, ""))),
        )
    console().print(grid)
    moving = [f"{count} {_LINKS.get(name, name)}" for name, count in plan.links.items() if count]
    if moving:
        app_ctx.say(f"Moves to {plan.keep_id}: " + ", ".join(moving) + ".")
    if plan.memberships_joined:
        app_ctx.say(
            f"{plan.memberships_joined} delegation(s) hold both records: one membership is kept "
            "(the more advanced status and role)."
        )
    if plan.conflicts:
        fields = ", ".join(c.field for c in plan.conflicts)
        app_ctx.warn(f"conflicting values keep KEEP's: {fields}")
    app_ctx.say(f"Then {plan.entity} {plan.other_id} is removed.")


def merge_contacts(
    ctx: typer.Context, keep: Keep, other: Other, take: TakeOption = None, yes: YesOption = False
) -> None:
    """Merge contact OTHER into KEEP: fill empty fields, move memberships and links, remove OTHER.

    OTHER's spelling of the name stays as an alias; `contact unmerge KEEP` parts them again.

    Example: greentech contact merge 12 47 --take email=OTHER --yes
    """
    from greentech_cli.services.identity import merge

    app_ctx = app_context(ctx)
    db = app_ctx.db()
    taken = merge.parse_take(take, "contact")
    plan = merge.plan_contacts(db, keep, other, taken)
    _show(app_ctx, plan)
    confirm(f"Merge contact {plan.other_id} into {plan.keep_id}?", yes)
    done = merge.merge_contacts(db, str(plan.keep_id), str(plan.other_id), taken)
    app_ctx.say(
        f"Merged contact {done.other_id} into {done.keep_id} "
        f"(undo: greentech contact unmerge {done.keep_id})."
    )


def merge_companies(
    ctx: typer.Context, keep: Keep, other: Other, take: TakeOption = None, yes: YesOption = False
) -> None:
    """Merge organisation OTHER into KEEP: move its contacts, delegations and visits, remove OTHER.

    Example: greentech company merge "Lippe Recycling GmbH" 31 --yes
    """
    from greentech_cli.services.identity import merge

    app_ctx = app_context(ctx)
    db = app_ctx.db()
    taken = merge.parse_take(take, "company")
    plan = merge.plan_companies(db, keep, other, taken)
    _show(app_ctx, plan)
    confirm(f"Merge organisation {plan.other_id} into {plan.keep_id}?", yes)
    done = merge.merge_companies(db, str(plan.keep_id), str(plan.other_id), taken)
    app_ctx.say(
        f"Merged organisation {done.other_id} into {done.keep_id} "
        f"(undo: greentech company unmerge {done.keep_id})."
    )


def unmerge_contact(ctx: typer.Context, ref: Merged) -> None:
    """Undo the latest merge into a contact: both records, memberships and links as they were.

    Example: greentech contact unmerge 12
    """
    from greentech_cli.services.identity import unmerge

    app_ctx = app_context(ctx)
    _unmerged(app_ctx, "contact", unmerge.unmerge_contact(app_ctx.db(), ref))


def unmerge_company(ctx: typer.Context, ref: Merged) -> None:
    """Undo the latest merge into an organisation: both again, with their contacts and visits.

    Example: greentech company unmerge 31
    """
    from greentech_cli.services.identity import unmerge

    app_ctx = app_context(ctx)
    _unmerged(app_ctx, "organisation", unmerge.unmerge_company(app_ctx.db(), ref))


def _unmerged(app_ctx: Any, what: str, done: Any) -> None:
    app_ctx.say(f"Unmerged {what} {done.other_id} from {done.keep_id}: both are back as they were.")
