"""Tests of the vCard writer: exact output, folding, escaping, split files and round trips."""

from __future__ import annotations

import io
import unicodedata
import uuid
from pathlib import Path

import pytest
import vobject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.provisional import urls

from greentech_cli.errors import InvalidData
from greentech_cli.exporters.vcard_format import split_cards, write_vcards
from greentech_cli.exporters.vcf import vcard_lines
from greentech_cli.files import write_private_files
from greentech_cli.importers.vcard import read_vcards

RECORD: dict[str, object] = {
    "id": 42,
    "salutation": "Frau",
    "title": "Dr.",
    "first_name": "Aigerim",
    "last_name": "Sadykova",
    "native_name": "Айгерім Садықова",
    "position": "Head of Water Treatment; R&D, Lab",
    "department": "Abwasser",
    "company": "Astana Su Arnasy",
    "email": "a.sadykova@example.kz",
    "country": "KZ",
    "languages": ["kk", "ru", "de"],
    "tags": ["water", "kz-waste-2026"],
    "notes": "Spricht Deutsch.\nTrifft uns in Lünen und Moers: Kläranlage, Recyclinghof – "
    "bitte Dolmetscher für Kasachisch buchen.",
    "uid": "0f6a8d2e-3c1b-4e5f-9a7d-2b8c4e6f1a3d",
    "emails": [
        {"value": "a.sadykova@example.kz", "type": "work"},
        {"value": "aigerim@example.com", "type": "home"},
    ],
    "phones": [
        {"value": "+77172551122", "type": "work", "extension": "102"},
        {"value": "+77011234567", "type": "mobile", "extension": None},
        {"value": "+77172551123", "type": "fax", "extension": None},
        {"value": "8 (7172) 55-11-24", "type": "home", "extension": None},
    ],
    "addresses": [
        {
            "type": "home",
            "street": "ул. Кенесары, 40",
            "postcode": "010000",
            "city": "Астана",
            "country": "KZ",
        },
    ],
    "websites": ["https://aigerim.example.kz"],
    "birthday": "1980-05-17",
    "aliases": ["Айгерим", "Aigerim S."],
    "extra": {"Industry": "Water; Waste", "Отрасль": "Вода"},
    "company_street": "Kabanbay Batyr 11",
    "company_postcode": "010000",
    "company_city": "Astana",
    "company_country": "KZ",
    "company_website": "https://astanasu.example.kz",
}

GOLDEN_30 = """\
BEGIN:VCARD
VERSION:3.0
PRODID:-//greentech//NONSGML greentech//EN
N:Sadykova;Aigerim;;Frau Dr.;
FN:Aigerim Sadykova
NICKNAME:Айгерім Садықова
ORG:Astana Su Arnasy;Abwasser
TITLE:Head of Water Treatment\\; R&D\\, Lab
EMAIL;TYPE=INTERNET,WORK,PREF:a.sadykova@example.kz
EMAIL;TYPE=INTERNET,HOME:aigerim@example.com
TEL;TYPE=WORK,VOICE,PREF:+77172551122 ext. 102
TEL;TYPE=CELL,PREF:+77011234567
TEL;TYPE=WORK,FAX:+77172551123
TEL;TYPE=HOME,VOICE:8 (7172) 55-11-24
company.ADR;TYPE=WORK:;;Kabanbay Batyr 11;Astana;;010000;KZ
ADR;TYPE=HOME:;;ул. Кенесары\\, 40;Астана;;010000;KZ
company.URL;TYPE=WORK:https://astanasu.example.kz
URL:https://aigerim.example.kz
BDAY:1980-05-17
NICKNAME:Айгерим,Aigerim S.
NOTE:Spricht Deutsch.\\nTrifft uns in Lünen und Moers: Kläranlage\\, Recycl
 inghof – bitte Dolmetscher für Kasachisch buchen.
CATEGORIES:water,kz-waste-2026
X-GREENTECH-LANG:kk
X-GREENTECH-LANG:ru
X-GREENTECH-LANG:de
X-GREENTECH-NATIVE-NAME:Айгерім Садықова
X-GREENTECH-COUNTRY:KZ
X-GREENTECH-EXTRA:Industry;Water\\; Waste
X-GREENTECH-EXTRA:Отрасль;Вода
UID:urn:uuid:0f6a8d2e-3c1b-4e5f-9a7d-2b8c4e6f1a3d
END:VCARD
"""

