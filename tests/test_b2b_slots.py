"""A scheduled B2B grid in the programme (issue 20 with issue 16's blocks): each meeting is a
slot of the block visit, so `visit list`, `check`, itineraries, packs and calendars read it like
any other item; re-scheduling updates and cancels only what moves. Also named rooms,
interpreters' hours and a company contact's agenda."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests import engines
from tests.conftest import Cli
from tests.test_b2b_cli import _requests, session, template

FIXTURES = (session, template)  # the B2B session of tests/test_b2b_cli.py, used here too

BLOCK = 1


def _slots(cli: Cli) -> dict[tuple[int, ...], dict[str, Any]]:
    """The block's slot visits by the people at them (the two sides, then the interpreter)."""
    found = {}
    for row in cli.json("visit", "list", "kz-b2b"):
        if row["id"] == BLOCK:
            continue
        record = cli.json("visit", "show", str(row["id"]))
        if record["parent"] == BLOCK:
            found[tuple(p["id"] for p in record["attendees"])] = record
    return found


def _unfolded(ics: str) -> str:
    return re.sub(r"\r?\n[ \t]", "", ics)


def test_a_stored_grid_is_the_blocks_slots(session: Cli) -> None:
    _requests(session)
    result = session.json("b2b", "schedule", "1")
    assert result["slot_visits"] == {"added": 3, "changed": 0, "cancelled": 0}
    slots = _slots(session)
    assert set(slots) == {(1, 3, 5), (2, 4, 5), (2, 3, 5)}, "both sides and the interpreter"
    for meeting in result["meetings"]:
        slot = slots[(meeting["a"], meeting["b"], 5)]
        assert slot["start"] == meeting["slot_start"] and slot["end"] == meeting["slot_end"]
        assert slot["kind"] == "b2b-meeting" and slot["parent"] == BLOCK
        assert slot["title"].endswith(f", table {meeting['table']}")
        assert slot["translations"]["title"]["de"].endswith(f", Tisch {meeting['table']}")
        assert meeting["room"] is None
    shown = {(m["a"], m["b"]): m["slot_visit"] for m in session.json("b2b", "show", "1")}
    assert shown == {(m["a"], m["b"]): m["slot_visit"] for m in result["meetings"]}
    assert shown == {(a, b): slot["id"] for (a, b, _), slot in slots.items()}
    # No overlap and no double booking: the slots lie in their block, each person once a slot.
    assert [f for f in session.json("check", "kz-b2b") if f["severity"] == "error"] == []
    # A dry run stores nothing more.
    assert session.json("b2b", "schedule", "1", "--dry-run")["slot_visits"] is None
    assert len(_slots(session)) == 3


def test_scheduling_again_keeps_updates_and_cancels_only_what_moves(session: Cli) -> None:
    _requests(session)
    session.ok("b2b", "schedule", "1")
    before = _slots(session)
    again = session.json("b2b", "schedule", "1")
    assert again["slot_visits"] == {"added": 0, "changed": 0, "cancelled": 0}
    assert _slots(session) == before, "the same grid: no calendar change at all"
    # Erlan now leaves at 09:45: his 09:50 meeting with Jan must move, and makes room for itself
    # by moving Dana's (one interpreter); his 09:25 meeting with Eva stays as it was.
    session.ok("b2b", "participant", "add", "1", "erlan@kaz.kz", "--available", "09:00-09:45")
    moved = session.json("b2b", "schedule", "1")
    assert moved["slot_visits"] == {"added": 0, "changed": 2, "cancelled": 0}
    assert len(moved["moved"]) == 2
    after = _slots(session)
    assert after[(2, 4, 5)] == before[(2, 4, 5)]
    for key in ((1, 3, 5), (2, 3, 5)):
        assert after[key]["id"] == before[key]["id"] and after[key]["uid"] == before[key]["uid"]
        assert after[key]["start"] != before[key]["start"]
        assert after[key]["sequence"] == before[key]["sequence"] + 1
    ics = _unfolded(session.ok("itinerary", "kz-b2b", "--format", "ics").stdout)
    event = ics.split(f"UID:{after[(1, 3, 5)]['uid']}")[1].split("END:VEVENT")[0]
    assert "SEQUENCE:1" in event
    # Erlan no longer wants Eva: that meeting is dropped, and calendars cancel it.
    request = next(r for r in session.json("b2b", "request", "list", "1")
                   if (r["requester_id"], r["wanted_id"]) == (2, 4))  # fmt: skip
    session.ok("b2b", "request", "rm", "1", str(request["id"]))
    dropped = session.json("b2b", "schedule", "1")
    assert dropped["slot_visits"] == {"added": 0, "changed": 0, "cancelled": 1}
    assert set(_slots(session)) == {(1, 3, 5), (2, 3, 5)}
    ics = _unfolded(session.ok("itinerary", "kz-b2b", "--format", "ics").stdout)
    gone = ics.split(f"UID:{before[(2, 4, 5)]['uid']}")[1].split("END:VEVENT")[0]
    assert "STATUS:CANCELLED" in gone
    assert [f for f in session.json("check", "kz-b2b") if f["severity"] == "error"] == []
    # No request left: no meeting, no slot.
    for request in session.json("b2b", "request", "list", "1"):
        session.ok("b2b", "request", "rm", "1", str(request["id"]))
    assert session.json("b2b", "schedule", "1")["slot_visits"]["cancelled"] == 2
    assert _slots(session) == {}


