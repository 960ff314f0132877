"""SQL for privacy: everything held about one person, and erasing every trace of them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from greentech_cli.db.vacuum import vacuum
from greentech_cli.models.fields import fields_of
from greentech_cli.models.records import PRIMARY_KEYS, Contact
from greentech_cli.store.common import declared_columns, dumps, fetch_all, fetch_one, now
from greentech_cli.text.mentions import ERASED, Mentions

if TYPE_CHECKING:
    from greentech_cli.db import Database

# Keys of a JSON image that hold a person's own data (the personal fields of a Contact, its
# primary values, a company's name, the folded name key); nulled when the image is about them.
PERSONAL_KEYS = frozenset({*fields_of(Contact, personal=True), *PRIMARY_KEYS, "name", "name_key"})


@dataclass(frozen=True)
class ImageTable:
    """A table of JSON images of records (before and after a change, kept so it can be undone).

    A row is the person's own when it is about their contact or one of their memberships; any
    other row that holds one of their values mentions them.
    """

    table: str
    label: str
    images: tuple[str, ...] = ("before", "after")
    entity: str = "entity"
    entity_id: str = "entity_id"


# Every table that keeps images of records. The report lists their rows about the person, erase
# deletes those and masks the person in the rest; a new table of images is one line here.
IMAGE_TABLES: tuple[ImageTable, ...] = (ImageTable("import_changes", "import undo image"),)

# Free-text fields of records (by table), where a person may be mentioned by name, email or
# phone: the report lists such mentions, `erase --redact-mentions` replaces them. `extra` is a
# JSON mapping: its string values are searched.
FREE_TEXT: dict[str, tuple[str, tuple[str, ...]]] = {
    # table: (the record as audit entries and the report name it, its free-text fields)
    "contacts": ("contact", ("notes", "position", "extra")),
    "companies": ("company", ("notes",)),
    "delegations": ("delegation", ("title", "topic", "notes")),
    "members": ("member", ("notes",)),
    "visits": (
        "visit",
        ("title", "location", "notes", "from_place", "to_place", "internal_notes", "translations"),
    ),
    # A removed visit's tombstone keeps its title for calendars (keyed by rowid, see KEYS).
    "visit_tombstones": ("visit tombstone", ("title",)),
    # The follow-up journal keeps every note a contact or company had: a redacted note's
    # earlier versions are there too.
    "journal": ("journal", ("text",)),
}
JSON_TEXT = frozenset({("contacts", "extra"), ("visits", "translations")})
# Tables of FREE_TEXT whose rows are not named by an `id` column, nor stamped by `updated_at`.
KEYS = {"visit_tombstones": "rowid"}
UNSTAMPED = frozenset({"visit_tombstones"})
# Rows that are the person's own (deleted with them), not mentions in someone else's record.
OWN_ROWS = {"contacts": "id", "journal": "contact_id"}


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
        'v.end_local AS end, v.timezone, co.name AS company, v.location, x.part AS "as" FROM ('
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
        "WHERE (entity IN ('contact', 'b2b_participant') AND entity_id = ?) "
        f"OR (entity = 'member' AND entity_id IN ({marks})) ORDER BY id",
        [contact_id, *member_ids],
    )
    for row in rows:
        row["fields"] = _loads(row["fields"])
    return rows


def merge_images(db: Database, contact_id: int) -> list[dict[str, Any]]:
    """The kept images of merges the person took part in (as KEEP or as OTHER), oldest first."""
    rows = fetch_all(
        db,
        "SELECT id, keep_id, other_id, created_at AS merged_at, undone_at, keep_before, "
        "other_before FROM merge_images WHERE entity = 'contact' AND (keep_id = ? OR other_id = ?) "
        "ORDER BY id",
        [contact_id, contact_id],
    )
    for row in rows:
        row["keep_before"] = _loads(row["keep_before"])
        row["other_before"] = _loads(row["other_before"])
    return rows


def delete_merge_images(db: Database, contact_id: int) -> int:
    """Delete the images of merges the person took part in (an unmerge cannot bring them back)."""
    cursor = db.execute(
        "DELETE FROM merge_images WHERE entity = 'contact' AND (keep_id = ? OR other_id = ?)",
        [contact_id, contact_id],
    )
    return int(cursor.rowcount or 0)


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


def _tables(db: Database) -> Iterator[ImageTable]:
    """The image tables this database has (an older file may lack a newer one)."""
    present = set(db.table_names())
    yield from (spec for spec in IMAGE_TABLES if spec.table in present)


def _own(
    db: Database, spec: ImageTable, contact_id: int, member_ids: list[int]
) -> tuple[str, list[Any]]:
    """SQL condition (and parameters) for the image rows about the person or their memberships."""
    marks = ", ".join("?" for _ in member_ids) or "NULL"
    kind, ident = spec.entity, spec.entity_id
    member_images = " OR ".join(db.dialect.json_equals(c, "contact_id") for c in spec.images)
    sql = (
        f"({kind} = 'contact' AND {ident} = ?) OR ({kind} = 'member' AND {ident} IN ({marks})) "
        f"OR ({kind} = 'member' AND ({member_images}))"
    )
    return sql, [contact_id, *member_ids, *([contact_id] * len(spec.images))]


def images(
    db: Database, contact_id: int, member_ids: list[int], scrubber: Scrubber
) -> list[dict[str, Any]]:
    """Every kept image of a record that is about the person (`about`: "them") or holds one of
    their values ("mention"), with the images decoded."""
    found: list[dict[str, Any]] = []
    for spec in _tables(db):
        own, params = _own(db, spec, contact_id, member_ids)
        mention = " OR ".join(f"({scrubber._matching(c)})" for c in spec.images)
        rows = fetch_all(
            db,
            f"SELECT *, ({own}) AS about_them FROM {spec.table} "
            f"WHERE ({own}) OR {mention} ORDER BY id",
            [*params, *params, *(scrubber.strong * len(spec.images))],
        )
        for row in rows:
            about = "them" if row.pop("about_them") else "mention"
            for column in spec.images:
                row[column] = _loads(row[column])
            found.append({"table": spec.table, "kind": spec.label, "about": about, **row})
    return found


def delete_images(db: Database, contact_id: int, member_ids: list[int]) -> int:
    """Delete the kept images of the person and of their memberships, in every image table."""
    deleted = 0
    for spec in _tables(db):
        own, params = _own(db, spec, contact_id, member_ids)
        deleted += int(db.execute(f"DELETE FROM {spec.table} WHERE {own}", params).rowcount or 0)
    return deleted


def delete_audit_entries(db: Database, contact_id: int, member_ids: list[int]) -> int:
    """Delete the person's own audit entries: about them, their memberships, and the history of
    a record merged into them up to that merge (it was the same person under another id).

    Never another person's: ids are never given again (`retired_ids`), and a merged id that
    exists again (the merge was undone) is someone on file now, so its history stays.
    """
    merged = fetch_all(
        db,
        "SELECT a.entity_id AS id, max(a.id) AS upto FROM audit_log a "
        "WHERE a.entity = 'contact' AND a.action = 'merge' "
        f"AND {db.dialect.json_equals('a.fields', 'into')} AND a.entity_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.id = a.entity_id) "
        "GROUP BY a.entity_id",
        [contact_id],
    )
    member_marks = ", ".join("?" for _ in member_ids) or "NULL"
    cursor = db.execute(
        "DELETE FROM audit_log WHERE (entity IN ('contact', 'b2b_participant') AND entity_id = ?) "
        f"OR (entity = 'member' AND entity_id IN ({member_marks}))",
        [contact_id, *member_ids],
    )
    deleted = int(cursor.rowcount or 0)
    for row in merged:
        # Up to the merge and the removal of the merged record that came with it.
        cursor = db.execute(
            "DELETE FROM audit_log WHERE entity = 'contact' AND entity_id = :id AND id <= "
            "coalesce((SELECT min(id) FROM audit_log WHERE entity = 'contact' "
            "AND entity_id = :id AND action = 'delete' AND id > :upto), :upto)",
            {"id": row["id"], "upto": row["upto"]},
        )
        deleted += int(cursor.rowcount or 0)
    return deleted


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
    """Merge every full-text index so no deleted or changed entry's tokens stay in its segments
    (PostgreSQL's are ordinary tables: `compact` vacuums them)."""
    if db.engine != "sqlite":
        return
    for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' "
        "AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%'"
    ).fetchall():
        db.execute(f"INSERT INTO {name} ({name}) VALUES ('optimize')")


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


