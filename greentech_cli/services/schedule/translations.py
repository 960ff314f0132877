"""A visit's title, notes and place per language: `--title-ru`, `title_ru:` or
`title: {de: …, en: …, ru: …}` in a programme file.

The plain `title`/`notes`/`location` stay the text as written; an itinerary in a language uses
that language's text and falls back to the text as written (see `render.itinerary.localized`).
"""

from __future__ import annotations

from typing import Any

from greentech_cli.errors import InvalidData
from greentech_cli.models.records import Visit
from greentech_cli.render.labels import LANGUAGES
from greentech_cli.text.cleaning import clean

# The visit fields that may be given per language.
TRANSLATED = ("title", "notes", "location")
# `title_de`, `notes_ru`, … as keys of a visit's fields (CLI options, programme files).
KEYS = tuple(f"{name}_{lang}" for name in TRANSLATED for lang in LANGUAGES)


def flatten(fields: dict[str, Any]) -> dict[str, Any]:
    """`title: {de: A, ru: B}` as `title: A, title_de: A, title_ru: B` (the text as written is
    the first of the languages in the order de, en, ru); other fields as they are."""
    flat: dict[str, Any] = {}
    for key, value in fields.items():
        if key in TRANSLATED and isinstance(value, dict):
            unknown = sorted(str(k) for k in value if k not in LANGUAGES)
            if unknown:
                raise InvalidData(
                    f"unknown language {', '.join(unknown)} in the visit's {key}; "
                    f"use {', '.join(LANGUAGES)}"
                )
            given = [lang for lang in ("de", "en", "ru") if clean(_text(value.get(lang)))]
            if not given:
                raise InvalidData(f"the visit's {key} has no text in any language")
            flat[key] = _text(value[given[0]])
            flat.update({f"{key}_{lang}": _text(value[lang]) for lang in given})
        else:
            flat[key] = value
    return flat


def split(visit: Visit, fields: dict[str, Any]) -> dict[str, Any]:
    """Take the per-language values out of `fields` into `visit.translations`; returns the
    remaining fields. A mapping `{de: …, ru: …}` also gives the text as written: the first of
    its languages in the order de, en, ru."""
    rest: dict[str, Any] = {}
    for key, value in flatten(fields).items():
        if key in KEYS:
            name, lang = key.rsplit("_", 1)
            _set(visit, name, lang, value)
        else:
            rest[key] = value
    return rest


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidData(f"expected text in a language, got {value!r}")
    return value


def _set(visit: Visit, name: str, lang: str, value: Any) -> None:
    text = clean(_text(value))
    texts = dict(visit.translations.get(name, {}))
    if text:
        texts[lang] = text
    else:
        texts.pop(lang, None)
    visit.translations = {**visit.translations, name: texts}
    if not texts:
        del visit.translations[name]
