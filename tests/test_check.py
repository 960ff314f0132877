"""`greentech check`: every finding code, its JSON contract, thresholds and the exit code."""

from __future__ import annotations

import json
from typing import Any

import pytest

from greentech_cli.config import config_path
from greentech_cli.services.schedule import geo
from greentech_cli.services.schedule.checks import settings

FINDING_KEYS = ["severity", "code", "visit_ids", "contact_ids", "message"]


@pytest.fixture
def tour(cli: Any) -> Any:
    """The README tour: Lünen 09:00–11:00, then Moers at 11:30."""
    cli.ok("company", "add", "Lippe Recycling GmbH", "--city", "Lünen", "--lat", "51.616",
           "--lon", "7.528")  # fmt: skip
    cli.ok("company", "add", "Niederrhein Klärwerk AöR", "--city", "Moers", "--lat", "51.451",
           "--lon", "6.626")  # fmt: skip
    cli.ok("contact", "add", "--first", "Petra", "--last", "Schäfer", "--email",
           "petra@lippe.example")  # fmt: skip
    cli.ok("delegation", "add", "kz", "--title", "KZ", "--direction", "incoming", "--start",
           "2026-11-16", "--end", "2026-11-20", "--home-tz", "Asia/Almaty")  # fmt: skip
    cli.ok("contact", "add", "--first", "Aigerim", "--last", "S", "--email", "a@example.kz")
    cli.ok("member", "add", "kz", "a@example.kz", "--status", "confirmed")
    cli.ok("visit", "add", "kz", "--title", "Sorting plant tour", "--kind", "site-visit",
           "--company", "Lippe Recycling GmbH", "--start", "2026-11-17 09:00", "--duration", "2h",
           "--host-contact", "petra@lippe.example")  # fmt: skip
    cli.ok("visit", "add", "kz", "--title", "Wastewater plant", "--kind", "site-visit",
           "--company", "Niederrhein Klärwerk AöR", "--start", "17.11.2026 11:30", "--duration",
           "1h30m")  # fmt: skip
    return cli


def findings(cli: Any, *args: str, code: int = 0) -> list[dict[str, Any]]:
    """Run check --format json and return the findings, insisting on the exit code."""
    result = cli("check", *args, "--format", "json")
    assert result.exit_code == code, (result.stdout, result.stderr)
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return found


def test_tour_travel_time_then_fixed(tour: Any) -> None:
    found = findings(tour, "kz", code=1)
    assert [list(f) for f in found] == [FINDING_KEYS] * len(found)
    travel = [f for f in found if f["code"] == "travel-time"]
    assert len(travel) == 1
    assert travel[0]["severity"] == "error"
    assert travel[0]["visit_ids"] == [1, 2]
    assert travel[0]["contact_ids"] == [2]
    assert "30 min" in travel[0]["message"] and "km" in travel[0]["message"]
    hosts = [f for f in found if f["code"] == "no-host-contact"]
    assert hosts and hosts[0]["severity"] == "warning" and hosts[0]["visit_ids"] == [2]
    table = tour("check", "kz")
    assert table.exit_code == 1
    assert "travel-time" in table.stdout  # the findings are shown before the error line
    assert table.stderr.strip().splitlines()[-1].startswith("Error: kz: 1 error(s)")
    tour.ok("visit", "move", "2", "--start", "2026-11-17 13:30")
    found = findings(tour, "kz")
    assert [f["code"] for f in found] == ["no-host-contact"]
    assert "no errors" in tour.ok("check", "kz").stderr


def test_speed_and_buffer_options_and_config(tour: Any) -> None:
    tour.ok("visit", "move", "2", "--start", "2026-11-17 13:00")
    assert not [
        f for f in findings(tour, "kz") if f["code"] == "travel-time"
    ]  # 120 min gap, 116 needed
    findings(tour, "kz", "--speed", "40", code=1)
    findings(tour, "kz", "--buffer", "40m", code=1)
    config = config_path()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("travel_speed_kmh: 30\n", encoding="utf-8")
    findings(tour, "kz", code=1)
    findings(tour, "kz", "--speed", "90")  # the option beats the config file


