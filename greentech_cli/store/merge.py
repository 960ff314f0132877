"""SQL for merges: moving memberships, visit links, company references and import provenance;
the before-images of a merge (`merge_images`) and writing them back for unmerge."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from greentech_cli.store.common import dumps, fetch_all, now

if TYPE_CHECKING:
    from greentech_cli.db import Database


def _count(db: Database, sql: str, params: list[Any]) -> int:
    return int(db.execute(sql, params).fetchone()[0])


# --- contacts ------------------------------------------------------------------------------------


def memberships(db: Database, contact_id: int) -> list[dict[str, Any]]:
    """A contact's memberships: id, delegation_id, role, status, notes."""
    return fetch_all(
        db,
        "SELECT id, delegation_id, role, status, notes FROM members WHERE contact_id = ? "
        "ORDER BY delegation_id",
        [contact_id],
    )


def set_member(db: Database, member_id: int, role: str, status: str, notes: str | None) -> None:
    """Write a membership's role, status and notes."""
    db.execute(
        "UPDATE members SET role = ?, status = ?, notes = ?, updated_at = ? WHERE id = ?",
        [role, status, notes, now(), member_id],
    )


def move_member(db: Database, member_id: int, contact_id: int) -> None:
    """Give a membership to another contact."""
    db.execute(
        "UPDATE members SET contact_id = ?, updated_at = ? WHERE id = ?",
        [contact_id, now(), member_id],
    )


def delete_member(db: Database, member_id: int) -> None:
    """Remove one membership row (its visit links were moved before)."""
    db.execute("DELETE FROM members WHERE id = ?", [member_id])


VISIT_LINKS = ("visit_hosts", "visit_attendees")


def move_visit_links(db: Database, keep_id: int, other_id: int) -> dict[str, int]:
    """Move host-contact and attendee links from other to keep (a link keep has stays one)."""
    moved: dict[str, int] = {}
    for table in VISIT_LINKS:
        moved[table] = _count(db, f"SELECT count(*) FROM {table} WHERE contact_id = ?", [other_id])
        db.execute(
            f"{db.dialect.ignore_into} {table} (visit_id, contact_id) "
            f"SELECT visit_id, ? FROM {table} WHERE contact_id = ?{db.dialect.ignore_end}",
            [keep_id, other_id],
        )
        db.execute(f"DELETE FROM {table} WHERE contact_id = ?", [other_id])
    return moved


def contact_links(db: Database, contact_id: int) -> dict[str, int]:
    """How many memberships, visit links and import changes hang on a contact."""
    return {
        "memberships": _count(
            db, "SELECT count(*) FROM members WHERE contact_id = ?", [contact_id]
        ),
        "visit_hosts": _count(
            db, "SELECT count(*) FROM visit_hosts WHERE contact_id = ?", [contact_id]
        ),
        "visit_attendees": _count(
            db, "SELECT count(*) FROM visit_attendees WHERE contact_id = ?", [contact_id]
        ),
        "import_changes": _count(
            db,
            "SELECT count(*) FROM import_changes WHERE entity = 'contact' AND entity_id = ?",
            [contact_id],
        ),
    }


# --- both ----------------------------------------------------------------------------------------


def move_import_changes(db: Database, entity: str, keep_id: int, other_id: int) -> int:
    """Point other's import provenance at keep.

    A moved "create" becomes "merge": undoing that import must not delete the surviving record.
    """
    cursor = db.execute(
        "UPDATE import_changes SET entity_id = ?, "
        "action = CASE action WHEN 'create' THEN 'merge' ELSE action END "
        "WHERE entity = ? AND entity_id = ?",
        [keep_id, entity, other_id],
    )
    return int(cursor.rowcount)


# --- companies -----------------------------------------------------------------------------------

COMPANY_REFERENCES = (
    ("contacts", "contacts", "company_id"),
    ("delegations hosted", "delegations", "host_id"),
    ("delegations partnered", "delegations", "partner_id"),
    ("visits hosted", "visits", "company_id"),
)


def company_links(db: Database, company_id: int) -> dict[str, int]:
    """How many contacts, delegations, visits and import changes refer to an organisation."""
    found = {
        label: _count(db, f"SELECT count(*) FROM {table} WHERE {column} = ?", [company_id])
        for label, table, column in COMPANY_REFERENCES
    }
    found["import_changes"] = _count(
        db,
        "SELECT count(*) FROM import_changes WHERE entity = 'company' AND entity_id = ?",
        [company_id],
    )
    return found


def move_company_references(db: Database, keep_id: int, other_id: int) -> list[int]:
    """Point contacts, delegations and visits at keep; returns the moved contacts' ids."""
    moved = [
        int(r["id"])
        for r in fetch_all(db, "SELECT id FROM contacts WHERE company_id = ?", [other_id])
    ]
    stamp = now()
    for _, table, column in COMPANY_REFERENCES:
        db.execute(
            f"UPDATE {table} SET {column} = ?, updated_at = ? WHERE {column} = ?",
            [keep_id, stamp, other_id],
        )
    return moved


