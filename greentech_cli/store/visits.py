"""SQL for visits: programme items stored as local wall time plus their IANA zone."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from greentech_cli.models.itinerary import Cancelled
from greentech_cli.models.records import ATTENDING_STATUSES, Place, Visit
from greentech_cli.store import audit
from greentech_cli.store.common import fetch_all, fetch_one, not_found, now

if TYPE_CHECKING:
    from greentech_cli.db import Database

SELECT = (
    "SELECT v.*, c.name AS company_name, fc.name AS from_company_name, "
    "tc.name AS to_company_name FROM visits v LEFT JOIN companies c ON c.id = v.company_id "
    "LEFT JOIN companies fc ON fc.id = v.from_company_id "
    "LEFT JOIN companies tc ON tc.id = v.to_company_id"
)
COLUMNS = (
    "delegation_id",
    "title",
    "kind",
    "start_local",
    "end_local",
    "timezone",
    "company_id",
    "location",
    "notes",
    "uid",
    "room",
    "lat",
    "lon",
    "parent_id",
    "capacity",
    "mode",
    "end_timezone",
    "internal_notes",
    "translations",
    "status",
)
# A place's columns, after its prefix (from_ or to_).
PLACE_COLUMNS = ("company_id", "place", "lat", "lon", "timezone")


def aware(local: str, zone: str) -> datetime:
    """An aware date-time from stored wall time and zone (fold=0: the first of a repeated hour)."""
    return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone), fold=0)


def _links(db: Database, table: str, visit_ids: list[int]) -> dict[int, list[int]]:
    """Contact ids linked to each visit through visit_hosts or visit_attendees."""
    found: dict[int, list[int]] = {i: [] for i in visit_ids}
    if not visit_ids:
        return found
    marks = ", ".join("?" for _ in visit_ids)
    rows = db.execute(
        f"SELECT visit_id, contact_id FROM {table} WHERE visit_id IN ({marks}) "
        "ORDER BY visit_id, rowid",
        visit_ids,
    ).fetchall()
    for visit_id, contact_id in rows:
        found[visit_id].append(contact_id)
    return found


def _place(row: dict[str, Any], prefix: str) -> Place | None:
    values = [row.get(f"{prefix}_{name}") for name in PLACE_COLUMNS]
    if all(value is None for value in values):
        return None
    company_id, text, lat, lon, zone = values
    return Place(company_id, row.get(f"{prefix}_company_name"), text, lat, lon, zone)


def _place_columns(place: Place | None, prefix: str) -> dict[str, Any]:
    values = (
        (place.company_id, place.text, place.lat, place.lon, place.timezone)
        if place
        else (None,) * len(PLACE_COLUMNS)
    )
    return {f"{prefix}_{name}": value for name, value in zip(PLACE_COLUMNS, values, strict=True)}


def _from_rows(db: Database, rows: list[dict[str, Any]]) -> list[Visit]:
    ids = [r["id"] for r in rows]
    hosts = _links(db, "visit_hosts", ids)
    attendees = _links(db, "visit_attendees", ids)
    return [
        Visit(
            id=r["id"],
            delegation_id=r["delegation_id"],
            title=r["title"],
            kind=r["kind"],
            start=aware(r["start_local"], r["timezone"]),
            end=aware(r["end_local"], r["end_timezone"] or r["timezone"]),
            timezone=r["timezone"],
            company_id=r["company_id"],
            company=r.get("company_name"),
            location=r["location"],
            notes=r["notes"],
            uid=r["uid"],
            host_contact_ids=hosts[r["id"]],
            attendee_ids=attendees[r["id"]],
            room=r["room"],
            lat=r["lat"],
            lon=r["lon"],
            parent_id=r["parent_id"],
            capacity=r["capacity"],
            mode=r["mode"],
            end_timezone=r["end_timezone"],
            origin=_place(r, "from"),
            destination=_place(r, "to"),
            internal_notes=r.get("internal_notes"),
            translations=json.loads(r.get("translations") or "{}"),
            status=r.get("status") or "planned",
            sequence=r.get("sequence") or 0,
            modified=r.get("updated_at"),
        )
        for r in rows
    ]


def tombstones(db: Database, delegation_id: int) -> list[Cancelled]:
    """The removed visits of a delegation, in time order."""
    rows = fetch_all(
        db,
        "SELECT * FROM visit_tombstones WHERE delegation_id = ? ORDER BY start_local, uid",
        [delegation_id],
    )
    return [_cancelled(r, r["removed_at"]) for r in rows]


def _cancelled(row: dict[str, Any], removed_at: str) -> Cancelled:
    """A visit's calendar cancellation from a row of `visits` or `visit_tombstones`."""
    return Cancelled(
        uid=row["uid"],
        title=row["title"],
        start=aware(row["start_local"], row["timezone"]),
        end=aware(row["end_local"], row["end_timezone"] or row["timezone"]),
        sequence=row["sequence"],
        removed_at=removed_at,
    )


