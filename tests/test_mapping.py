"""Tests for header mapping, presets, value helpers and row-to-record conversion."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from greentech_cli.errors import InvalidData, NotFound, UnreadableFile
from greentech_cli.importers.mapping import ColumnMap, auto_map
from greentech_cli.importers.presets import (
    COMPANY_FIELDS,
    CONTACT_FIELDS,
    available_presets,
    best_preset,
    is_known_header,
    load_mapping_file,
    load_preset,
    normalize_header,
)
from greentech_cli.importers.records import split_list, to_record
from greentech_cli.importers.sources import read_table
from greentech_cli.importers.values import (
    has_cyrillic,
    parse_consent,
    split_full_name,
)
from greentech_cli.resources import data_path
from greentech_cli.text.dates import expand_year
from greentech_cli.text.dates import read_date as parse_date

from .conftest import REALWORLD

REALWORLD_CSV = REALWORLD / "csv"
TODAY = dt.date(2026, 11, 24)


def record_for(headers: list[str], cells: list[str], **options: object) -> dict[str, object]:
    return to_record(cells, auto_map(headers, **options))  # type: ignore[arg-type]


# --- presets -------------------------------------------------------------------------------


def test_available_presets() -> None:
    assert {
        "generic", "generic-companies", "outlook-de", "outlook-en", "google", "thunderbird",
        "registration-de", "registration-en", "civicrm", "eventespresso",
    } <= set(available_presets())  # fmt: skip


@pytest.mark.parametrize("name", available_presets())
def test_every_shipped_preset_is_valid(name: str) -> None:
    preset = load_preset(name)
    assert preset.name == name
    assert preset.description
    assert preset.target in ("contacts", "companies")
    allowed = set(CONTACT_FIELDS if preset.target == "contacts" else COMPANY_FIELDS)
    assert preset.fields() <= allowed
    assert preset.index


def test_data_path_finds_the_presets() -> None:
    assert data_path("presets", "generic.yaml").is_file()


def test_unknown_preset_lists_the_available_ones() -> None:
    with pytest.raises(InvalidData, match=r"no preset 'lotus'; available presets: .*outlook-de"):
        load_preset("lotus")
    with pytest.raises(InvalidData, match="is not a preset name"):
        load_preset("../secrets")


@pytest.mark.realworld
def test_outlook_de_preset_covers_the_real_92_headers() -> None:
    path = REALWORLD_CSV / "tine20_importtest_outlook2013_de_cp1252.csv"
    if not path.is_file():
        pytest.skip("real-world sample not available")
    table = read_table(path)
    column_map = auto_map(table.headers)
    assert column_map.preset == "outlook-de"
    assert column_map.unmapped == ()
    assert column_map.as_dict()["E-Mail 2: Adresse"] == "email2"
    assert column_map.as_dict()["Straße geschäftlich"] == "company_street"
    # Outlook's "Ort" is the office, not the city: kept in extra under its header
    assert column_map.as_dict()["Ort"] == "extra"


@pytest.mark.realworld
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "tine20_importtest_outlook2013_de_cp1252.csv",
            [
                {"first_name": "Christian", "last_name": "Baumann",
                 "email": "c.baumann@unittest.de", "company": "unittest", "position": "Vertrieb",
                 "company_city": "Hamburg", "company_postcode": "20457",
                 "phone": "+49 (0) 40 6432131-550"},
                {"first_name": "Cornelius", "last_name": "Weiß", "email": "c.weiss@unittest.de",
                 "mobile": "0176 164321545", "phone": "040 6432131545"},
            ],
        ),
        (
            "tine20_importtest_win1252_semicolon.csv",
            [
                {"first_name": "Peter", "last_name": "Pan", "email": "peter.pan@ecologic.eu"},
                {"first_name": "Maja", "last_name": "Biene"},
                {"first_name": "ÖzdemirÖ", "last_name": "Üglü"},
                {"first_name": "Weiss", "last_name": "Cornelius"},
            ],
        ),
        (
            "roundcube_gmail.csv",
            [
                {"first_name": "Firstname Middle", "last_name": "Lastname",
                 "email": {"value": "home@aaa.pl", "type": "home"}, "email2": "work@email.pl",
                 "mobile": "mobile", "company": "company",
                 "position": "jobtitle", "tags": ["Test"],
                 "birthday": "1975-12-12"},
            ],
        ),
        (
            "roundcube_all_bom.csv",
            [
                {"first_name": "First Name Middle Name", "last_name": "Last Name",
                 "email": "work@example.com", "email2": "home@example.com",
                 "birthday": "1991-01-20", "position": "Job Title"},
            ],
        ),
        (
            "jverein_datei1_semicolon.csv",
            [
                {"salutation": "Herr", "title": "Dr.", "first_name": "Willi", "last_name": "Meier",
                 "company_postcode": "12345", "birthday": "1970-03-03"},
            ],
        ),
        (
            "eventespresso_attendees_cr.csv",
            [
                {"first_name": "John", "last_name": "Doe", "email": "noreply@eventespresso.com",
                 "status": "registered"},
                {"first_name": "Jane", "last_name": "Doe"},
            ],
        ),
        (
            "civicrm_participant.csv",
            [{"email": "mum@example.com", "role": "delegate", "status": "registered"}],
        ),
    ],
)  # fmt: skip
def test_realworld_rows_become_records(name: str, expected: list[dict[str, object]]) -> None:
    path = REALWORLD_CSV / name
    if not path.is_file():
        pytest.skip("real-world sample not available")
    table = read_table(path)
    column_map = auto_map(table.headers)
    records = [primaries(to_record(row.cells, column_map)) for row in table.rows]
    assert len(records) == len(expected)
    for record, wanted in zip(records, expected, strict=True):
        assert {key: record.get(key) for key in wanted} == wanted


def primaries(record: dict[str, Any]) -> dict[str, Any]:
    """A record with its first emails as email/email2 and its first phone and mobile as such."""
    flat = dict(record)
    emails = record.get("emails") or ([record["email"]] if record.get("email") else [])
    for key, value in zip(("email", "email2"), emails, strict=False):
        flat[key] = value
    for phone in record.get("phones") or []:
        key = "mobile" if phone["type"] == "mobile" else None if phone["type"] == "fax" else "phone"
        if key:
            flat.setdefault(key, phone["value"])
    return flat


def test_google_phone_types_route_the_numbers() -> None:
    headers = [
        "Given Name", "Family Name", "Phone 1 - Type", "Phone 1 - Value",
        "Phone 2 - Type", "Phone 2 - Value", "Phone 3 - Type", "Phone 3 - Value",
    ]  # fmt: skip
    cells = [
        "Aibek",
        "Dzhaksybekov",
        "* Mobile",
        "+7 701 1",
        "Work Fax",
        "+7 727 9",
        "Work",
        "+7 2",
    ]
    record = record_for(headers, cells)
    assert record["phones"] == [
        {"value": "+7 2", "type": "work"},
        {"value": "+7 701 1", "type": "mobile"},
        {"value": "+7 727 9", "type": "fax"},  # a fax number is stored as one
    ]


def test_new_google_format_is_recognised() -> None:
    headers = ["First Name", "Middle Name", "Last Name", "Phonetic First Name", "Name Prefix",
               "Organization Name", "Organization Title", "Labels", "E-mail 1 - Label",
               "E-mail 1 - Value", "Phone 1 - Label", "Phone 1 - Value"]  # fmt: skip
    column_map = auto_map(headers)
    assert column_map.preset == "google"
    assert column_map.unmapped == ()
    record = to_record(
        ["Anna", "", "Schmidt", "", "Dr.", "Ökotech", "CEO", "* myContacts ::: KZ 2026",
         "Work", "anna@example.de", "Mobile", "0171 1"],
        column_map,
    )  # fmt: skip
    assert record == {
        "first_name": "Anna", "last_name": "Schmidt", "title": "Dr.", "company": "Ökotech",
        "position": "CEO", "tags": ["KZ 2026"], "email": "anna@example.de", "mobile": "0171 1",
    }  # fmt: skip


def test_thunderbird_german_export_is_recognised() -> None:
    headers = [
        "Vorname", "Nachname", "Anzeigename", "Spitzname", "Primäre E-Mail-Adresse",
        "Sekundäre E-Mail-Adresse", "Messenger-Name", "Tel. dienstlich", "Tel. privat",
        "Fax-Nummer", "Pager-Nummer", "Mobil-Tel.-Nr.", "Privat: Adresse", "Privat: Adresse 2",
        "Privat: Ort", "Privat: Bundesland", "Privat: PLZ", "Privat: Land", "Dienstlich: Adresse",
        "Dienstlich: Adresse 2", "Dienstlich: Ort", "Dienstlich: Bundesland", "Dienstlich: PLZ",
        "Dienstlich: Land", "Arbeitstitel", "Abteilung", "Organisation", "Webseite 1",
        "Webseite 2", "Geburtsjahr", "Geburtsmonat", "Geburtstag", "Benutzerdef. 1",
        "Benutzerdef. 2", "Benutzerdef. 3", "Benutzerdef. 4", "Notizen",
    ]  # fmt: skip
    column_map = auto_map(headers)
    assert column_map.preset == "thunderbird"
    assert column_map.unmapped == ()
    # In Thunderbird "Geburtstag" is only the day of the month, not a birthday date.
    assert column_map.as_dict()["Geburtstag"] is None


def test_plain_list_needs_no_preset() -> None:
    column_map = auto_map(["First Name", "Last Name", "E-Mail"])
    assert column_map.preset is None
    assert column_map.fields == ("first_name", "last_name", "email")


def test_registration_form_headers() -> None:
    headers = ["Lfd. Nr.", "Anrede", "Vorname", "Nachname", "Name (kyrillisch)",
               "Organisation/Firma/Unternehmen", "Funktion", "E-Mail", "Telefon", "Mobil", "Land",
               "Stadt", "Einwilligung Teilnehmerliste", "Rolle", "Status", "Sprache(n)",
               "Branche/Technologiefeld", "Passnummer", "Lieblingsfarbe"]  # fmt: skip
    column_map = auto_map(headers)
    assert column_map.fields[1:17] == (
        "salutation", "first_name", "last_name", "native_name", "company", "position", "email",
        "phone", "mobile", "country", "city", "share_consent", "role", "status", "languages",
        "extra",  # a contact has no sector: the industry is kept under its header
    )  # fmt: skip
    assert column_map.unmapped == ("Lieblingsfarbe",)
    assert column_map.fields[-1] == "extra"  # an unknown column is kept too
    assert auto_map(headers, members=False).fields[13:15] == ("extra", "extra")
    assert "Passnummer" in column_map.ignored


def test_loose_matching_of_decorated_headers() -> None:
    column_map = auto_map(["Vorname*", "Nachname *", "E-Mail (für Rückfragen)", "Telefon 2"])
    assert column_map.fields == ("first_name", "last_name", "email", "phone")


def test_vorname_and_name_means_surname() -> None:
    column_map = auto_map(["Vorname", "Name", "Firma"])
    assert column_map.fields == ("first_name", "last_name", "company")


def test_companies_target() -> None:
    column_map = auto_map(
        ["Firma", "Rechtsform", "Branche", "PLZ", "Ort", "Land", "USt-IdNr.", "Breitengrad"],
        target="companies",
    )
    assert column_map.fields == (
        "name", "legal_form", "sectors", "postcode", "city", "country", "vat_id", "lat",
    )  # fmt: skip
    record = to_record(
        ["Remondis SE & Co. KG", "SE & Co. KG", "Kreislaufwirtschaft; Wasser", "44536", "Lünen",
         "DE", "DE123", "51.6"],
        column_map,
    )  # fmt: skip
    assert record["name"] == "Remondis SE & Co. KG"
    assert record["sectors"] == ["Kreislaufwirtschaft", "Wasser"]
    assert record["postcode"] == "44536"


def test_unknown_target() -> None:
    with pytest.raises(InvalidData, match="Cannot import as 'visits'"):
        auto_map(["Name"], target="visits")


def test_best_preset_requires_half_the_headers() -> None:
    assert best_preset(["Anrede", "Vorname", "X1", "X2", "X3", "X4", "X5"]) is None


def test_known_headers_and_normalising() -> None:
    assert normalize_header(" E-Mail-Adresse ") == "emailadresse"
    assert normalize_header("Straße geschäftlich") == "strassegeschaeftlich"
    assert normalize_header("Sprache(n)") == "sprachen"
    assert normalize_header("Фамилия") == "фамилия"
    assert is_known_header("E-MAIL")
    assert is_known_header("Фамилия")
    assert not is_known_header("Teilnehmerliste Delegation Kasachstan 2026")


# --- mapping files -------------------------------------------------------------------------


def test_mapping_file(tmp_path: Path) -> None:
    path = tmp_path / "ahk.yaml"
    path.write_text(
        "description: AHK Zentralasien Excel\n"
        "columns:\n"
        "  'ФИО (латиница)': name\n"
        "  'ФИО': native_name\n"
        "  'Телефон': mobile\n"
        "  'Примечание': ignore\n"
        "ignore: [Nr]\n"
        "values:\n"
        "  share_consent: {согласен: yes}\n",
        encoding="utf-8",
    )
    mapping = load_mapping_file(path)
    assert mapping.name == "ahk"
    column_map = auto_map(["Nr", "ФИО (латиница)", "ФИО", "Телефон", "Согласие", "Примечание"],
                          mapping=mapping)  # fmt: skip
    assert column_map.preset == "ahk"
    assert column_map.fields == (None, "name", "native_name", "mobile", "share_consent", None)
    record = to_record(
        ["1", "Zhanibek Nurlanov", "Жанибек Нурланов", "+7 701", "Согласен", "x"], column_map
    )
    assert record == {
        "first_name": "Zhanibek", "last_name": "Nurlanov", "native_name": "Жанибек Нурланов",
        "mobile": "+7 701", "share_consent": "yes",
    }  # fmt: skip


def test_mapping_file_with_unknown_fields(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("columns:\n  Vorname: vorname\n  Mail: e_mail\n  Firma: company\n")
    with pytest.raises(
        InvalidData, match=r"bad.yaml maps to unknown field\(s\) 'e_mail', 'vorname'"
    ):
        load_mapping_file(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colums:\n  a: email\n", "unknown key"),
        ("- a\n", "must be a YAML mapping"),
        ("target: visits\ncolumns: {a: email}\n", "target must be"),
        ("columns: [a, b]\n", "'columns' must map"),
        ("columns: {a: email}\nvalues: {share_consent: {ja: vielleicht}}\n", "consent values"),
        ("columns: {a: email, A: phone}\n", "twice"),
    ],
)
def test_mapping_file_validation(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text)
    with pytest.raises(InvalidData, match=message):
        load_mapping_file(path)


def test_mapping_file_missing_or_unsafe(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        load_mapping_file(tmp_path / "nope.yaml")
    path = tmp_path / "evil.yaml"
    path.write_text("columns: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(UnreadableFile, match="not allowed"):
        load_mapping_file(path)


def test_companies_mapping_used_for_contacts(tmp_path: Path) -> None:
    path = tmp_path / "firmen.yaml"
    path.write_text("target: companies\ncolumns: {Firma: name}\n")
    with pytest.raises(InvalidData, match="is for companies, not for contacts"):
        auto_map(["Firma"], mapping=load_mapping_file(path))
    path.write_text("columns: {Firma: kind}\n")
    with pytest.raises(InvalidData, match="uses field\\(s\\) kind, which contacts do not have"):
        auto_map(["Firma"], mapping=load_mapping_file(path))


# --- to_record -----------------------------------------------------------------------------


def test_middle_names_join_the_first_name() -> None:
    record = record_for(["Vorname", "Weitere Vornamen", "Nachname"], ["Hans", "Peter", "Müller"])
    assert record == {"first_name": "Hans Peter", "last_name": "Müller"}


def test_full_name_is_split_when_first_and_last_are_missing() -> None:
    record = record_for(["Name", "E-Mail"], ["Prof. Dr. Hans-Peter von Müller", "hp@example.de"])
    assert record == {
        "title": "Prof. Dr.", "first_name": "Hans-Peter", "last_name": "von Müller",
        "email": "hp@example.de",
    }  # fmt: skip


def test_prefixes_in_the_first_name_cell() -> None:
    record = record_for(["Vorname", "Nachname"], ["Herr Dr. Max", "Mustermann"])
    assert record == {"salutation": "Herr", "title": "Dr.", "first_name": "Max",
                      "last_name": "Mustermann"}  # fmt: skip


def test_salutation_in_title_column_and_title_in_salutation_column() -> None:
    assert record_for(["Title", "First Name", "Last Name"], ["Mr.", "John", "Doe"]) == {
        "salutation": "Mr", "first_name": "John", "last_name": "Doe",
    }  # fmt: skip
    assert record_for(["Anrede", "Vorname", "Nachname"], ["Frau Dr.", "Eva", "Ölmez"]) == {
        "salutation": "Frau", "title": "Dr.", "first_name": "Eva", "last_name": "Ölmez",
    }  # fmt: skip


def test_cyrillic_full_name_beside_latin_names_goes_to_native_name() -> None:
    record = record_for(
        ["Vorname", "Nachname", "ФИО"], ["Zhanibek", "Nurlanov", "Жанибек Нурланов"]
    )
    assert record == {"first_name": "Zhanibek", "last_name": "Nurlanov",
                      "native_name": "Жанибек Нурланов"}  # fmt: skip


def test_cyrillic_names_in_name_columns_with_latin_name_elsewhere() -> None:
    record = record_for(
        ["Фамилия", "Имя", "Name (Latin)"], ["Нурланов", "Жанибек", "Zhanibek Nurlanov"]
    )
    assert record == {"first_name": "Zhanibek", "last_name": "Nurlanov",
                      "native_name": "Жанибек Нурланов"}  # fmt: skip


def test_only_cyrillic_names_stay_as_written() -> None:
    record = record_for(["Фамилия", "Имя", "Отчество"], ["Нурланов", "Жанибек", "Серикович"])
    assert record == {"first_name": "Жанибек Серикович", "last_name": "Нурланов"}


def test_redundant_display_name_is_dropped_and_different_one_kept() -> None:
    headers = ["Display Name", "First Name", "Last Name"]
    assert record_for(headers, ["Anna Schmidt", "Anna", "Schmidt"]) == {
        "first_name": "Anna", "last_name": "Schmidt",
    }  # fmt: skip
    assert record_for(headers, ["Annie", "Anna", "Schmidt"])["extra"] == {"Display Name": "Annie"}


def test_consent_words_dates_and_unknown_answers() -> None:
    headers = ["Vorname", "Nachname", "Einwilligung Teilnehmerliste", "Newsletter"]
    assert record_for(headers, ["A", "B", "Ja", "nein"])["share_consent"] == "yes"
    assert record_for(headers, ["A", "B", "", "✓"]) == {
        "first_name": "A", "last_name": "B", "marketing_consent": "yes",
    }  # fmt: skip
    dated = record_for(headers, ["A", "B", "12.03.2026", ""])
    assert dated["share_consent"] == "yes"
    assert dated["share_consent_date"] == dt.date(2026, 3, 12)
    unclear = record_for(headers, ["A", "B", "vielleicht", ""])
    assert unclear["share_consent"] == "unknown"
    assert unclear["extra"] == {"Einwilligung Teilnehmerliste": "vielleicht"}


def test_preset_value_words() -> None:
    headers = ["Vorname", "Nachname", "Einwilligung Teilnehmerliste", "Rolle", "Status"]
    record = record_for(
        headers, ["A", "B", "einverstanden", "Dolmetscherin", "Bestätigt"], preset="registration-de"
    )
    assert (record["share_consent"], record["role"], record["status"]) == (
        "yes", "interpreter", "confirmed",
    )  # fmt: skip


def test_several_columns_for_one_field() -> None:
    headers = ["E-Mail", "E-Mail 2", "Email Other", "Telefon", "Telefon privat", "Notizen"]
    record = record_for(
        headers, ["", "b@example.de", "c@example.de", "0211 1", "0211 2", "Hinweis"]
    )
    assert record["emails"] == ["b@example.de", "c@example.de"]
    assert record["phones"] == [
        {"value": "0211 1", "type": "work"},
        {"value": "0211 2", "type": "home"},
    ]
    assert record["notes"] == "Hinweis"


def test_several_note_columns_are_labelled() -> None:
    record = record_for(["Vorname", "Hotel", "Bemerkungen"], ["A", "Breidenbacher Hof", "vegan"],
                        preset="registration-de")  # fmt: skip
    assert record["notes"] == "Hotel: Breidenbacher Hof\nBemerkungen: vegan"


def test_lists_dates_and_bad_dates() -> None:
    headers = ["Vorname", "Sprachen", "Kategorien", "Geburtsdatum"]
    record = record_for(headers, ["A", "Deutsch, Englisch;Russisch", "KZ|VIP|kz", "3.3.70"])
    assert record["languages"] == ["Deutsch", "Englisch", "Russisch"]
    assert record["tags"] == ["KZ", "VIP"]
    assert record["birthday"] == "1970-03-03"
    assert "birthday" not in record_for(headers, ["A", "", "", "0.0.00"])
    # not a date: kept as written (the normalising step keeps it in extra, with a warning)
    assert record_for(headers, ["A", "", "", "31.02.1980"])["birthday"] == "31.02.1980"


def test_short_rows_and_values_are_cleaned() -> None:
    column_map = auto_map(["Vorname", "Nachname", "E-Mail"])
    assert to_record(["  Ba\u0308rbel ", "Weiß"], column_map) == {
        "first_name": "Bärbel", "last_name": "Weiß",
    }  # fmt: skip


def test_column_map_helpers() -> None:
    column_map = auto_map(["Vorname", "Foo", "Vorname (2)"])
    assert isinstance(column_map, ColumnMap)
    assert column_map.field_of(0) == "first_name"
    assert column_map.field_of(99) is None
    assert column_map.columns_for("first_name") == [0, 2]
    assert column_map.unmapped == ("Foo",)


def test_split_list() -> None:
    assert split_list("de, en ; kk|ru\nuz") == ["de", "en", "kk", "ru", "uz"]
    assert split_list("* starred ::: Delegation ::: delegation") == ["Delegation"]


# --- value helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Prof. Dr. Hans-Peter von Müller", ("", "Prof. Dr.", "Hans-Peter", "von Müller")),
        ("Müller, Hans", ("", "", "Hans", "Müller")),
        ("Müller, Dr. Hans", ("", "Dr.", "Hans", "Müller")),
        ("Herr Dr. Max Mustermann", ("Herr", "Dr.", "Max", "Mustermann")),
        ("Hr. Max Mustermann", ("Herr", "", "Max", "Mustermann")),
        ("Fr. Mag. Anna Huber", ("Frau", "Mag.", "Anna", "Huber")),
        ("Frau Dipl.-Ing. Anna Schmidt", ("Frau", "Dipl.-Ing.", "Anna", "Schmidt")),
        ("Mrs Jane Doe", ("Mrs", "", "Jane", "Doe")),
        ("Ms. Jane Doe", ("Ms", "", "Jane", "Doe")),
        ("Dr. med. Hans Meier", ("", "Dr. med.", "Hans", "Meier")),
        ("Hans Müller, MBA", ("", "MBA", "Hans", "Müller")),
        ("John Smith Jr.", ("", "", "John", "Smith Jr.")),
        ("Ludwig van der Rohe", ("", "", "Ludwig", "van der Rohe")),
        ("NURLANOV Zhanibek", ("", "", "Zhanibek", "NURLANOV")),
        ("Жанибек Нурланов", ("", "", "Жанибек", "Нурланов")),
        ("Нурланов Жанибек Серикович", ("", "", "Жанибек Серикович", "Нурланов")),
        ("Li Ma", ("", "", "Li", "Ma")),
        ("Madonna", ("", "", "", "Madonna")),
        ("", ("", "", "", "")),
    ],
)
def test_split_full_name(text: str, expected: tuple[str, str, str, str]) -> None:
    parts = split_full_name(text)
    assert (parts["salutation"], parts["title"], parts["first_name"], parts["last_name"]) == (
        expected
    )


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_split_full_name_never_raises(text: str) -> None:
    parts = split_full_name(text)
    assert set(parts) == {"salutation", "title", "first_name", "last_name"}
    assert all(isinstance(value, str) for value in parts.values())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["Herr", "Dr.", "von", "Müller", ",", "MBA", "Жанибек", "X"])))
def test_split_full_name_never_raises_on_name_words(words: list[str]) -> None:
    split_full_name(" ".join(words))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ja", "yes"), ("Ja", "yes"), ("JA.", "yes"), ("j", "yes"), ("yes", "yes"), ("x", "yes"),
        ("X", "yes"), ("✓", "yes"), ("true", "yes"), ("1", "yes"), ("да", "yes"),
        ("nein", "no"), ("n", "no"), ("no", "no"), ("false", "no"), ("0", "no"), ("нет", "no"),
        ("", "unknown"), ("  ", "unknown"), (None, "unknown"), ("vielleicht", "unknown"),
        (True, "yes"), (False, "no"),
    ],
)  # fmt: skip
def test_parse_consent(value: object, expected: str) -> None:
    assert parse_consent(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18.11.2026", dt.date(2026, 11, 18)),
        ("1.2.2026", dt.date(2026, 2, 1)),
        ("3.3.70", dt.date(1970, 3, 3)),
        ("01.05.00", dt.date(2000, 5, 1)),
        ("1.1.36", dt.date(2036, 1, 1)),
        ("1.1.37", dt.date(1937, 1, 1)),
        ("2026-11-18", dt.date(2026, 11, 18)),
        ("2026-11-18T10:00:00+01:00", dt.date(2026, 11, 18)),
        ("18.11.2026 10:00", dt.date(2026, 11, 18)),
        ("2026/11/18", dt.date(2026, 11, 18)),
        ("20/01/1991", dt.date(1991, 1, 20)),
        ("04/04/2026", dt.date(2026, 4, 4)),
        ("9/28/12", dt.date(2012, 9, 28)),
        ("18. November 2026", dt.date(2026, 11, 18)),
        ("18 Nov 2026", dt.date(2026, 11, 18)),
        ("3. März 2026", dt.date(2026, 3, 3)),
        ("November 18, 2026", dt.date(2026, 11, 18)),
        ("", None),
        ("0.0.00", None),
    ],
)
def test_parse_date(text: str, expected: dt.date | None) -> None:
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31.02.2026", "not a valid calendar date"),
        ("13.13.2026", "not a valid calendar date"),
        ("morgen", "is not a date"),
        ("2026", "is not a date"),
        ("18. Brumaire 2026", "is not a date"),
    ],
)
def test_parse_date_nonsense(text: str, message: str) -> None:
    with pytest.raises(InvalidData, match=message):
        parse_date(text)


def test_expand_year_pivot() -> None:
    assert expand_year(36, TODAY) == 2036
    assert expand_year(37, TODAY) == 1937
    assert expand_year(5, dt.date(2095, 1, 1)) == 2105
    assert expand_year(6, dt.date(2095, 1, 1)) == 2006


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_parse_date_only_raises_invalid_data(text: str) -> None:
    with contextlib.suppress(InvalidData):
        parse_date(text)


def test_has_cyrillic() -> None:
    assert has_cyrillic("Қайрат")
    assert has_cyrillic("Zhanibek Нурланов")
    assert not has_cyrillic("Zhanibek Nurlanov")
    assert not has_cyrillic("")


def test_cyrillic_name_columns_with_latin_name_and_native_column() -> None:
    record = record_for(
        ["Фамилия", "Имя", "Name (Latin)", "ФИО (кириллица)"],
        ["Нурланов", "Жанибек", "Zhanibek Nurlanov", "Нурланов Жанибек Серикович"],
    )
    assert record == {
        "first_name": "Zhanibek", "last_name": "Nurlanov",
        "native_name": "Нурланов Жанибек Серикович",
    }  # fmt: skip


def test_passport_style_capitals_in_a_full_name_column() -> None:
    assert record_for(["Name", "E-Mail"], ["Dr. NURLANOV Zhanibek", "z@example.kz"]) == {
        "title": "Dr.", "first_name": "Zhanibek", "last_name": "NURLANOV",
        "email": "z@example.kz",
    }  # fmt: skip


def test_mapping_file_name_column_is_taken_at_its_word(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("columns: {Vorname: first_name, Name: name}\n")
    column_map = auto_map(["Vorname", "Name"], mapping=load_mapping_file(path))
    assert column_map.fields == ("first_name", "name")


@pytest.mark.parametrize(
    ("cell", "value"),
    [('="0171 2345678"', "0171 2345678"), ('= "01067"', "01067"), ('="Say ""hi"""', 'Say "hi"'),
     ("=SUM(A1)", "=SUM(A1)")],
)  # fmt: skip
def test_excel_text_formula_cells_hold_their_text(cell: str, value: str) -> None:
    """="…" is how CSV writers keep Excel from turning a phone or postcode into a number."""
    record = record_for(["Vorname", "Telefon", "Notizen"], ["Anna", cell, cell])
    assert (record["phone"], record["notes"]) == (value, value)
    assert "phone" not in record_for(["Vorname", "Telefon"], ["Anna", '=""'])
