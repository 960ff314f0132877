"""Undoing an import: delete what its batch created, restore what it updated.

Every change of a batch is kept in `import_changes` with its before- and after-image; undo
compares the after-images with the records as they are now and refuses, naming them, when any
changed since (unless forced).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from greentech_cli.db import retried, transaction
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


@dataclass
class UndoPreview:
    """What undoing a batch would do: records removed and restored, by kind, with names."""

    batch_id: int
    file: str
    removed: dict[str, int] = field(default_factory=dict)  # entity → count
    restored: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)  # the first records removed, by name

    @property
    def total(self) -> int:
        """How many records undo would touch."""
        return sum(self.removed.values()) + sum(self.restored.values())

    def describe(self) -> str:
        """One line: "remove 3 contacts (Petra Schäfer, …), restore 1 contact"."""
        parts = []
        if self.removed:
            counts = ", ".join(f"{n} {_plural(kind, n)}" for kind, n in self.removed.items())
            named = f" ({', '.join(self.examples)}{', …' if self.more else ''})"
            parts.append(f"remove {counts}{named if self.examples else ''}")
        if self.restored:
            counts = ", ".join(f"{n} {_plural(kind, n)}" for kind, n in self.restored.items())
            parts.append(f"restore {counts} to their state before the import")
        return "; ".join(parts) or "change nothing (its records are gone already)"

    @property
    def more(self) -> bool:
        """Whether more records are removed than the examples name."""
        return sum(self.removed.values()) > len(self.examples)

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of a preview."""
        return {
            "batch_id": self.batch_id,
            "file": self.file,
            "remove": self.removed,
            "restore": self.restored,
        }


EXAMPLES = 5


def _plural(entity: str, n: int) -> str:
    return {"company": "companies"}.get(entity, f"{entity}s") if n != 1 else entity


def _label(entity: str, image: dict[str, Any] | None) -> str:
    image = image or {}
    if entity == "contact":
        name = " ".join(str(image[k]) for k in ("first_name", "last_name") if image.get(k))
        return name or str(image.get("email") or "")
    return str(image.get("name") or image.get("code") or "")


def _refuse_changed(db: Database, batch_id: int, changes: list[Any], force: bool) -> list[str]:
    """The records changed since the import ("contact 12"); a Conflict naming them unless force."""
    # A record may change twice in a batch (an in-file duplicate): compare with its last image.
    last_after = {(c.entity, c.entity_id): c.after for c in changes}
    conflicts = []
    for (entity, entity_id), after in last_after.items():
        current = batches.image(db, entity, entity_id)
        if current is not None and current != after:
            conflicts.append(f"{entity} {entity_id}")
    if conflicts and not force:
        listed = ", ".join(conflicts[:10])
        more = f" and {len(conflicts) - 10} more" if len(conflicts) > 10 else ""
        raise Conflict(
            f"records changed since import {batch_id}: {listed}{more}; use --force to undo anyway"
        )
    return conflicts


def preview(db: Database, batch_id: int, *, force: bool = False) -> UndoPreview:
    """What `undo` would remove and restore; changes nothing. Refuses an undone batch, and one
    whose records changed since (unless force), as `undo` does."""
    batch = batches.get_batch(db, batch_id)
    if batch.undone_at:
        raise Conflict(f"import batch {batch_id} was already undone on {batch.undone_at}")
    result = UndoPreview(batch_id, batch.file)
    changes = batches.changes(db, batch_id)
    _refuse_changed(db, batch_id, changes, force)
    seen: set[tuple[str, int]] = set()
    for change in changes:
        key = (change.entity, change.entity_id)
        if key in seen or batches.image(db, change.entity, change.entity_id) is None:
            continue
        seen.add(key)
        if change.action == "create":
            result.removed[change.entity] = result.removed.get(change.entity, 0) + 1
            if len(result.examples) < EXAMPLES and (label := _label(change.entity, change.after)):
                result.examples.append(label)
        elif change.before is not None:
            result.restored[change.entity] = result.restored.get(change.entity, 0) + 1
    return result


@retried
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
        result.conflicts = _refuse_changed(db, batch_id, changes, force)
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
