"""Retention: the travellers' data is kept for a period after their last trip, then purged.

Each delegation may keep its own periods (`delegation edit --retention 18m --retention-dietary
14d`); otherwise the config's apply: `retention_months` (24 by default) for the travellers' data
as a whole, counted from the end date of a person's latest delegation, and
`retention_months_dietary` (1 by default) for dietary needs (special-category data), counted
from the end of the delegation they were given for. A person is due when every delegation they
travelled with is past its own period. A purge erases each person with `privacy erase` (the
same no-trace guarantee) and keeps, per delegation, anonymous tallies of what the report counted
about them, so a report over a purged delegation gives the same numbers as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from greentech_cli.db import transaction
from greentech_cli.db.vacuum import changed_tables
from greentech_cli.errors import GreentechError
from greentech_cli.services.aftertrip import report
from greentech_cli.services.safety import privacy
from greentech_cli.store import delegations as delegation_store
from greentech_cli.store import privacy as privacy_store
from greentech_cli.store.followup import report as report_store
from greentech_cli.store.followup import retention as store
from greentech_cli.store.trip import dietary as dietary_store
from greentech_cli.text.periods import Period, parse_period

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from greentech_cli.db import Database

DEFAULT_MONTHS = 24
# Dietary needs are special-category data (GDPR Art. 9): kept a month after the trip by default.
DEFAULT_DIETARY_MONTHS = 1
# The data classes and the config keys of their default periods.
CONFIG_KEYS = {"person": "retention_months", "dietary": "retention_months_dietary"}


@dataclass(frozen=True)
class Rule:
    """A period and where it comes from: `rule` names it for the officer."""

    period: Period
    rule: str


@dataclass(frozen=True)
class Periods:
    """The default keeping times after a delegation ends, per data class: the travellers' data
    as a whole (`people`) and their dietary needs (`dietary`)."""

    people: Rule
    dietary: Rule


def _default(config: Mapping[str, object], data: str, months: int) -> Rule:
    key = CONFIG_KEYS[data]
    if key not in config:
        return Rule(Period(months), f"default: {months}m")
    period = parse_period(config[key], f"{key} in the config")
    return Rule(period, f"config {key}: {period}")


def periods(config: Mapping[str, object]) -> Periods:
    """The default retention periods from the config (`retention_months`, 24 by default;
    `retention_months_dietary`, 1 by default): whole months, or a period such as 90d."""
    return Periods(
        _default(config, "person", DEFAULT_MONTHS),
        _default(config, "dietary", DEFAULT_DIETARY_MONTHS),
    )


def _ends(row: dict[str, Any], default: Rule, data: str) -> tuple[date, dict[str, Any], Rule]:
    """When a delegation's data of this class falls due: its own period when it has one (the
    row's `retention`), else the default; with the row and the rule applied."""
    rule = default
    if row["retention"]:
        what = "retention period" if data == "person" else "dietary retention period"
        period = parse_period(row["retention"], f"{what} of {row['delegation']}")
        rule = Rule(period, f"delegation {row['delegation']}: {period}")
    return rule.period.after(date.fromisoformat(row["end_date"])), row, rule


def _due_row(data: str, row: dict[str, Any], rule: Rule, since: date) -> dict[str, Any]:
    native = row.pop("native_name", None)
    for key in ("retention", "last_name", "travelling", "delegation_id"):
        row.pop(key, None)
    return {
        "data": data,
        **row,
        "name": row["name"] or native or row["email"],
        "period": str(rule.period),
        "due_since": since.isoformat(),
        "rule": rule.rule,
    }


def due(
    db: Database, period: Periods, delegation: str | None = None, today: date | None = None
) -> list[dict[str, Any]]:
    """What is past retention today, each row with the period applied (`period`), the day it
    ended (`due_since`) and why (`rule`: the delegation's own period, the config's, the default).

    People (`data` "person") are due when every delegation they travelled with is past its
    period, and they hold no other role (host, staff) in one; the row names the delegation kept
    longest. Then dietary needs (`data` "dietary") past their delegation's dietary period, of
    people not erased anyway. Optionally only the people of one delegation.
    """
    day = today or date.today()
    chosen = delegation_store.resolve(db, delegation).id if delegation else None
    by_person: dict[int, list[dict[str, Any]]] = {}
    for row in store.memberships(db, chosen):
        by_person.setdefault(int(row["contact_id"]), []).append(row)
    people = []
    for rows in by_person.values():
        if not all(r["travelling"] for r in rows):
            continue
        since, row, rule = max(
            (_ends(row, period.people, "person") for row in rows),
            key=lambda e: (e[0], e[1]["end_date"], e[1]["delegation"]),
        )
        if since < day:
            order = (row["end_date"], row["delegation"], (row["last_name"] or "").casefold())
            people.append(((*order, row["contact_id"]), _due_row("person", row, rule, since)))
    rows = [found for _, found in sorted(people, key=lambda p: p[0])]
    erased = {row["contact_id"] for row in rows}
    for row in store.dietary(db, chosen):
        if row["contact_id"] in erased:
            continue
        since, row, rule = _ends(row, period.dietary, "dietary")
        if since < day:
            rows.append(_due_row("dietary", row, rule, since))
    return rows


