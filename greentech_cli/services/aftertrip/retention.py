"""Retention: the travellers' data is kept for a period after their last trip, then purged.

The period is `retention_months` in the config file (24 by default), counted from the end date
of a person's latest delegation; dietary needs (special-category data) are kept for
`retention_months_dietary` (1 by default) after the delegation they were given for. A purge
erases each person with `privacy erase` (the same no-trace guarantee) and keeps, per delegation,
anonymous tallies of what the report counted about them, so a report over a purged delegation
gives the same numbers as before.
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
from greentech_cli.store import privacy as privacy_store
from greentech_cli.store.followup import report as report_store
from greentech_cli.store.followup import retention as store
from greentech_cli.store.trip import dietary as dietary_store

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from greentech_cli.db import Database

DEFAULT_MONTHS = 24
# Dietary needs are special-category data (GDPR Art. 9): kept a month after the trip by default.
DEFAULT_DIETARY_MONTHS = 1


@dataclass(frozen=True)
class Periods:
    """How long data is kept after a delegation ends, in months: the travellers' data as a
    whole, and their dietary needs."""

    people: int = DEFAULT_MONTHS
    dietary: int = DEFAULT_DIETARY_MONTHS


def _months(config: Mapping[str, object], key: str, default: int) -> int:
    value = config.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidData(f"{key} in the config must be a whole number of months, not {value!r}")
    return value


def periods(config: Mapping[str, object]) -> Periods:
    """The retention periods from the config (`retention_months`, 24 by default;
    `retention_months_dietary`, 1 by default)."""
    return Periods(
        _months(config, "retention_months", DEFAULT_MONTHS),
        _months(config, "retention_months_dietary", DEFAULT_DIETARY_MONTHS),
    )


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
    db: Database, period: Periods, delegation: str | None = None, today: date | None = None
) -> list[dict[str, Any]]:
    """What is past retention: people (`data` "person") every delegation of whom ended more than
    `period.people` months ago, then dietary needs (`data` "dietary") given for a delegation that
    ended more than `period.dietary` months ago. Each row names the person, the delegation and
    when it ended."""
    day = today or date.today()
    chosen = delegation_store.resolve(db, delegation).id if delegation else None
    people = store.due(db, cutoff(day, period.people).isoformat(), chosen)
    erased = {row["contact_id"] for row in people}
    dietary = [
        row
        for row in store.dietary_due(db, cutoff(day, period.dietary).isoformat(), chosen)
        if row["contact_id"] not in erased
    ]
    rows = []
    for data, found, months in (
        ("person", people, period.people),
        ("dietary", dietary, period.dietary),
    ):
        for row in found:
            native = row.pop("native_name", None)
            rows.append(
                {
                    "data": data,
                    **row,
                    "name": row["name"] or native or row["email"],
                    "due_since": _plus_months(row["end_date"], months),
                }
            )
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
    dietary: int = 0
    compacted: bool = True

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of a purge summary."""
        return {
            "contacts": len(self.contacts),
            "contact_ids": list(self.contacts),
            "delegations": len(self.delegations),
            "dietary": self.dietary,
            "compacted": self.compacted,
        }


def purge(
    db: Database,
    rows: list[dict[str, Any]],
    progress: Callable[[int], None] | None = None,
) -> Purge:
    """Delete the dietary needs of `due` (overwritten, the file compacted), then erase its people
    one by one with `privacy.erase`, keeping the report's counts.

    Per person: the counts of the delegations they touch are taken before and after the erasure
    and the difference is added to those delegations' tallies.
    """
    result = Purge()
    dietary = [int(row["member_id"]) for row in rows if row["data"] == "dietary"]
    if dietary:
        privacy_store.secure_delete(db)
        with transaction(db):
            result.dietary = sum(dietary_store.delete(db, member_id) for member_id in dietary)
        result.compacted = privacy_store.compact(db)
    people = [row for row in rows if row["data"] == "person"]
    for number, row in enumerate(people, 1):
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
