"""Synthetic attendee and company lists for benchmarks: realistic, deterministic per seed, streamed.

People are German, Kazakh, Uzbek and Russian, with Latin names and often a Cyrillic native name,
phone numbers written the ways people write them, and planted duplicates of the kinds that make
deduplication hard (Cyrillic vs Latin, German vs English transliteration, Müller/Mueller, a changed
email, one email under another spelling, first and last name swapped). Standard library only.

    python benchmarks/generate.py people 100000 --seed 1 --duplicates 0.05 --out people.csv
    python benchmarks/generate.py companies 5000 --format csv
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import random
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TextIO

__all__ = [
    "COMPANY_FIELDS",
    "DUPLICATE_KINDS",
    "PERSON_FIELDS",
    "companies",
    "people",
    "people_with_kinds",
]

PERSON_FIELDS = (
    "salutation", "title", "first_name", "last_name", "native_name", "position", "company",
    "email", "phone", "mobile", "city", "country", "share_consent", "sector", "dup_of",
)  # fmt: skip
PERSON_HEADERS_DE = (
    "Anrede", "Titel", "Vorname", "Nachname", "Name (kyrillisch)", "Funktion", "Organisation",
    "E-Mail", "Telefon", "Mobil", "Stadt", "Land", "Einwilligung Teilnehmerliste", "Branche",
)  # fmt: skip
COMPANY_FIELDS = (
    "name", "kind", "legal_form", "sector", "city", "postcode", "country", "website", "lat", "lon",
)  # fmt: skip
COMPANY_HEADERS_DE = (
    "Name", "Art", "Rechtsform", "Branche", "Stadt", "PLZ", "Land", "Webseite", "Breitengrad",
    "Längengrad",
)  # fmt: skip
DUPLICATE_KINDS = (
    "script", "transliteration", "umlaut", "email-changed", "email-same", "swapped",
)  # fmt: skip

SECTORS = (
    "circular-economy", "water", "energy-efficiency", "renewables", "hydrogen",
    "material-efficiency", "mobility", "building",
)  # fmt: skip
SECTOR_LABELS_DE = {
    "circular-economy": "Kreislaufwirtschaft",
    "water": "Wasser und Abwasser",
    "energy-efficiency": "Energieeffizienz",
    "renewables": "Erneuerbare Energien und Speicher",
    "hydrogen": "Grüner Wasserstoff",
    "material-efficiency": "Rohstoff- und Materialeffizienz",
    "mobility": "Nachhaltige Mobilität",
    "building": "Nachhaltiges Bauen",
}
KIND_LABELS_DE = {
    "company": "Unternehmen", "chamber": "Kammer", "ahk": "AHK", "authority": "Behörde",
    "association": "Verband", "research": "Forschung", "other": "Sonstige",
}  # fmt: skip
COUNTRY_NAMES_DE = {"DE": "Deutschland", "KZ": "Kasachstan", "UZ": "Usbekistan", "RU": "Russland"}

# --- cities: name, Cyrillic name, country, lat, lon, postcode range, phone area code -------------


@dataclass(frozen=True)
class City:
    """A city with what addresses and landline numbers there look like."""

    name: str
    cyrillic: str
    country: str
    lat: float
    lon: float
    postcodes: tuple[int, int]
    area: str


CITIES: tuple[City, ...] = (
    City("Düsseldorf", "", "DE", 51.2277, 6.7735, (40210, 40629), "211"),
    City("Köln", "", "DE", 50.9375, 6.9603, (50667, 51149), "221"),
    City("Essen", "", "DE", 51.4556, 7.0116, (45127, 45359), "201"),
    City("Duisburg", "", "DE", 51.4344, 6.7623, (47051, 47279), "203"),
    City("Moers", "", "DE", 51.4516, 6.6408, (47441, 47447), "2841"),
    City("Lünen", "", "DE", 51.6167, 7.5289, (44532, 44536), "2306"),
    City("Dortmund", "", "DE", 51.5136, 7.4653, (44135, 44388), "231"),
    City("Bochum", "", "DE", 51.4818, 7.2162, (44787, 44894), "234"),
    City("Krefeld", "", "DE", 51.3388, 6.5853, (47798, 47839), "2151"),
    City("Neuss", "", "DE", 51.2042, 6.6879, (41460, 41472), "2131"),
    City("München", "", "DE", 48.1351, 11.5820, (80331, 81929), "89"),
    City("Berlin", "", "DE", 52.5200, 13.4050, (10115, 14199), "30"),
    City("Hamburg", "", "DE", 53.5511, 9.9937, (20095, 22769), "40"),
    City("Leipzig", "", "DE", 51.3397, 12.3731, (4103, 4357), "341"),
    City("Dresden", "", "DE", 51.0504, 13.7373, (1067, 1328), "351"),
    City("Chemnitz", "", "DE", 50.8278, 12.9214, (9111, 9247), "371"),
    City("Frankfurt am Main", "", "DE", 50.1109, 8.6821, (60306, 60599), "69"),
    City("Stuttgart", "", "DE", 48.7758, 9.1829, (70173, 70629), "711"),
    City("Almaty", "Алматы", "KZ", 43.2389, 76.8897, (50000, 50063), "727"),
    City("Astana", "Астана", "KZ", 51.1694, 71.4491, (10000, 10017), "7172"),
    City("Shymkent", "Шымкент", "KZ", 42.3417, 69.5901, (160000, 160050), "7252"),
    City("Karaganda", "Караганда", "KZ", 49.8047, 73.1094, (100000, 100030), "7212"),
    City("Atyrau", "Атырау", "KZ", 47.0945, 51.9238, (60000, 60011), "7122"),
    City("Aktobe", "Актобе", "KZ", 50.2839, 57.1670, (30000, 30020), "7132"),
    City("Pavlodar", "Павлодар", "KZ", 52.2873, 76.9674, (140000, 140018), "7182"),
    City("Tashkent", "Ташкент", "UZ", 41.2995, 69.2401, (100000, 100215), "71"),
    City("Samarkand", "Самарканд", "UZ", 39.6542, 66.9597, (140100, 140199), "66"),
    City("Bukhara", "Бухара", "UZ", 39.7681, 64.4556, (200100, 200199), "65"),
    City("Namangan", "Наманган", "UZ", 40.9983, 71.6726, (160100, 160199), "69"),
    City("Navoiy", "Навои", "UZ", 40.0844, 65.3792, (210100, 210199), "79"),
    City("Moscow", "Москва", "RU", 55.7558, 37.6173, (101000, 129000), "495"),
    City("Saint Petersburg", "Санкт-Петербург", "RU", 59.9311, 30.3609, (190000, 199000), "812"),
    City("Yekaterinburg", "Екатеринбург", "RU", 56.8389, 60.6057, (620000, 620150), "343"),
    City("Kazan", "Казань", "RU", 55.7963, 49.1088, (420000, 420140), "843"),
    City("Novosibirsk", "Новосибирск", "RU", 55.0084, 82.9357, (630000, 630130), "383"),
)
CITIES_BY_COUNTRY: dict[str, tuple[City, ...]] = {
    country: tuple(city for city in CITIES if city.country == country)
    for country in ("DE", "KZ", "UZ", "RU")
}
# German people outnumber the others in a German chamber's files; Kazakhstan is the main partner.
COUNTRY_WEIGHTS = (("DE", 50), ("KZ", 25), ("UZ", 13), ("RU", 12))

# --- names ---------------------------------------------------------------------------------------

DE_MALE = (
    "Jürgen", "Thomas", "Michael", "Andreas", "Stefan", "Klaus", "Peter", "Hans-Peter", "Matthias",
    "Jörg", "Uwe", "Björn", "Sören", "Frank", "Markus", "Christian", "Tobias", "Jan", "Lukas",
    "Maximilian", "Günter", "Dieter", "Ralf", "Sebastian", "Florian", "Alexander", "Johannes",
    "Wolfgang", "Bernd", "Mehmet", "Emre", "Felix", "Jens", "Holger", "Till",
)  # fmt: skip
DE_FEMALE = (
    "Petra", "Sabine", "Anna", "Hanna", "Julia", "Katharina", "Bärbel", "Jutta", "Ursula",
    "Claudia", "Andrea", "Stefanie", "Nicole", "Sandra", "Christina", "Lea", "Sophie", "Marie",
    "Birgit", "Anke", "Renate", "Monika", "Gabriele", "Jördis", "Ayşe", "Elif", "Alexandra",
    "Susanne", "Ulrike", "Maren", "Insa",
)  # fmt: skip
DE_LAST = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
    "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt",
    "Werner", "Krause", "Meier", "Lehmann", "Schmid", "Schulze", "Maier", "Köhler", "Herrmann",
    "König", "Walter", "Mayer", "Huber", "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller",
    "Weiß", "Jung", "Hahn", "Vogel", "Friedrich", "Keller", "Günther", "Berger", "Winkler", "Roth",
    "Beck", "Lorenz", "Baumann", "Franke", "Albrecht", "Schuster", "Simon", "Ludwig", "Böhm",
    "Winter", "Kraus", "Schumacher", "Krämer", "Vogt", "Stein", "Jäger", "Otto", "Sommer", "Groß",
    "Seidel", "Heinrich", "Brandt", "Haas", "Schreiber", "Graf", "Schulte", "Dietrich", "Ziegler",
    "Kühn", "Pohl", "Engel", "Horn", "Busch", "Bergmann", "Voigt", "Sauer", "Arnold", "Pfeiffer",
    "Heß", "Yılmaz", "Öztürk", "Şahin", "Müller-Lüdenscheidt", "Große-Wöstmann", "Dörte",
    "Nüßlein", "Schütte", "Wüst", "Thyssen", "Oßwald",
)  # fmt: skip

# Central Asian and Russian names are kept in Cyrillic; every Latin spelling is made from them.
KZ_MALE = (
    "Жанибек", "Нурлан", "Қайрат", "Ерлан", "Асхат", "Бауыржан", "Дәурен", "Ержан", "Серік",
    "Талғат", "Арман", "Болат", "Мұрат", "Дәулет", "Ғалым", "Нұржан", "Ақжол", "Азамат", "Данияр",
    "Еркін", "Жандос", "Мақсат", "Руслан", "Тимур", "Әлібек", "Чингиз", "Шыңғыс", "Ербол",
)  # fmt: skip
KZ_FEMALE = (
    "Айгерим", "Әсел", "Гүлнар", "Динара", "Жанар", "Айжан", "Салтанат", "Мадина", "Ботагөз",
    "Әлия", "Назира", "Гүлмира", "Жұлдыз", "Индира", "Камила", "Ләззат", "Меруерт", "Сәуле",
    "Шолпан", "Ақмарал", "Аружан", "Жанна",
)  # fmt: skip
KZ_LAST = (
    "Нурланов", "Жаксылыков", "Садыков", "Ахметов", "Омаров", "Касымов", "Сейтқазиев",
    "Әбдірахманов", "Жұмабаев", "Тоқаев", "Исмаилов", "Нұрпейісов", "Бекмұханбетов", "Сұлтанов",
    "Құдайбергенов", "Мұхамеджанов", "Ержанов", "Серікбаев", "Оспанов", "Есенов", "Хасанов",
    "Ибраев", "Байжанов", "Шәріпов", "Өтебаев", "Тұрсынов", "Жанибеков", "Нұрғалиев", "Сейтқали",
    "Бекмұхамбет", "Әлиев", "Щербаков",
)  # fmt: skip
KZ_FATHERS = ("Серік", "Нұрлан", "Болат", "Ержан", "Асхат", "Қанат", "Марат")
UZ_MALE = (
    "Алишер", "Ботир", "Жамшид", "Отабек", "Шерзод", "Дилшод", "Ўткир", "Фаррух", "Бахтиёр",
    "Улуғбек", "Санжар", "Азиз", "Жасур", "Сардор", "Тимур", "Рустам", "Шухрат", "Ҳасан", "Нодир",
    "Илҳом",
)  # fmt: skip
UZ_FEMALE = (
    "Дилноза", "Гулноза", "Нодира", "Малика", "Зарина", "Шахноза", "Мадина", "Феруза", "Нигора",
    "Лола", "Умида", "Сабина", "Гулчеҳра", "Дилдора", "Муниса",
)  # fmt: skip
UZ_LAST = (
    "Каримов", "Юсупов", "Рахимов", "Тошматов", "Хасанов", "Усмонов", "Абдуллаев", "Мирзаев",
    "Ҳамидов", "Қодиров", "Эргашев", "Назаров", "Раҳмонов", "Исмоилов", "Турсунов", "Собиров",
    "Алимов", "Жўраев", "Холматов", "Маҳмудов",
)  # fmt: skip
UZ_FATHERS = ("Ботир", "Алишер", "Рустам", "Нодир", "Шухрат")
RU_MALE = (
    "Сергей", "Андрей", "Дмитрий", "Алексей", "Иван", "Николай", "Михаил", "Владимир", "Евгений",
    "Юрий", "Павел", "Константин", "Олег", "Александр", "Фёдор", "Илья",
)  # fmt: skip
RU_FEMALE = (
    "Ольга", "Елена", "Наталья", "Татьяна", "Юлия", "Екатерина", "Анна", "Ирина", "Светлана",
    "Мария", "Анастасия", "Александра", "Евгения", "Яна", "Алёна",
)  # fmt: skip
RU_LAST = (
    "Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов", "Новиков",
    "Морозов", "Волков", "Андреев", "Щербаков", "Жуков", "Чернов", "Ильин", "Захаров", "Федоров",
    "Яковлев", "Зайцев", "Цветков", "Хохлов", "Шевченко",
)  # fmt: skip
RU_FATHERS = ("Сергей", "Андрей", "Иван", "Николай", "Михаил", "Владимир", "Петр")

NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "KZ": (KZ_MALE, KZ_FEMALE, KZ_LAST, KZ_FATHERS),
    "UZ": (UZ_MALE, UZ_FEMALE, UZ_LAST, UZ_FATHERS),
    "RU": (RU_MALE, RU_FEMALE, RU_LAST, RU_FATHERS),
}

# --- transliteration styles ----------------------------------------------------------------------

_BASE = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia", "ә": "a",
    "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i", "ў": "o",
    "ҳ": "kh",
}  # fmt: skip
# ICAO 9303 as in Kazakh and Russian passports; BGN/PCGN as in English texts and the new Kazakh
# spellings (q, gh); German (Duden) as in German lists; Uzbek Latin as Uzbek partners write.
_STYLES: dict[str, dict[str, str]] = {
    "passport": _BASE,
    "english": {
        **_BASE, "й": "y", "ю": "yu", "я": "ya", "ё": "yo", "ъ": "", "ғ": "gh", "қ": "q",
        "ң": "ng", "ҳ": "h",
    },
    "german": {
        **_BASE, "в": "w", "ж": "sch", "з": "s", "й": "j", "х": "ch", "ц": "z", "ч": "tsch",
        "ш": "sch", "щ": "schtsch", "ъ": "", "ю": "ju", "я": "ja", "ё": "jo", "ә": "ä", "ө": "ö",
        "ү": "ü", "ң": "ng", "ў": "u", "ҳ": "ch",
    },
    "uzbek": {
        **_BASE, "ж": "j", "й": "y", "х": "x", "ҳ": "h", "қ": "q", "ғ": "gʻ", "ў": "oʻ", "ю": "yu",
        "я": "ya", "ё": "yo", "ц": "ts", "ъ": "ʼ", "щ": "sh",
    },
}  # fmt: skip
_VOWELS = set("аеёиоуыэюяәөұүіў")


@lru_cache(maxsize=8192)
def latin(text: str, style: str) -> str:
    """Latin spelling of a Cyrillic name in one style (passport, english, german, uzbek)."""
    table = _STYLES[style]
    out: list[str] = []
    for index, char in enumerate(text):
        lower = char.lower()
        spelled = table.get(lower)
        if spelled is None:
            out.append(char)
            continue
        before = text[index - 1].lower() if index else ""
        after = text[index + 1].lower() if index + 1 < len(text) else ""
        # Е starting a word or after a vowel is "ye" in English and Uzbek, "je" in German.
        if lower == "е" and style != "passport" and (not before.isalpha() or before in _VOWELS):
            spelled = "je" if style == "german" else "ye"
        # German doubles s between vowels so that it stays voiceless (Хасанов → Chassanow).
        elif lower == "с" and style == "german" and before in _VOWELS and after in _VOWELS:
            spelled = "ss"
        out.append(spelled.capitalize() if char != lower else spelled)
    return "".join(out)


_ASCII = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ı": "i", "ʻ": "", "ʼ": "", "'": "", " ": ""}
)


@lru_cache(maxsize=8192)
def ascii_slug(text: str) -> str:
    """Lowercase ASCII as people put names into email addresses and domains."""
    text = unicodedata.normalize("NFKD", text.lower().translate(_ASCII))
    return "".join(ch for ch in text if ch.isascii() and (ch.isalnum() or ch in ".-"))


# --- companies -----------------------------------------------------------------------------------

DE_REGIONS = (
    "Lippe", "Rhein", "Ruhr", "Emscher", "Niederrhein", "Westfalen", "Sauerland", "Eifel", "Weser",
    "Elbe", "Isar", "Main", "Spree", "Havel", "Saar", "Mosel", "Rhein-Ruhr", "Bergisch",
)  # fmt: skip
DE_SECTOR_WORDS = {
    "circular-economy": ("Recycling", "Entsorgung", "Umweltservice", "Wertstoffe",
                         "Kreislaufwirtschaft", "Abfallwirtschaft", "Sortiertechnik"),
    "water": ("Wasser", "Wassertechnik", "Abwassertechnik", "Aqua", "Klärtechnik", "Hydrometrie",
              "Wasserwerke"),
    "energy-efficiency": ("Energietechnik", "Wärmetechnik", "Effizienztechnik", "Energieberatung",
                          "Anlagenbau"),
    "renewables": ("Solar", "Windkraft", "Bioenergie", "Solartechnik", "Speichertechnik",
                   "Biogas"),
    "hydrogen": ("Wasserstoff", "H2 Technologies", "Elektrolyse", "Hydrogen", "Brennstoffzellen"),
    "material-efficiency": ("Materialtechnik", "Rohstoffe", "Leichtbau", "Metallrecycling",
                            "Kunststofftechnik"),
    "mobility": ("Mobility", "E-Mobilität", "Logistik", "Ladetechnik", "Verkehrstechnik"),
    "building": ("Bau", "Bautechnik", "Haustechnik", "Gebäudetechnik", "Holzbau",
                 "Smart Building"),
}  # fmt: skip
BRAND_HEADS = ("Eco", "Aqua", "Enviro", "Green", "Terra", "Hydro", "Bio", "Clean", "Neo", "Pro")
BRAND_TAILS = ("tec", "tech", "therm", "pur", "flow", "cycle", "sol", "power", "systems", "via")
DE_LEGAL = (
    ("GmbH", 50), ("GmbH & Co. KG", 15), ("AG", 9), ("UG (haftungsbeschränkt)", 4), ("KG", 4),
    ("e.K.", 2), ("gGmbH", 2), ("SE", 1), ("", 13),
)  # fmt: skip
# (Latin, Cyrillic) words of Central Asian and Russian company names.
KZ_WORDS = (
    ("Almaty", "Алматы"), ("Astana", "Астана"), ("Taza", "Таза"), ("Su", "Су"),
    ("Zhasyl", "Жасыл"), ("Dala", "Дала"), ("Eco", "Эко"), ("Service", "Сервис"),
    ("Energy", "Энерджи"), ("Qazaq", "Қазақ"), ("Tabigat", "Табиғат"), ("Resurs", "Ресурс"),
    ("Stroy", "Строй"), ("Invest", "Инвест"), ("Tech", "Тех"), ("Group", "Групп"),
    ("Recycling", "Ресайклинг"), ("Kaz", "Каз"),
)  # fmt: skip
UZ_WORDS = (
    ("Toza", "Тоза"), ("Hudud", "Ҳудуд"), ("Suv", "Сув"), ("Toshkent", "Тошкент"),
    ("Samarqand", "Самарқанд"), ("Yashil", "Яшил"), ("Eko", "Эко"), ("Energiya", "Энергия"),
    ("Qurilish", "Қурилиш"), ("Servis", "Сервис"), ("Invest", "Инвест"),
    ("Texnologiya", "Технология"), ("Uz", "Уз"),
)  # fmt: skip
RU_WORDS = (
    ("Eko", "Эко"), ("Servis", "Сервис"), ("Tekh", "Тех"), ("Vodo", "Водо"), ("Kanal", "Канал"),
    ("Energo", "Энерго"), ("Resurs", "Ресурс"), ("Stroy", "Строй"), ("Sibir", "Сибирь"),
    ("Ural", "Урал"), ("Volga", "Волга"), ("Invest", "Инвест"), ("Proekt", "Проект"),
)  # fmt: skip
# Legal forms of each country: (canonical, how it is written in Latin, in Cyrillic, weight).
CIS_LEGAL = {
    "KZ": (("TOO", "TOO", "ТОО", 45), ("LLP", "LLP", "ТОО", 20), ("JSC", "JSC", "АО", 10),
           ("AO", "AO", "АО", 10), ("", "", "", 5)),
    "UZ": (("MChJ", "MChJ", "МЧЖ", 45), ("OOO", "OOO", "ООО", 20), ("JSC", "JSC", "АЖ", 15),
           ("", "", "", 10)),
    "RU": (("OOO", "OOO", "ООО", 55), ("AO", "AO", "АО", 20), ("PAO", "PAO", "ПАО", 10),
           ("", "", "", 10)),
}  # fmt: skip
CIS_WORDS = {"KZ": KZ_WORDS, "UZ": UZ_WORDS, "RU": RU_WORDS}
# Public bodies and chambers of the partner countries, as German lists name them.
CIS_PUBLIC: dict[str, dict[str, tuple[str, ...]]] = {
    "KZ": {
        "chamber": ("NCE Atameken {city}", "Regional Chamber of Entrepreneurs {city}"),
        "ahk": ("AHK Zentralasien", "Delegation der Deutschen Wirtschaft in Zentralasien"),
        "authority": ("Akimat {city}", "Ministry of Ecology and Natural Resources"),
    },
    "UZ": {
        "chamber": ("Chamber of Commerce and Industry {city}", "CCI of Uzbekistan"),
        "ahk": ("AHK Zentralasien, Büro Taschkent", "Delegation der Deutschen Wirtschaft"),
        "authority": ("Hokimiyat {city}", "Ministry of Ecology", "Toza Hudud State Enterprise"),
    },
    "RU": {
        "chamber": ("Chamber of Commerce {city}", "TPP {city}"),
        "ahk": ("AHK Russland", "Deutsch-Russische Auslandshandelskammer"),
        "authority": ("Administration {city}", "Ministry of Natural Resources"),
    },
}
TLD = {"DE": "de", "KZ": "kz", "UZ": "uz", "RU": "ru"}
KINDS = (
    ("company", 80), ("association", 5), ("research", 4), ("authority", 4), ("chamber", 3),
    ("ahk", 1), ("other", 3),
)  # fmt: skip


@dataclass(frozen=True)
class Company:
    """A generated organisation with what is needed to write its name in other ways."""

    base: str
    name: str
    kind: str
    legal_form: str
    sector: str
    city: City
    postcode: str
    website: str
    lat: str
    lon: str
    domain: str

    def row(self) -> dict[str, str]:
        """The organisation as a row of COMPANY_FIELDS."""
        return {
            "name": self.name,
            "kind": self.kind,
            "legal_form": self.legal_form,
            "sector": self.sector,
            "city": self.city.name,
            "postcode": self.postcode,
            "country": self.city.country,
            "website": self.website,
            "lat": self.lat,
            "lon": self.lon,
        }


def _weighted(rnd: random.Random, options: Sequence[tuple[str, int]]) -> str:
    """One option drawn by weight."""
    total = sum(weight for _, weight in options)
    point = rnd.random() * total
    for option, weight in options:
        point -= weight
        if point < 0:
            return option
    return options[-1][0]


def _de_company(rnd: random.Random, kind: str, sector: str, city: City) -> tuple[str, str, str]:
    """(base name, full name, canonical legal form) of a German organisation."""
    word = rnd.choice(DE_SECTOR_WORDS[sector])
    if kind == "chamber":
        return f"IHK {city.name}", f"IHK {city.name}", "KdöR"
    if kind == "ahk":
        base = rnd.choice(("AHK Zentralasien", "AHK Usbekistan", "AHK Russland", "DIHK Service"))
        return base, base + (" GmbH" if base.startswith("DIHK") else ""), ""
    if kind == "authority":
        base = rnd.choice(("Stadtentwässerung", "Stadtwerke", "Umweltamt", "Entsorgungsbetriebe"))
        base = f"{base} {city.name}"
        return (base, f"{base} AöR", "AöR") if rnd.random() < 0.6 else (base, base, "")
    if kind == "association":
        base = f"{rnd.choice(('Bundesverband', 'Netzwerk', 'Verband', 'Cluster'))} {word}"
        return base, f"{base} e.V.", "e.V."
    if kind == "research":
        base = f"Institut für {word} {city.name}"
        return base, f"{base} e.V.", "e.V."
    pattern = rnd.random()
    if pattern < 0.35:
        base = f"{rnd.choice(DE_LAST)} {word}"
    elif pattern < 0.65:
        base = f"{rnd.choice(DE_REGIONS)} {word}"
    elif pattern < 0.85:
        base = rnd.choice(BRAND_HEADS) + rnd.choice(BRAND_TAILS)
        base = base if rnd.random() < 0.5 else f"{base} {word}"
    else:
        base = f"{word} {city.name}"
    form = _weighted(rnd, DE_LEGAL)
    return base, f"{base} {form}" if form else base, form


def _cis_company(rnd: random.Random, country: str, kind: str, city: City) -> tuple[str, str, str]:
    """(base name, full name, canonical legal form) of a Central Asian or Russian organisation."""
    words = CIS_WORDS[country]
    if kind in ("chamber", "ahk", "authority"):
        base = rnd.choice(CIS_PUBLIC[country][kind])
        base = base.format(city=city.name)
        return base, base, ""
    first, second = rnd.sample(words, 2)
    joined = rnd.random() < 0.3
    latin_base = (first[0] + second[0].lower()) if joined else f"{first[0]} {second[0]}"
    cyrillic_base = (first[1] + second[1].lower()) if joined else f"{first[1]} {second[1]}"
    canonical, written, cyrillic_form, _ = rnd.choices(
        CIS_LEGAL[country], weights=[option[3] for option in CIS_LEGAL[country]]
    )[0]
    if kind in ("association", "research"):
        canonical, written, cyrillic_form = "", "", ""
        latin_base = f"{latin_base} {'Association' if kind == 'association' else 'Institute'}"
    if cyrillic_form and rnd.random() < 0.25:
        # The base stays Cyrillic so that other lists write this name in the same script.
        return cyrillic_base, f"{cyrillic_form} «{cyrillic_base}»", canonical
    if not written:
        return latin_base, latin_base, canonical
    # TOO/OOO/MChJ usually lead the name in the region; LLP and JSC follow it as in English.
    if written in ("LLP", "JSC") or rnd.random() < 0.3:
        return latin_base, f"{latin_base} {written}", canonical
    return (
        latin_base,
        f'{written} "{latin_base}"' if rnd.random() < 0.3 else (f"{written} {latin_base}"),
        canonical,
    )


def _company(rnd: random.Random, country: str | None = None) -> Company:
    """One organisation, German or from the partner countries."""
    country = country or _weighted(rnd, (("DE", 60), ("KZ", 18), ("UZ", 12), ("RU", 10)))
    city = rnd.choice(CITIES_BY_COUNTRY[country])
    kind = _weighted(rnd, KINDS)
    sector = rnd.choice(SECTORS)
    if country == "DE":
        base, name, form = _de_company(rnd, kind, sector, city)
    else:
        base, name, form = _cis_company(rnd, country, kind, city)
    # Domains are Latin even for Cyrillic names: the transliteration the organisation chose.
    slug = ascii_slug(latin(base, "passport").replace(" ", "-"))
    domain = f"{slug}.{TLD[country]}"
    website = rnd.choice((f"www.{domain}", f"https://www.{domain}", f"https://{domain}/", ""))
    low, high = city.postcodes
    postcode = (
        f"{rnd.randint(low, high):05d}" if country == "DE" else f"{rnd.randint(low, high):06d}"
    )
    has_position = rnd.random() < 0.7
    lat = f"{city.lat + rnd.uniform(-0.05, 0.05):.5f}" if has_position else ""
    lon = f"{city.lon + rnd.uniform(-0.08, 0.08):.5f}" if has_position else ""
    return Company(base, name, kind, form, sector, city, postcode, website, lat, lon, domain)


def companies(n: int, seed: int = 0) -> Iterator[dict[str, str]]:
    """Yield n organisations as rows of COMPANY_FIELDS; the same seed gives the same rows."""
    if n < 0:
        raise ValueError("n must not be negative")
    rnd = random.Random(f"companies-{seed}")
    for _ in range(n):
        yield _company(rnd).row()


# --- phones --------------------------------------------------------------------------------------

DE_MOBILE = ("151", "152", "160", "170", "171", "172", "175", "176", "177", "179")
KZ_MOBILE = ("700", "701", "702", "705", "707", "747", "771", "775", "776", "777", "778")
UZ_MOBILE = ("90", "91", "93", "94", "95", "97", "98", "99", "33", "88")
RU_MOBILE = ("903", "905", "909", "916", "925", "926", "985", "921", "912")


@dataclass(frozen=True)
class Phone:
    """A phone number as parts, so that a duplicate can write the same number differently."""

    country: str
    area: str
    number: str


def _groups(digits: str, sizes: Sequence[int]) -> list[str]:
    """Split digits into groups of the given sizes; the rest forms the last group."""
    parts, start = [], 0
    for size in sizes:
        if start >= len(digits):
            break
        parts.append(digits[start : start + size])
        start += size
    if start < len(digits):
        parts.append(digits[start:])
    return parts


def _pairs(digits: str) -> str:
    """Digits in pairs from the end, as Germans write them: 98 76 54, 1 23 45."""
    head = len(digits) % 2
    return " ".join(([digits[:head]] if head else []) + _groups(digits[head:], [2] * 8))


def render_phone(phone: Phone, style: int) -> str:
    """One of the ways people write this number (style is any integer, taken modulo the ways)."""
    area, number = phone.area, phone.number
    ways: tuple[str, ...]
    if phone.country == "DE":
        ways = (
            f"0{area} / {_pairs(number)}",
            f"0{area} {number}",
            f"+49 {area} {number}",
            f"0{area}-{number}",
            f"+49 (0){area} {number}",
            f"(0{area}) {_pairs(number)}",
            f"0{area}/{number}",
            f"+49{area}{number}",
        )
    elif phone.country == "UZ":
        a, b, c = _groups(number, [3, 2])
        ways = (
            f"+998 {area} {a} {b} {c}",
            f"+998 ({area}) {a}-{b}-{c}",
            f"{area} {a} {b} {c}",
            f"+998{area}{number}",
            f"998 {area} {number}",
        )
    else:
        groups = _groups(number, [3, 2]) if len(number) == 7 else _groups(number, [2, 2])
        dashed, spaced = "-".join(groups), " ".join(groups)
        ways = (
            f"8 {area} {spaced}",
            f"+7 ({area}) {dashed}",
            f"+7 {area} {number}",
            f"8{area}{number}",
            f"+7{area}{number}",
            f"8 ({area}) {dashed}",
        )
    return ways[style % len(ways)]


def _phone(rnd: random.Random, city: City, mobile: bool) -> Phone:
    """A landline in the city or a mobile number of the city's country."""
    country = city.country
    if mobile:
        area = rnd.choice(
            {"DE": DE_MOBILE, "KZ": KZ_MOBILE, "UZ": UZ_MOBILE, "RU": RU_MOBILE}[country]
        )
        return Phone(country, area, f"{rnd.randrange(10**7):07d}")
    # Subscriber numbers fill the national number up to its usual length.
    length = {"DE": 10 - len(city.area), "KZ": 10 - len(city.area), "UZ": 7, "RU": 7}[country]
    first = str(rnd.randint(2, 9))
    return Phone(country, city.area, first + f"{rnd.randrange(10 ** (length - 1)):0{length - 1}d}")


