"""SQL for retention: which travellers' data is past its keeping time, and what they touch."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from greentech_cli.store.common import dumps, fetch_all

if TYPE_CHECKING:
    from greentech_cli.db import Database

# Members whose personal data a delegation keeps only for its retention period: the travellers
# and their interpreters (hosts, organisers and staff are kept as the chamber's own contacts).
TRAVELLING_ROLES = ("delegate", "lead", "interpreter")
_ROLES = ", ".join(f"'{r}'" for r in TRAVELLING_ROLES)


def due(db: Database, ended_before: str, delegation_id: int | None = None) -> list[dict[str, Any]]:
    """Travellers whose every delegation ended before `ended_before` (and that hold no other
    role in a delegation still kept), with their latest delegation; optionally only those of
    one delegation. Sorted by that delegation's end date, then by name."""
    only = "AND EXISTS (SELECT 1 FROM members x WHERE x.contact_id = c.id AND x.delegation_id = ?)"
    params: list[Any] = [ended_before]
    if delegation_id is not None:
        params.append(delegation_id)
    return fetch_all(
        db,
        "SELECT c.id AS contact_id, trim(coalesce(c.first_name, '') || ' ' || "
        "coalesce(c.last_name, '')) AS name, c.native_name, c.email, "
        "d.code AS delegation, d.end_date FROM contacts c "
        "JOIN members m ON m.contact_id = c.id "
        "JOIN delegations d ON d.id = m.delegation_id "
        f"WHERE m.role IN ({_ROLES}) "
        "AND d.end_date = (SELECT max(d2.end_date) FROM members m2 "
        "  JOIN delegations d2 ON d2.id = m2.delegation_id WHERE m2.contact_id = c.id) "
        "AND NOT EXISTS (SELECT 1 FROM members m3 JOIN delegations d3 "
        "  ON d3.id = m3.delegation_id WHERE m3.contact_id = c.id "
        f"  AND (d3.end_date >= ? OR m3.role NOT IN ({_ROLES}))) "
        f"{only if delegation_id is not None else ''} "
        "GROUP BY c.id ORDER BY d.end_date, d.code, c.last_name COLLATE NOCASE, c.id",
        params,
    )


def delegations_touching(db: Database, contact_ids: list[int]) -> list[int]:
    """Delegations whose report counts these people: memberships, visits they host or attend,
    their attendance, journal entries about them."""
    ids = dumps(contact_ids)
    rows = db.execute(
        "SELECT delegation_id FROM members WHERE contact_id IN (SELECT value FROM json_each(?)) "
        "UNION SELECT v.delegation_id FROM attendance a JOIN visits v ON v.id = a.visit_id "
        "WHERE a.contact_id IN (SELECT value FROM json_each(?)) "
        "UNION SELECT coalesce(j.delegation_id, v.delegation_id) FROM journal j "
        "LEFT JOIN visits v ON v.id = j.visit_id "
        "WHERE j.contact_id IN (SELECT value FROM json_each(?))",
        [ids, ids, ids],
    ).fetchall()
    return sorted(int(r[0]) for r in rows if r[0] is not None)


def dietary_due(
    db: Database, ended_before: str, delegation_id: int | None = None
) -> list[dict[str, Any]]:
    """Dietary needs (special-category data) of delegations that ended before `ended_before`,
    one row per member, optionally of one delegation only."""
    only = " AND d.id = ?" if delegation_id is not None else ""
    return fetch_all(
        db,
        "SELECT m.id AS member_id, c.id AS contact_id, trim(coalesce(c.first_name, '') || ' ' "
        "|| coalesce(c.last_name, '')) AS name, c.native_name, c.email, d.code AS delegation, "
        "d.end_date FROM member_dietary x JOIN members m ON m.id = x.member_id "
        "JOIN contacts c ON c.id = m.contact_id JOIN delegations d ON d.id = m.delegation_id "
        f"WHERE d.end_date < ?{only} ORDER BY d.end_date, d.code, c.last_name COLLATE NOCASE, c.id",
        [ended_before, *([delegation_id] if delegation_id is not None else [])],
    )
