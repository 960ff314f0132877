"""Privacy of itineraries (issue 17): a person named in a visit's internal notes, in its title
per language, or in the stored title of a removed visit's tombstone is listed by `privacy report`
and redacted by `privacy erase --redact-mentions`, after which no byte of the file, its WAL or
SHM, the search index or the free pages holds them (the byte scan of test_privacy_mentions)."""

from __future__ import annotations

import json
from typing import Any

from tests import engines

from .conftest import Cli
from .test_privacy_mentions import PERSON, file_bytes, populate, stored_markers, traces

DRIVER = "Driver for Quortelia Vambrusk: +49 521 9988776"
TITLE_RU = "Встреча: Квортелия Вамбруск"
REMOVED = "Dinner with quortelia.vambrusk@markermail.example"


def visit_mentions(cli: Cli, ids: dict[str, int]) -> dict[str, Any]:
    """The populated visit gets internal notes and a Russian title naming the person; a second
    visit, titled with her email, is removed (its tombstone keeps the title)."""
    visit = str(ids["visit"])
    cli.ok("visit", "edit", visit, "--internal-notes", DRIVER, "--title-ru", TITLE_RU)
    removed = cli.json(
        "visit", "add", "de-2026", "--title", REMOVED, "--start", "2026-11-18 19:00",
        "--duration", "2h",
    )  # fmt: skip
    cli.ok("visit", "rm", str(removed["id"]), "--yes")
    conn = engines.connect(cli.db_path)
    try:
        (rowid,) = conn.execute(
            "SELECT rowid FROM visit_tombstones WHERE uid = ?", [removed["uid"]]
        ).fetchone()
    finally:
        conn.close()
    return {"uid": removed["uid"], "tombstone": rowid}


def test_report_finds_the_person_in_visits_and_tombstones(cli: Cli) -> None:
    ids = populate(cli.db_path)
    extra = visit_mentions(cli, ids)
    report = cli.json("privacy", "report", PERSON["email"])
    found = {(m["record"], m["id"], m["field"]) for m in report["mentions"]}
    assert {
        ("visit", ids["visit"], "internal_notes"),
        ("visit", ids["visit"], "translations"),
        ("visit tombstone", extra["tombstone"], "title"),
    } <= found
    tombstone = next(m for m in report["mentions"] if m["record"] == "visit tombstone")
    assert "quortelia.vambrusk@markermail.example" in tombstone["excerpts"][0]
    # Without --redact-mentions the erasure names what it leaves.
    left = cli.ok("privacy", "erase", PERSON["email"], "--yes").stderr
    assert f"{len(found)} field(s) of other records still mention them" in left


def test_erase_redacts_visits_and_tombstones_to_the_last_byte(cli: Cli) -> None:
    ids = populate(cli.db_path)
    extra = visit_mentions(cli, ids)
    assert set(traces(file_bytes(cli.db_path))) == stored_markers()
    cli.ok("privacy", "erase", PERSON["email"], "--redact-mentions", "--yes")
    assert traces(file_bytes(cli.db_path)) == []  # file, WAL, SHM, FTS and free pages
    conn = engines.connect(cli.db_path)
    try:
        internal, translations = conn.execute(
            "SELECT internal_notes, translations FROM visits WHERE id = ?", [ids["visit"]]
        ).fetchone()
        (title,) = conn.execute(
            "SELECT title FROM visit_tombstones WHERE uid = ?", [extra["uid"]]
        ).fetchone()
        redacted = conn.execute(
            "SELECT entity, entity_id, fields FROM audit_log WHERE action = 'redact' "
            "AND entity IN ('visit', 'visit tombstone') ORDER BY id"
        ).fetchall()
        if not engines.on_postgres():  # the SQLite file is sound
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    assert internal == "Driver for [erased]: [erased]"
    assert json.loads(translations) == {"title": {"ru": "Встреча: [erased]"}}
    assert title == "Dinner with [erased]"
    assert ("visit tombstone", extra["tombstone"], '{"fields":["title"]}') in redacted
    # The calendar still cancels the removed visit, under its redacted title.
    from icalendar import Calendar

    ics = cli.ok("itinerary", "de-2026", "--format", "ics").stdout
    events = {str(e["UID"]): e for e in Calendar.from_ical(ics).walk("VEVENT")}
    assert str(events[extra["uid"]]["STATUS"]) == "CANCELLED"
    assert str(events[extra["uid"]]["SUMMARY"]) == "Dinner with [erased]"
