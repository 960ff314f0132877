"""The printable B2B grid (issue 20): one A4 page per table for its host, one per person."""

from __future__ import annotations

from typing import Any


def html(view: dict[str, Any]) -> str:
    """The sheets as one HTML document (Jinja2, autoescaped): title, when, location, tables,
    people (each a list of grid rows as `b2b_grid.show` gives them)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("greentech_cli", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env.get_template("b2b_grid.html").render(v=view)
