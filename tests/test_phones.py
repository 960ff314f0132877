"""The fast phone path answers exactly what the phonenumbers path answers, whenever it answers."""

from __future__ import annotations

import csv
import importlib.util
import io
import sys
from pathlib import Path
from types import ModuleType

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from greentech_cli.text import phone_metadata as phones
from greentech_cli.text.cleaning import clean
from greentech_cli.text.phones import _phone_slow, normalize_phone

REGIONS = ["DE", "AT", "CH", "KZ", "RU", "UZ", "US", "GB", "FR", "IT", "NL", "PL", "CN", None]
_slow = _phone_slow.__wrapped__  # the phonenumbers path itself, without its cache


def _check(raw: str, region: str | None) -> str | None:
    """The fast answer for raw, after checking it against the slow path; None if not answered."""
    fast = phones.fast_e164(raw, region)
    if fast is not None:
        assert (fast, None) == _slow(raw, region), (raw, region)
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


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("0211 / 98 76 54", "DE", "+49211987654"),
        ("02306 / 12 34 56", "DE", "+492306123456"),
        ("(0151) 9 11 48 06", "DE", "+491519114806"),
        ("+49 (0)2841 668593", "DE", "+492841668593"),
        ("+491704570077", None, "+491704570077"),
        ("0049 211 987654", None, "+49211987654"),
        ("8 701 123 45 67", "KZ", "+77011234567"),
        ("+7 701 765 43 21", None, "+77017654321"),
        ("8 (343) 757-99-13", "RU", "+73437579913"),
        ("+998 71 123 45 67", "DE", "+998711234567"),
        ("79 265 21 47", "UZ", "+998792652147"),
        ("+43 1 5321234", None, "+4315321234"),
        ("044 668 18 00", "CH", "+41446681800"),
    ],
)
def test_common_shapes_are_answered_fast(raw: str, region: str | None, expected: str) -> None:
    assert _check(raw, region) == expected
    assert normalize_phone(raw, region) == (expected, None)


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("call the office", "DE"),  # not a number: the warning comes from the slow path
        ("0211 98 76 54 x12", "DE"),  # an extension
        ("０２１１ ９８７６５４", "DE"),  # wide digits
        ("020 7946 0958", "GB"),  # GB's national prefix is a pattern (0|180020)
        ("810 49 211 987654", "RU"),  # an international prefix without '+'
        ("12", "DE"),  # too short to be sure of
    ],
)
def test_uncertain_shapes_are_left_to_phonenumbers(raw: str, region: str | None) -> None:
    assert phones.fast_e164(raw, region) is None


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
