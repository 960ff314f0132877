"""The storage seam (issue 21): the database named by a path or a postgresql:// URL, the
placeholder translation of the PostgreSQL connection, and — with GREENTECH_TEST_ENGINE=postgresql
(`.ci/postgres`) — PostgreSQL's write lock, read-only roles, the audit user and the write counter.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greentech_cli.config import resolve_db, shown_url
from greentech_cli.db.postgres import translate
from tests import engines
from tests.conftest import ON_POSTGRES, Cli

on_postgres = pytest.mark.skipif(not ON_POSTGRES, reason="needs GREENTECH_TEST_ENGINE=postgresql")
URL = "postgresql://officer@db.example.org:5432/team"


# --- where the database is -----------------------------------------------------------------


def test_a_url_names_a_postgresql_database_from_flag_env_or_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flag = resolve_db(URL)
    assert (flag.url, flag.target, flag.reason) == (URL, URL, "--db option")
    monkeypatch.setenv("GREENTECH_DB", URL)
    assert resolve_db(None).target == URL
    monkeypatch.delenv("GREENTECH_DB")
    config = tmp_path / "config.yaml"
    config.write_text(f"db: {URL}\n", encoding="utf-8")
    monkeypatch.setenv("GREENTECH_CONFIG", str(config))
    assert resolve_db(None).target == URL
    # A file's path stays a path.
    assert resolve_db(str(tmp_path / "x.db")).target == tmp_path / "x.db"
    assert resolve_db("~/x.db").url == ""
    # A server's database is there to open (a dry run compares with it, completion reads it);
    # a file is there when it exists.
    assert flag.exists and not resolve_db(str(tmp_path / "x.db")).exists


def test_a_password_in_the_url_is_never_shown() -> None:
    shown = shown_url("postgresql://officer:s3cret@db.example.org/team")
    assert "s3cret" not in shown and shown.startswith("postgresql://officer:***@db.example.org")
    assert resolve_db("postgresql://a:pw@h/d").shown == "postgresql://a:***@h/d"
    assert shown_url(URL) == URL


def test_the_help_does_not_load_psycopg() -> None:
    code = "import sys; from greentech_cli.cli.app import main; sys.argv=['greentech','--help']\n"
    code += "try:\n    main()\nexcept SystemExit:\n    pass\nprint('psycopg' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "False"


# --- the placeholders of the PostgreSQL connection -------------------------------------------


def test_placeholders_become_psycopgs() -> None:
    assert translate("SELECT a FROM t WHERE b = ? AND c = ?").sql == (
        "SELECT a FROM t WHERE b = %s AND c = %s"
    )
    numbered = translate("SELECT ?2, ?1, ?2")
    assert numbered.sql == "SELECT %s, %s, %s"
    assert numbered.parameters(["x", "y"]) == ["y", "x", "y"]
    named = translate("SELECT x::int, :name FROM t")
    assert named.sql == "SELECT x::int, %(name)s FROM t"
    assert named.parameters({"name": 1}) == {"name": 1}
    # Inside strings and quoted names a ? stays, a % is doubled (psycopg reads the whole text).
    assert translate("SELECT '?%' || ? FROM \"a?\"").sql == "SELECT '?%%' || %s FROM \"a?\""
    assert translate("SELECT user, a.user FROM audit_log a").sql == (
        'SELECT "user", a."user" FROM audit_log a'
    )
    assert translate("INSERT INTO contacts (id) VALUES (?)").insert_into == "contacts"
    assert translate("INSERT INTO contacts (id) VALUES (?) RETURNING id").insert_into == ""
    with pytest.raises(ValueError):
        translate("SELECT ?, :a")


words = st.text(alphabet="abcxyz _=,()", min_size=0, max_size=8)


@given(st.lists(st.tuples(words, st.sampled_from(["?", "'it''s ? %'", "%"])), max_size=8))
def test_every_placeholder_outside_strings_is_one_parameter(parts: list[tuple[str, str]]) -> None:
    sql = "".join(word + piece for word, piece in parts)
    statement = translate(sql)
    marks = sum(1 for _, piece in parts if piece == "?")
    assert statement.sql.replace("%%", "").count("%s") == marks
    assert "%" not in statement.sql.replace("%%", "").replace("%s", "")
    assert statement.parameters(list(range(marks))) == list(range(marks))


# --- PostgreSQL: the write lock, roles, the audit user ---------------------------------------


@on_postgres
def test_a_write_waits_for_the_advisory_lock_and_says_for_whom(db_path: str) -> None:
    from greentech_cli.db import open_db, transaction

    holder, waiter = open_db(db_path), open_db(db_path)
    said: list[str] = []
    waiter.on_wait = said.append
    done: list[float] = []

    def write() -> None:
        start = time.monotonic()
        with transaction(waiter):
            waiter.execute("INSERT INTO geocoded (key, created_at) VALUES ('w', 'now')")
        done.append(time.monotonic() - start)

    with transaction(holder, holder="the import"):
        holder.execute("INSERT INTO geocoded (key, created_at) VALUES ('h', 'now')")
        thread = threading.Thread(target=write)
        thread.start()
        time.sleep(1.0)
        assert not done  # still waiting
    thread.join(10)
    assert done and done[0] >= 0.9
    assert said and "the import" in said[0]
    rows = holder.execute("SELECT key FROM geocoded ORDER BY key").fetchall()
    assert rows == [("h",), ("w",)]
    holder.close()
    waiter.close()


@on_postgres
def test_work_that_must_not_queue_is_refused_while_another_writes(db_path: str) -> None:
    from greentech_cli.db import open_db, transaction
    from greentech_cli.errors import Conflict

    holder, other = open_db(db_path), open_db(db_path)
    with (
        transaction(holder, holder="the import"),
        pytest.raises(Conflict, match="the import"),
        transaction(other, refuse="the restore"),
    ):
        pass
    with transaction(other, refuse="the restore"):
        pass
    holder.close()
    other.close()


@on_postgres
def test_the_write_counter_tells_writes_by_others(db_path: str) -> None:
    from greentech_cli.db import open_db, transaction
    from greentech_cli.store.health import data_version

    mine, other = open_db(db_path), open_db(db_path)
    seen = data_version(mine)
    with transaction(mine):
        mine.execute("INSERT INTO geocoded (key, created_at) VALUES ('m', 'now')")
    assert data_version(mine) == seen  # its own write does not count
    with transaction(other):
        other.execute("INSERT INTO geocoded (key, created_at) VALUES ('o', 'now')")
    assert data_version(mine) != seen
    mine.close()
    other.close()


@on_postgres
def test_the_audit_log_names_the_database_user(cli: Cli) -> None:
    cli.ok("contact", "add", "--first", "Ada", "--last", "Lovelace")
    with engines.connect(cli.db_path) as conn:
        users = conn.execute('SELECT DISTINCT "user" FROM audit_log').fetchall()
        role = conn.execute("SELECT current_user").fetchone()[0]
    assert users == [(role,)]


@on_postgres
def test_a_read_only_role_reads_and_gets_one_clear_line_on_a_write(cli: Cli) -> None:
    cli.ok("contact", "add", "--first", "Ada", "--last", "Lovelace")
    with engines.read_only_role(str(cli.db_path)) as url:
        reader = Cli(url)  # type: ignore[arg-type]
        listed = reader.json("contact", "list")
        assert [c["last_name"] for c in listed] == ["Lovelace"]
        failed = reader.fails("contact", "add", "--first", "Eve", "--last", "Reader")
        assert "read-only" in failed.stderr and "nothing was written" in failed.stderr
        assert len(failed.stderr.strip().splitlines()) == 1
        assert [c["last_name"] for c in cli.json("contact", "list")] == ["Lovelace"]


# --- the dialects ----------------------------------------------------------------------------


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.from_regex(r"[a-z0-9]{1,6}", fullmatch=True), min_size=1), max_size=4))
def test_sqlites_full_text_query_is_fts5s_expression(groups: list[list[str]]) -> None:
    from greentech_cli.db.dialect import SQLITE
    from greentech_cli.text.fulltext import fts_expression

    assert SQLITE.fts_query(groups) == fts_expression(groups)


def test_nocase_folds_ascii_letters_only_on_both_engines(db_path: object) -> None:
    """SQLite's NOCASE folds A-Z only: Ä and ä differ; PostgreSQL's dialect gives the same."""
    from greentech_cli.db import open_db

    db = open_db(db_path, create=True)  # type: ignore[arg-type]
    try:
        d = db.dialect
        same = f"SELECT CASE WHEN {d.eq_nocase('?', '?')} THEN 1 ELSE 0 END"
        assert db.execute(same, ["ABC", "abc"]).fetchone()[0] == 1
        assert db.execute(same, ["ÄBC", "äbc"]).fetchone()[0] == 0
        assert db.execute(same, ["Straße", "STRASSE"]).fetchone()[0] == 0
    finally:
        db.close()


def test_the_tag_filter_folds_ascii_letters_only_on_both_engines(cli: Cli) -> None:
    """`--tag` compares as NOCASE does: ÜBER is Über (B, E, R fold), über is not (Ü does not)."""
    cli.ok("contact", "add", "--first", "Ada", "--last", "Ames", "--tag", "Über")
    cli.ok("company", "add", "Alpha GmbH", "--tag", "Über")
    for what in ("contact", "company"):
        assert len(cli.json(what, "list", "--tag", "ÜBER")) == 1, what
        assert cli.json(what, "list", "--tag", "über") == [], what


@on_postgres
def test_a_value_the_server_refuses_is_not_called_unreachable(cli: Cli) -> None:
    """An index row too long for PostgreSQL (a name of 4,500 characters that do not compress)
    is the server's refusal, said as such; nothing is written."""
    import hashlib

    # Text that does not compress (PostgreSQL compresses a long index entry before it refuses).
    name = "".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(141))[:4500]
    failed = cli.fails("company", "add", name)
    assert "refused it" in failed.stderr and "cannot be reached" not in failed.stderr
    assert "nothing was written" in failed.stderr
    assert cli.json("company", "list") == []