# --- people --------------------------------------------------------------------------------------

DE_POSITIONS = (
    ("Geschäftsführer", "Geschäftsführerin"), ("Leiter Vertrieb", "Leiterin Vertrieb"),
    ("Projektmanager", "Projektmanagerin"),
    ("Referent Außenwirtschaft", "Referentin Außenwirtschaft"),
    ("Head of Export", "Head of Export"), ("Technischer Leiter", "Technische Leiterin"),
    ("Vertriebsingenieur", "Vertriebsingenieurin"), ("Inhaber", "Inhaberin"),
    ("Bereichsleiter Umwelttechnik", "Bereichsleiterin Umwelttechnik"),
    ("Key Account Manager", "Key Account Managerin"), ("Prokurist", "Prokuristin"),
    ("Abteilungsleiter Abwasser", "Abteilungsleiterin Abwasser"),
    ("Wissenschaftlicher Mitarbeiter", "Wissenschaftliche Mitarbeiterin"),
)  # fmt: skip
CIS_POSITIONS = (
    "Director", "General Director", "Deputy Director", "Chief Engineer", "Head of Department",
    "Project Manager", "Ecologist", "Chief Specialist", "Генеральный директор", "Директор",
    "Заместитель директора", "Главный инженер", "Начальник отдела", "Ведущий специалист",
    "Эколог", "Бас директор", "Bosh mutaxassis", "Head of International Cooperation",
)  # fmt: skip
PRIVATE_MAIL = {
    "DE": ("gmail.com", "web.de", "gmx.de", "t-online.de"),
    "KZ": ("gmail.com", "mail.ru", "mail.kz", "inbox.ru"),
    "UZ": ("gmail.com", "mail.ru", "umail.uz"),
    "RU": ("mail.ru", "yandex.ru", "gmail.com"),
}
LATIN_STYLES = {
    "KZ": ("passport", "passport", "english"),
    "UZ": ("uzbek", "passport"),
    "RU": ("passport", "english"),
}


