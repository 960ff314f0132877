"""`greentech backup`, `restore` and `doctor`: keeping the one file of data safe."""

from pathlib import Path
from typing import Annotated

import typer

from ..render.output import Format, emit_list, emit_record
from .context import app_context
from .options import FormatOption, YesOption, confirm


def register(app: typer.Typer) -> None:
    """Add backup, restore and doctor to the root command."""
    app.command("backup")(backup)
    app.command("restore")(restore)
    app.command("doctor")(doctor)


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
    from ..services import backup as service

    app_ctx = app_context(ctx)
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
    from ..services import backup as service

    app_ctx = app_context(ctx)
    target = app_ctx.path
    source = path.expanduser()
    candidate = service.check_file(source)
    counts = ", ".join(f"{n} {table}" for table, n in candidate.counts.items())
    keep = " (the current file is kept beside it)" if target.exists() else ""
    confirm(f"Replace {target} with {source} ({counts}){keep}?", yes)
    result = service.restore(target, source)
    app_ctx.say(f"Restored {target} from {source} ({counts}).")
    if result.kept is not None:
        app_ctx.say(f"The previous database is kept as {result.kept}.")


def doctor(
    ctx: typer.Context,
    fix: Annotated[
        bool,
        typer.Option("--fix", help="Rebuild the search index if needed and compact the file."),
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Check the database: integrity, foreign keys, search index, schema, permissions, disk.

    Example: greentech doctor --fix
    """
    from ..errors import CheckFailed
    from ..services import doctor as service

    app_ctx = app_context(ctx)
    checks = service.diagnose(app_ctx.path, fix=fix)
    rows = [c.to_json() for c in checks]
    if fmt is Format.table:
        emit_record({"database": str(app_ctx.path)}, fmt)
    emit_list(rows, fmt, table_columns=("check", "status", "detail"))
    problems = [c for c in checks if not c.ok]
    if problems:
        raise CheckFailed(
            f"{len(problems)} problem(s) found: {', '.join(c.name for c in problems)}"
        )
