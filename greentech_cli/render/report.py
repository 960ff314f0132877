"""The funder's report in words: titles in German and English, and its tables at a terminal."""

from __future__ import annotations

from datetime import date
from typing import Any

from greentech_cli.render.labels import KINDS, date_range

METRIC_TITLES = {
    "en": {
        "visits_by_kind": "Visits by kind",
        "companies_by_sector": "Companies by sector",
        "companies_by_region": "Companies by region",
        "b2b_meetings_held": "B2B meetings held",
        "delegates_by_country": "Delegates by country",
        "delegates_by_kind": "Delegates by organisation type",
        "members_by_status": "Members by status",
        "attendance": "Attendance at visits",
        "followups_by_kind": "Follow-ups by kind",
        "leads_by_status": "Leads by status",
    },
    "de": {
        "visits_by_kind": "Programmpunkte nach Art",
        "companies_by_sector": "Unternehmen nach Branche",
        "companies_by_region": "Unternehmen nach Region",
        "b2b_meetings_held": "Durchgeführte B2B-Gespräche",
        "delegates_by_country": "Delegierte nach Land",
        "delegates_by_kind": "Delegierte nach Organisationsart",
        "members_by_status": "Mitglieder nach Status",
        "attendance": "Anwesenheit bei Programmpunkten",
        "followups_by_kind": "Nachbereitung nach Art",
        "leads_by_status": "Leads nach Status",
    },
}

WORDS = {
    "en": {
        "report": "Report",
        "all": "All delegations",
        "period": "Period",
        "total": "Total",
        "delegation": "Delegation",
        "count": "Count",
        "what": "What",
        "generated": "Generated",
        "delegations": "Delegations",
        "none": "none",
        "visits": "Visits",
        "delegates": "Delegates",
        "followups": "Follow-ups",
        "dates": "Dates",
    },
    "de": {
        "report": "Bericht",
        "all": "Alle Delegationen",
        "period": "Zeitraum",
        "total": "Gesamt",
        "delegation": "Delegation",
        "count": "Anzahl",
        "what": "Was",
        "generated": "Erstellt",
        "delegations": "Delegationen",
        "none": "keine",
        "visits": "Programmpunkte",
        "delegates": "Delegierte",
        "followups": "Nachbereitung",
        "dates": "Termin",
    },
}

VALUES = {
    "en": {
        "present": "present",
        "absent": "absent",
        "excused": "excused",
        "open": "open",
        "done": "done",
        "unknown": "unknown",
        "none": "no organisation",
        "next-step": "next step",
        "no-show": "no-show",
        "ahk": "AHK",
    },
    "de": {
        "present": "anwesend",
        "absent": "abwesend",
        "excused": "entschuldigt",
        "open": "offen",
        "done": "erledigt",
        "unknown": "unbekannt",
        "none": "ohne Organisation",
        "note": "Notiz",
        "call": "Anruf",
        "meeting": "Treffen",
        "lead": "Lead",
        "agreement": "Vereinbarung",
        "next-step": "nächster Schritt",
        "invited": "eingeladen",
        "registered": "angemeldet",
        "confirmed": "bestätigt",
        "cancelled": "abgesagt",
        "attended": "teilgenommen",
        "no-show": "nicht erschienen",
        # Organisation kinds (delegates by organisation type).
        "company": "Unternehmen",
        "chamber": "Kammer",
        "ahk": "AHK",
        "authority": "Behörde",
        "association": "Verband",
        "research": "Forschung",
        "other": "Sonstige",
    },
}


def title(metric: str, lang: str) -> str:
    """A metric's title in the language."""
    return METRIC_TITLES[lang][metric]


def word(key: str, lang: str) -> str:
    """A word of the report's frame in the language."""
    return WORDS[lang][key]


def value_label(metric: str, value: str, lang: str) -> str:
    """How a counted value reads in the language (visit kinds, statuses; data as it is)."""
    if metric == "visits_by_kind":
        return KINDS[lang].get(value, value)
    if metric == "companies_by_sector":
        return sector_label(value, lang)
    return VALUES[lang].get(value, value)


def _dates(item: dict[str, Any], lang: str) -> str:
    """A delegation's dates as the language writes them."""
    first, last = (date.fromisoformat(item[key]) for key in ("start_date", "end_date"))
    return date_range(first, last, lang)


def sector_label(slug: str, lang: str) -> str:
    """A sector's label from the taxonomy (`Kreislaufwirtschaft`); unknown values as they are."""
    from greentech_cli.text.vocabulary import sector_table

    for sector in sector_table():
        if sector["slug"] == slug:
            return str(sector[lang])
    return VALUES[lang].get(slug, slug)


METRICS = tuple(METRIC_TITLES["en"])
# Up to this many delegations get a column of their own in each metric's table.
COLUMNS_PER_DELEGATION = 6


def summary_rows(report: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """One row per delegation: code, dates, visits, delegates, B2B meetings held, follow-ups."""
    rows = []
    for item in report["delegations"]:
        rows.append(
            {
                word("delegation", lang): item["code"],
                word("dates", lang): date_range(
                    date.fromisoformat(item["start_date"]),
                    date.fromisoformat(item["end_date"]),
                    lang,
                ),
                word("visits", lang): sum(item["visits_by_kind"].values()),
                word("delegates", lang): sum(item["delegates_by_country"].values()),
                title("b2b_meetings_held", lang): item["b2b_meetings_held"],
                word("followups", lang): sum(item["followups_by_kind"].values()),
            }
        )
    return rows


def metric_rows(
    report: dict[str, Any], metric: str, lang: str
) -> tuple[list[str], list[list[Any]]]:
    """A metric as a table: a column per delegation (when there are a few) and the total."""
    items = report["delegations"]
    shown = items if 1 < len(items) <= COLUMNS_PER_DELEGATION else []
    columns = [word("what", lang), *(i["code"] for i in shown), word("total", lang)]
    if metric == "b2b_meetings_held":
        row = [title(metric, lang), *(i[metric] for i in shown), report[metric]]
        return columns, [row]
    labels = list(report[metric])
    for item in shown:
        labels += [label for label in item[metric] if label not in labels]
    rows = [
        [
            value_label(metric, label, lang),
            *(i[metric].get(label, 0) for i in shown),
            report[metric].get(label, 0),
        ]
        for label in labels
    ]
    return columns, rows


def show(report: dict[str, Any], lang: str) -> None:
    """The report as tables on stdout (made safe for a terminal by `render.output`)."""
    from greentech_cli.render.output import console, table

    out = console()
    summary = summary_rows(report, lang)
    if summary:
        out.print(table(summary, list(summary[0]), title=word("delegations", lang)))
    else:
        from rich.text import Text

        out.print(Text(f"{word('delegations', lang)}: {word('none', lang)}"))
    for metric in METRICS:
        columns, rows = metric_rows(report, metric, lang)
        keyed = [dict(zip(columns, row, strict=True)) for row in rows]
        if keyed:
            out.print(table(keyed, columns, title=title(metric, lang)))
