"""The order of search results: one rule, computed in Python from what the index found, so every
engine that finds the same entries gives the same ids in the same order (issue 21)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from greentech_cli.text.fulltext import (
    DETAIL_START,
    DETAIL_WHOLE,
    NAME_START,
    NAME_START_SPELLING,
    NAME_WHOLE,
    NAME_WHOLE_SPELLING,
    NOTE_WHOLE,
    Found,
    query_words,
    rank_key,
    ranked,
)

from .conftest import Cli


def _grades(query: str, found: Found) -> tuple[int, ...]:
    return rank_key(query_words(query), found)[0]  # type: ignore[no-any-return]


def _order(query: str, *found: Found) -> list[tuple[str, int]]:
    return [(f.kind, f.id) for f in ranked(query, found)]


# --- the rule, one clause at a time ------------------------------------------------------------


def test_each_word_is_graded_by_where_and_how_it_meets() -> None:
    petra = Found("contact", 1, "Petra Schäfer", "petra@lippe.example Lippe GmbH Lünen", "")
    assert _grades("Schäfer", petra) == (NAME_WHOLE,)
    assert _grades("schafer", petra) == (NAME_WHOLE,)  # accents and case do not count
    assert _grades("Schaefer", petra) == (NAME_WHOLE_SPELLING,)  # another spelling
    assert _grades("Schä", petra) == (NAME_START,)
    assert _grades("Schae", petra) == (NAME_START_SPELLING,)
    assert _grades("Lünen", petra) == (DETAIL_WHOLE,)
    assert _grades("Lün", petra) == (DETAIL_START,)
    noted = petra._replace(details="", notes="Wants a sorting line", note_keys="sorting")
    assert _grades("sorting", noted) == (NOTE_WHOLE,)
    # The worst word comes first: one word in the details makes the entry a details match.
    assert _grades("Petra Lünen", petra) == (DETAIL_WHOLE, NAME_WHOLE)


def test_other_scripts_meet_as_written_or_as_another_spelling() -> None:
    cyrillic = Found("contact", 1, "Қайрат Әбдірахманов")
    latin = Found("contact", 2, "Kairat Seitkali")
    assert _grades("Қайрат", cyrillic) == (NAME_WHOLE,)
    assert _grades("Қайрат", latin) == (NAME_WHOLE_SPELLING,)
    assert _grades("Kairat", latin) == (NAME_WHOLE,)
    assert _grades("Kairat", cyrillic) == (NAME_WHOLE_SPELLING,)
    assert _order("Қайрат", latin, cyrillic) == [("contact", 1), ("contact", 2)]
    assert _order("Kairat", cyrillic, latin) == [("contact", 2), ("contact", 1)]


def test_ties_go_to_fewer_words_then_shorter_names_then_alphabet_then_kind_and_id() -> None:
    assert _order(
        "anna",
        Found("contact", 1, "Anna Maria Weber"),  # three words
        Found("contact", 2, "Anna Weber"),  # two words, ten letters
        Found("contact", 3, "Anna Li"),  # two words, seven letters
        Found("contact", 4, "Anna Lu"),  # as long as Anna Li, after it alphabetically
        Found("company", 9, "Anna Lu"),  # the same name: companies first
        Found("contact", 5, "Anna Lu"),  # the same name and kind: the smaller id first
        Found("contact", 6, "", "anna@example.org"),  # no name at all: last among its grade
        Found("contact", 7, "", "anna@example.com"),
    ) == [
        ("contact", 3),
        ("company", 9),
        ("contact", 4),
        ("contact", 5),
        ("contact", 2),
        ("contact", 1),
        ("contact", 6),
        ("contact", 7),
    ]


def test_a_limit_cuts_the_same_order() -> None:
    found = [Found("contact", i, f"Anna {'x' * (i % 4)}{i}") for i in range(1, 40)]
    whole = ranked("anna", found)
    for limit in (0, 1, 5, 39, 50):
        assert ranked("anna", found, limit) == whole[:limit]


def test_an_entry_the_rule_cannot_see_is_still_placed_last() -> None:
    # An engine may find an entry through something the rule does not look at: placed, not lost.
    odd = Found("contact", 1, "Zed", "", "")
    plain = Found("contact", 2, "Anna Zed", "", "")
    assert _order("anna", odd, plain) == [("contact", 2), ("contact", 1)]


# --- properties ----------------------------------------------------------------------------------

WORDS = ["Anna", "Müller", "Mueller", "Muller", "Schäfer", "Schaefer", "Қайрат", "Kairat", "Lippe"]
WORD = st.one_of(st.sampled_from(WORDS), st.text(alphabet="abcäöüßкқа ", min_size=1, max_size=8))
TEXT = st.lists(WORD, max_size=4).map(" ".join)


@st.composite
def entries(draw: Any) -> list[Found]:
    ids = draw(st.lists(st.tuples(st.sampled_from(["contact", "company"]), st.integers(1, 30)),
                        unique=True, max_size=12))  # fmt: skip
    return [
        Found(kind, record_id, draw(TEXT), draw(TEXT), draw(TEXT), draw(TEXT), draw(TEXT))
        for kind, record_id in ids
    ]


@given(entries(), st.lists(WORD, min_size=1, max_size=3).map(" ".join), st.randoms())
@settings(max_examples=300, deadline=None)
def test_the_order_is_total_deterministic_and_independent_of_the_input_order(
    found: list[Found], query: str, random: Any
) -> None:
    words = query_words(query)
    keys = [rank_key(words, f) for f in found]
    assert len(set(keys)) == len(found)  # total: no two entries tie
    best = ranked(query, found)
    assert best == sorted(found, key=lambda f: rank_key(words, f))
    shuffled = list(found)
    random.shuffle(shuffled)
    assert ranked(query, shuffled) == best
    assert ranked(query, reversed(found)) == best
    for limit in (0, 1, 3):
        assert ranked(query, shuffled, limit) == best[:limit]


# --- the search corpus, through the CLI (cross-script, umlauts, prefixes, the journal) -----------


@pytest.fixture
def corpus(cli: Cli) -> Cli:
    cli.ok("init")
    cli.ok(
        "company",
        "add",
        "Lippe Recycling GmbH",
        "--city",
        "Lünen",
        "--tag",
        "Sortierung",
        "--website",
        "https://lippe-recycling.example",
        "--sector",
        "circular-economy",
    )  # 1
    cli.ok("company", "add", "Müller Umwelttechnik GmbH", "--city", "Düsseldorf")  # 2
    cli.ok("company", "add", "Kreislaufwirtschaft Rhein e.V.", "--city", "Köln")  # 3
    cli.ok("company", "add", "Astana Green LLP", "--city", "Astana")  # 4
    cli.ok("company", "add", "Schäfer Entsorgung KG", "--city", "Lünen")  # 5
    people = [
        ("Petra", "Schäfer", "--company", "1", "--email", "petra.schaefer@lippe.example"),  # 1
        ("Peter", "Schaefer", "--email", "peter@schaefer-bau.example"),  # 2
        ("Jürgen", "Weiß", "--company", "2", "--position", "Betriebsleiter"),  # 3
        ("Anna", "Müller", "--company", "3"),  # 4
        ("Anna", "Mueller"),  # 5
        ("Hans", "Müllerschön"),  # 6
        ("Қайрат", "Әбдірахманов", "--company", "4"),  # 7
        ("Kairat", "Seitkali", "--notes", "Interested in the Sortierung line"),  # 8
        ("Annabelle", "Lippe"),  # 9
        ("Lena", "Schäferling", "--position", "Einkauf"),  # 10
        ("Seán", "O'Brien", "--email", "sean@obrien-consult.example"),  # 11
    ]
    for first, last, *rest in people:
        cli.ok("contact", "add", "--first", first, "--last", last, *rest)
    cli.ok("company", "edit", "3", "--notes", "Schäfer called about Almaty")
    return cli


# Each expectation follows from the rule (grades: 0 name word as written, 1 name word in another
# spelling, 2/3 the start of one, 4/5 details, 6/7 journal; then fewer words, shorter, a-z, kind,
# id). C = contact, K = company.
CORPUS = [
    # Schäfer: C1 and K5 as written (C1 has two words, K5 three); C2 Schaefer another spelling;
    # C10 Schäferling starts with it; K3 only in its journal ("Schäfer called").
    ("Schäfer", "C1 K5 C2 C10 K3"),
    # Schaefer as written is C2; Schäfer (C1, K5) is another spelling; Schäferling's start in
    # another spelling; the journal last.
    ("Schaefer", "C2 C1 K5 C10 K3"),
    # A start: as written only C2 (schaefer…); the others start with it in another spelling, by
    # words then length (C1 13 letters, C10 16, K5 three words); the journal last.
    ("Schaef", "C2 C1 C10 K5 K3"),
    ("Weiss", "C3"),  # ß as ss, as written
    ("Jurgen", "C3"),
    ("Juergen", "C3"),
    # Müller as written: C4 (two words) before K2 (three); Mueller another spelling; Müllerschön
    # starts with it; C3 works at Müller Umwelttechnik (details).
    ("Müller", "C4 K2 C5 C6 C3"),
    # Müll starts C4, C6 and K2 as written (two words: 11 before 16 letters; then three words);
    # Mueller in another spelling; C3's company.
    ("Müll", "C4 C6 K2 C5 C3"),
    ("Mueller", "C5 C4 K2 C6 C3"),
    ("Қайрат", "C7 C8"),  # as written, then the Latin spelling
    ("Kairat", "C8 C7"),
    # Qayrat is written like neither: both another spelling, the shorter name first.
    ("Qayrat", "C8 C7"),
    ("Abdirakhmanov", "C7"),
    ("Астана", "K4 C7"),  # the company's name in another script, then its contact's details
    ("Gre", "K4 C7"),
    # Lippe: a name word of C9 (two words) and of K1 (three); C1's company and email (details).
    ("Lippe", "C9 K1 C1"),
    ("Lünen", "C1 K1 K5"),  # the city: details for all three; two words, then 20 before 21 letters
    ("Anna", "C4 C5 C9"),  # whole (11 before 12 letters), then Annabelle's start
    ("Anna Müller", "C4 C5"),  # both words as written, then Müller in another spelling
    ("Kreisl", "K3 C4"),  # the start of K3's name, then of C4's company
    ("Sortierung", "K1 C8"),  # K1's tag, then C8's journal
    ("Betriebsl", "C3"),
    ("petra.schaefer@lippe.example", "C1"),
    ("Schäfer Lünen", "C1 K5"),  # each: a name word and the city; two words before three
    ("almaty", "K3"),
    ("brien", "C11"),  # a piece of O'Brien, as written
    # Only in emails and a website: details for all; two words each (12, 13, 14 letters), then K1.
    ("example", "C11 C1 C2 K1"),
    ("circular", "K1"),  # a sector
]


def _labels(hits: list[dict[str, Any]]) -> str:
    return " ".join(("C" if h["type"] == "contact" else "K") + str(h["id"]) for h in hits)


def test_the_search_corpus_comes_in_the_rule_s_order(corpus: Cli) -> None:
    wrong = {}
    for query, expected in CORPUS:
        got = _labels(corpus.json("search", query))
        if got != expected:
            wrong[query] = (got, expected)
    assert not wrong, wrong
    # The limit cuts the same order.
    assert _labels(corpus.json("search", "Schäfer", "--limit", "2")) == "C1 K5"


def test_the_order_does_not_depend_on_the_order_the_index_gives(
    corpus: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from greentech_cli.store import search as store

    before = {query: corpus.json("search", query) for query, _ in CORPUS}
    finding = store.matching_entries
    monkeypatch.setattr(store, "matching_entries", lambda *args: list(reversed(finding(*args))))
    assert {query: corpus.json("search", query) for query, _ in CORPUS} == before


@pytest.mark.sqlite_only  # FTS5 over keys vs the whole entry: why PostgreSQL's keys suffice
def test_the_folded_keys_alone_find_what_the_whole_entry_finds(corpus: Cli) -> None:
    """An engine that matches the `keys` column only (PostgreSQL: a tsvector over them) finds
    the same entries as FTS5 over names, details and keys: keys hold every word's terms, the
    pieces an apostrophe splits and the words of emails and websites."""
    from greentech_cli.db import open_db
    from greentech_cli.text.fulltext import fts_match

    db = open_db(corpus.db_path)
    try:
        for query, _ in CORPUS:
            expression = fts_match(query)
            for table in ("contacts_fts", "companies_fts", "journal_fts"):
                sql = f"SELECT rowid FROM {table} WHERE {table} MATCH ? ORDER BY rowid"
                whole = db.execute(sql, [expression]).fetchall()
                keys_only = db.execute(sql, [f"{{keys}} : ({expression})"]).fetchall()
                assert keys_only == whole, (query, table)
    finally:
        db.close()


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=30))
@settings(max_examples=500, deadline=None)
def test_an_ascii_word_s_forms_are_the_general_ones(chunk: str) -> None:
    from greentech_cli.text import fulltext

    chunk = "".join(chunk.split())
    general = " ".join(fulltext._chunk_written(chunk))
    assert fulltext._chunk_written_text.__wrapped__(chunk) == general


def _found_by(text: str, query: str) -> tuple[bool, bool]:
    """Whether FTS5 finds a text indexed as (text, search_terms) by the query over both columns,
    and over the keys alone."""
    import sqlite3

    from greentech_cli.text.fulltext import fts_match, search_terms

    expression = fts_match(query)
    with sqlite3.connect(":memory:") as connection:
        connection.execute(
            "CREATE VIRTUAL TABLE t USING fts5(text, keys, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )
        connection.execute("INSERT INTO t VALUES (?, ?)", (text, " ".join(search_terms(text))))
        found = [
            bool(connection.execute("SELECT count(*) FROM t WHERE t MATCH ?", [e]).fetchone()[0])
            for e in (expression, f"{{keys}} : ({expression})")
        ]
    return found[0], found[1]


TOKEN_TEXT = st.text(
    alphabet=st.sampled_from(list("abcdeilnorsuz0129äöüßéøłı'’-. жқа")), max_size=14
)


@given(TOKEN_TEXT, st.data())
@settings(max_examples=300, deadline=None)
def test_keys_alone_find_any_start_of_any_word(text: str, data: Any) -> None:
    """Any start of a word as FTS5's tokenizer sees it (lower case, accents dropped) finds the
    text through its keys alone too."""
    import re
    import unicodedata

    bare = "".join(
        ch for ch in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(ch)
    )
    words = [w for w in re.split(r"[^\w]+|_", bare) if w]
    if not words:
        return
    word = data.draw(st.sampled_from(words))
    query = word[: data.draw(st.integers(1, len(word)))]
    whole, keys_alone = _found_by(text, query)
    assert keys_alone == whole, (text, query)


@pytest.mark.parametrize(
    ("text", "query"),
    [("grün2", "grun2"), ("O'Brien", "brien"), ("a.b@lippe.example", "example"),
     ("Weiß", "wei"), ("Søren", "soren"), ("Łódź", "lodz"), ("Straße12", "strasse12")],
)  # fmt: skip
def test_keys_alone_find_what_the_text_finds(text: str, query: str) -> None:
    assert _found_by(text, query) == (True, True)


def test_a_contact_found_through_the_journal_shows_its_company_and_city(corpus: Cli) -> None:
    corpus.ok("contact", "edit", "8", "--company", "1")
    [company, person] = corpus.json("search", "Sortierung")
    assert (company["type"], company["id"], person["type"], person["id"]) == (
        "company", 1, "contact", 8,
    )  # fmt: skip
    assert (person["company"], person["city"]) == ("Lippe Recycling GmbH", "Lünen")
