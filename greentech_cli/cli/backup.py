"""`greentech backup` and `greentech restore`: keeping the one file of data safe."""

from pathlib import Path
from typing import Annotated

import typer

from greentech_cli.cli.context import app_context
from greentech_cli.cli.options import YesOption, confirm


def register(app: typer.Typer) -> None:
    """Add backup and restore to the root command."""
    app.command("backup")(backup)
    app.command("restore")(restore)


def backup(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(help="File or folder for the copy (default: backups/ beside the database)."),
    ] = None,
) -> None:
    """Copy the database safely, even while greentech is in use; the copy is owner-only.

    Example: greentech backup ~/Sicherung/greentech-2026-11-24.db
    """
    from greentech_cli.services.safety import backup as service

    app_ctx = app_context(ctx)
    app_ctx.file_path("backup")
    dest = service.backup(app_ctx.db(), path.expanduser() if path else None)
    app_ctx.say(f"Backed up {app_ctx.path} to {dest} ({dest.stat().st_size:,} bytes).")
    typer.echo(str(dest))


def restore(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A backup made by 'greentech backup'.")],
    yes: YesOption = False,
) -> None:
    """Replace the database with a checked backup; the current file is kept beside it.

    Example: greentech restore ~/.local/share/greentech/backups/greentech-20261124-185500.db
    """
    from greentech_cli.services.safety import backup as service

    app_ctx = app_context(ctx)
    target = app_ctx.file_path("restore")
    source = path.expanduser()
    candidate = service.check_file(source)
    counts = ", ".join(f"{n} {table}" for table, n in candidate.counts.items())
    keep = " (the current file is kept beside it)" if target.exists() else ""
    confirm(f"Replace {target} with {source} ({counts}){keep}?", yes)
    result = service.restore(target, source)
    app_ctx.say(f"Restored {target} from {source} ({counts}).")
    if result.kept is not None:
        app_ctx.say(f"The previous database is kept as {result.kept}.")
