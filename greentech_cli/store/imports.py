"""SQL for import batches: the batch record, before/after images of every change, and undo."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from greentech_cli.store.common import (
    declared_columns,
    dumps,
    fetch_all,
    fetch_one,
    insert_row,
    not_found,
    now,
    update_row,
)

if TYPE_CHECKING:
    from greentech_cli.db import Database

# The tables an import may change, and the columns an image keeps (bookkeeping columns excluded).
TABLES = {"contact": "contacts", "company": "companies", "member": "members"}
SKIP_COLUMNS = {"id", "created_at", "updated_at"}


@dataclass
class Batch:
    """One import: where it came from, how it was read and what it did."""

    id: int
    file: str
    content_hash: str
    format: str
    target: str
    encoding: str | None
    delimiter: str | None
    preset: str | None
    delegation_id: int | None
    rows: int
    created: int
    updated: int
    skipped: int
    rejected: int
    created_at: str
    undone_at: str | None

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of a batch in `import history`."""
        return {
            "batch_id": self.id,
            "file": self.file,
            "format": self.format,
            "target": self.target,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "preset": self.preset,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "rejected": self.rejected,
            "imported_at": self.created_at,
            "undone_at": self.undone_at,
        }


def _batch(row: dict[str, Any]) -> Batch:
    fields = {k: row[k] for k in Batch.__dataclass_fields__ if k != "id"}
    return Batch(id=row["id"], **fields)


def create_batch(db: Database, **fields: Any) -> int:
    """Start a batch record (inside the import's transaction); returns its id."""
    fields["mapping"] = dumps(fields.get("mapping") or {})
    fields["created_at"] = now()
    return insert_row(db, "import_batches", fields)


def finish_batch(db: Database, batch_id: int, counts: dict[str, int]) -> None:
    """Store the final counts of a batch."""
    update_row(db, "import_batches", batch_id, dict(counts))


def get_batch(db: Database, batch_id: int) -> Batch:
    """A batch by id, or NotFound."""
    row = fetch_one(db, "SELECT * FROM import_batches WHERE id = ?", [batch_id])
    if row is None:
        raise not_found("import batch", batch_id)
    return _batch(row)


def batches(db: Database, limit: int | None = None) -> list[Batch]:
    """Every batch, newest first."""
    sql = "SELECT * FROM import_batches ORDER BY id DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [_batch(r) for r in fetch_all(db, sql)]


def image(db: Database, entity: str, entity_id: int) -> dict[str, Any] | None:
    """The stored column values of one record (None when it no longer exists)."""
    row = fetch_one(db, f"SELECT * FROM {TABLES[entity]} WHERE id = ?", [entity_id])
    if row is None:
        return None
    return {k: v for k, v in row.items() if k not in SKIP_COLUMNS}


_INSERT_CHANGE = (
    "INSERT INTO import_changes (batch_id, entity, entity_id, action, before, after) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)


def _change_values(
    batch_id: int,
    entity: str,
    entity_id: int,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> tuple[Any, ...]:
    return (
        batch_id,
        entity,
        entity_id,
        action,
        None if before is None else dumps(before),
        None if after is None else dumps(after),
    )


def record_change(
    db: Database,
    batch_id: int,
    entity: str,
    entity_id: int,
    action: str,
    before: dict[str, Any] | None,
) -> None:
    """Keep the before-image (updates) and the after-image (both) of one change."""
    after = image(db, entity, entity_id)
    db.execute(_INSERT_CHANGE, _change_values(batch_id, entity, entity_id, action, before, after))


def record_creates(db: Database, batch_id: int, entity: str, first_id: int, last_id: int) -> None:
    """Record the creation of the batch's records with ids first_id..last_id, in id order.

    SQLite writes the after-images itself (json_object over the stored columns), so the images
    are what `image` reads, at no cost to Python. Flush a ChangeLog before, to keep the order.
    """
    table = TABLES[entity]
    columns = [name for name, _ in declared_columns(db, table) if name not in SKIP_COLUMNS]
    image_sql = ", ".join(f"'{name}', {name}" for name in columns)
    db.execute(
        "INSERT INTO import_changes (batch_id, entity, entity_id, action, before, after) "
        f"SELECT ?, ?, id, 'create', NULL, {db.dialect.json_object}({image_sql}) FROM {table} "
        "WHERE id BETWEEN ? AND ? AND created_batch_id = ? ORDER BY id",
        [batch_id, entity, first_id, last_id, batch_id],
    )


class ChangeLog:
    """The changes of one batch, written in chunks (executemany) inside the import's transaction.

    Nothing reads `import_changes` while its batch is being written, so rows may wait in a short
    buffer; `flush` must run before the transaction ends.
    """

    CHUNK = 500

    def __init__(self, db: Database, batch_id: int) -> None:
        self.db = db
        self.batch_id = batch_id
        self.pending: list[tuple[Any, ...]] = []

    def add(
        self,
        entity: str,
        entity_id: int,
        action: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        """Record one change with its images (after: the stored values after the change)."""
        self.pending.append(_change_values(self.batch_id, entity, entity_id, action, before, after))
        if len(self.pending) >= self.CHUNK:
            self.flush()

    def add_read(
        self, entity: str, entity_id: int, action: str, before: dict[str, Any] | None
    ) -> None:
        """Record one change, reading its after-image from the database."""
        self.add(entity, entity_id, action, before, image(self.db, entity, entity_id))

    def flush(self) -> None:
        """Write the buffered changes."""
        if self.pending:
            self.db.conn.executemany(_INSERT_CHANGE, self.pending)
            self.pending.clear()


@dataclass
class Change:
    """One recorded change of a batch."""

    id: int
    entity: str
    entity_id: int
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def changes(db: Database, batch_id: int) -> list[Change]:
    """The changes of a batch in the order they were made."""
    rows = fetch_all(db, "SELECT * FROM import_changes WHERE batch_id = ? ORDER BY id", [batch_id])
    return [
        Change(
            r["id"],
            r["entity"],
            r["entity_id"],
            r["action"],
            json.loads(r["before"]) if r["before"] else None,
            json.loads(r["after"]) if r["after"] else None,
        )
        for r in rows
    ]


def restore(db: Database, entity: str, entity_id: int, values: dict[str, Any]) -> None:
    """Write a before-image back over a record."""
    update_row(db, TABLES[entity], entity_id, {**values, "updated_at": now()})


def delete(db: Database, entity: str, entity_id: int) -> None:
    """Delete a record an import created."""
    db.execute(f"DELETE FROM {TABLES[entity]} WHERE id = ?", [entity_id])


def mark_undone(db: Database, batch_id: int) -> None:
    """Note that a batch was undone."""
    db.execute("UPDATE import_batches SET undone_at = ? WHERE id = ?", [now(), batch_id])


def find_same_file(db: Database, content_hash: str) -> list[Batch]:
    """Earlier batches of a file with the same content (not undone)."""
    rows = fetch_all(
        db,
        "SELECT * FROM import_batches WHERE content_hash = ? AND undone_at IS NULL ORDER BY id",
        [content_hash],
    )
    return [_batch(r) for r in rows]