@dataclass(frozen=True)
class Person:
    """A generated person as parts, kept while later rows may plant duplicates of it."""

    index: int
    country: str
    female: bool
    first: str
    last: str
    first_cyrillic: str
    last_cyrillic: str
    patronymic: str
    style: str
    native_name: str
    salutation: str
    title: str
    position: str
    company: Company
    company_written: str
    email: str
    phone: Phone | None
    phone_style: int
    mobile: Phone | None
    mobile_style: int
    city: str
    share_consent: str

    def row(self, dup_of: str = "") -> dict[str, str]:
        """The person as a row of PERSON_FIELDS."""
        return {
            "salutation": self.salutation,
            "title": self.title,
            "first_name": self.first,
            "last_name": self.last,
            "native_name": self.native_name,
            "position": self.position,
            "company": self.company_written,
            "email": self.email,
            "phone": render_phone(self.phone, self.phone_style) if self.phone else "",
            "mobile": render_phone(self.mobile, self.mobile_style) if self.mobile else "",
            "city": self.city,
            "country": self.country,
            "share_consent": self.share_consent,
            "sector": self.company.sector,
            "dup_of": dup_of,
        }


def _feminine(surname: str) -> str:
    """The feminine form of a Slavic-pattern surname (Нурланов → Нурланова); others stay."""
    return surname + "а" if surname.endswith(("ов", "ев", "ёв", "ин", "ын")) else surname