def set_created_batch(db: Database, table: str, record_id: int, batch_id: int) -> None:
    """Note which import created a record (taken over from a merged one)."""
    db.execute(
        f"UPDATE {table} SET created_batch_id = ? WHERE id = ? AND created_batch_id IS NULL",
        [batch_id, record_id],
    )


def created_batch(db: Database, table: str, record_id: int) -> int | None:
    """The import batch that created a record, if any."""
    row = db.execute(f"SELECT created_batch_id FROM {table} WHERE id = ?", [record_id]).fetchone()
    return None if row is None or row[0] is None else int(row[0])


# --- before-images, for unmerge ------------------------------------------------------------------

_TABLES = {"contact": "contacts", "company": "companies"}


def row_image(db: Database, entity: str, record_id: int) -> dict[str, Any]:
    """Every stored column of one contact or company, as it is now."""
    rows = fetch_all(db, f"SELECT * FROM {_TABLES[entity]} WHERE id = ?", [record_id])
    return rows[0] if rows else {}


def member_rows(db: Database, contact_id: int) -> list[dict[str, Any]]:
    """A contact's membership rows, every column."""
    return fetch_all(db, "SELECT * FROM members WHERE contact_id = ? ORDER BY id", [contact_id])


def visit_links(db: Database, contact_id: int) -> dict[str, list[int]]:
    """The visits a contact hosts or attends, per link table."""
    return {
        table: [
            int(r["visit_id"])
            for r in fetch_all(
                db, f"SELECT visit_id FROM {table} WHERE contact_id = ?", [contact_id]
            )
        ]
        for table in VISIT_LINKS
    }


def import_change_ids(db: Database, entity: str, record_id: int) -> list[list[Any]]:
    """[id, action] of the import changes recorded about a record."""
    rows = db.execute(
        "SELECT id, action FROM import_changes WHERE entity = ? AND entity_id = ? ORDER BY id",
        [entity, record_id],
    )
    return [[int(r[0]), r[1]] for r in rows]


def ignore_rows(db: Database, entity: str, record_id: int) -> list[dict[str, Any]]:
    """The "not a duplicate" marks that name a record."""
    return fetch_all(
        db,
        "SELECT entity, a_id, b_id, created_at FROM dedupe_ignores "
        "WHERE entity = ? AND (a_id = ? OR b_id = ?)",
        [entity, record_id, record_id],
    )


def company_reference_ids(db: Database, company_id: int) -> dict[str, list[int]]:
    """Per "table.column", the ids of rows that refer to an organisation."""
    return {
        f"{table}.{column}": [
            int(r["id"])
            for r in fetch_all(db, f"SELECT id FROM {table} WHERE {column} = ?", [company_id])
        ]
        for _, table, column in COMPANY_REFERENCES
    }


def save_images(
    db: Database,
    entity: str,
    keep_id: int,
    other_id: int,
    keep_before: dict[str, Any],
    other_before: dict[str, Any],
    links: dict[str, Any],
) -> int:
    """Keep the before-images of a merge (KEEP's after-image is added by `finish_images`)."""
    cursor = db.execute(
        "INSERT INTO merge_images (entity, keep_id, other_id, keep_before, keep_after, "
        "other_before, links, created_at) VALUES (?, ?, ?, ?, '{}', ?, ?, ?)",
        [entity, keep_id, other_id, dumps(keep_before), dumps(other_before), dumps(links), now()],
    )
    return int(cursor.lastrowid or 0)


def finish_images(
    db: Database, image_id: int, keep_after: dict[str, Any], journal_after: int = 0
) -> None:
    """Note KEEP as the merge left it (unmerge refuses when it changed since) and the last journal
    entry the merge wrote (KEEP's filled notes are journalled)."""
    db.execute(
        "UPDATE merge_images SET keep_after = ?, "
        f"links = {db.dialect.json_set_integer('links', 'journal_after')} WHERE id = ?",
        [dumps(keep_after), journal_after, image_id],
    )


def journal_last_id(db: Database) -> int:
    """The id of the newest journal entry (0 when there is none)."""
    return int(db.execute("SELECT coalesce(max(id), 0) FROM journal").fetchone()[0])


def drop_journal_range(db: Database, entity: str, record_id: int, after: int, upto: int) -> None:
    """Delete the journal entries of a record written by a merge (ids in (after, upto])."""
    column = {"contact": "contact_id", "company": "company_id"}[entity]
    db.execute(
        f"DELETE FROM journal WHERE {column} = ? AND id > ? AND id <= ?", [record_id, after, upto]
    )


