"""The import pipeline: read a file, normalise each row, find duplicates, write one batch.

The whole import is one transaction (all or nothing, also under kill -9). A dry run runs the very
same pipeline and rolls the transaction back, so its summary is the real one. Every change keeps a
before- and after-image in `import_changes`, which is what `services.imports.undo` restores.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from greentech_cli import collector
from greentech_cli.db import database_file, import_pragmas, transaction
from greentech_cli.errors import InvalidData
from greentech_cli.files import same_file
from greentech_cli.models.imports import ON_DUPLICATE, TARGETS, ImportOptions, ImportSummary, Reject
from greentech_cli.models.records import Company, Contact, Member
from greentech_cli.services.identity import merge
from greentech_cli.services.identity.duplicates import DuplicateFinder, best_match, keys_of
from greentech_cli.services.imports.rows import Prepared, normalise_company
from greentech_cli.store import audit, health
from greentech_cli.store import companies as company_store
from greentech_cli.store import contacts as contact_store
from greentech_cli.store import imports as batches
from greentech_cli.store.common import now
from greentech_cli.text.phones import NO_COUNTRY
from greentech_cli.text.vocabulary import normalize_country

if TYPE_CHECKING:
    from greentech_cli.db import Database
    from greentech_cli.importers.sources import Source

PREVIEW_ROWS = 10
REJECT_SAMPLE = 20

EMPTY: tuple[object, ...] = (None, "", [], {}, "unknown")


class _DryRun(Exception):
    """Raised at the end of a dry run to roll the transaction back."""


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def import_file(
    db: Database,
    path: Path,
    options: ImportOptions,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import a file into the database in one transaction; see the module docstring."""
    from greentech_cli.importers.sources import open_source
    from greentech_cli.importers.streams import as_file, is_stream

    if is_stream(path):  # a pipe or FIFO (`/dev/stdin`, `<(…)`): read once into a private copy
        with as_file(path) as copy:
            summary = import_file(db, copy, options, progress)
        summary.file = str(path)
        return summary
    check_options(options)
    db_file = database_file(db.conn)  # "" for the in-memory one of a dry run
    for option, written in (("--rejects", options.rejects), ("--warnings", options.warnings_file)):
        if written is None:
            continue
        if same_file(written, path):
            raise InvalidData(f"{option} would overwrite {path.name}, the file being imported")
        if db_file and same_file(written, Path(db_file)):
            raise InvalidData(f"{option} {written} is the database itself")
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
        from greentech_cli.services.imports.rejects import RejectsWriter

        rejects_writer = RejectsWriter(options.rejects, source)
    try:
        with import_pragmas(db), transaction(db), collector.relaxed():
            run = _Run(db, options, summary, source, rejects_writer)
            run.execute(progress)
            if options.dry_run:
                raise _DryRun
    except _DryRun:
        # A large dry run spilled uncommitted pages into the WAL: empty it, so none stay on disk.
        health.checkpoint(db)
    except BaseException:
        if rejects_writer is not None:
            rejects_writer.discard()  # nothing was imported: no rejects file either
        raise
    if rejects_writer is not None:
        summary.rejects_file = rejects_writer.finish(keep=bool(summary.rejected))
    if options.dry_run:
        summary.batch_id = None
    summary.account_for(source.columns(), source.mapped_columns)
    if options.warnings_file is not None:
        from greentech_cli.files import write_private_text

        write_private_text(options.warnings_file, "".join(f"{w}\n" for w in summary.warning_list))
    return summary


