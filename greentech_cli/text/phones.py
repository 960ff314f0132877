"""Phone numbers: E.164 when valid for the row's country, else kept as written with a warning."""

from __future__ import annotations

import re
from functools import lru_cache

from greentech_cli.text.cleaning import clean
from greentech_cli.text.phone_metadata import candidates as phone_candidates
from greentech_cli.text.phone_metadata import fast_e164

# --- phones --------------------------------------------------------------------------------

_PHONE_JUNK = re.compile(r"[^\d+]")


def normalize_phone(
    value: str | int | float | None, country: str | None
) -> tuple[str | None, str | None]:
    """A phone number as E.164 using the contact's country, and a warning when it cannot be parsed.

    An unparseable number is kept exactly as written (never dropped) and the warning says so.
    Spreadsheet integers (4921198765) and the 00 international prefix are understood.
    """
    if value is None:
        return None, None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unmark(clean(str(value)))
    if text is None:
        return None, None
    if "e" in text.lower() and _SCIENTIFIC.fullmatch(text):
        # Its digits would read as some other, valid number: never guess one.
        return text, (
            f"phone number {text!r} was shortened by a spreadsheet (scientific notation, its "
            "last digits are lost); kept as written"
        )
    return _phone(text, country.upper() if country else None)


def unmark(text: str | None) -> str | None:
    """A cleaned phone number without the apostrophe people type before it so that Excel keeps
    its leading zero ('0171 …); in a name an apostrophe is the name's own ('t Hooft)."""
    return clean(text[1:]) if text and text[0] == "'" else text


# Said of a national number that came without a country (the import adds what to do about it).
NO_COUNTRY = "no country to read it with"
# What a spreadsheet shows for a long number in a narrow cell: 4,91701E+12 (the digits are lost).
_SCIENTIFIC = re.compile(r"\+?\d+(?:[.,]\d+)?[eE]\+?\d+")


def _phone(text: str, region: str | None) -> tuple[str | None, str | None]:
    # The common shapes are answered from compiled metadata in a few microseconds, exactly as
    # phonenumbers would answer them (tests/test_phones.py checks); the rest goes the slow way.
    fast = fast_e164(text, region)
    if fast is not None:
        return fast, None
    return _phone_slow(text, region)


# Small: numbers repeat little (a company's switchboard), and a big cache grows with the file.
@lru_cache(maxsize=1 << 12)
def _phone_slow(text: str, region: str | None) -> tuple[str | None, str | None]:
    """What phonenumbers makes of `text`: the first valid reading, else the first possible one."""
    import phonenumbers

    digits = _PHONE_JUNK.sub("", text)
    possible = []
    for candidate, cand_region in phone_candidates(text, region, digits):
        try:
            number = phonenumbers.parse(candidate, cand_region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None
        possible.append(number)
    for number in possible:
        if phonenumbers.is_possible_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None
    hint = "" if region or digits.startswith(("+", "00")) else f" ({NO_COUNTRY})"
    return text, f"phone number {text!r} could not be read{hint}; kept as written"


def display_phone(number: str | None) -> str | None:
    """A stored phone number for reading: +49 2306 123456 (anything not E.164 as stored)."""
    if not number or not number.startswith("+"):
        return number
    import phonenumbers

    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL))
