"""`greentech b2b …` end to end: setup, participants, requests (also from a wish list),
schedule (JSON contract), show (golden grid), export, bad input, and the m006_b2b migration."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
from pathlib import Path

import pytest

from tests import engines
from tests.conftest import Cli

GOLDEN = Path(__file__).parent / "golden" / "b2b"
UPDATE_GOLDEN = os.environ.get("GREENTECH_UPDATE_GOLDEN") == "1"

PEOPLE = (
    # first, last, email, company, languages
    ("Dana", "Sadykova", "dana@kazwater.kz", "KazWater LLP", ("ru", "en")),
    ("Erlan", "Omarov", "erlan@kaz.kz", None, ("ru", "kk")),
    ("Jan", "Becker", "jan@lippe.de", "Lippe Recycling GmbH", ("de",)),
    ("Eva", "Wolf", "eva@emscher.de", "Emscher Wasser AG", ("de", "en")),
    ("Olga", "Ivanova", "olga@interpret.de", None, ("ru", "de")),
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's database, built once through the CLI and copied for each test."""
    folder = tmp_path_factory.mktemp("b2b")
    cli = Cli(engines.new_target(folder, "template.db"))
    with pytest.MonkeyPatch.context() as patch:  # never the real home, here too
        patch.setenv("HOME", str(folder / "home"))
        patch.setenv("XDG_CONFIG_HOME", str(folder / "home" / ".config"))
        patch.delenv("GREENTECH_DB", raising=False)
        patch.delenv("GREENTECH_CONFIG", raising=False)
        _build(cli)
    return cli.db_path


@pytest.fixture
def session(cli: Cli, template: Path) -> Cli:
    """A delegation with a 09:00–10:35 B2B block (visit 1): 4 slots of 20 + 5 minutes, two
    tables, Olga interpreting Russian–German; four participants."""
    engines.copy(template, cli.db_path)
    return cli


def _build(cli: Cli) -> None:
    for company in ("KazWater LLP", "Lippe Recycling GmbH", "Emscher Wasser AG"):
        cli.ok("company", "add", company)
    for first, last, email, company, languages in PEOPLE:
        args = ["contact", "add", "--first", first, "--last", last, "--email", email]
        args += ["--company", company] if company else []
        for language in languages:
            args += ["--lang", language]
        cli.ok(*args)
    cli.ok("delegation", "add", "kz-b2b", "--title", "KZ water", "--direction", "incoming",
           "--from", "KZ", "--to", "DE", "--start", "2026-11-17",
           "--end", "2026-11-19")  # fmt: skip
    for email in ("dana@kazwater.kz", "erlan@kaz.kz"):
        cli.ok("member", "add", "kz-b2b", email)
    cli.ok("visit", "add", "kz-b2b", "--title", "B2B session", "--kind", "b2b-meeting",
           "--start", "2026-11-18 09:00", "--end", "2026-11-18 10:35")  # fmt: skip
    cli.ok("b2b", "setup", "1", "--slot", "20m", "--break", "5m", "--tables", "2",
           "--interpreter", "olga@interpret.de:ru-de")  # fmt: skip
    for email in ("dana@kazwater.kz", "erlan@kaz.kz", "jan@lippe.de", "eva@emscher.de"):
        cli.ok("b2b", "participant", "add", "1", email)


def _requests(cli: Cli) -> None:
    cli.ok("b2b", "request", "add", "1", "dana@kazwater.kz", "Lippe Recycling GmbH",
           "--priority", "3")  # fmt: skip
    cli.ok("b2b", "request", "add", "1", "Jan Becker", "Dana Sadykova")
    cli.ok("b2b", "request", "add", "1", "erlan@kaz.kz", "Emscher Wasser AG")
    cli.ok("b2b", "request", "add", "1", "erlan@kaz.kz", "jan@lippe.de", "--priority", "1")


def test_setup_reports_the_slots(cli: Cli, session: Cli) -> None:
    record = session.json("b2b", "setup", "1", "--slot", "20m", "--break", "5m", "--tables", "2",
                          "--interpreter", "olga@interpret.de:ru-de")  # fmt: skip
    assert record["slots"] == [f"2026-11-18T{t}:00+01:00" for t in ("09:00", "09:25", "09:50",
                                                                     "10:15")]  # fmt: skip
    assert record["leftover_minutes"] == 0
    assert record["interpreters"] == [{"contact_id": 5, "languages": ["ru-de"], "available": None}]
    assert record["rooms"] == []


