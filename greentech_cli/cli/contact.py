"""`greentech contact …`: add, list, show, edit and remove people."""

from typing import Annotated, Any

import typer

from greentech_cli.cli.completion import delegation_codes
from greentech_cli.cli.context import AppContext, app_context
from greentech_cli.cli.options import FormatOption, LimitOption, YesOption, confirm, given_fields
from greentech_cli.render.output import Format, emit_record, emit_stream

contact_app = typer.Typer(
    help="People: delegates, hosts, interpreters, colleagues.", no_args_is_help=True
)

TABLE_COLUMNS = ("id", "name", "company", "position", "email", "phone", "country")

Company = Annotated[str | None, typer.Option("--company", "-c", help="Company id or exact name.")]
Email = Annotated[str | None, typer.Option("--email", "-e")]
Phone = Annotated[str | None, typer.Option("--phone", help="Written as you like; stored as +49….")]
Mobile = Annotated[str | None, typer.Option("--mobile")]
Position = Annotated[str | None, typer.Option("--position")]
Department = Annotated[str | None, typer.Option("--department")]
Salutation = Annotated[str | None, typer.Option("--salutation", help="Herr, Frau, Mr, Ms, …")]
Title = Annotated[str | None, typer.Option("--title", help="Dr., Prof., …")]
NativeName = Annotated[
    str | None, typer.Option("--native-name", help="The name in its own script, e.g. Cyrillic.")
]
Country = Annotated[str | None, typer.Option("--country", help="ISO code or country name.")]
Lang = Annotated[list[str] | None, typer.Option("--lang", help="Language spoken; repeatable.")]
Tag = Annotated[list[str] | None, typer.Option("--tag", "-t", help="Tag; repeatable.")]
Notes = Annotated[str | None, typer.Option("--notes")]
ShareConsent = Annotated[
    str | None,
    typer.Option("--share-consent", help="May appear on shared lists: yes, no or unknown."),
]
ConsentDate = Annotated[
    str | None, typer.Option("--share-consent-date", help="When consent was given.")
]
ConsentSource = Annotated[
    str | None,
    typer.Option("--share-consent-source", help="Where consent was given (form, email…)."),
]
LawfulBasis = Annotated[
    str | None,
    typer.Option("--lawful-basis", help="consent, legitimate-interest, contract or public-task."),
]
Marketing = Annotated[
    str | None, typer.Option("--marketing-consent", help="Newsletters etc.: yes, no or unknown.")
]
Website = Annotated[list[str] | None, typer.Option("--website", help="Website; repeatable.")]
Birthday = Annotated[str | None, typer.Option("--birthday", help="e.g. 17.05.1980.")]
Force = Annotated[
    bool,
    typer.Option(
        "--force", help="Use an email another contact already has (a shared office address)."
    ),
]
Alias = Annotated[
    list[str] | None,
    typer.Option("--alias", help="Another spelling of the name (searchable); repeatable."),
]
Extra = Annotated[
    list[str] | None,
    typer.Option("--extra", metavar="NAME=VALUE", help="A named value of its own; repeatable."),
]
Ref = Annotated[str, typer.Argument(help="Contact id or email.")]


def register(app: typer.Typer) -> None:
    """Add the contact group to the root command."""
    app.add_typer(contact_app, name="contact")


# Option parameters of `contact add|edit` and the contact fields they set.
FIELD_OPTIONS = {
    "first": "first_name", "last": "last_name", "email": "email", "phone": "phone",
    "mobile": "mobile", "position": "position", "department": "department",
    "salutation": "salutation", "title": "title", "native_name": "native_name",
    "country": "country", "lang": "languages", "tag": "tags", "notes": "notes",
    "share_consent": "share_consent", "share_consent_date": "share_consent_date",
    "share_consent_source": "share_consent_source", "lawful_basis": "lawful_basis",
    "marketing_consent": "marketing_consent", "website": "websites", "birthday": "birthday",
    "alias": "aliases", "extra": "extra",
}  # fmt: skip


