"""`greentech db …`: moving whole databases — a verified copy, the logical dump, its checksum."""

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from greentech_cli.cli.context import app_context
from greentech_cli.render.output import Format, emit_list, write_json

db_app = typer.Typer(
    help="Whole databases: copy one into a new file, dump it as JSON lines, checksum it.",
    no_args_is_help=True,
)


class Summary(StrEnum):
    """How a copy or a checksum is reported on stdout."""

    table = "table"
    json = "json"


SummaryOption = Annotated[
    Summary,
    typer.Option("--format", "-f", help="table (readable) or json (counts and checksums)."),
]


def register(app: typer.Typer) -> None:
    """Add the db group to the root command."""
    app.add_typer(db_app, name="db")


@db_app.command("copy")
def copy(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="The database to copy (a file).")],
    target: Annotated[str, typer.Argument(help="A new file, or an empty database.")],
    fmt: SummaryOption = Summary.table,
) -> None:
    """Copy a whole database into a new one, ids kept, and verify it: the row counts and the
    checksum of the logical dump of both must agree (else the target is removed, exit 1).

    Example: greentech db copy ~/greentech.db /media/laptop/greentech-trip.db
    """
    from greentech_cli.cli.progress import progress_bar
    from greentech_cli.services.safety import moving

    app_ctx = app_context(ctx)
    with (
        moving.Copy(source, target) as job,
        progress_bar(app_ctx, "Copying", job.total, unit="rows") as advance,
    ):
        # Said only where the bar is shown: the steps after the rows take a while on large files.
        copied = job.run(advance, app_ctx.say if advance is not None else None)
    app_ctx.say(
        f"Copied {moving.describe_counts(copied.source_summary)} from {copied.source} to "
        f"{copied.target}; verified: counts and checksum agree "
        f"(sha256 {copied.target_summary.checksum[:16]}…)."
    )
    if fmt is Summary.json:
        write_json(copied.to_json())


@db_app.command("dump")
def dump(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write to this file (owner-only) instead of stdout."),
    ] = None,
) -> None:
    """Write the logical dump: one JSON line per row ({"row": …, "table": …}), every data table
    sorted by its primary key, search indexes left out; the checksum goes to stderr.

    Example: greentech db dump --out greentech-dump.ndjson
    """
    from greentech_cli.services.safety import moving

    app_ctx = app_context(ctx)
    summary = moving.write_dump(app_ctx.db(), out, sys.stdout.buffer)
    where = f" to {out}" if out is not None else ""
    app_ctx.say(
        f"Dumped {moving.describe_counts(summary)}{where}; checksum sha256 {summary.checksum}."
    )


@db_app.command("checksum")
def checksum(ctx: typer.Context, fmt: SummaryOption = Summary.table) -> None:
    """Print the checksum of the logical dump and the rows of every table (the same data gives
    the same checksum on every engine; compare two databases, or one before and after).

    Example: greentech db checksum --format json
    """
    from greentech_cli.services.safety import moving

    summary = moving.checksum(app_context(ctx).db())
    if fmt is Summary.json:
        write_json(summary.to_json())
        return
    typer.echo(summary.checksum)
    rows = [{"table": name, "rows": rows} for name, rows in summary.counts.items()]
    emit_list(rows, Format.table, table_columns=("table", "rows"))
