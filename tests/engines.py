"""The test engine's databases: fresh PostgreSQL databases from a template, and one way for tests
to poke a database directly whatever its engine (instead of `sqlite3.connect(path)`).

    with engines.connect(db_path) as conn:      # a file's path or a postgresql:// URL
        conn.execute("UPDATE contacts SET notes = ? WHERE id = ?", ["x", 1])

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


class _Sqlite:
    def __init__(self, path: Path) -> None:
        self.raw = sqlite3.connect(str(path), isolation_level=None)

    def execute(self, sql: str, parameters: Any = ()) -> Any:
        return self.raw.execute(sql, parameters)

    def close(self) -> None:
        self.raw.close()


@contextmanager
def connect(target: Path | str) -> Iterator[Any]:
    """A direct connection to the test's database (autocommit), closed afterwards."""
    if isinstance(target, str) and target.startswith("postgresql://"):
        from greentech_cli.db import postgres

        conn: Any = postgres.connect(target)
    else:
        conn = _Sqlite(Path(target))
    try:
        yield conn
    finally:
        conn.close()
