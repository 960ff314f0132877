"""The audit log: who changed what, when, with which command; `greentech log` and its filters."""

from __future__ import annotations

import csv
import getpass
import io
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from greentech_cli.db import Database
from greentech_cli.services.safety import audit as audit_service
from greentech_cli.store import audit
from tests import engines
from tests.engines import dialect_of

from .conftest import Cli


@pytest.fixture
def logged(cli: Cli) -> Cli:
    cli.ok("company", "add", "Lippe Recycling GmbH", "--city", "Lünen")
    cli.ok("contact", "add", "--first", "Petra", "--last", "Schäfer", "--email", "p@lippe.example")
    cli.ok("contact", "edit", "p@lippe.example", "--position", "Head of Sales", "--phone", "0231 1")
    cli.ok("company", "edit", "1", "--city", "Dortmund")
    cli.ok("contact", "rm", "p@lippe.example", "--yes")
    return cli


def test_every_write_records_when_who_command_entity_and_fields(logged: Cli) -> None:
    entries = logged.json("log")
    assert [(e["command"], e["entity"], e["entity_id"], e["action"]) for e in entries] == [
        ("contact rm", "contact", 1, "delete"),
        ("company edit", "company", 1, "update"),
        ("contact edit", "contact", 1, "update"),
        ("contact add", "contact", 1, "create"),
        ("company add", "company", 1, "create"),
    ]
    # The operating-system user on a SQLite file; the database role on PostgreSQL.
    with engines.connect(logged.db_path) as conn:
        writer = audit.database_user(Database(conn.raw, dialect_of(logged.db_path)))
    assert {e["user"] for e in entries} == {writer}
    assert audit.os_user() == getpass.getuser()
    assert all(e["at"].endswith("+00:00") for e in entries)
    # Contact changes name the fields only: personal values never reach the log.
    assert entries[2]["fields"] == {"fields": ["phone", "phones", "position"]}
    assert "Head of Sales" not in logged.ok("log", "--format", "csv").stdout


def test_log_filters(logged: Cli) -> None:
    assert len(logged.json("log", "--entity", "contact")) == 3
    assert len(logged.json("log", "--entity", "companies")) == 2
    assert len(logged.json("log", "--entity", "company", "--id", "1")) == 2
    assert len(logged.json("log", "--limit", "2")) == 2
    assert logged.json("log", "--limit", "0") == []
    today = date.today()
    assert len(logged.json("log", "--since", (today - timedelta(days=1)).isoformat())) == 5
    assert logged.json("log", "--since", (today + timedelta(days=2)).strftime("%d.%m.%Y")) == []
    assert len(logged.json("log", "--since", f"{today - timedelta(days=1)} 08:00")) == 5
    assert logged.json("log", "--entity", "visit") == []
    logged.fails("log", "--since", "last tuesday")
    logged.fails("log", "--limit", "-1", code=2)


def test_log_table_and_csv(logged: Cli) -> None:
    table = logged.ok("log").stdout
    assert "contact edit" in table and "phone, phones, position" in table
    rows = list(csv.DictReader(io.StringIO(logged.ok("log", "--format", "csv").stdout)))
    assert rows[0]["command"] == "contact rm"
    assert list(rows[0]) == [
        "id",
        "at",
        "user",
        "command",
        "entity",
        "entity_id",
        "action",
        "fields",
    ]


@pytest.mark.sqlite_only  # a database file that must not appear
def test_log_on_empty_database_and_missing_database(cli: Cli) -> None:
    cli.fails("log")  # a read command never creates a database
    assert not cli.db_path.exists()
    cli.ok("init")
    assert cli.json("log") == []
    assert "No audit entries" in cli.ok("log").stderr


def test_failed_command_records_nothing(cli: Cli) -> None:
    cli.ok("contact", "add", "--first", "A", "--last", "B", "--email", "a@b.example")
    cli.fails("contact", "edit", "a@b.example", "--email", "not an email")
    cli.fails("contact", "add", "--first", "C", "--company", "no such company")
    assert [e["action"] for e in cli.json("log")] == ["create"]


def test_library_writes_are_logged_as_api(cli: Cli) -> None:
    cli.ok("init")
    from greentech_cli.db import open_db
    from greentech_cli.services.records import contacts

    db = open_db(cli.db_path)
    try:
        contacts.add(db, {"first_name": "Lib", "last_name": "Rary"})
        assert audit_service.log(db)[0]["command"] == "api"
    finally:
        db.close()


def test_since_is_local_time_converted_to_utc() -> None:
    assert audit_service.since_utc("2026-11-18").endswith("+00:00")
    assert audit_service.since_utc("18.11.2026 10:00") == audit_service.since_utc(
        "2026-11-18 10:00"
    )


def test_audit_table_has_the_columns() -> None:
    conn = sqlite3.connect(":memory:")
    from greentech_cli.migrations import SCHEMA

    for statement in SCHEMA.split(";\n"):
        if "audit_log" in statement and statement.strip().startswith("CREATE TABLE"):
            conn.execute(statement)
    names = [r[1] for r in conn.execute("PRAGMA table_info(audit_log)")]
    assert names == ["id", "at", "user", "command", "entity", "entity_id", "action", "fields"]


