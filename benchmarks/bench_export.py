"""Export benchmarks: N contacts to every format as whole processes, seconds and peak memory.

Memory must stay flat: the peak for N contacts is compared with the peak for N/10.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from run import Context, Row

HERE = Path(__file__).resolve().parent
FORMATS = ("csv", "csv-excel", "xlsx", "vcf", "json", "yaml", "html")
TARGET_SECONDS = 5.0
# "Flat": ten times the contacts may cost at most this much more memory at the peak.
FLAT_MB = 30.0
CONSENT = {"ja": "yes", "yes": "yes", "nein": "no", "no": "no"}


def load(db_path: Path, n: int, seed: int = 0) -> None:
    """Fill a database with n generated contacts and their companies, fast (bulk inserts).

    Benchmarks may write SQL: going through the store would take minutes for 100,000 people,
    and the export reads the rows the same way however they were written.
    """
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(HERE.parent))
    from generate import people

    from greentech_cli.db import open_db

    db = open_db(db_path, create=True)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    company_ids: dict[str, int] = {}
    company_rows: list[tuple[object, ...]] = []
    contact_rows: list[tuple[object, ...]] = []
    for row in people(n, seed=seed):
        name = row["company"]
        if name and name not in company_ids:
            company_ids[name] = len(company_ids) + 1
            postcode = f"{(len(company_ids) * 7919) % 100000:05d}"
            street = f"Hauptstraße {len(company_ids) % 200 + 1}"
            website = f"https://c{company_ids[name]}.example"
            company_rows.append(
                (company_ids[name], name, f'["{row["sector"]}"]', street, postcode, row["city"],
                 row["country"], website, stamp, stamp)
            )  # fmt: skip
        contact_rows.append(
            (row["salutation"] or None, row["title"] or None, row["first_name"], row["last_name"],
             row["native_name"] or None, row["position"] or None, company_ids.get(name),
             row["email"] or None, row["phone"] or None, row["mobile"] or None, row["country"],
             '["de","en"]', '["bench"]', CONSENT.get(row["share_consent"], "unknown"), stamp, stamp)
        )  # fmt: skip
    with db.conn:
        db.conn.executemany(
            "INSERT INTO companies (id, name, sectors, street, postcode, city, country, website, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            company_rows,
        )
        db.conn.executemany(
            "INSERT INTO contacts (salutation, title, first_name, last_name, native_name, "
            "position, company_id, email, phone, mobile, country, languages, tags, share_consent, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            contact_rows,
        )
    db.close()


def _database(ctx: Context, n: int) -> Path:
    path = ctx.scratch / f"export-{n}.db"
    if not path.exists():
        start = time.perf_counter()
        # In a process of its own: a child's peak memory as the kernel reports it starts from
        # the parent's size at fork, so the runner must stay small for the figures to mean much.
        ctx.run([sys.executable, str(Path(__file__).resolve()), str(path), str(n)])
        print(f"loaded {n} contacts in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return path


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _export(ctx: Context, db: Path, fmt: str, repeat: int) -> tuple[float, float, float]:
    """Median wall and CPU seconds and highest peak MB of `export contacts --all -f fmt --out`.

    CPU is the child's user + system time: on a machine loaded by other work, wall time grows
    while CPU time stays about the same, so both are reported (with the load average).
    """
    out = ctx.scratch / f"out.{fmt}"
    cmd = [*ctx.greentech(), "--db", str(db), "export", "contacts", "--all"]
    cmd += ["--format", fmt, "--out", str(out)]
    runs = []
    for _ in range(repeat):
        cpu = _cpu_of_children()
        seconds, peak = ctx.peak_memory_mb(cmd)
        runs.append((seconds, _cpu_of_children() - cpu, peak))
    return (
        statistics.median(r[0] for r in runs),
        statistics.median(r[1] for r in runs),
        max(r[2] for r in runs),
    )


def export_formats(ctx: Context) -> list[Row]:
    """Every format for N contacts (time and memory) and for N/10 (memory, to show it is flat)."""
    big, small = ctx.size, max(ctx.size // 10, 1)
    big_db, small_db = _database(ctx, big), _database(ctx, small)
    rows = []
    for fmt in FORMATS:
        load = os.getloadavg()[0]
        seconds, cpu, peak = _export(ctx, big_db, fmt, repeat=3)
        _, _, small_peak = _export(ctx, small_db, fmt, repeat=1)
        ok = seconds <= TARGET_SECONDS
        rows.append(
            Row(
                "export",
                f"{big:,} contacts → {fmt}",
                f"{seconds:.2f} s (CPU {cpu:.2f} s; load average {load:.1f})",
                f"≤ {TARGET_SECONDS:.0f} s",
                "ok" if ok else "SLOWER",
            )
        )
        flat = peak - small_peak <= FLAT_MB
        rows.append(
            Row(
                "export",
                f"peak memory {fmt}: {small:,} vs {big:,}",
                f"{small_peak:.0f} MB vs {peak:.0f} MB",
                f"flat (+≤ {FLAT_MB:.0f} MB)",
                "ok" if flat else "GROWS",
            )
        )
    return rows


BENCHMARKS = {"export": export_formats}

if __name__ == "__main__":
    load(Path(sys.argv[1]), int(sys.argv[2]))
