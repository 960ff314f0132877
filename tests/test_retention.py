"""Retention: `privacy due` lists the travellers past their keeping time, `privacy purge` erases
them without a trace and the report still gives the same counts."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from greentech_cli.errors import InvalidData
from greentech_cli.resources import data_path
from greentech_cli.text.periods import Period, parse_period
from tests import engines

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


def test_periods_count_months_and_days_forward() -> None:
    assert Period(24).after(date(2024, 12, 2)) == date(2026, 12, 2)
    assert Period(1).after(date(2026, 1, 31)) == date(2026, 2, 28)
    assert Period(1).after(date(2025, 12, 15)) == date(2026, 1, 15)
    assert Period(90, "d").after(date(2026, 11, 20)) == date(2027, 2, 18)
    assert Period(0).after(date(2026, 11, 20)) == date(2026, 11, 20)


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("18m", "18m"), ("18 months", "18m"), (" 18 Monate ", "18m"), ("2y", "24m"),
        ("1 Jahr", "12m"), ("90d", "90d"), ("90 days", "90d"), ("14 Tage", "14d"), ("0m", "0m"),
        (24, "24m"),
    ],
)  # fmt: skip
def test_parse_period(text: object, period: str) -> None:
    assert str(parse_period(text)) == period


@given(
    st.integers(min_value=0, max_value=1200),
    st.sampled_from(["m", " months", "Monate", "d", " days", "Tage", "y"]),
    st.sampled_from(["", " ", "  "]),
)
def test_parse_period_round_trips(count: int, unit: str, space: str) -> None:
    text = f"{space}{count}{unit}{space}"
    if unit == "y" and count > 100:
        with pytest.raises(InvalidData):
            parse_period(text)
        return
    period = parse_period(text)
    assert parse_period(str(period)) == period
    months = count * 12 if unit == "y" else count
    assert str(period) == (f"{months}m" if unit in ("m", " months", "Monate", "y") else f"{count}d")


@pytest.mark.parametrize(
    "text", ["-3m", "soon", "18", "18 weeks", "m", "", "1.5m", "2401m", True, -1]
)
def test_parse_period_refuses(text: object) -> None:
    with pytest.raises(InvalidData):
        parse_period(text)


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
    data = engines.stored_bytes(demo.db_path)
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
    data = engines.stored_bytes(demo.db_path)
    for needle in ("Zöliakie glutenfrei", "Halal no pork xq"):
        assert needle.encode() not in data


# --- per delegation -------------------------------------------------------------------------


def test_delegation_keeps_its_own_periods(demo: Any) -> None:
    shown = demo.json("delegation", "show", CODE)
    assert shown["retention"] is None and shown["retention_dietary"] is None
    result = demo.ok("delegation", "edit", CODE, "--retention", "18 months",
                     "--retention-dietary", "14d")  # fmt: skip
    assert "retention" in result.stderr and "retention_dietary" in result.stderr
    shown = demo.json("delegation", "show", CODE)
    assert (shown["retention"], shown["retention_dietary"]) == ("18m", "14d")
    assert "18m" in demo.ok("delegation", "show", CODE).stdout
    demo.ok("delegation", "edit", CODE, "--retention", "default")
    assert demo.json("delegation", "show", CODE)["retention"] is None
    added = demo.json("delegation", "add", "uz-2027", "--title", "Uzbek water", "--direction",
                      "outgoing", "--from", "DE", "--to", "UZ", "--start", "2027-03-01",
                      "--end", "2027-03-05", "--tz", "Asia/Tashkent", "--retention", "2y",
                      "--format", "json")  # fmt: skip
    assert added["retention"] == "24m" and added["retention_dietary"] is None


@pytest.mark.parametrize("value", ["-3m", "soon", "18", "18 weeks"])
def test_bad_retention_is_one_line_and_changes_nothing(demo: Any, value: str) -> None:
    before = demo.json("delegation", "show", CODE)
    for option in ("--retention", "--retention-dietary"):
        result = demo.fails("delegation", "edit", CODE, option, value)
        assert result.exit_code == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error:"), result.stderr
        assert "retention period" in lines[0]
    assert demo.json("delegation", "show", CODE) == before
    result = demo.fails("delegation", "add", "x-2027", "--title", "X", "--direction",
                        "incoming", "--from", "KZ", "--to", "DE", "--start", "2027-03-01",
                        "--end", "2027-03-05", "--retention", value)  # fmt: skip
    assert result.exit_code == 1
    assert [d["code"] for d in demo.json("delegation", "list")] == [CODE]


def test_due_follows_the_delegations_own_period_and_says_why(demo: Any) -> None:
    demo.config.write_text("retention_months: 1200\n", encoding="utf-8")
    assert demo.json("privacy", "due") == []
    demo.ok("delegation", "edit", CODE, "--retention", "7d")
    rows = demo.json("privacy", "due")
    assert rows and {r["data"] for r in rows} == {"person"}
    assert {(r["period"], r["due_since"], r["rule"]) for r in rows} == {
        ("7d", "2026-11-27", f"delegation {CODE}: 7d")
    }
    table = demo.ok("privacy", "due", "--format", "table").stdout
    assert f"delegation {CODE}: 7d" in table
    # A period not over yet keeps them.
    demo.ok("delegation", "edit", CODE, "--retention", "1200m")
    assert demo.json("privacy", "due") == []
    # The config's own period is named as the rule when the delegation has none.
    demo.ok("delegation", "edit", CODE, "--retention", "default")
    demo.config.write_text("retention_months: 0\n", encoding="utf-8")
    rows = demo.json("privacy", "due")
    assert {(r["period"], r["rule"]) for r in rows} == {("0m", "config retention_months: 0m")}
    demo.config.write_text("", encoding="utf-8")
    assert demo.json("privacy", "due") == []  # the default: 24 months


def test_dietary_needs_follow_the_delegations_dietary_period(demo: Any) -> None:
    members = demo.json("member", "list", CODE)
    traveller = next(m for m in members if m["role"] == "delegate")
    demo.ok("member", "edit", CODE, str(traveller["contact_id"]), "--dietary", "Halal only",
            "--dietary-consent", "2026-11-01")  # fmt: skip
    demo.config.write_text("retention_months: 1200\nretention_months_dietary: 1200\n")
    assert demo.json("privacy", "due") == []
    demo.ok("delegation", "edit", CODE, "--retention-dietary", "3d")
    (row,) = demo.json("privacy", "due")
    assert (row["data"], row["contact_id"], row["period"], row["due_since"]) == (
        "dietary",
        traveller["contact_id"],
        "3d",
        "2026-11-23",
    )
    assert row["rule"] == f"delegation {CODE}: 3d"


def test_a_person_is_kept_while_any_of_their_delegations_is(demo: Any) -> None:
    """Two trips: the person is due only when both are past their own periods, and the row
    names the trip kept longest; purge --delegation honours each delegation's period."""
    demo.config.write_text("retention_months: 1200\n", encoding="utf-8")
    members = demo.json("member", "list", CODE)
    traveller = next(m for m in members if m["role"] == "delegate")
    demo.ok("delegation", "add", "kz-2025", "--title", "Earlier trip", "--direction", "incoming",
            "--from", "KZ", "--to", "DE", "--start", "2025-05-01", "--end", "2025-05-05",
            "--retention", "1m")  # fmt: skip
    demo.ok("member", "add", "kz-2025", str(traveller["contact_id"]))
    assert demo.json("privacy", "due") == []  # the later trip keeps them for 1200 months
    assert demo.json("privacy", "due", "--delegation", "kz-2025") == []
    result = demo.ok("privacy", "purge", "--delegation", "kz-2025", "--yes")
    assert "Nobody is past retention" in result.stderr
    demo.ok("delegation", "edit", CODE, "--retention", "1d")
    rows = demo.json("privacy", "due", "--delegation", "kz-2025")
    assert [(r["contact_id"], r["delegation"], r["rule"]) for r in rows] == [
        (traveller["contact_id"], CODE, f"delegation {CODE}: 1d")
    ]
    demo.ok("privacy", "purge", "--delegation", "kz-2025", "--yes")
    assert traveller["contact_id"] not in {c["id"] for c in demo.json("contact", "list")}
    assert demo.json("privacy", "due", "--delegation", "kz-2025") == []
    # The other travellers of CODE were not part of that purge.
    assert {r["delegation"] for r in demo.json("privacy", "due")} == {CODE}


