"""Placeholders: what a list writes for a person not yet known (`N.N.`, `TBD`, `?`,
`Teilnehmer 1`). Such a name is nobody's: `names.name_keys` gives it no key, so two placeholders
never match by name (the same email still does)."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["is_placeholder"]

# Words that stand in for a name not yet known: "N.N.", "TBD", "?", "Teilnehmer 1", "Gast 2".
# A name made only of these (and numbers, dots, dashes) is a placeholder, not a person's name.
_PLACEHOLDER_WORDS = frozenset(
    (
        "n", "nn", "nnn", "tbd", "tba", "tbc", "tbn", "na", "unknown", "unbekannt", "offen",
        "noch", "folgt", "teilnehmer", "teilnehmerin", "teilnehmende", "participant", "attendee",
        "delegate", "delegierter", "delegierte", "gast", "guest", "platzhalter", "placeholder",
        "vertreter", "vertreterin", "vertretung", "representative", "vorname", "nachname",
        "firstname", "lastname", "mitarbeiter", "mitarbeiterin", "employee", "xx", "xxx", "x",
        "test", "dummy", "name",
    )
)  # fmt: skip
_PLACEHOLDER_SPLIT = re.compile(r"[\s.,;:/()#\-–_*+]+")


def is_placeholder(first: str | None, last: str | None, native: str | None = None) -> bool:
    """Whether a name only stands in for someone not yet known (`N.N.`, `TBD`, `?`, `Teilnehmer 1`).

    Question marks, dashes and numbers alone count too; "Test" alone does, "Test1 Müller" does not.
    """
    text = " ".join(part for part in (first, last, native) if part and part.strip())
    if not text.strip():
        return False
    return _placeholder_text(text)


@lru_cache(maxsize=1 << 12)
def _placeholder_text(text: str) -> bool:
    words = [w for w in _PLACEHOLDER_SPLIT.split(text.casefold().replace("?", " ")) if w]
    if not words:
        return True  # "?", "-", "..."
    if "." in text and all(len(w) == 1 for w in words if not w.isdigit()):
        # "N. N.", "X. Y." written with dots: initials only, nobody's name.
        return all(w in ("n", "x") or w.isdigit() for w in words)
    return all(w in _PLACEHOLDER_WORDS or w.isdigit() for w in words)
