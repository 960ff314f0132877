"""The import history: every earlier import, newest first, with what it did."""

from __future__ import annotations

from typing import TYPE_CHECKING

from greentech_cli.store import imports

if TYPE_CHECKING:
    from greentech_cli.db import Database
    from greentech_cli.store.imports import Batch


def batches(db: Database, limit: int | None = None) -> list[Batch]:
    """Every import batch, newest first (at most `limit`)."""
    return imports.batches(db, limit)
