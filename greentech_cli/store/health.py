"""SQL for checking a database file: integrity, foreign keys, schema, full-text index; the
private copy a dry run works on."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from greentech_cli.errors import GreentechError
from greentech_cli.store import companies, search
from greentech_cli.store.common import fetch_all

if TYPE_CHECKING:
    from greentech_cli.db import Database

MIGRATION_SET = "greentech"
# The tables FTS5 keeps beside each full-text table; compared by name only (their columns are
# the SQLite library's business and may change with its version).
FTS5_SHADOWS = ("_data", "_idx", "_content", "_docsize", "_config")
# sqlite-utils' record of the applied steps: its columns are sqlite-utils' business.
MIGRATIONS_TABLE = "_sqlite_migrations"
_WHERE = re.compile(r"\bWHERE\b", re.IGNORECASE)
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
    if MIGRATIONS_TABLE not in table_names(db):
        return None
    rows = fetch_all(
        db,
        f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY id",
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
        if db.engine != "sqlite":  # an ordinary table whose tsvector the server keeps
            continue
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


def data_version(db: Database) -> int:
    """A number that changes when another connection commits (`PRAGMA data_version`; on
    PostgreSQL the write counter, `db.postgres_database.data_version`)."""
    if db.engine != "sqlite":
        from greentech_cli.db.postgres_database import data_version as counted

        return counted(db)
    return int(db.execute("PRAGMA data_version").fetchone()[0])


def checkpoint(db: Database) -> bool:
    """Copy the WAL into the file and empty it; True when that fully succeeded."""
    row = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return row is None or not row[0]


@contextmanager
def scratch_copy(db: Database) -> Iterator[Database]:
    """A private copy of the database to try changes on (a dry run), taking no write lock: a
    backup in one read transaction into SQLite's own temporary file (never visible by name)."""
    conn = sqlite3.connect("", isolation_level=None)
    try:
        try:
            db.conn.backup(conn)
        except sqlite3.Error as exc:  # no room for the copy, most likely
            raise GreentechError(f"cannot copy the database for a dry run: {exc}") from exc
        conn.execute("PRAGMA foreign_keys = ON")
        yield type(db)(conn)
    finally:
        conn.close()


def vacuum(db: Database) -> None:
    """Rewrite the file compactly (free pages and stale bytes go)."""
    db.execute("VACUUM")


def optimize_fts(db: Database) -> None:
    """Merge the full-text index segments."""
    for fts in FTS_TABLES:
        db.execute(f"INSERT INTO {fts} ({fts}) VALUES ('optimize')")


def rebuild_search_index(db: Database) -> None:
    """Rebuild the whole full-text index from the tables (the doctor's repair; `db copy`)."""
    db.execute("DELETE FROM contacts_fts")
    db.execute("DELETE FROM companies_fts")
    for row in fetch_all(db, "SELECT * FROM companies"):
        search.index_company(db, companies.from_row(row))
    # The entries `search.reindex_contact` writes, made from one pass over the rows (a query a
    # contact took 17 of 25 s for 100,000 contacts in `db copy`).
    cursor = db.execute(
        "SELECT contacts.*, companies.name AS company_name, companies.city AS city "
        "FROM contacts LEFT JOIN companies ON companies.id = contacts.company_id"
    )
    names = [d[0] for d in cursor.description]
    while batch := cursor.fetchmany(1000):
        rows = [dict(zip(names, values, strict=True)) for values in batch]
        entries = [search.contact_entry(row, row["company_name"], row["city"]) for row in rows]
        search.index_new_contacts(db, entries)
    # The journal's index holds each entry's text and folded keys as stored in the row.
    db.execute("DELETE FROM journal_fts")
    db.execute(
        "INSERT INTO journal_fts (rowid, text, keys) SELECT id, text, search_keys FROM journal"
    )


# --- derived values, made again when the rules that make them change --------------------------


def derived_versions(db: Database) -> dict[str, int]:
    """By which version of its rules each derived value was made (none yet: not listed)."""
    return {str(name): int(version) for name, version in db.execute(
        "SELECT name, version FROM derived_versions"
    )}  # fmt: skip


def set_derived_version(db: Database, name: str, version: int) -> None:
    """Record that a derived value is now made by this version of its rules."""
    db.execute(
        "INSERT INTO derived_versions (name, version) VALUES (?, ?) "
        "ON CONFLICT (name) DO UPDATE SET version = excluded.version",
        [name, version],
    )