class _Run:
    """One pass of the pipeline over a source, inside the import's transaction.

    Rows come prepared in chunks (`services.imports.feed`). For each chunk the duplicates are
    looked up in one go against the database as it stands; new contacts wait in a buffer and are
    written with one executemany per table. A row whose keys meet a row created or changed
    earlier in the same chunk (an in-file duplicate) first writes the buffer and is looked up on
    its own, so it sees exactly what a row-by-row import would.
    """

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
        self.company_info: dict[int | None, tuple[str | None, str | None]] = {None: (None, None)}
        self.delegation_id: int | None = None
        self.stamp = now()
        self.next_id: int | None = None
        self.new_rows: list[contact_store.NewContact] = []
        self.new_members: list[tuple[int, Prepared]] = []
        self.touched = _KeySet()

    def execute(self, progress: Callable[[int], None] | None) -> None:
        """Create the batch, process every row, store the counts."""
        from greentech_cli.services.imports.feed import feed
        from greentech_cli.store import delegations

        if self.options.delegation:
            delegation = delegations.resolve(self.db, self.options.delegation)
            self.delegation_id = delegation.id
            if self.options.target == "contacts":
                self.options.delegation_country = delegation.origin_country
                if delegation.origin_country:
                    self.options.company_countries = company_store.countries_by_name_key(self.db)
                self.summary.delegation_country = delegation.origin_country
        path = Path(self.summary.file)
        content_hash = file_hash(path)
        self.summary.imported_before = [
            (batch.id, batch.created_at) for batch in batches.find_same_file(self.db, content_hash)
        ]
        self.batch_id = batches.create_batch(
            self.db,
            file=path.name,
            content_hash=content_hash,
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
        for chunk in feed(path, self.source, self.options):
            self.summary.rows += len(chunk)
            usable = [p for p in chunk if self._usable(p)]
            if self.options.target == "contacts":
                self._contacts(usable)
            else:
                for prepared in usable:
                    self._company_row(prepared)
            if progress is not None:
                progress(len(chunk))
        self._flush()
        self.changes.flush()
        counts = {
            k: getattr(self.summary, k)
            for k in ("rows", "created", "updated", "skipped", "rejected")
        }
        batches.finish_batch(self.db, self.batch_id, counts)
        audit.record(self.db, "import_batch", self.batch_id, "import", counts)

    # --- rows ----------------------------------------------------------------------------------

    def _usable(self, prepared: Prepared) -> bool:
        """Reject the row when it cannot be used; otherwise pass its warnings on."""
        if prepared.reject is not None:
            self._reject(prepared, prepared.reject)
            return False
        for warning in prepared.warnings:
            self._warn(prepared.index, warning)
        self.summary.country_from_delegation += prepared.country_filled
        return True

    def _reject(self, prepared: Prepared, reason: str) -> None:
        self.summary.rejected += 1
        reject = Reject(prepared.number, reason, prepared.cells, prepared.record or {})
        if len(self.summary.rejects) < REJECT_SAMPLE:
            self.summary.rejects.append(reject)
        if self.rejects_writer is not None:
            self.rejects_writer.write(reject)

    def _warn(self, index: int, message: str) -> None:
        self.summary.warning_count += 1
        # Counted over every row: the sample below may end before such a warning comes.
        self.summary.needs_country |= NO_COUNTRY in message
        self.summary.warning_list.append(f"row {index}: {message}")
        if len(self.summary.warnings) < REJECT_SAMPLE:
            self.summary.warnings.append(self.summary.warning_list[-1])

    def _contacts(self, chunk: list[Prepared]) -> None:
        """Link, match and store one chunk of prepared contacts, in file order."""
        linked = [(prepared, self._company_for(prepared)) for prepared in chunk]
        if self.options.on_duplicate == "new":
            for prepared, company_id in linked:
                self._create_contact(prepared, company_id)
            return
        self._flush()  # the lookup below must see every row written so far
        keys = [_keys(prepared, company_id) for prepared, company_id in linked]
        blocks = contact_store.candidates(self.db, keys)
        self.touched.clear()
        for (prepared, company_id), key, block in zip(linked, keys, blocks, strict=True):
            if self.touched.meets(key):
                # Created or changed earlier in this chunk: look again, with the buffer written.
                self._flush()
                block = contact_store.candidates(self.db, [key])[0]
            existing_id = best_match(prepared.contact(company_id), block) if block else None
            self.touched.add(key)
            if existing_id is None:
                self._create_contact(prepared, company_id)
            else:
                self._duplicate(prepared, company_id, existing_id)

    def _duplicate(self, prepared: Prepared, company_id: int | None, existing_id: int) -> None:
        self.summary.duplicates += 1
        incoming = prepared.contact(company_id)
        merged = self._merge_contact(prepared.index, existing_id, incoming)
        if merged is not None:
            self.touched.add(keys_of(merged))
        if self.delegation_id is not None:
            self._membership(existing_id, prepared)
        self._preview(incoming, f"matches {existing_id}")

    def _create_contact(self, prepared: Prepared, company_id: int | None) -> None:
        assert prepared.values is not None
        if self.next_id is None:
            self.next_id = contact_store.next_id(self.db)
        contact_id, self.next_id = self.next_id, self.next_id + 1
        self._company_info(company_id)
        self.new_rows.append(
            contact_store.NewContact(contact_id, company_id, prepared.values, prepared.names)
        )
        self.summary.created += 1
        if self.delegation_id is not None:
            self.new_members.append((contact_id, prepared))
        if len(self.summary.preview) < PREVIEW_ROWS:
            contact = prepared.contact(company_id)
            contact.id, contact.created_batch_id = contact_id, self.batch_id
            self._preview(contact, "new")

    def _preview(self, contact: Contact, action: str) -> None:
        if len(self.summary.preview) < PREVIEW_ROWS:
            self.summary.preview.append({**contact.to_json(), "action": action})

    def _flush(self) -> None:
        """Write the contacts waiting in the buffer, then their memberships."""
        if self.new_rows:
            contact_store.insert_many(
                self.db, self.new_rows, self.company_info, batch_id=self.batch_id, stamp=self.stamp
            )
            # The creates' change records follow every change made before them.
            self.changes.flush()
            first, last = self.new_rows[0].id, self.new_rows[-1].id
            batches.record_creates(self.db, self.batch_id, "contact", first, last)
            self.new_rows = []
        for contact_id, prepared in self.new_members:
            self._membership(contact_id, prepared)
        self.new_members = []

    def _merge_contact(self, index: int, contact_id: int, incoming: Contact) -> Contact | None:
        """Fill (or update) a stored contact from the row; returns it when it changed."""
        if self.options.on_duplicate == "skip":
            self.summary.skipped += 1
            return None
        current = contact_store.get(self.db, contact_id)
        before = batches.image(self.db, "contact", contact_id)
        if not self._take_row(
            index, "contact", contact_id, current, incoming, merge.CONTACT_FIELDS
        ):
            self.summary.skipped += 1
            return None
        contact_store.update(self.db, current, audited=False)
        self.changes.add_read("contact", contact_id, "update", before)
        self.summary.updated += 1
        return current

    def _take_row(
        self,
        index: int,
        entity: str,
        entity_id: int,
        current: Any,
        incoming: Any,
        names: tuple[str, ...],
    ) -> bool:
        """Bring a row's values into the stored record it duplicates; True when that changed it.

        `update` overwrites with every value the row has. `fill` follows the rule of `contact
        merge` (fill what is empty, unite lists, append notes, honour a withdrawn consent) and
        says which stored values it kept over the file's, so none is dropped unseen.
        """
        if self.options.on_duplicate == "update":
            return _overwrite(current, incoming, names)
        changes = merge.field_changes(current, incoming, names)
        merge.apply_changes(current, changes)
        for change in changes:
            if change.action == "withdraw" and change.field in merge.CONSENTS:
                what = _label(change.field)
                self._warn(index, f"{what} withdrawn for {entity} {entity_id}: the file says no")
        kept = [_label(c.field) for c in changes if c.action == "conflict"]
        if kept:
            self._warn(
                index,
                f"same as {entity} {entity_id}, whose stored {', '.join(kept)} "
                f"{'was' if len(kept) == 1 else 'were'} kept over the file's "
                "(--on-duplicate update takes the file's)",
            )
        return any(change.action != "conflict" for change in changes)

    def _membership(self, contact_id: int, prepared: Prepared) -> None:
        from greentech_cli.store import members

        assert self.delegation_id is not None
        if members.find(self.db, self.delegation_id, contact_id) is not None:
            return
        member = Member(
            self.delegation_id,
            contact_id,
            role=prepared.role or "delegate",
            status=prepared.status or "registered",
        )
        members.insert(self.db, member)
        self.changes.add_read("member", member.id or 0, "create", None)
        self.summary.members_added += 1

    def _company_for(self, prepared: Prepared) -> int | None:
        """The id of the row's company: known by name, found as a duplicate, or created."""
        if prepared.company is None:
            return None
        name = prepared.company["name"]
        if name in self.company_ids:
            return self.company_ids[name]
        company, warnings = normalise_company(prepared.company)
        for warning in warnings:  # once per company: later rows find it by name
            self._warn(prepared.index, warning)
        existing = self.finder.find_company(company)
        if existing is None:
            self._create_company(company)
            company_id = company.id or 0
        else:
            company_id = existing
        self.company_ids[name] = company_id
        return company_id

    def _company_info(self, company_id: int | None) -> None:
        """Keep the stored name and city of a company for the index, read once per import."""
        if company_id is not None and company_id not in self.company_info:
            self.company_info[company_id] = company_store.name_city(self.db, company_id)

    def _create_company(self, company: Company) -> None:
        company_store.insert(self.db, company, batch_id=self.batch_id, audited=False)
        self.changes.add_read("company", company.id or 0, "create", None)
        self.summary.companies_created += 1
        if self.options.target == "companies":
            self.summary.created += 1

    def _company_row(self, prepared: Prepared) -> None:
        company = prepared.organisation
        assert company is not None
        existing = None if self.options.on_duplicate == "new" else self.finder.find_company(company)
        if existing is None:
            self._create_company(company)
            return
        self.summary.duplicates += 1
        if self.options.on_duplicate == "skip":
            self.summary.skipped += 1
            return
        current = company_store.get(self.db, existing)
        before = batches.image(self.db, "company", existing)
        if not self._take_row(
            prepared.index, "company", existing, current, company, merge.COMPANY_FIELDS
        ):
            self.summary.skipped += 1
            return
        company_store.update(self.db, current, audited=False)
        self.changes.add_read("company", existing, "update", before)
        self.summary.updated += 1


def _label(field: str) -> str:
    """A field as warnings name it: "share consent", "company" (for company_id)."""
    return "company" if field == "company_id" else field.replace("_", " ")


def _keys(prepared: Prepared, company_id: int | None) -> contact_store.Keys:
    """The duplicate lookup keys of a prepared row linked to its company."""
    keys = prepared.keys
    assert keys is not None
    return keys._replace(company_id=company_id)


class _KeySet:
    """The lookup keys of contacts created or changed since a chunk's duplicates were looked up."""

    def __init__(self) -> None:
        self.emails: set[str] = set()
        self.names: dict[str, set[int | None]] = {}
        self.phones: set[str] = set()
        self.uids: set[str] = set()

    def clear(self) -> None:
        self.emails.clear()
        self.names.clear()
        self.phones.clear()
        self.uids.clear()

    def add(self, keys: contact_store.Keys) -> None:
        if keys.uid:
            self.uids.add(keys.uid)
        if keys.email:
            self.emails.add(keys.email.casefold())
        for key in keys.name_keys:
            self.names.setdefault(key, set()).add(keys.company_id)
        self.phones.update(keys.phones)

    def meets(self, keys: contact_store.Keys) -> bool:
        """Whether one of them could be a candidate for a contact with these keys.

        The rule of `contacts.candidates`, loosened (emails compared casefolded), never tighter.
        """
        if keys.uid and keys.uid in self.uids:
            return True
        if keys.email and keys.email.casefold() in self.emails:
            return True
        for key in keys.name_keys:
            for company_id in self.names.get(key, ()):
                if contact_store.same_name_counts(keys.company_id, company_id):
                    return True
        return not self.phones.isdisjoint(keys.phones)


def _overwrite(current: Any, incoming: Any, names: tuple[str, ...]) -> bool:
    """Replace current's fields with incoming's non-empty values; True when anything changed."""
    changed = False
    for name in names:
        new = getattr(incoming, name)
        if new in EMPTY:
            continue
        if getattr(current, name) != new:
            setattr(current, name, list(new) if isinstance(new, list) else new)
            changed = True
    return changed


def check_options(options: ImportOptions) -> None:
    """Refuse option values that make no sense before anything is read."""
    if options.on_duplicate not in ON_DUPLICATE:
        raise InvalidData(f"--on-duplicate must be one of {', '.join(ON_DUPLICATE)}")
    if options.target not in TARGETS:
        raise InvalidData(f"--as must be one of {', '.join(TARGETS)}")
    if options.default_country:
        options.default_country = normalize_country(options.default_country)
