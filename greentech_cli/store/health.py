"""SQL for checking a database file: integrity, foreign keys, schema, full-text index."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from greentech_cli.store import companies, search
from greentech_cli.store.common import fetch_all

if TYPE_CHECKING:
    from greentech_cli.db import Database

MIGRATION_SET = "greentech"
# The full-text tables and the table each one indexes (rowid = the record's id).
FTS_TABLES = {"contacts_fts": "contacts", "companies_fts": "companies"}
# Without these a file is not a greentech database, whatever its migrations table says.
CORE_TABLES = ("companies", "contacts", "delegations", "members", "visits", "audit_log")


def integrity_errors(db: Database, limit: int = 20) -> list[str]:
    """What `PRAGMA integrity_check` finds ([] when the file is sound)."""
    rows = db.execute(f"PRAGMA integrity_check({int(limit)})").fetchall()
    return _messages(rows)


def quick_check_errors(db: Database) -> list[str]:
    """What `PRAGMA quick_check` finds: a faster check without index cross-checks."""
    return _messages(db.execute("PRAGMA quick_check(20)").fetchall())


def _messages(rows: list[Any]) -> list[str]:
    """One line per problem (SQLite puts several, and a '*** in database' header, in one row)."""
    lines = [line.strip() for row in rows for line in str(row[0]).splitlines()]
    messages = [line for line in lines if line and not line.startswith("***")]
    return [] if messages == ["ok"] else messages


def foreign_key_problems(db: Database) -> list[dict[str, Any]]:
    """Rows that point at records that do not exist (`PRAGMA foreign_key_check`)."""
    rows = db.execute("PRAGMA foreign_key_check").fetchall()
    return [{"table": r[0], "rowid": r[1], "parent": r[2]} for r in rows]


def table_names(db: Database) -> set[str]:
    """The names of the tables in the file."""
    rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {str(r[0]) for r in rows}


def applied_migrations(db: Database) -> list[str] | None:
    """Names of the greentech migrations applied to the file (None: no migrations table)."""
    if "_sqlite_migrations" not in table_names(db):
        return None
    rows = fetch_all(
        db,
        "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid",
        [MIGRATION_SET],
    )
    return [str(r["name"]) for r in rows]


def fts_problems(db: Database) -> tuple[list[str], str | None]:
    """Differences between each full-text index and its table, and FTS5's own check; with why
    that check could not run now (it is a write: a read-only file, another process writing),
    which is nothing wrong with the index.

    FTS5 rowids are unique, so "exactly one entry per record" is: none missing, none orphaned.
    """
    problems: list[str] = []
    unchecked: str | None = None
    for fts, table in FTS_TABLES.items():
        missing = db.execute(
            f"SELECT count(*) FROM {table} WHERE id NOT IN (SELECT rowid FROM {fts})"
        ).fetchone()[0]
        orphans = db.execute(
            f"SELECT count(*) FROM {fts} WHERE rowid NOT IN (SELECT id FROM {table})"
        ).fetchone()[0]
        if missing:
            problems.append(f"{missing} {table} without an index entry")
        if orphans:
            problems.append(f"{orphans} index entries in {fts} for deleted {table}")
        try:
            unchecked = unchecked or _fts_self_check(db, fts)
        except sqlite3.DatabaseError as exc:
            problems.append(f"{fts}: {exc}")
    return problems, unchecked


def _fts_self_check(db: Database, fts: str) -> str | None:
    """Run FTS5's integrity check without waiting for the write lock; None when it ran, else
    why it could not (a damaged index raises)."""
    waited = db.execute("PRAGMA busy_timeout").fetchone()[0]
    db.execute("PRAGMA busy_timeout = 0")
    try:
        db.execute(f"INSERT INTO {fts} ({fts}, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError as exc:
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code == sqlite3.SQLITE_READONLY:
            return "the file cannot be written (read-only, or its disk is full)"
        if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return "another process is writing"
        raise
    finally:
        db.execute(f"PRAGMA busy_timeout = {int(waited)}")
    return None


def checkpoint(db: Database) -> bool:
    """Copy the WAL into the file and empty it; True when that fully succeeded."""
    row = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return row is None or not row[0]


def vacuum(db: Database) -> None:
    """Rewrite the file compactly (free pages and stale bytes go)."""
    db.execute("VACUUM")


def optimize_fts(db: Database) -> None:
    """Merge the full-text index segments."""
    for fts in FTS_TABLES:
        db.execute(f"INSERT INTO {fts} ({fts}) VALUES ('optimize')")


def rebuild_search_index(db: Database) -> None:
    """Rebuild the whole full-text index from the tables (the doctor's repair)."""
    db.execute("DELETE FROM contacts_fts")
    db.execute("DELETE FROM companies_fts")
    for row in fetch_all(db, "SELECT * FROM companies"):
        search.index_company(db, companies.from_row(row))
    for row in fetch_all(db, "SELECT id FROM contacts"):
        search.reindex_contact(db, row["id"])
