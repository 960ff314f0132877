"""The import pipeline: read a file, normalise each row, find duplicates, write one batch.

The whole import is one transaction (all or nothing, also under kill -9). A dry run runs the very
same pipeline and rolls the transaction back, so its summary is the real one. Every change keeps a
before- and after-image in `import_changes`, which is what `undo` restores.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import text
from ..db import import_pragmas, transaction
from ..errors import Conflict, InvalidData
from ..importers.values import parse_consent
from ..models import MEMBER_ROLES, MEMBER_STATUSES, Company, Contact, Member
from ..store import audit
from ..store import companies as company_store
from ..store import contacts as contact_store
from ..store import imports as batches
from . import companies as company_service
from . import contacts as contact_service
from .duplicates import DuplicateFinder

if TYPE_CHECKING:
    from ..db import Database
    from ..importers.sources import Source

ON_DUPLICATE = ("fill", "update", "skip", "new")
TARGETS = ("contacts", "companies")
PREVIEW_ROWS = 10
REJECT_SAMPLE = 20

# What a row may set: every stored column except those resolved on their own (the company by
# name, the country with a warning instead of a reject, a company's register ids).
CONTACT_FIELDS = tuple(c for c in contact_store.COLUMNS if c not in ("company_id", "country"))
COMPANY_FIELDS = tuple(c for c in company_store.COLUMNS if c != "register_ids")
# Contact rows may carry their company's address under company_* keys.
COMPANY_PREFIXED = ("street", "postcode", "city", "region", "country", "website")
EMPTY: tuple[object, ...] = (None, "", [], "unknown")


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
    mapped_columns: dict[str, str] = field(default_factory=dict)
    unmapped_columns: list[str] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    warning_count: int = 0
    preview: list[dict[str, Any]] = field(default_factory=list)

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
            "mapped_columns": self.mapped_columns,
            "unmapped_columns": self.unmapped_columns,
            "warnings": self.warning_count,
            "first_warnings": self.warnings,
            "first_rejects": [{"row": r.row, "reason": r.reason} for r in self.rejects],
        }


class _DryRun(Exception):
    """Raised at the end of a dry run to roll the transaction back."""


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_options(options: ImportOptions) -> None:
    """Refuse option values that make no sense before anything is read."""
    if options.on_duplicate not in ON_DUPLICATE:
        raise InvalidData(f"--on-duplicate must be one of {', '.join(ON_DUPLICATE)}")
    if options.target not in TARGETS:
        raise InvalidData(f"--as must be one of {', '.join(TARGETS)}")
    if options.default_country:
        options.default_country = text.normalize_country(options.default_country)


def import_file(
    db: Database,
    path: Path,
    options: ImportOptions,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import a file into the database in one transaction; see the module docstring."""
    from ..importers.sources import open_source

    check_options(options)
    source = open_source(path, options)
    summary = ImportSummary(
        file=str(path),
        format=source.format,
        encoding=source.encoding,
        delimiter=source.delimiter,
        dry_run=options.dry_run,
        preset=source.preset,
        sheet=source.sheet,
        mapped_columns=source.mapped_columns,
        unmapped_columns=source.unmapped_columns,
    )
    rejects_writer = None
    if options.rejects is not None and not options.dry_run:
        from ..importers.rejects import RejectsWriter

        rejects_writer = RejectsWriter(options.rejects, source)
    try:
        with import_pragmas(db, dry_run=options.dry_run), transaction(db):
            run = _Run(db, options, summary, source, rejects_writer)
            run.execute(progress)
            if options.dry_run:
                raise _DryRun
    except _DryRun:
        pass
    finally:
        if rejects_writer is not None:
            rejects_writer.close()
            summary.rejects_file = str(options.rejects) if summary.rejected else None
            if not summary.rejected:
                rejects_writer.discard()
    if options.dry_run:
        summary.batch_id = None
    return summary