def test_the_drivers_errors_say_what_went_wrong() -> None:
    psycopg_errors = pytest.importorskip("psycopg.errors")
    from greentech_cli.db.postgres_database import error

    def said(exc: Exception) -> str:
        found = error(exc, "the team database")
        assert found is not None
        return found.message

    assert "read-only for this user" in said(
        psycopg_errors.InsufficientPrivilege("permission denied for table contacts")
    )
    owner = said(psycopg_errors.InsufficientPrivilege("must be owner of table contacts"))
    assert "owner" in owner and "read-only" not in owner
    assert "cannot be reached" in said(psycopg_errors.OperationalError("connection lost"))
    limit = said(psycopg_errors.ProgramLimitExceeded("index row size 4568 exceeds maximum"))
    assert "refused it (index row size" in limit and "cannot be reached" not in limit


def test_a_url_without_the_team_extra_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """`pip install .` alone has no psycopg: a postgresql:// URL says which extra to install."""
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg raises ImportError
    result = Cli("postgresql://officer:s3cret@db.invalid/team")("contact", "add", "--first", "A")  # type: ignore[arg-type]
    assert result.exit_code == 1, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert "greentech[team]" in result.stderr and "s3cret" not in result.stderr


@pytest.mark.parametrize("command", [["backup"], ["restore", "x.db", "--yes"], ["doctor"]])
def test_file_commands_on_an_unreachable_postgresql_url_say_one_line(command: list[str]) -> None:
    """backup, restore and doctor work on PostgreSQL (the portable dump; tests in
    test_backup_engines); a server that cannot be reached is one line, the password unsaid."""
    result = Cli("postgresql://officer:s3cret@db.invalid/team")(*command)  # type: ignore[arg-type]
    assert result.exit_code == 1, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert "s3cret" not in result.stderr and "Traceback" not in result.stderr