def scrub_images(db: Database, scrubber: Scrubber) -> int:
    """Mask the person inside images of other records (a merge or a shared row may name them)."""
    if not scrubber.strong:
        return 0
    masked = 0
    for spec in _tables(db):
        where = " OR ".join(f"({scrubber._matching(c)})" for c in spec.images)
        columns = ", ".join(spec.images)
        rows = db.execute(
            f"SELECT id, {columns} FROM {spec.table} WHERE {where}",
            scrubber.strong * len(spec.images),
        ).fetchall()
        sets = ", ".join(f"{c} = ?" for c in spec.images)
        for rowid, *values in rows:
            db.execute(
                f"UPDATE {spec.table} SET {sets} WHERE id = ?",
                [*(scrubber.mask_text(v) for v in values), rowid],
            )
        masked += len(rows)
    return masked


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
    """Make SQLite overwrite deleted content with zeros on this connection (PostgreSQL has no
    such setting: `compact` vacuums the tables, which frees the dead rows' space for reuse)."""
    if db.engine == "sqlite":
        db.execute("PRAGMA secure_delete = ON")


def compact(db: Database, changed: list[str]) -> tuple[bool, list[str]]:
    """Rewrite the file without free pages and empty the WAL: (True when the WAL is now empty, []).

    VACUUM in WAL mode writes the new pages through the WAL, so checkpoint before and after.
    On PostgreSQL (after the commit: VACUUM cannot run in a transaction): VACUUM of the tables
    the erase changed (`changed`, `db.vacuum.changed_tables`) that this role may vacuum, which
    removes the dead rows it left; (True, those it may not: they keep them until an
    administrator vacuums them). The server's WAL archives and replicas keep what they
    received (README).
    """
    if db.engine != "sqlite":
        return True, vacuum(db, changed)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    db.execute("VACUUM")
    busy, _log, _done = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return not busy, []


