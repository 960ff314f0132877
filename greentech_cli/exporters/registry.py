"""Every output format by name: contact and company exports in FORMATS, itineraries in
ITINERARY_FORMATS. A new format is a module in this package and one line in its table.

A format's writer is a function ``write(records, out, job) -> int`` that writes every record of
the iterable to ``out`` and returns how many it wrote. ``out`` is a text stream opened with
``newline=""`` and UTF-8 (the writer chooses its own line ends), or a binary stream for formats
marked ``binary``. Writers never print and never open files themselves; the export service opens
the destination, so every writer works the same on stdout and on ``--out PATH``. Writer modules
are imported only when their format is used, which keeps ``greentech --help`` light.

An itinerary writer is a function ``write(itinerary, lang) -> str``: the whole document as text
(an itinerary is a few pages at most), which the itinerary service puts on stdout or in a file.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from greentech_cli.errors import UsageError

if TYPE_CHECKING:
    from greentech_cli.models.itinerary import Itinerary

CONTACTS = "contacts"
COMPANIES = "companies"


@dataclass
class ExportJob:
    """What a writer needs to know besides the records: columns, options and sheet details."""

    kind: str  # CONTACTS or COMPANIES
    columns: list[str]
    raw: bool = False  # csv formats: leave formula-like cells as they are
    vcard_version: str = "3.0"
    lang: str = "en"
    # How many records the export will hold (known before writing; 0 when unknown).
    total: int = 0
    # Only people who agreed to be shared are in the export (False with --all).
    consented_only: bool = True
    # html: the delegation whose sheet this is (its SPEC §3 JSON), else None
    delegation: dict[str, Any] | None = None


Writer = Callable[[Iterable[dict[str, Any]], IO[Any], ExportJob], int]


@dataclass(frozen=True)
class ExportFormat:
    """One export format: its name, where its writer lives and what it can do."""

    name: str
    writer_ref: str  # "module:function" inside greentech_cli.exporters
    summary: str
    suffix: str
    binary: bool = False  # written to a file only (--out), never to a terminal
    ids: bool = True  # records keep id and company_id
    kinds: tuple[str, ...] = (CONTACTS, COMPANIES)
    # The writer wants contacts ordered by company (the html sheet groups them).
    by_company: bool = False
    # The writer writes the job's columns (so --columns and --profile choose them).
    columns: bool = True

    def writer(self) -> Writer:
        """The format's write function, imported on first use."""
        writer: Writer = _load(self.writer_ref)
        return writer


def _load(writer_ref: str) -> Any:
    """The function a "module:function" reference inside this package names, imported now."""
    module_name, function = writer_ref.split(":")
    return getattr(importlib.import_module(f"{__package__}.{module_name}"), function)


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("csv", "csv_formats:write_csv", "RFC 4180 CSV, UTF-8", ".csv", ids=False),
        ExportFormat(
            "csv-excel",
            "csv_formats:write_csv_excel",
            "CSV for German Excel: UTF-8 with BOM, semicolons",
            ".csv",
            ids=False,
        ),
        ExportFormat("xlsx", "xlsx:write_xlsx", "Excel workbook", ".xlsx", binary=True, ids=False),
        ExportFormat(
            "vcf",
            "vcard_format:write_vcf",
            "vCard 3.0 or 4.0",
            ".vcf",
            kinds=(CONTACTS,),
            columns=False,
        ),
        ExportFormat("json", "json_yaml:write_json", "JSON array of records", ".json"),
        ExportFormat("ndjson", "json_yaml:write_ndjson", "one JSON record per line", ".ndjson"),
        ExportFormat(
            "tsv", "csv_formats:write_tsv", "tab-separated, one record per line", ".tsv", ids=False
        ),
        ExportFormat("yaml", "json_yaml:write_yaml", "YAML list of records", ".yaml"),
        ExportFormat(
            "html",
            "html:write_html",
            "printable A4 contact sheet",
            ".html",
            kinds=(CONTACTS,),
            by_company=True,
            columns=False,
        ),
    )
}


