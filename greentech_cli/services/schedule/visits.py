"""Use cases for visits: add, edit, move and remove programme items in their own time zone."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from greentech_cli.db import retried, transaction
from greentech_cli.errors import InvalidData
from greentech_cli.models.itinerary import UID_DOMAIN, UID_NAMESPACE
from greentech_cli.models.records import (
    MOVING_KINDS,
    TRANSFER_MODES,
    VISIT_KINDS,
    VISIT_STATUSES,
    Contact,
    Delegation,
    Member,
    Visit,
)
from greentech_cli.services.schedule import geo, places, translations
from greentech_cli.store import companies as company_store
from greentech_cli.store import contacts as contact_store
from greentech_cli.store import delegations as delegation_store
from greentech_cli.store import members as member_store
from greentech_cli.store import visits as store
from greentech_cli.text.cleaning import clean
from greentech_cli.text.dates import (
    check_timezone,
    check_year,
    in_zone,
    parse_datetime,
    parse_duration,
    wall_time,
)
from greentech_cli.text.vocabulary import choice

if TYPE_CHECKING:
    from greentech_cli.db import Database


def new_uid() -> str:
    """A fresh, globally unique UID for a visit (kept for life, so calendars update in place)."""
    return f"{uuid.uuid4()}@{UID_DOMAIN}"


def derived_uid(code: str, title: str, start_local: str, zone: str) -> str:
    """A UID computed from what identifies a visit in a file, so applying it twice finds it."""
    return f"{uuid.uuid5(UID_NAMESPACE, f'{code}|{title}|{start_local}|{zone}')}@{UID_DOMAIN}"


# Longer than this is not a visit but a typing mistake (or a stay: a delegation's dates say that).
LONGEST_VISIT = timedelta(days=14)


def localize(naive: datetime, zone: str) -> datetime:
    """Wall-clock time in a zone as an aware date-time.

    A time that does not exist (skipped when clocks go forward) is refused; a time that occurs
    twice (clocks go back) means its first occurrence (fold=0), as in the stored form.
    """
    tz = ZoneInfo(zone)
    local = naive.replace(tzinfo=tz, fold=0)
    try:
        round_trip = local.astimezone(UTC).astimezone(tz)
    except OverflowError:
        raise InvalidData(f"{wall_time(naive)} in {zone} is beyond the calendar") from None
    if round_trip.replace(tzinfo=None) != naive:
        raise InvalidData(
            f"{naive:%Y-%m-%d %H:%M} does not exist in {zone} (the clocks skip that hour); "
            "choose another time"
        )
    return local


def _when(value: Any, zone: str, what: str) -> datetime:
    if isinstance(value, datetime):
        naive = value.replace(tzinfo=None) if value.tzinfo else value
    else:
        if value is None or not str(value).strip():
            raise InvalidData(f"a visit needs a {what} date and time")
        naive = parse_datetime(str(value))
    return localize(naive.replace(second=0, microsecond=0), zone)


def _check_length(span: timedelta) -> None:
    """Refuse a visit longer than LONGEST_VISIT."""
    if span > LONGEST_VISIT:
        raise InvalidData(
            f"a visit lasts at most {LONGEST_VISIT.days} days, not {_span_text(span)}; "
            "check the end or the duration"
        )


def _span_text(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours / 24:,.0f} days" if hours >= 48 else f"{hours:,.0f} hours"


def _after(start: datetime, span: timedelta, zone: str) -> datetime:
    """The wall-clock time a span after an aware start (real elapsed time, across DST)."""
    _check_length(span)
    try:
        end = (start.astimezone(UTC) + span).astimezone(ZoneInfo(zone))
    except OverflowError:
        raise InvalidData(
            f"{wall_time(start)} plus {_span_text(span)} ends beyond the calendar"
        ) from None
    if end.fold == 1 and end.replace(fold=0).utcoffset() != end.utcoffset():
        # Stored wall times mean the first of a repeated hour; this end is the second one.
        raise InvalidData(
            f"the end {end:%Y-%m-%d %H:%M} falls in the hour that repeats when the clocks go "
            f"back in {zone}; give the end with --end instead"
        )
    return end.replace(tzinfo=None)


def default_attendee_ids(members: list[Member]) -> list[int]:
    """The members who attend a visit that names nobody: the registered and confirmed ones."""
    return [m.contact_id for m in members if m.attends_by_default]


def attendee_ids(visit: Visit, members: list[Member]) -> list[int]:
    """Who attends a visit: its explicit attendees, or else the default members."""
    return list(visit.attendee_ids) if visit.attendee_ids else default_attendee_ids(members)


def _contact_ids(db: Database, refs: Any) -> list[int]:
    return [contact_store.resolve(db, str(ref)).id or 0 for ref in refs or []]


def _attendees(db: Database, delegation: Delegation, refs: Any, slot: bool = False) -> list[int]:
    """Attendees are members, except at a slot of a block: a B2B table seats company contacts
    and interpreters too."""
    ids: list[int] = []
    for ref in refs or []:
        contact = contact_store.resolve(db, str(ref))
        if not slot and member_store.find(db, delegation.id or 0, contact.id or 0) is None:
            raise InvalidData(
                f"{contact.display_name} is not a member of {delegation.code}; "
                "add them with 'greentech member add' first"
            )
        ids.append(contact.id or 0)
    return ids


def apply_fields(
    db: Database,
    visit: Visit,
    delegation: Delegation,
    fields: dict[str, Any],
    *,
    force: bool = False,
) -> None:
    """Set the given fields on a visit, each checked.

    Times: `start`, and `end` or `duration` (not both), as text in the visit's zone (`timezone`,
    default the delegation's host zone). Changing only the start keeps the duration; a visit
    lasts at most LONGEST_VISIT, in a year within 1900–2100 unless `force`. `company`,
    `host_contacts` and `attendees` are references.
    """
    fields = translations.split(visit, fields)
    if fields.get("end") is not None and fields.get("duration") is not None:
        raise InvalidData("give a visit an end or a duration, not both")
    if "kind" in fields:
        visit.kind = choice(fields["kind"], VISIT_KINDS, "visit kind") or "other"
    gazetteer = geo.Gazetteer(db, save=True)
    places.set_places(db, visit, delegation, fields, gazetteer)
    zone = visit.timezone
    if fields.get("timezone"):
        zone = check_timezone(str(fields["timezone"]))
    end_zone = zone
    if visit.kind == "flight":
        zone, end_zone = places.flight_zones(visit, zone, fields)
    duration = visit.end - visit.start if visit.id is not None else None
    start = visit.start.replace(tzinfo=None)
    end = visit.end.replace(tzinfo=None)
    if (
        visit.id is not None
        and end_zone != visit.end_zone
        and (visit.kind == "flight" or visit.end_timezone)
    ):
        # The same instant in the new end zone (a flight whose arrival airport changed).
        end = (in_zone(visit.end, ZoneInfo(end_zone)) or visit.end).replace(tzinfo=None)
    if "start" in fields:
        start = _when(fields["start"], zone, "start").replace(tzinfo=None)
    if fields.get("end") is not None:
        end = _when(fields["end"], end_zone, "end").replace(tzinfo=None)
    elif fields.get("duration") is not None:
        span = fields["duration"]
        span = span if isinstance(span, timedelta) else parse_duration(str(span))
        end = _after(_when(start, zone, "start"), span, end_zone)
    elif "start" in fields and duration is not None:
        end = _after(_when(start, zone, "start"), duration, end_zone)
    elif visit.id is None:
        raise InvalidData("a visit needs an end (--end) or a duration (--duration)")
    visit.timezone = zone
    visit.end_timezone = end_zone if end_zone != zone else None
    visit.start = _when(start, zone, "start")
    visit.end = _when(end, end_zone, "end")
    if visit.end.timestamp() <= visit.start.timestamp():
        raise InvalidData(
            f"the visit ends ({visit.end:%Y-%m-%d %H:%M}) before it starts "
            f"({visit.start:%Y-%m-%d %H:%M})"
        )
    _check_length(timedelta(seconds=visit.end.timestamp() - visit.start.timestamp()))
    check_year(visit.start.date(), "start", force=force)
    check_year(visit.end.date(), "end", force=force)
    for key, value in fields.items():
        if key in ("start", "end", "duration", "timezone", "kind", *PLACE_FIELDS):
            continue
        if key == "title":
            title = clean(value)
            if not title:
                raise InvalidData("a visit needs a title")
            visit.title = title
        elif key == "company":
            visit.company_id = (
                company_store.resolve(db, str(value)).id if clean(str(value or "")) else None
            )
        elif key in ("notes", "internal_notes"):
            setattr(visit, key, clean(None if value is None else str(value)))
        elif key == "host_contacts":
            visit.host_contact_ids = _contact_ids(db, value)
        elif key == "attendees":
            slot = fields.get("parent", visit.parent_id) not in (None, "")
            visit.attendee_ids = _attendees(db, delegation, value, slot)
        elif key == "uid":
            visit.uid = clean(value) or visit.uid
        elif key == "capacity":
            visit.capacity = _capacity(value)
        elif key == "mode":
            visit.mode = choice(value, TRANSFER_MODES, "transfer mode")
        elif key == "status":
            visit.status = choice(value, VISIT_STATUSES, "visit status") or "planned"
        elif key == "parent":
            visit.parent_id = _parent(db, visit, value)
        else:
            raise InvalidData(f"unknown visit field {key!r}")
    if visit.parent_id is not None:
        _check_inside(db, visit)
    if visit.kind not in MOVING_KINDS and (visit.origin or visit.destination):
        raise InvalidData(
            f"only a transfer or a flight goes from one place to another, not a {visit.kind}; "
            "give --kind transfer, or --location for where it takes place"
        )
    places.remember(db, visit, delegation, gazetteer)


# Visit fields about places, set before the times (a flight's airports decide its zones).
PLACE_FIELDS = ("from", "to", "location", "room", "lat", "lon")


def _capacity(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise InvalidData(f"a capacity is a whole number of persons, not {value!r}") from None
    if number < 1:
        raise InvalidData(f"a capacity is at least 1 person, not {number}")
    return number


def _parent(db: Database, visit: Visit, value: Any) -> int | None:
    """The block a visit lies in: a visit of the same delegation that is no slot itself."""
    if value in (None, ""):
        return None
    block = store.get(db, visit_id(value))
    if block.delegation_id != visit.delegation_id:
        raise InvalidData(f"visit {block.id} belongs to another delegation")
    if visit.id is not None and block.id == visit.id:
        raise InvalidData("a visit cannot lie inside itself")
    if block.parent_id is not None:
        raise InvalidData(
            f"visit {block.id} is itself a slot of block {block.parent_id}; blocks do not nest"
        )
    if visit.id is not None and store.slots_of(db, visit.id):
        raise InvalidData(f"visit {visit.id} is a block with slots of its own; blocks do not nest")
    return block.id


def _check_inside(db: Database, visit: Visit) -> None:
    """A slot lies within its block's time."""
    block = store.get(db, visit.parent_id or 0)
    if (
        visit.start.timestamp() < block.start.timestamp()
        or visit.end.timestamp() > block.end.timestamp()
    ):
        raise InvalidData(
            f"the slot {wall_time(visit.start)}–{visit.end:%H:%M} lies outside its block "
            f"'{block.title}' ({wall_time(block.start)}–{block.end:%H:%M})"
        )


