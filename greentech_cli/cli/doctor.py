"""`greentech doctor`: checking the database file and repairing what can be repaired."""

from typing import Annotated

import typer

from greentech_cli.cli.context import app_context
from greentech_cli.cli.options import FormatOption
from greentech_cli.render.output import Format, emit_list, emit_record


def register(app: typer.Typer) -> None:
    """Add doctor to the root command."""
    app.command("doctor")(doctor)


def doctor(
    ctx: typer.Context,
    fix: Annotated[
        bool,
        typer.Option("--fix", help="Rebuild the search index if needed and compact the file."),
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Check the database: integrity, foreign keys, search index, schema, permissions, disk.

    On PostgreSQL: the schema version and the search index; integrity, foreign keys,
    permissions and disk are the server's and are reported as not applicable.

    Example: greentech doctor --fix
    """
    from greentech_cli.errors import CheckFailed
    from greentech_cli.services.safety import doctor as service

    app_ctx = app_context(ctx)
    where = app_ctx.location()
    checks = service.diagnose(where.path, fix=fix, url=where.url)
    rows = [c.to_json() for c in checks]
    if fmt is Format.table:
        emit_record({"database": where.shown}, fmt)
    emit_list(rows, fmt, table_columns=("check", "status", "detail"))
    problems = [c for c in checks if not c.ok]
    if problems:
        raise CheckFailed(
            f"{len(problems)} problem(s) found: {', '.join(c.name for c in problems)}"
        )
