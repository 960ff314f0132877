"""Retention: `privacy due` lists the travellers past their keeping time, `privacy purge` erases
them without a trace and the report still gives the same counts."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from greentech_cli.resources import data_path
from greentech_cli.services.aftertrip.retention import cutoff

CODE = "kz-waste-demo"  # ends 2026-11-20


@pytest.fixture
def demo(cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The demo with attendance and follow-ups; the config keeps data for 0 months."""
    config = tmp_path / "config.yaml"
    config.write_text("retention_months: 0\n", encoding="utf-8")
    monkeypatch.setenv("GREENTECH_CONFIG", str(config))
    cli.ok("programme", "apply", str(data_path("demo", "programme.yaml")))
    cli.ok("member", "set-status", CODE, "--status", "attended", "--all")
    visit = next(v for v in cli.json("visit", "list", CODE) if v["kind"] == "b2b-meeting")
    people = [a["id"] for a in visit["attendees"]]
    cli.ok("attendance", str(visit["id"]), "--present", str(people[0]), "--absent",
           str(people[1]))  # fmt: skip
    cli.ok("followup", "add", "--contact", str(people[0]), "--kind", "lead", "--text",
           "Wants a baler", "--delegation", CODE)  # fmt: skip
    cli.ok("contact", "edit", str(people[1]), "--notes", "Prefers calls in Russian")
    cli.config = config
    return cli


def test_cutoff_counts_months_back() -> None:
    assert cutoff(date(2026, 12, 2), 24) == date(2024, 12, 2)
    assert cutoff(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert cutoff(date(2026, 1, 15), 1) == date(2025, 12, 15)


def test_nothing_is_due_within_the_period(demo: Any) -> None:
    demo.config.write_text("retention_months: 1200\n", encoding="utf-8")
    assert demo.json("privacy", "due") == []
    result = demo.ok("privacy", "purge", "--yes")
    assert "Nobody is past retention" in result.stderr
    demo.config.write_text("retention_months: soon\n", encoding="utf-8")
    demo.fails("privacy", "due")


def test_due_lists_travellers_not_staff(demo: Any) -> None:
    rows = demo.json("privacy", "due")
    assert {r["data"] for r in rows} == {"person"}  # dietary needs are kept a month by default
    members = {m["contact_id"]: m for m in demo.json("member", "list", CODE)}
    travellers = {i for i, m in members.items() if m["role"] in ("delegate", "lead", "interpreter")}
    assert {r["contact_id"] for r in rows} == travellers
    assert {r["delegation"] for r in rows} == {CODE}
    assert all(r["end_date"] == "2026-11-20" == r["due_since"] for r in rows)
    assert demo.json("privacy", "due", "--delegation", CODE) == rows
    demo.fails("privacy", "due", "--delegation", "nope")


def test_purge_dry_run_lists_and_changes_nothing(demo: Any) -> None:
    before = demo.json("contact", "list")
    result = demo.ok("privacy", "purge", "--dry-run")
    assert "would be erased" in result.stderr
    assert "Aigerim" in result.stdout
    assert demo.json("contact", "list") == before


def test_purge_erases_without_trace_and_the_report_adds_up(demo: Any) -> None:
    report_before = demo.json("report", CODE)
    due = demo.json("privacy", "due")
    people = [demo.json("contact", "show", str(r["contact_id"])) for r in due]
    demo.ok("privacy", "purge", "--yes")
    assert demo.json("privacy", "due") == []
    report_after = demo.json("report", CODE)
    for data in (report_before, report_after):
        data.pop("generated_at")
    assert report_after == report_before
    remaining = {c["id"] for c in demo.json("contact", "list")}
    assert not remaining & {p["id"] for p in people}
    # No name, email or phone of a purged person in the bytes of the database and its WAL.
    path = demo.db_path
    data = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    needles = set()
    for person in people:
        for key in ("first_name", "last_name", "native_name", "email", "phone", "mobile"):
            if person.get(key) and len(person[key]) >= 4:
                needles.add(person[key])
    needles.update({"Wants a baler", "Prefers calls in Russian"})
    assert needles
    for needle in needles:
        assert needle.encode() not in data, needle
        assert needle.lower().encode() not in data, needle
    # the staff of the delegation stay
    assert {m["role"] for m in demo.json("member", "list", CODE)} <= {"organiser", "staff", "host"}


def test_purge_without_yes_asks_and_stops(demo: Any) -> None:
    before = demo.json("contact", "list")
    result = demo("privacy", "purge", input="n\n")
    assert result.exit_code != 0
    assert demo.json("contact", "list") == before


def test_dietary_needs_are_purged_on_their_own_shorter_time(demo: Any) -> None:
    members = demo.json("member", "list", CODE)
    staff = next(m for m in members if m["role"] in ("organiser", "staff"))
    traveller = next(m for m in members if m["role"] == "delegate")
    for member, needs in ((staff, "Zöliakie glutenfrei"), (traveller, "Halal no pork xq")):
        demo.ok("member", "edit", CODE, str(member["contact_id"]), "--dietary", needs,
                "--dietary-consent", "2026-11-01")  # fmt: skip
    demo.config.write_text(
        "retention_months: 1200\nretention_months_dietary: 0\n", encoding="utf-8"
    )
    rows = demo.json("privacy", "due")
    assert sorted((r["data"], r["contact_id"]) for r in rows) == sorted(
        [("dietary", staff["contact_id"]), ("dietary", traveller["contact_id"])]
    )
    assert all(r["delegation"] == CODE and r["due_since"] == "2026-11-20" for r in rows)
    people = {c["id"] for c in demo.json("contact", "list")}
    result = demo.ok("privacy", "purge", "--yes")
    assert "2 member(s)' dietary needs" in result.stderr
    assert demo.json("privacy", "due") == []
    assert {c["id"] for c in demo.json("contact", "list")} == people  # the people stay
    path = demo.db_path
    data = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    for needle in ("Zöliakie glutenfrei", "Halal no pork xq"):
        assert needle.encode() not in data
