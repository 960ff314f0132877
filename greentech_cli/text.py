"""Normalising what people type: names (NFC only), email, phones, countries, sectors, dates."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from .errors import InvalidData
from .phones import candidates as phone_candidates
from .phones import fast_e164

_SPACE = re.compile(r"\s+")


def clean(value: str | None) -> str | None:
    """NFC, trimmed, inner whitespace runs kept as single spaces; empty becomes None.

    Names are kept exactly as written otherwise: never re-cased, never transliterated.
    """
    if value is None:
        return None
    text = str(value)
    if text.isascii() and text.isprintable():
        # Most cells: already NFC, and the only whitespace is plain spaces.
        text = text.strip()
        return (_SPACE.sub(" ", text) if "  " in text else text) or None
    text = unicodedata.normalize("NFC", text).strip()
    text = _SPACE.sub(" ", text) if "\n" not in text else text
    return text or None


def clean_list(values: list[str] | tuple[str, ...] | None) -> list[str]:
    """Cleaned, de-duplicated values in their first order (tags, languages)."""
    seen: dict[str, None] = {}
    for value in values or []:
        for part in str(value).split(","):
            item = clean(part)
            if item and item.casefold() not in {s.casefold() for s in seen}:
                seen[item] = None
    return list(seen)


# --- email ---------------------------------------------------------------------------------


# Plain ASCII addresses are by far the most common; they skip the full validator, which is
# still used for everything else (international addresses, quoted parts, special-use domains).
_SIMPLE_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})$"
)


def normalize_email(value: str | None) -> str | None:
    """A valid email address with its domain lower-cased; an invalid one raises InvalidData."""
    text = clean(value)
    if text is None:
        return None
    simple = _SIMPLE_EMAIL.match(text)
    # "--" in a domain label may be punycode ("xn--") or reserved ("ab--c"): the validator decides.
    if simple and "--" not in simple[1] and len(text) <= 254 and len(text.split("@")[0]) <= 64:
        domain = simple[1].lower()
        if domain.rsplit(".", 1)[-1] not in _special_use_domains():
            return text[: simple.start(1)] + domain
    from email_validator import EmailNotValidError, validate_email

    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidData(f"invalid email address {text!r}: {exc}") from exc
    return str(result.normalized)


@lru_cache(maxsize=1)
def _special_use_domains() -> frozenset[str]:
    import email_validator

    return frozenset(str(d) for d in email_validator.SPECIAL_USE_DOMAIN_NAMES)


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


# --- countries -----------------------------------------------------------------------------


def _country_key(text: str) -> str:
    from anyascii import anyascii

    folded = text.casefold().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    return re.sub(r"[^a-z0-9]", "", anyascii(folded).lower())


_COUNTRY_EXTRA = {
    "uk": "GB",
    "england": "GB",
    "grossbritannien": "GB",
    "greatbritain": "GB",
    "usa": "US",
    "vereinigtestaaten": "US",
    "russland": "RU",
    "weissrussland": "BY",
    "vae": "AE",
    "uae": "AE",
    "russia": "RU",
    "tuerkei": "TR",
    "turkey": "TR",
    "suedkorea": "KR",
    "southkorea": "KR",
    "iran": "IR",
    "vietnam": "VN",
    "holland": "NL",
    "kasachstan": "KZ",
    "usbekistan": "UZ",
    "kirgisistan": "KG",
    "kyrgyzstan": "KG",
    "qazaqstan": "KZ",
    "uzbekiston": "UZ",
    "bolivien": "BO",
    "bolivia": "BO",
    "tansania": "TZ",
    "tanzania": "TZ",
    "deutschland": "DE",
    "brd": "DE",
    "kazakstan": "KZ",
    "казахстан": "KZ",
    "узбекистан": "UZ",
    "россия": "RU",
    "германия": "DE",
}


# The languages of the partner countries whose own country names a list may use: Russian,
# Ukrainian, Belarusian, the Central Asian and Caucasian languages, Mongolian and Turkish.
PARTNER_LANGUAGES = ("ru", "uk", "be", "kk", "uz", "ky", "tg", "tk", "az", "ka", "hy", "mn", "tr")


@lru_cache(maxsize=1)
def _country_table() -> dict[str, str]:
    """Folded English and German country names (and codes) to ISO alpha-2."""
    import gettext

    import pycountry

    german: gettext.NullTranslations
    try:
        german = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["de"])
    except OSError:  # a pycountry build without locales: English names still work
        german = gettext.NullTranslations()
    translate = german.gettext
    table: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        names = {
            country.name,
            getattr(country, "common_name", ""),
            getattr(country, "official_name", ""),
        }
        names |= {translate(n) for n in list(names) if n}
        for name in names:
            if name:
                table.setdefault(_country_key(name), code)
        table[code.lower()] = code
        table[country.alpha_3.lower()] = code
    # Then the names delegations write in their own languages (Қазақстан, Oʻzbekiston, Україна);
    # an English or German name keeps its country where a spelling would meet another one.
    for language in PARTNER_LANGUAGES:
        try:
            native = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
        except OSError:
            continue
        for country in pycountry.countries:
            for name in (country.name, getattr(country, "common_name", "")):
                if name:
                    table.setdefault(_country_key(native.gettext(name)), country.alpha_2)
    for key, code in _COUNTRY_EXTRA.items():
        table[_country_key(key) if key.isascii() else key] = code
    return table


def normalize_country(value: str | None) -> str | None:
    """ISO 3166 alpha-2 for a code or an English or German name; unknown raises InvalidData."""
    text = clean(value)
    if text is None:
        return None
    code = _country_code(text)
    if code is None:
        raise InvalidData(
            f"unknown country {text!r}: use a code like DE or a name like Deutschland"
        )
    return code


# A country column repeats a handful of names down a whole file.
@lru_cache(maxsize=1 << 10)
def _country_code(text: str) -> str | None:
    table = _country_table()
    code = table.get(text.casefold()) if not text.isascii() else None
    return code or table.get(_country_key(text))


# --- sectors -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def sector_table() -> list[dict[str, object]]:
    """The sector taxonomy from data/sectors.yaml."""
    from .resources import load_yaml

    loaded = load_yaml("sectors.yaml")
    return list(loaded)


def normalize_sector(value: str) -> str:
    """A sector slug for a slug or its German or English label; unknown raises InvalidData."""
    text = clean(value) or ""
    key = _country_key(text)
    for sector in sector_table():
        names = [str(sector["slug"]), str(sector["en"]), str(sector["de"])]
        if key in {_country_key(n) for n in names}:
            return str(sector["slug"])
    slugs = ", ".join(str(s["slug"]) for s in sector_table())
    raise InvalidData(f"unknown sector {text!r}; known sectors: {slugs}")


def normalize_sectors(values: list[str] | tuple[str, ...] | None) -> list[str]:
    """Sector slugs for several values, each checked, in their first order."""
    slugs: list[str] = []
    for value in clean_list(values):
        slug = normalize_sector(value)
        if slug not in slugs:
            slugs.append(slug)
    return slugs


def choice(value: str | None, allowed: tuple[str, ...], what: str) -> str | None:
    """A value checked against a fixed vocabulary (case-insensitive), or None."""
    text = clean(value)
    if text is None:
        return None
    lowered = text.lower()
    if lowered not in allowed:
        raise InvalidData(f"unknown {what} {text!r}; use one of: {', '.join(allowed)}")
    return lowered


# --- dates, times, durations ---------------------------------------------------------------

_MONTHS = {
    "jan": 1, "januar": 1, "jänner": 1, "january": 1,
    "feb": 2, "februar": 2, "february": 2,
    "mär": 3, "mrz": 3, "märz": 3, "maerz": 3, "mar": 3, "march": 3,
    "apr": 4, "april": 4,
    "mai": 5, "may": 5,
    "jun": 6, "juni": 6, "june": 6,
    "jul": 7, "juli": 7, "july": 7,
    "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9,
    "okt": 10, "oktober": 10, "oct": 10, "october": 10,
    "nov": 11, "november": 11,
    "dez": 12, "dezember": 12, "dec": 12, "december": 12,
}  # fmt: skip
_TIME_TAIL = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_ISO_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME_TAIL)
_YMD_SLASH_RE = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})" + _TIME_TAIL)
_DOTTED_RE = re.compile(r"(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4}|\d{2})" + _TIME_TAIL)
_SLASHED_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})" + _TIME_TAIL)
_DAY_MONTH_RE = re.compile(r"(\d{1,2})\.?\s+([^\W\d_]+)\.?,?\s+(\d{4})")
_MONTH_DAY_RE = re.compile(r"([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
# Outlook writes "no date" as 0.0.00; other tools use all-zero dates.
_NULL_DATES = {"0.0.00", "0.0.0000", "00.00.00", "00.00.0000", "0000-00-00", "00/00/0000"}


def expand_year(two_digits: int, today: date | None = None) -> int:
    """Turn a two-digit year into the latest year that is at most ten years after today."""
    today = today or date.today()
    year = (today.year // 100 + 1) * 100 + two_digits
    while year > today.year + 10:
        year -= 100
    return year


def read_date(text: str, *, today: date | None = None) -> date | None:
    """Read ``dd.mm.yyyy``, ``d.m.yy``, ISO, slashed and month-name dates; empty gives None.

    Two-digit years go to the latest century that keeps them at most ten years in the future
    (in 2026: 00-36 are 2000-2036, 37-99 are 1937-1999). Slashed dates are read day first
    (``03/04/2026`` is 3 April) unless the first number cannot be a day-of-month over 12 and the
    second can (``9/28/12`` is 28 September 2012). Anything else raises InvalidData.
    """
    value = " ".join(text.split()) if isinstance(text, str) else ""
    if not value or value in _NULL_DATES:
        return None
    day: int
    month: int
    year: int
    if match := _ISO_RE.fullmatch(value) or _YMD_SLASH_RE.fullmatch(value):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DOTTED_RE.fullmatch(value):
        day, month = int(match.group(1)), int(match.group(2))
        year = _year(match.group(3), today)
    elif match := _SLASHED_RE.fullmatch(value):
        first, second = int(match.group(1)), int(match.group(2))
        day, month = (second, first) if first <= 12 < second else (first, second)
        year = _year(match.group(3), today)
    elif (match := _DAY_MONTH_RE.fullmatch(value)) and match.group(2).casefold() in _MONTHS:
        day, month, year = int(match.group(1)), _MONTHS[match.group(2).casefold()], int(match[3])
    elif (match := _MONTH_DAY_RE.fullmatch(value)) and match.group(1).casefold() in _MONTHS:
        month, day, year = _MONTHS[match.group(1).casefold()], int(match.group(2)), int(match[3])
    else:
        raise InvalidData(f"'{value}' is not a date; write it as dd.mm.yyyy or yyyy-mm-dd.")
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidData(f"'{value}' is not a valid calendar date.") from None


def _year(digits: str, today: date | None) -> int:
    return int(digits) if len(digits) == 4 else expand_year(int(digits), today)


def parse_date(value: str) -> date:
    """A required date (options, YAML): what read_date reads; empty is an error too."""
    try:
        result = read_date(str(value))
    except InvalidData:
        result = None
    if result is None:
        raise InvalidData(f"invalid date {value!r}: use 2026-11-18 or 18.11.2026")
    return result


def parse_time(value: str) -> time:
    """A time of day from `10:00`, `9:30` or `10.00`."""
    text = (clean(value) or "").replace(".", ":")
    m = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?", text)
    if not m or int(m[1]) > 23 or int(m[2] or 0) > 59:
        raise InvalidData(f"invalid time {value!r}: use 10:00")
    return time(int(m[1]), int(m[2] or 0))


def parse_datetime(value: str) -> datetime:
    """A naive local date-time from `2026-11-17 09:00`, `17.11.2026 9:00` or ISO 8601."""
    text = clean(value) or ""
    parts = re.split(r"[ T]+", text, maxsplit=1)
    if len(parts) != 2:
        raise InvalidData(f'invalid date and time {value!r}: use "2026-11-17 09:00"')
    return datetime.combine(parse_date(parts[0]), parse_time(parts[1]))


_DURATION = re.compile(r"^(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?$")


def parse_duration(value: str) -> timedelta:
    """A duration from `90m`, `1h30m`, `2h` or `1:30`."""
    text = (clean(value) or "").lower().replace(" ", "")
    m = re.fullmatch(r"(\d+):(\d{2})", text)
    if m:
        minutes = int(m[1]) * 60 + int(m[2])
    else:
        m = _DURATION.match(text)
        if not text or not m or not (m[1] or m[2]):
            raise InvalidData(f"invalid duration {value!r}: use 90m, 1h30m or 1:30")
        minutes = int(m[1] or 0) * 60 + int(m[2] or 0)
    if minutes <= 0:
        raise InvalidData(f"invalid duration {value!r}: it must be longer than zero")
    return timedelta(minutes=minutes)


def check_timezone(value: str) -> str:
    """An IANA time zone name that this machine's tz database knows, in its own spelling; a city
    alone ("Almaty", "new york") stands for its zone when only one zone has that city."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    text = clean(value) or ""
    try:
        ZoneInfo(text)
        return text
    except (ZoneInfoNotFoundError, ValueError):
        pass
    key = text.casefold().replace(" ", "_")
    known = _zone_names().get(key) or _zones_by_city().get(key)
    if known is not None:
        return known
    from difflib import get_close_matches

    near = get_close_matches(text.casefold(), list(_zone_names()), n=1, cutoff=0.8)
    hint = f"did you mean {_zone_names()[near[0]]}?" if near else "use a name like Europe/Berlin"
    raise InvalidData(f"unknown time zone {value!r}: {hint}")


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    """Every zone this machine knows, by its name casefolded."""
    from zoneinfo import available_timezones

    return {name.casefold(): name for name in available_timezones()}


@lru_cache(maxsize=1)
def _zones_by_city() -> dict[str, str]:
    """Zones by their city ("almaty": "Asia/Almaty"), for the cities only one zone names."""
    found: dict[str, list[str]] = {}
    for name in _zone_names().values():
        if "/" in name and not name.startswith(("Etc/", "SystemV/")):
            found.setdefault(name.rsplit("/", 1)[1].casefold(), []).append(name)
    return {city: names[0] for city, names in found.items() if len(names) == 1}


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
