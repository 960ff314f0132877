"""`greentech export contacts|companies`: contact sheets and lists, consent first."""

import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from greentech_cli.cli.completion import delegation_codes, export_formats, profile_names
from greentech_cli.cli.context import AppContext, app_context
from greentech_cli.cli.progress import progress_bar
from greentech_cli.exporters.registry import COMPANIES, CONTACTS, names

if TYPE_CHECKING:
    from greentech_cli.services.exports.sheets import ExportPlan, ExportRequest

export_app = typer.Typer(
    help="Write contacts or companies as CSV, Excel, vCard, JSON, YAML or a printable sheet.",
    no_args_is_help=True,
)

Delegation = Annotated[
    str | None,
    typer.Option(
        "--delegation",
        "-d",
        help="Only this delegation's people (id or code).",
        autocompletion=delegation_codes,
    ),
]
# Repeatable filters: any of an option's values matches, and every option given must match.
Company = Annotated[
    list[str] | None,
    typer.Option("--company", "-c", help="Company id or exact name; repeatable (any of them)."),
]
Sector = Annotated[
    list[str] | None,
    typer.Option("--sector", "-s", help="Sector slug or label; repeatable (any of them)."),
]
Country = Annotated[
    list[str] | None,
    typer.Option("--country", help="ISO code or country name; repeatable (any of them)."),
]
Tag = Annotated[list[str] | None, typer.Option("--tag", "-t", help="Tag; repeatable (any).")]
Role = Annotated[
    list[str] | None,
    typer.Option(
        "--role", help="Member role: delegate, lead, interpreter, …; repeatable (any of them)."
    ),
]
Out = Annotated[
    Path | None,
    typer.Option(
        "--out", "-o", help="Write to this file (else to stdout); its extension names the format."
    ),
]
Columns = Annotated[
    str | None,
    typer.Option("--columns", help="Only these columns, in this order: first_name,last_name,…"),
]
Profile = Annotated[
    str | None,
    typer.Option(
        "--profile",
        help="A named choice of columns: host-sheet, delegation-list, badges, full, or your own "
        "(profiles/NAME.yaml beside the config file).",
        autocompletion=profile_names,
    ),
]
Raw = Annotated[
    bool, typer.Option("--raw", help="CSV: leave cells starting with = + - @ as they are.")
]


def _format_option(kind: str) -> object:
    return typer.Option(
        "--format",
        "-f",
        help=f"One of: {', '.join(names(kind))} (else the one --out's extension names).",
        autocompletion=export_formats,
    )


_SINGULAR = {CONTACTS: "contact", COMPANIES: "company"}


def register(app: typer.Typer) -> None:
    """Add the export group to the root command."""
    app.add_typer(export_app, name="export")


def _run(
    ctx: typer.Context, request: "ExportRequest", out: Path | None, split: Path | None
) -> None:
    """Plan the export, write it where asked, then say what was written and what was withheld."""
    from greentech_cli.errors import UsageError
    from greentech_cli.services.exports import sheets as export

    if split is not None and out is not None:
        raise UsageError("give either --out or --split, not both")
    app_ctx = app_context(ctx)
    from greentech_cli.exporters.registry import FORMATS, decide
    from greentech_cli.files import same_file

    request.format = decide(request.format or None, str(out) if out else None, FORMATS)

    if out is not None and same_file(out, app_ctx.path):
        raise UsageError(f"--out {out} is the database itself; choose another file")
    plan = export.plan(app_ctx.db(), request)
    if split is None and (out is None or str(out) == "-") and plan.format.binary:
        raise UsageError(f"{plan.format.name} is a binary format; give --out FILE")
    with progress_bar(app_ctx, f"Exporting {request.kind}", plan.total) as advance:
        if split is not None:
            where = f"{len(export.write_split(plan, split, advance))} file(s) in {split}"
        elif out is not None and str(out) != "-":
            export.write_file(plan, out, advance)
            where = str(out)
        else:
            from greentech_cli.render.terminal import writer

            sys.stdout.flush()
            # Bytes in UTF-8 whatever the terminal's locale, with the format's own line ends.
            stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
            shown = writer(stream)  # a terminal sees control characters, a pipe the data
            try:
                export.write(plan, shown, advance)
            finally:
                shown.flush()
                stream.detach()
            where = "stdout"
    _report(app_ctx, plan, where)


