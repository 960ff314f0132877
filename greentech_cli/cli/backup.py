"""`greentech backup` and `greentech restore`: keeping the data safe (a SQLite file's copy; on
PostgreSQL, and for any engine on restore, the portable dump)."""

from pathlib import Path
from typing import Annotated, Any

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

    A SQLite database is copied as a file. A PostgreSQL database (--db postgresql://…) is
    written in the portable format: its logical dump as NDJSON, one JSON line per row, as
    'greentech db dump' writes it (the same bytes for the same data on both engines; default:
    backups/ in greentech's data folder); 'greentech restore' reads it on either engine.

    Example: greentech backup ~/Sicherung/greentech-2026-11-24.db
    """
    from greentech_cli.services.safety import backup as service

    app_ctx = app_context(ctx)
    db = app_ctx.db()
    dest_given = path.expanduser() if path else None
    if db.engine != "sqlite":
        from greentech_cli.services.safety import dumps

        dest, summary = dumps.backup(db, dest_given)
        app_ctx.say(
            f"Backed up {app_ctx.location().shown} to {dest} as its dump "
            f"({dest.stat().st_size:,} bytes; checksum sha256 {summary.checksum})."
        )
        typer.echo(str(dest))
        return
    dest = service.backup(db, dest_given)
    app_ctx.say(f"Backed up {app_ctx.path} to {dest} ({dest.stat().st_size:,} bytes).")
    typer.echo(str(dest))


def restore(
    ctx: typer.Context,
    path: Annotated[
        Path, typer.Argument(help="A backup made by 'greentech backup', or a 'db dump' file.")
    ],
    yes: YesOption = False,
) -> None:
    """Replace the database with a checked backup; the current file is kept beside it.

    A backup is a greentech SQLite file or the portable format, the NDJSON logical dump that
    'greentech backup' writes on PostgreSQL and 'greentech db dump' on either engine. A dump,
    and any backup restored into PostgreSQL, replaces the rows in one transaction verified by
    the dump's checksum; the previous rows are kept as a dump beside the database (PostgreSQL:
    in backups/ of greentech's data folder).

    Example: greentech restore ~/.local/share/greentech/backups/greentech-20261124-185500.db
    """
    from greentech_cli.services.safety import backup as service
    from greentech_cli.services.safety import dumps

    app_ctx = app_context(ctx)
    source = path.expanduser()
    if not source.is_file():
        service.check_file(source)  # says what is wrong with the path
    if app_ctx.location().url or not dumps.is_sqlite_file(source):
        _restore_rows(app_ctx, source, yes)
        return
    target = app_ctx.file_path("restore")
    candidate = service.check_file(source)
    counts = ", ".join(f"{n} {table}" for table, n in candidate.counts.items())
    keep = " (the current file is kept beside it)" if target.exists() else ""
    confirm(f"Replace {target} with {source} ({counts}){keep}?", yes)
    result = service.restore(target, source)
    app_ctx.say(f"Restored {target} from {source} ({counts}).")
    if result.kept is not None:
        app_ctx.say(f"The previous database is kept as {result.kept}.")


def _restore_rows(app_ctx: Any, source: Path, yes: bool) -> None:
    """Restore a dump (either engine) or a SQLite file into PostgreSQL: the rows replaced. The
    source is checked, and the question asked, before the database is opened or made."""
    from greentech_cli.services.safety import dumps

    counts = dumps.check_source(source)  # before a database is opened, made or given a schema
    shown = ", ".join(f"{n} {table}" for table, n in counts.items())
    where = app_ctx.location().shown
    confirm(f"Replace the data of {where} with {source} ({shown}); the current rows are kept?", yes)
    db = app_ctx.db(create=True)
    result = dumps.restore(db, source)
    app_ctx.say(
        f"Restored {where} from {source} ({shown}); verified: checksum sha256 {result.checksum}."
    )
    app_ctx.say(f"The previous rows are kept as {result.kept}.")
