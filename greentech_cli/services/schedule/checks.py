"""`check`: what is wrong with a delegation's programme — overlaps, double bookings, travel time."""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from greentech_cli.errors import InvalidData
from greentech_cli.models.records import Company, Contact, Delegation, Member, Visit
from greentech_cli.services.schedule import geo
from greentech_cli.services.schedule.visits import attendee_ids
from greentech_cli.store import companies as company_store
from greentech_cli.store import contacts as contact_store
from greentech_cli.store import delegations as delegation_store
from greentech_cli.store import members as member_store
from greentech_cli.store import visits as visit_store
from greentech_cli.text.dates import in_zone

if TYPE_CHECKING:
    from greentech_cli.db import Database

CODES = (
    "overlap",
    "member-double-booked",
    "host-double-booked",
    "outside-dates",
    "travel-time",
    "long-day",
    "no-host-contact",
    "unknown-place",
    "b2b-double-booked",
)
HOSTED_KINDS = ("site-visit", "b2b-meeting")
# A visit of these kinds is the journey itself, so it is no place to travel from or to.
MOVING_KINDS = ("transfer",)
GROUP = 0  # stands for "the whole group" when a visit has nobody attending yet


@dataclass
class Finding:
    """One problem of a programme: how bad, which kind, the visits and people concerned."""

    severity: str
    code: str
    message: str
    visit_ids: list[int] = field(default_factory=list)
    contact_ids: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape of a check finding (SPEC §3)."""
        return {
            "severity": self.severity,
            "code": self.code,
            "visit_ids": list(self.visit_ids),
            "contact_ids": list(self.contact_ids),
            "message": self.message,
        }


@dataclass(frozen=True)
class CheckSettings:
    """Thresholds of the check: travel speed and buffer, the longest acceptable day."""

    speed_kmh: float = geo.DEFAULT_SPEED_KMH
    buffer_minutes: float = geo.DEFAULT_BUFFER_MINUTES
    long_day_hours: float = 10.0


def _number(value: Any, what: str, low: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidData(f"{what} must be a number, not {value!r}") from None
    if number < low:
        raise InvalidData(f"{what} must be at least {low:g}, not {number:g}")
    return number


def settings(
    speed: float | None = None,
    buffer: str | None = None,
    long_day: float | None = None,
    config: dict[str, Any] | None = None,
) -> CheckSettings:
    """Settings from the options, else the config file's keys, else the defaults.

    Config keys: `travel_speed_kmh`, `travel_buffer_minutes`, `long_day_hours`.
    """
    from greentech_cli.text.dates import parse_duration

    config = config or {}
    base = CheckSettings()
    speed_value = speed if speed is not None else config.get("travel_speed_kmh", base.speed_kmh)
    if buffer is not None:
        buffer_value: float = parse_duration(buffer).total_seconds() / 60 if buffer else 0
    else:
        buffer_value = _number(
            config.get("travel_buffer_minutes", base.buffer_minutes), "travel_buffer_minutes", 0
        )
    long_value = long_day if long_day is not None else config.get("long_day_hours", 10.0)
    return CheckSettings(
        speed_kmh=_number(speed_value, "the travel speed", 1),
        buffer_minutes=buffer_value,
        long_day_hours=_number(long_value, "the long-day limit", 1),
    )


# --- wording -------------------------------------------------------------------------------


def _when(dt: datetime) -> str:
    return f"{dt:%a %d.%m.} {dt:%H:%M}"


def _span(visit: Visit) -> str:
    end = f"{visit.end:%H:%M}" if visit.end.date() == visit.start.date() else _when(visit.end)
    return f"{_when(visit.start)}–{end}"


def _minutes(value: float) -> str:
    total = round(value)
    hours, minutes = divmod(total, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def _names(ids: list[int], people: dict[int, Contact], limit: int = 4) -> str:
    names = [people[i].display_name for i in ids if i in people]
    if len(names) > limit:
        return ", ".join(names[:limit]) + f" and {len(names) - limit} more"
    return ", ".join(names)


def _overlaps(a: Visit, b: Visit) -> bool:
    return a.start.timestamp() < b.end.timestamp() and b.start.timestamp() < a.end.timestamp()


# --- the check -----------------------------------------------------------------------------


@dataclass
class _Programme:
    delegation: Delegation
    visits: list[Visit]
    members: list[Member]
    attendance: dict[int, set[int]]


def _load(db: Database, delegation: Delegation) -> _Programme:
    visits = visit_store.of_delegation(db, delegation.id or 0)
    members = member_store.of_delegation(db, delegation.id or 0)
    attendance = {v.id or 0: set(attendee_ids(v, members)) for v in visits}
    return _Programme(delegation, visits, members, attendance)


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
    company_ids = sorted({v.company_id for v in prog.visits if v.company_id is not None})
    companies = {i: company_store.get(db, i) for i in company_ids}

    findings: list[Finding] = []
    findings += _check_overlaps(prog)
    findings += _check_members_elsewhere(db, prog, people)
    findings += _check_hosts_elsewhere(db, prog, companies)
    findings += _check_dates(prog)
    findings += _check_travel(prog, companies, people, config)
    findings += _check_long_days(prog, config)
    findings += _check_host_contacts(prog, companies)
    findings += _check_b2b(db, prog)
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


def _check_b2b(db: Database, prog: _Programme) -> list[Finding]:
    """A B2B meeting's person attending or hosting another visit at that time (issue 20)."""
    from greentech_cli.services.matchmaking.b2b_grid import conflicts

    present = {
        v.id or 0: prog.attendance.get(v.id or 0, set()) | set(v.host_contact_ids)
        for v in prog.visits
    }
    return [
        Finding("error", "b2b-double-booked", message, visit_ids, contact_ids)
        for message, visit_ids, contact_ids in conflicts(db, prog.visits, present)
    ]


