"""An itinerary for people to read: its strings in the chosen language, and the terminal view."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from greentech_cli.models.itinerary import Entry, Itinerary
from greentech_cli.models.records import MOVING_KINDS, Visit
from greentech_cli.render import labels

# --- one view for every human-readable format ----------------------------------------------


@dataclass
class EntryView:
    """The strings of one visit, in the chosen language."""

    time: str
    zone: str | None
    home: str | None
    title: str
    kind: str
    company: str | None
    place: str | None
    hosts: list[str]
    attendees: list[str] | None
    notes: str | None
    extra: list[str] = field(default_factory=list)  # block, dietary needs
    attendance: str | None = None  # after the fact: who was present, absent, excused
    internal_notes: str | None = None  # the officer's itinerary only
    map_url: str | None = None  # OpenStreetMap: the point, else a search for the address
    cancelled: str | None = None  # "Cancelled" in the language, for a visit called off


@dataclass
class DayView:
    """A day heading with its entries and the night's hotel."""

    heading: str
    entries: list[EntryView]
    night: str | None = None


@dataclass
class View:
    """The strings of a whole itinerary, in the chosen language."""

    lang: str
    title: str
    code: str
    subtitle: str
    organisations: str | None
    member: str | None
    zones: str
    home_zone: str | None
    days: list[DayView] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)


def _shift(value: datetime, reference: datetime, lang: str) -> str:
    days = (value.date() - reference.date()).days
    if days == 0:
        return ""
    key = "next_day" if days > 0 else "prev_day"
    if abs(days) > 1:  # a hotel stay: "+4 days"
        return f" ({labels.label(key + 's', lang, n=str(abs(days)))})"
    return f" ({labels.label(key, lang)})"


def _span(start: datetime, end: datetime, reference: datetime, lang: str) -> str:
    text = f"{labels.clock(start)}{_shift(start, reference, lang)}–{labels.clock(end)}"
    return text + _shift(end, reference, lang)


def localized(visit: Visit, name: str, lang: str) -> str | None:
    """A visit's title, notes or location in the language: that language's text, else the text
    as written (the plain field); both of a bilingual pair, each once."""
    written = getattr(visit, name)
    given = visit.translations.get(name, {})
    texts = [given.get(one) or written for one in labels.languages(lang)]
    present = [t for t in texts if t]
    return labels.both(present) if present else None


def map_url(entry: Entry) -> str | None:
    """The OpenStreetMap link of a visit's place: its point, else a search for its address."""
    if entry.point is not None:
        # Five decimals are a metre; short enough for a small QR code (version 5).
        lat, lon = (f"{n:.5f}" for n in entry.point)
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}&zoom=17"
    if entry.place and entry.visit.kind not in MOVING_KINDS:
        return "https://www.openstreetmap.org/search?query=" + quote(entry.place, safe="")
    return None


def entry_view(entry: Entry, lang: str) -> EntryView:
    """The strings of one visit in the chosen language."""
    visit = entry.visit
    hosts = []
    for host in entry.hosts:
        parts = [host.name]
        if host.company and host.company != entry.visit.company:
            parts[0] += f" ({host.company})"
        if host.phone:
            parts.append(host.phone)
        hosts.append(", ".join(parts))
    attendees = None
    if entry.attendees is not None:
        attendees = [a.name for a in entry.attendees]
    home = None
    if entry.home_start and entry.home_end:
        home = _span(entry.home_start, entry.home_end, visit.start, lang)
    time = _span(visit.start, visit.end, visit.start, lang)
    zone = labels.zone_name(visit.timezone) if entry.zone_differs else None
    if visit.end_zone != visit.timezone:
        # A flight: departure in its airport's zone, arrival in the other airport's.
        start_zone, end_zone = labels.zone_name(visit.timezone), labels.zone_name(visit.end_zone)
        time = (
            f"{labels.clock(visit.start)} {start_zone}–{labels.clock(visit.end)}"
            f"{_shift(visit.end, visit.start, lang)} {end_zone}"
        )
        zone = None
    extra = []
    if entry.block:
        extra.append(f"{labels.label('in_block', lang)}: {entry.block}")
    if entry.dietary:
        needs = ", ".join(f"{n} × {need}" for need, n in entry.dietary.items())
        extra.append(f"{labels.label('dietary', lang)}: {needs}")
    place = entry.place
    if visit.translations.get("location") and visit.location and place:
        place = place.replace(visit.location, localized(visit, "location", lang) or "", 1)
    return EntryView(
        time=time,
        zone=zone,
        home=home,
        title=localized(visit, "title", lang) or visit.title,
        kind=labels.kind(visit.kind, lang),
        company=visit.company,
        place=place,
        hosts=hosts,
        attendees=attendees,
        notes=localized(visit, "notes", lang),
        extra=extra,
        attendance=_attendance(entry.record.get("attendance"), lang),
        internal_notes=entry.internal_notes,
        map_url=map_url(entry),
        cancelled=labels.label("cancelled", lang) if visit.cancelled else None,
    )


