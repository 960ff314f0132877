"""`greentech delegation …` and `greentech member …`: delegations and who travels with them."""

from typing import Annotated, Any

import typer

from greentech_cli.cli.context import app_context
from greentech_cli.cli.options import (
    DateOrderOption,
    ForceOption,
    FormatOption,
    LimitOption,
    YesOption,
    confirm,
    given_fields,
    in_date_order,
)
from greentech_cli.render.output import Format, emit_list, emit_record

delegation_app = typer.Typer(
    help="Delegations: incoming groups and outgoing trips.", no_args_is_help=True
)
member_app = typer.Typer(help="Members of a delegation and their roles.", no_args_is_help=True)

DelegationRef = Annotated[str, typer.Argument(help="Delegation id or code.")]
ContactRef = Annotated[str, typer.Argument(help="Contact id or email.")]
Title = Annotated[str | None, typer.Option("--title", help="What the delegation is called.")]
Type = Annotated[
    str | None,
    typer.Option(
        "--type",
        help="information-trip, business-trip, buyer-trip, study-tour, b2b-event, trade-fair "
        "or other.",
    ),
]
Direction = Annotated[str | None, typer.Option("--direction", help="incoming or outgoing.")]
Origin = Annotated[str | None, typer.Option("--from", help="Country the group comes from.")]
Destination = Annotated[str | None, typer.Option("--to", help="Country the group travels to.")]
Start = Annotated[str | None, typer.Option("--start", help="First day, e.g. 2026-11-16.")]
End = Annotated[str | None, typer.Option("--end", help="Last day, e.g. 20.11.2026.")]
Tz = Annotated[
    str | None, typer.Option("--tz", help="Host time zone (default Europe/Berlin when incoming).")
]
HomeTz = Annotated[
    str | None, typer.Option("--home-tz", help="The delegates' home time zone, e.g. Asia/Almaty.")
]
Host = Annotated[str | None, typer.Option("--host", help="Host organisation (id or name).")]
Partner = Annotated[
    str | None, typer.Option("--partner", help="Partner organisation (id or name).")
]
Sector = Annotated[
    list[str] | None, typer.Option("--sector", "-s", help="Sector slug or label; repeatable.")
]
Topic = Annotated[str | None, typer.Option("--topic", help="The topic in a few words.")]
Status = Annotated[
    str | None, typer.Option("--status", help="planned, confirmed, done or cancelled.")
]
Notes = Annotated[str | None, typer.Option("--notes")]
Retention = Annotated[
    str | None,
    typer.Option(
        "--retention",
        help="How long the travellers' data is kept after the end date: 18m (months), 90d "
        "(days), 2y; 'default' for the config's retention_months.",
    ),
]
RetentionDietary = Annotated[
    str | None,
    typer.Option(
        "--retention-dietary",
        help="How long their dietary needs are kept after the end date (1m, 14d); 'default' "
        "for the config's retention_months_dietary.",
    ),
]
Role = Annotated[
    str | None,
    typer.Option("--role", help="delegate, lead, interpreter, organiser, host or staff."),
]
MemberStatus = Annotated[
    str | None,
    typer.Option(
        "--status",
        help="invited, registered, confirmed, cancelled, attended or no-show.",
    ),
]

TABLE_COLUMNS = ("id", "code", "title", "direction", "start_date", "end_date", "status")
MEMBER_COLUMNS = ("contact_id", "name", "native_name", "company", "role", "status", "email")


def register(app: typer.Typer) -> None:
    """Add the delegation and member groups to the root command."""
    app.add_typer(delegation_app, name="delegation")
    app.add_typer(member_app, name="member")


