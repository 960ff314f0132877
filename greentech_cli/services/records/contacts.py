"""Use cases for contacts: add, edit and remove, with one place that normalises their values."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from greentech_cli.db import retried, transaction
from greentech_cli.errors import Conflict, InvalidData
from greentech_cli.models.fields import fields_of
from greentech_cli.models.records import LAWFUL_BASES, PRIMARY_KEYS, SHARE_CONSENT, Contact
from greentech_cli.services.records.parts import (
    read_address,
    read_emails,
    read_phone_value,
    read_phones,
    split_items,
)
from greentech_cli.store import companies as company_store
from greentech_cli.store import contacts as store
from greentech_cli.store.followup import journal
from greentech_cli.text.cleaning import clean, clean_list, clean_name
from greentech_cli.text.dates import check_year, parse_date
from greentech_cli.text.emails import normalize_email
from greentech_cli.text.vocabulary import choice, normalize_country

if TYPE_CHECKING:
    from collections.abc import Iterator

    from greentech_cli.db import Database

# The free-text subset of store.contacts.COLUMNS: cleaned as text, with no rule of their own.
TEXT_FIELDS = (
    "salutation",
    "title",
    "first_name",
    "last_name",
    "native_name",
    "position",
    "department",
    "notes",
    "share_consent_source",
)


# What makes a contact somebody: a name in either script, or an email address.
IDENTIFYING_FIELDS = ("first_name", "last_name", "native_name", "email")
# The names among TEXT_FIELDS: kept on one line, control characters refused.
NAME_FIELDS = ("first_name", "last_name", "native_name")
_IDENTIFYING = attrgetter(*IDENTIFYING_FIELDS)


def apply_fields(
    contact: Contact, fields: dict[str, Any], *, default_country: str | None = None
) -> list[str]:
    """Set the given fields on a contact, normalising each; returns warnings (data is kept).

    This is the one normalising path for contacts, used by the commands and by import.
    Keys not given stay as they are; the company is set by id (`company_id`). `email`,
    `phone` and `mobile` set the primary values of the lists; `emails`, `phones`, `addresses`,
    `websites`, `aliases` and `extra` replace theirs.
    """
    warnings: list[str] = []
    if "country" in fields:
        contact.country = normalize_country(fields["country"])
    if "extra" in fields:  # first: a birthday that is no date joins the extra values
        contact.extra = _extra(fields["extra"], warnings)
    region = contact.country or default_country
    # The lists first, then the primaries: `email` given beside `emails` names the primary one.
    primaries: list[tuple[str, Any]] = []
    for key, value in fields.items():
        if key in PRIMARY_KEYS:
            primaries.append((key, value))
            continue
        setter = _SETTERS.get(key)
        if setter is not None:
            setter(contact, key, value, region, warnings)
        elif key not in ("country", "extra"):
            raise InvalidData(f"unknown contact field {key!r}")
    for key, value in primaries:
        if key == "email":
            contact.email = normalize_email(clean_name(value, "email address"))
        else:
            phone = read_phone_value(
                value, "mobile" if key == "mobile" else "work", region, warnings
            )
            contact.set_phone(phone, mobile=key == "mobile")
    if not any(_IDENTIFYING(contact)):
        raise InvalidData("a contact needs a name or an email address")
    return warnings


# How each field but the primaries is set: (contact, key, value, region, warnings).
_Setter = Callable[[Contact, str, Any, "str | None", list[str]], None]


def _set_name(contact: Contact, key: str, value: Any, region: str | None, w: list[str]) -> None:
    setattr(contact, key, clean_name(value, key.replace("_", " ")))


def _set_text(contact: Contact, key: str, value: Any, region: str | None, w: list[str]) -> None:
    setattr(contact, key, clean(None if value is None else str(value)))


def _set_list(contact: Contact, key: str, value: Any, region: str | None, w: list[str]) -> None:
    setattr(contact, key, clean_list(value))


def _set_consent(contact: Contact, key: str, value: Any, region: str | None, w: list[str]) -> None:
    setattr(contact, key, choice(value, SHARE_CONSENT, key.replace("_", " ")) or "unknown")


_SETTERS: dict[str, _Setter] = {
    **{key: _set_name for key in NAME_FIELDS},
    **{key: _set_text for key in TEXT_FIELDS if key not in NAME_FIELDS},
    **{key: _set_list for key in ("languages", "tags", "websites", "aliases")},
    "share_consent": _set_consent,
    "marketing_consent": _set_consent,
    "emails": lambda contact, key, value, region, w: setattr(contact, key, read_emails(value)),
    "phones": lambda contact, key, value, region, w: setattr(
        contact, key, read_phones(value, region, w)
    ),
    "addresses": lambda contact, key, value, region, w: setattr(
        contact, key, [read_address(item) for item in split_items(value)]
    ),
    "birthday": lambda contact, key, value, region, w: setattr(
        contact, key, _birthday(contact, value, w)
    ),
    "uid": _set_text,
    "lawful_basis": lambda contact, key, value, region, w: setattr(
        contact, key, choice(value, LAWFUL_BASES, "lawful basis")
    ),
    "share_consent_date": lambda contact, key, value, region, w: setattr(
        contact, key, parse_date(value).isoformat() if value else None
    ),
    "company_id": lambda contact, key, value, region, w: setattr(contact, key, value),
}


def _birthday(contact: Contact, value: Any, warnings: list[str]) -> str | None:
    """A birthday as ISO 8601; one that is no date is kept in `extra` with a warning."""
    text = clean(None if value is None else str(value))
    if text is None:
        return None
    if re.fullmatch(r"--\d{2}-\d{2}", text):
        return text  # a day without the year, as vCard writes it
    try:
        day = parse_date(text)
        check_year(day, "birthday")  # year 0001 or 9999 is a typing mistake, not a birthday
        return day.isoformat()
    except InvalidData:
        contact.extra = {**contact.extra, "Birthday": text}
        warnings.append(f"birthday {text!r} is no date; kept as extra value 'Birthday'")
        return None


def _extra(value: Any, warnings: list[str]) -> dict[str, str]:
    """Named values; a name that is also a field's gets " (extra)" so neither is lost."""
    extra: dict[str, str] = {}
    for name, text in dict(value or {}).items():
        kept = clean(None if text is None else str(text))
        if kept is None:
            continue
        key, warning = _extra_name(str(name))
        if warning is not None:
            warnings.append(warning)
        extra[key] = kept
    return extra


