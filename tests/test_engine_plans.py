"""How greentech's statements run on a team database (issue 21): the list reads its index instead
of sorting every contact, an import's duplicate lookups stay index lookups while the table grows
inside its transaction, no statement waits for PostgreSQL's JIT compiler, and many new rows go in
with one COPY that fires the same triggers as INSERT. Plans, not timings (those are in
`benchmarks/`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from greentech_cli.db import Database, open_db, transaction
from greentech_cli.store import contacts as store_contacts
from tests import engines
from tests.conftest import ON_POSTGRES, Cli

on_postgres = pytest.mark.skipif(not ON_POSTGRES, reason="needs GREENTECH_TEST_ENGINE=postgresql")


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _plan(db: Database, sql: str, parameters: Any = ()) -> list[dict[str, Any]]:
    row = db.execute(f"EXPLAIN (FORMAT JSON) {sql}", list(parameters)).fetchone()
    document = row[0] if isinstance(row[0], list) else json.loads(row[0])
    return list(_nodes(document[0]["Plan"]))


def _fill(db: Database, n: int) -> None:
    """n contacts (every tenth without a last name) written straight into the tables."""
    rows = [
        (
            i,
            None if i % 10 == 0 else f"Name{i % 97}",
            f"First{i}",
            f"p{i}@ex.example",
            f"+4930{i:07d}",
        )
        for i in range(1, n + 1)
    ]
    stamp = "2026-12-03T10:00:00+00:00"
    db.insert_many(
        "contacts",
        ("id", "last_name", "first_name", "email", "phone", "created_at", "updated_at"),
        [(*row, stamp, stamp) for row in rows],
    )


@pytest.fixture
def pg(db_path: str) -> Iterator[Database]:
    if not ON_POSTGRES:
        pytest.skip("needs GREENTECH_TEST_ENGINE=postgresql")
    database = open_db(db_path)
    try:
        yield database
    finally:
        database.close()


@on_postgres
def test_the_contact_list_reads_its_index_in_order(pg: Database) -> None:
    """NULLs first, as SQLite sorts them: the index must sort them so too, or every row is
    sorted for a list of 50."""
    _fill(pg, 3000)
    pg.execute("ANALYZE contacts")
    where, parameters = store_contacts._where(pg.dialect, store_contacts.ContactFilter())
    sql = f"{store_contacts.SELECT} WHERE {where}{store_contacts.ORDER[pg.engine]} LIMIT 50"
    kinds = {node["Node Type"] for node in _plan(pg, sql, parameters)}
    assert "Sort" not in kinds and "Index Scan" in kinds
    names = [c.last_name for c in store_contacts.select(pg, store_contacts.ContactFilter(), 302)]
    assert names[:300] == [None] * 300 and names[300:] == ["Name0", "Name0"]


@on_postgres
def test_a_database_made_with_the_old_list_indexes_gets_the_new_ones(cli: Cli) -> None:
    cli.ok("contact", "add", "--first", "Anna", "--last", "Schmidt")
    with engines.connect(cli.db_path) as conn:  # as the previous version left it
        conn.execute("DROP INDEX contacts_last_first")
        conn.execute(
            'CREATE INDEX contacts_last_first ON contacts (lower(last_name COLLATE "C"), '
            'lower(first_name COLLATE "C"), id)'
        )
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'p002_order_indexes_nulls_first'")
    cli.ok("contact", "list")
    with engines.connect(cli.db_path) as conn:
        rows = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN "
            "('contacts_last_first', 'companies_name_nocase')"
        ).fetchall()
        stamped = conn.execute(
            "SELECT count(*) FROM _sqlite_migrations WHERE name = 'p002_order_indexes_nulls_first'"
        ).fetchone()
    assert len(rows) == 2 and all("NULLS FIRST" in definition for _, definition in rows)
    assert stamped[0] == 1
    assert "schema" in cli.ok("doctor").stdout


@on_postgres
def test_duplicate_lookups_stay_index_lookups_while_an_import_grows_the_table(
    pg: Database,
) -> None:
    """Inside one transaction the table has no statistics: a plain join would read every
    contact for each list of keys."""
    with transaction(pg, refuse="the test"):
        _fill(pg, 5000)
        wanted = [
            store_contacts.Keys(f"P{i}@EX.example", (f"key{i}",), (f"+4930{i:07d}",), None)
            for i in range(1, 200, 7)
        ]
        arguments = [
            json.dumps([[i, k.email] for i, k in enumerate(wanted)]),
            json.dumps([[i, k.name_keys[0], 1] for i, k in enumerate(wanted)]),
            json.dumps([k.phones[0] for k in wanted]),
            json.dumps([None for _ in wanted]),
            json.dumps([None for _ in wanted]),
        ]
        sql = store_contacts._CANDIDATE_PAIRS[pg.engine]
        scans = {
            node["Node Type"]
            for node in _plan(pg, sql, arguments)
            if node.get("Relation Name") == "contacts"
        }
        found = store_contacts.candidates(pg, wanted)
    assert scans and "Seq Scan" not in scans
    # The email folded as NOCASE folds it, and the phone: each the contact with that number.
    assert [[c.id for c in block] for block in found] == [[i] for i in range(1, 200, 7)]


@on_postgres
def test_no_statement_waits_for_the_jit_compiler(pg: Database) -> None:
    assert pg.execute("SHOW jit").fetchone()[0] == "off"


@on_postgres
def test_the_connection_knows_its_tables_from_one_catalog_query(pg: Database) -> None:
    rows = pg.execute(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = "
        "current_schema() AND column_name = 'id' AND is_identity = 'YES'"
    ).fetchall()
    identity = {str(row[0]) for row in rows}
    assert pg.conn.id_tables == identity and {"contacts", "companies"} <= identity
    assert pg.conn.counts_writes
    name = pg.execute("SELECT current_setting('application_name')").fetchone()[0]
    assert name == "greentech"


def test_many_new_rows_fire_the_triggers_of_one(db: Any) -> None:
    """`insert_many` (COPY on PostgreSQL) writes what INSERT writes, triggers included: a note
    becomes a journal entry, a second email is found by its own index."""
    stamp = "2026-12-03T10:00:00+00:00"
    emails = json.dumps([{"value": "a@ex.example"}, {"value": "second@ex.example"}])
    with transaction(db, refuse="the test"):
        db.insert_many(
            "contacts",
            ("id", "last_name", "email", "emails", "notes", "created_at", "updated_at"),
            [
                (
                    1,
                    "Ames",
                    "a@ex.example",
                    emails,
                    'met in Almaty\ttab, quote " \\ and ü',
                    stamp,
                    stamp,
                ),
                (2, "Bauer", None, "[]", None, stamp, stamp),
            ],
        )
    notes = db.execute("SELECT contact_id, text FROM journal ORDER BY id").fetchall()
    assert [tuple(r) for r in notes] == [(1, 'met in Almaty\ttab, quote " \\ and ü')]
    second = db.execute(
        "SELECT contact_id FROM contact_emails WHERE email = ?", ["second@ex.example"]
    )
    assert [tuple(r) for r in second.fetchall()] == [(1,)]
    stored = db.execute("SELECT id, last_name, email FROM contacts ORDER BY id").fetchall()
    assert [tuple(r) for r in stored] == [(1, "Ames", "a@ex.example"), (2, "Bauer", None)]