def new_visit(
    db: Database, delegation: Delegation, fields: dict[str, Any], *, force: bool = False
) -> Visit:
    """A Visit of a delegation built from fields (not stored yet)."""
    if not clean(fields.get("title")):
        raise InvalidData("a visit needs a title")
    if fields.get("end") is None and fields.get("duration") is None:
        raise InvalidData("a visit needs an end (--end) or a duration (--duration)")
    given_zone = fields.get("timezone")
    zone = check_timezone(str(given_zone or delegation.timezone))
    placeholder = datetime(2000, 1, 1, tzinfo=ZoneInfo(zone))
    visit = Visit(
        delegation_id=delegation.id or 0,
        title="",
        start=placeholder,
        end=placeholder,
        timezone=zone,
    )
    # A flight's zones come from its airports; any other visit is in the zone given or the host's.
    flight = str(fields.get("kind") or "").strip().lower() == "flight"
    values = {**fields} if flight and not given_zone else {**fields, "timezone": zone}
    apply_fields(db, visit, delegation, values, force=force)
    return visit


@retried
def add(db: Database, delegation_ref: str, fields: dict[str, Any], *, force: bool = False) -> Visit:
    """Add a visit to a delegation's programme."""
    with transaction(db):
        delegation = delegation_store.resolve(db, delegation_ref)
        visit = new_visit(db, delegation, fields, force=force)
        visit.uid = visit.uid or new_uid()
        store.insert(db, visit)
    return store.get(db, visit.id or 0)