# Option parameters of `delegation add|edit` and the delegation fields they set.
FIELD_OPTIONS = {
    "code": "code",
    "title": "title",
    "direction": "direction",
    "origin": "origin_country",
    "destination": "destination_country",
    "start": "start_date",
    "end": "end_date",
    "type_": "type",
    "tz": "timezone",
    "home_tz": "home_timezone",
    "host": "host",
    "partner": "partner",
    "sector": "sectors",
    "topic": "topic",
    "status": "status",
    "notes": "notes",
    "retention": "retention",
    "retention_dietary": "retention_dietary",
}
DATE_FIELDS = ("start_date", "end_date")  # fmt: skip
MEMBER_OPTIONS = {"role": "role", "status": "status", "notes": "notes"}
Dietary = Annotated[
    str | None,
    typer.Option(
        "--dietary",
        help="Dietary needs (vegetarian; halal; nut allergy); stored only with "
        "--dietary-consent. '' forgets them.",
    ),
]
DietaryConsent = Annotated[
    str | None,
    typer.Option("--dietary-consent", help="The date the person agreed to their needs being kept."),
]
DietarySource = Annotated[
    str | None, typer.Option("--dietary-source", help="Where they agreed (a form, an email).")
]


def _check_dietary(values: dict[str, Any]) -> None:
    """Refuse dietary options that cannot be stored before anything else is changed."""
    from greentech_cli.errors import UsageError
    from greentech_cli.services.records import dietary

    if values.get("dietary") is None:
        if values.get("dietary_consent") or values.get("dietary_source"):
            raise UsageError("--dietary-consent and --dietary-source go with --dietary")
        return
    dietary.check_consent(values["dietary"], values.get("dietary_consent"))


def _dietary(app_ctx: Any, delegation: str, contact: str, values: dict[str, Any]) -> bool:
    """Record a member's dietary needs when --dietary was given; True when they changed."""
    from greentech_cli.services.records import dietary

    if values.get("dietary") is None:
        return False
    return dietary.set_needs(
        app_ctx.db(),
        delegation,
        contact,
        values["dietary"],
        values.get("dietary_consent"),
        values.get("dietary_source"),
    )


@delegation_app.command("add")
def add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="A short unique code, e.g. kz-waste-2026.")],
    title: Title = None,
    direction: Direction = None,
    origin: Origin = None,
    destination: Destination = None,
    start: Start = None,
    end: End = None,
    type_: Type = None,
    tz: Tz = None,
    home_tz: HomeTz = None,
    host: Host = None,
    partner: Partner = None,
    sector: Sector = None,
    topic: Topic = None,
    status: Status = None,
    notes: Notes = None,
    retention: Retention = None,
    retention_dietary: RetentionDietary = None,
    date_order: DateOrderOption = None,
    force: ForceOption = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Add a delegation.

    Example: greentech delegation add kz-waste-2026 --title "Kazakh waste delegation" --direction incoming --from KZ --to DE --start 2026-11-16 --end 2026-11-20 --home-tz Asia/Almaty
    """  # noqa: E501
    from greentech_cli.services.records import delegations

    app_ctx = app_context(ctx)
    fields = in_date_order(given_fields(locals(), FIELD_OPTIONS), DATE_FIELDS, date_order)
    delegation = delegations.add(app_ctx.db(create=True), fields, force=force)
    if fmt is Format.table:
        app_ctx.say(f"Added delegation {delegation.id}: {delegation.code} — {delegation.title}")
    else:
        emit_record(delegation.to_json(), fmt)


@delegation_app.command("list")
def list_(
    ctx: typer.Context,
    status: Status = None,
    limit: LimitOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List delegations, the latest first.

    Example: greentech delegation list --status planned
    """
    from greentech_cli.services.records import delegations

    found = delegations.find(app_context(ctx).db(), status, limit)
    rows = [d.to_json() for d in found]
    emit_list(rows, fmt, table_columns=TABLE_COLUMNS, empty="No delegations found.")


