"""Organisation names: a key for duplicate detection and the legal form (GmbH, AG, TOO, …)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

from greentech_cli.text.names import CHAR_TABLE, fold_token

__all__ = ["company_key", "legal_form"]

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")

# Canonical spelling → the token sequences (plain transliteration, dots removed) that spell it.
# "&" stands for &, +, und, u., and.
_LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    "GmbH & Co. KGaA": ("gmbh & co kgaa", "gmbh co kgaa"),
    "GmbH & Co. KG": ("gmbh & co kg", "gmbh co kg", "gmbh & cokg", "gmbh cokg"),
    "AG & Co. KG": ("ag & co kg", "ag co kg"),
    "SE & Co. KG": ("se & co kg", "se co kg"),
    "UG (haftungsbeschränkt) & Co. KG": ("ug haftungsbeschraenkt & co kg", "ug & co kg"),
    "UG (haftungsbeschränkt)": ("ug haftungsbeschraenkt", "ug haftungsbeschrankt", "ug"),
    "gGmbH": ("ggmbh", "gemeinnuetzige gmbh"),
    "GmbH": (
        "gmbh",
        "g m b h",
        "mbh",
        "gesellschaft mbh",
        "gesellschaft mit beschraenkter haftung",
    ),
    "AG": ("ag", "aktiengesellschaft"),
    "KGaA": ("kgaa",),
    "KG": ("kg", "kommanditgesellschaft"),
    "OHG": ("ohg",),
    "GbR": ("gbr",),
    "PartG": ("partg", "partgmbb"),
    "e.K.": ("ek", "e k"),
    "e.V.": ("ev", "e v", "eingetragener verein"),
    "eG": ("eg",),
    "AöR": ("aoer", "aor", "anstalt des oeffentlichen rechts"),
    "KdöR": ("kdoer", "kdor", "koerperschaft des oeffentlichen rechts"),
    "SE": ("se",),
    "& Co.": ("& co",),
    "Ltd": ("ltd", "limited"),
    "LLP": ("llp",),
    "LLC": ("llc",),
    "Inc": ("inc", "incorporated"),
    "PLC": ("plc",),
    "Corp": ("corp", "corporation"),
    "OJSC": ("ojsc",),
    "CJSC": ("cjsc",),
    "JSC": ("jsc",),
    "OAO": ("oao",),
    "PAO": ("pao",),
    "ZAO": ("zao",),
    "AO": ("ao",),
    "AQ": ("aq",),
    "TOO": ("too",),
    "ZhShS": ("zhshs",),
    "OOO": ("ooo",),
    "MChJ": ("mchj", "mchzh"),
    "AJ": ("aj", "azh"),
    "IP": ("ip",),
    "S.A.": ("sa",),
    "B.V.": ("bv",),
    "N.V.": ("nv",),
}
_LEGAL_SEQUENCES: tuple[tuple[tuple[str, ...], str], ...] = tuple(
    sorted(
        ((tuple(spelling.split()), canonical) for canonical, spellings in _LEGAL_FORMS.items()
         for spelling in spellings),
        key=lambda item: len(item[0]),
        reverse=True,
    )
)  # fmt: skip
_CONNECTORS = frozenset({"&", "+", "und", "u", "and"})
_ABBREVIATION = re.compile(r"^(?:[a-z]\.)+[a-z]?$")


def _company_tokens(name: str) -> tuple[str, ...]:
    """Plain lowercase ASCII tokens of an organisation name; G.m.b.H.-style abbreviations joined."""
    text = anyascii(unicodedata.normalize("NFC", name).casefold().translate(CHAR_TABLE)).lower()
    text = re.sub(r"[&+]", " & ", text)
    tokens: list[str] = []
    for chunk in re.split(r"[\s\-/,;:()\[\]{}<>\"|!?*]+", text):
        pieces = [chunk.replace(".", "")] if _ABBREVIATION.match(chunk) else chunk.split(".")
        for piece in pieces:
            cleaned = piece if piece == "&" else _NOT_ALNUM.sub("", piece)
            if cleaned:
                tokens.append("&" if cleaned in _CONNECTORS else cleaned)
    return tuple(tokens)


def _legal_index(edge: int) -> dict[str, tuple[tuple[tuple[str, ...], str], ...]]:
    """Legal-form spellings by their last (edge -1) or first (edge 0) token, longest first."""
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for sequence, canonical in _LEGAL_SEQUENCES:
        index.setdefault(sequence[edge], []).append((sequence, canonical))
    return {token: tuple(entries) for token, entries in index.items()}


_LEGAL_BY_LAST = _legal_index(-1)
_LEGAL_BY_FIRST = _legal_index(0)


def _legal_at_edges(rest: tuple[str, ...]) -> tuple[int, int, str] | None:
    """The longest legal form at the end or start of the tokens: (start, stop, canonical)."""
    best: tuple[int, int, str] | None = None
    # Never strip the whole name: a company may be called "Eco AG" or just "AO".
    for sequence, canonical in _LEGAL_BY_LAST.get(rest[-1], ()):
        size = len(sequence)
        if len(rest) > size and rest[-size:] == sequence:
            best = (len(rest) - size, len(rest), canonical)
            break
    for sequence, canonical in _LEGAL_BY_FIRST.get(rest[0], ()):
        size = len(sequence)
        if len(rest) > size and rest[:size] == sequence:
            if best is None or size > best[1] - best[0]:
                best = (0, size, canonical)
            break
    return best


@lru_cache(maxsize=1 << 16)
def _company_parts(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """An organisation name's tokens without legal forms, and the forms found (outermost first)."""
    rest = _company_tokens(name)
    found: list[str] = []
    while True:
        while rest and rest[-1] == "&":
            rest = rest[:-1]
        while rest and rest[0] == "&":
            rest = rest[1:]
        edge = _legal_at_edges(rest) if rest else None
        if edge is None:
            return rest, tuple(found)
        start, stop, canonical = edge
        rest = rest[stop:] if start == 0 else rest[:start]
        found.append(canonical)


@lru_cache(maxsize=1 << 16)
def company_key(name: str) -> str:
    """A normalised organisation name for duplicate detection: folded, without legal forms."""
    rest, _ = _company_parts(name)
    words: list[str] = []
    for token in rest:
        if token == "&":
            continue
        # Digits carry meaning in a company name (H2 Mobility, 3M); keep such tokens literally.
        words.extend([token] if any(ch.isdigit() for ch in token) else fold_token(token))
    return " ".join(words)


def legal_form(name: str) -> str | None:
    """The legal form in an organisation name in its canonical spelling, or None."""
    _, found = _company_parts(name)
    return found[0] if found else None