GOLDEN_40 = """\
BEGIN:VCARD
VERSION:4.0
PRODID:-//greentech//NONSGML greentech//EN
FN;ALTID=1:Aigerim Sadykova
FN;ALTID=1;LANGUAGE=und-Cyrl:Айгерім Садықова
N:Sadykova;Aigerim;;Frau Dr.;
ORG:Astana Su Arnasy;Abwasser
TITLE:Head of Water Treatment\\; R&D\\, Lab
EMAIL;TYPE=work;PREF=1:a.sadykova@example.kz
EMAIL;TYPE=home:aigerim@example.com
TEL;VALUE=uri;TYPE=work,voice;PREF=1:tel:+77172551122;ext=102
TEL;VALUE=uri;TYPE=cell;PREF=1:tel:+77011234567
TEL;VALUE=uri;TYPE=work,fax:tel:+77172551123
TEL;VALUE=text;TYPE=home,voice:8 (7172) 55-11-24
company.ADR;TYPE=work:;;Kabanbay Batyr 11;Astana;;010000;KZ
ADR;TYPE=home:;;ул. Кенесары\\, 40;Астана;;010000;KZ
company.URL;TYPE=work:https://astanasu.example.kz
URL:https://aigerim.example.kz
BDAY:19800517
NICKNAME:Айгерим,Aigerim S.
NOTE:Spricht Deutsch.\\nTrifft uns in Lünen und Moers: Kläranlage\\, Recycl
 inghof – bitte Dolmetscher für Kasachisch buchen.
CATEGORIES:water,kz-waste-2026
LANG;PREF=1:kk
LANG;PREF=2:ru
LANG;PREF=3:de
X-GREENTECH-NATIVE-NAME:Айгерім Садықова
X-GREENTECH-COUNTRY:KZ
X-GREENTECH-EXTRA:Industry;Water\\; Waste
X-GREENTECH-EXTRA:Отрасль;Вода
UID:urn:uuid:0f6a8d2e-3c1b-4e5f-9a7d-2b8c4e6f1a3d
END:VCARD
"""


def written(records: list[dict[str, object]], version: str = "3.0") -> str:
    """The text write_vcards produces for records."""
    out = io.StringIO(newline="")
    assert write_vcards(records, out, version) == len(records)
    return out.getvalue()


def assert_well_formed(text: str) -> None:
    """Every line ends in CRLF, has at most 75 octets and no stray CR or LF."""
    assert text.endswith("\r\n")
    for line in text[:-2].split("\r\n"):
        assert "\r" not in line and "\n" not in line
        assert len(line.encode("utf-8")) <= 75, line


@pytest.mark.parametrize(("version", "golden"), [("3.0", GOLDEN_30), ("4.0", GOLDEN_40)])
def test_golden_card(version: str, golden: str) -> None:
    text = written([RECORD], version)
    assert text == golden.replace("\n", "\r\n")
    assert_well_formed(text)


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_golden_card_reads_back(version: str) -> None:
    [record], _ = read_vcards(written([RECORD], version).encode("utf-8"))
    expected = {key: value for key, value in RECORD.items() if key != "id"}
    assert record == expected


def test_empty_record_still_has_n_and_fn_in_30() -> None:
    assert vcard_lines({}) == [
        "BEGIN:VCARD",
        "VERSION:3.0",
        "PRODID:-//greentech//NONSGML greentech//EN",
        "N:;;;;",
        "FN:",
        "END:VCARD",
    ]
    assert vcard_lines({}, "4.0")[3:] == ["FN:", "END:VCARD"]


def test_display_name_falls_back_to_company_then_email() -> None:
    assert "FN:Stadtwerke Moers" in vcard_lines({"company": "Stadtwerke Moers", "email": "x@y.de"})
    assert "FN:x@y.de" in vcard_lines({"email": "x@y.de"})


def test_native_name_without_a_person_name_is_no_fn_alternative() -> None:
    lines = vcard_lines({"company": "Astana Su", "native_name": "Айгерім"}, "4.0")
    assert [line for line in lines if line.startswith("FN")] == ["FN:Astana Su"]
    assert "X-GREENTECH-NATIVE-NAME:Айгерім" in lines
    assert not [line for line in vcard_lines({"native_name": "Ж"}) if line.startswith("NICK")]


