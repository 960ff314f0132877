"""Acceptance cases of the rich record in vCards (2.1 and 4.0 cards read whole, shown, exported
back), every property of the real-world cards stored or reported, and a property test of rich
records through yaml, json and vCard 3.0/4.0."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import vobject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greentech_cli.exporters.json_yaml import write_json, write_yaml
from greentech_cli.exporters.registry import CONTACTS, ExportJob
from greentech_cli.exporters.vcard_format import write_vcards
from greentech_cli.importers.structured import read_records
from greentech_cli.importers.vcard import NOT_IMPORTED, read_vcards
from greentech_cli.importers.vcard_parse import _prepare, _split_cards, _unfold, unescape
from greentech_cli.models.exchange import CONTACT_FIELDS, contact_record
from greentech_cli.models.records import Contact
from greentech_cli.services.records.contacts import apply_fields

from .conftest import REALWORLD, Cli

CARD_21 = b"""BEGIN:VCARD\r
VERSION:2.1\r
N:Schmidt;Anna\r
FN:Anna Schmidt\r
ORG:Wasserwerk Dresden\r
EMAIL;INTERNET;WORK:anna@wasserwerk.example\r
EMAIL;INTERNET;HOME:anna@privat.example\r
TEL;WORK;VOICE;PREF:+49 351 123456\r
TEL;CELL:+49 171 2345678\r
TEL;HOME:+49 351 7654321\r
TEL;WORK;FAX:+49 351 123457\r
TEL;PAGER:+49 351 999\r
ADR;WORK:;;Am Wasserwerk 2;Dresden;Sachsen;01067;DE\r
ADR;HOME:;;Gartenweg 5;Pirna;;01796;DE\r
BDAY:19800517\r
END:VCARD\r
"""

CARD_40 = b"""BEGIN:VCARD\r
VERSION:4.0\r
FN:Simon Perreault\r
N:Perreault;Simon;;;\r
EMAIL;TYPE=work:simon@viagenie.example\r
TEL;VALUE=uri;TYPE="work,voice";PREF=1:tel:+1-418-656-9254;ext=102\r
TEL;VALUE=uri;TYPE="cell,voice":tel:+1-418-262-6501\r
TEL;VALUE=uri;TYPE=fax:tel:+1-418-656-9255\r
BDAY:--0203\r
NICKNAME:Si,Simo\r
URL:https://simon.example\r
UID:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1\r
X-SKYPE:simon.p\r
END:VCARD\r
"""


def _import_and_show(cli: Cli, tmp_path: Path, data: bytes) -> dict[str, Any]:
    path = tmp_path / "card.vcf"
    path.write_bytes(data)
    summary = cli.json("import", str(path), "--format", "json")
    assert (summary["created"], summary["rejected"]) == (1, 0)
    result: dict[str, Any] = cli.json("contact", "show", "1", "--format", "json")
    return result


def test_vcard_21_two_emails_five_phones_two_addresses_and_birthday(
    cli: Cli, tmp_path: Path
) -> None:
    shown = _import_and_show(cli, tmp_path, CARD_21)
    assert [(e["value"], e["type"]) for e in shown["emails"]] == [
        ("anna@wasserwerk.example", "work"),
        ("anna@privat.example", "home"),
    ]
    assert [(p["value"], p["type"]) for p in shown["phones"]] == [
        ("+49351123456", "work"),
        ("+491712345678", "mobile"),
        ("+493517654321", "home"),
        ("+49351123457", "fax"),
        ("+49351999", "other"),
    ]
    assert (shown["phone"], shown["mobile"]) == ("+49351123456", "+491712345678")
    # the work address beside the ORG is the company's, the home one the person's
    assert shown["addresses"] == [
        {
            "type": "home",
            "street": "Gartenweg 5",
            "postcode": "01796",
            "city": "Pirna",
            "region": None,
            "country": "DE",
        }
    ]
    company = cli.json("company", "show", "Wasserwerk Dresden", "--format", "json")
    assert (company["street"], company["city"], company["postcode"]) == (
        "Am Wasserwerk 2",
        "Dresden",
        "01067",
    )
    assert shown["birthday"] == "1980-05-17"
    card = cli.ok("export", "contacts", "--all", "--format", "vcf").stdout
    for line in (
        "EMAIL;TYPE=INTERNET,HOME:anna@privat.example",
        "TEL;TYPE=WORK,FAX:+49351123457",
        "TEL;TYPE=OTHER:+49351999",
        "ADR;TYPE=HOME:;;Gartenweg 5;Pirna;;01796;DE",
        "company.ADR;TYPE=WORK:;;Am Wasserwerk 2;Dresden;Sachsen;01067;DE",
        "BDAY:1980-05-17",
    ):
        assert line in card.splitlines(), line


def test_vcard_40_tel_uris_with_extension(cli: Cli, tmp_path: Path) -> None:
    shown = _import_and_show(cli, tmp_path, CARD_40)
    assert [(p["value"], p["type"], p["extension"]) for p in shown["phones"]] == [
        ("+14186569254", "work", "102"),
        ("+14182626501", "mobile", None),
        ("+14186569255", "fax", None),
    ]
    assert shown["birthday"] == "--02-03"
    assert shown["aliases"] == ["Si", "Simo"]
    assert shown["websites"] == ["https://simon.example"]
    assert shown["uid"] == "4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"
    assert shown["extra"] == {"X-SKYPE": "simon.p"}
    card = cli.ok("export", "contacts", "--all", "--format", "vcf", "--vcard-version", "4.0")
    lines = card.stdout.splitlines()
    for line in (
        "TEL;VALUE=uri;TYPE=work,voice;PREF=1:tel:+14186569254;ext=102",
        "TEL;VALUE=uri;TYPE=cell;PREF=1:tel:+14182626501",
        "TEL;VALUE=uri;TYPE=work,fax:tel:+14186569255",
        "BDAY:--0203",
        "NICKNAME:Si,Simo",
        "URL:https://simon.example",
        "X-GREENTECH-EXTRA:X-SKYPE;simon.p",
        "UID:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1",
    ):
        assert line in lines, line
    three = cli.ok("export", "contacts", "--all", "--format", "vcf").stdout
    assert "TEL;TYPE=WORK,VOICE,PREF:+14186569254 ext. 102" in three.splitlines()
    for text in (three, card.stdout):
        [component] = list(vobject.readComponents(text))
        assert len(component.contents["tel"]) == 3


# --- real-world cards: every property stored or reported -----------------------------------

# Properties whose values become fields (checked value by value below or by the reader's tests).
_FIELDS = {"N", "FN", "ORG", "TITLE", "ROLE", "NOTE", "CATEGORIES", "LANG", "BDAY", "UID", "ADR"}
_NOT_KEPT = {"VERSION", "PRODID", "REV", "AGENT", "BEGIN", "END", "X-ABLABEL"}


def _texts(record: dict[str, Any]) -> set[str]:
    """Every text a record holds, lists and mappings opened."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(record)
    return found


