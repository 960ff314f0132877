"""Visits: local wall time in their own zone, DST and tzdata changes, attendees, clean errors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from greentech_cli.errors import InvalidData
from greentech_cli.services.schedule.visits import localize

VISIT_KEYS = {
    "id", "delegation", "title", "kind", "start", "end", "timezone", "company", "location",
    "host_contacts", "attendees",
}  # fmt: skip


@pytest.fixture
def trip(cli: Any) -> Any:
    """A delegation with two companies, a host contact and two members."""
    cli.ok("company", "add", "Lippe Recycling GmbH", "--city", "Lünen", "--lat", "51.616",
           "--lon", "7.528")  # fmt: skip
    cli.ok("company", "add", "AHK Zentralasien", "--kind", "ahk", "--city", "Almaty",
           "--country", "KZ")  # fmt: skip
    cli.ok("contact", "add", "--first", "Petra", "--last", "Schäfer", "--company",
           "Lippe Recycling GmbH", "--email", "petra@lippe.example",
           "--phone", "+49 2306 123456")  # fmt: skip
    cli.ok("delegation", "add", "kz", "--title", "KZ", "--direction", "incoming", "--start",
           "2026-10-23", "--end", "2026-11-20", "--home-tz", "Asia/Almaty")  # fmt: skip
    for first, email, status in (("Aigerim", "a@example.kz", "confirmed"),
                                 ("Nurlan", "n@example.kz", "registered"),
                                 ("Dana", "d@example.kz", "invited")):  # fmt: skip
        cli.ok("contact", "add", "--first", first, "--last", "X", "--email", email)
        cli.ok("member", "add", "kz", email, "--status", status)
    return cli


def visit(cli: Any, *args: str) -> dict[str, Any]:
    """Add a visit to delegation kz and return its JSON."""
    record: dict[str, Any] = cli.json("visit", "add", "kz", *args)
    return record


def test_add_visit_json_contract(trip: Any) -> None:
    record = visit(
        trip, "--title", "Sorting plant tour", "--kind", "site-visit", "--company",
        "Lippe Recycling GmbH", "--start", "2026-11-17 09:00", "--duration", "2h",
        "--host-contact", "petra@lippe.example",
    )  # fmt: skip
    assert set(record) >= VISIT_KEYS
    assert record["delegation"] == "kz"
    assert record["start"] == "2026-11-17T09:00:00+01:00"
    assert record["end"] == "2026-11-17T11:00:00+01:00"
    assert record["timezone"] == "Europe/Berlin"
    assert record["company"] == "Lippe Recycling GmbH"
    assert [h["email"] for h in record["host_contacts"]] == ["petra@lippe.example"]
    assert record["host_contacts"][0]["phone"] == "+492306123456"
    # Default attendance: registered and confirmed members, not the invited one.
    assert sorted(a["email"] for a in record["attendees"]) == ["a@example.kz", "n@example.kz"]
    assert record["uid"].endswith("@greentech")
    listed = trip.json("visit", "list", "kz")
    assert listed == [record]
    table = trip.ok("visit", "list", "kz").stdout
    assert "Sorting plant tour" in table and "09:00–11:00" in table


def test_almaty_is_utc_plus_5_since_2024(trip: Any) -> None:
    record = visit(trip, "--title", "Briefing in Almaty", "--kind", "briefing", "--tz",
                   "Asia/Almaty", "--start", "17.11.2026 08:00",
                   "--end", "17.11.2026 09:00")  # fmt: skip
    assert record["start"] == "2026-11-17T08:00:00+05:00"
    assert record["timezone"] == "Asia/Almaty"


def test_dst_end_changes_the_offset(trip: Any) -> None:
    before = visit(trip, "--title", "Saturday", "--start", "2026-10-24 10:00", "--duration", "1h")
    after = visit(trip, "--title", "Monday", "--start", "2026-10-26 10:00", "--duration", "1h")
    assert before["start"].endswith("+02:00") and after["start"].endswith("+01:00")
    # A visit across the night the clocks go back lasts an hour more than its wall clock says.
    night = visit(trip, "--title", "Night shift", "--start", "2026-10-25 01:00", "--end",
                  "2026-10-25 04:00")  # fmt: skip
    start = datetime.fromisoformat(night["start"])
    end = datetime.fromisoformat(night["end"])
    assert (end - start).total_seconds() == 4 * 3600


def test_nonexistent_time_is_refused_and_ambiguous_is_the_first(trip: Any) -> None:
    result = trip.fails("visit", "add", "kz", "--title", "Spring", "--start",
                        "2026-03-29 02:30", "--duration", "1h")  # fmt: skip
    assert "does not exist" in result.stderr
    ambiguous = visit(trip, "--title", "Autumn", "--start", "2026-10-25 02:30", "--duration",
                      "20m")  # fmt: skip
    assert ambiguous["start"] == "2026-10-25T02:30:00+02:00"  # fold=0: summer time still
    assert ambiguous["end"] == "2026-10-25T02:50:00+02:00"
    # 30 minutes later it is 02:00 again (winter time): not expressible as stored wall time.
    result = trip.fails("visit", "add", "kz", "--title", "Late", "--start", "2026-10-25 02:30",
                        "--duration", "30m")  # fmt: skip
    assert "repeats" in result.stderr


def test_localize_unit() -> None:
    with pytest.raises(InvalidData):
        localize(datetime(2026, 3, 29, 2, 0), "Europe/Berlin")
    assert (
        localize(datetime(2026, 3, 29, 3, 0), "Europe/Berlin").utcoffset().total_seconds() == 7200
    )  # type: ignore[union-attr]


def test_attendees_narrow_and_must_be_members(trip: Any) -> None:
    record = visit(trip, "--title", "Lead only", "--start", "2026-11-18 09:00", "--duration",
                   "1h", "--attendee", "a@example.kz", "--attendee", "d@example.kz")  # fmt: skip
    assert [a["email"] for a in record["attendees"]] == ["a@example.kz", "d@example.kz"]
    result = trip.fails("visit", "add", "kz", "--title", "X", "--start", "2026-11-18 11:00",
                        "--duration", "1h", "--attendee", "petra@lippe.example")  # fmt: skip
    assert "not a member" in result.stderr
    back = trip.json("visit", "edit", str(record["id"]), "--all-members")
    assert len(back["attendees"]) == 2


def test_edit_move_and_remove(trip: Any) -> None:
    record = visit(trip, "--title", "Tour", "--start", "2026-11-17 09:00", "--end",
                   "2026-11-17 10:30")  # fmt: skip
    vid = str(record["id"])
    moved = trip.json("visit", "move", vid, "--start", "2026-11-17 13:30")
    assert moved["start"] == "2026-11-17T13:30:00+01:00"
    assert moved["end"] == "2026-11-17T15:00:00+01:00"  # duration kept
    assert moved["uid"] == record["uid"]  # the calendar UID survives a move
    message = trip.ok("visit", "move", vid, "--start", "2026-11-17 14:00").stderr
    assert "Moved visit" in message
    edited = trip.json("visit", "edit", vid, "--title", "Plant tour", "--kind", "site-visit",
                       "--company", "Lippe Recycling GmbH", "--location", "Gate 2")  # fmt: skip
    assert edited["title"] == "Plant tour" and edited["location"] == "Gate 2"
    moved_tz = trip.json("visit", "move", vid, "--start", "2026-11-16 08:00", "--tz",
                         "Asia/Almaty")  # fmt: skip
    assert moved_tz["start"] == "2026-11-16T08:00:00+05:00"
    trip.ok("visit", "rm", vid, "--yes")
    assert trip.json("visit", "list", "kz") == []
    trip.fails("visit", "rm", vid)
    assert "by its id" in trip.fails("visit", "rm", "tour").stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--start", "2026-11-17 11:00", "--end", "2026-11-17 10:00"), "before it starts"),
        (("--start", "2026-11-17 11:00", "--end", "2026-11-17 11:00"), "before it starts"),
        (("--start", "2026-11-17 11:00", "--duration", "1h", "--tz", "Mars/Olympus"), "time zone"),
        (("--start", "2026-11-17 11:00", "--duration", "1h", "--company", "Nope"), "no company"),
        (("--start", "2026-11-17", "--duration", "1h"), "date and time"),
        (("--start", "2026-11-17 11:00"), "duration"),
        (("--start", "2026-11-17 11:00", "--duration", "soon"), "invalid duration"),
        (("--start", "2026-11-17 11:00", "--duration", "1h", "--kind", "party"), "visit kind"),
        (
            ("--start", "2026-11-17 11:00", "--duration", "1h", "--host-contact", "x@y.z"),
            "no contact",
        ),
    ],
)
def test_bad_visit_is_one_line_and_changes_nothing(
    trip: Any, args: tuple[str, ...], message: str
) -> None:
    result = trip.fails("visit", "add", "kz", "--title", "Bad", *args)
    assert message in result.stderr, result.stderr
    assert trip.json("visit", "list", "kz") == []


def test_bad_edit_changes_nothing(trip: Any) -> None:
    record = visit(trip, "--title", "Tour", "--start", "2026-11-17 09:00", "--duration", "1h")
    trip.fails("visit", "edit", str(record["id"]), "--end", "2026-11-17 08:00")
    trip.fails("visit", "edit", str(record["id"]), "--title", "New", "--company", "Nope")
    assert trip.json("visit", "list", "kz") == [record]


def test_visit_for_missing_delegation(cli: Any) -> None:
    cli.ok("init")
    result = cli.fails("visit", "add", "nope", "--title", "X", "--start", "2026-11-17 09:00",
                       "--duration", "1h")  # fmt: skip
    assert "no delegation 'nope'" in result.stderr
