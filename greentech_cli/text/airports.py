"""Airports by IATA code, and the time zones of cities, from data shipped with greentech.

`data/airports.tsv` holds every airport with an IATA code (code, name, city, country, lat, lon,
IANA zone; from the airportsdata package, MIT licence, see `data/airports-LICENSE.txt`);
`data/city-zones.yaml` adds city names the airports do not spell (Nur-Sultan for Astana).
Both are read only when a flight or a city's zone is asked for.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from greentech_cli.resources import data_path, load_yaml

_IATA = re.compile(r"[A-Za-z]{3}")


@dataclass(frozen=True)
class Airport:
    """An airport: IATA code, name, city, country, coordinates and time zone."""

    code: str
    name: str
    city: str
    country: str
    lat: float
    lon: float
    timezone: str


def city_key(name: str) -> str:
    """A city name folded for comparison: no accents, case, hyphens or spaces (Nur-Sultan →
    nursultan, Düsseldorf → dusseldorf)."""
    text = unicodedata.normalize("NFKD", name.casefold().replace("ß", "ss"))
    return "".join(ch for ch in text if ch.isalnum() and not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def _airports() -> dict[str, Airport]:
    found: dict[str, Airport] = {}
    with data_path("airports.tsv").open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            code, name, city, country, lat, lon, zone = line.rstrip("\n").split("\t")
            found[code] = Airport(code, name, city, country, float(lat), float(lon), zone)
    return found


def airport(code: str | None) -> Airport | None:
    """The airport with this IATA code (any case), or None."""
    text = (code or "").strip()
    if not _IATA.fullmatch(text):
        return None
    return _airports().get(text.upper())


@lru_cache(maxsize=1)
def _zones_by_city() -> dict[str, str]:
    """City → zone from the airports (where every airport of a city name shares one zone),
    then the shipped city list, which wins."""
    seen: dict[str, set[str]] = {}
    for found in _airports().values():
        if found.city:
            seen.setdefault(city_key(found.city), set()).add(found.timezone)
    zones = {city: next(iter(z)) for city, z in seen.items() if len(z) == 1}
    for zone, names in (load_yaml("city-zones.yaml") or {}).items():
        for name in names:
            zones[city_key(str(name))] = str(zone)
    return zones


def zone_of_city(name: str) -> str | None:
    """The time zone of a city by any spelling the shipped data knows (Astana, Nur-Sultan),
    or None."""
    key = city_key(name)
    return _zones_by_city().get(key) if key else None