@pytest.mark.realworld
@pytest.mark.parametrize(
    "name", sorted(p.name for p in (REALWORLD / "vcard").glob("*.vcf")) or ["none"]
)
def test_every_property_of_real_cards_is_stored_or_reported(name: str) -> None:
    data = (REALWORLD / "vcard" / name).read_bytes()
    records, _ = read_vcards(data)
    body, _, _ = _prepare(data, None)
    cards = _split_cards(_unfold(body))
    assert cards is not None and len(cards) == len(records)
    for props, record in zip(cards, records, strict=True):
        texts = _texts(record)
        reported = record.get("extra", {}).get(NOT_IMPORTED, "")
        for prop in props:
            if prop.name in _NOT_KEPT or prop.name in _FIELDS:
                continue
            if prop.name in ("PHOTO", "LOGO", "SOUND", "KEY") and prop.name in reported:
                continue
            raw = prop.raw.decode("utf-8", "replace")
            value = unescape(raw.split(":", 1)[1] if raw[:4].lower() in ("tel:", "mail") else raw)
            if not value or prop.params.get("ENCODING"):
                continue  # empty, or encoded: the reader's own tests check those values
            if prop.name == "TEL":
                value = value.split(";", 1)[0]
            if prop.name == "NICKNAME":
                value = value.split(",", 1)[0]
            assert any(value in text for text in texts), (name, prop.name, value)


# --- generated rich records through yaml, json and vCard ------------------------------------

_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Zl", "Zp", "Zs"),
        blacklist_characters="\\",
    ),
    min_size=1,
    max_size=12,
)
_WORDS = st.lists(_TEXT, min_size=1, max_size=3).map(" ".join)
_PHONES = st.sampled_from(["+4930123456", "+77172551122", "+14186569254", "+491712345678"])
_SITES = st.sampled_from(["https://a.example", "https://б.example/Straße"])
_EMAIL = st.from_regex(r"[a-z]{1,8}\.[a-z]{1,8}@[a-z]{2,8}\.(de|kz|example)", fullmatch=True)


