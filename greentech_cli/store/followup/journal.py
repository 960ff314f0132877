"""SQL for the follow-up journal: notes, calls, meetings, leads, agreements and next steps.

Notes written to a contact's or company's `notes` column reach the journal through triggers
(migration m007_followups); the other entries are written here. The full-text index
`journal_fts` is kept in step by triggers too: its `text` column holds the text as written, its
`keys` column the folded search terms that this module computes (as for names).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from greentech_cli.store import audit
from greentech_cli.store.common import fetch_all, fetch_one, not_found, now
from greentech_cli.text.fulltext import search_terms

if TYPE_CHECKING:
    from greentech_cli.db import Database

SELECT = (
    "SELECT j.*, trim(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')) "
    "AS contact_name, c.native_name AS contact_native_name, co.name AS company_name, "
    "d.code AS delegation_code, v.title AS visit_title "
    "FROM journal j LEFT JOIN contacts c ON c.id = j.contact_id "
    "LEFT JOIN companies co ON co.id = j.company_id "
    "LEFT JOIN delegations d ON d.id = j.delegation_id LEFT JOIN visits v ON v.id = j.visit_id"
)


@dataclass
class Entry:
    """One journal entry, linked to a contact and/or a company (and maybe a visit, delegation)."""

    kind: str
    text: str
    at: str
    contact_id: int | None = None
    company_id: int | None = None
    visit_id: int | None = None
    delegation_id: int | None = None
    owner: str | None = None
    due: str | None = None
    status: str = "open"
    contact: str | None = None
    company: str | None = None
    delegation: str | None = None
    visit: str | None = None
    id: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of a journal entry."""
        return {
            "id": self.id,
            "kind": self.kind,
            "text": self.text,
            "at": self.at,
            "contact_id": self.contact_id,
            "contact": self.contact,
            "company_id": self.company_id,
            "company": self.company,
            "visit_id": self.visit_id,
            "visit": self.visit,
            "delegation_id": self.delegation_id,
            "delegation": self.delegation,
            "owner": self.owner,
            "due": self.due,
            "status": self.status,
        }


def _from_row(row: dict[str, Any]) -> Entry:
    return Entry(
        id=row["id"],
        kind=row["kind"],
        text=row["text"],
        at=row["at"],
        contact_id=row["contact_id"],
        company_id=row["company_id"],
        visit_id=row["visit_id"],
        delegation_id=row["delegation_id"],
        owner=row["owner"],
        due=row["due"],
        status=row["status"],
        contact=row["contact_name"] or row["contact_native_name"] or None,
        company=row["company_name"],
        delegation=row["delegation_code"],
        visit=row["visit_title"],
    )


def insert(db: Database, entry: Entry) -> Entry:
    """Append an entry (inside the caller's transaction); the index follows by trigger."""
    stamp = now()
    cursor = db.execute(
        "INSERT INTO journal (contact_id, company_id, visit_id, delegation_id, kind, text, at, "
        "owner, due, status, search_keys, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            entry.contact_id,
            entry.company_id,
            entry.visit_id,
            entry.delegation_id,
            entry.kind,
            entry.text,
            entry.at,
            entry.owner,
            entry.due,
            entry.status,
            " ".join(search_terms(entry.text)),
            stamp,
            stamp,
        ],
    )
    entry.id = int(cursor.lastrowid or 0)
    audit.record(db, "followup", entry.id, "create", {"fields": ["kind", "text"]})
    return entry


def get(db: Database, entry_id: int) -> Entry:
    """The entry with this id, or NotFound."""
    row = fetch_one(db, f"{SELECT} WHERE j.id = ?", [entry_id])
    if row is None:
        raise not_found("follow-up with id", entry_id)
    return _from_row(row)


@dataclass
class Filter:
    """Which entries a list shows; None means any."""

    open_only: bool = False
    due_by: str | None = None  # open entries due on or before this date
    owner: str | None = None
    delegation_id: int | None = None
    contact_id: int | None = None
    company_id: int | None = None
    kind: str | None = None