@lru_cache(maxsize=1 << 10)
def _extra_name(name: str) -> tuple[str, str | None]:
    """The key an extra value is kept under, and the warning when it is a field's name (decided
    once per name: an import's extra values are its columns, the same on every row)."""
    key = clean(name) or ""
    if key.casefold() in _FIELD_NAMES:
        return (
            f"{key} (extra)",
            f"extra value {key!r} has the name of a field; kept as {key} (extra)",
        )
    return key, None


_FIELD_NAMES = frozenset(name.casefold() for name in (*fields_of(Contact, None), *PRIMARY_KEYS))


def _company_id(db: Database, ref: str | None) -> int | None:
    if ref is None or not str(ref).strip():
        return None
    return company_store.resolve(db, ref).id


def _email_in_use(db: Database, contact: Contact) -> None:
    """Refuse an email another contact already has (`--force` adds it anyway: shared office
    addresses such as info@ exist), naming that contact in one line."""
    from greentech_cli.store.dedupe import email_users

    for email in contact.emails:
        users = email_users(db, email.value, contact.id)
        if users:
            other_id, name = users[0]
            more = f" (and {len(users) - 1} more)" if len(users) > 1 else ""
            raise Conflict(
                f"{email.value} is already the email of contact {other_id}, {name}{more}; "
                "--force uses it anyway"
            )


