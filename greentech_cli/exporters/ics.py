"""Itineraries as iCalendar (RFC 5545): one VEVENT per visit with its stable UID, VTIMEZONEs added.

Calendars that imported an earlier file update in place: each event carries the visit's
SEQUENCE (raised at every change) and DTSTAMP/LAST-MODIFIED of its last change, so exporting the
same programme twice gives the same file; a removed visit comes back as a VEVENT with its UID, a
higher SEQUENCE and STATUS:CANCELLED. GEO, the full address in LOCATION and an OpenStreetMap URL
say where. Registered as the ``ics`` itinerary format in ``registry``; the text has CRLF line
ends.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from greentech_cli.models.itinerary import UID_NAMESPACE, Cancelled, Entry, Itinerary
from greentech_cli.render import labels
from greentech_cli.render.itinerary import EntryView, entry_view


def _description(entry: Entry, v: EntryView, lang: str) -> str:
    lines = [v.kind]
    if v.home:
        lines.append(f"{labels.label('home_time', lang)}: {v.home} ({entry.home_start.tzname()})")  # type: ignore[union-attr]
    lines += [f"{labels.label('host', lang)}: {host}" for host in v.hosts]
    if v.attendees is not None:
        lines.append(f"{labels.label('attendees', lang)}: {', '.join(v.attendees)}")
    lines += v.extra
    if v.notes:
        lines.append(v.notes)
    if v.internal_notes:
        lines.append(f"{labels.label('internal_notes', lang)}: {v.internal_notes}")
    if v.map_url:
        lines.append(f"{labels.label('map', lang)}: {v.map_url}")
    return "\n".join(lines)


def _stamp(value: str | None, fallback: datetime) -> datetime:
    """A stored UTC time (ISO 8601) as an aware UTC date-time, as DTSTAMP wants it."""
    if not value:
        return fallback
    found = datetime.fromisoformat(value)
    return (found if found.tzinfo else found.replace(tzinfo=UTC)).astimezone(UTC)


def _cancelled(gone: Cancelled) -> Any:
    from icalendar import Event

    removed = _stamp(gone.removed_at, datetime.now(UTC))
    return Event.new(
        uid=gone.uid,
        summary=gone.title,
        start=gone.start,
        end=gone.end,
        stamp=removed,
        last_modified=removed,
        sequence=gone.sequence,
        status="CANCELLED",  # type: ignore[arg-type]
    )


def ics(itinerary: Itinerary, lang: str) -> str:
    """The itinerary as iCalendar: one VEVENT per visit with its stable UID, VTIMEZONEs added."""
    from icalendar import Calendar, Event

    d = itinerary.delegation
    name = d.title if itinerary.member is None else f"{d.title} — {itinerary.member.name}"

    cal = Calendar.new(
        uid=str(uuid.uuid5(UID_NAMESPACE, f"calendar|{d.code}")),
        name=name,
        prodid="-//greentech//itinerary//EN",
        description=f"{d.code}: {labels.date_range(d.start_date, d.end_date, lang)}",
    )
    fallback = datetime.now(UTC).replace(microsecond=0)
    for day in itinerary.days:
        for entry in day.entries:
            visit = entry.visit
            v = entry_view(entry, lang)
            where = ", ".join(p for p in (visit.company, v.place) if p) or None
            changed = _stamp(visit.modified, fallback)
            event = Event.new(
                uid=visit.uid,
                summary=v.title,
                start=visit.start,
                end=visit.end,
                location=where,
                description=_description(entry, v, lang),
                categories=[v.kind],
                stamp=changed,
                last_modified=changed,
                sequence=visit.sequence,
                status="CANCELLED" if visit.cancelled else "CONFIRMED",  # type: ignore[arg-type]
                url=v.map_url,
            )
            if entry.point is not None:
                event.add("geo", entry.point)
            cal.add_component(event)
    for gone in itinerary.cancelled:
        cal.add_component(_cancelled(gone))
    cal.add_missing_timezones()
    return cal.to_ical().decode("utf-8")