@delegation_app.command("show")
def show(ctx: typer.Context, ref: DelegationRef, fmt: FormatOption = Format.table) -> None:
    """Show one delegation with the number of its members and visits.

    Example: greentech delegation show kz-waste-2026
    """
    from greentech_cli.services.records import delegations

    db = app_context(ctx).db()
    delegation = delegations.resolve(db, ref)
    record = delegation.to_json()
    record.update(delegations.counts(db, delegation))
    record["notes"] = delegation.notes
    emit_record(record, fmt, title=f"{delegation.code} — {delegation.title}")


@delegation_app.command("edit")
def edit(
    ctx: typer.Context,
    ref: DelegationRef,
    code: Annotated[str | None, typer.Option("--code", help="New code.")] = None,
    title: Title = None,
    direction: Direction = None,
    origin: Origin = None,
    destination: Destination = None,
    start: Start = None,
    end: End = None,
    type_: Type = None,
    tz: Tz = None,
    home_tz: HomeTz = None,
    host: Host = None,
    partner: Partner = None,
    sector: Sector = None,
    topic: Topic = None,
    status: Status = None,
    notes: Notes = None,
    retention: Retention = None,
    retention_dietary: RetentionDietary = None,
    date_order: DateOrderOption = None,
    force: ForceOption = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Change a delegation; options not given stay as they are.

    Example: greentech delegation edit kz-waste-2026 --status confirmed --end 2026-11-21
    """
    from greentech_cli.services.records import delegations

    app_ctx = app_context(ctx)
    fields = in_date_order(given_fields(locals(), FIELD_OPTIONS), DATE_FIELDS, date_order)
    delegation, changes = delegations.edit(app_ctx.db(), ref, fields, force=force)
    if fmt is not Format.table:
        emit_record(delegation.to_json(), fmt)
    elif changes:
        app_ctx.say(f"Updated delegation {delegation.code}: {', '.join(sorted(changes))}")
    else:
        app_ctx.say(f"Delegation {delegation.code} unchanged.")


@delegation_app.command("rm")
def rm(ctx: typer.Context, ref: DelegationRef, yes: YesOption = False) -> None:
    """Remove a delegation with its members and programme (the contacts stay).

    Example: greentech delegation rm kz-waste-2026 --yes
    """
    from greentech_cli.services.records import delegations

    app_ctx = app_context(ctx)
    db = app_ctx.db()
    delegation = delegations.resolve(db, ref)
    counts = delegations.counts(db, delegation)
    if counts["members"] or counts["visits"]:
        confirm(
            f"Remove {delegation.code} with its {counts['members']} member(s) and "
            f"{counts['visits']} visit(s)?",
            yes,
        )
    delegations.remove(db, str(delegation.id))
    app_ctx.say(f"Removed delegation {delegation.code}")


# --- members -------------------------------------------------------------------------------


@member_app.command("add")
def member_add(
    ctx: typer.Context,
    delegation: DelegationRef,
    contact: ContactRef,
    role: Role = None,
    status: MemberStatus = None,
    notes: Notes = None,
    dietary: Dietary = None,
    dietary_consent: DietaryConsent = None,
    dietary_source: DietarySource = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Add a contact to a delegation.

    Example: greentech member add kz-waste-2026 aigerim@example.kz --role lead --status confirmed
    """
    from greentech_cli.services.records import delegations

    app_ctx = app_context(ctx)
    fields = given_fields(locals(), MEMBER_OPTIONS)
    values = locals()
    _check_dietary(values)
    member = delegations.add_member(app_ctx.db(), delegation, contact, fields)
    _dietary(app_ctx, delegation, contact, values)
    if fmt is Format.table:
        name = member.contact.display_name if member.contact else member.contact_id
        app_ctx.say(f"Added {name} as {member.role} ({member.status})")
    else:
        emit_record(member.to_json(), fmt)


@member_app.command("list")
def member_list(
    ctx: typer.Context,
    delegation: DelegationRef,
    role: Role = None,
    status: MemberStatus = None,
    with_dietary: Annotated[
        bool,
        typer.Option(
            "--dietary", help="Add each member's dietary needs (for the officer and the caterer)."
        ),
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """List the members of a delegation: leads, delegates, interpreters, organisers.

    Example: greentech member list kz-waste-2026 --format json
    """
    from greentech_cli.services.records import delegations

    db = app_context(ctx).db()
    found = delegations.members(db, delegation, role, status)
    rows = [m.to_json() for m in found]
    columns: tuple[str, ...] = MEMBER_COLUMNS
    if with_dietary:
        from greentech_cli.services.records import dietary

        needs = dietary.of_delegation(db, delegations.resolve(db, delegation).id or 0)
        for row in rows:
            record = needs.get(row["contact_id"])
            row["dietary"] = record["needs"] if record else None
            row["dietary_consent"] = record["consent_date"] if record else None
        columns = (*MEMBER_COLUMNS, "dietary")
    emit_list(rows, fmt, table_columns=columns, empty="No members yet.")


@member_app.command("edit")
def member_edit(
    ctx: typer.Context,
    delegation: DelegationRef,
    contact: ContactRef,
    role: Role = None,
    status: MemberStatus = None,
    notes: Notes = None,
    dietary: Dietary = None,
    dietary_consent: DietaryConsent = None,
    dietary_source: DietarySource = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Change a member's role, status, notes or dietary needs.

    Example: greentech member edit kz-waste-2026 aigerim@example.kz --status confirmed
    """
    from greentech_cli.services.records import delegations

    app_ctx = app_context(ctx)
    fields = given_fields(locals(), MEMBER_OPTIONS)
    values = locals()
    _check_dietary(values)
    member, changes = delegations.edit_member(app_ctx.db(), delegation, contact, fields)
    if _dietary(app_ctx, delegation, contact, values):
        changes = {**changes, "dietary": []}
    if fmt is not Format.table:
        emit_record(member.to_json(), fmt)
    elif changes:
        app_ctx.say(f"Updated member {member.contact_id}: {', '.join(sorted(changes))}")
    else:
        app_ctx.say(f"Member {member.contact_id} unchanged.")


@member_app.command("rm")
def member_rm(
    ctx: typer.Context, delegation: DelegationRef, contact: ContactRef, yes: YesOption = False
) -> None:
    """Take a contact out of a delegation (the contact stays in the file); asks first.

    Example: greentech member rm kz-waste-2026 nurlan@example.kz --yes
    """
    from greentech_cli.services.records import delegations

    app_ctx = app_context(ctx)
    db = app_ctx.db()
    found = delegations.resolve_member(db, delegation, contact)
    who = found.contact.display_name if found.contact else found.contact_id
    confirm(f"Remove {who} ({found.role}, {found.status}) from delegation {delegation}?", yes)
    member = delegations.remove_member(db, delegation, contact)
    name = member.contact.display_name if member.contact else member.contact_id
    app_ctx.say(f"Removed {name} from the delegation")


@member_app.command("set-status")
def member_set_status(
    ctx: typer.Context,
    delegation: DelegationRef,
    contacts: Annotated[
        list[str] | None, typer.Argument(help="Contact ids or emails (or use --all, --role).")
    ] = None,
    status: Annotated[
        str,
        typer.Option(
            "--status", help="invited, registered, confirmed, cancelled, attended or no-show."
        ),
    ] = "",
    all_: Annotated[bool, typer.Option("--all", help="Every member of the delegation.")] = False,
    role: Role = None,
) -> None:
    """Set the status of many members at once: all, those with a role, or those named.

    Example: greentech member set-status kz-waste-2026 --status attended --all
    """
    from greentech_cli.services.aftertrip import attendance

    app_ctx = app_context(ctx)
    chosen, changed = attendance.set_status(
        app_ctx.db(), delegation, status, everyone=all_, role=role, refs=contacts
    )
    app_ctx.say(f"{changed} of {len(chosen)} member(s) now {status.strip().lower()}.")
