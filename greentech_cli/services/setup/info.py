"""What `greentech info` tells: the schema version and how much the database holds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from greentech_cli.migrations import latest_version, schema_version
from greentech_cli.store.common import count

if TYPE_CHECKING:
    from greentech_cli.db import Database

TABLES = ("companies", "contacts", "delegations", "members", "visits", "import_batches")


def schema(db: Database) -> tuple[int, int]:
    """The database's schema version and the latest this greentech knows."""
    return schema_version(db), latest_version()


def counts(db: Database) -> dict[str, int]:
    """The number of records in each of the main tables."""
    return {table: count(db, table) for table in TABLES}
