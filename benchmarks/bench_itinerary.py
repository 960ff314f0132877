"""Benchmark: render each itinerary format of a 7-day, 40-visit delegation as a whole process."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from run import Context, Row, median_ms

DAYS = 7
VISITS = 40
CODE = "bench-trip"
FORMATS = ("text", "md", "html", "ics", "json")
KINDS = ("site-visit", "b2b-meeting", "workshop", "briefing", "meal", "reception")


def programme_yaml() -> str:
    """A programme file: 7 days, 40 visits at 12 companies, 10 members, a host per company."""
    import yaml

    first = date(2026, 11, 16)
    companies = [
        {"name": f"Bench Company {n} GmbH", "city": "Essen", "country": "DE",
         "lat": 51.40 + n * 0.01, "lon": 6.90 + n * 0.01, "sectors": ["circular-economy"]}
        for n in range(12)
    ]  # fmt: skip
    hosts = [
        {"first_name": "Host", "last_name": f"Number{n}", "company": c["name"],
         "email": f"host{n}@bench.example", "phone": f"+49 201 555{n:04d}", "country": "DE"}
        for n, c in enumerate(companies)
    ]  # fmt: skip
    delegates = [
        {"first_name": f"Delegate{n}", "last_name": "Bench", "native_name": f"Делегат {n}",
         "email": f"d{n}@bench.example.kz", "country": "KZ"}
        for n in range(10)
    ]  # fmt: skip
    visits: list[dict[str, Any]] = []
    for n in range(VISITS):
        day = first + timedelta(days=n % DAYS)
        slot = n // DAYS  # up to 6 visits a day, 90 minutes apart
        hour = 8 + slot * 2
        company = companies[n % len(companies)]
        visit: dict[str, Any] = {
            "title": f"Programme item {n + 1}",
            "kind": KINDS[n % len(KINDS)],
            "start": f"{day.isoformat()} {hour:02d}:00",
            "end": f"{day.isoformat()} {hour + 1:02d}:30",
            "company": company["name"],
            "hosts": [hosts[n % len(hosts)]["email"]],
            "notes": "Safety shoes required." if n % 3 == 0 else None,
        }
        if n == 0:
            visit["timezone"] = "Asia/Almaty"
        visits.append({k: v for k, v in visit.items() if v is not None})
    data = {
        "delegation": {
            "code": CODE, "title": "Benchmark delegation", "direction": "incoming",
            "start_date": first.isoformat(),
            "end_date": (first + timedelta(days=DAYS - 1)).isoformat(),
            "timezone": "Europe/Berlin", "home_timezone": "Asia/Almaty",
        },
        "companies": companies,
        "people": hosts + delegates,
        "members": [{"person": d["email"], "status": "confirmed"} for d in delegates],
        "visits": visits,
    }  # fmt: skip
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def bench_itinerary(ctx: Context) -> list[Row]:
    """Median wall time of `itinerary --format F --out /dev/null` for each format."""
    db = ctx.scratch / "itinerary.db"
    source = ctx.scratch / "bench-programme.yaml"
    source.write_text(programme_yaml(), encoding="utf-8")
    ctx.run([*ctx.greentech(), "--db", str(db), "programme", "apply", str(source)])
    rows = []
    for fmt in FORMATS:
        cmd = [*ctx.greentech(), "--db", str(db), "itinerary", CODE, "--format", fmt,
               "--lang", "de", "--out", "/dev/null"]  # fmt: skip
        ctx.run(cmd)  # warm the file cache
        rows.append(
            Row(
                "itinerary",
                f"{fmt}, {DAYS} days, {VISITS} visits (whole process, median of 7)",
                f"{median_ms(ctx.time_command(cmd)):.0f} ms",
            )
        )
    apply_cmd = [*ctx.greentech(), "--db", str(db), "programme", "apply", str(source)]
    rows.append(
        Row(
            "itinerary",
            "programme apply of the same file, unchanged (median of 5)",
            f"{median_ms(ctx.time_command(apply_cmd, repeat=5)):.0f} ms",
        )
    )
    check_cmd = [*ctx.greentech(), "--db", str(db), "check", CODE, "--format", "json"]
    times = []
    for _ in range(5):
        import subprocess
        import time

        start = time.perf_counter()
        subprocess.run(check_cmd, env=ctx.env, capture_output=True)  # exits 1 on errors
        times.append(time.perf_counter() - start)
    rows.append(Row("itinerary", "check of the same delegation (median of 5)",
                    f"{median_ms(times):.0f} ms"))  # fmt: skip
    return rows


BENCHMARKS = {"itinerary": bench_itinerary}