def _named_values(fields: dict[str, Any]) -> dict[str, Any]:
    """`--extra NAME=VALUE` options as the mapping the `extra` field holds."""
    if "extra" in fields:
        from greentech_cli.errors import UsageError

        pairs = [item.partition("=") for item in fields["extra"]]
        if any(not sep or not name.strip() for name, sep, _ in pairs):
            raise UsageError("--extra takes NAME=VALUE, e.g. --extra Industry=Recycling")
        fields["extra"] = {name.strip(): value for name, _, value in pairs}
    return fields


def _report(app_ctx: AppContext, warnings: list[str]) -> None:
    for warning in warnings:
        app_ctx.warn(warning)


def table_row(contact: Any) -> dict[str, Any]:
    """The columns of a contact in tables."""
    return {**contact.to_json(), "name": contact.display_name}


@contact_app.command("add")
def add(
    ctx: typer.Context,
    first: Annotated[str | None, typer.Option("--first", help="First name as written.")] = None,
    last: Annotated[str | None, typer.Option("--last", help="Last name as written.")] = None,
    company: Company = None,
    email: Email = None,
    phone: Phone = None,
    mobile: Mobile = None,
    position: Position = None,
    department: Department = None,
    salutation: Salutation = None,
    title: Title = None,
    native_name: NativeName = None,
    country: Country = None,
    lang: Lang = None,
    tag: Tag = None,
    notes: Notes = None,
    share_consent: ShareConsent = None,
    share_consent_date: ConsentDate = None,
    share_consent_source: ConsentSource = None,
    lawful_basis: LawfulBasis = None,
    marketing_consent: Marketing = None,
    website: Website = None,
    birthday: Birthday = None,
    alias: Alias = None,
    extra: Extra = None,
    force: Force = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Add a person; names are kept exactly as written.

    Example: greentech contact add --first Petra --last Schäfer --company "Lippe Recycling GmbH"
    --email petra.schaefer@lippe.example --phone "02306 / 12 34 56" --country DE --share-consent yes
    """
    from greentech_cli.services.records import contacts

    app_ctx = app_context(ctx)
    fields = _named_values(given_fields(locals(), FIELD_OPTIONS))
    contact, warnings = contacts.add(app_ctx.db(create=True), fields, company, force=force)
    _report(app_ctx, warnings)
    if fmt is Format.table:
        app_ctx.say(f"Added contact {contact.id}: {contact.display_name}")
    else:
        emit_record(contact.to_json(), fmt)


@contact_app.command("list")
def list_(
    ctx: typer.Context,
    company: Annotated[
        list[str] | None,
        typer.Option(
            "--company", "-c", help="Company id or exact name; repeat for any of several."
        ),
    ] = None,
    country: Annotated[
        list[str] | None,
        typer.Option("--country", help="ISO code or country name; repeat for any of several."),
    ] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help="Tag; repeat for any of several.")
    ] = None,
    delegation: Annotated[
        str | None,
        typer.Option(
            "--delegation", "-d", help="Delegation id or code.", autocompletion=delegation_codes
        ),
    ] = None,
    batch: Annotated[
        int | None,
        typer.Option("--import", help="Only the people this import created or changed (batch id)."),
    ] = None,
    limit: LimitOption = None,
    columns: Annotated[
        str | None,
        typer.Option("--columns", help="The columns to show, e.g. name,company,email."),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List people, filtered by company, country, tag, delegation or import.

    A repeated option matches any of its values; different options must all match.
    Piped, the table is one tab-separated line per person (grep finds them).

    Example: greentech contact list --country KZ --format json
    """
    from greentech_cli.services.records import contacts

    table_columns: tuple[str, ...] = TABLE_COLUMNS
    json_columns: list[str] | None = None
    if columns is not None:
        from greentech_cli.exporters.profiles import choose
        from greentech_cli.models.records import Contact

        # The contact's JSON fields (SPEC §3) and its display name.
        available = ["name", *Contact().to_json()]
        chosen = choose(available, "contacts", columns=columns, profile=None)
        table_columns = tuple(chosen)
        json_columns = chosen

    def json_row(contact: Any) -> dict[str, Any]:
        record = contact.to_json()
        if json_columns is None:
            return record
        record["name"] = contact.display_name
        return {name: record.get(name) for name in json_columns}

    found = contacts.iterate(
        app_context(ctx).db(),
        company=tuple(company or ()),
        country=tuple(country or ()),
        tag=tuple(tag or ()),
        delegation=delegation,
        batch=batch,
        limit=limit,
    )
    emit_stream(
        found,
        fmt,
        table_row=table_row,
        json_row=json_row,
        table_columns=table_columns,
        empty="No contacts found.",
    )


@contact_app.command("show")
def show(ctx: typer.Context, ref: Ref, fmt: FormatOption = Format.table) -> None:
    """Show one person with every field.

    Example: greentech contact show petra.schaefer@lippe.example
    """
    from greentech_cli.services.records import contacts

    contact = contacts.resolve(app_context(ctx).db(), ref)
    emit_record(contact.to_json(), fmt, title=contact.display_name)


@contact_app.command("edit")
def edit(
    ctx: typer.Context,
    ref: Ref,
    first: Annotated[str | None, typer.Option("--first")] = None,
    last: Annotated[str | None, typer.Option("--last")] = None,
    company: Annotated[
        str | None, typer.Option("--company", "-c", help='Company id or name; "" removes the link.')
    ] = None,
    email: Email = None,
    phone: Phone = None,
    mobile: Mobile = None,
    position: Position = None,
    department: Department = None,
    salutation: Salutation = None,
    title: Title = None,
    native_name: NativeName = None,
    country: Country = None,
    lang: Lang = None,
    tag: Tag = None,
    notes: Notes = None,
    share_consent: ShareConsent = None,
    share_consent_date: ConsentDate = None,
    share_consent_source: ConsentSource = None,
    lawful_basis: LawfulBasis = None,
    marketing_consent: Marketing = None,
    website: Website = None,
    birthday: Birthday = None,
    alias: Alias = None,
    extra: Extra = None,
    force: Force = False,
    editor: Annotated[
        bool,
        typer.Option(
            "--editor",
            help="Edit every field as YAML in $VISUAL or $EDITOR; applied when saved.",
        ),
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Change a person; options not given stay as they are, "" clears a field.

    Example: greentech contact edit petra.schaefer@lippe.example --position "Head of Sales"
    """
    from greentech_cli.services.records import contacts

    app_ctx = app_context(ctx)
    fields = _named_values(given_fields(locals(), FIELD_OPTIONS))
    if editor:
        from greentech_cli.services.programme.editor import edit_in_editor

        if fields or company is not None:
            from greentech_cli.errors import UsageError

            raise UsageError("--editor edits every field in the file; give no field options")
        done = edit_in_editor(app_ctx.db(), ref, force=force)
        contact, changes, warnings = done.contact, done.changes, done.warnings
    else:
        contact, changes, warnings = contacts.edit(app_ctx.db(), ref, fields, company, force=force)
    _report(app_ctx, warnings)
    if fmt is not Format.table:
        emit_record(contact.to_json(), fmt)
    elif changes:
        app_ctx.say(f"Updated contact {contact.id}: {', '.join(sorted(changes))}")
    elif editor:
        app_ctx.say(f"No changes to contact {contact.id}.")
    else:
        app_ctx.say(f"Contact {contact.id} unchanged.")


@contact_app.command("rm")
def rm(ctx: typer.Context, ref: Ref, yes: YesOption = False) -> None:
    """Remove a person together with their memberships and visit links.

    Example: greentech contact rm 12 --yes
    """
    from greentech_cli.services.records import contacts

    app_ctx = app_context(ctx)
    db = app_ctx.db()
    contact = contacts.resolve(db, ref)
    confirm(f"Remove {contact.display_name} (contact {contact.id})?", yes)
    contacts.remove(db, str(contact.id))
    app_ctx.say(f"Removed contact {contact.id}: {contact.display_name}")