def night(hotel: Entry | None, lang: str) -> str | None:
    """Where the delegation sleeps: "Night: Hotel Nikko, Immermannstraße 41, Düsseldorf"."""
    if hotel is None:
        return None
    where = ", ".join(p for p in (hotel.visit.title, hotel.visit.company, hotel.place) if p)
    return f"{labels.label('night', lang)}: {where}"


def _attendance(recorded: dict[str, list[str]] | None, lang: str) -> str | None:
    """ "Attendance: present: A, B; absent: C" for a visit whose attendance was recorded."""
    if not recorded:
        return None
    parts = [
        f"{labels.label(status, lang)}: {', '.join(names)}"
        for status, names in recorded.items()
        if names
    ]
    return f"{labels.label('attendance', lang)}: {'; '.join(parts)}" if parts else None


def view(itinerary: Itinerary, lang: str) -> View:
    """The language-specific strings of an itinerary, shared by text, Markdown and HTML."""
    d = itinerary.delegation
    subtitle = " · ".join(
        [
            labels.direction(d.direction, lang),
            labels.date_range(d.start_date, d.end_date, lang),
        ]
    )
    orgs = []
    if d.host:
        orgs.append(f"{labels.label('host_org', lang)}: {d.host}")
    if d.partner:
        orgs.append(f"{labels.label('partner', lang)}: {d.partner}")
    member = None
    if itinerary.member:
        m = itinerary.member
        member = m.name + (f" ({m.native_name})" if m.native_name else "")
        if m.role:
            member += f", {labels.role(m.role, lang)}"
    zones = labels.label("times_in", lang, zone=d.timezone)
    if itinerary.home_zone:
        zones += "; " + labels.label("home_beside", lang, zone=itinerary.home_zone)
    return View(
        lang=lang,
        title=d.title,
        code=d.code,
        subtitle=subtitle,
        organisations=" · ".join(orgs) or None,
        member=member,
        zones=zones,
        home_zone=labels.zone_name(itinerary.home_zone) if itinerary.home_zone else None,
        days=[
            DayView(
                labels.day_heading(day.date, lang),
                [entry_view(entry, lang) for entry in day.entries],
                night(day.hotel, lang),
            )
            for day in itinerary.days
        ],
        labels=labels.table(lang),
    )


# --- text ----------------------------------------------------------------------------------


def print_text(itinerary: Itinerary, lang: str, console: Any) -> None:
    """Print the itinerary to a Rich console: one section per day."""
    from rich.table import Table
    from rich.text import Text

    from greentech_cli.render.terminal import each_string, for_stream

    v = each_string(view(itinerary, lang), for_stream(console.file))
    console.print(Text(f"{v.title} ({v.code})", style="bold"))
    console.print(Text(v.subtitle))
    if v.organisations:
        console.print(Text(v.organisations))
    if v.member:
        console.print(Text(f"{v.labels['programme_for']}: {v.member}", style="bold"))
    console.print(Text(v.zones, style="dim"))
    if not v.days:
        console.print()
        console.print(Text(v.labels["no_visits"]))
    for day in v.days:
        console.print()
        console.print(Text(day.heading, style="bold underline"))
        grid = Table.grid(padding=(0, 2), pad_edge=False)
        grid.add_column(no_wrap=True)
        if v.home_zone:
            grid.add_column(no_wrap=True, style="dim")
        grid.add_column(overflow="fold")
        for n, entry in enumerate(day.entries):
            if n:
                grid.add_row(*([""] * len(grid.columns)))
            when = Text(entry.time)
            if entry.zone:
                when.append(f"\n{entry.zone}")
            details = Text()
            details.append(entry.title, style="bold strike" if entry.cancelled else "bold")
            details.append(f" · {entry.kind}")
            if entry.cancelled:
                details.append(f" · {entry.cancelled.upper()}", style="bold")
            for line in detail_lines(entry, v):
                details.append("\n" + line)
            cells: list[Any] = [when]
            if v.home_zone:
                cells.append(Text(f"{entry.home} {v.home_zone}" if entry.home else ""))
            cells.append(details)
            grid.add_row(*cells)
        if day.entries:
            console.print(grid)
        if day.night:
            console.print(Text(day.night, style="italic"))


def detail_lines(entry: EntryView, v: View) -> list[str]:
    """The lines under a visit's title: company, place, hosts, attendees, notes."""
    lines = []
    if entry.company:
        lines.append(entry.company)
    if entry.place:
        lines.append(entry.place)
    lines += [f"{v.labels['host']}: {host}" for host in entry.hosts]
    if entry.attendees is not None:
        lines.append(f"{v.labels['attendees']}: {', '.join(entry.attendees)}")
    lines += entry.extra
    if entry.attendance:
        lines.append(entry.attendance)
    if entry.notes:
        lines.append(entry.notes)
    if entry.internal_notes:
        lines.append(f"{v.labels['internal_notes']}: {entry.internal_notes}")
    return lines
