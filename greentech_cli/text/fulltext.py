"""Full-text search terms: index terms and FTS5 MATCH queries made with name folding.

Search: store ``" ".join(search_terms(text))`` in a full-text column (FTS5, unicode61) and query it
with ``WHERE col MATCH fts_match(query)``. Both sides use the same folding, so they meet: each query
word (`query_term_groups`) matches as a prefix against any of its forms: the folded form
(`fold_query_terms` gives one per word, exactly what `fold` makes of it), the other readings of
J/X/Ё/Ў, or the plain transliteration, which keeps prefixes such as "Kreisl" or "Wirts" working
where a folded prefix can miss ("wirts" folds to "virs", "Wirtschaft" to "virhaft").
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import chain

from anyascii import anyascii

from greentech_cli.text.names import (
    chunk_tokens,
    fold_token,
    text_chunks,
    text_readings,
    text_tokens,
    transliterate,
)

__all__ = ["fold_query_terms", "fts_match", "query_term_groups", "search_terms"]

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=1 << 17)
def _token_terms(token: str) -> tuple[str, ...]:
    """Index terms of one sub-token: folded readings, plain and German transliterations."""
    plain_german = _NOT_ALNUM.sub("", transliterate(token))
    if any(ch.isdigit() for ch in plain_german):
        # Part numbers, postcodes, "H2": only the literal form is useful, and folding drops digits.
        return (plain_german,)
    plain = _NOT_ALNUM.sub("", anyascii(token).lower())
    folded = [word for reading in text_readings(token) for word in fold_token(reading)]
    return tuple(dict.fromkeys(term for term in (*folded, plain, plain_german) if term))


def search_terms(text: str) -> list[str]:
    """Terms for a full-text index column: every word folded (all readings) and transliterated."""
    return list(dict.fromkeys(chain.from_iterable(map(_chunk_terms, text_chunks(text)))))


@lru_cache(maxsize=1 << 17)
def _chunk_terms(chunk: str) -> tuple[str, ...]:
    """Index terms of one whitespace-free chunk."""
    terms = (term for token in chunk_tokens(chunk) for term in _token_terms(token))
    return tuple(dict.fromkeys(terms))


def query_term_groups(query: str) -> list[tuple[str, ...]]:
    """Per query word, the alternative terms it may match (any one of them, as a prefix)."""
    groups: list[tuple[str, ...]] = []
    for token in text_tokens(query):
        plain_german = _NOT_ALNUM.sub("", transliterate(token))
        if any(ch.isdigit() for ch in plain_german):
            groups.append((plain_german,))
            continue
        folded = fold_token(token)
        if len(folded) != 1:
            # Scripts anyascii splits into syllables: each folded word must then match on its own.
            groups.extend((word,) for word in folded)
            continue
        plain = _NOT_ALNUM.sub("", anyascii(token).lower())
        # Other readings of J, X, Ё and Ў belong to the same word: any of them may match.
        others = [word for reading in text_readings(token)[1:] for word in fold_token(reading)]
        terms = (folded[0], plain, plain_german, *others)
        groups.append(tuple(dict.fromkeys(t for t in terms if t)))
    return groups


def fold_query_terms(query: str) -> list[str]:
    """The folded form of each query word, the same folding `search_terms` puts in the index."""
    return [group[0] for group in query_term_groups(query)]


def fts_match(query: str) -> str:
    """An FTS5 MATCH expression for a user's query: every word as a prefix, in any of its forms."""
    # Terms are [a-z0-9] only, so quoting them is safe and keeps FTS5 operators in user text inert.
    return " AND ".join(
        "(" + " OR ".join(f'"{term}"*' for term in group) + ")"
        for group in query_term_groups(query)
    )
