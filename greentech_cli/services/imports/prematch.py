"""An import's duplicates looked up before it takes the write lock, kept with the spilled rows.

While the rows are read (`services.imports.spill`) each chunk is matched against the database as
it is then: the row's company among the stored ones, its candidates (`contacts.candidates`) and
the decision (`identity.duplicates.decide`), read-only, no lock held. Under the lock the writer
keeps those decisions when no other process committed since the import first looked (`PRAGMA
data_version` unchanged) and looks a row up again only when its company is one the import created
meanwhile or its keys may meet a contact the import itself wrote or changed
(`identity.duplicates.WrittenKeys`): in-file duplicates are found as before. When another process
did commit, every row is matched again under the lock, as if nothing had been matched before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from greentech_cli.errors import InvalidData
from greentech_cli.services.identity.duplicates import Decision, DuplicateFinder, decide
from greentech_cli.services.imports.rows import Prepared, normalise_company
from greentech_cli.store import contacts as contact_store

if TYPE_CHECKING:
    from greentech_cli.db import Database
    from greentech_cli.models.imports import ImportOptions


@dataclass(slots=True)
class Early:
    """A row's match before the lock: the stored company it named, and the decision."""

    company_id: int | None
    decision: Decision


class Prematch:
    """Matches chunks of prepared rows against the database as it is (read-only)."""

    def __init__(self, db: Database, options: ImportOptions) -> None:
        self.db = db
        self.finder = DuplicateFinder(db, options.target)
        # Only a contact import that may act on duplicates matches them.
        self.active = options.target == "contacts" and options.on_duplicate != "new"
        self.companies: dict[str, int | None] = {}

    def __call__(self, chunk: list[Prepared]) -> list[Early | None]:
        """The early match of each row of a chunk (None for a rejected row)."""
        early: list[Early | None] = [None] * len(chunk)
        if not self.active:
            return early
        usable = [(i, p, self._company(p)) for i, p in enumerate(chunk) if p.reject is None]
        blocks = contact_store.candidates(self.db, [linked_keys(p, c) for _, p, c in usable])
        for (i, prepared, company_id), block in zip(usable, blocks, strict=True):
            decision = decide(prepared.contact(company_id), block) if block else Decision()
            early[i] = Early(company_id, decision)
        return early

    def _company(self, prepared: Prepared) -> int | None:
        """The stored company a row names (as the writer finds it), or None."""
        if prepared.company is None:
            return None
        name = prepared.company["name"]
        if name not in self.companies:
            try:
                company, _ = normalise_company(prepared.company)
            except InvalidData:  # the writer says so, under the lock
                return None
            self.companies[name] = self.finder.find_company(company)
        return self.companies[name]


def linked_keys(prepared: Prepared, company_id: int | None) -> contact_store.Keys:
    """The duplicate lookup keys of a prepared row linked to its company."""
    keys = prepared.keys
    assert keys is not None
    return keys._replace(company_id=company_id)
