"""`db copy` between SQLite and PostgreSQL (issue 21): SQLite → PostgreSQL → SQLite gives an
identical logical dump, byte for byte; ids, the rows' insertion order and search survive.

The PostgreSQL tests need a server: GREENTECH_TEST_PG (`.ci/postgres` starts a throw-away one);
without it they are skipped. The test about the insertion order runs on SQLite alone too.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greentech_cli.db import open_db, transaction
from greentech_cli.models.fields import Email
from greentech_cli.models.records import Contact
from greentech_cli.services.safety import moving
from greentech_cli.store import contacts
from greentech_cli.store.portable import dump
from tests import engines
from tests.conftest import Cli
from tests.test_db_copy import NAMES, TEXT, _build

needs_server = pytest.mark.skipif(
    not os.environ.get("GREENTECH_TEST_PG"),
    reason="needs a PostgreSQL server (GREENTECH_TEST_PG; .ci/postgres starts one)",
)


def _empty_pg() -> str:
    """The URL of a new PostgreSQL database without any schema (as an administrator makes it)."""
    url = engines.fresh_database()
    engines.drop_database(url)
    from urllib.parse import urlsplit

    engines._admin(f'CREATE DATABASE "{urlsplit(url).path.lstrip("/")}"')
    return url


@pytest.fixture
def pg_url() -> Iterator[str]:
    url = _empty_pg()
    yield url
    engines.drop_database(url)


def _dump(target: Path | str) -> tuple[bytes, str]:
    db = open_db(target)
    try:
        lines: list[str] = []
        summary = dump.dump_lines(db, lambda _, text: lines.append(text))
        return "".join(f"{text}\n" for text in lines).encode(), summary.checksum
    finally:
        db.close()


def _rich(folder: Path) -> Path:
    cli = Cli(folder / "rich.db")
    _build(cli, folder)
    return cli.db_path


@needs_server
def test_sqlite_to_postgres_to_sqlite_gives_the_identical_dump(tmp_path: Path, pg_url: str) -> None:
    source = _rich(tmp_path)
    cli = Cli(source)
    cli.ok("db", "copy", str(source), pg_url)
    back = tmp_path / "back.db"
    cli.ok("db", "copy", pg_url, str(back))
    original, on_pg, again = _dump(source), _dump(pg_url), _dump(back)
    assert original == on_pg == again  # the bytes, and so the checksum
    assert len(original[0]) > 10_000
    # The same answers from the copies: search, a delegation's programme with its attendees.
    for args in (("search", "kaz"), ("search", "Müller"), ("visit", "list", "kz-waste-demo")):
        shown = [Cli(where).ok(*args).stdout for where in (source, pg_url, back)]
        assert shown[0] == shown[1] == shown[2], args
    # A new row gets the id it would get in the source: past every copied and retired one.
    highest = max(row["id"] for row in Cli(source).json("contact", "list"))
    added = [
        Cli(where).ok("contact", "add", "--first", "Neu", "--last", "Person").stderr
        for where in (source, pg_url)
    ]
    assert added[0] == added[1].replace(pg_url, str(source))
    assert int(added[0].split("contact ")[1].split(":")[0]) > highest


def _attendees(target: Path | str, visit: int) -> list[int]:
    db = open_db(target)
    try:
        rows = db.execute(
            "SELECT contact_id FROM visit_attendees WHERE visit_id = ? ORDER BY rowid", [visit]
        ).fetchall()
        return [int(row[0]) for row in rows]
    finally:
        db.close()


def _reordered_attendees(cli: Cli) -> tuple[int, list[int]]:
    """A visit whose attendees were added in an order unlike their ids' (the order they are
    listed in, kept by the rows' insertion order)."""
    cli.ok("demo")
    visit = cli.json("visit", "list", "kz-waste-demo")[0]["id"]
    db = open_db(cli.db_path)
    try:
        with transaction(db):
            ids = [int(r[0]) for r in db.execute("SELECT id FROM contacts ORDER BY id DESC")]
            db.execute("DELETE FROM visit_attendees WHERE visit_id = ?", [visit])
            for contact in ids[:3]:
                db.execute(
                    "INSERT INTO visit_attendees (visit_id, contact_id) VALUES (?, ?)",
                    [visit, contact],
                )
    finally:
        db.close()
    return visit, ids[:3]


