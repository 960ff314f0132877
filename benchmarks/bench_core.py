"""Foundation benchmarks: cold start of --help/--version against sqlite-utils, search and list."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

from run import Context, Row, median_ms

HERE = Path(__file__).resolve().parent


def startup(ctx: Context) -> list[Row]:
    """`greentech --help`/`--version` against `sqlite-utils --help`, alternating, median of 9."""
    bindir = Path(sys.executable).parent
    greentech = [shutil.which("greentech", path=str(bindir)) or "greentech"]
    squ = shutil.which("sqlite-utils", path=str(bindir)) or "sqlite-utils"
    commands = {
        "greentech --help": [*greentech, "--help"],
        "greentech --version": [*greentech, "--version"],
        "sqlite-utils --help": [squ, "--help"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for cmd in commands.values():
        ctx.run(cmd)  # warm the bytecode cache once
    for _ in range(9):
        for name, cmd in commands.items():
            times[name] += ctx.time_command(cmd, repeat=1)
    base = median_ms(times["sqlite-utils --help"])
    rows = []
    for name in commands:
        ms = median_ms(times[name])
        ratio = ms / base
        target = "≤ sqlite-utils --help" if name.startswith("greentech") else "baseline"
        verdict = ("ok" if ratio <= 1.0 else "SLOWER") if name.startswith("greentech") else ""
        rows.append(Row("startup", name, f"{ms:.0f} ms (ratio {ratio:.2f})", target, verdict))
    return rows


def search_and_list(ctx: Context) -> list[Row]:
    """`search` and `contact list --limit 50` on N contacts, as whole processes, median of 7."""
    sys.path.insert(0, str(HERE))
    from load import load_people

    db = ctx.scratch / f"core-{ctx.size}.db"
    if not db.exists():
        start = time.perf_counter()
        load_people(db, ctx.size)
        print(f"loaded {ctx.size} contacts in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    base = [*ctx.greentech(), "--db", str(db)]
    cases = {
        "search nurlanov": [*base, "search", "nurlanov", "--limit", "50"],
        "search Müll (prefix)": [*base, "search", "Müll", "--limit", "50"],
        "search Қайрат (Cyrillic)": [*base, "search", "Қайрат", "--limit", "50"],
        "contact list --limit 50": [*base, "contact", "list", "--limit", "50"],
        "contact list --limit 50 --format json": [
            *base, "contact", "list", "--limit", "50", "--format", "json",
        ],
    }  # fmt: skip
    rows = []
    for name, cmd in cases.items():
        ms = median_ms(ctx.time_command(cmd, repeat=7))
        verdict = "ok" if ms <= 250 else "SLOW"
        rows.append(
            Row(
                "search-list",
                f"{name} ({ctx.size:,} contacts)",
                f"{ms:.0f} ms",
                "≤ 250 ms",
                verdict,
            )
        )
    return rows


BENCHMARKS = {"startup": startup, "search-list": search_and_list}
