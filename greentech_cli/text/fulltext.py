"""Full-text search terms: index terms and FTS5 MATCH queries made with name folding.

Search: store ``" ".join(search_terms(text))`` in a full-text column (FTS5, unicode61) and query it
with ``WHERE col MATCH fts_match(query)``. Both sides use the same folding, so they meet: each query
word (`query_term_groups`) matches as a prefix against any of its forms: the folded form
(`fold_query_terms` gives one per word, exactly what `fold` makes of it), the other readings of
J/X/Ё/Ў, or the plain transliteration, which keeps prefixes such as "Kreisl" or "Wirts" working
where a folded prefix can miss ("wirts" folds to "virs", "Wirtschaft" to "virhaft").

Ranking: the index only finds; `ranked` orders what it found, in Python, from the query's words and
the texts the index holds (names, details, folded keys; a journal entry's text and keys), so every
engine that finds the same entries gives the same order (`rank_key` says which order).
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import Any, NamedTuple

from anyascii import anyascii

from greentech_cli.text.names import (
    chunk_tokens,
    fold_token,
    text_chunks,
    text_readings,
    text_tokens,
    transliterate,
)

__all__ = [
    "Found",
    "QueryWord",
    "fold_query_terms",
    "fts_expression",
    "fts_match",
    "literal_terms",
    "query_term_groups",
    "query_words",
    "rank_key",
    "ranked",
    "search_terms",
]

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=1 << 17)
def _token_terms(token: str) -> tuple[str, ...]:
    """Index terms of one sub-token: folded readings, plain and German transliterations."""
    plain_german = _NOT_ALNUM.sub("", transliterate(token))
    # The pieces an apostrophe splits ("O'Brien": o, brien), as a tokenizer would index them.
    pieces = literal_terms(token)
    pieces = pieces if len(pieces) > 1 else []
    plain = _NOT_ALNUM.sub("", anyascii(token).lower())
    if any(ch.isdigit() for ch in plain_german):
        # Part numbers, postcodes, "H2": only the literal forms are useful, folding drops digits.
        return tuple(dict.fromkeys(term for term in (plain_german, plain, *pieces) if term))
    folded = [word for reading in text_readings(token) for word in fold_token(reading)]
    return tuple(dict.fromkeys(term for term in (*folded, plain, plain_german, *pieces) if term))


def literal_terms(text: str) -> list[str]:
    """The words of a text as a full-text tokenizer splits it (letters and digits, lower case,
    in ASCII), unfolded: the index terms of an email or a website."""
    return [word for word in _NOT_ALNUM.split(anyascii(text).lower()) if word]


def search_terms(text: str) -> list[str]:
    """Terms for a full-text index column: every word folded (all readings) and transliterated."""
    return list(dict.fromkeys(chain.from_iterable(map(_chunk_terms, text_chunks(text)))))


@lru_cache(maxsize=1 << 17)
def _chunk_terms(chunk: str) -> tuple[str, ...]:
    """Index terms of one whitespace-free chunk."""
    terms = (term for token in chunk_tokens(chunk) for term in _token_terms(token))
    return tuple(dict.fromkeys(terms))


@dataclass(frozen=True, slots=True)
class QueryWord:
    """One word of a query: the alternative terms it may match (any one, as a prefix), and the word
    as written, lower case without accents (None when its script splits it into several words)."""

    written: str | None
    terms: tuple[str, ...]


def query_words(query: str) -> tuple[QueryWord, ...]:
    """The words of a user's query, each with the alternative terms it may match."""
    words: list[QueryWord] = []
    for token in text_tokens(query):
        groups = _token_groups(token)
        written = _as_written(token)[0] if len(groups) == 1 and _as_written(token) else None
        words += [QueryWord(written, group) for group in groups]
    return tuple(words)


def _token_groups(token: str) -> list[tuple[str, ...]]:
    """Per word of one query token (usually one), the alternative terms it may match."""
    plain_german = _NOT_ALNUM.sub("", transliterate(token))
    if any(ch.isdigit() for ch in plain_german):
        return [(plain_german,)]
    folded = fold_token(token)
    if len(folded) != 1:
        # Scripts anyascii splits into syllables: each folded word must then match on its own.
        return [(word,) for word in folded]
    plain = _NOT_ALNUM.sub("", anyascii(token).lower())
    # Other readings of J, X, Ё and Ў belong to the same word: any of them may match.
    others = [word for reading in text_readings(token)[1:] for word in fold_token(reading)]
    terms = (folded[0], plain, plain_german, *others)
    return [tuple(dict.fromkeys(t for t in terms if t))]


