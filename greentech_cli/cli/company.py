"""`greentech company …`: add, list, show, edit and remove organisations."""

from typing import Annotated

import typer

from greentech_cli.cli.context import app_context
from greentech_cli.cli.options import FormatOption, LimitOption, YesOption, confirm, given_fields
from greentech_cli.render.output import Format, emit_list, emit_record

company_app = typer.Typer(
    help="Companies, chambers, AHKs and other organisations.", no_args_is_help=True
)

TABLE_COLUMNS = ("id", "name", "kind", "city", "country", "sectors")

Kind = Annotated[
    str | None,
    typer.Option(
        "--kind", help="company, chamber, ahk, authority, association, research or other."
    ),
]
Sector = Annotated[
    list[str] | None, typer.Option("--sector", "-s", help="Sector slug or label; repeatable.")
]
Tag = Annotated[list[str] | None, typer.Option("--tag", "-t", help="Tag or keyword; repeatable.")]
Street = Annotated[str | None, typer.Option("--street")]
Postcode = Annotated[str | None, typer.Option("--postcode")]
City = Annotated[str | None, typer.Option("--city")]
Region = Annotated[str | None, typer.Option("--region")]
Country = Annotated[str | None, typer.Option("--country", help="ISO code or country name.")]
Website = Annotated[str | None, typer.Option("--website")]
Lat = Annotated[float | None, typer.Option("--lat", help="Latitude, e.g. 51.616.")]
Lon = Annotated[float | None, typer.Option("--lon", help="Longitude, e.g. 7.528.")]
VatId = Annotated[str | None, typer.Option("--vat-id", help="VAT identification number.")]
LegalForm = Annotated[str | None, typer.Option("--legal-form", help="GmbH, AG, LLP, …")]
Notes = Annotated[str | None, typer.Option("--notes")]


def register(app: typer.Typer) -> None:
    """Add the company group to the root command."""
    app.add_typer(company_app, name="company")


# Option parameters of `company add|edit` and the company fields they set.
FIELD_OPTIONS = {
    "name": "name", "kind": "kind", "sector": "sectors", "tag": "tags", "street": "street",
    "postcode": "postcode", "city": "city", "region": "region", "country": "country",
    "website": "website", "lat": "lat", "lon": "lon", "vat_id": "vat_id",
    "legal_form": "legal_form", "notes": "notes",
}  # fmt: skip


@company_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The organisation's name as written.")],
    kind: Kind = None,
    sector: Sector = None,
    tag: Tag = None,
    street: Street = None,
    postcode: Postcode = None,
    city: City = None,
    region: Region = None,
    country: Country = None,
    website: Website = None,
    lat: Lat = None,
    lon: Lon = None,
    vat_id: VatId = None,
    legal_form: LegalForm = None,
    notes: Notes = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Add a company.

    Example: greentech company add "Lippe Recycling GmbH" --sector circular-economy --city Lünen
    """
    from greentech_cli.services.records import companies

    app_ctx = app_context(ctx)
    fields = given_fields(locals(), FIELD_OPTIONS)
    company = companies.add(app_ctx.db(create=True), fields)
    if fmt is Format.table:
        app_ctx.say(f"Added company {company.id}: {company.name}")
    else:
        emit_record(company.to_json(), fmt)


@company_app.command("list")
def list_(
    ctx: typer.Context,
    sector: Annotated[
        str | None, typer.Option("--sector", "-s", help="Sector slug or label.")
    ] = None,
    country: Country = None,
    city: City = None,
    tag: Annotated[str | None, typer.Option("--tag", "-t")] = None,
    kind: Kind = None,
    limit: LimitOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List companies, filtered by sector, country, city, tag or kind.

    Example: greentech company list --sector water --country DE
    """
    from greentech_cli.services.records import companies

    found = companies.find(
        app_context(ctx).db(),
        sector=sector,
        country=country,
        city=city,
        tag=tag,
        kind=kind,
        limit=limit,
    )
    rows = [c.to_json() for c in found]
    emit_list(rows, fmt, table_columns=TABLE_COLUMNS, empty="No companies found.")


@company_app.command("show")
def show(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="Company id or exact name.")],
    fmt: FormatOption = Format.table,
) -> None:
    """Show one company with the number of its contacts.

    Example: greentech company show "Lippe Recycling GmbH"
    """
    from greentech_cli.services.records import companies

    db = app_context(ctx).db()
    company = companies.resolve(db, ref)
    record = company.to_json()
    record["contacts"] = companies.contact_count(db, company)
    emit_record(record, fmt, title=company.name)


@company_app.command("edit")
def edit(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="Company id or exact name.")],
    name: Annotated[str | None, typer.Option("--name", help="New name.")] = None,
    kind: Kind = None,
    sector: Sector = None,
    tag: Tag = None,
    street: Street = None,
    postcode: Postcode = None,
    city: City = None,
    region: Region = None,
    country: Country = None,
    website: Website = None,
    lat: Lat = None,
    lon: Lon = None,
    vat_id: VatId = None,
    legal_form: LegalForm = None,
    notes: Notes = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Change a company; options not given stay as they are (--sector and --tag replace the list).

    Example: greentech company edit 3 --city Moers --lat 51.451 --lon 6.626
    """
    from greentech_cli.services.records import companies

    app_ctx = app_context(ctx)
    fields = given_fields(locals(), FIELD_OPTIONS)
    company, changes = companies.edit(app_ctx.db(), ref, fields)
    if fmt is not Format.table:
        emit_record(company.to_json(), fmt)
    elif changes:
        app_ctx.say(f"Updated company {company.id}: {', '.join(sorted(changes))}")
    else:
        app_ctx.say(f"Company {company.id} unchanged.")


@company_app.command("rm")
def rm(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="Company id or exact name.")],
    yes: YesOption = False,
) -> None:
    """Remove a company; its contacts are kept, without a company.

    Example: greentech company rm 3 --yes
    """
    from greentech_cli.services.records import companies

    app_ctx = app_context(ctx)
    db = app_ctx.db()
    company = companies.resolve(db, ref)
    people = companies.contact_count(db, company)
    if people:
        confirm(
            f"{company.name} still has {people} contact(s); they will be kept without a company. "
            "Remove the company?",
            yes,
        )
    _, orphans = companies.remove(db, str(company.id))
    suffix = f"; {orphans} contact(s) kept without a company" if orphans else ""
    app_ctx.say(f"Removed company {company.id}: {company.name}{suffix}")
