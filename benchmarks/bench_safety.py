"""Data-safety benchmarks on N contacts: backup, doctor, privacy report and erase, log."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

from run import Context, Row, median_ms

HERE = Path(__file__).resolve().parent


def safety(ctx: Context) -> list[Row]:
    """Whole-process timings of backup, doctor, privacy report/erase and log on N contacts."""
    sys.path.insert(0, str(HERE))
    from load import load_people

    db = ctx.scratch / f"safety-{ctx.size}.db"
    if not db.exists():
        start = time.perf_counter()
        load_people(db, ctx.size)
        print(f"loaded {ctx.size} contacts in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    size_mb = db.stat().st_size / 2**20
    base = [*ctx.greentech(), "--db", str(db)]
    rows: list[Row] = []
    n = f"{ctx.size:,} contacts, {size_mb:.0f} MB"

    backups = ctx.scratch / "bench-backups"
    backups.mkdir(exist_ok=True)
    times = []
    for i in range(3):
        target = backups / f"b{i}.db"
        start = time.perf_counter()
        ctx.run([*base, "backup", str(target)])
        times.append(time.perf_counter() - start)
    rows.append(Row("safety", f"backup ({n})", f"{median_ms(times):.0f} ms"))
    shutil.rmtree(backups)

    doctor = ctx.time_command([*base, "doctor"], repeat=3)
    rows.append(Row("safety", f"doctor ({n})", f"{median_ms(doctor):.0f} ms"))
    report = ctx.time_command([*base, "privacy", "report", "5", "--format", "json"], repeat=5)
    rows.append(Row("safety", "privacy report (one person)", f"{median_ms(report):.0f} ms"))
    log = ctx.time_command([*base, "log", "--limit", "50"], repeat=5)
    rows.append(Row("safety", "log --limit 50", f"{median_ms(log):.0f} ms"))

    erase = []
    for contact_id in (10, 20, 30):
        start = time.perf_counter()
        ctx.run([*base, "privacy", "erase", str(contact_id), "--yes"])
        erase.append(time.perf_counter() - start)
    rows.append(
        Row(
            "safety",
            f"privacy erase incl. FTS merge + VACUUM ({n})",
            f"{median_ms(erase):.0f} ms",
        )
    )
    return rows


BENCHMARKS = {"safety": safety}
