"""`greentech import FILE`, `import history` and `import undo BATCH`."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from greentech_cli.cli.context import AppContext, app_context
from greentech_cli.cli.options import (
    DateOrderOption,
    FormatOption,
    LimitOption,
    YesOption,
    confirm,
)
from greentech_cli.cli.progress import progress_bar
from greentech_cli.render.output import Format, emit_list, minute, write_json


class ImportGroup(TyperGroup):
    """`import FILE …` runs the import; `import history` and `import undo` are subcommands."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Route `greentech import FILE …` to the default `file` command."""
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["file", *args]
        return super().parse_args(ctx, args)


import_app = typer.Typer(
    cls=ImportGroup,
    help="Import attendee and contact lists (CSV, XLSX, vCard, YAML, JSON); history and undo.\n\n"
    "Usage: greentech import FILE [OPTIONS]",
    no_args_is_help=True,
)


class Target(StrEnum):
    """What the rows are."""

    contacts = "contacts"
    companies = "companies"


class OnDuplicate(StrEnum):
    """What to do when a row is someone already known."""

    fill = "fill"
    update = "update"
    skip = "skip"
    new = "new"


class SummaryFormat(StrEnum):
    """Output of an import."""

    table = "table"
    json = "json"


def register(app: typer.Typer) -> None:
    """Add the import group to the root command."""
    app.add_typer(import_app, name="import")


@import_app.command("file")
def import_file(
    ctx: typer.Context,
    path: Annotated[
        Path, typer.Argument(metavar="FILE", help="CSV, TSV, XLSX, VCF, YAML or JSON file.")
    ],
    target: Annotated[Target, typer.Option("--as", help="What the rows are.")] = Target.contacts,
    delegation: Annotated[
        str | None, typer.Option("--delegation", "-d", help="Make everyone a member of it.")
    ] = None,
    preset: Annotated[
        str | None, typer.Option("--preset", help="Column preset (outlook-de, google, …).")
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="YAML file mapping headers to fields.")
    ] = None,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help="Text encoding (detected otherwise).")
    ] = None,
    delimiter: Annotated[
        str | None, typer.Option("--delimiter", help="Column separator (sniffed otherwise).")
    ] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="XLSX sheet name.")] = None,
    default_country: Annotated[
        str | None,
        typer.Option("--default-country", help="Country for phone numbers without one."),
    ] = None,
    on_duplicate: Annotated[
        OnDuplicate,
        typer.Option("--on-duplicate", help="fill empty fields, update, skip, or create new."),
    ] = OnDuplicate.fill,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would happen; write nothing.")
    ] = False,
    rejects: Annotated[
        Path | None,
        typer.Option("--rejects", help="Write unusable rows with a reason column here."),
    ] = None,
    date_order: DateOrderOption = None,
    warnings_file: Annotated[
        Path | None,
        typer.Option("--warnings", help="Write every warning here, one per line."),
    ] = None,
    fmt: Annotated[SummaryFormat, typer.Option("--format", "-f")] = SummaryFormat.table,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar (rows, rate, time left).")
    ] = False,
) -> None:
    """Import a file of contacts (or companies) in one transaction that can be undone.

    Example: greentech import teilnehmer.csv --delegation kz-waste-2026 --dry-run
    """
    from greentech_cli.models.imports import ImportOptions
    from greentech_cli.services.imports.run import import_file

    app_ctx = app_context(ctx)
    options = ImportOptions(
        target=target.value,
        delegation=delegation,
        preset=preset,
        mapping=mapping,
        encoding=encoding,
        delimiter=_delimiter(delimiter),
        sheet=sheet,
        default_country=default_country,
        on_duplicate=on_duplicate.value,
        dry_run=dry_run,
        rejects=rejects,
        date_order=date_order.value if date_order else None,
        warnings_file=warnings_file,
    )
    db = _database(app_ctx, dry_run)
    from greentech_cli.services.imports.feed import estimate_rows

    # Counted only for a bar someone watches (a quick pass over the file's bytes).
    watched = not quiet and app_ctx.err.is_terminal
    total = estimate_rows(path) if watched else None
    with progress_bar(
        app_ctx, f"Importing {path.name}", total, unit="rows", quiet=quiet
    ) as advance:
        summary = import_file(db, path, options, progress=advance)
    if fmt is SummaryFormat.json:
        write_json(summary.to_json())
    else:
        from greentech_cli.render.imports import summary_tables
        from greentech_cli.render.output import console

        out = console()
        for renderable in summary_tables(summary):
            out.print(renderable)
    if summary.matched_again:
        app_ctx.say(
            "Another process wrote to the database while the file was read: every row was "
            "matched again under the write lock."
        )
    if summary.country_from_delegation:
        app_ctx.say(
            f"{summary.country_from_delegation} contact(s) without a country took the "
            f"delegation's origin, {summary.delegation_country}."
        )
    if summary.needs_country and default_country is None:
        app_ctx.say(
            "Phone numbers written without a country code need a country: a country column in "
            "the file, or --default-country (for example DE) for the whole list."
        )


