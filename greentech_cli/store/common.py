"""Helpers every store module shares: timestamps, JSON columns and row lookups."""

from __future__ import annotations

import json
import os
import uuid
import weakref
from collections.abc import Callable
from dataclasses import is_dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from greentech_cli.errors import NotFound

if TYPE_CHECKING:
    from greentech_cli.db import Database

T = TypeVar("T")


def now() -> str:
    """The current UTC time as ISO 8601 with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def dumps(value: Any) -> str:
    """A JSON column value, compact and with Unicode kept readable."""
    kind = type(value)
    if kind is list:
        if not value:
            return "[]"  # most tag and language lists: skip the encoder
        if all(type(item) is str for item in value):
            # Texts (tags, websites): the encoder's own string encoding, without the encoder.
            return "[" + ",".join(map(_string, value)) + "]"
    elif kind is dict and all(type(k) is str and type(v) is str for k, v in value.items()):
        # Named texts (extra): likewise.
        return "{" + ",".join([f"{_string(k)}:{_string(v)}" for k, v in value.items()]) + "}"
    return _ENCODER.encode(value)


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_string = json.encoder.encode_basestring


def loads_list(text: str | None) -> list[Any]:
    """A JSON list column; empty or NULL is an empty list."""
    if not text or text == "[]":
        return []
    value = json.loads(text)
    return value if isinstance(value, list) else []


def loads_dict(text: str | None) -> dict[str, Any]:
    """A JSON object column; empty or NULL is an empty mapping."""
    if not text:
        return {}
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


def encode(value: Any) -> Any:
    """A field's column value: lists and mappings as JSON (value objects as compact mappings
    without their empty parts), anything else as it is."""
    if isinstance(value, list):
        if not value:
            return "[]"
        if is_dataclass(value[0]):
            return "[" + ",".join(map(_object_json, value)) + "]"
        return dumps(value)
    if isinstance(value, dict):
        return dumps(value) if value else "{}"
    return value


def encode_items(value: Any) -> Any:
    """`encode` of a column of value objects (emails, phones, addresses): the same text, with
    the common cases (none; value objects) answered first."""
    if not value:
        return encode(value)
    if type(value) is list and is_dataclass(value[0]):
        return "[" + ",".join(map(_object_json, value)) + "]"
    return encode(value)


def _object_json(item: Any) -> str:
    """A value object (email, phone, address) as a compact JSON mapping of its text parts, the
    empty ones left out: the string encoder alone, about a third of the general encoder's cost
    for the one email and one phone of most imported rows."""
    return (
        "{"
        + ",".join([f'"{k}":{_string(v)}' for k, v in item.__dict__.items() if v is not None])
        + "}"
    )


def decode_row(
    row: dict[str, Any],
    names: tuple[str, ...],
    items: dict[str, type],
    lists: tuple[str, ...],
    mappings: tuple[str, ...],
) -> dict[str, Any]:
    """A record's field values from its row: `items` as value objects, `lists` and `mappings`
    from their JSON, the other `names` as stored (the reverse of `encode`)."""
    values: dict[str, Any] = {name: row[name] for name in names}
    for name, kind in items.items():
        values[name] = decode_items(row[name], kind)
    for name in lists:
        values[name] = loads_list(row[name])
    for name in mappings:
        values[name] = loads_dict(row[name])
    return values


def decode_items(text: str | None, kind: type[T]) -> list[T]:
    """A JSON list column of value objects (emails, phones, addresses) as those objects."""
    return [kind(**item) for item in loads_list(text) if isinstance(item, dict)]


def fetch_one(db: Database, sql: str, params: list[Any] | tuple[Any, ...]) -> dict[str, Any] | None:
    """The first row of a query as a mapping, or None."""
    cursor = db.execute(sql, list(params))
    row = cursor.fetchone()
    if row is None:
        return None
    names = [d[0] for d in cursor.description]
    return dict(zip(names, row, strict=True))


def fetch_all(
    db: Database, sql: str, params: list[Any] | tuple[Any, ...] = ()
) -> list[dict[str, Any]]:
    """All rows of a query as mappings."""
    cursor = db.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def insert_row(db: Database, table: str, row: dict[str, Any]) -> int:
    """Insert one row (column names come from code, never from users); returns its id."""
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    cursor = db.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(row.values()))
    return int(cursor.lastrowid or 0)


def declared_columns(db: Database, table: str) -> list[tuple[str, str]]:
    """(name, declared type) of a table's columns, read once per connection."""
    known = _COLUMNS.setdefault(db, {})
    if table not in known:
        known[table] = [
            (str(name), str(kind)) for name, kind in db.execute(db.dialect.columns_sql, [table])
        ]
    return known[table]


_COLUMNS: weakref.WeakKeyDictionary[Database, dict[str, list[tuple[str, str]]]] = (
    weakref.WeakKeyDictionary()
)


def _stored_as_given(value: Any, declared: str) -> bool:
    """Whether SQLite keeps this value unchanged in a column of this declared type."""
    if value is None:
        return True
    if declared == "TEXT":
        return type(value) is str
    if declared == "INTEGER":
        return type(value) is int
    return False


def insert_stored_row(db: Database, table: str, row: dict[str, Any]) -> dict[str, Any]:
    """Insert one row and return it as stored: every column, in table order, id included.

    The values are those given when SQLite stores them unchanged (text in TEXT columns, integers
    in INTEGER ones, every column given); otherwise the row is read back. Cheaper than
    INSERT … RETURNING, which costs more than a second statement here.
    """
    row_id = insert_row(db, table, row)
    values = {"id": row_id, **row}
    columns = declared_columns(db, table)
    if len(columns) == len(values):
        stored = {}
        for name, declared in columns:
            value = values.get(name, _MISSING)
            if value is _MISSING or not _stored_as_given(value, declared):
                break
            stored[name] = value
        else:
            return stored
    found = fetch_one(db, f"SELECT * FROM {table} WHERE id = ?", [row_id])
    assert found is not None
    return found


