"""Preparing import rows: everything about a row that needs no database, row by row.

A record from the source becomes a normalised contact row (or the fields of a Company) with its
warnings, or a reason to reject it. Nothing here reads or writes the database, so the work can run
beside the writer in another process (`services.imports.feed`) and gives the same result there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter
from typing import Any

from greentech_cli.errors import InvalidData
from greentech_cli.importers.values import parse_consent
from greentech_cli.models.records import (
    MEMBER_ROLES,
    MEMBER_STATUSES,
    PRIMARY_KEYS,
    Company,
    Contact,
)
from greentech_cli.services.identity.duplicates import keys_for
from greentech_cli.services.records import companies as company_service
from greentech_cli.services.records import contacts as contact_service
from greentech_cli.store import companies as company_store
from greentech_cli.store import contacts as contact_store
from greentech_cli.store import search
from greentech_cli.text.cleaning import clean_name
from greentech_cli.text.company_names import company_key
from greentech_cli.text.dates import parse_date
from greentech_cli.text.names import name_keys
from greentech_cli.text.vocabulary import choice, normalize_country, normalize_sector

# What a row may set: every stored column except those resolved on their own (the company by
# name, the country with a warning instead of a reject, a company's register ids).
# The primary values (email, phone, mobile) come first: the full lists, when a row has them
# (greentech's own exports), then replace them with every value, its type and extension.
CONTACT_FIELDS = tuple(
    sorted(
        (c for c in contact_store.COLUMNS if c not in ("company_id", "country")),
        key=lambda c: c not in PRIMARY_KEYS,
    )
)
COMPANY_FIELDS = (*(c for c in company_store.COLUMNS if c != "register_ids"), "website")
# Contact rows may carry their company's address under company_* keys.
COMPANY_PREFIXED = ("street", "postcode", "city", "region", "country", "website")
_BLANK: tuple[object, ...] = (None, "", [])
# Where a new contact's values hold its primary email, phone and mobile.
_EMAIL, _PHONE, _MOBILE = (contact_store.VALUE_COLUMNS.index(key) for key in PRIMARY_KEYS)


@dataclass(slots=True)
class Prepared:
    """One source row made ready for the writer.

    `index` counts the rows read (the "row N" of warnings), `number` is the row's place in the
    file. A contact row brings its stored column values (`values`, in the order of
    `contacts.VALUE_COLUMNS`: no id or company yet), its duplicate lookup keys (`keys`, with no
    company yet), its names as the search index holds them with their terms (`names`) and the
    company it names (`company`: cleaned name, company_* fields); an organisation row (`--as
    companies`) brings its normalised `organisation`. A rejected row keeps its original cells and
    record for the rejects file; a usable one drops them (they would only travel between
    processes for nothing).
    """

    index: int
    number: int
    values: tuple[Any, ...] | None = None
    keys: contact_store.Keys | None = None
    names: tuple[str, list[str]] = ("", [])
    company: dict[str, Any] | None = None
    company_text: str | None = None
    organisation: Company | None = None
    role: str | None = None
    status: str | None = None
    member_notes: str | None = None  # a role or status word the vocabulary lacks, as written
    country_filled: bool = False
    warnings: list[str] = field(default_factory=list)
    reject: str | None = None
    cells: list[str] | None = None
    record: dict[str, Any] | None = None

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Pickled as the tuple of its fields, the lookup keys as a plain tuple (a named tuple
        # pickles through copyreg): about a third less work than the default (measured on 50,000
        # rows), paid for each row that crosses between processes or waits in the spill file.
        fields = _FIELD_VALUES(self)
        if fields[_KEYS] is None:
            return Prepared, fields
        return _unpickled, (*fields[:_KEYS], tuple(fields[_KEYS]), *fields[_KEYS + 1 :])

    def contact(self, company_id: int | None = None) -> Contact:
        """The row's contact (its id not yet known), linked to the company it was given."""
        assert self.values is not None
        row = dict(zip(contact_store.VALUE_COLUMNS, self.values, strict=True))
        row.update(
            id=None, company_id=company_id, created_batch_id=None, company_name=self.company_text
        )
        return contact_store.from_row(row)


_FIELDS = tuple(Prepared.__dataclass_fields__)
_FIELD_VALUES = attrgetter(*_FIELDS)
_KEYS = _FIELDS.index("keys")


def _unpickled(*fields: Any) -> Prepared:
    """A Prepared from its pickled fields (`Prepared.__reduce__`): its keys a Keys again."""
    keys = contact_store.Keys._make(fields[_KEYS])
    return Prepared(*fields[:_KEYS], keys, *fields[_KEYS + 1 :])  # type: ignore[call-arg]


