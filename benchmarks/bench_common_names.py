"""Duplicate-check cost when names repeat: the common-names file of the duplicate-rules issue.

`../shared/bench/common_names.py` writes 100,000 rows drawn from 12 first names x 10 last names
over 7,000 companies. Each file is imported into an empty database as a whole process; all in one
run, so the ratios compare neighbours on this shared machine:

* 100,000 rows ≤ 2.3x its first 50,000 (growth stays linear however often names repeat);
* 100,000 common-names rows ≤ 1.5x 100,000 diverse rows (`generate.py people`, no planted
  duplicates): common names cost no more than rare ones;
* 1,000,000 rows ≤ 12x the 100,000 (run with `--size 1000000`; the default size skips it).

    python benchmarks/run.py common-names              # 50k, 100k, diverse 100k
    python benchmarks/run.py common-names --size 1000000   # and 1M
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from run import Context, Row

HERE = Path(__file__).resolve().parent
GENERATOR = HERE.parent.parent / "shared" / "bench" / "common_names.py"


def _common(ctx: Context, n: int) -> Path:
    path = ctx.scratch / f"common-{n}.csv"
    if not path.exists():
        path.write_bytes(ctx.run([sys.executable, str(GENERATOR), str(n)]).stdout)
    return path


def _diverse(ctx: Context, n: int) -> Path:
    path = ctx.scratch / f"diverse-{n}.csv"
    if not path.exists():
        gen = [sys.executable, str(HERE / "generate.py"), "people", str(n), "--seed", "3"]
        ctx.run([*gen, "--format", "csv-de", "--duplicates", "0", "--out", str(path)])
    return path


def _import(ctx: Context, source: Path) -> tuple[float, float, float]:
    """(wall s, CPU s, peak MB) of importing a file into an empty database, whole process."""
    target = ctx.scratch / f"{source.stem}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    return ctx.measure(
        [*ctx.greentech(), "--db", str(target), "import", str(source), "--format", "json"]
    )


def common_names(ctx: Context) -> list[Row]:
    """The three (or four) imports and their ratios; see the module docstring."""
    if not GENERATOR.exists():
        return [Row("common-names", f"{GENERATOR} is absent", "not run")]
    loads = [os.getloadavg()[0]]
    half = _import(ctx, _common(ctx, 50_000))
    loads.append(os.getloadavg()[0])
    full = _import(ctx, _common(ctx, 100_000))
    loads.append(os.getloadavg()[0])
    diverse = _import(ctx, _diverse(ctx, 100_000))
    loads.append(os.getloadavg()[0])
    big = None
    if ctx.size >= 1_000_000:
        big = _import(ctx, _common(ctx, 1_000_000))
        loads.append(os.getloadavg()[0])
    load = ", ".join(f"{value:.1f}" for value in loads)

    def figure(run: tuple[float, float, float]) -> str:
        return f"{run[0]:.1f} s wall, {run[1]:.1f} s CPU, {run[2]:.0f} MB peak"

    growth, versus = full[0] / half[0], full[0] / diverse[0]
    rows = [
        Row("common-names", "import of the first 50,000 common-names rows", figure(half)),
        Row("common-names", "import of 100,000 common-names rows", figure(full)),
        Row("common-names", "import of 100,000 diverse rows (generate.py)", figure(diverse)),
        Row(
            "common-names",
            f"100,000 / 50,000 (load average {load})",
            f"{growth:.2f}",
            "≤ 2.3",
            "ok" if growth <= 2.3 else "SLOW",
        ),
        Row(
            "common-names",
            "100,000 common / 100,000 diverse",
            f"{versus:.2f}",
            "≤ 1.5",
            "ok" if versus <= 1.5 else "SLOW",
        ),
    ]
    if big is not None:
        scale = big[0] / full[0]
        rows.append(Row("common-names", "import of 1,000,000 common-names rows", figure(big)))
        rows.append(Row("common-names", "1,000,000 / 100,000", f"{scale:.2f}", "≤ 12",
                        "ok" if scale <= 12 else "SLOW"))  # fmt: skip
    return rows


BENCHMARKS = {"common-names": common_names}
