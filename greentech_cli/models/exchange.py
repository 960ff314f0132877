"""The shape of exported records — the contract `greentech import` reads back.

A **contact record** is a flat mapping, in this key order:

- ``id`` — the contact's id (json and yaml only; vcf writes the contact's ``uid`` as its UID)
- ``salutation, title, first_name, last_name, native_name, position, department``
- ``company_id`` (json and yaml only), ``company`` (the company's name)
- ``email, phone, mobile, country, languages, tags, notes``
- ``share_consent, lawful_basis, share_consent_date, share_consent_source, marketing_consent``
- ``company_street, company_postcode, company_city, company_region, company_country,
  company_website`` — the address of the contact's company (empty without one)
- ``role, status`` — only when exporting a delegation's people: the member's part in it

These are the JSON field names of SPEC §3 (English snake_case). The importer matches a record by
its ``uid`` when it has one (only by it), else by email or name, never by ``id``, so ids are only
a convenience in json/yaml. Values are the stored
ones: names as written, phones in E.164, postcodes as text, dates ISO 8601, consent values
``yes|no|unknown``; an absent value is None (empty in CSV and XLSX).

A **company record** is the company JSON of SPEC §3 plus ``register_ids`` and ``notes``:
``id`` (json/yaml only), ``name, kind, legal_form, sectors, tags, street, postcode, city, region,
country, website, lat, lon, vat_id, register_ids, notes``.

In json and yaml, ``languages``, ``tags`` and ``sectors`` are lists and ``register_ids`` is a
mapping. In the tabular formats (csv, csv-excel, xlsx) the headers are exactly the field names
above, lists are joined as ``"a, b"`` (tags and languages never hold a comma: the importer splits
on it), ``register_ids`` is compact JSON (``{"HRB":"12345"}``, empty when there are none) and
``lat``/``lon`` are decimal numbers.
"""

from __future__ import annotations

from typing import Any

from greentech_cli.models.records import Company, Contact

ID_FIELDS = ("id", "company_id")
# What a spreadsheet runs as a formula at the start of a cell: CSV exports put an apostrophe
# before it (unless --raw), and the import takes that apostrophe off again.
FORMULA_STARTS = frozenset("=+-@\t\r＝＋－＠")

# The export's record: the contact JSON of SPEC §3 (models.Contact.to_json, which contact_record
# uses) followed by the address of the contact's company. Every csv/xlsx header and golden file
# follows this order.
_COMPANY_ADDRESS = ("street", "postcode", "city", "region", "country", "website")
CONTACT_FIELDS = (*Contact().to_json(), *(f"company_{name}" for name in _COMPANY_ADDRESS))
MEMBER_FIELDS = ("role", "status")

# The company JSON of SPEC §3 (models.Company.to_json) is the company's record.
COMPANY_FIELDS = tuple(Company(name="").to_json())

# (record key, company attribute) for the address columns.
_ADDRESS_KEYS = tuple((f"company_{name}", name) for name in _COMPANY_ADDRESS)


def contact_fields(*, ids: bool, member: bool) -> list[str]:
    """The keys of a contact record: with or without ids, with or without member columns."""
    fields = [name for name in CONTACT_FIELDS if ids or name not in ID_FIELDS]
    return fields + list(MEMBER_FIELDS) if member else fields


def company_fields(*, ids: bool) -> list[str]:
    """The keys of a company record, with or without its id."""
    return [name for name in COMPANY_FIELDS if ids or name not in ID_FIELDS]


def contact_record(
    contact: Contact,
    company: Company | None,
    member: tuple[str | None, str | None] | None = None,
) -> dict[str, Any]:
    """A contact as an export record; `member` is (role, status) in the exported delegation."""
    # Its SPEC §3 JSON (lists copied), then the company's address.
    record = contact.to_json()
    if company is not None:
        for key, name in _ADDRESS_KEYS:
            record[key] = getattr(company, name)
    else:
        for key, _ in _ADDRESS_KEYS:
            record[key] = None
    if member is not None:
        record["role"], record["status"] = member
    return record


def company_record(company: Company) -> dict[str, Any]:
    """A company as an export record (its SPEC §3 JSON with register_ids and notes)."""
    return company.to_json()
