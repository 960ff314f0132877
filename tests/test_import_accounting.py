"""Nothing lost, nothing invented: every column of a table lands somewhere, said where."""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from tests import engines

from .conftest import REALWORLD, Cli


@pytest.fixture
def ready(cli: Cli) -> Cli:
    cli.ok("init")
    return cli


def _csv(tmp_path: Path, text: str, name: str = "list.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _only_contact(cli: Cli) -> dict[str, Any]:
    listed = cli.json("contact", "list")
    assert len(listed) == 1
    shown: dict[str, Any] = cli.json("contact", "show", str(listed[0]["id"]))
    return shown


def test_numbered_emails_phones_with_fax_a_home_address_and_a_birthday(
    ready: Cli, tmp_path: Path
) -> None:
    path = _csv(
        tmp_path,
        "Vorname,Nachname,E-mail 1,E-mail 2,E-mail 3,Phone 1,Phone 2,Phone 3,Phone 4,Fax,"
        "Straße (privat),PLZ privat,Ort privat,Land privat,Geburtstag\n"
        "Anna,Berg,anna@berg.de,anna@home.de,a@other.org,030 1234567,030 2345678,"
        "0171 1234567,040 555666,030 1234568,Hauptstr. 1,10115,Berlin,DE,17.05.1980\n",
    )
    ready.json("import", str(path), "--default-country", "DE")
    shown = _only_contact(ready)
    assert [e["value"] for e in shown["emails"]] == ["anna@berg.de", "anna@home.de", "a@other.org"]
    assert shown["email"] == "anna@berg.de"
    assert [(p["value"], p["type"]) for p in shown["phones"]] == [
        ("+49301234567", "work"),
        ("+49302345678", "work"),
        ("+491711234567", "work"),
        ("+4940555666", "work"),
        ("+49301234568", "fax"),
    ]
    assert shown["addresses"] == [
        {"type": "home", "street": "Hauptstr. 1", "postcode": "10115", "city": "Berlin",
         "region": None, "country": "DE"},
    ]  # fmt: skip
    assert shown["birthday"] == "1980-05-17"


def test_google_shaped_headers(ready: Cli, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "Given Name,Family Name,Nickname,E-mail 1 - Type,E-mail 1 - Value,E-mail 2 - Type,"
        "E-mail 2 - Value,Phone 1 - Type,Phone 1 - Value,Phone 2 - Type,Phone 2 - Value,"
        "Phone 3 - Type,Phone 3 - Value,Address 1 - Type,Address 1 - Street,Address 1 - City,"
        "Address 1 - Postal Code,Address 1 - Country,Website 1 - Type,Website 1 - Value,Birthday\n"
        "Aibek,Dzhaksybekov,Abi,* Work,a@dz.kz,Home,aibek@mail.kz,Mobile,+7 701 123 4567,"
        "Work Fax,+7 727 250 0099,Home,+7 727 765 4321,Home,Abai 1,Almaty,050000,Kazakhstan,"
        "Work,https://dz.kz,1979-02-03\n",
    )
    summary = ready.json("import", str(path))
    assert summary["preset"] == "google"
    shown = _only_contact(ready)
    assert shown["aliases"] == ["Abi"]
    assert [(e["value"], e["type"]) for e in shown["emails"]] == [
        ("a@dz.kz", "work"), ("aibek@mail.kz", "home"),
    ]  # fmt: skip
    assert {(p["value"], p["type"]) for p in shown["phones"]} == {
        ("+77011234567", "mobile"), ("+77272500099", "fax"), ("+77277654321", "home"),
    }  # fmt: skip
    assert shown["addresses"][0]["city"] == "Almaty"
    assert shown["addresses"][0]["country"] == "KZ"
    assert shown["websites"] == ["https://dz.kz"]
    assert shown["birthday"] == "1979-02-03"
    went = {c["header"]: c["went_to"] for c in summary["columns"]}
    assert went["Phone 1 - Type"] == "used as the kind of Phone 1 - Value"
    assert went["E-mail 2 - Type"] == "used as the kind of E-mail 2 - Value"
    assert went["E-mail 2 - Value"] == "stored as emails"
    assert went["Address 1 - Type"] == "used as the kind of Address 1 - Street and 3 more columns"
    assert shown["addresses"][0]["type"] == "home"


def test_outlook_de_headers_keep_the_company_address_with_the_company(
    ready: Cli, tmp_path: Path
) -> None:
    path = _csv(
        tmp_path,
        "Anrede;Vorname;Nachname;Firma;Position;Straße geschäftlich;Ort geschäftlich;"
        "Postleitzahl geschäftlich;Straße privat;Ort privat;Postleitzahl privat;"
        "Telefon geschäftlich;Telefon geschäftlich 2;Telefon (privat);Mobiltelefon;"
        "Fax geschäftlich;Pager;E-Mail-Adresse;E-Mail 2: Adresse;E-Mail 3: Adresse;"
        "Geburtstag;Webseite;Beruf;Geschlecht\n"
        "Herr;Jens;Kurz;Kurz GmbH;CEO;Werkstr. 5;Köln;50667;Gartenweg 2;Bonn;53111;"
        "0221 100;0221 101;0228 200;0171 300;0221 109;0171 400;jens@kurz.de;jk@web.de;"
        "j@kurz.info;3.4.1970;www.kurz.de;Ingenieur;männlich\n",
    )
    summary = ready.json("import", str(path), "--default-country", "DE")
    assert summary["preset"] == "outlook-de"
    shown = _only_contact(ready)
    assert len(shown["emails"]) == 3
    assert sorted(p["type"] for p in shown["phones"]) == [
        "fax", "home", "mobile", "other", "work", "work",
    ]  # fmt: skip
    assert shown["addresses"] == [
        {"type": "home", "street": "Gartenweg 2", "postcode": "53111", "city": "Bonn",
         "region": None, "country": None},
    ]  # fmt: skip
    assert shown["birthday"] == "1970-04-03"
    assert shown["websites"] == ["www.kurz.de"]
    assert shown["extra"] == {"Beruf": "Ingenieur"}
    company = ready.json("company", "show", "Kurz GmbH")
    assert (company["street"], company["city"], company["postcode"]) == (
        "Werkstr. 5", "Köln", "50667",
    )  # fmt: skip
    went = {c["header"]: c["went_to"] for c in summary["columns"]}
    assert went["Geschlecht"] == "not imported (ignored by preset)"
    assert "Geschlecht" in summary["unmapped_columns"]


def test_business_address_without_a_company_is_the_persons(ready: Cli, tmp_path: Path) -> None:
    path = _csv(tmp_path, "First Name,Last Name,Business Street,Business City\nA,B,Ring 1,Ulm\n")
    ready.json("import", str(path))
    shown = _only_contact(ready)
    assert shown["addresses"][0]["type"] == "work"
    assert (shown["addresses"][0]["street"], shown["addresses"][0]["city"]) == ("Ring 1", "Ulm")


def test_columns_without_a_field_are_kept_in_extra_not_in_notes(ready: Cli, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "Vorname,Nachname,Industry,Rolle,Mitgliedsnummer,Bemerkung\n"
        "Eva,Roth,Recycling,Dolmetscherin,4711,kommt später\n",
    )
    ready.json("import", str(path))
    shown = _only_contact(ready)
    assert shown["extra"] == {
        "Industry": "Recycling", "Rolle": "Dolmetscherin", "Mitgliedsnummer": "4711",
    }  # fmt: skip
    assert shown["notes"] == "kommt später"


@pytest.mark.parametrize(
    ("cells", "first", "last"),
    [
        ("Hans Müller,Müller", "Hans", "Müller"),  # name = full name
        ("Dr. Hans Peter Müller,Müller", "Hans Peter", "Müller"),
        ("Hans,Müller", "Hans", "Müller"),  # name = given name
    ],
)
def test_name_beside_last_name(
    ready: Cli, tmp_path: Path, cells: str, first: str, last: str
) -> None:
    ready.json("import", str(_csv(tmp_path, f"name,last_name\n{cells}\n")))
    shown = _only_contact(ready)
    assert (shown["first_name"], shown["last_name"], shown["notes"]) == (first, last, None)
    assert shown["extra"] == {}


def test_accounting_json_is_exact(ready: Cli, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "Vorname,Nachname,E-Mail,Telefon,Passnummer,Lieblingsfarbe,Hobbys,Leer\n"
        "A,B,a@b.de,+49 30 1234567,X1,blau,Schach,\n"
        "C,D,,,,grün,,\n",
    )
    mapping = tmp_path / "map.yaml"
    mapping.write_text('columns:\n  "Hobbys": ignore\n', encoding="utf-8")
    summary = ready.json("import", str(path), "--mapping", str(mapping))
    assert summary["columns"] == [
        {"header": "Vorname", "went_to": "stored as first_name", "cells": 2},
        {"header": "Nachname", "went_to": "stored as last_name", "cells": 2},
        {"header": "E-Mail", "went_to": "stored as emails", "cells": 1},
        {"header": "Telefon", "went_to": "stored as phones", "cells": 1},
        {"header": "Passnummer", "went_to": "not imported (ignored by preset)", "cells": 1},
        {"header": "Lieblingsfarbe", "went_to": "kept in extra", "cells": 2},
        {"header": "Hobbys", "went_to": "not imported (ignored by mapping)", "cells": 1},
        {"header": "Leer", "went_to": "kept in extra", "cells": 0},
    ]
    assert summary["mapped_columns"] == {
        "Vorname": "first_name", "Nachname": "last_name", "E-Mail": "email",
        "Telefon": "phone", "Lieblingsfarbe": "extra",
    }  # fmt: skip
    assert summary["unmapped_columns"] == ["Passnummer", "Hobbys"]
    assert (summary["warnings"], summary["warning_list"]) == (0, [])


def test_a_rejected_rows_cells_are_not_counted_as_stored(ready: Cli, tmp_path: Path) -> None:
    # The second row has neither a name nor an email: it goes to the rejects file, not the database.
    path = _csv(tmp_path, "Vorname,Nachname,IBAN,Betrag\nA,B,DE89,175\n,,DE12,40\n")
    summary = ready.json("import", str(path))
    assert summary["rejected"] == 1
    assert [(c["header"], c["cells"]) for c in summary["columns"]] == [
        ("Vorname", 1), ("Nachname", 1), ("IBAN", 1), ("Betrag", 1),
    ]  # fmt: skip


def test_every_warning_is_listed_and_written(ready: Cli, tmp_path: Path) -> None:
    rows = "".join(f"P{i},Q,abc{i}\n" for i in range(30))
    path = _csv(tmp_path, "Vorname,Nachname,Telefon\n" + rows)
    out = tmp_path / "warnings.txt"
    summary = ready.json("import", str(path), "--warnings", str(out))
    assert summary["warnings"] == 30
    assert len(summary["warning_list"]) == 30
    assert len(summary["first_warnings"]) == 20
    assert out.read_text(encoding="utf-8").splitlines() == summary["warning_list"]
    if os.name == "posix":
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
    table = ready.ok("import", str(path), "--dry-run").stdout
    assert "and 10 more: --warnings FILE" in " ".join(table.split())


def test_bad_input_is_kept_with_warnings(ready: Cli, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "Vorname,Nachname,E-Mail,Telefon,Geburtstag,Position\n"
        'Ola,Nord,"a@b.de; c@d.de, e@f.de",nur Buchstaben,31.02.1980,Chefin\n',
    )
    mapping = tmp_path / "map.yaml"
    mapping.write_text('columns:\n  "Position": extra\n', encoding="utf-8")
    summary = ready.json("import", str(path), "--mapping", str(mapping))
    shown = _only_contact(ready)
    assert [e["value"] for e in shown["emails"]] == ["a@b.de", "c@d.de", "e@f.de"]
    assert shown["phones"][0]["value"] == "nur Buchstaben"
    assert shown["birthday"] is None
    assert shown["extra"] == {"Birthday": "31.02.1980", "Position (extra)": "Chefin"}
    text = " ".join(summary["warning_list"])
    assert "nur Buchstaben" in text
    assert "31.02.1980" in text
    assert "has the name of a field" in text
    assert summary["warnings"] == 3


def test_a_refused_file_leaves_the_database_as_it_was(ready: Cli, tmp_path: Path) -> None:
    ready.json("import", str(_csv(tmp_path, "Vorname,Nachname\nA,B\n", "first.csv")))
    before = {p.name: p.read_bytes() for p in ready.db_path.parent.iterdir() if p.is_file()}
    rows = engines.fingerprint(ready.db_path)  # on PostgreSQL no file holds them
    refused = tmp_path / "bad.csv"
    refused.write_bytes(b"")
    ready.fails("import", str(refused))
    mapping = tmp_path / "bad.yaml"
    mapping.write_text('columns:\n  "Vorname": nonsense\n', encoding="utf-8")
    ready.fails("import", str(_csv(tmp_path, "Vorname\nX\n", "second.csv")), "--mapping",
                str(mapping))  # fmt: skip
    after = {p.name: p.read_bytes() for p in ready.db_path.parent.iterdir() if p.is_file()}
    assert after == before
    assert engines.fingerprint(ready.db_path) == rows


# --- the real files: every non-empty cell is stored, kept in extra, or said not imported ------

# Columns whose values are converted by design (a word to a vocabulary value, a date to ISO):
# the check looks for the column's field being set, not for the text as written.
_CONVERTED = ("share_consent", "marketing_consent", "country", "languages", "role", "status",
              "salutation", "company country")  # fmt: skip
# Google's system groups ("* myContacts") and its list separator are not the user's tags.
_GOOGLE_GROUPS = re.compile(r"\*[^:]*|:::")


def _strings(value: Any) -> list[str]:
    """Every text in a JSON value (keys of mappings included)."""
    if isinstance(value, dict):
        return [*value, *(s for v in value.values() for s in _strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [] if value is None else [str(value)]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split())).casefold()


def _found(cell: str, blob: str, digits: str) -> bool:
    """A cell's words all appear in what was stored (phones by their last seven digits)."""
    text = _fold(cell)
    if text in blob:
        return True
    cell_digits = re.sub(r"\D", "", cell)
    if len(cell_digits) >= 7 and cell_digits[-7:] in digits:
        return True
    words = [w.strip(",;.()") for w in text.split()]
    return all(w in blob for w in words if w)


@pytest.mark.realworld
@pytest.mark.parametrize("name", sorted(p.name for p in (REALWORLD / "csv").glob("*.csv")))
def test_every_cell_of_a_real_csv_is_accounted_for(ready: Cli, tmp_path: Path, name: str) -> None:
    from greentech_cli.importers.sources import read_table

    path = REALWORLD / "csv" / name
    rejects = tmp_path / "rejects.csv"
    summary = ready.json("import", str(path), "--rejects", str(rejects))
    contacts = [ready.json("contact", "show", str(c["id"])) for c in ready.json("contact", "list")]
    companies = ready.json("company", "list")
    blob = _fold("\n".join(_strings([contacts, companies])))
    if rejects.exists():
        blob += _fold(rejects.read_text(encoding="utf-8"))
    digits = re.sub(r"\D", "", blob)
    went = {c["header"]: c["went_to"] for c in summary["columns"]}
    with read_table(path) as table:
        rows = [row.cells for row in table.rows]
        headers = list(table.headers)
    assert list(went) == headers
    missing = []
    for cells in rows:
        for header, cell in zip(headers, cells, strict=False):
            if not cell.strip():
                continue
            where = went[header]
            if where.startswith(("not imported (", "used as the kind of")):
                continue
            assert where.startswith(("stored as ", "kept in extra")), where
            if any(where.startswith(f"stored as {field}") for field in _CONVERTED):
                continue
            if where == "stored as tags":
                cell = _GOOGLE_GROUPS.sub(" ", cell)
            if where == "stored as birthday" or where == "stored as share_consent_date":
                continue  # dates are stored as ISO 8601 (or kept in extra as written)
            if not _found(cell, blob, digits):
                missing.append((header, cell))
    assert missing == []


def test_a_known_person_with_an_address_again_is_filled_not_failed(
    ready: Cli, tmp_path: Path
) -> None:
    first = _csv(tmp_path, "Vorname,Nachname,E-Mail,Stadt\nA,B,a@b.de,Ulm\n", "one.csv")
    second = _csv(tmp_path, "Vorname,Nachname,E-Mail,Stadt\nA,B,a@b.de,Bonn\n", "two.csv")
    ready.json("import", str(first))
    summary = ready.json("import", str(second))
    assert (summary["created"], summary["updated"]) == (0, 1)
    assert [a["city"] for a in _only_contact(ready)["addresses"]] == ["Ulm", "Bonn"]
