"""The import summary for people: counts, how the file was read, unmapped columns, first rejects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from greentech_cli.render.output import minute

if TYPE_CHECKING:
    from greentech_cli.models.imports import ImportSummary

PREVIEW_COLUMNS = ("first_name", "last_name", "native_name", "company", "email", "phone", "action")


def summary_tables(summary: ImportSummary) -> list[Any]:
    """Rich renderables: the summary, then (for a dry run) a preview, then rejects and warnings."""
    from rich.table import Table
    from rich.text import Text

    from greentech_cli.render.terminal import for_stream

    show = for_stream()
    title = "Dry run — nothing was written" if summary.dry_run else f"Import {summary.batch_id}"
    grid = Table(
        title=title, show_header=False, box=None, padding=(0, 2, 0, 0), title_justify="left"
    )
    grid.add_column(style="bold")
    grid.add_column()
    read_as = ", ".join(
        part
        for part in (
            summary.format,
            f"encoding {summary.encoding}" if summary.encoding else "",
            f"delimiter {_delimiter_name(summary.delimiter)}" if summary.delimiter else "",
            f"sheet {summary.sheet}" if summary.sheet else "",
            f"preset {summary.preset}" if summary.preset else "",
        )
        if part
    )
    lines = [
        ("file", summary.file),
        ("read as", read_as),
        ("rows", str(summary.rows)),
        ("created", str(summary.created)),
        ("updated", str(summary.updated)),
        ("unchanged or skipped", str(summary.skipped)),
        ("rejected", str(summary.rejected)),
        ("already known", str(summary.duplicates)),
        ("possible duplicates", str(summary.possible_count)),
        ("companies created", str(summary.companies_created)),
        ("delegation members added", str(summary.members_added)),
        ("warnings", str(summary.warning_count)),
    ]
    if summary.imported_before:
        ids = [str(batch_id) for batch_id, _ in summary.imported_before]
        last = minute(summary.imported_before[-1][1])
        which = f"batch {ids[0]}" if len(ids) == 1 else f"batches {', '.join(ids)}"
        lines.append(("same file imported before", f"{which}, last on {last} UTC"))
    if summary.unmapped_columns:
        lines.append(("columns not imported", ", ".join(summary.unmapped_columns)))
    if summary.rejects_file:
        lines.append(("rejects written to", summary.rejects_file))
    for label, value in lines:
        grid.add_row(Text(label), Text(show(value)))
    parts: list[Any] = [grid]
    if summary.dry_run and summary.preview:
        preview = Table(title="Preview (first rows)", title_justify="left")
        for column in PREVIEW_COLUMNS:
            preview.add_column(column, overflow="fold")
        for row in summary.preview:
            preview.add_row(*(Text(show(str(row.get(c) or ""))) for c in PREVIEW_COLUMNS))
        parts.append(preview)
    if summary.rejects:
        rejects = Table(title="Rejected rows", title_justify="left")
        rejects.add_column("row")
        rejects.add_column("reason", overflow="fold")
        for reject in summary.rejects:
            rejects.add_row(str(reject.row), Text(show(reject.reason)))
        parts.append(rejects)
    if summary.possible_duplicates:
        parts.append(possible_table(summary))
    if summary.warnings:
        warn = Table(title="Warnings (data kept)", title_justify="left", show_header=False)
        warn.add_column(overflow="fold")
        for warning in summary.warnings:
            warn.add_row(Text(show(warning)))
        more = summary.warning_count - len(summary.warnings)
        if more > 0:
            warn.add_row(
                Text(f"… and {more} more: --warnings FILE writes them all (so does --format json)")
            )
        parts.append(warn)
    if summary.columns:
        columns = Table(title="Columns", title_justify="left")
        columns.add_column("column", overflow="fold")
        columns.add_column("went to", overflow="fold")
        columns.add_column("cells", justify="right")
        for entry in summary.columns:
            if entry["cells"] or entry["went_to"] != "not imported (ignored by preset)":
                columns.add_row(Text(entry["header"]), Text(entry["went_to"]), str(entry["cells"]))
        parts.append(columns)
    return parts


def possible_line(entry: dict[str, Any], dry_run: bool = False) -> str:
    """One row created beside a contact it may be: "row 12 may be contact 4: same folded name,
    same company, different emails (score 80) — created as 9; `greentech contact merge 4 9` if
    they are one"."""
    reasons = ", ".join(entry["reasons"])
    head = f"row {entry['row']} may be contact {entry['contact_id']}: {reasons}"
    head += f" (score {entry['score']})"
    if dry_run:
        return f"{head} — would be created"
    created = entry["created_id"]
    return (
        f"{head} — created as {created}; "
        f"`greentech contact merge {entry['contact_id']} {created}` if they are one"
    )


def possible_table(summary: ImportSummary) -> Any:
    """The rows created beside a contact they may be, with score and reasons."""
    from rich.table import Table
    from rich.text import Text

    from greentech_cli.render.terminal import for_stream

    show = for_stream()
    table = Table(
        title="Possible duplicates (created, not merged)", title_justify="left", show_header=False
    )
    table.add_column(overflow="fold")
    for entry in summary.possible_duplicates:
        table.add_row(Text(show(possible_line(entry, summary.dry_run))))
    more = summary.possible_count - len(summary.possible_duplicates)
    if more > 0:
        table.add_row(Text(f"… and {more} more: greentech dedupe lists them all"))
    return table


def _delimiter_name(delimiter: str | None) -> str:
    names = {";": "semicolon (;)", ",": "comma (,)", "\t": "tab", "|": "pipe (|)"}
    return names.get(delimiter or "", repr(delimiter))
