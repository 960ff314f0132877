"""SQL for members: a contact's part in a delegation — read, insert, update, delete."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from greentech_cli.db.dialect import DIALECTS
from greentech_cli.errors import Conflict
from greentech_cli.models.records import Member
from greentech_cli.store import audit
from greentech_cli.store import contacts as contact_store
from greentech_cli.store import visits as visit_store
from greentech_cli.store.common import fetch_all, fetch_one, not_found, now

if TYPE_CHECKING:
    from greentech_cli.db import Database

# Member columns are prefixed so they can sit beside the contact's columns in one row.
SELECT = (
    "SELECT m.id AS m_id, m.delegation_id AS m_delegation_id, m.role AS m_role, "
    "m.status AS m_status, m.notes AS m_notes, contacts.*, companies.name AS company_name "
    "FROM members m JOIN contacts ON contacts.id = m.contact_id "
    "LEFT JOIN companies ON companies.id = contacts.company_id"
)

# Leads first, then delegates, the interpreter and the organisers: the order of a printed list.
ROLE_ORDER = "CASE m.role WHEN 'lead' THEN 0 WHEN 'delegate' THEN 1 WHEN 'interpreter' THEN 2 "
ROLE_ORDER += "WHEN 'organiser' THEN 3 WHEN 'host' THEN 4 ELSE 5 END"
_NAMES = ("first_name", "last_name")
ORDER = {
    d.name: f" ORDER BY {ROLE_ORDER}, {d.order('contacts.last_name', nocase=True)}, "
    f"{d.order('contacts.first_name', nocase=True)}, m.id"
    for d in DIALECTS
}


def from_row(row: dict[str, Any]) -> Member:
    """A Member (with its contact) from a row of SELECT."""
    return Member(
        id=row["m_id"],
        delegation_id=row["m_delegation_id"],
        contact_id=row["id"],
        role=row["m_role"],
        status=row["m_status"],
        notes=row["m_notes"],
        contact=contact_store.from_row(row),
    )


def get(db: Database, member_id: int) -> Member:
    """The member with this id, or NotFound."""
    row = fetch_one(db, f"{SELECT} WHERE m.id = ?", [member_id])
    if row is None:
        raise not_found("member with id", member_id)
    return from_row(row)


def find(db: Database, delegation_id: int, contact_id: int) -> Member | None:
    """The membership of a contact in a delegation, or None."""
    row = fetch_one(
        db, f"{SELECT} WHERE m.delegation_id = ? AND m.contact_id = ?", [delegation_id, contact_id]
    )
    return from_row(row) if row else None


def of_delegation(db: Database, delegation_id: int) -> list[Member]:
    """The members of a delegation: leads, delegates, interpreters, organisers, by name."""
    rows = fetch_all(db, f"{SELECT} WHERE m.delegation_id = ?{ORDER[db.engine]}", [delegation_id])
    return [from_row(r) for r in rows]


def delegations_sharing_contacts(db: Database, contact_ids: list[int]) -> list[int]:
    """Ids of the delegations in which any of these contacts is a member."""
    if not contact_ids:
        return []
    marks = ", ".join("?" for _ in contact_ids)
    rows = fetch_all(
        db,
        f"SELECT DISTINCT delegation_id FROM members WHERE contact_id IN ({marks})",
        contact_ids,
    )
    return [int(r["delegation_id"]) for r in rows]


def insert(db: Database, member: Member) -> Member:
    """Add a contact to a delegation (inside the caller's transaction); twice is a Conflict."""
    if find(db, member.delegation_id, member.contact_id) is not None:
        raise Conflict(f"contact {member.contact_id} is already a member of this delegation")
    stamp = now()
    cursor = db.execute(
        "INSERT INTO members (delegation_id, contact_id, role, status, notes, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            member.delegation_id,
            member.contact_id,
            member.role,
            member.status,
            member.notes,
            stamp,
            stamp,
        ],
    )
    member.id = int(cursor.lastrowid or 0)
    visit_store.attendance_changed(db, member.delegation_id, member.contact_id, set())
    audit.record(
        db,
        "member",
        member.id,
        "create",
        {"delegation_id": member.delegation_id, "contact_id": member.contact_id},
    )
    return member


def update(db: Database, member: Member) -> dict[str, list[Any]]:
    """Write a member's role, status and notes back; returns what changed."""
    assert member.id is not None
    before = get(db, member.id)
    fields = ("role", "status", "notes")
    changes = audit.changed_fields(
        {f: getattr(before, f) for f in fields}, {f: getattr(member, f) for f in fields}
    )
    if not changes:
        return {}
    # Only the status decides whether a member attends the visits that name nobody.
    attended = (
        visit_store.attended_by(db, member.delegation_id, member.contact_id)
        if "status" in changes
        else None
    )
    db.execute(
        "UPDATE members SET role = ?, status = ?, notes = ?, updated_at = ? WHERE id = ?",
        [member.role, member.status, member.notes, now(), member.id],
    )
    if attended is not None:
        visit_store.attendance_changed(db, member.delegation_id, member.contact_id, attended)
    audit.record(db, "member", member.id, "update", {"fields": sorted(changes)})
    return changes


def delete(db: Database, member: Member) -> None:
    """Remove a membership and the person's explicit attendance at the delegation's visits."""
    attended = visit_store.attended_by(db, member.delegation_id, member.contact_id)
    db.execute(
        "DELETE FROM visit_attendees WHERE contact_id = ? AND visit_id IN "
        "(SELECT id FROM visits WHERE delegation_id = ?)",
        [member.contact_id, member.delegation_id],
    )
    db.execute("DELETE FROM members WHERE id = ?", [member.id])
    visit_store.attendance_changed(db, member.delegation_id, member.contact_id, attended)
    audit.record(db, "member", member.id, "delete", {})


def contacts_named(
    db: Database, first_name: str | None, last_name: str | None, native_name: str | None = None
) -> list[int]:
    """Ids of contacts with exactly this name (ignoring case) — how files without emails refer."""
    if first_name or last_name:
        first, last = (db.dialect.eq_nocase(f"coalesce({c}, '')", "?") for c in _NAMES)
        rows = fetch_all(
            db,
            f"SELECT id FROM contacts WHERE {first} AND {last} ORDER BY id",
            [first_name or "", last_name or ""],
        )
    elif native_name:
        rows = fetch_all(
            db, "SELECT id FROM contacts WHERE native_name = ? ORDER BY id", [native_name]
        )
    else:
        return []
    return [int(r["id"]) for r in rows]
