"""A visit's places as an officer names them: a transfer's from/to, a flight's airports, a venue.

Places are found (geocoded) when a visit is saved, so `check` reads coordinates and never loads
the gazetteer for them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from greentech_cli.errors import InvalidData, NotFound
from greentech_cli.models.records import Company, Delegation, Place, Visit
from greentech_cli.services.schedule import geo
from greentech_cli.store import companies as company_store
from greentech_cli.text.airports import airport
from greentech_cli.text.cleaning import clean
from greentech_cli.text.dates import check_timezone

if TYPE_CHECKING:
    from greentech_cli.db import Database

# "51.2254,6.7763"; the exponent form Python writes for tiny numbers reads back too.
_NUMBER = r"[-+]?\d{1,3}(?:\.\d+)?(?:[eE][-+]?\d+)?"
_POINT = re.compile(rf"\s*({_NUMBER})\s*,\s*({_NUMBER})\s*")


def default_country(delegation: Delegation) -> str | None:
    """The country whose gazetteer names places of the programme: where the trip goes."""
    return delegation.destination_country or ("DE" if delegation.direction == "incoming" else None)


def coordinate(value: Any, what: str, limit: float) -> float:
    """A latitude (limit 90) or longitude (limit 180) from a number or its text."""
    text = str(value).strip().replace(",", ".") if isinstance(value, str) else value
    try:
        number = float(text)
    except (TypeError, ValueError):
        raise InvalidData(f"{what} must be a number, not {value!r}") from None
    if not -limit <= number <= limit or number != number:
        raise InvalidData(f"{what} must lie between -{limit:g} and {limit:g}, not {value!r}")
    return number


def point(text: str) -> tuple[float, float] | None:
    """`LAT,LON` as two numbers, or None when the text is no such pair."""
    match = _POINT.fullmatch(text)
    if match is None:
        return None
    return coordinate(match[1], "the latitude", 90), coordinate(match[2], "the longitude", 180)


def resolve(
    db: Database,
    value: Any,
    delegation: Delegation,
    gazetteer: geo.Gazetteer,
    *,
    flight: bool = False,
    what: str = "place",
) -> Place | None:
    """A place from what the officer wrote: `LAT,LON`, an airport's IATA code, a company (id or
    exact name), or a city or address the gazetteer knows; a flight takes airports only.
    Empty gives None; anything else raises InvalidData naming what is accepted."""
    text = clean(None if value is None else str(value))
    if not text:
        return None
    if flight:
        found = airport(text)
        if found is None:
            raise InvalidData(
                f"the flight's {what} {text!r} is no airport: give its IATA code (ALA, NQZ, DUS)"
            )
        return Place(text=found.code, lat=found.lat, lon=found.lon, timezone=found.timezone)
    pair = point(text)
    if pair is not None:
        return Place(lat=pair[0], lon=pair[1])
    try:
        company = company_store.resolve(db, text)
    except NotFound:
        company = None
    if company is not None:
        return company_as_place(company, delegation, gazetteer)
    if len(text) == 3 and text.isupper() and (found := airport(text)) is not None:
        return Place(text=found.code, lat=found.lat, lon=found.lon, timezone=found.timezone)
    located = gazetteer.find_location(text, default_country(delegation))
    if located is not None:
        return Place(text=text, lat=located[0], lon=located[1])
    raise InvalidData(
        f"unknown {what} {text!r}: give a company (id or name), a city or an address whose city "
        "the gazetteer knows, an airport's IATA code, or LAT,LON"
    )


def company_as_place(company: Company, delegation: Delegation, gazetteer: geo.Gazetteer) -> Place:
    """A company as a transfer's end: its coordinates now (its own, or its city's)."""
    found = geo.company_place(company, default_country(delegation), gazetteer)
    return Place(
        company_id=company.id,
        company=company.name,
        lat=found.lat if found else None,
        lon=found.lon if found else None,
    )


def text_of(place: Place | None) -> str | None:
    """How a programme file writes a place: the company's name, the text, else `LAT,LON`."""
    if place is None:
        return None
    if place.company:
        return place.company
    if place.text:
        return place.text
    if place.lat is not None and place.lon is not None:
        return f"{place.lat!r},{place.lon!r}"
    return None


def remember(db: Database, visit: Visit, delegation: Delegation, gazetteer: geo.Gazetteer) -> None:
    """Look up a visit's venue and company city now (when saved), so `check` finds them stored."""
    country = default_country(delegation)
    if visit.location and (visit.lat is None or visit.lon is None):
        gazetteer.find_location(visit.location, country)
    if visit.company_id is not None:
        company = company_store.get(db, visit.company_id)
        if company.lat is None or company.lon is None:
            gazetteer.find(company.city, company.country or country)


def set_places(
    db: Database,
    visit: Visit,
    delegation: Delegation,
    fields: dict[str, Any],
    gazetteer: geo.Gazetteer,
) -> None:
    """A visit's own venue (location, room, coordinates) and a transfer's or flight's ends."""
    flight = visit.kind == "flight"
    for key in ("location", "room"):
        if key in fields:
            setattr(visit, key, clean(None if fields[key] is None else str(fields[key])))
    if "lat" in fields or "lon" in fields:
        lat, lon = fields.get("lat", visit.lat), fields.get("lon", visit.lon)
        if (lat in (None, "")) != (lon in (None, "")):
            raise InvalidData("give a venue both --lat and --lon, or neither")
        visit.lat = None if lat in (None, "") else coordinate(lat, "the latitude", 90)
        visit.lon = None if lon in (None, "") else coordinate(lon, "the longitude", 180)
    for key, attr in (("from", "origin"), ("to", "destination")):
        if key in fields:
            place = resolve(
                db, fields[key], delegation, gazetteer, flight=flight, what=f"'{key}' place"
            )
            setattr(visit, attr, place)
        elif flight and "kind" in fields and getattr(visit, attr) is not None:
            # A transfer made a flight: its ends must now be airports.
            place = getattr(visit, attr)
            again = text_of(place)
            setattr(visit, attr, resolve(db, again, delegation, gazetteer, flight=True))


def flight_zones(visit: Visit, zone: str, fields: dict[str, Any]) -> tuple[str, str]:
    """A flight starts in its departure airport's zone and ends in its arrival airport's."""
    if visit.origin is None or visit.destination is None:
        raise InvalidData("a flight needs --from and --to airports (IATA codes such as ALA, DUS)")
    start_zone = visit.origin.timezone or zone
    if fields.get("timezone") and check_timezone(str(fields["timezone"])) != start_zone:
        raise InvalidData(
            f"a flight's times are read in its airports' zones ({start_zone} at "
            f"{visit.origin.text}); leave out --tz"
        )
    return start_zone, visit.destination.timezone or start_zone
