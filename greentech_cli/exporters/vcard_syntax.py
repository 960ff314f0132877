"""vCard line syntax: record values as clean text, escaping, and folding lines at 75 octets."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MAX_OCTETS = 75
# What escape_value changes; most values hold none of it and are returned as they are.
NEEDS_ESCAPE = re.compile(r"[\\,;\r\n]")


def _clean(text: str) -> str:
    """Drop characters no vCard may carry: controls other than tab and line ends, surrogates."""
    if text.isprintable():
        return text
    return "".join(
        char for char in text if char in "\t\r\n" or unicodedata.category(char) not in ("Cc", "Cs")
    )


def as_text(value: object) -> str:
    """A record value as clean text without surrounding whitespace ('' for None)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if not text.isprintable():
        text = _clean(text)
    # Surrounding whitespace means nothing in a vCard and our reader strips it too.
    return text.strip()


def as_items(value: object) -> list[str]:
    """A list-valued record field (tags, languages) as clean, non-empty strings."""
    if value is None:
        return []
    if type(value) is list and all(type(item) is str and item.isprintable() for item in value):
        # The usual case, without as_text per item.
        return [text for item in value if (text := item.strip())]
    if isinstance(value, str):
        values: list[object] = [value]
    elif isinstance(value, (set, frozenset)):
        values = sorted(value, key=str)
    elif isinstance(value, Iterable):
        values = list(value)
    else:
        values = [value]
    return [text for item in values if (text := as_text(item).strip())]


def escape_value(text: str) -> str:
    """Escape a text value: backslash, comma, semicolon and line ends."""
    if not NEEDS_ESCAPE.search(text):
        return text
    text = text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def _continues(char: str) -> bool:
    """Tell whether a character belongs to the one before it (combining mark, joiner, selector)."""
    return (
        unicodedata.combining(char) != 0
        or unicodedata.category(char) in ("Mn", "Me")
        or char == "\u200d"
        or "\ufe00" <= char <= "\ufe0f"
    )


def _char_start(data: bytes, index: int) -> int:
    """Move a byte index back to the start of the UTF-8 character it falls in."""
    while index > 0 and data[index] & 0xC0 == 0x80:
        index -= 1
    return index


def _cut(data: bytes, start: int, budget: int) -> int:
    """Where to end a physical line that starts at ``start``: at most ``budget`` octets on.

    Never inside a character; where possible not before a combining mark (so "é" written as e
    plus accent stays whole) and not between a backslash and the character it escapes.
    """
    limit = _char_start(data, start + budget)
    cut = limit
    # Back off over combining marks and joiners, a few characters at most.
    for _ in range(8):
        char = data[cut : cut + 4].decode("utf-8", "ignore")[:1]
        if not char or not _continues(char) or cut <= start + 1:
            break
        cut = _char_start(data, cut - 1)
    if cut <= start or _continues(data[cut : cut + 4].decode("utf-8", "ignore")[:1] or "a"):
        cut = limit
    backslashes = 0
    while cut - backslashes - 1 >= start and data[cut - backslashes - 1] == 0x5C:
        backslashes += 1
    if backslashes % 2 and cut - 1 > start:
        # An odd run of backslashes ends in an escape's first half: keep "\n" together.
        cut -= 1
    return cut


def fold_line(line: str) -> list[str]:
    """Fold a content line at 75 octets; continuation lines start with one space."""
    if len(line) <= MAX_OCTETS and line.isascii():
        # Most lines: short ASCII (isascii() is a flag lookup, no scan).
        return [line]
    data = line.encode("utf-8")
    if len(data) <= MAX_OCTETS:
        return [line]
    physical: list[str] = []
    start, budget = 0, MAX_OCTETS
    while len(data) - start > budget:
        cut = _cut(data, start, budget)
        physical.append(data[start:cut].decode("utf-8"))
        # The leading space of a continuation line counts toward its 75 octets.
        start, budget = cut, MAX_OCTETS - 1
    physical.append(data[start:].decode("utf-8"))
    return [physical[0]] + [" " + piece for piece in physical[1:]]
