"""Delegations and members through the CLI: add, list, show, edit, rm, and clean errors."""

from __future__ import annotations

from typing import Any

import pytest

DELEGATION_KEYS = {
    "id", "code", "title", "type", "direction", "origin_country", "destination_country",
    "start_date", "end_date", "timezone", "home_timezone", "host", "partner", "sectors", "topic",
    "status",
}  # fmt: skip


def add_delegation(cli: Any, code: str = "kz-waste-2026", *extra: str) -> dict[str, Any]:
    """Create the standard incoming delegation and return its JSON."""
    result: dict[str, Any] = cli.json(
        "delegation", "add", code, "--title", "Kazakh waste-management delegation",
        "--type", "information-trip", "--direction", "incoming", "--from", "KZ", "--to", "DE",
        "--start", "2026-11-16", "--end", "20.11.2026", "--home-tz", "Asia/Almaty", *extra,
    )  # fmt: skip
    return result


@pytest.fixture
def chamber(cli: Any) -> None:
    cli.ok("company", "add", "IHK Düsseldorf", "--kind", "chamber", "--city", "Düsseldorf")
    cli.ok("company", "add", "AHK Zentralasien", "--kind", "ahk", "--city", "Almaty")


def test_add_and_show_delegation(cli: Any, chamber: None) -> None:
    record = add_delegation(
        cli, "kz-waste-2026", "--host", "IHK Düsseldorf", "--partner", "AHK Zentralasien",
        "--sector", "Kreislaufwirtschaft", "--topic", "Waste sorting",
    )  # fmt: skip
    assert set(record) >= DELEGATION_KEYS
    assert record["code"] == "kz-waste-2026"
    assert record["timezone"] == "Europe/Berlin"  # incoming: hosted in Germany by default
    assert record["home_timezone"] == "Asia/Almaty"
    assert record["start_date"] == "2026-11-16" and record["end_date"] == "2026-11-20"
    assert record["host"] == "IHK Düsseldorf" and record["partner"] == "AHK Zentralasien"
    assert record["sectors"] == ["circular-economy"]
    shown = cli.json("delegation", "show", "KZ-WASTE-2026")
    assert shown["members"] == 0 and shown["visits"] == 0
    table = cli.ok("delegation", "show", str(record["id"])).stdout
    assert "kz-waste-2026" in table


def test_list_edit_and_remove(cli: Any) -> None:
    add_delegation(cli, "a-2026")
    cli.json(
        "delegation", "add", "uz-2027", "--title", "Outgoing to Tashkent", "--direction",
        "outgoing", "--from", "DE", "--to", "UZ", "--start", "2027-04-01", "--end", "2027-04-05",
        "--tz", "Asia/Tashkent",
    )  # fmt: skip
    listed = cli.json("delegation", "list")
    assert [d["code"] for d in listed] == ["uz-2027", "a-2026"]
    assert listed[0]["home_timezone"] == "Europe/Berlin"  # outgoing: home is here
    assert "a-2026" in cli.ok("delegation", "list").stdout
    result = cli.ok("delegation", "edit", "a-2026", "--status", "confirmed", "--end", "2026-11-21")
    assert "end_date" in result.stderr and "status" in result.stderr
    assert cli.json("delegation", "show", "a-2026")["status"] == "confirmed"
    assert "unchanged" in cli.ok("delegation", "edit", "a-2026", "--status", "confirmed").stderr
    cli.ok("delegation", "rm", "a-2026", "--yes")
    cli.fails("delegation", "show", "a-2026")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--start", "2026-11-20", "--end", "2026-11-16"), "before the start date"),
        (("--start", "2026-11-16", "--end", "2026-11-20", "--tz", "Europe/Bonn"), "time zone"),
        (("--start", "2026-13-01", "--end", "2026-11-20"), "invalid date"),
        (("--start", "2026-11-16", "--end", "2026-11-20", "--type", "party"), "delegation type"),
        (("--start", "2026-11-16", "--end", "2026-11-20", "--host", "Nobody"), "no company"),
    ],
)
def test_bad_delegation_is_one_line_and_changes_nothing(
    cli: Any, args: tuple[str, ...], message: str
) -> None:
    cli.ok("init")
    result = cli.fails(
        "delegation", "add", "bad", "--title", "T", "--direction", "incoming", "--from", "KZ",
        *args,
    )  # fmt: skip
    assert message in result.stderr
    assert cli.json("delegation", "list") == []


