"""The B2B grid as people read it: meetings with times and names, per table and per person.

`schedule_json` is the JSON contract of `b2b schedule` (meetings each with `slot_start, table, a,
b, interpreter`, plus `requests_met, requests_total, objective, bound, solver`); `show` gives the
stored grid's rows by table or by person (a person's agenda); `export` writes them as CSV, JSON,
XLSX or the printable HTML sheets (one A4 page per table for its host, one per person).
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from greentech_cli.models.b2b import GridMeeting
from greentech_cli.services.matchmaking.b2b import Block, block, cut_slots, names
from greentech_cli.services.matchmaking.b2b_problem import Meeting, Solution
from greentech_cli.store.b2b import meetings as meeting_store
from greentech_cli.store.b2b import sessions as session_store
from greentech_cli.text.dates import wall_time

if TYPE_CHECKING:
    from greentech_cli.db import Database
    from greentech_cli.models.records import Visit

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
                "a": m.a_id,
                "a_name": shown[m.a_id],
                "b": m.b_id,
                "b_name": shown[m.b_id],
                "interpreter": m.interpreter_id,
                "interpreter_name": shown.get(m.interpreter_id) if m.interpreter_id else None,
            }
        )
    return rows


def _stored(m: Meeting) -> GridMeeting:
    return GridMeeting(m.slot, m.table, m.a, m.b, m.interpreter)


def schedule_json(db: Database, blk: Block, solution: Solution, dry_run: bool) -> dict[str, Any]:
    """The result of `b2b schedule` as its JSON contract."""
    people = {p for pair, _ in solution.unmet for p in (pair.a, pair.b)}
    people |= {p for before, _ in solution.moved for p in (before.a, before.b)}
    shown = names(db, people)
    return {
        "visit": blk.visit.id,
        "dry_run": dry_run,
        "meetings": _meeting_rows(db, blk, solution.meetings),
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
    }


def _place(blk: Block, m: Meeting) -> str:
    start = blk.slots[m.slot][0] if m.slot < len(blk.slots) else None
    return f"{start:%H:%M} table {m.table}" if start else f"slot {m.slot + 1} table {m.table}"


def show(db: Database, visit_ref: str, by: str = "table") -> tuple[Block, list[dict[str, Any]]]:
    """The stored grid's rows, by table (a table host's sheet) or by person (their agenda)."""
    if by not in VIEWS:
        raise ValueError(f"by must be one of {VIEWS}")
    blk = block(db, visit_ref)
    rows = _meeting_rows(db, blk, meeting_store.of_session(db, blk.visit.id or 0))
    if by == "table":
        return blk, sorted(rows, key=lambda r: (r["table"], r["slot"]))
    agenda = []
    for row in rows:
        for me, other in (("a", "b"), ("b", "a")):
            agenda.append(
                {
                    "person": row[me],
                    "person_name": row[f"{me}_name"],
                    "slot": row["slot"],
                    "slot_start": row["slot_start"],
                    "slot_end": row["slot_end"],
                    "time": row["time"],
                    "table": row["table"],
                    "with": row[other],
                    "with_name": row[f"{other}_name"],
                    "interpreter": row["interpreter"],
                    "interpreter_name": row["interpreter_name"],
                }
            )
    agenda.sort(key=lambda r: (r["person_name"], r["person"], r["slot"]))
    return blk, agenda


def export(db: Database, visit_ref: str, fmt: str, out: IO[bytes]) -> int:
    """Write the grid in a format; how many meetings."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"format must be one of {EXPORT_FORMATS}")
    blk, by_table = show(db, visit_ref, "table")
    if fmt == "html":
        _, by_person = show(db, visit_ref, "person")
        out.write(_html(blk, by_table, by_person).encode("utf-8"))
        return len(by_table)
    columns = ["slot", "slot_start", "slot_end", "table", "a", "a_name", "b", "b_name",
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

    tables: dict[int, list[dict[str, Any]]] = {}
    for row in by_table:
        tables.setdefault(row["table"], []).append(row)
    people: dict[int, list[dict[str, Any]]] = {}
    for row in by_person:
        people.setdefault(row["person"], []).append(row)
    return html(
        {
            "title": blk.visit.title,
            "when": f"{wall_time(blk.visit.start)}–{blk.visit.end:%H:%M} ({blk.visit.timezone})",
            "location": blk.visit.location or blk.visit.company or "",
            "tables": sorted(tables.items()),
            "people": [(rows[0]["person_name"], rows) for rows in people.values()],
        }
    )


def export_file(db: Database, visit_ref: str, fmt: str, path: Path) -> int:
    """Write the grid to a file, owner-only and atomically; how many meetings."""
    from greentech_cli.files import write_private

    return write_private(path, lambda out: export(db, visit_ref, fmt, out))


def member_meetings(db: Database, visits: list[Visit], contact_id: int) -> list[Visit]:
    """A person's programme with each B2B block they have meetings in replaced by those
    meetings: one item per meeting, titled with the partner and the table (for `itinerary
    --member` and its ICS, until blocks have sub-slots of their own)."""
    import dataclasses
    import uuid

    from greentech_cli.models.itinerary import UID_NAMESPACE

    found: list[Visit] = []
    for visit in visits:
        session = session_store.get(db, visit.id) if visit.id is not None else None
        mine = [
            m
            for m in (meeting_store.of_session(db, visit.id or 0) if session else [])
            if contact_id in (m.a_id, m.b_id, m.interpreter_id)
        ]
        if session is None or not mine:
            found.append(visit)
            continue
        slots, _ = cut_slots(visit.start, visit.end, session.slot_minutes, session.break_minutes)
        shown = names(db, {p for m in mine for p in (m.a_id, m.b_id, m.interpreter_id) if p})
        for m in mine:
            if m.slot >= len(slots):
                continue
            if contact_id == m.interpreter_id:
                who = f"interpreting {shown[m.a_id]} – {shown[m.b_id]}"
            else:
                who = shown[m.b_id if m.a_id == contact_id else m.a_id]
                if m.interpreter_id:
                    who += f", interpreter {shown[m.interpreter_id]}"
            start, end = slots[m.slot]
            found.append(
                dataclasses.replace(
                    visit,
                    title=f"{visit.title}: {who}, table {m.table}",
                    start=start,
                    end=end,
                    uid=str(uuid.uuid5(UID_NAMESPACE, f"b2b|{visit.uid}|{m.slot}|{m.table}")),
                )
            )
    return found


def conflicts(
    db: Database, visits: list[Visit], present: dict[int, set[int]]
) -> list[tuple[str, list[int], list[int]]]:
    """B2B meetings at a time one of their people is at another visit of the programme
    (`present`: who attends or hosts each visit): (message, visit ids, contact ids) each."""
    found: list[tuple[str, list[int], list[int]]] = []
    for visit in visits:
        session = session_store.get(db, visit.id) if visit.id is not None else None
        if session is None:
            continue
        slots, _ = cut_slots(visit.start, visit.end, session.slot_minutes, session.break_minutes)
        for m in meeting_store.of_session(db, visit.id or 0):
            if m.slot >= len(slots):
                continue
            start, end = slots[m.slot]
            people = {p for p in (m.a_id, m.b_id, m.interpreter_id) if p is not None}
            for other in visits:
                if other.id == visit.id or not (start < other.end and other.start < end):
                    continue
                if visit.id in (other.parent_id,) or other.id in (visit.parent_id,):
                    continue  # the block's own slots, or the block the session sits in
                clash = sorted(people & present.get(other.id or 0, set()))
                if clash:
                    who = ", ".join(names(db, set(clash)).values())
                    found.append(
                        (
                            f"{who} would be at a B2B meeting at table {m.table} of "
                            f"'{visit.title}' ({start:%H:%M}–{end:%H:%M}) and at "
                            f"'{other.title}' at the same time",
                            [visit.id or 0, other.id or 0],
                            clash,
                        )
                    )
    return found