def last_images(db: Database, entity: str, keep_id: int) -> dict[str, Any] | None:
    """The latest merge into a record that was not undone, with its images decoded."""
    rows = fetch_all(
        db,
        "SELECT * FROM merge_images WHERE entity = ? AND keep_id = ? AND undone_at IS NULL "
        "ORDER BY id DESC LIMIT 1",
        [entity, keep_id],
    )
    if not rows:
        return None
    row = rows[0]
    for key in ("keep_before", "keep_after", "other_before", "links"):
        row[key] = json.loads(row[key])
    return row


def mark_unmerged(db: Database, image_id: int) -> None:
    """Note that a merge was undone."""
    db.execute("UPDATE merge_images SET undone_at = ? WHERE id = ?", [now(), image_id])


def put_row(db: Database, entity: str, image: dict[str, Any]) -> None:
    """Write a row image back: update the record, or insert it again under its own id."""
    table = _TABLES[entity]
    columns = list(image)
    exists = db.execute(f"SELECT 1 FROM {table} WHERE id = ?", [image["id"]]).fetchone()
    if exists:
        sets = ", ".join(f'"{c}" = ?' for c in columns if c != "id")
        values = [image[c] for c in columns if c != "id"]
        db.execute(f"UPDATE {table} SET {sets} WHERE id = ?", [*values, image["id"]])
    else:
        marks = ", ".join("?" for _ in columns)
        names = ", ".join(f'"{c}"' for c in columns)
        db.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", [image[c] for c in columns])


def put_member(db: Database, row: dict[str, Any]) -> None:
    """Write a membership row back (insert it again when it was removed)."""
    columns = list(row)
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    d = db.dialect
    db.execute(
        f"{d.replace_into} members ({names}) VALUES ({marks}){d.replace_end('id', names)}",
        [row[c] for c in columns],
    )


def set_visit_links(db: Database, contact_id: int, links: dict[str, list[int]]) -> None:
    """Make a contact's host and attendee links exactly these."""
    for table in VISIT_LINKS:
        db.execute(f"DELETE FROM {table} WHERE contact_id = ?", [contact_id])
        db.conn.executemany(
            f"{db.dialect.ignore_into} {table} (visit_id, contact_id) VALUES (?, ?)"
            + db.dialect.ignore_end,
            [(visit_id, contact_id) for visit_id in links.get(table, [])],
        )


def restore_import_changes(db: Database, entity: str, record_id: int, ids: list[list[Any]]) -> None:
    """Point import changes back at a record, with the actions they had."""
    db.conn.executemany(
        "UPDATE import_changes SET entity_id = ?, action = ? WHERE id = ? AND entity = ?",
        [(record_id, action, change_id, entity) for change_id, action in ids],
    )


def restore_ignores(db: Database, rows: list[dict[str, Any]]) -> None:
    """Write "not a duplicate" marks back."""
    db.conn.executemany(
        f"{db.dialect.ignore_into} dedupe_ignores (entity, a_id, b_id, created_at) "
        f"VALUES (?, ?, ?, ?){db.dialect.ignore_end}",
        [(r["entity"], r["a_id"], r["b_id"], r["created_at"]) for r in rows],
    )


def restore_company_references(db: Database, refs: dict[str, list[int]], company_id: int) -> None:
    """Point the rows that referred to an organisation at it again."""
    stamp = now()
    for key, ids in refs.items():
        table, column = key.split(".")
        db.conn.executemany(
            f"UPDATE {table} SET {column} = ?, updated_at = ? WHERE id = ?",
            [(company_id, stamp, row_id) for row_id in ids],
        )


def journal_ids(db: Database, entity: str, record_id: int) -> list[int]:
    """Ids of the follow-up journal entries of a contact or company."""
    column = {"contact": "contact_id", "company": "company_id"}[entity]
    rows = db.execute(f"SELECT id FROM journal WHERE {column} = ?", [record_id])
    return [int(r[0]) for r in rows]


def give_journal(db: Database, entity: str, record_id: int, ids: list[int]) -> None:
    """Give journal entries back to a record."""
    column = {"contact": "contact_id", "company": "company_id"}[entity]
    db.conn.executemany(
        f"UPDATE journal SET {column} = ? WHERE id = ?", [(record_id, i) for i in ids]
    )


def attendance_rows(db: Database, contact_id: int) -> list[dict[str, Any]]:
    """A contact's attendance records, every column."""
    return fetch_all(db, "SELECT * FROM attendance WHERE contact_id = ?", [contact_id])


def set_attendance(db: Database, contact_id: int, rows: list[dict[str, Any]]) -> None:
    """Make a contact's attendance records exactly these."""
    db.execute("DELETE FROM attendance WHERE contact_id = ?", [contact_id])
    for row in rows:
        names = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join("?" for _ in row)
        db.execute(f"INSERT INTO attendance ({names}) VALUES ({marks})", list(row.values()))
