"""Phone numbers: E.164 only when valid, else kept as written; the fast path answers exactly
what phonenumbers answers, whenever it answers."""

from __future__ import annotations

import csv
import importlib.util
import io
import re
import sys
from pathlib import Path
from types import ModuleType

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from greentech_cli.text import phone_metadata as phones
from greentech_cli.text.cleaning import clean
from greentech_cli.text.phones import NO_COUNTRY, PhoneReading, display_phone, read_phone, unmark

from .conftest import Cli

REGIONS = ["DE", "AT", "CH", "KZ", "RU", "UZ", "US", "GB", "FR", "CN", "TR", "IT", "NL", "PL", None]


def _phonenumbers(raw: str, region: str | None) -> str:
    """What phonenumbers itself says: parse, is_valid_number, format as E.164 (or NOT_VALID)."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return phones.NOT_VALID
    if not phonenumbers.is_valid_number(number):
        return phones.NOT_VALID
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def _check(raw: str, region: str | None) -> str | None:
    """The fast answer for raw, after checking it against phonenumbers; None if not answered."""
    fast = phones.fast_e164(raw, region)
    if fast is not None:
        assert fast == _phonenumbers(raw, region), (raw, region)
    return fast


# --- phone-like strings in many formats --------------------------------------------------------


def _seeds(region: str | None) -> list[str]:
    """National significant numbers of every type of a region (None: of all regions above)."""
    found = []
    for name in [region] if region else REGIONS[:-1]:
        for kind in phonenumbers.PhoneNumberType.values():
            number = phonenumbers.example_number_for_type(name, kind)
            if number is not None:
                found.append(phonenumbers.national_significant_number(number))
    return found


SEEDS = {region: _seeds(region) for region in REGIONS}
CODES = ["49", "43", "41", "7", "998", "1", "44", "33", "39", "31", "48", "86", "870", "800", "0"]
SEPARATORS = [" ", "-", "/", ".", " / ", "", "  "]


@st.composite
def national_digits(draw: st.DrawFn, region: str | None) -> str:
    """An example number (mostly of the region), perhaps edited, or random digits."""
    source = draw(st.sampled_from(["region", "region", "any", "random"]))
    if source == "random":
        digits = draw(st.text(alphabet="0123456789", min_size=1, max_size=16))
    else:
        digits = draw(st.sampled_from(SEEDS[region if source == "region" else None]))
        edit = draw(st.sampled_from(["keep", "change", "add", "drop"]))
        where = draw(st.integers(0, len(digits)))
        digit = draw(st.sampled_from("0123456789"))
        if edit == "change" and where < len(digits):
            digits = digits[:where] + digit + digits[where + 1 :]
        elif edit == "add":
            digits = digits[:where] + digit + digits[where:]
        elif edit == "drop":
            digits = digits[:where] + digits[where + 1 :]
    return digits


@st.composite
def phone_like(draw: st.DrawFn) -> tuple[str, str | None]:
    """A region and what people type there: a prefix (+cc, 00cc, cc, 0, 8, (0) …) and digit
    groups with punctuation."""
    region = draw(st.sampled_from(REGIONS))
    nsn = draw(national_digits(region))
    own = str(phonenumbers.country_code_for_region(region)) if region else "49"
    code = draw(st.one_of(st.just(own), st.sampled_from(CODES)))
    prefix = draw(
        st.sampled_from(
            [
                "",
                "0",
                "8",
                "1",
                f"+{code} ",
                f"+{code}",
                f"00{code} ",
                f"00 {code} ",
                f"{code} ",
                f"+{code} (0)",
                f"+{code} (0) ",
                f"({code}) ",
                f"(+{code}) ",
                "(0",
                "+",
                "00",
                "810 ",
                "011 ",
            ]
        )
    )
    # Cut the number into groups, some in parentheses, joined by one separator or several.
    cuts = sorted(draw(st.lists(st.integers(0, len(nsn)), max_size=4)))
    groups = [nsn[a:b] for a, b in zip([0, *cuts], [*cuts, len(nsn)], strict=True)]
    if len(groups) > 1 and draw(st.booleans()):
        groups[0] = f"({groups[0]})"
    if draw(st.booleans()):
        separator = draw(st.sampled_from(SEPARATORS))
        body = separator.join(groups)
    else:
        body = "".join(group + draw(st.sampled_from(SEPARATORS)) for group in groups)
    result = prefix + body
    # Now and then something the fast path must leave alone: letters, an extension, wide digits.
    odd = draw(st.sampled_from(["", " x12", " ext. 5", "#", "١", "０", "a", "+", ";"]))
    odd = odd if draw(st.integers(0, 4)) == 0 else ""
    if odd:
        where = draw(st.integers(0, len(result)))
        result = result[:where] + odd + result[where:]
    return result, region


@settings(max_examples=3000, deadline=None)
@given(phone_like())
@example(("0211 / 98 76 54", "DE"))
@example(("+49 (0)2841 668593", "DE"))
@example(("8 701 123 45 67", "KZ"))
@example(("8 (343) 757-99-13", "RU"))
@example(("+7 701 765 43 21", None))
@example(("0049 211 987654", None))
@example(("4921198765", None))
@example(("4921198765", "DE"))
@example(("06 6988 1234", "IT"))
@example(("+39 06 6988 1234", None))
@example(("+870 0586 0762", None))
@example(("+49 000", None))
def test_fast_path_agrees_with_phonenumbers(case: tuple[str, str | None]) -> None:
    _check(*case)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789 +-/.()", max_size=30), st.sampled_from(REGIONS))
def test_fast_path_agrees_on_any_string_of_its_characters(raw: str, region: str | None) -> None:
    _check(raw, region)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30), st.sampled_from([*REGIONS, "de", "XX", "001"]))
def test_fast_path_agrees_on_any_text(raw: str, region: str | None) -> None:
    _check(raw, region)


# --- the common shapes are answered -------------------------------------------------------------


def _no_slow_path(text: str, region: str | None) -> None:
    raise AssertionError(f"slow path for {text!r}, {region}")


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("0211 / 98 76 54", "DE", "+49211987654"),
        ("02306 / 12 34 56", "DE", "+492306123456"),
        ("(0151) 19 11 48 06", "DE", "+4915119114806"),
        ("+49 (0)2841 668593", "DE", "+492841668593"),
        ("+491704570077", None, "+491704570077"),
        ("0049 211 987654", None, "+49211987654"),
        ("8 701 123 45 67", "KZ", "+77011234567"),
        ("+7 701 765 43 21", None, "+77017654321"),
        ("8 (343) 757-99-13", "RU", "+73437579913"),
        ("+998 71 123 45 67", "DE", "+998711234567"),
        ("71 265 21 47", "UZ", "+998712652147"),
        ("+43 1 5321234", None, "+4315321234"),
        ("044 668 18 00", "CH", "+41446681800"),
        ("0212 555 12 34", "TR", "+902125551234"),
        ("01 42 68 53 00", "FR", "+33142685300"),
        ("(202) 456-1111", "US", "+12024561111"),
    ],
)
def test_common_shapes_are_answered_fast(
    raw: str, region: str | None, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _check(raw, region)
    monkeypatch.setattr("greentech_cli.text.phones._slow", _no_slow_path)
    assert read_phone(raw, region) == PhoneReading(expected, valid=True)


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        # Possible but not valid: they were stored as +491519114806 and +998792652147.
        ("(0151) 9 11 48 06", "DE"),
        ("79 265 21 47", "UZ"),
        ("01235684494", "DE"),
    ],
)
def test_numbers_not_valid_are_answered_fast_and_kept(
    raw: str, region: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _check(raw, region) == phones.NOT_VALID
    monkeypatch.setattr("greentech_cli.text.phones._slow", _no_slow_path)
    reading = read_phone(raw, region)
    assert (reading.value, reading.extension, reading.valid) == (raw, None, False)
    assert (
        reading.warning
        == f"phone number {raw!r} is not a valid number in {region}; kept as written"
    )


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("call the office", "DE"),  # not a number: the warning comes from the slow path
        ("0211 98 76 54 x12", "DE"),  # an extension
        ("０２１１ ９８７６５４", "DE"),  # wide digits
        ("020 7946 0958", "GB"),  # GB's national prefix is a pattern (0|180020)
        ("810 49 211 987654", "RU"),  # an international prefix without '+'
        ("12", "DE"),  # too short to be sure of
        ("+0049 211 987654", "DE"),  # a bad country code, retried with the region's 00
    ],
)
def test_uncertain_shapes_are_left_to_phonenumbers(raw: str, region: str | None) -> None:
    assert phones.fast_e164(raw, region) is None


# --- read_phone: valid numbers, and nothing invented ------------------------------------------


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("010 6552 9988", "CN", "+861065529988"),  # CN's national prefix is a pattern: slow path
        ("020 7946 0958", "GB", "+442079460958"),
        ("810 49 211 987654", "RU", "+49211987654"),  # Russia's old international prefix
        ("+7 727 258 02 10", "RU", "+77272580210"),  # a +7 number is Kazakhstan's when it is
        ("０２１１ ９８７６５４", "DE", "+49211987654"),
        ("4921198765", "DE", "+494921198765"),  # phonenumbers: Emden 04921, valid in DE
        ("49211987654", "DE", "+49211987654"),  # 11 digits: '+' first, and in the row's country
        (49211987654, None, "+49211987654"),
        ("16505551212", None, "+16505551212"),
        ("84959034310", "RU", "+74959034310"),  # Russia's trunk prefix 8, not +84 (Viet Nam)
        ("77011234567", "RU", "+77011234567"),  # +7 lost: Kazakhstan's, as phonenumbers says
    ],
)
def test_valid_readings(raw: str | int, region: str | None, expected: str) -> None:
    assert read_phone(raw, region) == PhoneReading(expected, valid=True)


@pytest.mark.parametrize(
    ("raw", "region", "because"),
    [
        # The acceptance cases: once +6505551212 (Singapore), +2024561111 (Egypt), +491235684494.
        ("(650) 555-1212", None, NO_COUNTRY),
        ("(202) 456-1111", None, NO_COUNTRY),
        ("01235684494", "DE", "is not a valid number in DE"),
        ("8 (495) 123-45-67", None, NO_COUNTRY),  # not +84 95… in Viet Nam
        ("4921198765", None, NO_COUNTRY),  # short digits are not taken as international
        ("call the office", "DE", "has no digits"),
        ("Zentrale", None, "has no digits"),
        ("durchwählen", "DE", "has no digits"),
        ("+49 000", None, "is not a valid number"),
        # Two valid readings in different countries: a DE mobile without its 0, or +1 512 ….
        ("15123456789", "DE", "could be +15123456789 or +4915123456789"),
        # phonenumbers would read letters as digits, or drop a sub-address: never stored so.
        ("1-800-FLOWERS", "US", "reads as +18003569377 only with some of its characters"),
        ("tel:+49-30-1234567;isub=123", None, "reads as +49301234567 only with some"),
        ("0211 123456 (Zentrale)", "DE", "is not a valid number in DE"),
    ],
)
def test_kept_as_written_with_a_warning(raw: str, region: str | None, because: str) -> None:
    reading = read_phone(raw, region)
    assert (reading.value, reading.extension, reading.valid) == (raw, None, False)
    assert reading.warning and because in reading.warning and "kept as written" in reading.warning


@pytest.mark.parametrize(
    ("raw", "region", "number", "extension"),
    [
        ("+49 30 1234567 ext. 102", None, "+49301234567", "102"),
        ("tel:+1-418-656-9254;ext=102", None, "+14186569254", "102"),
        ("TEL:+1-418-656-9254;ext=102", "DE", "+14186569254", "102"),
        ("+1-418-656-9254;ext=102", None, "+14186569254", "102"),
        ("030 1234567 ext 102", "DE", "+49301234567", "102"),
        ("030 1234567 x123", "DE", "+49301234567", "123"),
        ("030 1234567x123", "DE", "+49301234567", "123"),
        ("(202) 456-1111 extension 7", "US", "+12024561111", "7"),
        ("0211 3557 Durchwahl 102", "DE", "+492113557", "102"),
        ("0211 3557, Dw. 102", "DE", "+492113557", "102"),
        ("0211 3557 DW 102", "DE", "+492113557", "102"),
        ("0211 123456#102", "DE", "+49211123456", "102"),  # phonenumbers' own form
        ("+49301234567 ext. 102", None, "+49301234567", "102"),  # PhoneReading.as_text()
        # The German switchboard form is one number as dialled: -0 the switchboard, -102 the
        # direct line; phonenumbers reads both as valid numbers, no digit is left out.
        ("0211 3557-0", "DE", "+4921135570", None),
        ("0211 3557-102", "DE", "+492113557102", None),
        ("+49 211 3557-0", None, "+4921135570", None),
        ("0211 3557-0 Durchwahl 102", "DE", "+4921135570", "102"),
    ],
)
def test_extensions_are_kept(
    raw: str, region: str | None, number: str, extension: str | None
) -> None:
    assert read_phone(raw, region) == PhoneReading(number, extension, None, True)


def test_a_number_with_its_extension_reads_back_the_same() -> None:
    reading = read_phone("+49 30 1234567 ext. 102", "DE")
    assert reading.as_text() == "+49301234567 ext. 102"
    assert read_phone(reading.as_text(), None) == reading
    assert read_phone("0211 98 76 54", "DE").as_text() == "+49211987654"
    assert read_phone("call us", "DE").as_text() == "call us"
    assert read_phone(None, "DE") == PhoneReading(None)


def test_display_shows_the_extension() -> None:
    assert display_phone("+49301234567", "102") == "+49 30 1234567 ext. 102"
    assert display_phone("+49301234567 ext. 102") == "+49 30 1234567 ext. 102"
    assert display_phone("+49301234567") == "+49 30 1234567"
    assert display_phone("call us") == "call us"
    assert display_phone(None) is None


# --- read_phone: properties -------------------------------------------------------------------

_DIGITS = re.compile(r"\d")
_EXTENSION_FORMS = [" ext. ", " ext ", " x", ";ext=", " extension ", " Durchwahl ", " Dw. "]
# The forms phonenumbers reads itself (it reads Dw. as more digits of the number).
_EXTENSION_FORMS_OF_PHONENUMBERS = _EXTENSION_FORMS[:5]


def _written_digits(text: str) -> str:
    return "".join(str(int(d)) for d in _DIGITS.findall(text))


def _assert_honest(raw: str | float, region: str | None) -> PhoneReading:
    """E.164 only for a valid number that accounts for every digit written; else as written."""
    reading = read_phone(raw, region)
    # A spreadsheet's 4921198765.0 is the integer it shows.
    written = unmark(clean(str(int(raw) if isinstance(raw, float) else raw)))
    if written is None:
        assert reading == PhoneReading(None)
    elif reading.valid:
        assert reading.warning is None and reading.value
        assert re.fullmatch(r"\+[1-9]\d{1,16}", reading.value)
        number = phonenumbers.parse(reading.value, None)
        assert phonenumbers.is_valid_number(number)
        assert reading.extension is None or reading.extension.isdigit()
        national = phonenumbers.national_significant_number(number)
        digits = _written_digits(written)
        if written.removeprefix("tel:")[0] in "123456789":
            digits = "0" + digits  # a leading 0 a spreadsheet dropped may be put back
        assert digits.endswith(national + (reading.extension or ""))
    else:
        assert (reading.value, reading.extension) == (written, None) and reading.warning
    return reading


@st.composite
def written_phone(draw: st.DrawFn) -> tuple[str, str | None]:
    """A phone-like text of a region, sometimes with an extension or in a tel: URI."""
    raw, region = draw(phone_like())
    form = draw(st.sampled_from(["", "", "", *_EXTENSION_FORMS, "tel"]))
    if form == "tel":
        raw = "tel:" + raw
    elif form:
        raw += form + draw(st.text(alphabet="0123456789", min_size=1, max_size=6))
    return raw, region


@settings(max_examples=2000, deadline=None)
@given(written_phone())
@example(("(650) 555-1212", None))
@example(("+49 30 1234567 ext. 102", None))
@example(("84959034310", "RU"))
@example(("tel:83123456789 ", "IT"))  # a tel: URI is read as the number it holds
def test_read_phone_is_honest(case: tuple[str, str | None]) -> None:
    _assert_honest(*case)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30), st.sampled_from(REGIONS))
def test_read_phone_is_honest_on_any_text(raw: str, region: str | None) -> None:
    _assert_honest(raw, region)


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(REGIONS),
    st.sampled_from(["", "0", "8", "1", "49", "7", "998", "44", "33", "86", "90", "0049"]),
    st.data(),
)
def test_read_phone_is_honest_on_spreadsheet_integers(
    region: str | None, prefix: str, data: st.DataObject
) -> None:
    digits = prefix + data.draw(national_digits(region))
    if digits and digits.isdigit():
        _check(digits, region)
        _check("+" + digits, None)
        _assert_honest(int(digits), region)
        _assert_honest(float(digits), region)


@settings(max_examples=1000, deadline=None)
@given(phone_like(), st.sampled_from(_EXTENSION_FORMS_OF_PHONENUMBERS), st.integers(1, 999999))
def test_one_reading_agrees_with_phonenumbers(
    case: tuple[str, str | None], form: str, extension: int
) -> None:
    """A number read one way only ('+', 00 or a trunk 0) is what phonenumbers makes of it."""
    raw, region = case
    written = clean(raw)
    if written is None or not re.match(r"\+|0[1-9]", written) or not written[-1].isdigit():
        return
    if re.search(r"x|ext", written, re.IGNORECASE) or (
        form != " x" and re.search(r"[A-Za-z#;]", written)
    ):
        # An extension already: the text would have two. phonenumbers then takes the last and
        # drops the first marker ('030 x12123456 x1' as +493012123456 ext. 1); read_phone keeps
        # such a text as written (test_two_extensions_are_kept_as_written).
        return
    raw = f"{written}{form}{extension}"
    try:
        number = phonenumbers.parse(raw, None if written[0] == "+" else region)
    except phonenumbers.NumberParseException:
        number = None
    reading = _assert_honest(raw, region)
    if number is not None and phonenumbers.is_valid_number(number):
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        assert (reading.value, reading.extension) == (e164, number.extension)
    else:
        assert not reading.valid


def test_two_extensions_are_kept_as_written() -> None:
    """Two extension markers are two readings: the text is kept, never one of them chosen."""
    for text in ("030 x12123456 x1", "030 12123456 x12 ext. 5"):
        reading = read_phone(text, "DE")
        assert (reading.value, reading.valid) == (text, False)
        assert reading.warning and "kept as written" in reading.warning


# --- through the import ------------------------------------------------------------------------


def test_import_keeps_what_it_cannot_read_and_every_extension(cli: Cli, tmp_path: Path) -> None:
    """The acceptance cases as an officer meets them: nothing invented, no extension lost."""
    cli.ok("init")
    path = tmp_path / "liste.csv"
    path.write_text(
        "Vorname;Nachname;Land;Telefon\n"
        "Ann;Ames;;(650) 555-1212\n"
        "Bea;Bauer;Deutschland;01235684494\n"
        "Cem;Cakir;Deutschland;+49 30 1234567 ext. 102\n"
        'Dan;Dubois;;"tel:+1-418-656-9254;ext=102"\n'
        "Eva;Engel;Deutschland;Zentrale\n",
        encoding="utf-8",
    )
    result = cli.ok("import", str(path))
    assert result.stderr.count("--default-country") == 1  # the hint, for (650) 555-1212
    for written in ("(650) 555-1212", "01235684494", "Zentrale"):
        assert f"phone number {written!r}" in result.stdout
    people = cli.json("contact", "list")
    phones = {c["first_name"]: c["phone"] for c in people}
    extensions = {c["first_name"]: c["phones"][0]["extension"] for c in people}
    assert extensions == {"Ann": None, "Bea": None, "Cem": "102", "Dan": "102", "Eva": None}
    assert phones == {
        "Ann": "(650) 555-1212",
        "Bea": "01235684494",
        # The number in E.164, its extension in the phone's own extension field.
        "Cem": "+49301234567",
        "Dan": "+14186569254",
        "Eva": "Zentrale",
    }


# --- a generated attendee list, every number --------------------------------------------------

GENERATOR = Path(__file__).resolve().parents[1] / "benchmarks" / "generate.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("greentech_phones_generate", GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it runs
    spec.loader.exec_module(module)
    return module


def test_every_number_of_a_generated_attendee_list() -> None:
    """As the import reads them (the row's country), and with other regions; nearly all fast."""
    out = io.StringIO()
    _generator().write_people(out, 3000, 8, 0.02, "csv-de")
    rows = list(csv.DictReader(io.StringIO(out.getvalue()), delimiter=";"))
    countries = {"Deutschland": "DE", "Kasachstan": "KZ", "Usbekistan": "UZ", "Russland": "RU"}
    numbers = [
        (value, countries[row["Land"]])
        for row in rows
        for column in ("Telefon", "Mobil")
        if (value := clean(row[column]))
    ]
    assert len(numbers) > 4000
    answered = sum(_check(value, region) is not None for value, region in numbers)
    assert answered / len(numbers) > 0.99
    for region in ("DE", "KZ", "UZ", "US", None):
        for value, _ in numbers:
            _check(value, region)
