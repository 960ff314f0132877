"""SQL for companies: read, resolve references, insert, update, delete, list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from greentech_cli.errors import Conflict
from greentech_cli.models.fields import Email, Phone
from greentech_cli.models.records import COMPANY_COLUMNS, Company
from greentech_cli.store import audit, search
from greentech_cli.store.common import (
    as_id,
    decode_row,
    encode,
    fetch_all,
    fetch_one,
    given,
    insert_row,
    new_id,
    new_uid,
    not_found,
    now,
    one_of,
    update_row,
)

if TYPE_CHECKING:
    from greentech_cli.db import Database

# The stored fields (models.records.COMPANY_COLUMNS: every field of a Company but its id), then
# the primary website in its own column.
COLUMNS = COMPANY_COLUMNS
_ITEMS: dict[str, type] = {"emails": Email, "phones": Phone}
_JSON_LISTS = ("sectors", "tags", "websites")


def from_row(row: dict[str, Any]) -> Company:
    """A Company from a `companies` row."""
    values = decode_row(row, COLUMNS, _ITEMS, _JSON_LISTS, ("register_ids",))
    return Company(**values, id=row["id"])


def to_row(company: Company) -> dict[str, Any]:
    """The column values of a Company (JSON columns encoded, the primary website derived)."""
    from greentech_cli.text.company_names import company_key

    row = {name: encode(getattr(company, name)) for name in COLUMNS}
    row["website"] = company.website
    row["name_key"] = company_key(company.name)
    return row


def get(db: Database, company_id: int) -> Company:
    """The company with this id, or NotFound."""
    row = fetch_one(db, "SELECT * FROM companies WHERE id = ?", [company_id])
    if row is None:
        raise not_found("company with id", company_id)
    return from_row(row)


def name_city(db: Database, company_id: int) -> tuple[str | None, str | None]:
    """The stored name and city of a company ((None, None) when there is no such company)."""
    found = db.execute("SELECT name, city FROM companies WHERE id = ?", [company_id]).fetchone()
    return (found[0], found[1]) if found else (None, None)


def find_by_name(db: Database, name: str) -> list[Company]:
    """Companies whose name is exactly this, or equal ignoring case."""
    rows = fetch_all(db, "SELECT * FROM companies WHERE name = ?", [name])
    if not rows:
        same = db.dialect.eq_nocase("name", "?")
        rows = fetch_all(db, f"SELECT * FROM companies WHERE {same}", [name])
    return [from_row(r) for r in rows]


def resolve(db: Database, ref: str | int) -> Company:
    """A company by id or exact name; an ambiguous name is a Conflict naming the ids."""
    company_id = as_id(ref)
    if company_id is not None:
        row = fetch_one(db, "SELECT * FROM companies WHERE id = ?", [company_id])
        if row is not None:
            return from_row(row)
    matches = find_by_name(db, str(ref).strip())
    if not matches:
        raise not_found("company", ref)
    if len(matches) > 1:
        ids = ", ".join(str(c.id) for c in matches)
        raise Conflict(f"{len(matches)} companies are called {str(ref)!r} (ids {ids}); use the id")
    return matches[0]


def insert(
    db: Database, company: Company, *, batch_id: int | None = None, audited: bool = True
) -> Company:
    """Store a new company (inside the caller's transaction) and return it with its id."""
    if company.uid is None:
        company.uid = new_uid()
    row = to_row(company)
    stamp = now()
    row.update(
        id=new_id(db, "companies"),
        created_at=stamp,
        updated_at=stamp,
        created_batch_id=batch_id,
    )
    company.id = insert_row(db, "companies", row)
    search.index_company(db, company)
    if audited:
        audit.record(db, "company", company.id, "create")
    return company


def update(db: Database, company: Company, *, audited: bool = True) -> dict[str, list[Any]]:
    """Write a changed company back; returns the changed fields (also written to the audit log)."""
    assert company.id is not None
    before = get(db, company.id)
    changes = audit.changed_fields(before.to_json(), company.to_json())
    if not changes:
        return {}
    update_row(db, "companies", company.id, {**to_row(company), "updated_at": now()})
    search.index_company(db, company)
    if "name" in changes or "city" in changes:
        search.reindex_contacts_of_company(db, company.id)
    if audited:
        audit.record(db, "company", company.id, "update", {"fields": sorted(changes)})
    return changes


def delete(db: Database, company_id: int) -> None:
    """Remove a company; its contacts stay, without a company (ON DELETE SET NULL)."""
    contact_ids = [
        r["id"] for r in fetch_all(db, "SELECT id FROM contacts WHERE company_id = ?", [company_id])
    ]
    db.execute("DELETE FROM companies WHERE id = ?", [company_id])
    search.remove_company(db, company_id)
    for contact_id in contact_ids:
        search.reindex_contact(db, contact_id)
    audit.record(db, "company", company_id, "delete", {})


@dataclass
class CompanyFilter:
    """Filters of `company list`."""

    sector: str | tuple[str, ...] | None = None
    country: str | tuple[str, ...] | None = None
    city: str | None = None
    tag: str | tuple[str, ...] | None = None
    kind: str | None = None


def select(db: Database, flt: CompanyFilter, limit: int | None = None) -> list[Company]:
    """Companies matching the filter, by name."""
    d = db.dialect
    where: list[str] = ["1=1"]
    params: list[Any] = []
    if given(flt.sector):
        test = one_of("value", flt.sector, params)
        where.append(f"EXISTS ({d.json_values('companies.sectors')} WHERE {test})")
    if given(flt.tag):
        test = one_of("value", flt.tag, params, fold=d.fold)
        where.append(f"EXISTS ({d.json_values('companies.tags')} WHERE {test})")
    if given(flt.country):
        where.append(one_of("country", flt.country, params))
    if flt.city:
        where.append(d.eq_nocase("city", "?"))
        params.append(flt.city)
    if flt.kind:
        where.append("kind = ?")
        params.append(flt.kind)
    order = f"{d.order('name', nocase=True)}, id"
    sql = f"SELECT * FROM companies WHERE {' AND '.join(where)} ORDER BY {order}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [from_row(r) for r in fetch_all(db, sql, params)]


def contact_count(db: Database, company_id: int) -> int:
    """How many contacts work for this company."""
    row = db.execute("SELECT count(*) FROM contacts WHERE company_id = ?", [company_id]).fetchone()
    return int(row[0])


def candidates(db: Database, *, name_key: str, vat_id: str | None) -> list[Company]:
    """Companies with the same normalised name or VAT id: where a duplicate would be."""
    # A UNION (not OR) so both lookups use their index.
    rows = fetch_all(
        db,
        "SELECT * FROM companies WHERE id IN (SELECT id FROM companies WHERE name_key = ? "
        "UNION SELECT id FROM companies WHERE vat_id = ?) ORDER BY id",
        [name_key, vat_id],
    )
    return [from_row(r) for r in rows]


def countries_by_name_key(db: Database) -> dict[str, str]:
    """The country of each company by its normalised name, where the name says one country."""
    found: dict[str, str | None] = {}
    rows = db.execute(
        "SELECT name_key, country FROM companies WHERE country IS NOT NULL AND name_key != ''"
    ).fetchall()
    for key, country in rows:
        found[key] = country if found.get(key, country) == country else None
    return {key: country for key, country in found.items() if country}
