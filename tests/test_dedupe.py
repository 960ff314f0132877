"""`greentech dedupe`: candidate pairs of contacts and organisations, and `dedupe ignore`."""

from __future__ import annotations

from typing import Any

import pytest


def _people(cli: Any) -> None:
    """Organisations and people through the services (fast), in the CLI's database."""
    from greentech_cli.db import open_db
    from greentech_cli.services.records import companies, contacts

    db = open_db(cli.db_path, create=True)
    for name, fields in (
        ("Taza Su LLP", {"country": "KZ", "city": "Almaty"}),
        ("ТОО «Таза Су»", {"country": "KZ", "city": "Алматы"}),
        ("Lippe Recycling GmbH", {"city": "Lünen"}),
        ("Aqua Wassertechnik AG", {"city": "Moers"}),
    ):
        companies.add(db, {"name": name, **fields})
    people = [
        ("Zhanibek", "Nurlanov", "1", None),  # 1
        ("Жанибек", "Нурланов", "2", None),  # 2
        ("Schanibek", "Nurlanow", "1", "nurlanov@taza.example"),  # 3
        ("Olga", "Ivanova", "1", None),  # 4
        ("Oleg", "Ivanov", "1", None),  # 5
        ("Thomas", "Müller", "3", None),  # 6
        ("Thomas", "Müller", "4", None),  # 7
        ("Petra", "Schäfer", None, "p.schaefer@lippe.example"),  # 8
        ("P.", "Schaefer", None, "P.Schaefer@Lippe.example"),  # 9
    ]
    for first, last, company, email in people:
        contacts.add(
            db, {"first_name": first, "last_name": last, "email": email}, company, force=True
        )
    db.close()


def test_dedupe_json_pairs(cli: Any) -> None:
    _people(cli)
    pairs = cli.json("dedupe")
    assert [(p["a"], p["b"]) for p in pairs] == [(8, 9), (1, 2), (1, 3), (2, 3)]
    assert set(pairs[0]) == {"a", "b", "score", "reasons", "a_name", "b_name"}
    assert pairs[0]["score"] == 100 and pairs[0]["reasons"][0] == "same email"
    assert pairs[1]["reasons"] == ["same folded name", "same company"]
    assert pairs[1]["a_name"] == "Zhanibek Nurlanov" and pairs[1]["b_name"] == "Жанибек Нурланов"
    assert all(0 <= p["score"] <= 100 for p in pairs)


def test_namesakes_only_below_the_default_threshold(cli: Any) -> None:
    _people(cli)
    loose = cli.json("dedupe", "--threshold", "40")
    assert (6, 7) in [(p["a"], p["b"]) for p in loose]
    namesakes = next(p for p in loose if (p["a"], p["b"]) == (6, 7))
    assert namesakes["reasons"] == ["same folded name", "different companies"]
    # Olga Ivanova and Oleg Ivanov never appear, however low the threshold.
    assert not {(4, 5)} & {(p["a"], p["b"]) for p in cli.json("dedupe", "--threshold", "0")}


def test_threshold_and_limit(cli: Any) -> None:
    _people(cli)
    assert [p["score"] for p in cli.json("dedupe", "--threshold", "100")] == [100]
    assert len(cli.json("dedupe", "--limit", "2")) == 2
    cli.fails("dedupe", "--threshold", "101", code=2)


def test_table_output(cli: Any) -> None:
    _people(cli)
    result = cli.ok("dedupe")
    assert "Нурланов" in result.stdout and "same folded name" in result.stdout
    assert result.stderr == ""


def test_ignore_hides_a_pair(cli: Any) -> None:
    _people(cli)
    result = cli.ok("dedupe", "ignore", "2", "1")
    assert "not duplicates" in result.stderr
    pairs = [(p["a"], p["b"]) for p in cli.json("dedupe")]
    assert (1, 2) not in pairs and (1, 3) in pairs
    again = cli.ok("dedupe", "ignore", "1", "2")
    assert "already" in again.stderr
    # Emails work as references too.
    cli.ok("dedupe", "ignore", "nurlanov@taza.example", "1")
    assert (1, 3) not in [(p["a"], p["b"]) for p in cli.json("dedupe")]