def _patronymic(rnd: random.Random, country: str, father: str, female: bool) -> str:
    """A patronymic in Russian form or, for Kazakhs and Uzbeks sometimes, in their own."""
    if country == "KZ" and rnd.random() < 0.4:
        return father + ("қызы" if female else "ұлы")
    if country == "UZ" and rnd.random() < 0.4:
        return f"{father} {'қизи' if female else 'ўғли'}"
    stem = {"Сергей": "Сергее", "Андрей": "Андрее", "Николай": "Николае"}.get(father)
    if stem:
        return stem + ("вна" if female else "вич")
    return father.replace("і", "и").replace("ұ", "у").replace("қ", "к") + (
        "овна" if female else "ович"
    )


def _email(rnd: random.Random, first: str, last: str, domain: str, country: str) -> str:
    """An address as organisations and people make them; empty for about one person in nine."""
    if rnd.random() < 0.11:
        return ""
    given, family = ascii_slug(first), ascii_slug(last)
    if not given or not family:
        return ""
    local = rnd.choice(
        (f"{given}.{family}", f"{given[0]}.{family}", f"{family}", f"{given}{family[0]}",
         f"{family}.{given[0]}")
    )  # fmt: skip
    if rnd.random() < 0.2:
        domain = rnd.choice(PRIVATE_MAIL[country])
        local = f"{local}{rnd.randint(1, 99)}" if rnd.random() < 0.5 else local
    return f"{local}@{domain}"