def _delimiter(value: str | None) -> str | None:
    """`\\t`, `tab` and `semicolon` as words people type."""
    if value is None:
        return None
    named = {"\\t": "\t", "tab": "\t", "semicolon": ";", "comma": ",", "pipe": "|"}
    return named.get(value.lower(), value)


def _database(app_ctx: AppContext, dry_run: bool) -> Any:
    """The database; a dry run against a missing file plans against an empty one instead."""
    location = app_ctx.location()
    if dry_run and not location.exists:
        from greentech_cli.db import open_memory_db

        app_ctx.say(f"No database at {location.shown} yet: the dry run compares with an empty one.")
        return open_memory_db()
    return app_ctx.db(create=True)


@import_app.command("history")
def history(
    ctx: typer.Context, limit: LimitOption = None, fmt: FormatOption = Format.table
) -> None:
    """List earlier imports, newest first, with what each did.

    Example: greentech import history --format json
    """
    from greentech_cli.services.imports import history as imports

    found = imports.batches(app_context(ctx).db(), limit)
    rows = [b.to_json() for b in found]
    # The table shows times to the minute in UTC ("2026-11-24 09:30"); JSON and CSV keep ISO 8601.
    shown = [
        {**row, "imported_at": minute(row["imported_at"]), "undone_at": minute(row["undone_at"])}
        for row in rows
    ]
    columns = {"batch_id": "batch", "imported_at": "imported (UTC)", "file": "file",
               "rows": "rows", "created": "created", "updated": "updated", "skipped": "skipped",
               "rejected": "rejected"}  # fmt: skip
    if any(row["undone_at"] for row in rows):  # a column only when something was undone
        columns["undone_at"] = "undone (UTC)"
    emit_list(
        shown,
        fmt,
        table_columns=tuple(columns),
        headers=tuple(columns.values()),
        json_rows=rows,
        empty="No imports yet.",
    )


@import_app.command("undo")
def undo(
    ctx: typer.Context,
    batch: Annotated[int, typer.Argument(help="Batch id from `greentech import history`.")],
    force: Annotated[
        bool, typer.Option("--force", help="Undo even if records changed since the import.")
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Show what would be removed and restored; change nothing."),
    ] = False,
    yes: YesOption = False,
) -> None:
    """Undo an import: delete what it created and restore what it updated.

    Shows what will go and asks first (--yes skips the question; without a terminal to ask
    on, --yes is needed).

    Example: greentech import undo 3 --dry-run
    """
    from greentech_cli.services.imports.undo import preview
    from greentech_cli.services.imports.undo import undo as run_undo

    app_ctx = app_context(ctx)
    db = app_ctx.db()
    planned = preview(db, batch, force=force)
    question = f"Undo import {batch} ({planned.file}): {planned.describe()}?"
    if dry_run:
        app_ctx.say(
            f"Dry run: undoing import {batch} ({planned.file}) would {planned.describe()}.",
            wrap=False,
        )
        return
    confirm(question, yes)
    result = run_undo(db, batch, force=force)
    app_ctx.say(
        f"Undid import {batch}: {result.deleted} record(s) removed, {result.restored} restored."
    )
