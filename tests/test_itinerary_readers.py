"""Itineraries for every reader (issue 17): calendars that update (SEQUENCE, LAST-MODIFIED,
STATUS:CANCELLED tombstones, GEO), consent and internal notes, Russian and bilingual output,
map links and QR codes, --member by name and one pack per member, m008 from an older database."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from greentech_cli.resources import data_path
from tests.test_itinerary import assert_golden

DEMO = data_path("demo", "programme.yaml")
CODE = "kz-waste-demo"
FORMATS = ("text", "md", "html", "ics", "json")


@pytest.fixture
def demo(cli: Any) -> Any:
    cli.ok("programme", "apply", str(DEMO))
    return cli


def _events(text: str) -> dict[str, Any]:
    from icalendar import Calendar

    calendar = Calendar.from_ical(text)
    events = list(calendar.walk("VEVENT"))
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids))  # RFC 5545: one VEVENT per UID (no RECURRENCE-ID here)
    return {str(e["UID"]): e for e in events}


def _visit(cli: Any, title: str) -> dict[str, Any]:
    return next(v for v in cli.json("visit", "list", CODE) if v["title"] == title)


# --- calendars that update -----------------------------------------------------------------


def test_a_changed_visit_raises_its_sequence_and_a_removed_one_is_cancelled(demo: Any) -> None:
    visit = _visit(demo, "Sorting plant tour")
    first = _events(demo.ok("itinerary", CODE, "--format", "ics").stdout)
    event = first[visit["uid"]]
    assert int(event["SEQUENCE"]) == 0 and str(event["STATUS"]) == "CONFIRMED"
    stamp, modified = event.decoded("DTSTAMP"), event.decoded("LAST-MODIFIED")
    # RFC 5545 3.8.7.2/3.8.7.3: both in UTC; here the time of the visit's last change.
    assert stamp.tzinfo is not None and stamp.utcoffset().total_seconds() == 0
    assert stamp == modified
    # The same programme exported again is the same file (DTSTAMP is not the export time).
    assert (
        demo.ok("itinerary", CODE, "--format", "ics").stdout
        == demo.ok("itinerary", CODE, "--format", "ics").stdout
    )
    # GEO from the company's point, LOCATION with the full address, an OpenStreetMap URL.
    assert event.decoded("GEO") is not None
    assert "Bamlerstraße 40, 45141 Essen" in str(event["LOCATION"])
    assert str(event["URL"]).startswith("https://www.openstreetmap.org/?mlat=")

    demo.ok("visit", "edit", str(visit["id"]), "--start", "2026-11-17 12:00")
    second = _events(demo.ok("itinerary", CODE, "--format", "ics").stdout)[visit["uid"]]
    assert int(second["SEQUENCE"]) == 1
    assert second.decoded("LAST-MODIFIED") >= modified
    demo.ok("visit", "edit", str(visit["id"]), "--notes", "Bring safety shoes.")
    assert (
        int(_events(demo.ok("itinerary", CODE, "-f", "ics").stdout)[visit["uid"]]["SEQUENCE"]) == 2
    )
    # Editing nothing new changes nothing.
    demo.ok("visit", "edit", str(visit["id"]), "--notes", "Bring safety shoes.")
    assert (
        int(_events(demo.ok("itinerary", CODE, "-f", "ics").stdout)[visit["uid"]]["SEQUENCE"]) == 2
    )

    demo.ok("visit", "rm", str(visit["id"]), "--yes")
    text = demo.ok("itinerary", CODE, "--format", "ics").stdout
    gone = _events(text)[visit["uid"]]
    assert str(gone["STATUS"]) == "CANCELLED" and int(gone["SEQUENCE"]) == 3
    assert gone.decoded("DTSTAMP").utcoffset().total_seconds() == 0
    assert str(gone["SUMMARY"]) == "Sorting plant tour"
    assert "Sorting plant tour" not in demo.ok("itinerary", CODE).stdout
    cancelled = json.loads(demo.ok("itinerary", CODE, "-f", "json").stdout)["cancelled"]
    assert [c["uid"] for c in cancelled] == [visit["uid"]]
    # vobject, an independent reader, reads the same file.
    import vobject

    parsed = vobject.readOne(text)
    statuses = {e.uid.value: e.status.value for e in parsed.vevent_list}
    assert statuses[visit["uid"]] == "CANCELLED"


def test_a_visit_given_back_its_uid_continues_past_its_tombstone(demo: Any, tmp_path: Path) -> None:
    visit = _visit(demo, "Sorting plant tour")
    dumped = demo.ok("programme", "dump", CODE).stdout
    demo.ok("visit", "rm", str(visit["id"]), "--yes")
    source = tmp_path / "programme.yaml"
    source.write_text(dumped, encoding="utf-8")
    demo.ok("programme", "apply", str(source))
    event = _events(demo.ok("itinerary", CODE, "--format", "ics").stdout)[visit["uid"]]
    assert str(event["STATUS"]) == "CONFIRMED" and int(event["SEQUENCE"]) == 2


def test_the_tombstones_go_with_their_delegation(db: Any) -> None:
    from greentech_cli.services.records import delegations
    from greentech_cli.services.schedule import visits

    made = delegations.add(db, {"code": "t", "title": "T", "start_date": "2026-11-16",
                                "end_date": "2026-11-20", "direction": "incoming"})  # fmt: skip
    visit = visits.add(db, "t", {"title": "Tour", "start": "2026-11-17 09:00", "duration": "1h"})
    visits.remove(db, visit.id or 0)
    count = "SELECT count(*) FROM visit_tombstones WHERE delegation_id = ?"
    assert db.execute(count, [made.id]).fetchone()[0] == 1
    delegations.remove(db, "t")
    assert db.execute(count, [made.id]).fetchone()[0] == 0


# --- consent and internal notes -------------------------------------------------------------


def test_no_phone_or_email_without_share_consent_in_any_format(demo: Any) -> None:
    # Andreas Vogt (host, consent no) and Nurlan Zhaksylykov (delegate, consent no).
    for fmt in FORMATS:
        result = demo.ok("itinerary", CODE, "--format", fmt)
        assert "Andreas Vogt" in result.stdout, fmt  # the name always
        assert "555400" not in result.stdout and "vogt@" not in result.stdout, fmt
        assert "Zhaksylykov" not in result.stdout, fmt
        assert "email and phone withheld (no share consent): Andreas Vogt" in result.stderr
        assert "not listed as attendees (share consent no): Nurlan Zhaksylykov" in result.stderr
    # A host who agreed keeps their phone.
    assert "Mehmet Yılmaz, +49 201 5554400" in demo.ok("itinerary", CODE).stdout


def test_internal_notes_only_for_the_officer(demo: Any) -> None:
    visit = _visit(demo, "Welcome dinner")
    demo.ok(
        "visit",
        "edit",
        str(visit["id"]),
        "--internal-notes",
        "Booking ref BX-4411, halal for Zhanibek",
    )
    for audience in ("participant", "caterer"):
        for fmt in FORMATS:
            out = demo.ok("itinerary", CODE, "-f", fmt, "--audience", audience).stdout
            assert "BX-4411" not in out, (audience, fmt)
    for fmt in FORMATS:
        out = demo.ok("itinerary", CODE, "-f", fmt, "--audience", "officer").stdout
        assert "BX-4411" in out, fmt
    assert demo.json("visit", "show", str(visit["id"]))["internal_notes"].startswith("Booking")


# --- languages ------------------------------------------------------------------------------


def test_russian_and_bilingual_golden(demo: Any) -> None:
    visit = _visit(demo, "Sorting plant tour")
    demo.ok("visit", "edit", str(visit["id"]), "--title-ru", "Экскурсия на сортировочный завод",
            "--title-de", "Besichtigung der Sortieranlage")  # fmt: skip
    for fmt in ("text", "md"):
        assert_golden(
            f"demo.ru.{fmt}", demo.ok("itinerary", CODE, "-f", fmt, "--lang", "ru").stdout
        )
    assert_golden("demo.de+ru.md", demo.ok("itinerary", CODE, "-f", "md", "--lang", "de+ru").stdout)
    ru = demo.ok("itinerary", CODE, "--lang", "ru").stdout
    assert "Вт, 17 ноября 2026 г." in ru and "Экскурсия на сортировочный завод" in ru
    # No Russian title: the title as written.
    assert "Welcome dinner · Питание" in ru
    english = demo.ok("itinerary", CODE, "--lang", "en").stdout
    assert "Sorting plant tour" in english  # no English title given: the title as written
    both = demo.ok("itinerary", CODE, "-f", "html", "--lang", "de+ru").stdout
    assert "Besichtigung der Sortieranlage / Экскурсия на сортировочный завод" in both
    assert '<html lang="de">' in both and "Di., 17.11.2026 / Вт, 17 ноября 2026 г." in both
    cal = _events(demo.ok("itinerary", CODE, "-f", "ics", "--lang", "ru").stdout)
    assert str(cal[visit["uid"]]["SUMMARY"]) == "Экскурсия на сортировочный завод"
    data = json.loads(demo.ok("itinerary", CODE, "-f", "json", "--lang", "ru").stdout)
    assert data["lang"] == "ru" and data["days"][1]["heading"] == "Вт, 17 ноября 2026 г."
    tour = next(v for d in data["days"] for v in d["visits"] if v["uid"] == visit["uid"])
    assert tour["title"] == "Экскурсия на сортировочный завод"
    assert tour["translations"]["title"]["de"] == "Besichtigung der Sortieranlage"


def test_an_unknown_language_is_a_usage_error(demo: Any) -> None:
    for lang in ("fr", "de+de", "de+en+ru"):
        result = demo.fails("itinerary", CODE, "--lang", lang, code=2)
        assert "unknown language" in result.stderr


def test_titles_per_language_in_the_programme_file(cli: Any, tmp_path: Path) -> None:
    source = tmp_path / "p.yaml"
    source.write_text(
        "format: greentech-programme/1\n"
        "delegation: {code: t, title: T, direction: incoming, start_date: '2026-11-16',\n"
        "  end_date: '2026-11-20'}\n"
        "visits:\n"
        "  - title: {de: Stadtführung, ru: Экскурсия по городу}\n"
        "    notes: {en: Comfortable shoes, ru: Удобная обувь}\n"
        "    internal_notes: Guide paid in cash\n"
        "    start: '2026-11-17 09:00'\n"
        "    duration: 2h\n",
        encoding="utf-8",
    )
    cli.ok("programme", "apply", str(source))
    dumped = cli.ok("programme", "dump", "t").stdout
    assert "title: Stadtführung" in dumped and "title_ru: Экскурсия по городу" in dumped
    assert "internal_notes: Guide paid in cash" in dumped
    again = tmp_path / "again.yaml"
    again.write_text(dumped, encoding="utf-8")
    cli.ok("programme", "apply", str(again))
    assert cli.ok("programme", "dump", "t").stdout == dumped
    ru = cli.ok("itinerary", "t", "--lang", "ru").stdout
    assert "Экскурсия по городу" in ru and "Удобная обувь" in ru
    en = cli.ok("itinerary", "t", "--lang", "en").stdout
    assert "Stadtführung" in en and "Comfortable shoes" in en  # fallback: the text as written
    source.write_text(source.read_text().replace("{de: Stadt", "{fr: x, de: Stadt"), "utf-8")
    assert "unknown language fr" in cli.fails("programme", "apply", str(source)).stderr


# --- map links and QR codes ---------------------------------------------------------------


def test_html_has_a_map_link_and_the_qr_code_of_each_place(demo: Any) -> None:
    from greentech_cli.exporters.itinerary_pages import qr_svg

    page = demo.ok("itinerary", CODE, "-f", "html").stdout
    urls = sorted(set(re.findall(r'<a href="(https://www\.openstreetmap\.org/[^"]+)"', page)))
    assert len(urls) >= 10
    for url in urls:
        assert qr_svg(url.replace("&amp;", "&")) in page
    md = demo.ok("itinerary", CODE, "-f", "md").stdout
    assert "[Map](<https://www.openstreetmap.org/?mlat=51.47000&mlon=7.02500&zoom=17>)" in md


def test_the_qr_code_is_segnos_own(demo: Any) -> None:
    import io

    import segno

    from greentech_cli.exporters.itinerary_pages import QR_MASK, qr_svg

    url = "https://www.openstreetmap.org/?mlat=51.47000&mlon=7.02500&zoom=17"
    own = io.BytesIO()
    segno.make(url, error="m", micro=False, mask=QR_MASK).save(
        own, kind="svg", xmldecl=False, svgns=True, nl=False, scale=2, border=2
    )
    assert qr_svg(url) == own.getvalue().decode()
    # The symbol holds the URL: segno's own matrix of it, module for module.
    symbol = segno.make(url, error="m", micro=False, mask=QR_MASK)
    assert symbol.mode == "byte" and symbol.version == 5
    assert symbol.matrix == segno.make(url, error="m", micro=False, mask=QR_MASK).matrix


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed")
def test_the_printed_pdf_links_each_place(demo: Any, tmp_path: Path) -> None:
    page, pdf = tmp_path / "p.html", tmp_path / "p.pdf"
    demo.ok("itinerary", CODE, "--format", "html", "--out", str(page))
    command = [
        "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}", "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}", page.as_uri(),
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    content = pdf.read_bytes()
    html = page.read_text(encoding="utf-8")
    urls = set(re.findall(r'<a href="(https://www\.openstreetmap\.org/[^"]+)"', html))
    for url in urls:
        assert f"/URI ({url.replace('&amp;', '&')})".encode() in content, url


# --- members --------------------------------------------------------------------------------


def test_member_by_name_in_either_script(demo: Any) -> None:
    latin = demo.ok("itinerary", CODE, "--member", "Aigerim Sadykova").stdout
    cyrillic = demo.ok("itinerary", CODE, "--member", "Садыкова").stdout
    assert latin == cyrillic and "Aigerim Sadykova" in latin
    demo.fails("itinerary", CODE, "--member", "Nobody Atall")


def test_an_ambiguous_name_lists_the_candidates(demo: Any) -> None:
    added = demo.json("contact", "add", "--first", "Aigerim", "--last", "Bekova")
    demo.ok("member", "add", CODE, str(added["id"]))
    result = demo.fails("itinerary", CODE, "--member", "aigerim")
    assert "2 members of kz-waste-demo are called 'aigerim'" in result.stderr
    assert "Aigerim Sadykova (id 1)" in result.stderr and "Aigerim Bekova" in result.stderr


def test_each_member_gets_a_pack(demo: Any, tmp_path: Path) -> None:
    folder = tmp_path / "packs"
    result = demo.ok("itinerary", CODE, "--each-member", "--out", str(folder), "--lang", "ru")
    members = demo.json("member", "list", CODE)
    files = sorted(p.name for p in folder.iterdir())
    assert len(files) == 2 * len(members) + 1 and "index.html" in files
    for path in folder.iterdir():
        assert path.stat().st_mode & 0o777 == 0o600, path
    index = (folder / "index.html").read_text(encoding="utf-8")
    for name in files:
        if name != "index.html":
            assert f'href="{name}"' in index
            assert re.fullmatch(r"\d{4}-[\w-]+\.(html|ics)", name), name
    ics = next(p for p in folder.iterdir() if p.suffix == ".ics")
    assert _events(ics.read_text(encoding="utf-8"))
    assert "Wrote" in result.stderr
    assert (
        "already holds"
        in demo.fails("itinerary", CODE, "--each-member", "--out", str(folder)).stderr
    )
    demo.fails("itinerary", CODE, "--each-member", code=2)


# --- schema ---------------------------------------------------------------------------------


def test_an_older_database_gains_the_itinerary_schema(tmp_path: Path) -> None:
    from greentech_cli import migrations
    from greentech_cli.db import open_db
    from greentech_cli.services.schedule import visits

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    migrations.apply(conn, [n for n in migrations.known_names() if n < "m008"])
    conn.execute(
        "INSERT INTO delegations (code, title, direction, start_date, end_date, timezone, "
        "created_at, updated_at) VALUES ('kz', 'KZ', 'incoming', '2026-11-16', '2026-11-20', "
        "'Europe/Berlin', '2026', '2026')"
    )
    conn.execute(
        "INSERT INTO visits (delegation_id, title, kind, start_local, end_local, timezone, "
        "notes, uid, created_at, updated_at) VALUES (1, 'Tour', 'site-visit', "
        "'2026-11-17T08:00', '2026-11-17T09:00', 'Europe/Berlin', 'Shoes', 'u1@greentech', "
        "'2026-10-01T08:00:00+00:00', '2026-10-01T08:00:00+00:00')"
    )
    conn.commit()
    conn.close()
    db = open_db(path)
    try:
        record = visits.record(db, 1)
        assert record["sequence"] == 0 and record["internal_notes"] is None
        assert record["translations"] == {} and record["notes"] == "Shoes"
        visits.edit(db, 1, {"title_ru": "Экскурсия"})
        assert visits.record(db, 1)["sequence"] == 1
        visits.remove(db, 1)
        row = db.execute("SELECT uid, sequence FROM visit_tombstones").fetchone()
        assert tuple(row) == ("u1@greentech", 2)
    finally:
        db.close()
