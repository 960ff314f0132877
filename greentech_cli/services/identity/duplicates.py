"""Finding the existing record an incoming one duplicates — the import's duplicate check.

Candidates come from indexed columns (email, folded name key, phone), so memory stays flat however
long the file is; rows created earlier in the same import are found the same way because they are
already in the (uncommitted) transaction. Whether a candidate is the same person is decided by the
shared matcher of `services.matcher` (its score and threshold), the rules `greentech dedupe` uses.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from greentech_cli.models.records import Company, Contact
from greentech_cli.services.identity.matcher import THRESHOLD, Candidate, score
from greentech_cli.store import companies, contacts
from greentech_cli.text.company_names import company_key
from greentech_cli.text.names import name_keys

if TYPE_CHECKING:
    from greentech_cli.db import Database


class DuplicateFinder:
    """Looks up the existing contact or company an incoming record is a duplicate of."""

    def __init__(self, db: Database, target: str) -> None:
        self.db = db
        self.target = target

    def find_contact(self, incoming: Contact) -> int | None:
        """The id of the existing contact that is the same person, or None."""
        return self.find_contacts([incoming])[0]

    def find_contacts(self, incoming: list[Contact]) -> list[int | None]:
        """`find_contact` for many contacts at once, against the database as it is now."""
        blocks = contacts.candidates(self.db, [keys_of(c) for c in incoming])
        return [best_match(c, found) for c, found in zip(incoming, blocks, strict=True)]

    def find_company(self, incoming: Company) -> int | None:
        """The id of the existing company with the same normalised name or VAT id, or None."""
        found = companies.candidates(
            self.db, name_key=company_key(incoming.name), vat_id=incoming.vat_id
        )
        return found[0].id if found else None


def keys_of(incoming: Contact) -> contacts.Keys:
    """What a contact's duplicates are looked up by."""
    keys = name_keys(incoming.first_name, incoming.last_name, incoming.native_name)
    return keys_for(
        incoming.email, incoming.phone, incoming.mobile, keys, incoming.company_id, incoming.uid
    )


def keys_for(
    email: str | None,
    phone: str | None,
    mobile: str | None,
    names: Iterable[str],
    company_id: int | None,
    uid: str | None = None,
) -> contacts.Keys:
    """The lookup keys from a contact's values: its email, name keys, E.164 numbers and uid."""
    phones = tuple(p for p in (phone, mobile) if p and p.startswith("+"))
    return contacts.Keys(email, tuple(sorted(names)), phones, company_id, uid)


def best_match(incoming: Contact, found: list[Contact]) -> int | None:
    """The candidate the shared matcher scores highest at or above its threshold, or None.

    A row that carries a uid (greentech's own export) is that contact or a new one: rows with
    different uids are never merged, whatever else they share.
    """
    if not found:
        return None
    if incoming.uid is not None:
        return next((c.id for c in found if c.uid == incoming.uid), None)
    person = Candidate.of(incoming)
    best: tuple[int, int] | None = None
    for existing in found:
        match = score(person, Candidate.of(existing))
        points = match.score if match is not None else 0
        if points < THRESHOLD and _repeats(incoming, existing):
            # The same name and nothing that differs: the row was imported before.
            points = THRESHOLD
        if points >= THRESHOLD and (best is None or points > best[0]):
            best = (points, existing.id or 0)
    return best[1] if best else None


REPEAT_FIELDS = (
    "first_name", "last_name", "native_name", "email", "phone", "mobile", "company_id", "position",
    "notes",
)  # fmt: skip


def _repeats(incoming: Contact, existing: Contact) -> bool:
    """Whether every identifying value the incoming row has is exactly what is stored."""
    given = [name for name in REPEAT_FIELDS if getattr(incoming, name)]
    return bool(given) and all(getattr(incoming, n) == getattr(existing, n) for n in given)
