"""The iCalendar text greentech writes itself (exporters/ics.py): escaping, folding at 75 octets
and VTIMEZONEs whose observances carry the offsets across a change of the clocks, read back by
`icalendar` and by `vobject` (which builds its zones from the VTIMEZONE, not from its name)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from greentech_cli.exporters import ics
from greentech_cli.models.itinerary import Day, Entry, Itinerary
from greentech_cli.models.records import Delegation, Visit
from greentech_cli.resources import data_path

BERLIN = ZoneInfo("Europe/Berlin")


def _itinerary(title: str, *starts: datetime) -> Itinerary:
    delegation = Delegation(
        code="kz", title=title, direction="incoming", start_date=date(2026, 10, 20),
        end_date=date(2026, 11, 2), timezone="Europe/Berlin", id=1,
    )  # fmt: skip
    entries = [
        Entry(
            visit=Visit(
                delegation_id=1,
                title=title,
                start=start,
                end=start + timedelta(hours=1),
                timezone=str(start.tzinfo),
                uid=f"v{n}@greentech",
                id=n + 1,
                modified="2026-10-01T08:00:00+00:00",
            ),
            company=None,
            place=None,
            hosts=[],
            attendees=None,
            home_start=None,
            home_end=None,
            zone_differs=False,
        )
        for n, start in enumerate(starts)
    ]
    return Itinerary(delegation=delegation, days=[Day(starts[0].date(), entries)])


def test_lines_are_folded_at_75_octets_never_inside_a_character() -> None:
    line = "SUMMARY:" + "Пункт программы; обед, ужин " * 6
    folded = ics.fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line


@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=200))
def test_any_title_reads_back_as_written(title: str) -> None:
    from icalendar import Calendar

    start = datetime(2026, 11, 17, 9, 0, tzinfo=BERLIN)
    content = ics.ics(_itinerary(title, start), "en")
    event = next(iter(Calendar.from_ical(content).walk("VEVENT")))
    assert str(event["SUMMARY"]) == title


def test_a_change_of_the_clocks_is_in_the_vtimezone() -> None:
    import vobject

    before = datetime(2026, 10, 20, 9, 0, tzinfo=BERLIN)  # summer time, +02:00
    after = datetime(2026, 11, 2, 9, 0, tzinfo=BERLIN)  # winter time, +01:00
    content = ics.ics(_itinerary("Tour", before, after), "en")
    assert content.count("BEGIN:VTIMEZONE") == 1
    assert "BEGIN:DAYLIGHT\r\nDTSTART:20261020T090000\r\n" in content
    # The clocks go back at 03:00 summer time on 25 October: from +0200 to +0100.
    assert (
        "BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZNAME:CET\r\nTZOFFSETFROM:+0200\r\n"
        "TZOFFSETTO:+0100\r\nEND:STANDARD" in content
    )
    # vobject's zone built from this VTIMEZONE alone (its registry may hold an earlier file's).
    zone = vobject.readOne(content).vtimezone.gettzinfo()
    starts = [datetime(2026, 10, 20, 9, 0, tzinfo=zone), datetime(2026, 11, 2, 9, 0, tzinfo=zone)]
    assert [s.utcoffset() for s in starts] == [timedelta(hours=2), timedelta(hours=1)]
    assert [s.astimezone(BERLIN) for s in starts] == [before, after]


@pytest.mark.parametrize("fmt", ["ics", "html"])
def test_calendars_and_printed_pages_load_no_calendar_library_or_template_engine(
    cli: Any, fmt: str
) -> None:
    """Their import and compile cost a third of the command (issue 17's 300 ms budget)."""
    cli.ok("programme", "apply", str(data_path("demo", "programme.yaml")))
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "greentech_cli", "--db", str(cli.db_path),
         "itinerary", "kz-waste-demo", "--format", fmt, "--out", os.devnull],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines()}
    assert not imported & {"icalendar", "jinja2", "markupsafe"}
