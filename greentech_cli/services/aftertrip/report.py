"""The funder's report: what came out of delegations, per delegation and in total.

Counts are read from the live records and added to the anonymous tallies a retention purge
left behind, so a report over a purged delegation still adds up to what it said before.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from greentech_cli.errors import InvalidData, UsageError
from greentech_cli.files import write_private, write_private_text
from greentech_cli.models.records import ATTENDANCE_STATUSES
from greentech_cli.store import delegations as delegation_store
from greentech_cli.store.common import now
from greentech_cli.store.followup import report as store
from greentech_cli.text.dates import parse_date

if TYPE_CHECKING:
    from greentech_cli.db import Database

# The counted metrics in the order a report shows them; each maps label → count, except
# `b2b_meetings_held`, a number.
LABELLED = (
    "visits_by_kind",
    "companies_by_sector",
    "companies_by_region",
    "delegates_by_country",
    "delegates_by_kind",
    "members_by_status",
    "attendance",
    "followups_by_kind",
    "leads_by_status",
)
NUMBERS = ("b2b_meetings_held",)
METRICS = (*LABELLED, *NUMBERS)


def _empty() -> dict[str, Any]:
    counts: dict[str, Any] = {metric: {} for metric in LABELLED}
    counts["attendance"] = dict.fromkeys(ATTENDANCE_STATUSES, 0)
    counts.update(dict.fromkeys(NUMBERS, 0))
    return counts


def _add(counts: dict[str, Any], metric: str, label: str, count: int) -> None:
    if metric in NUMBERS:
        counts[metric] += count
    else:
        counts[metric][label] = counts[metric].get(label, 0) + count


def _sorted(counts: dict[str, Any]) -> dict[str, Any]:
    """Each metric's labels, the largest count first (then by label)."""
    return {
        metric: (
            dict(sorted(value.items(), key=lambda item: (-item[1], item[0])))
            if isinstance(value, dict) and metric != "attendance"
            else value
        )
        for metric, value in counts.items()
    }


def _date(value: str | None, what: str) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return parse_date(value).isoformat()
    except InvalidData:
        raise InvalidData(f"{what} {value!r} is not a date; use 2026-11-18 or 18.11.2026") from None


def live_counts(db: Database, delegation_ids: list[int]) -> tuple[dict[int, Any], dict[str, Any]]:
    """Counts from the records alone: per delegation id, and for the whole set."""
    per: dict[int, dict[str, Any]] = {i: _empty() for i in delegation_ids}
    total = _empty()
    if not delegation_ids:
        return per, total
    found = store.all_counts(db, delegation_ids)
    for metric in METRICS:
        for delegation_id, label, count in found[metric]:
            _add(total if delegation_id is None else per[delegation_id], metric, label, count)
    return per, total


def build(
    db: Database,
    delegation: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> dict[str, Any]:
    """The report for one delegation, the delegations overlapping a period, or all of them."""
    first, last = _date(since, "--since"), _date(until, "--until")
    if delegation is not None and (first or last):
        raise UsageError("give a delegation or a period (--since/--until), not both")
    if first and last and last < first:
        raise InvalidData(f"the period ends ({last}) before it starts ({first})")
    chosen = delegation_store.resolve(db, delegation).id if delegation is not None else None
    rows = store.delegations_in(db, first, last, chosen)
    ids = [int(r["id"]) for r in rows]
    per, total = live_counts(db, ids)
    for delegation_id, metric, label, count in store.tallies(db, ids) if ids else []:
        if metric in METRICS:
            _add(per[delegation_id], metric, label, count)
            _add(total, metric, label, count)
    return {
        "generated_at": now(),
        "delegation": rows[0]["code"] if chosen is not None and rows else None,
        "period": {"since": first, "until": last},
        **_sorted(total),
        "delegations": [
            {
                "id": r["id"],
                "code": r["code"],
                "title": r["title"],
                "start_date": r["start_date"],
                "end_date": r["end_date"],
                **_sorted(per[int(r["id"])]),
            }
            for r in rows
        ],
    }


def difference(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, int]]:
    """What `before` counted that `after` no longer does, per metric and label (for tallies)."""
    lost: dict[str, dict[str, int]] = {}
    for metric in METRICS:
        old, new = before[metric], after[metric]
        if metric in NUMBERS:
            if old - new:
                lost[metric] = {"": old - new}
            continue
        gone = {label: n - new.get(label, 0) for label, n in old.items() if n > new.get(label, 0)}
        if gone:
            lost[metric] = gone
    return lost


def render(report: dict[str, Any], fmt: str, lang: str, *, charts: bool = True) -> str:
    """The report as the text of a json or html document."""
    if fmt == "html":
        from greentech_cli.exporters.report_pages import html

        return html(report, lang, charts=charts)
    import json

    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


def write_file(
    report: dict[str, Any], fmt: str, lang: str, path: Path, *, charts: bool = True
) -> None:
    """Write the report to a file, owner-only and complete or not at all."""
    if fmt == "xlsx":
        from greentech_cli.exporters.report_pages import xlsx

        write_private(path, lambda out: xlsx(report, out, lang))
    else:
        write_private_text(path, render(report, fmt, lang, charts=charts))