def prepare(
    index: int,
    number: int,
    cells: list[str] | None,
    record: dict[str, Any],
    *,
    target: str,
    default_country: str | None,
    members: bool,
    fill_country: str | None = None,
    company_countries: dict[str, str] | None = None,
) -> Prepared:
    """Prepare one row for the target ("contacts" or "companies"); never raises InvalidData.

    `members` says the contacts become delegation members, so role and status columns count;
    `fill_country` (the delegation's origin) is the country of a contact whose row and company
    (in the file, or in the database: `company_countries` by normalised name) give none.
    """
    prepared = Prepared(index, number)
    try:
        if target == "contacts":
            fill = (fill_country, company_countries or {})
            _contact(prepared, record, default_country, members, fill)
        else:
            _company(prepared, record)
    except InvalidData as exc:
        prepared.values = prepared.keys = prepared.company = prepared.organisation = None
        prepared.reject = exc.message
        prepared.cells = cells
        prepared.record = record
    return prepared


def _contact(
    prepared: Prepared,
    record: dict[str, Any],
    default_country: str | None,
    members: bool,
    fill: tuple[str | None, dict[str, str]] = (None, {}),
) -> None:
    fields: dict[str, Any] = {
        k: v for k in _contact_fields(tuple(record)) if (v := record[k]) not in _BLANK
    }
    if record.get("company") and not any(fields.get(k) for k in contact_service.IDENTIFYING_FIELDS):
        # A company card (vCard) or a switchboard row: no person to make a contact of.
        raise InvalidData(
            "only an organisation, no person's name or email (import organisations with "
            "--as companies)"
        )
    for key in ("share_consent", "marketing_consent"):
        if key in fields:
            fields[key] = parse_consent(fields[key])
    if "share_consent_date" in fields:
        fields["share_consent_date"] = _consent_date(prepared, fields)
    contact = Contact()
    # A row with a uid is a record greentech (or an address book) exported: its contact's own
    # country is given there, even when empty, and is not the company's.
    country = record.get("country") or (
        None if record.get("uid") else record.get("company_country")
    )
    fill_country, company_countries = fill
    if not country and fill_country and record.get("company") and not record.get("uid"):
        # A company the database knows comes before the delegation's origin (phones too).
        country = company_countries.get(company_key(str(record["company"])))
    if country:
        try:
            contact.country = normalize_country(str(country))
        except InvalidData as exc:
            prepared.warnings.append(f"{exc.message}; kept as extra value 'Country (as written)'")
            fields["extra"] = {**fields.get("extra", {}), "Country (as written)": str(country)}
    if not country and fill_country and not record.get("uid"):
        # The delegation's origin: after the row's and its company's country, also for phones.
        contact.country = fill_country
        prepared.country_filled = True
    if not record.get("company") and _has_company_address(record):
        # No company to hold the business address and website: they are the person's own.
        _own_business_address(record, fields)
    if "addresses" in fields:
        fields["addresses"] = _addresses(prepared, fields)
    prepared.warnings += contact_service.apply_fields(
        contact, fields, default_country=default_country
    )
    prepared.company = company_fields(record)
    prepared.company_text = str(record.get("company") or "") or None
    # What the writer needs of a new contact, worked out here, where it costs the writer nothing.
    prepared.values = values = contact_store.new_values(contact)
    names = name_keys(contact.first_name, contact.last_name, contact.native_name)
    prepared.keys = keys_for(
        values[_EMAIL],
        values[_PHONE],
        values[_MOBILE],
        names,
        None,
        contact.uid,
        tuple(e.value for e in contact.emails),
    )
    prepared.names = search.names_of(
        contact.first_name, contact.last_name, contact.native_name, contact.aliases
    )
    if members:
        prepared.role = _vocabulary(prepared, record.get("role"), MEMBER_ROLES, "role")
        prepared.status = _vocabulary(prepared, record.get("status"), MEMBER_STATUSES, "status")


@lru_cache(maxsize=1 << 10)
def _contact_fields(keys: tuple[str, ...]) -> tuple[str, ...]:
    """The CONTACT_FIELDS among a record's keys, in that order (cached: the records of a file
    come with a few sets of keys, and a row holds a third of the fields or fewer)."""
    present = set(keys)
    return tuple(key for key in CONTACT_FIELDS if key in present)


def _has_company_address(record: dict[str, Any]) -> bool:
    return any(record.get(f"company_{key}") for key in COMPANY_PREFIXED)


def _own_business_address(record: dict[str, Any], fields: dict[str, Any]) -> None:
    """A row's company_* address without a company: the person's work address and website."""
    address = {
        key: record[f"company_{key}"]
        for key in COMPANY_PREFIXED[:5]
        if record.get(f"company_{key}")
    }
    if address:
        listed = fields.get("addresses")
        fields["addresses"] = [
            *(listed if isinstance(listed, list) else []),
            {"type": "work", **address},
        ]
    website = record.get("company_website")
    if website:
        listed = fields.get("websites")
        fields["websites"] = [*(listed if isinstance(listed, list) else []), website]


