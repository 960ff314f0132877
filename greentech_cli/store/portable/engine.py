"""What moving data needs to know about a storage engine (SQLite, PostgreSQL), in one place.

Everything else in `store.portable` is plain SQL both engines read (`?` placeholders,
double-quoted names, `ORDER BY … NULLS FIRST`). Each function here dispatches on the database's
engine:

- `data_tables`: which tables hold data, with their columns, primary keys and parents. Left out:
  the engine's own tables (`sqlite_*`; PostgreSQL's write counter `greentech_writes`), the
  record of schema steps, and the search indexes (SQLite's FTS5 tables and the shadow tables
  beside them; on PostgreSQL the tables with a `tsvector` column) — they are rebuilt after a
  copy. A table whose rows the store orders by their insertion (SQLite's hidden `rowid`; on
  PostgreSQL an explicit `rowid` identity column) says so in `Table.rowid`: the copy carries
  that order over, the dump leaves it out (only one of two engines may have it);
- `order_by`: a table's rows by primary key in an order both engines agree on (text by code
  point: SQLite's BINARY collation and PostgreSQL's `COLLATE "C"` both compare UTF-8 bytes;
  NULLs first);
- `snapshot`: one consistent read of a whole database (SQLite: one read transaction in WAL mode;
  PostgreSQL: a REPEATABLE READ READ ONLY transaction, one snapshot);
- `bulk_load`: the target's triggers held off while rows are copied as they are (a trigger
  would add journal entries or derived rows a second time) and foreign keys checked at commit
  (SQLite: dropped and made again, `defer_foreign_keys`; PostgreSQL: `DISABLE TRIGGER USER`
  and the foreign keys made deferrable for the load, both undone before the commit);
- `reset_ids`: after a copy with ids kept, new rows get ids past them (SQLite: nothing to do,
  ids are `max(id) + 1` past `retired_ids`, which is copied; PostgreSQL: each identity sequence
  set past the highest id, and past the highest retired one).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from greentech_cli.errors import GreentechError

if TYPE_CHECKING:
    from greentech_cli.db import Database

# The record of applied schema steps belongs to the engine's copy of the schema, not to the data.
SCHEMA_RECORD = "_sqlite_migrations"
# PostgreSQL's write counter (what SQLite's `PRAGMA data_version` tells): the engine's, not data.
WRITE_COUNTER = "greentech_writes"
# The tables FTS5 keeps beside each full-text table (`contacts_fts_data`, …).
FTS5_SHADOWS = ("_data", "_idx", "_content", "_docsize", "_config")
_INTEGER_TYPES = ("INTEGER", "INT", "BIGINT", "SMALLINT")
# The column that keeps the insertion order on PostgreSQL (SQLite's hidden rowid).
ROWID = "rowid"


@dataclass(frozen=True)
class Table:
    """A data table: its columns in table order, its primary key, the tables it refers to, its
    integer columns, and whether it keeps its rows' insertion order (`rowid`)."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    parents: frozenset[str]
    integer_columns: frozenset[str] = frozenset()
    rowid: bool = False


def quoted(name: str) -> str:
    """A table or column name as SQL (both engines read double quotes)."""
    return '"' + name.replace('"', '""') + '"'


def _postgres(db: Database) -> bool:
    return db.engine == "postgresql"


def database_name(db: Database) -> str:
    """The database's name for file names: the PostgreSQL database's, else the file's stem."""
    if _postgres(db):
        return str(db.execute("SELECT current_database()").fetchone()[0])
    from greentech_cli.db import database_file

    return Path(database_file(db.conn)).stem


def is_search_index(name: str, full_text: set[str]) -> bool:
    """Whether a table belongs to a full-text index: one of `full_text` (the virtual tables) or
    a shadow table FTS5 keeps beside one (`contacts_fts_data`, `journal_fts_idx`, …)."""
    if name in full_text:
        return True
    return any(name == f"{table}{suffix}" for table in full_text for suffix in FTS5_SHADOWS)