# Other spellings of a file extension, as the format's own.
SUFFIX_ALIASES = {".htm": ".html", ".yml": ".yaml", ".jsonl": ".ndjson", ".vcard": ".vcf"}


def _suffix(path: str) -> str:
    from pathlib import PurePath

    suffix = PurePath(path).suffix.lower()
    return SUFFIX_ALIASES.get(suffix, suffix)


def decide(
    fmt: str | None,
    out: str | None,
    formats: dict[str, Any],
    *,
    what: str = "export",
) -> str:
    """The format name: `fmt` when given, else the one `out`'s extension names (csv for .csv).

    A format and an extension that contradict each other (``--format json --out x.csv``) are
    refused, as is a missing format that no extension decides. Files without a known
    extension (``notes.txt`` for csv) and stdout (``-``) take the format given.
    """
    suffix = _suffix(out) if out and out != "-" else ""
    by_suffix = [name for name, f in formats.items() if f.suffix == suffix] if suffix else []
    if fmt is None:
        if by_suffix:
            return by_suffix[0]
        choices = ", ".join(formats)
        if suffix:
            raise UsageError(
                f"--out {out}: {suffix} names no {what} format; give --format ({choices})"
            )
        raise UsageError(f"give --format ({choices}) or an --out file whose extension names one")
    known = {f.suffix for f in formats.values()}
    chosen = formats.get(fmt.strip().lower())
    if chosen is not None and suffix in known and chosen.suffix != suffix:
        raise UsageError(
            f"--format {chosen.name} does not match --out {out} ({suffix} is "
            f"{' or '.join(by_suffix)}); change one of them"
        )
    return fmt


def names(kind: str | None = None) -> list[str]:
    """The format names, optionally only those that can export this kind of record."""
    return [name for name, f in FORMATS.items() if kind is None or kind in f.kinds]


def get(name: str, kind: str) -> ExportFormat:
    """The format called `name` for this kind of record, or a usage error listing the choices."""
    found = FORMATS.get(name.strip().lower())
    if found is None:
        raise UsageError(f"unknown export format {name!r}; choose one of {', '.join(names())}")
    if kind not in found.kinds:
        raise UsageError(
            f"{kind} cannot be exported as {found.name}; choose one of {', '.join(names(kind))}"
        )
    return found


# --- itineraries ---------------------------------------------------------------------------

ItineraryWriter = Callable[["Itinerary", str], str]


@dataclass(frozen=True)
class ItineraryFormat:
    """One itinerary format: its name, where its writer lives and how its text is written."""

    name: str
    writer_ref: str  # "module:function" inside greentech_cli.exporters
    summary: str
    suffix: str
    # The writer's line ends are the format's own (ICS: CRLF) and are written as they are;
    # otherwise "\n" becomes the platform's line end in a file.
    own_line_ends: bool = False

    def writer(self) -> ItineraryWriter:
        """The format's write function, imported on first use."""
        writer: ItineraryWriter = _load(self.writer_ref)
        return writer


ITINERARY_FORMATS: dict[str, ItineraryFormat] = {
    f.name: f
    for f in (
        ItineraryFormat("text", "itinerary_pages:text", "plain text, one section per day", ".txt"),
        ItineraryFormat("md", "itinerary_pages:markdown", "Markdown, a table per day", ".md"),
        ItineraryFormat("html", "itinerary_pages:html", "printable A4 page", ".html"),
        ItineraryFormat(
            "ics", "ics:ics", "iCalendar, one event per visit", ".ics", own_line_ends=True
        ),
        ItineraryFormat("json", "itinerary_pages:json_document", "JSON, per day", ".json"),
    )
}


def itinerary_names() -> list[str]:
    """The itinerary format names."""
    return list(ITINERARY_FORMATS)


def itinerary_format(name: str) -> ItineraryFormat:
    """The itinerary format called `name`, or a usage error listing the choices."""
    found = ITINERARY_FORMATS.get(name.strip().lower())
    if found is None:
        raise UsageError(
            f"unknown itinerary format {name!r}; choose one of {', '.join(itinerary_names())}"
        )
    return found
