"""The B2B grid as people read it: meetings with times and names, per table and per person.

`schedule_json` is the JSON contract of `b2b schedule` (meetings each with `slot_start, table, a,
b, interpreter`, plus `requests_met, requests_total, objective, bound, solver`); `show` gives the
stored grid's rows by table or by person (a person's agenda, interpreters' included: the way a
company contact, who is no delegation member, gets theirs); `export` writes them as CSV, JSON,
XLSX or the printable HTML sheets (one A4 page per table for its host, one per person). A table
of named rooms keeps its number (`table`) and shows its name (`room`).
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from greentech_cli.errors import InvalidData, NotFound
from greentech_cli.models.b2b import GridMeeting
from greentech_cli.services.matchmaking.b2b import Block, block, language, names, participant
from greentech_cli.services.matchmaking.b2b_problem import Meeting, Solution
from greentech_cli.store import contacts as contact_store
from greentech_cli.store import members as member_store
from greentech_cli.store.b2b import meetings as meeting_store
from greentech_cli.store.b2b import requests as request_store
from greentech_cli.store.b2b import sessions as session_store
from greentech_cli.text.dates import wall_time

if TYPE_CHECKING:
    from greentech_cli.db import Database

VIEWS = ("table", "person")
EXPORT_FORMATS = ("csv", "json", "xlsx", "html")


def _meeting_rows(
    db: Database, blk: Block, meetings: list[GridMeeting] | list[Meeting]
) -> list[dict[str, Any]]:
    """One record per meeting: slot, times, table, both people and the interpreter."""
    grid = [m if isinstance(m, GridMeeting) else _stored(m) for m in meetings]
    who = {p for m in grid for p in (m.a_id, m.b_id, m.interpreter_id) if p is not None}
    shown = names(db, who)
    rows = []
    for m in grid:
        start, end = blk.slots[m.slot]
        rows.append(
            {
                "slot": m.slot + 1,
                "slot_start": start.isoformat(),
                "slot_end": end.isoformat(),
                "time": f"{start:%H:%M}–{end:%H:%M}",
                "table": m.table,
                "room": blk.session.room(m.table),
                "a": m.a_id,
                "a_name": shown[m.a_id],
                "b": m.b_id,
                "b_name": shown[m.b_id],
                "interpreter": m.interpreter_id,
                "interpreter_name": shown.get(m.interpreter_id) if m.interpreter_id else None,
                "slot_visit": m.slot_visit_id,
            }
        )
    return rows


def _stored(m: Meeting) -> GridMeeting:
    return GridMeeting(m.slot, m.table, m.a, m.b, m.interpreter)


def schedule_json(
    db: Database,
    blk: Block,
    solution: Solution,
    dry_run: bool,
    slot_visits: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The result of `b2b schedule` as its JSON contract (`slot_visits`: how many of the
    block's slot visits were added, changed and cancelled; None on a dry run)."""
    people = {p for pair, _ in solution.unmet for p in (pair.a, pair.b)}
    people |= {p for before, _ in solution.moved for p in (before.a, before.b)}
    shown = names(db, people)
    return {
        "visit": blk.visit.id,
        "dry_run": dry_run,
        # Stored: as stored, each with its slot visit.
        "meetings": _meeting_rows(
            db,
            blk,
            solution.meetings if dry_run else meeting_store.of_session(db, blk.visit.id or 0),
        ),
        **solution.figures(),
        "unmet": [
            {
                "a": pair.a,
                "a_name": shown[pair.a],
                "b": pair.b,
                "b_name": shown[pair.b],
                "weight": pair.weight,
                "mutual": pair.mutual,
                "reason": reason,
            }
            for pair, reason in solution.unmet
        ],
        "moved": [
            {
                "a": before.a,
                "b": before.b,
                "names": f"{shown[before.a]} – {shown[before.b]}",
                "from": _place(blk, before),
                "to": None if after is None else _place(blk, after),
            }
            for before, after in solution.moved
        ],
        "leftover_minutes": blk.leftover,
        "slot_visits": slot_visits,
    }


def _place(blk: Block, m: Meeting) -> str:
    start = blk.slots[m.slot][0] if m.slot < len(blk.slots) else None
    where = blk.session.room(m.table) or f"table {m.table}"
    return f"{start:%H:%M} {where}" if start else f"slot {m.slot + 1} {where}"


def show(
    db: Database, visit_ref: str, by: str = "table", person: str | None = None
) -> tuple[Block, list[dict[str, Any]]]:
    """The stored grid's rows, by table (a table host's sheet) or by person (their agenda, an
    interpreter's too; only one person's with `person`: id, email, name or company)."""
    if by not in VIEWS:
        raise ValueError(f"by must be one of {VIEWS}")
    blk = block(db, visit_ref)
    rows = _meeting_rows(db, blk, meeting_store.of_session(db, blk.visit.id or 0))
    if by == "table":
        return blk, sorted(rows, key=lambda r: (r["table"], r["slot"]))
    agenda = []
    for row in rows:
        sides = [("a", "b"), ("b", "a")] + ([("interpreter", None)] if row["interpreter"] else [])
        for me, other in sides:
            agenda.append(
                {
                    "person": row[me],
                    "person_name": row[f"{me}_name"],
                    "role": "interpreter" if other is None else "participant",
                    **{k: row[k] for k in ("slot", "slot_start", "slot_end", "time", "table")},
                    "room": row["room"],
                    "with": row[other] if other else None,
                    "with_name": row[f"{other}_name"]
                    if other
                    else f"{row['a_name']} – {row['b_name']}",
                    "interpreter": row["interpreter"],
                    "interpreter_name": row["interpreter_name"],
                    "slot_visit": row["slot_visit"],
                }
            )
    if person is not None:
        wanted = _person(db, blk, person)
        agenda = [r for r in agenda if r["person"] == wanted]
    agenda.sort(key=lambda r: (r["person_name"], r["person"], r["slot"]))
    return blk, agenda