def test_schedule_json_contract_and_check(session: Cli) -> None:
    _requests(session)
    result = session.json("b2b", "schedule", "1", "--time-limit", "10s")
    for key in ("meetings", "requests_met", "requests_total", "objective", "bound", "solver"):
        assert key in result
    assert result["requests_met"] == result["requests_total"] == 4
    assert result["objective"] == 13 == result["bound"]  # (3+2)×2 mutual + 2 + 1
    meetings = {(m["a"], m["b"]): m for m in result["meetings"]}
    assert set(meetings) == {(1, 3), (2, 3), (2, 4)}
    for m in result["meetings"]:
        assert set(m) >= {"slot_start", "table", "a", "b", "interpreter"}
        assert m["interpreter"] == 5, "Russian meets German through Olga"
    starts = [m["slot_start"] for m in result["meetings"]]
    assert len(set(starts)) == 3, "one interpreter: one meeting a slot"
    # Stored: show gives the same grid; the programme check still passes.
    shown = session.json("b2b", "show", "1")
    assert {(m["a"], m["b"]) for m in shown} == set(meetings)
    session.ok("check", "kz-b2b")


def test_dry_run_stores_nothing(session: Cli) -> None:
    _requests(session)
    result = session.json("b2b", "schedule", "1", "--dry-run")
    assert result["dry_run"] and result["meetings"]
    assert session.json("b2b", "show", "1") == []


def test_show_by_table_matches_golden(session: Cli) -> None:
    _requests(session)
    session.ok("b2b", "schedule", "1")
    for by in ("table", "person"):
        text = session.ok("b2b", "show", "1", "--by", by, "--format", "table").stdout
        path = GOLDEN / f"grid_by_{by}.txt"
        if UPDATE_GOLDEN or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert text == path.read_text(encoding="utf-8")


def test_unmet_requests_say_why(session: Cli) -> None:
    session.ok("b2b", "participant", "add", "1", "erlan@kaz.kz", "--available", "09:00-09:20")
    session.ok("b2b", "participant", "add", "1", "jan@lippe.de", "--available", "09:25-10:35")
    session.ok("b2b", "request", "add", "1", "erlan@kaz.kz", "jan@lippe.de")
    result = session("b2b", "schedule", "1")
    assert result.exit_code == 0
    assert "no common free slot" in result.stderr
    data = session.json("b2b", "schedule", "1")
    assert data["unmet"][0]["reason"].startswith("no common free slot")


def test_rescheduling_after_one_more_request_says_what_moved(session: Cli) -> None:
    _requests(session)
    first = session.json("b2b", "schedule", "1")
    session.ok("b2b", "request", "add", "1", "eva@emscher.de", "dana@kazwater.kz")
    second = session.json("b2b", "schedule", "1")
    before = {(m["a"], m["b"]): (m["slot_start"], m["table"]) for m in first["meetings"]}
    after = {(m["a"], m["b"]): (m["slot_start"], m["table"]) for m in second["meetings"]}
    assert (1, 4) in after
    assert second["moved"] == []
    assert all(after[key] == place for key, place in before.items())


def test_wish_list_import_with_rejects(session: Cli, tmp_path: Path) -> None:
    path = tmp_path / "anmeldungen.csv"
    path.write_bytes(
        "E-Mail;Firma;Wunschpartner 1;Wunschpartner 2;Wunschpartner 3;Telefon\r\n"
        "dana@kazwater.kz;KazWater LLP;Lippe Recycling;Emscher Wasser AG;Unbekannt AG;\r\n"
        "jan@lippe.de;Lippe Recycling GmbH;Sadykova Dana;;;+49 2306 1234\r\n"
        "nobody@nowhere.de;Nowhere;Eva Wolf;;;\r\n".encode("cp1252")
    )
    dry = session.json("b2b", "request", "import", "1", str(path), "--dry-run")
    assert dry["created"] == 3 and dry["rejected"] == 2
    assert dry["unread_columns"] == ["Telefon"]
    assert session.json("b2b", "request", "list", "1") == []
    report = session.json("b2b", "request", "import", "1", str(path))
    assert (report["created"], report["rejected"]) == (3, 2)
    rejected = {(r["row"], r["value"]) for r in report["rejects"]}
    assert rejected == {(2, "Unbekannt AG"), (4, "Eva Wolf")}
    listed = session.json("b2b", "request", "list", "1")
    assert [(r["requester_id"], r["wanted_id"], r["priority"]) for r in listed] == [
        (1, 3, 3), (1, 4, 2), (3, 1, 3)]  # fmt: skip
    assert listed[0]["mutual"] and listed[2]["mutual"]