class _Run:
    """One pass of the pipeline over a source, inside the import's transaction."""

    def __init__(
        self,
        db: Database,
        options: ImportOptions,
        summary: ImportSummary,
        source: Source,
        rejects_writer: Any,
    ) -> None:
        self.db = db
        self.options = options
        self.summary = summary
        self.source = source
        self.rejects_writer = rejects_writer
        self.finder = DuplicateFinder(db, options.target)
        self.company_ids: dict[str, int] = {}
        # The stored (name, city) of each company a row links to, for the search index.
        self.company_info: dict[int, tuple[str | None, str | None]] = {}
        self.delegation_id: int | None = None

    def execute(self, progress: Callable[[int], None] | None) -> None:
        """Create the batch, process every row, store the counts."""
        from ..store import delegations

        if self.options.delegation:
            self.delegation_id = delegations.resolve(self.db, self.options.delegation).id
        self.batch_id = batches.create_batch(
            self.db,
            file=Path(self.summary.file).name,
            content_hash=file_hash(Path(self.summary.file)),
            format=self.summary.format,
            target=self.options.target,
            encoding=self.summary.encoding,
            delimiter=self.summary.delimiter,
            preset=self.summary.preset,
            mapping=self.summary.mapped_columns,
            delegation_id=self.delegation_id,
        )
        self.summary.batch_id = self.batch_id
        self.changes = batches.ChangeLog(self.db, self.batch_id)
        handle = self._contact_row if self.options.target == "contacts" else self._company_row
        for row in self.source.rows():
            self.summary.rows += 1
            try:
                handle(row.record)
            except InvalidData as exc:
                self._reject(row.number, exc.message, row.cells, row.record)
            if progress is not None:
                progress(1)
        self.changes.flush()
        counts = {
            k: getattr(self.summary, k)
            for k in ("rows", "created", "updated", "skipped", "rejected")
        }
        batches.finish_batch(self.db, self.batch_id, counts)
        audit.record(self.db, "import_batch", self.batch_id, "import", counts)

    # --- rows ----------------------------------------------------------------------------------

    def _reject(
        self, number: int, reason: str, cells: list[str] | None, record: dict[str, Any]
    ) -> None:
        self.summary.rejected += 1
        reject = Reject(number, reason, cells, record)
        if len(self.summary.rejects) < REJECT_SAMPLE:
            self.summary.rejects.append(reject)
        if self.rejects_writer is not None:
            self.rejects_writer.write(reject)

    def _warn(self, number_hint: str, message: str) -> None:
        self.summary.warning_count += 1
        if len(self.summary.warnings) < REJECT_SAMPLE:
            self.summary.warnings.append(f"{number_hint}: {message}")

    def _contact_row(self, record: dict[str, Any]) -> None:
        row_hint = f"row {self.summary.rows}"
        fields = {k: record[k] for k in CONTACT_FIELDS if record.get(k) not in (None, "", [])}
        for key in ("share_consent", "marketing_consent"):
            if key in fields:
                fields[key] = parse_consent(fields[key])
        if "share_consent_date" in fields:
            fields["share_consent_date"] = _date_or_none(
                fields["share_consent_date"], self, row_hint
            )
        contact = Contact()
        country = record.get("country") or record.get("company_country")
        if country:
            try:
                contact.country = text.normalize_country(str(country))
            except InvalidData as exc:
                self._warn(row_hint, f"{exc.message}; kept in notes")
                fields["notes"] = _join_notes(fields.get("notes"), f"Country: {country}")
        warnings = contact_service.apply_fields(
            contact, fields, default_country=self.options.default_country
        )
        for warning in warnings:
            self._warn(row_hint, warning)
        contact.company_id = self._company_for(record)
        contact.company = str(record.get("company") or "") or None
        existing_id = None
        if self.options.on_duplicate != "new":
            existing_id = self.finder.find_contact(contact)
        if existing_id is None:
            self._create_contact(contact)
            contact_id = contact.id or 0
        else:
            self.summary.duplicates += 1
            contact_id = existing_id
            self._merge_contact(existing_id, contact)
        if self.delegation_id is not None:
            self._membership(contact_id, record)
        if len(self.summary.preview) < PREVIEW_ROWS:
            action = "new" if existing_id is None else f"matches {existing_id}"
            self.summary.preview.append({**contact.to_json(), "action": action})

    def _create_contact(self, contact: Contact) -> None:
        from ..store import contacts

        stored = contacts.insert_stored(
            self.db, contact, batch_id=self.batch_id, company=self._company_info(contact.company_id)
        )
        self.changes.add("contact", contact.id or 0, "create", None, batches.image_of(stored))
        self.summary.created += 1

    def _merge_contact(self, contact_id: int, incoming: Contact) -> None:
        from ..store import contacts

        if self.options.on_duplicate == "skip":
            self.summary.skipped += 1
            return
        current = contacts.get(self.db, contact_id)
        before = batches.image(self.db, "contact", contact_id)
        overwrite = self.options.on_duplicate == "update"
        changed = _merge_fields(
            current, incoming, (*CONTACT_FIELDS, "company_id", "country"), overwrite
        )
        if not changed:
            self.summary.skipped += 1
            return
        contacts.update(self.db, current, audited=False)
        self.changes.add_read("contact", contact_id, "update", before)
        self.summary.updated += 1

    def _membership(self, contact_id: int, record: dict[str, Any]) -> None:
        from ..store import members

        assert self.delegation_id is not None
        if members.find(self.db, self.delegation_id, contact_id) is not None:
            return
        role = self._vocabulary(record.get("role"), MEMBER_ROLES, "role") or "delegate"
        status = self._vocabulary(record.get("status"), MEMBER_STATUSES, "status") or "registered"
        member = Member(self.delegation_id, contact_id, role=role, status=status)
        members.insert(self.db, member)
        self.changes.add_read("member", member.id or 0, "create", None)
        self.summary.members_added += 1

    def _vocabulary(self, value: Any, allowed: tuple[str, ...], what: str) -> str | None:
        """A member role or status from a column; an unknown word is a warning, not a reject."""
        try:
            return text.choice(_lower(value), allowed, what)
        except InvalidData as exc:
            self._warn(f"row {self.summary.rows}", f"{exc.message}; the default is used")
            return None

    def _company_for(self, record: dict[str, Any]) -> int | None:
        """The id of the row's company: known by name, found as a duplicate, or created."""
        name = text.clean(str(record.get("company") or ""))
        if not name:
            return None
        if name in self.company_ids:
            return self.company_ids[name]
        fields: dict[str, Any] = {"name": name}
        for key in COMPANY_PREFIXED:
            value = record.get(f"company_{key}")
            if value not in (None, ""):
                fields[key] = value
        company = self._company_from(fields, f"row {self.summary.rows}")
        existing = self.finder.find_company(company)
        if existing is None:
            self._create_company(company)
            company_id = company.id or 0
        else:
            company_id = existing
        self.company_ids[name] = company_id
        return company_id

    def _company_info(self, company_id: int | None) -> tuple[str | None, str | None]:
        """The stored name and city of a company, read once per import."""
        from ..store import companies

        if company_id is None:
            return None, None
        if company_id not in self.company_info:
            self.company_info[company_id] = companies.name_city(self.db, company_id)
        return self.company_info[company_id]

    def _company_from(self, fields: dict[str, Any], row_hint: str) -> Company:
        company = Company(name="")
        if "country" in fields:
            try:
                text.normalize_country(str(fields["country"]))
            except InvalidData as exc:
                self._warn(row_hint, f"{exc.message}; left empty")
                fields.pop("country")
        if "sectors" in fields:
            sectors = fields.pop("sectors")
            values = sectors if isinstance(sectors, list) else str(sectors).split(",")
            known = []
            for value in values:
                try:
                    known.append(text.normalize_sector(str(value)))
                except InvalidData as exc:
                    self._warn(row_hint, exc.message)
            fields["sectors"] = known
        company_service.apply_fields(company, fields)
        return company

    def _create_company(self, company: Company) -> None:
        from ..store import companies

        companies.insert(self.db, company, batch_id=self.batch_id, audited=False)
        self.changes.add_read("company", company.id or 0, "create", None)
        self.summary.companies_created += 1
        if self.options.target == "companies":
            self.summary.created += 1

    def _company_row(self, record: dict[str, Any]) -> None:
        from ..store import companies

        fields = {k: record[k] for k in COMPANY_FIELDS if record.get(k) not in (None, "", [])}
        if not fields.get("name"):
            raise InvalidData("no organisation name")
        company = self._company_from(fields, f"row {self.summary.rows}")
        existing = None if self.options.on_duplicate == "new" else self.finder.find_company(company)
        if existing is None:
            self._create_company(company)
            return
        self.summary.duplicates += 1
        if self.options.on_duplicate == "skip":
            self.summary.skipped += 1
            return
        current = companies.get(self.db, existing)
        before = batches.image(self.db, "company", existing)
        overwrite = self.options.on_duplicate == "update"
        if not _merge_fields(current, company, COMPANY_FIELDS, overwrite):
            self.summary.skipped += 1
            return
        companies.update(self.db, current, audited=False)
        self.changes.add_read("company", existing, "update", before)
        self.summary.updated += 1


