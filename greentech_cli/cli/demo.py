"""`greentech demo`: a Kazakh delegation in its own database, its itinerary and its check."""

import sys
from typing import Annotated

import typer

from greentech_cli.cli.context import app_context


def register(app: typer.Typer) -> None:
    """Add demo to the root command."""
    app.command("demo")(demo)


def demo(
    ctx: typer.Context,
    fresh: Annotated[bool, typer.Option("--fresh", help="Rebuild the demo from scratch.")] = False,
) -> None:
    """Load a demo delegation into its own database, show its itinerary and its check.

    The demo database is demo.db in the user data folder (or --db); your main database is
    never touched.
    Example: greentech demo --fresh
    """
    from rich.text import Text

    from greentech_cli.cli.itinerary import print_findings
    from greentech_cli.render import itinerary as render
    from greentech_cli.render.output import console
    from greentech_cli.services.schedule import itinerary
    from greentech_cli.services.setup import demo as service

    app_ctx = app_context(ctx)
    location = app_ctx.location() if app_ctx.db_flag else None
    result = service.load(location.target if location else None, fresh=fresh)
    where = location.shown if location else str(result.path)  # a URL without its password
    if result.loaded:
        sys.stderr.write(f"Loaded the demo delegation {result.code} into {where}\n")
    else:
        sys.stderr.write(f"The demo is already in {where} (--fresh rebuilds it)\n")
    plan, findings = service.overview(result.path)
    out = console()
    if out.is_terminal:
        render.print_text(plan, "en", out)
    else:
        sys.stdout.write(itinerary.render(plan, "text", "en"))
    out.print(Text(f"\nCheck of {result.code}:"))
    print_findings(findings)
    sys.stdout.flush()
    # A plain write: Rich would wrap these long command lines mid-path on narrow consoles.
    sys.stderr.write("\n" + service.next_steps(result.path, findings))