def test_invalid_version() -> None:
    with pytest.raises(InvalidData, match=r"3\.0 or 4\.0"):
        vcard_lines({}, "2.1")
    with pytest.raises(InvalidData):
        write_vcards([], io.StringIO(), "5")


def test_uid_is_the_contacts_own_uid_never_derived_from_the_id() -> None:
    def uid(record: dict[str, object]) -> list[str]:
        return [line for line in vcard_lines(record) if line.startswith("UID:")]

    own = str(uuid.uuid4())
    assert uid({"id": 1, "uid": own}) == [f"UID:urn:uuid:{own}"]
    # contact 1 of two databases: two people, two UIDs
    assert uid({"id": 1, "uid": own}) != uid({"id": 1, "uid": str(uuid.uuid4())})
    assert uid({"id": 1}) == []  # no uid, no UID (an id says nothing outside its database)
    assert uid({"uid": "other-program-id"}) == ["UID:other-program-id"]


LISTS: dict[str, object] = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "emails": [
        {"value": "ada@example.org", "type": "work", "primary": True},
        {"value": "ada@home.example", "type": "home", "primary": False},
        {"value": "ada@other.example", "type": "other", "primary": False},
    ],
    "phones": [
        {"value": "+491", "type": "home", "extension": None, "primary": True},
        {"value": "+49170", "type": "mobile", "extension": None, "primary": True},
        {"value": "+4921", "type": "fax", "extension": None, "primary": False},
        {"value": "+492", "type": "work", "extension": "7", "primary": False},
        {"value": "0171 x", "type": "other", "extension": "12", "primary": False},
    ],
}


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        (
            "3.0",
            [
                "EMAIL;TYPE=INTERNET,WORK,PREF:ada@example.org",
                "EMAIL;TYPE=INTERNET,HOME:ada@home.example",
                "EMAIL;TYPE=INTERNET,OTHER:ada@other.example",
                "TEL;TYPE=HOME,VOICE,PREF:+491",
                "TEL;TYPE=CELL,PREF:+49170",
                "TEL;TYPE=WORK,FAX:+4921",
                "TEL;TYPE=WORK,VOICE:+492 ext. 7",
                "TEL;TYPE=OTHER:0171 x ext. 12",
            ],
        ),
        (
            "4.0",
            [
                "EMAIL;TYPE=work;PREF=1:ada@example.org",
                "EMAIL;TYPE=home:ada@home.example",
                "EMAIL;TYPE=other:ada@other.example",
                "TEL;VALUE=uri;TYPE=home,voice;PREF=1:tel:+491",
                "TEL;VALUE=uri;TYPE=cell;PREF=1:tel:+49170",
                "TEL;VALUE=uri;TYPE=work,fax:tel:+4921",
                "TEL;VALUE=uri;TYPE=work,voice:tel:+492;ext=7",
                "TEL;VALUE=text;TYPE=other:0171 x ext. 12",
            ],
        ),
    ],
)
def test_every_email_and_phone_in_list_order_with_types(version: str, expected: list[str]) -> None:
    lines = vcard_lines(LISTS, version)
    assert [line for line in lines if line.startswith(("EMAIL", "TEL"))] == expected
    [back], _ = read_vcards(("\r\n".join(lines) + "\r\n").encode())
    assert [e["type"] for e in back["emails"]] == ["work", "home", "other"]
    assert [(p["value"], p["type"], p["extension"]) for p in back["phones"]] == [
        ("+491", "home", None),
        ("+49170", "mobile", None),
        ("+4921", "fax", None),
        ("+492", "work", "7"),
        ("0171 x", "other", "12"),
    ]


def test_records_without_lists_are_written_from_email_phone_mobile() -> None:
    lines = vcard_lines({"email": "a@x.example", "phone": "+491", "mobile": "+49170"})
    assert [line for line in lines if line.startswith(("EMAIL", "TEL"))] == [
        "EMAIL;TYPE=INTERNET,WORK,PREF:a@x.example",
        "TEL;TYPE=WORK,VOICE,PREF:+491",
        "TEL;TYPE=CELL,PREF:+49170",
    ]