def _merge_fields(current: Any, incoming: Any, names: tuple[str, ...], overwrite: bool) -> bool:
    """Fill (with overwrite: replace) current's fields from incoming; True when anything changed."""
    changed = False
    for name in names:
        new = getattr(incoming, name)
        if new in EMPTY:
            continue
        old = getattr(current, name)
        if isinstance(old, list):
            merged = list(dict.fromkeys([*old, *new])) if not overwrite else list(new)
            if merged != old:
                setattr(current, name, merged)
                changed = True
        elif (overwrite or old in EMPTY) and old != new:
            setattr(current, name, new)
            changed = True
    return changed


def _lower(value: Any) -> str | None:
    return str(value).strip().lower() if value not in (None, "") else None


def _date_or_none(value: Any, run: _Run, row_hint: str) -> str | None:
    try:
        return text.parse_date(str(value)).isoformat()
    except InvalidData as exc:
        run._warn(row_hint, f"{exc.message}; consent date left empty")
        return None


def _join_notes(notes: Any, extra: str) -> str:
    return f"{notes}\n{extra}" if notes else extra


# --- undo ----------------------------------------------------------------------------------


@dataclass
class UndoResult:
    """What undo did."""

    batch_id: int
    deleted: int = 0
    restored: int = 0
    conflicts: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of an undo."""
        return {"batch_id": self.batch_id, "deleted": self.deleted, "restored": self.restored}


def undo(db: Database, batch_id: int, *, force: bool = False) -> UndoResult:
    """Delete what a batch created and restore what it updated, in one transaction.

    Refuses (naming the records) when any of them changed since the import, unless force.
    """
    result = UndoResult(batch_id)
    with transaction(db):
        batch = batches.get_batch(db, batch_id)
        if batch.undone_at:
            raise Conflict(f"import batch {batch_id} was already undone on {batch.undone_at}")
        changes = batches.changes(db, batch_id)
        # A record may change twice in a batch (an in-file duplicate): compare with its last image.
        last_after = {(c.entity, c.entity_id): c.after for c in changes}
        for (entity, entity_id), after in last_after.items():
            current = batches.image(db, entity, entity_id)
            if current is not None and current != after:
                result.conflicts.append(f"{entity} {entity_id}")
        if result.conflicts and not force:
            listed = ", ".join(result.conflicts[:10])
            more = f" and {len(result.conflicts) - 10} more" if len(result.conflicts) > 10 else ""
            raise Conflict(
                f"records changed since import {batch_id}: {listed}{more}; "
                "use --force to undo anyway"
            )
        for change in reversed(changes):
            current = batches.image(db, change.entity, change.entity_id)
            if current is None:
                continue
            if change.action == "create":
                _delete(db, change.entity, change.entity_id)
                result.deleted += 1
            elif change.before is not None:
                batches.restore(db, change.entity, change.entity_id, change.before)
                _reindex(db, change.entity, change.entity_id)
                result.restored += 1
        batches.mark_undone(db, batch_id)
        audit.record(db, "import_batch", batch_id, "undo", result.to_json())
    return result


def _delete(db: Database, entity: str, entity_id: int) -> None:
    from ..store import search

    batches.delete(db, entity, entity_id)
    if entity == "contact":
        search.remove_contact(db, entity_id)
    elif entity == "company":
        search.remove_company(db, entity_id)
        search.reindex_contacts_of_company(db, entity_id)


def _reindex(db: Database, entity: str, entity_id: int) -> None:
    from ..store import companies, search

    if entity == "contact":
        search.reindex_contact(db, entity_id)
    elif entity == "company":
        search.index_company(db, companies.get(db, entity_id))
        search.reindex_contacts_of_company(db, entity_id)