def query_term_groups(query: str) -> list[tuple[str, ...]]:
    """Per query word, the alternative terms it may match (any one of them, as a prefix)."""
    return [word.terms for word in query_words(query)]


def fold_query_terms(query: str) -> list[str]:
    """The folded form of each query word, the same folding `search_terms` puts in the index."""
    return [group[0] for group in query_term_groups(query)]


def fts_match(query: str) -> str:
    """An FTS5 MATCH expression for a user's query: every word as a prefix, in any of its forms."""
    return fts_expression(query_term_groups(query))


def fts_expression(groups: Iterable[Sequence[str]]) -> str:
    """The FTS5 MATCH expression of query term groups: every group, each as a prefix of any term."""
    # Terms are [a-z0-9] only, so quoting them is safe and keeps FTS5 operators in user text inert.
    return " AND ".join("(" + " OR ".join(f'"{term}"*' for term in group) + ")" for group in groups)


# --- ranking --------------------------------------------------------------------------------------

_NOT_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=1 << 16)
def _as_written(token: str) -> tuple[str, ...]:
    """A token as written in its own script, lower case, accents dropped (Schäfer: schafer,
    Қайрат: қаират): the whole word, then its pieces when an apostrophe or hyphen splits it."""
    if token.isascii():  # most words of emails, companies and cities: nothing to drop
        bare = token.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", token)
        bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    pieces = [piece for piece in _NOT_WORD.split(bare) if piece]
    return tuple(dict.fromkeys(["".join(pieces), *pieces])) if pieces else ()


@lru_cache(maxsize=1 << 17)
def _chunk_written(chunk: str) -> tuple[str, ...]:
    """`_as_written` of every token of one whitespace-free chunk."""
    return tuple(form for token in chunk_tokens(chunk) for form in _as_written(token))


class Found(NamedTuple):
    """What the index found for a query: a contact or company (`kind`, `id`) with the texts its
    entry holds — names, details and folded keys — and the text and keys of the journal entries
    that matched when it was found through its journal."""

    kind: str
    id: int
    names: str
    details: str = ""
    keys: str = ""
    notes: str = ""
    note_keys: str = ""


# How one query word meets a found entry, best first.
NAME_WHOLE = 0  # a whole word of a name, as written (Schäfer or Schafer finds Schäfer)
NAME_WHOLE_SPELLING = 1  # a whole word of a name in another spelling or script (Schaefer, Qayrat)
NAME_START = 2  # the start of a word of a name, as written (Schä)
NAME_START_SPELLING = 3  # the start of a word of a name in another spelling (Schae)
DETAIL_WHOLE = 4  # a whole word of the details: email, company, position, city, tags, website
DETAIL_START = 5  # the start of a word of the details
NOTE_WHOLE = 6  # a whole word of a journal entry
NOTE_START = 7  # the start of a word of a journal entry
ELSEWHERE = 8  # the engine found it in a way none of the above sees


def _name_grade(word: QueryWord, written: tuple[str, ...], terms: tuple[str, ...]) -> int:
    """How a query word meets one word of a name (its forms as written and its terms)."""
    as_written = word.written
    if as_written is not None and as_written in written:
        return NAME_WHOLE
    if any(term in terms for term in word.terms):
        return NAME_WHOLE_SPELLING
    if as_written is not None and any(w.startswith(as_written) for w in written):
        return NAME_START
    if any(t.startswith(term) for term in word.terms for t in terms):
        return NAME_START_SPELLING
    return ELSEWHERE


def _forms(word: QueryWord) -> tuple[str, ...]:
    return (word.written, *word.terms) if word.written is not None else word.terms


@lru_cache(maxsize=1 << 17)
def _chunk_written_text(chunk: str) -> str:
    """`_chunk_written` joined by spaces."""
    if chunk.isascii() and "'" not in chunk and "`" not in chunk:
        # Emails, websites: each run of letters and digits is a word and its only form.
        return " ".join(word for word in _NOT_ALNUM.split(chunk.lower()) if word)
    return " ".join(_chunk_written(chunk))


