"""Benchmark: `check` of a 7-day, 60-item trip with transfers, venues, a block of slots and a
hotel, as a whole process (issue 16: ≤ 300 ms on a quiet machine)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bench_itinerary import _timed
from run import Context, Row

DAYS = 7
ITEMS = 60
CODE = "bench-week"
CITIES = ("Düsseldorf", "Essen", "Dortmund", "Köln", "Lünen", "Moers", "Duisburg", "Bochum")


def programme_yaml() -> str:
    """7 days: each a transfer to a city's company, visits there, a transfer back, a dinner at a
    venue; one day a block of B2B slots; a hotel for the week. Companies have a city only, so
    their places come from the gazetteer (looked up when the programme was saved)."""
    import yaml

    first = date(2026, 11, 16)
    companies = [
        {"name": f"Week Company {n} GmbH", "city": city, "country": "DE"}
        for n, city in enumerate(CITIES)
    ]
    companies.append({"name": "IHK Düsseldorf", "kind": "chamber", "city": "Düsseldorf",
                      "country": "DE"})  # fmt: skip
    members = [
        {"first_name": f"Delegate{n}", "last_name": "Week", "email": f"w{n}@bench.example.kz"}
        for n in range(12)
    ]
    visits: list[dict[str, Any]] = [
        {"uid": "hotel@bench", "title": "Hotel", "kind": "hotel", "company": "IHK Düsseldorf",
         "start": f"{first} 15:00", "end": f"{first + timedelta(days=DAYS - 1)} 11:00"},
    ]  # fmt: skip
    n = 0
    while len(visits) < ITEMS:
        day = first + timedelta(days=n % DAYS)
        company = companies[n % len(CITIES)]
        base = f"{day}"
        round_no = n // DAYS
        hour = 8 + round_no * 5
        if hour > 18:
            break
        visits += [
            {"title": f"Bus {n}", "kind": "transfer", "mode": "bus", "from": "IHK Düsseldorf",
             "to": company["name"], "start": f"{base} {hour:02d}:00",
             "end": f"{base} {hour + 1:02d}:30", "capacity": 20},
            {"title": f"Visit {n}", "kind": "site-visit", "company": company["name"],
             "start": f"{base} {hour + 1:02d}:45", "end": f"{base} {hour + 2:02d}:45",
             "capacity": 14},
            {"title": f"Bus back {n}", "kind": "transfer", "from": company["name"],
             "to": "Düsseldorf", "start": f"{base} {hour + 3:02d}:00",
             "end": f"{base} {hour + 4:02d}:30"},
        ]  # fmt: skip
        n += 1
    block = {"uid": "block@bench", "title": "B2B block", "kind": "b2b-meeting",
             "location": "IHK Düsseldorf, Raum 4", "lat": 51.2254, "lon": 6.7763,
             "start": f"{first + timedelta(days=3)} 19:00", "end": f"{first + timedelta(days=3)} 21:00"}  # fmt: skip  # noqa: E501
    visits.append(block)
    for slot in range(ITEMS - len(visits)):
        start = 19 * 60 + slot * 20
        visits.append(
            {"title": f"Slot {slot}", "kind": "b2b-meeting", "parent": "block@bench",
             "room": f"Tisch {slot % 3}", "start": f"{first + timedelta(days=3)} "
             f"{start // 60:02d}:{start % 60:02d}", "duration": "20m",
             "attendees": [members[slot % len(members)]["email"]]}
        )  # fmt: skip
    data = {
        "delegation": {
            "code": CODE, "title": "Benchmark week", "direction": "incoming",
            "origin_country": "KZ", "destination_country": "DE",
            "start_date": first.isoformat(),
            "end_date": (first + timedelta(days=DAYS - 1)).isoformat(),
            "timezone": "Europe/Berlin", "home_timezone": "Asia/Almaty",
        },
        "companies": companies,
        "people": members,
        "members": [{"person": m["email"], "status": "confirmed"} for m in members],
        "visits": visits[:ITEMS],
    }  # fmt: skip
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def bench_trip_check(ctx: Context) -> list[Row]:
    """Median whole-process time of `check` on the 60-item week."""
    db = ctx.scratch / "trip.db"
    source = ctx.scratch / "bench-week.yaml"
    source.write_text(programme_yaml(), encoding="utf-8")
    greentech = [*ctx.greentech(), "--db", str(db)]
    ctx.run([*greentech, "programme", "apply", str(source)])
    ctx.run([*ctx.greentech(), "--version"])  # warm the file cache
    wall, cpu = _timed(ctx, [*greentech, "check", CODE, "--format", "json"], repeat=9)
    verdict = "ok" if wall <= 300 else "SLOWER"
    return [
        Row("trip-check", f"check, {DAYS} days, {ITEMS} items incl. transfers, whole process, "
            "median of 9", f"{wall:.0f} ms", "≤ 300 ms", f"{verdict}; CPU {cpu:.0f} ms")
    ]  # fmt: skip


BENCHMARKS = {"trip-check": bench_trip_check}
