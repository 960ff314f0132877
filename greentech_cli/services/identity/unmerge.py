"""Undoing a merge: `greentech contact unmerge ID` and `company unmerge ID`.

A merge (`services.identity.merge`) first keeps both records as they were, and what it moves, in
`merge_images` (`capture_contacts`, `capture_companies`), then notes KEEP as the merge left it.
`unmerge_contact(db, ref)` / `unmerge_company(db, ref)` take the latest merge into that record
that was not undone and write everything back in one transaction: KEEP's row as it was, OTHER
again under its own id, memberships (a joined one parted again), host and attendee links,
attendance, follow-up journal entries, import provenance and "not a duplicate" marks; for an
organisation the contacts, delegations and visits that referred to OTHER. KEEP changed since the
merge (an edit, an import) is refused: writing the old image back would lose that change
silently. (Restoring KEEP's notes journals them once more, as any change of notes does.)

The images hold personal data: `privacy report` lists and `privacy erase` deletes them
(`store.privacy`); the audit log notes the unmerge with ids only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from greentech_cli.db import retried, transaction
from greentech_cli.errors import InvalidData
from greentech_cli.store import audit, search
from greentech_cli.store import companies as company_store
from greentech_cli.store import contacts as contact_store
from greentech_cli.store import merge as store

if TYPE_CHECKING:
    from greentech_cli.db import Database

# Columns that change on every write and so say nothing about an edit since the merge.
_STAMPS = ("updated_at",)


@dataclass
class Unmerged:
    """What an unmerge restored: KEEP and OTHER again."""

    entity: str
    keep_id: int
    other_id: int

    def to_json(self) -> dict[str, Any]:
        """The unmerge as JSON (ids only)."""
        return {"entity": self.entity, "keep": self.keep_id, "other": self.other_id}


def capture_contacts(db: Database, keep_id: int, other_id: int) -> int:
    """Keep both contacts and everything a merge moves, before it moves; the image's id."""
    return _capture(
        db,
        "contact",
        keep_id,
        other_id,
        {
            "keep_members": store.member_rows(db, keep_id),
            "other_members": store.member_rows(db, other_id),
            "keep_visits": store.visit_links(db, keep_id),
            "other_visits": store.visit_links(db, other_id),
            "keep_attendance": store.attendance_rows(db, keep_id),
            "other_attendance": store.attendance_rows(db, other_id),
        },
    )


def capture_companies(db: Database, keep_id: int, other_id: int) -> int:
    """Keep both organisations and the rows that refer to OTHER; the image's id."""
    return _capture(
        db,
        "company",
        keep_id,
        other_id,
        {"other_references": store.company_reference_ids(db, other_id)},
    )


def _capture(db: Database, entity: str, keep_id: int, other_id: int, moved: dict[str, Any]) -> int:
    """Save both records' rows, what the merge of this entity moves (`moved`) and what every
    merge touches: OTHER's import changes, "not the same" decisions and journal entries."""
    return store.save_images(
        db,
        entity,
        keep_id,
        other_id,
        store.row_image(db, entity, keep_id),
        store.row_image(db, entity, other_id),
        {
            **moved,
            "other_changes": store.import_change_ids(db, entity, other_id),
            "other_ignores": store.ignore_rows(db, entity, other_id),
            "other_journal": store.journal_ids(db, entity, other_id),
            "journal_before": store.journal_last_id(db),
        },
    )


def finish(db: Database, image_id: int, entity: str, keep_id: int) -> None:
    """Note KEEP as the merge left it and the journal entries the merge wrote."""
    store.finish_images(
        db, image_id, store.row_image(db, entity, keep_id), store.journal_last_id(db)
    )


def _merge_journal(db: Database, entity: str, keep_id: int, links: dict[str, Any]) -> None:
    """Drop the journal entries the merge wrote for KEEP (its filled notes)."""
    if "journal_before" in links:
        before = int(links["journal_before"])
        store.drop_journal_range(db, entity, keep_id, before, int(links.get("journal_after", 0)))


def _latest(db: Database, entity: str, keep_id: int) -> dict[str, Any]:
    """The latest merge into a record, refused when there is none or KEEP changed since."""
    images = store.last_images(db, entity, keep_id)
    if images is None:
        raise InvalidData(f"{entity} {keep_id} has no merge to undo")
    current = store.row_image(db, entity, keep_id)
    after = images["keep_after"]
    if {k: v for k, v in current.items() if k not in _STAMPS} != {
        k: v for k, v in after.items() if k not in _STAMPS
    }:
        raise InvalidData(
            f"{entity} {keep_id} changed after {images['other_id']} was merged into it; "
            "unmerging would lose that change (edit the records by hand instead)"
        )
    return images


@retried
def unmerge_contact(db: Database, ref: str) -> Unmerged:
    """Part the latest merge into a contact again (see the module docstring)."""
    with transaction(db):
        keep_id = contact_store.resolve(db, ref).id or 0
        images = _latest(db, "contact", keep_id)
        other_id = int(images["other_id"])
        links = images["links"]
        store.put_row(db, "contact", images["other_before"])
        store.put_row(db, "contact", images["keep_before"])
        # Memberships: KEEP's as they were, OTHER's again (moved back or inserted again).
        kept_ids = {m["id"] for m in links["keep_members"]}
        for member in store.member_rows(db, keep_id):
            if member["id"] not in kept_ids:
                store.delete_member(db, member["id"])
        for member in [*links["keep_members"], *links["other_members"]]:
            store.put_member(db, member)
        store.set_visit_links(db, keep_id, links["keep_visits"])
        store.set_visit_links(db, other_id, links["other_visits"])
        _merge_journal(db, "contact", keep_id, links)
        store.give_journal(db, "contact", other_id, links.get("other_journal", []))
        store.set_attendance(db, keep_id, links.get("keep_attendance", []))
        store.set_attendance(db, other_id, links.get("other_attendance", []))
        store.restore_import_changes(db, "contact", other_id, links["other_changes"])
        store.restore_ignores(db, links["other_ignores"])
        store.mark_unmerged(db, images["id"])
        audit.record(db, "contact", keep_id, "unmerge", {"other_id": other_id})
        audit.record(db, "contact", other_id, "unmerge", {"from": keep_id})
        search.reindex_contact(db, keep_id)
        search.reindex_contact(db, other_id)
    return Unmerged("contact", keep_id, other_id)


@retried
def unmerge_company(db: Database, ref: str) -> Unmerged:
    """Part the latest merge into an organisation again (see the module docstring)."""
    with transaction(db):
        keep_id = company_store.resolve(db, ref).id or 0
        images = _latest(db, "company", keep_id)
        other_id = int(images["other_id"])
        links = images["links"]
        store.put_row(db, "company", images["other_before"])
        store.put_row(db, "company", images["keep_before"])
        references = links["other_references"]
        store.restore_company_references(db, references, other_id)
        _merge_journal(db, "company", keep_id, links)
        store.give_journal(db, "company", other_id, links.get("other_journal", []))
        store.restore_import_changes(db, "company", other_id, links["other_changes"])
        store.restore_ignores(db, links["other_ignores"])
        store.mark_unmerged(db, images["id"])
        audit.record(db, "company", keep_id, "unmerge", {"other_id": other_id})
        audit.record(db, "company", other_id, "unmerge", {"from": keep_id})
        search.index_company(db, company_store.get(db, keep_id))
        search.index_company(db, company_store.get(db, other_id))
        for contact_id in references.get("contacts.company_id", []):
            search.reindex_contact(db, contact_id)
    return Unmerged("company", keep_id, other_id)