def test_ignore_refuses_unknown_and_same(cli: Any) -> None:
    _people(cli)
    assert "no contact" in cli.fails("dedupe", "ignore", "1", "999").stderr
    assert "same contact" in cli.fails("dedupe", "ignore", "1", "1").stderr


def test_nothing_found(cli: Any) -> None:
    cli.ok("contact", "add", "--first", "Anna", "--last", "Schmidt")
    assert cli.json("dedupe") == []
    assert "No candidate duplicates" in cli.ok("dedupe").stderr


@pytest.mark.sqlite_only  # a missing database file
def test_missing_database_is_an_error(cli: Any) -> None:
    assert "no database" in cli.fails("dedupe").stderr


def test_companies(cli: Any) -> None:
    add = ("company", "add")
    cli.ok(*add, "Lippe Recycling GmbH", "--city", "Lünen")  # 1
    cli.ok(*add, "LIPPE RECYCLING", "--city", "Luenen")  # 2
    cli.ok(*add, "Lippe-Recycling G.m.b.H. & Co. KG")  # 3
    cli.ok(*add, "Taza Su LLP", "--country", "KZ", "--city", "Almaty")  # 4
    cli.ok(*add, "ТОО «Таза Су»", "--country", "KZ", "--city", "Алматы")  # 5
    cli.ok(*add, "Aqua Wassertechnik AG", "--vat-id", "DE123456789")  # 6
    cli.ok(*add, "Aquatec Wasser GmbH", "--vat-id", "de 123 456 789")  # 7
    cli.ok(*add, "Emscher Bau GmbH", "--city", "Essen")  # 8
    cli.ok(*add, "Emscher Bau GmbH", "--city", "München")  # 9
    pairs = cli.json("dedupe", "--companies")
    found = {(p["a"], p["b"]): p for p in pairs}
    assert found[(6, 7)]["score"] == 100 and found[(6, 7)]["reasons"] == ["same VAT id"]
    assert found[(1, 2)]["reasons"] == ["same normalised name", "same city"]
    assert found[(4, 5)]["reasons"] == ["same normalised name", "same city"]
    assert (1, 3) in found and (2, 3) in found
    assert (8, 9) not in found  # same name, different cities: below the default threshold
    loose = {(p["a"], p["b"]): p for p in cli.json("dedupe", "--companies", "--threshold", "50")}
    assert loose[(8, 9)]["reasons"] == ["same normalised name", "different cities"]
    cli.ok("dedupe", "ignore", "--companies", "1", "2")
    assert (1, 2) not in [(p["a"], p["b"]) for p in cli.json("dedupe", "--companies")]


def test_companies_register_ids(db: Any) -> None:
    from greentech_cli.models.records import Company
    from greentech_cli.services.identity.dedupe import company_pairs
    from greentech_cli.store import companies

    companies.insert(db, Company(name="Eco Tec GmbH", register_ids={"HRB": "HRB 12345"}))
    companies.insert(
        db, Company(name="EcoTec Systems", register_ids={"trade_register": "hrb12345"})
    )
    companies.insert(db, Company(name="Eco Tec GmbH", vat_id="DE1", city="Essen"))
    companies.insert(db, Company(name="Eco Tec AG", vat_id="DE2", city="Essen"))
    pairs = {(p.a, p.b): p for p in company_pairs(db)}
    assert pairs[(1, 2)].reasons == ["same register id"]
    assert (3, 4) not in pairs  # different VAT ids outweigh the same name


def test_service_progress_is_reported(db: Any) -> None:
    from greentech_cli.models.fields import Email
    from greentech_cli.models.records import Contact
    from greentech_cli.services.identity.dedupe import contact_pairs
    from greentech_cli.store import contacts

    contacts.insert(
        db, Contact(first_name="Anna", last_name="Schmidt", emails=[Email("a@x.example")])
    )
    contacts.insert(
        db, Contact(first_name="Anna", last_name="Schmidt", emails=[Email("a@x.example")])
    )
    seen: list[str] = []
    pairs = contact_pairs(db, progress=lambda phase, done, total: seen.append(phase))
    assert [(p.a, p.b, p.score) for p in pairs] == [(1, 2, 100)]
    assert "Reading" in seen and "Comparing" in seen
