"""Itineraries as documents: plain text, Markdown, printable HTML and JSON, in the chosen language.

Each writer is ``write(itinerary, lang) -> str``, registered by name in ``registry``.
"""

from __future__ import annotations

import io
import json
import os
import re
from datetime import UTC, date, datetime
from pathlib import Path

from greentech_cli.models.itinerary import Itinerary
from greentech_cli.render import labels
from greentech_cli.render.itinerary import EntryView, View, detail_lines, print_text, view

TEXT_WIDTH = 100


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
        if day.entries:
            out.append("| " + " | ".join(columns) + " |")
            out.append("|" + "---|" * len(columns))
        for entry in day.entries:
            when = _md(entry.time) + (f"<br>{_md(entry.zone)}" if entry.zone else "")
            cells = [when]
            if v.home_zone:
                cells.append(_md(entry.home or ""))
            lines = [f"**{_md(entry.title)}** · {_md(entry.kind)}"]
            if entry.cancelled:
                lines = [f"~~{lines[0]}~~ · **{_md(entry.cancelled.upper())}**"]
            lines += [_md(line) for line in detail_lines(entry, v)]
            if entry.map_url:
                lines.append(f"[{_md(v.labels['map'])}](<{entry.map_url}>)")
            cells.append("<br>".join(lines))
            out.append("| " + " | ".join(cells) + " |")
        if day.night:
            out += ["", f"*{_md(day.night)}*"]
        out.append("")
    return "\n".join(out)


# --- HTML ----------------------------------------------------------------------------------
# Written with f-strings rather than a template engine: importing Jinja2 and compiling the
# template cost a fifth of a printed programme's time. Every value goes through _h.

STYLE = Path(__file__).resolve().parent.parent / "templates" / "itinerary.css"
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})


def _h(value: object) -> str:
    """A value as HTML text (quotes too, so it may stand in an attribute)."""
    return str(value).translate(_ESCAPES)


def _entry_html(e: EntryView, v: View, qr: dict[str, str]) -> list[str]:
    """The table row of one visit."""
    out = [
        '        <tr class="cancelled">' if e.cancelled else "        <tr>",
        f'          <td class="time">{_h(e.time)}'
        + (f'<br><span class="zone">{_h(e.zone)}</span>' if e.zone else "")
        + "</td>",
    ]
    if v.home_zone:
        out.append(f'          <td class="time home">{_h(e.home or "")}</td>')
    out.append("          <td>")
    kind = f'<span class="kind">· {_h(e.kind)}</span>'
    if e.cancelled:
        out.append(
            f'            <div class="title"><del>{_h(e.title)}</del> {kind} '
            f'<strong class="status">{_h(e.cancelled)}</strong></div>'
        )
    else:
        out.append(f'            <div class="title">{_h(e.title)} {kind}</div>')
    for name, value in (("company", e.company), ("place", e.place)):
        if value:
            out.append(f'            <div class="{name}">{_h(value)}</div>')
    host = _h(v.labels["host"])
    out += [f'            <div class="host">{host}: {unbroken_phones(h)}</div>' for h in e.hosts]
    if e.attendees is not None:
        names = ", ".join(_h(a) for a in e.attendees)
        out.append(f'            <div class="attendees">{_h(v.labels["attendees"])}: {names}</div>')
    out += [f'            <div class="extra">{unbroken_phones(line)}</div>' for line in e.extra]
    if e.notes:
        out.append(f'            <div class="notes">{unbroken_phones(e.notes)}</div>')
    if e.internal_notes:
        label = _h(v.labels["internal_notes"])
        internal = unbroken_phones(e.internal_notes)
        out.append(f'            <div class="internal">{label}: {internal}</div>')
    if e.map_url:
        url = _h(e.map_url)
        out += [
            f'            <div class="map"><a href="{url}">{_h(v.labels["map"])}: {url}</a>',
            f'              <span class="qr">{qr[e.map_url]}</span></div>',
        ]
    return [*out, "          </td>", "        </tr>"]


