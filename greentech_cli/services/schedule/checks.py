"""`check`: what is wrong with a delegation's programme — overlaps, double bookings, travel time."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from greentech_cli.models.records import (
    MOVING_KINDS,
    Company,
    Contact,
    Delegation,
    Visit,
)
from greentech_cli.services.schedule import geo
from greentech_cli.services.schedule.findings import (
    STAY_KINDS,
    CheckSettings,
    Finding,
    Programme,
    names,
    overlaps,
    span,
)
from greentech_cli.services.schedule.findings import settings as settings  # the CLI's entry
from greentech_cli.services.schedule.travel import check_travel
from greentech_cli.services.schedule.visits import attendee_ids
from greentech_cli.store import companies as company_store
from greentech_cli.store import contacts as contact_store
from greentech_cli.store import delegations as delegation_store
from greentech_cli.store import members as member_store
from greentech_cli.store import visits as visit_store
from greentech_cli.text.dates import in_zone

if TYPE_CHECKING:
    from greentech_cli.db import Database

__all__ = ["CODES", "CheckSettings", "Finding", "check", "settings"]

CODES = (
    "overlap",
    "member-double-booked",
    "host-double-booked",
    "outside-dates",
    "travel-time",
    "long-day",
    "no-host-contact",
    "unknown-place",
    "transfer-too-short",
    "over-capacity",
)
HOSTED_KINDS = ("site-visit", "b2b-meeting")


# --- the check -----------------------------------------------------------------------------


def _load(db: Database, delegation: Delegation) -> Programme:
    # A cancelled visit takes nobody's time: no overlap, travel, capacity or date findings.
    visits = [v for v in visit_store.of_delegation(db, delegation.id or 0) if not v.cancelled]
    members = member_store.of_delegation(db, delegation.id or 0)
    attendance = {v.id or 0: set(attendee_ids(v, members)) for v in visits}
    return Programme(delegation, visits, members, attendance)


def check(
    db: Database, delegation_ref: str, config: CheckSettings | None = None
) -> tuple[Delegation, list[Finding]]:
    """Every finding for a delegation's programme, errors first."""
    config = config or CheckSettings()
    delegation = delegation_store.resolve(db, delegation_ref)
    prog = _load(db, delegation)
    people_ids = {i for ids in prog.attendance.values() for i in ids}
    people_ids |= {i for v in prog.visits for i in v.host_contact_ids}
    people = {c.id or 0: c for c in contact_store.get_many(db, sorted(people_ids))}
    company_ids = {v.company_id for v in prog.visits}
    for visit in prog.visits:
        company_ids |= {p.company_id for p in (visit.origin, visit.destination) if p is not None}
    companies = {
        i: company_store.get(db, i) for i in sorted(i for i in company_ids if i is not None)
    }

    findings: list[Finding] = []
    findings += _checkoverlaps(prog)
    findings += _check_members_elsewhere(db, prog, people)
    findings += _check_hosts_elsewhere(db, prog, companies)
    findings += _check_dates(prog)
    findings += check_travel(prog, companies, geo.Gazetteer(db), config)
    findings += _check_long_days(prog, config)
    findings += _check_host_contacts(prog, companies)
    findings += _check_capacity(prog)
    order = {code: n for n, code in enumerate(CODES)}
    starts = {v.id: v.start.timestamp() for v in prog.visits}
    findings.sort(
        key=lambda f: (
            f.severity != "error",
            order.get(f.code, 99),
            min((starts.get(i, 0.0) for i in f.visit_ids), default=0.0),
            f.visit_ids,
        )
    )
    return delegation, findings


def _checkoverlaps(prog: Programme) -> list[Finding]:
    found: list[Finding] = []
    visits = [v for v in prog.visits if v.kind not in STAY_KINDS]
    for n, a in enumerate(visits):
        for b in visits[n + 1 :]:
            if b.start.timestamp() >= a.end.timestamp():
                break  # visits are in time order: nothing later can overlap a
            if a.id == b.parent_id or b.id == a.parent_id:
                continue  # a slot inside its block
            ids = [a.id or 0, b.id or 0]
            pa, pb = prog.attendance[ids[0]], prog.attendance[ids[1]]
            # A host is in one place too (a company's contact at a B2B table and a plant tour).
            shared = sorted((pa | set(a.host_contact_ids)) & (pb | set(b.host_contact_ids)))
            if not shared and a.parent_id is not None and a.parent_id == b.parent_id:
                continue  # parallel slots of one block (tables) for different people
            if shared or not pa or not pb:
                who = f"; {len(shared)} people are in both" if shared else ""
                found.append(
                    Finding(
                        "error",
                        "overlap",
                        f"'{a.title}' ({span(a)}) and '{b.title}' ({span(b)}) overlap{who}",
                        ids,
                        shared,
                    )
                )
            else:
                found.append(
                    Finding(
                        "warning",
                        "overlap",
                        f"'{a.title}' and '{b.title}' run at the same time ({span(a)}, "
                        f"{span(b)}) for different members: check the group is split as intended",
                        ids,
                        [],
                    )
                )
    return found


