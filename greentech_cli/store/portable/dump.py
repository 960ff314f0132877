"""The logical dump: every data table, sorted by its primary key, one canonical JSON line a row.

A line is `{"row":{…},"table":"contacts"}` with sorted keys, no spaces and the values as stored
(JSON columns stay the text they are). Tables come by name, rows by primary key (`engine`), so
two databases holding the same data give the same bytes whatever engine holds them. A table's
digest is the SHA-256 of its lines (each ending in a newline); the database's checksum is the
SHA-256 of `"<table> <rows> <digest>\\n"` for each table holding rows, by name — so it can be
made again from a dump file. Rows are read in batches: memory stays flat however large.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from greentech_cli.store.portable import engine
from greentech_cli.store.portable.engine import Table, quoted

if TYPE_CHECKING:
    from greentech_cli.db import Database

BATCH = 1000


def _value(value: Any) -> Any:
    """A value JSON cannot hold as it is: bytes become {"$bytes": base64}."""
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    raise TypeError(f"a stored value of type {type(value).__name__} cannot be dumped")


_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_value
)


def line(table: str, columns: tuple[str, ...], values: tuple[Any, ...]) -> str:
    """One row's canonical line, without its newline."""
    return _ENCODER.encode({"row": dict(zip(columns, values, strict=True)), "table": table})


def rows(db: Database, table: Table, *, rowid: bool = False) -> Iterator[tuple[Any, ...]]:
    """A table's rows as stored, columns in `table.columns` order, sorted for the dump; with
    `rowid`, each row's insertion order first (`Table.rowid`: the copy keeps it, the dump not)."""
    names = ", ".join(quoted(column) for column in table.columns)
    if rowid:
        names = f"{quoted(engine.ROWID)}, {names}"
    cursor = db.execute(f"SELECT {names} FROM {quoted(table.name)} {engine.order_by(table, db)}")
    while batch := cursor.fetchmany(BATCH):
        yield from (tuple(row) for row in batch)


@dataclass
class Digest:
    """A table's dump so far: how many rows, and the SHA-256 of their lines."""

    rows: int = 0
    _hash: Any = field(default_factory=hashlib.sha256, repr=False)

    def add(self, text: str) -> None:
        """Count one line (without its newline) in."""
        self.rows += 1
        self._hash.update(text.encode("utf-8") + b"\n")

    @property
    def sha256(self) -> str:
        """The hex digest of the lines added so far."""
        return str(self._hash.hexdigest())


@dataclass
class Summary:
    """Per table: rows and digest; and the checksum over them."""

    tables: dict[str, Digest]

    @property
    def checksum(self) -> str:
        """SHA-256 over `<table> <rows> <digest>` of each table holding rows, by name."""
        whole = hashlib.sha256()
        for name in sorted(self.tables):
            digest = self.tables[name]
            if digest.rows:
                whole.update(f"{name} {digest.rows} {digest.sha256}\n".encode())
        return whole.hexdigest()

    @property
    def counts(self) -> dict[str, int]:
        """Rows per table, by name."""
        return {name: self.tables[name].rows for name in sorted(self.tables)}

    def to_json(self) -> dict[str, Any]:
        """The JSON shape: the checksum, total rows, and rows and digest per table."""
        return {
            "checksum": self.checksum,
            "rows": sum(d.rows for d in self.tables.values()),
            "tables": {
                name: {"rows": d.rows, "sha256": d.sha256}
                for name, d in sorted(self.tables.items())
            },
        }

    def differences(self, other: Summary) -> list[str]:
        """The tables whose rows differ from `other`'s, as "contacts (24 rows against 23)"."""
        found = []
        for name in sorted(set(self.tables) | set(other.tables)):
            mine, theirs = self.tables.get(name, Digest()), other.tables.get(name, Digest())
            if mine.sha256 != theirs.sha256:
                what = "different rows"
                if mine.rows != theirs.rows:
                    what = f"{mine.rows} rows against {theirs.rows}"
                found.append(f"{name} ({what})")
        return found


def digest(db: Database, table: Table, sink: Callable[[str, str], None] | None = None) -> Digest:
    """One table's rows and digest; `sink(table, line)` gets each line on the way."""
    found = Digest()
    for values in rows(db, table):
        text = line(table.name, table.columns, values)
        found.add(text)
        if sink is not None:
            sink(table.name, text)
    return found


def dump_lines(db: Database, sink: Callable[[str, str], None] | None = None) -> Summary:
    """Read the whole database as of one moment and digest it; `sink(table, line)` gets every
    line in dump order (write it with a newline for the NDJSON file)."""
    with engine.snapshot(db):
        summary = Summary({})
        for table in engine.data_tables(db):
            summary.tables[table.name] = digest(db, table, sink)
    return summary


def summarise(db: Database) -> Summary:
    """The checksum and the rows per table of the database (no lines kept)."""
    return dump_lines(db)


def count(db: Database, table: Table) -> int:
    """How many rows a table holds."""
    return int(db.execute(f"SELECT count(*) FROM {quoted(table.name)}").fetchone()[0])