def _check_overlaps(prog: _Programme) -> list[Finding]:
    found: list[Finding] = []
    for n, a in enumerate(prog.visits):
        for b in prog.visits[n + 1 :]:
            if b.start.timestamp() >= a.end.timestamp():
                break  # visits are in time order: nothing later can overlap a
            ids = [a.id or 0, b.id or 0]
            pa, pb = prog.attendance[ids[0]], prog.attendance[ids[1]]
            shared = sorted(pa & pb)
            if shared or not pa or not pb:
                who = f"; {len(shared)} people are in both" if shared else ""
                found.append(
                    Finding(
                        "error",
                        "overlap",
                        f"'{a.title}' ({_span(a)}) and '{b.title}' ({_span(b)}) overlap{who}",
                        ids,
                        shared,
                    )
                )
            else:
                found.append(
                    Finding(
                        "warning",
                        "overlap",
                        f"'{a.title}' and '{b.title}' run at the same time ({_span(a)}, "
                        f"{_span(b)}) for different members: check the group is split as intended",
                        ids,
                        [],
                    )
                )
    return found


def _check_members_elsewhere(
    db: Database, prog: _Programme, people: dict[int, Contact]
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
                if not _overlaps(visit, theirs):
                    continue
                shared = sorted(prog.attendance[visit.id or 0] & other.attendance[theirs.id or 0])
                if not shared:
                    continue
                found.append(
                    Finding(
                        "error",
                        "member-double-booked",
                        f"{_names(shared, people)} would be at '{visit.title}' ({_span(visit)}) "
                        f"and at '{theirs.title}' of {other.delegation.code} ({_span(theirs)}) "
                        "at the same time",
                        [visit.id or 0, theirs.id or 0],
                        shared,
                    )
                )
    return found


def _check_hosts_elsewhere(
    db: Database, prog: _Programme, companies: dict[int, Company]
) -> list[Finding]:
    found: list[Finding] = []
    codes: dict[int, str] = {}
    for theirs in visit_store.hosted_by(db, sorted(companies)):
        if theirs.delegation_id == prog.delegation.id:
            continue
        for visit in prog.visits:
            if visit.company_id != theirs.company_id or not _overlaps(visit, theirs):
                continue
            if theirs.delegation_id not in codes:
                codes[theirs.delegation_id] = delegation_store.get(db, theirs.delegation_id).code
            name = companies[visit.company_id or 0].name
            found.append(
                Finding(
                    "error",
                    "host-double-booked",
                    f"{name} hosts '{visit.title}' ({_span(visit)}) and, for "
                    f"{codes[theirs.delegation_id]}, '{theirs.title}' ({_span(theirs)}) "
                    "at the same time",
                    [visit.id or 0, theirs.id or 0],
                    [],
                )
            )
    return found


def _check_dates(prog: _Programme) -> list[Finding]:
    first, last = prog.delegation.start_date, prog.delegation.end_date
    found: list[Finding] = []
    for visit in prog.visits:
        if visit.start.date() < first or visit.end.date() > last:
            found.append(
                Finding(
                    "error",
                    "outside-dates",
                    f"'{visit.title}' ({_span(visit)}) lies outside the delegation's dates "
                    f"{first:%d.%m.%Y}–{last:%d.%m.%Y}",
                    [visit.id or 0],
                    [],
                )
            )
    return found


def _check_travel(
    prog: _Programme,
    companies: dict[int, Company],
    people: dict[int, Contact],
    config: CheckSettings,
) -> list[Finding]:
    model = geo.TravelModel(speed_kmh=config.speed_kmh, buffer_minutes=config.buffer_minutes)
    country = prog.delegation.destination_country or (
        "DE" if prog.delegation.direction == "incoming" else None
    )
    places: dict[int, geo.Place | None] = {}
    # Visits that name no place (a meal "somewhere") take no part; a transfer does, but as the
    # journey itself it separates the places before and after it.
    located = [v for v in prog.visits if geo.has_place(v) or v.kind in MOVING_KINDS]
    for visit in located:
        if visit.kind in MOVING_KINDS:
            continue
        company = companies.get(visit.company_id) if visit.company_id is not None else None
        places[visit.id or 0] = geo.place_of(visit, company, country)
    # Consecutive visits per person (or for the whole group while nobody attends yet).
    timelines: dict[int, list[Visit]] = defaultdict(list)
    for visit in located:
        for person in prog.attendance[visit.id or 0] or {GROUP}:
            timelines[person].append(visit)
    pairs: dict[tuple[int, int], list[int]] = {}
    for person, visits in timelines.items():
        for a, b in itertools.pairwise(visits):
            if b.start.timestamp() < a.end.timestamp():
                continue  # an overlap, reported as such
            if a.kind in MOVING_KINDS or b.kind in MOVING_KINDS:
                continue
            who = pairs.setdefault((a.id or 0, b.id or 0), [])
            if person != GROUP:
                who.append(person)
    by_id = {v.id or 0: v for v in prog.visits}
    found: list[Finding] = []
    unknown: set[int] = set()
    for (a_id, b_id), who in sorted(pairs.items(), key=lambda p: by_id[p[0][0]].start):
        a, b = by_id[a_id], by_id[b_id]
        pa, pb = places[a_id], places[b_id]
        if pa is None or pb is None:
            unknown |= {i for i, p in ((a_id, pa), (b_id, pb)) if p is None}
            continue
        road_km, needed = model.minutes(pa, pb)
        gap = (b.start.timestamp() - a.end.timestamp()) / 60
        if needed <= gap:
            continue
        found.append(
            Finding(
                "error",
                "travel-time",
                f"from '{a.title}' ({pa.label}, ends {_when(a.end)}) to '{b.title}' "
                f"({pb.label}, starts {b.start:%H:%M}) there are {_minutes(gap)}, but the "
                f"journey takes about {_minutes(needed)} ({road_km:.0f} km by road at "
                f"{config.speed_kmh:g} km/h plus {config.buffer_minutes:g} min buffer)",
                [a_id, b_id],
                sorted(who),
            )
        )
    for visit_id in sorted(unknown, key=lambda i: by_id[i].start):
        visit = by_id[visit_id]
        company = companies.get(visit.company_id) if visit.company_id is not None else None
        where = (
            f"{company.name} has no coordinates and its city {company.city or '(none)'!s} "
            "is not in the gazetteer"
            if company is not None
            else f"the location {visit.location!r} is not in the gazetteer"
        )
        found.append(
            Finding(
                "warning",
                "unknown-place",
                f"travel time to and from '{visit.title}' was not checked: {where}; "
                "add --lat/--lon to the company",
                [visit_id],
                [],
            )
        )
    return found


def _check_long_days(prog: _Programme, config: CheckSettings) -> list[Finding]:
    zone = ZoneInfo(prog.delegation.timezone)
    days: dict[date, list[Visit]] = defaultdict(list)
    for visit in prog.visits:
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


def _check_host_contacts(prog: _Programme, companies: dict[int, Company]) -> list[Finding]:
    found: list[Finding] = []
    for visit in prog.visits:
        if visit.kind in HOSTED_KINDS and visit.company_id and not visit.host_contact_ids:
            name = companies[visit.company_id].name
            found.append(
                Finding(
                    "warning",
                    "no-host-contact",
                    f"'{visit.title}' ({_span(visit)}) at {name} has no host contact; "
                    "add one with 'greentech visit edit "
                    f"{visit.id} --host-contact EMAIL'",
                    [visit.id or 0],
                    [],
                )
            )
    return found
