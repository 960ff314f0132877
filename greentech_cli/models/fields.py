"""The parts records are made of: field roles (declared once), emails, phones, addresses."""

from __future__ import annotations

from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import Any

EMAIL_TYPES = ("work", "home", "other")
PHONE_TYPES = ("work", "home", "mobile", "fax", "other")
ADDRESS_TYPES = ("home", "work", "other")
# The roles a field of a record plays, in its metadata (declared once, derived everywhere):
# "data" is what a person gave; "derived" is filled in by the store when read; "bookkeeping" is
# the record's own identity and history. `personal` marks what identifies or describes a person
# (privacy report lists it, an erased person's import images lose it).
PERSONAL = MappingProxyType({"role": "data", "personal": True})
NOT_PERSONAL = MappingProxyType({"role": "data", "personal": False})
DERIVED = MappingProxyType({"role": "derived", "personal": False})
BOOKKEEPING = MappingProxyType({"role": "bookkeeping", "personal": False})


def fields_of(
    record: Any, role: str | None = "data", *, personal: bool | None = None
) -> tuple[str, ...]:
    """The names of a record's fields with this role (None: any), personal or not if given."""
    return tuple(
        f.name
        for f in fields(record)
        if (role is None or f.metadata.get("role", "data") == role)
        and (personal is None or f.metadata.get("personal", False) == personal)
    )


@dataclass
class Email:
    """One email address of a person or an organisation, with its kind (work, home, other)."""

    value: str
    type: str = "work"

    def to_json(self, primary: bool = False) -> dict[str, Any]:
        """The address as JSON; `primary` marks the one `email` names."""
        return {"value": self.value, "type": self.type, "primary": primary}


@dataclass
class Phone:
    """One phone number: E.164 when it could be read, else as written; its kind and extension."""

    value: str
    type: str = "work"
    extension: str | None = None

    def to_json(self, primary: bool = False) -> dict[str, Any]:
        """The number as JSON; `primary` marks the ones `phone` and `mobile` name."""
        return {
            "value": self.value,
            "type": self.type,
            "extension": self.extension,
            "primary": primary,
        }


@dataclass
class Address:
    """A postal address of a person (home, work or other)."""

    type: str = "home"
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The address as JSON."""
        return {
            "type": self.type,
            "street": self.street,
            "postcode": self.postcode,
            "city": self.city,
            "region": self.region,
            "country": self.country,
        }


def _primary_index(phones: list[Phone], mobile: bool) -> int | None:
    """Where the primary mobile (or the primary other phone: not a mobile, not a fax) is."""
    for index, phone in enumerate(phones):
        if (phone.type == "mobile") == mobile and phone.type != "fax":
            return index
    return None


class Reachable:
    """`email` and `website` as the first of their lists, for contacts and companies alike."""

    emails: list[Email]
    phones: list[Phone]
    websites: list[str]

    @property
    def email(self) -> str | None:
        """The primary email address: the first of `emails`."""
        return self.emails[0].value if self.emails else None

    @email.setter
    def email(self, value: str | None) -> None:
        # A value already on the list becomes the primary, the old primary staying beside it;
        # a new value replaces the primary (as editing the email always did).
        known = next((e for e in self.emails if e.value == value), None)
        if known is not None:
            self.emails = [known, *(e for e in self.emails if e is not known)]
        elif value is None:
            self.emails = self.emails[1:]
        else:
            kind = self.emails[0].type if self.emails else "work"
            self.emails = [Email(value, kind), *self.emails[1:]]

    @property
    def website(self) -> str | None:
        """The primary website: the first of `websites`."""
        return self.websites[0] if self.websites else None

    @website.setter
    def website(self, value: str | None) -> None:
        rest = [w for w in self.websites[1:] if w != value]
        self.websites = rest if value is None else [value, *rest]

    def primary_phone(self, mobile: bool) -> Phone | None:
        """The primary mobile (or phone: neither mobile nor fax), with its extension."""
        index = _primary_index(self.phones, mobile)
        return None if index is None else self.phones[index]

    def set_phone(self, phone: Phone | None, *, mobile: bool) -> None:
        """Make `phone` the primary mobile (or phone): a number already on the list moves up, the
        old primary staying; a new one replaces the primary; None removes the primary."""
        if not self.phones:  # the common case: the first number
            self.phones = [] if phone is None else [phone]
            return
        index = _primary_index(self.phones, mobile)
        phones = list(self.phones)
        known = (
            None
            if phone is None
            else next((i for i, p in enumerate(phones) if p.value == phone.value), None)
        )
        if phone is not None and known is not None:
            moved = phones.pop(known)
            if (moved.type == "mobile") != mobile or moved.type == "fax":
                moved.type = phone.type  # only as far as it must, to be the primary of its kind
            phones.insert(index if index is not None and index < known else known, moved)
        else:
            if index is not None:
                phones.pop(index)
            if phone is not None:
                phones.insert(index if index is not None else len(phones), phone)
        self.phones = phones

    def phones_json(self) -> list[dict[str, Any]]:
        """Every number as JSON, the primary phone and mobile marked."""
        firsts = {_primary_index(self.phones, False), _primary_index(self.phones, True)}
        return [p.to_json(i in firsts) for i, p in enumerate(self.phones)]

    def emails_json(self) -> list[dict[str, Any]]:
        """Every address as JSON, the first marked primary."""
        return [e.to_json(i == 0) for i, e in enumerate(self.emails)]