def data_tables(db: Database) -> list[Table]:
    """The tables that hold data, sorted by name (see the module docstring for what is left out)."""
    if _postgres(db):
        return _postgres_tables(db)
    rows = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name"
    ).fetchall()
    full_text = {
        str(name) for name, sql in rows if str(sql or "").upper().startswith("CREATE VIRTUAL")
    }
    tables = []
    for name, sql in rows:
        name = str(name)
        if name.startswith("sqlite_") or name == SCHEMA_RECORD:
            continue
        if is_search_index(name, full_text):
            continue
        tables.append(_table(db, name, without_rowid="WITHOUT ROWID" in str(sql or "").upper()))
    return tables


def _table(db: Database, name: str, *, without_rowid: bool) -> Table:
    info = db.execute(f"PRAGMA table_info({quoted(name)})").fetchall()
    columns = tuple(str(row[1]) for row in info)
    keyed = sorted((int(row[5]), str(row[1])) for row in info if row[5])
    integers = frozenset(str(row[1]) for row in info if str(row[2] or "").upper() in _INTEGER_TYPES)
    parents = frozenset(
        str(row[2]) for row in db.execute(f"PRAGMA foreign_key_list({quoted(name)})").fetchall()
    )
    # A table without a declared key is sorted by all its columns (no engine shares a rowid).
    key = tuple(column for _, column in keyed) or columns
    # An INTEGER PRIMARY KEY is the rowid itself: the rows' order is their key's.
    aliased = len(keyed) == 1 and keyed[0][1] in integers
    return Table(name, columns, key, parents, integers, rowid=not (aliased or without_rowid))


def _postgres_tables(db: Database) -> list[Table]:
    columns: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in db.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
    ).fetchall():
        columns.setdefault(str(table), []).append((str(column), str(kind).upper()))
    kinds = dict(
        db.execute(
            "SELECT table_name, table_type FROM information_schema.tables "
            "WHERE table_schema = current_schema()"
        ).fetchall()
    )
    keys: dict[str, list[str]] = {}
    for table, column in db.execute(
        "SELECT c.relname, a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
        "WHERE i.indisprimary AND c.relnamespace = current_schema()::regnamespace "
        "ORDER BY c.relname, array_position(i.indkey::int2[], a.attnum)"
    ).fetchall():
        keys.setdefault(str(table), []).append(str(column))
    parents: dict[str, set[str]] = {}
    for table, parent in db.execute(
        "SELECT c.relname, p.relname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
        "JOIN pg_class p ON p.oid = k.confrelid WHERE k.contype = 'f' "
        "AND c.relnamespace = current_schema()::regnamespace"
    ).fetchall():
        parents.setdefault(str(table), set()).add(str(parent))
    tables = []
    for name in sorted(columns):
        found = columns[name]
        if kinds.get(name) != "BASE TABLE" or name in (SCHEMA_RECORD, WRITE_COUNTER):
            continue
        if any(kind == "TSVECTOR" for _, kind in found):
            continue  # a search index
        names = tuple(column for column, _ in found if column != ROWID)
        integers = frozenset(column for column, kind in found if kind in _INTEGER_TYPES)
        tables.append(
            Table(
                name,
                names,
                tuple(keys.get(name, ())) or names,
                frozenset(parents.get(name, ())),
                integers,
                rowid=len(names) < len(found),
            )
        )
    return tables


def order_by(table: Table, db: Database) -> str:
    """The ORDER BY clause of a table's rows in the dump: by primary key, NULLs first, text by
    code point whatever collation a column was declared with."""
    collation = ' COLLATE "C"' if _postgres(db) else " COLLATE BINARY"
    terms = []
    for column in table.key:
        term = quoted(column)
        if column not in table.integer_columns:
            term += collation
        terms.append(f"{term} NULLS FIRST")
    return "ORDER BY " + ", ".join(terms)


