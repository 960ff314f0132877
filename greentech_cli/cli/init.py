"""`greentech init` and `greentech info`: create the database and show where it is."""

import typer

from greentech_cli.cli.context import app_context
from greentech_cli.cli.options import FormatOption
from greentech_cli.render.output import Format, emit_record


def register(app: typer.Typer) -> None:
    """Add init and info to the root command."""
    app.command("init")(init)
    app.command("info")(info)


def init(ctx: typer.Context) -> None:
    """Create the database (owner-only) or bring an existing one up to date.

    Example: greentech init
    """
    app_ctx = app_context(ctx)
    location = app_ctx.location()
    existed = location.exists
    app_ctx.db(create=True)
    verb = "Database is ready at" if existed else "Created the database at"
    app_ctx.say(f"{verb} {location.shown} ({location.reason}).")


def info(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Show which database is in use and why, its schema version and how much it holds.

    Example: greentech info --format json
    """
    from greentech_cli.services.setup import info as service

    app_ctx = app_context(ctx)
    location = app_ctx.location()
    db = app_ctx.db()
    version, latest = service.schema(db)
    record: dict[str, object] = {
        "path": location.shown,
        "reason": location.reason,
        "schema_version": version,
        "latest_schema_version": latest,
        # A PostgreSQL database's size is the server's business (pg_database_size).
        "size_bytes": None if location.url else location.path.stat().st_size,
        "counts": service.counts(db),
    }
    if fmt is Format.table:
        counts = record.pop("counts")
        assert isinstance(counts, dict)
        record.update({f"{table}": n for table, n in counts.items()})
    emit_record(record, fmt, title="greentech database")