def test_a_copy_keeps_the_order_attendees_were_added_in(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "a.db")
    visit, order = _reordered_attendees(cli)
    assert _attendees(cli.db_path, visit) == order
    cli.ok("db", "copy", str(cli.db_path), str(tmp_path / "b.db"))
    assert _attendees(tmp_path / "b.db", visit) == order


@needs_server
def test_the_attendees_order_survives_postgres_both_ways(tmp_path: Path, pg_url: str) -> None:
    cli = Cli(tmp_path / "a.db")
    visit, order = _reordered_attendees(cli)
    cli.ok("db", "copy", str(cli.db_path), pg_url)
    assert _attendees(pg_url, visit) == order
    cli.ok("db", "copy", pg_url, str(tmp_path / "b.db"))
    assert _attendees(tmp_path / "b.db", visit) == order


@needs_server
def test_a_postgres_target_holding_data_is_refused(tmp_path: Path, pg_url: str) -> None:
    cli = Cli(tmp_path / "a.db")
    cli.ok("contact", "add", "--first", "Anna", "--last", "Schmidt")
    Cli(pg_url).ok("contact", "add", "--first", "Team", "--last", "Member")
    before = _dump(pg_url)
    refused = cli.fails("db", "copy", str(cli.db_path), pg_url)
    assert "already holds data (" in refused.stderr and "nothing was changed" in refused.stderr
    assert _dump(pg_url) == before
    itself = cli.fails("db", "copy", pg_url, pg_url)
    assert "source itself" in itself.stderr


@needs_server
def test_a_postgres_source_without_greentech_is_one_line(tmp_path: Path, pg_url: str) -> None:
    cli = Cli(tmp_path / "a.db")
    failed = cli.fails("db", "copy", pg_url, str(tmp_path / "b.db"))
    assert "holds no greentech database" in failed.stderr
    assert not (tmp_path / "b.db").exists()


@needs_server
def test_text_postgres_cannot_hold_is_refused_in_one_line(tmp_path: Path, pg_url: str) -> None:
    """PostgreSQL's text holds no NUL character (SQLite's does): the copy is refused, in one
    line, and the target holds none of the rows."""
    cli = Cli(tmp_path / "a.db")
    cli.ok("contact", "add", "--first", "Anna", "--last", "Schmidt")
    with engines.connect(cli.db_path) as conn:
        conn.execute("UPDATE contacts SET notes = ?", ["a\x00b"])
    failed = cli.fails("db", "copy", str(cli.db_path), pg_url)
    assert "refused the source's rows" in failed.stderr
    assert "no row was copied" in failed.stderr
    assert dump.summarise(open_db(pg_url)).counts.get("contacts") == 0


@needs_server
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    people=st.lists(
        st.fixed_dictionaries(
            {
                "first_name": NAMES,
                "last_name": NAMES,
                "notes": NAMES,
                "tags": st.lists(TEXT, max_size=3),
                "extra": st.dictionaries(TEXT, TEXT, max_size=3),
                "emails": st.lists(st.emails(), max_size=2, unique=True),
            }
        ),
        max_size=5,
    ),
    removed=st.integers(min_value=0, max_value=4),
)
def test_random_contacts_round_trip_through_postgres(
    people: list[dict[str, Any]], removed: int
) -> None:
    folder = Path(tempfile.mkdtemp())
    url = _empty_pg()
    try:
        source = open_db(folder / "source.db", create=True)
        try:
            with transaction(source):
                ids = []
                for n, person in enumerate(people):
                    emails = [Email(f"{n}.{value}") for value in person.pop("emails")]
                    ids.append(contacts.insert(source, Contact(**person, emails=emails)).id)
                if ids:  # a removed contact's id is retired, on both engines
                    source.execute("DELETE FROM contacts WHERE id = ?", [ids[removed % len(ids)]])
        finally:
            source.close()
        for a, b in ((str(folder / "source.db"), url), (url, str(folder / "back.db"))):
            with moving.Copy(a, b) as job:
                copied = job.run()
            assert copied.source_summary.checksum == copied.target_summary.checksum
        assert _dump(folder / "source.db") == _dump(url) == _dump(folder / "back.db")
    finally:
        engines.drop_database(url)
        shutil.rmtree(folder)
