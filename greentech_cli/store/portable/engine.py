"""What moving data needs to know about one storage engine (SQLite here), in one place.

Everything else in `store.portable` is plain SQL that PostgreSQL reads too (`?` placeholders,
double-quoted names, `ORDER BY … NULLS FIRST`). The PostgreSQL seam replaces these functions
(by dispatching on the database's engine) and nothing else:

- `data_tables`: which tables hold data, with their columns, primary keys and parents (here:
  `sqlite_master` and PRAGMAs; not `sqlite_*`, not the schema record, not the full-text tables
  and the shadow tables FTS5 keeps beside them: `is_search_index`);
- `order_by`: a table's rows by primary key in an order every engine agrees on (text by code
  point, as SQLite's BINARY collation and PostgreSQL's `COLLATE "C"` sort UTF-8);
- `snapshot`: one consistent read of a whole database;
- `bulk_load`: the target's triggers held off while rows are copied as they are (a trigger
  would add journal entries or derived rows a second time) and foreign keys checked at commit;
- `reset_ids`: after a copy with ids kept, new rows get ids past them (nothing to do on SQLite:
  ids are `max(id) + 1` past `retired_ids`, which is copied; PostgreSQL sets its sequences).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from greentech_cli.errors import GreentechError

if TYPE_CHECKING:
    from greentech_cli.db import Database

# The record of applied schema steps belongs to the engine's copy of the schema, not to the data.
SCHEMA_RECORD = "_sqlite_migrations"
# The tables FTS5 keeps beside each full-text table (`contacts_fts_data`, …).
FTS5_SHADOWS = ("_data", "_idx", "_content", "_docsize", "_config")
_INTEGER_TYPES = ("INTEGER", "INT", "BIGINT", "SMALLINT")


@dataclass(frozen=True)
class Table:
    """A data table: its columns in table order, its primary key and the tables it refers to."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    parents: frozenset[str]
    integer_columns: frozenset[str] = frozenset()


def quoted(name: str) -> str:
    """A table or column name as SQL (both engines read double quotes)."""
    return '"' + name.replace('"', '""') + '"'


def is_search_index(name: str, full_text: set[str]) -> bool:
    """Whether a table belongs to a full-text index: one of `full_text` (the virtual tables) or
    a shadow table FTS5 keeps beside one (`contacts_fts_data`, `journal_fts_idx`, …)."""
    if name in full_text:
        return True
    return any(name == f"{table}{suffix}" for table in full_text for suffix in FTS5_SHADOWS)


def data_tables(db: Database) -> list[Table]:
    """The tables that hold data, sorted by name (see the module docstring for what is left out)."""
    rows = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name"
    ).fetchall()
    full_text = {
        str(name) for name, sql in rows if str(sql or "").upper().startswith("CREATE VIRTUAL")
    }
    tables = []
    for name, _ in rows:
        name = str(name)
        if name.startswith("sqlite_") or name == SCHEMA_RECORD:
            continue
        if is_search_index(name, full_text):
            continue
        tables.append(_table(db, name))
    return tables


def _table(db: Database, name: str) -> Table:
    info = db.execute(f"PRAGMA table_info({quoted(name)})").fetchall()
    columns = tuple(str(row[1]) for row in info)
    keyed = sorted((int(row[5]), str(row[1])) for row in info if row[5])
    integers = frozenset(str(row[1]) for row in info if str(row[2] or "").upper() in _INTEGER_TYPES)
    parents = frozenset(
        str(row[2]) for row in db.execute(f"PRAGMA foreign_key_list({quoted(name)})").fetchall()
    )
    # A table without a declared key is sorted by all its columns (no engine shares a rowid).
    key = tuple(column for _, column in keyed) or columns
    return Table(name, columns, key, parents, integers)


def order_by(table: Table) -> str:
    """The ORDER BY clause of a table's rows in the dump: by primary key, NULLs first, text by
    code point whatever collation a column was declared with."""
    terms = []
    for column in table.key:
        term = quoted(column)
        if column not in table.integer_columns:
            term += " COLLATE BINARY"
        terms.append(f"{term} NULLS FIRST")
    return "ORDER BY " + ", ".join(terms)


@contextmanager
def snapshot(db: Database) -> Iterator[None]:
    """Read the whole database as of one moment, while others may write (one read transaction;
    WAL readers never block writers). Inside a transaction already: that one is the snapshot."""
    if db.conn.in_transaction:
        yield
        return
    db.execute("BEGIN")
    try:
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot starts here
        yield
    finally:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")


@contextmanager
def bulk_load(db: Database) -> Iterator[None]:
    """Inside the caller's write transaction: the triggers dropped while rows are copied and made
    again before it commits (a rollback restores them too), foreign keys checked at commit (a
    visit may name a parent visit with a higher id)."""
    if not db.conn.in_transaction:
        raise GreentechError("a bulk load needs a write transaction")  # a programming error
    triggers = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    ).fetchall()
    db.execute("PRAGMA defer_foreign_keys = ON")
    for name, _ in triggers:
        db.execute(f"DROP TRIGGER {quoted(str(name))}")
    yield
    for _, sql in triggers:
        db.execute(str(sql))


def reset_ids(db: Database, tables: list[Table]) -> None:
    """Make the engine give new rows ids past the copied ones (nothing to do on SQLite)."""
    del db, tables
