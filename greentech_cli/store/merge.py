"""SQL for merges: moving memberships, visit links, company references and import provenance."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from greentech_cli.store.common import fetch_all, now

if TYPE_CHECKING:
    from greentech_cli.db import Database


def _count(db: Database, sql: str, params: list[Any]) -> int:
    return int(db.execute(sql, params).fetchone()[0])


# --- contacts ------------------------------------------------------------------------------------


def memberships(db: Database, contact_id: int) -> list[dict[str, Any]]:
    """A contact's memberships: id, delegation_id, role, status, notes."""
    return fetch_all(
        db,
        "SELECT id, delegation_id, role, status, notes FROM members WHERE contact_id = ? "
        "ORDER BY delegation_id",
        [contact_id],
    )


def set_member(db: Database, member_id: int, role: str, status: str, notes: str | None) -> None:
    """Write a membership's role, status and notes."""
    db.execute(
        "UPDATE members SET role = ?, status = ?, notes = ?, updated_at = ? WHERE id = ?",
        [role, status, notes, now(), member_id],
    )


def move_member(db: Database, member_id: int, contact_id: int) -> None:
    """Give a membership to another contact."""
    db.execute(
        "UPDATE members SET contact_id = ?, updated_at = ? WHERE id = ?",
        [contact_id, now(), member_id],
    )


def delete_member(db: Database, member_id: int) -> None:
    """Remove one membership row (its visit links were moved before)."""
    db.execute("DELETE FROM members WHERE id = ?", [member_id])


VISIT_LINKS = ("visit_hosts", "visit_attendees")


def move_visit_links(db: Database, keep_id: int, other_id: int) -> dict[str, int]:
    """Move host-contact and attendee links from other to keep (a link keep has stays one)."""
    moved: dict[str, int] = {}
    for table in VISIT_LINKS:
        moved[table] = _count(db, f"SELECT count(*) FROM {table} WHERE contact_id = ?", [other_id])
        db.execute(
            f"INSERT OR IGNORE INTO {table} (visit_id, contact_id) "
            f"SELECT visit_id, ? FROM {table} WHERE contact_id = ?",
            [keep_id, other_id],
        )
        db.execute(f"DELETE FROM {table} WHERE contact_id = ?", [other_id])
    return moved


def contact_links(db: Database, contact_id: int) -> dict[str, int]:
    """How many memberships, visit links and import changes hang on a contact."""
    return {
        "memberships": _count(
            db, "SELECT count(*) FROM members WHERE contact_id = ?", [contact_id]
        ),
        "visit_hosts": _count(
            db, "SELECT count(*) FROM visit_hosts WHERE contact_id = ?", [contact_id]
        ),
        "visit_attendees": _count(
            db, "SELECT count(*) FROM visit_attendees WHERE contact_id = ?", [contact_id]
        ),
        "import_changes": _count(
            db,
            "SELECT count(*) FROM import_changes WHERE entity = 'contact' AND entity_id = ?",
            [contact_id],
        ),
    }


# --- both ----------------------------------------------------------------------------------------


def move_import_changes(db: Database, entity: str, keep_id: int, other_id: int) -> int:
    """Point other's import provenance at keep.

    A moved "create" becomes "merge": undoing that import must not delete the surviving record.
    """
    cursor = db.execute(
        "UPDATE import_changes SET entity_id = ?, "
        "action = CASE action WHEN 'create' THEN 'merge' ELSE action END "
        "WHERE entity = ? AND entity_id = ?",
        [keep_id, entity, other_id],
    )
    return int(cursor.rowcount)


# --- companies -----------------------------------------------------------------------------------

COMPANY_REFERENCES = (
    ("contacts", "contacts", "company_id"),
    ("delegations hosted", "delegations", "host_id"),
    ("delegations partnered", "delegations", "partner_id"),
    ("visits hosted", "visits", "company_id"),
)


def company_links(db: Database, company_id: int) -> dict[str, int]:
    """How many contacts, delegations, visits and import changes refer to an organisation."""
    found = {
        label: _count(db, f"SELECT count(*) FROM {table} WHERE {column} = ?", [company_id])
        for label, table, column in COMPANY_REFERENCES
    }
    found["import_changes"] = _count(
        db,
        "SELECT count(*) FROM import_changes WHERE entity = 'company' AND entity_id = ?",
        [company_id],
    )
    return found


def move_company_references(db: Database, keep_id: int, other_id: int) -> list[int]:
    """Point contacts, delegations and visits at keep; returns the moved contacts' ids."""
    moved = [
        int(r["id"])
        for r in fetch_all(db, "SELECT id FROM contacts WHERE company_id = ?", [other_id])
    ]
    stamp = now()
    for _, table, column in COMPANY_REFERENCES:
        db.execute(
            f"UPDATE {table} SET {column} = ?, updated_at = ? WHERE {column} = ?",
            [keep_id, stamp, other_id],
        )
    return moved


def set_created_batch(db: Database, table: str, record_id: int, batch_id: int) -> None:
    """Note which import created a record (taken over from a merged one)."""
    db.execute(
        f"UPDATE {table} SET created_batch_id = ? WHERE id = ? AND created_batch_id IS NULL",
        [batch_id, record_id],
    )


def created_batch(db: Database, table: str, record_id: int) -> int | None:
    """The import batch that created a record, if any."""
    row = db.execute(f"SELECT created_batch_id FROM {table} WHERE id = ?", [record_id]).fetchone()
    return None if row is None or row[0] is None else int(row[0])