def _addresses(prepared: Prepared, fields: dict[str, Any]) -> Any:
    """The row's addresses, each country readable; an unknown one is kept in extra instead."""
    addresses = fields["addresses"]
    if not isinstance(addresses, list):
        return addresses
    kept = []
    for address in addresses:
        country = address.get("country") if isinstance(address, dict) else None
        if country:
            try:
                normalize_country(str(country))
            except InvalidData as exc:
                kind = str(address.get("type") or "address")
                name = f"Country ({kind} address)"
                prepared.warnings.append(f"{exc.message}; kept as extra value {name!r}")
                fields["extra"] = {**fields.get("extra", {}), name: str(country)}
                address = {k: v for k, v in address.items() if k != "country"}
        kept.append(address)
    return kept


@lru_cache(maxsize=1 << 12)
def _company_name(text: str) -> str | None:
    """A company name cleaned (cached: a list names the same companies again and again; a name
    with control characters raises InvalidData every time, as raising is never cached)."""
    return clean_name(text, "company name")


def company_fields(record: dict[str, Any]) -> dict[str, Any] | None:
    """The company a contact row names: its cleaned name and any company_* address fields
    (a name with control characters rejects the row)."""
    name = _company_name(str(record.get("company") or ""))
    if not name:
        return None
    fields: dict[str, Any] = {"name": name}
    for key in COMPANY_PREFIXED:
        value = record.get(f"company_{key}")
        if value not in (None, ""):
            fields[key] = value
    return fields


def _company(prepared: Prepared, record: dict[str, Any]) -> None:
    if not record.get("name") and record.get("company"):
        record = _organisation_of(record)
    fields = {k: record[k] for k in COMPANY_FIELDS if record.get(k) not in _BLANK}
    if not fields.get("name"):
        raise InvalidData("no organisation name")
    prepared.organisation, warnings = normalise_company(fields)
    prepared.warnings += warnings


# What a person's record says that an organisation has no field for: kept in its notes.
_NOTED = (("phone", "Phone"), ("mobile", "Mobile"), ("email", "Email"), ("notes", None))


def _organisation_of(record: dict[str, Any]) -> dict[str, Any]:
    """The organisation of a contact-shaped record (a vCard, a contact list in YAML or JSON):
    its company as the name, the company_* address, its lists of emails and phones (a vCard's)
    as the organisation's, a lone phone, mobile and email kept in the notes."""
    fields: dict[str, Any] = {"name": record["company"]}
    fields.update(company_fields(record) or {})
    lists = {key: record[key] for key in ("emails", "phones") if record.get(key) not in _BLANK}
    fields.update(lists)
    noted = [(key, label) for key, label in _NOTED if not (key == "email" and "emails" in lists)]
    notes = [
        f"{label}: {record[key]}" if label else str(record[key])
        for key, label in noted
        if record.get(key) not in _BLANK
    ]
    if notes:
        fields["notes"] = "\n".join(notes)
    return fields


def normalise_company(fields: dict[str, Any]) -> tuple[Company, list[str]]:
    """A Company from a row's fields, and warnings: an unknown country or sector is kept in the
    notes as written (the rest of the row is good); other bad values raise InvalidData."""
    fields = dict(fields)
    warnings: list[str] = []
    kept: list[str] = []
    if "country" in fields:
        try:
            normalize_country(str(fields["country"]))
        except InvalidData as exc:
            warnings.append(f"{exc.message}; kept in the organisation's notes")
            kept.append(f"Country: {fields.pop('country')}")
    if "sectors" in fields:
        sectors = fields.pop("sectors")
        values = sectors if isinstance(sectors, list) else str(sectors).split(",")
        known = []
        for value in values:
            try:
                known.append(normalize_sector(str(value)))
            except InvalidData as exc:
                warnings.append(f"{exc.message}; kept in the organisation's notes")
                kept.append(f"Sector: {str(value).strip()}")
        fields["sectors"] = known
    if kept:
        fields["notes"] = "\n".join([*([fields["notes"]] if fields.get("notes") else []), *kept])
    company = Company(name="")
    warnings += company_service.apply_fields(company, fields)
    return company, warnings


def _vocabulary(prepared: Prepared, value: Any, allowed: tuple[str, ...], what: str) -> str | None:
    """A member role or status from a column; an unknown word is a warning, not a reject, and
    is kept as written in the member's notes ("Role in the file: Fotograf")."""
    if value in (None, ""):
        return None
    try:
        return choice(str(value).strip().lower(), allowed, what)
    except InvalidData as exc:
        prepared.warnings.append(
            f"{exc.message}; the default is used, the word kept in the member's notes"
        )
        kept = f"{what.capitalize()} in the file: {str(value).strip()}"
        prepared.member_notes = "\n".join(filter(None, (prepared.member_notes, kept)))
        return None


def _consent_date(prepared: Prepared, fields: dict[str, Any]) -> str | None:
    """The consent date as ISO 8601; one that is no date is kept in `extra` as written."""
    value = fields["share_consent_date"]
    try:
        return parse_date(str(value)).isoformat()
    except InvalidData as exc:
        prepared.warnings.append(f"{exc.message}; kept as extra value 'Consent date'")
        fields["extra"] = {**dict(fields.get("extra") or {}), "Consent date": str(value)}
        return None