def _new_person(rnd: random.Random, index: int, pool: dict[str, list[Company]]) -> Person:
    """One person with a company of their country."""
    country = _weighted(rnd, COUNTRY_WEIGHTS)
    female = rnd.random() < 0.45
    # Some organisations have many contacts, most have a few (squared uniform skews to the front).
    choices = pool[country]
    company = choices[int(len(choices) * rnd.random() ** 2)]
    first_c = last_c = patronymic = native = ""
    style = "german"
    if country == "DE":
        first = rnd.choice(DE_FEMALE if female else DE_MALE)
        last = rnd.choice(DE_LAST)
        title = _weighted(rnd, (("", 80), ("Dr.", 12), ("Prof. Dr.", 3), ("Dipl.-Ing.", 5)))
        salutation = _weighted(rnd, (("Frau" if female else "Herr", 90), ("", 10)))
        position = rnd.choice(DE_POSITIONS)[1 if female else 0]
    else:
        males, females, lasts, fathers = NAMES[country]
        first_c = rnd.choice(females if female else males)
        last_c = rnd.choice(lasts)
        last_c = _feminine(last_c) if female else last_c
        style = rnd.choice(LATIN_STYLES[country])
        first, last = latin(first_c, style), latin(last_c, style)
        if rnd.random() < 0.7:
            if rnd.random() < 0.3:
                patronymic = _patronymic(rnd, country, rnd.choice(fathers), female)
                native = f"{last_c} {first_c} {patronymic}"
            else:
                native = f"{first_c} {last_c}"
        if rnd.random() < 0.1:
            # Passport copies often arrive in capitals.
            last = last.upper()
        title = _weighted(rnd, (("", 92), ("Dr.", 3), ("PhD", 3), ("Prof.", 2)))
        salutation = _weighted(
            rnd, (("Frau" if female else "Herr", 70), ("Ms" if female else "Mr", 10), ("", 20))
        )
        position = rnd.choice(CIS_POSITIONS)
    city = company.city
    city_written = city.cyrillic if city.cyrillic and rnd.random() < 0.1 else city.name
    has_phone = rnd.random() < 0.85
    has_mobile = rnd.random() < 0.7
    return Person(
        index=index,
        country=country,
        female=female,
        first=first,
        last=last,
        first_cyrillic=first_c,
        last_cyrillic=last_c,
        patronymic=patronymic,
        style=style,
        native_name=native,
        salutation=salutation,
        title=title,
        position=position,
        company=company,
        company_written=company.name,
        email=_email(rnd, first, last, company.domain, country),
        phone=_phone(rnd, city, mobile=False) if has_phone else None,
        phone_style=rnd.randrange(8),
        mobile=_phone(rnd, city, mobile=True) if has_mobile else None,
        mobile_style=rnd.randrange(8),
        city=city_written,
        share_consent=_weighted(rnd, (("ja", 55), ("nein", 15), ("", 30))),
    )


