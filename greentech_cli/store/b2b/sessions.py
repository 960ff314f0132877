"""SQL for a B2B session's settings, its interpreters and its participants."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from greentech_cli.models.b2b import Participant, Session, SessionInterpreter
from greentech_cli.store import audit
from greentech_cli.store.b2b import meetings
from greentech_cli.store.common import dumps, fetch_all, fetch_one, loads_list, now

if TYPE_CHECKING:
    from greentech_cli.db import Database


def get(db: Database, visit_id: int) -> Session | None:
    """The session of a visit, or None when the visit is no B2B session."""
    row = fetch_one(db, "SELECT * FROM b2b_sessions WHERE visit_id = ?", [visit_id])
    if row is None:
        return None
    interpreters = [
        SessionInterpreter(
            r["contact_id"], loads_list(r["languages"]), r["available_from"], r["available_to"]
        )
        for r in fetch_all(
            db, "SELECT * FROM b2b_interpreters WHERE visit_id = ? ORDER BY contact_id", [visit_id]
        )
    ]
    return Session(
        visit_id=visit_id,
        slot_minutes=row["slot_minutes"],
        break_minutes=row["break_minutes"],
        tables=row["tables"],
        interpreters=interpreters,
        rooms=loads_list(row["rooms"]),
    )


def save(db: Database, session: Session) -> bool:
    """Insert or update a session with its interpreters; True when it is new."""
    stamp = now()
    new = get(db, session.visit_id) is None
    rooms = dumps(session.rooms) if session.rooms else None
    db.execute(
        "INSERT INTO b2b_sessions (visit_id, slot_minutes, break_minutes, tables, rooms, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (visit_id) DO UPDATE "
        "SET slot_minutes = excluded.slot_minutes, break_minutes = excluded.break_minutes, "
        "tables = excluded.tables, rooms = excluded.rooms, updated_at = excluded.updated_at",
        [session.visit_id, session.slot_minutes, session.break_minutes, session.tables, rooms,
         stamp, stamp],
    )  # fmt: skip
    db.execute("DELETE FROM b2b_interpreters WHERE visit_id = ?", [session.visit_id])
    for seat in session.interpreters:
        db.execute(
            "INSERT INTO b2b_interpreters (visit_id, contact_id, languages, available_from, "
            "available_to) VALUES (?, ?, ?, ?, ?)",
            [session.visit_id, seat.contact_id, dumps(seat.languages), seat.available_from,
             seat.available_to],
        )  # fmt: skip
    audit.record(
        db,
        "b2b_session",
        session.visit_id,
        "create" if new else "update",
        {"fields": ["slot_minutes", "break_minutes", "tables", "rooms", "interpreters"]},
    )
    return new


def participants(db: Database, visit_id: int) -> list[Participant]:
    """The participants of a session, by contact id."""
    return [
        Participant(r["contact_id"], r["max_meetings"], r["available_from"], r["available_to"])
        for r in fetch_all(
            db, "SELECT * FROM b2b_participants WHERE visit_id = ? ORDER BY contact_id", [visit_id]
        )
    ]


def save_participant(db: Database, visit_id: int, participant: Participant) -> bool:
    """Add a participant or update their maximum and hours; True when they are new."""
    exists = fetch_one(
        db,
        "SELECT 1 AS one FROM b2b_participants WHERE visit_id = ? AND contact_id = ?",
        [visit_id, participant.contact_id],
    )
    db.execute(
        "INSERT INTO b2b_participants (visit_id, contact_id, max_meetings, available_from, "
        "available_to) VALUES (?, ?, ?, ?, ?) ON CONFLICT (visit_id, contact_id) DO UPDATE SET "
        "max_meetings = excluded.max_meetings, available_from = excluded.available_from, "
        "available_to = excluded.available_to",
        [visit_id, participant.contact_id, participant.max_meetings, participant.available_from,
         participant.available_to],
    )  # fmt: skip
    audit.record(
        db,
        "b2b_participant",
        participant.contact_id,
        "update" if exists else "create",
        {"visit": visit_id, "fields": ["max_meetings", "available_from", "available_to"]},
    )
    return exists is None


def remove_participant(db: Database, visit_id: int, contact_id: int) -> int:
    """Take a person out of a session with their requests and meetings; how many requests."""
    gone = db.execute(
        "DELETE FROM b2b_requests WHERE visit_id = ? AND (requester_id = ? OR wanted_id = ?)",
        [visit_id, contact_id, contact_id],
    ).rowcount
    meetings.drop(db, visit_id, "a_id = ? OR b_id = ?", [contact_id, contact_id])
    db.execute(
        "DELETE FROM b2b_participants WHERE visit_id = ? AND contact_id = ?",
        [visit_id, contact_id],
    )
    audit.record(db, "b2b_participant", contact_id, "delete", {"visit": visit_id, "requests": gone})
    return int(gone)


def move_contact(db: Database, keep_id: int, other_id: int) -> None:
    """A merge: other's B2B places, requests and meetings become keep's (a place keep has stays
    one; a request of keep for keep, or a meeting with themselves, is dropped)."""
    # A row that would collide with one keep already has is left (and deleted below), as
    # SQLite's UPDATE OR IGNORE does, in SQL both engines read.
    for table in ("b2b_participants", "b2b_interpreters"):
        db.execute(
            f"UPDATE {table} SET contact_id = ? WHERE contact_id = ? AND NOT EXISTS "
            f"(SELECT 1 FROM {table} t WHERE t.visit_id = {table}.visit_id AND t.contact_id = ?)",
            [keep_id, other_id, keep_id],
        )
        db.execute(f"DELETE FROM {table} WHERE contact_id = ?", [other_id])
    for column, other in (("requester_id", "wanted_id"), ("wanted_id", "requester_id")):
        db.execute(
            f"UPDATE b2b_requests SET {column} = ? WHERE {column} = ? AND NOT EXISTS "
            "(SELECT 1 FROM b2b_requests r WHERE r.visit_id = b2b_requests.visit_id "
            f"AND r.{column} = ? AND r.{other} = b2b_requests.{other})",
            [keep_id, other_id, keep_id],
        )
    db.execute(
        "DELETE FROM b2b_requests WHERE requester_id = ? OR wanted_id = ? "
        "OR requester_id = wanted_id",
        [other_id, other_id],
    )
    for column in ("a_id", "b_id", "interpreter_id"):
        db.execute(f"UPDATE b2b_meetings SET {column} = ? WHERE {column} = ?", [keep_id, other_id])
    meetings.drop(db, None, "a_id = b_id", [])


def held_about(db: Database, contact_id: int) -> dict[str, list[dict[str, Any]]]:
    """What the B2B tables hold about a person (for `privacy report`)."""
    return {
        "participant": fetch_all(
            db,
            "SELECT visit_id, max_meetings, available_from, available_to FROM b2b_participants "
            "WHERE contact_id = ? ORDER BY visit_id",
            [contact_id],
        ),
        "interpreter": [
            {**r, "languages": loads_list(r["languages"])}
            for r in fetch_all(
                db,
                "SELECT visit_id, languages, available_from, available_to FROM b2b_interpreters "
                "WHERE contact_id = ? ORDER BY visit_id",
                [contact_id],
            )
        ],
        "requests": fetch_all(
            db,
            "SELECT id, visit_id, requester_id, wanted_id, priority, source, created_at "
            "FROM b2b_requests WHERE requester_id = ? OR wanted_id = ? ORDER BY id",
            [contact_id, contact_id],
        ),
        "meetings": fetch_all(
            db,
            'SELECT visit_id, slot, table_no AS "table", a_id AS a, b_id AS b, '
            "interpreter_id AS interpreter FROM b2b_meetings "
            "WHERE a_id = ? OR b_id = ? OR interpreter_id = ? ORDER BY visit_id, slot",
            [contact_id, contact_id, contact_id],
        ),
    }
