"""`greentech match DELEGATION`: organisations ranked for a delegation, with reasons."""

from __future__ import annotations

from typing import Any

import pytest

from greentech_cli.db import open_db


@pytest.fixture
def file(cli: Any) -> Any:
    """A chamber hosting a water delegation, water and waste companies, a chamber and an AHK."""
    from greentech_cli.services.records import companies

    db = open_db(cli.db_path, create=True)
    rows = [
        # name, kind, sectors, tags, city, lat, lon
        ("IHK Niederrhein", "chamber", [], [], "Duisburg", 51.4344, 6.7623),  # 1: the host
        ("AHK Zentralasien", "ahk", ["water"], ["wasser"], "Almaty", 43.24, 76.89),  # 2
        ("Aqua Klärtechnik GmbH", "company", ["water"], ["Kläranlage", "sludge"], "Moers",
         51.4516, 6.6408),  # 3
        ("Rhein Abwassertechnik AG", "company", [], ["Abwasser"], "Krefeld", 51.3388, 6.5853),  # 4
        ("Lippe Recycling GmbH", "company", ["circular-economy"], ["recycling"], "Lünen",
         51.6167, 7.5289),  # 5
        ("Isar Hydrometrie GmbH", "company", ["water"], ["hydrometry"], "München", 48.1351,
         11.5820),  # 6
        ("Emscher Bau GmbH", "company", ["building"], ["bau"], "Essen", 51.4556, 7.0116),  # 7
        ("Bundesverband Wasser e.V.", "association", ["water"], [], "Berlin", None, None),  # 8
    ]  # fmt: skip
    for name, kind, sectors, tags, city, lat, lon in rows:
        companies.add(
            db,
            {"name": name, "kind": kind, "sectors": sectors, "tags": tags, "city": city,
             "lat": lat, "lon": lon},
        )  # fmt: skip
    db.close()
    delegation = ("--direction", "incoming", "--from", "KZ", "--to", "DE")
    cli.ok("delegation", "add", "kz-water-2026", "--title", "Kazakh water utilities",
           *delegation, "--start", "2026-11-16", "--end", "2026-11-20", "--host", "1",
           "--sector", "water", "--topic", "Klärschlamm und Abwasserbehandlung")  # fmt: skip
    cli.ok("delegation", "add", "kz-water-2025", "--title", "Earlier water trip",
           *delegation, "--start", "2025-05-05", "--end", "2025-05-09",
           "--sector", "water")  # fmt: skip
    cli.ok("visit", "add", "kz-water-2025", "--title", "Sludge plant", "--company", "6",
           "--start", "2025-05-06 10:00", "--duration", "2h")  # fmt: skip
    return cli


def test_water_companies_rank_first_and_say_why(file: Any) -> None:
    fits = file.json("match", "kz-water-2026")
    names = [f["name"] for f in fits]
    assert names[0] == "Aqua Klärtechnik GmbH"
    water = {"Aqua Klärtechnik GmbH", "Rhein Abwassertechnik AG", "Isar Hydrometrie GmbH",
             "Bundesverband Wasser e.V."}  # fmt: skip
    assert set(names[:4]) == water
    first = fits[0]
    assert set(first) >= {"company_id", "name", "score", "reasons", "city", "sectors"}
    assert first["reasons"][0] == "sector water and wastewater"
    assert any(r.startswith("keywords ") and "klaeranlage" in r for r in first["reasons"])
    assert any("km from the host" in r for r in first["reasons"])
    assert first["distance_km"] < 20
    # A compound word in the name meets a German keyword of the topic/sector.
    rhein = next(f for f in fits if f["name"] == "Rhein Abwassertechnik AG")
    assert rhein["sectors"] == [] and any("abwasser" in r for r in rhein["reasons"])
    # Earlier visits count.
    isar = next(f for f in fits if f["name"] == "Isar Hydrometrie GmbH")
    assert any("earlier delegation" in r and "same sector" in r for r in isar["reasons"])
    scores = [f["score"] for f in fits]
    assert scores == sorted(scores, reverse=True)


def test_host_chambers_and_unrelated_companies_are_left_out(file: Any) -> None:
    names = [f["name"] for f in file.json("match", "kz-water-2026")]
    assert "IHK Niederrhein" not in names and "AHK Zentralasien" not in names
    assert "Emscher Bau GmbH" not in names and "Lippe Recycling GmbH" not in names
    with_all = [f["name"] for f in file.json("match", "kz-water-2026", "--all-kinds")]
    assert "AHK Zentralasien" in with_all and "IHK Niederrhein" not in with_all


def test_limit_and_table(file: Any) -> None:
    assert len(file.json("match", "kz-water-2026", "--limit", "2")) == 2
    result = file.ok("match", "kz-water-2026")
    assert "Aqua Klärtechnik GmbH" in result.stdout and "sector water" in result.stdout


def test_delegation_without_sectors_or_topic(file: Any) -> None:
    file.ok("delegation", "add", "empty", "--title", "Empty", "--direction", "incoming",
            "--from", "KZ", "--to", "DE", "--start", "2026-01-05",
            "--end", "2026-01-06")  # fmt: skip
    assert file.json("match", "empty") == []
    assert "No organisation fits empty" in file.ok("match", "empty").stderr


def test_unknown_delegation(file: Any) -> None:
    assert "no delegation" in file.fails("match", "nope").stderr


def test_haversine() -> None:
    from greentech_cli.services.matchmaking.fit import haversine_km

    # Düsseldorf to Moers: about 28 km as the crow flies.
    assert 25 < haversine_km(51.2277, 6.7735, 51.4516, 6.6408) < 30
    assert haversine_km(51.0, 7.0, 51.0, 7.0) == 0


def test_members_own_organisations_are_left_out(file: Any) -> None:
    file.ok("company", "add", "Almaty Su Arnasy LLP", "--sector", "water", "--country", "KZ")  # 9
    file.ok("contact", "add", "--first", "Nurlan", "--last", "Zhaksylykov", "--company", "9")
    assert "Almaty Su Arnasy LLP" in [f["name"] for f in file.json("match", "kz-water-2026")]
    file.ok("member", "add", "kz-water-2026", "1")
    assert "Almaty Su Arnasy LLP" not in [f["name"] for f in file.json("match", "kz-water-2026")]
