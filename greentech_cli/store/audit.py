"""The audit log: every write records when, who, which command, the entity and changed fields."""

from __future__ import annotations

import getpass
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


def record(
    db: Database,
    entity: str,
    entity_id: int | None,
    action: str,
    fields: dict[str, Any] | None = None,
) -> None:
    """Append one audit entry (inside the caller's transaction)."""
    db.execute(
        "INSERT INTO audit_log (at, user, command, entity, entity_id, action, fields) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [now(), os_user(), current_command.get(), entity, entity_id, action, dumps(fields or {})],
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
