"""SQL for a session's scheduled grid: one row per meeting (slot, table, two people), each
linked to the slot visit of the block that carries it into the programme.

A row and its slot visit go together: removing the slot visit (`visit rm`) removes the row
(foreign key), and a row removed by a cascade (its person erased) removes its slot visit, with
a tombstone for the calendars (trigger of migration `m010_b2b_slots`).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from greentech_cli.models.b2b import GridMeeting
from greentech_cli.models.itinerary import UID_DOMAIN
from greentech_cli.store import audit
from greentech_cli.store import visits as visit_store
from greentech_cli.store.common import fetch_all

if TYPE_CHECKING:
    from greentech_cli.db import Database
    from greentech_cli.models.records import Visit

# What the grid decides about a slot visit; the rest (notes, internal notes) stays the officer's.
SLOT_FIELDS = (
    "title",
    "translations",
    "kind",
    "start",
    "end",
    "timezone",
    "room",
    "attendee_ids",
    "parent_id",
)


def of_session(db: Database, visit_id: int) -> list[GridMeeting]:
    """The grid of a session, by slot and table."""
    rows = fetch_all(
        db, "SELECT * FROM b2b_meetings WHERE visit_id = ? ORDER BY slot, table_no", [visit_id]
    )
    return [
        GridMeeting(
            r["slot"], r["table_no"], r["a_id"], r["b_id"], r["interpreter_id"], r["slot_visit_id"]
        )
        for r in rows
    ]


def _key(m: GridMeeting) -> tuple[int, int]:
    return (min(m.a_id, m.b_id), max(m.a_id, m.b_id))


def replace(
    db: Database, visit_id: int, meetings: list[GridMeeting], slots: list[Visit]
) -> dict[str, int]:
    """Store a new grid in place of the old one, each meeting with its slot visit (`slots`, in
    the same order): the slot visit of a pair that met before is updated (its calendar SEQUENCE
    rises only when something changed), a new pair's is added, a dropped pair's removed (its
    tombstone cancels it in calendars). Returns how many slot visits were added, changed and
    cancelled."""
    linked = {_key(m): m.slot_visit_id for m in of_session(db, visit_id) if m.slot_visit_id}
    # Unlinked first, so that clearing the rows leaves the slot visits to be dealt with here.
    db.execute("UPDATE b2b_meetings SET slot_visit_id = NULL WHERE visit_id = ?", [visit_id])
    db.execute("DELETE FROM b2b_meetings WHERE visit_id = ?", [visit_id])
    counts = {"added": 0, "changed": 0, "cancelled": 0}
    # The block's slots as they are (a programme file applied may hold a pair's slot unlinked).
    inside = {v.id: v for v in visit_store.slots_of(db, visit_id)}
    by_uid = {v.uid: v for v in inside.values()}
    kept: set[int] = set()
    for meeting, slot in zip(meetings, slots, strict=True):
        old = linked.get(_key(meeting))
        current = inside.get(old) if old else by_uid.get(slot.uid)
        if current is not None:
            for name in SLOT_FIELDS:
                setattr(current, name, getattr(slot, name))
            counts["changed"] += bool(visit_store.update(db, current))
            slot = current
        else:
            if visit_store.find_by_uid(db, slot.uid or "") is not None:
                # The officer took the pair's earlier slot out of the block: it is theirs now.
                slot.uid = f"{uuid.uuid4()}@{UID_DOMAIN}"
            visit_store.insert(db, slot)
            counts["added"] += 1
        kept.add(slot.id or 0)
        meeting.slot_visit_id = slot.id
    for gone in sorted(set(linked.values()) - kept):
        if gone not in inside:
            continue  # taken out of the block by the officer: theirs now
        visit_store.delete(db, gone)
        counts["cancelled"] += 1
    db.conn.executemany(
        "INSERT INTO b2b_meetings (visit_id, slot, table_no, a_id, b_id, interpreter_id, "
        "slot_visit_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(visit_id, m.slot, m.table, m.a_id, m.b_id, m.interpreter_id, m.slot_visit_id)
         for m in meetings],
    )  # fmt: skip
    audit.record(db, "b2b_session", visit_id, "schedule", {"meetings": len(meetings), **counts})
    return counts


def drop(db: Database, visit_id: int | None, where: str, params: list[Any]) -> int:
    """Remove the grid rows that match `where` (of one session, or of all with None) with their
    slot visits; how many."""
    scope = "visit_id = ? AND " if visit_id is not None else ""
    args = [visit_id, *params] if visit_id is not None else params
    condition = f"{scope}({where})"
    # Only slots still in their block: one the officer took out of it is theirs.
    slots = [
        r[0]
        for r in db.execute(
            f"SELECT slot_visit_id FROM b2b_meetings AS m WHERE {condition} AND EXISTS "
            "(SELECT 1 FROM visits AS v WHERE v.id = m.slot_visit_id AND v.parent_id = m.visit_id)",
            args,
        ).fetchall()
    ]
    db.execute(f"UPDATE b2b_meetings SET slot_visit_id = NULL WHERE {condition}", args)
    gone = int(db.execute(f"DELETE FROM b2b_meetings WHERE {condition}", args).rowcount)
    for slot in slots:
        visit_store.delete(db, slot)
    return gone


def clear(db: Database, visit_id: int) -> int:
    """Drop a session's grid and its slot visits (its slots changed); how many meetings."""
    gone = drop(db, visit_id, "1 = 1", [])
    if gone:
        audit.record(db, "b2b_session", visit_id, "clear", {"meetings": gone})
    return gone
