"""Benchmark: the funder's report over 200 delegations, 20,000 contacts and 5,000 visits.

Targets (issue 19): the whole process ≤ 1 s for HTML without charts, ≤ 3 s with charts.
"""

from __future__ import annotations

import os
import random
import resource
import subprocess
import time
from datetime import date, timedelta
from pathlib import Path

from load import load_people
from run import Context, Row, median_ms

DELEGATIONS = 200
CONTACTS = 20_000
VISITS = 5_000
MEMBERS_EACH = 15
KINDS = ("site-visit", "b2b-meeting", "workshop", "briefing", "meal", "reception", "transfer")
SECTORS = ("circular-economy", "water", "renewables", "energy-efficiency", "hydrogen")
REGIONS = ("NRW", "Bayern", "Sachsen", "Hessen", "Almaty", "Astana", None)
STATUSES = ("present", "present", "present", "absent", "excused")
FOLLOWUP_KINDS = ("note", "call", "meeting", "lead", "agreement", "next-step")


def build(path: Path, contacts: int = CONTACTS) -> None:
    """A database of generated people with delegations, members, visits, attendance, follow-ups."""
    from greentech_cli.db import open_db, transaction

    load_people(path, contacts, seed=19)
    rnd = random.Random(19)
    db = open_db(path)
    stamp = "2026-01-01T00:00:00+00:00"
    with transaction(db):
        company_ids = [r[0] for r in db.execute("SELECT id FROM companies").fetchall()]
        for company_id in company_ids:
            sectors = rnd.sample(SECTORS, rnd.randint(0, 2))
            db.execute(
                "UPDATE companies SET sectors = json(?), region = ?, country = ? WHERE id = ?",
                [str(sectors).replace("'", '"'), rnd.choice(REGIONS), "DE", company_id],
            )
        contact_ids = [r[0] for r in db.execute("SELECT id FROM contacts").fetchall()]
        first = date(2024, 1, 8)
        visit_number = 0
        for n in range(DELEGATIONS):
            start = first + timedelta(days=4 * n)
            cursor = db.execute(
                "INSERT INTO delegations (code, title, direction, start_date, end_date, timezone, "
                "created_at, updated_at) VALUES (?, ?, 'incoming', ?, ?, 'Europe/Berlin', ?, ?)",
                [f"bench-{n:03d}", f"Delegation {n}", start.isoformat(),
                 (start + timedelta(days=4)).isoformat(), stamp, stamp],
            )  # fmt: skip
            delegation_id = cursor.lastrowid
            members = rnd.sample(contact_ids, MEMBERS_EACH)
            for i, contact_id in enumerate(members):
                db.execute(
                    "INSERT INTO members (delegation_id, contact_id, role, status, created_at, "
                    "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                    [delegation_id, contact_id, "lead" if i == 0 else "delegate",
                     rnd.choice(("attended", "attended", "no-show", "confirmed")), stamp, stamp],
                )  # fmt: skip
            for v in range(VISITS // DELEGATIONS):
                day = start + timedelta(days=v % 4)
                kind = KINDS[v % len(KINDS)]
                visit_number += 1
                cursor = db.execute(
                    "INSERT INTO visits (delegation_id, title, kind, start_local, end_local, "
                    "timezone, company_id, uid, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, 'Europe/Berlin', ?, ?, ?, ?)",
                    [delegation_id, f"Visit {visit_number}", kind, f"{day}T{8 + v // 4:02d}:00",
                     f"{day}T{8 + v // 4:02d}:45", rnd.choice(company_ids),
                     f"bench-{visit_number}", stamp, stamp],
                )  # fmt: skip
                if kind == "b2b-meeting":
                    for contact_id in members[:5]:
                        db.execute(
                            "INSERT INTO attendance (visit_id, contact_id, status, recorded_at) "
                            "VALUES (?, ?, ?, ?)",
                            [cursor.lastrowid, contact_id, rnd.choice(STATUSES), stamp],
                        )
            for contact_id in members[:10]:
                db.execute(
                    "INSERT INTO journal (contact_id, delegation_id, kind, text, at, status, "
                    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [contact_id, delegation_id, rnd.choice(FOLLOWUP_KINDS),
                     "Follow-up after the visit", stamp, rnd.choice(("open", "done")), stamp,
                     stamp],
                )  # fmt: skip
    db.close()


def _timed(ctx: Context, cmd: list[str], repeat: int) -> tuple[float, float]:
    """Median wall and median CPU milliseconds of a whole process."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, env=ctx.env, capture_output=True, check=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return median_ms(walls), median_ms(cpus)


def bench_report(ctx: Context) -> list[Row]:
    """Median whole-process time of `report` in each format over the whole database."""
    db = ctx.scratch / "report.db"
    build(db)
    greentech = [*ctx.greentech(), "--db", str(db), "report"]
    out = ctx.scratch / "report-out"
    commands = {
        "json": ([*greentech, "--format", "json"], ""),
        "table": ([*greentech, "--format", "table"], ""),
        "html without charts": (
            [*greentech, "--format", "html", "--no-charts", "--out", f"{out}.html"],
            "≤ 1 s",
        ),
        "html with charts": ([*greentech, "--format", "html", "--out", f"{out}.html"], "≤ 3 s"),
        "xlsx": ([*greentech, "--format", "xlsx", "--out", f"{out}.xlsx"], ""),
        "one delegation, html with charts": (
            [*greentech, "bench-100", "--format", "html", "--out", f"{out}.html"],
            "",
        ),
    }
    ctx.run([*ctx.greentech(), "--version"])  # warm the file cache
    rows = []
    load = os.getloadavg()[0]
    for what, (cmd, target) in commands.items():
        wall, cpu = _timed(ctx, cmd, repeat=5)
        limit = {"≤ 1 s": 1000, "≤ 3 s": 3000}.get(target)
        verdict = "" if limit is None else ("ok" if wall <= limit else "SLOWER")
        rows.append(
            Row("report", f"{what}: {DELEGATIONS} delegations, {CONTACTS:,} contacts, "
                f"{VISITS:,} visits (whole process, median of 5)", f"{wall:.0f} ms", target,
                f"{verdict} (CPU {cpu:.0f} ms)".strip())
        )  # fmt: skip
    rows.append(Row("report", "load average (1 min) when measuring", f"{load:.2f}"))
    return rows


BENCHMARKS = {"report": bench_report}