def test_folding_at_75_octets_without_splitting_characters() -> None:
    name = "Жанибек Нурланов 🚀 " * 10 + "e\u0301" * 40
    lines = vcard_lines({"notes": name})
    note = [line for line in lines if line.startswith("NOTE:") or line.startswith(" ")]
    assert len(note) > 3
    for line in note:
        assert len(line.encode("utf-8")) <= 75
        # No continuation starts with a combining mark: e and its accent stay together.
        assert not unicodedata.combining(line[1:2])
    assert "".join(line[1:] if line.startswith(" ") else line for line in note) == "NOTE:" + name


def test_folding_keeps_escapes_whole() -> None:
    lines = vcard_lines({"notes": ",;" * 100})
    for line in lines:
        assert not line.endswith("\\") or line.endswith("\\\\")


def test_escaping_and_control_characters() -> None:
    lines = vcard_lines(
        {
            "first_name": "A\\B,C;D\r\nE\rF\x00G\x1b",
            "last_name": "Ü",
            "company": "X;Y",
            "tags": "t,u",
        }
    )
    assert "N:Ü;A\\\\B\\,C\\;D\\nE\\nFG;;;" in lines
    assert "ORG:X\\;Y" in lines
    assert "CATEGORIES:t\\,u" in lines
    # Values the card's quick check does not look at are escaped even when all others are plain.
    plain = vcard_lines(
        {"first_name": "A", "tags": ["a,b"], "emails": [{"value": "b;c@x", "type": "home"}]}
    )
    assert "CATEGORIES:a\\,b" in plain and "EMAIL;TYPE=INTERNET,HOME,PREF:b\\;c@x" in plain


def test_write_vcards_streams_a_generator() -> None:
    out = io.StringIO(newline="")
    count = write_vcards(({"last_name": f"N{i}"} for i in range(3)), out)
    assert count == 3
    assert out.getvalue().count("BEGIN:VCARD") == 3


def test_write_split(tmp_path: Path) -> None:
    records: list[dict[str, object]] = [
        {"first_name": "Hans", "last_name": "Müller"},
        {"first_name": "hans", "last_name": "müller"},
        {"first_name": "AC/DC", "last_name": 'Me:ier*?<>|"'},
        {"last_name": "CON"},
        {"company": "Ärzte ohne Grenzen e.V."},
        {},
        {"first_name": "...", "last_name": "  "},
        {"last_name": "Ж" * 200},
    ]
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "contact.vcf").write_text("keep me")
    paths = write_private_files(tmp_path / "out", split_cards(records, "4.0"), ".vcf")
    names = [path.name for path in paths]
    assert names[:6] == [
        "Hans Müller.vcf",
        "hans müller (2).vcf",
        "AC_DC Me_ier______.vcf",
        "_CON.vcf",
        "Ärzte ohne Grenzen e.V.vcf",
        "contact (2).vcf",
    ]
    assert names[6] == "contact (3).vcf"
    assert len(names[7].encode("utf-8")) < 140
    assert (tmp_path / "out" / "contact.vcf").read_text() == "keep me"
    assert len({name.casefold() for name in names}) == len(names)
    for path, record in zip(paths, records, strict=True):
        data = path.read_bytes()
        assert data.count(b"BEGIN:VCARD") == 1
        assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
        [back], _ = read_vcards(data)
        assert back.get("last_name", "") == str(record.get("last_name", "")).strip()


def test_salutation_and_title_round_trip() -> None:
    for salutation, title in [("Herr", "Dr."), ("", "Prof. Dr."), ("Frau", ""), ("Mr.", "")]:
        record: dict[str, object] = {"first_name": "A", "last_name": "B"}
        if salutation:
            record["salutation"] = salutation
        if title:
            record["title"] = title
        [back], _ = read_vcards(written([record]).encode("utf-8"))
        assert back == record


# --- properties over arbitrary text ------------------------------------------------------------

# Characters that stress escaping, folding and normalisation, mixed into arbitrary Unicode:
# separators, line ends, a combining accent, Cyrillic, an emoji, a joiner, U+2028 and NEL.
_SPECIAL = [*',;\\\n\r:"\t ', "é", "\u0301", "Ж", "ё", "🚀", "\u200d", "\u2028", "\x85"]
_ALPHABET = st.one_of(st.characters(), st.sampled_from(_SPECIAL))
TEXT = st.text(alphabet=_ALPHABET, max_size=30)
LONG_TEXT = st.text(alphabet=_ALPHABET, max_size=200)


