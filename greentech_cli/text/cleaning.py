"""Cleaning what people type: NFC, trimmed, single spaces; lists without repeats."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")


def clean(value: str | None) -> str | None:
    """NFC, trimmed, inner whitespace runs kept as single spaces; empty becomes None.

    Names are kept exactly as written otherwise: never re-cased, never transliterated.
    """
    if value is None:
        return None
    text = str(value)
    if text.isascii() and text.isprintable():
        # Most cells: already NFC, and the only whitespace is plain spaces.
        text = text.strip()
        return (_SPACE.sub(" ", text) if "  " in text else text) or None
    text = unicodedata.normalize("NFC", text).strip()
    text = _SPACE.sub(" ", text) if "\n" not in text else text
    return text or None


def clean_list(values: list[str] | tuple[str, ...] | None) -> list[str]:
    """Cleaned, de-duplicated values in their first order (tags, languages)."""
    seen: dict[str, None] = {}
    for value in values or []:
        for part in str(value).split(","):
            item = clean(part)
            if item and item.casefold() not in {s.casefold() for s in seen}:
                seen[item] = None
    return list(seen)
