"""`greentech search`: find people and organisations whatever script or spelling they are in."""

from typing import Annotated

import typer

from greentech_cli.cli.context import app_context
from greentech_cli.cli.options import FormatOption, LimitOption
from greentech_cli.render.output import Format, emit_list


def register(app: typer.Typer) -> None:
    """Add search to the root command."""
    app.command("search")(search)


def search(
    ctx: typer.Context,
    query: Annotated[
        str, typer.Argument(help="Words to find; prefixes and other spellings match.")
    ],
    limit: LimitOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Search contacts and companies: names (any script), email, company, position, city, tags.

    Example: greentech search schafer   (finds Schäfer; Qayrat finds Қайрат)
    """
    from greentech_cli.services.records.search import search as run_search

    hits = run_search(app_context(ctx).db(), query, limit)
    emit_list(
        [h.to_json() for h in hits],
        fmt,
        table_columns=("type", "id", "name", "company", "email", "city"),
        empty=f"Nothing matches {query!r}.",
    )