def test_exports_are_owner_only_files(session: Cli, tmp_path: Path) -> None:
    _requests(session)
    session.ok("b2b", "schedule", "1")
    for fmt in ("csv", "json", "xlsx", "html"):
        out = tmp_path / f"grid.{fmt}"
        session.ok("b2b", "export", "1", "--format", fmt, "--out", str(out))
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert len(json.loads((tmp_path / "grid.json").read_text())) == 3
    html = (tmp_path / "grid.html").read_text()
    assert html.count('<section class="sheet">') == 1 + 5, "a page per table used, per person"
    # The sheets without their style sheet (shared with the itinerary, which may change apart).
    body = re.sub(r"<style>.*?</style>", "<style>…</style>", html, flags=re.S)
    golden = GOLDEN / "grid.html"
    if UPDATE_GOLDEN or not golden.exists():
        golden.write_text(body, encoding="utf-8")
    assert body == golden.read_text(encoding="utf-8")
    csv_text = session.ok("b2b", "export", "1", "--format", "csv").stdout
    assert csv_text.splitlines()[0].startswith("slot,slot_start,slot_end,table,room,a,a_name")
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "grid.xlsx", read_only=True)
    assert book.sheetnames == ["B2B"]
    assert len(list(book["B2B"].iter_rows())) == 4
    book.close()
    session.fails("b2b", "export", "1", "--format", "xlsx", code=2)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("b2b", "setup", "1", "--slot", "30m", "--tables", "2"), "do not divide"),
        (("b2b", "setup", "1", "--slot", "3h", "--tables", "2"), "does not fit"),
        (("b2b", "setup", "1", "--slot", "20m", "--break", "5m", "--tables", "0"),
         "at least one table"),
        (("b2b", "setup", "1", "--slot", "20m", "--break", "5m", "--tables", "2",
          "--interpreter", "jan@lippe.de:ru-de"), "cannot interpret"),
        (("b2b", "participant", "add", "1", "olga@interpret.de"), "interprets in this session"),
        (("b2b", "participant", "add", "1", "dana@kazwater.kz", "--available", "12:00-13:00"),
         "no slot"),
        (("b2b", "request", "add", "1", "dana@kazwater.kz", "olga@interpret.de"),
         "not a participant"),
        (("b2b", "request", "add", "1", "dana@kazwater.kz", "Unknown GmbH"), "no participant"),
        (("b2b", "request", "add", "1", "dana@kazwater.kz", "jan@lippe.de", "--priority", "5"),
         "use 1, 2 or 3"),
        (("b2b", "schedule", "2"), "no visit"),
        (("b2b", "show", "1", "--by", "room"), None),
        (("b2b", "setup", "1", "--slot", "20m", "--break", "5m", "--tables", "2",
          "--interpreter", "olga@interpret.de:ru-de@12:00-13:00"), "no slot"),
        (("b2b", "setup", "1", "--slot", "20m", "--break", "5m", "--tables", "2",
          "--interpreter", "olga@interpret.de:ru-de@10:00-09:00"), "end is not after"),
        (("b2b", "setup", "1", "--slot", "20m", "--break", "5m", "--tables", "2",
          "--interpreter", "olga@interpret.de:ru-de@9 to 10"), None),
        (("b2b", "setup", "1", "--slot", "20m", "--break", "5m", "--rooms", "Saal A,saal a"),
         "named twice"),
        (("b2b", "setup", "1", "--slot", "20m", "--break", "5m", "--rooms", "Saal A,,Saal B"),
         "needs a name"),
        (("b2b", "setup", "1", "--slot", "20m", "--break", "5m", "--tables", "3", "--rooms",
          "Saal A,Saal B"), None),
        (("b2b", "setup", "1", "--slot", "20m", "--break", "5m"), None),
        (("b2b", "show", "1", "--person", "jan@lippe.de"), None),
        (("b2b", "show", "1", "--by", "person", "--person", "nobody@nowhere.de"), "--person"),
    ],
)  # fmt: skip
def test_bad_input_is_one_clear_error(
    session: Cli, args: tuple[str, ...], message: str | None
) -> None:
    before = session.json("b2b", "participant", "list", "1")
    result = session.fails(*args, code=1 if message else 2)
    if message:
        assert message in result.stderr, result.stderr
    assert session.json("b2b", "participant", "list", "1") == before


