"""Tests of the vCard reader on real files, named edge-case fixtures and arbitrary bytes."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greentech_cli.errors import InvalidData, UnreadableFile
from greentech_cli.importers.vcard import read_vcards as read_cards

from .conftest import REALWORLD as SHARED_REALWORLD

FIXTURES = Path(__file__).parent / "fixtures" / "vcard"
REALWORLD = SHARED_REALWORLD / "vcard"


def realworld(name: str) -> bytes:
    """The bytes of a shared real-world file, skipping the test when it is not there."""
    path = REALWORLD / name
    if not path.is_file():
        pytest.skip(f"real-world file {name} is not available")
    return path.read_bytes()


def flat(record: dict[str, object]) -> dict[str, object]:
    """A record with a numbered view of its lists beside them, which keeps the assertions on
    real cards short: email2, …; phone/phone2 (neither mobile nor fax), mobile/mobile2, fax/fax2."""
    view = dict(record)
    emails = record.get("emails") or []
    assert isinstance(emails, list)
    for number, email in enumerate(emails[1:], start=2):
        view[f"email{number}"] = email["value"]
    groups: dict[str, list[str]] = {}
    phones = record.get("phones") or []
    assert isinstance(phones, list)
    for phone in phones:
        kind = phone["type"] if phone["type"] in ("mobile", "fax") else "phone"
        groups.setdefault(kind, []).append(phone["value"])
    for kind, values in groups.items():
        for number, value in enumerate(values, start=1):
            view[kind if number == 1 else f"{kind}{number}"] = value
    return view


def read_vcards(data: bytes, encoding: str | None = None) -> tuple[list[dict[str, object]], str]:
    """read_vcards with the numbered view of each record (see flat)."""
    records, used = read_cards(data, encoding)
    return [flat(record) for record in records], used


def read(data: bytes, encoding: str | None = None) -> list[dict[str, object]]:
    """Only the records of read_vcards."""
    return read_vcards(data, encoding)[0]


def card(*lines: str, version: str = "3.0") -> bytes:
    """One UTF-8 card with CRLF line ends around the given content lines."""
    body = ["BEGIN:VCARD", f"VERSION:{version}", *lines, "END:VCARD", ""]
    return "\r\n".join(body).encode("utf-8")


# --- real-world files -------------------------------------------------------------------------


@pytest.mark.realworld
def test_android_qp_utf8_and_damaged_byte() -> None:
    records, encoding = read_vcards(realworld("ezvcard_John_Doe_ANDROID.vcf"))
    assert encoding == "utf-8"
    assert len(records) == 6
    assert records[0] == {
        "email": "john.doe@company.com",
        "tags": ["My Contacts"],
        "emails": [{"value": "john.doe@company.com", "type": "work"}],
    }
    assert records[2]["last_name"] == "Ñ Ñ Ñ Ñ"
    assert records[3]["last_name"] == "Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ"
    assert records[3]["mobile"] == "123456"
    assert records[3]["mobile2"] == "3456789"
    assert records[3]["phone"] == "234567"
    # The two identical NOTEs are one note; the soft breaks join without spaces.
    assert records[3]["notes"] == "Ñ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ"
    bob = records[4]
    assert (bob["first_name"], bob["last_name"]) == ("Ñ Ñ Ñ", "Ñ Ñ")
    assert bob["email"] == "bob@company.com"
    assert bob["company"] == "Ñ" * 12
    assert bob["fax"] == "123456"
    # one number typed CELL, WORK and WORK;FAX: three entries, each with its kind
    assert [p["type"] for p in bob["phones"]] == ["mobile", "work", "fax"]
    # The PHOTO with bare "JPEG" parameter and a blank line after it does not disturb the card.
    assert bob["company_website"] == "www.company.com"
    henry = records[5]
    assert henry["company"] == "Ñ" * 44
    assert henry["email"] == "henry@company.com"
    assert henry["tags"] == ["My Contacts"]


@pytest.mark.realworld
def test_iphone_groups_types_and_photo() -> None:
    [record] = read(realworld("ezvcard_John_Doe_IPHONE.vcf"))
    assert record["salutation"] == "Mr."
    assert record["first_name"] == "John Richter James"
    assert record["last_name"] == "Doe"
    assert record["title"] == "Sr."
    assert (record["company"], record["department"]) == ("IBM", "Accounting")
    assert record["position"] == "Money Counter"
    assert record["email"] == "john.doe@ibm.com"
    assert record["mobile"] == "905-555-1234"
    assert record["phone"] == "905-777-1234"
    assert (record["fax"], record["fax2"]) == ("905-888-1234", "905-999-1234")
    assert record["birthday"] == "2012-06-06"
    assert record["aliases"] == ["Johny"]
    assert record["addresses"][0]["type"] == "home"
    assert record["extra"]["vCard properties not imported"] == "PHOTO (binary data)"
    assert record["company_street"] == "Street4\nBuilding 6\nFloor 8"
    assert record["company_city"] == "New York"
    assert record["company_country"] == "USA"
    assert record["company_website"] == "http://www.ibm.com"


@pytest.mark.realworld
def test_gmail_export_keeps_every_email_in_file_order() -> None:
    [record] = read(realworld("ezvcard_gmail-single2.vcf"))
    assert (record["first_name"], record["last_name"]) == ("VCard", "Test")
    assert "native_name" not in record  # the phonetic names are Latin like N
    assert record["email"] == "email@example.com"  # no PREF: the first is the primary
    assert [record[f"email{n}"] for n in range(2, 6)] == [
        "homeemail@example.com",
        "workemail@example.com",
        "otheremail@example.com",
        "customcategory@example.com",
    ]
    assert record["phone"] == "5555551113"
    assert record["mobile"] == "5555551115"
    assert record["company_street"] == "113 Main St"
    assert record["company_website"] == "http://www.example5.com"
    assert record["notes"] == "note line 1\nnote line 2\nCustomField: field value"
    assert record["position"] == "TheJobTitle"


@pytest.mark.realworld
def test_outlook_2007_qp_note_and_binary_blocks() -> None:
    [record] = read(realworld("ezvcard_outlook-2007.vcf"))
    assert record["salutation"] == "Mr."
    assert (record["first_name"], record["last_name"]) == ("Michael", "Angstadt")
    assert record["title"] == "Jr."
    assert (record["company"], record["department"]) == ("TheCompany", "TheDepartment")
    assert record["position"] == "TheJobTitle"
    assert record["phone"] == "(111) 555-1111"
    assert record["mobile"] == "(111) 555-4444"
    assert record["email"] == "mike.angstadt@gmail.com"
    assert record["company_street"] == "222 Broadway, TheOffice"
    assert record["company_postcode"] == "99999"
    assert str(record["notes"]).splitlines() == [
        "This is the NOTE field\t",
        "I assume it encodes this text inside a NOTE vCard type.",
        "But I'm not sure because there's text formatting going on here.",
        "It does not preserve the formatting",
    ]


@pytest.mark.realworld
def test_rfc6350_example_version_4() -> None:
    [record] = read(realworld("ezvcard_rfc6350-example.vcf"))
    assert (record["first_name"], record["last_name"]) == ("Simon", "Perreault")
    assert record["title"] == "ing. jr, M.Sc."
    assert record["company"] == "Viagenie"
    assert record["languages"] == ["fr", "en"]
    assert record["email"] == "simon.perreault@viagenie.ca"
    assert record["phone"] == "+1-418-656-9254"
    assert record["phones"][0] == {"value": "+1-418-656-9254", "type": "work", "extension": "102"}
    assert record["birthday"] == "--02-03"
    # TYPE="work,cell,voice,video,text" is a quoted list that includes cell.
    assert record["mobile"] == "+1-418-262-6501"
    # The ADR value is folded in the middle of its components.
    assert record["company_street"] == "2875 Laurier, Suite D2-630"
    assert record["company_city"] == "Quebec"
    assert record["company_country"] == "Canada"


@pytest.mark.realworld
def test_kcontacts_qp_german_soft_breaks_without_leading_space() -> None:
    records = read(realworld("kcontacts_vcard10_qp_german.vcf"))
    assert len(records) == 5
    assert records[0]["company"] == "Bike Shop"
    assert records[0]["company_street"] == "DDDDDDDDDDDDDDD-Staße 2\n00000 DDDDDDDDDD"
    assert records[0]["notes"] == "This one has a funny character at the end in the contact list"
    # The URL after a broken-looking QP address is still read.
    # (no ORG on that card: the URL is the person's website)
    assert records[1]["websites"] == ["http://some-webseite.com"]
    assert records[1]["first_name"] == "Broken"
    doctor = records[3]
    assert (doctor["first_name"], doctor["last_name"]) == ("Surname", "Name")
    assert doctor["title"] == "Dr. med."
    assert doctor["position"] == "Facharzt für Allgemeinmedizin"
    assert str(doctor["notes"]).startswith("Sprechzeiten:\nMo   8–12, 15–18\n")
    assert records[4]["company_street"] == "DDDDDDDDDDDstraße 26\n00000 DDDDDDDDDDDDDDDDD"
    assert records[4]["position"] == "Dentist"
    assert "company" not in records[4]  # ORG: is empty


@pytest.mark.realworld
def test_kcontacts_fold_inside_a_cyrillic_character() -> None:
    [record] = read(realworld("kcontacts_vcard9_cyrillic_fold_midchar.vcf"))
    assert record["last_name"] == "123ㄓㄕㄖbcde" + "αβγδ" * 6 + "αβㄤㄓㄕㄖ"
    assert "first_name" not in record
    # Neither name is Latin, so there is nothing to call the native form.
    assert "native_name" not in record
    assert record["notes"] == (
        "Длинный комментарий на русском языке, чтобы в результате получилась строка более "
        "70 символов."
    )


@pytest.mark.realworld
def test_tine20_latin1_file() -> None:
    records, encoding = read_vcards(realworld("tine20_HerrFalkMuenchen_latin1.vcf"))
    assert encoding == "cp1252"
    [record] = records
    assert (record["first_name"], record["last_name"]) == ("Falk", "München")
    # no ORG: both addresses are the person's own
    home, work = record["addresses"]
    assert (home["type"], home["city"]) == ("home", "Bad Vilbel")
    assert work == {
        "type": "work",
        "street": "Platz der Republik 1",
        "postcode": "40222",
        "city": "Düsseldorf",
    }
    assert record["phone"] == "12212/1212"
    assert record["mobile"] == "0171-9394461"
    assert record["email"] == "falk.muenchoen@landtag.xyz.de"
    assert record["position"] == "Landtagsabgeordneter"


@pytest.mark.realworld
def test_tine20_umlaut_utf8_in_a_21_card() -> None:
    [record] = read(realworld("tine20_contactUmlaut.vcf"))
    assert (record["first_name"], record["last_name"]) == ("Hans", "Müller")
    assert record["company"] == "Mein Schiff"
    assert record["company_city"] == "Nürnberg"
    assert record["company_postcode"] == "90329"
    assert record["company_country"] == "Deutschland"
    assert record["email"] == "hans@schiff.de"


@pytest.mark.realworld
def test_tine20_mac_addressbook_escapes_and_labels() -> None:
    [record] = read(realworld("tine20_mac_os_x_addressbook.vcf"))
    assert (record["first_name"], record["last_name"]) == ("Lars", "Kneschke")
    assert (record["company"], record["department"]) == ("ORGANI,SATION", "UN;IT")
    assert record["email"] == "l.kneschke@metaways.de"
    assert record["email2"] == "lars@kneschke.de"
    assert record["phone"] == "+49 BUSINESS"
    assert record["mobile"] == "+49 MOBIL"
    assert record["mobile2"] == "Tel Iphone"
    assert (record["fax"], record["fax2"]) == ("+49 FAX PRIVAT", "+49 FAX")
    assert record["company_street"] == "Address Business 1"
    assert record["company_country"] == "COUNTRY BUSINESS"
    assert record["notes"] == "Notes\nwith\nLine Break and , and ; yeah!"


@pytest.mark.realworld
def test_every_realworld_file_parses() -> None:
    for path in sorted(REALWORLD.glob("*.vcf")):
        records, _ = read_vcards(path.read_bytes())
        assert records, path.name
        for record in records:
            for value in record.values():
                assert "\ufffd" not in str(value) or path.name.endswith("ANDROID.vcf")


# --- own fixtures -----------------------------------------------------------------------------


def test_fixture_v21_quoted_printable_umlauts_and_soft_breaks() -> None:
    data = (FIXTURES / "v21_quoted_printable_umlauts_soft_breaks.vcf").read_bytes()
    first, second = read(data)
    assert first["salutation"] == "Herr"
    assert first["title"] == "Dr."
    assert first["first_name"] == "Jörg"
    assert first["last_name"] == "Müller-Lüdenscheid"
    # CHARSET=ISO-8859-1 and windows-1252 per property, QP soft breaks inside words.
    assert first["company"] == "Stadtwerke Düsseldorf AG"
    assert first["department"] == "Abwasserbehandlung"
    assert first["position"] == "Geschäftsführer – Technik"
    assert first["company_street"] == "Höherweg 100"
    assert first["company_city"] == "Düsseldorf"
    assert first["company_country"] == "Deutschland"
    # A soft break followed by a line starting with a space keeps that space.
    assert first["notes"] == "Erste Zeile\nZweite Zeile mit ß und € am Ende"
    assert first["phone"] == "+49 211 821-0"
    assert first["mobile"] == "0171 2345678"
    # A soft break right before END:VCARD does not swallow the end of the card.
    assert second["last_name"] == "Straßburger"
    assert second["first_name"] == "Günter"
    assert second["notes"] == "Soft break right before the card end"


def test_fixture_utf8_fold_inside_multibyte_characters() -> None:
    data = (FIXTURES / "utf8_fold_inside_multibyte_char.vcf").read_bytes()
    # The fixture really folds inside characters: some physical lines are not valid UTF-8.
    with pytest.raises(UnicodeDecodeError):
        data.split(b"\r\n")[3].decode("utf-8")
    [record] = read(data)
    assert (record["first_name"], record["last_name"]) == ("Zhanibek", "Nurlanov")
    assert record["native_name"] == "Жанибек Нурланов"
    assert record["company"] == "ТОО «Экология Казахстана»"
    assert str(record["notes"]).startswith("Meeting notes 🚀 — Kläranlage Moers, Дополнительная")


def test_fixture_multi_card_crlf_with_photo() -> None:
    data = (FIXTURES / "multi_card_crlf_with_photo.vcf").read_bytes()
    anna, aigerim, pyotr = read(data)
    assert anna["salutation"] == "Frau"
    assert anna["title"] == "Prof. Dr."
    assert (anna["first_name"], anna["last_name"]) == ("Anna", "Schmidt")
    assert (anna["company"], anna["department"]) == ("Fraunhofer UMSICHT", "Kreislaufwirtschaft")
    # the PREF address (labelled Other) is the primary one
    assert anna["email"] == "anna.schmidt@example.org"
    assert anna["email2"] == "a.schmidt@umsicht.example"
    assert [e["type"] for e in anna["emails"]] == ["other", "work"]
    assert anna["mobile"] == "+49 171 1111111"
    assert anna["phone"] == "+49 208 8598-0"
    assert anna["company_city"] == "Oberhausen"
    assert anna["tags"] == ["circular-economy", "Wasserstoff, H2"]
    assert anna["notes"] == "Met at IFAT 2024\nFollow-up: Klärschlamm"
    # vCard 4.0 ALTID alternatives: Latin name first, Kazakh Cyrillic as native name.
    assert (aigerim["first_name"], aigerim["last_name"]) == ("Aigerim", "Sadykova")
    assert aigerim["native_name"] == "Айгерім Садықова"
    assert aigerim["phone"] == "+7-7172-55-11-22"
    assert aigerim["languages"] == ["kk", "en"]
    # Cyrillic N with Apple's Latin phonetic fields: the Latin form is first/last.
    assert (pyotr["first_name"], pyotr["last_name"]) == ("Pyotr", "Ivanov")
    assert pyotr["native_name"] == "Пётр Иванов"


def test_fixture_whole_file_cp1252() -> None:
    data = (FIXTURES / "cp1252_whole_file_no_charset.vcf").read_bytes()
    records, encoding = read_vcards(data)
    assert encoding == "cp1252"
    assert records == [
        {
            "salutation": "Herr",
            "first_name": "Jürgen",
            "last_name": "Gößling",
            "company": "Müller & Söhne GmbH",
            "notes": "Preis 12 € – netto",
        }
    ]


# --- edge cases -------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"N:Doe;John\r\n", b"\x00\xff" * 50])
def test_no_vcard_is_unreadable(data: bytes) -> None:
    with pytest.raises(UnreadableFile, match="contains no vCard"):
        read_vcards(data)


def test_card_without_end_is_read_up_to_the_next_begin_or_eof() -> None:
    data = b"BEGIN:VCARD\nVERSION:3.0\nN:One;A\nBEGIN:VCARD\nVERSION:3.0\nN:Two;B\n"
    assert read(data) == [
        {"first_name": "A", "last_name": "One"},
        {"first_name": "B", "last_name": "Two"},
    ]


@pytest.mark.parametrize("newline", [b"\r\n", b"\n", b"\r"])
def test_line_ends(newline: bytes) -> None:
    data = newline.join([b"BEGIN:VCARD", b"VERSION:3.0", b"N:D\xc3\xb6e;J", b" ane", b"END:VCARD"])
    assert read(data) == [{"first_name": "Jane", "last_name": "Döe"}]


def test_bom_and_utf16() -> None:
    text = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Нурланов;Жанибек\r\nEND:VCARD\r\n"
    expected = [{"first_name": "Жанибек", "last_name": "Нурланов"}]
    assert read_vcards(codecs.BOM_UTF8 + text.encode()) == (expected, "utf-8-sig")
    assert read_vcards(text.encode("utf-16")) == (expected, "utf-16")
    assert read_vcards(text.encode("utf-16-le")) == (expected, "utf-16-le")
    assert read_vcards(text.encode("utf-16-be")) == (expected, "utf-16-be")
    assert read_vcards(text.encode("utf-32")) == (expected, "utf-32")
    # Forcing UTF-16 on a UTF-8 file finds no card rather than garbage.
    with pytest.raises(UnreadableFile):
        read_vcards(text.encode("utf-8"), "utf-16")


def test_forced_and_unknown_encoding() -> None:
    data = "BEGIN:VCARD\nN:Нурланов;Жанибек\nEND:VCARD\n".encode("cp1251")
    records, encoding = read_vcards(data, "cp1251")
    assert records == [{"first_name": "Жанибек", "last_name": "Нурланов"}]
    assert encoding == "cp1251"
    with pytest.raises(InvalidData, match="Unknown encoding"):
        read_vcards(data, "no-such-codec")
    with pytest.raises(UnreadableFile):
        read_vcards("BEGIN:VCARD\nN:Ж\nEND:VCARD\n".encode(), "ascii")
    # The caller's encoding also wins over a UTF-8 BOM for values without CHARSET.
    assert read_vcards(codecs.BOM_UTF8 + data, "cp1251")[1] == "cp1251"


def test_escapes_groups_and_quoted_parameters() -> None:
    data = card(
        r"N:O\,Brien\;Jr;Ann\nMarie;;;",
        'item1.TEL;TYPE="work,voice";X-NOTE="a:b;c":+49 1',
        "item2.TEL:+49 2",
        "item2.X-ABLabel:Handy",
        r"NOTE:C:\path\\x \: done",
        r"CATEGORIES:a\,b,c",
    )
    [record] = read(data)
    assert record["last_name"] == "O,Brien;Jr"
    assert record["first_name"] == "Ann\nMarie"
    assert record["phone"] == "+49 1"
    assert record["mobile"] == "+49 2"  # the Apple label "Handy" marks a mobile
    assert record["notes"] == "C:\\path\\x : done"  # unknown escapes keep their backslash
    assert record["tags"] == ["a,b", "c"]


def test_formatted_name_only() -> None:
    assert read(card("FN:Dr. Anna Schmidt")) == [
        {"title": "Dr.", "first_name": "Anna", "last_name": "Schmidt"}
    ]
    assert read(card("FN:Müller\\, Hans")) == [{"first_name": "Hans", "last_name": "Müller"}]
    assert read(card("FN:Herr Hans Peter Müller")) == [
        {"salutation": "Herr", "first_name": "Hans Peter", "last_name": "Müller"}
    ]
    # A company card shows the company as FN; that is not a person's name.
    assert read(card("N:;;;;", "FN:Stadtwerke Moers", "ORG:Stadtwerke Moers")) == [
        {"company": "Stadtwerke Moers"}
    ]


def test_title_from_display_name_when_n_has_no_prefix() -> None:
    [record] = read(card("N:Schmidt;Anna;;;", "FN:Prof. Dr. Anna Schmidt"))
    assert record["title"] == "Prof. Dr."
    [record] = read(card("N:Hans;Dr.;;;", "FN:Dr. Hans"))
    assert "title" not in record  # FN is N itself here, not N with a prefix


def test_native_name_rules() -> None:
    # Latin N and Cyrillic FN: the FN is the native name.
    [record] = read(card("N:Nurlanov;Zhanibek;;;", "FN:Жанибек Нурланов"))
    assert record["native_name"] == "Жанибек Нурланов"
    # Only a Cyrillic name: it stays first/last, as written, without a native copy.
    [record] = read(card("N:Нурланов;Жанибек;;;", "FN:Жанибек Нурланов"))
    assert record == {"first_name": "Жанибек", "last_name": "Нурланов"}
    # Cyrillic N, Latin FN: the Latin form is split into first/last.
    [record] = read(card("N:Нурланов;Жанибек;;;", "FN:Zhanibek Nurlanov"))
    assert (record["first_name"], record["last_name"]) == ("Zhanibek", "Nurlanov")
    assert record["native_name"] == "Жанибек Нурланов"
    # Two N properties (a Latin and a Cyrillic one), in either order.
    [record] = read(card("N:Нурланов;Жанибек;;;", "N:Nurlanov;Zhanibek;;;"))
    assert (record["last_name"], record["native_name"]) == ("Nurlanov", "Жанибек Нурланов")
    # Our own property wins over any guess.
    [record] = read(card("N:Нурланов;Жанибек;;;", "X-GREENTECH-NATIVE-NAME:Жанибек Н."))
    assert record == {
        "first_name": "Жанибек",
        "last_name": "Нурланов",
        "native_name": "Жанибек Н.",
    }


def test_agent_card_inside_a_21_card_is_skipped() -> None:
    data = b"\r\n".join(
        [
            b"BEGIN:VCARD",
            b"VERSION:2.1",
            b"N:Boss;Big",
            b"AGENT:",
            b"BEGIN:VCARD",
            b"VERSION:2.1",
            b"N:Assistant;Little",
            b"END:VCARD",
            b"EMAIL;INTERNET:big@example.com",
            b"END:VCARD",
        ]
    )
    assert read(data) == [
        {
            "first_name": "Big",
            "last_name": "Boss",
            "email": "big@example.com",
            "emails": [{"value": "big@example.com", "type": "work"}],
        }
    ]


def test_base64_text_value_and_unknown_charset() -> None:
    data = card(
        "N;ENCODING=b;CHARSET=UTF-8:TcO8bGxlcjtIYW5z",
        "NOTE;CHARSET=x-unknown:Gr\u00fc\u00dfe",
        "TITLE;CHARSET=UTF-16:Leiter",
        version="2.1",
    )
    [record] = read(data)
    assert (record["first_name"], record["last_name"]) == ("Hans", "Müller")
    assert record["notes"] == "Grüße"
    assert record["position"] == "Leiter"


def test_values_are_nfc() -> None:
    [record] = read(card("N:Mu\u0308ller;Jo\u0308rg;;;"))
    assert record == {"first_name": "Jörg", "last_name": "Müller"}


# --- never an uncaught exception ---------------------------------------------------------------

_TOKENS = [
    b"BEGIN:VCARD",
    b"END:VCARD",
    b"VERSION:2.1",
    b"VERSION:4.0",
    b"\r\n",
    b"\n",
    b"\r",
    b" ",
    b"\t",
    b"=",
    b";",
    b":",
    b",",
    b'"',
    b"\\",
    b".",
    b"N",
    b"FN",
    b"TEL",
    b"EMAIL",
    b"ADR",
    b"ORG",
    b"NOTE",
    b"LANG;PREF=99999999999999999999999",
    b"AGENT:",
    b"item1.",
    b"X-ABLabel",
    b"TYPE=",
    b"CHARSET=",
    b"utf-16",
    b"rot13",
    b"unicode_escape",
    b"idna",
    b"ENCODING=QUOTED-PRINTABLE",
    b"ENCODING=b",
    b"QUOTED-PRINTABLE",
    b"=C3",
    b"=\r\n",
    b"\xc3",
    b"\xa4",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\x00",
    b"X-GREENTECH-NATIVE-NAME:",
    b"X-PHONETIC-LAST-NAME:",
]


def _sample_files() -> list[bytes]:
    """The real-world files (when present) and our fixtures, as seeds for mutation."""
    paths = sorted(FIXTURES.glob("*.vcf"))
    if REALWORLD.is_dir():
        paths += sorted(REALWORLD.glob("*.vcf"))
    return [path.read_bytes() for path in paths]


SAMPLES = _sample_files()


def _read_safely(data: bytes) -> None:
    """Read data; only our two error kinds may escape, and records are well formed."""
    try:
        records, encoding = read_vcards(data)
    except (UnreadableFile, InvalidData):
        return
    assert isinstance(encoding, str)
    for record in records:
        for key, value in record.items():
            assert isinstance(key, str)
            assert isinstance(value, (str, list, dict))
            if isinstance(value, dict):
                assert all(isinstance(v, str) for v in value.values())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash(data: bytes) -> None:
    _read_safely(data)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(_TOKENS), st.binary(max_size=8)), max_size=80))
def test_vcard_like_tokens_never_crash(tokens: list[bytes]) -> None:
    _read_safely(b"".join(tokens))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(SAMPLES),
    st.lists(
        st.tuples(
            st.sampled_from(["insert", "delete", "replace", "truncate"]),
            st.floats(min_value=0, max_value=1),
            st.one_of(st.sampled_from(_TOKENS), st.binary(min_size=1, max_size=4)),
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_mutated_cards_never_crash(
    sample: bytes, mutations: list[tuple[str, float, bytes]]
) -> None:
    data = sample
    for kind, where, chunk in mutations:
        at = int(where * len(data))
        if kind == "insert":
            data = data[:at] + chunk + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + len(chunk) :]
        elif kind == "replace":
            data = data[:at] + chunk + data[at + len(chunk) :]
        else:
            data = data[:at]
    _read_safely(data)
