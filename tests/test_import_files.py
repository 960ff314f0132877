"""`greentech import` on the files officers really receive: real-world exports and own fixtures."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from .conftest import REALWORLD, Cli

# What each real-world file must bring in intact: a name (or email) as written.
EXPECTED = {
    "csv/civicrm_participant.csv": "mum@example.com",
    "csv/eventespresso_attendees_cr.csv": "Jane",
    "csv/jverein_datei1_semicolon.csv": "Meier",
    "csv/rechnungspilot_vr-teilhaberbank_bom.csv": None,  # a bank statement: no people in it
    "csv/roundcube_all_bom.csv": "First Name Middle Name",
    "csv/roundcube_gmail.csv": None,
    "csv/tine20_importtest_outlook2013_de_cp1252.csv": "Baumann",
    "csv/tine20_importtest_win1252_semicolon.csv": "ÖzdemirÖ",
    "vcard/ezvcard_John_Doe_ANDROID.vcf": None,
    "vcard/ezvcard_John_Doe_IPHONE.vcf": "Doe",
    "vcard/ezvcard_gmail-single2.vcf": None,
    "vcard/ezvcard_outlook-2007.vcf": "Angstadt",
    "vcard/ezvcard_rfc6350-example.vcf": None,
    "vcard/kcontacts_vcard10_qp_german.vcf": None,
    "vcard/kcontacts_vcard9_cyrillic_fold_midchar.vcf": None,
    "vcard/tine20_HerrFalkMuenchen_latin1.vcf": "München",
    "vcard/tine20_contactUmlaut.vcf": None,
    "vcard/tine20_mac_os_x_addressbook.vcf": None,
}


@pytest.fixture
def ready(cli: Cli) -> Cli:
    cli.ok("init")
    return cli


@pytest.mark.realworld
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_realworld_file_imports(ready: Cli, name: str) -> None:
    summary = ready.json("import", str(REALWORLD / name))
    assert summary["rows"] >= 1
    assert summary["created"] + summary["rejected"] + summary["skipped"] >= summary["rows"] - 1
    text = json.dumps(ready.json("contact", "list"), ensure_ascii=False)
    assert "\ufffd" not in text.replace("\\ufffd", "") or name.endswith("ANDROID.vcf")
    if EXPECTED[name]:
        assert EXPECTED[name] in text
    # Importing the same file again creates nothing new.
    again = ready.json("import", str(REALWORLD / name))
    assert again["created"] == 0


@pytest.mark.realworld
def test_umlauts_and_cyrillic_survive(ready: Cli) -> None:
    for name in (
        "vcard/kcontacts_vcard10_qp_german.vcf",
        "vcard/kcontacts_vcard9_cyrillic_fold_midchar.vcf",
        "csv/tine20_importtest_outlook2013_de_cp1252.csv",
    ):
        ready.json("import", str(REALWORLD / name))
    text = json.dumps(ready.json("contact", "list"), ensure_ascii=False)
    assert any(ch in text for ch in "äöüÄÖÜß")
    assert any("\u0400" <= ch <= "\u04ff" for ch in text)


def _xlsx(path: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Teilnehmer")
    sheet.write(0, 0, "Teilnehmerliste Delegation Kasachstan, 16.–20.11.2026")
    headers = ["Anrede", "Vorname", "Nachname", "Name (kyrillisch)", "Organisation", "E-Mail",
               "Telefon", "Land", "Einwilligung Teilnehmerliste", "PLZ"]  # fmt: skip
    rows = [
        ["Herr", "Zhanibek", "Nurlanov", "Жанибек Нурланов", "Astana Su Arnasy", "zh@astanasu.kz",
         77011234567, "Kasachstan", "ja", "010000"],
        ["Frau", "Aigerim", "Sadykova", "Айгерим Садыкова", "Almaty Waste Solutions LLP",
         "aigerim@example.kz", 77017654321.0, "KZ", "x", "050000"],
        ["Herr", "Schanibek", "Nurlanow", "", "Astana Su Arnasy", "", 77011234567, "Kasachstan",
         "", ""],
        ["Herr", "Bad", "Email", "", "X", "bad@@mail", 4921112345, "DE", "nein", ""],
    ]  # fmt: skip
    for col, header in enumerate(headers):
        sheet.write(2, col, header)
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()


def test_xlsx_with_title_row_numbers_duplicate_and_bad_email(ready: Cli, tmp_path: Path) -> None:
    path = tmp_path / "teilnehmer.xlsx"
    _xlsx(path)
    rejects = tmp_path / "rejects.csv"
    summary = ready.json("import", str(path), "--rejects", str(rejects))
    assert summary["format"] == "xlsx" and summary["sheet"] == "Teilnehmer"
    assert (summary["rows"], summary["created"], summary["rejected"]) == (4, 2, 1)
    assert summary["duplicates"] == 1  # Schanibek Nurlanow is Zhanibek Nurlanov
    people = {c["last_name"]: c for c in ready.json("contact", "list")}
    assert people["Nurlanov"]["phone"] == "+77011234567"
    assert people["Sadykova"]["phone"] == "+77017654321"
    assert people["Sadykova"]["native_name"] == "Айгерим Садыкова"
    assert people["Sadykova"]["share_consent"] == "yes"
    assert "bad@@mail" in rejects.read_text(encoding="utf-8-sig")


def test_cp1252_semicolon_csv(ready: Cli, tmp_path: Path) -> None:
    path = tmp_path / "anmeldung.csv"
    text = (
        "Vorname;Nachname;Firma;Straße;PLZ;Ort\r\n"
        "Jürgen;Weiß;Müller Umwelttechnik GmbH;Königsallee 1;01067;Düsseldorf\r\n"
    )
    path.write_bytes(text.encode("cp1252"))
    summary = ready.json("import", str(path))
    assert summary["encoding"] == "cp1252" and summary["delimiter"] == ";"
    person = ready.json("contact", "list")[0]
    assert (person["first_name"], person["last_name"]) == ("Jürgen", "Weiß")
    assert person["company"] == "Müller Umwelttechnik GmbH"


def test_vcard_folded_inside_a_multibyte_character(ready: Cli, tmp_path: Path) -> None:
    name = "Жанибек Нурланович Нурланов"
    line = f"FN:{name}".encode()
    cut = line.index("Н".encode()) + 1  # inside the two bytes of Н
    card = b"BEGIN:VCARD\r\nVERSION:3.0\r\n" + "N:Нурланов;Жанибек;;;\r\n".encode()
    card += line[:cut] + b"\r\n " + line[cut:] + b"\r\nEND:VCARD\r\n"
    path = tmp_path / "card.vcf"
    path.write_bytes(card)
    assert ready.json("import", str(path))["created"] == 1
    person = ready.json("contact", "list")[0]
    assert (person["first_name"], person["last_name"]) == ("Жанибек", "Нурланов")


def test_companies_import_and_mapping_file(ready: Cli, tmp_path: Path) -> None:
    path = tmp_path / "firmen.csv"
    path.write_text(
        "Unternehmen;Ort;PLZ;Land;Branche;USt-IdNr\n"
        "Lippe Recycling GmbH;Lünen;44536;Deutschland;Kreislaufwirtschaft;DE123456789\n"
        "LIPPE RECYCLING;Lünen;;DE;;\n",
        encoding="utf-8",
    )
    summary = ready.json("import", str(path), "--as", "companies")
    assert (summary["created"], summary["duplicates"]) == (1, 1)
    company = ready.json("company", "list")[0]
    assert (company["postcode"], company["sectors"], company["country"]) == (
        "44536",
        ["circular-economy"],
        "DE",
    )
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns:\n  Wer: name\n  Mail: email\n", encoding="utf-8")
    people = tmp_path / "people.csv"
    people.write_text("Wer,Mail\nDr. Anna Schmidt,anna@example.de\n", encoding="utf-8")
    ready.json("import", str(people), "--mapping", str(mapping))
    anna = ready.json("contact", "show", "anna@example.de")
    assert (anna["title"], anna["first_name"], anna["last_name"]) == ("Dr.", "Anna", "Schmidt")


def test_unknown_preset_and_bad_mapping_are_errors(ready: Cli, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Name,Email\nA B,a@example.de\n", encoding="utf-8")
    assert "nope" in ready.fails("import", str(path), "--preset", "nope").stderr
    mapping = tmp_path / "m.yaml"
    mapping.write_text("columns:\n  Name: shoe_size\n", encoding="utf-8")
    assert "shoe_size" in ready.fails("import", str(path), "--mapping", str(mapping)).stderr


def test_zip_bomb_and_huge_cell_are_refused(ready: Cli, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))
    assert ready.fails("import", str(bomb)).stderr
    huge = tmp_path / "huge.csv"
    huge.write_text("Name;Notiz\nA B;" + "x" * (5 * 1024 * 1024) + "\n", encoding="utf-8")
    assert "1 MB" in ready.fails("import", str(huge)).stderr
    assert ready.json("import", "history") == []


def test_ragged_rows_and_multiline_cells(ready: Cli, tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text(
        'Vorname,Nachname,E-Mail,Notizen\nA,B,a@example.de\n"C",D,c@example.de,"two\nlines",extra\n',
        encoding="utf-8",
    )
    summary = ready.json("import", str(path))
    assert summary["created"] == 2
    c = ready.json("contact", "show", "c@example.de")
    assert c["notes"].startswith("two\nlines")


def test_readme_mapping_example_is_valid(tmp_path: Path) -> None:
    from greentech_cli.importers.mapping import auto_map
    from greentech_cli.importers.presets import load_mapping_file

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = "#" + readme.split("# mapping.yaml", 1)[1].split("```", 1)[0]
    path = tmp_path / "mapping.yaml"
    path.write_text(block, encoding="utf-8")
    column_map = auto_map(
        ["Teilnehmer", "Mail", "Handy", "Passnummer"], mapping=load_mapping_file(path)
    )
    assert column_map.as_dict() == {
        "Teilnehmer": "name",
        "Mail": "email",
        "Handy": "mobile",
        "Passnummer": None,
    }
    assert column_map.unmapped == ()


def test_companies_rejects_keep_their_cells(ready: Cli, tmp_path: Path) -> None:
    """An organisation row with a bad value is rejected into the rejects file as it was written."""
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns:\n  Firma: name\n  Breite: lat\n", encoding="utf-8")
    path = tmp_path / "firmen.csv"
    path.write_text("Firma;Breite\nGood GmbH;51.5\nBad GmbH;north\n", encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    summary = ready.json(
        "import", str(path), "--as", "companies", "--mapping", str(mapping),
        "--rejects", str(rejects),
    )  # fmt: skip
    assert (summary["created"], summary["rejected"]) == (1, 1)
    lines = rejects.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "Firma;Breite;reason"
    assert lines[1].startswith("Bad GmbH;north;") and "latitude" in lines[1]
    assert [c["name"] for c in ready.json("company", "list")] == ["Good GmbH"]
