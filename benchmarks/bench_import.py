"""Import benchmarks: a German attendee CSV against a filled database, beside sqlite-utils."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

from run import Context, Row

HERE = Path(__file__).resolve().parent


def _csv(ctx: Context, n: int, seed: int) -> Path:
    path = ctx.scratch / f"attendees-{n}-{seed}.csv"
    if not path.exists():
        gen = [sys.executable, str(HERE / "generate.py"), "people", str(n), "--seed", str(seed)]
        ctx.run([*gen, "--format", "csv-de", "--duplicates", "0.02", "--out", str(path)])
    return path


def _filled(ctx: Context, n: int) -> Path:
    """A database already holding n contacts (made once per scratch folder)."""
    base = ctx.scratch / f"import-base-{n}.db"
    if not base.exists():
        sys.path.insert(0, str(HERE))
        from load import load_people

        start = time.perf_counter()
        load_people(base, n, seed=7)
        print(f"prefilled {n} contacts in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return base


ROUNDS = 5


def import_vs_sqlite_utils(ctx: Context) -> list[Row]:
    """N German-style rows into a database already holding N contacts, vs sqlite-utils insert.

    The two run in turn, ROUNDS times each (each greentech run on a fresh copy of the filled
    database): this machine's speed drifts, and a ratio is only fair between neighbouring runs.
    The verdict takes the median of the per-round ratios.
    """
    n = ctx.size
    base = _filled(ctx, n)
    source = _csv(ctx, n, seed=8)
    target = ctx.scratch / "import-target.db"
    squ_db = ctx.scratch / "squ.db"
    bindir = Path(sys.executable).parent
    squ = shutil.which("sqlite-utils", path=str(bindir)) or "sqlite-utils"
    load = os.getloadavg()[0]
    ours, theirs = [], []
    for _ in range(ROUNDS):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copy(base, target)
        ours.append(
            ctx.measure(
                [*ctx.greentech(), "--db", str(target), "import", str(source), "--format", "json"]
            )
        )
        squ_db.unlink(missing_ok=True)
        theirs.append(
            ctx.measure(
                [squ, "insert", str(squ_db), "people", str(source), "--csv", "--delimiter", ";"]
            )
        )
    ratios = sorted(a[0] / b[0] for a, b in zip(ours, theirs, strict=True))
    ratio = ratios[len(ratios) // 2]
    seconds, cpu, peak = sorted(ours)[len(ours) // 2]
    squ_seconds, squ_cpu, squ_peak = sorted(theirs)[len(theirs) // 2]
    walls = ", ".join(f"{a[0]:.1f}/{b[0]:.1f}" for a, b in zip(ours, theirs, strict=True))
    return [
        Row("import", f"greentech import, {n:,} rows into {n:,} contacts (median of {ROUNDS}; "
            f"load average {load:.1f})", f"{seconds:.1f} s wall, {cpu:.1f} s CPU "
            f"({cpu / n * 1000:.2f} ms/row), {peak:.0f} MB peak", "ratio ≤ 1.0",
            "ok" if ratio <= 1.0 else f"ratio {ratio:.2f} (rounds, ours/theirs s: {walls})"),
        Row("import", f"sqlite-utils insert --csv, {n:,} rows (median of {ROUNDS})",
            f"{squ_seconds:.1f} s wall, {squ_cpu:.1f} s CPU ({squ_cpu / n * 1000:.2f} ms/row), "
            f"{squ_peak:.0f} MB peak", "baseline", ""),
    ]  # fmt: skip


def import_floor(ctx: Context) -> list[Row]:
    """The CPU time of the import's two halves measured apart (`import_floor.py`), beside
    sqlite-utils: half their sum is the least wall time any pipeline on two cores could reach
    without the duplicate check, the process start and the hand-over between processes."""
    n = ctx.size
    base = _filled(ctx, n)
    source = _csv(ctx, n, seed=8)
    target = ctx.scratch / "import-floor.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copy(base, target)
    script = str(HERE / "import_floor.py")
    prepare = json.loads(ctx.run([sys.executable, script, "prepare", str(source)]).stdout)
    write = json.loads(ctx.run([sys.executable, script, "write", str(source), str(target)]).stdout)
    squ_db = ctx.scratch / "squ.db"
    squ_db.unlink(missing_ok=True)
    bindir = Path(sys.executable).parent
    squ = shutil.which("sqlite-utils", path=str(bindir)) or "sqlite-utils"
    squ_seconds, squ_cpu, _ = ctx.measure(
        [squ, "insert", str(squ_db), "people", str(source), "--csv", "--delimiter", ";"]
    )
    bound = (prepare["cpu"] + write["cpu"]) / 2
    return [
        Row("import-floor", f"reading and normalising {n:,} rows alone (one process)",
            f"{prepare['cpu']:.1f} s CPU"),
        Row("import-floor", f"SQLite storing {write['rows']:,} new contacts alone (indexes, "
            "full text, change records, commit)", f"{write['cpu']:.1f} s CPU"),
        Row("import-floor", "half their sum: the least wall time on two cores, no duplicate "
            "check", f"{bound:.1f} s", f"sqlite-utils {squ_seconds:.1f} s wall "
            f"({squ_cpu:.1f} s CPU) in this run", f"ratio ≥ {bound / squ_seconds:.2f}"),
    ]  # fmt: skip


def import_memory(ctx: Context) -> list[Row]:
    """Peak memory of importing N/10 and N rows into an empty database: flat means equal."""
    rows = []
    peaks = []
    for n in (max(ctx.size // 10, 1000), ctx.size):
        source = _csv(ctx, n, seed=9)
        db = ctx.scratch / f"import-mem-{n}.db"
        db.unlink(missing_ok=True)
        seconds, cpu, peak = ctx.measure(
            [*ctx.greentech(), "--db", str(db), "import", str(source), "--format", "json"]
        )
        peaks.append(peak)
        rows.append(
            Row(
                "import-memory",
                f"import {n:,} rows into an empty database",
                f"{seconds:.0f} s wall, {cpu:.0f} s CPU, {peak:.0f} MB peak",
            )
        )
    flat = peaks[1] <= peaks[0] * 1.25
    rows.append(Row("import-memory", "peak growth, 10x rows", f"{peaks[1] / peaks[0]:.2f}x",
                    "flat (≤ 1.25x)", "ok" if flat else "GROWS"))  # fmt: skip
    return rows


BENCHMARKS = {
    "import": import_vs_sqlite_utils,
    "import-floor": import_floor,
    "import-memory": import_memory,
}