def schedule(
    db: Database, period: Periods, delegation: str | None = None, today: date | None = None
) -> list[dict[str, Any]]:
    """Per delegation and data class: the day its data falls due (`due_on`), the period and the
    rule applied, how many records it holds (`records`: travellers, or members' dietary needs)
    and how many of them are past retention now (`due`; a traveller stays while a later trip
    or another role keeps them)."""
    day = today or date.today()
    chosen = delegation_store.resolve(db, delegation).id if delegation else None
    past = due(db, period, None, day)
    due_people = {r["contact_id"] for r in past if r["data"] == "person"}
    due_needs = {r["member_id"] for r in past if r["data"] == "dietary"}
    held: dict[tuple[str, int], set[int]] = {}
    for row in store.memberships(db, chosen):
        if row["travelling"]:
            held.setdefault(("person", row["delegation_id"]), set()).add(row["contact_id"])
    for row in store.dietary(db, chosen):
        held.setdefault(("dietary", row["delegation_id"]), set()).add(row["member_id"])
    rows = []
    for found in store.delegations(db, chosen):
        for data, default, done, key in (
            ("person", period.people, due_people, "retention"),
            ("dietary", period.dietary, due_needs, "retention_dietary"),
        ):
            on, _, rule = _ends({**found, "retention": found[key]}, default, data)
            records = held.get((data, found["id"]), set())
            rows.append(
                {
                    "delegation": found["delegation"],
                    "end_date": found["end_date"],
                    "data": data,
                    "period": str(rule.period),
                    "due_on": on.isoformat(),
                    "rule": rule.rule,
                    "records": len(records),
                    "due": len(records & done),
                }
            )
    return rows


@dataclass
class Purge:
    """What a purge erased (no personal values)."""

    contacts: list[int] = field(default_factory=list)
    delegations: list[int] = field(default_factory=list)
    dietary: int = 0
    compacted: bool = True
    # PostgreSQL: tables this role may not vacuum that keep the erased rows' dead tuples.
    not_vacuumed: list[str] = field(default_factory=list)
    # Other records' free-text fields that mentioned the erased people: (record, id, field).
    mentions: list[tuple[str, int, str]] = field(default_factory=list)
    redacted: bool = False

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of a purge summary."""
        return {
            "contacts": len(self.contacts),
            "contact_ids": list(self.contacts),
            "delegations": len(self.delegations),
            "dietary": self.dietary,
            "compacted": self.compacted,
            "not_vacuumed": list(self.not_vacuumed),
            "mentions": [{"record": r, "id": i, "field": f} for r, i, f in self.mentions],
            "mentions_redacted": self.redacted,
        }


def purge(
    db: Database,
    rows: list[dict[str, Any]],
    progress: Callable[[int], None] | None = None,
    *,
    redact_mentions: bool = False,
) -> Purge:
    """Delete the dietary needs of `due` (overwritten, the file compacted), then erase its people
    one by one with `privacy.erase`, keeping the report's counts; with `redact_mentions` their
    mentions in other records' free text (notes, journal entries) are redacted too, else listed.

    Per person: the counts of the delegations they touch are taken before and after the erasure
    and the difference is added to those delegations' tallies.
    """
    result = Purge(redacted=redact_mentions)
    dietary = [int(row["member_id"]) for row in rows if row["data"] == "dietary"]
    if dietary:
        privacy_store.secure_delete(db)
        with transaction(db):
            result.dietary = sum(dietary_store.delete(db, member_id) for member_id in dietary)
            changed = changed_tables(db)
        try:
            result.compacted, result.not_vacuumed = privacy_store.compact(db, changed)
        except GreentechError as exc:  # PostgreSQL's VACUUM failed; the deletion is committed
            raise GreentechError(
                f"{result.dietary} member(s)' dietary needs were deleted, but {exc}"
            ) from exc
    people = [row for row in rows if row["data"] == "person"]
    for number, row in enumerate(people, 1):
        contact_id = int(row["contact_id"])
        touched = store.delegations_touching(db, [contact_id])
        before, _ = report.live_counts(db, touched)
        erased = privacy.erase(db, contact_id, redact_mentions=redact_mentions)
        after, _ = report.live_counts(db, touched)
        with transaction(db):
            for delegation_id in touched:
                lost = report.difference(before[delegation_id], after[delegation_id])
                report_store.add_tallies(db, delegation_id, lost)
            report_store.record_purge(db, touched[0] if len(touched) == 1 else None, 1)
        result.contacts.append(contact_id)
        result.delegations += [d for d in touched if d not in result.delegations]
        result.compacted = result.compacted and erased.compacted
        result.not_vacuumed = sorted({*result.not_vacuumed, *erased.not_vacuumed})
        result.mentions += [m for m in erased.mentions if m not in result.mentions]
        if progress is not None:
            progress(number)
    return result
