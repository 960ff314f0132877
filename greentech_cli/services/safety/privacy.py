"""Privacy use cases: report everything held about a person (Art. 15) and erase them (Art. 17)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from greentech_cli.db import backups_dir, database_file, is_url, retried, transaction
from greentech_cli.db.vacuum import changed_tables
from greentech_cli.errors import GreentechError
from greentech_cli.store import audit
from greentech_cli.store import contacts as contact_store
from greentech_cli.store import privacy as store
from greentech_cli.store.b2b import sessions as b2b_store
from greentech_cli.store.common import not_found, now
from greentech_cli.store.followup import journal
from greentech_cli.store.trip import dietary as dietary_store

if TYPE_CHECKING:
    from greentech_cli.db import Database


def report(db: Database, ref: str) -> dict[str, Any]:
    """Everything greentech holds about one person, as one mapping."""
    contact = contact_store.resolve(db, ref)
    contact_id = contact.id or 0
    row = store.contact_row(db, contact_id) or {}
    record = {
        **contact.to_json(),
        "created_at": row.get("created_at"),
        "updated_at": row.get("updated_at"),
    }
    member_ids = store.member_ids(db, contact_id)
    batches = store.import_changes(db, contact_id, member_ids)
    if contact.created_batch_id is not None and not any(
        b["batch_id"] == contact.created_batch_id and b["entity"] == "contact" for b in batches
    ):
        created = store.created_by_batch(db, contact.created_batch_id)
        if created is not None:
            batches.insert(0, {**created, "action": "create"})
    return {
        "generated_at": now(),
        "contact": record,
        "memberships": store.memberships(db, contact_id),
        "dietary": dietary_store.of_contact(db, contact_id),
        "visits": store.visits(db, contact_id),
        # Their own follow-up journal: notes (each earlier text too), calls, leads, next steps.
        "followups": [
            e.to_json() for e in journal.select(db, journal.Filter(contact_id=contact_id))
        ],
        "b2b": b2b_store.held_about(db, contact_id),
        "import_batches": batches,
        "images": store.images(db, contact_id, member_ids, store.Scrubber(row)),
        "decisions": store.decisions(db, contact_id),
        "mentions": store.mentions(db, store.Mentions(row)),
        "audit": store.audit_entries(db, contact_id, member_ids),
        "merges": store.merge_images(db, contact_id),
    }


@dataclass
class Erasure:
    """What an erasure removed, and what may still hold the person outside the database."""

    contact_id: int
    memberships: int = 0
    dietary: int = 0
    visit_links: int = 0
    import_images: int = 0
    masked_images: int = 0
    audit_entries: int = 0
    masked_audit_entries: int = 0
    # Other records' free-text fields that mention the person: (record, id, field).
    mentions: list[tuple[str, int, str]] = field(default_factory=list)
    redacted: bool = False
    compacted: bool = True
    # PostgreSQL: tables this role may not vacuum that keep the erased rows' dead tuples.
    not_vacuumed: list[str] = field(default_factory=list)
    backups: list[Path] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of an erasure summary (no personal values)."""
        return {
            "contact_id": self.contact_id,
            "memberships": self.memberships,
            "dietary": self.dietary,
            "visit_links": self.visit_links,
            "import_images": self.import_images,
            "masked_images": self.masked_images,
            "audit_entries": self.audit_entries,
            "masked_audit_entries": self.masked_audit_entries,
            "mentions": [
                {"record": record, "id": row_id, "field": name}
                for record, row_id, name in self.mentions
            ],
            "mentions_redacted": self.redacted,
            "compacted": self.compacted,
            "not_vacuumed": list(self.not_vacuumed),
            "backups": [str(p) for p in self.backups],
        }