def _person(db: Database, blk: Block, ref: str) -> int:
    """A participant or interpreter of the session named by id, email, name or company."""
    seats = {i.contact_id for i in blk.session.interpreters}
    try:
        found = contact_store.resolve(db, ref)
    except NotFound:
        found = None
    if found is not None and found.id in seats:
        return found.id
    try:
        return participant(db, blk, ref)
    except InvalidData as exc:
        raise NotFound(f"--person {ref!r}: {exc}") from None


def export(db: Database, visit_ref: str, fmt: str, out: IO[bytes]) -> int:
    """Write the grid in a format; how many meetings."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"format must be one of {EXPORT_FORMATS}")
    blk, by_table = show(db, visit_ref, "table")
    if fmt == "html":
        _, by_person = show(db, visit_ref, "person")
        out.write(_html(blk, by_table, by_person).encode("utf-8"))
        return len(by_table)
    columns = ["slot", "slot_start", "slot_end", "table", "room", "a", "a_name", "b", "b_name",
               "interpreter", "interpreter_name"]  # fmt: skip
    if fmt == "json":
        import json

        out.write(json.dumps(by_table, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")
        return len(by_table)
    from greentech_cli.exporters.registry import ExportJob

    job = ExportJob(kind="b2b", columns=columns, total=len(by_table))
    if fmt == "csv":
        import io

        from greentech_cli.exporters.csv_formats import write_csv

        text = io.TextIOWrapper(out, encoding="utf-8", newline="")
        write_csv(by_table, text, job)
        text.flush()
        text.detach()
    else:
        from greentech_cli.exporters.xlsx import write_xlsx

        write_xlsx(by_table, out, job)
    return len(by_table)


def _html(blk: Block, by_table: list[dict[str, Any]], by_person: list[dict[str, Any]]) -> str:
    """The printable sheets: one A4 page per table, then one per person."""
    from greentech_cli.exporters.b2b_sheets import html

    tables: dict[str, list[dict[str, Any]]] = {}
    for row in by_table:
        tables.setdefault(row["room"] or f"Table {row['table']}", []).append(row)
    people: dict[int, list[dict[str, Any]]] = {}
    for row in by_person:
        people.setdefault(row["person"], []).append(row)
    return html(
        {
            "title": blk.visit.title,
            "when": f"{wall_time(blk.visit.start)}–{blk.visit.end:%H:%M} ({blk.visit.timezone})",
            "location": blk.visit.location or blk.visit.company or "",
            "tables": list(tables.items()),
            "people": [(rows[0]["person_name"], rows) for rows in people.values()],
        }
    )


def export_file(db: Database, visit_ref: str, fmt: str, path: Path) -> int:
    """Write the grid to a file, owner-only and atomically; how many meetings."""
    from greentech_cli.files import write_private

    return write_private(path, lambda out: export(db, visit_ref, fmt, out))


def request_list(db: Database, visit_ref: str) -> list[dict[str, Any]]:
    """The requests of a session as records: id, requester, wanted (ids and names), priority."""
    blk = block(db, visit_ref)
    found = request_store.of_session(db, blk.visit.id or 0)
    asked = {(r.requester_id, r.wanted_id) for r in found}
    shown = names(db, {p for r in found for p in (r.requester_id, r.wanted_id)})
    return [
        {
            "id": r.id,
            "requester_id": r.requester_id,
            "requester": shown[r.requester_id],
            "wanted_id": r.wanted_id,
            "wanted": shown[r.wanted_id],
            "priority": r.priority,
            "mutual": (r.wanted_id, r.requester_id) in asked,
            "source": r.source,
        }
        for r in found
    ]


def participant_list(db: Database, visit_ref: str) -> list[dict[str, Any]]:
    """The participants of a session as records: contact, side, languages, maximum, hours."""
    blk = block(db, visit_ref)
    people = session_store.participants(db, blk.visit.id or 0)
    shown = names(db, {p.contact_id for p in people})
    members = {m.contact_id for m in member_store.of_delegation(db, blk.visit.delegation_id)}
    rows = []
    for p in people:
        contact = contact_store.get(db, p.contact_id)
        rows.append(
            {
                "contact_id": p.contact_id,
                "name": shown[p.contact_id],
                "side": "delegation" if p.contact_id in members else "host",
                "languages": [language(x) for x in contact.languages],
                "max_meetings": p.max_meetings,
                "available": f"{p.available_from}-{p.available_to}" if p.available_from else None,
            }
        )
    return rows
