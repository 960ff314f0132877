"""The features the matcher compares, read from a record's raw values: free-mail domains,
phone keys, birthdays, the stored JSON lists, organisation keys (`services.identity.matcher`)."""

from __future__ import annotations

import json
import re
from functools import lru_cache

from greentech_cli.text.company_names import company_key

# Addresses at these providers say nothing about where a person works.
FREE_MAIL = frozenset(
    (
        "gmail.com", "googlemail.com", "outlook.com", "outlook.de", "hotmail.com", "hotmail.de",
        "live.com", "live.de", "msn.com", "yahoo.com", "yahoo.de", "icloud.com", "me.com",
        "mac.com", "aol.com", "aol.de", "gmx.de", "gmx.net", "gmx.at", "gmx.ch", "web.de",
        "t-online.de",
        "freenet.de", "posteo.de", "mailbox.org", "protonmail.com", "proton.me", "arcor.de",
        "mail.ru", "inbox.ru", "list.ru", "bk.ru", "internet.ru", "yandex.ru", "yandex.kz",
        "yandex.com", "ya.ru", "rambler.ru", "mail.kz", "inbox.kz", "umail.uz", "mail.uz", "bk.uz",
        "qq.com", "163.com"
    )
)  # fmt: skip

_DIGITS = re.compile(r"\D+")


@lru_cache(maxsize=1 << 14)
def company_key_cached(name: str) -> str:
    """`company_names.company_key`, cached: a few thousand organisations stand behind 100,000
    people."""
    return company_key(name)


def phone_key(value: str | None) -> str | None:
    """A phone number as its last nine digits, so "+49 89 98328750", "089/98328750" and
    "+498998328750" meet (a number kept as written, without a country, has its trunk prefix
    where E.164 has the country code); short scraps are ignored."""
    if not value:
        return None
    digits = value[1:] if value[0] == "+" and value[1:].isdigit() else _DIGITS.sub("", value)
    if len(digits) < 6:
        return None
    return digits[-9:]


def listed(text: str | None) -> list[str]:
    """The values of a stored JSON list of value objects ([{"value": …}, …]), or none."""
    if not text or text == "[]":
        return []
    try:
        items = json.loads(text)
    except ValueError:
        return []
    return [str(item["value"]) for item in items if isinstance(item, dict) and item.get("value")]


def birthday_of(value: str | None) -> str | None:
    """A birthday as compared: month and day always, the year when given ("1980-05-17")."""
    if not value:
        return None
    return value.strip() or None


def birthdays_differ(a: str | None, b: str | None) -> bool:
    """Whether two birthdays cannot be one person's: other days, or both years given and other."""
    if not a or not b:
        return False
    if a[-5:] != b[-5:]:
        return True
    year_a, year_b = a[:-6].lstrip("-"), b[:-6].lstrip("-")
    return bool(year_a and year_b and year_a != year_b)
