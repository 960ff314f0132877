"""Plain records of the domain: Company, Contact, Delegation, Member, Visit. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from greentech_cli.models.fields import (
    BOOKKEEPING,
    DERIVED,
    NOT_PERSONAL,
    PERSONAL,
    Address,
    Email,
    Phone,
    Reachable,
)

COMPANY_KINDS = ("company", "chamber", "ahk", "authority", "association", "research", "other")
SHARE_CONSENT = ("yes", "no", "unknown")
LAWFUL_BASES = ("consent", "legitimate-interest", "contract", "public-task")
DELEGATION_TYPES = (
    "information-trip",
    "business-trip",
    "buyer-trip",
    "study-tour",
    "b2b-event",
    "trade-fair",
    "other",
)
DIRECTIONS = ("incoming", "outgoing")
DELEGATION_STATUSES = ("planned", "confirmed", "done", "cancelled")
MEMBER_ROLES = ("delegate", "lead", "interpreter", "organiser", "host", "staff")
MEMBER_STATUSES = ("invited", "registered", "confirmed", "cancelled", "attended", "no-show")
# Members with these statuses attend a visit that names no attendees of its own (after the trip,
# `attended` and `no-show` members stay among its attendees, so their attendance can be recorded).
ATTENDING_STATUSES = ("registered", "confirmed", "attended", "no-show")
# Per-visit attendance of an attendee, recorded after the fact.
ATTENDANCE_STATUSES = ("present", "absent", "excused")
# The follow-up journal: what kind of entry, and whether it still asks for something.
FOLLOWUP_KINDS = ("note", "call", "meeting", "lead", "agreement", "next-step")
FOLLOWUP_STATUSES = ("open", "done")
VISIT_KINDS = (
    "site-visit",
    "b2b-meeting",
    "workshop",
    "briefing",
    "meal",
    "reception",
    "transfer",
    "trade-fair",
    "flight",
    "hotel",
    "other",
)
# A visit's own status: a cancelled visit is kept (in `visit list`, shown as cancelled in the
# itineraries, STATUS:CANCELLED in calendars, left out of `check`) until it is removed.
VISIT_STATUSES = ("planned", "confirmed", "cancelled")
# Kinds that move the group from one place to another (`from` and `to` places).
MOVING_KINDS = ("transfer", "flight")
# How a transfer travels; a flight is always "flight".
TRANSFER_MODES = ("bus", "car", "train", "walk", "flight")


@dataclass
class Company(Reachable):
    """An organisation: a company, chamber, AHK, authority, association or institute."""

    name: str
    kind: str = "company"
    legal_form: str | None = None
    sectors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None
    websites: list[str] = field(default_factory=list)
    lat: float | None = None
    lon: float | None = None
    vat_id: str | None = None
    register_ids: dict[str, str] = field(default_factory=dict)
    notes: str | None = None
    emails: list[Email] = field(default_factory=list)
    phones: list[Phone] = field(default_factory=list)
    uid: str | None = field(default=None, metadata=BOOKKEEPING)
    id: int | None = field(default=None, metadata=BOOKKEEPING)

    @property
    def phone(self) -> str | None:
        """The primary phone number (not a mobile, not a fax)."""
        found = self.primary_phone(False)
        return found.value if found else None

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape of SPEC §3 (plus register_ids and notes, emails, phones, uid)."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "legal_form": self.legal_form,
            "sectors": list(self.sectors),
            "tags": list(self.tags),
            "street": self.street,
            "postcode": self.postcode,
            "city": self.city,
            "region": self.region,
            "country": self.country,
            "website": self.website,
            "lat": self.lat,
            "lon": self.lon,
            "vat_id": self.vat_id,
            "register_ids": dict(self.register_ids),
            "notes": self.notes,
            "uid": self.uid,
            "websites": list(self.websites),
            "emails": self.emails_json(),
            "phones": self.phones_json(),
        }


# The stored columns of a company: its fields but the id, declared once by the dataclass above.
COMPANY_COLUMNS = tuple(f.name for f in fields(Company) if f.name != "id")


@dataclass
class Contact(Reachable):
    """A person, optionally working for a company, with privacy fields.

    The lists hold every value a person has; `email`, `phone` and `mobile` name the primary ones
    (the first email, the first phone that is neither mobile nor fax, the first mobile).
    """

    first_name: str | None = field(default=None, metadata=PERSONAL)
    last_name: str | None = field(default=None, metadata=PERSONAL)
    salutation: str | None = field(default=None, metadata=PERSONAL)
    title: str | None = field(default=None, metadata=PERSONAL)
    native_name: str | None = field(default=None, metadata=PERSONAL)
    position: str | None = field(default=None, metadata=PERSONAL)
    department: str | None = field(default=None, metadata=PERSONAL)
    company_id: int | None = field(default=None, metadata=NOT_PERSONAL)
    company: str | None = field(
        default=None, metadata=DERIVED
    )  # the company's name, filled in by the store when read
    emails: list[Email] = field(default_factory=list, metadata=PERSONAL)
    phones: list[Phone] = field(default_factory=list, metadata=PERSONAL)
    country: str | None = field(default=None, metadata=NOT_PERSONAL)
    languages: list[str] = field(default_factory=list, metadata=PERSONAL)
    tags: list[str] = field(default_factory=list, metadata=PERSONAL)
    notes: str | None = field(default=None, metadata=PERSONAL)
    lawful_basis: str | None = field(default=None, metadata=NOT_PERSONAL)
    share_consent: str = field(default="unknown", metadata=NOT_PERSONAL)
    share_consent_date: str | None = field(default=None, metadata=NOT_PERSONAL)
    share_consent_source: str | None = field(default=None, metadata=PERSONAL)
    marketing_consent: str = field(default="unknown", metadata=NOT_PERSONAL)
    addresses: list[Address] = field(default_factory=list, metadata=PERSONAL)
    websites: list[str] = field(default_factory=list, metadata=PERSONAL)
    birthday: str | None = field(
        default=None, metadata=PERSONAL
    )  # ISO 8601: 1980-05-17, or --05-17 without the year
    aliases: list[str] = field(
        default_factory=list, metadata=PERSONAL
    )  # other spellings of the name, searchable
    extra: dict[str, str] = field(
        default_factory=dict, metadata=PERSONAL
    )  # named values with no field of their own
    uid: str | None = field(default=None, metadata=BOOKKEEPING)
    created_batch_id: int | None = field(default=None, metadata=BOOKKEEPING)
    id: int | None = field(default=None, metadata=BOOKKEEPING)

    @property
    def phone(self) -> str | None:
        """The primary phone number (not a mobile, not a fax)."""
        found = self.primary_phone(False)
        return found.value if found else None

    @phone.setter
    def phone(self, value: str | None) -> None:
        self.set_phone(None if value is None else Phone(value, "work"), mobile=False)

    @property
    def mobile(self) -> str | None:
        """The primary mobile number."""
        found = self.primary_phone(True)
        return found.value if found else None

    @mobile.setter
    def mobile(self, value: str | None) -> None:
        self.set_phone(None if value is None else Phone(value, "mobile"), mobile=True)

    @property
    def display_name(self) -> str:
        """The name as a person would write it: title, first and last name."""
        parts = [self.title, self.first_name, self.last_name]
        name = " ".join(p for p in parts if p)
        return name or self.native_name or self.email or f"contact {self.id}"

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape of SPEC §3, then the consent details and the additions."""
        return {
            "id": self.id,
            "salutation": self.salutation,
            "title": self.title,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "native_name": self.native_name,
            "position": self.position,
            "department": self.department,
            "company_id": self.company_id,
            "company": self.company,
            "email": self.email,
            "phone": self.phone,
            "mobile": self.mobile,
            "country": self.country,
            "languages": list(self.languages),
            "tags": list(self.tags),
            "notes": self.notes,
            "share_consent": self.share_consent,
            "lawful_basis": self.lawful_basis,
            "share_consent_date": self.share_consent_date,
            "share_consent_source": self.share_consent_source,
            "marketing_consent": self.marketing_consent,
            "uid": self.uid,
            "emails": self.emails_json(),
            "phones": self.phones_json(),
            "addresses": [a.to_json() for a in self.addresses],
            "websites": list(self.websites),
            "birthday": self.birthday,
            "aliases": list(self.aliases),
            "extra": dict(self.extra),
        }


