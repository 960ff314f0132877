"""Itineraries: golden text, Markdown and HTML in both languages, ICS read back, JSON, PDF."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from greentech_cli.resources import data_path

GOLDEN = Path(__file__).parent / "golden" / "itinerary"
UPDATE = os.environ.get("GREENTECH_UPDATE_GOLDEN") == "1"
DEMO = data_path("demo", "programme.yaml")
CODE = "kz-waste-demo"


@pytest.fixture
def demo(cli: Any) -> Any:
    """The demo programme loaded the real way: through `programme apply`."""
    cli.ok("programme", "apply", str(DEMO))
    return cli


def assert_golden(name: str, actual: str) -> None:
    """Compare with tests/golden/itinerary/NAME (rewritten when GREENTECH_UPDATE_GOLDEN=1)."""
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with GREENTECH_UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["text", "md", "html"])
@pytest.mark.parametrize("lang", ["en", "de"])
def test_golden_outputs(demo: Any, fmt: str, lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1794657600")  # printed on 14.11.2026
    out = demo.ok("itinerary", CODE, "--format", fmt, "--lang", lang).stdout
    assert_golden(f"demo.{lang}.{fmt}", out)


def test_golden_member_day(demo: Any) -> None:
    out = demo.ok("itinerary", CODE, "--member", "olga.weber@dolmetsch.example", "--lang", "de",
                  "--day", "16.11.2026").stdout  # fmt: skip
    assert_golden("olga-monday.de.text", out)


def test_text_shows_both_zones_and_hosts(demo: Any) -> None:
    out = demo.ok("itinerary", CODE, "--day", "2026-11-17").stdout
    assert "Tue, 17 Nov 2026" in out
    assert "09:00–10:30  13:00–14:30 Almaty" in out  # Berlin and Almaty side by side
    assert "Host: Mehmet Yılmaz, +49 201 5554400" in out
    assert "Mon, 16 Nov" not in out
    german = demo.ok("itinerary", CODE, "--lang", "de", "--day", "2026-11-17").stdout
    assert "Di., 17.11.2026" in german and "Gastgeber: Mehmet Yılmaz" in german


def test_out_writes_the_same_as_stdout(demo: Any, tmp_path: Path) -> None:
    for fmt in ("text", "md", "html", "json"):
        target = tmp_path / f"it.{fmt}"
        result = demo.ok("itinerary", CODE, "--format", fmt, "--out", str(target))
        assert result.stdout == ""
        assert "Wrote the itinerary" in result.stderr
        assert (
            target.read_text(encoding="utf-8") == demo.ok("itinerary", CODE, "--format", fmt).stdout
        )


def test_every_format_comes_from_the_registry(demo: Any) -> None:
    from greentech_cli.exporters.registry import ITINERARY_FORMATS, itinerary_names

    assert itinerary_names() == ["text", "md", "html", "ics", "json"]
    for name, fmt in ITINERARY_FORMATS.items():
        assert callable(fmt.writer()), name
        assert demo.ok("itinerary", CODE, "--format", name).stdout.strip()
    assert "One of: text, md, html, ics, json." in " ".join(
        demo.ok("itinerary", "--help").stdout.split()
    )
    result = demo.fails("itinerary", CODE, "--format", "pdf", code=2)
    assert "unknown itinerary format 'pdf'; choose one of text, md, html, ics, json" in (
        result.stderr
    )


def test_out_is_owner_only_and_replaces_a_file_whole(demo: Any, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "programm.ics"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o644)
    demo.ok("itinerary", CODE, "--format", "ics", "--out", str(target))
    assert target.stat().st_mode & 0o777 == 0o600
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    assert [p.name for p in folder.iterdir()] == ["programm.ics"]  # no temporary left
    demo.fails("itinerary", CODE, "--out", str(folder / "missing" / "x.txt"))
    assert [p.name for p in folder.iterdir()] == ["programm.ics"]


def test_json_itinerary(demo: Any) -> None:
    data = json.loads(demo.ok("itinerary", CODE, "--format", "json").stdout)
    assert data["delegation"]["code"] == CODE
    assert [d["date"] for d in data["days"]] == [f"2026-11-{n}" for n in range(16, 21)]
    briefing = data["days"][0]["visits"][0]
    assert briefing["start"] == "2026-11-16T07:30:00+05:00"
    assert briefing["timezone"] == "Asia/Almaty"
    assert briefing["home_start"] is None  # already in the home zone
    dinner = data["days"][0]["visits"][2]
    assert dinner["start"] == "2026-11-16T19:00:00+01:00"
    assert dinner["home_start"] == "2026-11-16T23:00:00+05:00"
    member = json.loads(
        demo.ok(
            "itinerary",
            CODE,
            "--format",
            "json",
            "--member",
            "s.tulegenova@zentralasien.ahk.example",
        ).stdout
    )
    assert member["member"]["name"] == "Saule Tulegenova"
    titles = [v["title"] for d in member["days"] for v in d["visits"]]
    assert titles == ["Pre-departure briefing"]  # invited: only the visit naming her


def test_member_must_belong_to_the_delegation(demo: Any) -> None:
    result = demo.fails("itinerary", CODE, "--member", "petra.schaefer@lippe-recycling.example")
    assert "not a member" in result.stderr
    assert "invalid date" in demo.fails("itinerary", CODE, "--day", "someday").stderr
    demo.fails("itinerary", CODE, "--lang", "fr", code=2)


def _events(content: str) -> list[Any]:
    from icalendar import Calendar

    cal = Calendar.from_ical(content)
    return list(cal.walk("VEVENT"))


def test_ics_reads_back_with_zones_and_stable_uids(demo: Any, tmp_path: Path) -> None:
    from icalendar import Calendar

    first = tmp_path / "a.ics"
    second = tmp_path / "b.ics"
    demo.ok("itinerary", CODE, "--format", "ics", "--out", str(first))
    demo.ok("visit", "move", "8", "--start", "2026-11-18 13:30")  # the fix from the README
    demo.ok("itinerary", CODE, "--format", "ics", "--out", str(second))
    raw = first.read_bytes()
    assert b"\r\n" in raw and raw.count(b"BEGIN:VEVENT") == 16
    cal = Calendar.from_ical(raw)
    zones = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
    assert zones == {"Europe/Berlin", "Asia/Almaty"}
    events = _events(raw.decode())
    visits = demo.json("visit", "list", CODE)
    assert [str(e["UID"]) for e in events] == [v["uid"] for v in visits]
    briefing = events[0]
    assert briefing["DTSTART"].params["TZID"] == "Asia/Almaty"
    start = briefing.decoded("DTSTART")
    assert start.utcoffset() == timedelta(hours=5)
    assert str(briefing["LOCATION"]).startswith("AHK Zentralasien, Dostyk Ave 100")
    assert "Saule Tulegenova" in str(briefing["DESCRIPTION"])
    moved = [
        e for e in _events(second.read_text(encoding="utf-8")) if "Wastewater" in str(e["SUMMARY"])
    ]
    assert [str(e["UID"]) for e in moved] == [visits[7]["uid"]]
    assert moved[0].decoded("DTSTART").hour == 13
    assert [str(e["UID"]) for e in _events(second.read_text(encoding="utf-8"))] == [
        str(e["UID"]) for e in events
    ]


def test_ics_across_the_dst_change(cli: Any) -> None:
    cli.ok("delegation", "add", "uz", "--title", "Outgoing", "--direction", "outgoing", "--start",
           "2026-10-23", "--end", "2026-10-27", "--tz", "Asia/Tashkent")  # fmt: skip
    cli.ok("visit", "add", "uz", "--title", "Kick-off in Düsseldorf", "--tz", "Europe/Berlin",
           "--start", "2026-10-24 10:00", "--duration", "1h")  # fmt: skip
    cli.ok("visit", "add", "uz", "--title", "Debrief in Düsseldorf", "--tz", "Europe/Berlin",
           "--start", "2026-10-26 10:00", "--duration", "1h")  # fmt: skip
    cli.ok("visit", "add", "uz", "--title", "B2B Tashkent", "--start", "2026-10-25 10:00",
           "--duration", "2h")  # fmt: skip
    content = cli.ok("itinerary", "uz", "--format", "ics").stdout
    events = {str(e["SUMMARY"]): e.decoded("DTSTART") for e in _events(content)}
    assert events["Kick-off in Düsseldorf"].utcoffset() == timedelta(hours=2)
    assert events["Debrief in Düsseldorf"].utcoffset() == timedelta(hours=1)
    assert events["B2B Tashkent"].utcoffset() == timedelta(hours=5)
    text = cli.ok("itinerary", "uz").stdout
    # Home (Berlin) time beside the Tashkent time, and the Berlin visits marked with their zone.
    assert "10:00–12:00  06:00–08:00 Berlin" in text  # Berlin is back on UTC+1 that day
    assert "10:00–11:00    Kick-off in Düsseldorf" in text and "\nBerlin\n" in text
    json_days = json.loads(cli.ok("itinerary", "uz", "--format", "json").stdout)["days"]
    utc = [datetime.fromisoformat(v["start"]).utcoffset() for d in json_days for v in d["visits"]]
    assert utc == [timedelta(hours=2), timedelta(hours=5), timedelta(hours=1)]


def test_user_text_is_escaped(cli: Any) -> None:
    cli.ok("delegation", "add", "x", "--title", "<script>alert(1)</script> [bold]", "--direction",
           "incoming", "--start", "2026-11-16", "--end", "2026-11-16")  # fmt: skip
    cli.ok("visit", "add", "x", "--title", "A | B *c* <b>", "--start", "2026-11-16 09:00",
           "--duration", "1h", "--notes", "[red]not markup[/red]")  # fmt: skip
    html = cli.ok("itinerary", "x", "--format", "html").stdout
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "A | B *c* &lt;b&gt;" in html
    md = cli.ok("itinerary", "x", "--format", "md").stdout
    assert r"A \| B \*c\* &lt;b>" in md
    text = cli.ok("itinerary", "x").stdout
    assert "[red]not markup[/red]" in text and "[bold]" in text


def test_empty_programme(cli: Any) -> None:
    cli.ok("delegation", "add", "x", "--title", "Empty", "--direction", "incoming", "--start",
           "2026-11-16", "--end", "2026-11-16")  # fmt: skip
    assert "No programme items." in cli.ok("itinerary", "x").stdout
    assert (
        "Keine Programmpunkte."
        in cli.ok("itinerary", "x", "--lang", "de", "--format", "html").stdout
    )
    assert "BEGIN:VCALENDAR" in cli.ok("itinerary", "x", "--format", "ics").stdout


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed")
def test_html_prints_to_pdf_in_chromium(demo: Any, tmp_path: Path) -> None:
    page = tmp_path / "programm.html"
    pdf = tmp_path / "programm.pdf"
    demo.ok("itinerary", CODE, "--lang", "de", "--format", "html", "--out", str(page))
    command = [
        "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}", "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}", page.as_uri(),
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF")
    pages = content.count(b"/Type /Page") - content.count(b"/Type /Pages")
    assert 1 <= pages <= 6
    # Every page is A4 (the print CSS asks for it): 595 × 842 points.
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", content)
    assert boxes and all(round(float(w)) == 595 and round(float(h)) == 842 for w, h in boxes)
