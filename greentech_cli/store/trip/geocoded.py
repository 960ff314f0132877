"""SQL for places found in the gazetteer when a visit was saved, so `check` needs no gazetteer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from greentech_cli.store.common import now

if TYPE_CHECKING:
    from greentech_cli.db import Database

# What a lookup found: coordinates, or None for a name the gazetteer does not know.
Found = tuple[float, float] | None


def get_all(db: Database) -> dict[str, Found]:
    """Every stored result, by key."""
    rows = db.execute("SELECT key, lat, lon FROM geocoded").fetchall()
    return {key: None if lat is None or lon is None else (lat, lon) for key, lat, lon in rows}


def get_many(db: Database, keys: list[str]) -> dict[str, Found]:
    """The stored results for these keys (keys never looked up are missing)."""
    found: dict[str, Found] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        rows = db.execute(f"SELECT key, lat, lon FROM geocoded WHERE key IN ({marks})", chunk)
        for key, lat, lon in rows.fetchall():
            found[key] = None if lat is None or lon is None else (lat, lon)
    return found


def put(db: Database, key: str, point: Found) -> None:
    """Remember what the gazetteer said for a key (inside the caller's transaction)."""
    lat, lon = point if point else (None, None)
    db.execute(
        "INSERT INTO geocoded (key, lat, lon, created_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (key) DO UPDATE SET lat = excluded.lat, lon = excluded.lon",
        [key, lat, lon, now()],
    )
