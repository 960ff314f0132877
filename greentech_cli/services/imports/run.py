"""The import pipeline: read a file, normalise each row, find duplicates, write one batch.

Reading, normalising and matching against the stored records come first, with no lock held
(`services.imports.spill`: all of it, or for a large table read by a worker the first half, the
rest read while the import writes); then the import takes the write lock
(waiting up to the lock timeout) and writes in one transaction, all or nothing. Under the lock a
row is matched again only where the import's own writes may have changed its answer (in-file
duplicates); when `PRAGMA data_version` says another process committed since the import first
looked, everything read before the lock is read again and every row matched again, so no duplicate
slips in. A dry run rolls back; undo uses the images in `import_changes`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from greentech_cli import collector
from greentech_cli.db import database_file, import_pragmas, is_url, rehearsal, transaction
from greentech_cli.models.imports import ImportOptions, ImportSummary, Reject
from greentech_cli.models.records import Company, Contact, Member
from greentech_cli.services.identity import merge
from greentech_cli.services.identity.duplicates import (
    Decision,
    DuplicateFinder,
    KeySet,
    WrittenKeys,
    decide,
    keys_of,
    take_row,
)
from greentech_cli.services.identity.matcher import Match
from greentech_cli.services.imports.options import check_options
from greentech_cli.services.imports.rows import Prepared, normalise_company
from greentech_cli.services.imports.spill import (
    Early,
    Prematch,
    WarningLog,
    file_hash,
    linked_keys,
    read_all,
)
from greentech_cli.store import audit, health
from greentech_cli.store import companies as company_store
from greentech_cli.store import contacts as contact_store
from greentech_cli.store import imports as batches
from greentech_cli.store.common import now
from greentech_cli.text.phones import NO_COUNTRY

if TYPE_CHECKING:
    from greentech_cli.db import Database
    from greentech_cli.importers.sources import Source

PREVIEW_ROWS = 10
REJECT_SAMPLE = 20


class _DryRun(Exception):
    """Raised at the end of a dry run to roll the transaction back."""


def import_file(
    db: Database,
    path: Path,
    options: ImportOptions,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import a file into the database in one transaction; see the module docstring."""
    from greentech_cli.importers.streams import as_file, is_stream

    if is_stream(path):  # a pipe or FIFO (`/dev/stdin`, `<(…)`): read once into a private copy
        with as_file(path) as copy:
            summary = import_file(db, copy, options, progress)
        summary.file = str(path)
        return summary
    url = db.where if is_url(db.where) else ""
    check_options(options, path, database_file(db.conn) or url)
    if options.dry_run and database_file(db.conn):
        # A dry run writes into a private copy: it matches and writes like an import, never
        # taking the database's write lock.
        with health.scratch_copy(db) as copy:
            return _import(copy, path, options, progress)
    return _import(db, path, options, progress)


def _import(
    db: Database, path: Path, options: ImportOptions, progress: Callable[[int], None] | None
) -> ImportSummary:
    from greentech_cli.importers.sources import open_source

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
        warning_list=(warnings := WarningLog()),
    )
    rejects_writer = None
    if options.rejects is not None and not options.dry_run:
        from greentech_cli.services.imports.rejects import RejectsWriter

        rejects_writer = RejectsWriter(options.rejects, source)
    try:
        with collector.relaxed():
            run = _Run(db, options, summary, source, rejects_writer)
            run.look()  # before the lock: a wrong --delegation fails before reading
            run.content_hash = file_hash(path)
            with (
                read_all(path, source, options, progress, Prematch(db, options)) as prepared,
                import_pragmas(db),
                rehearsal(db) if options.dry_run else transaction(db, holder="the import"),
            ):
                run.execute(prepared)
                if options.dry_run:
                    raise _DryRun
    except _DryRun:
        pass
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
        warnings.write_lines(options.warnings_file)
    return summary


