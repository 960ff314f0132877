"""What an import is asked to do and what it reports: its options, its rejects, its summary."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

ON_DUPLICATE = ("fill", "update", "skip", "new")
TARGETS = ("contacts", "companies")


@dataclass
class ImportOptions:
    """What `greentech import` was asked to do."""

    target: str = "contacts"
    delegation: str | None = None
    preset: str | None = None
    mapping: Path | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    default_country: str | None = None
    on_duplicate: str = "fill"
    dry_run: bool = False
    rejects: Path | None = None
    date_order: str | None = None  # dmy or mdy: how to read 03/04/2026
    # set from --delegation: the country a contact without one takes (the delegation's origin)
    delegation_country: str | None = None
    # with --delegation: the countries of the companies the database knows, by normalised name
    company_countries: dict[str, str] | None = None
    # every warning, one per line, is written here (owner-only)
    warnings_file: Path | None = None


class WarningList(Protocol):
    """Every warning of an import, in order: a list, or the import's `WarningLog`, which keeps
    them in a temporary file so a long file's warnings take no memory."""

    def append(self, warning: str, /) -> None:
        """Keep one more warning."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[str]: ...


@dataclass
class Reject:
    """A row that could not be used, with its reason."""

    row: int
    reason: str
    cells: list[str] | None = None
    record: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportSummary:
    """What an import did (or, in a dry run, would do)."""

    file: str
    format: str
    encoding: str | None
    delimiter: str | None
    dry_run: bool
    batch_id: int | None = None
    preset: str | None = None
    sheet: str | None = None
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0
    duplicates: int = 0
    companies_created: int = 0
    members_added: int = 0
    rejects_file: str | None = None
    # Earlier imports of a file with the same content (not undone): (batch id, when).
    imported_before: list[tuple[int, str]] = field(default_factory=list)
    mapped_columns: dict[str, str] = field(default_factory=dict)
    unmapped_columns: list[str] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    # the first warnings (for the table) and every warning (for JSON and --warnings FILE)
    warnings: list[str] = field(default_factory=list)
    warning_list: WarningList = field(default_factory=lambda: list[str]())
    warning_count: int = 0
    # a table's every column: {"header", "went_to", "cells"} (non-empty cells)
    columns: list[dict[str, Any]] = field(default_factory=list)
    # A phone number came without a country to read it by (the command says what to do).
    needs_country: bool = False
    # contacts whose empty country was filled from the delegation's origin, and that country
    country_from_delegation: int = 0
    delegation_country: str | None = None
    preview: list[dict[str, Any]] = field(default_factory=list)
    # Rows created beside a contact they may be (listed, never merged): the first of them
    # ({"row", "contact_id", "created_id", "score", "reasons"}) and how many there were.
    possible_duplicates: list[dict[str, Any]] = field(default_factory=list)
    possible_count: int = 0
    # Another process wrote while the file was read: every row was matched again under the lock.
    matched_again: bool = False

    def note_possible(
        self, row: int, contact_id: int, created_id: int, reasons: list[str], score: int
    ) -> None:
        """Count a row created beside a contact it may be; keep the first ones to show."""
        self.possible_count += 1
        if len(self.possible_duplicates) < 20:
            self.possible_duplicates.append(
                {
                    "row": row,
                    "contact_id": contact_id,
                    "created_id": created_id,
                    "score": score,
                    "reasons": list(reasons),
                }
            )

    def account_for(self, columns: list[dict[str, Any]], fields: dict[str, str]) -> None:
        """Say for every column of a table where its values went (`fields`: header -> field).

        A column counts as mapped only when something of it was stored; as not imported when
        it held something, or when nothing knew its header.
        """
        if not columns:
            return
        self.columns = columns
        self.mapped_columns = {
            column["header"]: fields.get(column["header"], "extra")
            for column in columns
            if column["cells"] and column["went_to"].startswith(("stored", "kept"))
        }
        self.unmapped_columns = [
            column["header"]
            for column in columns
            if column["went_to"].startswith("not imported")
            and (column["cells"] or column["went_to"].endswith("(unknown header)"))
        ]

    def to_json(self) -> dict[str, Any]:
        """The stable JSON of SPEC §3, then the details."""
        return {
            "batch_id": self.batch_id,
            "file": self.file,
            "format": self.format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "rejected": self.rejected,
            "dry_run": self.dry_run,
            "rejects_file": self.rejects_file,
            "preset": self.preset,
            "sheet": self.sheet,
            "duplicates": self.duplicates,
            "companies_created": self.companies_created,
            "members_added": self.members_added,
            "country_from_delegation": self.country_from_delegation,
            "mapped_columns": self.mapped_columns,
            "unmapped_columns": self.unmapped_columns,
            "columns": self.columns,
            "warnings": self.warning_count,
            "first_warnings": self.warnings,
            # read back as it is written out (`render.output.write_json` streams an iterator)
            "warning_list": iter(self.warning_list),
            "first_rejects": [{"row": r.row, "reason": r.reason} for r in self.rejects],
            "imported_before": [
                {"batch_id": batch_id, "imported_at": at} for batch_id, at in self.imported_before
            ],
            "possible_duplicates": list(self.possible_duplicates),
            "possible_duplicate_count": self.possible_count,
        }