def html(itinerary: Itinerary, lang: str) -> str:
    """The itinerary as a printable A4 HTML document, every value escaped."""
    v = view(itinerary, lang)
    urls = {e.map_url for day in v.days for e in day.entries if e.map_url}
    qr = {url: qr_svg(url) for url in sorted(urls)}
    today = print_day()
    printed = labels.both(
        [labels.label("printed", one, date=labels.short_date(today, one)) for one in
         labels.languages(lang)]
    )  # fmt: skip
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{_h(v.lang.split("+")[0])}">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{_h(v.title)} — {_h(v.labels['programme'])}</title>",
        "<style>",
        STYLE.read_text(encoding="utf-8")
        + "/* On every printed page: the print date and the page number. */",
        "@page {",
        f"  @bottom-left {{ content: {css_string(printed)}; font-size: 8pt; color: #555; }}",
        "  @bottom-right {",
        f'    content: {css_string(v.labels["page"])} " " counter(page) " / " counter(pages);',
        "    font-size: 8pt; color: #555;",
        "  }",
        "}",
        "</style>",
        "</head>",
        "<body>",
        "<header>",
        f'  <h1>{_h(v.title)} <span class="code">({_h(v.code)})</span></h1>',
        f'  <p class="subtitle">{_h(v.subtitle)}</p>',
    ]
    if v.organisations:
        out.append(f"  <p>{_h(v.organisations)}</p>")
    if v.member:
        out.append(f'  <p class="member">{_h(v.labels["programme_for"])}: {_h(v.member)}</p>')
    out += [f'  <p class="zones">{_h(v.zones)}</p>', f'  <p class="printed">{_h(printed)}</p>']
    out += ["</header>", "<main>"]
    if not v.days:
        out.append(f"  <p>{_h(v.labels['no_visits'])}</p>")
    for day in v.days:
        out += [
            '  <section class="day">',
            f"    <h2>{_h(day.heading)}</h2>",
            "    <table>",
            "      <thead>",
            "        <tr>",
            f'          <th class="time">{_h(v.labels["time"])}</th>',
        ]
        if v.home_zone:
            home = f"{_h(v.labels['home_time'])} ({_h(v.home_zone)})"
            out.append(f'          <th class="time home">{home}</th>')
        out += [
            f"          <th>{_h(v.labels['item'])}</th>",
            "        </tr>",
            "      </thead>",
            "      <tbody>",
        ]
        for entry in day.entries:
            out += _entry_html(entry, v, qr)
        out += ["      </tbody>", "    </table>"]
        if day.night:
            out.append(f'    <p class="night">{_h(day.night)}</p>')
        out.append("  </section>")
    out += ["</main>", "</body>", "</html>", ""]
    return "\n".join(out)


# A phone number in running text: +49 201 5554400, 0211 3557-0, (030) 123 456.
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d ()/.\-]{4,}\d(?!\w)")


def unbroken_phones(text: str) -> str:
    """The text escaped for HTML, each phone number in it kept on one line when printed."""
    parts: list[str] = []
    last = 0
    for found in _PHONE.finditer(text):
        parts += [_h(text[last : found.start()]), '<span class="number">']
        parts += [_h(found.group()), "</span>"]
        last = found.end()
    parts.append(_h(text[last:]))
    return "".join(parts)


def css_string(text: str) -> str:
    """A text as a quoted CSS string (a label in a page margin), safe inside <style>."""
    quoted = "".join(ch if ch.isalnum() or ch in " .,:/-" else f"\\{ord(ch):x} " for ch in text)
    return f'"{quoted}"'


def print_day() -> date:
    """The day a page is printed: today, or SOURCE_DATE_EPOCH's day for reproducible output."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).date()
    return date.today()


QR_MASK = 0


def qr_svg(url: str) -> str:
    """A QR code of the URL as inline SVG (segno), for a phone to open the place's map."""
    import segno

    # One fixed mask: trying all eight for the best score took ~8 ms a code, most of a printed
    # programme's time; every mask is valid (ISO/IEC 18004), readers undo whichever is used.
    code = segno.make(url, error="m", micro=False, mask=QR_MASK)
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", xmldecl=False, svgns=True, nl=False, scale=2, border=2)
    return buffer.getvalue().decode("ascii")


def json_document(itinerary: Itinerary, lang: str) -> str:
    """The itinerary as JSON: the delegation and per day its visits; each visit's `title` and
    `notes` in the language (the text as written in `translations`), its `map_url`, and the
    removed visits (`cancelled`)."""
    data = itinerary.to_json()
    data["lang"] = lang
    data["audience"] = itinerary.audience
    v = view(itinerary, lang)
    for day, shown in zip(data["days"], v.days, strict=True):
        day["heading"] = shown.heading
        for record, entry in zip(day["visits"], shown.entries, strict=True):
            record["title"], record["notes"] = entry.title, entry.notes
            record["map_url"] = entry.map_url
    data["cancelled"] = [gone.to_json() for gone in itinerary.cancelled]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
