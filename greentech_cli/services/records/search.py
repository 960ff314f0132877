"""Searching contacts and companies by any word a user remembers, in any script or spelling."""

from __future__ import annotations

from typing import TYPE_CHECKING

from greentech_cli.store import search as store

if TYPE_CHECKING:
    from greentech_cli.db import Database
    from greentech_cli.store.search import Hit


def search(db: Database, query: str, limit: int | None = None) -> list[Hit]:
    """Contacts and companies matching every word of the query, best first."""
    return store.search(db, query, limit)
