"""The test engine's databases: fresh PostgreSQL databases from a template, and one way for tests
to poke a database directly whatever its engine (instead of `sqlite3.connect(path)`).

    with engines.connect(db_path) as conn:      # a file's path or a postgresql:// URL
        conn.execute("UPDATE contacts SET notes = ? WHERE id = ?", ["x", 1])
    conn = engines.connect(cli.db_path)         # or closed by hand: conn.close()

Statements are written with sqlite3's `?` placeholders on both engines and commit at once.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

_TEMPLATE: dict[str, str] = {}
_NUMBERS = itertools.count(1)


def server_url() -> str:
    """The PostgreSQL server of the test run (GREENTECH_TEST_PG)."""
    url = os.environ.get("GREENTECH_TEST_PG", "")
    if not url:
        pytest.fail("GREENTECH_TEST_ENGINE=postgresql needs GREENTECH_TEST_PG (see .ci/postgres)")
    return url


def _with_database(url: str, name: str) -> str:
    """The URL of database `name` on the server of `url`."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(server_url(), autocommit=True) as conn:
        conn.execute(sql)


def _prefix() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"gt_{os.getpid()}_{worker}"


def _template() -> str:
    """A migrated database to clone, made once per worker process."""
    name = _TEMPLATE.get("name")
    if name is None:
        from greentech_cli.db import open_db

        name = f"{_prefix()}_template"
        _admin(f'DROP DATABASE IF EXISTS "{name}"')
        _admin(f'CREATE DATABASE "{name}"')
        open_db(_with_database(server_url(), name), create=True).close()
        _TEMPLATE["name"] = name
    return name


def fresh_database(config: Any = None) -> str:
    """The URL of a new database holding today's schema and nothing else."""
    del config
    name = f"{_prefix()}_{next(_NUMBERS)}"
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{_template()}"')
    return _with_database(server_url(), name)


def drop_database(url: str) -> None:
    """Remove a test's database (its connections are ended first)."""
    from urllib.parse import urlsplit

    name = urlsplit(url).path.lstrip("/")
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class DbUrl(str):
    """A test database's URL that also names a folder for the files a test writes beside the
    database (`db_path.parent / "x.csv"`, as with a SQLite file's path)."""

    parent: Path

    @classmethod
    def beside(cls, url: str, folder: Path) -> DbUrl:
        made = cls(url)
        folder.mkdir(parents=True, exist_ok=True)
        made.parent = folder
        return made


class Connection:
    """A direct connection to a test's database (either engine), autocommit: `execute`,
    `executemany`, `commit` (nothing to do), `close`; as a context manager it closes at the end."""

    def __init__(self, target: Path | str) -> None:
        if isinstance(target, str) and target.startswith("postgresql://"):
            from greentech_cli.db import postgres

            self.raw: Any = postgres.connect(target)
        else:
            self.raw = sqlite3.connect(str(target), isolation_level=None)

    def execute(self, sql: str, parameters: Any = ()) -> Any:
        return self.raw.execute(sql, parameters)

    def executemany(self, sql: str, rows: Any) -> Any:
        return self.raw.executemany(sql, rows)

    def commit(self) -> None:
        """Nothing: every statement committed at once."""

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(target: Path | str) -> Connection:
    """A direct connection to the test's database (a file's path or a postgresql:// URL)."""
    return Connection(target)


@contextmanager
def read_only_role(url: str) -> Iterator[str]:
    """The URL of the test's PostgreSQL database as a new role that may only read (SELECT);
    afterwards the database is dropped (its grants with it) and the role too."""
    with role(url, "reader", ["SELECT ON ALL TABLES IN SCHEMA public"]) as reader:
        yield reader


@contextmanager
def role(url: str, name: str, grants: list[str]) -> Iterator[str]:
    """The URL of the test's PostgreSQL database as a new role (`name` and a number) that owns
    nothing and has `grants` ("SELECT ON ALL TABLES IN SCHEMA public", …) and USAGE on the
    schema; afterwards the database is dropped (its grants with it) and the role too."""
    from urllib.parse import urlsplit, urlunsplit

    role = f"{name}_{abs(hash(url)) % 10**8}"
    with connect(url) as conn:
        conn.execute(f"DROP ROLE IF EXISTS {role}")
        conn.execute(f"CREATE ROLE {role} LOGIN")
        for grant in grants:
            conn.execute(f"GRANT {grant} TO {role}")
        conn.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
    parts = urlsplit(url)
    try:
        yield urlunsplit(parts._replace(netloc=f"{role}@{parts.hostname or ''}"))
    finally:
        drop_database(url)
        with connect(server_url()) as conn:
            conn.execute(f"DROP ROLE IF EXISTS {role}")


