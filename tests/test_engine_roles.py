"""A team database used through roles that own none of its tables (issue 21): an officer's role
with DML rights erases a person — VACUUM, which needs the tables' owner, is done where the role
may and the tables it may not are named, the erasure committed —, and a role that may take ids
from the sequences but not give unused ones back (no UPDATE on them) still imports every row.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests import engines
from tests.conftest import ON_POSTGRES, Cli

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="needs GREENTECH_TEST_ENGINE=postgresql")

DML = "SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public"
OFFICER = [DML, "USAGE, UPDATE ON ALL SEQUENCES IN SCHEMA public"]
CLERK = [DML, "USAGE ON ALL SEQUENCES IN SCHEMA public"]
EMAIL = "quortelia@vambrusk.example"
# Tables an erasure of a contact with a note of their own leaves dead rows in (among others).
DEAD = ["contacts", "contacts_fts", "journal"]


def _person(cli: Cli) -> int:
    """A contact with a note of their own (a journal entry)."""
    cli.ok("contact", "add", "--first", "Quortelia", "--last", "Vambrusk", "--email", EMAIL)
    cli.ok("contact", "edit", EMAIL, "--notes", "notemarker zanthoxylum")
    return int(cli.json("contact", "show", EMAIL)["id"])


def _stats(url: str) -> dict[str, tuple[bool, int | None]]:
    """(vacuumed by hand, dead tuples) of the tables in DEAD: the first as the server's
    statistics say, the second as the pages hold them (pgstattuple; None without it — the
    statistics' count also takes in the erasure's own count, sent after the VACUUM)."""
    with engines.connect(url) as conn:
        try:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
            dead = "(SELECT dead_tuple_count FROM pgstattuple(relid))"
        except Exception:  # the server's contrib modules are not installed
            dead = "NULL"
        rows = conn.execute(
            f"SELECT relname, last_vacuum IS NOT NULL, {dead} FROM pg_stat_user_tables "
            "WHERE relname IN ('contacts', 'contacts_fts', 'journal')"
        ).fetchall()
    return {str(name): (bool(done), dead) for name, done, dead in rows}


def _contacts(url: str) -> int:
    with engines.connect(url) as conn:
        return int(conn.execute("SELECT count(*) FROM contacts").fetchone()[0])


def _warnings(result: Any) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("Warning:")]


def test_the_tables_owner_erases_and_vacuums(cli: Cli) -> None:
    person = _person(cli)
    erased = cli.ok("privacy", "erase", str(person), "--yes")
    assert _warnings(erased) == []
    stats = _stats(str(cli.db_path))
    assert sorted(stats) == DEAD and set(stats.values()) <= {(True, 0), (True, None)}
    assert _contacts(str(cli.db_path)) == 0


def test_a_member_of_the_owner_role_vacuums_too(cli: Cli) -> None:
    person = _person(cli)
    with engines.connect(str(cli.db_path)) as conn:
        owner = str(conn.execute("SELECT current_user").fetchone()[0])
    with engines.role(str(cli.db_path), "deputy", [owner]) as url:
        erased = Cli(url).ok("privacy", "erase", str(person), "--yes")
        assert _warnings(erased) == []
        stats = _stats(str(cli.db_path))
        assert sorted(stats) == DEAD and set(stats.values()) <= {(True, 0), (True, None)}


def test_a_role_that_may_not_vacuum_names_the_tables_left(cli: Cli) -> None:
    person = _person(cli)
    with engines.role(str(cli.db_path), "officer", OFFICER) as url:
        erased = Cli(url).ok("privacy", "erase", str(person), "--yes")
        assert f"Erased contact {person}" in erased.stderr
        [warning] = _warnings(erased)
        assert warning.startswith("Warning: the erasure is committed, but the tables ")
        named = warning.split("the tables ", 1)[1].split(" still hold the erased rows' dead ")[0]
        assert set(DEAD) <= set(named.split(", ")), warning
        assert "greentech_writes" not in named  # the write counter holds no one's data
        assert "administrator" in warning
        assert _contacts(str(cli.db_path)) == 0
        stats = _stats(str(cli.db_path))
        assert sorted(stats) == DEAD and all(
            not done and dead != 0 for done, dead in stats.values()
        )
        assert Cli(url).fails("privacy", "report", EMAIL).exit_code == 1


def test_a_purge_by_such_a_role_names_them_too(cli: Cli) -> None:
    cli.ok("delegation", "add", "old-trip", "--title", "Old trip", "--direction", "incoming",
           "--from", "KZ", "--to", "DE", "--start", "2020-01-06",
           "--end", "2020-01-10")  # fmt: skip
    person = _person(cli)
    cli.ok("member", "add", "old-trip", str(person))
    with engines.role(str(cli.db_path), "officer", OFFICER) as url:
        purged = Cli(url).ok("privacy", "purge", "--yes")
        assert "Erased 1 person(s)" in purged.stderr
        [warning] = _warnings(purged)
        assert "contacts" in warning and "journal" in warning and "administrator" in warning
        assert _contacts(str(cli.db_path)) == 0


def test_a_vacuum_that_fails_says_the_erasure_is_committed(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = _person(cli)
    with engines.connect(str(cli.db_path)) as holder:
        # Another session holds the lock VACUUM needs (DML goes on beside it); ours waits 0.3 s.
        holder.execute("BEGIN")
        holder.execute("LOCK TABLE contacts IN SHARE UPDATE EXCLUSIVE MODE")
        monkeypatch.setenv("PGOPTIONS", "-c lock_timeout=300")
        failed = cli.fails("privacy", "erase", str(person), "--yes")
        monkeypatch.delenv("PGOPTIONS")
        holder.execute("ROLLBACK")
    [line] = [line for line in failed.stderr.splitlines() if line.strip()]
    assert line.startswith(f"Error: contact {person} was erased, but VACUUM failed (")
    named = line.split("so the tables ", 1)[1].split(" still hold the erased rows' dead ")[0]
    assert set(DEAD) <= set(named.split(", ")), line
    assert _contacts(str(cli.db_path)) == 0


def test_a_role_without_update_on_the_sequences_imports(cli: Cli, db_path: Any) -> None:
    rows = [
        {"first_name": f"Vorname{i}", "last_name": f"Nachname{i}", "email": f"p{i}@ex.example"}
        for i in range(4)
    ]
    source = Path(db_path.parent) / "people.json"
    source.write_text(json.dumps(rows), encoding="utf-8")
    with engines.role(str(cli.db_path), "clerk", CLERK) as url:
        clerk = Cli(url)
        clerk.ok("company", "add", "Alpha GmbH")
        done = json.loads(clerk.ok("import", str(source), "--format", "json").stdout)
        assert done["created"] == 4
        stored = clerk.json("contact", "list")
        assert sorted(c["email"] for c in stored) == sorted(r["email"] for r in rows)
        # The ids of the block not used are skipped, not given back: a new one comes after.
        clerk.ok("contact", "add", "--first", "Anna", "--last", "Schmidt")
        ids = {c["email"]: int(c["id"]) for c in clerk.json("contact", "list")}
        assert len(set(ids.values())) == 5 and ids[None] > max(ids[r["email"]] for r in rows)
