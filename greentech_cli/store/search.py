"""The full-text index (FTS5) over contacts and companies, kept in step by the store."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from greentech_cli.store.common import fetch_all, fetch_one, loads_list
from greentech_cli.text.fulltext import query_term_groups, search_terms

if TYPE_CHECKING:
    from greentech_cli.db import Database


def _join(*parts: Any) -> str:
    return " ".join(str(p) for p in parts if p)


def _keys(*values: str | None) -> str:
    """Folded spellings of the texts (transliterated, umlauts expanded) for the `keys` column."""
    terms = [term for value in values if value for term in search_terms(value)]
    return " ".join(dict.fromkeys(terms))


@lru_cache(maxsize=1 << 12)
def _terms(value: str) -> tuple[str, ...]:
    """`search_terms`, cached: company names, cities and positions repeat across contacts."""
    return tuple(search_terms(value))


def reindex_contact(db: Database, contact_id: int, *, new: bool = False) -> None:
    """Write a contact's index entry afresh (names, details and folded keys).

    `new` says the contact was just inserted, so there is no old entry to remove.
    """
    row = fetch_one(
        db,
        "SELECT contacts.*, companies.name AS company_name, companies.city AS city "
        "FROM contacts LEFT JOIN companies ON companies.id = contacts.company_id "
        "WHERE contacts.id = ?",
        [contact_id],
    )
    if not new:
        db.execute("DELETE FROM contacts_fts WHERE rowid = ?", [contact_id])
    if row is None:
        return
    index_new_contact(db, row, row["company_name"], row["city"])


def name_part(row: dict[str, Any]) -> tuple[str, list[str]]:
    """The names of a `contacts` row as indexed (its aliases too), and their search terms (no
    database needed)."""
    return names_of(
        row["first_name"], row["last_name"], row["native_name"], loads_list(row["aliases"])
    )


def names_of(
    first_name: str | None, last_name: str | None, native_name: str | None, aliases: list[str]
) -> tuple[str, list[str]]:
    """`name_part` of a contact's names and aliases as they are (not as stored)."""
    names = _join(first_name, last_name, native_name, *aliases)
    return names, search_terms(names) if names else []


def contact_entry(
    row: dict[str, Any], company_name: str | None, city: str | None
) -> tuple[int, str, str, str]:
    """The index entry (rowid, names, details, keys) of a `contacts` row and its company."""
    return entry(
        row["id"], name_part(row), row["email"], row["position"], row["tags"], company_name, city
    )


def entry(
    contact_id: int,
    names: tuple[str, list[str]],
    email: str | None,
    position: str | None,
    tags_json: str,
    company_name: str | None,
    city: str | None,
) -> tuple[int, str, str, str]:
    """A contact's index entry from its `name_part`, the other indexed columns and its company."""
    text, terms = names
    tags = " ".join(loads_list(tags_json)) if tags_json != "[]" else ""
    details = " ".join([part for part in (email, company_name, position, city, tags) if part])
    # Names are mostly unique and come with the row; the rest repeats and is cached.
    terms = list(terms)
    for value in (company_name, position, city, tags):
        if value:
            terms += _terms(value)
    return contact_id, text, details, " ".join(dict.fromkeys(terms))


_INSERT_CONTACT_ENTRY = "INSERT INTO contacts_fts (rowid, names, details, keys) VALUES (?, ?, ?, ?)"


def index_new_contact(
    db: Database, row: dict[str, Any], company_name: str | None, city: str | None
) -> None:
    """Index a contact that has no entry yet, from its row values already in hand.

    The company's name and city are the stored ones of `row["company_id"]` (the caller has them),
    so this gives the very entry `reindex_contact` would, without reading the row back.
    """
    db.execute(_INSERT_CONTACT_ENTRY, contact_entry(row, company_name, city))


def index_new_contacts(db: Database, entries: list[tuple[int, str, str, str]]) -> None:
    """Index many new contacts at once from their `contact_entry` values."""
    db.conn.executemany(_INSERT_CONTACT_ENTRY, entries)


def reindex_contacts_of_company(db: Database, company_id: int) -> None:
    """Refresh the entries of every contact of a company (after a rename or move)."""
    for row in fetch_all(db, "SELECT id FROM contacts WHERE company_id = ?", [company_id]):
        reindex_contact(db, row["id"])


def remove_contact(db: Database, contact_id: int) -> None:
    """Drop a contact's index entry."""
    db.execute("DELETE FROM contacts_fts WHERE rowid = ?", [contact_id])


def index_company(db: Database, company: Any) -> None:
    """Write a company's index entry afresh."""
    db.execute("DELETE FROM companies_fts WHERE rowid = ?", [company.id])
    tags = " ".join(company.tags)
    details = _join(company.city, company.website, tags, " ".join(company.sectors))
    keys = _keys(company.name, company.city, tags)
    db.execute(
        "INSERT INTO companies_fts (rowid, names, details, keys) VALUES (?, ?, ?, ?)",
        [company.id, company.name, details, keys],
    )


def remove_company(db: Database, company_id: int) -> None:
    """Drop a company's index entry."""
    db.execute("DELETE FROM companies_fts WHERE rowid = ?", [company_id])


@dataclass
class Hit:
    """One search result: a contact or a company."""

    type: str
    id: int
    name: str
    company: str | None
    email: str | None
    city: str | None
    rank: float

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of a search result."""
        return {
            "type": self.type,
            "id": self.id,
            "name": self.name,
            "company": self.company,
            "email": self.email,
            "city": self.city,
        }


def search(db: Database, query: str, limit: int | None = None) -> list[Hit]:
    """Contacts and companies matching the query, best first."""
    # Every user word becomes quoted prefix terms: user text never becomes FTS syntax.
    d = db.dialect
    expression = d.fts_query(query_term_groups(query))
    if not expression:
        return []
    limit_sql = f" LIMIT {int(limit)}" if limit is not None else ""
    contacts = fetch_all(
        db,
        "SELECT c.id, c.first_name, c.last_name, c.native_name, c.email, co.name AS company, "
        f"co.city AS city, {d.fts_rank('f')} AS rank FROM contacts_fts f "
        "JOIN contacts c ON c.id = f.rowid LEFT JOIN companies co ON co.id = c.company_id "
        f"WHERE {d.fts_match('f', 'contacts_fts')} ORDER BY rank{limit_sql}",
        [expression],
    )
    companies = fetch_all(
        db,
        f"SELECT co.id, co.name, co.city, {d.fts_rank('f')} AS rank FROM companies_fts f "
        f"JOIN companies co ON co.id = f.rowid WHERE {d.fts_match('f', 'companies_fts')} "
        f"ORDER BY rank{limit_sql}",
        [expression],
    )
    hits = [
        Hit(
            "contact",
            r["id"],
            _join(r["first_name"], r["last_name"]) or r["native_name"] or r["email"] or "",
            r["company"],
            r["email"],
            r["city"],
            r["rank"],
        )
        for r in contacts
    ]
    hits += [
        Hit("company", r["id"], r["name"], None, None, r["city"], r["rank"]) for r in companies
    ]
    hits.sort(key=lambda h: h.rank)
    return hits[:limit] if limit is not None else hits
