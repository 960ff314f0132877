"""Dates, times, durations and time zones as officers write them."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache

from greentech_cli.errors import InvalidData
from greentech_cli.text.cleaning import clean

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
# How a slashed date is read when both numbers could be the month: day or month first.
DATE_ORDERS = ("dmy", "mdy")
_SLASHED_START_RE = re.compile(r"\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})(?![\d/])")
# Programme dates outside these years are typing mistakes unless forced (--force).
EARLIEST_YEAR = 1900
LATEST_YEAR = 2100
# No duration is read beyond this (a visit is limited further): larger numbers are mistakes.
LONGEST_DURATION = timedelta(days=366)


class AmbiguousDate(InvalidData):
    """A slashed date both of whose numbers could be the month, read without a date order."""


def expand_year(two_digits: int, today: date | None = None) -> int:
    """Turn a two-digit year into the latest year that is at most ten years after today."""
    today = today or date.today()
    year = (today.year // 100 + 1) * 100 + two_digits
    while year > today.year + 10:
        year -= 100
    return year


def read_date(text: str, *, today: date | None = None, order: str | None = None) -> date | None:
    """Read ``dd.mm.yyyy``, ``d.m.yy``, ISO, slashed and month-name dates; empty gives None.

    Two-digit years go to the latest century that keeps them at most ten years in the future
    (in 2026: 00-36 are 2000-2036, 37-99 are 1937-1999). A slashed date is read in `order`
    (``dmy`` or ``mdy``); without one only when it can be read one way (``25/12/2026``,
    ``12/25/2026``, ``04/04/2026``), else ``03/04/2026`` raises AmbiguousDate. Anything else
    raises InvalidData.
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
        day, month = _day_and_month(value, int(match.group(1)), int(match.group(2)), order)
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


def _day_and_month(value: str, first: int, second: int, order: str | None) -> tuple[int, int]:
    """The day and month of a slashed date, read in `order` or, without one, the only way."""
    if order is not None:
        if order not in DATE_ORDERS:
            raise InvalidData(f"unknown date order {order!r}: use dmy or mdy")
        return (first, second) if order == "dmy" else (second, first)
    if first <= 12 < second:
        return second, first
    if first > 12 or first == second:
        return first, second
    raise AmbiguousDate(
        f"'{value}' could be {first} {_MONTH_NAMES[second]} or {second} "
        f"{_MONTH_NAMES[first]}; write it as yyyy-mm-dd or dd.mm.yyyy, or give --date-order dmy "
        "or mdy"
    )


_MONTH_NAMES = ("", "January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")  # fmt: skip


def _year(digits: str, today: date | None) -> int:
    return int(digits) if len(digits) == 4 else expand_year(int(digits), today)


def in_order(text: str, order: str | None) -> str:
    """`text` with a slashed date at its start rewritten as yyyy-mm-dd, read in `order` (dmy or
    mdy); anything else, or without an order, unchanged. For dates typed on a command line."""
    if order is None:
        return text
    stripped = text.strip()
    match = _SLASHED_START_RE.match(stripped)
    if match is None:
        return text
    day = read_date(match.group(0), order=order)
    return f"{day.isoformat() if day else match.group(0)}{stripped[match.end() :]}"


def check_year(day: date, what: str, *, force: bool = False) -> None:
    """Refuse a year outside EARLIEST_YEAR–LATEST_YEAR (a typing mistake) unless forced."""
    if not force and not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise InvalidData(
            f"the {what} {day.isoformat()} is not between {EARLIEST_YEAR} and {LATEST_YEAR}; "
            "check the year, or give --force if it is meant"
        )


def parse_date(value: str) -> date:
    """A required date (options, YAML): what read_date reads; empty is an error too."""
    try:
        result = read_date(str(value))
    except AmbiguousDate:
        raise
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
    if minutes > LONGEST_DURATION.total_seconds() / 60:
        raise InvalidData(f"invalid duration {value!r}: longer than a year")
    return timedelta(minutes=minutes)


def wall_time(moment: datetime) -> str:
    """`yyyy-mm-dd HH:MM` as shown on a clock (strftime would drop the zeros of year 0001)."""
    return moment.replace(tzinfo=None).isoformat(sep=" ", timespec="minutes")


def in_zone(moment: datetime, zone: tzinfo) -> datetime | None:
    """The moment as wall time in another zone, or None where the calendar ends (9999-12-31
    22:00 in Berlin is already the year 10000 in Almaty)."""
    try:
        return moment.astimezone(zone)
    except OverflowError:
        return None


def check_timezone(value: str) -> str:
    """An IANA time zone name that this machine's tz database knows, in its own spelling; a city
    alone ("Almaty", "new york") stands for its zone when only one zone has that city, and so does
    a city the shipped data knows (Astana, Nur-Sultan, an airport's city)."""
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
    from greentech_cli.text.airports import zone_of_city

    known = zone_of_city(text)  # Astana, Nur-Sultan, Düsseldorf: the shipped city data
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