_UMLAUT_WAYS = (
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"},
    {"ä": "a", "ö": "o", "ü": "u", "ß": "ss", "Ä": "A", "Ö": "O", "Ü": "U"},
)


def _umlaut_variant(rnd: random.Random, text: str) -> str:
    """The text as written on a keyboard without umlauts: Müller → Mueller or Muller."""
    table = str.maketrans(rnd.choice(_UMLAUT_WAYS))
    return text.translate(table)


def _has_umlaut(text: str) -> bool:
    """Whether a name has a letter that keyboards abroad lack."""
    return any(ch in "äöüßÄÖÜ" for ch in text)


def _respelled(rnd: random.Random, person: Person) -> tuple[str, str, str]:
    """(first, last, style): the person's Cyrillic name in another transliteration that differs."""
    others = [style for style in ("german", "passport", "english") if style != person.style]
    rnd.shuffle(others)
    # German spelling is what a German list most often adds to a passport spelling.
    if "german" in others and rnd.random() < 0.7:
        others.remove("german")
        others.insert(0, "german")
    for style in others:
        first, last = latin(person.first_cyrillic, style), latin(person.last_cyrillic, style)
        if (first, last) != (person.first, person.last):
            return first, last, style
    # Every style spells this name alike; lists then differ in capitals, as passport copies do.
    return person.first, person.last.upper(), person.style


