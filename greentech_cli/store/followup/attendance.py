"""SQL for per-visit attendance: each attendee present, absent or excused, recorded afterwards."""

from __future__ import annotations

from typing import TYPE_CHECKING

from greentech_cli.store import audit
from greentech_cli.store.common import now

if TYPE_CHECKING:
    from greentech_cli.db import Database


def record(db: Database, visit_id: int, statuses: dict[int, str]) -> int:
    """Set the attendance of these contacts at a visit (inside the caller's transaction);
    returns how many records changed."""
    changed = 0
    stamp = now()
    current = of_visit(db, visit_id)
    for contact_id, status in statuses.items():
        if current.get(contact_id) == status:
            continue
        db.execute(
            "INSERT INTO attendance (visit_id, contact_id, status, recorded_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (visit_id, contact_id) "
            "DO UPDATE SET status = excluded.status, recorded_at = excluded.recorded_at",
            [visit_id, contact_id, status, stamp],
        )
        changed += 1
    if changed:
        audit.record(db, "visit", visit_id, "attendance", {"rows": changed})
    return changed


def of_visit(db: Database, visit_id: int) -> dict[int, str]:
    """The recorded attendance at a visit: contact id → present, absent or excused."""
    rows = db.execute(
        "SELECT contact_id, status FROM attendance WHERE visit_id = ? ORDER BY contact_id",
        [visit_id],
    ).fetchall()
    return {int(r[0]): str(r[1]) for r in rows}


def of_visits(db: Database, visit_ids: list[int]) -> dict[int, dict[int, str]]:
    """The recorded attendance at each of these visits."""
    found: dict[int, dict[int, str]] = {i: {} for i in visit_ids}
    for start in range(0, len(visit_ids), 500):
        chunk = visit_ids[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        rows = db.execute(
            f"SELECT visit_id, contact_id, status FROM attendance WHERE visit_id IN ({marks})",
            chunk,
        ).fetchall()
        for visit_id, contact_id, status in rows:
            found[int(visit_id)][int(contact_id)] = str(status)
    return found


def move(db: Database, keep_id: int, other_id: int) -> int:
    """Give a merged contact's attendance to the contact it was merged into (where both were
    recorded at one visit, the surviving contact's record stays)."""
    moved = db.execute(
        f"{db.dialect.ignore_into} attendance (visit_id, contact_id, status, recorded_at) "
        "SELECT visit_id, ?, status, recorded_at FROM attendance WHERE contact_id = ?"
        + db.dialect.ignore_end,
        [keep_id, other_id],
    ).rowcount
    db.execute("DELETE FROM attendance WHERE contact_id = ?", [other_id])
    return int(moved or 0)
