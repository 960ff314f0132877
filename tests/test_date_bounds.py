"""Dates within reason: years 1900–2100 unless --force, visits of at most 14 days, --end or
--duration (not both), slashed dates read one way only, and far-off visits that never break an
itinerary."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests import engines
from tests.engines import dump

from .conftest import Cli

ITINERARY_FORMATS = ("text", "md", "html", "json", "ics")


@pytest.fixture
def trip(cli: Cli) -> Cli:
    cli.ok("delegation", "add", "kz", "--title", "KZ", "--direction", "incoming", "--start",
           "2026-11-16", "--end", "2026-11-20", "--home-tz", "Asia/Almaty")  # fmt: skip
    cli.ok("contact", "add", "--first", "Aigerim", "--last", "X", "--email", "a@example.kz")
    cli.ok("member", "add", "kz", "a@example.kz", "--status", "confirmed")
    return cli


def refused(cli: Cli, *args: str, code: int = 1, says: str) -> None:
    """The command fails with one line saying `says`, and the database is unchanged."""
    before = dump(cli.db_path)
    result = cli.fails(*args, code=code)
    assert says in result.stderr, result.stderr
    assert dump(cli.db_path) == before


# --- years ------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01"])
def test_delegation_years_outside_1900_to_2100_need_force(cli: Cli, day: str) -> None:
    cli.ok("init")
    args = ("delegation", "add", "far", "--title", "Far", "--direction", "incoming",
            "--start", day, "--end", day)  # fmt: skip
    refused(cli, *args, says="not between 1900 and 2100")
    record = cli.json(*args, "--force")
    assert record["start_date"] == day


def test_delegation_edit_and_edges(trip: Cli) -> None:
    refused(trip, "delegation", "edit", "kz", "--end", "2101-01-01", says="--force")
    trip.ok("delegation", "edit", "kz", "--start", "1900-01-01")
    trip.ok("delegation", "edit", "kz", "--end", "2100-12-31")
    trip.ok("delegation", "edit", "kz", "--end", "2101-01-01", "--force")


def test_visit_years_need_force(trip: Cli) -> None:
    refused(trip, "visit", "add", "kz", "--title", "Far", "--start", "9999-12-31 22:00",
            "--duration", "1h", says="not between 1900 and 2100")  # fmt: skip
    refused(trip, "visit", "add", "kz", "--title", "Old", "--start", "0001-01-01 09:00",
            "--duration", "1h", says="not between 1900 and 2100")  # fmt: skip
    far = trip.json("visit", "add", "kz", "--title", "Far", "--start", "9999-12-31 22:00",
                    "--duration", "1h", "--force")  # fmt: skip
    assert far["start"] == "9999-12-31T22:00:00+01:00"
    old = trip.json("visit", "add", "kz", "--title", "Old", "--start", "0001-01-01 09:00",
                    "--duration", "1h", "--force")  # fmt: skip
    assert old["start"].startswith("0001-01-01T09:00")
    # Once in, the visits are listed, moved and kept like any other.
    assert len(trip.json("visit", "list", "kz")) == 2
    refused(trip, "visit", "move", str(old["id"]), "--start", "0002-01-01 09:00", says="--force")
    trip.ok("visit", "move", str(old["id"]), "--start", "2026-11-17 09:00")
    # Beyond what a calendar can hold, even with --force: one line.
    refused(trip, "visit", "add", "kz", "--title", "NY", "--tz", "America/New_York",
            "--start", "9999-12-31 22:00", "--duration", "1h", "--force",
            says="beyond the calendar")  # fmt: skip


# --- durations --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--duration", "99999999h"], "invalid duration"),
        (["--duration", "9" * 40 + "h"], "invalid duration"),
        (["--duration", "337h"], "at most 14 days"),
        (["--end", "2026-12-17 09:00"], "at most 14 days"),
    ],
)
def test_visits_last_at_most_14_days(trip: Cli, args: list[str], says: str) -> None:
    refused(trip, "visit", "add", "kz", "--title", "Long", "--start", "2026-11-17 09:00",
            *args, says=says)  # fmt: skip


def test_a_visit_of_14_days_is_accepted_and_edit_is_checked(trip: Cli) -> None:
    record = trip.json("visit", "add", "kz", "--title", "Fair", "--start", "2026-11-17 09:00",
                       "--duration", "336h")  # fmt: skip
    assert record["end"].startswith("2026-12-01T09:00")
    refused(trip, "visit", "edit", str(record["id"]), "--duration", "337h",
            says="at most 14 days")  # fmt: skip


def test_end_and_duration_together_are_refused(trip: Cli, tmp_path: Path) -> None:
    args = ("--title", "Both", "--start", "2026-11-17 09:00", "--end", "2026-11-17 10:00",
            "--duration", "2h")  # fmt: skip
    refused(trip, "visit", "add", "kz", *args, code=2, says="not both")
    record = trip.json("visit", "add", "kz", "--title", "One", "--start", "2026-11-17 09:00",
                       "--duration", "1h")  # fmt: skip
    refused(trip, "visit", "edit", str(record["id"]), "--end", "2026-11-17 12:00",
            "--duration", "2h", code=2, says="not both")  # fmt: skip
    # A programme file that gives both is refused at the visit's line.
    trip.ok("programme", "dump", "kz", "--out", str(tmp_path / "p.yaml"))
    text = (tmp_path / "p.yaml").read_text(encoding="utf-8")
    (tmp_path / "p.yaml").write_text(
        text.replace("  end: 2026-11-17 10:00\n", "  end: 2026-11-17 10:00\n  duration: 2h\n"),
        encoding="utf-8",
    )
    refused(trip, "programme", "apply", str(tmp_path / "p.yaml"), says="not both")


# --- slashed dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("25/12/2026", None, date(2026, 12, 25)),
        ("12/25/2026", None, date(2026, 12, 25)),
        ("04/04/2026", None, date(2026, 4, 4)),
        ("03/04/2026", "dmy", date(2026, 4, 3)),
        ("03/04/2026", "mdy", date(2026, 3, 4)),
        ("3/4/26", "dmy", date(2026, 4, 3)),
        ("03.04.2026", None, date(2026, 4, 3)),  # dotted dates are day first, always
    ],
)
def test_slashed_dates(text: str, order: str | None, expected: date) -> None:
    # Imported in the tests: the command-line tests also run on code from before the fix.
    from greentech_cli.text.dates import read_date

    assert read_date(text, order=order) == expected


def test_ambiguous_slashed_dates_are_refused_without_an_order() -> None:
    from greentech_cli.errors import InvalidData
    from greentech_cli.text.dates import AmbiguousDate, in_order, read_date

    with pytest.raises(AmbiguousDate, match="could be 3 April or 4 March"):
        read_date("03/04/2026")
    with pytest.raises(InvalidData, match="not a valid calendar date"):
        read_date("25/12/2026", order="mdy")
    assert in_order("03/04/2026 09:00", "mdy") == "2026-03-04 09:00"
    assert in_order("2026-03-04 09:00", "dmy") == "2026-03-04 09:00"
    assert in_order("03/04/2026", None) == "03/04/2026"


def test_slashed_dates_on_the_command_line(trip: Cli) -> None:
    refused(trip, "visit", "add", "kz", "--title", "V", "--start", "03/11/2026 09:00",
            "--duration", "1h", says="--date-order")  # fmt: skip
    v = trip.json("visit", "add", "kz", "--title", "V", "--start", "11/17/2026 09:00",
                  "--duration", "1h")  # fmt: skip
    assert v["start"].startswith("2026-11-17T09:00")
    w = trip.json("visit", "add", "kz", "--title", "W", "--start", "03/11/2026 09:00",
                  "--duration", "1h", "--date-order", "dmy")  # fmt: skip
    assert w["start"].startswith("2026-11-03T09:00")
    moved = trip.json("visit", "move", str(w["id"]), "--start", "11/04/2026 10:00",
                      "--date-order", "mdy")  # fmt: skip
    assert moved["start"].startswith("2026-11-04T10:00")
    refused(trip, "delegation", "edit", "kz", "--end", "01/02/2027", says="--date-order")
    trip.ok("delegation", "edit", "kz", "--end", "01/02/2027", "--date-order", "dmy")
    assert trip.json("delegation", "show", "kz")["end_date"] == "2027-02-01"
    refused(trip, "itinerary", "kz", "--day", "04/11/2026", says="--date-order")
    day = trip.ok("itinerary", "kz", "--day", "04/11/2026", "--date-order", "dmy").stdout
    assert "W ·" in day and "V ·" not in day
    refused(trip, "log", "--since", "01/02/2026", says="--date-order")
    trip.ok("log", "--since", "01/02/2026", "--date-order", "mdy")
    trip.fails("visit", "list", "kz", "--date-order", "ymd", code=2)


def test_slashed_dates_in_an_import(trip: Cli, tmp_path: Path) -> None:
    path = tmp_path / "liste.csv"
    path.write_text(
        "Vorname,Nachname,E-Mail,Einwilligungsdatum\n"
        "Anna,Muster,anna@example.de,03/04/2026\n"
        "Bernd,Meier,bernd@example.de,25/12/2026\n",
        encoding="utf-8",
    )
    for dry in (["--dry-run"], []):
        refused(trip, "import", str(path), *dry, says="'03/04/2026' could be 3 April or 4 March")
    summary = trip.json("import", str(path), "--date-order", "dmy")
    assert (summary["created"], summary["rejected"]) == (2, 0)
    anna = next(c for c in trip.json("contact", "list") if c["first_name"] == "Anna")
    assert trip.json("contact", "show", str(anna["id"]))["share_consent_date"] == "2026-04-03"


# --- a far-off visit in an existing database --------------------------------------------------


def test_a_visit_at_the_end_of_the_calendar_never_breaks_an_itinerary(trip: Cli) -> None:
    """9999-12-31 22:00 in Berlin is the year 10000 in Almaty (the home zone) and in UTC for
    New York: written straight into the file, as an older greentech allowed."""
    conn = engines.connect(trip.db_path)
    for n, zone in enumerate(("Europe/Berlin", "America/New_York", "Asia/Almaty")):
        conn.execute(
            "INSERT INTO visits (delegation_id, title, kind, start_local, end_local, timezone, "
            "uid, created_at, updated_at) VALUES (1, ?, 'other', '9999-12-31T22:00', "
            "'9999-12-31T23:30', ?, ?, '', '')",
            [f"Last {zone}", zone, f"last-{n}@greentech"],
        )
    conn.commit()
    conn.close()
    for fmt in ITINERARY_FORMATS:
        result = trip.ok("itinerary", "kz", "--format", fmt)
        assert "Last Europe/Berlin" in result.stdout
    trip.ok("itinerary", "kz", "--day", "9999-12-31")
    trip.ok("visit", "list", "kz")
    checked = trip("check", "kz")
    assert checked.exit_code in (0, 1) and "Traceback" not in checked.stderr
    trip.ok("programme", "dump", "kz")


def test_records_from_a_forced_year_round_trip(trip: Cli, tmp_path: Path) -> None:
    trip.ok("visit", "add", "kz", "--title", "Old", "--start", "0001-01-02 09:00",
            "--duration", "1h", "--force")  # fmt: skip
    out = tmp_path / "p.yaml"
    trip.ok("programme", "dump", "kz", "--out", str(out))
    assert "start: 0001-01-02 09:00" in out.read_text(encoding="utf-8")
    fresh = Cli(tmp_path / "fresh.db")
    fresh.fails("programme", "apply", str(out))
    fresh.ok("programme", "apply", str(out), "--force")
    assert fresh.ok("programme", "dump", "kz").stdout == trip.ok("programme", "dump", "kz").stdout


@pytest.mark.parametrize("day", ["17.05.0001", "9999-12-31"])
def test_a_birthday_outside_1900_to_2100_is_kept_as_written_with_a_warning(
    cli: Cli, day: str
) -> None:
    result = cli.ok("contact", "add", "--first", "Anna", "--birthday", day)
    assert f"birthday '{day}' is no date" in result.stderr
    shown = cli.json("contact", "show", "1")
    assert shown["birthday"] is None and shown["extra"] == {"Birthday": day}