class _Grader:
    """`rank_key` for one query, remembering how its words meet each word it has seen: names,
    companies, cities and positions repeat across entries, so a large result is graded quickly."""

    def __init__(self, words: Sequence[QueryWord]) -> None:
        self.words = tuple(words)
        self._none = (ELSEWHERE,) * len(self.words)
        self._names: dict[str, tuple[int, ...]] = {}
        # Per query word, its forms (as written and its terms) as a whole word and as a word's
        # start in a text of words joined by spaces, with a space at either end.
        self._wholes = [tuple(f" {form} " for form in _forms(word)) for word in self.words]
        self._starts = [tuple(f" {form}" for form in _forms(word)) for word in self.words]

    def _name_chunk(self, chunk: str) -> tuple[int, ...]:
        grades = self._names.get(chunk)
        if grades is None:
            written, terms = _chunk_written(chunk), _chunk_terms(chunk)
            grades = tuple(_name_grade(word, written, terms) for word in self.words)
            self._names[chunk] = grades
        return grades

    def _best_other(self, text: str, keys: str, whole: int) -> tuple[int, ...]:
        """Per query word, `whole` where it is a word of the text (as written) or one of the
        keys, `whole + 1` where it starts one, else ELSEWHERE."""
        words = " ".join(map(_chunk_written_text, text_chunks(text)))
        haystack = f" {words} {keys} "
        return tuple(
            whole
            if any(form in haystack for form in wholes)
            else whole + 1
            if any(form in haystack for form in starts)
            else ELSEWHERE
            for wholes, starts in zip(self._wholes, self._starts, strict=True)
        )

    def in_names(self, found: Found) -> tuple[int, ...]:
        """Per query word, how it meets the entry's names (ELSEWHERE where it does not)."""
        grades = self._none
        for chunk in text_chunks(found.names):
            grades = tuple(map(min, grades, self._name_chunk(chunk)))
        return grades

    def beyond_names(self, grades: tuple[int, ...], found: Found) -> tuple[int, ...]:
        """`in_names`' grades completed from the details, then the journal entries."""
        if ELSEWHERE in grades:
            details = self._best_other(found.details, found.keys, DETAIL_WHOLE)
            grades = tuple(map(min, grades, details))
        if ELSEWHERE in grades and (found.notes or found.note_keys):
            notes = self._best_other(found.notes, found.note_keys, NOTE_WHOLE)
            grades = tuple(map(min, grades, notes))
        return grades


def _tie_key(found: Found) -> tuple[Any, ...]:
    """`rank_key` after the grades: a name, fewer words, fewer letters, alphabetical, kind, id."""
    names = found.names
    return (
        not names,
        len(names.split()),
        len(names),
        names.casefold(),
        names,
        found.kind,
        found.id,
    )


def rank_key(words: Sequence[QueryWord], found: Found) -> tuple[Any, ...]:
    """The sort key of a found entry for a query's words: the smaller, the better.

    Each query word is graded by where and how it meets the entry (`NAME_WHOLE` … `ELSEWHERE`:
    names before details before journal entries; a whole word before a word's start; in names, as
    written before another spelling or script), and entries compare by their worst word first,
    then the next worst, and so on. Ties go to entries with a name, then fewer words in the names
    (aliases and the native name count), then shorter names, then names in alphabetical order
    (case ignored, then as written), then companies before contacts, then the smaller id: a total
    order, whatever order the entries came in.
    """
    grader = _Grader(words)
    grades = grader.beyond_names(grader.in_names(found), found)
    return (tuple(sorted(grades, reverse=True)), *_tie_key(found))


def ranked(query: str, found: Iterable[Found], limit: int | None = None) -> list[Found]:
    """The found entries best first by `rank_key` (the first `limit` of them)."""
    grader = _Grader(query_words(query))
    # Grouped by grades first: only the best groups need their ties broken. An entry that every
    # word meets in its names is better than any other, so when there are `limit` of them the
    # others' details are never looked at.
    groups: dict[tuple[int, ...], list[Found]] = {}
    beyond: list[tuple[tuple[int, ...], Found]] = []
    in_names = 0
    for entry in found:
        grades = grader.in_names(entry)
        if ELSEWHERE in grades:
            beyond.append((grades, entry))
        else:
            groups.setdefault(tuple(sorted(grades, reverse=True)), []).append(entry)
            in_names += 1
    if limit is None or in_names < limit:
        for grades, entry in beyond:
            grades = grader.beyond_names(grades, entry)
            groups.setdefault(tuple(sorted(grades, reverse=True)), []).append(entry)
    best: list[Found] = []
    for grades in sorted(groups):
        if limit is None:
            best += sorted(groups[grades], key=_tie_key)
            continue
        best += heapq.nsmallest(limit - len(best), groups[grades], key=_tie_key)
        if len(best) >= limit:
            break
    return best
