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


_PERSON = (
    "trim(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')) AS name, "
    "c.native_name, c.email, c.last_name"
)


def memberships(db: Database, delegation_id: int | None = None) -> list[dict[str, Any]]:
    """Every membership of the people who travelled with a delegation (their other roles too),
    with the delegation's end date and own retention period; optionally only of the people of
    one delegation. `travelling` is 1 for the roles whose data retention concerns."""
    only = (
        "AND c.id IN (SELECT contact_id FROM members WHERE delegation_id = ?)"
        if delegation_id is not None
        else ""
    )
    return fetch_all(
        db,
        f"SELECT c.id AS contact_id, {_PERSON}, m.role IN ({_ROLES}) AS travelling, "
        "d.id AS delegation_id, d.code AS delegation, d.end_date, d.retention "
        "FROM members m JOIN contacts c ON c.id = m.contact_id "
        "JOIN delegations d ON d.id = m.delegation_id "
        f"WHERE c.id IN (SELECT contact_id FROM members WHERE role IN ({_ROLES})) {only} "
        "ORDER BY c.id, d.end_date, d.code",
        [delegation_id] if delegation_id is not None else [],
    )


def delegations(db: Database, delegation_id: int | None = None) -> list[dict[str, Any]]:
    """Delegations with their end date and own retention periods (one, or all by end date)."""
    only = " WHERE id = ?" if delegation_id is not None else ""
    return fetch_all(
        db,
        "SELECT id, code AS delegation, end_date, retention, retention_dietary FROM delegations"
        f"{only} ORDER BY end_date, code",
        [delegation_id] if delegation_id is not None else [],
    )


def delegations_touching(db: Database, contact_ids: list[int]) -> list[int]:
    """Delegations whose report counts these people: memberships, visits they host or attend,
    their attendance, journal entries about them."""
    ids = dumps(contact_ids)
    listed = db.dialect.json_values("?", integer=True)
    rows = db.execute(
        f"SELECT delegation_id FROM members WHERE contact_id IN ({listed}) "
        "UNION SELECT v.delegation_id FROM attendance a JOIN visits v ON v.id = a.visit_id "
        f"WHERE a.contact_id IN ({listed}) "
        "UNION SELECT coalesce(j.delegation_id, v.delegation_id) FROM journal j "
        "LEFT JOIN visits v ON v.id = j.visit_id "
        f"WHERE j.contact_id IN ({listed})",
        [ids, ids, ids],
    ).fetchall()
    return sorted(int(r[0]) for r in rows if r[0] is not None)


def dietary(db: Database, delegation_id: int | None = None) -> list[dict[str, Any]]:
    """Dietary needs (special-category data) on file, one row per member, with the delegation's
    end date and own dietary retention period; optionally of one delegation only."""
    only = " WHERE d.id = ?" if delegation_id is not None else ""
    return fetch_all(
        db,
        f"SELECT m.id AS member_id, c.id AS contact_id, {_PERSON}, d.id AS delegation_id, "
        "d.code AS delegation, d.end_date, d.retention_dietary AS retention "
        "FROM member_dietary x JOIN members m ON m.id = x.member_id "
        "JOIN contacts c ON c.id = m.contact_id JOIN delegations d ON d.id = m.delegation_id"
        f"{only} ORDER BY d.end_date, d.code, {db.dialect.order('c.last_name', nocase=True)}, c.id",
        [delegation_id] if delegation_id is not None else [],
    )