def _sorted(visits: list[Visit]) -> list[Visit]:
    """Visits by their real instant (zones differ), a block before its slots, then by id."""
    return sorted(
        visits,
        key=lambda v: (v.start.timestamp(), v.parent_id is not None, v.end.timestamp(), v.id or 0),
    )


def get(db: Database, visit_id: int) -> Visit:
    """The visit with this id, or NotFound."""
    row = fetch_one(db, f"{SELECT} WHERE v.id = ?", [visit_id])
    if row is None:
        raise not_found("visit with id", visit_id)
    return _from_rows(db, [row])[0]


def find_by_uid(db: Database, uid: str) -> Visit | None:
    """The visit with this UID, or None."""
    row = fetch_one(db, f"{SELECT} WHERE v.uid = ?", [uid])
    return _from_rows(db, [row])[0] if row else None


def of_delegation(db: Database, delegation_id: int) -> list[Visit]:
    """A delegation's visits in time order."""
    rows = fetch_all(db, f"{SELECT} WHERE v.delegation_id = ?", [delegation_id])
    return _sorted(_from_rows(db, rows))


def of_delegations(db: Database, delegation_ids: list[int]) -> list[Visit]:
    """The visits of several delegations in time order."""
    if not delegation_ids:
        return []
    marks = ", ".join("?" for _ in delegation_ids)
    rows = fetch_all(db, f"{SELECT} WHERE v.delegation_id IN ({marks})", delegation_ids)
    return _sorted(_from_rows(db, rows))


def slots_of(db: Database, parent_id: int) -> list[Visit]:
    """The visits inside a block, in time order."""
    rows = fetch_all(db, f"{SELECT} WHERE v.parent_id = ?", [parent_id])
    return _sorted(_from_rows(db, rows))


def hosted_by(db: Database, company_ids: list[int]) -> list[Visit]:
    """Every visit, of any delegation, at one of these companies."""
    if not company_ids:
        return []
    marks = ", ".join("?" for _ in company_ids)
    rows = fetch_all(db, f"{SELECT} WHERE v.company_id IN ({marks})", company_ids)
    return _sorted(_from_rows(db, rows))


def _row(visit: Visit) -> dict[str, Any]:
    row = {name: getattr(visit, name) for name in COLUMNS}
    row["translations"] = json.dumps(
        {k: dict(sorted(v.items())) for k, v in sorted(visit.translations.items()) if v},
        ensure_ascii=False,
    )
    row.update(_place_columns(visit.origin, "from"))
    row.update(_place_columns(visit.destination, "to"))
    return row


