"""The audit log: which command is being run (for every entry written) and reading the log back."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from greentech_cli.store import audit

if TYPE_CHECKING:
    from greentech_cli.db import Database


def run_as(command: str) -> Callable[[], None]:
    """Name the command being run (e.g. "contact add") in every audit entry written from now on;
    returns the function that restores the previous name. Library callers are logged as "api"."""
    token = audit.current_command.set(command)
    return lambda: audit.current_command.reset(token)


def since_utc(value: str) -> str:
    """The UTC timestamp of a local date (`2026-11-18`, `18.11.2026`) or date-time, as stored."""
    from datetime import UTC, datetime, time

    from greentech_cli.text.cleaning import clean
    from greentech_cli.text.dates import parse_date, parse_datetime

    cleaned = (clean(value) or "").strip()
    if " " in cleaned or "T" in cleaned:
        local = parse_datetime(cleaned)
    else:
        local = datetime.combine(parse_date(cleaned), time())
    return local.astimezone(UTC).isoformat(timespec="seconds")


def _singular(entity: str) -> str:
    """`contacts` or `companies` name the same entity as `contact` and `company`."""
    name = entity.strip().lower()
    if name.endswith("ies"):
        return name[:-3] + "y"
    return name[:-1] if name.endswith("s") else name


def log(
    db: Database,
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    since: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Audit entries, newest first, with their changed fields decoded."""
    import json

    rows = audit.entries(
        db,
        entity=_singular(entity) if entity else None,
        entity_id=entity_id,
        since=since_utc(since) if since else None,
        limit=limit,
    )
    for row in rows:
        with contextlib.suppress(ValueError):
            row["fields"] = json.loads(row["fields"]) if row["fields"] else {}
    return rows
