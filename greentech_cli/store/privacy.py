"""SQL for privacy: everything held about one person, and erasing every trace of them."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from greentech_cli.models.fields import fields_of
from greentech_cli.models.records import PRIMARY_KEYS, Contact
from greentech_cli.store.common import dumps, fetch_all, fetch_one

if TYPE_CHECKING:
    from greentech_cli.db import Database

ERASED = "[erased]"
# Keys of a JSON image that hold a person's own data (the personal fields of a Contact, its
# primary values, a company's name, the folded name key); nulled when the image is about them.
PERSONAL_KEYS = frozenset({*fields_of(Contact, personal=True), *PRIMARY_KEYS, "name", "name_key"})


def contact_row(db: Database, contact_id: int) -> dict[str, Any] | None:
    """The stored row of a contact (every column, bookkeeping included)."""
    return fetch_one(db, "SELECT * FROM contacts WHERE id = ?", [contact_id])


def memberships(db: Database, contact_id: int) -> list[dict[str, Any]]:
    """The person's memberships with their delegation's code, title and dates."""
    return fetch_all(
        db,
        "SELECT m.id AS member_id, d.id AS delegation_id, d.code, d.title, d.start_date, "
        "d.end_date, m.role, m.status, m.notes, m.created_at FROM members m "
        "JOIN delegations d ON d.id = m.delegation_id WHERE m.contact_id = ? "
        "ORDER BY d.start_date, d.code",
        [contact_id],
    )


def visits(db: Database, contact_id: int) -> list[dict[str, Any]]:
    """Visits the person hosts or attends.

    `as` is `host`, `attendee` (named on the visit) or `member` (a visit without named
    attendees, which every registered and confirmed member of its delegation attends).
    """
    return fetch_all(
        db,
        "SELECT v.id AS visit_id, d.code AS delegation, v.title, v.kind, v.start_local AS start, "
        "v.end_local AS end, v.timezone, co.name AS company, v.location, x.part AS [as] FROM ("
        "  SELECT visit_id, 'host' AS part FROM visit_hosts WHERE contact_id = ?"
        "  UNION ALL SELECT visit_id, 'attendee' FROM visit_attendees WHERE contact_id = ?"
        "  UNION ALL SELECT v2.id, 'member' FROM visits v2 JOIN members m"
        "    ON m.delegation_id = v2.delegation_id AND m.contact_id = ?"
        "    AND m.status IN ('registered', 'confirmed', 'attended', 'no-show')"
        "    WHERE NOT EXISTS (SELECT 1 FROM visit_attendees a WHERE a.visit_id = v2.id)"
        ") x JOIN visits v ON v.id = x.visit_id JOIN delegations d ON d.id = v.delegation_id "
        "LEFT JOIN companies co ON co.id = v.company_id ORDER BY v.start_local, v.id",
        [contact_id, contact_id, contact_id],
    )


def import_changes(
    db: Database, contact_id: int, member_ids: list[int] | None = None
) -> list[dict[str, Any]]:
    """Import batches that created or changed the person or their memberships, per change."""
    marks = ", ".join("?" for _ in member_ids or []) or "NULL"
    return fetch_all(
        db,
        "SELECT b.id AS batch_id, b.file, b.format, b.created_at AS imported_at, b.undone_at, "
        "c.entity, c.action FROM import_changes c JOIN import_batches b ON b.id = c.batch_id "
        "WHERE (c.entity = 'contact' AND c.entity_id = ?) "
        f"OR (c.entity = 'member' AND c.entity_id IN ({marks})) ORDER BY b.id, c.id",
        [contact_id, *(member_ids or [])],
    )


def created_by_batch(db: Database, batch_id: int) -> dict[str, Any] | None:
    """The batch that created a record (when it is still on file)."""
    return fetch_one(
        db,
        "SELECT id AS batch_id, file, format, created_at AS imported_at, undone_at, "
        "'contact' AS entity FROM import_batches WHERE id = ?",
        [batch_id],
    )


def audit_entries(db: Database, contact_id: int, member_ids: list[int]) -> list[dict[str, Any]]:
    """Audit entries about the person and about their memberships, oldest first."""
    marks = ", ".join("?" for _ in member_ids) or "NULL"
    rows = fetch_all(
        db,
        "SELECT id, at, user, command, entity, entity_id, action, fields FROM audit_log "
        "WHERE (entity = 'contact' AND entity_id = ?) "
        f"OR (entity = 'member' AND entity_id IN ({marks})) ORDER BY id",
        [contact_id, *member_ids],
    )
    for row in rows:
        row["fields"] = _loads(row["fields"])
    return rows


def member_ids(db: Database, contact_id: int) -> list[int]:
    """Ids of the person's memberships."""
    rows = fetch_all(db, "SELECT id FROM members WHERE contact_id = ?", [contact_id])
    return [int(r["id"]) for r in rows]