def _older_copies(db: Database) -> list[Path]:
    """Backups and kept files beside the database that may still hold erased people (on
    PostgreSQL the dumps `backup` and `restore` left in the backups folder)."""
    name = database_file(db.conn)
    if not name:
        return _older_dumps(db)
    path = Path(name)
    folder = backups_dir(path)
    found = sorted(folder.glob(f"{path.stem}-*.db")) if folder.is_dir() else []
    found += sorted(path.parent.glob(f"{path.name}.before-restore-*"))
    return found


def _older_dumps(db: Database) -> list[Path]:
    """A database without a file: a PostgreSQL one's dumps in the backups folder (their names
    are the database's, then the time: `backup`'s and the ones `restore` kept)."""
    if not is_url(db.where):
        return []  # a SQLite database in memory
    from greentech_cli.services.safety.dumps import SUFFIX, backups_folder
    from greentech_cli.store.portable.engine import database_name

    folder, stem = backups_folder(db), database_name(db)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{stem}-[0-9]*{SUFFIX}")) + sorted(
        folder.glob(f"{stem}.before-restore-[0-9]*{SUFFIX}")
    )


@retried
def erase(db: Database, contact_id: int, *, redact_mentions: bool = False) -> Erasure:
    """Remove a person and every trace of them, keeping one audit entry without personal data.

    Mentions of them in other records' free text (a note naming them) are listed, and replaced
    by "[erased]" with `redact_mentions` (each redaction is an audit entry naming the field).

    Deleted content is overwritten (secure_delete), the search index is merged so its segments
    drop the person's tokens, and the file is vacuumed and its WAL emptied, so their name, email
    and phone are gone from the bytes of the database file and its WAL.
    """
    store.secure_delete(db)
    with transaction(db):
        row = store.contact_row(db, contact_id)
        if row is None:
            raise not_found("contact with id", contact_id)
        member_ids = store.member_ids(db, contact_id)
        links = store.visit_link_count(db, contact_id)
        result = Erasure(contact_id, memberships=len(member_ids), visit_links=links)
        # Dietary needs go with the memberships (ON DELETE CASCADE); counted for the report.
        result.dietary = len(dietary_store.of_contact(db, contact_id))
        scrubber = store.Scrubber(row)
        finder = store.Mentions(row)
        result.import_images = store.delete_images(db, contact_id, member_ids)
        result.import_images += store.delete_merge_images(db, contact_id)
        result.audit_entries = store.delete_audit_entries(db, contact_id, member_ids)
        store.delete_dedupe_ignores(db, contact_id)
        store.delete_contact(db, contact_id)
        result.masked_images = store.scrub_images(db, scrubber)
        result.masked_audit_entries = store.scrub_audit(db, scrubber)
        if redact_mentions:
            newest = journal.last_id(db)
            result.mentions = store.redact_mentions(db, finder)
            # The journal's folded search terms follow its redacted texts; a redacted note
            # becomes a new entry (its history), signed like any other.
            journal.refold(db, [i for record, i, _ in result.mentions if record == "journal"])
            journal.sign_new_notes(db, newest)
            result.redacted = True
            for record, row_id, name in result.mentions:
                audit.record(db, record, row_id, "redact", {"fields": [name]})
        else:
            result.mentions = [
                (m["record"], m["id"], m["field"]) for m in store.mentions(db, finder)
            ]
        store.purge_search_index(db)
        # The one trace left on purpose: that an erasure happened, when and by whom.
        audit.record(db, "contact", contact_id, "erase", {})
        changed = changed_tables(db)
    try:
        result.compacted, result.not_vacuumed = store.compact(db, changed)
    except sqlite3.Error as exc:  # the erasure itself is committed; say what is left to do
        raise GreentechError(
            f"contact {contact_id} was erased, but the file could not be compacted ({exc}); "
            "free some disk space and run 'greentech doctor --fix' to remove the leftover bytes"
        ) from exc
    except GreentechError as exc:  # PostgreSQL's VACUUM failed: the same, said the same way
        raise GreentechError(f"contact {contact_id} was erased, but {exc}") from exc
    result.backups = _older_copies(db)
    return result