def test_bad_config_periods_are_one_line(demo: Any) -> None:
    for text in ("retention_months: -2\n", "retention_months_dietary: soon\n"):
        demo.config.write_text(text, encoding="utf-8")
        result = demo.fails("privacy", "due")
        assert result.exit_code == 1
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    demo.config.write_text("retention_months: 10d\n", encoding="utf-8")
    assert {r["period"] for r in demo.json("privacy", "due")} == {"10d"}


def test_schedule_says_per_delegation_when_each_class_falls_due(demo: Any) -> None:
    demo.config.write_text("retention_months_dietary: 120\n", encoding="utf-8")
    demo.ok("delegation", "edit", CODE, "--retention", "7d")
    members = demo.json("member", "list", CODE)
    traveller = next(m for m in members if m["role"] == "delegate")
    demo.ok("member", "edit", CODE, str(traveller["contact_id"]), "--dietary", "Halal only",
            "--dietary-consent", "2026-11-01")  # fmt: skip
    demo.ok("delegation", "add", "later-2027", "--title", "Later", "--direction", "incoming",
            "--start", "2027-03-01", "--end", "2027-03-05")  # fmt: skip
    demo.ok("member", "add", "later-2027", str(traveller["contact_id"]))
    travellers = [m for m in members if m["role"] in ("delegate", "lead", "interpreter")]
    rows = demo.json("privacy", "due", "--schedule")
    assert rows == [
        {"delegation": CODE, "end_date": "2026-11-20", "data": "person", "period": "7d",
         "due_on": "2026-11-27", "rule": f"delegation {CODE}: 7d",
         "records": len(travellers), "due": len(travellers) - 1},
        {"delegation": CODE, "end_date": "2026-11-20", "data": "dietary", "period": "120m",
         "due_on": "2036-11-20", "rule": "config retention_months_dietary: 120m",
         "records": 1, "due": 0},
        {"delegation": "later-2027", "end_date": "2027-03-05", "data": "person", "period": "24m",
         "due_on": "2029-03-05", "rule": "default: 24m", "records": 1, "due": 0},
        {"delegation": "later-2027", "end_date": "2027-03-05", "data": "dietary", "period": "120m",
         "due_on": "2037-03-05", "rule": "config retention_months_dietary: 120m",
         "records": 0, "due": 0},
    ]  # fmt: skip
    assert demo.json("privacy", "due", "--schedule", "--delegation", "later-2027") == rows[2:]
    assert "due_on" in demo.ok("privacy", "due", "--schedule", "--format", "table").stdout