def visit_link_count(db: Database, contact_id: int) -> int:
    """How many visits name the person as host or attendee."""
    row = db.execute(
        "SELECT (SELECT count(*) FROM visit_hosts WHERE contact_id = ?) + "
        "(SELECT count(*) FROM visit_attendees WHERE contact_id = ?)",
        [contact_id, contact_id],
    ).fetchone()
    return int(row[0])


# --- erasing ---------------------------------------------------------------------------------


def delete_import_images(db: Database, contact_id: int, member_ids: list[int]) -> int:
    """Delete the before/after images of the person and of their memberships."""
    marks = ", ".join("?" for _ in member_ids) or "NULL"
    cursor = db.execute(
        "DELETE FROM import_changes WHERE (entity = 'contact' AND entity_id = ?) "
        f"OR (entity = 'member' AND entity_id IN ({marks})) "
        "OR (entity = 'member' AND (json_valid(before) AND json_extract(before, '$.contact_id') = ?"
        " OR json_valid(after) AND json_extract(after, '$.contact_id') = ?))",
        [contact_id, *member_ids, contact_id, contact_id],
    )
    return int(cursor.rowcount or 0)


def delete_audit_entries(db: Database, contact_id: int, member_ids: list[int]) -> int:
    """Delete the audit entries about the person, their memberships and records merged into them.

    A contact merged into the person was the same person under another id: its history goes too.
    """
    merged = [
        int(r[0])
        for r in db.execute(
            "SELECT entity_id FROM audit_log WHERE entity = 'contact' AND action = 'merge' "
            "AND json_valid(fields) AND json_extract(fields, '$.into') = ?",
            [contact_id],
        ).fetchall()
        if r[0] is not None
    ]
    contact_ids = [contact_id, *merged]
    contact_marks = ", ".join("?" for _ in contact_ids)
    member_marks = ", ".join("?" for _ in member_ids) or "NULL"
    cursor = db.execute(
        f"DELETE FROM audit_log WHERE (entity = 'contact' AND entity_id IN ({contact_marks})) "
        f"OR (entity = 'member' AND entity_id IN ({member_marks}))",
        [*contact_ids, *member_ids],
    )
    return int(cursor.rowcount or 0)


def delete_dedupe_ignores(db: Database, contact_id: int) -> None:
    """Forget 'not a duplicate' decisions that name the person."""
    db.execute(
        "DELETE FROM dedupe_ignores WHERE entity = 'contact' AND (a_id = ? OR b_id = ?)",
        [contact_id, contact_id],
    )


def delete_contact(db: Database, contact_id: int) -> None:
    """Delete the contact row; memberships and visit links go with it (ON DELETE CASCADE)."""
    db.execute("DELETE FROM contacts WHERE id = ?", [contact_id])
    db.execute("DELETE FROM contacts_fts WHERE rowid = ?", [contact_id])


