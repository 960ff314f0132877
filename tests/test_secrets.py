"""A database's password is never shown (issue 21; README: "greentech never shows one").

`config.shown_url` hides every password a URL or key=value string may carry, however libpq or
urlsplit would split it; every command naming a database uses it; the error line of `cli/app`
scrubs what a driver's own message quotes. The CLI tests run each command with a password in
the URL and look for it in stdout and stderr: on a server that does not exist (127.0.0.1:1
refuses at once), and — with GREENTECH_TEST_ENGINE=postgresql (`.ci/postgres`) — on the test
server, whose `trust` authentication ignores the password given.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from greentech_cli.config import resolve_db, scrubbed, shown_url, url_without_password
from greentech_cli.errors import UsageError
from tests.conftest import ON_POSTGRES, Cli

SECRET = "S3cretPW"
on_postgres = pytest.mark.skipif(not ON_POSTGRES, reason="needs GREENTECH_TEST_ENGINE=postgresql")


# --- shown_url ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        # in the user info
        ("postgresql://o:S3cretPW@h/gt", "postgresql://o:***@h/gt"),
        ("postgres://o:S3cretPW@h:5432/gt", "postgres://o:***@h:5432/gt"),
        ("postgresql://o:S3cretPW@h1:5432,h2:5433/gt", "postgresql://o:***@h1:5432,h2:5433/gt"),
        ("postgresql://o:S3cretPW@[::1]:5432/gt", "postgresql://o:***@[::1]:5432/gt"),
        ("postgresql://o:S3cretPW@/gt?host=/run/pg", "postgresql://o:***@/gt?host=/run/pg"),
        ("postgresql://:S3cretPW@h/gt", "postgresql://:***@h/gt"),
        ("postgresql://o:@h/gt", "postgresql://o:***@h/gt"),
        # in the query, any position, sslpassword too, the key itself percent-encoded
        ("postgresql://o@h/gt?password=S3cretPW", "postgresql://o@h/gt?password=***"),
        (
            "postgresql://o@h/gt?sslmode=require&password=S3cretPW&connect_timeout=3",
            "postgresql://o@h/gt?sslmode=require&password=***&connect_timeout=3",
        ),
        ("postgresql://o@h/gt?sslpassword=S3cretPW", "postgresql://o@h/gt?sslpassword=***"),
        ("postgresql://o@h/gt?pass%77ord=S3cretPW", "postgresql://o@h/gt?pass%77ord=***"),
        ("postgresql://o@h/gt?PASSWORD=S3cretPW", "postgresql://o@h/gt?PASSWORD=***"),
        ("postgresql://o:a@h/gt?password=S3cretPW", "postgresql://o:***@h/gt?password=***"),
        # percent-encoded, and what libpq cannot even decode
        ("postgresql://o:S3cret%2FPW%40x@h/gt", "postgresql://o:***@h/gt"),
        ("postgresql://o:S3cretPW%zz@h/gt", "postgresql://o:***@h/gt"),
        ("postgresql://o@h/gt?password=S3cret%26PW", "postgresql://o@h/gt?password=***"),
        # bare characters that split the URL differently for libpq and urlsplit
        ("postgresql://o:S3cret@PW@h/gt", "postgresql://o:***@h/gt"),
        ("postgresql://o:S3cret/PW@h/gt", "postgresql://o:***@h/gt"),
        ("postgresql://o:S3cret?PW@h/gt", "postgresql://o:***@h/gt"),
        ("postgresql://o:S3cret#PW@h/gt", "postgresql://o:***@h/gt"),
        ("postgresql://o:S3cretPW@[h/gt", "postgresql://o:***@[h/gt"),
        # absent: the URL as given
        ("postgresql://o@h:5432/gt", "postgresql://o@h:5432/gt"),
        ("postgresql://greentech@/gt?host=/tmp/x&port=5432", None),
        ("postgresql://h/gt?application_name=a@b", None),
        ("/home/o/greentech.db", None),
        # libpq's key=value form, quoted or not
        ("host=h password=S3cretPW dbname=gt", "host=h password=*** dbname=gt"),
        ("host=h password = 'S3cret PW' dbname=gt", "host=h password = *** dbname=gt"),
        ("host=h password='S3cret \\' PW'", "host=h password=***"),
        ("dbname=gt sslpassword=S3cretPW", "dbname=gt sslpassword=***"),
        # another scheme's URL, named in a refusal
        ("mysql://o:S3cretPW@h/gt", "mysql://o:***@h/gt"),
    ],
)
def test_shown_url_hides_every_password(url: str, shown: str | None) -> None:
    assert shown_url(url) == (url if shown is None else shown)
    assert "S3cret" not in shown_url(url)


def test_a_url_given_again_leaves_the_password_out() -> None:
    """What demo's suggested commands name: a URL that works (libpq then reads ~/.pgpass or
    PGPASSWORD), not one with *** in it."""
    assert url_without_password("postgresql://o:S3cretPW@h/gt") == "postgresql://o@h/gt"
    assert url_without_password("postgresql://o@h/gt?sslmode=require&password=S3cretPW") == (
        "postgresql://o@h/gt?sslmode=require"
    )
    assert url_without_password("postgresql://o@h/gt?password=x") == "postgresql://o@h/gt"
    assert url_without_password("postgresql://:x@h/gt") == "postgresql://h/gt"
    plain = "postgresql://greentech@/gt?host=/tmp/x&port=5432"
    assert url_without_password(plain) == plain


def test_the_location_in_use_is_shown_without_its_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"postgresql://o@h/gt?password={SECRET}"
    flag = resolve_db(url)
    assert flag.url == url and flag.shown == "postgresql://o@h/gt?password=***"
    assert SECRET not in str(flag.path)  # what `app_ctx.path` says of a URL
    config = tmp_path / "config.yaml"
    config.write_text(f"db: postgresql://o:{SECRET}@h/gt\n", encoding="utf-8")
    monkeypatch.setenv("GREENTECH_CONFIG", str(config))
    assert resolve_db(None).shown == "postgresql://o:***@h/gt"


# Passwords as an officer might type them: anything printable, a few characters at least (so a
# password is not by chance a piece of the URL around it).
passwords = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=4, max_size=40
)


@given(passwords)
def test_any_percent_encoded_password_is_hidden(password: str) -> None:
    encoded = quote(password, safe="")
    assert shown_url(f"postgresql://officer:{encoded}@db.example.org/team") == (
        "postgresql://officer:***@db.example.org/team"
    )
    assert shown_url(f"postgresql://officer@db.example.org/team?password={encoded}&x=1") == (
        "postgresql://officer@db.example.org/team?password=***&x=1"
    )


def _quoted(value: str) -> str:
    """A value in libpq's key=value form: in single quotes, backslash and quote escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