def recompute_name_keys(db: Database) -> int:
    """Make every contact's and organisation's name key again by today's rules (`text.names`,
    `text.company_names`); how many keys changed."""
    from greentech_cli.text.company_names import company_key
    from greentech_cli.text.names import name_key

    people = [
        (key, contact_id)
        for contact_id, first, last, native, old in db.execute(
            "SELECT id, first_name, last_name, native_name, name_key FROM contacts"
        )
        if (key := name_key(first, last, native)) != old
    ]
    organisations = [
        (key, company_id)
        for company_id, name, old in db.execute("SELECT id, name, name_key FROM companies")
        if (key := company_key(name)) != old
    ]
    db.conn.executemany("UPDATE contacts SET name_key = ? WHERE id = ?", people)
    db.conn.executemany("UPDATE companies SET name_key = ? WHERE id = ?", organisations)
    return len(people) + len(organisations)


# --- the schema, compared with the one its version should have -----------------------------


def schema_shape(db: Database) -> dict[str, str]:
    """The file's schema as "kind name" → its definition, for comparing two files.

    Tables by their columns (type, NOT NULL, default, key), indexes and UNIQUE constraints by
    their columns, foreign keys, and triggers, views and full-text tables (their tokenizer and
    options) by their SQL with the spacing squeezed. SQLite's own tables are left out.
    """
    rows = db.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master "
        "WHERE substr(name, 1, 7) != 'sqlite_' ORDER BY name"
    ).fetchall()
    virtual = {
        str(name)
        for kind, name, _, sql in rows
        if kind == "table" and str(sql or "").upper().startswith("CREATE VIRTUAL")
    }
    shadows = {f"{table}{suffix}" for table in virtual for suffix in FTS5_SHADOWS}
    shape: dict[str, str] = {}
    for kind, name, table, sql in rows:
        if kind == "table" and name in virtual:
            shape[f"full-text table {name}"] = _squeezed(sql)
        elif kind == "table" and name in shadows:
            shape[f"table {name}"] = "full-text storage"
        elif kind == "table" and name == MIGRATIONS_TABLE:
            shape[f"table {name}"] = "record of the schema steps"
        elif kind == "table":
            shape[f"table {name}"] = "table"
            shape.update(_table_shape(db, str(name)))
        elif kind in ("trigger", "view"):
            shape[f"{kind} {name}"] = f"on {table}: {_squeezed(sql)}"
        elif kind == "index" and table in shadows:
            shape[f"index {name}"] = f"on {table}: {_squeezed(sql)}"
    return shape


def _squeezed(sql: object) -> str:
    return " ".join(str(sql or "").split())


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table_shape(db: Database, table: str) -> dict[str, str]:
    """A table's columns, foreign keys and indexes (UNIQUE and primary key ones too)."""
    quoted = _quoted(table)
    shape: dict[str, str] = {}
    for _, name, kind, notnull, default, pk, hidden in db.execute(
        f"PRAGMA table_xinfo({quoted})"
    ).fetchall():
        definition = " ".join(
            part
            for part in (
                str(kind or "").upper() or "(no type)",
                "NOT NULL" if notnull else "",
                f"DEFAULT {default}" if default is not None else "",
                f"PRIMARY KEY {pk}" if pk else "",
                "GENERATED" if hidden else "",
            )
            if part
        )
        shape[f"column {table}.{name}"] = definition
    for fk in db.execute(f"PRAGMA foreign_key_list({quoted})").fetchall():
        _, _, parent, column, parent_column, on_update, on_delete, match = fk
        shape[f"foreign key {table}.{column} → {parent}"] = (
            f"{parent}({parent_column}) ON UPDATE {on_update} ON DELETE {on_delete} MATCH {match}"
        )
    for _, index, unique, origin, partial in db.execute(f"PRAGMA index_list({quoted})").fetchall():
        columns = ", ".join(
            f"{name} COLLATE {collation}{' DESC' if desc else ''}"
            for _, _, name, desc, collation, key in db.execute(
                f"PRAGMA index_xinfo({_quoted(str(index))})"
            ).fetchall()
            if key
        )
        what = {"pk": "primary key", "u": "unique constraint"}.get(str(origin), "index")
        label = f"{what} {table}({columns})" if what != "index" else f"index {index}"
        sql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [index]).fetchone()
        where = _WHERE.split(_squeezed(sql[0]), 1)[-1] if partial and sql else ""
        shape[label] = " ".join(
            part
            for part in (
                f"on {table}({columns})",
                "UNIQUE" if unique else "",
                f"WHERE {where}" if where else "",
            )
            if part
        )
    return shape


def schema_differences(actual: dict[str, str], expected: dict[str, str]) -> list[str]:
    """What a file's schema shape lacks, adds or changes against the expected one."""
    missing = [f"missing {key}" for key in expected if key not in actual]
    added = [f"unexpected {key}" for key in actual if key not in expected]
    changed = [
        f"changed {key} ({expected[key]} → {actual[key]})"
        for key in expected
        if key in actual and actual[key] != expected[key]
    ]
    return missing + added + changed


