"""Writes on a team database (issue 21): new ids from the database's own counter (PostgreSQL's
identity sequences; SQLite counts past the highest and retired ids), never one a row had, and
write transactions run again when another writer's change made them fail (serialization
failures, deadlocks), where running them again is safe.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from greentech_cli.db import Database, open_db, retried, transaction
from greentech_cli.errors import Contended, GreentechError
from tests import engines
from tests.conftest import ON_POSTGRES, Cli

on_postgres = pytest.mark.skipif(not ON_POSTGRES, reason="needs GREENTECH_TEST_ENGINE=postgresql")


def _ids(cli: Cli, what: str = "contact") -> list[int]:
    return sorted(int(row["id"]) for row in cli.json(what, "list"))


def _people(folder: Path, n: int, start: int = 0) -> Path:
    rows = [
        {"first_name": f"Vorname{i}", "last_name": f"Nachname{i}", "email": f"p{i}@ex.example"}
        for i in range(start, start + n)
    ]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"people-{start}-{n}.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    return path


# --- ids -------------------------------------------------------------------------------------


def test_ids_run_on_without_gaps_and_are_never_given_again(cli: Cli, db_path: Any) -> None:
    cli.ok("contact", "add", "--first", "Anna", "--last", "Schmidt")
    cli.ok("import", str(_people(db_path.parent, 37)))  # blocks of ids, the rest given back
    assert _ids(cli) == list(range(1, 39))
    cli.ok("contact", "add", "--first", "Bob", "--last", "Bauer")
    cli.ok("privacy", "erase", "39", "--yes")  # the highest id goes
    cli.ok("contact", "add", "--first", "Carl", "--last", "Christ")
    cli.ok("import", str(_people(db_path.parent, 3, start=100)))
    assert _ids(cli)[-5:] == [38, 40, 41, 42, 43]
    cli.ok("company", "add", "Alpha GmbH")
    cli.ok("company", "rm", "1", "--yes")
    cli.ok("company", "add", "Beta GmbH")
    assert _ids(cli, "company") == [2]


def test_a_dry_run_takes_no_ids(cli: Cli, db_path: Any) -> None:
    source = _people(db_path.parent, 5)
    dry = json.loads(cli.ok("import", str(source), "--dry-run", "--format", "json").stdout)
    assert dry["created"] == 5
    cli.ok("import", str(source))
    assert _ids(cli) == [1, 2, 3, 4, 5]


def test_a_dry_run_takes_no_company_ids_either(cli: Cli, db_path: Any) -> None:
    cli.ok("company", "add", "Alpha GmbH")
    source = db_path.parent / "with-companies.json"
    source.write_text(
        json.dumps(
            [
                {"first_name": "Ann", "last_name": "Ames", "company": "Beta GmbH"},
                {"first_name": "Bob", "last_name": "Bauer", "company": "Gamma AG"},
            ]
        ),
        encoding="utf-8",
    )
    dry = json.loads(cli.ok("import", str(source), "--dry-run", "--format", "json").stdout)
    assert dry["created"] == 2
    cli.ok("company", "add", "Delta GmbH")
    assert _ids(cli, "company") == [1, 2]


@on_postgres
def test_a_dry_run_holds_the_write_lock_as_an_import_does(db_path: str) -> None:
    """Its rows (and the ids it counts on from the highest, the sequence's next ones) must
    not meet another officer's: another writer waits for it, told what for."""
    from greentech_cli.db import rehearsal

    first, second = open_db(db_path), open_db(db_path)
    second.waits_ms = 300  # type: ignore[attr-defined]
    try:
        with rehearsal(first):
            assert first.rehearsing
            with pytest.raises(GreentechError) as refused, transaction(second):
                pass
        assert not first.rehearsing
        assert "the dry run by" in str(refused.value) and "nothing was written" in str(
            refused.value
        )
        with transaction(second):  # free again once the dry run is over
            pass
    finally:
        first.close()
        second.close()


@on_postgres
def test_a_lock_timeout_of_0_does_not_wait(db_path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL's lock_timeout 0 means no limit: greentech's 0 means no wait at all."""
    import time

    monkeypatch.setenv("GREENTECH_LOCK_TIMEOUT", "0")
    holder, waiter = open_db(db_path), open_db(db_path)
    try:
        assert waiter.waits_ms == 0  # type: ignore[attr-defined]
        with transaction(holder, holder="the import"):
            start = time.monotonic()
            with pytest.raises(GreentechError) as refused, transaction(waiter):
                pass
            assert time.monotonic() - start < 5
        assert "the import by" in str(refused.value)
    finally:
        holder.close()
        waiter.close()


@on_postgres
def test_concurrent_writers_never_get_the_same_id(db_path: str) -> None:
    from greentech_cli.store.common import NewIds

    first, second = open_db(db_path), open_db(db_path)
    try:
        a, b = NewIds(first, "contacts"), NewIds(second, "contacts")
        taken = [ids.take() for _ in range(40) for ids in (a, b)]  # interleaved, no lock
        assert len(set(taken)) == len(taken) == 80
    finally:
        first.close()
        second.close()


@on_postgres
def test_a_database_made_before_ids_came_from_the_sequence_is_brought_past_its_ids(
    cli: Cli,
) -> None:
    cli.ok("contact", "add", "--first", "Anna", "--last", "Schmidt")
    cli.ok("contact", "add", "--first", "Bob", "--last", "Bauer")
    cli.ok("privacy", "erase", "2", "--yes")
    cli.ok("company", "add", "Alpha GmbH")
    with engines.connect(cli.db_path) as conn:  # as the previous version left it
        for table in ("contacts", "companies"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 1, false)")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'p001_ids_from_sequences'")
    cli.ok("contact", "add", "--first", "Carl", "--last", "Christ")
    cli.ok("company", "add", "Beta GmbH")
    assert _ids(cli) == [1, 3]
    assert _ids(cli, "company") == [1, 2]
    assert "schema" in cli.ok("doctor").stdout  # still today's schema version


# --- running a write again -------------------------------------------------------------------


class _FakeConn:
    in_transaction = False


class _FakeDb:
    conn = _FakeConn()


def test_a_contended_write_runs_again_then_gives_up_with_its_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import greentech_cli.db.database as database

    pauses: list[float] = []
    monkeypatch.setattr(database.time, "sleep", pauses.append)
    runs: list[int] = []

    @retried
    def once_contended(db: Any, fail: int) -> str:
        runs.append(1)
        if len(runs) <= fail:
            raise Contended("another officer changed the same records")
        return "written"

    assert once_contended(_FakeDb(), 1) == "written"  # type: ignore[arg-type]
    assert len(runs) == 2 and len(pauses) == 1
    runs.clear()
    with pytest.raises(Contended, match="another officer"):
        once_contended(_FakeDb(), 99)  # type: ignore[arg-type]
    assert len(runs) == database.ATTEMPTS
    assert all(0 <= p <= database.FIRST_PAUSE_S * 2**database.ATTEMPTS for p in pauses)


def test_inside_another_transaction_a_write_runs_once(db: Database) -> None:
    runs: list[int] = []

    @retried
    def contended(db: Database) -> None:
        runs.append(1)
        raise Contended("another officer changed the same records")

    with pytest.raises(Contended), transaction(db):
        contended(db)
    assert runs == [1]  # the outer transaction is what would run again


def _edit_racing_another_program(db_path: str, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """`contact edit` on a REPEATABLE READ connection while another program (no greentech lock)
    changes the same contact between the edit's snapshot and its write: a real 40001."""
    from greentech_cli.services.records import contacts
    from greentech_cli.store import contacts as store

    calls: list[int] = []
    resolve = store.resolve

    def resolve_then_race(db: Database, ref: str) -> Any:
        found = resolve(db, ref)
        if not calls:
            with engines.connect(db_path) as other:
                other.execute("UPDATE contacts SET position = 'Other' WHERE id = 1")
        calls.append(1)
        return found

    monkeypatch.setattr(store, "resolve", resolve_then_race)
    db = open_db(db_path)
    try:
        db.conn.raw.execute("SET default_transaction_isolation = 'repeatable read'")
        contacts.edit(db, "1", {"notes": "called back"})
    finally:
        db.close()
    return calls


@on_postgres
def test_a_serialization_failure_runs_the_edit_again(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli.ok("contact", "add", "--first", "Anna", "--last", "Schmidt", "--position", "Chef")
    calls = _edit_racing_another_program(str(cli.db_path), monkeypatch)
    assert len(calls) == 2  # the first run failed at the server, the second wrote
    shown = cli.json("contact", "show", "1")
    assert shown["position"] == "Other" and shown["notes"] == "called back"  # nothing lost


@on_postgres
def test_a_deadlock_runs_the_write_again(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import psycopg.errors

    from greentech_cli.store import companies

    insert = companies.insert
    failed: list[int] = []

    def deadlocked_once(*args: Any, **kwargs: Any) -> Any:
        if not failed:
            failed.append(1)
            raise psycopg.errors.DeadlockDetected("deadlock detected")
        return insert(*args, **kwargs)

    monkeypatch.setattr(companies, "insert", deadlocked_once)
    cli.ok("company", "add", "Alpha GmbH")
    assert failed == [1]
    assert [c["name"] for c in cli.json("company", "list")] == ["Alpha GmbH"]


@on_postgres
def test_an_import_is_not_run_again_one_line_and_nothing_written(
    cli: Cli, db_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg.errors

    from greentech_cli.store import contacts

    def serialization_failure(*args: Any, **kwargs: Any) -> None:
        raise psycopg.errors.SerializationFailure("could not serialize access")

    monkeypatch.setattr(contacts, "insert_many", serialization_failure)
    failed = cli.fails("import", str(_people(db_path.parent, 5)))
    assert "another officer changed the same records" in failed.stderr
    assert "nothing was written" in failed.stderr
    monkeypatch.undo()
    assert cli.json("contact", "list") == []
    assert cli.json("import", "history") == []