def test_settings_defaults() -> None:
    base = settings()
    assert (base.speed_kmh, base.buffer_minutes, base.long_day_hours) == (50, 15, 10)
    assert settings(buffer="1h").buffer_minutes == 60


def _company(cli: Any, name: str, lat: str = "51.2", lon: str = "6.78") -> None:
    cli.ok("company", "add", name, "--city", "Düsseldorf", "--lat", lat, "--lon", lon)


def test_overlap_outside_dates_long_day(cli: Any) -> None:
    cli.ok("delegation", "add", "d", "--title", "D", "--direction", "incoming", "--start",
           "2026-11-16", "--end", "2026-11-18")  # fmt: skip
    add = ("visit", "add", "d", "--title")
    cli.ok(*add, "A", "--start", "2026-11-16 08:00", "--duration", "2h")
    cli.ok(*add, "B", "--start", "2026-11-16 09:00", "--duration", "2h")
    cli.ok(*add, "Evening", "--start", "2026-11-16 19:00", "--duration", "2h")
    cli.ok(*add, "Too late", "--start", "2026-11-19 09:00", "--duration", "1h")
    found = findings(cli, "d", code=1)
    codes = [(f["severity"], f["code"], f["visit_ids"]) for f in found]
    assert ("error", "overlap", [1, 2]) in codes
    assert ("error", "outside-dates", [4]) in codes
    assert ("warning", "long-day", [1, 2, 3]) in codes
    assert [f["severity"] for f in found] == sorted(
        (f["severity"] for f in found), key=lambda s: s != "error"
    )
    assert findings(cli, "d", "--long-day", "14", code=1)[-1]["code"] != "long-day"


def test_parallel_visits_for_different_members_are_a_warning(cli: Any) -> None:
    cli.ok("delegation", "add", "d", "--title", "D", "--direction", "incoming", "--start",
           "2026-11-16", "--end", "2026-11-18")  # fmt: skip
    for name in ("a", "b"):
        cli.ok("contact", "add", "--first", name, "--email", f"{name}@x.example")
        cli.ok("member", "add", "d", f"{name}@x.example")
    cli.ok("visit", "add", "d", "--title", "Track A", "--start", "2026-11-16 09:00",
           "--duration", "1h", "--attendee", "a@x.example")  # fmt: skip
    cli.ok("visit", "add", "d", "--title", "Track B", "--start", "2026-11-16 09:00",
           "--duration", "1h", "--attendee", "b@x.example")  # fmt: skip
    found = findings(cli, "d")
    assert [(f["severity"], f["code"]) for f in found] == [("warning", "overlap")]


def test_member_and_host_double_booked_across_delegations(cli: Any) -> None:
    _company(cli, "Lippe Recycling GmbH")
    cli.ok("contact", "add", "--first", "Olga", "--last", "Weber", "--email", "olga@x.example")
    for code in ("kz", "uz"):
        cli.ok("delegation", "add", code, "--title", code, "--direction", "incoming", "--start",
               "2026-11-16", "--end", "2026-11-20")  # fmt: skip
        cli.ok("member", "add", code, "olga@x.example", "--role", "interpreter")
    cli.ok("visit", "add", "kz", "--title", "Tour KZ", "--start", "2026-11-17 09:00",
           "--duration", "2h", "--company", "Lippe Recycling GmbH")  # fmt: skip
    cli.ok("visit", "add", "uz", "--title", "Tour UZ", "--start", "2026-11-17 10:00",
           "--duration", "2h", "--company", "Lippe Recycling GmbH")  # fmt: skip
    found = findings(cli, "kz", code=1)
    member = [f for f in found if f["code"] == "member-double-booked"]
    host = [f for f in found if f["code"] == "host-double-booked"]
    assert member and member[0]["contact_ids"] == [1] and member[0]["visit_ids"] == [1, 2]
    assert "Olga Weber" in member[0]["message"] and "uz" in member[0]["message"]
    assert host and host[0]["visit_ids"] == [1, 2] and "Lippe Recycling GmbH" in host[0]["message"]
    # With explicit attendees that leave her out of the Uzbek visit, she is free again.
    cli.ok("contact", "add", "--first", "Other", "--email", "o@x.example")
    cli.ok("member", "add", "uz", "o@x.example")
    cli.ok("visit", "edit", "2", "--attendee", "o@x.example")
    codes = [f["code"] for f in findings(cli, "kz", code=1)]
    assert "member-double-booked" not in codes and "host-double-booked" in codes