@given(passwords)
def test_any_password_as_typed_is_never_shown(password: str) -> None:
    """Typed into the URL as it is, not encoded: whatever reader splits the URL where, no part
    that any of them takes for the password is shown (the exact form where no bare `=` or `%`
    leaves room for another reading)."""
    # Known gap: a bare "=" and "/" both in a password typed into the user info (no reader takes
    # it for one; libpq fails to connect) is not found.
    assume(not {"=", "/"} <= set(password))
    typed = [f"postgresql://officer:{password}@db.example.org/team"]
    if "&" not in password:  # a bare & in a query starts the next parameter
        typed.append(f"postgresql://officer@db.example.org/team?password={password}")
    for url in (
        *typed,
        f"host=db.example.org password={_quoted(password)} dbname=team",
    ):
        assume(password not in url_without_password(url.replace(password, "")))
        shown = shown_url(url)
        assert password not in shown, (url, shown)
        assert password not in scrubbed(f"driver: {url!r} {password}", [url])
    if not set(password) & set("=%&"):
        url = f"postgresql://officer:{password}@db.example.org/team"
        assert shown_url(url) == "postgresql://officer:***@db.example.org/team"


# --- the command line --------------------------------------------------------------------------

# A server that does not exist: the port refuses at once.
NOWHERE = [
    f"postgresql://officer:{SECRET}@127.0.0.1:1/team",
    f"postgresql://officer@127.0.0.1:1/team?password={SECRET}",
    f"postgresql://officer:{quote(SECRET + '/x', safe='')}@127.0.0.1:1/team",
    f"postgresql://officer:{SECRET}%zz@127.0.0.1:1/team",  # libpq's error quotes the token
    f"postgresql://officer:{SECRET}@[127.0.0.1/team",  # libpq's error quotes the whole URL
]
COMMANDS = [
    ["demo"],
    ["info"],
    ["info", "--format", "json"],
    ["doctor"],
    ["doctor", "--format", "json"],
    ["contact", "list", "--format", "json"],
    ["contact", "add", "--first", "A"],
    ["backup"],
    ["restore", "x.ndjson", "--yes"],
    ["db", "dump"],
]


def _output(result: Any) -> str:
    return result.stdout + result.stderr + str(result.exception or "")


