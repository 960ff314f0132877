"""SQL for members' dietary needs: special-category data (GDPR Art. 9), kept apart from the
member row, stored only with the consent it was given under."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from greentech_cli.store import audit
from greentech_cli.store.common import fetch_all, fetch_one, now

if TYPE_CHECKING:
    from greentech_cli.db import Database


def get(db: Database, member_id: int) -> dict[str, Any] | None:
    """A member's dietary needs with their consent (needs, consent_date, consent_source)."""
    return fetch_one(
        db,
        "SELECT needs, consent_date, consent_source FROM member_dietary WHERE member_id = ?",
        [member_id],
    )


def of_delegation(db: Database, delegation_id: int) -> dict[int, dict[str, Any]]:
    """The dietary needs of a delegation's members, by contact id."""
    rows = fetch_all(
        db,
        "SELECT m.contact_id, d.needs, d.consent_date, d.consent_source FROM member_dietary d "
        "JOIN members m ON m.id = d.member_id WHERE m.delegation_id = ?",
        [delegation_id],
    )
    return {int(r.pop("contact_id")): r for r in rows}


def of_contact(db: Database, contact_id: int) -> list[dict[str, Any]]:
    """Every dietary record of a person, with the delegation it was given for."""
    return fetch_all(
        db,
        "SELECT dl.code AS delegation, d.needs, d.consent_date, d.consent_source "
        "FROM member_dietary d JOIN members m ON m.id = d.member_id "
        "JOIN delegations dl ON dl.id = m.delegation_id WHERE m.contact_id = ? ORDER BY dl.code",
        [contact_id],
    )


def put(
    db: Database, member_id: int, needs: str, consent_date: str, consent_source: str | None
) -> bool:
    """Store a member's dietary needs (inside the caller's transaction); True when it changed."""
    before = get(db, member_id)
    after = {"needs": needs, "consent_date": consent_date, "consent_source": consent_source}
    if before == after:
        return False
    stamp = now()
    db.execute(
        "INSERT INTO member_dietary (member_id, needs, consent_date, consent_source, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (member_id) DO UPDATE SET "
        "needs = excluded.needs, consent_date = excluded.consent_date, "
        "consent_source = excluded.consent_source, updated_at = excluded.updated_at",
        [member_id, needs, consent_date, consent_source, stamp, stamp],
    )
    audit.record(db, "member", member_id, "update", {"fields": ["dietary"]})
    return True


def delete(db: Database, member_id: int) -> bool:
    """Forget a member's dietary needs; True when there were any."""
    cursor = db.execute("DELETE FROM member_dietary WHERE member_id = ?", [member_id])
    if cursor.rowcount:
        audit.record(db, "member", member_id, "update", {"fields": ["dietary"]})
    return bool(cursor.rowcount)
