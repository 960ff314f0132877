"""The schema on PostgreSQL: a baseline equal to every SQLite step up to today, then steps.

The baseline (`postgres_tables`) builds in one go what SQLite's steps `BASELINE` build one by one,
and is stamped with their names in the same record (`_sqlite_migrations`, as sqlite-utils keeps
it), so both engines count the same schema version. A step added after the baseline gets a
SQLite form (`migrations.STEPS`) and a PostgreSQL form here (`STEPS`, under the same name);
opening a PostgreSQL database whose step has no PostgreSQL form is refused, not half done.
A step PostgreSQL alone needs (`OWN_STEPS`) is recorded under its own set (`OWN_SET`), so the
schema version both engines count stays the same.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from greentech_cli.errors import GreentechError
from greentech_cli.migrations import DERIVED_VERSIONS, MIGRATION_SET, MIGRATIONS_TABLE, known_names
from greentech_cli.migrations.postgres_tables import ORDER_INDEXES, TABLES
from greentech_cli.migrations.postgres_triggers import FUNCTIONS, TRIGGERS

# The SQLite steps the baseline stands for (all of them when it was written).
BASELINE = (
    "m001_initial",
    "m002_rich_records",
    "m003_audit_without_values",
    "m005_trip",
    "m006_b2b",
    "m007_followups",
    "m008_journal_outlives_companies",
    "m004_merge_images",
    "m008_itineraries",
    "m009_key_upkeep",
    "m010_delegation_retention",
    "m010_b2b_slots",
    "m011_visit_cancellations",
)

# Steps after the baseline: name -> function of the Database (none yet).
STEPS: dict[str, Callable[[Any], None]] = {}
# The record's set of the steps PostgreSQL alone needs.
OWN_SET = "greentech-postgresql"


def p001_ids_from_sequences(db: Any) -> None:
    """New contacts and companies take their ids from the identity sequence (they were counted
    past the highest id and `retired_ids` before): each sequence is moved past both."""
    for table in ("contacts", "companies"):
        row = db.execute(
            f"SELECT greatest(coalesce((SELECT max(id) FROM {table}), 0), "
            "coalesce((SELECT last_id FROM retired_ids WHERE name = ?), 0))",
            [table],
        ).fetchone()
        last = int(row[0])
        sequence = f"pg_get_serial_sequence('{table}', 'id')"
        if last:
            db.execute(f"SELECT setval({sequence}, ?, true)", [last])


def p002_order_indexes_nulls_first(db: Any) -> None:
    """The indexes of the contact and company lists sort NULLs first, as the lists do (they
    sorted NULLs last, so PostgreSQL sorted every row for a list of 50)."""
    for name, create in ORDER_INDEXES.items():
        db.execute(f"DROP INDEX IF EXISTS {name}")
        db.execute(create)


# Steps PostgreSQL alone needs, in order: name -> function of the Database.
OWN_STEPS: dict[str, Callable[[Any], None]] = {
    "p001_ids_from_sequences": p001_ids_from_sequences,
    "p002_order_indexes_nulls_first": p002_order_indexes_nulls_first,
}


def applied_names(db: Any, *, every_set: bool = False) -> list[str]:
    """The steps a database has applied (none for an empty database); PostgreSQL's own steps
    too with `every_set`."""
    if db.execute("SELECT to_regclass(?)", [MIGRATIONS_TABLE]).fetchone()[0] is None:
        return []
    rows = db.execute(
        f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set IN (?, ?) ORDER BY id",
        [MIGRATION_SET, OWN_SET if every_set else MIGRATION_SET],
    ).fetchall()
    return [str(row[0]) for row in rows]


def pending_names(db: Any) -> list[str]:
    """The steps a database still needs: the shared ones, then PostgreSQL's own."""
    applied = set(applied_names(db, every_set=True))
    return [name for name in [*known_names(), *OWN_STEPS] if name not in applied]


def _stamp(db: Any, name: str) -> None:
    kind = OWN_SET if name in OWN_STEPS else MIGRATION_SET
    db.execute(
        f"INSERT INTO {MIGRATIONS_TABLE} (migration_set, name, applied_at) VALUES (?, ?, ?)",
        [kind, name, datetime.now(UTC).isoformat()],
    )


def apply(db: Any) -> None:
    """Apply the pending steps inside the caller's transaction: the baseline on an empty
    database (stamped with every step it stands for), then each later step's PostgreSQL form."""
    pending = pending_names(db)
    if not applied_names(db):
        db.conn.executescript(TABLES)
        db.conn.executescript(FUNCTIONS)
        db.conn.executescript(TRIGGERS)
        for name in [*BASELINE, *OWN_STEPS]:  # a new database's sequences start right
            _stamp(db, name)
        db.conn.executemany(
            "INSERT INTO derived_versions (name, version) VALUES (?, ?)",
            list(DERIVED_VERSIONS.items()),
        )
        pending = [name for name in pending if name not in BASELINE and name not in OWN_STEPS]
    for name in pending:
        step = STEPS.get(name) or OWN_STEPS.get(name)
        if step is None:
            raise GreentechError(
                f"this version of greentech has no PostgreSQL form of the schema step {name}; "
                "nothing was changed"
            )
        step(db)
        _stamp(db, name)
