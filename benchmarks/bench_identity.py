"""The duplicate rules measured on a labelled set (`identity_set.labelled`): the automatic rule
of import (same person: fill) and the candidates of `dedupe` (possibly the same).

* **import**: the set as one CSV imported with the default `fill` into an empty database; rows
  that ended in one contact (their `r<row>` tags united) were taken as one person. Precision: of
  the row pairs joined, how many are planted duplicates (≥ 0.995: joining two people loses
  data); recall: of the planted duplicate pairs, how many were joined (reported per kind).
* **dedupe**: the set imported with `--on-duplicate new` (one contact per row), then `greentech
  dedupe --format json` (threshold 70). Recall of the planted duplicates (≥ 0.98) and precision
  of the reported pairs (≥ 0.9); every reported pair that is no planted duplicate counts against
  it, namesakes and chance pairs of the base data alike.

    python benchmarks/run.py identity --size 20000
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections import Counter
from itertools import combinations
from pathlib import Path

from run import Context, Row

HERE = Path(__file__).resolve().parent


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    from identity_set import FIELDS

    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _groups(ctx: Context, db: Path) -> list[tuple[int, list[int]]]:
    """(contact id, rows it holds) of every contact, from the r<row> tags."""
    out = ctx.run([*ctx.greentech(), "--db", str(db), "contact", "list", "--format", "json"])
    return [
        (c["id"], sorted(int(t[1:]) for t in c["tags"] if t.startswith("r")))
        for c in json.loads(out.stdout)
    ]


def _verdict(value: float, target: float) -> str:
    return "ok" if value >= target else "LOW"


def evaluate(ctx: Context, n: int) -> list[Row]:
    """Both measurements on a set of about n rows; see the module docstring."""
    sys.path.insert(0, str(HERE))
    from identity_set import clusters, labelled

    rows, truth = labelled(n)
    source = ctx.scratch / f"identity-{n}.csv"
    _write(source, rows)
    same = clusters(truth)
    namesake = {(min(a, b), max(a, b)): kind for a, b, kind, is_same in truth if not is_same}
    load = os.getloadavg()[0]
    label = f"{len(rows):,} rows, {len(same)} planted duplicate pairs, {len(namesake)} namesakes"
    # The automatic rule: one import with fill.
    filled = ctx.scratch / f"identity-fill-{n}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{filled}{suffix}").unlink(missing_ok=True)
    ctx.run([*ctx.greentech(), "--db", str(filled), "import", str(source), "--format", "json"])
    joined = {pair for _, held in _groups(ctx, filled) for pair in combinations(held, 2)}
    right = joined & set(same)
    precision = len(right) / len(joined) if joined else 1.0
    recall = len(right) / len(same)
    wrong_kinds = Counter(namesake.get(p, "base data") for p in joined - set(same))
    per_kind = Counter(same[p] for p in right)
    all_kinds = Counter(same.values())
    joined_text = ", ".join(f"{k} {per_kind[k]}/{all_kinds[k]}" for k in sorted(all_kinds))
    # The candidates: one contact per row, then dedupe.
    apart = ctx.scratch / f"identity-new-{n}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{apart}{suffix}").unlink(missing_ok=True)
    ctx.run([*ctx.greentech(), "--db", str(apart), "import", str(source), "--on-duplicate", "new",
             "--format", "json"])  # fmt: skip
    row_of = {contact_id: held[0] for contact_id, held in _groups(ctx, apart)}
    if len(row_of) != len(rows):
        raise RuntimeError(f"{len(row_of)} contacts for {len(rows)} rows")
    out = ctx.run([*ctx.greentech(), "--db", str(apart), "dedupe", "--format", "json"])
    reported = {
        (min(row_of[p["a"]], row_of[p["b"]]), max(row_of[p["a"]], row_of[p["b"]]))
        for p in json.loads(out.stdout)
    }
    hits = reported & set(same)
    d_precision = len(hits) / len(reported) if reported else 1.0
    d_recall = len(hits) / len(same)
    false = Counter(namesake.get(p, "base data") for p in reported - set(same))
    missed = Counter(same[p] for p in set(same) - reported)
    return [
        Row("identity", f"import (fill) precision: {len(joined)} row pairs joined ({label}; "
            f"load average {load:.1f})", f"{precision:.4f} (wrong: {dict(wrong_kinds) or 'none'})",
            "≥ 0.995", _verdict(precision, 0.995)),
        Row("identity", f"import (fill) recall, joined/planted per kind: {joined_text}",
            f"{recall:.4f} ({len(right)}/{len(same)})", "reported", ""),
        Row("identity", f"dedupe recall (missed: {dict(missed) or 'none'})",
            f"{d_recall:.4f} ({len(hits)}/{len(same)})", "≥ 0.98", _verdict(d_recall, 0.98)),
        Row("identity", f"dedupe precision: {len(reported)} pairs reported "
            f"(not duplicates: {dict(false) or 'none'})", f"{d_precision:.4f}", "≥ 0.9",
            _verdict(d_precision, 0.9)),
    ]  # fmt: skip


def identity(ctx: Context) -> list[Row]:
    """The labelled set at the size asked for (20,000 rows when --size is left at 100,000)."""
    return evaluate(ctx, 20_000 if ctx.size == 100_000 else ctx.size)


BENCHMARKS = {"identity": identity}