def on_postgres() -> bool:
    """Whether the tests run against PostgreSQL (GREENTECH_TEST_ENGINE=postgresql)."""
    return os.environ.get("GREENTECH_TEST_ENGINE", "sqlite") == "postgresql"


def new_target(folder: Path, name: str) -> Any:
    """Where a fixture builds a database to copy from: a file in `folder`, or a new empty
    PostgreSQL database (left for the server's end)."""
    if not on_postgres():
        return folder / name
    url = fresh_database()
    drop_database(url)
    from urllib.parse import urlsplit

    _admin(f'CREATE DATABASE "{urlsplit(url).path.lstrip("/")}"')
    return url


def copy(source: Any, dest: Any) -> Any:
    """A copy of a test database over `dest` (a file copied, or a database cloned); `dest`."""
    if not on_postgres():
        import shutil

        Path(dest).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
        return dest
    from urllib.parse import urlsplit

    name, template = (urlsplit(str(u)).path.lstrip("/") for u in (dest, source))
    drop_database(str(dest))
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return dest


def dialect_of(target: Any) -> Any:
    """The dialect of a test database (for `Database(conn.raw, dialect_of(path))`)."""
    from greentech_cli.db import POSTGRES, SQLITE

    return POSTGRES if isinstance(target, str) and target.startswith("postgresql://") else SQLITE


def dump(target: Any) -> list[str]:
    """Everything a test database holds, as lines to compare (SQLite's iterdump; on PostgreSQL
    every table's rows, sorted)."""
    with connect(target) as conn:
        if not on_postgres() or not str(target).startswith("postgresql://"):
            return list(conn.raw.iterdump())
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() ORDER BY table_name"
        ).fetchall()
        lines = []
        for (table,) in tables:
            rows = conn.execute(f'SELECT * FROM "{table}"').fetchall()
            lines += sorted(f"{table} {row!r}" for row in rows)
        return lines


def fingerprint(target: Any) -> str:
    """A digest to say a test database is unchanged: a SQLite file's bytes (every byte the same),
    on PostgreSQL every table's rows (`dump`)."""
    import hashlib

    if not str(target).startswith("postgresql://"):
        return hashlib.sha256(Path(target).read_bytes()).hexdigest()
    return hashlib.sha256("\n".join(dump(target)).encode("utf-8")).hexdigest()


def stored_bytes(target: Any) -> bytes:
    """Everything a test database keeps, to look for traces of erased data: a SQLite file with
    its -wal and -shm (free pages and FTS5 segments included); on PostgreSQL every table's rows,
    the search indexes' tsvectors included (the server's own files and WAL are the server's: what
    they keep after the erase's VACUUM is said in the README)."""
    if not str(target).startswith("postgresql://"):
        parts = (Path(f"{target}{suffix}") for suffix in ("", "-wal", "-shm"))
        return b"".join(path.read_bytes() for path in parts if path.exists())
    return "\n".join(dump(target)).encode("utf-8")


def table_names(target: Any) -> set[str]:
    """The names of a test database's tables (search indexes' tables included)."""
    from greentech_cli.db import Database

    with connect(target) as conn:
        db = Database(conn.raw, dialect_of(target))
        return set(db.table_names())


def index_terms(target: Any) -> set[str]:
    """Every term of every full-text index, read from the index itself (not the bytes): SQLite's
    FTS5 tables through fts5vocab, PostgreSQL's tsvector columns through ts_stat."""
    with connect(target) as conn:
        if not str(target).startswith("postgresql://"):
            names = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%fts5%'"
                )
            ]
            terms: set[str] = set()
            for name in names:
                vocab = f"temp.v_{name}"
                conn.execute(f"CREATE VIRTUAL TABLE {vocab} USING fts5vocab(main, {name}, row)")
                terms |= {r[0] for r in conn.execute(f"SELECT term FROM {vocab}")}
            return terms
        columns = conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type = 'tsvector'"
        ).fetchall()
        terms = set()
        for table, column in columns:
            query = f'SELECT "{column}" FROM "{table}"'
            terms |= {r[0] for r in conn.execute("SELECT word FROM ts_stat(?)", [query])}
        return terms
