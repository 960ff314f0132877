"""Fixed vocabularies: countries by code or name in many languages, sectors, choices."""

from __future__ import annotations

import re
from functools import lru_cache

from greentech_cli.errors import InvalidData
from greentech_cli.text.cleaning import clean, clean_list

# --- countries -----------------------------------------------------------------------------


def _country_key(text: str) -> str:
    from anyascii import anyascii

    folded = text.casefold().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    return re.sub(r"[^a-z0-9]", "", anyascii(folded).lower())


_COUNTRY_EXTRA = {
    "uk": "GB",
    "england": "GB",
    "grossbritannien": "GB",
    "greatbritain": "GB",
    "usa": "US",
    "vereinigtestaaten": "US",
    "russland": "RU",
    "weissrussland": "BY",
    "vae": "AE",
    "uae": "AE",
    "russia": "RU",
    "tuerkei": "TR",
    "turkey": "TR",
    "suedkorea": "KR",
    "southkorea": "KR",
    "iran": "IR",
    "vietnam": "VN",
    "holland": "NL",
    "kasachstan": "KZ",
    "usbekistan": "UZ",
    "kirgisistan": "KG",
    "kyrgyzstan": "KG",
    "qazaqstan": "KZ",
    "uzbekiston": "UZ",
    "bolivien": "BO",
    "bolivia": "BO",
    "tansania": "TZ",
    "tanzania": "TZ",
    "deutschland": "DE",
    "brd": "DE",
    "kazakstan": "KZ",
    "казахстан": "KZ",
    "узбекистан": "UZ",
    "россия": "RU",
    "германия": "DE",
}


# The languages of the partner countries whose own country names a list may use: Russian,
# Ukrainian, Belarusian, the Central Asian and Caucasian languages, Mongolian and Turkish.
PARTNER_LANGUAGES = ("ru", "uk", "be", "kk", "uz", "ky", "tg", "tk", "az", "ka", "hy", "mn", "tr")


@lru_cache(maxsize=1)
def _country_table() -> dict[str, str]:
    """Folded English and German country names (and codes) to ISO alpha-2."""
    import gettext

    import pycountry

    german: gettext.NullTranslations
    try:
        german = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["de"])
    except OSError:  # a pycountry build without locales: English names still work
        german = gettext.NullTranslations()
    translate = german.gettext
    table: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        names = {
            country.name,
            getattr(country, "common_name", ""),
            getattr(country, "official_name", ""),
        }
        names |= {translate(n) for n in list(names) if n}
        for name in names:
            if name:
                table.setdefault(_country_key(name), code)
        table[code.lower()] = code
        table[country.alpha_3.lower()] = code
    # Then the names delegations write in their own languages (Қазақстан, Oʻzbekiston, Україна);
    # an English or German name keeps its country where a spelling would meet another one.
    for language in PARTNER_LANGUAGES:
        try:
            native = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
        except OSError:
            continue
        for country in pycountry.countries:
            for name in (country.name, getattr(country, "common_name", "")):
                if name:
                    table.setdefault(_country_key(native.gettext(name)), country.alpha_2)
    for key, code in _COUNTRY_EXTRA.items():
        table[_country_key(key) if key.isascii() else key] = code
    return table


def normalize_country(value: str | None) -> str | None:
    """ISO 3166 alpha-2 for a code or an English or German name; unknown raises InvalidData."""
    text = clean(value)
    if text is None:
        return None
    code = _country_code(text)
    if code is None:
        raise InvalidData(
            f"unknown country {text!r}: use a code like DE or a name like Deutschland"
        )
    return code


# A country column repeats a handful of names down a whole file.
@lru_cache(maxsize=1 << 10)
def _country_code(text: str) -> str | None:
    table = _country_table()
    code = table.get(text.casefold()) if not text.isascii() else None
    return code or table.get(_country_key(text))


# --- sectors -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def sector_table() -> list[dict[str, object]]:
    """The sector taxonomy from data/sectors.yaml."""
    from greentech_cli.resources import load_yaml

    loaded = load_yaml("sectors.yaml")
    return list(loaded)


def normalize_sector(value: str) -> str:
    """A sector slug for a slug or its German or English label; unknown raises InvalidData."""
    text = clean(value) or ""
    key = _country_key(text)
    for sector in sector_table():
        names = [str(sector["slug"]), str(sector["en"]), str(sector["de"])]
        if key in {_country_key(n) for n in names}:
            return str(sector["slug"])
    slugs = ", ".join(str(s["slug"]) for s in sector_table())
    raise InvalidData(f"unknown sector {text!r}; known sectors: {slugs}")


def normalize_sectors(values: list[str] | tuple[str, ...] | None) -> list[str]:
    """Sector slugs for several values, each checked, in their first order."""
    slugs: list[str] = []
    for value in clean_list(values):
        slug = normalize_sector(value)
        if slug not in slugs:
            slugs.append(slug)
    return slugs


def choice(value: str | None, allowed: tuple[str, ...], what: str) -> str | None:
    """A value checked against a fixed vocabulary (case-insensitive), or None."""
    text = clean(value)
    if text is None:
        return None
    lowered = text.lower()
    if lowered not in allowed:
        raise InvalidData(f"unknown {what} {text!r}; use one of: {', '.join(allowed)}")
    return lowered
