"""Normalising what people type: names, email, phones, countries, sectors, dates and durations."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, time, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from greentech_cli.errors import InvalidData
from greentech_cli.text.cleaning import clean
from greentech_cli.text.dates import check_timezone, parse_date, parse_duration, parse_time
from greentech_cli.text.emails import normalize_email
from greentech_cli.text.phones import NO_COUNTRY, PhoneReading, read_phone, unmark
from greentech_cli.text.vocabulary import normalize_country, normalize_sector, normalize_sectors


def test_clean_keeps_names_as_written_but_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "  Jürgen   de la Cruz ")
    assert clean(decomposed) == "Jürgen de la Cruz"
    assert clean("McDONALD") == "McDONALD"
    assert clean("   ") is None


@given(st.text())
def test_clean_is_idempotent_and_nfc(value: str) -> None:
    once = clean(value)
    assert clean(once) == once
    if once is not None:
        assert unicodedata.is_normalized("NFC", once)


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_clean_of_ascii_is_the_general_rule(value: str) -> None:
    """The ASCII shortcut gives what the general rule gives (NFC, trimmed, spaces joined)."""
    general = unicodedata.normalize("NFC", value).strip()
    general = re.sub(r"\s+", " ", general) if "\n" not in general else general
    assert clean(value) == (general or None)


def test_email_domain_lowercased_and_invalid_named() -> None:
    assert normalize_email("Petra.Schaefer@LIPPE.Example") == "Petra.Schaefer@lippe.example"
    with pytest.raises(InvalidData, match="not-an-email"):
        normalize_email("not-an-email")


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("0211 / 98 76 54", "DE", "+49211987654"),
        ("02306 / 12 34 56", "DE", "+492306123456"),
        ("8 701 123 45 67", "KZ", "+77011234567"),
        ("+7 701 765 43 21", None, "+77017654321"),
        ("0049 211 987654", None, "+49211987654"),
        ("+998 71 123 45 67", "DE", "+998711234567"),
        (49211987654.0, None, "+49211987654"),
    ],
)
def test_phone_to_e164(raw: str | int | float, country: str | None, expected: str) -> None:
    assert read_phone(raw, country) == PhoneReading(expected, None, None, True)


def test_short_spreadsheet_integer_without_country_is_not_guessed() -> None:
    # It was read as +4921198765 (a '+' put before it), the guess that makes (650) 555-1212 a
    # number in Singapore; 11 digits or more are still read as international (above).
    reading = read_phone(4921198765, None)
    assert reading.value == "4921198765" and not reading.valid
    assert reading.warning and NO_COUNTRY in reading.warning


def test_unparseable_phone_kept_with_warning() -> None:
    reading = read_phone("call the office", "DE")
    assert reading.value == "call the office" and not reading.valid
    assert reading.warning and "kept as written" in reading.warning


def test_phone_marked_as_text_by_excel_is_read() -> None:
    assert read_phone("'0171 2345678", "DE") == PhoneReading("+491712345678", valid=True)
    assert read_phone("'", "DE") == PhoneReading(None)


@pytest.mark.parametrize("raw", ["4,91701E+12", "4.91701e+12", "4,91701E12"])
def test_phone_in_scientific_notation_is_named_as_such(raw: str) -> None:
    reading = read_phone(raw, "DE")
    assert reading.value == raw
    assert reading.warning and "shortened by a spreadsheet (scientific notation" in reading.warning


@given(st.text(max_size=40), st.sampled_from([None, "DE", "KZ", "UZ"]))
def test_phone_never_raises_and_never_drops(raw: str, country: str | None) -> None:
    reading = read_phone(raw, country)
    value, warning = reading.value, reading.warning
    written = unmark(clean(raw))
    if written is None:
        assert value is None
    else:
        assert value is not None
        assert warning is None or value == written


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Deutschland", "DE"),
        ("Germany", "DE"),
        ("de", "DE"),
        ("Kasachstan", "KZ"),
        ("Kazakhstan", "KZ"),
        ("KAZ", "KZ"),
        ("Usbekistan", "UZ"),
        ("Uzbekistan", "UZ"),
        ("Russland", "RU"),
        ("Russian Federation", "RU"),
        ("Österreich", "AT"),
        ("Vereinigtes Königreich", "GB"),
        ("Казахстан", "KZ"),
        # The names partners write in their own languages.
        ("Қазақстан", "KZ"),
        ("Qazaqstan", "KZ"),
        ("Oʻzbekiston", "UZ"),
        ("O‘zbekiston", "UZ"),
        ("Кыргызстан", "KG"),
        ("Тоҷикистон", "TJ"),
        ("Türkmenistan", "TM"),
        ("Azərbaycan", "AZ"),
        ("Sakartvelo", "GE"),
        ("Україна", "UA"),
        ("Weißrussland", "BY"),
        ("VAE", "AE"),
        ("Almanya", "DE"),
    ],
)
def test_country_names(name: str, code: str) -> None:
    assert normalize_country(name) == code


def test_partner_languages_take_no_english_or_german_name() -> None:
    """A native spelling never moves a name that English or German already gives a country."""
    import pycountry

    for country in pycountry.countries:
        assert normalize_country(country.name) == country.alpha_2, country.name


def test_unknown_country_is_an_error() -> None:
    with pytest.raises(InvalidData, match="Atlantis"):
        normalize_country("Atlantis")


def test_sectors_by_slug_and_labels() -> None:
    assert normalize_sector("water") == "water"
    assert normalize_sector("Kreislaufwirtschaft") == "circular-economy"
    assert normalize_sector("Green hydrogen") == "hydrogen"
    assert normalize_sectors(["water", "Wasser und Abwasser", "mobility"]) == [
        "water",
        "mobility",
    ]
    with pytest.raises(InvalidData, match="unknown sector 'space'"):
        normalize_sector("space")


def test_dates_times_durations() -> None:
    assert parse_date("2026-11-18") == date(2026, 11, 18)
    assert parse_date("18.11.2026") == date(2026, 11, 18)
    assert parse_date("8.1.26") == date(2026, 1, 8)
    assert parse_time("9:30") == time(9, 30)
    assert parse_duration("90m") == timedelta(minutes=90)
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration("1:30") == timedelta(minutes=90)
    assert parse_duration("2h") == timedelta(hours=2)
    for bad in ("31.02.2026", "tomorrow"):
        with pytest.raises(InvalidData):
            parse_date(bad)
    for bad in ("0m", "soon", ""):
        with pytest.raises(InvalidData):
            parse_duration(bad)
    with pytest.raises(InvalidData):
        parse_time("25:00")


def test_timezone_checked() -> None:
    assert check_timezone("Asia/Almaty") == "Asia/Almaty"
    with pytest.raises(InvalidData, match="Mars/Olympus"):
        check_timezone("Mars/Olympus")


@pytest.mark.parametrize(
    ("typed", "zone"),
    [("Almaty", "Asia/Almaty"), ("tashkent", "Asia/Tashkent"), ("New York", "America/New_York"),
     ("europe/berlin", "Europe/Berlin")],
)  # fmt: skip
def test_timezone_by_city_or_any_case(typed: str, zone: str) -> None:
    assert check_timezone(typed) == zone


def test_timezone_misspelt_gets_a_suggestion() -> None:
    with pytest.raises(InvalidData, match=r"'Asia/Taschkent': did you mean Asia/Tashkent\?"):
        check_timezone("Asia/Taschkent")


_LOCAL = st.text(alphabet="abcXYZ019.!#$%&'*+/=?^_`{|}~-", min_size=1, max_size=20)
_DOMAIN = st.from_regex(
    r"[a-zA-Z0-9-]{1,12}(\.[a-zA-Z0-9-]{1,12}){0,2}\.[a-zA-Z]{2,6}", fullmatch=True
)


@given(_LOCAL, _DOMAIN)
@example("0", "00--0.AA")  # a label with "--" in third and fourth place is reserved
def test_email_fast_path_agrees_with_email_validator(local: str, domain: str) -> None:
    from email_validator import EmailNotValidError, validate_email

    address = f"{local}@{domain}"
    try:
        expected: str | None = validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        expected = None
    try:
        actual: str | None = normalize_email(address)
    except InvalidData:
        actual = None
    assert actual == expected