def _report(app_ctx: AppContext, plan: "ExportPlan", where: str) -> None:
    """What was exported, and who was left out for want of consent (or included without it)."""
    kind = plan.job.kind
    what = kind if plan.total != 1 else _SINGULAR[kind]
    _say(app_ctx, f"Exported {plan.total} {what} as {plan.format.name} to {where}.")
    if plan.withheld_total:
        counts = ", ".join(f"{value}: {n}" for value, n in plan.withheld.items())
        _say(
            app_ctx,
            f"Withheld {plan.withheld_total} contact(s) without share consent ({counts}); "
            "use --all to include them (for your own use only).",
        )
    if plan.included_without_consent:
        _say(
            app_ctx,
            f"Warning: {plan.included_without_consent} of them have not agreed to be shared "
            "(--all): for your own use only, do not pass this on.",
        )


def _say(app_ctx: AppContext, message: str) -> None:
    """One message line on stderr, never wrapped (logs and greps see whole sentences)."""
    app_ctx.say(message, wrap=False)


def _many(values: list[str] | None) -> tuple[str, ...]:
    return tuple(values or ())


@export_app.command("contacts")
def contacts(
    ctx: typer.Context,
    fmt: Annotated[str | None, _format_option(CONTACTS)] = None,
    delegation: Delegation = None,
    visit: Annotated[
        int | None,
        typer.Option("--visit", help="Only the people attending this visit (its id)."),
    ] = None,
    hosts: Annotated[
        bool, typer.Option("--hosts", help="With --visit: its host contacts too.")
    ] = False,
    company: Company = None,
    sector: Sector = None,
    country: Country = None,
    tag: Tag = None,
    role: Role = None,
    out: Out = None,
    include_all: Annotated[
        bool, typer.Option("--all", help="Include people without share consent (own use only).")
    ] = False,
    raw: Raw = False,
    vcard_version: Annotated[
        str, typer.Option("--vcard-version", help="vCard version: 3.0 or 4.0.")
    ] = "3.0",
    split: Annotated[
        Path | None, typer.Option("--split", help="vcf: one file per contact in this folder.")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="html labels: en or de.")] = "en",
    columns: Columns = None,
    profile: Profile = None,
) -> None:
    """Export people; only those who agreed to be shared unless --all is given.

    Example: greentech export contacts --delegation kz-waste-2026 --profile host-sheet --out t.csv
    """
    from greentech_cli.services.exports.sheets import ExportRequest

    request = ExportRequest(
        kind=CONTACTS, format=fmt or "", delegation=delegation, company=_many(company),
        sector=_many(sector), country=_many(country), tag=_many(tag), role=_many(role),
        include_all=include_all, raw=raw, vcard_version=vcard_version, lang=lang,
        columns=columns, profile=profile, visit=visit, hosts=hosts,
    )  # fmt: skip
    _run(ctx, request, out, split)


@export_app.command("companies")
def companies(
    ctx: typer.Context,
    fmt: Annotated[str | None, _format_option(COMPANIES)] = None,
    delegation: Annotated[
        str | None,
        typer.Option(
            "--delegation",
            "-d",
            help="Companies of this delegation's people and hosts.",
            autocompletion=delegation_codes,
        ),
    ] = None,
    company: Company = None,
    sector: Sector = None,
    country: Country = None,
    tag: Tag = None,
    role: Role = None,
    out: Out = None,
    raw: Raw = False,
    columns: Columns = None,
    profile: Profile = None,
) -> None:
    """Export organisations (not personal data: no consent filter).

    Example: greentech export companies --sector water --format xlsx --out firmen.xlsx
    """
    from greentech_cli.services.exports.sheets import ExportRequest

    request = ExportRequest(
        kind=COMPANIES, format=fmt or "", delegation=delegation, company=_many(company),
        sector=_many(sector), country=_many(country), tag=_many(tag), role=_many(role), raw=raw,
        columns=columns, profile=profile,
    )  # fmt: skip
    _run(ctx, request, out, None)
