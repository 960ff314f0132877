"""SQL for a session's scheduled grid: one row per meeting (slot, table, two people)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from greentech_cli.models.b2b import GridMeeting
from greentech_cli.store import audit
from greentech_cli.store.common import fetch_all

if TYPE_CHECKING:
    from greentech_cli.db import Database


def of_session(db: Database, visit_id: int) -> list[GridMeeting]:
    """The grid of a session, by slot and table."""
    rows = fetch_all(
        db, "SELECT * FROM b2b_meetings WHERE visit_id = ? ORDER BY slot, table_no", [visit_id]
    )
    return [
        GridMeeting(r["slot"], r["table_no"], r["a_id"], r["b_id"], r["interpreter_id"])
        for r in rows
    ]


def replace(db: Database, visit_id: int, meetings: list[GridMeeting]) -> None:
    """Store a new grid in place of the old one."""
    db.execute("DELETE FROM b2b_meetings WHERE visit_id = ?", [visit_id])
    db.conn.executemany(
        "INSERT INTO b2b_meetings (visit_id, slot, table_no, a_id, b_id, interpreter_id) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(visit_id, m.slot, m.table, m.a_id, m.b_id, m.interpreter_id) for m in meetings],
    )
    audit.record(db, "b2b_session", visit_id, "schedule", {"meetings": len(meetings)})


def clear(db: Database, visit_id: int) -> int:
    """Drop a session's grid (its slots changed); how many meetings were dropped."""
    gone = db.execute("DELETE FROM b2b_meetings WHERE visit_id = ?", [visit_id]).rowcount
    if gone:
        audit.record(db, "b2b_session", visit_id, "clear", {"meetings": gone})
    return int(gone)
