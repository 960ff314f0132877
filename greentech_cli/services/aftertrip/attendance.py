"""Attendance after the fact: who was present at a visit, and members' statuses in bulk."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from greentech_cli.db import retried, transaction
from greentech_cli.errors import InvalidData, UsageError
from greentech_cli.models.records import MEMBER_ROLES, MEMBER_STATUSES
from greentech_cli.store import contacts as contact_store
from greentech_cli.store import delegations as delegation_store
from greentech_cli.store import members as member_store
from greentech_cli.store import visits as visit_store
from greentech_cli.store.followup import attendance as store
from greentech_cli.text.vocabulary import choice

if TYPE_CHECKING:
    from greentech_cli.db import Database
    from greentech_cli.models.records import Member, Visit


def visit_id(ref: str | int) -> int:
    """A visit id from what the user typed."""
    try:
        return int(str(ref).strip())
    except ValueError:
        raise InvalidData(f"visit id {ref!r} is not a number") from None


def attendee_ids(visit: Visit, members: list[Member]) -> list[int]:
    """Who attends a visit: its named attendees, or else the members who attend by default."""
    if visit.attendee_ids:
        return list(visit.attendee_ids)
    return [m.contact_id for m in members if m.attends_by_default]


@retried
def record(
    db: Database,
    ref: str | int,
    present: list[str] | None = None,
    absent: list[str] | None = None,
    excused: list[str] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Record attendance at a visit; returns every attendee with their attendance, and how many
    records changed. A person who is not an attendee of the visit is refused (nothing written)."""
    with transaction(db):
        visit = visit_store.get(db, visit_id(ref))
        members = member_store.of_delegation(db, visit.delegation_id)
        attending = attendee_ids(visit, members)
        wanted: dict[int, str] = {}
        for status, refs in (("present", present), ("absent", absent), ("excused", excused)):
            for person in refs or []:
                contact = contact_store.resolve(db, person)
                if contact.id not in attending:
                    raise InvalidData(
                        f"{contact.display_name} (contact {contact.id}) is not an attendee of "
                        f"visit {visit.id}"
                    )
                if wanted.get(contact.id or 0, status) != status:
                    raise InvalidData(f"{contact.display_name} is given twice, as {status} too")
                wanted[contact.id or 0] = status
        changed = store.record(db, visit.id or 0, wanted)
    return attendance(db, ref), changed


def attendance(db: Database, ref: str | int) -> list[dict[str, Any]]:
    """Every attendee of a visit with their recorded attendance (null when none yet)."""
    visit = visit_store.get(db, visit_id(ref))
    members = {m.contact_id: m for m in member_store.of_delegation(db, visit.delegation_id)}
    recorded = store.of_visit(db, visit.id or 0)
    ids = attendee_ids(visit, list(members.values()))
    ids += [i for i in recorded if i not in ids]  # recorded before the attendees changed
    rows = []
    for contact in contact_store.get_many(db, ids):
        member = members.get(contact.id or 0)
        rows.append(
            {
                "visit_id": visit.id,
                "contact_id": contact.id,
                "name": contact.display_name,
                "company": contact.company,
                "role": member.role if member else None,
                "attendance": recorded.get(contact.id or 0),
            }
        )
    return rows


@retried
def set_status(
    db: Database,
    delegation_ref: str,
    status: str,
    *,
    everyone: bool = False,
    role: str | None = None,
    refs: list[str] | None = None,
) -> tuple[list[Member], int]:
    """Set the status of many members at once: all of them, those with a role, or those named.

    Returns the members chosen and how many changed; an unknown person is refused before any
    change is written.
    """
    given = sum([everyone, role is not None, bool(refs)])
    if given != 1:
        raise UsageError("choose the members with exactly one of --all, --role R or REF…")
    new_status = choice(status, MEMBER_STATUSES, "member status")
    if new_status is None:
        raise InvalidData(f"use one of: {', '.join(MEMBER_STATUSES)}")
    wanted_role = choice(role, MEMBER_ROLES, "member role") if role is not None else None
    with transaction(db):
        delegation = delegation_store.resolve(db, delegation_ref)
        members = member_store.of_delegation(db, delegation.id or 0)
        if refs:
            by_contact = {m.contact_id: m for m in members}
            chosen = []
            for ref in refs:
                contact = contact_store.resolve(db, ref)
                member = by_contact.get(contact.id or 0)
                if member is None:
                    raise InvalidData(
                        f"{contact.display_name} is not a member of {delegation.code}"
                    )
                chosen.append(member)
        else:
            chosen = [m for m in members if everyone or m.role == wanted_role]
        changed = 0
        for member in chosen:
            if member.status != new_status:
                member.status = new_status
                member_store.update(db, member)
                changed += 1
    return chosen, changed