# --- decisions and mentions ------------------------------------------------------------------


def decisions(db: Database, contact_id: int) -> list[dict[str, Any]]:
    """'Not the same person' decisions that name the person, with the other contact's id."""
    return fetch_all(
        db,
        "SELECT CASE WHEN a_id = ? THEN b_id ELSE a_id END AS other_id, "
        "'not the same person' AS decision, created_at AS decided_at FROM dedupe_ignores "
        "WHERE entity = 'contact' AND (a_id = ? OR b_id = ?) ORDER BY created_at, other_id",
        [contact_id, contact_id, contact_id],
    )


def _free_text(db: Database, finder: Mentions) -> Iterator[tuple[str, int, str, str]]:
    """(table, id, field, stored text) of each free-text field that mentions the person."""
    if finder.pattern is None:
        return
    present_tables = set(db.table_names())
    for table, (_entity, fields) in FREE_TEXT.items():
        if table not in present_tables:
            continue
        have = {name for name, _ in declared_columns(db, table)}
        columns = [c for c in fields if c in have]
        own = OWN_ROWS.get(table)
        where = " OR ".join(f"{c} IS NOT NULL" for c in columns)
        if own is not None:
            where = f"({where}) AND coalesce({own}, 0) != {int(finder.id)}"
        listed = ", ".join(columns)
        key = KEYS.get(table, "id")
        for row_id, *values in db.execute(f"SELECT {key}, {listed} FROM {table} WHERE {where}"):
            for column, text in zip(columns, values, strict=True):
                if isinstance(text, str) and finder.pattern.search(text):
                    yield table, int(row_id), column, text


def mentions(db: Database, finder: Mentions) -> list[dict[str, Any]]:
    """Mentions of the person in other records' free text: record, id, field and excerpts."""
    return [
        {
            "record": FREE_TEXT[table][0],
            "id": row_id,
            "field": column,
            "excerpts": finder.excerpts(text),
        }
        for table, row_id, column, text in _free_text(db, finder)
    ]


def redact_mentions(db: Database, finder: Mentions) -> list[tuple[str, int, str]]:
    """Replace each mention of the person in other records' free text; (record, id, field)."""
    done = []
    for table, row_id, column, text in list(_free_text(db, finder)):
        if (table, column) in JSON_TEXT:
            redacted = dumps(finder.redact(_loads(text)))
        else:
            redacted = finder.redact(text)
        stamp = [] if table in UNSTAMPED else [now()]
        db.execute(
            f"UPDATE {table} SET {column} = ?{', updated_at = ?' if stamp else ''} "
            f"WHERE {KEYS.get(table, 'id')} = ?",
            [redacted, *stamp, row_id],
        )
        done.append((FREE_TEXT[table][0], row_id, column))
    return done
