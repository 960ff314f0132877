"""Retention periods: how long data is kept after a delegation ends, in months or days.

Written `18m`, `18 months`, `18 Monate`, `2y`, `90d`, `90 days`, `90 Tage` (a year is twelve
months); stored and shown in one spelling, `18m` or `90d`. In a period `m` is months: data is
never kept for minutes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from greentech_cli.errors import InvalidData

_UNITS = {
    "m": "m", "mo": "m", "mon": "m", "month": "m", "months": "m", "monat": "m", "monate": "m",
    "y": "y", "yr": "y", "year": "y", "years": "y", "j": "y", "jahr": "y", "jahre": "y",
    "d": "d", "day": "d", "days": "d", "t": "d", "tag": "d", "tage": "d",
}  # fmt: skip
_PERIOD = re.compile(r"^\s*([+-]?\d+)\s*([^\W\d_]+)\.?\s*$")
# Longer than a century is a typing mistake (2400m for 24m), not a keeping time.
LONGEST_MONTHS = 1200


@dataclass(frozen=True)
class Period:
    """A keeping time: `count` months (`unit` "m") or days (`unit` "d")."""

    count: int
    unit: str = "m"

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"

    def after(self, day: date) -> date:
        """The day this period after `day` (the 31st plus a month is the month's last day)."""
        if self.unit == "d":
            return day + timedelta(days=self.count)
        month = day.month + self.count
        year, month = day.year + (month - 1) // 12, (month - 1) % 12 + 1
        last = day.day
        while True:
            try:
                return date(year, month, last)
            except ValueError:  # 31 March plus one month: the last day of April
                last -= 1


def parse_period(value: object, what: str = "retention period") -> Period:
    """A period from `18m`, `18 months`, `2y`, `90d`, `90 days`, or a whole number of months
    from a config file's number; anything else, or a negative period, is InvalidData."""
    if isinstance(value, bool):
        raise InvalidData(f"the {what} must be a number of months or days, e.g. 18m or 90d")
    if isinstance(value, int):
        count, unit = value, "m"
    else:
        found = _PERIOD.match(str(value))
        unit = _UNITS.get(found.group(2).casefold(), "") if found else ""
        if not found or not unit:
            raise InvalidData(
                f"the {what} {str(value)!r} is not a period; use months or days, e.g. 18m or 90d"
            )
        count = int(found.group(1))
        if unit == "y":
            count, unit = count * 12, "m"
    if count < 0:
        raise InvalidData(f"the {what} {str(value)!r} is negative; use e.g. 18m or 90d")
    months = count if unit == "m" else count / 30
    if months > LONGEST_MONTHS:
        raise InvalidData(f"the {what} {str(value)!r} is over a hundred years")
    return Period(count, unit)
