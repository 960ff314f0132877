"""`greentech match DELEGATION`: organisations ranked by how well they fit a delegation."""

from typing import Annotated

import typer

from greentech_cli.cli.context import app_context
from greentech_cli.cli.options import FormatOption, LimitOption
from greentech_cli.render.output import Format, emit_list


def register(app: typer.Typer) -> None:
    """Add match to the root command."""
    app.command("match")(match)


def match(
    ctx: typer.Context,
    delegation: Annotated[str, typer.Argument(help="Delegation id or code.")],
    all_kinds: Annotated[
        bool, typer.Option("--all-kinds", help="Include chambers and AHKs.")
    ] = False,
    limit: LimitOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Rank organisations for a delegation by sector, keywords, distance to the host, past visits.

    Example: greentech match kz-water-2026 --limit 10
    """
    from greentech_cli.services.matchmaking.fit import match as run_match

    found, fits = run_match(app_context(ctx).db(), delegation, limit=limit, all_kinds=all_kinds)
    emit_list(
        [f.to_json() for f in fits],
        fmt,
        table_columns=("score", "company_id", "name", "city", "reasons"),
        headers=("score", "id", "organisation", "city", "why"),
        empty=f"No organisation fits {found.code}: give it sectors (--sector) or a topic.",
    )
