"""A psycopg 3 connection shaped like the sqlite3 connection the store uses.

Store modules write `?`, `?NNN` and `:name` placeholders (sqlite3's); `translate` turns them into
psycopg's `%s` / `%(name)s` once per statement (cached), doubles a literal `%`, and quotes the
identifiers PostgreSQL reserves (`user`). The connection runs in autocommit mode with explicit
BEGIN/COMMIT, as greentech's sqlite3 connections do (`isolation_level=None`); `in_transaction`,
`execute`, `executemany`, `close` and a cursor's `lastrowid` (an INSERT into a table with an
identity `id` returns it) behave as the store expects. Rows are tuples, addressed by index
(`cursor.description` names them).

psycopg is imported only here, and this module only for a `postgresql://` URL.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

# Words PostgreSQL reserves that greentech's schema uses as column names: quoted in statements.
RESERVED = frozenset({"user"})

_TOKENS = re.compile(
    r"""
    (?P<string>'(?:[^']|'')*')
    | (?P<quoted>"(?:[^"]|"")*")
    | (?P<comment>--[^\n]*)
    | (?P<cast>::)
    | (?P<numbered>\?(?P<number>\d+))
    | (?P<positional>\?)
    | (?P<named>(?<![\w:]):(?P<name>[A-Za-z_]\w*))
    | (?P<percent>%)
    | (?P<word>[A-Za-z_]\w*)
    """,
    re.VERBOSE,
)
_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+\"?(\w+)\"?", re.IGNORECASE)


class Statement:
    """One statement as psycopg reads it, and how sqlite3-style parameters map onto it."""

    __slots__ = ("insert_into", "named", "order", "sql")

    def __init__(self, sql: str, order: tuple[int, ...] | None, named: bool, insert_into: str):
        self.sql = sql
        self.order = order  # for ?NNN: the (0-based) parameter each %s takes
        self.named = named
        self.insert_into = insert_into  # the table of an INSERT without RETURNING, else ""

    def parameters(self, given: Any) -> Any:
        """The parameters in psycopg's shape."""
        if self.named:
            return dict(given)
        values = list(given) if given is not None else []
        if self.order is not None:
            return [values[i] for i in self.order]
        return values


@lru_cache(maxsize=2048)
def translate(sql: str) -> Statement:
    """A statement with sqlite3's placeholders (`?`, `?NNN`, `:name`) in psycopg's spelling."""
    out: list[str] = []
    order: list[int] = []
    numbered = named = positional = False
    last = 0
    for match in _TOKENS.finditer(sql):
        out.append(sql[last : match.start()])
        last = match.end()
        kind = match.lastgroup
        text = match.group()
        if kind == "numbered":
            numbered = True
            order.append(int(match.group("number")) - 1)
            out.append("%s")
        elif kind == "positional":
            positional = True
            out.append("%s")
        elif kind == "named":
            named = True
            out.append(f"%({match.group('name')})s")
        elif kind in ("percent", "string", "quoted", "comment"):
            out.append(text.replace("%", "%%"))
        elif kind == "word" and text.lower() in RESERVED:
            out.append(f'"{text.lower()}"')
        else:
            out.append(text)
    out.append(sql[last:])
    if sum((numbered, named, positional)) > 1:
        raise ValueError(f"a statement mixes kinds of placeholders: {sql[:80]}")
    text = "".join(out)
    insert = _INSERT.match(text)
    into = insert.group(1) if insert and "RETURNING" not in text.upper() else ""
    return Statement(text, tuple(order) if numbered else None, named, into)


_UNREAD = object()


class Cursor:
    """The result of one statement: fetchone, fetchall, iteration, rowcount, lastrowid."""

    def __init__(self, raw: Any, lastrowid: int | None = None) -> None:
        self._raw = raw
        self.lastrowid = lastrowid
        self._description: Any = _UNREAD

    @property
    def description(self) -> Any:
        # psycopg builds it anew on every read (a Column a column): read once a statement.
        if self._description is _UNREAD:
            self._description = self._raw.description
        return self._description

    @property
    def rowcount(self) -> int:
        return int(self._raw.rowcount)

    def fetchone(self) -> tuple[Any, ...] | None:
        if self.description is None:
            return None
        row = self._raw.fetchone()
        return None if row is None else tuple(row)

    def fetchall(self) -> list[tuple[Any, ...]]:
        if self.description is None:
            return []
        return [tuple(row) for row in self._raw.fetchall()]

    def fetchmany(self, size: int = 1) -> list[tuple[Any, ...]]:
        if self.description is None:
            return []
        return [tuple(row) for row in self._raw.fetchmany(size)]

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        if self.description is None:
            return iter(())
        return (tuple(row) for row in self._raw)

    def close(self) -> None:
        self._raw.close()


class Connection:
    """A psycopg connection in autocommit mode, spoken to as greentech speaks to sqlite3."""

    def __init__(self, raw: Any, id_tables: Iterable[str] = ()) -> None:
        self.raw = raw
        # Tables whose INSERTs return the new row's id (an identity column `id`).
        self.id_tables = frozenset(id_tables)
        # Whether the schema has the write counter (`postgres_database.data_version`).
        self.counts_writes = False
        self._trace: Callable[[str], object] | None = None

    def set_trace_callback(self, callback: Callable[[str], object] | None) -> None:
        """Call `callback` with each statement run (as sqlite3's connection does)."""
        self._trace = callback

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return bool(self.raw.info.transaction_status != TransactionStatus.IDLE)

    def execute(self, sql: str, parameters: Any = ()) -> Cursor:
        if self._trace is not None:
            self._trace(sql)
        statement = translate(sql)
        query = statement.sql
        returning = statement.insert_into in self.id_tables
        if returning:
            query += " RETURNING id"
        cursor = self.raw.execute(query, statement.parameters(parameters), prepare=False)
        if not returning:
            return Cursor(cursor)
        rows = cursor.fetchall()
        return Cursor(cursor, int(rows[-1][0]) if rows else None)

    def executemany(self, sql: str, seq_of_parameters: Iterable[Any]) -> Cursor:
        if self._trace is not None:
            self._trace(sql)
        statement = translate(sql)
        cursor = self.raw.cursor()
        cursor.executemany(statement.sql, [statement.parameters(p) for p in seq_of_parameters])
        return Cursor(cursor)

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Insert rows with one COPY (`Database.insert_many`); triggers fire as for INSERT."""
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        if self._trace is not None:
            self._trace(sql)
        with self.raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    def executescript(self, script: str) -> None:
        self.raw.execute(script)

    def close(self) -> None:
        self.raw.close()


def connect(url: str, id_tables: Sequence[str] = (), application: str | None = None) -> Connection:
    """A connection to the database a URL names (psycopg reads libpq's URL and environment),
    its session named `application` (pg_stat_activity's application_name)."""
    import psycopg

    if application:
        raw = psycopg.connect(url, autocommit=True, application_name=application)
    else:
        raw = psycopg.connect(url, autocommit=True)
    return Connection(raw, id_tables)