def visit_id(ref: str | int) -> int:
    """The id a visit reference stands for (visits are referred to by id)."""
    try:
        return int(str(ref).strip())
    except ValueError:
        raise InvalidData(f"a visit is referred to by its id (a number), not {ref!r}") from None


@retried
def edit(
    db: Database, ref: str | int, fields: dict[str, Any], *, force: bool = False
) -> tuple[Visit, dict[str, Any]]:
    """Change the given fields of a visit; returns it and what changed.

    A block that moves takes its slots along; a block changed so that a slot no longer fits
    is refused; a block called off calls off its slots (each calendar event then says so; set
    back to planned, the block leaves its slots as they are)."""
    with transaction(db):
        visit = store.get(db, visit_id(ref))
        before, was_cancelled = visit.start, visit.cancelled
        delegation = delegation_store.get(db, visit.delegation_id)
        apply_fields(db, visit, delegation, fields, force=force)
        changes = store.update(db, visit)
        shift = timedelta(seconds=visit.start.timestamp() - before.timestamp())
        _carry_slots(db, visit, shift, cancel=visit.cancelled and not was_cancelled)
    return store.get(db, visit.id or 0), changes


def _carry_slots(db: Database, block: Visit, shift: timedelta, *, cancel: bool = False) -> None:
    """Move a block's slots by the block's own shift (each must still lie inside it), and call
    them off with it when `cancel`."""
    for slot in store.slots_of(db, block.id or 0):
        if shift:
            slot.start = (slot.start.astimezone(UTC) + shift).astimezone(ZoneInfo(slot.timezone))
            slot.end = (slot.end.astimezone(UTC) + shift).astimezone(ZoneInfo(slot.end_zone))
        if slot.start.timestamp() < block.start.timestamp() or (
            slot.end.timestamp() > block.end.timestamp()
        ):
            raise InvalidData(
                f"the slot '{slot.title}' (visit {slot.id}, {wall_time(slot.start)}) would lie "
                f"outside its block '{block.title}'; move or shorten the slot first"
            )
        called_off = cancel and not slot.cancelled
        if called_off:
            slot.status = "cancelled"
        if shift or called_off:
            store.update(db, slot)