def vcard_text(value: str) -> str:
    """What a reader should get back for a written value: no controls, trimmed, one kind of LF."""
    kept = "".join(
        ch for ch in value if ch in "\t\r\n" or unicodedata.category(ch) not in ("Cc", "Cs")
    )
    return kept.strip().replace("\r\n", "\n").replace("\r", "\n")


def reader_text(value: str) -> str:
    """What our reader gives back: the same, NFC-normalised."""
    return unicodedata.normalize("NFC", vcard_text(value)).strip()


@st.composite
def records(draw: st.DrawFn) -> dict[str, object]:
    """Contact records with arbitrary Unicode in the text fields."""
    record: dict[str, object] = {
        "first_name": draw(TEXT),
        "last_name": draw(TEXT),
        "company": draw(TEXT),
        "department": draw(TEXT),
        "position": draw(TEXT),
        "notes": draw(LONG_TEXT),
        "native_name": draw(TEXT),
        "phone": draw(TEXT.filter(lambda t: not t.strip().lower().startswith("tel:"))),
        "tags": draw(st.lists(TEXT, max_size=4)),
        "languages": draw(st.lists(TEXT, max_size=3)),
        "company_street": draw(TEXT),
        "company_city": draw(TEXT),
        "company_postcode": draw(TEXT),
    }
    if draw(st.booleans()):
        record["email"] = draw(st.emails())
    if draw(st.booleans()):
        record["company_website"] = draw(urls())
    return record


def expected_display(record: dict[str, object]) -> str:
    """FN as the writer promises it: first last, else company, else email, else native name."""
    person = " ".join(
        part for part in (vcard_text(str(record[k])) for k in ("first_name", "last_name")) if part
    )
    return (
        person
        or vcard_text(str(record.get("company", "")))
        or vcard_text(str(record.get("email", "")))
        or vcard_text(str(record.get("native_name", "")))
    )


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records(), st.sampled_from(["3.0", "4.0"]))
def test_vobject_reads_what_we_write(record: dict[str, object], version: str) -> None:
    text = written([record], version)
    assert_well_formed(text)
    [component] = list(vobject.readComponents(text))
    first = vcard_text(str(record["first_name"]))
    last = vcard_text(str(record["last_name"]))
    if version == "3.0" or first or last:
        assert component.n.value.family == last
        assert component.n.value.given == first
    assert component.contents["fn"][0].value == expected_display(record)
    company = vcard_text(str(record["company"]))
    department = vcard_text(str(record["department"]))
    if company or department:
        assert component.org.value == [company] + ([department] if department else [])
    else:
        assert "org" not in component.contents
    if record.get("email"):
        assert component.email.value == record["email"]
    notes = vcard_text(str(record["notes"]))
    if notes:
        assert component.note.value == notes
    position = vcard_text(str(record["position"]))
    if position:
        assert component.title.value == position


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records(), st.sampled_from(["3.0", "4.0"]))
def test_own_reader_round_trip(record: dict[str, object], version: str) -> None:
    text = written([record], version)
    [back], encoding = read_vcards(text.encode("utf-8"))
    assert encoding == "utf-8"
    for key in (
        "first_name",
        "last_name",
        "company",
        "department",
        "position",
        "notes",
        "native_name",
        "email",
        "company_street",
        "company_city",
        "company_postcode",
        "company_website",
    ):
        expected = reader_text(str(record.get(key, "")))
        if key == "company_website":
            expected = "".join(expected.split())
        assert back.get(key, "") == expected, key
    phone = reader_text(str(record.get("phone", "")))
    assert [p["value"] for p in back.get("phones", [])] == ([phone] if phone else [])
    for key in ("tags", "languages"):
        written_items = record[key]
        assert isinstance(written_items, list)
        items = [reader_text(str(item)) for item in written_items]
        assert back.get(key, []) == list(dict.fromkeys(item for item in items if item)), key


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(records(), min_size=1, max_size=4))
def test_many_cards_in_one_file(batch: list[dict[str, object]]) -> None:
    text = written(batch)
    back, _ = read_vcards(text.encode("utf-8"))
    assert [r.get("last_name", "") for r in back] == [
        reader_text(str(r["last_name"])) for r in batch
    ]
    assert len(list(vobject.readComponents(text))) == len(batch)
