"""Foundation benchmarks: cold start of --help/--version against sqlite-utils, search and list."""

from __future__ import annotations

import shutil
import statistics
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
        # Thousands of matches ranked in Python (a city: every one a details match; one letter:
        # over half the contacts), only the 50 shown read whole.
        "search Lünen (a city)": [*base, "search", "Lünen", "--limit", "50"],
        "search a (one letter)": [*base, "search", "a", "--limit", "50"],
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


def list_table(ctx: Context) -> list[Row]:
    """`contact list` without a limit on N and N/10 contacts: table, plain lines, json, ndjson.

    Issue 18: a table within 2× the time of JSON, memory flat (peak RSS at N about the one at
    N/10). Output goes to /dev/null (a pipe-like file), so the table is asked for with
    `--format table`; the default there is the plain tab-separated lines.
    """
    sys.path.insert(0, str(HERE))
    from load import load_people

    rows: list[Row] = []
    peaks: dict[tuple[str, int], float] = {}
    for size in (max(ctx.size // 10, 1), ctx.size):
        db = ctx.scratch / f"core-{size}.db"
        if not db.exists():
            load_people(db, size)
        base = [*ctx.greentech(), "--db", str(db), "contact", "list"]
        cases = {
            "json": [*base, "--format", "json"],
            "ndjson": [*base, "--format", "ndjson"],
            "table": [*base, "--format", "table"],
            "lines (piped default)": base,
        }
        walls: dict[str, float] = {}
        for name, cmd in cases.items():
            runs = [ctx.measure(cmd) for _ in range(2)]
            wall = statistics.median(r[0] for r in runs)
            peak = max(r[2] for r in runs)
            walls[name] = wall
            peaks[(name, size)] = peak
            figure = f"{wall:.2f} s, {peak:.0f} MB peak"
            target, verdict = "", ""
            if name != "json":
                ratio = wall / walls["json"]
                figure += f" (×{ratio:.2f} json)"
                target = "≤ 2× json" if name == "table" else ""
                verdict = ("ok" if ratio <= 2 else "SLOW") if name == "table" else ""
            rows.append(
                Row("list-table", f"contact list {name} ({size:,})", figure, target, verdict)
            )
    small = max(ctx.size // 10, 1)
    for name in ("json", "table", "lines (piped default)"):
        growth = peaks[(name, ctx.size)] / peaks[(name, small)]
        rows.append(
            Row(
                "list-table",
                f"memory {name}: {ctx.size:,} vs {small:,}",
                f"×{growth:.2f}",
                "flat (≤ 1.3×)",
                "ok" if growth <= 1.3 else "GROWS",
            )
        )
    return rows


BENCHMARKS = {"startup": startup, "search-list": search_and_list, "list-table": list_table}