def select(db: Database, flt: Filter) -> list[Entry]:
    """Entries matching the filter, oldest first (due ones by due date)."""
    where: list[str] = []
    params: list[Any] = []
    if flt.open_only:
        where.append("j.status = 'open'")
    if flt.due_by is not None:
        where.append("j.status = 'open' AND j.due IS NOT NULL AND j.due <= ?")
        params.append(flt.due_by)
    if flt.owner is not None:
        where.append(db.dialect.eq_nocase("j.owner", "?"))
        params.append(flt.owner)
    if flt.delegation_id is not None:
        where.append(
            "(j.delegation_id = ? OR j.visit_id IN (SELECT id FROM visits WHERE delegation_id = ?))"
        )
        params += [flt.delegation_id, flt.delegation_id]
    for column, value in (
        ("contact_id", flt.contact_id),
        ("company_id", flt.company_id),
        ("kind", flt.kind),
    ):
        if value is not None:
            where.append(f"j.{column} = ?")
            params.append(value)
    sql = SELECT + (" WHERE " + " AND ".join(where) if where else "")
    order = "j.due, j.at, j.id" if flt.due_by is not None else "j.at, j.id"
    return [_from_row(r) for r in fetch_all(db, f"{sql} ORDER BY {order}", params)]


def set_status(db: Database, entry_id: int, status: str) -> bool:
    """Mark an entry open or done; False when it already was."""
    entry = get(db, entry_id)
    if entry.status == status:
        return False
    db.execute(
        "UPDATE journal SET status = ?, updated_at = ? WHERE id = ?", [status, now(), entry_id]
    )
    audit.record(db, "followup", entry_id, "update", {"fields": ["status"]})
    return True


def matching_entries(
    db: Database, groups: Sequence[Sequence[str]]
) -> list[tuple[int | None, int | None, str, str]]:
    """Journal entries that match every query word (any of its terms, a group of
    `query_term_groups`, as the start of a word of the text or its folded keys), in no particular
    order: (contact_id, company_id, text, keys) each. SQLite's form is FTS5's MATCH,
    PostgreSQL's a tsquery (`db.dialect`)."""
    d = db.dialect
    rows = db.execute(
        "SELECT j.contact_id, j.company_id, f.text, f.keys FROM journal_fts f "
        f"JOIN journal j ON j.id = f.rowid WHERE {d.fts_match('f', 'journal_fts')}",
        [d.fts_query(groups)],
    )
    return [(r[0], r[1], r[2] or "", r[3] or "") for r in rows]


def move(db: Database, entity: str, keep_id: int, other_id: int) -> int:
    """Give a merged record's journal entries to the record it was merged into."""
    column = {"contact": "contact_id", "company": "company_id"}[entity]
    cursor = db.execute(
        f"UPDATE journal SET {column} = ?, updated_at = ? WHERE {column} = ?",
        [keep_id, now(), other_id],
    )
    return int(cursor.rowcount or 0)


def last_id(db: Database) -> int:
    """The id of the newest journal entry (0 when there is none)."""
    return int(db.execute("SELECT coalesce(max(id), 0) FROM journal").fetchone()[0])


def sign_new_notes(db: Database, after_id: int, owner: str | None = None) -> None:
    """Name the author of the notes the triggers journalled since `after_id`, and index their
    folded search terms (the triggers store the text only)."""
    rows = db.execute(
        "SELECT id, text FROM journal WHERE id > ? AND kind = 'note' AND owner IS NULL",
        [after_id],
    ).fetchall()
    for entry_id, text in rows:
        db.execute(
            "UPDATE journal SET owner = ?, search_keys = ? WHERE id = ?",
            [owner or audit.os_user(), " ".join(search_terms(text)), entry_id],
        )


def refold(db: Database, entry_ids: list[int]) -> None:
    """Fold the search terms of these entries afresh from their text (after it was changed, a
    mention redacted); the full-text index follows by trigger."""
    for entry_id in entry_ids:
        row = db.execute("SELECT text FROM journal WHERE id = ?", [entry_id]).fetchone()
        if row is not None:
            db.execute(
                "UPDATE journal SET search_keys = ? WHERE id = ?",
                [" ".join(search_terms(row[0])), entry_id],
            )