@contextmanager
def snapshot(db: Database) -> Iterator[None]:
    """Read the whole database as of one moment, while others may write (one read transaction;
    WAL readers never block writers, PostgreSQL's readers neither). Inside a transaction
    already: that one is the snapshot."""
    if db.conn.in_transaction:
        yield
        return
    if _postgres(db):
        db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        probe = "SELECT 1"
    else:
        db.execute("BEGIN")
        probe = "SELECT count(*) FROM sqlite_master"
    try:
        db.execute(probe).fetchone()  # the snapshot starts here
        yield
    finally:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")


@contextmanager
def bulk_load(db: Database) -> Iterator[None]:
    """Inside the caller's write transaction: the triggers held off while rows are copied and
    back before it commits (a rollback restores them too), foreign keys checked at the end (a
    visit may name a parent visit with a higher id)."""
    if not db.conn.in_transaction:
        raise GreentechError("a bulk load needs a write transaction")  # a programming error
    if _postgres(db):
        with _postgres_bulk_load(db):
            yield
        return
    triggers = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    ).fetchall()
    db.execute("PRAGMA defer_foreign_keys = ON")
    for name, _ in triggers:
        db.execute(f"DROP TRIGGER {quoted(str(name))}")
    yield
    for _, sql in triggers:
        db.execute(str(sql))


@contextmanager
def _postgres_bulk_load(db: Database) -> Iterator[None]:
    where = "c.relnamespace = current_schema()::regnamespace"
    triggered = [
        str(row[0])
        for row in db.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            f"WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND {where} ORDER BY 1"
        ).fetchall()
    ]
    # Foreign keys that cannot wait for the commit are made to wait for the end of the load.
    immediate = [
        (str(table), str(name))
        for table, name in db.execute(
            "SELECT c.relname, k.conname FROM pg_constraint k JOIN pg_class c "
            f"ON c.oid = k.conrelid WHERE k.contype = 'f' AND NOT k.condeferrable AND {where} "
            "ORDER BY 1, 2"
        ).fetchall()
    ]
    # Run as written: the connection would quote USER, a word PostgreSQL reserves, as a name.
    raw = db.conn.raw
    for table in triggered:
        raw.execute(f"ALTER TABLE {quoted(table)} DISABLE TRIGGER USER")
    for table, name in immediate:
        db.execute(
            f"ALTER TABLE {quoted(table)} ALTER CONSTRAINT {quoted(name)} "
            "DEFERRABLE INITIALLY DEFERRED"
        )
    yield
    db.execute("SET CONSTRAINTS ALL IMMEDIATE")  # every row checked now
    for table, name in immediate:
        db.execute(f"ALTER TABLE {quoted(table)} ALTER CONSTRAINT {quoted(name)} NOT DEFERRABLE")
    for table in triggered:
        raw.execute(f"ALTER TABLE {quoted(table)} ENABLE TRIGGER USER")


def reset_ids(db: Database, tables: list[Table]) -> None:
    """Make the engine give new rows ids past the copied ones (and past the ids ever retired):
    PostgreSQL's identity sequences; nothing to do on SQLite."""
    if not _postgres(db):
        return
    copied = {table.name for table in tables}
    identities = db.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY 1, 2"
    ).fetchall()
    retired = dict(db.execute("SELECT name, last_id FROM retired_ids").fetchall())
    for table, column in identities:
        table, column = str(table), str(column)
        if table not in copied:
            continue
        highest = db.execute(f"SELECT max({quoted(column)}) FROM {quoted(table)}").fetchone()[0]
        last = max(int(highest or 0), int(retired.get(table, 0)) if column == "id" else 0)
        sequence = f"pg_get_serial_sequence('{quoted(table)}', '{column}')"
        if last:
            db.execute(f"SELECT setval({sequence}, ?, true)", [last])
        else:
            db.execute(f"SELECT setval({sequence}, 1, false)")