class _Run:
    """One pass of the pipeline over a source, inside the import's transaction.

    Rows come prepared in chunks (`services.imports.feed`), each row with its match made before
    the lock (`spill.Prematch`). For each chunk the rows that need it are looked up
    again in one go against the database as it stands; new contacts wait in a buffer and are
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
        # Companies rows named that are not stored yet: created with the first row that is.
        self.new_companies: dict[str, tuple[Company, list[str]]] = {}
        # The stored (name, city) of each company a row links to, for the search index.
        self.company_info: dict[int | None, tuple[str | None, str | None]] = {None: (None, None)}
        self.delegation_id: int | None = None
        self.stamp = now()
        self.new_ids: contact_store.NewIds | None = None
        self.new_rows: list[contact_store.NewContact] = []
        self.new_members: list[tuple[int, Prepared]] = []
        self.touched = KeySet()
        self.written = WrittenKeys()
        self.content_hash = ""
        self.seen_version = 0

    def look(self) -> None:
        """What the import needs from the database, read before it takes the lock."""
        from greentech_cli.store import delegations

        if self.options.delegation:
            delegation = delegations.resolve(self.db, self.options.delegation)
            self.delegation_id = delegation.id
            if self.options.target == "contacts":
                self.options.delegation_country = delegation.origin_country
                if delegation.origin_country:
                    self.options.company_countries = company_store.countries_by_name_key(self.db)
                self.summary.delegation_country = delegation.origin_country
        self.seen_version = health.data_version(self.db)

    def execute(self, prepared: Iterable[tuple[list[Prepared], list[Early | None]]]) -> None:
        """Under the lock: create the batch, match and write every row, store the counts."""
        rematch = health.data_version(self.db) != self.seen_version
        if rematch:
            self.look()  # another process committed since: the delegation may be gone
            self.summary.matched_again = Prematch(self.db, self.options).active
        self.summary.imported_before = [
            (b.id, b.created_at) for b in batches.find_same_file(self.db, self.content_hash)
        ]
        self.batch_id = batches.create_batch(
            self.db,
            file=Path(self.summary.file).name,
            content_hash=self.content_hash,
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
        for chunk, early in prepared:
            self.summary.rows += len(chunk)
            rows = zip(chunk, early, strict=True)
            usable = [(p, None if rematch else e) for p, e in rows if self._usable(p)]
            if self.options.target == "contacts":
                self._contacts(usable)
            else:
                for row, _ in usable:
                    self._company_row(row)
        self._flush()
        if self.new_ids is not None:
            self.new_ids.finish()
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
        line = f"row {index}: {message}"
        self.summary.warning_list.append(line)
        if len(self.summary.warnings) < REJECT_SAMPLE:
            self.summary.warnings.append(line)

    def _contacts(self, chunk: list[tuple[Prepared, Early | None]]) -> None:
        """Link, match and store one chunk of prepared contacts, in file order (a row's new
        company is created with the row: a skipped row creates nothing, not even its company).

        A row keeps its early match (`spill.Prematch`) unless its company is one
        this import created since, or its keys may meet a contact the import wrote or changed:
        those rows are looked up again, in one go, against the database as it stands (every
        row when there is no early match)."""
        if self.options.on_duplicate == "new":
            for prepared, _ in chunk:
                self._create_contact(prepared, self._company_for(prepared))
            return
        linked = [(p, e, self._company_for(p, create=False)) for p, e in chunk]
        self._flush()  # the lookup below must see every row written so far
        keys = [linked_keys(prepared, company_id) for prepared, _, company_id in linked]
        again, blocks = [], {}
        for i, (_, early, company_id) in enumerate(linked):
            if early is None or self.written.meets(keys[i]):
                again.append(i)
            elif early.company_id != company_id:
                # A company this import created since: only its contacts (all written here,
                # so not met) join the candidates; they stay, the company weighs in anew.
                if early.block is None:
                    again.append(i)
                else:
                    blocks[i] = early.block
        found = contact_store.candidates(self.db, [keys[i] for i in again])
        blocks.update(zip(again, found, strict=True))
        self.touched.clear()
        for i, (prepared, early, company_id) in enumerate(linked):
            key, block = keys[i], blocks.get(i)
            if company_id is None and prepared.company is not None:
                # Its company may have been created by an earlier row of this chunk.
                company_id = self._company_for(prepared, create=False)
                if company_id is not None:
                    key = linked_keys(prepared, company_id)
                    self._flush()
                    block = contact_store.candidates(self.db, [key])[0]
            if self.touched.meets(key):
                # Created or changed earlier in this chunk: look again, with the buffer written.
                self._flush()
                block = contact_store.candidates(self.db, [key])[0]
            if block is None:
                assert early is not None
                decision = early.decision
            else:
                decision = decide(prepared.contact(company_id), block) if block else Decision()
            self.touched.add(key)
            if decision.same is None:
                if company_id is None and prepared.company is not None:
                    company_id = self._company_for(prepared)
                    key = linked_keys(prepared, company_id)
                    self.touched.add(key)  # its keys at the company it has now
                self.written.add(key)
                created = self._create_contact(prepared, company_id)
                for match in decision.possible:
                    self._possible(prepared, match, created)
            else:
                self._duplicate(prepared, company_id, decision.same)

    def _touch(self, keys: contact_store.Keys) -> None:
        """Note the keys of a contact created or changed: later rows meeting them look again."""
        self.touched.add(keys)
        self.written.add(keys)

    def _possible(self, prepared: Prepared, match: Match, created: int) -> None:
        """Note a row created beside a contact it may be (never merged without a person)."""
        self.summary.note_possible(
            prepared.index, match.contact_id, created, match.reasons, match.score
        )

    def _duplicate(self, prepared: Prepared, company_id: int | None, existing_id: int) -> None:
        self.summary.duplicates += 1
        if company_id is None and prepared.company is not None and self._takes_company(existing_id):
            company_id = self._company_for(prepared)
        incoming = prepared.contact(company_id)
        merged = self._merge_contact(prepared.index, existing_id, incoming)
        if merged is not None:
            self._touch(keys_of(merged))
        if self.delegation_id is not None:
            self._membership(existing_id, prepared)
        self._preview(incoming, f"matches {existing_id}")

    def _takes_company(self, existing_id: int) -> bool:
        """Whether a duplicate row's new company reaches the stored contact (so is created)."""
        if self.options.on_duplicate == "update":
            return True
        if self.options.on_duplicate == "fill":
            return contact_store.get(self.db, existing_id).company_id is None
        return False

    def _create_contact(self, prepared: Prepared, company_id: int | None) -> int:
        assert prepared.values is not None
        if self.new_ids is None:
            self.new_ids = contact_store.new_ids(self.db)
        contact_id = self.new_ids.take()
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
        return contact_id

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
        keys_before = keys_of(current)
        if not self._take_row(
            index, "contact", contact_id, current, incoming, merge.CONTACT_FIELDS
        ):
            self.summary.skipped += 1
            return None
        self._touch(keys_before)  # a row matched by a key it no longer has looks again
        contact_store.update(self.db, current, audited=False)
        self.changes.add_read("contact", contact_id, "update", before)
        self.summary.updated += 1
        return current

    def _take_row(
        self, index: int, entity: str, entity_id: int, current: Any, incoming: Any, names: Any
    ) -> bool:
        """`duplicates.take_row` with the options of this import; its warnings given to the row."""
        changed, warnings = take_row(
            self.options.on_duplicate, entity, entity_id, current, incoming, names
        )
        for warning in warnings:
            self._warn(index, warning)
        return changed

    def _membership(self, contact_id: int, prepared: Prepared) -> None:
        from greentech_cli.store import members

        assert self.delegation_id is not None
        if members.find(self.db, self.delegation_id, contact_id) is not None:
            return
        role, status = prepared.role or "delegate", prepared.status or "registered"
        member = Member(self.delegation_id, contact_id, role, status, notes=prepared.member_notes)
        members.insert(self.db, member)
        self.changes.add_read("member", member.id or 0, "create", None)
        self.summary.members_added += 1

    def _company_for(self, prepared: Prepared, *, create: bool = True) -> int | None:
        """The id of the row's company: known by name, found as a duplicate, or created (only
        when `create`: else None for a company not stored yet)."""
        if prepared.company is None:
            return None
        name = prepared.company["name"]
        if name in self.company_ids:
            return self.company_ids[name]
        # A pending company is looked up again: a row that wrote it another way ("ТОО «Таза
        # Алматы»", "Taza Almaty TOO") may have created it since.
        pending = self.new_companies.get(name)
        company, warnings = pending or normalise_company(prepared.company)
        existing = self.finder.find_company(company)
        if existing is not None:
            if pending is None:
                self._company_warnings(prepared, warnings)
            self.new_companies.pop(name, None)
            self.company_ids[name] = existing
            return existing
        self.new_companies[name] = (company, warnings)
        if not create:
            return None
        company, warnings = self.new_companies.pop(name)
        self._company_warnings(prepared, warnings)
        self._create_company(company)
        self.company_ids[name] = company.id or 0
        return company.id or 0

    def _company_warnings(self, prepared: Prepared, warnings: list[str]) -> None:
        for warning in warnings:  # once per company: later rows find it by name
            self._warn(prepared.index, warning)

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