def _write_links(db: Database, visit: Visit) -> None:
    db.execute("DELETE FROM visit_hosts WHERE visit_id = ?", [visit.id])
    db.execute("DELETE FROM visit_attendees WHERE visit_id = ?", [visit.id])
    for contact_id in dict.fromkeys(visit.host_contact_ids):
        db.execute(
            "INSERT INTO visit_hosts (visit_id, contact_id) VALUES (?, ?)", [visit.id, contact_id]
        )
    for contact_id in dict.fromkeys(visit.attendee_ids):
        db.execute(
            "INSERT INTO visit_attendees (visit_id, contact_id) VALUES (?, ?)",
            [visit.id, contact_id],
        )


def insert(db: Database, visit: Visit) -> Visit:
    """Store a new visit with its hosts and attendees (inside the caller's transaction)."""
    assert visit.uid, "a visit needs its UID before it is stored"
    row = _row(visit)
    stamp = now()
    # A visit given back its old UID continues its calendar history past the tombstone.
    before = db.execute(
        "SELECT sequence FROM visit_tombstones WHERE uid = ?", [visit.uid]
    ).fetchone()
    visit.sequence = before[0] + 1 if before else 0
    if before:
        db.execute("DELETE FROM visit_tombstones WHERE uid = ?", [visit.uid])
    row.update(created_at=stamp, updated_at=stamp, sequence=visit.sequence)
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    cursor = db.execute(f"INSERT INTO visits ({names}) VALUES ({marks})", list(row.values()))
    visit.id = int(cursor.lastrowid or 0)
    _write_links(db, visit)
    audit.record(db, "visit", visit.id, "create", {"delegation_id": visit.delegation_id})
    return visit


def _state(visit: Visit) -> dict[str, Any]:
    state = _row(visit)
    state["host_contact_ids"] = list(visit.host_contact_ids)
    state["attendee_ids"] = list(visit.attendee_ids)
    return state


def update(db: Database, visit: Visit) -> dict[str, list[Any]]:
    """Write a changed visit back (hosts and attendees replaced); returns what changed.
    Attendees taken off it are noted as its dropouts (see `attendance_changed`)."""
    assert visit.id is not None
    changes = audit.changed_fields(_state(get(db, visit.id)), _state(visit))
    if not changes:
        return {}
    before = _attending(db, visit.id)
    row = _row(visit)
    row["updated_at"] = now()
    assignments = ", ".join(f"{name} = ?" for name in row)
    db.execute(
        f"UPDATE visits SET {assignments}, sequence = sequence + 1 WHERE id = ?",
        [*row.values(), visit.id],
    )
    _write_links(db, visit)
    after = _attending(db, visit.id)
    held = db.execute("SELECT contact_id FROM visit_dropouts WHERE visit_id = ?", [visit.id])
    back = {int(r[0]) for r in held} & after
    _note_dropouts(db, [(visit.id, i) for i in before - after], [(visit.id, i) for i in back])
    audit.record(db, "visit", visit.id, "update", {"fields": sorted(changes)})
    return changes


def delete(db: Database, visit_id: int) -> None:
    """Remove a visit with its host and attendee links; its tombstone keeps the UID, times and
    next sequence so that calendars cancel it (until the delegation itself is removed)."""
    d = db.dialect
    columns = "uid, delegation_id, title, start_local, end_local, timezone, end_timezone, "
    columns += "sequence, removed_at"
    db.execute(
        f"{d.replace_into} visit_tombstones ({columns}) SELECT uid, delegation_id, "
        "title, start_local, end_local, timezone, end_timezone, sequence + 1, ? FROM visits "
        f"WHERE id = ? AND uid IS NOT NULL{d.replace_end('uid', columns)}",
        [now(), visit_id],
    )
    db.execute("DELETE FROM visits WHERE id = ?", [visit_id])
    audit.record(db, "visit", visit_id, "delete", {})


# --- who was taken off a visit -------------------------------------------------------------
# A person attends a visit when it names them, or, when it names nobody, as a member whose
# status attends by default. Whoever stops attending a visit is kept in `visit_dropouts`, so
# that their own calendar cancels it; the row goes when they attend it again.

