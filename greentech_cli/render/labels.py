"""Labels and date formats in German, English and Russian, independent of the system's locales.

Every function taking `lang` also takes a bilingual pair such as `de+ru`: the labels of both
languages joined by " / " (once when they are the same)."""

from __future__ import annotations

from datetime import date, datetime

from greentech_cli.errors import InvalidData

LANGUAGES = ("en", "de", "ru")
BOTH = " / "  # between the languages of a bilingual label

WEEKDAYS_SHORT = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "de": ("Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."),
    "ru": ("Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"),
}
WEEKDAYS_LONG = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "ru": ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"),
}
MONTHS_SHORT = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
# Russian months in the genitive, as a date is written: «17 ноября 2026 г.»
MONTHS_GENITIVE_RU = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip

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
    "ru": {
        "site-visit": "Посещение предприятия",
        "b2b-meeting": "B2B-встреча",
        "workshop": "Семинар",
        "briefing": "Брифинг",
        "meal": "Питание",
        "reception": "Приём",
        "transfer": "Трансфер",
        "trade-fair": "Выставка",
        "flight": "Перелёт",
        "hotel": "Гостиница",
        "other": "Пункт программы",
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
    "ru": {
        "delegate": "Участник делегации",
        "lead": "Руководитель делегации",
        "interpreter": "Переводчик",
        "organiser": "Организатор",
        "host": "Принимающая сторона",
        "staff": "Сотрудник",
    },
}

DIRECTIONS = {
    "en": {"incoming": "Incoming delegation", "outgoing": "Outgoing delegation"},
    "de": {"incoming": "Incoming-Delegation", "outgoing": "Outgoing-Delegation"},
    "ru": {"incoming": "Входящая делегация", "outgoing": "Выездная делегация"},
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
        "printed": "Printed {date}",
        "page": "Page",
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
        "internal_notes": "Internal",
        "map": "Map",
        "attendance": "Attendance",
        "present": "present",
        "absent": "absent",
        "excused": "excused",
        "cancelled": "Cancelled",
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
        "printed": "Gedruckt am {date}",
        "page": "Seite",
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
        "internal_notes": "Intern",
        "map": "Karte",
        "attendance": "Anwesenheit",
        "present": "anwesend",
        "absent": "abwesend",
        "excused": "entschuldigt",
        "cancelled": "Abgesagt",
    },
    "ru": {
        "programme": "Программа",
        "programme_for": "Программа для",
        "time": "Время",
        "home_time": "Домашнее время",
        "item": "Пункт программы",
        "host": "Принимающая сторона",
        "hosts": "Контактные лица",
        "host_org": "Принимающая организация",
        "partner": "Партнёр",
        "place": "Место",
        "attendees": "Участники",
        "notes": "Примечания",
        "dates": "Даты",
        "times_in": "Время: {zone}",
        "home_beside": "рядом домашнее время ({zone})",
        "own_zone": "местное время {zone}",
        "no_visits": "Нет пунктов программы.",
        "printed": "Напечатано {date}",
        "page": "Стр.",
        "next_day": "+1 день",
        "prev_day": "−1 день",
        "next_days": "+{n} дн.",
        "prev_days": "−{n} дн.",
        "phone": "Телефон",
        "contacts": "Контакты",
        "code": "Код",
        "in_block": "В рамках",
        "dietary": "Питание (особые требования)",
        "night": "Ночлег",
        "capacity": "Мест",
        "internal_notes": "Внутреннее",
        "map": "Карта",
        "attendance": "Присутствие",
        "present": "присутствовали",
        "absent": "отсутствовали",
        "excused": "по уважительной причине",
        "cancelled": "Отменено",
    },
}


def check_lang(lang: str) -> str:
    """A supported language code (de, en or ru)."""
    code = (lang or "en").strip().lower()
    if code not in LANGUAGES:
        raise InvalidData(f"unknown language {lang!r}; use {', '.join(LANGUAGES)}")
    return code


def check_langs(lang: str) -> str:
    """A language or a bilingual pair for printed programmes: `ru`, `de+ru`."""
    parts = [p.strip().lower() for p in (lang or "en").split("+")]
    if len(parts) > 2 or len(set(parts)) != len(parts) or any(p not in LANGUAGES for p in parts):
        raise InvalidData(
            f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)} or two joined by + "
            "(de+ru)"
        )
    return "+".join(parts)


def languages(lang: str) -> list[str]:
    """The languages of a (maybe bilingual) language code: `de+ru` → [de, ru]."""
    return lang.split("+")


def both(texts: list[str]) -> str:
    """Texts of a bilingual label, each once, joined by " / "."""
    return BOTH.join(dict.fromkeys(texts))


def table(lang: str) -> dict[str, str]:
    """Every label in the language (or both languages of a pair)."""
    return {key: both([TEXT[one][key] for one in languages(lang)]) for key in TEXT["en"]}


def label(key: str, lang: str, **values: str) -> str:
    """A label in the language, with {placeholders} filled in."""
    return both([TEXT[one][key].format(**values) for one in languages(lang)])


def kind(value: str, lang: str) -> str:
    """The label of a visit kind."""
    return both([KINDS[one].get(value, value) for one in languages(lang)])


def role(value: str, lang: str) -> str:
    """The label of a member role."""
    return both([ROLES[one].get(value, value) for one in languages(lang)])


def direction(value: str, lang: str) -> str:
    """The label of a delegation's direction (incoming, outgoing)."""
    return both([DIRECTIONS[one].get(value, value) for one in languages(lang)])


def _ru_date(day: date) -> str:
    return f"{day.day} {MONTHS_GENITIVE_RU[day.month - 1]} {day.year} г."


def day_heading(day: date, lang: str) -> str:
    """A day as a heading: `Di., 17.11.2026`, `Tue, 17 Nov 2026`, `Вт, 17 ноября 2026 г.`."""
    return both(
        [f"{WEEKDAYS_SHORT[one][day.weekday()]}, {short_date(day, one)}" for one in languages(lang)]
    )


def short_date(day: date, lang: str) -> str:
    """A date in running text: `17.11.2026`, `17 Nov 2026`, `17 ноября 2026 г.`."""
    texts = []
    for one in languages(lang):
        if one == "de":
            texts.append(f"{day:%d.%m.%Y}")
        elif one == "ru":
            texts.append(_ru_date(day))
        else:
            texts.append(f"{day.day} {MONTHS_SHORT['en'][day.month - 1]} {day.year}")
    return both(texts)


def date_range(first: date, last: date, lang: str) -> str:
    """The dates of a trip: `16.11.2026 – 20.11.2026` or `16 Nov 2026 – 20 Nov 2026`."""
    return both([f"{short_date(first, one)} – {short_date(last, one)}" for one in languages(lang)])


def clock(value: datetime) -> str:
    """A time of day, 24-hour, as everyone in these languages writes it."""
    return f"{value:%H:%M}"


def zone_name(zone: str) -> str:
    """The city of a time-zone name, for people: Asia/Almaty → Almaty."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")