def test_a_slot_and_its_grid_row_go_together(session: Cli) -> None:
    _requests(session)
    session.ok("b2b", "schedule", "1")
    slots = _slots(session)
    # `visit rm` of a meeting's slot takes the meeting off the grid.
    session.ok("visit", "rm", str(slots[(2, 4, 5)]["id"]), "--yes")
    assert {(m["a"], m["b"]) for m in session.json("b2b", "show", "1")} == {(1, 3), (2, 3)}
    # Taking a participant out of the session cancels their meetings.
    session.ok("b2b", "participant", "add", "1", "eva@emscher.de")
    session.ok("b2b", "request", "add", "1", "eva@emscher.de", "dana@kazwater.kz")
    session.ok("b2b", "schedule", "1")
    assert (1, 4) in _slots(session)
    session.ok("b2b", "participant", "rm", "1", "eva@emscher.de")
    assert set(_slots(session)) == {(1, 3, 5), (2, 3, 5)}
    # Erasing a person cancels their meetings in the programme too (no slot names them).
    session.ok("privacy", "erase", "erlan@kaz.kz", "--yes")
    assert set(_slots(session)) == {(1, 3, 5)}
    conn = engines.connect(session.db_path)
    titles = [r[0] for r in conn.execute("SELECT title FROM visits")]
    cancelled = [r[0] for r in conn.execute("SELECT title FROM visit_tombstones")]
    conn.close()
    assert not [t for t in titles if "Erlan" in t]
    assert "B2B session" in cancelled, "the calendars cancel the erased person's meeting"
    # A slot the officer takes out of the block is theirs: scheduling again adds a new one.
    slot = _slots(session)[(1, 3, 5)]
    session.ok("visit", "edit", str(slot["id"]), "--parent", "")
    assert session.json("b2b", "schedule", "1")["slot_visits"]["added"] == 1
    assert session.json("visit", "show", str(slot["id"]))["title"] == slot["title"]
    assert set(_slots(session)) == {(1, 3, 5)}
    # Changing the slot length drops the grid and its slots.
    session.ok("b2b", "setup", "1", "--slot", "45m", "--break", "5m", "--tables", "2")
    assert _slots(session) == {}


def test_a_company_contacts_agenda(session: Cli, tmp_path: Path) -> None:
    _requests(session)
    session.ok("b2b", "schedule", "1")
    jan = session.json("b2b", "show", "1", "--by", "person", "--person", "jan@lippe.de")
    assert {(r["person"], r["with"], r["table"]) for r in jan} == {(3, 1, 1), (3, 2, 1)}
    by_company = session.json("b2b", "show", "1", "--by", "person", "--person",
                              "Lippe Recycling GmbH")  # fmt: skip
    assert by_company == jan
    olga = session.json("b2b", "show", "1", "--by", "person", "--person", "olga@interpret.de")
    assert len(olga) == 3 and {r["role"] for r in olga} == {"interpreter"}
    assert "Erlan Omarov – Eva Wolf (Emscher Wasser AG)" in {r["with_name"] for r in olga}
    text = session.ok("b2b", "show", "1", "--by", "person", "--person", "Jan Becker").stdout
    assert "Dana Sadykova" in text and "Eva Wolf" not in text
    # Jan is no delegation member: the itinerary says so, the per-person view is his agenda.
    session.fails("itinerary", "kz-b2b", "--member", "jan@lippe.de")
    out = tmp_path / "grid.html"
    session.ok("b2b", "export", "1", "--format", "html", "--out", str(out))
    assert "<h1>Jan Becker (Lippe Recycling GmbH) <span" in out.read_text()


