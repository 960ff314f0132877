"""The full-text index (FTS5) over contacts and companies, kept in step by the store.

The index finds (`matching_entries`); `text.fulltext.ranked` orders what it found from the texts
of the entries, the same on every engine; `hits` reads the display columns of the results shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from greentech_cli.store.common import fetch_all, fetch_one, loads_list
from greentech_cli.text.fulltext import Found, literal_terms, search_terms

if TYPE_CHECKING:
    from greentech_cli.db import Database


def _join(*parts: Any) -> str:
    return " ".join(str(p) for p in parts if p)


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
    if email:
        terms += literal_terms(email)
    return contact_id, text, details, " ".join(dict.fromkeys(terms))


_ENTRY_COLUMNS = ("rowid", "names", "details", "keys")
_INSERT_CONTACT_ENTRY = (
    f"INSERT INTO contacts_fts ({', '.join(_ENTRY_COLUMNS)}) VALUES (?, ?, ?, ?)"
)


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
    db.insert_many("contacts_fts", _ENTRY_COLUMNS, entries)


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
    sectors = " ".join(company.sectors)
    details = _join(company.city, company.website, tags, sectors)
    # Folded spellings of the words (transliterated, umlauts expanded); the website as it is.
    values = (company.name, company.city, tags, sectors)
    terms = [term for value in values if value for term in _terms(value)]
    terms += literal_terms(company.website or "")
    keys = " ".join(dict.fromkeys(terms))
    db.execute(
        "INSERT INTO companies_fts (rowid, names, details, keys) VALUES (?, ?, ?, ?)",
        [company.id, company.name, details, keys],
    )


def remove_company(db: Database, company_id: int) -> None:
    """Drop a company's index entry."""
    db.execute("DELETE FROM companies_fts WHERE rowid = ?", [company_id])


@dataclass
class Hit:
    """One search result as shown: a contact or a company."""

    type: str
    id: int
    name: str
    company: str | None
    email: str | None
    city: str | None

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


# The index of each kind of record; its rowid is the record's id.
INDEXES = {"contact": "contacts_fts", "company": "companies_fts"}
_ENTRY = "SELECT rowid, names, details, keys FROM {table}"


def matching_entries(db: Database, kind: str, groups: Sequence[Sequence[str]]) -> list[Found]:
    """The index entries of contacts or companies (`kind`) that match every query word: any of
    its terms (a group of `query_term_groups`) as the start of a word of the entry's names,
    details or keys. Only finds, in no particular order (`fulltext.ranked` orders).

    The one place the search index is asked to find: SQLite's form is FTS5's MATCH,
    PostgreSQL's a tsquery over the entry's words (`db.dialect`).
    """
    table, d = INDEXES[kind], db.dialect
    rows = db.execute(
        f"{_ENTRY.format(table=table)} WHERE {d.fts_match(table, table)}", [d.fts_query(groups)]
    )
    return [Found(kind, rowid, names, details, keys) for rowid, names, details, keys in rows]


def entries_of(db: Database, kind: str, ids: Iterable[int]) -> dict[int, Found]:
    """The index entries of these contacts or companies, by id."""
    table = INDEXES[kind]
    found: dict[int, Found] = {}
    for part in _chunks(sorted(set(ids))):
        rows = db.execute(
            f"{_ENTRY.format(table=table)} WHERE rowid IN ({', '.join('?' * len(part))})", part
        )
        found.update((r[0], Found(kind, r[0], r[1], r[2], r[3])) for r in rows)
    return found


def hits(db: Database, shown: Sequence[Found]) -> list[Hit]:
    """The results as shown, in this order: each found contact's or company's display columns."""
    people: dict[int, Hit] = {}
    for part in _chunks([f.id for f in shown if f.kind == "contact"]):
        for r in fetch_all(
            db,
            "SELECT c.id, c.first_name, c.last_name, c.native_name, c.email, "
            "co.name AS company, co.city AS city FROM contacts c "
            "LEFT JOIN companies co ON co.id = c.company_id "
            f"WHERE c.id IN ({', '.join('?' * len(part))})",
            part,
        ):
            name = _join(r["first_name"], r["last_name"]) or r["native_name"] or r["email"] or ""
            people[r["id"]] = Hit("contact", r["id"], name, r["company"], r["email"], r["city"])
    organisations: dict[int, Hit] = {}
    for part in _chunks([f.id for f in shown if f.kind == "company"]):
        for r in fetch_all(
            db,
            f"SELECT id, name, city FROM companies WHERE id IN ({', '.join('?' * len(part))})",
            part,
        ):
            organisations[r["id"]] = Hit("company", r["id"], r["name"], None, None, r["city"])
    by_kind = {"contact": people, "company": organisations}
    # An entry whose record is gone (an index out of step) is left out, not shown half.
    return [by_kind[f.kind][f.id] for f in shown if f.id in by_kind[f.kind]]


def _chunks(ids: list[int], size: int = 500) -> Iterator[list[int]]:
    """Ids in slices small enough for one statement's parameters."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