_ATTENDING = ", ".join(f"'{status}'" for status in ATTENDING_STATUSES)
_DEFAULT = (
    "NOT EXISTS (SELECT 1 FROM visit_attendees a WHERE a.visit_id = v.id) AND EXISTS (SELECT 1 "
    "FROM members m WHERE m.delegation_id = v.delegation_id AND m.contact_id = {who} "
    f"AND m.status IN ({_ATTENDING}))"
)


def _attending(db: Database, visit_id: int) -> set[int]:
    """Who attends a visit: its named attendees, else the members who attend by default."""
    rows = db.execute(
        "SELECT a.contact_id FROM visit_attendees a WHERE a.visit_id = ? UNION "
        "SELECT m.contact_id FROM visits v JOIN members m ON m.delegation_id = v.delegation_id "
        f"WHERE v.id = ? AND {_DEFAULT.format(who='m.contact_id')}",
        [visit_id, visit_id],
    ).fetchall()
    return {int(r[0]) for r in rows}


def attended_by(db: Database, delegation_id: int, contact_id: int) -> set[int]:
    """The ids of the delegation's visits this person attends."""
    rows = db.execute(
        "SELECT v.id FROM visits v WHERE v.delegation_id = ? AND (EXISTS (SELECT 1 FROM "
        "visit_attendees a WHERE a.visit_id = v.id AND a.contact_id = ?) OR "
        f"({_DEFAULT.format(who='?')}))",
        [delegation_id, contact_id, contact_id],
    ).fetchall()
    return {int(r[0]) for r in rows}


def _note_dropouts(
    db: Database, dropped: list[tuple[int, int]], back: list[tuple[int, int]]
) -> set[int]:
    """Keep the (visit, person) pairs taken off; forget those attending again. The visits
    touched."""
    touched = set()
    for visit_id, contact_id in dropped:
        db.execute(
            f"{db.dialect.replace_into} visit_dropouts (visit_id, contact_id, dropped_at) "
            "VALUES (?, ?, ?)"
            + db.dialect.replace_end("visit_id, contact_id", "visit_id, contact_id, dropped_at"),
            [visit_id, contact_id, now()],
        )
        touched.add(visit_id)
    for visit_id, contact_id in back:
        db.execute(
            "DELETE FROM visit_dropouts WHERE visit_id = ? AND contact_id = ?",
            [visit_id, contact_id],
        )
        touched.add(visit_id)
    return touched


def attendance_changed(db: Database, delegation_id: int, contact_id: int, before: set[int]) -> None:
    """After a membership changed (added, status, removed): the visits the person no longer
    attends are noted, those attended again forgotten, and each such visit's sequence raised,
    so that the person's calendar cancels it (or takes it back) over the copy it holds."""
    after = attended_by(db, delegation_id, contact_id)
    held = db.execute(
        "SELECT visit_id FROM visit_dropouts WHERE contact_id = ?", [contact_id]
    ).fetchall()
    back = {int(r[0]) for r in held} & after
    touched = _note_dropouts(
        db, [(i, contact_id) for i in before - after], [(i, contact_id) for i in back]
    )
    if touched:
        marks = ", ".join("?" for _ in touched)
        db.execute(
            f"UPDATE visits SET sequence = sequence + 1, updated_at = ? WHERE id IN ({marks})",
            [now(), *sorted(touched)],
        )


def dropouts(db: Database, delegation_id: int, contact_id: int) -> list[Cancelled]:
    """The delegation's visits this person was taken off, as cancellations for their calendar
    (the visit's UID and its current sequence, raised when they were taken off)."""
    rows = fetch_all(
        db,
        "SELECT v.* FROM visit_dropouts d JOIN visits v ON v.id = d.visit_id "
        "WHERE d.contact_id = ? AND v.delegation_id = ? ORDER BY v.start_local, v.uid",
        [contact_id, delegation_id],
    )
    return [_cancelled(r, r["updated_at"]) for r in rows]