# Contact JSON names that are no field of their own: the primary values of the lists.
PRIMARY_KEYS = ("email", "phone", "mobile")


@dataclass
class Delegation:
    """A trip of a group: incoming to Germany or outgoing abroad, with its dates and zones."""

    code: str
    title: str
    direction: str
    start_date: date
    end_date: date
    timezone: str
    type: str = "other"
    origin_country: str | None = None
    destination_country: str | None = None
    home_timezone: str | None = None
    host_id: int | None = None
    host: str | None = None
    partner_id: int | None = None
    partner: str | None = None
    sectors: list[str] = field(default_factory=list)
    topic: str | None = None
    status: str = "planned"
    notes: str | None = None
    # How long the travellers' data and their dietary needs are kept after the end date ("18m",
    # "90d"); None: the config's default.
    retention: str | None = None
    retention_dietary: str | None = None
    id: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape of SPEC §3."""
        return {
            "id": self.id,
            "code": self.code,
            "title": self.title,
            "type": self.type,
            "direction": self.direction,
            "origin_country": self.origin_country,
            "destination_country": self.destination_country,
            "start_date": self.start_date.isoformat(),
            "end_date": self.end_date.isoformat(),
            "timezone": self.timezone,
            "home_timezone": self.home_timezone,
            "host": self.host,
            "partner": self.partner,
            "sectors": list(self.sectors),
            "topic": self.topic,
            "status": self.status,
            "retention": self.retention,
            "retention_dietary": self.retention_dietary,
        }


@dataclass
class Member:
    """A contact's part in a delegation (the contact's details filled in by the store when read)."""

    delegation_id: int
    contact_id: int
    role: str = "delegate"
    status: str = "registered"
    notes: str | None = None
    contact: Contact | None = None
    id: int | None = None

    @property
    def attends_by_default(self) -> bool:
        """Registered, confirmed, attended and no-show members attend every visit that names no
        attendees."""
        return self.status in ATTENDING_STATUSES

    def to_json(self) -> dict[str, Any]:
        """The member with the person's name, email and company."""
        person = self.contact
        return {
            "id": self.id,
            "delegation_id": self.delegation_id,
            "contact_id": self.contact_id,
            "name": person.display_name if person else None,
            "native_name": person.native_name if person else None,
            "email": person.email if person else None,
            "company": person.company if person else None,
            "role": self.role,
            "status": self.status,
            "notes": self.notes,
        }


