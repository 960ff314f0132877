"""The travel checks of `check`: the journey between consecutive places of each person, and a
transfer's or flight's own journey (no buffer: it is the journey)."""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Any

from greentech_cli.models.records import MOVING_KINDS, Company, Visit
from greentech_cli.services.schedule import geo
from greentech_cli.services.schedule.findings import (
    GROUP,
    STAY_KINDS,
    CheckSettings,
    Finding,
    Programme,
    minutes,
    span,
    when,
)
from greentech_cli.services.schedule.places import default_country


def _ends(
    prog: Programme,
    companies: dict[int, Company],
    gazetteer: geo.Gazetteer,
) -> dict[int, tuple[geo.Place | None, geo.Place | None]]:
    """Where each located visit starts and ends: one place, or a transfer's from and to.

    Blocks come before their slots, which take the block's place unless they have a venue."""
    country = default_country(prog.delegation)
    ends: dict[int, tuple[geo.Place | None, geo.Place | None]] = {}
    for visit in sorted(prog.visits, key=lambda v: v.parent_id is not None):
        if visit.kind in MOVING_KINDS:
            ends[visit.id or 0] = (
                geo.end_place(visit.origin, companies, country),
                geo.end_place(visit.destination, companies, country),
            )
            continue
        company = companies.get(visit.company_id) if visit.company_id is not None else None
        parent = ends[visit.parent_id][1] if visit.parent_id in ends else None
        place = geo.place_of(visit, company, country, gazetteer, parent)
        ends[visit.id or 0] = (place, place)
    return ends


def check_travel(
    prog: Programme,
    companies: dict[int, Company],
    gazetteer: geo.Gazetteer,
    config: CheckSettings,
) -> list[Finding]:
    model = geo.TravelModel(speed_kmh=config.speed_kmh, buffer_minutes=config.buffer_minutes)
    # Visits that name no place (a meal "somewhere") take no part; a transfer or flight does:
    # the journey from its start to its end place, or, without them, a break between legs.
    located = [
        v
        for v in prog.visits
        if v.kind not in STAY_KINDS and (geo.has_place(v) or v.kind in MOVING_KINDS)
    ]
    ends = _ends(prog, companies, gazetteer)
    found: list[Finding] = []
    for visit in located:
        if visit.kind in MOVING_KINDS:
            found += _journey(visit, *ends[visit.id or 0], model)
    # Consecutive visits per person (or for the whole group while nobody attends yet).
    timelines: dict[int, list[Visit]] = defaultdict(list)
    for visit in located:
        for person in prog.attendance[visit.id or 0] or {GROUP}:
            timelines[person].append(visit)
    pairs: dict[tuple[int, int], list[int]] = {}
    for person, visits in timelines.items():
        for a, b in itertools.pairwise(visits):
            if b.start.timestamp() < a.end.timestamp():
                continue  # an overlap (or a slot in its block), reported as such
            if _unplaced_move(a, ends) or _unplaced_move(b, ends):
                continue  # a transfer without places separates the legs
            who = pairs.setdefault((a.id or 0, b.id or 0), [])
            if person != GROUP:
                who.append(person)
    by_id = {v.id or 0: v for v in prog.visits}
    unknown: set[int] = set()
    for (a_id, b_id), who in sorted(pairs.items(), key=lambda p: by_id[p[0][0]].start):
        a, b = by_id[a_id], by_id[b_id]
        pa, pb = ends[a_id][1], ends[b_id][0]
        if pa is None or pb is None:
            unknown |= {_placed_by(by_id, i) for i, p in ((a_id, pa), (b_id, pb)) if p is None}
            continue
        road_km, needed = model.minutes(pa, pb)
        gap = (b.start.timestamp() - a.end.timestamp()) / 60
        if needed <= gap:
            continue
        found.append(
            Finding(
                "error",
                "travel-time",
                f"from '{a.title}' ({pa.label}, ends {when(a.end)}) to '{b.title}' "
                f"({pb.label}, starts {b.start:%H:%M}) there are {minutes(gap)}, but the "
                f"journey takes about {minutes(needed)} ({road_km:.0f} km by road at "
                f"{config.speed_kmh:g} km/h plus {config.buffer_minutes:g} min buffer)",
                [a_id, b_id],
                sorted(who),
            )
        )
    # A block that names no place leaves its slots unplaced, as it is: nothing to report.
    unknown = {i for i in unknown if geo.has_place(by_id[i])}
    for visit_id in sorted(unknown, key=lambda i: by_id[i].start):
        found.append(_unknown_place(by_id[visit_id], companies))
    return found


def _placed_by(by_id: dict[int, Visit], visit_id: int) -> int:
    """The visit whose place is unknown: a slot without a venue of its own is at its block's."""
    visit = by_id[visit_id]
    if visit.parent_id in by_id and not visit.has_venue:
        return visit.parent_id or visit_id
    return visit_id


def _unplaced_move(visit: Visit, ends: dict[int, tuple[Any, Any]]) -> bool:
    return visit.kind in MOVING_KINDS and None in ends[visit.id or 0]


def _journey(
    visit: Visit, start: geo.Place | None, end: geo.Place | None, model: geo.TravelModel
) -> list[Finding]:
    """A transfer or flight shorter than its own journey (no buffer: it is the journey)."""
    if start is None or end is None:
        return []
    mode = "flight" if visit.kind == "flight" else (visit.mode or "bus")
    km, needed = model.journey(start, end, mode)
    took = (visit.end.timestamp() - visit.start.timestamp()) / 60
    if needed <= took:
        return []
    return [
        Finding(
            "error",
            "transfer-too-short",
            f"'{visit.title}' ({span(visit)}) from {start.label} to {end.label} takes "
            f"{minutes(took)}, but the journey by {mode} takes about {minutes(needed)} "
            f"({km:.0f} km at {geo.MODE_SPEEDS_KMH[mode]:g} km/h)",
            [visit.id or 0],
            [],
        )
    ]


def _unknown_place(visit: Visit, companies: dict[int, Company]) -> Finding:
    company = companies.get(visit.company_id) if visit.company_id is not None else None
    if visit.has_venue or company is None:
        where = f"the location {visit.location!r} is not in the gazetteer"
        hint = "add --lat/--lon to the visit"
    else:
        where = (
            f"{company.name} has no coordinates and its city {company.city or '(none)'!s} "
            "is not in the gazetteer"
        )
        hint = "add --lat/--lon to the company"
    return Finding(
        "warning",
        "unknown-place",
        f"travel time to and from '{visit.title}' was not checked: {where}; {hint}",
        [visit.id or 0],
        [],
    )