def schema_problems(db: Database, applied: list[str]) -> list[str]:
    """How the file's schema differs from the one its applied steps create ([] when it matches).

    The expected schema is not a list kept by hand: the same steps are applied to an empty
    database in memory, so it stays right as steps are added.
    """
    from greentech_cli.db import open_memory_db

    reference = open_memory_db(applied)
    try:
        expected = schema_shape(reference)
    finally:
        reference.close()
    return schema_differences(schema_shape(db), expected)


# --- PostgreSQL ------------------------------------------------------------------------------

# A team database's schema as "kind name" → definition, read from the catalog of the current
# schema: columns (type, collation, NOT NULL, default or generated expression, identity), indexes,
# constraints and triggers (as the server prints them, schema names left out), and functions (by
# their source). Objects an extension brought (pg_stat_statements in `public`) are left out.
_PG_SHAPE = """
WITH ns AS (SELECT oid, nspname FROM pg_namespace WHERE nspname = current_schema()),
own AS (
    SELECT c.oid, c.relname FROM pg_class AS c JOIN ns ON ns.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND NOT EXISTS (
        SELECT 1 FROM pg_depend AS d WHERE d.objid = c.oid AND d.deptype = 'e')
)
SELECT 'table ' || own.relname, 'table' FROM own
UNION ALL
SELECT 'column ' || own.relname || '.' || a.attname,
    concat_ws(' ', format_type(a.atttypid, a.atttypmod),
        CASE WHEN a.attcollation <> 0 THEN 'COLLATE ' || quote_ident(co.collname) END,
        CASE WHEN a.attnotnull THEN 'NOT NULL' END,
        CASE WHEN a.attidentity <> '' THEN 'IDENTITY ' || a.attidentity::text END,
        CASE WHEN a.attgenerated <> '' THEN 'GENERATED ' || pg_get_expr(ad.adbin, ad.adrelid)
             WHEN ad.adbin IS NOT NULL THEN 'DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid) END)
FROM own JOIN pg_attribute AS a ON a.attrelid = own.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_collation AS co ON co.oid = a.attcollation
LEFT JOIN pg_attrdef AS ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
UNION ALL
SELECT 'index ' || i.relname, pg_get_indexdef(i.oid)
FROM own JOIN pg_index AS x ON x.indrelid = own.oid JOIN pg_class AS i ON i.oid = x.indexrelid
UNION ALL
SELECT 'constraint ' || own.relname || '.' || k.conname, pg_get_constraintdef(k.oid)
FROM own JOIN pg_constraint AS k ON k.conrelid = own.oid
UNION ALL
SELECT 'trigger ' || t.tgname, pg_get_triggerdef(t.oid)
FROM own JOIN pg_trigger AS t ON t.tgrelid = own.oid AND NOT t.tgisinternal
UNION ALL
SELECT 'function ' || p.proname, p.prosrc
FROM pg_proc AS p JOIN ns ON ns.oid = p.pronamespace
WHERE NOT EXISTS (SELECT 1 FROM pg_depend AS d WHERE d.objid = p.oid AND d.deptype = 'e')
"""


def postgres_schema_shape(db: Database) -> dict[str, str]:
    """The current schema of a team database (`_PG_SHAPE`), for comparing two schemas."""
    schema = str(db.execute("SELECT current_schema()").fetchone()[0])
    qualifier = re.compile(rf"(?<![\w.])({re.escape(schema)}|\"{re.escape(schema)}\")\.")
    return {
        str(key): _squeezed(qualifier.sub("", str(value)))
        for key, value in db.execute(_PG_SHAPE).fetchall()
    }


def postgres_schema_problems(db: Database) -> list[str] | None:
    """How a team database's schema differs from the one greentech builds ([] when it matches),
    or None when it cannot be told: the reference is built in a schema of its own inside a
    transaction that is rolled back, which needs the right to create a schema (and a server
    that takes writes: not a standby, not a role whose transactions are read-only).

    As on SQLite, the expected schema is not a list kept by hand: it is the one greentech's
    steps make.
    """
    import os

    from psycopg.errors import InsufficientPrivilege, ReadOnlySqlTransaction

    from greentech_cli.migrations import postgres as steps

    actual = postgres_schema_shape(db)
    reference = f"greentech_reference_{os.getpid()}_{os.urandom(4).hex()}"
    db.execute("BEGIN")
    try:
        try:
            db.execute(f"CREATE SCHEMA {reference}")
        except (InsufficientPrivilege, ReadOnlySqlTransaction):
            return None
        db.execute(f"SET LOCAL search_path = {reference}")
        steps.apply(db)
        expected = postgres_schema_shape(db)
    finally:
        db.execute("ROLLBACK")
    return schema_differences(actual, expected)