def _applicable_kinds(person: Person) -> list[str]:
    """The kinds of duplicate that can be planted for this person."""
    kinds = ["email-changed", "swapped"]
    if person.native_name or person.first_cyrillic:
        kinds += ["script", "transliteration", "transliteration"]
    if _has_umlaut(person.first + person.last):
        kinds += ["umlaut", "umlaut"]
    if person.email:
        kinds.append("email-same")
    return kinds


def _company_variant(rnd: random.Random, company: Company) -> str:
    """The company's name as another list writes it: without legal form, capitals, dotted form."""
    roll = rnd.random()
    if roll < 0.4:
        return company.base
    if roll < 0.55:
        return company.name.upper()
    if roll < 0.7 and company.legal_form == "GmbH":
        return f"{company.base.replace(' ', '-')} G.m.b.H."
    return company.name


def _duplicate(rnd: random.Random, original: Person, index: int) -> tuple[Person, str]:
    """A plausible but not identical second record of the same person, and its kind."""
    kind = rnd.choice(_applicable_kinds(original))
    dup = replace(original, index=index)
    if kind == "script":
        # Lists from the partner chamber put the Cyrillic name into the name columns.
        dup = replace(
            dup, first=original.first_cyrillic, last=original.last_cyrillic, native_name=""
        )
    elif kind == "transliteration":
        first, last, style = _respelled(rnd, original)
        dup = replace(
            dup,
            first=first,
            last=last,
            style=style,
            native_name=original.native_name if rnd.random() < 0.3 else "",
        )
    elif kind == "umlaut":
        dup = replace(
            dup,
            first=_umlaut_variant(rnd, original.first),
            last=_umlaut_variant(rnd, original.last),
        )
    elif kind == "email-changed":
        email = _email(
            rnd,
            original.first,
            original.last,
            rnd.choice(PRIVATE_MAIL[original.country]),
            original.country,
        )
        if not email or email == original.email:
            email = (
                f"{ascii_slug(original.last) or 'kontakt'}{index % 97}@{original.company.domain}"
            )
        dup = replace(dup, email=email, company_written=_company_variant(rnd, original.company))
    elif kind == "email-same":
        if original.first_cyrillic:
            first, last, style = _respelled(rnd, original)
            dup = replace(dup, first=first, last=last, style=style, native_name="")
        elif _has_umlaut(original.first + original.last):
            dup = replace(
                dup,
                first=_umlaut_variant(rnd, original.first),
                last=_umlaut_variant(rnd, original.last),
            )
        else:
            dup = replace(dup, first=original.first[0] + ".", title="")
        dup = replace(dup, email=original.email.upper() if rnd.random() < 0.2 else original.email)
    else:  # swapped
        dup = replace(dup, first=original.last, last=original.first)
    # Whatever the kind, a second list rarely agrees on the rest: other phone formats, a missing
    # mobile, a new position, consent not asked again.
    dup = replace(
        dup,
        phone_style=rnd.randrange(8),
        mobile=dup.mobile if rnd.random() < 0.6 else None,
        mobile_style=rnd.randrange(8),
        position=dup.position if rnd.random() < 0.7 else _other_position(rnd, original),
        share_consent=dup.share_consent if rnd.random() < 0.6 else rnd.choice(("ja", "nein", "")),
        title=dup.title if rnd.random() < 0.8 else "",
    )
    if kind not in ("email-changed",) and rnd.random() < 0.3:
        dup = replace(dup, company_written=_company_variant(rnd, original.company))
    return dup, kind


def _other_position(rnd: random.Random, person: Person) -> str:
    """Another position of the kind the person's country uses."""
    if person.country == "DE":
        return rnd.choice(DE_POSITIONS)[1 if person.female else 0]
    return rnd.choice(CIS_POSITIONS)


COMPANY_POOL = 2000
RESERVOIR = 4096


