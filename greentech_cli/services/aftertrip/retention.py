"""Retention: the travellers' data is kept for a period after their last trip, then purged.

The period is `retention_months` in the config file (24 by default), counted from the end date
of a person's latest delegation. A purge erases each person with `privacy erase` (the same
no-trace guarantee) and keeps, per delegation, anonymous tallies of what the report counted
about them, so a report over a purged delegation gives the same numbers as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from greentech_cli.db import transaction
from greentech_cli.errors import InvalidData
from greentech_cli.services.aftertrip import report
from greentech_cli.services.safety import privacy
from greentech_cli.store import delegations as delegation_store
from greentech_cli.store.followup import report as report_store
from greentech_cli.store.followup import retention as store

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from greentech_cli.db import Database

DEFAULT_MONTHS = 24


def months(config: Mapping[str, object]) -> int:
    """The retention period in months from the config (`retention_months`), 24 by default."""
    value = config.get("retention_months", DEFAULT_MONTHS)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidData(f"retention_months in the config must be a whole number, not {value!r}")
    return value


def cutoff(today: date, period: int) -> date:
    """The day a delegation must have ended before to be past retention today."""
    month = today.month - period
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    day = today.day
    while True:
        try:
            return date(year, month, day)
        except ValueError:  # 31 March minus one month: the last day of February
            day -= 1


def due(
    db: Database, period: int, delegation: str | None = None, today: date | None = None
) -> list[dict[str, Any]]:
    """The people past retention: every delegation they travelled with ended more than
    `period` months ago. Each row names them, their latest delegation and when it ended."""
    before = cutoff(today or date.today(), period).isoformat()
    chosen = delegation_store.resolve(db, delegation).id if delegation else None
    rows = store.due(db, before, chosen)
    for row in rows:
        row["name"] = row["name"] or row.pop("native_name", None) or row["email"]
        row.pop("native_name", None)
        row["due_since"] = _plus_months(row["end_date"], period)
    return rows


def _plus_months(day: str, period: int) -> str:
    start = date.fromisoformat(day)
    month = start.month + period
    year, month = start.year + (month - 1) // 12, (month - 1) % 12 + 1
    while True:
        try:
            return date(year, month, start.day).isoformat()
        except ValueError:
            start = start.replace(day=start.day - 1)


@dataclass
class Purge:
    """What a purge erased (no personal values)."""

    contacts: list[int] = field(default_factory=list)
    delegations: list[int] = field(default_factory=list)
    compacted: bool = True

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of a purge summary."""
        return {
            "contacts": len(self.contacts),
            "contact_ids": list(self.contacts),
            "delegations": len(self.delegations),
            "compacted": self.compacted,
        }


def purge(
    db: Database,
    rows: list[dict[str, Any]],
    progress: Callable[[int], None] | None = None,
) -> Purge:
    """Erase the people of `due` one by one with `privacy.erase`, keeping the report's counts.

    Per person: the counts of the delegations they touch are taken before and after the erasure
    and the difference is added to those delegations' tallies.
    """
    result = Purge()
    for number, row in enumerate(rows, 1):
        contact_id = int(row["contact_id"])
        touched = store.delegations_touching(db, [contact_id])
        before, _ = report.live_counts(db, touched)
        erased = privacy.erase(db, contact_id)
        after, _ = report.live_counts(db, touched)
        with transaction(db):
            for delegation_id in touched:
                lost = report.difference(before[delegation_id], after[delegation_id])
                report_store.add_tallies(db, delegation_id, lost)
            report_store.record_purge(db, touched[0] if len(touched) == 1 else None, 1)
        result.contacts.append(contact_id)
        result.delegations += [d for d in touched if d not in result.delegations]
        result.compacted = result.compacted and erased.compacted
        if progress is not None:
            progress(number)
    return result
