"""The follow-up journal: what came out of a delegation, per contact or company."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from greentech_cli.db import retried, transaction
from greentech_cli.errors import InvalidData, UsageError
from greentech_cli.models.records import FOLLOWUP_KINDS
from greentech_cli.store import audit
from greentech_cli.store import companies as company_store
from greentech_cli.store import contacts as contact_store
from greentech_cli.store import delegations as delegation_store
from greentech_cli.store import visits as visit_store
from greentech_cli.store.common import now
from greentech_cli.store.followup import journal
from greentech_cli.store.followup.journal import Entry
from greentech_cli.text.cleaning import clean
from greentech_cli.text.dates import parse_date
from greentech_cli.text.vocabulary import choice

if TYPE_CHECKING:
    from greentech_cli.db import Database


@dataclass
class NewFollowup:
    """What `followup add` was given, as typed."""

    kind: str
    text: str
    contact: str | None = None
    company: str | None = None
    visit: str | None = None
    delegation: str | None = None
    due: str | None = None
    owner: str | None = None
    warnings: list[str] = field(default_factory=list)


def _visit_id(ref: str) -> int:
    try:
        return int(str(ref).strip())
    except ValueError:
        raise InvalidData(f"visit id {ref!r} is not a number") from None


@retried
def add(db: Database, new: NewFollowup, today: date | None = None) -> tuple[Entry, list[str]]:
    """Append a journal entry; returns it and warnings (a due date in the past)."""
    if not new.contact and not new.company:
        raise UsageError("give --contact or --company (or both)")
    kind = choice(new.kind, FOLLOWUP_KINDS, "follow-up kind")
    text = clean(new.text)
    if not kind or not text:
        raise InvalidData("a follow-up needs a --kind and a --text")
    warnings: list[str] = []
    due = None
    if new.due is not None and clean(new.due):
        due_date = parse_date(new.due)
        due = due_date.isoformat()
        if due_date < (today or date.today()):
            warnings.append(f"the due date {due} is in the past")
    with transaction(db):
        contact = contact_store.resolve(db, new.contact) if new.contact else None
        company = company_store.resolve(db, new.company) if new.company else None
        visit = visit_store.get(db, _visit_id(new.visit)) if new.visit else None
        delegation = delegation_store.resolve(db, new.delegation) if new.delegation else None
        if visit is not None and delegation is not None and visit.delegation_id != delegation.id:
            raise InvalidData(f"visit {visit.id} is not part of {delegation.code}")
        entry = Entry(
            kind=kind,
            text=text,
            at=now(),
            contact_id=contact.id if contact else None,
            company_id=company.id if company else (contact.company_id if contact else None),
            visit_id=visit.id if visit else None,
            delegation_id=delegation.id if delegation else (visit.delegation_id if visit else None),
            owner=clean(new.owner) or audit.os_user(),
            due=due,
            status="done" if kind == "note" else "open",
        )
        journal.insert(db, entry)
    return journal.get(db, entry.id or 0), warnings


def entry_id(ref: str | int) -> int:
    """A follow-up id from what the user typed."""
    try:
        return int(str(ref).strip())
    except ValueError:
        raise InvalidData(f"follow-up id {ref!r} is not a number") from None


def show(db: Database, ref: str | int) -> Entry:
    """One entry by id, or NotFound."""
    return journal.get(db, entry_id(ref))


@retried
def done(db: Database, ref: str | int) -> tuple[Entry, bool]:
    """Mark an entry done; returns it and whether it changed."""
    with transaction(db):
        changed = journal.set_status(db, entry_id(ref), "done")
    return journal.get(db, entry_id(ref)), changed


def find(
    db: Database,
    *,
    open_only: bool = False,
    due: bool = False,
    owner: str | None = None,
    delegation: str | None = None,
    contact: str | None = None,
    company: str | None = None,
    kind: str | None = None,
    today: date | None = None,
) -> list[Entry]:
    """Entries matching every filter: open ones, those due by today, one owner's, a delegation's."""
    flt = journal.Filter(
        open_only=open_only,
        due_by=(today or date.today()).isoformat() if due else None,
        owner=clean(owner),
        delegation_id=delegation_store.resolve(db, delegation).id if delegation else None,
        contact_id=contact_store.resolve(db, contact).id if contact else None,
        company_id=company_store.resolve(db, company).id if company else None,
        kind=choice(kind, FOLLOWUP_KINDS, "follow-up kind"),
    )
    return journal.select(db, flt)


def history(
    db: Database, *, contact_id: int | None = None, company_id: int | None = None
) -> list[dict[str, Any]]:
    """Every journal entry of a contact or company, oldest first, as JSON."""
    flt = journal.Filter(contact_id=contact_id, company_id=company_id)
    return [e.to_json() for e in journal.select(db, flt)]
