"""The team database (issue 21): the same commands on a local PostgreSQL beside a SQLite file.

- team-search-list: `search` and `contact list --limit 50` on N contacts, whole process, median
  of 7 interleaved runs on each engine; PostgreSQL within 1.5x of SQLite.
- team-import: N attendee rows into an empty database, whole process, median of 3 interleaved;
  PostgreSQL within 2x of SQLite.
- team-officers: 8 officers at once for 60 s on each engine, each a loop of whole `greentech`
  processes: an import of 2,000 rows (a file of their own, some people also on another officer's
  list), then edits of contacts only they touch. Afterwards every import's batch and every
  edit's last value is looked for: lost and failed are counted, throughput reported.

Needs the server binaries (`initdb`, `pg_ctl`) and psycopg (`pip install '.[team]'`); the
PostgreSQL database is filled from the SQLite one by `greentech db copy`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from statistics import median

from run import Context, Row

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import pg_server  # noqa: E402

OFFICERS = 8
OFFICER_SECONDS = 60
OFFICER_ROWS = 2_000
EDITS_PER_ROUND = 10


def _server(ctx: Context):  # type: ignore[no-untyped-def]
    """A throw-away server in the scratch folder (which its unprivileged owner must be able to
    pass through when we are root, as in .ci/postgres)."""
    ctx.scratch.chmod(0o711)
    return pg_server.running(ctx.scratch / "pg")


def _sqlite_base(ctx: Context, n: int) -> Path:
    """The SQLite database of n generated contacts the search benchmarks use (made once)."""
    from load import load_people

    db = ctx.scratch / f"core-{n}.db"
    if not db.exists():
        start = time.perf_counter()
        load_people(db, n)
        print(f"loaded {n} contacts in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return db


def _csv(ctx: Context, n: int, seed: int, duplicates: float = 0.02) -> Path:
    path = ctx.scratch / f"team-{n}-{seed}.csv"
    if not path.exists():
        gen = [sys.executable, str(HERE / "generate.py"), "people", str(n), "--seed", str(seed)]
        gen += ["--format", "csv-de", "--duplicates", str(duplicates), "--out", str(path)]
        ctx.run(gen)
    return path


def _ratio_row(benchmark: str, what: str, ours: float, theirs: float, limit: float) -> Row:
    ratio = ours / theirs
    return Row(
        benchmark,
        what,
        f"PostgreSQL {ours * 1000:.0f} ms, SQLite {theirs * 1000:.0f} ms (ratio {ratio:.2f})",
        f"ratio ≤ {limit}",
        "ok" if ratio <= limit else "SLOW",
    )


def search_list(ctx: Context) -> list[Row]:
    """`search` and `contact list --limit 50` on both engines, interleaved."""
    sqlite_db = _sqlite_base(ctx, ctx.size)
    rows: list[Row] = []
    with _server(ctx) as server:
        url = pg_server.create_database(server, "search")
        ctx.run([*ctx.greentech(), "db", "copy", str(sqlite_db), url])
        cases = {
            "search nurlanov": ["search", "nurlanov", "--limit", "50"],
            "search Müll (prefix)": ["search", "Müll", "--limit", "50"],
            "search Қайрат (Cyrillic)": ["search", "Қайрат", "--limit", "50"],
            "contact list --limit 50": ["contact", "list", "--limit", "50"],
            "contact list --limit 50 --format json": [
                "contact", "list", "--limit", "50", "--format", "json",
            ],
        }  # fmt: skip
        for name, args in cases.items():
            on_sqlite, on_pg = [], []
            for _ in range(7):
                on_sqlite += ctx.time_command([*ctx.greentech(), "--db", str(sqlite_db), *args], 1)
                on_pg += ctx.time_command([*ctx.greentech(), "--db", url, *args], 1)
            what = f"{name} ({ctx.size:,} contacts, whole process, median of 7)"
            rows.append(_ratio_row("team-search-list", what, median(on_pg), median(on_sqlite), 1.5))
    return rows


def import_rows(ctx: Context) -> list[Row]:
    """N rows into an empty database on each engine, interleaved, median of 3."""
    source = _csv(ctx, ctx.size, seed=8)
    on_sqlite, on_pg = [], []
    with _server(ctx) as server:
        for round_ in range(3):
            target = ctx.scratch / "team-import.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            url = pg_server.create_database(server, f"import{round_}")
            for db, times in ((str(target), on_sqlite), (url, on_pg)):
                ctx.run([*ctx.greentech(), "--db", db, "init"])
                cmd = [*ctx.greentech(), "--db", db, "import", str(source), "--format", "json"]
                times.append(ctx.measure(cmd)[0])
    what = f"import {ctx.size:,} rows into an empty database (whole process, median of 3)"
    return [_ratio_row("team-import", what, median(on_pg), median(on_sqlite), 2.0)]


def _officer(ctx: Context, db: str, k: int, ids: list[int], until: float) -> dict[str, object]:
    """One officer's loop until `until`: an import of their own file, then edits of their own
    contacts. Returns what they did, what failed and the last value of each edited contact."""
    done: dict[str, object] = {"imports": [], "rows": 0, "edits": 0, "failed": [], "last": {}}
    round_ = 0
    while time.monotonic() < until:
        # A file of this officer's own; a tenth of its people are on officer k+1's list too.
        source = _csv(ctx, OFFICER_ROWS, seed=10_000 + 100 * k + round_ % 5, duplicates=0.1)
        cmd = [*ctx.greentech(), "--db", db, "import", str(source), "--format", "json"]
        proc = subprocess.run(cmd, capture_output=True, env=ctx.env, check=False)
        if proc.returncode != 0:
            done["failed"].append(proc.stderr.decode()[-300:])  # type: ignore[attr-defined]
        else:
            summary = json.loads(proc.stdout)
            done["imports"].append(summary["batch_id"])  # type: ignore[attr-defined]
            done["rows"] = int(done["rows"]) + int(summary["rows"])  # type: ignore[call-overload]
        for i in range(EDITS_PER_ROUND):
            if time.monotonic() >= until:
                break
            contact = ids[(round_ * EDITS_PER_ROUND + i) % len(ids)]
            value = f"officer {k} round {round_} edit {i}"
            edit = ["contact", "edit", str(contact), "--position", value]
            cmd = [*ctx.greentech(), "--db", db, *edit]
            proc = subprocess.run(cmd, capture_output=True, env=ctx.env, check=False)
            if proc.returncode != 0:
                done["failed"].append(proc.stderr.decode()[-300:])  # type: ignore[attr-defined]
            else:
                done["edits"] = int(done["edits"]) + 1  # type: ignore[call-overload]
                done["last"][contact] = value  # type: ignore[index]
        round_ += 1
    return done


def _officers_on(ctx: Context, db: str, engine: str) -> Row:
    """Eight officers for OFFICER_SECONDS on one database, then the check that nothing is lost."""
    listed = json.loads(
        ctx.run([*ctx.greentech(), "--db", db, "contact", "list", "--limit", "800",
                 "--format", "json"]).stdout
    )  # fmt: skip
    ids = [c["id"] for c in listed]
    shares = [ids[k::OFFICERS] for k in range(OFFICERS)]
    for k in range(OFFICERS):  # every file made before the clock starts
        for r in range(5):
            _csv(ctx, OFFICER_ROWS, seed=10_000 + 100 * k + r, duplicates=0.1)
    start = time.monotonic()
    until = start + OFFICER_SECONDS
    with ThreadPoolExecutor(OFFICERS) as pool:
        results = list(pool.map(lambda k: _officer(ctx, db, k, shares[k], until), range(OFFICERS)))
    elapsed = time.monotonic() - start
    failed = [f for r in results for f in r["failed"]]  # type: ignore[attr-defined]
    lost = 0
    for result in results:
        for contact, value in result["last"].items():  # type: ignore[attr-defined]
            shown = json.loads(
                ctx.run([*ctx.greentech(), "--db", db, "contact", "show", str(contact),
                         "--format", "json"]).stdout
            )  # fmt: skip
            lost += shown.get("position") != value
    history = json.loads(
        ctx.run([*ctx.greentech(), "--db", db, "import", "history", "--format", "json"]).stdout
    )
    kept = {b["batch_id"] for b in history if b["rows"] == OFFICER_ROWS}
    lost += sum(b not in kept for r in results for b in r["imports"])  # type: ignore[attr-defined]
    imports = sum(len(r["imports"]) for r in results)  # type: ignore[arg-type, misc]
    rows = sum(int(r["rows"]) for r in results)  # type: ignore[call-overload]
    edits = sum(int(r["edits"]) for r in results)  # type: ignore[call-overload]
    verdict = "ok" if not lost and not failed else f"{lost} lost, {len(failed)} failed"
    if failed:
        print(f"{engine}: first failure: {failed[0]}", file=sys.stderr)
    return Row(
        "team-officers",
        f"{OFFICERS} officers for {elapsed:.0f} s on {engine}: imports of {OFFICER_ROWS:,} rows "
        f"and edits",
        f"{imports} imports ({rows / elapsed:.0f} rows/s), {edits} edits "
        f"({edits / elapsed:.1f}/s); {lost} lost, {len(failed)} failed",
        "0 lost, 0 failed",
        verdict,
    )


def officers(ctx: Context) -> list[Row]:
    """The eight officers on SQLite, then on PostgreSQL, each database starting from the same
    10,000 contacts."""
    base = _sqlite_base(ctx, 10_000)
    sqlite_db = ctx.scratch / "team-officers.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sqlite_db}{suffix}").unlink(missing_ok=True)
    ctx.run([*ctx.greentech(), "db", "copy", str(base), str(sqlite_db)])
    rows = [_officers_on(ctx, str(sqlite_db), "SQLite")]
    with _server(ctx) as server:
        url = pg_server.create_database(server, "officers")
        ctx.run([*ctx.greentech(), "db", "copy", str(base), url])
        rows.append(_officers_on(ctx, url, "PostgreSQL"))
    return rows


BENCHMARKS = {
    "team-search-list": search_list,
    "team-import": import_rows,
    "team-officers": officers,
}

if os.environ.get("GREENTECH_BENCH_OFFICER_SECONDS"):  # a shorter run while trying it out
    OFFICER_SECONDS = int(os.environ["GREENTECH_BENCH_OFFICER_SECONDS"])
