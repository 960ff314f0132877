"""Benchmark: render each itinerary format of a 7-day, 40-visit delegation as a whole process."""

from __future__ import annotations

import resource
import subprocess
import time
from datetime import date, timedelta
from typing import Any

from run import Context, Row, median_ms

DAYS = 7
VISITS = 40
CODE = "bench-trip"
FORMATS = ("text", "md", "html", "ics", "json")
KINDS = ("site-visit", "b2b-meeting", "workshop", "briefing", "meal", "reception")


def programme_yaml(count: int = VISITS, russian: bool = False) -> str:
    """A programme file: 7 days, 40 visits at 12 companies, 10 members, a host per company
    (with `russian`, every other title also in Russian and German)."""
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
    for n in range(count):
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
        if count > 6 * DAYS:  # up to 9 items a day: 90 minutes apart from 07:00, 75 long
            begin = 7 * 60 + slot * 90
            visit["start"] = f"{day.isoformat()} {begin // 60:02d}:{begin % 60:02d}"
            visit["end"] = f"{day.isoformat()} {(begin + 75) // 60:02d}:{(begin + 75) % 60:02d}"
        if russian and n % 2:
            visit["title"] = {"de": f"Programmpunkt {n + 1}", "ru": f"Пункт программы {n + 1}"}
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


def _timed(ctx: Context, cmd: list[str], repeat: int) -> tuple[float, float]:
    """Median wall and median CPU (user + system of the child) milliseconds of a command.

    CPU time is reported too because wall time swings with whatever else the machine runs.
    """
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, env=ctx.env, capture_output=True)  # check exits 1 on errors
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return median_ms(walls), median_ms(cpus)


def bench_itinerary(ctx: Context) -> list[Row]:
    """Median time of `itinerary --format F --out /dev/null` for each format, as whole processes."""
    db = ctx.scratch / "itinerary.db"
    source = ctx.scratch / "bench-programme.yaml"
    source.write_text(programme_yaml(), encoding="utf-8")
    greentech = [*ctx.greentech(), "--db", str(db)]
    ctx.run([*greentech, "programme", "apply", str(source)])
    commands = {
        f"itinerary --format {fmt} ({DAYS} days, {VISITS} visits)": [
            *greentech, "itinerary", CODE, "--format", fmt, "--lang", "de", "--out", "/dev/null",
        ]
        for fmt in FORMATS
    }  # fmt: skip
    commands["programme apply of the same file (nothing changes)"] = [
        *greentech, "programme", "apply", str(source),
    ]  # fmt: skip
    commands["check of the same delegation"] = [*greentech, "check", CODE, "--format", "json"]
    ctx.run([*ctx.greentech(), "--version"])  # warm the file cache
    rows = []
    for what, cmd in commands.items():
        wall, cpu = _timed(ctx, cmd, repeat=7)
        rows.append(
            Row("itinerary", f"{what}, whole process, median of 7", f"{wall:.0f} ms",
                "", f"CPU {cpu:.0f} ms")
        )  # fmt: skip
    return rows


LANG_VISITS = 60  # issue 17: 7 days / 60 items in each format ≤ 300 ms, whole process


def bench_itinerary_lang(ctx: Context) -> list[Row]:
    """Issue 17: each format of a 7-day, 60-item programme in Russian and German side by side
    (titles per language, map links, QR codes in HTML, consent), as whole processes."""
    db = ctx.scratch / "itinerary-lang.db"
    source = ctx.scratch / "bench-programme-lang.yaml"
    source.write_text(programme_yaml(LANG_VISITS, russian=True), encoding="utf-8")
    greentech = [*ctx.greentech(), "--db", str(db)]
    ctx.run([*greentech, "programme", "apply", str(source)])
    ctx.run([*ctx.greentech(), "--version"])  # warm the file cache
    baseline, baseline_cpu = _timed(ctx, [*ctx.greentech(), "--version"], repeat=7)
    rows = [
        Row("itinerary-lang", "greentech --version in the same minute (start-up floor)",
            f"{baseline:.0f} ms", "", f"CPU {baseline_cpu:.0f} ms")
    ]  # fmt: skip
    for lang in ("ru", "de+ru"):
        for fmt in FORMATS:
            cmd = [*greentech, "itinerary", CODE, "-f", fmt, "--lang", lang, "--out", "/dev/null"]
            wall, cpu = _timed(ctx, cmd, repeat=7)
            rows.append(
                Row("itinerary-lang", f"itinerary -f {fmt} --lang {lang} ({DAYS} days, "
                    f"{LANG_VISITS} items), whole process, median of 7", f"{wall:.0f} ms",
                    "≤ 300 ms", f"CPU {cpu:.0f} ms")
            )  # fmt: skip
    return rows


BENCHMARKS = {"itinerary": bench_itinerary, "itinerary-lang": bench_itinerary_lang}