def test_programme_file_keeps_the_delegations_periods(demo: Any, tmp_path: Path) -> None:
    demo.ok("delegation", "edit", CODE, "--retention", "18m", "--retention-dietary", "14d")
    dumped = tmp_path / "programme.yaml"
    demo.ok("programme", "dump", CODE, "--out", str(dumped))
    text = dumped.read_text(encoding="utf-8")
    assert "retention: 18m" in text and "retention_dietary: 14d" in text
    demo.ok("delegation", "edit", CODE, "--retention", "default", "--retention-dietary", "default")
    demo.ok("programme", "apply", str(dumped))
    shown = demo.json("delegation", "show", CODE)
    assert (shown["retention"], shown["retention_dietary"]) == ("18m", "14d")
    dumped.write_text(text.replace("retention: 18m", "retention: soon"), encoding="utf-8")
    result = demo.fails("programme", "apply", str(dumped))
    assert "retention period" in result.stderr
    assert demo.json("delegation", "show", CODE)["retention"] == "18m"


def test_purge_lists_or_redacts_mentions_in_other_records(demo: Any, tmp_path: Path) -> None:
    """A traveller named in a host's note and in a staff member's follow-up: a purge names those
    fields, and with --redact-mentions replaces the mentions (the bytes lose them too)."""
    due = demo.json("privacy", "due")
    person = demo.json("contact", "show", str(due[0]["contact_id"]))
    name = f"{person['first_name']} {person['last_name']}"
    members = demo.json("member", "list", CODE)
    staff = next(m for m in members if m["role"] not in ("delegate", "lead", "interpreter"))
    demo.ok("contact", "edit", str(staff["contact_id"]), "--notes", f"Drives {name} to Lünen")
    demo.ok("followup", "add", "--contact", str(staff["contact_id"]), "--kind", "call",
            "--text", f"Call about {name}'s visa")  # fmt: skip
    backup = engines.copy(demo.db_path, engines.new_target(tmp_path, "copy.db"))
    result = demo.ok("privacy", "purge", "--yes")
    assert "still mention the erased people" in result.stderr
    assert name in demo.json("contact", "show", str(staff["contact_id"]))["notes"]
    engines.copy(backup, demo.db_path)
    for suffix in ("-wal", "-shm") if not engines.on_postgres() else ():
        Path(f"{demo.db_path}{suffix}").unlink(missing_ok=True)
    result = demo.ok("privacy", "purge", "--yes", "--redact-mentions")
    assert "Redacted" in result.stderr and name not in result.stderr
    assert demo.json("contact", "show", str(staff["contact_id"]))["notes"] == (
        "Drives [erased] to Lünen"
    )
    texts = [e["text"] for e in demo.json("followup", "list")]
    assert "Call about [erased]'s visa" in texts
    assert person["last_name"].encode() not in engines.stored_bytes(demo.db_path)
    assert demo.json("search", person["last_name"]) == []