def move(
    db: Database, ref: str | int, start: str, timezone: str | None = None, *, force: bool = False
) -> tuple[Visit, dict[str, Any]]:
    """Move a visit to a new start, keeping its duration."""
    fields: dict[str, Any] = {"start": start}
    if timezone:
        fields["timezone"] = timezone
    return edit(db, ref, fields, force=force)


def removable(db: Database, ref: str | int) -> Visit:
    """The visit, if it may be removed: a block with slots is refused until its slots are gone."""
    visit = store.get(db, visit_id(ref))
    slots = store.slots_of(db, visit.id or 0)
    if slots:
        ids = ", ".join(str(s.id) for s in slots)
        raise InvalidData(
            f"visit {visit.id} is a block with {len(slots)} slots ({ids}); remove or move "
            "them first"
        )
    return visit


@retried
def remove(db: Database, ref: str | int) -> Visit:
    """Delete a visit; a block with slots is refused until its slots are gone."""
    with transaction(db):
        visit = removable(db, ref)
        store.delete(db, visit.id or 0)
    return visit


# --- presenting ----------------------------------------------------------------------------


def person_json(contact: Contact, with_phone: bool = False) -> dict[str, Any]:
    """A short record of a person in a visit: id, name, email, company (and phones for hosts)."""
    record: dict[str, Any] = {
        "id": contact.id,
        "name": contact.display_name,
        "email": contact.email,
        "company": contact.company,
    }
    if with_phone:
        record["phone"] = contact.phone
        record["mobile"] = contact.mobile
    return record