def people_with_kinds(
    n: int, seed: int = 0, duplicate_rate: float = 0.0
) -> Iterator[tuple[dict[str, str], str]]:
    """Yield (row, duplicate kind or "") for n people; see `people`."""
    if n < 0:
        raise ValueError("n must not be negative")
    if not 0.0 <= duplicate_rate < 1.0:
        raise ValueError("duplicate_rate must be at least 0 and below 1")
    # A fixed pool, independent of n, so that a longer run starts with the rows of a shorter one.
    company_rnd = random.Random(f"companies-{seed}")
    pool: dict[str, list[Company]] = {country: [] for country in CITIES_BY_COUNTRY}
    for _ in range(COMPANY_POOL):
        company = _company(company_rnd)
        pool[company.city.country].append(company)
    rnd = random.Random(f"people-{seed}")
    # Originals that later rows may duplicate: a reservoir sample keeps memory flat at any n while
    # every earlier original stays a possible target.
    reservoir: list[Person] = []
    # Two different people never share an email or a near-identical name at one organisation:
    # otherwise the unplanted "duplicates" would be indistinguishable from planted ones.
    # Each key maps to the original whose cluster owns it (its own row and its duplicates).
    seen: dict[int, int] = {}
    originals = 0
    for index in range(n):
        if reservoir and rnd.random() < duplicate_rate:
            original = reservoir[rnd.randrange(len(reservoir))]
            dup, kind = _duplicate(rnd, original, index)
            for _ in range(20):
                if all(seen.get(key, original.index) == original.index for key in _identity(dup)):
                    break
                dup, kind = _duplicate(rnd, original, index)
            seen.update(dict.fromkeys(_identity(dup), original.index))
            yield dup.row(dup_of=str(original.index)), kind
            continue
        person = _unique_person(rnd, index, pool, seen)
        originals += 1
        if len(reservoir) < RESERVOIR:
            reservoir.append(person)
        else:
            slot = rnd.randrange(originals)
            if slot < RESERVOIR:
                reservoir[slot] = person
        yield person.row(), ""


def _identity(person: Person) -> list[int]:
    """Hashes of the keys two different people must not share: name-at-organisation and email.

    With greentech installed the name keys are its own folded keys (across scripts and
    spellings); without it, a rough ASCII key keeps this module standard-library only.
    """
    try:
        from greentech_cli.text.company_names import company_key
        from greentech_cli.text.names import name_keys

        # Two organisations whose names differ only in the legal form count as one.
        org = company_key(person.company.name)
        names = name_keys(person.first, person.last, person.native_name)
        keys = [hash((key, org)) for key in names]
    except ImportError:  # pragma: no cover - the generator also runs without greentech
        org = person.company.name
        keys = [hash((ascii_slug(person.last)[:3], ascii_slug(person.first)[:2], org))]
    if person.email:
        keys.append(hash(person.email.lower()))
    return keys


def _unique_person(
    rnd: random.Random, index: int, pool: dict[str, list[Company]], seen: dict[int, int]
) -> Person:
    """A new person whose name-at-organisation and email no earlier original has."""
    person = _new_person(rnd, index, pool)
    for _ in range(50):
        if seen.keys().isdisjoint(_identity(person)):
            break
        person = _new_person(rnd, index, pool)
    if person.email and hash(person.email.lower()) in seen:
        local, domain = person.email.split("@", 1)
        person = replace(person, email=f"{local}.{index}@{domain}")
    seen.update(dict.fromkeys(_identity(person), index))
    return person


def people(n: int, seed: int = 0, duplicate_rate: float = 0.0) -> Iterator[dict[str, str]]:
    """Yield n people as rows of PERSON_FIELDS, about duplicate_rate of them planted duplicates."""
    for row, _ in people_with_kinds(n, seed, duplicate_rate):
        yield row


# --- command line --------------------------------------------------------------------------------


def _german_number(value: str) -> str:
    """A decimal as German spreadsheets write it."""
    return value.replace(".", ",")


def write_people(
    out: TextIO, n: int, seed: int, rate: float, fmt: str, truth: TextIO | None = None
) -> None:
    """Write people as a German attendee list (csv-de) or plain CSV with the field names."""
    if fmt == "csv-de":
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(PERSON_HEADERS_DE)
    else:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(PERSON_FIELDS)
    truth_writer = csv.writer(truth, lineterminator="\n") if truth else None
    if truth_writer:
        truth_writer.writerow(("row", "dup_of", "kind"))
    for index, (row, kind) in enumerate(people_with_kinds(n, seed, rate)):
        if fmt == "csv-de":
            values = [row[field] for field in PERSON_FIELDS[:-1]]
            values[11] = COUNTRY_NAMES_DE[row["country"]]
            values[13] = SECTOR_LABELS_DE[row["sector"]]
            writer.writerow(values)
        else:
            writer.writerow([row[field] for field in PERSON_FIELDS])
        if truth_writer and kind:
            truth_writer.writerow((index, row["dup_of"], kind))


def write_companies(out: TextIO, n: int, seed: int, fmt: str) -> None:
    """Write organisations as a German list (csv-de) or plain CSV with the field names."""
    if fmt == "csv-de":
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(COMPANY_HEADERS_DE)
    else:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COMPANY_FIELDS)
    for row in companies(n, seed):
        values = [row[field] for field in COMPANY_FIELDS]
        if fmt == "csv-de":
            values[1] = KIND_LABELS_DE[row["kind"]]
            values[3] = SECTOR_LABELS_DE[row["sector"]]
            values[6] = COUNTRY_NAMES_DE[row["country"]]
            values[8], values[9] = _german_number(row["lat"]), _german_number(row["lon"])
        writer.writerow(values)


def _write(args: argparse.Namespace, out: TextIO) -> None:
    """Write what the command line asked for to one stream."""
    if args.what == "companies":
        write_companies(out, args.n, args.seed, args.format)
        return
    with contextlib.ExitStack() as stack:
        truth = None
        if args.truth:
            truth = stack.enter_context(Path(args.truth).open("w", encoding="utf-8", newline=""))
        write_people(out, args.n, args.seed, args.duplicates, args.format, truth)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: generate people or companies as CSV."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="what", required=True)
    for what in ("people", "companies"):
        command = sub.add_parser(what, help=f"generate {what}")
        command.add_argument("n", type=int, help="number of rows")
        command.add_argument("--seed", type=int, default=0)
        command.add_argument("--format", choices=("csv-de", "csv"), default="csv-de")
        command.add_argument("--out", help="output file (default: stdout)")
        if what == "people":
            command.add_argument(
                "--duplicates",
                type=float,
                default=0.0,
                metavar="RATE",
                help="share of rows that are planted duplicates (0 to <1)",
            )
            command.add_argument("--truth", help="also write row,dup_of,kind of planted duplicates")
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("n must not be negative")
    if args.what == "people" and not 0.0 <= args.duplicates < 1.0:
        parser.error("--duplicates must be at least 0 and below 1")
    # UTF-8 with BOM is what German Excel opens correctly; plain CSV stays plain UTF-8.
    encoding = "utf-8-sig" if args.format == "csv-de" else "utf-8"
    if args.out:
        with Path(args.out).open("w", encoding=encoding, newline="") as out:
            _write(args, out)
        return 0
    stdout = io.TextIOWrapper(sys.stdout.buffer, encoding=encoding, newline="")
    try:
        _write(args, stdout)
    finally:
        stdout.flush()
        # Leave sys.stdout's buffer open for the interpreter to close.
        stdout.detach()
    return 0


if __name__ == "__main__":
    sys.exit(main())