def test_named_rooms_are_shown_where_table_numbers_were(session: Cli) -> None:
    olga = ("--interpreter", "olga@interpret.de:ru-de")
    record = session.json("b2b", "setup", "1", "--slot", "20m", "--break", "5m", "--rooms",
                          "Saal A, Saal B", *olga)  # fmt: skip
    assert record["tables"] == 2 and record["rooms"] == ["Saal A", "Saal B"]
    repeated = session.json("b2b", "setup", "1", "--slot", "20m", "--break", "5m", "--room",
                            "Saal A", "--room", "Saal B", *olga)  # fmt: skip
    assert repeated["rooms"] == ["Saal A", "Saal B"]
    _requests(session)
    result = session.json("b2b", "schedule", "1")
    assert {(m["table"], m["room"]) for m in result["meetings"]} == {(1, "Saal A")}
    slots = _slots(session)
    assert {s["venue"]["room"] for s in slots.values()} == {"Saal A"}
    assert all(s["title"].endswith(", Saal A") for s in slots.values())
    table = session.ok("b2b", "show", "1").stdout
    assert "Saal A" in table
    text = session.ok("itinerary", "kz-b2b", "--member", "erlan@kaz.kz").stdout
    assert "Saal A" in text
    # Renaming the rooms renames them in the programme (and raises the calendar sequence).
    session.ok("b2b", "setup", "1", "--slot", "20m", "--break", "5m", "--rooms", "Blau,Grün", *olga)
    renamed = _slots(session)
    assert {s["venue"]["room"] for s in renamed.values()} == {"Blau"}
    assert all(renamed[k]["sequence"] == slots[k]["sequence"] + 1 for k in slots)
    person = session.ok("b2b", "show", "1", "--by", "person").stdout
    assert "Blau" in person and "Saal A" not in person


def test_an_interpreters_hours_bound_the_meetings_they_interpret(session: Cli) -> None:
    record = session.json("b2b", "setup", "1", "--slot", "20m", "--break", "5m", "--tables", "2",
                          "--interpreter", "olga@interpret.de:ru-de@09:00-09:45")  # fmt: skip
    assert record["interpreters"][0]["available"] == "09:00-09:45"
    _requests(session)
    for solver in ("greedy", "auto"):
        result = session.json("b2b", "schedule", "1", "--solver", solver, "--dry-run")
        interpreted = [m for m in result["meetings"] if m["interpreter"] == 5]
        assert len(interpreted) == 2, solver
        assert {m["slot_start"][11:16] for m in interpreted} == {"09:00", "09:25"}
        assert result["requests_met"] == 3
        assert [u["reason"] for u in result["unmet"]] == ["no interpreter free when both are free"]
    # Without hours Olga interprets all three meetings.
    session.ok("b2b", "setup", "1", "--slot", "20m", "--break", "5m", "--tables", "2",
               "--interpreter", "olga@interpret.de:ru-de")  # fmt: skip
    assert session.json("b2b", "schedule", "1", "--dry-run")["requests_met"] == 4


@pytest.mark.sqlite_only  # an older SQLite schema migrated (PostgreSQL starts at the baseline)
def test_an_older_grid_gains_its_slots_when_scheduled_again(db_path: Path) -> None:
    from greentech_cli import migrations
    from greentech_cli.db import open_db

    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    migrations.apply(conn, names=[n for n in migrations.known_names() if n < "m010"])
    conn.close()
    db = open_db(db_path)
    columns = {r[1] for r in db.execute("PRAGMA table_info(b2b_meetings)")}
    assert "slot_visit_id" in columns
    assert "rooms" in {r[1] for r in db.execute("PRAGMA table_info(b2b_sessions)")}
    db.close()
