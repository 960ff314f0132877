"""Itineraries as documents: plain text, Markdown, printable HTML and JSON, in the chosen language.

Each writer is ``write(itinerary, lang) -> str``, registered by name in ``registry``.
"""

from __future__ import annotations

import io
import json
import re

from greentech_cli.models.itinerary import Itinerary
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
    template = env.get_template("itinerary.html")
    return template.render(v=view(itinerary, lang))


def json_document(itinerary: Itinerary, lang: str) -> str:
    """The itinerary as JSON: the delegation and per day its visits (labels are not translated)."""
    return json.dumps(itinerary.to_json(), ensure_ascii=False, indent=2) + "\n"