@pytest.mark.parametrize("url", NOWHERE)
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_no_command_shows_the_password_of_a_server_it_cannot_reach(
    url: str, command: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    result = Cli(url)(*command)  # type: ignore[arg-type]
    assert SECRET not in _output(result) and "Traceback" not in _output(result)
    assert "S3cret" not in _output(result)
    if command[0] not in ("info",):
        assert result.exit_code in (1, 2), _output(result)
        assert result.stderr.strip().splitlines()[-1].startswith("Error: ")
    # The same database named by GREENTECH_DB, and with --debug's traceback.
    monkeypatch.setenv("GREENTECH_DB", url)
    from typer.testing import CliRunner

    from greentech_cli.cli.app import app

    for args in (command, ["--debug", *command]):
        again = CliRunner().invoke(app, args)
        assert "S3cret" not in _output(again), args
    assert not any("S3cret" in p.name for p in tmp_path.rglob("*"))


@pytest.mark.parametrize("url", NOWHERE[:2])
def test_db_copy_and_usage_errors_do_not_show_the_password(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from greentech_cli.cli.app import app

    monkeypatch.chdir(tmp_path)
    runs = [
        ["db", "copy", url, str(tmp_path / "copy.db")],
        ["db", "copy", str(tmp_path / "missing.db"), url],
        ["db", "copy", url, url],
        ["db", "copy", url, str(tmp_path / "copy.db"), "--format", "json"],
        ["db", "dump", url],  # Click's "unexpected extra argument (…)"
        [url],  # Click's "No such command '…'"
    ]
    for args in runs:
        result = CliRunner().invoke(app, args)
        assert result.exit_code in (1, 2), (args, _output(result))
        assert "S3cret" not in _output(result), args
    assert not (tmp_path / "copy.db").exists()


@pytest.mark.parametrize(
    "text",
    [
        f"host=db.example.org password={SECRET} dbname=team",
        f"dbname=team user=officer password='{SECRET}'",
        f"mysql://officer:{SECRET}@db.example.org/team",
        f"postgresql+psycopg://officer:{SECRET}@db.example.org/team",
    ],
)
def test_a_database_neither_file_nor_postgresql_url_is_refused(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not taken for a file's name: `init` would have made a file named after the password."""
    monkeypatch.chdir(tmp_path)
    for command in (["init"], ["contact", "list"], ["demo"]):
        result = Cli(text)(*command)  # type: ignore[arg-type]
        assert result.exit_code == 2, _output(result)
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: --db option")
        assert "S3cret" not in _output(result)
    copy = Cli(tmp_path / "a.db")("db", "copy", str(tmp_path / "a.db"), text)  # type: ignore[arg-type]
    assert copy.exit_code == 2 and "S3cret" not in _output(copy)
    assert "the target" in copy.stderr
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(UsageError, match=r"key=value|not supported"):
        resolve_db(text)


def test_a_file_named_like_a_connection_string_is_still_a_file(tmp_path: Path) -> None:
    odd = tmp_path / "host=archive.db"
    Cli(odd).ok("init")  # type: ignore[arg-type]
    assert resolve_db(str(odd)).path == odd


# --- on a real server ----------------------------------------------------------------------------


def _with_password(url: str, how: str) -> str:
    """The test database's URL with a password in it (the test server's `trust` ignores it)."""
    if how == "userinfo":
        user, at, rest = url.partition("://")[2].partition("@")
        assert at and ":" not in user
        return f"postgresql://{user}:{quote(SECRET + '@/?', safe='')}@{rest}"
    return f"{url}{'&' if '?' in url else '?'}password={SECRET}"


@on_postgres
@pytest.mark.parametrize("how", ["userinfo", "query"])
def test_on_a_server_no_command_shows_the_password(
    db_path: Any, how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    url = _with_password(str(db_path), how)
    cli = Cli(url)  # type: ignore[arg-type]
    encoded = quote(SECRET + "@/?", safe="")
    runs = [
        cli.ok("demo"),
        cli.ok("demo"),  # "already in …"
        cli.ok("info"),
        cli.ok("info", "--format", "json"),
        cli.ok("doctor"),
        cli.ok("doctor", "--format", "json"),
        cli.ok("backup"),
        cli.ok("db", "copy", url, str(tmp_path / "copy.db")),
        cli.ok("restore", str(tmp_path / "copy.db"), "--yes"),
        cli.fails("db", "copy", str(tmp_path / "copy.db"), url, code=1),  # holds data already
        cli.fails("contact", "show", "99999", code=1),
        cli.ok("log", "--format", "json"),
    ]
    for result in runs:
        assert SECRET not in _output(result) and encoded not in _output(result)
    assert f"{'password=***' if how == 'query' else ':***@'}" in runs[2].stdout + runs[0].stderr
    # Files greentech wrote: their names and their contents.
    home = Path(os.environ["HOME"])
    for path in [*home.rglob("*"), *tmp_path.rglob("*")]:
        assert SECRET not in path.name and encoded not in path.name
        if path.is_file() and path.suffix in (".ndjson", ".json", ".yaml", ".txt"):
            assert SECRET not in path.read_text(encoding="utf-8", errors="replace")
    # demo's suggested commands name the database without the password, and they work.
    suggested = [
        line.strip()
        for line in runs[0].stderr.splitlines()
        if line.strip().endswith(" check kz-waste-demo")
    ]
    assert suggested and "password" not in suggested[0] and ":***@" not in suggested[0]
    assert "The password is left out of --db above" in runs[0].stderr
    import shlex

    words = shlex.split(suggested[0])
    assert words[:2] == ["greentech", "--db"]
    checked = Cli(words[2])(*words[3:])  # type: ignore[arg-type]
    assert checked.exit_code == 1 and "travel-time" in checked.stdout  # the demo's one error
