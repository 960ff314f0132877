"""Cancelled but kept (issue 17): a visit's status, shown as cancelled in every itinerary and
STATUS:CANCELLED in calendars, left out of `check`; and a member's own calendar cancelling the
visits they were taken off (RFC 5545: same UID, greater SEQUENCE)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from greentech_cli.resources import data_path
from tests.conftest import Cli
from tests.test_itinerary import assert_golden

DEMO = data_path("demo", "programme.yaml")
CODE = "kz-waste-demo"
TOUR = "Sorting plant tour"
NURLAN = "nurlan.zh@astanasu.example.kz"  # a confirmed delegate, named on visits 1 and 2


@pytest.fixture
def demo(cli: Any) -> Any:
    cli.ok("programme", "apply", str(DEMO))
    return cli


def _events(text: str) -> dict[str, Any]:
    from icalendar import Calendar

    events = list(Calendar.from_ical(text).walk("VEVENT"))
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids))  # one VEVENT per UID
    return {str(e["UID"]): e for e in events}


def _visit(cli: Any, title: str) -> dict[str, Any]:
    return next(v for v in cli.json("visit", "list", CODE) if v["title"] == title)


def _ics(cli: Any, *args: str) -> dict[str, Any]:
    return _events(cli.ok("itinerary", CODE, "--format", "ics", *args).stdout)


# --- a visit cancelled but kept ------------------------------------------------------------


def test_a_cancelled_visit_stays_listed_with_its_status(demo: Any) -> None:
    tour = _visit(demo, TOUR)
    assert tour["status"] == "planned"
    demo.ok("visit", "edit", str(tour["id"]), "--status", "cancelled")
    listed = _visit(demo, TOUR)
    assert listed["status"] == "cancelled" and listed["id"] == tour["id"]
    assert demo.json("visit", "show", str(tour["id"]))["status"] == "cancelled"
    row = next(line for line in demo.ok("visit", "list", CODE).stdout.splitlines() if TOUR in line)
    assert "\tcancelled\t" in row
    assert "status" in demo.ok("visit", "show", str(tour["id"])).stdout
    demo.ok("visit", "edit", str(tour["id"]), "--status", "Confirmed")
    assert _visit(demo, TOUR)["status"] == "confirmed"
    bad = demo.fails("visit", "edit", str(tour["id"]), "--status", "maybe")
    assert bad.stderr.startswith("Error:") and "visit status" in bad.stderr
    assert _visit(demo, TOUR)["status"] == "confirmed"  # the database as it was
    added = demo.json(
        "visit", "add", CODE, "--title", "Spare slot", "--start", "2026-11-19 17:00",
        "--duration", "1h", "--status", "cancelled",
    )  # fmt: skip
    assert added["status"] == "cancelled"


def test_a_cancelled_visit_is_labelled_in_every_language(demo: Any) -> None:
    tour = _visit(demo, TOUR)
    demo.ok("visit", "edit", str(tour["id"]), "--status", "cancelled")
    for lang, word in (("en", "CANCELLED"), ("de", "ABGESAGT"), ("ru", "ОТМЕНЕНО")):
        text = demo.ok("itinerary", CODE, "--lang", lang).stdout
        line = next(line for line in text.splitlines() if TOUR in line)
        assert word in line, (lang, line)
        assert text.count(word) == 1  # only the cancelled visit
        md = demo.ok("itinerary", CODE, "--lang", lang, "--format", "md").stdout
        assert f"~~**{TOUR}** · " in md and f"**{word}**" in md
        page = demo.ok("itinerary", CODE, "--lang", lang, "--format", "html").stdout
        assert page.count('<tr class="cancelled">') == 1
        assert f"<del>{TOUR}</del>" in page
        assert f'<strong class="status">{word.capitalize()}</strong>' in page
    # Both languages of a bilingual programme.
    both = demo.ok("itinerary", CODE, "--lang", "de+ru", "--day", "2026-11-17").stdout
    assert "ABGESAGT / ОТМЕНЕНО" in both


@pytest.mark.parametrize("fmt", ["text", "md", "html"])
def test_cancelled_golden(demo: Any, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1794657600")  # printed on 14.11.2026
    demo.ok("visit", "edit", str(_visit(demo, TOUR)["id"]), "--status", "cancelled")
    out = demo.ok("itinerary", CODE, "--format", fmt, "--lang", "de+ru", "--day", "2026-11-17")
    assert_golden(f"cancelled.de+ru.{fmt}", out.stdout)


def test_a_cancelled_visit_is_cancelled_in_calendars_and_json(demo: Any) -> None:
    tour = _visit(demo, TOUR)
    before = _ics(demo)[tour["uid"]]
    assert str(before["STATUS"]) == "CONFIRMED"
    demo.ok("visit", "edit", str(tour["id"]), "--status", "cancelled")
    after = _ics(demo)[tour["uid"]]  # the same UID, so calendars update the event they hold
    assert str(after["STATUS"]) == "CANCELLED"
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after.decoded("LAST-MODIFIED") >= before.decoded("LAST-MODIFIED")
    data = json.loads(demo.ok("itinerary", CODE, "--format", "json").stdout)
    flags = {v["title"]: v["cancelled"] for d in data["days"] for v in d["visits"]}
    assert flags[TOUR] is True
    assert sum(flags.values()) == 1
    demo.ok("visit", "edit", str(tour["id"]), "--status", "planned")
    again = _ics(demo)[tour["uid"]]
    assert str(again["STATUS"]) == "CONFIRMED"
    assert int(again["SEQUENCE"]) > int(after["SEQUENCE"])


def test_check_leaves_a_cancelled_visit_out(demo: Any) -> None:
    def codes() -> dict[str, list[list[int]]]:
        result = demo("check", CODE, "--format", "json")
        found: dict[str, list[list[int]]] = {}
        for f in json.loads(result.stdout):
            found.setdefault(f["code"], []).append(f["visit_ids"])
        return found

    tour = _visit(demo, TOUR)
    clash = demo.json(
        "visit", "add", CODE, "--title", "Extra meeting", "--kind", "workshop",
        "--start", "2026-11-17 12:00", "--duration", "1h",
    )  # fmt: skip
    plant = _visit(demo, "Wastewater treatment plant")
    before = codes()
    assert [tour["id"], clash["id"]] in before["overlap"]
    assert [_visit(demo, "Recycling centre and scrap sorting")["id"], plant["id"]] in before[
        "travel-time"
    ]
    demo.ok("visit", "edit", str(clash["id"]), "--status", "cancelled")
    demo.ok("visit", "edit", str(plant["id"]), "--status", "cancelled")
    after = codes()
    assert "overlap" not in after and "travel-time" not in after
    assert all(plant["id"] not in ids for found in after.values() for ids in found)


def test_the_programme_file_carries_the_status(demo: Any, tmp_path: Path) -> None:
    tour = _visit(demo, TOUR)
    demo.ok("visit", "edit", str(tour["id"]), "--status", "cancelled")
    dumped = demo.ok("programme", "dump", CODE).stdout
    assert dumped.count("status: cancelled") == 1
    assert "status: planned" not in dumped  # the default is not written
    path = tmp_path / "programme.yaml"
    path.write_text(dumped, encoding="utf-8")
    other = Cli(tmp_path / "other.db")
    other.ok("programme", "apply", str(path))
    assert _visit(other, TOUR)["status"] == "cancelled"
    assert _visit(other, "Lunch")["status"] == "planned"
    # Applying the file without the status takes it back to planned.
    path.write_text(dumped.replace("status: cancelled", ""), encoding="utf-8")
    other.ok("programme", "apply", str(path))
    assert _visit(other, TOUR)["status"] == "planned"


# --- a member's calendar cancels the visits they were taken off ----------------------------


def test_a_member_taken_off_a_visit_gets_it_cancelled(demo: Any) -> None:
    briefing = _visit(demo, "Pre-departure briefing")  # names its attendees, Nurlan among them
    mine = _ics(demo, "--member", NURLAN)
    held = mine[briefing["uid"]]
    assert str(held["STATUS"]) == "CONFIRMED"
    others = [a["email"] for a in briefing["attendees"] if a["email"] != NURLAN]
    demo.ok("visit", "edit", str(briefing["id"]), *(x for e in others for x in ("--attendee", e)))
    gone = _ics(demo, "--member", NURLAN)[briefing["uid"]]
    assert str(gone["STATUS"]) == "CANCELLED"  # RFC 5545: the same UID, a greater SEQUENCE
    assert int(gone["SEQUENCE"]) > int(held["SEQUENCE"])
    assert gone.decoded("DTSTAMP") >= held.decoded("DTSTAMP")
    # Nobody else's calendar cancels it, and the delegation's still has it.
    aigerim = _ics(demo, "--member", "aigerim.sadykova@aws.example.kz")[briefing["uid"]]
    assert str(aigerim["STATUS"]) == "CONFIRMED"
    assert str(_ics(demo)[briefing["uid"]]["STATUS"]) == "CONFIRMED"
    # Named again: the event comes back above the cancellation.
    demo.ok("visit", "edit", str(briefing["id"]), "--attendee", NURLAN,
            *(x for e in others for x in ("--attendee", e)))  # fmt: skip
    back = _ics(demo, "--member", NURLAN)[briefing["uid"]]
    assert str(back["STATUS"]) == "CONFIRMED"
    assert int(back["SEQUENCE"]) > int(gone["SEQUENCE"])


def test_a_cancelled_member_gets_every_default_visit_cancelled(demo: Any, tmp_path: Path) -> None:
    held = _ics(demo, "--member", NURLAN)
    lunch = _visit(demo, "Lunch")  # attended by the members by default
    briefing = _visit(demo, "Pre-departure briefing")  # names Nurlan: stays his
    demo.ok("member", "edit", CODE, NURLAN, "--status", "cancelled")
    mine = _ics(demo, "--member", NURLAN)
    assert str(mine[lunch["uid"]]["STATUS"]) == "CANCELLED"
    assert int(mine[lunch["uid"]]["SEQUENCE"]) > int(held[lunch["uid"]]["SEQUENCE"])
    assert str(mine[briefing["uid"]]["STATUS"]) == "CONFIRMED"
    dropped = {uid for uid, e in mine.items() if str(e["STATUS"]) == "CANCELLED"}
    assert dropped == {uid for uid in held if uid != briefing["uid"]} - {
        _visit(demo, "Flight Almaty – Frankfurt – Düsseldorf")["uid"]
    }
    assert "Lunch" not in demo.ok("itinerary", CODE, "--member", NURLAN).stdout
    data = json.loads(demo.ok("itinerary", CODE, "--member", NURLAN, "-f", "json").stdout)
    assert lunch["uid"] in {c["uid"] for c in data["cancelled"]}
    # The pack's calendar of the member says the same.
    folder = tmp_path / "packs"
    demo.ok("itinerary", CODE, "--each-member", "--out", str(folder))
    pack = next(folder.glob("0002-*.ics"))  # Nurlan Zhaksylykov, contact 2
    assert str(_events(pack.read_text(encoding="utf-8"))[lunch["uid"]]["STATUS"]) == "CANCELLED"
    others = [p for p in folder.glob("*.ics") if p != pack]
    assert all(
        str(_events(p.read_text(encoding="utf-8"))[lunch["uid"]]["STATUS"]) == "CONFIRMED"
        for p in others
        if lunch["uid"] in _events(p.read_text(encoding="utf-8"))
    )
    # Confirmed again: the visits come back above their cancellations.
    demo.ok("member", "edit", CODE, NURLAN, "--status", "confirmed")
    again = _ics(demo, "--member", NURLAN)
    assert str(again[lunch["uid"]]["STATUS"]) == "CONFIRMED"
    assert int(again[lunch["uid"]]["SEQUENCE"]) > int(mine[lunch["uid"]]["SEQUENCE"])


def test_a_member_removed_and_added_again_is_no_dropout(demo: Any) -> None:
    lunch = _visit(demo, "Lunch")
    demo.ok("member", "rm", CODE, NURLAN, "--yes")
    demo.ok("member", "add", CODE, NURLAN, "--status", "confirmed")
    mine = _ics(demo, "--member", NURLAN)
    assert str(mine[lunch["uid"]]["STATUS"]) == "CONFIRMED"
    assert int(mine[lunch["uid"]]["SEQUENCE"]) >= 2  # raised when he left and when he came back


def test_a_block_called_off_calls_off_its_slots(demo: Any) -> None:
    demo.ok("visit", "add", CODE, "--title", "B2B meetings", "--kind", "b2b-meeting",
            "--location", "IHK Düsseldorf", "--start", "2026-11-19 14:00",
            "--end", "2026-11-19 16:00")  # fmt: skip
    block = _visit(demo, "B2B meetings")
    demo.ok("visit", "add", CODE, "--title", "Table 2", "--kind", "b2b-meeting", "--parent",
            str(block["id"]), "--start", "2026-11-19 14:00", "--duration", "20m")  # fmt: skip
    slot = _visit(demo, "Table 2")
    before = _ics(demo)[slot["uid"]]

    demo.ok("visit", "edit", str(block["id"]), "--status", "cancelled")

    after = _ics(demo)[slot["uid"]]
    assert _visit(demo, "Table 2")["status"] == "cancelled"
    assert str(after["STATUS"]) == "CANCELLED"
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