_MISSING = object()


def update_row(db: Database, table: str, row_id: int, row: dict[str, Any]) -> None:
    """Set the given columns of one row."""
    assignments = ", ".join(f"{name} = ?" for name in row)
    db.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", [*row.values(), row_id])


def count(db: Database, table: str) -> int:
    """The number of rows in a table (table names come from code, never from users)."""
    return int(db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])


def as_id(ref: str | int) -> int | None:
    """The integer id a reference stands for, when it is one."""
    text = str(ref).strip()
    # isascii: "²" is a digit to isdigit(); the bound keeps SQLite's 64-bit integers in range.
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None


def not_found(what: str, ref: str | int) -> NotFound:
    """The one NotFound message shape for a reference that matched nothing."""
    return NotFound(f"no {what} {str(ref)!r}")


def new_uid() -> str:
    """A random, stable identity for a contact or company (a UUID), kept through export/import."""
    return str(uuid.uuid4())


# The variant digit of a random UUID (RFC 4122: binary 10xx) for each hex digit of random bits.
_VARIANT = {f"{i:x}": "89ab"[i & 3] for i in range(16)}


def new_uids(count: int) -> list[str]:
    """`count` new uids at once: what `new_uid` gives (version 4, RFC 4122 variant), from one
    read of the system's random source, formatted without a UUID object each (a large import
    makes one for every new contact)."""
    digits = os.urandom(16 * count).hex()
    uids = []
    for start in range(0, 32 * count, 32):
        h = digits[start : start + 32]
        uids.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}")
    return uids


def next_free_id(db: Database, table: str) -> int:
    """The next id of `table` that no row ever had: past its highest id and past the highest one
    ever deleted (recorded in `retired_ids` by the table's delete trigger)."""
    found = db.execute(
        f'SELECT {db.dialect.greatest}(coalesce((SELECT max(id) FROM "{table}"), 0), '
        "coalesce((SELECT last_id FROM retired_ids WHERE name = ?), 0)) + 1",
        [table],
    ).fetchone()
    return int(found[0])


class NewIds:
    """Ids for new rows of `table` (contacts, companies), none of them an id a row ever had.

    Where the engine counts ids itself (`Dialect.new_ids`: PostgreSQL's identity sequence) they
    come from it, a block at a time in one statement — blocks grow as more are taken, up to
    `BLOCK` —, so concurrent writers never collide; `finish` gives back what the last block did
    not use (under the write lock nobody else takes ids), so ids run on without gaps as on
    SQLite. Elsewhere (SQLite), and in a dry run (`db.rehearsing`: nothing it writes stays, so it
    takes nothing from the counter), they are counted on from `next_free_id` inside the write
    transaction, where nobody else inserts.
    """

    BLOCK = 1024

    def __init__(self, db: Database, table: str) -> None:
        self.db = db
        self.table = table
        self.query = None if db.rehearsing else db.dialect.new_ids(table)
        self.taken = 0
        self.ready: list[int] = []
        self.next: int | None = None
        self.last = 0

    def take(self) -> int:
        """The next new id."""
        self.taken += 1
        if self.query is None:
            if self.next is None:
                self.next = next_free_id(self.db, self.table)
            found, self.next = self.next, self.next + 1
            return found
        if not self.ready:
            size = min(self.taken, self.BLOCK)
            rows = self.db.execute(self.query, [size]).fetchall()
            self.ready = [int(row[0]) for row in reversed(rows)]
            self.last = self.ready[0]
        return self.ready.pop()

    def finish(self) -> None:
        """Give back the ids taken from the counter but not used (called under the write lock
        once the rows are written; without it they are only skipped). Only an economy: a role
        without UPDATE on the sequence leaves them skipped (in a savepoint, so the rows stay)."""
        give_back = self.db.dialect.unused_ids(self.table)
        if self.ready and self.query is not None and give_back is not None:
            from psycopg.errors import InsufficientPrivilege  # only PostgreSQL has a counter

            try:
                with self.db.atomic():
                    self.db.execute(give_back, [self.ready[-1] - 1, self.last])
            except InsufficientPrivilege:
                pass
            self.ready = []


def new_id(db: Database, table: str) -> int:
    """One new id of `table` (see `NewIds`)."""
    return NewIds(db, table).take()


def _values(value: Any) -> list[Any]:
    """A filter's values as a list: a tuple's items, or the one value."""
    return list(value) if isinstance(value, tuple | list) else [value]


def one_of(
    expression: str, value: Any, params: list[Any], fold: Callable[[str], str] | None = None
) -> str:
    """SQL for a filter of one value (`expression = ?`) or several, any of which may match
    (`expression IN (?, …)`, a repeated option); the values are appended to `params`. With
    `fold` (`Dialect.fold`) both sides are compared with ASCII letters lowered."""
    values = _values(value)
    params.extend(values)
    left = fold(expression) if fold else expression
    marks = ", ".join(fold("?") if fold else "?" for _ in values)
    return f"{left} = {marks}" if len(values) == 1 else f"{left} IN ({marks})"


def given(value: Any) -> bool:
    """Whether a filter value was given (None, "" and an empty tuple were not)."""
    return value is not None and value != "" and value != ()
