"""SQL for delegations: read, resolve references (by id or code), insert, update, delete."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from greentech_cli.errors import Conflict
from greentech_cli.models.records import Delegation
from greentech_cli.store import audit
from greentech_cli.store.common import (
    as_id,
    dumps,
    fetch_all,
    fetch_one,
    insert_row,
    loads_list,
    not_found,
    now,
    update_row,
)

if TYPE_CHECKING:
    from greentech_cli.db import Database

SELECT = (
    "SELECT d.*, h.name AS host_name, p.name AS partner_name FROM delegations d "
    "LEFT JOIN companies h ON h.id = d.host_id LEFT JOIN companies p ON p.id = d.partner_id"
)


def from_row(row: dict[str, Any]) -> Delegation:
    """A Delegation from a `delegations` row joined with its host's and partner's names."""
    return Delegation(
        id=row["id"],
        code=row["code"],
        title=row["title"],
        type=row["type"],
        direction=row["direction"],
        origin_country=row["origin_country"],
        destination_country=row["destination_country"],
        start_date=date.fromisoformat(row["start_date"]),
        end_date=date.fromisoformat(row["end_date"]),
        timezone=row["timezone"],
        home_timezone=row["home_timezone"],
        host_id=row["host_id"],
        host=row.get("host_name"),
        partner_id=row["partner_id"],
        partner=row.get("partner_name"),
        sectors=loads_list(row["sectors"]),
        topic=row["topic"],
        status=row["status"],
        notes=row["notes"],
        retention=row["retention"],
        retention_dietary=row["retention_dietary"],
    )


def get(db: Database, delegation_id: int) -> Delegation:
    """The delegation with this id, or NotFound."""
    row = fetch_one(db, f"{SELECT} WHERE d.id = ?", [delegation_id])
    if row is None:
        raise not_found("delegation with id", delegation_id)
    return from_row(row)


def resolve(db: Database, ref: str | int) -> Delegation:
    """A delegation by id or code (codes compared ignoring case)."""
    delegation_id = as_id(ref)
    if delegation_id is not None:
        row = fetch_one(db, f"{SELECT} WHERE d.id = ?", [delegation_id])
        if row is not None:
            return from_row(row)
    row = fetch_one(db, f"{SELECT} WHERE {db.dialect.eq_nocase('d.code', '?')}", [str(ref).strip()])
    if row is None:
        raise not_found("delegation", ref)
    return from_row(row)


COLUMNS = (
    "code",
    "title",
    "type",
    "direction",
    "origin_country",
    "destination_country",
    "start_date",
    "end_date",
    "timezone",
    "home_timezone",
    "host_id",
    "partner_id",
    "sectors",
    "topic",
    "status",
    "notes",
    "retention",
    "retention_dietary",
)


def to_row(delegation: Delegation) -> dict[str, Any]:
    """The column values of a Delegation (dates as ISO text, sectors as JSON)."""
    row = {name: getattr(delegation, name) for name in COLUMNS}
    row["start_date"] = delegation.start_date.isoformat()
    row["end_date"] = delegation.end_date.isoformat()
    row["sectors"] = dumps(delegation.sectors)
    return row


def find_by_code(db: Database, code: str) -> Delegation | None:
    """The delegation with this code (ignoring case), or None."""
    row = fetch_one(db, f"{SELECT} WHERE {db.dialect.eq_nocase('d.code', '?')}", [code.strip()])
    return from_row(row) if row else None


def insert(db: Database, delegation: Delegation) -> Delegation:
    """Store a new delegation (inside the caller's transaction); a used code is a Conflict."""
    if find_by_code(db, delegation.code) is not None:
        raise Conflict(f"a delegation with the code {delegation.code!r} already exists")
    row = to_row(delegation)
    stamp = now()
    row.update(created_at=stamp, updated_at=stamp)
    delegation.id = insert_row(db, "delegations", row)
    audit.record(db, "delegation", delegation.id, "create")
    return delegation


def update(db: Database, delegation: Delegation) -> dict[str, list[Any]]:
    """Write a changed delegation back; returns the changed fields (also in the audit log)."""
    assert delegation.id is not None
    before = to_row(get(db, delegation.id))
    after = to_row(delegation)
    changes = audit.changed_fields(before, after)
    if not changes:
        return {}
    other = find_by_code(db, delegation.code)
    if other is not None and other.id != delegation.id:
        raise Conflict(f"a delegation with the code {delegation.code!r} already exists")
    update_row(db, "delegations", delegation.id, {**after, "updated_at": now()})
    audit.record(db, "delegation", delegation.id, "update", {"fields": sorted(changes)})
    return changes


def delete(db: Database, delegation_id: int) -> None:
    """Remove a delegation with its members and visits (ON DELETE CASCADE)."""
    db.execute("DELETE FROM delegations WHERE id = ?", [delegation_id])
    audit.record(db, "delegation", delegation_id, "delete", {})


def select(db: Database, status: str | None = None, limit: int | None = None) -> list[Delegation]:
    """Delegations, newest start first, optionally of one status."""
    where, params = ("WHERE d.status = ?", [status]) if status else ("", [])
    sql = f"{SELECT} {where} ORDER BY d.start_date DESC, d.code"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [from_row(r) for r in fetch_all(db, sql, params)]


def counts(db: Database, delegation_id: int) -> dict[str, int]:
    """How many members and visits a delegation has."""
    members = db.execute("SELECT count(*) FROM members WHERE delegation_id = ?", [delegation_id])
    visits = db.execute("SELECT count(*) FROM visits WHERE delegation_id = ?", [delegation_id])
    return {"members": int(members.fetchone()[0]), "visits": int(visits.fetchone()[0])}