@st.composite
def rich_fields(draw: st.DrawFn) -> dict[str, Any]:
    """The fields of a contact as apply_fields takes them, with lists and Unicode everywhere."""
    emails = draw(st.lists(_EMAIL, min_size=1, max_size=3, unique=True))
    phones = draw(
        st.lists(
            st.tuples(
                _PHONES,
                st.sampled_from(["work", "home", "mobile", "fax", "other"]),
                st.none() | st.from_regex(r"[1-9][0-9]{0,3}", fullmatch=True),
            ),
            max_size=4,
            unique_by=lambda item: item[0],
        )
    )
    address = st.fixed_dictionaries(
        {"type": st.sampled_from(["home", "work", "other"]), "street": _WORDS, "city": _WORDS},
        optional={"postcode": st.from_regex(r"[0-9]{5}", fullmatch=True)},
    )
    native = draw(st.none() | _WORDS)
    aliases = draw(st.lists(_WORDS, max_size=2, unique=True))
    return {
        "first_name": draw(_WORDS),
        "last_name": draw(_WORDS),
        "native_name": native,
        "notes": draw(st.none() | _WORDS),
        "emails": [
            {"value": value, "type": draw(st.sampled_from(["work", "home", "other"]))}
            for value in emails
        ],
        "phones": [{"value": v, "type": t, "extension": e} for v, t, e in phones],
        "addresses": draw(st.lists(address, max_size=2)),
        "websites": draw(st.lists(_SITES, max_size=2, unique=True)),
        "birthday": draw(st.sampled_from([None, "1980-05-17", "--02-29"])),
        "aliases": [alias for alias in aliases if alias != native],
        "extra": draw(st.dictionaries(_WORDS, _WORDS, max_size=3)),
    }


def _contact(fields: dict[str, Any]) -> Contact:
    contact = Contact()
    apply_fields(contact, {k: v for k, v in fields.items() if v is not None})
    return contact


def _through(fmt: str, record: dict[str, Any]) -> dict[str, Any]:
    """The record written in a format and read back, as apply_fields takes it."""
    job = ExportJob(kind=CONTACTS, columns=list(CONTACT_FIELDS))
    if fmt in ("3.0", "4.0"):
        out = io.StringIO(newline="")
        write_vcards([record], out, fmt)
        text = out.getvalue()
        vobject.readOne(text)  # an independent reader reads every card
        [back], _ = read_vcards(text.encode("utf-8"))
        return {k: v for k, v in back.items() if not k.startswith("company")}
    out = io.StringIO()
    (write_json if fmt == "json" else write_yaml)([record], out, job)
    if fmt == "json":
        [back_json] = json.loads(out.getvalue())
        return dict(back_json)
    return _yaml(out.getvalue())


def _yaml(text: str) -> dict[str, Any]:
    import yaml

    [record] = yaml.safe_load(text)
    return dict(record)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rich_fields(), st.sampled_from(["json", "yaml", "3.0", "4.0"]))
def test_rich_records_round_trip(fields: dict[str, Any], fmt: str) -> None:
    contact = _contact(fields)
    record = contact_record(contact, None)
    back = _through(fmt, record)
    fields_back = {k: v for k, v in back.items() if k in record and k not in ("id", "company_id")}
    again = _contact(fields_back)
    assert again.to_json() == contact.to_json()


def test_read_records_reads_the_yaml_writer(tmp_path: Path) -> None:
    contact = _contact(
        {"first_name": "Ада", "emails": ["a@b.example"], "extra": {"Отрасль": "Вода"}}
    )
    path = tmp_path / "one.yaml"
    out = io.StringIO()
    write_yaml([contact_record(contact, None)], out, ExportJob(CONTACTS, list(CONTACT_FIELDS)))
    path.write_text(out.getvalue(), encoding="utf-8")
    [record] = read_records(path)
    assert record["extra"] == {"Отрасль": "Вода"}


@pytest.mark.realworld
def test_real_cards_import_whole(cli: Cli) -> None:
    """A bad second email or an unknown address country no longer refuses a person's card."""
    for path in sorted((REALWORLD / "vcard").glob("*.vcf")):
        summary = cli.json("import", str(path), "--format", "json")
        # kcontacts' fourth card is a company card: the reject says to use --as companies
        expected = 1 if path.name == "kcontacts_vcard10_qp_german.vcf" else 0
        assert summary["rejected"] == expected, (path.name, summary["first_rejects"])


def test_values_that_fit_no_field_are_extra_values() -> None:
    data = (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jo\r\nEMAIL:jo@example.org\r\n"
        b"EMAIL;TYPE=OTHER:email other\r\nADR;TYPE=HOME:;;Main St 1;Town;;1;COUNTRY PRIVAT\r\n"
        b"PHOTO;ENCODING=b;TYPE=JPEG:AAAA\r\nitem1.X-ABRELATEDNAMES:Ann\r\n"
        b"item1.X-ABLabel:_$!<Manager>!$_\r\nEND:VCARD\r\n"
    )
    [record], _ = read_vcards(data)
    assert record["emails"] == [{"value": "jo@example.org", "type": "work"}]
    assert record["addresses"] == [
        {"type": "home", "street": "Main St 1", "postcode": "1", "city": "Town"}
    ]
    assert record["extra"] == {
        "X-ABRELATEDNAMES (_$!<Manager>!$_)": "Ann",
        "EMAIL (not an address)": "email other",
        "ADR country (unknown)": "COUNTRY PRIVAT",
        NOT_IMPORTED: "PHOTO (binary data)",
    }
