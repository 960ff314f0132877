"""Itineraries as iCalendar (RFC 5545): one VEVENT per visit with its stable UID, VTIMEZONEs added.

Registered as the ``ics`` itinerary format in ``registry``; the text has CRLF line ends.
"""

from __future__ import annotations

import uuid

from greentech_cli.models.itinerary import UID_NAMESPACE, Entry, Itinerary
from greentech_cli.render import labels
from greentech_cli.render.itinerary import entry_view


def _description(entry: Entry, lang: str) -> str:
    v = entry_view(entry, lang)
    lines = [v.kind]
    if v.home:
        lines.append(f"{labels.label('home_time', lang)}: {v.home} ({entry.home_start.tzname()})")  # type: ignore[union-attr]
    lines += [f"{labels.label('host', lang)}: {host}" for host in v.hosts]
    if v.attendees is not None:
        lines.append(f"{labels.label('attendees', lang)}: {', '.join(v.attendees)}")
    if v.notes:
        lines.append(v.notes)
    return "\n".join(lines)


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
    for day in itinerary.days:
        for entry in day.entries:
            visit = entry.visit
            where = ", ".join(p for p in (visit.company, entry.place) if p) or None
            event = Event.new(
                uid=visit.uid,
                summary=visit.title,
                start=visit.start,
                end=visit.end,
                location=where,
                description=_description(entry, lang),
                categories=[labels.kind(visit.kind, lang)],
            )
            cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical().decode("utf-8")
