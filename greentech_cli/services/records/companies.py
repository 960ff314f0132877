"""Use cases for companies: add, edit and remove with every value normalised."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from greentech_cli.db import retried, transaction
from greentech_cli.errors import InvalidData
from greentech_cli.models.records import COMPANY_KINDS, Company
from greentech_cli.services.records.parts import read_emails, read_phones
from greentech_cli.store import companies as store
from greentech_cli.store.followup import journal
from greentech_cli.text.cleaning import clean, clean_list, clean_name
from greentech_cli.text.vocabulary import (
    choice,
    normalize_country,
    normalize_sector,
    normalize_sectors,
)

if TYPE_CHECKING:
    from greentech_cli.db import Database

TEXT_FIELDS = ("street", "postcode", "city", "region", "website", "vat_id", "notes", "legal_form")


def _coordinate(value: Any, low: float, high: float, what: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(str(value).replace(",", "."))
    except ValueError:
        raise InvalidData(f"invalid {what} {value!r}: use a decimal number like 51.45") from None
    if not low <= number <= high:
        raise InvalidData(f"invalid {what} {value!r}: it must lie between {low:g} and {high:g}")
    return number


def apply_fields(company: Company, fields: dict[str, Any]) -> list[str]:
    """Set the given fields on a company, normalising each; keys not given stay as they are.

    Returns warnings (a phone number kept as written, say): data is kept.
    """
    warnings: list[str] = []
    if "country" in fields:
        company.country = normalize_country(fields["country"])
    for key, value in fields.items():
        if key == "name":
            name = clean_name(value, "company name")
            if not name:
                raise InvalidData("a company needs a name")
            company.name = name
        elif key == "kind":
            company.kind = choice(value, COMPANY_KINDS, "company kind") or "company"
        elif key == "sectors":
            company.sectors = normalize_sectors(value)
        elif key == "tags":
            company.tags = clean_list(value)
        elif key == "country":
            pass  # set first: phone numbers are read with it
        elif key == "lat":
            company.lat = _coordinate(value, -90, 90, "latitude")
        elif key == "lon":
            company.lon = _coordinate(value, -180, 180, "longitude")
        elif key == "websites":
            company.websites = clean_list(value)
        elif key == "emails":
            company.emails = read_emails(value)
        elif key == "phones":
            company.phones = read_phones(value, company.country, warnings)
        elif key == "uid":
            company.uid = clean(None if value is None else str(value))
        elif key == "register_ids":
            company.register_ids = {str(k): str(v) for k, v in dict(value or {}).items()}
        elif key in TEXT_FIELDS:
            setattr(company, key, clean(None if value is None else str(value)))
        else:
            raise InvalidData(f"unknown company field {key!r}")
    if company.legal_form is None and "legal_form" not in fields and "name" in fields:
        from greentech_cli.text.company_names import legal_form

        company.legal_form = legal_form(company.name)
    return warnings


@retried
def add(db: Database, fields: dict[str, Any]) -> Company:
    """Create a company from the given fields (name required)."""
    company = Company(name="")
    apply_fields(company, {"name": fields.get("name"), **fields})
    with transaction(db):
        mark = journal.last_id(db)
        store.insert(db, company)
        journal.sign_new_notes(db, mark)  # a note also goes to the journal, signed
        return company


@retried
def edit(db: Database, ref: str, fields: dict[str, Any]) -> tuple[Company, dict[str, list[Any]]]:
    """Change the given fields of a company; returns it and what changed."""
    with transaction(db):
        company = store.resolve(db, ref)
        apply_fields(company, fields)
        mark = journal.last_id(db)
        changes = store.update(db, company)
        journal.sign_new_notes(db, mark)  # a changed note is appended to the journal, signed
    return company, changes


@retried
def remove(db: Database, ref: str) -> tuple[Company, int]:
    """Delete a company; its contacts stay without a company. Returns it and their number."""
    with transaction(db):
        company = store.resolve(db, ref)
        assert company.id is not None
        orphans = store.contact_count(db, company.id)
        store.delete(db, company.id)
    return company, orphans


def find(
    db: Database,
    *,
    sector: str | None = None,
    country: str | None = None,
    city: str | None = None,
    tag: str | None = None,
    kind: str | None = None,
    limit: int | None = None,
) -> list[Company]:
    """Companies matching every filter given, each written as an officer would type it."""
    flt = store.CompanyFilter(
        sector=normalize_sector(sector) if sector else None,
        country=normalize_country(country),
        city=clean(city),
        tag=clean(tag),
        kind=choice(kind, COMPANY_KINDS, "company kind"),
    )
    return store.select(db, flt, limit)


def resolve(db: Database, ref: str) -> Company:
    """The company with this id or exact name, or NotFound."""
    return store.resolve(db, ref)


def contact_count(db: Database, company: Company) -> int:
    """How many contacts work for this company."""
    return store.contact_count(db, company.id or 0)
