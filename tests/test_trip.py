"""The trip as it runs (issue 16): transfers, venues, blocks, hotels, flights, capacity, the
partner's Russian list, dietary needs, and the m005_trip migration from an older database."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import Cli

CODE = "kz-waste-2026"


@pytest.fixture
def trip(cli: Cli) -> Cli:
    """IHK Düsseldorf (city only), a Lünen recycler and a Dortmund office (coordinates), and an
    incoming Kazakh delegation with two registered members."""
    cli.ok("company", "add", "IHK Düsseldorf", "--kind", "chamber", "--city", "Düsseldorf",
           "--country", "DE")  # fmt: skip
    cli.ok("company", "add", "Lippe Recycling GmbH", "--city", "Lünen", "--country", "DE",
           "--lat", "51.616", "--lon", "7.528")  # fmt: skip
    cli.ok("company", "add", "Dortmund Engineering", "--city", "Dortmund", "--country", "DE",
           "--lat", "51.5136", "--lon", "7.4653")  # fmt: skip
    cli.ok("delegation", "add", CODE, "--title", "Kazakh waste management", "--direction",
           "incoming", "--from", "KZ", "--to", "DE", "--start", "2026-11-16", "--end",
           "2026-11-20", "--tz", "Europe/Berlin", "--home-tz", "Asia/Almaty")  # fmt: skip
    for first, email in (("Aigerim", "aigerim@example.kz"), ("Nurlan", "nurlan@example.kz")):
        cli.ok("contact", "add", "--first", first, "--last", "X", "--email", email)
        cli.ok("member", "add", CODE, email, "--status", "confirmed")
    return cli


def _codes(cli: Cli) -> list[str]:
    """The codes of the errors `check` finds (warnings such as no-host-contact left out)."""
    result = cli("check", CODE, "--format", "json")
    return [f["code"] for f in json.loads(result.stdout) if f["severity"] == "error"]


def _add(cli: Cli, *args: str) -> int:
    return int(cli.json("visit", "add", CODE, *args)["id"])


def test_a_bus_to_luenen_in_30_minutes_is_too_short(trip: Cli) -> None:
    visit = _add(trip, "--title", "Bus to Lünen", "--kind", "transfer", "--from",
                 "IHK Düsseldorf", "--to", "Lippe Recycling GmbH", "--start", "2026-11-18 08:00",
                 "--duration", "30m", "--seats", "20")  # fmt: skip
    found = json.loads(trip("check", CODE, "--format", "json").stdout)
    assert [(f["code"], f["visit_ids"]) for f in found] == [("transfer-too-short", [visit])]
    assert "by bus" in found[0]["message"] and "km" in found[0]["message"]
    trip.ok("visit", "edit", str(visit), "--duration", "1h45m")
    assert _codes(trip) == []


def test_the_next_leg_starts_at_the_transfers_destination(trip: Cli) -> None:
    _add(trip, "--title", "Bus", "--kind", "transfer", "--from", "IHK Düsseldorf", "--to",
         "Lünen", "--start", "2026-11-18 08:00", "--duration", "1h45m")  # fmt: skip
    _add(trip, "--title", "Sorting plant", "--company", "Lippe Recycling GmbH", "--start",
         "2026-11-18 09:50", "--duration", "2h")  # fmt: skip
    assert _codes(trip) == []  # Lünen town to the plant: a short hop
    _add(trip, "--title", "Lunch in Düsseldorf", "--kind", "meal", "--location", "Düsseldorf",
         "--start", "2026-11-18 12:00", "--duration", "1h")  # fmt: skip
    assert _codes(trip) == ["travel-time"]


def test_a_b2b_slot_at_the_ihk_with_a_dortmund_company_needs_no_travel(trip: Cli) -> None:
    _add(trip, "--title", "Briefing", "--kind", "briefing", "--company", "IHK Düsseldorf",
         "--start", "2026-11-19 13:00", "--duration", "45m")  # fmt: skip
    _add(trip, "--title", "B2B with Dortmund Engineering", "--kind", "b2b-meeting", "--company",
         "Dortmund Engineering", "--location", "IHK Düsseldorf, Raum 4", "--lat", "51.2254",
         "--lon", "6.7763", "--start", "2026-11-19 14:00", "--duration", "30m")  # fmt: skip
    assert "travel-time" not in _codes(trip)
    out = trip.ok("itinerary", CODE, "--day", "2026-11-19").stdout
    assert "IHK Düsseldorf, Raum 4" in out


def test_three_slots_inside_a_block_give_no_overlap(trip: Cli) -> None:
    block = _add(trip, "--title", "B2B meetings", "--kind", "b2b-meeting", "--location",
                 "IHK Düsseldorf, Raum 4", "--lat", "51.2254", "--lon", "6.7763", "--start",
                 "2026-11-19 15:30", "--end", "2026-11-19 18:00")  # fmt: skip
    for n, start in enumerate(("15:30", "16:00", "16:30"), start=1):
        slot = trip.json("visit", "add", CODE, "--title", f"Slot {n}", "--kind", "b2b-meeting",
                         "--parent", str(block), "--room", f"Tisch {n}", "--company",
                         "Dortmund Engineering", "--start", f"2026-11-19 {start}",
                         "--duration", "25m")  # fmt: skip
        assert slot["parent"] == block and slot["venue"]["room"] == f"Tisch {n}"
    assert _codes(trip) == []
    trip.fails("visit", "add", CODE, "--title", "Late", "--parent", str(block), "--start",
               "2026-11-19 17:50", "--duration", "20m")  # fmt: skip
    trip.fails("visit", "rm", str(block))
    trip.ok("visit", "move", str(block), "--start", "2026-11-19 16:00")  # the slots come along
    slots = [v for v in trip.json("visit", "list", CODE) if v["parent"] == block]
    assert [v["start"][11:16] for v in slots] == ["16:00", "16:30", "17:00"]
    trip.fails("visit", "edit", str(block), "--end", "2026-11-19 17:00")  # slot 3 would not fit
    assert _codes(trip) == []
    out = trip.ok("itinerary", CODE, "--day", "2026-11-19").stdout
    assert out.index("B2B meetings ·") < out.index("Slot 1") and "Part of: B2B meetings" in out


def test_attendees_over_capacity_are_found(trip: Cli) -> None:
    visit = _add(trip, "--title", "Ministry", "--company", "IHK Düsseldorf", "--start",
                 "2026-11-17 10:00", "--duration", "1h", "--capacity", "1")  # fmt: skip
    found = json.loads(trip("check", CODE, "--format", "json").stdout)
    over = [f for f in found if f["code"] == "over-capacity"]
    assert over and over[0]["visit_ids"] == [visit] and len(over[0]["contact_ids"]) == 2
    trip.ok("visit", "edit", str(visit), "--capacity", "14")
    assert "over-capacity" not in _codes(trip)
    trip.fails("visit", "edit", str(visit), "--capacity", "2", "--seats", "2", code=2)


def test_a_flight_shows_departure_and_arrival_in_their_zones(trip: Cli) -> None:
    flight = trip.json("visit", "add", CODE, "--title", "Flight in", "--kind", "flight",
                       "--from", "ALA", "--to", "DUS", "--start", "2026-11-16 06:00",
                       "--end", "2026-11-16 10:30")  # fmt: skip
    assert flight["start"] == "2026-11-16T06:00:00+05:00"  # Almaty time
    assert flight["end"] == "2026-11-16T10:30:00+01:00"  # Berlin time
    assert (flight["timezone"], flight["end_timezone"]) == ("Asia/Almaty", "Europe/Berlin")
    assert flight["from"]["place"] == "ALA" and flight["to"]["timezone"] == "Europe/Berlin"
    out = trip.ok("itinerary", CODE, "--day", "2026-11-16").stdout
    assert "06:00 Almaty–10:30 Berlin" in out and "ALA → DUS" in out
    trip.fails("visit", "add", CODE, "--title", "Bad", "--kind", "flight", "--from", "Almaty",
               "--to", "DUS", "--start", "2026-11-16 06:00", "--duration", "7h")  # fmt: skip


def test_the_daily_itinerary_names_the_nights_hotel(trip: Cli) -> None:
    _add(trip, "--title", "Hotel Nikko", "--kind", "hotel", "--location",
         "Immermannstraße 41, 40210 Düsseldorf", "--start", "2026-11-16 15:00", "--end",
         "2026-11-20 11:00")  # fmt: skip
    _add(trip, "--title", "Sorting plant", "--company", "Lippe Recycling GmbH", "--start",
         "2026-11-17 10:00", "--duration", "2h")  # fmt: skip
    assert _codes(trip) == []  # a stay overlaps nothing and is no travel leg
    out = trip.ok("itinerary", CODE, "--lang", "de").stdout
    assert out.count("Übernachtung: Hotel Nikko") == 4  # the nights of 16–19 November
    plan = json.loads(trip.ok("itinerary", CODE, "--format", "json").stdout)
    nights = {d["date"]: (d["hotel"] or {}).get("title") for d in plan["days"]}
    stay = next(v for d in plan["days"] for v in d["visits"] if v["kind"] == "hotel")
    assert stay["nights"] == 4
    assert nights["2026-11-19"] == "Hotel Nikko" and "2026-11-20" not in nights


def test_visit_show_in_json_has_every_new_field(trip: Cli) -> None:
    visit = _add(trip, "--title", "Bus", "--kind", "transfer", "--mode", "bus", "--from",
                 "51.2254,6.7763", "--to", "Lippe Recycling GmbH", "--start",
                 "2026-11-18 08:00", "--duration", "1h45m", "--seats", "20")  # fmt: skip
    shown = trip.json("visit", "show", str(visit))
    assert {"parent", "capacity", "from", "to", "venue"} <= set(shown)
    assert shown["from"]["lat"] == 51.2254 and shown["to"]["company"] == "Lippe Recycling GmbH"
    assert shown["capacity"] == 20 and shown["mode"] == "bus"
    table = trip.ok("visit", "show", str(visit)).stdout
    assert "Lippe Recycling GmbH" in table and "20" in table
    trip.fails("visit", "add", CODE, "--title", "Nowhere", "--kind", "transfer", "--from",
               "Atlantis Lost City", "--to", "Lünen", "--start", "2026-11-18 08:00",
               "--duration", "1h")  # fmt: skip


def test_dump_apply_dump_is_byte_identical_with_every_new_field(trip: Cli, tmp_path: Path) -> None:
    block = _add(trip, "--title", "B2B", "--kind", "b2b-meeting", "--location", "IHK, Raum 4",
                 "--lat", "51.2254", "--lon", "6.7763", "--room", "4", "--capacity", "30",
                 "--start", "2026-11-19 14:00", "--end", "2026-11-19 16:00")  # fmt: skip
    _add(trip, "--title", "Slot", "--parent", str(block), "--room", "Tisch 2", "--start",
         "2026-11-19 14:00", "--duration", "20m")  # fmt: skip
    _add(trip, "--title", "Bus", "--kind", "transfer", "--mode", "train", "--from",
         "IHK Düsseldorf", "--to", "Lünen", "--start", "2026-11-18 08:00", "--duration",
         "1h45m", "--seats", "20")  # fmt: skip
    _add(trip, "--title", "Flight", "--kind", "flight", "--from", "DUS", "--to", "NQZ",
         "--start", "2026-11-20 18:00", "--end", "2026-11-21 04:30")  # fmt: skip
    _add(trip, "--title", "Hotel", "--kind", "hotel", "--company", "IHK Düsseldorf",
         "--start", "2026-11-16 15:00", "--end", "2026-11-20 11:00")  # fmt: skip
    trip.ok("member", "edit", CODE, "aigerim@example.kz", "--dietary", "halal",
            "--dietary-consent", "2026-11-01", "--dietary-source", "form")  # fmt: skip
    first = trip.ok("programme", "dump", CODE).stdout
    assert "dietary: halal" in first and "dietary_consent: '2026-11-01'" in first
    for key in ("parent:", "capacity: 30", "room: Tisch 2", "from: IHK Düsseldorf", "to: NQZ",
                "mode: train", "lat: 51.2254"):  # fmt: skip
        assert key in first
    path = tmp_path / "programme.yaml"
    path.write_text(first, encoding="utf-8")
    other = Cli(tmp_path / "empty.db")
    other.ok("init")
    other.ok("programme", "apply", str(path))
    assert other.ok("programme", "dump", CODE).stdout == first


def test_a_city_names_its_zone_astana_and_nur_sultan(trip: Cli) -> None:
    for city in ("Astana", "Nur-Sultan", "astana"):
        shown = trip.json("visit", "add", CODE, "--title", f"Call {city}", "--start",
                          "2026-11-17 08:00", "--duration", "30m", "--tz", city)  # fmt: skip
        assert shown["timezone"] == "Asia/Almaty"
    trip.ok("delegation", "edit", CODE, "--home-tz", "Nur-Sultan")
    assert trip.json("delegation", "show", CODE)["home_timezone"] == "Asia/Almaty"
    trip.fails("visit", "add", CODE, "--title", "x", "--start", "2026-11-17 08:00",
               "--duration", "30m", "--tz", "Atlantis")  # fmt: skip


PARTNER_LIST = (
    "Список участников делегации Республики Казахстан;;;;;\n"
    "ФИО;Организация;Должность;Роль;Телефон;E-mail\n"
    "Сейтказиева Гульнара;ТОО Almaty Waste Solutions;Директор;Руководитель делегации;"
    "8 701 123 45 67;gulnara@example.kz\n"
    "Нурланов Жанибек Серикович;Astana Su Arnasy;Инженер;Участник;+7 701 765 43 21;"
    "zhanibek@example.kz\n"
    "Ахметова Алия;AHK Zentralasien;;Переводчик;;aliya@example.kz\n"
    "Айгерим Садыкова;Astana Su Arnasy;;Сопровождающий;;aigerim.s@example.kz\n"
)


def test_the_partners_russian_list_needs_no_hand_repair(trip: Cli, tmp_path: Path) -> None:
    path = tmp_path / "участники.csv"
    path.write_text(PARTNER_LIST, encoding="utf-8")
    result = trip.ok("import", str(path), "--delegation", CODE)
    assert result.stderr.count("took the delegation's origin, KZ") == 1
    members = {m["email"]: m for m in trip.json("member", "list", CODE)}
    assert members["gulnara@example.kz"]["role"] == "lead"
    assert members["zhanibek@example.kz"]["role"] == "delegate"
    assert members["aliya@example.kz"]["role"] == "interpreter"
    assert members["aigerim.s@example.kz"]["role"] == "staff"
    people = {c["email"]: c for c in trip.json("contact", "list")}
    gulnara = people["gulnara@example.kz"]
    assert (gulnara["first_name"], gulnara["last_name"]) == ("Гульнара", "Сейтказиева")
    zhanibek = people["zhanibek@example.kz"]
    assert (zhanibek["first_name"], zhanibek["last_name"]) == ("Жанибек Серикович", "Нурланов")
    aigerim = people["aigerim.s@example.kz"]
    assert (aigerim["first_name"], aigerim["last_name"]) == ("Айгерим", "Садыкова")
    imported = ("gulnara@example.kz", "zhanibek@example.kz", "aliya@example.kz",
                "aigerim.s@example.kz")  # fmt: skip
    assert {people[email]["country"] for email in imported} == {"KZ"}
    assert gulnara["phone"] == "+77011234567" or gulnara["mobile"] == "+77011234567"


def test_a_rows_own_country_wins_over_the_delegations(trip: Cli, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("Vorname;Nachname;E-Mail;Land\nAnna;Beck;anna@example.de;DE\n"
                    "Olga;Kim;olga@example.uz;\n", encoding="utf-8")  # fmt: skip
    trip.ok("import", str(path), "--delegation", CODE)
    people = {c["email"]: c["country"] for c in trip.json("contact", "list")}
    assert people["anna@example.de"] == "DE" and people["olga@example.uz"] == "KZ"


def test_a_known_companys_country_comes_before_the_delegations(trip: Cli, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    rows = (
        "ФИО;Организация;Телефон",
        "Мюллер Петра;Lippe Recycling GmbH;02306 12 34 56",
        "Ахметов Ерлан;Astana Su Arnasy;8 701 765 43 21",
    )
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = trip.ok("import", str(path), "--delegation", CODE, "--format", "json")
    assert json.loads(result.stdout)["country_from_delegation"] == 1
    people = {c["last_name"]: c for c in trip.json("contact", "list")}
    assert (people["Мюллер"]["country"], people["Мюллер"]["phone"]) == (
        "DE",
        "+49230612 3456".replace(" ", ""),
    )
    assert (people["Ахметов"]["country"], people["Ахметов"]["phone"]) == ("KZ", "+77017654321")


def test_split_fio() -> None:
    from greentech_cli.text.names import split_fio

    assert split_fio("Сейтказиева Гульнара") == ("Гульнара", "Сейтказиева")
    assert split_fio("Нурланов Жанибек Серикович") == ("Жанибек Серикович", "Нурланов")
    assert split_fio("Жанибек Серикович Нурланов") == ("Жанибек Серикович", "Нурланов")
    assert split_fio("Бекова Алия Нурланқызы") == ("Алия Нурланқызы", "Бекова")
    assert split_fio("Айгерим Садыкова") == ("Айгерим", "Садыкова")
    assert split_fio("Gulnara Seitkazieva") is None and split_fio("Гульнара") is None


def test_dietary_needs_only_with_consent_and_only_for_officer_and_caterer(trip: Cli) -> None:
    trip.fails("member", "edit", CODE, "aigerim@example.kz", "--dietary", "halal")
    trip.fails("member", "edit", CODE, "aigerim@example.kz", "--role", "lead", "--dietary",
               "halal", "--dietary-consent", "soon")  # fmt: skip
    assert trip.json("member", "list", CODE)[0]["role"] == "delegate"  # nothing changed
    trip.ok("member", "edit", CODE, "aigerim@example.kz", "--dietary", "halal; nut allergy",
            "--dietary-consent", "01.11.2026", "--dietary-source", "registration form")  # fmt: skip
    trip.ok("member", "edit", CODE, "nurlan@example.kz", "--dietary", "Halal",
            "--dietary-consent", "2026-11-02")  # fmt: skip
    _add(trip, "--title", "Dinner", "--kind", "meal", "--location", "Düsseldorf", "--start",
         "2026-11-17 19:00", "--duration", "2h")  # fmt: skip
    for audience in ("officer", "caterer"):
        out = trip.ok("itinerary", CODE, "--audience", audience).stdout
        assert "Dietary needs: 2 × halal, 1 × nut allergy" in out
    for args in ((), ("--audience", "participant"), ("--format", "json")):
        assert "halal" not in trip.ok("itinerary", CODE, *args).stdout
    assert "halal" not in trip.ok("member", "list", CODE, "--format", "json").stdout
    listed = trip.json("member", "list", CODE, "--dietary")
    assert {m["dietary"] for m in listed} == {"halal; nut allergy", "Halal"}
    report = trip.json("privacy", "report", "aigerim@example.kz")
    assert report["dietary"] == [
        {"delegation": CODE, "needs": "halal; nut allergy", "consent_date": "2026-11-01",
         "consent_source": "registration form"}
    ]  # fmt: skip
    trip.ok("privacy", "erase", "aigerim@example.kz", "--yes")
    listed = trip.json("member", "list", CODE, "--dietary")
    assert [m["dietary"] for m in listed] == ["Halal"]
    trip.ok("member", "edit", CODE, "nurlan@example.kz", "--dietary", "")
    assert [m["dietary"] for m in trip.json("member", "list", CODE, "--dietary")] == [None]


def test_an_older_database_gains_the_trip_schema(tmp_path: Path) -> None:
    from greentech_cli import migrations
    from greentech_cli.db import open_db
    from greentech_cli.services.schedule import visits

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    before = [name for name in migrations.known_names() if name < "m005"]
    migrations.apply(conn, before)
    conn.execute(
        "INSERT INTO delegations (code, title, direction, start_date, end_date, timezone, "
        "created_at, updated_at) VALUES ('kz', 'KZ', 'incoming', '2026-11-16', '2026-11-20', "
        "'Europe/Berlin', '2026', '2026')"
    )
    conn.execute(
        "INSERT INTO visits (delegation_id, title, kind, start_local, end_local, timezone, "
        "location, uid, created_at, updated_at) VALUES (1, 'Bus', 'transfer', "
        "'2026-11-17T08:00', '2026-11-17T09:00', 'Europe/Berlin', 'Lünen', 'u1@greentech', "
        "'2026', '2026')"
    )
    conn.commit()
    conn.close()
    db = open_db(path)
    try:
        record = visits.record(db, 1)
        assert record["location"] == "Lünen" and record["from"] is None
        assert record["venue"] == {"address": "Lünen", "room": None, "lat": None, "lon": None}
        assert record["parent"] is None and record["capacity"] is None
    finally:
        db.close()


BILINGUAL_LIST = (
    "Delegation of the Republic of Kazakhstan / Делегация Республики Казахстан,,,,,\n"
    "№,ФИО / Full name,Организация / Organization,Должность / Position,Роль / Role,E-mail\n"
    "1,Сейтказиева Гульнара,ТОО Almaty Waste Solutions,Директор / Director,"
    "Руководитель делегации / Head of delegation,gulnara@example.kz\n"
    "2,Ахметова Алия,AHK Zentralasien,,Переводчик / Interpreter,aliya@example.kz\n"
)


def test_a_bilingual_partner_list_with_a_title_row(trip: Cli, tmp_path: Path) -> None:
    path = tmp_path / "participants.csv"
    path.write_text(BILINGUAL_LIST, encoding="utf-8")
    summary = json.loads(
        trip.ok("import", str(path), "--delegation", CODE, "--format", "json").stdout
    )
    assert summary["first_warnings"] == [] and summary["country_from_delegation"] == 2
    roles = {m["email"]: m["role"] for m in trip.json("member", "list", CODE)}
    assert roles["gulnara@example.kz"] == "lead" and roles["aliya@example.kz"] == "interpreter"
    people = {c["email"]: c for c in trip.json("contact", "list")}
    assert people["aliya@example.kz"]["last_name"] == "Ахметова"
    assert people["gulnara@example.kz"]["extra"] == {"№": "1"}  # nothing dropped


WEEK = Path(__file__).parent / "fixtures" / "trip" / "week.yaml"


@pytest.mark.parametrize(
    ("fmt", "lang", "audience"),
    [("text", "de", "participant"), ("md", "en", "caterer"), ("text", "en", "officer")],
)
def test_golden_week_as_it_runs(cli: Cli, fmt: str, lang: str, audience: str) -> None:
    from tests.test_itinerary import assert_golden

    cli.ok("programme", "apply", str(WEEK))
    out = cli.ok("itinerary", "kz-week", "--format", fmt, "--lang", lang, "--audience",
                 audience).stdout  # fmt: skip
    assert_golden(f"week.{lang}.{audience}.{fmt}", out)
    assert cli.ok("check", "kz-week").exit_code == 0


_CYRILLIC_NAME = st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі", min_size=2,
                         max_size=12).map(str.capitalize)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(_CYRILLIC_NAME, min_size=2, max_size=4))
def test_split_fio_keeps_every_word_once(words: list[str]) -> None:
    from greentech_cli.text.names import split_fio

    split = split_fio(" ".join(words))
    assert split is not None
    given_names, family = split
    assert sorted([*given_names.split(), family]) == sorted(words)
    assert family in (words[0], words[-1])


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=-90, max_value=90, allow_nan=False),
    st.floats(min_value=-180, max_value=180, allow_nan=False),
)
def test_a_point_written_to_a_programme_file_reads_back_the_same(lat: float, lon: float) -> None:
    from greentech_cli.models.records import Place
    from greentech_cli.services.schedule.places import point, text_of

    text = text_of(Place(lat=lat, lon=lon))
    assert text is not None and point(text) == (lat, lon)
