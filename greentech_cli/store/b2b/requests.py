"""SQL for B2B meeting requests: who wants to meet whom, with which priority."""

from __future__ import annotations

from typing import TYPE_CHECKING

from greentech_cli.models.b2b import MeetingRequest
from greentech_cli.store import audit
from greentech_cli.store.common import fetch_all, fetch_one, not_found, now

if TYPE_CHECKING:
    from greentech_cli.db import Database


def _request(row: dict) -> MeetingRequest:
    return MeetingRequest(
        requester_id=row["requester_id"],
        wanted_id=row["wanted_id"],
        priority=row["priority"],
        source=row["source"],
        id=row["id"],
    )


def of_session(db: Database, visit_id: int) -> list[MeetingRequest]:
    """Every request of a session, oldest first."""
    rows = fetch_all(db, "SELECT * FROM b2b_requests WHERE visit_id = ? ORDER BY id", [visit_id])
    return [_request(r) for r in rows]


def find(db: Database, visit_id: int, requester_id: int, wanted_id: int) -> MeetingRequest | None:
    """The request of one person for another, if made."""
    row = fetch_one(
        db,
        "SELECT * FROM b2b_requests WHERE visit_id = ? AND requester_id = ? AND wanted_id = ?",
        [visit_id, requester_id, wanted_id],
    )
    return None if row is None else _request(row)


def save(db: Database, visit_id: int, request: MeetingRequest) -> tuple[MeetingRequest, bool]:
    """Add a request, or raise the priority of the same one; (request, whether it is new)."""
    found = find(db, visit_id, request.requester_id, request.wanted_id)
    if found is not None:
        if request.priority != found.priority:
            db.execute(
                "UPDATE b2b_requests SET priority = ? WHERE id = ?", [request.priority, found.id]
            )
            audit.record(db, "b2b_request", found.id, "update", {"fields": ["priority"]})
            found.priority = request.priority
        return found, False
    cursor = db.execute(
        "INSERT INTO b2b_requests (visit_id, requester_id, wanted_id, priority, source, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?)",
        [visit_id, request.requester_id, request.wanted_id, request.priority, request.source,
         now()],
    )  # fmt: skip
    request.id = int(cursor.lastrowid or 0)
    audit.record(db, "b2b_request", request.id, "create", {"visit": visit_id})
    return request, True


def remove(db: Database, visit_id: int, request_id: int) -> MeetingRequest:
    """Delete one request of a session."""
    row = fetch_one(
        db, "SELECT * FROM b2b_requests WHERE visit_id = ? AND id = ?", [visit_id, request_id]
    )
    if row is None:
        raise not_found("request", request_id)
    db.execute("DELETE FROM b2b_requests WHERE id = ?", [request_id])
    audit.record(db, "b2b_request", request_id, "delete", {"visit": visit_id})
    return _request(row)
