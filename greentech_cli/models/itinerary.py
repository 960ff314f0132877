"""An itinerary as every format renders it: days of visits with places, hosts and zones."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from greentech_cli.models.records import Company, Delegation, Visit

# Visit and calendar UIDs: UID_DOMAIN after the @; UIDs derived from what identifies a visit in a
# programme file (and a delegation's calendar) share UID_NAMESPACE, so they stay the same.
UID_DOMAIN = "greentech"
UID_NAMESPACE = uuid.UUID("5b0f3c52-8f1e-4c55-9d7a-2f5b9f1e6a10")


@dataclass
class Person:
    """Someone named in an itinerary, with what a reader needs to reach them."""

    id: int
    name: str
    native_name: str | None = None
    company: str | None = None
    email: str | None = None
    phone: str | None = None  # for display: international format
    role: str | None = None
    withheld: bool = False  # email and phone left out: no share consent

    def to_json(self) -> dict[str, Any]:
        """The person as a plain mapping."""
        return {
            "id": self.id,
            "name": self.name,
            "native_name": self.native_name,
            "company": self.company,
            "email": self.email,
            "phone": self.phone,
            "role": self.role,
        }


@dataclass
class Entry:
    """One visit as it appears in an itinerary."""

    visit: Visit
    company: Company | None
    place: str | None
    hosts: list[Person]
    attendees: list[Person] | None  # None: everybody (the default attendance)
    home_start: datetime | None  # set when the home zone differs from the visit's zone
    home_end: datetime | None
    zone_differs: bool  # the visit is not in the delegation's host zone
    record: dict[str, Any] = field(default_factory=dict)
    block: str | None = None  # the title of the block a slot lies in
    dietary: dict[str, int] | None = None  # a meal's needs and how many have each (officer)
    internal_notes: str | None = None  # set only in the officer's itinerary
    point: tuple[float, float] | None = None  # where it takes place: venue's or company's


@dataclass
class Day:
    """A date of the programme with its entries in time order."""

    date: date
    entries: list[Entry]
    hotel: Entry | None = None  # where the delegation sleeps the night after this day


@dataclass
class Cancelled:
    """A removed visit, kept so that calendars drop it (STATUS:CANCELLED with its UID)."""

    uid: str
    title: str
    start: datetime
    end: datetime
    sequence: int
    removed_at: str  # UTC, ISO 8601

    def to_json(self) -> dict[str, Any]:
        """The tombstone as a plain mapping."""
        return {
            "uid": self.uid,
            "title": self.title,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "sequence": self.sequence,
            "removed_at": self.removed_at,
        }


@dataclass
class Itinerary:
    """What every itinerary format renders."""

    delegation: Delegation
    days: list[Day]
    member: Person | None = None
    audience: str = "participant"
    cancelled: list[Cancelled] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)  # what consent kept out, for stderr

    @property
    def home_zone(self) -> str | None:
        """The delegates' home zone, when it differs from the host zone."""
        home = self.delegation.home_timezone
        return home if home and home != self.delegation.timezone else None

    def to_json(self) -> dict[str, Any]:
        """The itinerary as JSON: the delegation and per day the visits (SPEC visit fields)."""
        return {
            "delegation": self.delegation.to_json(),
            "member": self.member.to_json() if self.member else None,
            "days": [
                {
                    "date": day.date.isoformat(),
                    "hotel": {
                        "id": day.hotel.visit.id,
                        "title": day.hotel.visit.title,
                        "place": day.hotel.place,
                    }
                    if day.hotel
                    else None,
                    "visits": [
                        {
                            **entry.record,
                            "place": entry.place,
                            "home_start": entry.home_start.isoformat()
                            if entry.home_start
                            else None,
                            "home_end": entry.home_end.isoformat() if entry.home_end else None,
                            **({"dietary": entry.dietary} if entry.dietary is not None else {}),
                        }
                        for entry in day.entries
                    ],
                }
                for day in self.days
            ],
        }
