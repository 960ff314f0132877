"""Cleaning what people type: NFC, trimmed, single spaces; lists without repeats; names and
email addresses without control characters."""

from __future__ import annotations

import re
import unicodedata

from greentech_cli.errors import InvalidData

_SPACE = re.compile(r"\s+")
# Control characters (C0, DEL, C1) other than tab and line breaks, which are only whitespace.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


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


def clean_name(value: str | None, what: str) -> str | None:
    """A name or email address cleaned as `clean` does and kept on one line (tabs and line breaks
    become single spaces); any other control character is refused with InvalidData, as a name
    that could steer a terminal or break a line of a list is never what someone meant."""
    if value is None:
        return None
    text = str(value)
    found = _CONTROL.search(text)
    if found:
        raise InvalidData(
            f"the {what} holds the control character U+{ord(found.group()):04X} "
            f"at position {found.start() + 1}; names and email addresses may not hold control "
            "characters"
        )
    return clean(text.replace("\n", " "))  # clean() makes every other whitespace one space