def test_duplicate_code_and_bad_code(cli: Any) -> None:
    add_delegation(cli)
    assert "already exists" in cli.fails(
        "delegation", "add", "kz-waste-2026", "--title", "Again", "--direction", "incoming",
        "--start", "2026-11-16", "--end", "2026-11-20",
    ).stderr  # fmt: skip
    assert "invalid delegation code" in cli.fails(
        "delegation", "add", "two words", "--title", "T", "--direction", "incoming",
        "--start", "2026-11-16", "--end", "2026-11-20",
    ).stderr  # fmt: skip
    assert "time zone" in cli.fails(
        "delegation", "add", "out", "--title", "T", "--direction", "outgoing",
        "--start", "2026-11-16", "--end", "2026-11-20",
    ).stderr  # fmt: skip


def test_members(cli: Any) -> None:
    add_delegation(cli)
    cli.ok("contact", "add", "--first", "Aigerim", "--last", "Sadykova", "--native-name",
           "Айгерим Садыкова", "--email", "aigerim@example.kz")  # fmt: skip
    cli.ok("contact", "add", "--first", "Olga", "--last", "Weber", "--email", "olga@example.de")
    member = cli.json("member", "add", "kz-waste-2026", "aigerim@example.kz", "--role", "lead")
    assert member["role"] == "lead" and member["status"] == "registered"
    assert member["native_name"] == "Айгерим Садыкова"
    cli.ok("member", "add", "kz-waste-2026", "olga@example.de", "--role", "interpreter",
           "--status", "confirmed")  # fmt: skip
    listed = cli.json("member", "list", "kz-waste-2026")
    assert [m["name"] for m in listed] == ["Aigerim Sadykova", "Olga Weber"]
    assert "Айгерим" in cli.ok("member", "list", "kz-waste-2026").stdout
    assert cli.json("member", "list", "kz-waste-2026", "--role", "interpreter")[0]["name"] == (
        "Olga Weber"
    )
    cli.fails("member", "add", "kz-waste-2026", "olga@example.de")  # already a member
    edited = cli.json("member", "edit", "kz-waste-2026", "aigerim@example.kz", "--status",
                      "confirmed")  # fmt: skip
    assert edited["status"] == "confirmed"
    assert (
        "member status"
        in cli.fails(
            "member", "edit", "kz-waste-2026", "aigerim@example.kz", "--status", "maybe"
        ).stderr
    )
    assert "--yes" in cli.fails("member", "rm", "kz-waste-2026", "olga@example.de").stderr
    cli.ok("member", "rm", "kz-waste-2026", "olga@example.de", "--yes")
    assert len(cli.json("member", "list", "kz-waste-2026")) == 1
    assert "not a member" in cli.fails("member", "rm", "kz-waste-2026", "olga@example.de").stderr
    # The contact list filter of the foundation sees memberships.
    people = cli.json("contact", "list", "--delegation", "kz-waste-2026")
    assert [p["email"] for p in people] == ["aigerim@example.kz"]


def test_delegation_rm_needs_confirmation_when_it_has_a_programme(cli: Any) -> None:
    add_delegation(cli)
    cli.ok("visit", "add", "kz-waste-2026", "--title", "Briefing", "--start", "2026-11-17 09:00",
           "--duration", "1h")  # fmt: skip
    result = cli.fails("delegation", "rm", "kz-waste-2026")
    assert "--yes" in result.stderr
    cli.ok("delegation", "rm", "kz-waste-2026", "--yes")
    assert cli.json("delegation", "list") == []


@pytest.mark.sqlite_only  # a database file that must not appear
def test_reading_commands_do_not_create_a_database(cli: Any) -> None:
    result = cli.fails("delegation", "list")
    assert "no database" in result.stderr
    assert not cli.db_path.exists()
