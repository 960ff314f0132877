"""Reading the list values of a record: emails, phone numbers, postal addresses."""

from __future__ import annotations

import re
from typing import Any

from greentech_cli.models.fields import (
    ADDRESS_TYPES,
    EMAIL_TYPES,
    PHONE_TYPES,
    Address,
    Email,
    Phone,
)
from greentech_cli.text.cleaning import clean, clean_name
from greentech_cli.text.emails import normalize_email
from greentech_cli.text.phones import read_phone
from greentech_cli.text.vocabulary import choice, normalize_country

_LIST_SEPARATORS = re.compile(r"\s*[;,\n]\s*")


def split_items(value: Any) -> list[Any]:
    """A list value as its items: a list as it is, a text split at `;`, `,` and line breaks."""
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [part for part in _LIST_SEPARATORS.split(str(value)) if part]


def read_emails(value: Any) -> list[Email]:
    """Email addresses, each checked (a bad one refuses the value), without repeats."""
    found: dict[str, Email] = {}
    for item in split_items(value):
        text, kind = (
            (item.get("value"), item.get("type")) if isinstance(item, dict) else (item, None)
        )
        email = normalize_email(clean_name(text, "email address"))
        if email and email.casefold() not in found:
            found[email.casefold()] = Email(
                email, choice(kind, EMAIL_TYPES, "email type") or "work"
            )
    return list(found.values())


def read_phone_value(
    value: Any, kind: str, region: str | None, warnings: list[str]
) -> Phone | None:
    """One phone number (text or a mapping with value, type and extension), read honestly:
    E.164 only when valid for `region`, else as written, with its extension apart."""
    extension = None
    if isinstance(value, dict):
        kind = choice(value.get("type"), PHONE_TYPES, "phone type") or kind
        extension = clean(value.get("extension"))
        value = value.get("value")
    reading = read_phone(value, region)
    if reading.warning:
        warnings.append(reading.warning)
    if reading.value is None:
        return None
    return Phone(reading.value, kind, reading.extension or extension)


def read_address(value: Any) -> Address:
    """A postal address from a mapping of its parts (street, postcode, city, region, country)."""
    if not isinstance(value, dict):
        return Address(street=clean(str(value)))
    parts = {key: clean(None if value.get(key) is None else str(value.get(key))) for key in
             ("street", "postcode", "city", "region")}  # fmt: skip
    country = normalize_country(value.get("country")) if value.get("country") else None
    kind = choice(value.get("type"), ADDRESS_TYPES, "address type") or "home"
    return Address(kind, country=country, **parts)


def read_phones(value: Any, region: str | None, warnings: list[str]) -> list[Phone]:
    """Phone numbers (texts or mappings), each read honestly; warnings for the unreadable."""
    return [
        found
        for item in split_items(value)
        if (found := read_phone_value(item, "work", region, warnings)) is not None
    ]
