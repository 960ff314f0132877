"""Undoing an import: delete what its batch created, restore what it updated.

Every change of a batch is kept in `import_changes` with its before- and after-image; undo
compares the after-images with the records as they are now and refuses, naming them, when any
changed since (unless forced).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from greentech_cli.db import transaction
from greentech_cli.errors import Conflict
from greentech_cli.store import audit
from greentech_cli.store import imports as batches

if TYPE_CHECKING:
    from greentech_cli.db import Database


@dataclass
class UndoResult:
    """What undo did."""

    batch_id: int
    deleted: int = 0
    restored: int = 0
    conflicts: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of an undo."""
        return {"batch_id": self.batch_id, "deleted": self.deleted, "restored": self.restored}


def undo(db: Database, batch_id: int, *, force: bool = False) -> UndoResult:
    """Delete what a batch created and restore what it updated, in one transaction.

    Refuses (naming the records) when any of them changed since the import, unless force.
    """
    result = UndoResult(batch_id)
    with transaction(db):
        batch = batches.get_batch(db, batch_id)
        if batch.undone_at:
            raise Conflict(f"import batch {batch_id} was already undone on {batch.undone_at}")
        changes = batches.changes(db, batch_id)
        # A record may change twice in a batch (an in-file duplicate): compare with its last image.
        last_after = {(c.entity, c.entity_id): c.after for c in changes}
        for (entity, entity_id), after in last_after.items():
            current = batches.image(db, entity, entity_id)
            if current is not None and current != after:
                result.conflicts.append(f"{entity} {entity_id}")
        if result.conflicts and not force:
            listed = ", ".join(result.conflicts[:10])
            more = f" and {len(result.conflicts) - 10} more" if len(result.conflicts) > 10 else ""
            raise Conflict(
                f"records changed since import {batch_id}: {listed}{more}; "
                "use --force to undo anyway"
            )
        for change in reversed(changes):
            current = batches.image(db, change.entity, change.entity_id)
            if current is None:
                continue
            if change.action == "create":
                _delete(db, change.entity, change.entity_id)
                result.deleted += 1
            elif change.before is not None:
                batches.restore(db, change.entity, change.entity_id, change.before)
                _reindex(db, change.entity, change.entity_id)
                result.restored += 1
        batches.mark_undone(db, batch_id)
        audit.record(db, "import_batch", batch_id, "undo", result.to_json())
    return result


def _delete(db: Database, entity: str, entity_id: int) -> None:
    from greentech_cli.store import search

    batches.delete(db, entity, entity_id)
    if entity == "contact":
        search.remove_contact(db, entity_id)
    elif entity == "company":
        search.remove_company(db, entity_id)
        search.reindex_contacts_of_company(db, entity_id)


def _reindex(db: Database, entity: str, entity_id: int) -> None:
    from greentech_cli.store import companies, search

    if entity == "contact":
        search.reindex_contact(db, entity_id)
    elif entity == "company":
        search.index_company(db, companies.get(db, entity_id))
        search.reindex_contacts_of_company(db, entity_id)
