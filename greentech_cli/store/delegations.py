"""SQL for delegations: read and resolve references (by id or code)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from ..models import Delegation
from .common import as_id, fetch_one, loads_list, not_found

if TYPE_CHECKING:
    from sqlite_utils import Database

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
    row = fetch_one(db, f"{SELECT} WHERE d.code = ? COLLATE NOCASE", [str(ref).strip()])
    if row is None:
        raise not_found("delegation", ref)
    return from_row(row)
