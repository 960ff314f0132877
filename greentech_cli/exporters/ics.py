"""Itineraries as iCalendar (RFC 5545): one VEVENT per visit with its stable UID, VTIMEZONEs added.

Calendars that imported an earlier file update in place: each event carries the visit's
SEQUENCE (raised at every change) and DTSTAMP/LAST-MODIFIED of its last change, so exporting the
same programme twice gives the same file; a removed or cancelled visit comes back as a VEVENT
with its UID, a higher SEQUENCE and STATUS:CANCELLED. GEO, the full address in LOCATION and an
OpenStreetMap URL say where. Registered as the ``ics`` itinerary format in ``registry``; the text
has CRLF line ends.

The text is written here, not by a calendar library: importing and running one cost about as
much as the rest of the command (the tests read every file back with `icalendar` and `vobject`).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from greentech_cli.models.itinerary import UID_NAMESPACE, Cancelled, Entry, Itinerary
from greentech_cli.render import labels
from greentech_cli.render.itinerary import EntryView, entry_view

CRLF = "\r\n"
DAY = 86400


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


# --- the text of iCalendar -----------------------------------------------------------------


def text(value: str) -> str:
    """A TEXT value escaped (RFC 5545 3.3.11): backslash, semicolon, comma and line ends."""
    escaped = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return escaped.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """A content line folded at 75 octets (RFC 5545 3.1), never inside a UTF-8 character."""
    if len(line.encode("utf-8")) <= 75:
        return line
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > 75:
            parts.append("".join(current))
            current, size = [" "], 1
        current.append(char)
        size += width
    parts.append("".join(current))
    return CRLF.join(parts)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _local(value: datetime) -> str:
    return f"{value.year:04d}{value:%m%dT%H%M%S}"


def _zone_key(value: datetime) -> str:
    return str(getattr(value.tzinfo, "key", None) or "UTC")


def _when(name: str, value: datetime) -> str:
    return f"{name};TZID={_zone_key(value)}:{_local(value)}"


def _offset(delta: timedelta | None) -> str:
    seconds = int((delta or timedelta()).total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")


def vtimezone(zone: str, moments: list[datetime]) -> list[str]:
    """A VTIMEZONE for the times given in the zone: the observance in effect at the first, then
    one per change of offset up to the last (found day by day, then to the second), each with
    its onset in the local time before it (RFC 5545 3.6.5)."""
    tz = ZoneInfo(zone)
    begin = min(moments, key=lambda m: m.timestamp())
    first, last = int(begin.timestamp()), int(max(m.timestamp() for m in moments))

    def at(second: int) -> datetime:
        return datetime.fromtimestamp(second, tz)

    def state(moment: datetime) -> tuple[timedelta | None, str | None]:
        return moment.utcoffset(), moment.tzname()

    onsets: list[tuple[datetime, timedelta | None, datetime]] = [
        (begin.replace(tzinfo=None), begin.utcoffset(), begin)
    ]
    second, now = first, begin
    while second < last:
        step = min(second + DAY, last)
        try:
            later = at(step)
        except (OverflowError, ValueError, OSError):  # the end of the calendar
            break
        if state(later) != state(now):
            low, high = second, step
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if state(at(middle)) == state(now) else (low, middle)
            onset = at(high)
            before = now.utcoffset() or timedelta()
            wall = datetime(1970, 1, 1) + timedelta(seconds=high) + before
            onsets.append((wall, before, onset))
        second, now = step, later
    lines = ["BEGIN:VTIMEZONE", f"TZID:{zone}"]
    for wall, offset_before, moment in onsets:
        kind = "DAYLIGHT" if moment.dst() else "STANDARD"
        lines += [
            f"BEGIN:{kind}",
            f"DTSTART:{_local(wall)}",
            f"TZNAME:{text(moment.tzname() or zone)}",
            f"TZOFFSETFROM:{_offset(offset_before)}",
            f"TZOFFSETTO:{_offset(moment.utcoffset())}",
            f"END:{kind}",
        ]
    return [*lines, "END:VTIMEZONE"]


def _stamp(value: str | None, fallback: datetime) -> datetime:
    """A stored UTC time (ISO 8601) as an aware UTC date-time, as DTSTAMP wants it."""
    if not value:
        return fallback
    found = datetime.fromisoformat(value)
    return (found if found.tzinfo else found.replace(tzinfo=UTC)).astimezone(UTC)


def _event(
    uid: str,
    summary: str,
    start: datetime,
    end: datetime,
    changed: datetime,
    sequence: int,
    status: str,
    **more: str | None,
) -> list[str]:
    """A VEVENT's lines; `more` are TEXT properties by name (categories, description, geo,
    location, url are written as their value types want)."""
    lines = [
        "BEGIN:VEVENT",
        f"SUMMARY:{text(summary)}",
        _when("DTSTART", start),
        _when("DTEND", end),
        f"DTSTAMP:{_utc(changed)}",
        f"UID:{text(uid)}",
        f"SEQUENCE:{sequence}",
    ]
    if more.get("categories"):
        lines.append(f"CATEGORIES:{text(more['categories'] or '')}")
    if more.get("description"):
        lines.append(f"DESCRIPTION:{text(more['description'] or '')}")
    if more.get("geo"):
        lines.append(f"GEO:{more['geo']}")
    lines.append(f"LAST-MODIFIED:{_utc(changed)}")
    if more.get("location"):
        lines.append(f"LOCATION:{text(more['location'] or '')}")
    lines.append(f"STATUS:{status}")
    if more.get("url"):
        lines.append(f"URL:{more['url']}")
    return [*lines, "END:VEVENT"]


def _cancelled(gone: Cancelled) -> list[str]:
    removed = _stamp(gone.removed_at, datetime.now(UTC))
    return _event(gone.uid, gone.title, gone.start, gone.end, removed, gone.sequence, "CANCELLED")


def ics(itinerary: Itinerary, lang: str) -> str:
    """The itinerary as iCalendar: one VEVENT per visit with its stable UID, VTIMEZONEs added."""
    d = itinerary.delegation
    name = d.title if itinerary.member is None else f"{d.title} — {itinerary.member.name}"
    description = f"{d.code}: {labels.date_range(d.start_date, d.end_date, lang)}"
    head = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//greentech//itinerary//EN",
        f"DESCRIPTION:{text(description)}",
        f"X-WR-CALDESC:{text(description)}",
        f"NAME:{text(name)}",
        f"X-WR-CALNAME:{text(name)}",
        f"UID:{uuid.uuid5(UID_NAMESPACE, f'calendar|{d.code}')}",
    ]
    fallback = datetime.now(UTC).replace(microsecond=0)
    events: list[str] = []
    spans: dict[str, list[datetime]] = {}  # zone: the times given in it
    for day in itinerary.days:
        for entry in day.entries:
            visit = entry.visit
            v = entry_view(entry, lang)
            point = f"{entry.point[0]};{entry.point[1]}" if entry.point is not None else None
            events += _event(
                visit.uid or "",
                v.title,
                visit.start,
                visit.end,
                _stamp(visit.modified, fallback),
                visit.sequence,
                "CANCELLED" if visit.cancelled else "CONFIRMED",
                categories=v.kind,
                description=_description(entry, v, lang),
                geo=point,
                location=", ".join(p for p in (visit.company, v.place) if p) or None,
                url=v.map_url,
            )
            for moment in (visit.start, visit.end):
                spans.setdefault(_zone_key(moment), []).append(moment)
    for gone in itinerary.cancelled:
        events += _cancelled(gone)
        for moment in (gone.start, gone.end):
            spans.setdefault(_zone_key(moment), []).append(moment)
    zones = [line for zone, moments in spans.items() for line in vtimezone(zone, moments)]
    lines = [*head, *zones, *events, "END:VCALENDAR"]
    return CRLF.join(fold(line) for line in lines) + CRLF
