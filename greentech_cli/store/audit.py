"""The audit log: every write records when, who, which command, the entity and changed fields.

An entry names fields, never their values: a value may be a person's name (a sole trader's
company is named after them), and the log is kept after the record is gone. `record` refuses
anything else, so no caller can let a value in.
"""

from __future__ import annotations

import getpass
import re
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from greentech_cli.store.common import dumps, fetch_all, now

if TYPE_CHECKING:
    from greentech_cli.db import Database

# Set once by the CLI for the command being run; library callers may leave it as "api".
current_command: ContextVar[str] = ContextVar("current_command", default="api")


def os_user() -> str:
    """The operating-system user running greentech."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def database_user(db: Database) -> str:
    """Who writes: the operating-system user on a SQLite file, the database role on PostgreSQL
    (`current_user`: the officer the team database knows, whichever machine they write from)."""
    if db.engine == "sqlite":
        return os_user()
    return str(db.execute("SELECT current_user").fetchone()[0])


# What an entry says besides its entity: the changed fields by name (under "fields"), and ids of
# other records or counts (e.g. {"into": 12}, {"rows": 300}).
Details = Mapping[str, int | Sequence[str] | None]
_FIELD_NAME = re.compile(r"[a-z][a-z0-9_]*")


def _names_only(details: Details | None) -> dict[str, Any]:
    """The details as stored, after making sure they hold field names, ids and counts only."""
    checked: dict[str, Any] = {}
    for key, value in (details or {}).items():
        if key == "fields" and not isinstance(value, str | int):
            names = list(value or [])
            if all(isinstance(n, str) and _FIELD_NAME.fullmatch(n) for n in names):
                checked[key] = names
                continue
        elif value is None or (isinstance(value, int) and not isinstance(value, bool)):
            checked[key] = value
            continue
        raise ValueError(f"an audit entry names fields, ids and counts, never values ({key!r})")
    return checked


def record(
    db: Database,
    entity: str,
    entity_id: int | None,
    action: str,
    details: Details | None = None,
) -> None:
    """Append one audit entry (inside the caller's transaction): field names, ids and counts."""
    db.execute(
        "INSERT INTO audit_log (at, user, command, entity, entity_id, action, fields) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            now(),
            database_user(db),
            current_command.get(),
            entity,
            entity_id,
            action,
            dumps(_names_only(details)),
        ],
    )


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields whose values differ, as {field: [old, new]}."""
    return {
        key: [before.get(key), value]
        for key, value in after.items()
        if before.get(key) != value and key not in ("updated_at", "created_at")
    }


def entries(
    db: Database,
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    since: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Audit entries, newest first, filtered by entity, id and start time."""
    where: list[str] = ["1=1"]
    params: list[Any] = []
    if entity:
        where.append("entity = ?")
        params.append(entity)
    if entity_id is not None:
        where.append("entity_id = ?")
        params.append(entity_id)
    if since:
        where.append("at >= ?")
        params.append(since)
    sql = f"SELECT * FROM audit_log WHERE {' AND '.join(where)} ORDER BY id DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return fetch_all(db, sql, params)
