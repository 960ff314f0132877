"""The funder's report as files: a printable A4 HTML page with SVG charts, and an XLSX workbook.

Charts are drawn by pygal as SVG and put inline, with no script and nothing fetched when the
page is viewed; pygal (and openpyxl) are imported only when such a file is written.
"""

from __future__ import annotations

import re
from typing import IO, Any

from greentech_cli.render.report import (
    METRICS,
    metric_rows,
    summary_rows,
    title,
    value_label,
    word,
)

# The charts of the HTML report: metric → pygal chart type.
CHARTS = {
    "companies_by_sector": "HorizontalBar",
    "visits_by_kind": "HorizontalBar",
    "attendance": "Pie",
    "leads_by_status": "Pie",
    "delegates_by_country": "HorizontalBar",
}
# Bars beyond this many are summed up as "other" so a chart stays readable on paper.
MAX_BARS = 12


def chart_svg(report: dict[str, Any], metric: str, lang: str) -> str:
    """One chart of the report's totals as an SVG element (no XML declaration, no scripts)."""
    import pygal
    from pygal.style import Style

    style = Style(
        background="white",
        plot_background="white",
        foreground="#222",
        foreground_strong="#000",
        foreground_subtle="#666",
        font_family="sans-serif",
        colors=("#2e7d32", "#1565c0", "#f9a825", "#c62828", "#6a1b9a", "#00838f"),
    )
    kind = CHARTS[metric]
    chart = getattr(pygal, kind)(
        width=640,
        height=300,
        style=style,
        js=[],
        disable_xml_declaration=True,
        show_legend=kind == "Pie",
        print_values=True,
        title=title(metric, lang),
        no_data_text=word("none", lang),
    )
    items = [(value_label(metric, k, lang), v) for k, v in report[metric].items() if v]
    if len(items) > MAX_BARS:
        rest = sum(v for _, v in items[MAX_BARS - 1 :])
        items = [*items[: MAX_BARS - 1], ("…", rest)]
    if kind == "Pie":
        for label, value in items:
            chart.add(label, value)
    else:
        chart.x_labels = [label for label, _ in items]
        chart.add(title(metric, lang), [value for _, value in items])
    svg = str(chart.render(is_unicode=True))
    # pygal puts its settings in a <script> (XML-escaped text, so it cannot close early); the
    # printed page needs no script at all.
    return _SCRIPT.sub("", svg)


_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL)


def html(report: dict[str, Any], lang: str, *, charts: bool = True) -> str:
    """The report as one printable HTML page (A4), its charts inline."""
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("greentech_cli", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    if report["delegation"]:
        heading = f"{word('report', lang)}: {report['delegation']}"
        if report["delegations"]:
            heading += f" — {report['delegations'][0]['title']}"
    else:
        heading = f"{word('report', lang)}: {word('all', lang)}"
    period = report["period"]
    sections = []
    for metric in METRICS:
        columns, rows = metric_rows(report, metric, lang)
        sections.append({"title": title(metric, lang), "columns": columns, "rows": rows})
    summary = summary_rows(report, lang)
    view = {
        "lang": lang,
        "heading": heading,
        "period": (
            f"{word('period', lang)}: {_day(period['since'], lang)} – {_day(period['until'], lang)}"
            if period["since"] or period["until"]
            else None
        ),
        "generated": f"{word('generated', lang)}: {_moment(report['generated_at'], lang)}",
        "summary_title": word("delegations", lang),
        "summary_columns": list(summary[0]) if summary else [],
        "summary": [list(row.values()) for row in summary],
        # pygal builds the SVG with an XML library, so data in it is escaped.
        "charts": [Markup(chart_svg(report, m, lang)) for m in CHARTS] if charts else [],
        "sections": sections,
    }
    return env.get_template("report.html").render(v=view)


def _sheet_title(text: str, used: set[str]) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\, unique."""
    name = "".join("_" if ch in "[]:*?/\\" else ch for ch in text)[:31]
    base, number = name, 2
    while name.casefold() in used:
        suffix = f" {number}"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    used.add(name.casefold())
    return name


def xlsx(report: dict[str, Any], out: IO[bytes], lang: str) -> int:
    """The report as a workbook with one sheet per table; returns the number of sheets.

    Text is always written as text: a value such as "=HYPERLINK(…)" never becomes a formula.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    used: set[str] = set()

    def sheet(name: str, columns: list[str], rows: list[list[Any]]) -> None:
        ws = book.create_sheet(_sheet_title(name, used))
        for values in [columns, *rows]:
            cells = []
            for value in values:
                cell = WriteOnlyCell(ws, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
                cells.append(cell)
            ws.append(cells)

    summary = summary_rows(report, lang)
    sheet(
        word("delegations", lang),
        list(summary[0]) if summary else [word("delegation", lang)],
        [list(row.values()) for row in summary],
    )
    for metric in METRICS:
        columns, rows = metric_rows(report, metric, lang)
        sheet(title(metric, lang), columns, rows)
    book.save(out)
    return len(used)


def _moment(stamp: str, lang: str) -> str:
    """An ISO time stamp as a reader writes it: `02.12.2026, 16:05 UTC`, `2 Dec 2026, 16:05 UTC`."""
    from datetime import datetime

    from greentech_cli.render.labels import short_date

    moment = datetime.fromisoformat(stamp)
    zone = moment.tzname() or ""
    return f"{short_date(moment.date(), lang)}, {moment:%H:%M} {zone}".rstrip()


def _day(stamp: str | None, lang: str) -> str:
    """An ISO date as a reader writes it (`01.01.2026`), or … when the period is open."""
    from datetime import date

    from greentech_cli.render.labels import short_date

    return short_date(date.fromisoformat(stamp), lang) if stamp else "…"
