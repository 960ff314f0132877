"""Duplicate detection: `greentech dedupe --format json` over N generated contacts, 1 % planted.

Reports the whole-process time (median of 3) and precision and recall against the planted
duplicates (`dup_of` of benchmarks/generate.py). Recall counts the planted (original, duplicate)
pairs found; precision counts a reported pair as right when both rows belong to one planted
cluster (an original and its duplicates).

The generator never gives two different people the same email address or the same folded name
at one organisation (planted duplicates excepted), so every reported pair outside the planted
clusters is a real false positive. As a check, a second precision figure still leaves out pairs
that no rule could tell apart (same email, or same folded name at the same organisation); with
the current generator it equals the first.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from run import Context, Row

HERE = Path(__file__).resolve().parent
DUPLICATE_RATE = 0.01
SEED = 0


def _truth(
    n: int,
) -> tuple[dict[tuple[int, int], str], set[tuple[int, int]], dict[int, dict[str, str]]]:
    """Planted (original id, duplicate id) → kind, every pair within a cluster, and the rows."""
    from generate import people_with_kinds

    planted: dict[tuple[int, int], str] = {}
    clusters: dict[int, set[int]] = defaultdict(set)
    rows: dict[int, dict[str, str]] = {}
    for index, (row, kind) in enumerate(people_with_kinds(n, SEED, DUPLICATE_RATE)):
        contact_id = index + 1  # load_people inserts in generator order
        rows[contact_id] = row
        if row["dup_of"]:
            original = int(row["dup_of"]) + 1
            planted[(original, contact_id)] = kind
            clusters[original] |= {original, contact_id}
    cluster_pairs = set()
    for members in clusters.values():
        ordered = sorted(members)
        cluster_pairs |= {(a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :]}
    return planted, cluster_pairs, rows


def _indistinguishable(a: dict[str, str], b: dict[str, str]) -> bool:
    """Whether two generated people look like one person to any rule.

    That is: the same email address, or the same folded name (across scripts and spellings) at the
    same organisation.
    """
    from greentech_cli.text.company_names import company_key
    from greentech_cli.text.names import name_keys

    if a["email"] and a["email"].lower() == b["email"].lower():
        return True
    keys_a = name_keys(a["first_name"], a["last_name"], a["native_name"])
    keys_b = name_keys(b["first_name"], b["last_name"], b["native_name"])
    return bool(keys_a & keys_b) and company_key(a["company"]) == company_key(b["company"])


def _timed(ctx: Context, cmd: list[str]) -> tuple[float, float, bytes]:
    """(wall seconds, CPU seconds of the process, stdout) of one whole process."""
    import subprocess
    import tempfile

    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=ctx.env, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed")
        out.seek(0)
        return wall, usage.ru_utime + usage.ru_stime, out.read()


def _check_ids(db_path: Path, rows: dict[int, dict[str, str]]) -> None:
    """Make sure contact id = generator row + 1 (a sample), or the figures mean nothing."""
    import sqlite3

    from greentech_cli.text.names import name_key

    conn = sqlite3.connect(db_path)
    try:
        count = conn.execute("SELECT count(*) FROM contacts").fetchone()[0]
        if count != len(rows):
            raise RuntimeError(f"{count} contacts loaded for {len(rows)} generated rows")
        step = max(1, len(rows) // 200)
        for contact_id in range(1, len(rows) + 1, step):
            first, last = conn.execute(
                "SELECT first_name, last_name FROM contacts WHERE id = ?", [contact_id]
            ).fetchone()
            row = rows[contact_id]
            if name_key(first, last) != name_key(row["first_name"], row["last_name"]):
                raise RuntimeError(f"contact {contact_id} is not generated row {contact_id - 1}")
    finally:
        conn.close()


def dedupe(ctx: Context) -> list[Row]:
    """Time `greentech dedupe --format json` on N contacts; precision and recall of the pairs."""
    sys.path.insert(0, str(HERE))
    from load import load_people

    n = ctx.size
    db = ctx.scratch / f"dedupe-{n}.db"
    if not db.exists():
        start = time.perf_counter()
        load_people(db, n, seed=SEED, duplicate_rate=DUPLICATE_RATE)
        print(f"loaded {n} contacts in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    planted, cluster_pairs, rows = _truth(n)
    _check_ids(db, rows)
    cmd = [*ctx.greentech(), "--db", str(db), "dedupe", "--format", "json"]
    ctx.run(cmd)  # warm the bytecode and file caches once
    runs = [_timed(ctx, cmd) for _ in range(3)]
    seconds = statistics.median(run[0] for run in runs)
    cpu = statistics.median(run[1] for run in runs)
    output = runs[-1][2]
    load = os.getloadavg()[0]
    found = {(p["a"], p["b"]) for p in json.loads(output)}
    right = found & cluster_pairs
    wrong = found - cluster_pairs
    hits = [pair for pair in planted if pair in found]
    precision = len(right) / len(found) if found else 0.0
    recall = len(hits) / len(planted) if planted else 1.0
    namesakes = {pair for pair in wrong if _indistinguishable(rows[pair[0]], rows[pair[1]])}
    clean = found - namesakes
    precision_clean = len(right) / len(clean) if clean else 0.0
    missed: dict[str, int] = defaultdict(int)
    for pair, kind in planted.items():
        if pair not in found:
            missed[kind] += 1
    label = f"{n:,} contacts, {len(planted)} planted"
    return [
        Row(
            "dedupe",
            f"dedupe --format json, whole process ({label}; median of 3)",
            f"{seconds:.1f} s wall, {cpu:.1f} s CPU (load average {load:.1f})",
            "≤ 10 s",
            "ok" if seconds <= 10 else "SLOW",
        ),
        Row(
            "dedupe",
            f"recall on planted pairs (missed: {dict(missed) or 'none'})",
            f"{recall:.4f} ({len(hits)}/{len(planted)})",
            "≥ 0.98",
            "ok" if recall >= 0.98 else "LOW",
        ),
        Row(
            "dedupe",
            f"precision: {len(found)} pairs reported, {len(right)} planted",
            f"{precision:.4f}",
            "≥ 0.95",
            "ok" if precision >= 0.95 else "LOW",
        ),
        Row(
            "dedupe",
            f"precision without {len(namesakes)} indistinguishable generated namesakes "
            "(same email, or same name at the same organisation)",
            f"{precision_clean:.4f} ({len(right)}/{len(clean)})",
            "≥ 0.95",
            "ok" if precision_clean >= 0.95 else "LOW",
        ),
    ]


BENCHMARKS = {"dedupe": dedupe}
