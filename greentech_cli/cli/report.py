"""`greentech report`: the funder's report — visits, companies, delegates, attendance, leads."""

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from greentech_cli.cli.context import app_context


class ReportFormat(StrEnum):
    """Formats of the report."""

    table = "table"
    json = "json"
    xlsx = "xlsx"
    html = "html"


class Lang(StrEnum):
    """Languages of the report's labels."""

    en = "en"
    de = "de"


def register(app: typer.Typer) -> None:
    """Add report to the root command."""
    app.command("report")(report)


def report(
    ctx: typer.Context,
    delegation: Annotated[
        str | None, typer.Argument(help="Delegation id or code (default: all of them).")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Delegations ending on or after this date.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Delegations starting on or before this date.")
    ] = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="table, json, xlsx or html.")
    ] = ReportFormat.table,
    no_charts: Annotated[
        bool, typer.Option("--no-charts", help="HTML without its charts.")
    ] = False,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Labels: en or de.")] = Lang.en,
) -> None:
    """The funder's report per delegation and in total: visits by kind, companies by sector and
    region, B2B meetings held, delegates by country and organisation type, attendance,
    follow-ups and leads.

    Example: greentech report kz-waste-2026 --format html --lang de --out bericht.html
    """
    from greentech_cli.errors import UsageError
    from greentech_cli.services.aftertrip import report as service

    app_ctx = app_context(ctx)
    if fmt is ReportFormat.xlsx and out is None and sys.stdout.isatty():
        raise UsageError("an XLSX report needs --out FILE (or a pipe)")
    data = service.build(app_ctx.db(), delegation, since, until)
    charts = not no_charts
    if out is not None:
        if fmt is ReportFormat.table:
            raise UsageError("--out writes json, xlsx or html; choose one with --format")
        service.write_file(data, fmt.value, lang.value, out, charts=charts)
        app_ctx.say(f"Wrote the report ({len(data['delegations'])} delegation(s)) to {out}")
    elif fmt is ReportFormat.table:
        from greentech_cli.render.report import show

        show(data, lang.value)
    elif fmt is ReportFormat.xlsx:
        from greentech_cli.exporters.report_pages import xlsx

        xlsx(data, sys.stdout.buffer, lang.value)
        sys.stdout.buffer.flush()
    else:
        from greentech_cli.render.terminal import writer

        writer().write(service.render(data, fmt.value, lang.value, charts=charts))