# --- names of fields, never values --------------------------------------------------------------

# A value of each kind, unique enough that finding it anywhere in the log means it leaked there.
MARKERS = {
    "company": "Zqxmarker Einzelunternehmen",
    "company2": "Zqxmarkertwo GmbH",
    "city": "Zqxcity",
    "first": "Zqxfirst",
    "last": "Zqxlast",
    "native": "Зqxнатив",
    "email": "zqxmail@example.com",
    "phone": "+49 30 9876543",
    "notes": "Zqxnotes",
    "code": "zqx-code-2026",
    "title": "Zqxtitle",
    "visit": "Zqxvisit",
}


def _audit_text(cli: Cli) -> str:
    conn = engines.connect(cli.db_path)
    try:
        rows = conn.execute("SELECT * FROM audit_log").fetchall()
    finally:
        conn.close()
    return "\n".join(" ".join(str(cell) for cell in row) for row in rows)


def test_the_log_never_holds_a_value(cli: Cli, tmp_path: Path) -> None:
    m = MARKERS
    cli.ok("company", "add", m["company"], "--city", m["city"])
    cli.ok("company", "add", m["company2"])
    cli.ok("company", "edit", "2", "--name", m["company2"] + " Berlin", "--notes", m["notes"])
    cli.ok("contact", "add", "--first", m["first"], "--last", m["last"], "--native-name",
           m["native"], "--email", m["email"], "--phone", m["phone"], "--company", "1")  # fmt: skip
    cli.ok("contact", "edit", "1", "--notes", m["notes"], "--last", m["last"] + "x")
    cli.ok("contact", "add", "--first", m["first"], "--last", m["last"] + "x", "--notes", "B")
    cli.ok("delegation", "add", m["code"], "--title", m["title"], "--direction", "incoming",
           "--from", "KZ", "--start", "2026-11-16", "--end", "2026-11-18")  # fmt: skip
    cli.ok("member", "add", m["code"], "1", "--notes", m["notes"])
    cli.ok("visit", "add", m["code"], "--title", m["visit"], "--start", "2026-11-17 09:00",
           "--duration", "1h", "--company", "1", "--notes", m["notes"])  # fmt: skip
    cli.ok("contact", "merge", "1", "2", "--yes")
    cli.ok("company", "merge", "1", "2", "--yes")
    source = tmp_path / "people.csv"
    source.write_text(
        "first_name,last_name,email,company,notes\n"
        f"{m['first']}i,{m['last']}i,i{m['email']},{m['company']}i,{m['notes']}\n",
        encoding="utf-8",
    )
    cli.ok("import", str(source))
    _holds_no_marker(_audit_text(cli))  # before undo too: `undo --yes` is younger than the fix
    cli.ok("import", "undo", "1", "--yes")
    text = _audit_text(cli)
    assert cli.json("log") and "merge" in text and "import" in text
    _holds_no_marker(text)


def _holds_no_marker(text: str) -> None:
    for marker in MARKERS.values():
        assert marker not in text
    assert "Zqx" not in text and "zqx" not in text and "9876543" not in text


def test_record_refuses_a_value(cli: Cli) -> None:
    cli.ok("init")
    from greentech_cli.db import open_db

    db = open_db(cli.db_path)
    try:
        for details in ({"name": "Anna Schmidt"}, {"fields": ["Anna Schmidt"]}, {"fields": "x"},
                        {"code": "kz-1"}, {"flag": True}):  # fmt: skip
            with pytest.raises(ValueError, match="never values"):
                audit.record(db, "company", 1, "create", details)  # type: ignore[arg-type]
        audit.record(db, "company", 1, "update", {"fields": ["name", "city"], "into": 2})
    finally:
        db.close()


@pytest.mark.sqlite_only  # an older SQLite schema migrated (PostgreSQL starts at the baseline)
def test_an_older_log_loses_its_values_when_the_file_is_opened(cli: Cli) -> None:
    cli.ok("company", "add", MARKERS["company"])
    cli.ok("delegation", "add", MARKERS["code"], "--title", "T", "--direction", "incoming",
           "--from", "KZ", "--start", "2026-11-16", "--end", "2026-11-18")  # fmt: skip
    # As an earlier greentech wrote them: the name and the code in the "create" entries.
    conn = engines.connect(cli.db_path)
    for entity, key, value in (("company", "name", MARKERS["company"]),
                               ("delegation", "code", MARKERS["code"])):  # fmt: skip
        conn.execute(
            "UPDATE audit_log SET fields = json_object(?, ?) WHERE entity = ?", [key, value, entity]
        )
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm003_audit_without_values'")
    conn.commit()
    conn.close()
    assert MARKERS["company"] in _audit_text(cli)
    assert [e["fields"] for e in cli.json("log")] == [{}, {}]
    assert MARKERS["company"] not in _audit_text(cli) and MARKERS["code"] not in _audit_text(cli)