def purge_search_index(db: Database) -> None:
    """Merge the full-text index so no deleted entry's tokens stay in its segments."""
    db.execute("INSERT INTO contacts_fts (contacts_fts) VALUES ('optimize')")
    db.execute("INSERT INTO companies_fts (companies_fts) VALUES ('optimize')")


def _loads(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


class Scrubber:
    """Masks one person's values inside JSON images and audit fields of other records."""

    def __init__(self, contact: dict[str, Any]) -> None:
        full = " ".join(p for p in (contact.get("first_name"), contact.get("last_name")) if p)
        strong = [contact.get(k) for k in ("email", "phone", "mobile", "native_name")] + [full]
        # Distinctive values find the rows that mention the person at all.
        self.strong = sorted({s for s in strong if s and len(s) >= 3}, key=len, reverse=True)
        parts = [contact.get("first_name"), contact.get("last_name")]
        weak = [p for p in parts if p and len(p) >= 3]
        self.needles = sorted({*self.strong, *weak}, key=len, reverse=True)
        self.pattern = (
            re.compile("|".join(re.escape(n) for n in self.needles), re.IGNORECASE)
            if self.needles
            else None
        )
        self.id = contact["id"]
        self.exact = {s.casefold() for s in self.strong}

    def _about_person(self, value: dict[str, Any]) -> bool:
        if value.get("contact_id") == self.id:
            return True
        return any(
            isinstance(value.get(k), str) and value[k].casefold() in self.exact
            for k in ("email", "phone", "mobile", "native_name")
        )

    def mask(self, value: Any) -> Any:
        """The value with the person's data replaced by a marker."""
        if isinstance(value, dict):
            about = self._about_person(value)
            return {
                k: (None if about and k in PERSONAL_KEYS else self.mask(v))
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self.mask(v) for v in value]
        if isinstance(value, str) and self.pattern is not None:
            return self.pattern.sub(ERASED, value)
        return value

    def mask_text(self, text: str | None) -> str | None:
        """A JSON text with the person masked (plain text when it is not JSON)."""
        if text is None:
            return None
        try:
            return dumps(self.mask(json.loads(text)))
        except ValueError:
            return str(self.mask(text))

    def _matching(self, column: str) -> str:
        tests = " OR ".join(f"instr({column}, ?) > 0" for _ in self.strong)
        return tests or "0"


def scrub_import_images(db: Database, scrubber: Scrubber) -> int:
    """Mask the person inside images of other records (a merge or a shared row may name them)."""
    if not scrubber.strong:
        return 0
    where = f"({scrubber._matching('before')}) OR ({scrubber._matching('after')})"
    rows = fetch_all(
        db,
        f"SELECT id, before, after FROM import_changes WHERE {where}",
        [*scrubber.strong, *scrubber.strong],
    )
    for row in rows:
        db.execute(
            "UPDATE import_changes SET before = ?, after = ? WHERE id = ?",
            [scrubber.mask_text(row["before"]), scrubber.mask_text(row["after"]), row["id"]],
        )
    return len(rows)


def scrub_audit(db: Database, scrubber: Scrubber) -> int:
    """Mask the person inside the fields of other audit entries."""
    if not scrubber.strong:
        return 0
    rows = fetch_all(
        db,
        f"SELECT id, fields FROM audit_log WHERE {scrubber._matching('fields')}",
        scrubber.strong,
    )
    for row in rows:
        db.execute(
            "UPDATE audit_log SET fields = ? WHERE id = ?",
            [scrubber.mask_text(row["fields"]) or "{}", row["id"]],
        )
    return len(rows)


def secure_delete(db: Database) -> None:
    """Make SQLite overwrite deleted content with zeros on this connection."""
    db.execute("PRAGMA secure_delete = ON")


def compact(db: Database) -> bool:
    """Rewrite the file without free pages and empty the WAL; True when the WAL is now empty.

    VACUUM in WAL mode writes the new pages through the WAL, so checkpoint before and after.
    """
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    db.execute("VACUUM")
    busy, _log, _done = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return not busy
