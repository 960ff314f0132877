"""Phone numbers: E.164 only when valid with the country given, else kept as written, warned."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from greentech_cli.text.cleaning import clean
from greentech_cli.text.phone_metadata import dialling, fast_e164, fast_e164_of_digits, plain_digits

# Said of a national number that came without a country (the import adds what to do about it).
NO_COUNTRY = "no country to read it with"
# What a spreadsheet shows for a long number in a narrow cell: 4,91701E+12 (the digits are lost).
_SCIENTIFIC = re.compile(r"\+?\d+(?:[.,]\d+)?[eE]\+?\d+")
_PHONE_JUNK = re.compile(r"[^\d+]")
# Text no extension form can be in (each needs a letter, ';' or '='): the common case, skipped.
_PLAIN = re.compile(r"[0-9 +\-/.()]*")
# An extension at the end: a tel: URI's ;ext=, or a word before the digits (ext., x, the German
# Durchwahl and Dw.). A word must not be the end of another word (Fax, Text).
_EXTENSION = re.compile(
    r"(?:;ext=|[\s,;]*(?<![^\W\d_])(?:ext(?:ension)?|extn|x|durchwahl|durchw|dw)\.?:?)"
    r"\s*(\d{1,10})\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class PhoneReading:
    """What a phone number reads as.

    `value` is E.164 when `valid`, else the text as written (extension included, `extension`
    None); `extension` holds digits only; `warning` says why a value was kept as written.
    """

    value: str | None
    extension: str | None = None
    warning: str | None = None
    valid: bool = False

    def as_text(self) -> str | None:
        """The number and its extension as one text (+49301234567 ext. 102); read_phone reads it
        back to the same reading."""
        if self.value is None or self.extension is None:
            return self.value
        return f"{self.value} ext. {self.extension}"


_NOTHING = PhoneReading(None)


def read_phone(value: str | int | float | None, country: str | None) -> PhoneReading:
    """A phone number read with a country (ISO code: the row's, else the company's, else the
    default); E.164 only when phonenumbers finds the reading valid, never another guess.

    Spreadsheet integers (4921198765.0), the 00 international prefix, tel: URIs and extensions
    (;ext=102, ext. 102, x102, Durchwahl 102, Dw. 102) are understood. Digits without 0 or '+'
    are read with the country, and when they are digits only and 11 or more also as if the '+'
    had been lost; when both readings are valid and name different countries the number is kept
    as written. A German switchboard form such as 0211 3557-0 or 0211 3557-102 is one number
    (that is how it is dialled).
    """
    if value is None:
        return _NOTHING
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unmark(clean(str(value)))
    if text is None:
        return _NOTHING
    if "e" in text.lower() and _SCIENTIFIC.fullmatch(text):
        # Its digits would read as some other, valid number: never guess one.
        return _kept(
            text,
            f"phone number {text!r} was shortened by a spreadsheet (scientific notation, its "
            "last digits are lost); kept as written",
        )
    return _read(text, country.upper() if country else None)


def unmark(text: str | None) -> str | None:
    """A cleaned phone number without the apostrophe people type before it so that Excel keeps
    its leading zero ('0171 …); in a name an apostrophe is the name's own ('t Hooft)."""
    return clean(text[1:]) if text and text[0] == "'" else text


def display_phone(number: str | None, extension: str | None = None) -> str | None:
    """A stored phone number for reading: +49 30 1234567 ext. 102 (anything not E.164 as stored)."""
    suffix = f" ext. {extension}" if extension else ""
    if not number or not number.startswith("+"):
        return f"{number}{suffix}" if number else number
    import phonenumbers

    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number + suffix
    formatted = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return str(formatted) + suffix


# --- reading --------------------------------------------------------------------------------


def _kept(text: str, warning: str) -> PhoneReading:
    return PhoneReading(text, None, warning, False)


def _read(text: str, region: str | None) -> PhoneReading:
    """The one valid reading of text, else text as written with the reason."""
    plain = _PLAIN.fullmatch(text) is not None  # most numbers: no extension, no regex for digits
    if plain:
        number, extension, digits = text, None, plain_digits(text)
        if digits[:1] == "+" or (digits[:1] == "0" and digits[1:2] != "0"):
            # One reading (below), answered fast for most numbers.
            fast = fast_e164_of_digits(digits, None if digits[0] == "+" else region)
            if fast:
                return PhoneReading(fast, None, None, True)
    else:
        number, extension = _split_extension(text)
        digits = _PHONE_JUNK.sub("", number)
    chosen: tuple[str, str | None] | None = None
    dropped = None  # a valid reading that leaves out or changes some of the text's digits
    for candidate, candidate_digits, candidate_region in _readings(number, region, digits):
        if plain:
            fast = fast_e164_of_digits(candidate_digits, candidate_region)
        else:
            fast = fast_e164(candidate, candidate_region)
        found: tuple[str, str | None, str | None] | None
        if fast is not None:
            if not fast:
                continue
            found = fast, None, None
        else:
            found = _slow(candidate, candidate_region)
            if found is None:
                continue
        e164, found_extension, nsn = found
        if nsn is not None and not _keeps_digits(candidate, nsn, found_extension, extension):
            dropped = dropped or e164
            continue
        if chosen is None:
            chosen = e164, found_extension or extension
            if candidate_digits == "+" + digits and region and not _in_region(e164, region):
                continue  # '+' put before digits: are they also a number of the row's country?
            break
        if e164 != chosen[0]:
            reason = f"could be {chosen[0]} or {e164}"
            return _kept(text, f"phone number {text!r} {reason}; kept as written")
        break
    if chosen is not None:
        return PhoneReading(chosen[0], chosen[1], None, True)
    if dropped is not None:
        reason = f"reads as {dropped} only with some of its characters left out or changed"
    elif not any(c.isdecimal() for c in text):
        reason = "has no digits"
    elif digits.startswith(("+", "00")):
        reason = "is not a valid number"
    elif region:
        reason = f"is not a valid number in {region}"
    else:
        reason = f"could not be read ({NO_COUNTRY})"
    return _kept(text, f"phone number {text!r} {reason}; kept as written")


def _split_extension(text: str) -> tuple[str, str | None]:
    """The number without a tel: scheme and a trailing extension, and the extension's digits."""
    number = text[4:].lstrip() if text[:4].casefold() == "tel:" else text
    match = _EXTENSION.search(number)
    if match is None:
        return number, None
    return number[: match.start()], _ascii_digits(match.group(1))


def _readings(number: str, region: str | None, digits: str) -> list[tuple[str, str, str | None]]:
    """The readings tried in order, as (text for phonenumbers.parse, its digits, region)."""
    if digits.startswith("00"):
        plus = "+" + digits[2:]
        return [(plus, plus, None)]
    if digits.startswith("+"):
        return [(number, digits, None)]
    if digits.startswith("0") or not (number.isascii() and number.isdigit()):
        return [(number, digits, region)]
    codes = dialling(region) if region else None
    if codes and codes[1] and digits.startswith(codes[1]):
        return [(number, digits, region)]  # its trunk prefix: 8 495 … in Russia, 1 212 … in the US
    # Digits only, as a spreadsheet stores a number: a long one may be international with its
    # '+' lost, and a spreadsheet that stored the number as an integer also dropped the trunk 0.
    found = [(number, digits, region), ("0" + digits, "0" + digits, region)]
    return [("+" + digits, "+" + digits, None), *found] if len(digits) >= 11 else found


# Small: numbers repeat little (a company's switchboard), and a big cache grows with the file.
@lru_cache(maxsize=1 << 12)
def _slow(text: str, region: str | None) -> tuple[str, str | None, str | None] | None:
    """(E.164, extension, national significant number) when phonenumbers reads text as a valid
    number, else None. The fast path gives no national number: it never leaves out a digit."""
    import phonenumbers

    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    extension = _ascii_digits(number.extension) if number.extension else None
    return e164, extension, phonenumbers.national_significant_number(number)


def _keeps_digits(text: str, nsn: str, extension: str | None, split: str | None) -> bool:
    """Whether phonenumbers' reading of text accounts for its digits: they end with the national
    number and its extension (only prefixes are left out: 00, +49, a trunk 0 or 8). `split` is
    the extension found before: phonenumbers finding another one reads the text as two."""
    if extension and split:
        return False
    written = _ascii_digits("".join(c for c in text if c.isdecimal()))
    return written.endswith(nsn + (extension or ""))


def _in_region(e164: str, region: str) -> bool:
    codes = dialling(region)
    return codes is not None and e164.startswith(f"+{codes[0]}")


def _ascii_digits(text: str) -> str:
    return text if text.isascii() else "".join(str(unicodedata.decimal(c)) for c in text)
