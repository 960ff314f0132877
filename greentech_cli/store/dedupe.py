"""SQL for duplicate detection: the rows the matcher indexes, and pairs marked "not a duplicate"."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from greentech_cli.store.common import fetch_all, now

if TYPE_CHECKING:
    from greentech_cli.db import Database

ENTITIES = ("contact", "company")


def contact_count(db: Database) -> int:
    """How many contacts there are."""
    return int(db.execute("SELECT count(*) FROM contacts").fetchone()[0])


MATCH_COLUMNS = (
    "c.id, c.first_name, c.last_name, c.native_name, c.email, c.phone, c.mobile, co.name, "
    "c.company_id, c.emails, c.phones, c.birthday"
)


def contact_rows(db: Database) -> Iterator[tuple[Any, ...]]:
    """(id, first_name, last_name, native_name, email, phone, mobile, company name, company_id,
    emails JSON, phones JSON, birthday) of every contact, streamed from one query."""
    yield from db.execute(
        f"SELECT {MATCH_COLUMNS} FROM contacts c "
        "LEFT JOIN companies co ON co.id = c.company_id ORDER BY c.id"
    )


def email_users(db: Database, email: str, except_id: int | None = None) -> list[tuple[int, str]]:
    """(id, name) of the contacts holding an email address among their emails (case ignored)."""
    wanted = email.strip().casefold()
    rows = db.execute(
        "SELECT id, trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')), "
        "native_name, emails FROM contacts "
        f"WHERE ({db.dialect.eq_nocase('email', '?')} OR instr(lower(emails), ?) > 0) "
        f"AND id {db.dialect.is_not} ?",
        [email.strip(), wanted, except_id],
    )
    found = []
    for contact_id, name, native, emails in rows:
        listed = {str(e.get("value", "")).casefold() for e in json.loads(emails or "[]")}
        if wanted in listed:
            found.append((int(contact_id), name or native or f"contact {contact_id}"))
    return found


def company_rows(db: Database) -> list[dict[str, Any]]:
    """Every organisation with the columns company dedupe compares."""
    return fetch_all(
        db,
        "SELECT id, name, kind, city, country, vat_id, register_ids, website, name_key "
        "FROM companies ORDER BY id",
    )


def names(db: Database, table: str, ids: list[int]) -> dict[int, str]:
    """Display names of contacts or companies by id (for the pairs shown)."""
    found: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        if table == "contacts":
            sql = (
                "SELECT id, trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')), "
                f"native_name, email FROM contacts WHERE id IN ({marks})"
            )
            for row in db.execute(sql, chunk):
                found[row[0]] = row[1] or row[2] or row[3] or f"contact {row[0]}"
        else:
            sql = f"SELECT id, name FROM companies WHERE id IN ({marks})"
            for row in db.execute(sql, chunk):
                found[row[0]] = row[1]
    return found


def ignored(db: Database, entity: str) -> set[tuple[int, int]]:
    """The pairs (smaller id first) marked "not a duplicate" for contacts or companies."""
    rows = db.execute("SELECT a_id, b_id FROM dedupe_ignores WHERE entity = ?", [entity])
    return {(min(a, b), max(a, b)) for a, b in rows}


def add_ignore(db: Database, entity: str, a_id: int, b_id: int) -> bool:
    """Mark a pair as "not a duplicate" (inside the caller's transaction); False if it was."""
    a_id, b_id = min(a_id, b_id), max(a_id, b_id)
    cursor = db.execute(
        f"{db.dialect.ignore_into} dedupe_ignores (entity, a_id, b_id, created_at) "
        f"VALUES (?, ?, ?, ?){db.dialect.ignore_end}",
        [entity, a_id, b_id, now()],
    )
    return cursor.rowcount > 0


def forget_ignores(db: Database, entity: str, record_id: int) -> None:
    """Drop the ignore marks of a record that no longer exists (after a merge)."""
    db.execute(
        "DELETE FROM dedupe_ignores WHERE entity = ? AND (a_id = ? OR b_id = ?)",
        [entity, record_id, record_id],
    )
