"""HTML export: a printable A4 contact sheet, grouped by company, from Jinja2 templates.

The export service hands the records over ordered by company; consecutive records of one company
form one section headed by the company's name and address. A delegation's sheet is headed by its
title, code and dates. The page is rendered as a stream (``Template.generate``), so a sheet of any
length never sits in memory whole. Labels come in English and German (``--lang``); role names and
dates are those of ``render.labels``, shared with the itinerary.

Phone numbers are grouped for reading (+49 2306 123456) on sheets of up to PRETTY_PHONES_UP_TO
people; parsing a number costs about 50 µs, which would double the time of a sheet of 100,000
that nobody prints, so longer sheets show the numbers as stored (+492306123456).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import chain, groupby
from typing import Any, TextIO

from greentech_cli.exporters.registry import ExportJob
from greentech_cli.render import labels
from greentech_cli.text.phones import display_phone

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "contact_sheet": "Contact sheet",
        "host": "Host",
        "name": "Name",
        "position": "Position",
        "role": "Role",
        "email": "Email",
        "phone": "Phone",
        "mobile": "mobile",
        "no_company": "Without a company",
        "empty": "No contacts to show.",
        "shared": "Shared with the consent of the people listed. Please do not pass it on.",
        "shared_delegation": (
            "Shared with the consent of the people listed, for this delegation only. "
            "Please do not pass it on."
        ),
        "internal": (
            "For internal use only: this list includes people who have not agreed to be "
            "shared. Do not pass it on."
        ),
    },
    "de": {
        "contact_sheet": "Kontaktliste",
        "host": "Gastgeber",
        "name": "Name",
        "position": "Funktion",
        "role": "Rolle",
        "email": "E-Mail",
        "phone": "Telefon",
        "mobile": "mobil",
        "no_company": "Ohne Unternehmen",
        "empty": "Keine Kontakte vorhanden.",
        "shared": (
            "Weitergegeben mit Einverständnis der genannten Personen. Bitte nicht weiterleiten."
        ),
        "shared_delegation": (
            "Weitergegeben mit Einverständnis der genannten Personen, nur für diese Delegation. "
            "Bitte nicht weiterleiten."
        ),
        "internal": (
            "Nur für den internen Gebrauch: Die Liste enthält Personen, die einer Weitergabe "
            "nicht zugestimmt haben. Nicht weitergeben."
        ),
    },
}
LANGUAGES = tuple(LABELS)
PRETTY_PHONES_UP_TO = 2000


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _person_name(record: dict[str, Any]) -> str:
    parts = (record.get("title"), record.get("first_name"), record.get("last_name"))
    name = " ".join(_text(part) for part in parts if _text(part))
    return name or _text(record.get("native_name")) or _text(record.get("email"))


def _address(record: dict[str, Any]) -> str:
    town = " ".join(
        part
        for part in (_text(record.get("company_postcode")), _text(record.get("company_city")))
        if part
    )
    parts = (
        _text(record.get("company_street")),
        town,
        _text(record.get("company_region")),
        _text(record.get("company_country")),
    )
    return ", ".join(part for part in parts if part)


# Objects rather than dicts for the template: Jinja looks attributes up first, and a dict
# makes every lookup fail once before it tries the key (it shows on a sheet of 100,000).
@dataclass(slots=True)
class Person:
    """One row of the sheet."""

    name: str
    native_name: str
    position: str
    department: str
    role: str
    email: str
    phone: str
    mobile: str


@dataclass(slots=True)
class Group:
    """One company's section: its name, address and people."""

    name: str
    address: str
    website: str
    people: Iterator[Person]


def _as_stored(number: str | None) -> str | None:
    return number


def _person(
    record: dict[str, Any], lang: str, phone: Callable[[str | None], str | None] = display_phone
) -> Person:
    name = _person_name(record)
    native = _text(record.get("native_name"))
    role = _text(record.get("role"))
    return Person(
        name=name,
        native_name=native if native != name else "",
        position=_text(record.get("position")),
        department=_text(record.get("department")),
        role=labels.role(role, lang),
        email=_text(record.get("email")),
        phone=phone(_text(record.get("phone"))) or "",
        mobile=phone(_text(record.get("mobile"))) or "",
    )


def _groups(
    records: Iterable[dict[str, Any]], lang: str, phone: Callable[[str | None], str | None]
) -> Iterator[Group]:
    """Consecutive records of one company as one group with the company's address."""
    for _, members in groupby(records, key=lambda r: (r.get("company_id"), r.get("company"))):
        first = next(members)
        yield Group(
            name=_text(first.get("company")),
            address=_address(first),
            website=_text(first.get("company_website")),
            people=(_person(r, lang, phone) for r in chain([first], members)),
        )


def _delegation_head(delegation: dict[str, Any], lang: str) -> dict[str, str]:
    start = date.fromisoformat(delegation["start_date"])
    end = date.fromisoformat(delegation["end_date"])
    dates = labels.date_range(start, end, lang) if end != start else labels.short_date(start, lang)
    origin, destination = delegation.get("origin_country"), delegation.get("destination_country")
    return {
        "code": _text(delegation.get("code")),
        "dates": dates,
        "route": f"{origin} → {destination}" if origin and destination else "",
        "host": _text(delegation.get("host")),
    }


def write_html(records: Iterable[dict[str, Any]], out: TextIO, job: ExportJob) -> int:
    """Render the contact sheet of the records (ordered by company); returns the count."""
    import jinja2

    lang = job.lang if job.lang in LABELS else "en"
    texts = LABELS[lang]
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("greentech_cli", "templates"),
        autoescape=True,
        trim_blocks=False,
        keep_trailing_newline=True,
    )
    template = env.get_template("contact_sheet.html")
    count = 0

    def counted() -> Iterator[dict[str, Any]]:
        nonlocal count
        for record in records:
            count += 1
            yield record

    phone = display_phone if job.total <= PRETTY_PHONES_UP_TO else _as_stored
    delegation = job.delegation
    if not job.consented_only:
        footer = texts["internal"]
    else:
        footer = texts["shared_delegation" if delegation else "shared"]
    context = {
        "footer": footer,
        "lang": lang,
        "labels": texts,
        "title": _text(delegation.get("title")) if delegation else texts["contact_sheet"],
        "delegation": _delegation_head(delegation, lang) if delegation else None,
        "show_role": "role" in job.columns,
        "groups": _groups(counted(), lang, phone),
    }
    for chunk in template.generate(context):
        out.write(chunk)
    return count
