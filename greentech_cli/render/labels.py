"""Labels and date formats in German and English, independent of the system's locales."""

from __future__ import annotations

from datetime import date, datetime

from greentech_cli.errors import InvalidData

LANGUAGES = ("en", "de")

WEEKDAYS_SHORT = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "de": ("Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."),
}
WEEKDAYS_LONG = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
}
MONTHS_SHORT = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}

KINDS = {
    "en": {
        "site-visit": "Site visit",
        "b2b-meeting": "B2B meeting",
        "workshop": "Workshop",
        "briefing": "Briefing",
        "meal": "Meal",
        "reception": "Reception",
        "transfer": "Transfer",
        "trade-fair": "Trade fair",
        "flight": "Flight",
        "hotel": "Hotel",
        "other": "Programme item",
    },
    "de": {
        "site-visit": "Betriebsbesichtigung",
        "b2b-meeting": "B2B-Gespräch",
        "workshop": "Workshop",
        "briefing": "Briefing",
        "meal": "Mahlzeit",
        "reception": "Empfang",
        "transfer": "Transfer",
        "trade-fair": "Messe",
        "flight": "Flug",
        "hotel": "Hotel",
        "other": "Programmpunkt",
    },
}

ROLES = {
    "en": {
        "delegate": "Delegate",
        "lead": "Head of delegation",
        "interpreter": "Interpreter",
        "organiser": "Organiser",
        "host": "Host",
        "staff": "Staff",
    },
    "de": {
        "delegate": "Delegierte/r",
        "lead": "Delegationsleitung",
        "interpreter": "Dolmetscher/in",
        "organiser": "Organisation",
        "host": "Gastgeber",
        "staff": "Mitarbeiter/in",
    },
}

DIRECTIONS = {
    "en": {"incoming": "Incoming delegation", "outgoing": "Outgoing delegation"},
    "de": {"incoming": "Incoming-Delegation", "outgoing": "Outgoing-Delegation"},
}

TEXT = {
    "en": {
        "programme": "Programme",
        "programme_for": "Programme for",
        "time": "Time",
        "home_time": "Home time",
        "item": "Programme item",
        "host": "Host",
        "hosts": "Host contacts",
        "host_org": "Host organisation",
        "partner": "Partner",
        "place": "Place",
        "attendees": "Attendees",
        "notes": "Notes",
        "dates": "Dates",
        "times_in": "Times in {zone}",
        "home_beside": "home time ({zone}) beside",
        "own_zone": "local time {zone}",
        "no_visits": "No programme items.",
        "next_day": "+1 day",
        "prev_day": "−1 day",
        "next_days": "+{n} days",
        "prev_days": "−{n} days",
        "phone": "Phone",
        "contacts": "Contacts",
        "code": "Code",
        "in_block": "Part of",
        "dietary": "Dietary needs",
        "night": "Night",
        "capacity": "Capacity",
    },
    "de": {
        "programme": "Programm",
        "programme_for": "Programm für",
        "time": "Zeit",
        "home_time": "Heimatzeit",
        "item": "Programmpunkt",
        "host": "Gastgeber",
        "hosts": "Ansprechpartner",
        "host_org": "Gastgeber",
        "partner": "Partner",
        "place": "Ort",
        "attendees": "Teilnehmende",
        "notes": "Hinweise",
        "dates": "Termin",
        "times_in": "Zeiten in {zone}",
        "home_beside": "Heimatzeit ({zone}) daneben",
        "own_zone": "Ortszeit {zone}",
        "no_visits": "Keine Programmpunkte.",
        "next_day": "+1 Tag",
        "prev_day": "−1 Tag",
        "next_days": "+{n} Tage",
        "prev_days": "−{n} Tage",
        "phone": "Telefon",
        "contacts": "Kontakte",
        "code": "Kürzel",
        "in_block": "Teil von",
        "dietary": "Ernährung",
        "night": "Übernachtung",
        "capacity": "Plätze",
    },
}


def check_lang(lang: str) -> str:
    """A supported language code (de or en)."""
    code = (lang or "en").strip().lower()
    if code not in LANGUAGES:
        raise InvalidData(f"unknown language {lang!r}; use de or en")
    return code


def label(key: str, lang: str, **values: str) -> str:
    """A label in the language, with {placeholders} filled in."""
    return TEXT[lang][key].format(**values)


def kind(value: str, lang: str) -> str:
    """The label of a visit kind."""
    return KINDS[lang].get(value, value)


def role(value: str, lang: str) -> str:
    """The label of a member role."""
    return ROLES[lang].get(value, value)


def day_heading(day: date, lang: str) -> str:
    """A day as a heading: `Di., 17.11.2026` in German, `Tue, 17 Nov 2026` in English."""
    if lang == "de":
        return f"{WEEKDAYS_SHORT['de'][day.weekday()]}, {day:%d.%m.%Y}"
    return f"{WEEKDAYS_SHORT['en'][day.weekday()]}, {day.day} {MONTHS_SHORT['en'][day.month - 1]} {day.year}"  # noqa: E501


def short_date(day: date, lang: str) -> str:
    """A date in running text: `17.11.2026` in German, `17 Nov 2026` in English."""
    if lang == "de":
        return f"{day:%d.%m.%Y}"
    return f"{day.day} {MONTHS_SHORT['en'][day.month - 1]} {day.year}"


def date_range(first: date, last: date, lang: str) -> str:
    """The dates of a trip: `16.11.2026 – 20.11.2026` or `16 Nov 2026 – 20 Nov 2026`."""
    return f"{short_date(first, lang)} – {short_date(last, lang)}"


def clock(value: datetime) -> str:
    """A time of day, 24-hour, as everyone in both languages writes it."""
    return f"{value:%H:%M}"


def zone_name(zone: str) -> str:
    """The city of a time-zone name, for people: Asia/Almaty → Almaty."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")
