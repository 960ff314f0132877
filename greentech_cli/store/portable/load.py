"""Rows copied from one database into another, table by table, ids kept (engine-neutral SQL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from greentech_cli.errors import GreentechError
from greentech_cli.store.portable import dump, engine
from greentech_cli.store.portable.engine import Table, quoted

if TYPE_CHECKING:
    from greentech_cli.db import Database


def load_order(tables: list[Table]) -> list[Table]:
    """The tables in an order that satisfies their foreign keys: every table after the tables it
    refers to (a reference to itself aside), ties by name. A cycle is an error."""
    by_name = {table.name: table for table in tables}
    done: set[str] = set()
    ordered: list[Table] = []
    waiting = sorted(by_name)
    while waiting:
        ready = [
            name
            for name in waiting
            if all(p in done or p == name or p not in by_name for p in by_name[name].parents)
        ]
        if not ready:
            raise GreentechError(
                f"the tables {', '.join(waiting)} refer to each other in a circle; "
                "they cannot be copied in order"
            )
        for name in ready:
            ordered.append(by_name[name])
            done.add(name)
        waiting = [name for name in waiting if name not in done]
    return ordered


def schema_mismatch(source: list[Table], target: list[Table]) -> str | None:
    """What the target's tables lack that the source's have, or None when every source column
    has a place there."""
    columns = {table.name: set(table.columns) for table in target}
    for table in source:
        if table.name not in columns:
            return f"it has no table {table.name}"
        missing = [c for c in table.columns if c not in columns[table.name]]
        if missing:
            return f"its table {table.name} has no column {missing[0]}"
    return None


def clear(db: Database, tables: list[Table]) -> None:
    """Delete every row of the tables, children before their parents (call inside
    `engine.bulk_load`: no trigger may note the deletions)."""
    for table in reversed(load_order(tables)):
        db.execute(f"DELETE FROM {quoted(table.name)}")


def insert_statement(table: Table, *, rowid: bool = False) -> str:
    """The INSERT of a table's rows as the dump holds them (with `rowid`: that column first)."""
    columns = ((engine.ROWID,) if rowid else ()) + table.columns
    names = ", ".join(quoted(column) for column in columns)
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {quoted(table.name)} ({names}) VALUES ({marks})"


def insert_rows(db: Database, table: Table, batch: list[tuple[Any, ...]]) -> None:
    """Write a batch of a table's rows as the dump holds them."""
    db.conn.executemany(insert_statement(table), batch)


def copy_table(
    source: Database,
    target: Database,
    table: Table,
    digest: dump.Digest,
    advance: Callable[[int], None] | None = None,
    *,
    rowid: bool = False,
) -> None:
    """Copy a table's rows as stored, in dump order, digesting each row's line on the way (so
    the source's checksum comes from the very rows written); with `rowid` (both ends keep the
    rows' insertion order, `Table.rowid`), that order too."""
    insert = insert_statement(table, rowid=rowid)
    batch: list[tuple[Any, ...]] = []
    for values in dump.rows(source, table, rowid=rowid):
        digest.add(dump.line(table.name, table.columns, values[1:] if rowid else values))
        batch.append(values)
        if len(batch) >= dump.BATCH:
            _write(target, insert, batch, advance)
            batch = []
    if batch:
        _write(target, insert, batch, advance)


def _write(
    target: Database,
    insert: str,
    batch: list[tuple[Any, ...]],
    advance: Callable[[int], None] | None,
) -> None:
    target.conn.executemany(insert, batch)
    if advance is not None:
        advance(len(batch))
