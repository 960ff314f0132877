"""Finding the existing record an incoming one duplicates — the import's duplicate check.

Candidates come from indexed columns (email, folded name key, phone), so memory stays flat however
long the file is; rows created earlier in the same import are found the same way because they are
already in the (uncommitted) transaction. Whether a candidate is the same person is decided by the
shared matcher of `services.matcher`, the same rules `greentech dedupe` uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..models import Company, Contact
from ..names import company_key, name_keys
from ..store import companies, contacts

if TYPE_CHECKING:
    from sqlite_utils import Database


class DuplicateFinder:
    """Looks up the existing contact or company an incoming record is a duplicate of."""

    def __init__(self, db: Database, target: str) -> None:
        self.db = db
        self.target = target

    def find_contact(self, incoming: Contact) -> int | None:
        """The id of the existing contact that is the same person, or None."""
        keys = sorted(name_keys(incoming.first_name, incoming.last_name, incoming.native_name))
        phones = [p for p in (incoming.phone, incoming.mobile) if p and p.startswith("+")]
        found = contacts.candidates(self.db, email=incoming.email, name_keys=keys, phones=phones)
        best: tuple[float, int] | None = None
        for existing in found:
            score = same_person(incoming, existing)
            if score is not None and (best is None or score > best[0]):
                best = (score, existing.id or 0)
        return best[1] if best else None

    def find_company(self, incoming: Company) -> int | None:
        """The id of the existing company with the same normalised name or VAT id, or None."""
        found = companies.candidates(
            self.db, name_key=company_key(incoming.name), vat_id=incoming.vat_id
        )
        return found[0].id if found else None


def same_person(incoming: Contact, existing: Contact) -> float | None:
    """A score when existing is the same person as incoming, else None."""
    from ..names import first_names_compatible

    if incoming.email and existing.email and incoming.email.lower() == existing.email.lower():
        return 100.0
    if not name_keys(incoming.first_name, incoming.last_name, incoming.native_name) & name_keys(
        existing.first_name, existing.last_name, existing.native_name
    ):
        return None
    if incoming.first_name and existing.first_name:
        if not first_names_compatible(incoming.first_name, existing.first_name):
            return None
    same_company = incoming.company_id is not None and incoming.company_id == existing.company_id
    if incoming.company_id and existing.company_id and not same_company:
        return None
    if incoming.email and existing.email:
        # Two addresses: the same person only when the company confirms it (a changed email).
        return 70.0 if same_company else None
    return 80.0
