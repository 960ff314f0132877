"""The contact record as rich as the files officers receive: every field declared once, lists
behind email/phone/mobile, stable uids, ids never reused, and a migration that keeps the data."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from greentech_cli.db import open_db, transaction
from greentech_cli.models.fields import Address, Email, Phone, fields_of
from greentech_cli.models.records import PRIMARY_KEYS, Company, Contact
from tests.conftest import Cli

# --- declared once ---------------------------------------------------------------------------

# Fields a derived list leaves out on purpose, each with its reason (a new field must be placed
# in every list below, or named here; the test fails otherwise).
NOT_EXPORTED = {"created_batch_id"}  # bookkeeping of the import that created the contact
NOT_MERGED = {"uid", "created_batch_id", "id", "company"}  # identity, bookkeeping, derived
NOT_PERSONAL = {
    "company_id", "company", "country", "lawful_basis", "share_consent", "share_consent_date",
    "marketing_consent", "uid", "created_batch_id", "id",
}  # fmt: skip
NOT_IN_PROGRAMME = {"id", "company_id", "company", "created_batch_id", "uid"}


def _contact_fields() -> set[str]:
    return {*fields_of(Contact, None), *PRIMARY_KEYS}


def test_every_contact_field_is_in_every_derived_list() -> None:
    from greentech_cli.importers.presets import CONTACT_FIELDS as MAPPING_TARGETS
    from greentech_cli.models.exchange import CONTACT_FIELDS as EXPORTED
    from greentech_cli.services.identity.merge import CONTACT_FIELDS as MERGED
    from greentech_cli.services.programme.document import PERSON_FIELDS
    from greentech_cli.store.contacts import COLUMNS as STORED
    from greentech_cli.store.privacy import PERSONAL_KEYS

    every = _contact_fields()
    json_keys = set(Contact().to_json())
    assert every - {"created_batch_id"} == json_keys, "to_json names every field and primary"
    assert every - NOT_EXPORTED <= set(EXPORTED)
    assert every - {"id", "company", "created_batch_id"} <= set(STORED)
    assert every - NOT_MERGED - set(PRIMARY_KEYS) <= set(MERGED)
    assert every - NOT_PERSONAL <= PERSONAL_KEYS
    assert every - {"id", "company_id", "created_batch_id"} <= set(MAPPING_TARGETS)
    assert every - NOT_IN_PROGRAMME <= set(PERSON_FIELDS)
    # The exclusions name real fields (a renamed field cannot hide in them).
    for excluded in (NOT_EXPORTED, NOT_MERGED, NOT_PERSONAL, NOT_IN_PROGRAMME):
        assert excluded <= every


def test_every_company_field_is_in_every_derived_list() -> None:
    from greentech_cli.models.exchange import COMPANY_FIELDS as EXPORTED
    from greentech_cli.services.identity.merge import COMPANY_FIELDS as MERGED
    from greentech_cli.store.companies import COLUMNS as STORED

    every = {*fields_of(Company, None), "website", "phone"}
    assert set(Company(name="x").to_json()) == every - {"phone"}
    assert every - {"phone"} <= set(EXPORTED)
    assert every - {"id", "website", "phone"} <= set(STORED)
    assert every - {"id", "uid", "website", "phone"} <= set(MERGED)


def test_the_field_test_bites_when_a_field_goes_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    from greentech_cli.store import privacy

    monkeypatch.setattr(privacy, "PERSONAL_KEYS", privacy.PERSONAL_KEYS - {"aliases"})
    with pytest.raises(AssertionError):
        test_every_contact_field_is_in_every_derived_list()


# --- the record ------------------------------------------------------------------------------


def test_primary_values_are_the_first_of_their_lists() -> None:
    person = Contact(
        first_name="Aigerim",
        emails=[Email("a@x.kz"), Email("a@home.kz", "home")],
        phones=[
            Phone("+49301234", "fax"),
            Phone("+4930555", "work", "102"),
            Phone("+7701", "mobile"),
        ],
    )
    assert (person.email, person.phone, person.mobile) == ("a@x.kz", "+4930555", "+7701")
    person.email = "a@home.kz"  # a known address becomes the primary, not a second copy
    assert [e.value for e in person.emails] == ["a@home.kz", "a@x.kz"]
    person.email = "new@x.kz"  # a new one replaces the primary, as editing the email did
    assert [e.value for e in person.emails] == ["new@x.kz", "a@x.kz"]
    person.phone = None
    assert [p.type for p in person.phones] == ["fax", "mobile"]
    person.mobile = "+7702"
    assert [(p.value, p.type) for p in person.phones] == [("+49301234", "fax"), ("+7702", "mobile")]
    marked = [p["primary"] for p in person.to_json()["phones"]]
    assert marked == [False, True]


def test_a_rich_contact_is_stored_and_read_back_whole(db: Any) -> None:
    from greentech_cli.services.records import contacts

    person, warnings = contacts.add(
        db,
        {
            "first_name": "Nurlan",
            "last_name": "Zhaksylykov",
            "country": "KZ",
            "emails": "nurlan@example.kz; n.zh@home.example, third@example.kz",
            "phones": [
                {"value": "+7 701 765 43 21", "type": "mobile"},
                {"value": "+49 30 1234567", "type": "work", "extension": "102"},
                {"value": "+49 30 1234568", "type": "fax"},
            ],
            "addresses": [{"type": "home", "street": "Abai 1", "city": "Almaty", "country": "KZ"}],
            "websites": ["https://nurlan.example"],
            "birthday": "17.05.1980",
            "aliases": ["Нурлан Жаксылыков", "Nurlan Schaksylykow"],
            "extra": {"Industry": "Recycling"},
        },
    )
    assert warnings == []
    again = contacts.resolve(db, str(person.id)).to_json()
    assert [e["value"] for e in again["emails"]] == [
        "nurlan@example.kz", "n.zh@home.example", "third@example.kz",
    ]  # fmt: skip
    assert again["email"] == "nurlan@example.kz"
    assert again["mobile"] == "+77017654321" and again["phone"] == "+49301234567"
    assert again["phones"][1] == {
        "value": "+49301234567", "type": "work", "extension": "102", "primary": True,
    }  # fmt: skip
    assert again["addresses"][0]["city"] == "Almaty"
    assert again["birthday"] == "1980-05-17"
    assert again["extra"] == {"Industry": "Recycling"}
    assert len(again["uid"]) == 36


def test_a_birthday_that_is_no_date_is_kept_with_a_warning(db: Any) -> None:
    from greentech_cli.services.records import contacts

    person, warnings = contacts.add(db, {"first_name": "Olga", "birthday": "31.02.1980"})
    assert person.birthday is None and person.extra == {"Birthday": "31.02.1980"}
    assert any("31.02.1980" in w for w in warnings)


def test_an_extra_name_that_is_a_field_name_is_kept_under_another(db: Any) -> None:
    from greentech_cli.services.records import contacts

    person, warnings = contacts.add(db, {"first_name": "Olga", "extra": {"Email": "x"}})
    assert person.extra == {"Email (extra)": "x"} and warnings


def test_search_finds_an_alias(cli: Cli) -> None:
    from greentech_cli.services.records import contacts

    cli.ok("init")
    db = open_db(cli.db_path)
    try:
        contacts.add(db, {"first_name": "Ivan", "last_name": "Petrov", "aliases": ["Vanya"]})
    finally:
        db.close()
    assert cli.json("search", "Vanya")[0]["name"] == "Ivan Petrov"


# --- identity ----------------------------------------------------------------------------------


def test_uids_differ_between_databases_and_ids_are_never_reused(tmp_path: Path) -> None:
    first, second = Cli(tmp_path / "a.db"), Cli(tmp_path / "b.db")
    for cli in (first, second):
        cli.ok("contact", "add", "--first", "Anna", "--last", "Schmidt")
    uid_a = first.json("contact", "show", "1")["uid"]
    assert uid_a != second.json("contact", "show", "1")["uid"]
    first.ok("contact", "add", "--first", "Bob", "--last", "Bauer")
    first.ok("privacy", "erase", "2", "--yes")  # the highest id goes
    first.ok("contact", "add", "--first", "Carl", "--last", "Christ")
    assert sorted(c["id"] for c in first.json("contact", "list")) == [1, 3]
    assert first.json("contact", "show", "1")["uid"] == uid_a  # survives another's erase
    first.ok("company", "add", "Alpha GmbH")
    first.ok("company", "rm", "1", "--yes")
    first.ok("company", "add", "Beta GmbH")
    assert [c["id"] for c in first.json("company", "list")] == [2]


def test_a_row_with_a_uid_is_that_contact_and_no_other(cli: Cli, tmp_path: Path) -> None:
    cli.ok("contact", "add", "--first", "Alexander", "--last", "Schmidt", "--email", "a@s.example")
    stored = cli.json("contact", "show", "1")
    rows = [
        {"uid": stored["uid"], "first_name": "Alexander", "last_name": "Schmidt",
         "email": "a@s.example", "position": "Engineer"},
        # Same name and email, another uid: another person as far as the file says.
        {"uid": "another-uid", "first_name": "Alexander", "last_name": "Schmidt",
         "email": "a@s.example"},
    ]  # fmt: skip
    path = tmp_path / "people.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    summary = json.loads(cli.ok("import", str(path), "--format", "json").stdout)
    assert (summary["created"], summary["updated"]) == (1, 1)
    assert cli.json("contact", "show", "1")["position"] == "Engineer"
    assert [c["uid"] for c in cli.json("contact", "list")] == [stored["uid"], "another-uid"]


# --- migration -----------------------------------------------------------------------------------


def _release_one_database(path: Path) -> None:
    """A database as the first release wrote it: schema step one only, data in its columns."""
    from sqlite_utils import Database as Utils
    from sqlite_utils import Migrations

    from greentech_cli.migrations import MIGRATION_SET, STEPS

    conn = sqlite3.connect(path, isolation_level=None)
    migrations = Migrations(MIGRATION_SET)
    name, step = STEPS[0]
    migrations(name=name)(step)
    migrations.apply(Utils(conn))
    stamp = "2026-11-01T10:00:00+00:00"
    conn.execute(
        "INSERT INTO companies (id, name, website, created_at, updated_at) "
        "VALUES (1, 'Lippe Recycling GmbH', 'https://lippe.example', ?, ?)",
        [stamp, stamp],
    )
    for contact_id, email, phone, mobile in (
        (1, "petra@lippe.example", "+492306123456", "+491711234567"),
        (2, None, None, "+77011234567"),
        (5, "olga@example.kz", None, None),
    ):
        conn.execute(
            "INSERT INTO contacts (id, first_name, company_id, email, phone, mobile, created_at, "
            "updated_at) VALUES (?, 'Name', 1, ?, ?, ?, ?, ?)",
            [contact_id, email, phone, mobile, stamp, stamp],
        )
    conn.close()


def test_a_first_release_database_is_migrated_with_a_backup_first(tmp_path: Path) -> None:
    from greentech_cli.migrations import latest_version, schema_version
    from greentech_cli.services.records import contacts

    path = tmp_path / "greentech.db"
    _release_one_database(path)
    db = open_db(path)
    try:
        assert schema_version(db) == latest_version()
        petra, nobody, olga = (contacts.resolve(db, str(i)) for i in (1, 2, 5))
        assert [(e.value, e.type) for e in petra.emails] == [("petra@lippe.example", "work")]
        assert (petra.phone, petra.mobile) == ("+492306123456", "+491711234567")
        assert nobody.emails == [] and nobody.mobile == "+77011234567" and nobody.phone is None
        assert olga.phones == []
        assert len({petra.uid, nobody.uid, olga.uid}) == 3 and all(
            len(uid or "") == 36 for uid in (petra.uid, nobody.uid, olga.uid)
        )
        with transaction(db):
            contacts.remove(db, "5")
        created, _ = contacts.add(db, {"first_name": "New"})
        assert created.id == 6  # past the highest id the file ever had
        company = db.execute("SELECT websites, uid FROM companies").fetchone()
        assert json.loads(company[0]) == ["https://lippe.example"] and company[1]
    finally:
        db.close()
    backups = list((tmp_path / "backups").glob("greentech-before-migration-*.db"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert old.execute("SELECT count(*) FROM contacts").fetchone() == (3,)
    old.close()


def test_value_objects_round_trip_through_the_store(db: Any) -> None:
    from greentech_cli.store import contacts as store

    person = Contact(
        first_name="A",
        addresses=[Address("work", "Str. 1", "01067", "Dresden", None, "DE")],
        phones=[Phone("0351 12", "other")],
    )
    with transaction(db):
        store.insert(db, person)
    back = store.get(db, person.id or 0)
    assert back.addresses == person.addresses and back.phones == person.phones


def test_contact_add_and_show_the_new_fields(cli: Cli) -> None:
    cli.ok(
        "contact", "add", "--first", "Olga", "--last", "Ivanova", "--birthday", "31.02.1980",
        "--alias", "Ольга Иванова", "--extra", "Industry=Water", "--website", "https://o.example",
    )  # fmt: skip
    olga = cli.json("contact", "show", "1")
    assert olga["extra"] == {"Industry": "Water", "Birthday": "31.02.1980"}
    assert (olga["aliases"], olga["websites"]) == (["Ольга Иванова"], ["https://o.example"])
    table = cli.ok("contact", "show", "1").stdout
    assert "Industry: Water" in table and "Ольга Иванова" in table
    assert (
        "NAME=VALUE" in cli.fails("contact", "add", "--first", "X", "--extra", "x", code=2).stderr
    )
    cli.ok("contact", "edit", "1", "--birthday", "17.05.1980")
    assert cli.json("contact", "show", "1")["birthday"] == "1980-05-17"


def test_primaries_given_beside_their_lists_name_the_primary(db: Any) -> None:
    from greentech_cli.services.records import contacts

    person, _ = contacts.add(
        db,
        {
            "mobile": "+7 777 111 22 33",
            "email": "b@x.kz",
            "emails": ["a@x.kz", "b@x.kz"],
            "phones": [{"value": "+7 727 250 00 99", "type": "fax"}],
        },
    )
    assert [e.value for e in person.emails] == ["b@x.kz", "a@x.kz"]
    assert [(p.value, p.type) for p in person.phones] == [
        ("+77272500099", "fax"), ("+77771112233", "mobile"),
    ]  # fmt: skip


def test_an_itinerary_names_the_extension_of_a_host_phone() -> None:
    from greentech_cli.services.schedule.itinerary import person

    host = Contact(first_name="Mehmet", phones=[Phone("+49201555440", "work", "102")])
    assert person(host).phone == "+49 201 555440 ext. 102"


def test_warnings_file_naming_the_database_is_refused(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init")
    path = tmp_path / "list.csv"
    path.write_text("Vorname;Nachname\nAnna;Schmidt\n", encoding="utf-8")
    refused = cli.fails("import", str(path), "--warnings", str(cli.db_path))
    assert "--warnings" in refused.stderr and "the database itself" in refused.stderr
    # A folder that is not there: refused before the import, not after it was written.
    for option in ("--warnings", "--rejects"):
        refused = cli.fails("import", str(path), option, str(tmp_path / "nope" / "w.txt"))
        assert f"{option}: the folder" in refused.stderr
        assert "nothing was imported" in refused.stderr
    assert cli.json("contact", "list") == []


def test_values_that_fit_no_vocabulary_are_kept_as_written(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init")
    companies = tmp_path / "firmen.csv"
    companies.write_text(
        "Name;Land;Branchen\nLippe Recycling GmbH;Atlantis;Weltraum\n", encoding="utf-8"
    )
    result = cli.ok("import", str(companies), "--as", "companies")
    assert "kept in the organisation's notes" in result.stdout + result.stderr
    notes = cli.json("company", "show", "1")["notes"]
    assert "Country: Atlantis" in notes and "Sector: Weltraum" in notes
    people = tmp_path / "people.json"
    people.write_text(
        json.dumps([{"first_name": "Olga", "share_consent_date": "someday"}]), encoding="utf-8"
    )
    cli.ok("import", str(people))
    assert cli.json("contact", "show", "1")["extra"] == {"Consent date": "someday"}