def _check_members_elsewhere(
    db: Database, prog: Programme, people: dict[int, Contact]
) -> list[Finding]:
    ours = {i for ids in prog.attendance.values() for i in ids}
    others = [
        d
        for d in member_store.delegations_sharing_contacts(db, sorted(ours))
        if d != prog.delegation.id
    ]
    found: list[Finding] = []
    for other_id in others:
        other = _load(db, delegation_store.get(db, other_id))
        for visit in prog.visits:
            for theirs in other.visits:
                if visit.kind in STAY_KINDS or theirs.kind in STAY_KINDS:
                    continue
                if not overlaps(visit, theirs):
                    continue
                shared = sorted(prog.attendance[visit.id or 0] & other.attendance[theirs.id or 0])
                if not shared:
                    continue
                found.append(
                    Finding(
                        "error",
                        "member-double-booked",
                        f"{names(shared, people)} would be at '{visit.title}' ({span(visit)}) "
                        f"and at '{theirs.title}' of {other.delegation.code} ({span(theirs)}) "
                        "at the same time",
                        [visit.id or 0, theirs.id or 0],
                        shared,
                    )
                )
    return found


def _check_hosts_elsewhere(
    db: Database, prog: Programme, companies: dict[int, Company]
) -> list[Finding]:
    found: list[Finding] = []
    codes: dict[int, str] = {}
    for theirs in visit_store.hosted_by(db, sorted(companies)):
        if theirs.cancelled:
            continue
        if theirs.delegation_id == prog.delegation.id:
            continue
        for visit in prog.visits:
            if visit.company_id != theirs.company_id or not overlaps(visit, theirs):
                continue
            if visit.kind in STAY_KINDS or theirs.kind in STAY_KINDS:
                continue  # two groups in one hotel
            if theirs.delegation_id not in codes:
                codes[theirs.delegation_id] = delegation_store.get(db, theirs.delegation_id).code
            name = companies[visit.company_id or 0].name
            found.append(
                Finding(
                    "error",
                    "host-double-booked",
                    f"{name} hosts '{visit.title}' ({span(visit)}) and, for "
                    f"{codes[theirs.delegation_id]}, '{theirs.title}' ({span(theirs)}) "
                    "at the same time",
                    [visit.id or 0, theirs.id or 0],
                    [],
                )
            )
    return found


def _check_dates(prog: Programme) -> list[Finding]:
    first, last = prog.delegation.start_date, prog.delegation.end_date
    found: list[Finding] = []
    for visit in prog.visits:
        # A flight home may land after the last day: its departure counts.
        end = visit.start if visit.kind == "flight" else visit.end
        if visit.start.date() < first or end.date() > last:
            found.append(
                Finding(
                    "error",
                    "outside-dates",
                    f"'{visit.title}' ({span(visit)}) lies outside the delegation's dates "
                    f"{first:%d.%m.%Y}–{last:%d.%m.%Y}",
                    [visit.id or 0],
                    [],
                )
            )
    return found


def _check_capacity(prog: Programme) -> list[Finding]:
    found: list[Finding] = []
    for visit in prog.visits:
        persons = len(prog.attendance[visit.id or 0])
        if visit.capacity is not None and persons > visit.capacity:
            what = "seats" if visit.kind in MOVING_KINDS else "persons"
            found.append(
                Finding(
                    "error",
                    "over-capacity",
                    f"'{visit.title}' ({span(visit)}) has {persons} attendees but room for "
                    f"{visit.capacity} {what}",
                    [visit.id or 0],
                    sorted(prog.attendance[visit.id or 0]),
                )
            )
    return found


def _check_long_days(prog: Programme, config: CheckSettings) -> list[Finding]:
    zone = ZoneInfo(prog.delegation.timezone)
    days: dict[date, list[Visit]] = defaultdict(list)
    for visit in prog.visits:
        if visit.kind not in (*STAY_KINDS, "flight"):  # a travel day is no programme day
            days[(in_zone(visit.start, zone) or visit.start).date()].append(visit)
    found: list[Finding] = []
    for day, visits in sorted(days.items()):
        first = min(v.start.timestamp() for v in visits)
        last = max(v.end.timestamp() for v in visits)
        hours = (last - first) / 3600
        if hours > config.long_day_hours:
            found.append(
                Finding(
                    "warning",
                    "long-day",
                    f"{day:%a %d.%m.%Y} runs {hours:.1f} hours from the first start to the last "
                    f"end (more than {config.long_day_hours:g})",
                    [v.id or 0 for v in visits],
                    [],
                )
            )
    return found


def _check_host_contacts(prog: Programme, companies: dict[int, Company]) -> list[Finding]:
    found: list[Finding] = []
    for visit in prog.visits:
        if visit.kind in HOSTED_KINDS and visit.company_id and not visit.host_contact_ids:
            name = companies[visit.company_id].name
            found.append(
                Finding(
                    "warning",
                    "no-host-contact",
                    f"'{visit.title}' ({span(visit)}) at {name} has no host contact; "
                    "add one with 'greentech visit edit "
                    f"{visit.id} --host-contact EMAIL'",
                    [visit.id or 0],
                    [],
                )
            )
    return found