@retried
def add(
    db: Database, fields: dict[str, Any], company: str | None = None, *, force: bool = False
) -> tuple[Contact, list[str]]:
    """Create a contact; `company` is a company reference (id or exact name). An email another
    contact has is refused unless `force`."""
    from greentech_cli.services.identity.duplicates import DuplicateFinder

    contact = Contact()
    with transaction(db):
        fields = {**fields, "company_id": _company_id(db, company)}
        warnings = apply_fields(contact, fields)
        if not force:
            _email_in_use(db, contact)
        decision = DuplicateFinder(db, "contacts").decide(contact)
        mark = journal.last_id(db)
        store.insert(db, contact)
        journal.sign_new_notes(db, mark)  # a note also goes to the journal, signed
    # Added as asked; the officer decides whether it is one person (merge) or two.
    if decision.same is not None:
        warnings.append(
            f"contact {decision.same} is probably the same person; added anyway "
            f"('greentech contact merge {decision.same} {contact.id}' joins them)"
        )
    for match in decision.possible[:3]:
        warnings.append(
            f"contact {match.contact_id} may be the same person ({', '.join(match.reasons)}; "
            f"score {match.score}): 'greentech contact merge {match.contact_id} {contact.id}' "
            "if they are one"
        )
    return store.get(db, contact.id or 0), warnings


@retried
def edit(
    db: Database,
    ref: str,
    fields: dict[str, Any],
    company: str | None = None,
    *,
    force: bool = False,
) -> tuple[Contact, dict[str, list[Any]], list[str]]:
    """Change the given fields of a contact; `company=""` removes the company link. A new email
    another contact has is refused unless `force`."""
    with transaction(db):
        contact = store.resolve(db, ref)
        if company is not None:
            fields = {**fields, "company_id": _company_id(db, company)}
        had = {e.value.casefold() for e in contact.emails}
        warnings = apply_fields(contact, fields)
        if not force and any(e.value.casefold() not in had for e in contact.emails):
            _email_in_use(db, contact)
        mark = journal.last_id(db)
        changes = store.update(db, contact)
        journal.sign_new_notes(db, mark)  # a changed note is appended to the journal, signed
    return store.get(db, contact.id or 0), changes, warnings


@retried
def remove(db: Database, ref: str) -> Contact:
    """Delete a contact with its memberships and visit links."""
    with transaction(db):
        contact = store.resolve(db, ref)
        store.delete(db, contact.id or 0)
    return contact


def find(
    db: Database,
    *,
    company: str | None = None,
    country: str | None = None,
    tag: str | None = None,
    delegation: str | None = None,
    batch: int | None = None,
    limit: int | None = None,
) -> list[Contact]:
    """People matching every filter given: a company or delegation by reference, an import by id."""
    return list(
        iterate(
            db,
            company=(company,) if company else (),
            country=(country,) if country else (),
            tag=(tag,) if tag else (),
            delegation=delegation,
            batch=batch,
            limit=limit,
        )
    )


def iterate(
    db: Database,
    *,
    company: tuple[str, ...] = (),
    country: tuple[str, ...] = (),
    tag: tuple[str, ...] = (),
    delegation: str | None = None,
    batch: int | None = None,
    limit: int | None = None,
) -> Iterator[Contact]:
    """People matching every filter given, streamed (a long list needs no more memory than a
    short one). A repeated filter matches any of its values: two companies, two tags."""
    from greentech_cli.store import delegations, imports

    countries = tuple(dict.fromkeys(c for c in map(normalize_country, country) if c))
    tags = tuple(dict.fromkeys(t for t in map(clean, tag) if t))
    flt = store.ContactFilter(
        company_id=tuple(company_store.resolve(db, ref).id or 0 for ref in company),
        country=countries,
        tag=tags,
        delegation_id=delegations.resolve(db, delegation).id if delegation else None,
        import_batch=imports.get_batch(db, batch).id if batch is not None else None,
    )
    return store.iterate(db, flt, limit)


def resolve(db: Database, ref: str) -> Contact:
    """The contact with this id or email, or NotFound."""
    return store.resolve(db, ref)