@dataclass
class Place:
    """Where a transfer or flight starts or ends: a company, a named place, an airport or a point.

    `text` is the place as given (a gazetteer name, an IATA code, "LAT,LON"); `lat`/`lon` were
    found when the visit was saved; `timezone` is an airport's zone.
    """

    company_id: int | None = None
    company: str | None = None  # the company's name, filled in by the store when read
    text: str | None = None
    lat: float | None = None
    lon: float | None = None
    timezone: str | None = None

    @property
    def label(self) -> str:
        """The place for people: the company's name, else the text, else the coordinates."""
        if self.company:
            return self.company
        if self.text:
            return self.text
        return f"{self.lat:.4f},{self.lon:.4f}" if self.lat is not None else "?"

    def to_json(self) -> dict[str, Any]:
        """The place as a plain mapping."""
        return {
            "company": self.company,
            "company_id": self.company_id,
            "place": self.text,
            "lat": self.lat,
            "lon": self.lon,
            "timezone": self.timezone,
        }


@dataclass
class Visit:
    """One programme item: aware start and end in the visit's own time zone.

    A flight ends in another zone (`end_timezone`). A visit's own venue (`location` as address,
    `room`, `lat`/`lon`) overrides its company's place; a visit inside a block names it as
    `parent_id`; `capacity` is the most persons it takes (a bus's seats).
    """

    delegation_id: int
    title: str
    start: datetime
    end: datetime
    timezone: str
    kind: str = "other"
    company_id: int | None = None
    company: str | None = None  # the host company's name, filled in by the store when read
    location: str | None = None
    notes: str | None = None
    uid: str | None = None
    host_contact_ids: list[int] = field(default_factory=list)
    attendee_ids: list[int] = field(default_factory=list)  # explicit ones; empty means the default
    room: str | None = None
    lat: float | None = None
    lon: float | None = None
    parent_id: int | None = None
    capacity: int | None = None
    mode: str | None = None
    end_timezone: str | None = None
    origin: Place | None = None  # `from` of a transfer, flight or hotel
    destination: Place | None = None  # `to`
    internal_notes: str | None = None  # for the officer only, never in a delegate's itinerary
    # Per language: {"title": {"de": …, "ru": …}, "notes": {…}, "location": {…}}; the plain
    # `title`/`notes`/`location` are the text as written, the fallback for any language.
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    status: str = "planned"  # one of VISIT_STATUSES
    sequence: int = 0  # raised by the store at every change (iCalendar SEQUENCE)
    modified: str | None = None  # UTC time of the last change (LAST-MODIFIED, DTSTAMP)
    id: int | None = None

    @property
    def end_zone(self) -> str:
        """The zone the end is given in: the arrival airport's for a flight, else the visit's."""
        return self.end_timezone or self.timezone

    @property
    def cancelled(self) -> bool:
        """Whether the visit is called off (kept, so that calendars and readers learn it)."""
        return self.status == "cancelled"

    @property
    def has_venue(self) -> bool:
        """Whether the visit names its own venue (an address or coordinates)."""
        return bool(self.location) or (self.lat is not None and self.lon is not None)

    @property
    def start_local(self) -> str:
        """The wall-clock start in the visit's zone, as stored (`YYYY-MM-DDTHH:MM`)."""
        return self.start.replace(tzinfo=None).isoformat(timespec="minutes")  # year 0001 too

    @property
    def end_local(self) -> str:
        """The wall-clock end in the visit's zone, as stored (`YYYY-MM-DDTHH:MM`)."""
        return self.end.replace(tzinfo=None).isoformat(timespec="minutes")
