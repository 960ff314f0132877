"""Itineraries as documents: plain text, Markdown, printable HTML and JSON, in the chosen language.

Each writer is ``write(itinerary, lang) -> str``, registered by name in ``registry``.
"""

from __future__ import annotations

import io
import json
import os
import re
from datetime import UTC, date, datetime
from typing import Any

from greentech_cli.models.itinerary import Itinerary
from greentech_cli.render import labels
from greentech_cli.render.itinerary import detail_lines, print_text, view

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
    env.filters["phones"] = unbroken_phones
    env.filters["css_string"] = css_string
    template = env.get_template("itinerary.html")
    v = view(itinerary, lang)
    urls = {e.map_url for day in v.days for e in day.entries if e.map_url}
    day = print_day()
    printed = labels.both(
        [labels.label("printed", one, date=labels.short_date(day, one)) for one in
         labels.languages(lang)]
    )  # fmt: skip
    return template.render(v=v, qr={url: qr_svg(url) for url in sorted(urls)}, printed=printed)


# A phone number in running text: +49 201 5554400, 0211 3557-0, (030) 123 456.
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d ()/.\-]{4,}\d(?!\w)")


def unbroken_phones(text: str) -> Any:
    """The text escaped for HTML, each phone number in it kept on one line when printed."""
    from markupsafe import Markup, escape

    parts: list[str] = []
    last = 0
    for found in _PHONE.finditer(text):
        parts += [escape(text[last : found.start()]), Markup('<span class="number">')]
        parts += [escape(found.group()), Markup("</span>")]
        last = found.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def css_string(text: str) -> Any:
    """A text as a quoted CSS string (a label in a page margin), safe inside <style>."""
    from markupsafe import Markup

    quoted = "".join(ch if ch.isalnum() or ch in " .,:/-" else f"\\{ord(ch):x} " for ch in text)
    return Markup(f'"{quoted}"')


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
