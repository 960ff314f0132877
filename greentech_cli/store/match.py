"""SQL for matchmaking: which organisations hosted visits of earlier delegations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from greentech_cli.store.common import loads_list

if TYPE_CHECKING:
    from greentech_cli.db import Database


def hosted_visits(db: Database, except_delegation: int) -> dict[int, list[tuple[int, list[str]]]]:
    """Per organisation, the (delegation id, delegation sectors) of visits it hosted elsewhere."""
    found: dict[int, list[tuple[int, list[str]]]] = {}
    rows = db.execute(
        "SELECT v.company_id, v.delegation_id, d.sectors FROM visits v "
        "JOIN delegations d ON d.id = v.delegation_id "
        "WHERE v.company_id IS NOT NULL AND v.delegation_id != ? ORDER BY v.company_id, v.id",
        [except_delegation],
    )
    for company_id, delegation_id, sectors in rows:
        found.setdefault(int(company_id), []).append((int(delegation_id), loads_list(sectors)))
    return found


def member_companies(db: Database, delegation_id: int) -> set[int]:
    """The organisations of the delegation's own members (already part of it)."""
    rows = db.execute(
        "SELECT DISTINCT c.company_id FROM members m JOIN contacts c ON c.id = m.contact_id "
        "WHERE m.delegation_id = ? AND c.company_id IS NOT NULL",
        [delegation_id],
    )
    return {int(row[0]) for row in rows}