def test_a_visit_without_a_session_is_named(cli: Cli, session: Cli) -> None:
    session.ok("visit", "add", "kz-b2b", "--title", "Dinner", "--start", "2026-11-18 19:00",
               "--duration", "2h")  # fmt: skip
    result = session.fails("b2b", "request", "list", "2")
    assert "no B2B session yet" in result.stderr


@pytest.mark.sqlite_only  # an older SQLite schema migrated (PostgreSQL starts at the baseline)
def test_older_database_gains_the_b2b_tables(db_path: Path) -> None:
    from greentech_cli import migrations
    from greentech_cli.db import open_db

    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    migrations.apply(conn, names=[n for n in migrations.known_names() if n < "m006"])
    conn.execute("INSERT INTO companies (name, created_at, updated_at) VALUES ('Old AG', 'x', 'x')")
    conn.commit()
    assert "b2b_sessions" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    db = open_db(db_path)
    tables = set(db.table_names())
    assert {"b2b_sessions", "b2b_participants", "b2b_requests", "b2b_meetings",
            "b2b_interpreters"} <= tables  # fmt: skip
    assert db.execute("SELECT name FROM companies").fetchall() == [("Old AG",)]
    db.close()


def test_merge_moves_b2b_places_and_erase_leaves_no_trace(session: Cli) -> None:
    _requests(session)
    session.ok("b2b", "schedule", "1")
    session.ok("contact", "add", "--first", "Dana", "--last", "Sadykova", "--email",
               "dana.s@kazwater.kz")  # fmt: skip
    session.ok("b2b", "participant", "add", "1", "dana.s@kazwater.kz")
    session.ok("b2b", "request", "add", "1", "dana.s@kazwater.kz", "eva@emscher.de")
    session.ok("contact", "merge", "dana@kazwater.kz", "dana.s@kazwater.kz", "--yes")
    listed = session.json("b2b", "request", "list", "1")
    assert (1, 4) in {(r["requester_id"], r["wanted_id"]) for r in listed}
    assert 6 not in {p["contact_id"] for p in session.json("b2b", "participant", "list", "1")}
    held = session.json("privacy", "report", "erlan@kaz.kz")["b2b"]
    assert held["participant"][0]["visit_id"] == 1
    assert {(r["requester_id"], r["wanted_id"]) for r in held["requests"]} == {(2, 4), (2, 3)}
    assert len(held["meetings"]) == 2
    session.ok("privacy", "erase", "erlan@kaz.kz", "--yes")
    conn = engines.connect(session.db_path)
    for table, columns in (("b2b_participants", "contact_id"),
                           ("b2b_requests", "requester_id, wanted_id"),
                           ("b2b_meetings", "a_id, b_id")):  # fmt: skip
        values = {v for row in conn.execute(f"SELECT {columns} FROM {table}") for v in row}
        assert 2 not in values, table
    assert not conn.execute(
        "SELECT 1 FROM audit_log WHERE entity = 'b2b_participant' AND entity_id = 2"
    ).fetchall()
    conn.close()


