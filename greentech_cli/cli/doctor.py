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

    Example: greentech doctor --fix
    """
    from greentech_cli.errors import CheckFailed
    from greentech_cli.services.safety import doctor as service

    app_ctx = app_context(ctx)
    checks = service.diagnose(app_ctx.file_path("doctor"), fix=fix)
    rows = [c.to_json() for c in checks]
    if fmt is Format.table:
        emit_record({"database": str(app_ctx.path)}, fmt)
    emit_list(rows, fmt, table_columns=("check", "status", "detail"))
    problems = [c for c in checks if not c.ok]
    if problems:
        raise CheckFailed(
            f"{len(problems)} problem(s) found: {', '.join(c.name for c in problems)}"
        )