def visit_json(
    visit: Visit,
    delegation: Delegation,
    contacts: dict[int, Contact],
    members: list[Member],
) -> dict[str, Any]:
    """The stable JSON shape of a visit (SPEC §3): ISO 8601 times with their UTC offset."""
    explicit = bool(visit.attendee_ids)
    return {
        "id": visit.id,
        "delegation": delegation.code,
        "title": visit.title,
        "kind": visit.kind,
        "status": visit.status,
        "start": visit.start.isoformat(),
        "end": visit.end.isoformat(),
        "timezone": visit.timezone,
        "company": visit.company,
        "company_id": visit.company_id,
        "location": visit.location,
        "host_contacts": [
            person_json(contacts[i], with_phone=True)
            for i in visit.host_contact_ids
            if i in contacts
        ],
        "attendees": [
            person_json(contacts[i]) for i in attendee_ids(visit, members) if i in contacts
        ],
        "attendees_explicit": explicit,
        "notes": visit.notes,
        "internal_notes": visit.internal_notes,
        "translations": visit.translations,
        "sequence": visit.sequence,
        "uid": visit.uid,
        "end_timezone": visit.end_zone,
        "parent": visit.parent_id,
        "capacity": visit.capacity,
        "nights": (visit.end.date() - visit.start.date()).days if visit.kind == "hotel" else None,
        "mode": visit.mode,
        "from": visit.origin.to_json() if visit.origin else None,
        "to": visit.destination.to_json() if visit.destination else None,
        "venue": {
            "address": visit.location,
            "room": visit.room,
            "lat": visit.lat,
            "lon": visit.lon,
        },
    }


def programme(db: Database, delegation_ref: str) -> tuple[Delegation, list[Visit], list[dict]]:
    """A delegation, its visits in time order and their JSON records."""
    delegation = delegation_store.resolve(db, delegation_ref)
    visits = store.of_delegation(db, delegation.id or 0)
    members = member_store.of_delegation(db, delegation.id or 0)
    ids = {i for v in visits for i in (*v.host_contact_ids, *attendee_ids(v, members))}
    contacts = {c.id or 0: c for c in contact_store.get_many(db, sorted(ids))}
    return delegation, visits, [visit_json(v, delegation, contacts, members) for v in visits]


def record(db: Database, ref: str | int) -> dict[str, Any]:
    """One visit as its JSON record (the visit fields of SPEC §3), hosts and attendees named."""
    visit = store.get(db, visit_id(ref))
    _, _, records = programme(db, str(visit.delegation_id))
    return next(r for r in records if r["id"] == visit.id)