def test_a_members_itinerary_and_calendar_hold_their_meetings(session: Cli) -> None:
    _requests(session)
    session.ok("b2b", "schedule", "1")
    text = session.ok("itinerary", "kz-b2b", "--member", "erlan@kaz.kz", "--lang", "en").stdout
    assert "B2B session: Erlan Omarov – Eva Wolf (Emscher Wasser AG), table 1" in text
    assert "Attendees: Erlan Omarov, Eva Wolf, Olga Ivanova" in text
    assert "Erlan Omarov – Jan Becker (Lippe Recycling GmbH), table 1" in text
    assert "Dana Sadykova" not in text, "only his own meetings"
    german = session.ok("itinerary", "kz-b2b", "--member", "erlan@kaz.kz", "--lang", "de").stdout
    assert "B2B session: Erlan Omarov – Eva Wolf (Emscher Wasser AG), Tisch 1" in german
    ics = session.ok("itinerary", "kz-b2b", "--member", "erlan@kaz.kz", "--format", "ics").stdout
    assert ics.count("BEGIN:VEVENT") == 1 + 2, "the block and one event per meeting"
    unfolded = re.sub(r"\r?\n[ \t]", "", ics)
    assert len(re.findall(r"^SUMMARY:B2B session: Erlan Omarov.*table 1\r?$", unfolded, re.M)) == 2
    # The whole delegation's programme: the block and its three meetings.
    whole = session.ok("itinerary", "kz-b2b", "--format", "ics").stdout
    assert whole.count("BEGIN:VEVENT") == 1 + 3


def test_check_finds_a_b2b_meeting_clashing_with_another_visit(session: Cli) -> None:
    _requests(session)
    session.ok("b2b", "schedule", "1")
    assert session.json("check", "kz-b2b") == []
    # Jan hosts a plant tour while he is at his B2B table with Dana (09:00–09:20).
    session.ok("visit", "add", "kz-b2b", "--title", "Plant tour", "--start", "2026-11-18 09:00",
               "--duration", "30m", "--host-contact", "jan@lippe.de",
               "--attendee", "erlan@kaz.kz")  # fmt: skip
    result = session("check", "kz-b2b", "--format", "json")
    assert result.exit_code == 1
    found = [f for f in json.loads(result.stdout) if f["code"] == "overlap"]
    slot = next(v["id"] for v in session.json("visit", "list", "kz-b2b")
                if v["title"].startswith("B2B session: Dana"))  # fmt: skip
    clash = next(f for f in found if slot in f["visit_ids"])
    assert clash["severity"] == "error" and clash["contact_ids"] == [3], clash


def test_suggest_partners_by_sector_fit(session: Cli) -> None:
    session.ok("company", "edit", "Emscher Wasser AG", "--sector", "water")
    session.ok("delegation", "edit", "kz-b2b", "--sector", "water")
    rows = session.json("b2b", "suggest", "1")
    assert {(r["requester"], r["wanted"]) for r in rows} == {(1, 4), (2, 4)}
    assert all(not r["added"] and r["reasons"] for r in rows)
    assert session.json("b2b", "request", "list", "1") == []
    session.json("b2b", "suggest", "1", "--add")
    listed = session.json("b2b", "request", "list", "1")
    assert {(r["requester_id"], r["wanted_id"], r["priority"], r["source"]) for r in listed} == {
        (1, 4, 1, "suggest"),
        (2, 4, 1, "suggest"),
    }


def test_changing_the_slots_drops_the_grid_and_says_so(session: Cli) -> None:
    _requests(session)
    session.ok("b2b", "schedule", "1")
    same = session.ok("b2b", "setup", "1", "--slot", "20m", "--break", "5m", "--tables", "3")
    assert "dropped" not in same.stderr and len(session.json("b2b", "show", "1")) == 3
    changed = session.ok("b2b", "setup", "1", "--slot", "45m", "--break", "5m", "--tables", "3")
    assert "3 scheduled meeting(s) dropped" in changed.stderr
    assert session.json("b2b", "show", "1") == []


def test_the_same_session_gives_the_same_grid(session: Cli) -> None:
    _requests(session)
    first = session.json("b2b", "schedule", "1", "--dry-run", "--seed", "7")
    again = session.json("b2b", "schedule", "1", "--dry-run", "--seed", "7")
    assert first["meetings"] == again["meetings"]
    greedy = session.json("b2b", "schedule", "1", "--dry-run", "--solver", "greedy")
    assert greedy["solver"] == "greedy" and greedy["objective"] <= first["objective"]