def test_unknown_place_is_a_warning_and_city_lookup_works(cli: Any) -> None:
    cli.ok("delegation", "add", "d", "--title", "D", "--direction", "incoming", "--start",
           "2026-11-16", "--end", "2026-11-18")  # fmt: skip
    cli.ok("company", "add", "In Lünen", "--city", "Lünen", "--country", "DE")
    cli.ok("company", "add", "In Moers", "--city", "Moers", "--country", "DE")
    cli.ok("company", "add", "Nowhere GmbH", "--city", "Atlantis", "--country", "DE")
    add = ("visit", "add", "d", "--title")
    cli.ok(
        *add, "Lünen", "--company", "In Lünen", "--start", "2026-11-16 09:00", "--duration", "1h"
    )
    cli.ok(
        *add, "Moers", "--company", "In Moers", "--start", "2026-11-16 10:30", "--duration", "1h"
    )
    cli.ok(
        *add, "Lost", "--company", "Nowhere GmbH", "--start", "2026-11-16 14:00", "--duration", "1h"
    )
    cli.ok(*add, "Dinner", "--location", "Altstadt, Düsseldorf", "--start", "2026-11-16 19:00",
           "--duration", "1h")  # fmt: skip
    found = findings(cli, "d", code=1)
    assert [
        (f["code"], f["visit_ids"]) for f in found if f["code"] in ("travel-time", "unknown-place")
    ] == [
        ("travel-time", [1, 2]),
        ("unknown-place", [3]),
    ]
    assert [f["severity"] for f in found if f["code"] == "unknown-place"] == ["warning"]


def test_transfer_separates_places(cli: Any) -> None:
    cli.ok("delegation", "add", "d", "--title", "D", "--direction", "incoming", "--start",
           "2026-11-16", "--end", "2026-11-18")  # fmt: skip
    _company(cli, "Far away", "43.24", "76.95")
    _company(cli, "Here")
    cli.ok("visit", "add", "d", "--title", "Almaty", "--company", "Far away", "--tz", "Asia/Almaty",
           "--start", "2026-11-16 08:00", "--duration", "1h")  # fmt: skip
    cli.ok("visit", "add", "d", "--title", "Flight", "--kind", "transfer", "--tz", "Asia/Almaty",
           "--start", "2026-11-16 10:00", "--end", "2026-11-16 19:00")  # fmt: skip
    cli.ok("visit", "add", "d", "--title", "Dinner", "--company", "Here", "--start",
           "2026-11-16 19:00", "--duration", "1h")  # fmt: skip
    assert not [f for f in findings(cli, "d") if f["code"] == "travel-time"]


def test_place_lookup_unit() -> None:
    assert geo.lookup_city("Luenen", "DE") is not None
    assert geo.lookup_city("Алматы", "KZ") is not None
    assert geo.lookup_city("Atlantis", "DE") is None
    lunen = geo.Place("L", 51.616, 7.528, "a")
    moers = geo.Place("M", 51.451, 6.626, "b")
    assert 60 < lunen.distance_km(moers) < 70
    km, minutes = geo.TravelModel().minutes(lunen, moers)
    assert round(km) == 85 and 110 < minutes < 120
    assert geo.TravelModel().minutes(lunen, lunen) == (0.0, 0.0)


def test_check_unknown_delegation(cli: Any) -> None:
    cli.ok("init")
    assert "no delegation" in cli.fails("check", "nope").stderr
