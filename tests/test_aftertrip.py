"""Attendance, bulk member status and the funder's report (json, table, xlsx, html)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from greentech_cli.models.records import ATTENDANCE_STATUSES
from greentech_cli.render.labels import KINDS
from greentech_cli.resources import data_path

CODE = "kz-waste-demo"
REPORT_KEYS = {
    "visits_by_kind", "companies_by_sector", "companies_by_region", "b2b_meetings_held",
    "delegates_by_country", "delegates_by_kind", "attendance", "followups_by_kind",
    "leads_by_status", "members_by_status", "delegations", "period", "delegation",
}  # fmt: skip


@pytest.fixture
def demo(cli: Any) -> Any:
    """The demo programme, applied the real way."""
    cli.ok("programme", "apply", str(data_path("demo", "programme.yaml")))
    return cli


def b2b_visit(cli: Any) -> int:
    visits = cli.json("visit", "list", CODE)
    return next(v["id"] for v in visits if v["kind"] == "b2b-meeting")


def test_set_status_all_role_and_named(demo: Any) -> None:
    members = demo.json("member", "list", CODE)
    result = demo.ok("member", "set-status", CODE, "--status", "attended", "--all")
    assert f"of {len(members)} member(s) now attended" in result.stderr
    assert {m["status"] for m in demo.json("member", "list", CODE)} == {"attended"}
    demo.ok("member", "set-status", CODE, "--status", "confirmed", "--role", "interpreter")
    statuses = {m["role"]: m["status"] for m in demo.json("member", "list", CODE)}
    assert statuses["interpreter"] == "confirmed" and statuses["lead"] == "attended"
    one = members[0]["contact_id"]
    demo.ok("member", "set-status", CODE, "--status", "no-show", str(one))
    by_id = {m["contact_id"]: m["status"] for m in demo.json("member", "list", CODE)}
    assert by_id[one] == "no-show"
    # attended and no-show members stay attendees of visits without named attendees
    visits = demo.json("visit", "list", CODE)
    defaults = [v for v in visits if one in [a["id"] for a in v["attendees"]]]
    assert defaults, "a no-show member is still among the default attendees"


def test_set_status_refuses_bad_input_and_changes_nothing(demo: Any) -> None:
    before = demo.json("member", "list", CODE)
    demo.fails("member", "set-status", CODE, "--status", "gone", "--all")
    demo.fails("member", "set-status", CODE, "--status", "attended", code=2)
    demo.fails("member", "set-status", CODE, "--status", "attended", "--all", "--role", "lead",
               code=2)  # fmt: skip
    demo.fails("member", "set-status", CODE, "--status", "attended", "1", "nobody@example.org")
    assert demo.json("member", "list", CODE) == before


def test_attendance_recorded_per_visit(demo: Any) -> None:
    visit = b2b_visit(demo)
    record = next(v for v in demo.json("visit", "list", CODE) if v["id"] == visit)
    attendees = [a["id"] for a in record["attendees"]]
    first, second, third = attendees[:3]
    demo.ok("attendance", str(visit), "--present", str(first), "--present", str(second),
            "--absent", str(third))  # fmt: skip
    rows = demo.json("attendance", str(visit))
    recorded = {r["contact_id"]: r["attendance"] for r in rows}
    assert recorded[first] == recorded[second] == "present"
    assert recorded[third] == "absent"
    assert sorted(recorded) == sorted(attendees)
    # changing one keeps the others
    demo.ok("attendance", str(visit), "--excused", str(third))
    assert {r["contact_id"]: r["attendance"] for r in demo.json("attendance", str(visit))}[
        third
    ] == "excused"


def test_attendance_of_a_non_attendee_is_refused(demo: Any) -> None:
    visit = b2b_visit(demo)
    demo.ok("contact", "add", "--first", "Outside", "--email", "out@example.org")
    result = demo.fails("attendance", str(visit), "--present", "out@example.org")
    assert "not an attendee" in result.stderr
    assert all(r["attendance"] is None for r in demo.json("attendance", str(visit)))
    demo.fails("attendance", "9999", "--present", "1")
    demo.fails("attendance", "x")


def test_report_json_counts_match_visit_and_member_lists(demo: Any) -> None:
    visit = b2b_visit(demo)
    members = demo.json("member", "list", CODE)
    ids = [m["contact_id"] for m in members if m["role"] in ("delegate", "lead")]
    demo.ok("member", "set-status", CODE, "--status", "attended", "--all")
    demo.ok("member", "set-status", CODE, "--status", "no-show", str(ids[-1]))
    demo.ok("attendance", str(visit), "--present", str(ids[0]), "--absent", str(ids[1]),
            "--excused", str(ids[2]))  # fmt: skip
    demo.ok("followup", "add", "--contact", str(ids[0]), "--kind", "lead", "--text", "Press",
            "--delegation", CODE)  # fmt: skip
    demo.ok("followup", "add", "--contact", str(ids[1]), "--kind", "agreement", "--text", "MoU",
            "--visit", str(visit))  # fmt: skip
    report = demo.json("report", CODE)
    assert set(report) >= REPORT_KEYS
    visits = demo.json("visit", "list", CODE)
    assert report["visits_by_kind"] == dict(Counter(v["kind"] for v in visits))
    members = demo.json("member", "list", CODE)
    assert report["members_by_status"] == dict(Counter(m["status"] for m in members))
    delegates = [m for m in members if m["role"] in ("delegate", "lead")]
    countries: Counter[str] = Counter()
    for member in delegates:
        contact = demo.json("contact", "show", str(member["contact_id"]))
        company = (
            demo.json("company", "show", str(contact["company_id"]))
            if contact["company_id"]
            else {}
        )
        countries[contact["country"] or company.get("country") or "unknown"] += 1
    assert report["delegates_by_country"] == dict(countries)
    assert report["attendance"] == {"present": 1, "absent": 1, "excused": 1}
    assert report["b2b_meetings_held"] == 1
    assert report["followups_by_kind"] == {"agreement": 1, "lead": 1}
    assert report["leads_by_status"] == {"open": 1}
    hosts = {v["company"] for v in visits if v["company"]}
    assert sum(report["companies_by_region"].values()) >= len(hosts)
    [only] = report["delegations"]
    assert only["code"] == CODE
    for key in ("visits_by_kind", "attendance", "b2b_meetings_held"):
        assert only[key] == report[key]


def test_report_without_present_attendee_holds_no_b2b_meeting(demo: Any) -> None:
    visit = b2b_visit(demo)
    first = demo.json("attendance", str(visit))[0]["contact_id"]
    demo.ok("attendance", str(visit), "--absent", str(first))
    assert demo.json("report", CODE)["b2b_meetings_held"] == 0


def test_report_period_and_bad_periods(demo: Any) -> None:
    assert [d["code"] for d in demo.json("report", "--since", "2026-11-01")["delegations"]] == [
        CODE
    ]
    assert demo.json("report", "--until", "2020-01-01")["delegations"] == []
    result = demo.fails("report", "--since", "2026-12-01", "--until", "2026-11-01")
    assert "ends" in result.stderr
    demo.fails("report", "--since", "someday")
    demo.fails("report", CODE, "--since", "2026-01-01", code=2)
    demo.fails("report", "no-such-trip")


def test_report_table_in_german(demo: Any) -> None:
    out = demo.ok("report", CODE, "--lang", "de").stdout
    assert "Programmpunkte nach Art" in out and "Betriebsbesichtigung" in out


def test_report_xlsx_has_one_sheet_per_table(demo: Any, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    demo.ok("company", "add", '=HYPERLINK("http://x")', "--region", "=1+1")
    demo.ok("visit", "add", CODE, "--title", "x", "--company", "=HYPERLINK(\"http://x\")",
            "--start", "2026-11-19 08:00", "--duration", "1h")  # fmt: skip
    path = tmp_path / "report.xlsx"
    demo.ok("report", "--format", "xlsx", "--out", str(path))
    assert path.stat().st_mode & 0o077 == 0
    book = load_workbook(path, read_only=True)
    assert len(book.sheetnames) == 11
    assert book.sheetnames[1] == "Visits by kind"
    rows = list(book["Visits by kind"].values)
    report = demo.json("report")
    assert rows[0] == ("What", "Total")
    assert dict(rows[1:]) == {KINDS["en"][k]: v for k, v in report["visits_by_kind"].items()}
    # Text stays text: no formula from a company's name or region.
    regions = [row[0] for row in book["Companies by region"].values]
    assert "=1+1" in regions
    book.close()


def test_report_html_has_charts_inline_and_no_scripts(demo: Any, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    demo.ok("report", CODE, "--format", "html", "--out", str(page))
    html = page.read_text(encoding="utf-8")
    assert html.count("<svg") >= 3
    assert "<script" not in html
    assert not re.search(r"(src|href)=\"https?:", html)
    assert "@page { size: A4" in html
    plain = demo.ok("report", CODE, "--format", "html", "--no-charts").stdout
    assert "<svg" not in plain and "Visits by kind" in plain


def test_report_html_escapes_data(demo: Any) -> None:
    demo.ok("company", "add", "Evil", "--region", "<script>alert(1)</script>")
    demo.ok("visit", "add", CODE, "--title", "x", "--company", "Evil", "--start",
            "2026-11-19 08:00", "--duration", "1h")  # fmt: skip
    html = demo.ok("report", CODE, "--format", "html").stdout
    assert "<script>alert" not in html


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed")
def test_report_html_prints_to_a4_in_chromium(demo: Any, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    pdf = tmp_path / "report.pdf"
    demo.ok("report", CODE, "--format", "html", "--out", str(page))
    command = [
        "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}", "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}", page.as_uri(),
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", content)
    assert boxes and all(round(float(w)) == 595 and round(float(h)) == 842 for w, h in boxes)


def test_itinerary_shows_attendance_after_the_fact(demo: Any) -> None:
    visit = b2b_visit(demo)
    before = demo.ok("itinerary", CODE, "--format", "text").stdout
    assert "Attendance" not in before
    rows = demo.json("attendance", str(visit))
    present, absent = rows[0], rows[1]
    demo.ok("attendance", str(visit), "--present", str(present["contact_id"]), "--absent",
            str(absent["contact_id"]))  # fmt: skip
    text = demo.ok("itinerary", CODE, "--format", "text").stdout
    assert "Attendance: present: " in text
    plan = demo.json("itinerary", CODE)
    entries = {v["id"]: v for day in plan["days"] for v in day["visits"]}
    assert entries[visit]["attendance"] == {
        "present": [present["name"]],
        "absent": [absent["name"]],
        "excused": [],
    }
    assert all("attendance" not in v for i, v in entries.items() if i != visit)
    assert "Anwesenheit: anwesend: " in demo.ok("itinerary", CODE, "--lang", "de").stdout


def test_report_table_golden(demo: Any) -> None:
    """The German report of the demo at a terminal, with attendance and a lead, as stored."""
    visit = b2b_visit(demo)
    rows = demo.json("attendance", str(visit))
    demo.ok("attendance", str(visit), "--present", str(rows[0]["contact_id"]), "--excused",
            str(rows[1]["contact_id"]))  # fmt: skip
    demo.ok("followup", "add", "--contact", str(rows[0]["contact_id"]), "--kind", "lead",
            "--text", "Baler", "--delegation", CODE)  # fmt: skip
    actual = demo.ok("report", CODE, "--lang", "de").stdout
    path = Path(__file__).parent / "golden" / "report" / "demo-de.txt"
    if os.environ.get("GREENTECH_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


@settings(max_examples=15, deadline=None)
@given(
    marks=st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 3), st.sampled_from(ATTENDANCE_STATUSES)),
        max_size=12,
    )
)
def test_report_attendance_adds_up_for_any_marks(marks: list[Any]) -> None:
    """Whatever is recorded (and changed again), the report counts the last mark per person and
    visit, and a b2b meeting is held when someone was present."""
    from greentech_cli.db import open_memory_db
    from greentech_cli.services.aftertrip import attendance, report
    from greentech_cli.services.records import contacts, delegations
    from greentech_cli.services.schedule import visits

    db = open_memory_db()
    delegations.add(db, {"code": "t", "title": "T", "direction": "incoming",
                         "start_date": "2026-11-16", "end_date": "2026-11-20"})  # fmt: skip
    people = []
    for n in range(4):
        contact, _ = contacts.add(db, {"first_name": f"P{n}", "email": f"p{n}@example.org"})
        delegations.add_member(db, "t", str(contact.id), {"status": "confirmed"})
        people.append(str(contact.id))
    kinds = ("b2b-meeting", "site-visit", "b2b-meeting")
    ids = [
        visits.add(db, "t", {"title": f"V{n}", "kind": kind, "start": f"2026-11-1{7 + n} 09:00",
                             "duration": "1h"}).id
        for n, kind in enumerate(kinds)
    ]  # fmt: skip
    last: dict[tuple[int, str], str] = {}
    for visit, person, status in marks:
        attendance.record(db, str(ids[visit]), **{status: [people[person]]})
        last[(visit, people[person])] = status
    counted = report.build(db, "t")
    assert counted["attendance"] == {s: list(last.values()).count(s) for s in ATTENDANCE_STATUSES}
    held = {v for (v, _), s in last.items() if s == "present" and kinds[v] == "b2b-meeting"}
    assert counted["b2b_meetings_held"] == len(held)


def test_report_counts_in_a_few_queries_however_many_delegations(demo: Any) -> None:
    """Speed (issue 19): every metric of every delegation comes from a handful of grouped
    queries, not one query (or two) per metric, whatever the number of delegations."""
    from greentech_cli.db import open_db
    from greentech_cli.services.aftertrip import report

    def queries() -> int:
        db = open_db(demo.db_path)
        statements: list[str] = []
        db.conn.set_trace_callback(statements.append)
        try:
            report.build(db)
        finally:
            db.conn.set_trace_callback(None)
            db.close()
        return len(statements)

    few = queries()
    assert few <= 5
    for n in range(3):
        demo.ok("delegation", "add", f"extra-{n}", "--title", "Extra", "--direction",
                "incoming", "--start", "2026-12-01", "--end", "2026-12-03")  # fmt: skip
    assert queries() == few
