"""Itinerary writers: text (Rich), Markdown, printable HTML, iCalendar and JSON, in de or en."""

from __future__ import annotations

import io
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from greentech_cli.models.itinerary import UID_NAMESPACE, Entry, Itinerary
from greentech_cli.render import labels
from greentech_cli.render.output import ItineraryFormat

TEXT_WIDTH = 100


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


@dataclass
class DayView:
    """A day heading with its entries."""

    heading: str
    entries: list[EntryView]


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
    text = labels.label(key, lang)
    return f" ({text.replace('1', str(abs(days)))})"


def _span(start: datetime, end: datetime, reference: datetime, lang: str) -> str:
    text = f"{labels.clock(start)}{_shift(start, reference, lang)}–{labels.clock(end)}"
    return text + _shift(end, reference, lang)


def _entry(entry: Entry, lang: str) -> EntryView:
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
    return EntryView(
        time=_span(visit.start, visit.end, visit.start, lang),
        zone=labels.zone_name(visit.timezone) if entry.zone_differs else None,
        home=home,
        title=visit.title,
        kind=labels.kind(visit.kind, lang),
        company=visit.company,
        place=entry.place,
        hosts=hosts,
        attendees=attendees,
        notes=visit.notes,
    )


def view(itinerary: Itinerary, lang: str) -> View:
    """The language-specific strings of an itinerary, shared by text, Markdown and HTML."""
    d = itinerary.delegation
    subtitle = " · ".join(
        [
            labels.DIRECTIONS[lang].get(d.direction, d.direction),
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
                labels.day_heading(day.date, lang), [_entry(entry, lang) for entry in day.entries]
            )
            for day in itinerary.days
        ],
        labels=dict(labels.TEXT[lang]),
    )


# --- text ----------------------------------------------------------------------------------


def print_text(itinerary: Itinerary, lang: str, console: Any) -> None:
    """Print the itinerary to a Rich console: one section per day."""
    from rich.table import Table
    from rich.text import Text

    v = view(itinerary, lang)
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
            details.append(entry.title, style="bold")
            details.append(f" · {entry.kind}")
            for line in _detail_lines(entry, v):
                details.append("\n" + line)
            cells: list[Any] = [when]
            if v.home_zone:
                cells.append(Text(f"{entry.home} {v.home_zone}" if entry.home else ""))
            cells.append(details)
            grid.add_row(*cells)
        console.print(grid)


def _detail_lines(entry: EntryView, v: View) -> list[str]:
    lines = []
    if entry.company:
        lines.append(entry.company)
    if entry.place:
        lines.append(entry.place)
    lines += [f"{v.labels['host']}: {host}" for host in entry.hosts]
    if entry.attendees is not None:
        lines.append(f"{v.labels['attendees']}: {', '.join(entry.attendees)}")
    if entry.notes:
        lines.append(entry.notes)
    return lines


def text(itinerary: Itinerary, lang: str) -> str:
    """The text itinerary as plain, deterministic text (fixed width, no colour)."""
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(
        file=buffer, width=TEXT_WIDTH, no_color=True, force_terminal=False, highlight=False
    )
    print_text(itinerary, lang, console)
    # Rich pads grid cells with spaces; trailing spaces only make diffs noisy.
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


# --- Markdown ------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def _md(value: str) -> str:
    """User text made inert in Markdown (and in the HTML some renderers allow)."""
    escaped = value.replace("&", "&amp;").replace("<", "&lt;")
    escaped = _MD_SPECIAL.sub(r"\\\1", escaped)
    return escaped.replace("\n", "<br>")


def markdown(itinerary: Itinerary, lang: str) -> str:
    """The itinerary as Markdown: a heading per day and a table of its visits."""
    v = view(itinerary, lang)
    out = [f"# {_md(v.title)} ({_md(v.code)})", ""]
    head = [_md(v.subtitle)]
    if v.organisations:
        head.append(_md(v.organisations))
    if v.member:
        head.append(f"**{_md(v.labels['programme_for'])}: {_md(v.member)}**")
    head.append(_md(v.zones))
    out += ["  \n".join(head), ""]
    if not v.days:
        out += [v.labels["no_visits"], ""]
    columns = [v.labels["time"]]
    if v.home_zone:
        columns.append(f"{v.labels['home_time']} ({_md(v.home_zone)})")
    columns.append(v.labels["item"])
    for day in v.days:
        out += [f"## {_md(day.heading)}", ""]
        out.append("| " + " | ".join(columns) + " |")
        out.append("|" + "---|" * len(columns))
        for entry in day.entries:
            when = _md(entry.time) + (f"<br>{_md(entry.zone)}" if entry.zone else "")
            cells = [when]
            if v.home_zone:
                cells.append(_md(entry.home or ""))
            lines = [f"**{_md(entry.title)}** · {_md(entry.kind)}"]
            lines += [_md(line) for line in _detail_lines(entry, v)]
            cells.append("<br>".join(lines))
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


# --- HTML ----------------------------------------------------------------------------------


def html(itinerary: Itinerary, lang: str) -> str:
    """The itinerary as a printable A4 HTML document (Jinja2, autoescaped)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("greentech_cli", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    template = env.get_template("itinerary.html")
    return template.render(v=view(itinerary, lang))


# --- iCalendar -----------------------------------------------------------------------------


def _description(entry: Entry, lang: str) -> str:
    v = _entry(entry, lang)
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


def render(itinerary: Itinerary, fmt: ItineraryFormat, lang: str) -> str:
    """The itinerary in a format as text (ICS with CRLF line ends, as the standard wants)."""
    if fmt is ItineraryFormat.text:
        return text(itinerary, lang)
    if fmt is ItineraryFormat.md:
        return markdown(itinerary, lang)
    if fmt is ItineraryFormat.html:
        return html(itinerary, lang)
    if fmt is ItineraryFormat.ics:
        return ics(itinerary, lang)
    return json.dumps(itinerary.to_json(), ensure_ascii=False, indent=2) + "\n"
